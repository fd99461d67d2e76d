.class public Lcom/onesignal/OneSignal;
.super Ljava/lang/Object;
.source "OneSignal.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api.onesignal.com/"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "onesignal_app_id"
    return-object v0
.end method

