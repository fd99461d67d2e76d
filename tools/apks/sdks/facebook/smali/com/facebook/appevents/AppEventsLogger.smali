.class public Lcom/facebook/appevents/AppEventsLogger;
.super Ljava/lang/Object;
.source "AppEventsLogger.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://graph.facebook.com/v16.0/%s/activities"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "fb_mobile_activate_app"
    return-object v0
.end method

