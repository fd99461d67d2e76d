.class public Lcom/adjust/sdk/Adjust;
.super Ljava/lang/Object;
.source "Adjust.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://app.adjust.com"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "gps_adid"
    return-object v0
.end method

