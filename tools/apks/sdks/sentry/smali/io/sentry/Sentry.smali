.class public Lio/sentry/Sentry;
.super Ljava/lang/Object;
.source "Sentry.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "io.sentry.dsn"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "sentry.java.android"
    return-object v0
.end method

