"""Sapiens RTDR balance refresh (design 004 §RTDR: Balance Update, INT-4903, INT-3540, INT-6924, INT-9667)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests

from adapters import (
    AdapterConfigError, AdapterInputError, BalanceUpdate, ContractViolation, PartnerRejected, SapiensAdapter,
)
from tests.adapters.fake_sapiens import (
    SETTINGS, Answer, FakeSapiens, account_bill, account_row, invoice, invoice_row, make_settings, open_item, policy_bill, results, soap_answer,
)








ACCOUNT = "PWSTRUCTUREDSEARCH/icAccountBalanceUpd"
POLICY = "PWSTRUCTUREDSEARCH/icPolicyBalanceUpd"
INVOICE = "PWSTRUCTUREDSEARCH/icInvoiceBalanceUpd"

# The design's invoice-level response sample as written (only the flattened closing ']]]]><![CDATA[]]>' rejoined).
DESIGN_INVOICE_ANSWER = b"""<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
   <SOAP-ENV:Header/>
   <SOAP-ENV:Body>
      <ns4:PWInvokeBillingActionResponse xmlns:ns4="http://adaptik.com/ws/xml/billing" xmlns:ns3="http://adaptik.com/ws/xml">
         <TransRef>1</TransRef>
         <ActionCode>PWSTRUCTUREDSEARCH</ActionCode>
         <InterfaceCode>icInvoiceBalanceUpd</InterfaceCode>
         <TransDateTime>2022-09-27T19:59:56.967-04:00</TransDateTime>
         <TransResult>
            <ReturnCode>SUCCESS</ReturnCode>
            <ReturnReasonCode>SUCCESS</ReturnReasonCode>
            <ReturnMessage>Retrieved results are being returned.</ReturnMessage>
            <RejectMessage/>
         </TransResult>
         <Data><![CDATA[<![CDATA[<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<SearchResults>
    <SearchID>BM_INVOICE_SRCH</SearchID>
    <SearchResult>
        <acctName>384300001</acctName>
        <invoiceNbr>45405</invoiceNbr>
        <invStatus>A</invStatus>
        <balance>491327.98</balance>
        <amountDue>27960.65</amountDue>
        <pastDueAmount>0</pastDueAmount>
    </SearchResult>
    <SearchResult>
        <acctName>384300001</acctName>
        <invoiceNbr>45605</invoiceNbr>
        <invStatus>A</invStatus>
        <balance>491327.98</balance>
        <amountDue>49961.47</amountDue>
        <pastDueAmount>0</pastDueAmount>
    </SearchResult>
    <SearchResult>
        <acctName>384300001</acctName>
        <invoiceNbr>45606</invoiceNbr>
        <invStatus>A</invStatus>
        <balance>491327.98</balance>
        <amountDue>46961.47</amountDue>
        <pastDueAmount>0</pastDueAmount>
    </SearchResult>
</SearchResults>
]]]]><![CDATA[]]></Data>
      </ns4:PWInvokeBillingActionResponse>
   </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"""

# The design's account/policy response sample payload, with its whitespace.
DESIGN_POLICY_PAYLOAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<SearchResults>
    <SearchID>BM_ACCT_SRCH1</SearchID>
    <SearchResult>
        <acctName>653000001</acctName>
        <policyNbr>I-706200001-1</policyNbr>
        <policyStatus>A</policyStatus>
        <balance>1467</balance>
        <amountDue>0</amountDue>
        <pastDueAmount>0</pastDueAmount>
    </SearchResult>
</SearchResults>
"""


def account_answer(*rows: dict[str, str]) -> Answer:
    return soap_answer("PWSTRUCTUREDSEARCH", results("BM_ACCT_SRCH", *(rows or (account_row(),))),
                       interface="icAccountBalanceUpd")


def with_config(session: requests.Session, config: dict[str, object], **options: object) -> SapiensAdapter:
    return SapiensAdapter(make_settings({**SETTINGS, 131: json.dumps(config)}, **options), session)


