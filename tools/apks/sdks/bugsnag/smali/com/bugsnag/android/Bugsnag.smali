.class public Lcom/bugsnag/android/Bugsnag;
.super Ljava/lang/Object;
.source "Bugsnag.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://notify.bugsnag.com"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "https://sessions.bugsnag.com"
    return-object v0
.end method

