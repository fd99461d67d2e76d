"""Findings and the label: pure functions over a report, each result carrying its evidence.

The rules are documented in the README ("Labels"); the rule ids below are the ones reports cite.
A label is the strongest verdict any rule reaches; each data flow that meets a rule is one reason (its strongest
rule, the weaker ones in `also`); findings hold only the facts that do not judge.
"""

from __future__ import annotations

from pathlib import Path

from ..decode.limits import OPAQUE_PAYLOAD
from ..model import DataFlow, Evidence, Finding, Label, Reason, Report
from .names import data_type_name, detail_name, phrase, what_name

TRACKING_CATEGORIES = {"advertising", "analytics", "attribution"}
HEALTH_TYPES = {"health_fitness.health", "health_fitness.fitness"}
IDENTIFIER_TYPES = {"device_ids", "personal_info.email", "location.precise", "location.approximate"}
# identifiers that outlive an ad-ID reset: sent beside the advertising ID they let a company re-link a reset ID
PERSISTENT_DETAILS = {"android_id", "imei", "firebase_installation_id", "app_instance_id", "vendor_id",
                      "app_set_id", "email", "email_sha256", "email_md5", "email_sha1", "phone", "user_id"}
PERSISTENT_TYPES = {"personal_info.email", "personal_info.phone", "personal_info.user_ids"}

MIN_HTTP_FLOWS = 5           # fewer intercepted requests than this: too little seen to judge
MAX_EVIDENCE = 10            # evidence items quoted per finding

VERDICT_RANK = {"privacy_not_included": 3, "concerns": 2, "inconclusive": 1, "no_issues_observed": 0}

# rule id (= finding kind) -> (severity, verdict it leads to; "" for facts that inform but do not judge)
RULES: dict[str, tuple[str, str]] = {
    "health_to_tracker": ("high", "privacy_not_included"),
    "broken_promise": ("high", "privacy_not_included"),
    "undeclared_when_none_shared": ("high", "privacy_not_included"),
    "cleartext_sensitive": ("high", "privacy_not_included"),
    "third_party_identifiers": ("medium", "concerns"),
    "pre_consent_identifiers": ("medium", "concerns"),
    "ad_id_bridging": ("medium", "concerns"),
    "undeclared_sharing": ("medium", "concerns"),
    "weak_disclosure": ("medium", "concerns"),
    "tls_refused": ("info", ""),
    "proxy_bypass": ("info", ""),
    "sdk_not_seen": ("info", ""),
}


# the order in which a data flow's rules are tried: the first that fires becomes its reason, the others `also`
PRIORITY = ("health_to_tracker", "broken_promise", "undeclared_when_none_shared", "cleartext_sensitive",
            "pre_consent_identifiers", "third_party_identifiers", "ad_id_bridging", "undeclared_sharing",
            "weak_disclosure")
INFO_KINDS = ("tls_refused", "proxy_bypass", "sdk_not_seen")


def _is_third(df: DataFlow) -> bool:
    return df.recipient.party in ("third", "unknown")


def _who(df: DataFlow) -> str:
    r = df.recipient
    return f"{r.entity} ({r.domain})" if r.entity else r.domain


def _what(df: DataFlow) -> str:
    return what_name(df.data_type, df.details)


def _finding(rule: str, summary: str, evidence: list[Evidence], policy_evidence=()) -> Finding:
    severity, _ = RULES[rule]
    return Finding(kind=rule, severity=severity, summary=summary, evidence=list(evidence)[:MAX_EVIDENCE],
                   policy_evidence=list(policy_evidence))


