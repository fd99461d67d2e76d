.class public Lcom/google/android/gms/ads/MobileAds;
.super Ljava/lang/Object;
.source "MobileAds.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://googleads.g.doubleclick.net/mads/gma"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "com.google.android.gms.ads.APPLICATION_ID"
    return-object v0
.end method

