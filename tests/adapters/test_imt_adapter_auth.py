"""The JWT (design 000 §Authentication): request shape, cache, one renewal on 401, refusals."""

from __future__ import annotations

import json
import time
from datetime import date
from urllib.parse import urlsplit

import jwt
import pytest
import requests

from adapters import AdapterConfigError, AuthError, ContractViolation, ImtAdapter
from tests.adapters.fake_imt import (
    BASE, SETTINGS, Answer, FakePartner, account_v1, errors, invoice, make_settings,
)

V1 = r"/api/v1/accounts/ACCT0001/$"
PDF = b"%PDF-1.4 tiny"


def test_token_request_shape(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1()))
    adapter.refresh_balance([invoice()])
    token = fake.received[0]
    assert token.method == "POST"
    assert token.url == f"{BASE}/imt/users/api/v1/tokens/"
    assert token.headers["Content-Type"] == "application/vnd.api+json"
    assert "Authorization" not in token.headers
    assert json.loads(token.body or b"") == {
        "data": {"type": "Token", "attributes": {"username_or_email": "ic@example.test", "password": "s3cret"}}}
    exchange = adapter.exchanges[0]
    assert (exchange.operation, exchange.request.host, exchange.request.path) == ("token", "users", "/api/v1/tokens/")
    assert exchange.violations == []


def test_token_is_cached(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1()))
    for _ in range(3):
        adapter.refresh_balance([invoice()])
    assert fake.tokens_issued == 1
    assert [r.headers["Authorization"] for r in fake.billing_requests()] == ["jwt-1"] * 3


def test_401_renews_the_token_once_and_retries_once(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, errors(401, "Token expired"), Answer(json=account_v1()))
    update = adapter.refresh_balance([invoice()])
    assert update.balance_due
    assert fake.tokens_issued == 2
    assert [r.headers["Authorization"] for r in fake.billing_requests()] == ["jwt-1", "jwt-2"]
    assert [(e.operation, e.response.status if e.response else None) for e in adapter.exchanges] == [
        ("token", 200), ("rtdr_v1", 401), ("token", 200), ("rtdr_v1", 200)]


def test_second_401_is_an_auth_error(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, errors(401, "Token expired"))
    with pytest.raises(AuthError, match="401 again") as caught:
        adapter.refresh_balance([invoice()])
    assert fake.tokens_issued == 2 and len(fake.billing_requests()) == 2
    assert caught.value.exchange is adapter.exchanges[-1]
    assert caught.value.exchange.response is not None and caught.value.exchange.response.status == 401


def test_refused_credentials_are_an_auth_error_and_nothing_else_is_sent(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", r"/tokens/$", errors(401, "Unable to log in with provided credentials."))
    with pytest.raises(AuthError, match="provided credentials") as caught:
        adapter.refresh_balance([invoice()])
    assert "s3cret" not in str(caught.value)  # messages never quote the password
    assert fake.billing_requests() == []
    assert caught.value.exchange is adapter.exchanges[-1]


def test_two_factor_required_is_an_auth_error(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", r"/tokens/$", Answer(json={"data": {"type": "Token", "id": 1, "attributes": {
        "auth": "jwt-x", "two_factor_required": True}}}))
    with pytest.raises(AuthError, match="two-factor"):
        adapter.refresh_balance([invoice()])


def test_token_answer_without_auth_is_a_contract_violation(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("POST", r"/tokens/$", Answer(json={"data": {"type": "Token", "id": 1, "attributes": {}}}))
    with pytest.raises(ContractViolation) as caught:
        adapter.refresh_balance([invoice()])
    assert "/data/attributes" in caught.value.violations[0].location


def test_a_jwt_about_to_expire_is_renewed_before_use(session: requests.Session, fake: FakePartner) -> None:
    now = [1_000_000.0]
    issued: list[str] = []

    def token(_: requests.PreparedRequest) -> Answer:
        issued.append(jwt.encode({"exp": int(now[0]) + 3600, "n": len(issued)}, "k" * 32, algorithm="HS256"))
        return Answer(json={"data": {"type": "Token", "id": 1, "attributes": {"auth": issued[-1]}}})

    fake.on("POST", r"/tokens/$", token)
    fake.on("GET", V1, Answer(json=account_v1()))
    adapter = ImtAdapter(make_settings(), session, clock=lambda: now[0])
    adapter.refresh_balance([invoice()])
    now[0] += 1800
    adapter.refresh_balance([invoice()])
    assert len(issued) == 1  # still valid: cached
    now[0] += 1790  # within the margin of exp
    adapter.refresh_balance([invoice()])
    assert len(issued) == 2
    assert fake.billing_requests()[-1].headers["Authorization"] == issued[1]


def test_pdf_uses_the_token_configuration_of_setting_131(session: requests.Session, fake: FakePartner) -> None:
    pdf_config = {"PdfConfig": {"tokenConfiguration": {
        "uri": f"{BASE}/imt/users-pdf/api/v1/tokens/", "username": "pdf@example.test", "password": "pdf-pw"}}}
    adapter = ImtAdapter(make_settings({**SETTINGS, 131: json.dumps(pdf_config)}), session)
    fake.on("GET", r"/invoices/$", Answer(body=PDF, headers={"Content-Type": "application/pdf"}))
    fake.on("GET", V1, Answer(json=account_v1()))
    adapter.fetch_bill(invoice(on=date(2024, 7, 12)))
    adapter.refresh_balance([invoice()])
    tokens = [r for r in fake.received if r.method == "POST"]
    assert [urlsplit(r.url or "").path for r in tokens] == ["/imt/users-pdf/api/v1/tokens/", "/imt/users/api/v1/tokens/"]
    assert json.loads(tokens[0].body or b"")["data"]["attributes"] == {"username_or_email": "pdf@example.test",
                                                                     "password": "pdf-pw"}
    bill, rtdr = fake.billing_requests()
    assert (bill.headers["Authorization"], rtdr.headers["Authorization"]) == ("jwt-1", "jwt-2")


def test_pdf_falls_back_to_the_billing_credentials(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", r"/invoices/$", Answer(body=PDF, headers={"Content-Type": "application/pdf"}))
    adapter.fetch_bill(invoice())
    assert json.loads(fake.received[0].body or b"")["data"]["attributes"]["username_or_email"] == "ic@example.test"


def test_incomplete_token_configuration_names_setting_131(session: requests.Session) -> None:
    config = {"PdfConfig": {"tokenConfiguration": {"uri": f"{BASE}/imt/users/api/v1/tokens/", "username": "u"}}}
    adapter = ImtAdapter(make_settings({**SETTINGS, 131: json.dumps(config)}), session)
    with pytest.raises(AdapterConfigError, match=r"setting 131 \(JSON Configuration\).*password"):
        adapter.fetch_bill(invoice())


def test_missing_password_names_setting_90(session: requests.Session, fake: FakePartner) -> None:
    settings = {k: v for k, v in SETTINGS.items() if k != 90}
    with pytest.raises(AdapterConfigError, match=r"setting 90 \(Secondary RTDR Key or Password if Applicable\)"):
        ImtAdapter(make_settings(settings), session).refresh_balance([invoice()])
    assert fake.received == []


def test_clock_is_only_used_for_readable_jwts(adapter: ImtAdapter, fake: FakePartner) -> None:
    # "jwt-1" is no JWT at all: it is used until IMT answers 401, whatever the time.
    fake.on("GET", V1, Answer(json=account_v1()))
    adapter._clock = lambda: time.time() + 10**9
    adapter.refresh_balance([invoice()])
    adapter.refresh_balance([invoice()])
    assert fake.tokens_issued == 1
