"""The Sapiens simulator against design 004: searches, remittances and their reversal, settings, down
payments, documents, WS-Security and the partner's own refusals (SOAP Faults, FAILURE, NONEFOUND...)."""

from __future__ import annotations

import base64
import io
from typing import Any

import pypdf
import pytest
import requests
from lxml import etree

from contracts import Exchange, Response, load_contract
from contracts.xmlbody import payload_text, unwrap_payload
from simulators import ServerThread
from tests.conftest import journal

BILLING = "/AdaptikBilling/soapservices/PWBillingService"
POLICY = "/AdaptikPolicy/soapservices/PWPolicyService"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"


def envelope(action: str, data: str, *, interface: str = "", service: str = "billing", user: str = "sandbox",
             password: str | None = "sandbox", login: str = "system-user", trans_ref: str = "T-1") -> bytes:
    """A request written the way the design writes it (prefixes, unqualified children, CDATA)."""
    security = "" if password is None else f"""
<soapenv:Header><wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="{WSSE}"><wsse:UsernameToken>
<wsse:Username>{user}</wsse:Username><wsse:Password Type="{PASSWORD_TEXT}">{password}</wsse:Password>
</wsse:UsernameToken></wsse:Security></soapenv:Header>"""
    element, ns = (("bil:PWInvokeBillingActionRequest", 'xmlns:bil="http://adaptik.com/ws/xml/billing"')
                   if service == "billing" else ("sch:PWInvokePolicyActionRequest", 'xmlns:sch="http://adaptik.com/ws/xml"'))
    interface_tag = f"<InterfaceCode>{interface}</InterfaceCode>" if interface else ""
    return f"""<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" {ns}>{security}
<soapenv:Body><{element}><TransRef>{trans_ref}</TransRef><ReqDateTime>2026-11-22T10:00:00</ReqDateTime>
<ActionCode>{action}</ActionCode>{interface_tag}<PWAuthentication><UserLoginName>{login}</UserLoginName></PWAuthentication>
<Data><![CDATA[{data}]]></Data></{element}></soapenv:Body></soapenv:Envelope>""".encode()


class Answer:
    def __init__(self, response: requests.Response) -> None:
        self.http = response
        self.root = etree.fromstring(response.content)
        self.body = self.root[-1][0]

    def field(self, path: str) -> str:
        return "".join(self.body.find(path).itertext()).strip()  # type: ignore[union-attr]

    @property
    def code(self) -> str:
        return self.field("TransResult/ReturnCode")

    @property
    def reject(self) -> str:
        return self.field("TransResult/RejectMessage")

    @property
    def payload(self) -> etree._Element:
        text = payload_text(self.body, "Data")
        assert text, "the answer carries no Data"
        return etree.fromstring(unwrap_payload(text)[0].encode())

    def results(self) -> list[dict[str, str]]:
        return [{c.tag: (c.text or "") for c in row} for row in self.payload.iterfind("SearchResult")]


