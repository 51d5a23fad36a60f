"""The rig itself: the fake backend answers over TLS that only our throw-away CA vouches for."""

from __future__ import annotations

import ssl

import httpx
import pytest

from tests.rig.fake_backend import Reply


def test_fake_backend_serves_usage_over_tls_and_logs_headers(backend, local_tls):
    with httpx.Client(verify=ssl.create_default_context(cafile=str(local_tls.ca_pem))) as client:
        r = client.get(backend.url + "/backend-api/wham/usage", headers={"Authorization": "Bearer x"})
    assert r.status_code == 200
    assert r.json()["rate_limit"]["primary_window"]["used_percent"] == 42
    assert backend.requests_to("/wham/usage")[0]["headers"]["authorization"] == "Bearer x"


def test_fake_backend_is_not_trusted_without_our_ca(backend):
    with pytest.raises(httpx.ConnectError):
        httpx.get(backend.url + "/backend-api/wham/usage", verify=True)


def test_fake_backend_can_fail_on_demand(backend, local_tls):
    backend.set_usage(Reply(status=503, body="down"))
    r = httpx.get(backend.url + "/backend-api/wham/usage", verify=ssl.create_default_context(cafile=str(local_tls.ca_pem)))
    assert r.status_code == 503 and r.text == "down"
