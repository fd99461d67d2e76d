"""Label rules on hand-built reports: each rule fires on its case and only there."""

from analyzer.model import (Contact, Coverage, DataFlow, Evidence, InputStats, Label, PolicyEvidence, Recipient,
                            Report)
from analyzer.verdict import decide_label, derive_findings


def ev(phase="interaction", url="https://graph.facebook.com/v16.0/1/activities", loc="body.form.x"):
    return Evidence(flow_id="f1", location=loc, excerpt="x=1", method="key", url=url, phase=phase)


def meta_rcpt(categories=("advertising", "analytics")):
    return Recipient(entity="Meta", domain="facebook.com", party="third", categories=list(categories))


def report(*flows, cov=None, data_safety=None, static=None):
    cov = cov or Coverage(flows=20, http_flows=20, intercepted_tls=20, phases={"interaction": 20})
    r = Report(app={"id": "org.x"}, input=InputStats(), contacts=[], data_flows=list(flows), findings=[],
               label=Label("no_issues_observed"), coverage=cov, data_safety=data_safety, static=static)
    r.findings = derive_findings(r)
    r.label = decide_label(r)
    return r


def rules(r):
    return {x.rule for x in r.label.reasons}


def test_health_to_advertiser_is_privacy_not_included_with_evidence():
    r = report(DataFlow("health_fitness.health", meta_rcpt(), details=["pregnancy"], evidence=[ev()]))
    assert r.label.verdict == "privacy_not_included"
    reason = next(x for x in r.label.reasons if x.rule == "health_to_tracker")
    assert reason.evidence[0].flow_id == "f1" and "pregnancy" in reason.summary and "Meta" in reason.summary


def test_health_to_first_party_or_crash_reporter_is_not_flagged():
    first = Recipient(entity=None, domain="cycle.example", party="first")
    crash = Recipient(entity="Sentry", domain="sentry.io", party="third", categories=["crash_reporting"])
    r = report(DataFlow("health_fitness.health", first, details=["mood"], evidence=[ev()]),
               DataFlow("health_fitness.health", crash, details=["mood"], evidence=[ev()]))
    assert "health_to_tracker" not in rules(r)
    assert r.label.verdict == "no_issues_observed"


def test_broken_promise_quotes_the_policy_sentence():
    pe = PolicyEvidence(sentence="We never share your health data.", polarity="negative", action="share")
    r = report(DataFlow("health_fitness.health", meta_rcpt(("social",)), consistency="incorrect", evidence=[ev()],
                        policy_evidence=[pe]))
    assert r.label.verdict == "privacy_not_included"
    reason = next(x for x in r.label.reasons if x.rule == "broken_promise")
    assert reason.policy_evidence[0].sentence == pe.sentence and "never share" in reason.summary


def test_undeclared_is_fatal_only_when_the_form_says_nothing_is_shared():
    df = DataFlow("device_ids", meta_rcpt(("social",)), details=["android_id"], data_safety="undeclared", evidence=[ev()])
    assert report(df, data_safety={"no_data_shared": True}).label.verdict == "privacy_not_included"
    df2 = DataFlow("device_ids", meta_rcpt(("social",)), details=["android_id"], data_safety="undeclared", evidence=[ev()])
    r = report(df2, data_safety={"no_data_shared": False})
    assert r.label.verdict == "concerns" and "undeclared_sharing" in rules(r)


def test_cleartext_email_even_to_first_party():
    first = Recipient(entity=None, domain="notes.example", party="first")
    r = report(DataFlow("personal_info.email", first, cleartext=True,
                        evidence=[ev(url="https://notes.example/a"), ev(url="http://notes.example/login")]))
    reason = next(x for x in r.label.reasons if x.rule == "cleartext_sensitive")
    assert [e.url for e in reason.evidence] == ["http://notes.example/login"]


def test_identifiers_pre_consent_and_bridging_are_concerns():
    ad = DataFlow("device_ids", meta_rcpt(), details=["advertising_id", "android_id"],
                  evidence=[ev(phase="pre_consent", loc="body.form.advertiser_id")])
    r = report(ad)
    assert r.label.verdict == "concerns"
    # one reason for the data flow (its strongest rule), the weaker rule it also meets named in `also`
    assert rules(r) == {"pre_consent_identifiers", "ad_id_bridging"}
    pre = next(x for x in r.label.reasons if x.rule == "pre_consent_identifiers")
    assert all(e.phase == "pre_consent" for e in pre.evidence) and pre.also == ["third_party_identifiers"]


def test_ad_id_alone_is_not_bridging():
    r = report(DataFlow("device_ids", meta_rcpt(), details=["advertising_id"], evidence=[ev()]))
    assert "ad_id_bridging" not in rules(r)