class Sapiens:
    def __init__(self, base: str) -> None:
        self.base = f"{base}/sapiens"
        self.http = requests.Session()

    def send(self, body: bytes, service: str = BILLING) -> requests.Response:
        return self.http.post(self.base + service, data=body, headers={"Content-Type": "text/xml; charset=utf-8",
                                                                        "SOAPAction": '""'})

    def call(self, action: str, data: str, **kw: Any) -> Answer:
        service = POLICY if kw.get("service") == "policy" else BILLING
        r = self.send(envelope(action, data, **kw), service)
        assert r.status_code == 200, r.text
        return Answer(r)

    def search(self, interface: str, criteria: str, search_id: str = "BM_ACCT_SRCH") -> Answer:
        return self.call("PWSTRUCTUREDSEARCH", f"<SearchRequest><SearchID>{search_id}</SearchID>"
                         f"<searchCriteria>{criteria}</searchCriteria></SearchRequest>", interface=interface)

    def account(self, name: str) -> dict[str, str]:
        return self.search("icAccountBalanceUpd", f"<acctName>{name}</acctName>").results()[0]

    def pay(self, payment_id: str, level: str, target: str, amount: str = "100.00", total: str | None = None,
            tag: str | None = None, kind: str = "CC") -> Answer:
        tag = tag or {"A": "billAcctCd", "C": "billAcctCd", "N": "agreementNbr", "P": "policyNbr"}.get(level, "invoiceNbr")
        return self.call("createRemitACHPmt", f"""<remitBatch ExtAction="A"><productGroup>REM</productGroup>
<inputMode>AUTO</inputMode><nbrOfRemitItems>1</nbrOfRemitItems><batchCtrlType>REG</batchCtrlType>
<batchTotal>{total or amount}</batchTotal><batchSource>IC</batchSource><paymentType>{kind}</paymentType>
<remit ExtAction="A"><paymentID>{payment_id}</paymentID><dbAllocLevel>{level}</dbAllocLevel><{tag}>{target}</{tag}>
<depositDate>11/20/2026</depositDate><creditCardBrand>VISA</creditCardBrand><lastDigitsOfPayment>1234</lastDigitsOfPayment>
<bankRemittanceAmount>{amount}</bankRemittanceAmount><notes>sandbox</notes></remit></remitBatch>""")

    def remit(self, payment_id: str) -> Answer:
        return self.search("remitBatchSearch", f"<paymentID>{payment_id}</paymentID>", "BM_REMIT_SRCH1")

    def reverse(self, payment_id: str, mc_id: str, remit_id: str, nsf: str = "Y") -> Answer:
        return self.call("createRemitReversal", f"""<remitBatch MC_ID="{mc_id}" CT_ID="1" VERSION_NO="1" ExtAction="U">
<nsfInd>{nsf}</nsfInd><remit ID="{remit_id}" ExtAction="U" MarkOccurrence="Y"><paymentID>{payment_id}</paymentID></remit>
</remitBatch>""")


@pytest.fixture
def sapiens(live: ServerThread) -> Sapiens:
    return Sapiens(live.url)


# -- RTDR ----------------------------------------------------------------------------------------
def test_account_balance_answers_in_nested_cdata(sapiens: Sapiens) -> None:
    r = sapiens.send(envelope("PWSTRUCTUREDSEARCH", "<SearchRequest><SearchID>BM_ACCT_SRCH</SearchID><searchCriteria>"
                              "<acctName>981000001</acctName></searchCriteria></SearchRequest>",
                              interface="icAccountBalanceUpd"))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/xml")
    assert b"<Data><![CDATA[<![CDATA[<?xml" in r.content, "the design's literal CDATA inside Data's CDATA"
    answer = Answer(r)
    assert (answer.code, answer.field("TransRef"), answer.field("InterfaceCode")) == ("SUCCESS", "T-1", "icAccountBalanceUpd")
    assert answer.results() == [{"acctName": "981000001", "balance": "1500", "amountDue": "250", "pastDueAmount": "0"}]


def test_policy_balance_is_the_design_sample(sapiens: Sapiens) -> None:
    rows = sapiens.search("icPolicyBalanceUpd", "<policyNbr>I-706200001-1</policyNbr>").results()
    assert rows == [{"acctName": "653000001", "policyNbr": "I-706200001-1", "policyStatus": "A", "balance": "1467",
                     "amountDue": "0", "pastDueAmount": "0"}]


def test_invoice_balance_returns_every_open_invoice(sapiens: Sapiens) -> None:
    answer = sapiens.search("icInvoiceBalanceUpd", "<acctName>384300001</acctName>", "BM_INVOICE_SRCH")
    rows = answer.results()
    assert [(r["invoiceNbr"], r["amountDue"], r["balance"]) for r in rows] == [
        ("45405", "27960.65", "491327.98"), ("45605", "49961.47", "491327.98"), ("45606", "46961.47", "491327.98")]
    assert answer.payload.findtext("SearchID") == "BM_INVOICE_SRCH"


@pytest.mark.parametrize("criteria, code", [
    ("<acctName>999999999</acctName>", "NONEFOUND"),
    ("", "MISSINGPARAMS"),
    ("<acctName>  </acctName>", "MISSINGPARAMS"),
])
def test_search_refusals_are_return_codes(sapiens: Sapiens, criteria: str, code: str) -> None:
    answer = sapiens.search("icAccountBalanceUpd", criteria)
    assert answer.http.status_code == 200 and answer.code == code and answer.reject


