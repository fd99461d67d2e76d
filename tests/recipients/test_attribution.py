"""Every contact says how its company was decided (`attribution: {method, source}`), from the lists, the DNS
CNAME chain, the APK, the SDK's marks on the request, the TLS certificate, or (categories only) the data received.

Flows are model.Flow objects as the readers build them (TLS certificate fields, CNAME chains of pcap DNS answers),
run through the real Accumulator, detector and finalization of the pipeline."""

from __future__ import annotations

from analyzer.decode import DEFAULT_LIMITS
from analyzer.detect import Detector
from analyzer.detect.persona import Persona
from analyzer.model import Flow, TLSInfo
from analyzer.pipeline import Accumulator
from analyzer.recipients import Recipients

AAID = "38400000-8cf0-11bd-b23e-10b96e40000d"


def _http(fid: str, host: str, path: str = "/collect", query: str = "", headers=(), body: b"" = b"", tls=None) -> Flow:
    return Flow(id=fid, host=host, method="POST" if body else "GET", path=path, query=query,
                request_headers=list(headers), request_body=body, tls=tls, origin="proxy", status=200)


def _dns(fid: str, host: str, cnames: list[str]) -> Flow:
    return Flow(id=fid, host=host, kind="dns", origin="pcap", port=53, scheme="dns", cnames=cnames)


def _run(flows, app_id="org.cycle.app", first_party=("cycle.example",), static=None):
    rec = Recipients(app_id, first_party_domains=first_party, static=static)
    acc = Accumulator(rec, Detector(Persona(advertising_id=AAID)), DEFAULT_LIMITS)
    for f in flows:
        acc.add(f)
    acc.data_flows, acc.evidence_counts = rec.finalize(acc.contacts, acc.data_flows, acc.evidence_counts, acc.clues)
    return acc


def test_a_listed_domain_names_its_file_and_owners(kb):
    c = Recipients("org.cycle.app").contact("ads.mopub.com")
    assert (c.entity, c.party, c.attribution.method, c.owners) == ("MoPub", "third", "domain_list", ["AppLovin"])
    assert c.attribution.source == "companies/advertising.json: mopub.com"
    assert kb.owner_chain("MoPub") == ["MoPub", "AppLovin"]
    assert kb.owner_chain("Tapjoy")[1:] == ["ironSource", "Unity"]
    imported = Recipients("org.cycle.app").contact("mmtro.com")          # only the imported WhoTracksMe list has it
    assert imported.entity == "1000mercis" and imported.attribution.source.startswith("lists/whotracksme-2018-05.json")


def test_cname_cloaking_a_first_party_name_goes_to_the_tracker_even_when_the_cname_comes_later():
    acc = _run([
        _http("f1", "metrics.cycle.example", query=f"aaid={AAID}&p=home"),
        _http("f2", "api.cycle.example", query=f"aaid={AAID}"),
        _dns("p1", "metrics.cycle.example", ["cycle.example.eulerian.net", "et5.eulerian.net"]),
    ])
    cloaked, own = acc.contacts["metrics.cycle.example"], acc.contacts["api.cycle.example"]
    assert (cloaked.entity, cloaked.party, cloaked.attribution.method) == ("Eulerian", "third", "dns_cname")
    assert cloaked.owners == []                      # independent: its parent is itself
    assert "metrics.cycle.example -> cycle.example.eulerian.net" in cloaked.attribution.source
    assert (own.entity, own.party, own.attribution) == (None, "first", None)
    # the advertising ID sent to the cloaked name is now a data flow to Eulerian; the app's own stays its own
    recips = {(k[0], df.recipient.entity, df.recipient.party) for k, df in acc.data_flows.items()}
    assert ("device_ids", "Eulerian", "third") in recips
    assert ("device_ids", None, "first") in recips
    moved = acc.data_flows[("device_ids", "Eulerian")]
    assert [e.flow_id for e in moved.evidence] == ["f1"] and acc.evidence_counts[("device_ids", "Eulerian")] == 1


def test_a_cname_to_a_cdn_is_hosting_not_cloaking():
    acc = _run([_http("f1", "img.cycle.example"), _dns("p1", "img.cycle.example", ["d111abc.cloudfront.net"])])
    c = acc.contacts["img.cycle.example"]
    assert (c.entity, c.party, c.attribution) == (None, "first", None)


def test_sdk_fingerprint_names_an_unknown_host_but_never_a_self_hosted_first_party_one():
    hdr = [("X-Umeng-Sdk", "Android/9.6.3"), ("Content-Type", "application/octet-stream")]
    acc = _run([_http("f1", "alog.new-umeng-region.cn", path="/unify_logs", headers=hdr, body=b"\x00\x01"),
                _http("f2", "stats.cycle.example", path="/unify_logs", headers=hdr, body=b"\x00\x01"),
                _http("f3", "sdk.unknown-analytics.io", headers=[("User-Agent", "okhttp/4.9")])])
    c = acc.contacts["alog.new-umeng-region.cn"]
    assert (c.entity, c.party, c.attribution.method) == ("Umeng", "third", "sdk_fingerprint")
    assert "x-umeng-sdk" in c.attribution.source and "flow f1" in c.attribution.source
    assert acc.contacts["stats.cycle.example"].party == "first" and acc.contacts["stats.cycle.example"].entity is None
    assert acc.contacts["sdk.unknown-analytics.io"].entity is None


