.class public Lio/branch/referral/Branch;
.super Ljava/lang/Object;
.source "Branch.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api2.branch.io/"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api3-eu.branch.io/"
    return-object v0
.end method

