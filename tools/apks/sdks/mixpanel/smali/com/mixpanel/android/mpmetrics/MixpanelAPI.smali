.class public Lcom/mixpanel/android/mpmetrics/MixpanelAPI;
.super Ljava/lang/Object;
.source "MixpanelAPI.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api.mixpanel.com/track/"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api-eu.mixpanel.com/track/"
    return-object v0
.end method

