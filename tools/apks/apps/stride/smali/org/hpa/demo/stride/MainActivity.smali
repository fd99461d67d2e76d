.class public Lorg/hpa/demo/stride/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public static backend()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api.stride.example/v1/activities"
    return-object v0
.end method
