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
