.class public Lcom/facebook/FacebookSdk;
.super Ljava/lang/Object;
.source "FacebookSdk.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "graph.facebook.com"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "com.facebook.sdk.ApplicationId"
    return-object v0
.end method

