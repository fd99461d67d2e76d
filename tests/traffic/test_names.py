"""Which candidate names a host: `is_ip` answers as the ipaddress module does, without raising for every name."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from analyzer.traffic.names import host_name, is_ip


def _ipaddress_says(host: str) -> bool:
    if host.startswith("[") and host.endswith("]") and len(host) > 1:       # brackets only as a pair around it
        host = host[1:-1]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@given(st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
    st.text(alphabet="0123456789.:abcdefABCDEFxyz-[]%", max_size=45),
    st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z0-9-]{1,12}){0,3}", fullmatch=True),
))
def test_is_ip_agrees_with_ipaddress(host: str) -> None:
    assert is_ip(host) == _ipaddress_says(host)


def test_host_name_prefers_a_name_to_an_address() -> None:
    assert host_name("203.0.113.7", None, "api.example.com") == "api.example.com"
    assert host_name("[2001:db8::1]", "", "2001:db8::1") == "[2001:db8::1]"
    assert host_name(None, "") == ""


@given(st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=4).map(lambda a: f"https://{a}:443/x?y=1"),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]:8443"),
    st.text(alphabet="0123456789.:abcdefABCDEFxyz-[]%/@?", max_size=45),
))
def test_the_recipients_is_ip_is_the_traffic_one_after_normalizing(host: str) -> None:
    """One test of addresses in the code (recipients' answered differently on garbage such as '1.2.3.4]')."""
    from analyzer.recipients.domains import is_ip as recipients_is_ip, normalize_host

    assert recipients_is_ip(host) == _ipaddress_says(normalize_host(host))
