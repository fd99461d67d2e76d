"""The real proxy of tests/traffic (mitmproxy in-process over real TLS, flows written by its FlowWriter)."""

from tests.traffic.conftest import real_proxy, stop  # noqa: F401  (fixtures)
