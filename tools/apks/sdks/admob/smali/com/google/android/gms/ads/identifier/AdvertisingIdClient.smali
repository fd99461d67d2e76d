.class public Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;
.super Ljava/lang/Object;
.source "AdvertisingIdClient.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "com.google.android.gms.ads.identifier.service.START"
    return-object v0
.end method

