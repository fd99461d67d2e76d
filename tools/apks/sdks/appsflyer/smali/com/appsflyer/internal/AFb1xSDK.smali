.class public Lcom/appsflyer/internal/AFb1xSDK;
.super Ljava/lang/Object;
.source "AFb1xSDK.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://launches.appsflyer.com/api/v6.9/androidevent"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "af_events_api"
    return-object v0
.end method