def test_a_search_id_of_another_interface_is_a_failure(sapiens: Sapiens) -> None:
    answer = sapiens.search("remitBatchSearch", "<paymentID>800700001-2021-</paymentID>", "BM_ACCT_SRCH")
    assert answer.code == "FAILURE"


# -- payments and allocation levels -------------------------------------------------------------
def test_a_payment_posts_allocates_and_answers_the_posted_batch(sapiens: Sapiens) -> None:
    before = sapiens.account("1000000109")
    answer = sapiens.pay("PAY-A", "A", "1000000109", "150.00")
    assert answer.code == "SUCCESS" and answer.field("ActionCode") == "createRemitBatch"
    batch = answer.payload
    assert batch.tag == "remitBatch" and batch.get("MC_ID") and batch.find("remit").get("ID") == "2"  # type: ignore[union-attr]
    assert batch.findtext("remit/paymentID") == "PAY-A" and batch.find("remit/dbAllocLevel").get("LITERAL") == "Account"  # type: ignore[union-attr]
    after = sapiens.account("1000000109")
    assert (before["amountDue"], after["amountDue"]) == ("600", "450")
    assert (before["balance"], after["balance"]) == ("2400", "2250")


@pytest.mark.parametrize("level, target, check", [
    ("C", "CERT-0001", ("icAccountBalanceUpd", "<acctName>1000000109</acctName>", "amountDue", "600", "500")),
    ("N", "HOM123456", ("icPolicyBalanceUpd", "<policyNbr>HOM123456-01</policyNbr>", "amountDue", "600", "500")),
    ("P", "HOM123456-01", ("icPolicyBalanceUpd", "<policyNbr>HOM123456-01</policyNbr>", "amountDue", "600", "500")),
    ("I", "45605", ("icInvoiceBalanceUpd", "<acctName>384300001</acctName>", "45605", "49961.47", "49861.47")),
    ("S", "45606", ("icInvoiceBalanceUpd", "<acctName>384300001</acctName>", "45606", "46961.47", "46861.47")),
])
def test_each_allocation_level_pays_its_target(sapiens: Sapiens, level: str, target: str, check: tuple[str, ...]) -> None:
    interface, criteria, key, before, after = check

    def figure() -> str:
        rows = sapiens.search(interface, criteria, "BM_INVOICE_SRCH" if "Invoice" in interface else "BM_ACCT_SRCH").results()
        if key.isdigit():
            return next(r["amountDue"] for r in rows if r["invoiceNbr"] == key)
        return rows[0][key]

    assert figure() == before
    assert sapiens.pay(f"PAY-{level}", level, target, "100.00").code == "SUCCESS"
    assert figure() == after


def test_the_same_payment_id_twice_posts_once(sapiens: Sapiens) -> None:
    first = sapiens.pay("PAY-DUP", "A", "1000000109", "100.00")
    second = sapiens.pay("PAY-DUP", "A", "1000000109", "100.00")
    assert first.code == second.code == "SUCCESS"
    assert first.payload.get("MC_ID") == second.payload.get("MC_ID")
    assert sapiens.account("1000000109")["amountDue"] == "500"


@pytest.mark.parametrize("kwargs, reason", [
    ({"level": "A", "target": "1000000109", "amount": "100.00", "total": "90.00"}, "equal to batchTotal"),
    ({"level": "A", "target": "NO-SUCH-CODE"}, "Allocation target not found"),
    ({"level": "P", "target": "NO-SUCH-POLICY"}, "Allocation target not found"),
    ({"level": "I", "target": "99999"}, "Allocation target not found"),
    ({"level": "Z", "target": "1000000109", "tag": "billAcctCd"}, "/remitBatch/remit/dbAllocLevel"),
    ({"level": "P", "target": "1000000109", "tag": "billAcctCd"}, "expected policyNbr"),
])
def test_a_payment_that_cannot_post_is_a_failure_and_moves_nothing(sapiens: Sapiens, kwargs: dict[str, str], reason: str) -> None:
    answer = sapiens.pay("PAY-BAD", **kwargs)
    assert answer.code == "FAILURE" and reason in answer.reject, answer.reject
    assert sapiens.remit("PAY-BAD").code == "NONEFOUND"
    assert sapiens.account("1000000109")["amountDue"] == "600"


