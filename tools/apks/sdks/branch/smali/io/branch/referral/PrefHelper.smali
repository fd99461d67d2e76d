.class public Lio/branch/referral/PrefHelper;
.super Ljava/lang/Object;
.source "PrefHelper.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "bnc_branch_key"
    return-object v0
.end method

