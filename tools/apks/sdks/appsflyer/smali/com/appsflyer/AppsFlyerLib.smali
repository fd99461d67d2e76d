.class public Lcom/appsflyer/AppsFlyerLib;
.super Ljava/lang/Object;
.source "AppsFlyerLib.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://%sinapps.%s/api/v6.9/androidevent?app_id="
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "appsflyer.com"
    return-object v0
.end method

.method public static value2()Ljava/lang/String;
    .registers 1
    const-string v0, "https://inapps.appsflyer.com/api/v6.9/androidevent"
    return-object v0
.end method