def test_the_design_posting_sample_with_unclosed_tags_is_a_failure(sapiens: Sapiens, live: ServerThread) -> None:
    data = """<remitBatch ExtAction="A"><productGroup>REM</productGroup><inputMode>AUTO</inputMode>
<nbrOfRemitItems>1</nbrOfRemitItems><batchCtrlType>REG</batchCtrlType><batchTotal>500.00</batchTotal>
<batchSource>IC<batchSource><paymentType>CC</paymentType><remit ExtAction="A"><paymentID>12345</paymentID>
<dbAllocLevel>A</dbAllocLevel><billAcctCd>1000000109</billAcctCd><agreementNbr>HOM123456<agreementNbr>
<policyNbr>HOM123456-01<policyNbr><depositDate>04/15/2019</depositDate><bankRemittanceAmount>500.00</bankRemittanceAmount>
</remit></remitBatch>"""
    answer = sapiens.call("createRemitACHPmt", data)
    assert answer.code == "FAILURE" and "not well-formed" in answer.reject
    entry = journal(live, operation="post_payment")[-1]
    assert "rejected FAILURE" in entry["notes"]


# -- NSF and reversals ----------------------------------------------------------------------------
def test_nsf_flow_restores_the_balance_and_refuses_a_second_reversal(sapiens: Sapiens) -> None:
    sapiens.pay("PAY-NSF", "A", "1000000109", "200.00", kind="ACH")
    assert sapiens.account("1000000109")["amountDue"] == "400"
    found = sapiens.remit("PAY-NSF").results()[0]
    assert (found["paymentID"], found["nsfInd"], found["status"], found["remitAmt"]) == ("PAY-NSF", "N", "Closed", "200")
    answer = sapiens.reverse("PAY-NSF", found["MCID"], found["remittanceCID"], "Y")
    assert answer.code == "SUCCESS" and answer.payload.findtext("nsfInd") == "Y"
    assert sapiens.account("1000000109")["amountDue"] == "600"
    after = sapiens.remit("PAY-NSF").results()[0]
    assert (after["nsfInd"], after["status"]) == ("Y", "Reversed")
    again = sapiens.reverse("PAY-NSF", found["MCID"], found["remittanceCID"], "Y")
    assert again.code == "FAILURE" and "already reversed" in again.reject


def test_a_plain_unapply_reverses_without_nsf(sapiens: Sapiens) -> None:
    found = sapiens.remit("800700001-2021-").results()[0]
    assert (found["MCID"], found["remittanceCID"], found["remitAmt"], found["payerNM"]) == ("833100001", "2", "1,905", "Alex Bear")
    assert sapiens.reverse("800700001-2021-", "833100001", "2", "N").code == "SUCCESS"
    assert sapiens.remit("800700001-2021-").results()[0]["nsfInd"] == "N"
    assert sapiens.account("800700001")["balance"] == "1905"


@pytest.mark.parametrize("payment_id, mc_id, remit_id, reason", [
    ("NO-SUCH-PAYMENT", "833100001", "2", "No remittance"),
    ("800700001-2021-", "NNNNNNNN", "x", "search it with remitBatchSearch first"),
])
def test_a_reversal_of_an_unknown_remittance_is_a_failure(sapiens: Sapiens, payment_id: str, mc_id: str,
                                                          remit_id: str, reason: str) -> None:
    answer = sapiens.reverse(payment_id, mc_id, remit_id)
    assert answer.code == "FAILURE" and reason in answer.reject


# -- settings, down payment, documents ------------------------------------------------------------
def _settings(live: ServerThread) -> dict[str, str]:
    state = requests.get(f"{live.url}/__admin/state", params={"partner": "sapiens"}).json()
    accounts = state["sapiens"]["accounts"] if "sapiens" in state else state["accounts"]
    found = next(a for a in accounts if a["account_number"] == "522000001")
    return dict(found["settings"])


