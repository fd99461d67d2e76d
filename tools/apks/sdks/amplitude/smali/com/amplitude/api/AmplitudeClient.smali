.class public Lcom/amplitude/api/AmplitudeClient;
.super Ljava/lang/Object;
.source "AmplitudeClient.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api2.amplitude.com/"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api.eu.amplitude.com/"
    return-object v0
.end method

