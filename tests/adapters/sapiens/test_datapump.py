"""Sapiens Data Pump: payments, down payments, reversals, autopay and paperless (design 004)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests

from adapters import (
    AdapterConfigError, AdapterInputError, ContractViolation, Credit, CreditKind, PartnerRejected, Payment,
    PaymentMethod, PaymentResult, SapiensAdapter, SettingsChange,
)
from tests.adapters.fake_sapiens import (
    BASE, PAYMENT_ID, POLICY_NS, POLICY_URL, SETTINGS, FakeSapiens, account_bill, down_payment_answer, invoice,
    make_settings, payment, policy_bill, posted_batch, remit_row, results, soap_answer,
)








POST = "createRemitACHPmt"
REMIT_SEARCH = "PWSTRUCTUREDSEARCH/remitBatchSearch"
REVERSE = "createRemitReversal"
SETTINGS_CHANGE = "updateICSettings"
DOWN_PAYMENT = "updPaymentInfo"


def posted(**kwargs: str) -> Any:
    return soap_answer("createRemitBatch", posted_batch(**kwargs))


def remit_found(payment_id: str = PAYMENT_ID, mcid: str = "833100001", cid: str = "2") -> Any:
    return soap_answer("PWSTRUCTUREDSEARCH", results("BM_REMIT_SRCH1", remit_row(payment_id, mcid, cid)),
                       interface="remitBatchSearch")


def reversed_answer() -> Any:
    return soap_answer(REVERSE, '<?xml version="1.0" encoding="UTF-8"?><remitBatch CT_ID="1" ExtAction="U" GT_ID="1" '
                       f'MC_ID="833100001" VERSION_NO="1"><nsfInd>N</nsfInd><remit><paymentID>{PAYMENT_ID}</paymentID>'
                       "</remit></remitBatch>")


def settings_answer(autopay: str = "Y", paperless: str = "") -> Any:
    inner = (f"<autoPayInd>{autopay}</autoPayInd>" if autopay else "") + (
        f"<paperlessBillingInd>{paperless}</paperlessBillingInd>" if paperless else "")
    return soap_answer(SETTINGS_CHANGE, '<?xml version="1.0" encoding="UTF-8"?> \n<account MC_ID="522000001" CT_ID="1" '
                       f'VERSION_NO="1"><productGroup>ACCT</productGroup>{inner}</account>', wrap=False)


def credit(kind: str = "void", code: str = "", account: str = "981000001") -> Credit:
    return Credit(PAYMENT_ID, account, Decimal("500.00"), CreditKind.parse(kind), reject_code=code)


# -- payment: the batch -------------------------------------------------------------------------
def test_payment_batch_shape(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """Design 004 §DataPump: Payment: the batch constants, amounts, date, card brand and last digits."""
    fake.on(POST, posted())
    result = adapter.post_payment(payment(service_fee=Decimal("2.95")))
    sent = fake.sent()
    assert (sent.field("ActionCode"), sent.field("InterfaceCode")) == ("createRemitACHPmt", None)
    assert (sent.token("Username"), sent.token("Password")) == ("pump-user", "pump-secret")  # settings 12, 13
    batch = sent.payload
    assert (batch.tag, dict(batch.attrib)) == ("remitBatch", {"ExtAction": "A"})
    assert sent.tags() == ["productGroup", "inputMode", "nbrOfRemitItems", "batchCtrlType", "batchTotal",
                           "batchSource", "paymentType", "remit"]
    assert [sent.text(t) for t in sent.tags()[:-1]] == ["REM", "AUTO", "1", "REG", "500.00", "IC", "CC"]
    assert batch.find("remit").attrib == {"ExtAction": "A"}
    assert sent.tags("remit") == ["paymentID", "dbAllocLevel", "billAcctCd", "depositDate", "creditCardBrand",
                                  "lastDigitsOfPayment", "bankRemittanceAmount"]
    assert sent.text("remit/paymentID") == PAYMENT_ID
    assert sent.text("remit/depositDate") == "04/15/2019"
    assert (sent.text("remit/creditCardBrand"), sent.text("remit/lastDigitsOfPayment")) == ("VISA", "1234")
    assert sent.text("remit/bankRemittanceAmount") == sent.text("batchTotal") == "500.00"  # no service fee
    assert result == PaymentResult(PAYMENT_ID, "981000001", "INV1001", batch_id="369200001", remittance_id="2",
                                   operation="post_payment")
    assert adapter.exchanges[-1].operation == "post_payment"


@pytest.mark.parametrize(("method", "sent"), [("card", "CC"), ("ach", "ACH"), ("echeck", "ACH"), ("bank", "ACH"),
                                              ("obd", "ACH")])
def test_payment_type_cc_or_ach(adapter: SapiensAdapter, fake: FakeSapiens, method: str, sent: str) -> None:
    """INT-3881: paymentType CC for a card, ACH for IC's bank methods."""
    fake.on(POST, posted())
    adapter.post_payment(payment(method=method, card_brand="" if method != "card" else "VISA"))
    assert fake.sent().text("paymentType") == sent


