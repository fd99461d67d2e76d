"""Write hpa's labeled detection corpus: one HAR 1.2 capture per app, its ground truth and its persona.

    python -m bench.quality.generate [--seed 20261129] [--out bench/quality/corpus]

Seeded and deterministic: the same seed gives byte-identical files (the tests check it). The apps are in
apps.json, the events in vocab.json, the SDK wire formats in sdks.py; this module plays each app's sessions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import sdks
from .har import Capture, Label, Trap
from .sdks import App, Device, Event, Param
from .wire import b64, b64url, compact, form, gz, jwt, md5, sha256

HERE = Path(__file__).parent
DEFAULT_OUT = HERE / "corpus"
HOLDOUT_OUT = HERE / "holdout"
SETS = {"corpus": ("apps.json", "vocab.json"), "holdout": ("holdout_apps.json", "holdout_vocab.json")}
DEFAULT_SEED = 20261129
PERSONA_SCHEMA = "hpa.persona/1"

FIRST = {"en": ["Emily", "Hannah", "Olivia", "Jessica", "Sarah", "Megan", "Rachel", "Lauren"],
         "fr": ["Camille", "Léa", "Manon", "Chloé", "Inès", "Élodie", "Juliette", "Sarah"]}
LAST = {"en": ["Thompson", "Whitaker", "Caldwell", "Pemberton", "Hollis", "Brennan"],
        "fr": ["Martin", "Lefèvre", "Rousseau", "Girard", "Moreau", "Chevalier"]}
MAIL = {"en": ["gmail.com", "outlook.com", "yahoo.com", "proton.me"], "fr": ["gmail.com", "orange.fr", "free.fr", "laposte.net"]}
CITIES = {"en": [(40.71427, -74.00597), (41.87811, -87.62980), (47.60621, -122.33207)],
          "fr": [(48.85661, 2.35222), (45.76404, 4.83566), (43.29648, 5.36978)]}
NEUTRAL_ASSETS = ["img/icons/home@2x.png", "img/icons/settings@2x.png", "img/onboarding/welcome_1.webp",
                  "fonts/inter-regular.woff2", "lottie/confetti.json", "img/avatars/default.png"]
CRASH = {"menstrual": "Cycle length must be positive", "pregnancy": "PregnancyWeekAdapter: index out of range",
         "mental": "MoodChart: empty dataset", "fitness": "WorkoutSyncWorker failed: HTTP 503",
         "medication": "MedicationReminderReceiver: alarm not scheduled", "sleep": "SleepSoundService died",
         "glucose": "GlucoseChartView: NaN axis", "blood_pressure": "BpHistoryFragment not attached",
         "contraception": "PillScheduler: no next date", "sexual": "IntimacyLogDao: db locked",
         "substance": "StreakCounter overflow", "condition": "SymptomGridAdapter: null binding",
         "nutrition": "MealPhotoUpload timed out"}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _load(name: str) -> dict[str, Any]:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def realize(rng: random.Random, spec: dict[str, Any]) -> Event:
    params = []
    for p in spec["params"]:
        if "int" in p:
            value: Any = rng.randint(*p["int"])
        else:
            value = rng.choice(p["values"])
        params.append(Param(p["key"], value, tuple(p["cls"]) if p["cls"] else None))
    return Event(spec["name"], tuple(spec["cls"]) if spec["cls"] else None, params)


def make_device(rng: random.Random, lang: str) -> Device:
    first, last = rng.choice(FIRST[lang]), rng.choice(LAST[lang])
    email = f"{_ascii(first).lower()}.{_ascii(last).lower()}{rng.randint(10, 99)}@{rng.choice(MAIL[lang])}"
    phone = ("+336" if lang == "fr" else "+1415") + "".join(rng.choice("0123456789") for _ in range(8 if lang == "fr" else 7))
    lat, lon = rng.choice(CITIES[lang])
    d = Device(rng=rng, advertising_id="", android_id="", email=email, phone=phone, first_name=first, last_name=last,
               birth_date=f"19{rng.randint(80, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
               lat=round(lat + rng.uniform(-0.02, 0.02), 5), lon=round(lon + rng.uniform(-0.02, 0.02), 5))
    d.advertising_id = d.uuid()
    d.android_id = d.hex(16)
    return d


def persona_of(d: Device) -> dict[str, Any]:
    return {"schema": PERSONA_SCHEMA, "advertising_id": d.advertising_id, "android_id": d.android_id, "email": d.email,
            "phone": d.phone, "name": d.name, "birth_date": d.birth_date, "lat": d.lat, "lon": d.lon, "custom": {}}


class Player:
    """Plays one app: set-up calls, then sessions of user events sent to the app's SDKs and backend."""

    def __init__(self, spec: dict[str, Any], vocab: dict[str, Any], trap_words: dict[str, list[str]], seed: int):
        self.spec = spec
        self.rng = random.Random(f"{seed}:{spec['key']}")
        self.vocab = vocab
        self.trap_words = trap_words
        self.lang = spec["lang"]
        self.d = make_device(self.rng, self.lang)
        rng = self.rng
        self.app = App(key=spec["key"], name=spec["name"], package=spec["package"], lang=self.lang,
                       first_party=spec["fp"], version=f"{rng.randint(2, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
                       build=rng.randint(100, 9000), fb_app_id=self.d.digits(15), fb_version=rng.choice([15, 16, 17]),
                       gmp_app_id=f"1:{self.d.digits(12)}:android:{self.d.hex(16)}")
        start = dt.datetime(2026, 11, rng.randint(1, 28), rng.randint(7, 22), rng.randint(0, 59), tzinfo=dt.timezone.utc)
        self.c = Capture(rng=rng, start=start,
                         user_agent=f"Dalvik/2.1.0 (Linux; U; Android {self.d.os_version}; {self.d.model} Build/TP1A.220624.014)")
        self.fp_ua = f"{spec['name'].replace(' ', '')}/{self.app.version} (Android {self.d.os_version}; {self.d.model}) okhttp/4.12.0"
        self.extras = set(spec["extras"])
        self.token = self.d.hex(40)
        self.jwt = jwt({"sub": "u_" + self.d.hex(12), "email": self.d.email, "name": self.d.name,
                        "iat": int(start.timestamp()), "exp": int(start.timestamp()) + 3600,
                        "iss": f"https://auth.{spec['fp'].split('.', 1)[1]}"}, secret=self.d.hex(32).encode())

    # -- helpers -----------------------------------------------------------------------------------
    def events(self, topic_only: bool = False) -> list[Event]:
        rng = self.rng
        neutral = [realize(rng, rng.choice(self.vocab["neutral"][self.lang]))]
        topical = []
        for _ in range(rng.randint(1, 2)):
            topic = rng.choice(self.spec["topics"])
            topical.append(realize(rng, rng.choice(self.vocab[topic][self.lang])))
        return topical if topic_only else neutral + topical

    def neutral_events(self, n: int = 2) -> list[Event]:
        return [realize(self.rng, self.rng.choice(self.vocab["neutral"][self.lang])) for _ in range(n)]

    def fp(self, method: str, path: str, *, body: Any = None, labels: list[Label] | None = None,
           traps: list[Trap] | None = None, mime: str = "application/json; charset=utf-8", raw: str | None = None) -> int:
        """A call to the app's own backend, with its session token (a JWT holding email and name, for some apps)."""
        headers = [("Accept", "application/json"), ("X-App-Version", self.app.version)]
        labels = list(labels or [])
        traps = list(traps or []) + [Trap("sdk_version", "the user-agent names the app and its version", ["health", "fitness"])]
        if "jwt" in self.extras:
            headers.append(("Authorization", f"Bearer {self.jwt}"))
            labels += [Label("email", "email", "header.authorization|jwt.email"),
                       Label("name", "name", "header.authorization|jwt.name")]
        else:
            headers.append(("Authorization", f"Token {self.token}"))
        if "requestid_traps" in self.extras:
            headers += [("X-Request-ID", self.d.uuid()), ("X-Trace-Id", self.d.hex(16))]
            traps.append(Trap("request_id", "X-Request-ID (UUID) and X-Trace-Id (16 hex) are per-request ids", ["device_ids"]))
        data = raw if raw is not None else (compact(body) if body is not None else None)
        return self.c.add(method, f"https://{self.app.first_party}{path}", headers=headers, body=data,
                          mime=mime if data is not None else None, labels=labels, traps=traps, user_agent=self.fp_ua)

    def trap_word(self) -> str:
        return self.rng.choice(self.trap_words[self.rng.choice(self.spec["topics"])])

    # -- first-party scenarios ---------------------------------------------------------------------------
    def register(self) -> None:
        d = self.d
        if self.lang == "fr":
            body = {"email": d.email, "mot_de_passe": d.hex(12), "prenom": d.first_name, "nom": d.last_name,
                    "date_de_naissance": d.birth_date, "langue": "fr", "cgu_acceptees": True}
            locs = ("body.json.email", "body.json.prenom")
        else:
            body = {"email": d.email, "password": d.hex(12), "first_name": d.first_name, "last_name": d.last_name,
                    "birth_date": d.birth_date, "locale": "en-US", "marketing_opt_in": False}
            locs = ("body.json.email", "body.json.first_name")
        self.fp("POST", "/v1/auth/register", body=body,
                labels=[Label("email", "email", locs[0]), Label("name", "name", locs[1])])

    def profile_phone(self) -> None:
        if self.lang == "fr":   # French users type the national format
            national = "0" + self.d.phone[3:]
            value = " ".join(national[i:i + 2] for i in range(0, 10, 2))
            body = {"telephone": value, "notifications": {"sms": True}}
            loc = "body.json.telephone"
        else:
            body = {"phone_number": self.d.phone, "notifications": {"sms": True}}
            loc = "body.json.phone_number"
        self.fp("PATCH", "/v1/me", body=body, labels=[Label("phone", "phone", loc)])

    def profile_weight(self) -> None:
        w = round(self.rng.uniform(55, 95), 1)
        if self.lang == "fr":
            body, loc = {"taille_cm": self.rng.randint(155, 190), "poids_kg": w, "objectif": "perte_de_poids"}, "body.json.poids_kg"
        else:
            body, loc = {"height_cm": self.rng.randint(155, 190), "weight_kg": w, "goal": "lose_weight",
                         "activity_level": "moderate"}, "body.json.weight_kg"
        self.fp("PATCH", "/v1/me/profile", body=body, labels=[Label("fitness", "weight", loc)])

    def fp_logs(self) -> None:
        evs = self.events(topic_only=True)
        key, vkey = ("saisies", "valeurs") if self.lang == "fr" else ("entries", "values")
        body = {key: [{"type": e.name, "date": "2026-11-28", vkey: e.props()} for e in evs],
                "client_ts": self.c.now_ms()}
        labels = sdks.ev_labels(evs, lambda i: f"body.json.{key}[{i}].type", lambda i, k: f"body.json.{key}[{i}].{vkey}.{k}")
        self.fp("POST", "/v1/journal/sync", body=body, labels=labels,
                traps=[Trap("timestamp", "client_ts is epoch ms", ["phone"])])

    def weather(self) -> None:
        lat, lon = round(self.d.lat, 2), round(self.d.lon, 2)
        self.fp("GET", f"/v1/weather?lat={lat}&lon={lon}&units=metric",
                labels=[Label("location", "lat_lon", "query.lat")])

    def gps_route(self) -> None:
        d, rng = self.d, self.rng
        pts = [[round(d.lat + i * 0.0004 + rng.uniform(-1e-4, 1e-4), 6), round(d.lon + i * 0.0003, 6)] for i in range(6)]
        body = {"type": "run", "distance_m": rng.randint(2000, 12000), "duration_s": rng.randint(700, 4200),
                "avg_hr": rng.randint(130, 170), "started_at": "2026-11-28T07:02:11Z", "polyline": pts}
        self.fp("POST", "/v1/activities", body=body,
                labels=[Label("fitness", "exercise", "body.json.type"), Label("fitness", "heart_rate", "body.json.avg_hr"),
                        Label("location", "lat_lon", "body.json.polyline[0]")])

    def email_query(self) -> None:
        self.fp("GET", f"/v1/users/exists?email={quote(self.d.email, safe='')}",
                labels=[Label("email", "email", "query.email")])

    def email_path_b64(self) -> None:
        self.fp("POST", f"/v1/newsletter/subscribe/{b64url(self.d.email)}", body={"lists": ["weekly"]},
                labels=[Label("email", "email_base64", "path[3]|base64")])

    def email_md5(self) -> None:
        d = self.d
        self.c.add("GET", f"https://match.audiencegrid.io/sync?pid=ag_{d.hex(6)}&em={md5(d.email.lower())}"
                   f"&maid={d.advertising_id}&ts={self.c.now_ms()}",
                   labels=[Label("email", "email_md5", "query.em"), Label("device_ids", "advertising_id", "query.maid")],
                   traps=[Trap("timestamp", "ts is epoch ms", ["phone"])])

    def deep_form(self, events: list[Event]) -> None:
        inner = compact([{"e": e.name, "p": e.props()} for e in events])
        payload = b64(compact({"v": 2, "ctx": {"aaid": self.d.advertising_id, "os": "android", "app": self.app.package},
                               "events": inner}))
        labels = [Label("device_ids", "advertising_id", "body.form.payload|base64|json.ctx.aaid")]
        labels += sdks.ev_labels(events, lambda i: f"body.form.payload|base64|json.events|json[{i}].e",
                                 lambda i, k: f"body.form.payload|base64|json.events|json[{i}].p.{k}")
        self.fp("POST", "/v1/telemetry", raw=form([("payload", payload), ("sig", self.d.hex(40))]), labels=labels,
                mime="application/x-www-form-urlencoded")

    def gzip_b64(self, events: list[Event]) -> None:
        d = self.d
        inner = {"gaid": d.advertising_id, "geo": f"{d.lat},{d.lon}", "tz": "Europe/Paris",
                 "events": [{"name": e.name, "attrs": e.props(), "ts": self.c.now_ms()} for e in events]}
        labels = [Label("device_ids", "advertising_id", "body.json.z|base64|gzip|json.gaid"),
                  Label("location", "lat_lon", "body.json.z|base64|gzip|json.geo")]
        labels += sdks.ev_labels(events, lambda i: f"body.json.z|base64|gzip|json.events[{i}].name",
                                 lambda i, k: f"body.json.z|base64|gzip|json.events[{i}].attrs.{k}")
        self.c.add("POST", "https://collect.quantumleap-metrics.io/v2/c",
                   body=compact({"sdk": "qlm-android/3.1.0", "k": d.hex(24), "z": b64(gz(compact(inner).encode()))}),
                   mime="application/json", labels=labels)

    def unknown_tracker(self, events: list[Event]) -> None:
        d = self.d
        if self.rng.random() < 0.4:     # a pixel: one event in the query string of a GET
            ev = events[-1]
            q = form([("e", ev.name), *((f"p_{p.key}", p.value) for p in ev.params), ("aid", d.advertising_id),
                      ("cb", self.c.now_ms())])
            labels = [Label("device_ids", "advertising_id", "query.aid")]
            labels += sdks.ev_labels([ev], lambda i: "query.e", lambda i, k: f"query.p_{k}")
            self.c.add("GET", f"https://px.trkmetrics.com/p.gif?{q}", labels=labels,
                       traps=[Trap("timestamp", "cb is a cache-buster in epoch ms", ["phone"])])
            return
        body = {"device": {"gaid": d.advertising_id, "android_id": d.android_id, "os": "android", "model": d.model},
                "user": {"email_sha256": sha256(d.email.lower())},
                "events": [{"name": e.name, "attributes": e.props(), "at": self.c.now_ms()} for e in events]}
        labels = [Label("device_ids", "advertising_id", "body.json.device.gaid"),
                  Label("device_ids", "android_id", "body.json.device.android_id"),
                  Label("email", "email_sha256", "body.json.user.email_sha256")]
        labels += sdks.ev_labels(events, lambda i: f"body.json.events[{i}].name",
                                 lambda i, k: f"body.json.events[{i}].attributes.{k}")
        self.c.add("POST", "https://api.adnexa-data.net/v1/track", body=compact(body), mime="application/json", labels=labels)

    # -- traps and noise -------------------------------------------------------------------------------
    def asset_trap(self) -> None:
        word = self.trap_word()
        kind = self.rng.choice(["images/articles/{w}.webp", "img/illustrations/{w}@3x.png", "lottie/{w}.json", "static/js/{w}.chunk.js"])
        host = "cdn." + self.app.first_party.split(".", 1)[1]
        self.c.add("GET", f"https://{host}/{kind.format(w=word)}", user_agent=self.fp_ua,
                   traps=[Trap("asset_path", f"static asset named {word!r}", ["health", "fitness"])])

    def feed_trap(self) -> None:
        words = ",".join(w.split("-")[0] for t in self.spec["topics"] for w in self.trap_words[t][:1])
        if self.rng.random() < 0.5:
            self.fp("GET", f"/v1/feed?topics={words}&limit=20&locale={self.lang}",
                    traps=[Trap("content_feed", "the app's whole topic list for its article feed", ["health", "fitness"])])
        else:
            w = self.trap_word()
            self.fp("POST", "/v1/content/prefetch", body={"cached_articles": [
                {"id": self.rng.randint(100, 999), "slug": w, "title": w.replace("-", " ").capitalize() + ": what to know",
                 "updated": "2026-10-02"}], "locale": self.lang},
                traps=[Trap("content_feed", "cached article list sent for cache validation", ["health", "fitness"])])

    def flag_trap(self) -> None:
        flags = [w.replace("-", "_") + suffix for w, suffix in
                 zip([self.trap_word() for _ in range(3)], ["_enabled", "_v2", "_onboarding_test"])]
        self.fp("POST", "/v1/flags/evaluate", body={"platform": "android", "app_version": self.app.version, "flags": flags},
                traps=[Trap("config_flag", f"feature flags {flags} describe the app", ["health", "fitness"])])

    def ld_flags(self) -> None:
        key = self.trap_word() + "-redesign"
        body = [{"kind": "summary", "startDate": self.c.now_ms() - 60000, "endDate": self.c.now_ms(),
                 "features": {key: {"default": False, "counters": [{"value": True, "version": 12, "count": 3}]}}}]
        self.c.add("POST", "https://mobile.launchdarkly.com/mobile/events/bulk", body=compact(body), mime="application/json",
                   headers=[("Authorization", "mob-" + self.d.uuid()), ("X-LaunchDarkly-Event-Schema", "4")],
                   traps=[Trap("config_flag", f"flag {key!r}", ["health", "fitness"]),
                          Trap("uuid", "mobile key is a UUID", ["device_ids"])])

    def version_trap(self) -> None:
        self.fp("POST", "/v1/client/info", body={
            "app_version": self.app.version, "build_flavor": self.spec["topics"][0] + "Release",
            "sdk_versions": {"health_connect_client": "1.1.0-alpha07", "play_services_fitness": "21.1.0",
                             "okhttp": "4.12.0", "mood_widgets": "2.3.1"}},
            traps=[Trap("sdk_version", "library names and versions", ["health", "fitness"])])

    def requestid_trap(self) -> None:
        self.fp("POST", "/v1/events/ack", body={"request_id": self.d.hex(16), "idempotency_key": self.d.uuid(),
                                                "client_ts": self.c.now_ms(), "server_ts": self.c.now_ms() // 1000},
                traps=[Trap("request_id", "16-hex request id and UUID idempotency key", ["device_ids"]),
                       Trap("timestamp", "epoch times", ["phone"])])

    def noise(self) -> None:
        rng = self.rng
        choice = rng.randrange(4)
        host = "cdn." + self.app.first_party.split(".", 1)[1]
        if choice == 0:
            self.c.add("GET", f"https://{host}/{rng.choice(NEUTRAL_ASSETS)}", user_agent=self.fp_ua)
        elif choice == 1:
            self.fp("GET", f"/v1/config?platform=android&version={self.app.version}")
        elif choice == 2:
            self.c.add("GET", "https://fonts.gstatic.com/s/roboto/v30/KFOmCnqEu92Fr1Mu4mxK.woff2")
        else:
            self.fp("GET", "/v1/me/settings")

    # -- the capture ---------------------------------------------------------------------------------------
    def setup(self) -> None:
        s, d, app, c = set(self.spec["sdks"]), self.d, self.app, self.c
        self.fp("GET", f"/v1/config?platform=android&version={app.version}")
        if "firebase" in s:
            sdks.firebase_installations(c, d, app)
            sdks.firebase_remote_config(c, d, app)
            sdks.measurement_config(c, d, app)
            sdks.crashlytics_settings(c, d, app)
        if s & {"meta", "meta_am"}:
            sdks.meta_settings(c, d, app)
            sdks.meta_activities(c, d, app, [], install=True)
        if "appsflyer" in s:
            sdks.appsflyer(c, d, app, None)
        if s & {"adjust", "adjust_aid"}:
            sdks.adjust(c, d, app, None, with_android_id="adjust_aid" in s)
        if "branch" in s:
            sdks.branch(c, d, app, None)
        if "singular" in s:
            sdks.singular(c, d, app, None)
        if "appmetrica" in s:
            sdks.appmetrica_startup(c, d, app)
        if "google_ads" in s:
            sdks.ump_consent(c, d, app)
        if "bugsnag" in s:
            sdks.bugsnag_session(c, d, app)
        if "onesignal" in s:
            self.onesignal()
        if "register" in self.extras:
            self.register()
        if "profile_phone" in self.extras:
            self.profile_phone()
        if "profile_weight" in self.extras:
            self.profile_weight()
        if "email_query" in self.extras:
            self.email_query()
        if "email_path_b64" in self.extras:
            self.email_path_b64()
        if "mp_engage" in self.extras or ("mixpanel" in s and "register" in self.extras):
            sdks.mixpanel_engage(c, d, app, phone=self.lang == "en")

    def onesignal(self) -> None:
        topic = self.spec["topics"][0]
        tags: dict[str, Any] = {"premium": "false", "lang": self.lang}
        tag_cls: list[tuple[str, Any]] = []
        if self.spec["sdk_health"]:
            tag = {"menstrual": ("cycle_phase", "luteal", ("health", "menstruation")),
                   "pregnancy": ("pregnancy_week", "14", ("health", "pregnancy")),
                   "mental": ("last_mood", "sad", ("health", "mood")),
                   "glucose": ("diabetes_type", "type_2", ("health", "diagnosis")),
                   "contraception": ("pill_reminder_time", "21:00", ("health", "contraception")),
                   "substance": ("days_sober", "42", ("health", "substance_use"))}.get(topic)
            if tag:
                tags[tag[0]] = tag[1]
                tag_cls.append((tag[0], tag[2]))
        sdks.onesignal_players(self.c, self.d, self.app, tags, tag_cls, location="sdk_location" in self.extras)

    def session(self, n: int) -> None:
        s, d, app, c, rng = set(self.spec["sdks"]), self.d, self.app, self.c, self.rng
        evs = self.events() if self.spec["sdk_health"] else self.neutral_events()
        one = evs[-1]
        loc = "sdk_location" in self.extras
        for _ in range(rng.randint(1, 3)):
            self.noise()
        for name in self.spec["sdks"]:
            if name in ("meta", "meta_am"):
                sdks.meta_activities(c, d, app, evs, advanced_matching=name == "meta_am")
            elif name == "firebase":
                sdks.firebase_measurement(c, d, app, evs)
            elif name == "appsflyer":
                sdks.appsflyer(c, d, app, one)
            elif name in ("adjust", "adjust_aid"):
                sdks.adjust(c, d, app, one, with_android_id=name == "adjust_aid")
            elif name == "branch":
                sdks.branch(c, d, app, one)
            elif name == "singular":
                sdks.singular(c, d, app, one)
            elif name == "amplitude":
                sdks.amplitude_legacy(c, d, app, evs, location=loc)
            elif name == "amplitude_http":
                flag = (self.trap_word().replace("-", "_") + "_paywall_test") if "flag_traps" in self.extras and n == 1 else None
                sdks.amplitude_http(c, d, app, evs, location=loc, exposure_flag=flag)
            elif name == "mixpanel":
                sdks.mixpanel_track(c, d, app, evs)
            elif name == "segment":
                sdks.segment(c, d, app, evs, identify="identify" in self.extras and n == 0, location=loc)
            elif name == "braze":
                attrs, labels = None, None
                if "braze_attrs" in self.extras and n == 0:
                    attrs = {"user_id": "u_" + d.hex(8), "email": d.email, "first_name": d.first_name, "last_name": d.last_name}
                    labels = [Label("email", "email", "body.json.attributes[0].email"),
                              Label("name", "name", "body.json.attributes[0].first_name")]
                sdks.braze(c, d, app, evs, attributes=attrs, attr_labels=labels)
            elif name == "clevertap":
                sdks.clevertap(c, d, app, evs, profile="ct_profile" in self.extras and n == 0, location=loc)
            elif name == "appmetrica":
                sdks.appmetrica_report(c, d, app, evs)
            elif name == "google_ads":
                sdks.google_ads(c, d, app, f"/{d.digits(8)}/{self.trap_word().replace('-', '_')}_banner")
            elif name == "sentry" and n == 1:
                sdks.sentry(c, d, app, crash_message=CRASH[self.spec["topics"][0]], user_email="register" in self.extras)
            elif name == "bugsnag":
                sdks.bugsnag_session(c, d, app)
                if n == 1:
                    meta, labels = {"last_screen": "Home", "sync_pending": False}, []
                    if "bugsnag_meta" in self.extras:
                        meta["last_bp_reading"] = f"{rng.randint(120, 160)}/{rng.randint(75, 100)}"
                        labels = [Label("fitness", "blood_pressure", "body.json.events[0].metaData.user_state.last_bp_reading")]
                    sdks.bugsnag_notify(c, d, app, meta=meta, meta_labels=labels)
            elif name == "unknown":
                self.unknown_tracker(evs)
        if "fp_logs" in self.extras:
            self.fp_logs()
        if "deep_form" in self.extras:
            self.deep_form(evs)
        if "gzip_b64" in self.extras:
            self.gzip_b64(evs)
        if "email_md5" in self.extras and n == 0:
            self.email_md5()
        if "weather" in self.extras and n % 2 == 0:
            self.weather()
        if "gps_route" in self.extras and n % 2 == 1:
            self.gps_route()
        for extra, fn in (("asset_traps", self.asset_trap), ("feed_traps", self.feed_trap), ("flag_traps", self.flag_trap),
                          ("ld_flags", self.ld_flags), ("version_traps", self.version_trap),
                          ("requestid_traps", self.requestid_trap)):
            if extra in self.extras and rng.random() < 0.6:
                fn()

    def play(self) -> Capture:
        self.setup()
        for n in range(self.spec["sessions"]):
            self.session(n)
        return self.c


def har_text(har: dict[str, Any]) -> str:
    """One entry per line: small diffs, still one JSON document."""
    entries = har["log"]["entries"]
    head = {k: v for k, v in har["log"].items() if k != "entries"}
    lines = ",\n".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in entries)
    return '{"log":' + json.dumps(head, separators=(",", ":"))[:-1] + ',"entries":[\n' + lines + "\n]}}\n"