def test_settings_account_form_leaves_an_omitted_tag_unchanged(sapiens: Sapiens, live: ServerThread) -> None:
    answer = sapiens.call("updateICSettings", '<account MC_ID="522000001" CT_ID="1" VERSION_NO="1">'
                          "<productGroup>ACCT</productGroup><autoPayInd>Y</autoPayInd></account>")
    assert answer.code == "SUCCESS" and answer.payload.findtext("autoPayInd") == "Y"
    settings = _settings(live)
    assert settings["autoPayInd"] == "Y" and settings["paperlessBillingInd"] == "N"


def test_settings_single_policy_form(sapiens: Sapiens, live: ServerThread) -> None:
    answer = sapiens.call("updateICSettings", '<account MC_ID="522000001" CT_ID="1" VERSION_NO="1">'
                          '<productGroup>ACCT</productGroup><policy ExtAction="U" MarkOccurrence="Y">'
                          "<policyNbr>HOM123445_01</policyNbr><paperlessBillingInd>Y</paperlessBillingInd></policy></account>")
    assert answer.code == "SUCCESS"
    settings = _settings(live)
    assert settings["policy:HOM123445_01:paperlessBillingInd"] == "Y" and settings["paperlessBillingInd"] == "N"


@pytest.mark.parametrize("data, reason", [
    ('<account MC_ID="000000000" CT_ID="1" VERSION_NO="1"><productGroup>ACCT</productGroup><autoPayInd>Y</autoPayInd></account>',
     "No account has MC_ID"),
    ('<account MC_ID="522000001" CT_ID="1" VERSION_NO="1"><productGroup>ACCT</productGroup><policy ExtAction="U" '
     'MarkOccurrence="Y"><policyNbr>I-706200001-1</policyNbr><autoPayInd>Y</autoPayInd></policy></account>',
     "is not on account"),
])
def test_settings_refusals(sapiens: Sapiens, data: str, reason: str) -> None:
    answer = sapiens.call("updateICSettings", data)
    assert answer.code == "FAILURE" and reason in answer.reject


def test_down_payment_on_a_quote_posts_once(sapiens: Sapiens) -> None:
    data = ('<policy VERSION_NO="1" MC_ID="112111001" ID="1" ExtAction="U" CT_ID="1">'
            "<downPaymentReceived>1000.00</downPaymentReceived><paymentReferenceID>abc123454321</paymentReferenceID>"
            "<paymentPayerName>Polly Payer</paymentPayerName><paymentPayerAddressState>PA</paymentPayerAddressState>"
            "</policy>")
    for _ in range(2):
        answer = sapiens.call("updPaymentInfo", data, service="policy")
        assert answer.code == "SUCCESS" and answer.field("ActionCode") == "updatePaymentInfo"
        assert answer.body.tag == "{http://adaptik.com/ws/xml}PWInvokePolicyActionResponse"
        assert answer.payload.find("paymentPayerAddressState").get("LITERAL") == "Pennsylvania"  # type: ignore[union-attr]
    assert sapiens.remit("abc123454321").code == "NONEFOUND", "a down payment is not a BillingPro remittance"


def test_document_is_a_base64_pdf_behind_basic_auth(live: ServerThread) -> None:
    url = f"{live.url}/sapiens/s/scsGetBase64Document/DocumentsPro/DevEnv/Policies/422130001/MiscellaneousDocuments/document.pdf"
    assert requests.get(url).status_code == 401
    r = requests.get(url, auth=("sandbox", "sandbox"), headers={"Content-Type": "application/xml"})
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.findtext("returnCode") == "SUCCESS"
    pdf = base64.b64decode(root.findtext("documents/document/file") or "")
    assert "422130001" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    missing = requests.get(url.replace("document.pdf", "other.pdf"), auth=("sandbox", "sandbox"))
    assert missing.status_code == 404 and etree.fromstring(missing.content).findtext("returnCode") == "FAILURE"


