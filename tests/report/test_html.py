"""The HTML report in a real headless Chromium: it renders, shows the label, runs no captured script, calls no one."""

import pytest

from analyzer.model import Contact, Coverage, DataFlow, Evidence, InputStats, Label, Recipient, Report
from analyzer.report import report_dict
from analyzer.report.html import render_html
from analyzer.verdict import decide_label, derive_findings

from .chromium import CHROMIUM, render

HOSTILE = '<script>document.title="PWNED"</script><img src=x onerror="document.body.dataset.pwned=1">javascript:alert(1)'


def hostile_report():
    rcpt = Recipient(entity="Meta", domain="facebook.com", party="third", categories=["advertising"])
    evil = Recipient(entity=None, domain='x"><script>alert(1)</script>.example', party="third")
    ev = Evidence(flow_id="f-1", location="body.form.custom_events|json[0]._eventName", excerpt=HOSTILE,
                  method="event_name", url="https://graph.facebook.com/v16.0/1/activities?x=" + HOSTILE, phase="pre_consent")
    r = Report(app={"id": "org.hpa.<b>demo</b>", "name": HOSTILE}, input=InputStats(),
               contacts=[Contact(host="graph.facebook.com", domain="facebook.com", party="third", entity="Meta")],
               data_flows=[DataFlow("health_fitness.health", rcpt, details=[HOSTILE], evidence=[ev], evidence_count=1),
                           DataFlow("device_ids", evil, details=["advertising_id"], evidence=[ev], evidence_count=3)],
               findings=[], label=Label("no_issues_observed"),
               coverage=Coverage(flows=9, http_flows=9, intercepted_tls=9, phases={"pre_consent": 9}))
    r.findings = derive_findings(r)
    r.label = decide_label(r)
    return r


def test_hostile_payload_is_escaped_in_the_markup():
    html = render_html(report_dict(hostile_report()))
    assert "<script>document.title" not in html
    assert "&lt;script&gt;document.title" in html
    assert 'onerror="document' not in html


@pytest.mark.skipif(not CHROMIUM, reason="chromium not installed (apt-get install chromium)")
def test_report_renders_in_chromium_without_script_or_network(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_html(report_dict(hostile_report())), encoding="utf-8")
    dom, urls = render(page)
    assert 'data-verdict="privacy_not_included"' in dom
    assert "PRIVACY NOT INCLUDED" in dom
    assert dom.split("<title>")[1].split("</title>")[0].startswith("hpa report:")   # the injected script never set it
    assert "data-pwned" not in dom
    assert 'class="main-svg"' in dom or "sankey" in dom and "<svg" in dom   # the diagram was drawn by our script
    assert urls == []


@pytest.mark.skipif(not CHROMIUM, reason="chromium not installed (apt-get install chromium)")
def test_network_check_sees_a_page_request(tmp_path):
    """Control: the net-log check does catch a request a page makes (else the test above proves nothing)."""
    page = tmp_path / "leaky.html"
    page.write_text('<html><body><img src="http://127.0.0.1:9/pixel.png"></body></html>')
    _, urls = render(page)
    assert urls == ["http://127.0.0.1:9/pixel.png"]


def test_markup_in_names_never_becomes_a_link_or_element():
    html = render_html(report_dict(hostile_report()))
    body = html.split("<body>", 1)[1]
    assert "<a " not in body.replace('<a class="mono" href="#req-', "")   # only the viewer's in-page links
    assert "<b>demo</b>" not in html and "&lt;b&gt;demo&lt;/b&gt;" in html
    assert "<script" not in html                                            # the page carries no script at all


def test_page_stays_small_with_many_data_flows():
    rcpt = [Recipient(entity=None, domain=f"tracker{i}.example", party="unknown") for i in range(120)]
    ev = [Evidence(flow_id=f"f-{i}", location="body.json.x", excerpt="x" * 120, method="key",
                   url="https://t.example/" + "p" * 200) for i in range(25)]
    r = Report(app={"id": "org.big"}, input=InputStats(), contacts=[], findings=[], label=Label("concerns"),
               data_flows=[DataFlow("device_ids", x, details=["android_id"], evidence=ev, evidence_count=25) for x in rcpt],
               coverage=Coverage(flows=3000, http_flows=3000, intercepted_tls=3000))
    r.label = decide_label(r)
    assert len(render_html(report_dict(r)).encode()) < 1_500_000
