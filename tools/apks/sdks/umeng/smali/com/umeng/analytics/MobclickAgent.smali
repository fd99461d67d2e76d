.class public Lcom/umeng/analytics/MobclickAgent;
.super Ljava/lang/Object;
.source "MobclickAgent.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://ulogs.umeng.com/unify_logs"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "UMENG_APPKEY"
    return-object v0
.end method

