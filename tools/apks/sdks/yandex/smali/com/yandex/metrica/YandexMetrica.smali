.class public Lcom/yandex/metrica/YandexMetrica;
.super Ljava/lang/Object;
.source "YandexMetrica.java"

.method public static value0()Ljava/lang/String;
    .registers 1
    const-string v0, "https://startup.mobile.yandex.net/analytics/startup"
    return-object v0
.end method

.method public static value1()Ljava/lang/String;
    .registers 1
    const-string v0, "https://report.appmetrica.yandex.net/report"
    return-object v0
.end method

