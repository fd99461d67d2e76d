"""First / third party / service provider / unknown, from the package name, apps.csv, the APK and the policy."""

from __future__ import annotations

import pytest

from analyzer.recipients import Recipients, package_domains, registrable_domain


def party(r: Recipients, host: str) -> tuple[str, str | None]:
    c = r.contact(host)
    return c.party, c.entity


def test_package_name_gives_candidate_domains_and_labels():
    assert package_domains("com.flo.health") == (["flo.com", "flo.health"], ["flo", "flohealth"])
    assert package_domains("fr.doctolib.www")[0] == ["doctolib.fr"]
    assert package_domains("com.example.app")[0][0] == "example.com"
    assert package_domains("com.my.fitness") == ([], [])        # 'my' says nothing about the owner
    assert package_domains(None) == ([], []) and package_domains("single") == ([], [])


def test_flo_like_app():
    r = Recipients("com.flo.health")
    c = r.contact("api.flo.health")
    assert (c.host, c.domain, c.party, c.entity, c.categories) == ("api.flo.health", "flo.health", "first", None, [])
    assert party(r, "static.flohealth.com") == ("first", None)      # label 'flohealth'
    assert party(r, "graph.facebook.com") == ("third", "Meta")
    assert r.contact("graph.facebook.com").categories == ["advertising", "analytics"]
    assert party(r, "inapps.appsflyer.com") == ("third", "AppsFlyer")
    assert party(r, "d3kfx1.cloudfront.net") == ("service_provider", "Amazon")
    assert party(r, "storage.googleapis.com") == ("service_provider", "Google")
    assert party(r, "maps.googleapis.com") == ("third", "Google")
    assert party(r, "collector.unknown-adnet.io") == ("unknown", None)   # unknown: kept, never dropped
    assert r.contact("collector.unknown-adnet.io").domain == "unknown-adnet.io"


@pytest.mark.parametrize("host", ["157.240.1.35", "10.0.2.2", "2a03:2880:f12f:83:face:b00c:0:25de", "[2001:db8::1]:443", "1.2.3.4:8080"])
def test_bare_ips_are_unknown(host):
    c = Recipients("com.flo.health").contact(host)
    assert (c.party, c.entity, c.categories) == ("unknown", None, [])
    assert c.host == host


def test_reversed_package_names():
    assert party(Recipients("com.example.app"), "api.example.com") == ("first", None)
    r = Recipients("fr.doctolib.www")
    assert party(r, "www.doctolib.fr") == ("first", None)
    assert party(r, "api.doctolib.de") == ("first", None)
    assert party(r, "doctolib.fr.evil.example") == ("unknown", None)


def test_apps_csv_domains_are_first_party_even_on_a_provider():
    r = Recipients("org.hpa.demo.cycle", first_party_domains=["cycletrack.example", "https://api.mybackend.io/v2",
                                                              "hpa-cycle.firebaseio.com"])
    assert party(r, "cycletrack.example") == ("first", None)
    assert party(r, "eu.cycletrack.example") == ("first", None)
    assert party(r, "api.mybackend.io") == ("first", None)
    assert party(r, "other.mybackend.io") == ("unknown", None)        # the user named one host, not the domain
    assert party(r, "hpa-cycle.firebaseio.com") == ("first", "Google")
    assert party(r, "someone-else.firebaseio.com") == ("service_provider", "Google")
    assert "given as a first-party domain" in r.explain("cycletrack.example")


def test_apk_hosts_count_unless_they_are_known_companies_or_generic():
    static = {"hosts": ["https://api.cycle-backend.net/v1/sync", "graph.facebook.com", "http://www.w3.org/2000/svg",
                        "schemas.android.com", "sdk.iad-01.braze.com", "10.0.0.1", "not a host"]}
    r = Recipients("org.hpa.demo.cycle", static=static)
    assert party(r, "api.cycle-backend.net") == ("first", None)
    assert party(r, "cdn.cycle-backend.net") == ("first", None)
    assert r.explain("cdn.cycle-backend.net") == "host found in the APK"
    assert party(r, "graph.facebook.com") == ("third", "Meta")
    assert party(r, "sdk.iad-01.braze.com") == ("third", "Braze")
    assert party(r, "www.w3.org") == ("unknown", None)
    assert set(r.first_party_domains) == {"hpa.org", "cycle-backend.net"}   # hpa.org: the package name


def test_policy_contact_domains_and_emails():
    policy = {"contact_domains": ["https://www.cyclecorp.eu/privacy"], "first_party_domains": ["cycle-cdn.net"],
              "claims": [{"sentence": "Write to dpo@cycle-legal.fr or cycle.help@gmail.com; ads by privacy@facebook.com"}]}
    r = Recipients("org.hpa.demo.cycle", policy=policy)
    assert party(r, "api.cyclecorp.eu") == ("first", None)
    assert party(r, "img.cycle-cdn.net") == ("first", None)
    assert party(r, "cycle-legal.fr") == ("first", None)
    assert party(r, "mail.gmail.com") == ("unknown", None)             # a webmail address is not the controller's
    assert party(r, "www.facebook.com") == ("third", "Meta")
    assert "privacy policy" in r.explain("cycle-legal.fr")


def test_a_company_s_own_domains_are_first_party_for_its_own_apps():
    g = Recipients("com.google.android.apps.fitness")
    assert party(g, "www.google.com") == ("first", "Google")
    assert party(g, "app-measurement.com") == ("first", "Google")
    assert party(g, "graph.facebook.com") == ("third", "Meta")
    m = Recipients("com.facebook.katana")
    assert party(m, "graph.facebook.com") == ("first", "Meta")
    assert party(m, "app-measurement.com") == ("third", "Google")
    assert party(Recipients("com.my.fitness"), "target.my.com") == ("third", "VK")


def test_contacts_are_fresh_objects_and_lookups_cached():
    r = Recipients("com.flo.health")
    c = r.contact("graph.facebook.com")
    c.flows += 3
    c.phases.append("background")
    again = r.contact("graph.facebook.com")
    assert again.flows == 0 and again.phases == [] and again is not c
    assert "graph.facebook.com" in r._cache


def test_registrable_domain():
    assert registrable_domain("sdk.iad-01.braze.com") == "braze.com"
    assert registrable_domain("a.b.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("API.Flo.Health.") == "flo.health"
    assert registrable_domain("d1.cloudfront.net") == "cloudfront.net"
    assert registrable_domain("localhost") == "localhost"
    assert registrable_domain("192.168.0.1") == "192.168.0.1"
    assert registrable_domain("[::1]:8080") == "::1"
