"""Done-when of issue 3: a SOAP client no one here wrote (zeep) loads the WSDLs the sandbox serves and
calls every SOAP operation through them, with WS-Security, getting Sapiens' answers back."""

from __future__ import annotations

import pytest
import zeep
from lxml import etree
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from contracts import Exchange
from contracts.xmlbody import unwrap_payload
from simulators import ServerThread
from tests.conftest import journal

BILLING = "/sapiens/AdaptikBilling/soapservices/PWBillingService?wsdl"
POLICY = "/sapiens/AdaptikPolicy/soapservices/PWPolicyService?wsdl"


def _client(live: ServerThread, path: str, password: str = "sandbox") -> zeep.Client:
    return zeep.Client(f"{live.url}{path}", transport=Transport(timeout=10),
                       wsse=UsernameToken("sandbox", password))


def _call(client: zeep.Client, action: str, data: str, interface: str | None = None) -> tuple[str, etree._Element | None]:
    operation = next(iter(client.service._binding._operations))
    answer = getattr(client.service, operation)(
        TransRef="zeep-1", ReqDateTime="2026-11-22T10:00:00", ActionCode=action, InterfaceCode=interface,
        PWAuthentication={"UserLoginName": "system-user"}, Data=data)
    payload = unwrap_payload(answer.Data)[0] if answer.Data else ""
    return answer.TransResult.ReturnCode, (etree.fromstring(payload.encode()) if payload else None)


def _search(interface: str, criteria: str, search_id: str = "BM_ACCT_SRCH") -> str:
    return f"<SearchRequest><SearchID>{search_id}</SearchID><searchCriteria>{criteria}</searchCriteria></SearchRequest>"


def test_zeep_calls_every_billing_operation(live: ServerThread) -> None:
    client = _client(live, BILLING)
    assert client.wsdl.services, "the served WSDL loads"
    code, payload = _call(client, "PWSTRUCTUREDSEARCH", _search("icAccountBalanceUpd", "<acctName>981000001</acctName>"),
                          "icAccountBalanceUpd")
    assert code == "SUCCESS" and payload is not None and payload.findtext("SearchResult/amountDue") == "250"
    code, payload = _call(client, "PWSTRUCTUREDSEARCH", _search("", "<policyNbr>I-706200001-1</policyNbr>"),
                          "icPolicyBalanceUpd")
    assert code == "SUCCESS" and payload is not None and payload.findtext("SearchResult/balance") == "1467"
    code, payload = _call(client, "PWSTRUCTUREDSEARCH", _search("", "<acctName>384300001</acctName>", "BM_INVOICE_SRCH"),
                          "icInvoiceBalanceUpd")
    assert code == "SUCCESS" and payload is not None and len(payload.findall("SearchResult")) == 3
    code, payload = _call(client, "createRemitACHPmt", """<remitBatch ExtAction="A"><productGroup>REM</productGroup>
<inputMode>AUTO</inputMode><nbrOfRemitItems>1</nbrOfRemitItems><batchCtrlType>REG</batchCtrlType>
<batchTotal>100.00</batchTotal><batchSource>IC</batchSource><paymentType>ACH</paymentType><remit ExtAction="A">
<paymentID>ZEEP-1</paymentID><dbAllocLevel>A</dbAllocLevel><billAcctCd>1000000109</billAcctCd>
<depositDate>11/20/2026</depositDate><bankRemittanceAmount>100.00</bankRemittanceAmount></remit></remitBatch>""")
    assert code == "SUCCESS" and payload is not None and payload.findtext("remit/paymentID") == "ZEEP-1"
    code, payload = _call(client, "PWSTRUCTUREDSEARCH", _search("", "<paymentID>ZEEP-1</paymentID>", "BM_REMIT_SRCH1"),
                          "remitBatchSearch")
    assert code == "SUCCESS" and payload is not None
    mc_id, remit_id = payload.findtext("SearchResult/MCID"), payload.findtext("SearchResult/remittanceCID")
    code, payload = _call(client, "createRemitReversal", f"""<remitBatch MC_ID="{mc_id}" CT_ID="1" VERSION_NO="1"
ExtAction="U"><nsfInd>Y</nsfInd><remit ID="{remit_id}" ExtAction="U" MarkOccurrence="Y"><paymentID>ZEEP-1</paymentID>
</remit></remitBatch>""")
    assert code == "SUCCESS" and payload is not None and payload.findtext("nsfInd") == "Y"
    code, payload = _call(client, "updateICSettings", '<account MC_ID="522000001" CT_ID="1" VERSION_NO="1">'
                          "<productGroup>ACCT</productGroup><paperlessBillingInd>Y</paperlessBillingInd></account>")
    assert code == "SUCCESS" and payload is not None and payload.findtext("paperlessBillingInd") == "Y"
    soap = [Exchange.from_dict(e) for e in journal(live, partner="sapiens") if e["request"]["method"] == "POST"]
    assert [e.operation for e in soap] == ["account_balance", "policy_balance", "invoice_balance", "post_payment",
                                           "remit_search", "reverse_payment", "update_settings"]
    assert all(e.violations == [] for e in soap), "zeep's requests and the sandbox's answers conform to the contract"


def test_zeep_calls_the_policy_service(live: ServerThread) -> None:
    client = _client(live, POLICY)
    code, payload = _call(client, "updPaymentInfo", '<policy VERSION_NO="1" MC_ID="112111001" ID="1" ExtAction="U" '
                          'CT_ID="1"><downPaymentReceived>250.00</downPaymentReceived>'
                          "<paymentReferenceID>ZEEP-DP-1</paymentReferenceID></policy>")
    assert code == "SUCCESS" and payload is not None and payload.get("MC_ID") == "112111001"


def test_zeep_sees_a_wrong_password_as_a_fault(live: ServerThread) -> None:
    client = _client(live, BILLING, password="wrong")
    with pytest.raises(zeep.exceptions.Fault) as raised:
        _call(client, "PWSTRUCTUREDSEARCH", _search("", "<acctName>981000001</acctName>"), "icAccountBalanceUpd")
    assert raised.value.code is not None and "FailedAuthentication" in str(raised.value.code)