def test_fingerprints_in_user_agent_body_key_and_path():
    acc = _run([
        _http("a", "graph.fb-new-edge.net", headers=[("User-Agent", "FBAndroidSDK.17.0.0")]),
        _http("b", "track.kv-eu-collector.io", body=b'{"kochava_app_id":"koapp-x","action":"install"}'),
        _http("c", "gcdsdk.af-regional.io", path="/api/v6.3/androidevent", query="app_id=org.cycle.app"),
    ])
    assert [acc.contacts[h].entity for h in ("graph.fb-new-edge.net", "track.kv-eu-collector.io", "gcdsdk.af-regional.io")] \
        == ["Meta", "Kochava", "AppsFlyer"]


def test_hosts_a_list_names_are_not_searched_for_sdk_marks():
    """A listed host keeps its list's company whatever the request carries, so its requests are not searched for
    SDK marks or ad shapes (nearly half of the requests of a session go to listed hosts)."""
    umeng = [("X-Umeng-Sdk", "Android/9.6.3")]
    acc = _run([_http("f1", "graph.facebook.com", headers=umeng, path="/openrtb2/auction"),
                _http("f2", "alog.new-umeng-region.cn", headers=umeng)])
    assert set(acc.clues.fingerprints) == {"alog.new-umeng-region.cn"} and not acc.clues.ad_requests
    fb = acc.contacts["graph.facebook.com"]
    assert (fb.entity, fb.attribution.method) == ("Meta", "domain_list")


def test_tls_certificate_names_shared_with_a_known_host_or_its_organisation():
    shared = TLSInfo(sni="pixel.adsrv-edge.com", cert_org=None, cert_sans=["pixel.adsrv-edge.com", "*.criteo.com", "*.criteo.net"])
    org = TLSInfo(sni="x.unlisted-ads.net", cert_org="Criteo S.A.", cert_sans=["x.unlisted-ads.net"])
    cdn = TLSInfo(sni="y.unlisted-cdn.net", cert_org="Cloudflare, Inc.", cert_sans=["y.unlisted-cdn.net", "sni.cloudflaressl.com", "*.cloudflare.com"])
    mixed = TLSInfo(sni="z.unlisted.net", cert_sans=["z.unlisted.net", "*.criteo.com", "*.doubleclick.net"])
    acc = _run([_http("f1", "pixel.adsrv-edge.com", tls=shared), _http("f2", "x.unlisted-ads.net", tls=org),
                _http("f3", "y.unlisted-cdn.net", tls=cdn), _http("f4", "z.unlisted.net", tls=mixed)])
    a, b = acc.contacts["pixel.adsrv-edge.com"], acc.contacts["x.unlisted-ads.net"]
    assert (a.entity, a.attribution.method) == ("Criteo", "tls_certificate") and "*.criteo.com" in a.attribution.source
    assert (b.entity, b.attribution.method) == ("Criteo", "tls_certificate") and "Criteo S.A." in b.attribution.source
    assert acc.contacts["y.unlisted-cdn.net"].entity is None         # a CDN's certificate names the CDN, not the site
    assert acc.contacts["z.unlisted.net"].entity is None             # two companies: the certificate decides nothing


def test_a_host_written_in_an_sdks_classes_belongs_to_that_sdk_not_to_the_app():
    static = {"hosts": ["cfg.newsdkhost.io", "api.cycle-backend.io"],
              "sdk_hosts": [{"host": "cfg.newsdkhost.io", "class": "com.applovin.impl.sdk.network.a"}]}
    rec = Recipients("org.cycle.app", static=static)
    c = rec.contact("cfg.newsdkhost.io")
    assert (c.entity, c.party, c.attribution.method) == ("AppLovin", "third", "apk_sdk_hosts")
    assert "com.applovin.impl.sdk.network.a" in c.attribution.source
    assert rec.contact("api.cycle-backend.io").party == "first"      # other APK hosts still read as the app's own


def test_unknown_host_that_gets_the_advertising_id_in_an_ad_request_is_advertising_inferred():
    acc = _run([
        _http("f1", "bid.tinyexchange.io", path="/openrtb2/auction",
              body=('{"imp":[{"id":"1"}],"app":{"bundle":"org.cycle.app"},"device":{"ifa":"%s"}}' % AAID).encode()),
        _http("f2", "cfg.tinyexchange.io", path="/config", query="v=2"),
        _http("f3", "stats.other-unknown.io", path="/events", query=f"gaid={AAID}"),
    ])
    c = acc.contacts["bid.tinyexchange.io"]
    assert (c.entity, c.domain, c.party, c.categories) == (None, "tinyexchange.io", "third", ["advertising"])
    assert c.attribution.method == "inferred" and "flow f1" in c.attribution.source
    df = acc.data_flows[("device_ids", "tinyexchange.io")]
    assert df.recipient.categories == ["advertising"] and df.recipient.entity is None
    # the advertising ID alone, without an ad request's shape, infers nothing
    other = acc.contacts["stats.other-unknown.io"]
    assert (other.categories, other.attribution) == ([], None)
    assert acc.contacts["cfg.tinyexchange.io"].categories == []


def test_clues_survive_the_merge_of_parallel_chunks():
    rec = Recipients("org.cycle.app", first_party_domains=("cycle.example",))
    det = Detector(Persona(advertising_id=AAID))
    a, b = Accumulator(rec, det), Accumulator(rec, det)
    a.add(_http("f1", "metrics.cycle.example", query=f"aaid={AAID}"))
    b.add(_dns("p1", "metrics.cycle.example", ["cycle.example.eulerian.net"]))
    a.merge(b)
    a.data_flows, a.evidence_counts = rec.finalize(a.contacts, a.data_flows, a.evidence_counts, a.clues)
    assert a.contacts["metrics.cycle.example"].entity == "Eulerian"
