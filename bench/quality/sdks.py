"""One builder per tracker SDK endpoint, following /work/shared/reference/tracker-sdk-formats.md.

Each builder appends the request(s) an SDK sends to the capture, with the ground truth of what they carry:
identifiers always labelled where an SDK puts them, user events labelled where their names and values land.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from .har import Capture, Label, Trap
from .wire import (b64, compact, form, gz, md5, multipart, pb_bytes, pb_double, pb_message, pb_varint,
                   sha256)

Cls = tuple[str, str] | None


@dataclass(slots=True)
class Param:
    key: str
    value: Any
    cls: Cls


@dataclass(slots=True)
class Event:
    name: str
    cls: Cls
    params: list[Param] = field(default_factory=list)

    def props(self) -> dict[str, Any]:
        return {p.key: p.value for p in self.params}


@dataclass
class Device:
    """The test phone: persona values plus the per-install ids each SDK makes up."""

    rng: random.Random
    advertising_id: str
    android_id: str
    email: str
    phone: str             # E.164
    first_name: str
    last_name: str
    birth_date: str
    lat: float
    lon: float
    model: str = "SM-S911B"
    manufacturer: str = "samsung"
    os_version: str = "13"
    carrier: str = "Orange F"
    ids: dict[str, str] = field(default_factory=dict)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def digits(self, n: int) -> str:
        return str(self.rng.randint(1, 9)) + "".join(self.rng.choice("0123456789") for _ in range(n - 1))

    def vendor(self, key: str, make: Callable[[], str]) -> str:
        """A per-install id, stable within one capture."""
        if key not in self.ids:
            self.ids[key] = make()
        return self.ids[key]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def phone_digits(self) -> str:
        return self.phone.lstrip("+")

    def fid(self) -> str:       # Firebase installation id: 22 chars, base64url, first char c-f
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        return self.vendor("fid", lambda: self.rng.choice("cdef") + "".join(self.rng.choice(alphabet) for _ in range(21)))


@dataclass
class App:
    key: str
    name: str
    package: str
    lang: str
    first_party: str
    version: str = "4.2.1"
    build: int = 421
    fb_app_id: str = ""
    fb_version: int = 16
    gmp_app_id: str = ""

    @property
    def locale(self) -> str:
        return "fr_FR" if self.lang == "fr" else "en_US"


def ev_labels(events: list[Event], name_loc: Callable[[int], str], param_loc: Callable[[int, str], str],
              with_names: bool = True) -> list[Label]:
    out = []
    for i, ev in enumerate(events):
        if ev.cls and with_names:
            out.append(Label(ev.cls[0], ev.cls[1], name_loc(i)))
        for p in ev.params:
            if p.cls:
                out.append(Label(p.cls[0], p.cls[1], param_loc(i, p.key)))
    return out


PKG_TRAP = Trap("package_name", "the app's package name holds a health word; it names the app, not the user", ["health", "fitness"])
ID = "device_ids"


# -- Meta app events -------------------------------------------------------------------------------
def meta_activities(c: Capture, d: Device, app: App, events: list[Event], *, install: bool = False,
                    advanced_matching: bool = False) -> int:
    url = f"https://graph.facebook.com/v{app.fb_version}.0/{app.fb_app_id}/activities"
    anon = d.vendor("fb_anon", lambda: "XZ" + d.uuid())
    extinfo = compact(["a2", app.package, app.build, app.version, d.os_version, d.model, app.locale, "CET",
                       d.carrier, 1080, 2340, "2.63", 8, 110, 54, "Europe/Paris"])
    parts = [("format", "json"), ("sdk", "android"),
             ("event", "MOBILE_APP_INSTALL" if install else "CUSTOM_APP_EVENTS"),
             ("advertiser_id", d.advertising_id), ("anon_id", anon),
             ("advertiser_tracking_enabled", "1"), ("application_tracking_enabled", "1"),
             ("advertiser_id_collection_enabled", "1"), ("extinfo", extinfo),
             ("application_package_name", app.package)]
    labels = [Label(ID, "advertising_id", "body.multipart.advertiser_id"), Label(ID, "fb_anon_id", "body.multipart.anon_id")]
    if not install:
        session = d.uuid()
        custom = []
        for ev in events:
            obj: dict[str, Any] = {"_eventName": ev.name, "_logTime": c.now_ms() // 1000, "_ui": "unknown",
                                   "_session_id": session}
            obj.update(ev.props())
            custom.append(obj)
        parts.append(("custom_events", compact(custom)))
        labels += ev_labels(events, lambda i: f"body.multipart.custom_events|json[{i}]._eventName",
                            lambda i, k: f"body.multipart.custom_events|json[{i}].{k}")
        if advanced_matching:
            parts.append(("ud", compact({"em": sha256(d.email.lower()), "ph": sha256(d.phone_digits)})))
            labels += [Label("email", "email_sha256", "body.multipart.ud|json.em"),
                       Label("phone", "phone_sha256", "body.multipart.ud|json.ph")]
    boundary = d.hex(32)
    return c.add("POST", url, body=multipart(parts, boundary), mime=f"multipart/form-data; boundary={boundary}",
                 labels=labels, traps=[PKG_TRAP,
                                       Trap("uuid", "_session_id is a session UUID, not an advertising id", [])])


def meta_settings(c: Capture, d: Device, app: App) -> int:
    return c.add("GET", f"https://graph.facebook.com/v{app.fb_version}.0/{app.fb_app_id}?fields=app_events_feature_bitmask"
                 f"%2Cname%2Cdefault_share_mode%2Capp_events_session_timeout%2Cauto_event_mapping_android"
                 f"%2Csupports_implicit_sdk_logging&format=json&sdk=android")


# -- Google / Firebase -------------------------------------------------------------------------------
def firebase_installations(c: Capture, d: Device, app: App) -> int:
    project = app.gmp_app_id.split(":")[1]
    body = compact({"fid": d.fid(), "appId": app.gmp_app_id, "authVersion": "FIS_v2", "sdkVersion": "a:17.2.0"})
    return c.add("POST", f"https://firebaseinstallations.googleapis.com/v1/projects/{project}/installations",
                 headers=[("X-Android-Package", app.package), ("x-goog-api-key", "AIzaSy" + d.hex(33)),
                          ("X-Android-Cert", d.hex(40).upper())],
                 body=body, mime="application/json",
                 labels=[Label(ID, "firebase_installation_id", "body.json.fid")], traps=[PKG_TRAP])


def firebase_remote_config(c: Capture, d: Device, app: App) -> int:
    project = app.gmp_app_id.split(":")[1]
    body = compact({"appInstanceId": d.fid(), "appInstanceIdToken": "eyJhbGciOiJFUzI1NiJ9." + d.hex(64),
                    "appId": app.gmp_app_id, "countryCode": "FR" if app.lang == "fr" else "US",
                    "languageCode": app.locale.replace("_", "-"), "platformVersion": "33", "timeZone": "Europe/Paris",
                    "appVersion": app.version, "appBuild": str(app.build), "packageName": app.package,
                    "sdkVersion": "21.6.0", "analyticsUserProperties": {}})
    return c.add("POST", f"https://firebaseremoteconfig.googleapis.com/v1/projects/{project}/namespaces/firebase:fetch",
                 headers=[("X-Goog-Api-Key", "AIzaSy" + d.hex(33)), ("X-Android-Package", app.package)],
                 body=body, mime="application/json",
                 labels=[Label(ID, "firebase_installation_id", "body.json.appInstanceId")], traps=[PKG_TRAP])


def measurement_config(c: Capture, d: Device, app: App) -> int:
    inst = d.vendor("app_instance_id", lambda: d.hex(32))
    return c.add("GET", f"https://app-measurement.com/config/app/{app.gmp_app_id}?app_instance_id={inst}"
                 f"&platform=android&gmp_version=240304",
                 labels=[Label(ID, "app_instance_id", "query.app_instance_id")])


def _pb_param(key: str, value: Any) -> bytes:
    if isinstance(value, bool):
        inner = pb_varint(3, int(value))
    elif isinstance(value, int):
        inner = pb_varint(3, value)
    elif isinstance(value, str) and value.replace(".", "", 1).isdigit() and "." in value:
        inner = pb_double(5, float(value))
    else:
        inner = pb_bytes(2, str(value))
    return pb_message(1, [pb_bytes(1, key), inner])


def firebase_measurement(c: Capture, d: Device, app: App, events: list[Event]) -> int:
    inst = d.vendor("app_instance_id", lambda: d.hex(32))
    now = c.now_ms()
    auto = [Event("_s", None, [Param("_o", "auto", None), Param("_sno", 3, None)])]
    all_events = auto + events + [Event("_e", None, [Param("_o", "auto", None), Param("_et", d.rng.randint(900, 90000), None)])]
    ev_parts = []
    for i, ev in enumerate(all_events):
        params = [_pb_param(p.key, p.value) for p in ev.params]
        ev_parts.append(pb_message(2, params + [pb_bytes(2, ev.name), pb_varint(3, now - 1000 * (len(all_events) - i)),
                                                pb_varint(4, now - 86_400_000)]))
    bundle = [pb_varint(1, 1), *ev_parts,
              pb_message(3, [pb_varint(1, now - 5_000_000), pb_bytes(2, "_fot"), pb_varint(4, now - 5_000_000)]),
              pb_varint(4, now), pb_varint(5, now - 60_000), pb_varint(6, now - 1000),
              pb_bytes(8, "android"), pb_bytes(9, d.os_version), pb_bytes(10, d.model), pb_bytes(11, app.locale.lower().replace("_", "-")),
              pb_varint(12, 60), pb_bytes(14, app.package), pb_bytes(16, app.version), pb_varint(17, 240304),
              pb_bytes(19, d.advertising_id), pb_varint(20, 0), pb_bytes(21, inst),
              pb_bytes(25, app.gmp_app_id), pb_bytes(30, d.fid()), pb_bytes(52, "G111")]
    body = gz(pb_message(1, bundle))
    labels = [Label(ID, "advertising_id", "body.protobuf.1.19"), Label(ID, "app_instance_id", "body.protobuf.1.21"),
              Label(ID, "firebase_installation_id", "body.protobuf.1.30")]
    labels += ev_labels(events, lambda i: f"body.protobuf.1.2[{i + 1}].2",
                        lambda i, k: f"body.protobuf.1.2[{i + 1}].1 ({k})")
    return c.add("POST", "https://app-measurement.com/a", body=body, mime="application/x-www-form-urlencoded",
                 content_encoding="gzip", labels=labels, traps=[PKG_TRAP])


def crashlytics_settings(c: Capture, d: Device, app: App) -> int:
    return c.add("GET", f"https://firebase-settings.crashlytics.com/spi/v2/platforms/android/gmp/{app.gmp_app_id}/settings"
                 f"?instance={d.hex(40)}&build_version={app.build}&display_version={app.version}&source=1",
                 headers=[("X-CRASHLYTICS-DEVELOPER-TOKEN", d.hex(40)), ("X-CRASHLYTICS-API-CLIENT-TYPE", "android"),
                          ("X-CRASHLYTICS-API-CLIENT-VERSION", "18.6.2")],
                 traps=[Trap("request_id", "instance is a build hash (40 hex), not a device id", [ID])])


def google_ads(c: Capture, d: Device, app: App, slot: str) -> int:
    q = form([("an", f"{app.version}.android.{app.package}"), ("msid", app.package), ("_package_name", app.package),
              ("rdid", d.advertising_id), ("is_lat", "false"), ("submodel", d.model), ("os_version", d.os_version),
              ("net", "wi"), ("u_sd", "2.625"), ("format", "320x50_mb"), ("output", "html"), ("region", "mobile_app"),
              ("u_tz", "60"), ("client", "ca-app-pub-" + d.digits(16)), ("slotname", slot),
              ("correlator", d.digits(16)), ("js", "afma-sdk-a-v240304999.231516000.1"),
              ("seq_num", str(d.rng.randint(1, 9))), ("dtsdk", "240304000")])
    return c.add("GET", f"https://googleads.g.doubleclick.net/mads/gma?{q}",
                 headers=[("Cookie", f"IDE=AHWqTU{d.hex(40)}")],
                 labels=[Label(ID, "advertising_id", "query.rdid")],
                 traps=[PKG_TRAP, Trap("config_flag", f"ad slot name {slot!r} is the developer's ad unit", ["health", "fitness"]),
                        Trap("timestamp", "client / correlator are 16-digit numbers, not phone numbers", ["phone"])])


def ump_consent(c: Capture, d: Device, app: App) -> int:
    body = compact({"admob_app_id": f"ca-app-pub-{d.digits(16)}~{d.digits(10)}", "device_info": {"os_type": "ANDROID",
                    "android_api_level": 33}, "adid": d.advertising_id, "language_code": app.lang,
                    "privacy_options_requested": False, "tag_for_under_age_of_consent": False})
    return c.add("POST", "https://fundingchoicesmessages.google.com/a/consent", body=body, mime="application/json",
                 labels=[Label(ID, "advertising_id", "body.json.adid")])


# -- attribution -------------------------------------------------------------------------------------
def appsflyer(c: Capture, d: Device, app: App, event: Event | None) -> int:
    af_uid = d.vendor("af_uid", lambda: f"{c.now_ms()}-{d.digits(19)}")
    host = "launches" if event is None else "inapps"
    obj: dict[str, Any] = {
        "advertiserId": d.advertising_id, "advertiserIdEnabled": "true", "af_timestamp": str(c.now_ms()),
        "appsflyerKey": b64(d.hex(16))[:22], "app_version_code": str(app.build), "app_version_name": app.version,
        "brand": d.manufacturer, "model": d.model, "device": d.model, "carrier": d.carrier, "operator": d.carrier,
        "counter": str(d.rng.randint(2, 30)), "country": "FR" if app.lang == "fr" else "US",
        "lang_code": app.lang, "network": "WIFI", "platformextension": "android_native", "sdk": "33",
        "installDate": "2026-11-20_101503+0100", "uid": af_uid, "isFirstCall": "false",
        "installer_package": "com.android.vending", "deviceType": "user", "iaecounter": "2",
    }
    labels = [Label(ID, "advertising_id", "body.json.advertiserId"), Label(ID, "appsflyer_id", "body.json.uid")]
    if event is not None:
        obj["eventName"] = event.name
        obj["eventValue"] = compact(event.props())
        labels += ev_labels([event], lambda i: "body.json.eventName", lambda i, k: f"body.json.eventValue|json.{k}")
    return c.add("POST", f"https://{host}.appsflyer.com/api/v6.3/androidevent?app_id={app.package}&buildnumber=6.13.0",
                 body=compact(obj), mime="application/json", labels=labels,
                 traps=[PKG_TRAP, Trap("timestamp", "af_timestamp is epoch ms, not a phone number", ["phone"])])


def adjust(c: Capture, d: Device, app: App, event: Event | None, *, with_android_id: bool = False) -> int:
    pairs: list[tuple[str, Any]] = [
        ("app_token", d.vendor("adjust_token", lambda: "".join(d.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12)))),
        ("gps_adid", d.advertising_id), ("gps_adid_src", "service"), ("gps_adid_attempt", "1"),
        ("android_uuid", d.vendor("adjust_uuid", d.uuid)),
        ("google_app_set_id", d.vendor("app_set_id", d.uuid)),
        ("created_at", "2026-11-29T01:20:00.123Z+0100"), ("device_name", d.model), ("device_manufacturer", d.manufacturer),
        ("device_type", "phone"), ("os_name", "android"), ("os_version", d.os_version), ("environment", "production"),
        ("package_name", app.package), ("app_version", app.version), ("session_count", str(d.rng.randint(2, 40))),
        ("tracking_enabled", "1"), ("needs_response_details", "1"), ("country", "FR" if app.lang == "fr" else "US"),
        ("language", app.lang), ("cpu_type", "arm64-v8a"), ("display_width", "1080"), ("display_height", "2340"),
    ]
    labels = [Label(ID, "advertising_id", "body.form.gps_adid"), Label(ID, "adjust_uuid", "body.form.android_uuid"),
              Label(ID, "app_set_id", "body.form.google_app_set_id")]
    if with_android_id:
        pairs.append(("android_id", d.android_id))
        labels.append(Label(ID, "android_id", "body.form.android_id"))
    path = "/session"
    if event is not None:
        path = "/event"
        pairs += [("event_token", d.hex(6)), ("event_count", str(d.rng.randint(1, 50))),
                  ("partner_params", compact({"event": event.name, **{p.key: str(p.value) for p in event.params}})),
                  ("callback_params", compact({"app_lang": app.lang}))]
        labels += ev_labels([event], lambda i: "body.form.partner_params|json.event",
                            lambda i, k: f"body.form.partner_params|json.{k}")
    return c.add("POST", f"https://app.adjust.com{path}", body=form(pairs), mime="application/x-www-form-urlencoded",
                 headers=[("Client-SDK", "android4.38.2")], labels=labels, traps=[PKG_TRAP])


def branch(c: Capture, d: Device, app: App, event: Event | None) -> int:
    token = d.vendor("branch_token", lambda: d.digits(19))
    if event is None:
        obj = {"hardware_id": d.android_id, "is_hardware_id_real": True, "brand": d.manufacturer, "model": d.model,
               "screen_dpi": 420, "screen_height": 2340, "screen_width": 1080, "wifi": True, "ui_mode": "UI_MODE_TYPE_NORMAL",
               "os": "Android", "os_version": 33, "cpu_type": "aarch64", "build": "TP1A.220624.014", "locale": app.locale,
               "connection_type": "wifi", "device_carrier": d.carrier, "os_version_android": d.os_version,
               "country": "FR" if app.lang == "fr" else "US", "language": app.lang, "local_ip": "192.168.1.23",
               "google_advertising_id": d.advertising_id, "lat_val": 0, "randomized_device_token": token,
               "app_version": app.version, "sdk": "android5.9.0", "branch_key": "key_live_" + d.hex(32),
               "retryNumber": 0, "debug": False, "update": 1, "latest_install_time": c.now_ms() - 86_400_000,
               "first_install_time": c.now_ms() - 86_400_000 * 9}
        labels = [Label(ID, "android_id", "body.json.hardware_id"), Label(ID, "advertising_id", "body.json.google_advertising_id"),
                  Label(ID, "branch_device_token", "body.json.randomized_device_token")]
        url = "https://api2.branch.io/v1/open"
    else:
        obj = {"name": event.name, "custom_data": {p.key: str(p.value) for p in event.params},
               "user_data": {"os": "Android", "os_version": 33, "environment": "FULL_APP", "aaid": d.advertising_id,
                             "limit_ad_tracking": 0, "android_id": d.android_id, "randomized_device_token": token,
                             "app_version": app.version, "model": d.model, "screen_dpi": 420, "country": "FR",
                             "language": app.lang, "local_ip": "192.168.1.23", "sdk": "android", "sdk_version": "5.9.0"},
               "metadata": {}, "instrumentation": {"v2/event/custom-qwt": "0"}, "branch_key": "key_live_" + d.hex(32)}
        labels = [Label(ID, "advertising_id", "body.json.user_data.aaid"), Label(ID, "android_id", "body.json.user_data.android_id"),
                  Label(ID, "branch_device_token", "body.json.user_data.randomized_device_token")]
        labels += ev_labels([event], lambda i: "body.json.name", lambda i, k: f"body.json.custom_data.{k}")
        url = "https://api2.branch.io/v2/event/custom"
    return c.add("POST", url, body=compact(obj), mime="application/json", labels=labels,
                 traps=[Trap("timestamp", "install times are epoch ms", ["phone"])])


def singular(c: Capture, d: Device, app: App, event: Event | None) -> int:
    payload: dict[str, Any] = {"aifa": d.advertising_id, "asid": d.vendor("app_set_id", d.uuid), "andi": d.android_id,
                               "i": app.package, "av": app.version, "p": "Android", "ve": d.os_version,
                               "mo": d.model, "ma": d.manufacturer, "country_code": "FR", "lc": app.locale,
                               "tz": "Europe/Paris", "sdk": "Singular/v12.5.0", "utime": c.now_ms() // 1000,
                               "umilli": c.now_ms(), "s": c.now_ms() - 300_000, "seq": d.rng.randint(2, 40)}
    labels = [Label(ID, "advertising_id", "body.json.payload|json.aifa"), Label(ID, "app_set_id", "body.json.payload|json.asid"),
              Label(ID, "android_id", "body.json.payload|json.andi")]
    path = "start"
    if event is not None:
        path = "event"
        payload["n"] = event.name
        payload["e"] = compact(event.props())
        labels += ev_labels([event], lambda i: "body.json.payload|json.n", lambda i, k: f"body.json.payload|json.e|json.{k}")
    return c.add("POST", f"https://sdk-api-v1.singular.net/api/v1/{path}?a={d.hex(10)}&h={d.hex(40)}",
                 body=compact({"payload": compact(payload)}), mime="application/json", labels=labels,
                 traps=[PKG_TRAP, Trap("request_id", "h is a 40-hex HMAC", [ID, "email"])])


# -- product analytics -------------------------------------------------------------------------------
def amplitude_legacy(c: Capture, d: Device, app: App, events: list[Event], *, location: bool) -> int:
    dev_id = d.vendor("amp_device", lambda: d.uuid() + "R")
    session = c.now_ms() - 120_000
    evs = []
    for i, ev in enumerate(events):
        api: dict[str, Any] = {"androidADID": d.advertising_id, "limit_ad_tracking": False, "gps_enabled": location,
                               "android_app_set_id": d.vendor("app_set_id", d.uuid)}
        if location:
            api["location"] = {"lat": d.lat, "lng": d.lon}
        evs.append({"event_type": ev.name, "timestamp": c.now_ms() - 500 * i, "user_id": None, "device_id": dev_id,
                    "session_id": session, "uuid": d.uuid(), "sequence_number": d.rng.randint(10, 500),
                    "version_name": app.version, "os_name": "android", "os_version": d.os_version,
                    "device_brand": d.manufacturer, "device_manufacturer": d.manufacturer, "device_model": d.model,
                    "carrier": d.carrier, "country": "FR", "language": app.lang, "platform": "Android",
                    "api_properties": api, "event_properties": ev.props(), "user_properties": {},
                    "library": {"name": "amplitude-android", "version": "2.39.8"}, "event_id": d.rng.randint(10, 900)})
    labels = [Label(ID, "advertising_id", "body.form.e|json[0].api_properties.androidADID"),
              Label(ID, "amplitude_device_id", "body.form.e|json[0].device_id"),
              Label(ID, "app_set_id", "body.form.e|json[0].api_properties.android_app_set_id")]
    if location:
        labels.append(Label("location", "lat_lon", "body.form.e|json[0].api_properties.location.lat"))
    labels += ev_labels(events, lambda i: f"body.form.e|json[{i}].event_type",
                        lambda i, k: f"body.form.e|json[{i}].event_properties.{k}")
    pairs = [("v", "2"), ("client", d.vendor("amp_key", lambda: d.hex(32))), ("e", compact(evs)),
             ("upload_time", str(c.now_ms())), ("checksum", md5(compact(evs)))]
    return c.add("POST", "https://api2.amplitude.com/", body=form(pairs), mime="application/x-www-form-urlencoded",
                 labels=labels, traps=[Trap("uuid", "uuid is the event insert id", []),
                                       Trap("timestamp", "session_id / upload_time are epoch ms", ["phone"])])


def amplitude_http(c: Capture, d: Device, app: App, events: list[Event], *, location: bool,
                   exposure_flag: str | None = None) -> int:
    dev_id = d.vendor("amp_device", lambda: d.uuid() + "R")
    evs = []
    traps = [Trap("uuid", "insert_id is a per-event UUID", []), Trap("sdk_version", "library version string", ["health", "fitness"])]
    all_events = list(events)
    if exposure_flag:
        all_events.append(Event("$exposure", None, [Param("flag_key", exposure_flag, None), Param("variant", "treatment", None)]))
        traps.append(Trap("ab_test", f"experiment exposure {exposure_flag!r} describes the app, not the user", ["health", "fitness"]))
    for ev in all_events:
        e: dict[str, Any] = {"event_type": ev.name, "device_id": dev_id, "time": c.now_ms(), "insert_id": d.uuid(),
                             "session_id": c.now_ms() - 200_000, "platform": "Android", "os_name": "android",
                             "os_version": d.os_version, "device_brand": d.manufacturer, "device_model": d.model,
                             "carrier": d.carrier, "language": app.lang, "country": "France" if app.lang == "fr" else "United States",
                             "version_name": app.version, "adid": d.advertising_id,
                             "android_app_set_id": d.vendor("app_set_id", d.uuid),
                             "library": "amplitude-analytics-android/1.16.7", "event_properties": ev.props()}
        if location:
            e["location_lat"], e["location_lng"] = d.lat, d.lon
        evs.append(e)
    labels = [Label(ID, "advertising_id", "body.json.events[0].adid"), Label(ID, "amplitude_device_id", "body.json.events[0].device_id"),
              Label(ID, "app_set_id", "body.json.events[0].android_app_set_id")]
    if location:
        labels.append(Label("location", "lat_lon", "body.json.events[0].location_lat"))
    labels += ev_labels(events, lambda i: f"body.json.events[{i}].event_type",
                        lambda i, k: f"body.json.events[{i}].event_properties.{k}")
    body = compact({"api_key": d.vendor("amp_key", lambda: d.hex(32)), "events": evs, "options": {"min_id_length": 1}})
    return c.add("POST", "https://api2.amplitude.com/2/httpapi", body=body, mime="application/json", labels=labels, traps=traps)


def mixpanel_track(c: Capture, d: Device, app: App, events: list[Event]) -> int:
    dev = d.vendor("mp_device", d.uuid)
    evs = []
    for ev in events:
        props = {"token": d.vendor("mp_token", lambda: d.hex(32)), "distinct_id": "$device:" + dev, "$device_id": dev,
                 "time": c.now_ms(), "mp_lib": "android", "$lib_version": "7.3.1", "$os": "Android",
                 "$os_version": d.os_version, "$manufacturer": d.manufacturer, "$model": d.model, "$brand": d.manufacturer,
                 "$screen_dpi": 420, "$carrier": d.carrier, "$wifi": True, "$app_version_string": app.version,
                 "$had_persisted_distinct_id": True, "$insert_id": d.hex(16)}
        props.update(ev.props())
        evs.append({"event": ev.name, "properties": props, "$mp_metadata": {"$mp_event_id": d.hex(16),
                                                                              "$mp_session_id": d.hex(16)}})
    labels = [Label(ID, "mixpanel_device_id", "body.form.data|base64|json[0].properties.$device_id")]
    labels += ev_labels(events, lambda i: f"body.form.data|base64|json[{i}].event",
                        lambda i, k: f"body.form.data|base64|json[{i}].properties.{k}")
    return c.add("POST", "https://api-eu.mixpanel.com/track/?ip=1", body=form([("data", b64(compact(evs)))]),
                 mime="application/x-www-form-urlencoded", labels=labels,
                 traps=[Trap("request_id", "$insert_id / $mp_event_id are random 16-hex ids", [ID])])


def mixpanel_engage(c: Capture, d: Device, app: App, *, phone: bool) -> int:
    dev = d.vendor("mp_device", d.uuid)
    set_ = {"$email": d.email, "$name": d.name, "$first_name": d.first_name, "$last_name": d.last_name}
    labels = [Label(ID, "mixpanel_device_id", "body.form.data|base64|json[0].$distinct_id"),
              Label("email", "email", "body.form.data|base64|json[0].$set.$email"),
              Label("name", "name", "body.form.data|base64|json[0].$set.$name")]
    if phone:
        set_["$phone"] = d.phone
        labels.append(Label("phone", "phone", "body.form.data|base64|json[0].$set.$phone"))
    obj = [{"$token": d.vendor("mp_token", lambda: d.hex(32)), "$time": c.now_ms(), "$distinct_id": "$device:" + dev,
            "$set": set_}]
    return c.add("POST", "https://api-eu.mixpanel.com/engage/?ip=1", body=form([("data", b64(compact(obj)))]),
                 mime="application/x-www-form-urlencoded", labels=labels)


def segment(c: Capture, d: Device, app: App, events: list[Event], *, identify: bool, location: bool) -> int:
    anon = d.vendor("seg_anon", d.uuid)
    ctx: dict[str, Any] = {
        "app": {"name": app.name, "version": app.version, "build": str(app.build), "namespace": app.package},
        "device": {"id": d.vendor("seg_device", lambda: d.hex(64)), "manufacturer": d.manufacturer, "model": d.model,
                   "name": d.model, "advertisingId": d.advertising_id, "adTrackingEnabled": True},
        "library": {"name": "analytics-kotlin", "version": "1.15.0"}, "locale": app.locale.replace("_", "-"),
        "network": {"wifi": True, "carrier": d.carrier}, "os": {"name": "Android", "version": d.os_version},
        "screen": {"density": 2.625, "height": 2340, "width": 1080}, "timezone": "Europe/Paris",
        "userAgent": f"Dalvik/2.1.0 (Linux; U; Android {d.os_version}; {d.model} Build/TP1A.220624.014)", "traits": {"anonymousId": anon}}
    labels = [Label(ID, "segment_anonymous_id", "body.json.batch[0].anonymousId"),
              Label(ID, "advertising_id", "body.json.batch[0].context.device.advertisingId"),
              Label(ID, "device_id", "body.json.batch[0].context.device.id")]
    if location:
        ctx["location"] = {"latitude": d.lat, "longitude": d.lon, "speed": 0}
        labels.append(Label("location", "lat_lon", "body.json.batch[0].context.location"))
    batch = []
    for ev in events:
        batch.append({"type": "track", "event": ev.name, "properties": ev.props(), "anonymousId": anon,
                      "messageId": d.uuid(), "timestamp": "2026-11-29T01:21:07.412Z", "context": ctx, "integrations": {}})
    labels += ev_labels(events, lambda i: f"body.json.batch[{i}].event", lambda i, k: f"body.json.batch[{i}].properties.{k}")
    if identify:
        batch.append({"type": "identify", "userId": "u_" + d.hex(12), "anonymousId": anon, "messageId": d.uuid(),
                      "traits": {"email": d.email, "firstName": d.first_name, "lastName": d.last_name,
                                 "birthday": d.birth_date},
                      "timestamp": "2026-11-29T01:21:08.001Z", "context": ctx, "integrations": {}})
        labels += [Label("email", "email", f"body.json.batch[{len(events)}].traits.email"),
                   Label("name", "name", f"body.json.batch[{len(events)}].traits.firstName")]
    body = gz(compact({"batch": batch, "sentAt": "2026-11-29T01:21:09.000Z",
                       "writeKey": d.vendor("seg_key", lambda: b64(d.hex(24))[:32])}).encode())
    return c.add("POST", "https://api.segment.io/v1/b", body=body, mime="text/plain", content_encoding="gzip",
                 headers=[("Authorization", "Basic " + b64(d.vendor("seg_key", lambda: d.hex(32)) + ":"))],
                 labels=labels, traps=[Trap("uuid", "messageId is a per-message UUID", [])])


# -- engagement / push --------------------------------------------------------------------------------
def onesignal_players(c: Capture, d: Device, app: App, tags: dict[str, Any], tag_cls: list[tuple[str, Cls]],
                      *, location: bool) -> int:
    token = d.vendor("fcm", lambda: d.hex(11) + ":APA91b" + "".join(d.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(134)))
    obj: dict[str, Any] = {"app_id": d.vendor("os_app", d.uuid), "device_type": 1, "identifier": token,
                           "ad_id": d.advertising_id, "device_model": d.model, "device_os": d.os_version,
                           "language": app.lang, "timezone": 3600, "timezone_id": "Europe/Paris",
                           "game_version": str(app.build), "sdk": "040804", "android_package": app.package,
                           "carrier": d.carrier, "rooted": False, "net_type": 0, "tags": tags}
    labels = [Label(ID, "push_token", "body.json.identifier"), Label(ID, "advertising_id", "body.json.ad_id")]
    if location:
        obj.update({"lat": round(d.lat, 4), "long": round(d.lon, 4), "loc_acc": 18.0, "loc_type": 1, "loc_bg": False})
        labels.append(Label("location", "lat_lon", "body.json.lat"))
    for key, cls in tag_cls:
        if cls:
            labels.append(Label(cls[0], cls[1], f"body.json.tags.{key}"))
    return c.add("POST", "https://onesignal.com/api/v1/players", body=compact(obj), mime="application/json",
                 labels=labels, traps=[PKG_TRAP, Trap("uuid", "app_id is the OneSignal app UUID", [])])


def braze(c: Capture, d: Device, app: App, events: list[Event], *, attributes: dict[str, Any] | None,
          attr_labels: list[Label] | None = None) -> int:
    dev = d.vendor("braze_device", d.uuid)
    evs = [{"name": "ce", "data": {"n": ev.name, "p": ev.props()}, "time": c.now_ms() / 1000, "session_id": d.uuid()}
           for ev in events]
    obj: dict[str, Any] = {"api_key": d.vendor("braze_key", d.uuid), "device_id": dev, "time": c.now_ms() // 1000,
                           "sdk_version": "30.1.1", "app_version": app.version,
                           "device": {"android_version": d.os_version, "carrier": d.carrier, "brand": d.manufacturer,
                                      "model": d.model, "resolution": "1080x2340", "locale": app.locale,
                                      "time_zone": "Europe/Paris", "ad_tracking_enabled": True,
                                      "google_ad_id": d.advertising_id},
                           "events": evs, "respond_with": {"config": {"config_time": 0}}}
    labels = [Label(ID, "braze_device_id", "body.json.device_id"), Label(ID, "advertising_id", "body.json.device.google_ad_id")]
    if attributes:
        obj["attributes"] = [attributes]
        labels += attr_labels or []
    labels += ev_labels(events, lambda i: f"body.json.events[{i}].data.n", lambda i, k: f"body.json.events[{i}].data.p.{k}")
    return c.add("POST", "https://sdk.fra-01.braze.eu/api/v3/data", body=compact(obj), mime="application/json",
                 headers=[("X-Braze-Api-Key", obj["api_key"])], labels=labels,
                 traps=[Trap("uuid", "api_key and session_id are UUIDs that are not ad ids", [])])


def clevertap(c: Capture, d: Device, app: App, events: list[Event], *, profile: bool, location: bool) -> int:
    g = d.vendor("ct_g", lambda: "__" + d.hex(32))
    acct = d.vendor("ct_acct", lambda: "TEST-" + d.hex(3).upper() + "-" + d.hex(3).upper() + "-" + d.hex(4).upper())
    af: dict[str, Any] = {"Build": str(app.build), "Version": app.version, "OS Version": d.os_version,
                          "SDK Version": 60100, "Make": d.manufacturer, "Model": d.model, "Carrier": d.carrier,
                          "useIP": False, "wifi": True, "GoogleAdID": d.advertising_id, "GoogleAdIDLimit": False,
                          "tz": "Europe/Paris", "dpi": 420, "cc": "fr", "mc": "208"}
    labels = [Label(ID, "clevertap_id", "body.json[0].g"), Label(ID, "advertising_id", "body.json[0].af.GoogleAdID")]
    if location:
        af["Latitude"], af["Longitude"] = d.lat, d.lon
        labels.append(Label("location", "lat_lon", "body.json[0].af.Latitude"))
    arr: list[dict[str, Any]] = [{"g": g, "type": "meta", "af": af, "id": acct, "tk": d.hex(6),
                                  "l_ts": c.now_ms() // 1000, "f_ts": c.now_ms() // 1000 - 86400, "ddnd": False,
                                  "frs": False, "d_src": "SDK", "rtl": []}]
    for ev in events:
        arr.append({"evtName": ev.name, "evtData": ev.props(), "type": "event", "ep": c.now_ms() // 1000,
                    "s": c.now_ms() // 1000 - 600, "pg": 2, "lsl": 0, "f": False, "n": "MainActivity"})
    labels += ev_labels(events, lambda i: f"body.json[{i + 1}].evtName", lambda i, k: f"body.json[{i + 1}].evtData.{k}")
    if profile:
        arr.append({"type": "profile", "profile": {"Email": d.email, "Name": d.name, "Phone": d.phone,
                                                   "Identity": "u_" + d.hex(10)}, "ep": c.now_ms() // 1000})
        n = len(arr) - 1
        labels += [Label("email", "email", f"body.json[{n}].profile.Email"), Label("name", "name", f"body.json[{n}].profile.Name"),
                   Label("phone", "phone", f"body.json[{n}].profile.Phone")]
    return c.add("POST", f"https://eu1.clevertap-prod.com/a1?os=Android&t=60100&z={acct}", body=compact(arr),
                 mime="application/json; charset=utf-8",
                 headers=[("X-CleverTap-Account-ID", acct), ("X-CleverTap-Token", d.hex(6))], labels=labels,
                 traps=[Trap("timestamp", "ep / l_ts / f_ts are epoch seconds", ["phone"])])


# -- crash reporting ---------------------------------------------------------------------------------
def sentry(c: Capture, d: Device, app: App, *, crash_message: str, user_email: bool) -> int:
    did = d.vendor("sentry_did", d.uuid)
    event_id = d.hex(32)
    env_header = compact({"event_id": event_id, "sent_at": "2026-11-29T01:22:10.120Z",
                          "sdk": {"name": "sentry.java.android", "version": "7.8.0"}})
    user: dict[str, Any] = {"id": "usr_" + d.digits(6), "ip_address": "{{auto}}"}
    labels = [Label(ID, "sentry_install_id", "body.envelope[1].did")]
    if user_email:
        user["email"] = d.email
        labels.append(Label("email", "email", "body.envelope[3].user.email"))
    session = compact({"sid": d.uuid(), "did": did, "init": False, "started": "2026-11-29T01:20:01.000Z",
                       "status": "ok", "seq": 3, "attrs": {"release": f"{app.package}@{app.version}+{app.build}",
                                                           "environment": "production"}})
    event = compact({"event_id": event_id, "timestamp": "2026-11-29T01:22:09.998Z", "platform": "java", "level": "error",
                     "exception": {"values": [{"type": "IllegalStateException", "value": crash_message,
                                               "module": app.package + ".ui"}]},
                     "user": user, "release": f"{app.package}@{app.version}+{app.build}", "environment": "production",
                     "contexts": {"device": {"manufacturer": d.manufacturer, "brand": d.manufacturer, "model": d.model,
                                             "simulator": False}, "os": {"name": "Android", "version": d.os_version}},
                     "breadcrumbs": [{"timestamp": "2026-11-29T01:22:01.000Z", "category": "ui.lifecycle",
                                      "type": "navigation", "data": {"state": "resumed", "screen": "MainActivity"}}]})
    body = "\n".join([env_header, compact({"type": "session", "length": len(session.encode())}), session,
                      compact({"type": "event", "length": len(event.encode())}), event]) + "\n"
    org, proj = d.digits(6), d.digits(7)
    return c.add("POST", f"https://o{org}.ingest.sentry.io/api/{proj}/envelope/", body=body,
                 mime="application/x-sentry-envelope",
                 headers=[("X-Sentry-Auth", f"Sentry sentry_version=7,sentry_client=sentry.java.android/7.8.0,sentry_key={d.hex(32)}")],
                 labels=labels,
                 traps=[Trap("crash_message", f"exception text {crash_message!r} describes code, not the user", ["health", "fitness"]),
                        Trap("request_id", "event_id / sentry_key are random hex", [ID]), PKG_TRAP])


def bugsnag_session(c: Capture, d: Device, app: App) -> int:
    dev = d.vendor("bugsnag_device", d.uuid)
    obj = {"notifier": {"name": "Android Bugsnag Notifier", "version": "5.32.2", "url": "https://bugsnag.com"},
           "app": {"id": app.package, "releaseStage": "production", "version": app.version, "versionCode": app.build,
                   "type": "android"},
           "device": {"id": dev, "manufacturer": d.manufacturer, "model": d.model, "osName": "android",
                      "osVersion": d.os_version, "cpuAbi": ["arm64-v8a"], "jailbroken": False, "locale": app.locale,
                      "totalMemory": 7_801_212_928, "runtimeVersions": {"androidApiLevel": "33", "osBuild": "TP1A.220624.014"}},
           "sessions": [{"id": d.uuid(), "startedAt": "2026-11-29T01:20:02.114Z", "user": {"id": dev}}]}
    return c.add("POST", "https://sessions.bugsnag.com", body=compact(obj), mime="application/json",
                 headers=[("Bugsnag-Api-Key", d.vendor("bugsnag_key", lambda: d.hex(32))), ("Bugsnag-Payload-Version", "1.0"),
                          ("Bugsnag-Sent-At", "2026-11-29T01:20:02.200Z")],
                 labels=[Label(ID, "bugsnag_device_id", "body.json.device.id")],
                 traps=[Trap("sdk_version", "notifier name and version", ["health", "fitness"]), PKG_TRAP])


def bugsnag_notify(c: Capture, d: Device, app: App, *, meta: dict[str, Any], meta_labels: list[Label]) -> int:
    dev = d.vendor("bugsnag_device", d.uuid)
    obj = {"apiKey": d.vendor("bugsnag_key", lambda: d.hex(32)), "payloadVersion": "4.0",
           "notifier": {"name": "Android Bugsnag Notifier", "version": "5.32.2", "url": "https://bugsnag.com"},
           "events": [{"exceptions": [{"errorClass": "java.lang.NullPointerException", "message": "Attempt to invoke virtual method on a null object reference",
                                       "stacktrace": [{"method": f"{app.package}.data.SyncWorker.doWork", "file": "SyncWorker.kt", "lineNumber": 88}]}],
                       "severity": "error", "unhandled": True, "user": {"id": dev},
                       "device": {"id": dev, "manufacturer": d.manufacturer, "model": d.model, "osVersion": d.os_version},
                       "app": {"id": app.package, "version": app.version}, "metaData": {"user_state": meta},
                       "breadcrumbs": [{"name": "Activity resumed", "type": "navigation", "timestamp": "2026-11-29T01:22:00.000Z",
                                        "metaData": {"activity": "MainActivity"}}]}]}
    return c.add("POST", "https://notify.bugsnag.com", body=compact(obj), mime="application/json",
                 headers=[("Bugsnag-Api-Key", obj["apiKey"]), ("Bugsnag-Payload-Version", "4.0")],
                 labels=[Label(ID, "bugsnag_device_id", "body.json.events[0].device.id")] + meta_labels, traps=[PKG_TRAP])


# -- AppMetrica ----------------------------------------------------------------------------------------
def _appmetrica_query(d: Device, app: App) -> tuple[str, list[Label]]:
    q = form([("deviceid", d.vendor("am_deviceid", lambda: d.hex(32))), ("uuid", d.vendor("am_uuid", lambda: d.hex(32))),
              ("adv_id", d.advertising_id), ("android_id", d.android_id), ("app_id", app.package),
              ("app_platform", "android"), ("model", d.model), ("manufacturer", d.manufacturer),
              ("os_version", d.os_version), ("screen_width", "1080"), ("screen_height", "2340"), ("locale", app.locale),
              ("is_rooted", "0"), ("analytics_sdk_version_name", "6.3.0"), ("api_key_128", d.vendor("am_key", d.uuid))])
    return q, [Label(ID, "appmetrica_device_id", "query.deviceid"), Label(ID, "appmetrica_uuid", "query.uuid"),
               Label(ID, "advertising_id", "query.adv_id"), Label(ID, "android_id", "query.android_id")]


def appmetrica_startup(c: Capture, d: Device, app: App) -> int:
    q, labels = _appmetrica_query(d, app)
    return c.add("GET", f"https://startup.mobile.yandex.net/analytics/startup?{q}", labels=labels,
                 traps=[PKG_TRAP, Trap("uuid", "api_key_128 is the app's key UUID", [])])


def appmetrica_report(c: Capture, d: Device, app: App, events: list[Event]) -> int:
    q, labels = _appmetrica_query(d, app)
    evs = [pb_message(3, [pb_varint(1, i + 1), pb_varint(2, 1000 * (i + 1)), pb_varint(3, 4), pb_bytes(4, ev.name),
                          pb_bytes(5, compact(ev.props()))]) for i, ev in enumerate(events)]
    body = gz(pb_message(3, [pb_varint(1, d.rng.randint(10, 99)), pb_message(2, [pb_varint(1, c.now_ms() // 1000)]), *evs]))
    labels += ev_labels(events, lambda i: f"body.protobuf.3.3[{i}].4", lambda i, k: f"body.protobuf.3.3[{i}].5|json.{k}")
    return c.add("POST", f"https://report.appmetrica.yandex.net/report?{q}", body=body, mime="application/octet-stream",
                 content_encoding="gzip", labels=labels, traps=[PKG_TRAP])
