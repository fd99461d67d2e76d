.class public Lcom/umeng/commonsdk/UMConfigure;
.super Ljava/lang/Object;
.source "UMConfigure.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "alog.umeng.com"
    return-object v0
.end method

