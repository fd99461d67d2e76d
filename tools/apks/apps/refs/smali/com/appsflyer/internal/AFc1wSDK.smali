.class public final Lcom/appsflyer/internal/AFc1wSDK;
.super Ljava/lang/Object;
.source "AFc1wSDK.java"

# an endpoint no tracker list names: only the class holding it says whose it is
.method public static endpoint()Ljava/lang/String;
    .registers 1
    const-string v0, "https://collect.sdk-telemetry-refs.net/v1/event"
    return-object v0
.end method

.method public static bare()Ljava/lang/String;
    .registers 1
    const-string v0, "sdk-telemetry-refs.net"
    return-object v0
.end method
