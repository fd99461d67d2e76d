.class public Lcom/google/firebase/analytics/FirebaseAnalytics;
.super Ljava/lang/Object;
.source "FirebaseAnalytics.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://app-measurement.com/a"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "firebase_screen"
    return-object v0
.end method

