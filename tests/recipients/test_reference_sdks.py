"""Every SDK of the shared reference (tracker-sdk-formats.md) resolves to its canonical company: hosts, classes, names."""

from __future__ import annotations

import pytest

# (host seen in the reference, entity, a category that must be among the host's)
HOSTS = [
    ("graph.facebook.com", "Meta", "advertising"),
    ("app-measurement.com", "Google", "analytics"),
    ("region1.app-measurement.com", "Google", "analytics"),
    ("firebaseinstallations.googleapis.com", "Google", "analytics"),
    ("firebaseremoteconfig.googleapis.com", "Google", "analytics"),
    ("firebaselogging-pa.googleapis.com", "Google", "analytics"),
    ("firebase-settings.crashlytics.com", "Google", "crash_reporting"),
    ("crashlyticsreports-pa.googleapis.com", "Google", "crash_reporting"),
    ("inapps.appsflyer.com", "AppsFlyer", "attribution"),
    ("launches.appsflyersdk.com", "AppsFlyer", "attribution"),
    ("conversions.appsflyer.com", "AppsFlyer", "attribution"),
    ("t.appsflyer.com", "AppsFlyer", "attribution"),
    ("app.adjust.com", "Adjust", "attribution"),
    ("app.adjust.io", "Adjust", "attribution"),
    ("app.adjust.net.in", "Adjust", "attribution"),
    ("app.adjust.world", "Adjust", "attribution"),
    ("app.eu.adjust.com", "Adjust", "attribution"),
    ("api2.branch.io", "Branch", "attribution"),
    ("api3-eu.branch.io", "Branch", "attribution"),
    ("api2.amplitude.com", "Amplitude", "analytics"),
    ("api.eu.amplitude.com", "Amplitude", "analytics"),
    ("api.mixpanel.com", "Mixpanel", "analytics"),
    ("api-eu.mixpanel.com", "Mixpanel", "analytics"),
    ("api.segment.io", "Segment", "analytics"),
    ("cdn-settings.segment.com", "Segment", "analytics"),
    ("api.onesignal.com", "OneSignal", "engagement"),
    ("onesignal.com", "OneSignal", "engagement"),
    ("sdk.iad-01.braze.com", "Braze", "engagement"),
    ("sdk.iad-08.braze.com", "Braze", "engagement"),
    ("sdk.fra-01.braze.eu", "Braze", "engagement"),
    ("sondheim.appboy.com", "Braze", "engagement"),
    ("o123456.ingest.sentry.io", "Sentry", "crash_reporting"),
    ("sentry.io", "Sentry", "crash_reporting"),
    ("notify.bugsnag.com", "Bugsnag", "crash_reporting"),
    ("sessions.bugsnag.com", "Bugsnag", "crash_reporting"),
    ("eu1.clevertap-prod.com", "CleverTap", "engagement"),
    ("wzrkt.com", "CleverTap", "engagement"),
    ("control.kochava.com", "Kochava", "attribution"),
    ("kvinit-prod.api.kochava.com", "Kochava", "attribution"),
    ("sdk-api-v1.singular.net", "Singular", "attribution"),
    ("s2s.singular.net", "Singular", "attribution"),
    ("startup.mobile.yandex.net", "Yandex", "analytics"),
    ("report.appmetrica.yandex.net", "Yandex", "analytics"),
    ("googleads.g.doubleclick.net", "Google", "advertising"),
    ("fundingchoicesmessages.google.com", "Google", "consent_management"),
    ("data.flurry.com", "Yahoo", "analytics"),
]

