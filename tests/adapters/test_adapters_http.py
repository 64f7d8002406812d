"""The transport and the judgement of answers: exchanges, partner paths, unavailability, contract."""

from __future__ import annotations

import socket
from datetime import date
from decimal import Decimal

import pytest
import requests

from adapters import (
    AdapterConfigError, ContractViolation, Credit, CreditKind, ImtAdapter, PartnerUnavailable, Payment, PaymentMethod,
)
from tests.adapters.fake_imt import (
    BILLING, SETTINGS, Answer, FakePartner, account_v1, invoice, make_settings,
)

V1 = r"/api/v1/accounts/ACCT0001/$"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.network
def test_connection_refused_is_unavailable_and_carries_its_exchange() -> None:
    base = f"http://127.0.0.1:{closed_port()}/imt"
    settings = {**SETTINGS, 88: f"{base}/users/api/v1/tokens/"}
    with requests.Session() as session:
        session.trust_env = False
        adapter = ImtAdapter(make_settings(settings, timeout=2), session)
        with pytest.raises(PartnerUnavailable, match="connection") as caught:
            adapter.refresh_balance([invoice()])
    exchange = caught.value.exchange
    assert exchange is not None and exchange is adapter.exchanges[-1]
    assert exchange.response is None
    assert (exchange.operation, exchange.request.host, exchange.request.path) == ("token", "users", "/api/v1/tokens/")
    assert exchange.duration_ms is not None


