.class public Lcom/braze/Braze;
.super Ljava/lang/Object;
.source "Braze.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://sdk.iad-01.braze.com/api/v3/"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "com.braze.api_key"
    return-object v0
.end method