def filtered(session: requests.Session) -> SapiensAdapter:
    return with_config(session, {"SapiensCompAndPowerSuite": {"RTDRInvoiceFilter": "InvoiceNumber not like '%-%'"}})


def balance_forward(session: requests.Session) -> SapiensAdapter:
    return with_config(session, {"SapiensCompAndPowerSuite": {"RTDRConfig": {"OpenBilling": False}}})


# -- which search (design 004 §RTDR Logic, INT-4903) ----------------------------------------------
def test_account_billing_searches_acct_name_from_custom2(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """Before INT-4903: Custom3 NULL -> <acctName> Custom2, icAccountBalanceUpd, BM_ACCT_SRCH."""
    fake.on(ACCOUNT, account_answer(account_row(balance="1500.00", due="250.00", past="10.5")))
    refresh = adapter.refresh_balance([account_bill(c2="981000001")])
    sent = fake.sent()
    assert (sent.field("ActionCode"), sent.field("InterfaceCode")) == ("PWSTRUCTUREDSEARCH", "icAccountBalanceUpd")
    assert sent.payload.tag == "SearchRequest"
    assert sent.text("SearchID") == "BM_ACCT_SRCH"
    assert sent.tags("searchCriteria") == ["acctName"]
    assert sent.text("searchCriteria/acctName") == "981000001"
    # BalanceDue = amountDue, TotalAmountDue = balance, PastDue = pastDueAmount
    assert refresh.updates == (BalanceUpdate("981000001", "INV1001", total_amount_due=Decimal("1500.00"),
                                             balance_due=Decimal("250.00"), past_due=Decimal("10.5"),
                                             operation="account_balance"),)
    assert refresh.skipped == ()


def test_single_policy_billing_searches_policy_nbr_from_custom3(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """Before INT-4903: Custom3 set -> <policyNbr> Custom3, icPolicyBalanceUpd; the design's answer parsed."""
    fake.on(POLICY, soap_answer("PWSTRUCTUREDSEARCH", DESIGN_POLICY_PAYLOAD, interface="icPolicyBalanceUpd"))
    refresh = adapter.refresh_balance([policy_bill()])
    sent = fake.sent()
    assert sent.field("InterfaceCode") == "icPolicyBalanceUpd"
    assert sent.text("SearchID") == "BM_ACCT_SRCH"
    assert sent.tags("searchCriteria") == ["policyNbr"]
    assert sent.text("searchCriteria/policyNbr") == "I-706200001-1"
    update = refresh.update_for("INV2001")
    assert update is not None and (update.total_amount_due, update.balance_due, update.past_due) == (
        Decimal("1467"), Decimal("0"), Decimal("0"))
    assert update.operation == "policy_balance"


def test_custom7_to_10_win_over_custom2_and_3(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """INT-4903: InterfaceCode, tag, value and SearchID come from Custom7..Custom10 when the BIF has them."""
    fake.on(INVOICE, soap_answer("PWSTRUCTUREDSEARCH", results("BM_INVOICE_SRCH1", invoice_row("45405", "27960.65")),
                                 interface="icInvoiceBalanceUpd"))
    inv = open_item("45405", c2="999", c3="POL-1", c10="BM_INVOICE_SRCH1")
    adapter.refresh_balance([inv])
    sent = fake.sent()
    assert sent.field("InterfaceCode") == "icInvoiceBalanceUpd"
    assert sent.text("SearchID") == "BM_INVOICE_SRCH1"
    assert sent.tags("searchCriteria") == ["acctName"]
    assert sent.text("searchCriteria/acctName") == "384300001"
    assert adapter.exchanges[-1].operation == "invoice_balance"


@pytest.mark.parametrize(("interface", "search_id"), [
    ("icInvoiceBalanceUpd", "BM_INVOICE_SRCH"), ("icAccountBalanceUpd", "BM_ACCT_SRCH"),
    ("icPolicyBalanceUpd", "BM_ACCT_SRCH"),
])
def test_without_custom10_the_samples_search_id_is_used(
    adapter: SapiensAdapter, fake: FakeSapiens, interface: str, search_id: str
) -> None:
    fake.on(f"PWSTRUCTUREDSEARCH/{interface}", soap_answer("PWSTRUCTUREDSEARCH", results(search_id, account_row())))
    adapter.refresh_balance([invoice(c7=interface, c8="acctName", c9="981000001")])
    assert fake.sent().text("SearchID") == search_id


CERTIFICATE: dict[str, Any] = {"c7": "icCertificateBalanceUpd", "c8": "certNbr", "c9": "C-1", "c10": "BM_CERT_SRCH"}


def test_an_interface_code_the_design_does_not_name_is_passed_through(
    session: requests.Session, fake: FakeSapiens
) -> None:
    """INT-4903: Sapiens adds billing levels through the BIF, without IC changing code (contract checks off)."""
    fake.off_contract = True
    fake.on("PWSTRUCTUREDSEARCH/icCertificateBalanceUpd",
            soap_answer("PWSTRUCTUREDSEARCH", results("BM_CERT_SRCH", {**account_row(), "certNbr": "C-1"})))
    adapter = SapiensAdapter(make_settings(strict_contract=False), session)
    refresh = adapter.refresh_balance([invoice(**CERTIFICATE)])
    assert fake.sent().text("searchCriteria/certNbr") == "C-1"
    assert refresh.updates[0].operation == "balance_search"


def test_with_the_contract_strict_an_unknown_interface_code_is_a_violation(
    adapter: SapiensAdapter, fake: FakeSapiens
) -> None:
    """The sandbox's contract must learn a new InterfaceCode before a strict run accepts its answers."""
    fake.off_contract = True
    fake.on("PWSTRUCTUREDSEARCH/icCertificateBalanceUpd",
            soap_answer("PWSTRUCTUREDSEARCH", code="FAILURE", reject="Unknown InterfaceCode"))
    with pytest.raises(ContractViolation, match="no such operation"):
        adapter.refresh_balance([invoice(**CERTIFICATE)])


@pytest.mark.parametrize(("custom", "words"), [
    ({"c7": "icAccountBalanceUpd", "c8": "acctName"}, r"Custom9 \(FileSpecID 46\)"),
    ({"c8": "acctName", "c9": "1"}, r"Custom7 \(FileSpecID 44\)"),
    ({"c7": "icAccountBalanceUpd", "c8": "acct Name>", "c9": "1"}, r"Custom8 \(FileSpecID 45\)"),
    ({"c7": "icOtherUpd", "c8": "acctName", "c9": "1"}, r"Custom10 \(FileSpecID 47\)"),
    ({}, r"Custom2 \(FileSpecID 39\)"),
])
def test_unusable_rtdr_fields_are_input_errors(adapter: SapiensAdapter, fake: FakeSapiens, custom: dict[str, Any],
                                               words: str) -> None:
    with pytest.raises(AdapterInputError, match=words):
        adapter.refresh_balance([invoice(**custom)])
    assert fake.received == []


def test_no_invoices_is_an_input_error(adapter: SapiensAdapter) -> None:
    with pytest.raises(AdapterInputError, match="at least one"):
        adapter.refresh_balance([])


# -- which invoices (INT-3540, INT-6924, INT-9667) ------------------------------------------------
@pytest.mark.parametrize(("number", "account"), [("Q12345678", "Q12345678"), ("q-1", "981000001"),
                                                 ("INV1", "Q12345678")])
def test_no_rtdr_for_quotes(adapter: SapiensAdapter, fake: FakeSapiens, number: str, account: str) -> None:
    """INT-3540: invoices (or accounts) starting with Q are quotes; no RTDR, the reason says so."""
    refresh = adapter.refresh_balance([invoice(number, account=account, c2="981000001")])
    assert fake.received == []
    assert refresh.updates == ()
    [skipped] = refresh.skipped
    assert (skipped.invoice_number, skipped.code) == (number, "quote")
    assert "INT-3540" in skipped.reason


def test_quotes_are_skipped_and_the_rest_refreshed(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT, account_answer())
    refresh = adapter.refresh_balance([invoice("Q1", account="Q1"), account_bill()])
    assert [u.invoice_number for u in refresh.updates] == ["INV1001"]
    assert [s.invoice_number for s in refresh.skipped] == ["Q1"]
    assert len(fake.received) == 1


def test_invoice_filter_skips_invoice_numbers_with_a_dash(session: requests.Session, fake: FakeSapiens) -> None:
    """INT-6924: setting 131 RTDRInvoiceFilter "InvoiceNumber not like '%-%'"."""
    fake.on(ACCOUNT, account_answer())
    refresh = filtered(session).refresh_balance([account_bill("2024-001"), account_bill("2024001")])
    assert [u.invoice_number for u in refresh.updates] == ["2024001"]
    [skipped] = refresh.skipped
    assert (skipped.invoice_number, skipped.code) == ("2024-001", "invoice_filter")
    assert "INT-6924" in skipped.reason and "not like '%-%'" in skipped.reason


def test_invoice_filter_skips_custom8_acct_name(session: requests.Session, fake: FakeSapiens) -> None:
    """INT-6924: "RTDR will not run if Invoicenumber contains dash or custom8 field = 'acctName'"."""
    fake.on(POLICY, soap_answer("PWSTRUCTUREDSEARCH", results("BM_ACCT_SRCH", account_row())))
    by_account = invoice("INV1", c7="icAccountBalanceUpd", c8="acctName", c9="981000001")
    by_policy = invoice("INV2", c7="icPolicyBalanceUpd", c8="policyNbr", c9="P-1")
    refresh = filtered(session).refresh_balance([by_account, by_policy])
    assert [u.invoice_number for u in refresh.updates] == ["INV2"]
    assert [(s.invoice_number, s.code) for s in refresh.skipped] == [("INV1", "invoice_filter")]
    assert [s.field("InterfaceCode") for s in fake.soap_requests()] == ["icPolicyBalanceUpd"]


def test_without_the_filter_dashes_and_acct_name_are_refreshed(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT, account_answer())
    refresh = adapter.refresh_balance([account_bill("2024-001", c7="icAccountBalanceUpd", c8="acctName",
                                                    c9="981000001")])
    assert [u.invoice_number for u in refresh.updates] == ["2024-001"]


@pytest.mark.parametrize(("expression", "kept"), [
    ("InvoiceNumber like 'INV%'", ["INV1", "INV-2"]),
    ("invoicenumber NOT LIKE '%-_' and AccountNumber = '981000001'", ["INV1", "X9"]),
    ("Custom5 != 'X'", ["INV1", "INV-2", "X9"]),
])
def test_invoice_filter_reads_sql_like_conditions(session: requests.Session, fake: FakeSapiens, expression: str,
                                                  kept: list[str]) -> None:
    fake.on(ACCOUNT, account_answer())
    adapter = with_config(session, {"SapiensCompAndPowerSuite": {"RTDRInvoiceFilter": expression}})
    refresh = adapter.refresh_balance([account_bill("INV1"), account_bill("INV-2"), account_bill("X9")])
    assert [u.invoice_number for u in refresh.updates] == kept


@pytest.mark.parametrize(("config", "words"), [
    ({"SapiensCompAndPowerSuite": {"RTDRInvoiceFilter": "InvoiceNumber contains '-'"}}, "cannot be read"),
    ({"SapiensCompAndPowerSuite": {"RTDRInvoiceFilter": "DueDate like '%'"}}, "names 'DueDate'"),
    ({"SapiensCompAndPowerSuite": {"RTDRInvoiceFilter": 5}}, "must be text"),
    ({"SapiensCompAndPowerSuite": {"RTDRConfig": {"OpenBilling": "no"}}}, "OpenBilling is true or false"),
    ({"SapiensCompAndPowerSuite": []}, "must be a JSON object"),
])
def test_malformed_setting_131_is_a_config_error_up_front(session: requests.Session, config: dict[str, object],
                                                          words: str) -> None:
    with pytest.raises(AdapterConfigError, match=rf"setting 131 .*{words}"):
        with_config(session, config)


def test_balance_forward_updates_only_the_most_recent_invoice(session: requests.Session, fake: FakeSapiens) -> None:
    """INT-9667 / ITG-2475: with RTDRConfig.OpenBilling false, only the newest invoice of an account is updated."""
    fake.on(ACCOUNT, account_answer())
    invoices = [account_bill("INV-JUN", on=date(2024, 6, 12)), account_bill("INV-JUL", on=date(2024, 7, 12)),
                account_bill("INV-MAY", on=date(2024, 5, 12))]
    refresh = balance_forward(session).refresh_balance(invoices)
    assert [u.invoice_number for u in refresh.updates] == ["INV-JUL"]
    assert sorted((s.invoice_number, s.code) for s in refresh.skipped) == [
        ("INV-JUN", "balance_forward"), ("INV-MAY", "balance_forward")]
    assert all("INT-9667" in s.reason and "INV-JUL" in s.reason for s in refresh.skipped)
    assert len(fake.received) == 1


def test_balance_forward_never_picks_an_invoice_with_balance_forward_off(
    session: requests.Session, fake: FakeSapiens
) -> None:
    fake.on(ACCOUNT, account_answer())
    newest_off = account_bill("INV-JUL", on=date(2024, 7, 12), balance_forward=False)
    refresh = balance_forward(session).refresh_balance([account_bill("INV-JUN", on=date(2024, 6, 12)), newest_off])
    assert [u.invoice_number for u in refresh.updates] == ["INV-JUN"]


def test_balance_forward_is_per_account(session: requests.Session, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT, account_answer())
    fake.on(POLICY, soap_answer("PWSTRUCTUREDSEARCH", DESIGN_POLICY_PAYLOAD))
    invoices = [account_bill("A1", on=date(2024, 6, 1)), account_bill("A2", on=date(2024, 7, 1)),
                policy_bill("P1", on=date(2024, 5, 1))]
    refresh = balance_forward(session).refresh_balance(invoices)
    assert [u.invoice_number for u in refresh.updates] == ["A2", "P1"]


def test_open_billing_updates_every_returned_invoice(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """Without OpenBilling false every invoice is refreshed: one call, the design's nested-CDATA answer."""
    fake.on(INVOICE, Answer(body=DESIGN_INVOICE_ANSWER))
    invoices = [open_item("45405", on=date(2024, 5, 1)), open_item("45605", on=date(2024, 6, 1)),
                open_item("45606", on=date(2024, 7, 1))]
    refresh = adapter.refresh_balance(invoices)
    assert len(fake.received) == 1  # one call per distinct (InterfaceCode, tag, value, SearchID)
    assert [(u.invoice_number, u.balance_due, u.total_amount_due) for u in refresh.updates] == [
        ("45405", Decimal("27960.65"), Decimal("491327.98")),
        ("45605", Decimal("49961.47"), Decimal("491327.98")),
        ("45606", Decimal("46961.47"), Decimal("491327.98")),
    ]
    assert all(u.account_number == "384300001" and u.operation == "invoice_balance" for u in refresh.updates)


def test_balance_forward_with_invoice_billing(session: requests.Session, fake: FakeSapiens) -> None:
    fake.on(INVOICE, Answer(body=DESIGN_INVOICE_ANSWER))
    invoices = [open_item("45405", on=date(2024, 5, 1)), open_item("45606", on=date(2024, 7, 1))]
    refresh = balance_forward(session).refresh_balance(invoices)
    assert [(u.invoice_number, u.balance_due) for u in refresh.updates] == [("45606", Decimal("46961.47"))]


def test_invoice_level_answer_matches_invoice_numbers(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """Returned invoices IC does not hold are ignored; IC invoices not returned keep their balance (skipped)."""
    fake.on(INVOICE, soap_answer("PWSTRUCTUREDSEARCH", results("BM_INVOICE_SRCH", invoice_row("45605", "49961.47"),
                                                               invoice_row("99999", "1.00"))))
    refresh = adapter.refresh_balance([open_item("45405"), open_item("45605")])
    assert [u.invoice_number for u in refresh.updates] == ["45605"]
    [skipped] = refresh.skipped
    assert (skipped.invoice_number, skipped.code) == ("45405", "not_returned")


def test_one_call_per_distinct_search(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT, account_answer())
    fake.on(POLICY, soap_answer("PWSTRUCTUREDSEARCH", DESIGN_POLICY_PAYLOAD))
    refresh = adapter.refresh_balance([account_bill("A1"), policy_bill("P1"), account_bill("A2"),
                                       account_bill("B1", c2="981000002")])
    criteria = [(s.field("InterfaceCode"), s.payload.findtext("searchCriteria/*")) for s in fake.soap_requests()]
    assert criteria == [("icAccountBalanceUpd", "981000001"), ("icPolicyBalanceUpd", "I-706200001-1"),
                        ("icAccountBalanceUpd", "981000002")]
    assert sorted(u.invoice_number for u in refresh.updates) == ["A1", "A2", "B1", "P1"]


# -- reading the answer ---------------------------------------------------------------------------
def test_amounts_as_sapiens_writes_them(session: requests.Session, fake: FakeSapiens) -> None:
    """``.00``; and a thousands comma, which only remitAmt carries in the design (so: contract checks off)."""
    fake.on(ACCOUNT, account_answer(account_row(balance="1,905", due=".00", past="12")))
    adapter = SapiensAdapter(make_settings(strict_contract=False), session)
    [update] = adapter.refresh_balance([account_bill()]).updates
    assert (update.total_amount_due, update.balance_due, update.past_due) == (Decimal("1905"), Decimal("0"),
                                                                             Decimal("12"))


def test_unwrapped_payload_is_read_too(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT, soap_answer("PWSTRUCTUREDSEARCH", results("BM_ACCT_SRCH", account_row(due="7")), wrap=False))
    assert adapter.refresh_balance([account_bill()]).updates[0].balance_due == Decimal("7")


def test_several_account_results_pick_the_one_asked_for(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT, account_answer(account_row("981000009", due="1"), account_row("981000001", due="2")))
    assert adapter.refresh_balance([account_bill()]).updates[0].balance_due == Decimal("2")


def test_ambiguous_account_results_are_a_violation(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT, account_answer(account_row("981000008"), account_row("981000009")))
    with pytest.raises(ContractViolation, match="SearchResults"):
        adapter.refresh_balance([account_bill()])


@pytest.mark.parametrize(("row", "where"), [
    ({"acctName": "981000001", "balance": "12.x", "amountDue": "1", "pastDueAmount": "0"}, "SearchResult[1]/balance"),
    ({"acctName": "981000001", "balance": "1", "pastDueAmount": "0"}, "SearchResult[1]/amountDue"),
])
def test_unusable_amounts_are_a_violation(session: requests.Session, fake: FakeSapiens, row: dict[str, str],
                                          where: str) -> None:
    fake.on(ACCOUNT, account_answer(row))
    adapter = SapiensAdapter(make_settings(strict_contract=False), session)
    with pytest.raises(ContractViolation, match=where.replace("[", r"\[").replace("]", r"\]")):
        adapter.refresh_balance([account_bill()])


def test_none_found_is_partner_rejected(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """Chosen: NONEFOUND is an error (the BIF names what Sapiens does not know), not an empty refresh."""
    fake.on(ACCOUNT, soap_answer("PWSTRUCTUREDSEARCH", code="NONEFOUND", message="No results found."))
    with pytest.raises(PartnerRejected, match=r"NONEFOUND.*Custom7") as caught:
        adapter.refresh_balance([account_bill()])
    assert caught.value.code == "NONEFOUND"