def _flow_rules(df: DataFlow, ds: dict) -> list[Finding]:
    """Every judging rule one data flow meets."""
    out: list[Finding] = []
    if _is_third(df):
        cats = set(df.recipient.categories)
        if df.data_type in HEALTH_TYPES and cats & TRACKING_CATEGORIES:
            kinds = "/".join(sorted(cats & TRACKING_CATEGORIES))
            article = "an" if kinds[0] in "aeiou" else "a"
            out.append(_finding("health_to_tracker", f"{_what(df)} sent to {_who(df)}, {article} {kinds} company",
                                df.evidence))
        if df.consistency == "incorrect":
            quote = df.policy_evidence[0].sentence if df.policy_evidence else ""
            out.append(_finding("broken_promise", f"{_what(df)} sent to {_who(df)} although the policy says: “{quote}”",
                                df.evidence, df.policy_evidence))
        if df.data_safety == "undeclared":
            if ds.get("no_data_shared"):
                out.append(_finding("undeclared_when_none_shared",
                                    f"{_what(df)} shared with {_who(df)} while the Data-safety form says no data is shared",
                                    df.evidence))
            else:
                out.append(_finding("undeclared_sharing",
                                    f"{_what(df)} shared with {_who(df)} but not declared in the Data-safety form",
                                    df.evidence))
        if df.consistency in ("omitted", "vague", "ambiguous"):
            how = {"omitted": "no statement of the policy covers it",
                   "vague": "the policy discloses it only in broad terms",
                   "ambiguous": "the policy both allows and denies it"}[df.consistency]
            out.append(_finding("weak_disclosure", f"{_what(df)} sent to {_who(df)}: {how}", df.evidence,
                                df.policy_evidence))
        if df.data_type in IDENTIFIER_TYPES and (cats & TRACKING_CATEGORIES or not df.recipient.entity):
            out.append(_finding("third_party_identifiers", f"{_what(df)} sent to {_who(df)}", df.evidence))
            early = [e for e in df.evidence if e.phase == "pre_consent"]
            if early:
                out.append(_finding("pre_consent_identifiers",
                                    f"{_what(df)} sent to {_who(df)} before any interaction or consent", early))
    # data sent in clear text (any recipient, the app's own backend included)
    if df.data_type in HEALTH_TYPES | {"personal_info.email"} and df.cleartext:
        clear = [e for e in df.evidence if (e.url or "").startswith("http://")]
        out.append(_finding("cleartext_sensitive", f"{_what(df)} sent to {_who(df)} over cleartext HTTP",
                            clear or df.evidence))
    return out


def judgements(report: Report) -> list[tuple[Finding, list[str]]]:
    """One judging finding per data flow (its strongest rule) and per company for ad-ID bridging, each with the
    weaker rules the same flow also meets."""
    ds = report.data_safety or {}
    rank = {rule: i for i, rule in enumerate(PRIORITY)}
    out: list[tuple[Finding, list[str]]] = []
    for df in report.data_flows:
        hits = sorted(_flow_rules(df, ds), key=lambda f: rank[f.kind])
        if hits:
            out.append((hits[0], list(dict.fromkeys(f.kind for f in hits[1:] if f.kind != hits[0].kind))))
    out += [(f, []) for f in _bridging(report)]
    return out


def derive_findings(report: Report) -> list[Finding]:
    """Facts worth a reader's attention that do not judge the app (the label's reasons hold the judgements, each
    data flow once): refused TLS, traffic that bypassed the proxy, tracker SDKs that sent nothing observed."""
    out: list[Finding] = []
    cov = report.coverage
    if cov.failed_tls:
        out.append(Finding(kind="tls_refused", severity="info",
                           summary=f"{cov.failed_tls} TLS connection(s) refused interception (certificate pinning suspected): "
                                   + ", ".join(cov.failed_tls_hosts[:10])))
    if cov.pcap_only:
        out.append(Finding(kind="proxy_bypass", severity="info",
                           summary=f"{cov.pcap_only} connection(s) seen only in the packet capture (not through the proxy): "
                                   + ", ".join(cov.pcap_only_hosts[:10])))
    if report.static:
        seen = {c.entity for c in report.contacts if c.entity}
        missing = sorted({t.get("entity") for t in report.static.get("trackers", []) if t.get("entity")} - seen)
        if missing:
            out.append(Finding(kind="sdk_not_seen", severity="info",
                               summary="tracker SDKs in the APK that sent nothing observed: " + ", ".join(missing)))
    return out


def _bridging(report: Report) -> list[Finding]:
    """The advertising ID sent with a persistent ID to the same company."""
    by_entity: dict[str, list[DataFlow]] = {}
    for df in report.data_flows:
        if _is_third(df):
            by_entity.setdefault(df.recipient.entity or df.recipient.domain, []).append(df)
    out = []
    for who, dfs in by_entity.items():
        ad = [df for df in dfs if df.data_type == "device_ids" and "advertising_id" in df.details]
        if not ad:
            continue
        persistent = [df for df in dfs if df.data_type in PERSISTENT_TYPES
                      or set(df.details) & PERSISTENT_DETAILS]
        if persistent:
            kinds = sorted({d for df in persistent for d in df.details if d != "advertising_id"} or
                           {df.data_type for df in persistent})
            names = list(dict.fromkeys(detail_name(k) if "." not in k else data_type_name(k) for k in kinds))
            ev = ad[0].evidence[:3] + [e for df in persistent for e in df.evidence
                                      if e.location not in {x.location for x in ad[0].evidence}][:5]
            out.append(_finding("ad_id_bridging",
                                f"{who} receives the advertising ID together with persistent identifiers "
                                f"({', '.join(names)})", ev))
    return out


