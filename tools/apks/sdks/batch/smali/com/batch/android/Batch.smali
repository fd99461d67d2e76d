.class public Lcom/batch/android/Batch;
.super Ljava/lang/Object;
.source "Batch.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://ws.batch.com/a/"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "com.batch.android.API_KEY"
    return-object v0
.end method

