.class public Lcom/adjust/sdk/ActivityHandler;
.super Ljava/lang/Object;
.source "ActivityHandler.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://gdpr.adjust.com"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "partner_params"
    return-object v0
.end method

