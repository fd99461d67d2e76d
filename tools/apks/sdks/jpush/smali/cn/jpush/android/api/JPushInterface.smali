.class public Lcn/jpush/android/api/JPushInterface;
.super Ljava/lang/Object;
.source "JPushInterface.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://tsis.jpush.cn"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "JPUSH_APPKEY"
    return-object v0
.end method

