"""RTDR balance refresh (design 000 §RTDR, INT-8058, INT-7454)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from adapters import AdapterConfigError, AdapterInputError, ContractViolation, ImtAdapter, PartnerRejected
from tests.adapters.fake_imt import (
    BILLING, SETTINGS, Answer, FakePartner, account_v1, account_v2, errors, invoice, make_settings,
)

V1 = r"/api/v1/accounts/ACCT0001/$"
V2 = r"/api/v2/accounts/ACCT0001/$"
V2_SETTINGS = {**SETTINGS, 8: BILLING + "/api/v2/accounts/{account_number}/?customer_username={username}"}


def test_v1_balance_due_is_bill_balance_of_the_total_category(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1(balance=150.25, total_bill=120.5, past_due=30)))
    update = adapter.refresh_balance([invoice()])
    assert update.operation == "rtdr_v1"
    assert update.balance_due == Decimal("120.5")  # not total_due (888), not currentBalance (777)
    assert update.total_amount_due == Decimal("150.25")
    assert update.past_due == Decimal("30")
    assert all(isinstance(v, Decimal) for v in (update.balance_due, update.total_amount_due, update.past_due))


def test_v2_balance_due_is_bill_balance(session: requests.Session, fake: FakePartner) -> None:
    adapter = ImtAdapter(make_settings(V2_SETTINGS), session)
    fake.on("GET", V2, Answer(json=account_v2(balance=10.01, bill_balance=7.07, past_due=3)))
    update = adapter.refresh_balance([invoice()])
    assert update.operation == "rtdr_v2"
    assert (update.total_amount_due, update.balance_due, update.past_due) == (
        Decimal("10.01"), Decimal("7.07"), Decimal("3"))
    assert adapter.exchanges[-1].operation == "rtdr_v2"
    assert adapter.exchanges[-1].request.path == "/api/v2/accounts/ACCT0001/"


def test_amounts_keep_their_cents(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(body=b'{"type":"Account","attributes":{"account_number":"ACCT0001","balance":0.1,'
                                   b'"total_due":0,"past_due":0.2,"raw_data":{"receivableCategories":['
                                   b'{"receivableCategoryCode":"TOTAL","billBalanceAmount":0.3}]}}}',
                              headers={"Content-Type": "application/vnd.api+json"}))
    update = adapter.refresh_balance([invoice()])
    assert update.total_amount_due + update.past_due == update.balance_due  # exact: no binary floats


def test_request_shape(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1()))
    adapter.refresh_balance([invoice(email="Jane.Doe@example.test")])
    sent = fake.billing_requests()[-1]
    assert sent.method == "GET"
    assert urlsplit(sent.url or "").path == "/imt/billing/api/v1/accounts/ACCT0001/"
    assert parse_qs(urlsplit(sent.url or "").query) == {"customer_username": ["Jane.Doe"]}
    assert sent.headers["Authorization"] == "jwt-1"  # bare, as the design shows: no "Bearer "
    assert sent.body is None
    exchange = adapter.exchanges[-1]
    assert (exchange.request.host, exchange.request.path) == ("billing", "/api/v1/accounts/ACCT0001/")
    assert exchange.request.query == {"customer_username": "Jane.Doe"}


def test_no_email_sends_no_customer_username(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1()))
    adapter.refresh_balance([invoice(email="")])
    url = fake.billing_requests()[-1].url or ""
    assert "customer_username" not in url
    assert urlsplit(url).query == ""
    assert adapter.exchanges[-1].request.query == {}


def test_email_argument_overrides_the_invoice_email(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1()))
    adapter.refresh_balance([invoice(email="jane@example.test")], email="payer@example.test")
    assert adapter.exchanges[-1].request.query == {"customer_username": "payer"}


def test_design_setting_8_without_trailing_slash(session: requests.Session, fake: FakePartner) -> None:
    # The design's setting 8 is .../accounts/{account_number}?customer_username={username} (no slash).
    adapter = ImtAdapter(make_settings({**SETTINGS, 8: BILLING + "/api/v1/accounts/{account_number}?customer_username={username}"}), session)
    fake.on("GET", r"/api/v1/accounts/ACCT0001$", Answer(json=account_v1()))
    adapter.refresh_balance([invoice()])
    assert adapter.exchanges[-1].request.path == "/api/v1/accounts/ACCT0001"
    assert adapter.exchanges[-1].violations == []


# -- INT-7454: which invoice is updated -------------------------------------------------------
def test_most_recent_invoice_with_balance_forward_on_is_updated(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1()))
    invoices = [
        invoice("DIRINV-2024-06-12-ACCT0001-1", on=date(2024, 6, 12)),
        invoice("DIRINV-2024-07-12-ACCT0001-2", on=date(2024, 7, 12), balance_forward=False),
        invoice("DIRINV-2024-07-12-ACCT0001-1", on=date(2024, 7, 12)),
        invoice("DIRINV-2024-05-12-ACCT0001-1", on=date(2024, 5, 12)),
    ]
    assert adapter.refresh_balance(invoices).invoice_number == "DIRINV-2024-07-12-ACCT0001-1"


def test_same_date_breaks_ties_on_the_numeric_suffix(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1()))
    invoices = [invoice(f"DIRINV-2024-07-12-ACCT0001-{n}") for n in (2, 10, 1)]
    assert adapter.refresh_balance(invoices).invoice_number == "DIRINV-2024-07-12-ACCT0001-10"


def test_due_date_is_ignored(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1()))
    late = invoice("DIRINV-2024-07-12-ACCT0001-1", on=date(2024, 7, 12))
    early = invoice("DIRINV-2024-06-12-ACCT0001-1", on=date(2024, 6, 12))
    late_due = type(late)(**{**late.__dict__, "due_date": date(2000, 1, 1)})  # long past due
    assert adapter.refresh_balance([early, late_due]).invoice_number == late.invoice_number


def test_no_invoice_with_balance_forward_on_is_refused_before_any_call(adapter: ImtAdapter, fake: FakePartner) -> None:
    with pytest.raises(AdapterInputError, match="BalanceForward"):
        adapter.refresh_balance([invoice(balance_forward=False), invoice("X-2", balance_forward=None)])
    assert fake.received == [] and adapter.exchanges == []


@pytest.mark.parametrize("invoices", [[], [invoice(), invoice(account="OTHER")]], ids=["none", "two-accounts"])
def test_invoices_of_exactly_one_account(adapter: ImtAdapter, invoices: list[object]) -> None:
    with pytest.raises(AdapterInputError):
        adapter.refresh_balance(invoices)  # type: ignore[arg-type]


# -- answers that do not give IC what it needs ----------------------------------------------------
def test_v1_without_total_category_is_a_contract_violation(session: requests.Session, fake: FakePartner) -> None:
    body = account_v1()
    body["attributes"]["raw_data"]["receivableCategories"] = [{"receivableCategoryCode": "PREMIUM", "billBalanceAmount": 5}]
    fake.on("GET", V1, Answer(json=body))
    for strict in (True, False):  # no fallback to total_due or currentBalance, strict or not
        adapter = ImtAdapter(make_settings(strict_contract=strict), session)
        with pytest.raises(ContractViolation) as caught:
            adapter.refresh_balance([invoice()])
        assert caught.value.violations[0].location == "response body /attributes/raw_data/receivableCategories"
        assert "TOTAL" in caught.value.violations[0].expected
        assert "INT-8058" in str(caught.value)
        assert caught.value.exchange is adapter.exchanges[-1]


def test_the_designs_own_v1_sample_cannot_give_balance_due(session: requests.Session, fake: FakePartner) -> None:
    # Its raw_data is {} (design 000 §RTDR), so INT-8058's TOTAL category is not there to read.
    adapter = ImtAdapter(make_settings(strict_contract=False), session)  # its account_number is "string"
    sample = next(e for e in adapter.contract.exchanges if e.operation == "rtdr_v1")
    assert sample.response is not None
    fake.on("GET", V1, Answer(body=sample.response.body, headers=sample.response.headers))
    with pytest.raises(ContractViolation) as caught:
        adapter.refresh_balance([invoice()])
    assert [v.location for v in caught.value.violations] == ["response body /attributes/raw_data/receivableCategories"]


def test_the_designs_own_v2_sample_is_read(session: requests.Session, fake: FakePartner) -> None:
    adapter = ImtAdapter(make_settings(V2_SETTINGS, strict_contract=False), session)
    sample = next(e for e in adapter.contract.exchanges if e.operation == "rtdr_v2")
    assert sample.response is not None
    fake.on("GET", V2, Answer(body=sample.response.body, headers=sample.response.headers))
    assert adapter.refresh_balance([invoice()]).balance_due == Decimal(0)


def test_amount_as_a_string_is_a_violation_even_when_not_strict(session: requests.Session, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1(balance="150.25")))
    with pytest.raises(ContractViolation) as strict:
        ImtAdapter(make_settings(), session).refresh_balance([invoice()])
    assert any(v.location == "response body /attributes/balance" for v in strict.value.violations)
    with pytest.raises(ContractViolation) as lax:
        ImtAdapter(make_settings(strict_contract=False), session).refresh_balance([invoice()])
    assert [v.location for v in lax.value.violations] == ["response body /attributes/balance"]


def test_answer_about_another_account_is_a_violation_when_strict(session: requests.Session, fake: FakePartner) -> None:
    fake.on("GET", V1, Answer(json=account_v1(account_number="ACCT9999")))
    with pytest.raises(ContractViolation, match="ACCT9999"):
        ImtAdapter(make_settings(), session).refresh_balance([invoice()])
    assert ImtAdapter(make_settings(strict_contract=False), session).refresh_balance([invoice()]).balance_due


def test_unknown_account_is_rejected_as_not_found(adapter: ImtAdapter, fake: FakePartner) -> None:
    fake.on("GET", V1, errors(404, "Account ACCT0001 not found", pointer="/account_number"))
    with pytest.raises(PartnerRejected) as caught:
        adapter.refresh_balance([invoice()])
    err = caught.value
    assert (err.status, err.code, err.detail, err.pointer) == (404, "not_found", "Account ACCT0001 not found", "/account_number")
    assert err.exchange is adapter.exchanges[-1]


def test_rtdr_version_option_must_match_the_url_when_strict(session: requests.Session, fake: FakePartner) -> None:
    adapter = ImtAdapter(make_settings(rtdr_version=2), session)  # setting 8 is a v1 URL
    with pytest.raises(AdapterConfigError, match=r"setting 8 .*rtdr_v2"):
        adapter.refresh_balance([invoice()])
    assert fake.billing_requests() == []