def test_vague_disclosure_is_a_concern():
    r = report(DataFlow("location.approximate", Recipient("Acme", "acme.example", "third", ["customer_support"]),
                        consistency="vague", evidence=[ev()]))
    assert "weak_disclosure" in rules(r) and r.label.verdict == "concerns"


def test_too_little_seen_is_inconclusive_but_evidence_still_wins():
    few = Coverage(flows=2, http_flows=2, intercepted_tls=2)
    assert report(cov=few).label.verdict == "inconclusive"
    pinned = Coverage(flows=30, http_flows=10, intercepted_tls=10, failed_tls=12, failed_tls_hosts=["a.example"])
    r = report(cov=pinned)
    assert r.label.verdict == "inconclusive" and any(f.kind == "tls_refused" for f in r.findings)
    assert report(DataFlow("health_fitness.fitness", meta_rcpt(), evidence=[ev()]), cov=few).label.verdict == \
        "privacy_not_included"


def test_clean_report_states_its_limits():
    r = report(cov=Coverage(flows=10, http_flows=10, intercepted_tls=10, duration_s=60, simulated=True,
                            phases={"pre_consent": 3, "interaction": 7}))
    assert r.label.verdict == "no_issues_observed" and not r.label.reasons
    text = " ".join(r.label.limits)
    assert "simulated" in text and "60 s" in text and "pre_consent" in text


def test_phases_are_mentioned_only_when_observed():
    r = report(cov=Coverage(flows=10, http_flows=10, intercepted_tls=10))          # a HAR made elsewhere
    assert not any("phase" in lim for lim in r.label.limits)


def test_one_reason_per_data_flow_and_findings_do_not_repeat_it():
    pe = PolicyEvidence(sentence="We never share your health data.", polarity="negative", action="share")
    health = DataFlow("health_fitness.health", meta_rcpt(), details=["pregnancy", "menstruation"],
                      consistency="incorrect", data_safety="undeclared", evidence=[ev()], policy_evidence=[pe])
    ids = DataFlow("device_ids", meta_rcpt(), details=["advertising_id"], consistency="omitted", evidence=[ev()])
    r = report(health, ids, data_safety={"no_data_shared": False})
    assert [x.rule for x in r.label.reasons] == ["health_to_tracker", "third_party_identifiers"]
    assert r.label.reasons[0].also == ["broken_promise", "undeclared_sharing"]
    assert r.label.reasons[1].also == ["weak_disclosure"]
    assert r.findings == []                    # the judgements are the reasons; findings keep the other facts


def test_labels_speak_plainly_in_english_and_french(monkeypatch):
    ids = DataFlow("device_ids", meta_rcpt(), details=["advertising_id"], evidence=[ev()])
    email = DataFlow("personal_info.email", meta_rcpt(), details=["email_sha256"], evidence=[ev()])
    health = DataFlow("health_fitness.health", meta_rcpt(), details=["menstruation"], evidence=[ev()])
    r = report(health, ids, email)
    assert r.label.received == [{"recipient": "Meta", "party": "third",
                                 "summary": "Meta received: period events, advertising ID, hashed e-mail"}]
    text = " ".join(x.summary for x in r.label.reasons)
    assert "health information (period events)" in text and "health_fitness" not in text and "_id" not in text
    monkeypatch.setenv("HPA_LANG", "fr")
    fr = report(health, ids, email)
    assert fr.label.received[0]["summary"] == "Meta a reçu : événements de règles, identifiant publicitaire, e-mail haché"


def test_every_detail_and_data_type_has_a_name_in_both_languages():
    import csv
    from pathlib import Path

    from analyzer.model import DATA_TYPES
    from analyzer.verdict.names import DATA, _names

    rows = [ln for ln in (Path(DATA).parent / "detect" / "details.csv").read_text().splitlines()
            if ln and not ln.startswith("#")]
    details = {r["details"] for r in csv.DictReader(rows)} - {"custom:<label>"}
    for lang in ("en", "fr"):
        names = _names(lang)
        assert set(DATA_TYPES) <= set(names["data_types"]), lang
        assert details <= set(names["details"]), (lang, details - set(names["details"]))


def test_sdk_in_apk_but_silent_is_reported():
    r = report(static={"trackers": [{"entity": "AppsFlyer"}]})
    assert any(f.kind == "sdk_not_seen" and "AppsFlyer" in f.summary for f in r.findings)


def test_opaque_bodies_and_decoding_bounds_are_limits_of_the_label():
    """Issue 16: a body nothing could be searched in (encrypted-looking) is said, with the bounds decoding hit."""
    r = report()
    assert not any("opaque" in x or "bound" in x for x in r.label.limits)
    r.input.bounds_hit = {"opaque_payload": 3, "max_depth": 2}
    lim = decide_label(r).limits
    assert any(x.startswith("3 request bodies were opaque") for x in lim)
    assert any("max_depth: 2" in x and "opaque" not in x for x in lim)