@pytest.mark.parametrize(("error", "words"), [
    (requests.exceptions.ReadTimeout("read timed out"), "within 30 s"),
    (requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"), "connection"),
    (requests.exceptions.ChunkedEncodingError("IncompleteRead"), "complete answer"),
])
def test_timeouts_and_dropped_connections_are_unavailable(
    adapter: ImtAdapter, fake: FakePartner, error: Exception, words: str
) -> None:
    fake.on("GET", V1, error)
    with pytest.raises(PartnerUnavailable, match=words) as caught:
        adapter.refresh_balance([invoice()])
    assert caught.value.exchange is adapter.exchanges[-1]
    assert caught.value.exchange.response is None
    assert caught.value.exchange.operation == "rtdr_v1"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unavailable_not_violations(adapter: ImtAdapter, fake: FakePartner, status: int) -> None:
    fake.on("GET", V1, Answer(status=status, body=b"Service Unavailable", headers={"Content-Type": "text/plain"}))
    with pytest.raises(PartnerUnavailable, match=f"HTTP {status}") as caught:
        adapter.refresh_balance([invoice()])
    assert caught.value.exchange is not None and caught.value.exchange.response is not None
    assert caught.value.exchange.response.status == status


def test_malformed_json_is_a_violation_strict_or_not(session: requests.Session, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(body=b'{"type": "Account", "attrib', headers={"Content-Type": "application/vnd.api+json"}))
    for strict in (True, False):
        adapter = ImtAdapter(make_settings(strict_contract=strict), session)
        with pytest.raises(ContractViolation) as caught:
            adapter.refresh_balance([invoice()])
        assert caught.value.violations[0].location == "response body"
        assert caught.value.exchange is adapter.exchanges[-1]


def test_strict_contract_refuses_an_answer_that_breaks_the_schema(session: requests.Session, fake: FakePartner) -> None:
    # Usable for IC (the amounts are there) but the contract says city is a string.
    fake.on("GET", V1, Answer(json=account_v1(city=12)))
    with pytest.raises(ContractViolation, match="/attributes/city") as caught:
        ImtAdapter(make_settings(), session).refresh_balance([invoice()])
    assert "update contracts/imt/" in str(caught.value)
    lax = ImtAdapter(make_settings(strict_contract=False), session)
    assert lax.refresh_balance([invoice()]).balance_due == Decimal("120.5")
    assert [v.location for v in lax.exchanges[-1].violations] == ["response body /attributes/city"]


def test_exchange_paths_are_the_partners_own_for_a_real_partner_base(fake: FakePartner) -> None:
    settings = {k: v.replace("http://imt.test/imt/billing", "https://billing-qa.imt.test")
                    .replace("http://imt.test/imt/users", "https://users-qa.imt.test") for k, v in SETTINGS.items()}
    fake.on("GET", V1, Answer(json=account_v1()))
    with requests.Session() as session:
        session.trust_env = False
        session.mount("https://", fake)
        adapter = ImtAdapter(make_settings(settings), session)
        adapter.refresh_balance([invoice()])
    assert [(e.request.host, e.request.path) for e in adapter.exchanges] == [
        ("users", "/api/v1/tokens/"), ("billing", "/api/v1/accounts/ACCT0001/")]


def test_a_url_that_does_not_end_in_the_contract_path_is_a_settings_error(session: requests.Session, fake: FakePartner) -> None:
    settings = {**SETTINGS, 8: BILLING + "/api/v1/account/{account_number}/"}
    with pytest.raises(AdapterConfigError, match=r"setting 8 \(RTDR EndPoint/WebService URL\).*/api/v1/accounts/\{account_number\}/"):
        ImtAdapter(make_settings(settings), session).refresh_balance([invoice()])
    assert fake.billing_requests() == []
    fake.on("GET", r"/account/ACCT0001/$", Answer(json=account_v1()))
    lax = ImtAdapter(make_settings(settings, strict_contract=False), session)
    lax.refresh_balance([invoice()])
    assert (lax.exchanges[-1].request.host, lax.exchanges[-1].request.path) == ("", "/imt/billing/api/v1/account/ACCT0001/")


def test_every_request_the_adapter_makes_conforms_to_the_contract(adapter: ImtAdapter, fake: FakePartner) -> None:
    pid = "5f0c7f43-5c51-4d7c-9a55-2a6c3c1f0001"
    fake.on("GET", V1, Answer(json=account_v1()))
    fake.on("POST", r"/(post|credit)/$", Answer(json={"type": "Payment", "attributes": {"payment_id": pid}}))
    fake.on("POST", V1, lambda r: Answer(json={"type": "Account", "attributes": {
        "account_number": "ACCT0001", "autopay": "EFT" if b"autopay" in (r.body or b"") else "CHECK",
        "paperless": b'"True"' in (r.body or b"")}}))
    fake.on("GET", r"/invoices/$", Answer(body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}))
    inv = invoice(c1="AG01", c7="POL1")
    adapter.refresh_balance([inv])
    adapter.post_payment(Payment(pid, inv, Decimal("10"), date(2024, 7, 20), PaymentMethod.ACH, "p@x.test", "Web"))
    adapter.post_credit(Credit(pid, "ACCT0001", Decimal("10"), CreditKind.ACH_REJECT, "R01", "p@x.test"))
    adapter.set_autopay("ACCT0001", PaymentMethod.ACH, "p@x.test")
    adapter.set_paperless("ACCT0001", True, "p@x.test")
    adapter.fetch_bill(inv)
    operations = [e.operation for e in adapter.exchanges]
    assert operations == ["token", "rtdr_v1", "post_payment", "post_credit", "update_settings", "update_settings", "get_bill"]
    for exchange in adapter.exchanges:
        assert adapter.contract.check_exchange(exchange) == [], exchange.operation
        assert exchange.duration_ms is not None and exchange.recorded_at


def test_redirects_are_followed_for_get_and_noted(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(status=301, headers={"Location": "http://imt.test/imt/billing/api/v1/accounts/ACCT0001/x/"}))
    fake.on("GET", r"/ACCT0001/x/$", Answer(json=account_v1()))
    adapter.refresh_balance([invoice()])
    assert "redirected" in adapter.exchanges[-1].notes


def test_exchanges_keep_what_was_sent_and_redact_on_request(adapter: ImtAdapter, fake: FakePartner) -> None:
    # adapter.exchanges hold the bytes as sent (callers assert on them); anything written out is
    # redacted first with Exchange.redacted(), which hides the password, the JWT and the header.
    fake.on("GET", V1, Answer(json=account_v1()))
    adapter.refresh_balance([invoice()])
    token, rtdr = adapter.exchanges
    assert b"s3cret" in token.request.body and rtdr.request.header("Authorization") == "jwt-1"
    assert b"s3cret" not in token.redacted().request.body
    assert token.response is not None and b"jwt-1" in token.response.body
    assert b"jwt-1" not in (token.redacted().response or token.response).body
    assert rtdr.redacted().request.header("Authorization") == "<REDACTED>"
