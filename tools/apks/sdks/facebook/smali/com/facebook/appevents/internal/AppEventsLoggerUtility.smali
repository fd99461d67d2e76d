.class public Lcom/facebook/appevents/internal/AppEventsLoggerUtility;
.super Ljava/lang/Object;
.source "AppEventsLoggerUtility.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "advertiser_id"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "custom_events"
    return-object v0
.end method

