"""Shared fixtures: one sandbox server per test process (port 0), reset before every test."""

from __future__ import annotations

import ipaddress
import json
import socket
import tempfile
from typing import Any

import pytest
import requests
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches in ./.hypothesis; each test process gets its own folder instead (no shared files).
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="partnersim-hypothesis-"))

from simulators import ServerThread

IMT_MEDIA = "application/vnd.api+json"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only loopback: a test that reaches for the outside world fails loudly (zeep's idea)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise RuntimeError(f"network access to {address!r} is not allowed in tests")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def live(partnersim: ServerThread) -> ServerThread:
    """The plugin's own fixture (demo state, handler errors re-raised): the project eats its cooking."""
    return partnersim


class Imt:
    """A raw HTTP client of the IMT sandbox, to send the design's requests as written."""

    def __init__(self, base: str) -> None:
        self.base = f"{base}/imt"
        self.http = requests.Session()
        self._token = ""

    def token(self, username: str = "sandbox", password: str = "sandbox") -> requests.Response:
        body = {"data": {"type": "Token", "attributes": {"username_or_email": username, "password": password}}}
        return self.http.post(f"{self.base}/users/api/v1/tokens/", data=json.dumps(body),
                              headers={"Content-Type": IMT_MEDIA})

    @property
    def auth(self) -> dict[str, str]:
        if not self._token:
            self._token = self.token().json()["data"]["attributes"]["auth"]
        return {"Authorization": self._token}

    def get(self, path: str, **kw: Any) -> requests.Response:
        headers = {**self.auth, **kw.pop("headers", {})}
        return self.http.get(f"{self.base}/billing{path}", headers=headers, **kw)

    def post(self, path: str, body: Any = None, raw: bytes | None = None, **kw: Any) -> requests.Response:
        headers = {**self.auth, "Content-Type": IMT_MEDIA, **kw.pop("headers", {})}
        data = raw if raw is not None else json.dumps(body)
        return self.http.post(f"{self.base}/billing{path}", data=data, headers=headers, **kw)

    def pay(self, payment_id: str, amount: float, account: str = "ACCT0001", **attrs: Any) -> requests.Response:
        attributes = {"invoice_agency": "AG01", "invoice_number": "DIRINV-2026-11-01-ACCT0001-1",
                      "payment_amount": amount, "payment_date": "2026-11-20", "payment_username": "pat",
                      "payment_method": "CREDIT_CARD", "policy_number": "INVOICECLOUDPOLICY",
                      "payment_channel": "Web", **attrs}
        return self.post(f"/api/v1/accounts/{account}/payments/{payment_id}/post/",
                         {"data": {"type": "Payment", "attributes": attributes}})

    def credit(self, payment_id: str, amount: str, reason: str = "CC2", account: str = "ACCT0001") -> requests.Response:
        return self.post(f"/api/v1/accounts/{account}/payments/{payment_id}/credit/",
                         {"data": {"type": "PaymentCredit", "attributes": {
                             "credit_reason": reason, "credit_username": "pat", "credit_amount": amount}}})

    def rtdr(self, account: str = "ACCT0001", version: int = 2) -> requests.Response:
        return self.get(f"/api/v{version}/accounts/{account}/", params={"customer_username": "pat"})


@pytest.fixture
def imt(live: ServerThread) -> Imt:
    return Imt(live.url)


def journal(server: ServerThread, **params: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = requests.get(f"{server.url}/__admin/journal", params=params).json()["entries"]
    return entries