CLASSES = [
    ("com.facebook.appevents.AppEventsLogger", "Meta"),
    ("com.google.firebase.analytics.FirebaseAnalytics", "Google"),
    ("com.google.android.gms.measurement.AppMeasurement", "Google"),
    ("com.google.firebase.crashlytics.FirebaseCrashlytics", "Google"),
    ("com.crashlytics.android.Crashlytics", "Google"),
    ("com.appsflyer.AppsFlyerLib", "AppsFlyer"),
    ("com.adjust.sdk.Adjust", "Adjust"),
    ("io.branch.referral.Branch", "Branch"),
    ("com.amplitude.api.AmplitudeClient", "Amplitude"),
    ("com.mixpanel.android.mpmetrics.MixpanelAPI", "Mixpanel"),
    ("com.segment.analytics.Analytics", "Segment"),
    ("com.onesignal.OneSignal", "OneSignal"),
    ("com.braze.Braze", "Braze"),
    ("com.appboy.Appboy", "Braze"),
    ("io.sentry.Sentry", "Sentry"),
    ("com.bugsnag.android.Bugsnag", "Bugsnag"),
    ("com.clevertap.android.sdk.CleverTapAPI", "CleverTap"),
    ("com.kochava.tracker.Tracker", "Kochava"),
    ("com.singular.sdk.Singular", "Singular"),
    ("com.yandex.metrica.YandexMetrica", "Yandex"),
    ("io.appmetrica.analytics.AppMetrica", "Yandex"),
    ("com.google.android.gms.ads.MobileAds", "Google"),
    ("com.flurry.android.FlurryAgent", "Yahoo"),
    ("cn.jpush.android.api.JPushInterface", "Jiguang"),
    ("com.umeng.analytics.MobclickAgent", "Umeng"),
    ("com.tencent.bugly.crashreport.CrashReport", "Tencent"),
    ("com.qq.e.ads.banner2.UnifiedBannerView", "Tencent"),
    ("com.huawei.hms.analytics.HiAnalytics", "Huawei"),
    ("com.my.target.ads.InterstitialAd", "VK"),
    ("com.baidu.mobstat.StatService", "Baidu"),
    ("com.xiaomi.mipush.sdk.MiPushClient", "Xiaomi"),
    ("com.bytedance.sdk.openadsdk.TTAdSdk", "TikTok"),
]

NAMES = [
    ("Facebook", "Meta"), ("Facebook Analytics", "Meta"), ("Instagram", "Meta"), ("Facebook, Inc.", "Meta"),
    ("Meta Platforms Ireland Limited", "Meta"), ("Fabric", "Google"), ("Firebase", "Google"), ("Crashlytics", "Google"),
    ("AdMob", "Google"), ("DoubleClick", "Google"), ("Google LLC", "Google"), ("Google Analytics for Firebase", "Google"),
    ("Flurry", "Yahoo"), ("Flurry Analytics", "Yahoo"), ("Appboy", "Braze"), ("Braze, Inc.", "Braze"),
    ("AppsFlyer Ltd.", "AppsFlyer"), ("Adjust GmbH", "Adjust"), ("Branch Metrics", "Branch"), ("AppMetrica", "Yandex"),
    ("myTarget", "VK"), ("Mail.ru", "VK"), ("JPush", "Jiguang"), ("Bugly", "Tencent"), ("Pangle", "TikTok"),
    ("ByteDance", "TikTok"), ("HMS Core", "Huawei"), ("Snapchat", "Snap"), ("Twitter", "Twitter"), ("MoPub", "MoPub"),
    ("Amazon Web Services", "Amazon"), ("Azure", "Microsoft"), ("Segment.io", "Segment"), ("OneSignal", "OneSignal"),
    ("Sentry", "Sentry"), ("Bugsnag", "Bugsnag"), ("Kochava Inc.", "Kochava"), ("Singular Labs", "Singular"),
    ("Criteo S.A.", "Criteo"), ("Pinterest", "Pinterest"), ("Umeng", "Umeng"), ("CleverTap", "CleverTap"),
    ("Flurry (Yahoo)", "Yahoo"), ("Amplitude SDK", "Amplitude"), ("Mixpanel, Inc.", "Mixpanel"),
]


@pytest.mark.parametrize("host,entity,category", HOSTS)
def test_reference_hosts_resolve(kb, host, entity, category):
    e = kb.match_host(host)
    assert e is not None and e.entity == entity, (host, e and e.entity)
    assert category in e.categories


@pytest.mark.parametrize("cls,entity", CLASSES)
def test_reference_sdk_classes_resolve(kb, cls, entity):
    e = kb.match_class(cls)
    assert e is not None and e.entity == entity, (cls, e and e.entity)
    assert e.name and e.categories and cls.startswith(e.matched)


@pytest.mark.parametrize("text,entity", NAMES)
def test_policy_wordings_resolve(kb, text, entity):
    assert kb.canonical_name(text) == entity
    assert kb.canonical_name(text.upper()) == entity
