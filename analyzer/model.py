"""The data model: plain typed dataclasses shared by every room of the pipeline.

Data flows one way: Flow -> Field -> Detection -> DataFlow -> Finding -> Label -> Report.
Every derived fact keeps its Evidence (flow id, field location, excerpt) so a reader can check it.
Nothing here does I/O; `to_dict` gives the JSON shape of the hpa.report/1 contract.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

REPORT_SCHEMA = "hpa.report/1"
PERSONA_SCHEMA = "hpa.persona/1"
MAX_EVIDENCE = 25          # evidence items a data flow keeps as a sample (every request is counted)

Origin = Literal["proxy", "pcap", "import"]
FlowKind = Literal["http", "dns", "tls", "websocket"]
Party = Literal["first", "third", "service_provider", "unknown"]
Method = Literal["known_value", "adapter", "key", "value", "event_name"]
Verdict = Literal["privacy_not_included", "concerns", "no_issues_observed", "inconclusive"]
Phase = Literal["pre_consent", "interaction", "background"]

# The Google Play Data-safety taxonomy, as used by the report contract.
DATA_TYPES: tuple[str, ...] = (
    "location.approximate", "location.precise",
    "personal_info.name", "personal_info.email", "personal_info.user_ids", "personal_info.address",
    "personal_info.phone", "personal_info.race_ethnicity", "personal_info.political_religious",
    "personal_info.sexual_orientation", "personal_info.other",
    "financial_info.payment", "financial_info.purchase_history", "financial_info.other",
    "health_fitness.health", "health_fitness.fitness",
    "messages.emails", "messages.sms_mms", "messages.other",
    "photos_videos.photos", "photos_videos.videos",
    "audio.voice", "audio.music", "audio.other",
    "files_docs", "calendar", "contacts",
    "app_activity.interactions", "app_activity.search_history", "app_activity.installed_apps",
    "app_activity.other_ugc", "app_activity.other_actions",
    "web_browsing", "app_info.crash_logs", "app_info.diagnostics", "app_info.other",
    "device_ids",
)


@dataclass(slots=True)
class TLSInfo:
    """What is known of the TLS connection a flow travelled on."""

    sni: str | None = None
    version: str | None = None       # e.g. "TLSv1.3"
    alpn: str | None = None
    intercepted: bool = True         # False: the client refused our certificate (pinning suspected)
    error: str | None = None
    cert_org: str | None = None      # subject organisation of the upstream server's certificate, when seen
    cert_sans: list[str] = field(default_factory=list)   # DNS names of that certificate (subjectAltName)


@dataclass(slots=True)
class Flow:
    """One normalized record per HTTP(S) exchange, or per DNS query / TLS connection seen only in a pcap."""

    id: str
    host: str                                   # the name the app asked for (Host header / SNI), an IP only when no name is known
    time: float | None = None                   # epoch seconds of the request
    phase: str | None = None                    # pre_consent | interaction | background, when known
    method: str = "GET"
    scheme: str = "https"
    port: int = 443
    path: str = "/"                             # without the query string
    query: str = ""                             # raw query string, without '?'
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""                   # content-encoding removed when the reader could
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_size: int | None = None
    http_version: str | None = None
    tls: TLSInfo | None = None
    origin: str = "import"                      # proxy | pcap | import
    kind: str = "http"                          # http | dns | tls | websocket
    server_ip: str | None = None
    error: str | None = None                    # e.g. a TLS failure recorded by the proxy
    source: str | None = None                   # file it was read from
    cnames: list[str] = field(default_factory=list)     # kind "dns": the CNAME chain answered for `host`, in order
    body_encoding: str | None = None            # how the reader recovered the body bytes (e.g. "har:mitmproxy-latin-1")

    @property
    def url(self) -> str:
        default = 443 if self.scheme == "https" else 80
        port = "" if self.port in (default, None) else f":{self.port}"
        q = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{self.host}{port}{self.path}{q}"

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.request_headers:
            if k.lower() == name:
                return v
        return None


@dataclass(slots=True)
class Field:
    """A decoded leaf of a request: `location` is a path a person can follow,
    e.g. `body.form.custom_events[2]._eventName` or `query.data|base64|json.properties.mood`."""

    location: str
    key: str            # the last key name on the path ("" when none, e.g. a protobuf field number or a list item)
    value: str          # text of the leaf (bytes shown as text or hex by the decoder)
    flow_id: str = ""


@dataclass(slots=True)
class Evidence:
    """Where a fact was seen: a request and a field path, with a short excerpt."""

    flow_id: str
    location: str
    excerpt: str
    method: str = ""
    url: str | None = None
    phase: str | None = None
    time: float | None = None


@dataclass(slots=True)
class Detection:
    data_type: str          # one of DATA_TYPES
    details: str            # e.g. "advertising_id", "pregnancy", "mood"
    method: str             # known_value | adapter | key | value | event_name
    confidence: float       # 0..1
    location: str
    excerpt: str
    flow_id: str


@dataclass(slots=True)
class Recipient:
    entity: str | None      # canonical company name, None when unknown
    domain: str             # registrable domain
    party: str              # first | third | service_provider | unknown
    categories: list[str] = field(default_factory=list)
    inferred: bool = False  # party `first` inferred from the traffic (no --app-id / first-party domain given)


@dataclass(slots=True)
class Attribution:
    """How a host was tied to its company: `method` (domain_list | apk_sdk_hosts | sdk_fingerprint | tls_certificate |
    dns_cname | inferred), `source` (the data file, APK class, header or certificate that decided it)."""

    method: str
    source: str


@dataclass(slots=True)
class Contact:
    host: str
    domain: str
    party: str
    entity: str | None
    categories: list[str] = field(default_factory=list)
    attribution: Attribution | None = None
    flows: int = 0
    phases: list[str] = field(default_factory=list)
    cleartext: bool = False
    owners: list[str] = field(default_factory=list)     # the entity's owners up the chain (MoPub -> ['AppLovin'])
    inferred: bool = False  # party `first` inferred from the traffic (no --app-id / first-party domain given)

    def recipient(self) -> Recipient:
        """The recipient a data flow sent to this host names."""
        return Recipient(entity=self.entity, domain=self.domain, party=self.party, categories=list(self.categories))


@dataclass(slots=True)
class PolicyEvidence:
    sentence: str
    span: tuple[int, int] | None = None
    polarity: str | None = None
    action: str | None = None


@dataclass(slots=True)
class DataFlow:
    data_type: str
    recipient: Recipient
    details: list[str] = field(default_factory=list)
    consistency: str | None = None          # clear | vague | omitted | ambiguous | incorrect (null without a policy)
    data_safety: str | None = None          # declared | undeclared (null without a form)
    evidence: list[Evidence] = field(default_factory=list)
    evidence_count: int = 0                 # requests that carried it (evidence keeps a bounded sample)
    policy_evidence: list[PolicyEvidence] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    confidence: float = 0.0
    phases: list[str] = field(default_factory=list)
    cleartext: bool = False

    def merge(self, other: "DataFlow", max_evidence: int = MAX_EVIDENCE) -> None:
        """Fold another part of the same data flow into this one (chunks of a capture, hosts re-attributed)."""
        self.details += [d for d in other.details if d not in self.details]
        self.methods += [m for m in other.methods if m not in self.methods]
        self.phases += [p for p in other.phases if p not in self.phases]
        self.confidence = max(self.confidence, other.confidence)
        self.cleartext |= other.cleartext
        self.evidence += other.evidence[: max(0, max_evidence - len(self.evidence))]


@dataclass(slots=True)
class Finding:
    kind: str
    severity: str           # high | medium | low | info
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    policy_evidence: list[PolicyEvidence] = field(default_factory=list)


@dataclass(slots=True)
class Reason:
    rule: str               # id of the label rule that fired (documented in the README)
    verdict: str            # the verdict this rule leads to
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    policy_evidence: list[PolicyEvidence] = field(default_factory=list)
    also: list[str] = field(default_factory=list)      # weaker rules the same data flow also meets


@dataclass(slots=True)
class Label:
    verdict: str
    reasons: list[Reason] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    # one sentence per company that received data: {"recipient", "party", "summary"}
    received: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class InputStats:
    files: list[dict[str, Any]] = field(default_factory=list)   # {path, format, flows, skipped}
    flows_read: int = 0
    records_skipped: int = 0
    skipped: dict[str, int] = field(default_factory=dict)       # reason -> count
    bounds_hit: dict[str, int] = field(default_factory=dict)    # decoding bound -> count


@dataclass(slots=True)
class Coverage:
    flows: int = 0
    http_flows: int = 0
    intercepted_tls: int = 0
    failed_tls: int = 0                     # handshakes the client refused (pinning suspected)
    failed_tls_hosts: list[str] = field(default_factory=list)
    pcap_only: int = 0                      # connections seen in the pcap but not through the proxy
    pcap_only_hosts: list[str] = field(default_factory=list)
    cleartext_http: int = 0
    phases: dict[str, int] = field(default_factory=dict)
    duration_s: float | None = None
    first_time: float | None = None
    last_time: float | None = None
    simulated: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Report:
    app: dict[str, Any]
    input: InputStats
    contacts: list[Contact]
    data_flows: list[DataFlow]
    findings: list[Finding]
    label: Label
    coverage: Coverage
    tool: dict[str, Any] = field(default_factory=dict)
    generated_at: str | None = None
    static: dict[str, Any] | None = None        # hpa.static/1 facts when an APK was given
    policy: dict[str, Any] | None = None        # summary of the policy read (language, claims count, third parties)
    capture: dict[str, Any] | None = None       # meta.json of the capture, when there is one
    data_safety: dict[str, Any] | None = None   # summary of the Data-safety form read (no_data_shared, declared types)
    schema: str = REPORT_SCHEMA
    known_values: dict[str, Any] | None = None  # the persona searched for: never written out, used by --redact

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("known_values")
        out: dict[str, Any] = {"schema": d.pop("schema")}
        out.update(d)
        return out