# -- security, faults, WSDL -----------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, code", [
    ({"password": None}, "wsse:InvalidSecurity"),
    ({"password": "wrong"}, "wsse:FailedAuthentication"),
    ({"user": "intruder"}, "wsse:FailedAuthentication"),
])
def test_bad_credentials_are_a_ws_security_fault(sapiens: Sapiens, kwargs: dict[str, Any], code: str) -> None:
    r = sapiens.send(envelope("PWSTRUCTUREDSEARCH", "<SearchRequest/>", interface="icAccountBalanceUpd", **kwargs))
    assert r.status_code == 500
    fault = etree.fromstring(r.content).find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    assert fault is not None and fault.findtext("faultcode") == code
    prefix, local = code.split(":")
    assert fault.nsmap[prefix] == WSSE, "the fault code's prefix is bound, so a client can resolve the QName"


@pytest.mark.parametrize("body", [
    b"not xml at all",
    b"<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/'><soapenv:Body>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    b"<Envelope/>",
])
def test_an_unreadable_envelope_is_a_client_fault(sapiens: Sapiens, body: bytes) -> None:
    r = sapiens.send(body)
    assert r.status_code == 500 and b"SOAP-ENV:Client" in r.content and b"root:" not in r.content


def test_a_payload_with_a_doctype_is_refused(sapiens: Sapiens) -> None:
    data = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><SearchRequest><SearchID>BM_ACCT_SRCH</SearchID>' \
           "<searchCriteria><acctName>&e;</acctName></searchCriteria></SearchRequest>"
    answer = sapiens.call("PWSTRUCTUREDSEARCH", data, interface="icAccountBalanceUpd")
    assert answer.code == "FAILURE" and "root:" not in answer.http.text


def test_an_unknown_action_is_a_failure_naming_the_operations(sapiens: Sapiens) -> None:
    answer = sapiens.call("dropAllTables", "<x/>")
    assert answer.code == "FAILURE" and "post_payment" in answer.reject


@pytest.mark.parametrize("suffix", [".wsdl", "?wsdl"])
def test_wsdl_is_served_with_the_sandbox_address(live: ServerThread, suffix: str) -> None:
    for service in (BILLING, POLICY):
        r = requests.get(f"{live.url}/sapiens{service}{suffix}")
        assert r.status_code == 200
        addresses = etree.fromstring(r.content).xpath("//*[local-name()='address']/@location")
        assert addresses == [f"{live.url}/sapiens{service}"]


def test_journal_names_the_operation_and_the_verdict(sapiens: Sapiens, live: ServerThread) -> None:
    sapiens.account("981000001")
    exchange = Exchange.from_dict(journal(live, partner="sapiens")[-1])
    assert exchange.operation == "account_balance" and exchange.violations == []
    assert exchange.response is not None and b"<ReturnCode>SUCCESS</ReturnCode>" in exchange.response.body


def _return_code(body: bytes) -> str:
    found = etree.fromstring(body).xpath("//*[local-name()='ReturnCode' or local-name()='returnCode']/text()")
    return str(found[0]) if found else ""


@pytest.mark.parametrize("recorded", load_contract("sapiens").exchanges, ids=lambda e: e.id)
def test_every_recorded_request_sent_as_written_gets_the_recorded_answer(live: ServerThread, recorded: Exchange) -> None:
    """Design 004's samples, as recorded, against the demo data: a conformant answer with the same return code."""
    request = recorded.request
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "host")}
    if request.method == "GET" and "/s/scsGetBase64Document/" in request.path:
        headers["Authorization"] = "Basic " + base64.b64encode(b"sandbox:sandbox").decode()
    r = requests.request(request.method, f"{live.url}/sapiens{request.path}", params=request.query,
                         data=request.body or None, headers=headers)
    contract = load_contract("sapiens")
    answer = Response(status=r.status_code, headers=dict(r.headers), body=r.content)
    assert contract.check_response(request, answer) == [], r.text[:500]
    assert recorded.response is not None
    assert r.status_code == recorded.response.status
    assert _return_code(r.content) == _return_code(recorded.response.body)


def test_the_journal_never_holds_the_ws_security_password(sapiens: Sapiens, live: ServerThread) -> None:
    sapiens.send(envelope("PWSTRUCTUREDSEARCH", "<SearchRequest/>", interface="icAccountBalanceUpd",
                          password="a-secret-password"))
    entry = journal(live, partner="sapiens")[-1]
    assert "a-secret-password" not in str(entry)
