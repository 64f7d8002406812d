"""Whatever a client sends, the Sapiens sandbox answers in Sapiens' form: a ``PWInvoke...Response`` with a
return code, or a SOAP Fault; never a traceback, never an error raised inside the sandbox."""

from __future__ import annotations

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from simulators import ServerThread
from tests.simulators.test_sapiens import BILLING, POLICY, envelope

SOAP_ENV = "{http://schemas.xmlsoap.org/soap/envelope/}"
FAST = settings(max_examples=35, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
tags = st.sampled_from(["SearchRequest", "SearchID", "searchCriteria", "acctName", "policyNbr", "invoiceNbr",
                        "paymentID", "remitBatch", "remit", "dbAllocLevel", "billAcctCd", "batchTotal",
                        "bankRemittanceAmount", "nbrOfRemitItems", "depositDate", "nsfInd", "account",
                        "policy", "autoPayInd", "downPaymentReceived", "paymentReferenceID", "productGroup"])
xml = st.recursive(text.map(lambda t: t.replace("]]>", "")), lambda inner: st.builds(
    lambda tag, attrs, kids: f"<{tag}{attrs}>{''.join(kids)}</{tag}>", tags,
    st.sampled_from(["", ' ExtAction="A"', ' ExtAction="U"', ' MC_ID="369200001"', ' ID="2"']),
    st.lists(inner, max_size=4)), max_leaves=12)
actions = st.sampled_from(["PWSTRUCTUREDSEARCH", "createRemitACHPmt", "createRemitReversal", "updateICSettings",
                           "updPaymentInfo", "", "unknown"])
interfaces = st.sampled_from(["", "icAccountBalanceUpd", "icPolicyBalanceUpd", "icInvoiceBalanceUpd", "remitBatchSearch",
                              "other"])


def _sapiens_answer(live: ServerThread, r: requests.Response) -> None:
    root = etree.fromstring(r.content)
    body = root.find(f"{SOAP_ENV}Body")
    assert body is not None and len(body), r.text[:300]
    if r.status_code == 200:
        assert body[0].tag.endswith("ActionResponse") and body[0].findtext("TransResult/ReturnCode") in (
            "SUCCESS", "NONEFOUND", "MISSINGPARAMS", "FAILURE"), r.text[:300]
    else:
        assert body[0].tag == f"{SOAP_ENV}Fault" and body[0].findtext("faultcode"), r.text[:300]
    live.check_errors()


@FAST
@given(action=actions, interface=interfaces, data=xml, service=st.sampled_from(["billing", "policy"]))
def test_any_payload_gets_a_sapiens_answer(live: ServerThread, action: str, interface: str, data: str, service: str) -> None:
    path = BILLING if service == "billing" else POLICY
    r = requests.post(f"{live.url}/sapiens{path}", data=envelope(action, data, interface=interface, service=service),
                      headers={"Content-Type": "text/xml"})
    _sapiens_answer(live, r)


@FAST
@given(body=st.binary(max_size=300) | text.map(str.encode))
def test_any_body_gets_a_fault_not_a_traceback(live: ServerThread, body: bytes) -> None:
    r = requests.post(f"{live.url}/sapiens{BILLING}", data=body, headers={"Content-Type": "text/xml"})
    assert r.status_code == 500
    _sapiens_answer(live, r)
