.class public Lorg/hpa/demo/notes/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public static backend()Ljava/lang/String;
    .registers 1
    const-string v0, "https://api.quietnotes.example/v1/notes"
    return-object v0
.end method