def received(report: Report) -> list[dict]:
    """One sentence per company (or unknown domain) that received data: 'Meta received: pregnancy, advertising ID,
    hashed e-mail'. The app's own servers are left out."""
    by: dict[str, list[DataFlow]] = {}
    for df in report.data_flows:
        if df.recipient.party != "first":
            by.setdefault(df.recipient.entity or df.recipient.domain, []).append(df)
    out = []
    for who, dfs in by.items():
        items: list[str] = []
        for df in dfs:
            for n in ([detail_name(d) for d in df.details] or [data_type_name(df.data_type)]):
                if n not in items:
                    items.append(n)
        out.append({"recipient": who, "party": dfs[0].recipient.party,
                    "summary": phrase("received", who=who, what=", ".join(items))})
    return out


def _limits(report: Report) -> list[str]:
    cov = report.coverage
    lim = []
    if cov.simulated:
        lim.append("the app was simulated (a scripted scenario), not a real app run")
    if cov.duration_s is not None:
        lim.append(f"observed for {cov.duration_s:.0f} s" if cov.duration_s >= 10 else f"observed for {cov.duration_s:.1f} s")
    phases = [p for p in ("pre_consent", "interaction", "background") if cov.phases.get(p)]
    phases += sorted(p for p in cov.phases if p not in phases and cov.phases[p])
    if phases:                                   # a capture made elsewhere has none: say nothing rather than 0
        lim.append(f"phases observed: {', '.join(phases)}")
    lim.append(f"{cov.http_flows} requests intercepted, {cov.failed_tls} TLS connections refused interception, "
               f"{cov.pcap_only} seen only in the packet capture")
    guess = (report.app or {}).get("inferred")
    if guess:
        own = ", ".join(guess.get("first_party_domains") or {}) or "none found"
        lim.append(f"the app was not named: its id ({guess.get('app_id') or 'unknown'}) and own domains ({own}) were "
                   "inferred from the traffic; give --app-id or --first-party to set them")
    lim.append("only what the app sent during the capture is judged; other features may send more")
    bounds = dict(report.input.bounds_hit)
    opaque = bounds.pop(OPAQUE_PAYLOAD, 0)
    if opaque:                              # nothing inside them could be searched: the label cannot speak for them
        lim.append(f"{opaque} request bodies were opaque (encrypted, or a binary format hpa cannot read): what "
                   "they carry was not judged")
    if bounds:
        lim.append("decoding stopped at a bound in some requests (" +
                   ", ".join(f"{k}: {n}" for k, n in sorted(bounds.items())) + "): fields past it were not searched")
    for f in report.input.files:            # records the readers could not read: what the label did not see
        if f.get("read"):
            lim.append(f"{Path(f['path']).name}: {f['read']}")
    return lim


def decide_label(report: Report) -> Label:
    """The strongest verdict reached by any rule, every fired rule as a reason with its evidence."""
    reasons = [Reason(rule=f.kind, verdict=RULES[f.kind][1], summary=f.summary, evidence=f.evidence,
                      policy_evidence=f.policy_evidence, also=also) for f, also in judgements(report)]
    cov = report.coverage
    verdict = max((r.verdict for r in reasons), key=VERDICT_RANK.__getitem__, default="no_issues_observed")
    if VERDICT_RANK[verdict] < VERDICT_RANK["concerns"]:
        too_few = cov.http_flows < MIN_HTTP_FLOWS
        mostly_failed = cov.failed_tls > 0 and cov.failed_tls >= cov.intercepted_tls
        if too_few or mostly_failed:
            why = (f"only {cov.http_flows} request(s) intercepted (fewer than {MIN_HTTP_FLOWS})" if too_few else
                   f"{cov.failed_tls} TLS connections refused interception against {cov.intercepted_tls} intercepted")
            reasons.append(Reason(rule="too_little_seen", verdict="inconclusive", summary=why))
            verdict = "inconclusive"
    reasons.sort(key=lambda r: -VERDICT_RANK[r.verdict])
    return Label(verdict=verdict, reasons=reasons, limits=_limits(report), received=received(report))
