.class public Lcom/google/android/gms/measurement/internal/zzfy;
.super Ljava/lang/Object;
.source "zzfy.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "app-measurement.com"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "https://region1.app-measurement.com/a"
    return-object v0
.end method

