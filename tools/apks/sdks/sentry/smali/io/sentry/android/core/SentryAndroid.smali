.class public Lio/sentry/android/core/SentryAndroid;
.super Ljava/lang/Object;
.source "SentryAndroid.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://o0.ingest.sentry.io/api/0/envelope/"
    return-object v0
.end method