def test_brand_and_digits_are_left_out_when_ic_has_none(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(POST, posted())
    adapter.post_payment(payment(method="ach", card_brand="", last_digits=""))
    assert "creditCardBrand" not in fake.sent().tags("remit")
    assert "lastDigitsOfPayment" not in fake.sent().tags("remit")


def test_ach_last_digits_are_sent(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """INT-3509: the last digits may be of a bank account."""
    fake.on(POST, posted())
    adapter.post_payment(payment(method="ach", card_brand="", last_digits="6789"))
    assert fake.sent().text("remit/lastDigitsOfPayment") == "6789"


@pytest.mark.parametrize(("overrides", "words"), [
    ({"method": "ach", "card_brand": "VISA"}, "card payments only"),
    ({"last_digits": "4111111111111111"}, "never the whole"),
    ({"last_digits": "12a4"}, "not all digits"),
    ({"card_brand": "<VISA>"}, "brand name"),
])
def test_payment_model_refuses_bad_card_details(overrides: dict[str, str], words: str) -> None:
    with pytest.raises(AdapterInputError, match=words):
        payment(**overrides)


# -- payment: allocation (design 004 §Payments Sent from IC to BP) --------------------------------
@pytest.mark.parametrize(("custom", "account", "level", "tag", "value"), [
    ({"c4": "1000000109", "c5": "A"}, "981000001", "A", "billAcctCd", "1000000109"),
    ({"c2": "653000001", "c4": "CERT-77", "c5": "C"}, "981000001", "C", "billAcctCd", "CERT-77"),
    ({"c2": "653000001", "c4": "", "c5": "C"}, "981000001", "C", "billAcctCd", "653000001"),  # INT-3609
    ({"c2": "653000001", "c3": "HOM123456-01", "c5": "N"}, "HOM123456", "N", "agreementNbr", "HOM123456"),
    ({"c2": "653000001", "c3": "HOM123456-01", "c5": "P"}, "HOM123456", "P", "policyNbr", "HOM123456-01"),
    ({"c3": "HOM123456-01", "c4": "45405", "c5": "I"}, "384300001", "I", "invoiceNbr", "45405"),  # INT-4810/4811
    ({"c3": "HOM123456-01", "c4": "45605", "c5": "S"}, "384300001", "S", "invoiceNbr", "45605"),  # ITG-1597
    ({"c4": "1000000109", "c5": " a "}, "981000001", "A", "billAcctCd", "1000000109"),
])
def test_allocation_level_and_its_one_target_tag(
    adapter: SapiensAdapter, fake: FakeSapiens, custom: dict[str, Any], account: str, level: str, tag: str, value: str
) -> None:
    fake.on(POST, posted())
    adapter.post_payment(payment(invoice=invoice("INV9", account=account, **custom)))
    sent = fake.sent()
    assert sent.text("remit/dbAllocLevel") == level
    targets = [t for t in sent.tags("remit") if t in ("billAcctCd", "agreementNbr", "policyNbr", "invoiceNbr")]
    assert targets == [tag]  # exactly one: no policyNbr for I and S, none of the others either
    assert sent.text(f"remit/{tag}") == value


@pytest.mark.parametrize(("custom", "words"), [
    ({}, r"Custom5 \(FileSpecID 42\).*empty"),
    ({"c5": "X"}, r"Custom5 \(FileSpecID 42\) is 'X'.*A = account"),
    ({"c5": "A"}, r"Custom4 \(FileSpecID 41\)"),
    ({"c5": "C"}, r"Custom4 \(FileSpecID 41\).*Custom2 \(FileSpecID 39\).*INT-3609"),
    ({"c5": "P"}, r"Custom3 \(FileSpecID 40\)"),
    ({"c5": "I"}, r"Custom4 \(FileSpecID 41\)"),
    ({"c5": "S"}, r"Custom4 \(FileSpecID 41\)"),
])
def test_missing_allocation_fields_are_input_errors(adapter: SapiensAdapter, fake: FakeSapiens,
                                                    custom: dict[str, Any], words: str) -> None:
    with pytest.raises(AdapterInputError, match=words):
        adapter.post_payment(payment(invoice=invoice(**custom)))
    assert fake.received == []


# -- payment: the answer ------------------------------------------------------------------------
def test_refused_payment_carries_the_reject_message(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(POST, soap_answer("createRemitBatch", code="FAILURE",
                              reject="bankRemittanceAmount must match batchTotal"))
    with pytest.raises(PartnerRejected, match="bankRemittanceAmount must match batchTotal") as caught:
        adapter.post_payment(payment())
    assert (caught.value.code, caught.value.operation) == ("FAILURE", "sapiens.post_payment")


@pytest.mark.parametrize("strict", [True, False])
def test_posting_answer_without_its_keys_is_a_violation(session: requests.Session, fake: FakeSapiens,
                                                        strict: bool) -> None:
    """IC needs the batch MC_ID and remit ID (a later reversal names them): the contract, or the adapter, says so."""
    fake.on(POST, soap_answer("createRemitBatch", '<remitBatch VERSION_NO="1"><remit><paymentID>'
                              f"{PAYMENT_ID}</paymentID></remit></remitBatch>"))
    with pytest.raises(ContractViolation, match="MC_ID"):
        SapiensAdapter(make_settings(strict_contract=strict), session).post_payment(payment())


def test_posting_answer_for_another_payment_is_a_violation(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(POST, posted(payment_id="someone-else"))
    with pytest.raises(ContractViolation, match="paymentID"):
        adapter.post_payment(payment())


def test_remit_id_from_the_remit_id_tag(session: requests.Session, fake: FakeSapiens) -> None:
    """Without strict_contract: a remit without its ID attribute still names itself in remit_ID."""
    fake.on(POST, soap_answer("createRemitBatch", f'<remitBatch MC_ID="5"><remit><paymentID>{PAYMENT_ID}</paymentID>'
                              "<remit_ID>7</remit_ID></remit></remitBatch>"))
    result = SapiensAdapter(make_settings(strict_contract=False), session).post_payment(payment())
    assert (result.batch_id, result.remittance_id) == ("5", "7")


# -- quotes: PolicyPro down payment ---------------------------------------------------------------
def test_quote_payment_goes_to_policy_pro(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """Design 004: PolicyPro only for accounts starting with Q; updPaymentInfo with the policy MC_ID."""
    fake.on(DOWN_PAYMENT, soap_answer("updatePaymentInfo", down_payment_answer(), policy=True))
    quote = invoice("Q12345678", account="Q12345678", c6="112111001", c2="999")
    quote.extra.update({61: "123 Main Street", 63: "Southtown", 64: "PA", 65: "00000"})
    result = adapter.post_payment(payment(invoice=quote, amount=Decimal("1000.00")))
    sent = fake.sent()
    assert sent.request.url == POLICY_URL  # setting 11 with the PolicyPro service path
    assert sent.call.tag == f"{{{POLICY_NS}}}PWInvokePolicyActionRequest"
    assert sent.field("ActionCode") == "updPaymentInfo"
    assert (sent.payload.tag, dict(sent.payload.attrib)) == ("policy", {
        "VERSION_NO": "1", "MC_ID": "112111001", "ID": "1", "ExtAction": "U", "CT_ID": "1"})
    assert sent.tags() == ["downPaymentReceived", "paymentReferenceID", "paymentPayerName", "paymentPayerAddressLine1",
                           "paymentPayerAddressCity", "paymentPayerAddressState", "paymentPayerAddressPostalCode",
                           "paymentPayerEMail"]
    assert (sent.text("downPaymentReceived"), sent.text("paymentReferenceID")) == ("1000.00", PAYMENT_ID)
    assert sent.text("paymentPayerEMail") == "polly.payer@example.test"
    assert result == PaymentResult(PAYMENT_ID, "Q12345678", "Q12345678", operation="down_payment")
    assert adapter.exchanges[-1].request.path == "/AdaptikPolicy/soapservices/PWPolicyService"
    assert adapter.exchanges[-1].operation == "down_payment"


def test_quote_mc_id_falls_back_to_custom2(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(DOWN_PAYMENT, soap_answer("updatePaymentInfo", down_payment_answer("112111002", amount="500.00"),
                                      policy=True))
    adapter.post_payment(payment(invoice=invoice("Q1", account="Q1", c2="112111002")))
    assert fake.sent().payload.get("MC_ID") == "112111002"


def test_quote_without_mc_id_is_an_input_error(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    with pytest.raises(AdapterInputError, match=r"Custom6 \(FileSpecID 43\).*Custom2"):
        adapter.post_payment(payment(invoice=invoice("Q1", account="Q1")))
    assert fake.received == []


def test_policy_pro_url_needs_the_billing_path_in_setting_11(session: requests.Session) -> None:
    adapter = SapiensAdapter(make_settings({**SETTINGS, 11: f"{BASE}/somewhere"}, strict_contract=False), session)
    with pytest.raises(AdapterConfigError, match=r"setting 11 .*AdaptikPolicy"):
        adapter.post_payment(payment(invoice=invoice("Q1", account="Q1", c6="1")))


def test_refused_down_payment(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(DOWN_PAYMENT, soap_answer("updatePaymentInfo", code="FAILURE", reject="Quote not found", policy=True))
    with pytest.raises(PartnerRejected, match="Quote not found"):
        adapter.post_payment(payment(invoice=invoice("Q1", account="Q1", c6="1")))


# -- credits: remit search, then reversal ---------------------------------------------------------
@pytest.mark.parametrize(("kind", "code", "nsf"), [("ach_reject", "R01", "Y"), ("void", "", "N"), ("refund", "", "N"),
                                                   ("chargeback", "", "N"), ("credit", "", "N")])
def test_reversal_searches_then_reverses(adapter: SapiensAdapter, fake: FakeSapiens, kind: str, code: str,
                                         nsf: str) -> None:
    fake.on(REMIT_SEARCH, remit_found())
    fake.on(REVERSE, reversed_answer())
    result = adapter.post_credit(credit(kind, code))
    search, reverse = fake.soap_requests()
    assert (search.field("ActionCode"), search.field("InterfaceCode")) == ("PWSTRUCTUREDSEARCH", "remitBatchSearch")
    assert search.text("SearchID") == "BM_REMIT_SRCH1"
    assert search.tags("searchCriteria") == ["paymentID"]
    assert search.text("searchCriteria/paymentID") == PAYMENT_ID
    assert (reverse.field("ActionCode"), reverse.field("InterfaceCode")) == ("createRemitReversal", None)
    assert dict(reverse.payload.attrib) == {"MC_ID": "833100001", "CT_ID": "1", "VERSION_NO": "1", "ExtAction": "U"}
    assert reverse.tags() == ["nsfInd", "remit"]
    assert reverse.text("nsfInd") == nsf
    assert dict(reverse.payload.find("remit").attrib) == {"ID": "2", "ExtAction": "U", "MarkOccurrence": "Y"}
    assert reverse.tags("remit") == ["paymentID"]
    assert reverse.text("remit/paymentID") == PAYMENT_ID
    assert result.posted and result.reason_code == f"nsfInd={nsf}"
    assert (result.batch_id, result.remittance_id) == ("833100001", "2")
    assert [e.operation for e in adapter.exchanges] == ["remit_search", "reverse_payment"]


@pytest.mark.parametrize("code", ["C01", "C05", "c02"])
def test_c_series_rejects_are_not_sent(adapter: SapiensAdapter, fake: FakeSapiens, code: str) -> None:
    result = adapter.post_credit(credit("ach_reject", code))
    assert fake.received == []
    assert not result.posted and result.reason_code == code.upper()
    assert "C-series" in result.skipped_because


def test_quote_credit_is_not_sent(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    result = adapter.post_credit(credit("void", account="Q12345678"))
    assert fake.received == [] and not result.posted and "PolicyPro" in result.skipped_because


def test_unknown_payment_is_rejected_and_nothing_is_reversed(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(REMIT_SEARCH, soap_answer("PWSTRUCTUREDSEARCH", code="NONEFOUND", interface="remitBatchSearch",
                                      message="No results found."))
    fake.on(REVERSE, reversed_answer())
    with pytest.raises(PartnerRejected, match="Nothing was reversed") as caught:
        adapter.post_credit(credit("ach_reject", "R01"))
    assert caught.value.code == "NONEFOUND" and caught.value.operation == "sapiens.remit_search"
    assert [s.field("ActionCode") for s in fake.soap_requests()] == ["PWSTRUCTUREDSEARCH"]


def test_refused_reversal(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(REMIT_SEARCH, remit_found())
    fake.on(REVERSE, soap_answer(REVERSE, code="FAILURE", reject="Remittance 2 is already reversed"))
    with pytest.raises(PartnerRejected, match="already reversed") as caught:
        adapter.post_credit(credit())
    assert caught.value.operation == "sapiens.reverse_payment"


def test_search_answer_for_another_payment_is_a_violation(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(REMIT_SEARCH, remit_found(payment_id="800700001-2021-"))
    with pytest.raises(ContractViolation, match="paymentID"):
        adapter.post_credit(credit())
    assert len(fake.received) == 1


@pytest.mark.parametrize("strict", [True, False])
def test_search_answer_without_mcid_is_a_violation(session: requests.Session, fake: FakeSapiens, strict: bool) -> None:
    fake.on(REMIT_SEARCH, remit_found(mcid=""))
    with pytest.raises(ContractViolation, match="MCID"):
        SapiensAdapter(make_settings(strict_contract=strict), session).post_credit(credit())
    assert len(fake.received) == 1


def test_search_picks_the_result_of_the_payment(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    other = results("BM_REMIT_SRCH1", remit_row("other", "9", "9"), remit_row(PAYMENT_ID.upper(), "833100002", "3"))
    fake.on(REMIT_SEARCH, soap_answer("PWSTRUCTUREDSEARCH", other))
    fake.on(REVERSE, reversed_answer())
    result = adapter.post_credit(credit())
    assert (result.batch_id, result.remittance_id) == ("833100002", "3")


# -- autopay and paperless (design 004 §Data Pump: Paperless/AutoPay Enrollment) -------------------
def test_account_form_with_mc_id_from_custom6(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """INT-3697: account MC_ID = Custom6 (not Custom2); CT_ID and VERSION_NO 1; productGroup ACCT."""
    fake.on(SETTINGS_CHANGE, settings_answer())
    result = adapter.set_autopay(account_bill(c2="981000001", c6="522000001"), PaymentMethod.CARD)
    sent = fake.sent()
    assert sent.field("ActionCode") == "updateICSettings"
    assert (sent.payload.tag, dict(sent.payload.attrib)) == ("account", {"MC_ID": "522000001", "CT_ID": "1",
                                                                         "VERSION_NO": "1"})
    assert sent.tags() == ["productGroup", "autoPayInd"]  # paperless does not change: its tag is omitted
    assert (sent.text("productGroup"), sent.text("autoPayInd")) == ("ACCT", "Y")
    assert result == SettingsChange("522000001", autopay=True, paperless=None)
    assert adapter.exchanges[-1].operation == "update_settings"


def test_single_policy_form_with_policy_nbr_from_custom3(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(SETTINGS_CHANGE, settings_answer(autopay="", paperless="N"))
    result = adapter.set_paperless(policy_bill(c2="653000001", c3="HOM123445_01", c6="522000001"), False)
    sent = fake.sent()
    assert sent.tags() == ["productGroup", "policy"]
    assert dict(sent.payload.find("policy").attrib) == {"ExtAction": "U", "MarkOccurrence": "Y"}
    assert sent.tags("policy") == ["policyNbr", "paperlessBillingInd"]
    assert (sent.text("policy/policyNbr"), sent.text("policy/paperlessBillingInd")) == ("HOM123445_01", "N")
    assert result == SettingsChange("522000001", autopay=None, paperless=False, policy_number="HOM123445_01")


@pytest.mark.parametrize(("method", "value"), [(None, "N"), (False, "N"), ("card", "Y"), ("ach", "Y"),
                                               (PaymentMethod.BANK, "Y"), (True, "Y")])
def test_autopay_method_to_y_or_n(adapter: SapiensAdapter, fake: FakeSapiens, method: Any, value: str) -> None:
    fake.on(SETTINGS_CHANGE, settings_answer(autopay=value))
    adapter.set_autopay(account_bill(), method)
    assert fake.sent().text("autoPayInd") == value


def test_unknown_autopay_method_is_refused(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    with pytest.raises(AdapterInputError, match="valid values"):
        adapter.set_autopay(account_bill(), "bitcoin")
    assert fake.received == []


def test_both_settings_in_one_call(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(SETTINGS_CHANGE, settings_answer(autopay="N", paperless="Y"))
    result = adapter.update_settings(account_bill(), autopay=False, paperless=True)
    assert fake.sent().tags() == ["productGroup", "autoPayInd", "paperlessBillingInd"]
    assert (fake.sent().text("autoPayInd"), fake.sent().text("paperlessBillingInd")) == ("N", "Y")
    assert (result.autopay, result.paperless) == (False, True)
    assert len(fake.received) == 1


def test_nothing_to_change_is_an_input_error(adapter: SapiensAdapter) -> None:
    with pytest.raises(AdapterInputError, match="nothing would change"):
        adapter.update_settings(account_bill())


def test_settings_without_custom6_is_an_input_error(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    with pytest.raises(AdapterInputError, match=r"Custom6 \(FileSpecID 43\).*INT-3697"):
        adapter.set_paperless(account_bill(c6=""), True)
    assert fake.received == []


def test_settings_need_the_invoice_not_an_account_number(adapter: SapiensAdapter) -> None:
    with pytest.raises(AdapterInputError, match=r"the invoice as IC holds it.*Custom6"):
        adapter.set_paperless("981000001", True)  # type: ignore[arg-type]


def test_quote_settings_are_not_sent(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    result = adapter.set_paperless(invoice("Q1", account="Q1", c6="1"), True)
    assert fake.received == [] and not result.sent and "quote" in result.skipped_because


def test_refused_settings_change(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(SETTINGS_CHANGE, soap_answer(SETTINGS_CHANGE, code="FAILURE", reject="Account 522000001 not found"))
    with pytest.raises(PartnerRejected, match="Account 522000001 not found"):
        adapter.set_paperless(account_bill(), True)


def test_settings_echo_that_differs_is_a_violation(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(SETTINGS_CHANGE, settings_answer(autopay="N"))
    with pytest.raises(ContractViolation, match="autoPayInd"):
        adapter.set_autopay(account_bill(), "card")


def test_settings_echo_as_the_design_writes_it_is_accepted(session: requests.Session, fake: FakeSapiens) -> None:
    """The design's updateICSettings answer has no inner wrapper and a stray </account>: IC needs only SUCCESS."""
    fake.on(SETTINGS_CHANGE, soap_answer(SETTINGS_CHANGE, '<?xml version="1.0" encoding="UTF-8"?> \n\t<account '
                                         'MC_ID="522000001" CT_ID="1" VERSION_NO="1"><productGroup>ACCT</productGroup>'
                                         "<autoPayInd>Y</autoPayInd></account>\n</account>", wrap=False))
    adapter = SapiensAdapter(make_settings(strict_contract=False), session)
    assert adapter.set_autopay(account_bill(), "card").autopay is True


def test_payment_paid_on_is_a_date(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(POST, posted())
    adapter.post_payment(payment(paid_on=date(2024, 12, 3)))
    assert fake.sent().text("remit/depositDate") == "12/03/2024"


def test_payment_model_keeps_card_details() -> None:
    p = Payment(PAYMENT_ID, account_bill(), Decimal("1"), date(2024, 1, 1), PaymentMethod.CARD,
                card_brand=" Mastercard ", last_digits=" 0042 ")
    assert (p.card_brand, p.last_digits) == ("Mastercard", "0042")