def truth_text(truth: dict[str, Any]) -> str:
    """The header fields, then one label / trap per line: readable, and a third of the indented size."""
    def rows(items: list[dict[str, Any]]) -> str:
        return "[\n" + ",\n".join("  " + json.dumps(i, ensure_ascii=False) for i in items) + "\n]" if items else "[]"
    head = {k: v for k, v in truth.items() if k not in ("labels", "traps")}
    body = json.dumps(head, ensure_ascii=False)[:-1]
    return f'{body},\n"labels": {rows(truth["labels"])},\n"traps": {rows(truth["traps"])}}}\n'


def generate(out: Path = DEFAULT_OUT, seed: int = DEFAULT_SEED, which: str = "corpus") -> list[Path]:
    """Write every capture of the set's apps file into `out`; returns the HAR paths.
    `which`: corpus (apps.json + vocab.json) or holdout (held-out apps and vocabulary)."""
    from analyzer.fsutil import atomic_write_json, atomic_write_text

    apps_file, vocab_file = SETS[which]
    apps, vocab = _load(apps_file), _load(vocab_file)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in apps["apps"]:
        player = Player(spec, vocab, apps["trap_words"], seed)
        cap = player.play()
        key = spec["key"]
        har_path = out / f"{key}.har"
        atomic_write_text(har_path, har_text(cap.har()), mode=0o644)
        app_info = {"id": spec["package"], "name": spec["name"], "lang": spec["lang"], "topics": spec["topics"],
                    "first_party": [spec["fp"], "cdn." + spec["fp"].split(".", 1)[1]], "seed": seed}
        atomic_write_text(out / f"{key}.truth.json", truth_text(cap.truth(har_path.name, app_info)), mode=0o644)
        atomic_write_json(out / f"{key}.persona.json", persona_of(player.d), mode=0o644)
        written.append(har_path)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=None, help="default: bench/quality/corpus (or holdout)")
    ap.add_argument("--holdout", action="store_true", help="write the held-out set instead (bench/quality/holdout)")
    ap.add_argument("--all", action="store_true", help="write both sets to their default folders")
    args = ap.parse_args()
    if args.all:
        for which, out in (("corpus", DEFAULT_OUT), ("holdout", HOLDOUT_OUT)):
            paths = generate(out, args.seed, which)
            print(f"wrote {len(paths)} captures into {out}")
        return
    which = "holdout" if args.holdout else "corpus"
    args.out = args.out or (HOLDOUT_OUT if args.holdout else DEFAULT_OUT)
    paths = generate(args.out, args.seed, which)
    flows = sum(len(json.loads(p.read_text())["log"]["entries"]) for p in paths)
    print(f"wrote {len(paths)} captures, {flows} flows, into {args.out}")


if __name__ == "__main__":
    main()
