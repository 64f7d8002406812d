"""``SoapContract``: loading from WSDL + XSD + operations.yaml, the public API the simulator uses, and a
SOAP client no one here wrote (zeep) against the WSDLs."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from contracts import ContractLoadError, Request, Response
from contracts.sapiens import HERE, load
from contracts.soap import SoapContract

BILLING = "/AdaptikBilling/soapservices/PWBillingService"
POLICY = "/AdaptikPolicy/soapservices/PWPolicyService"
SANDBOX = "http://sandbox.example.test/sapiens"
SEARCH = ("<SearchRequest><SearchID>BM_INVOICE_SRCH</SearchID>"
          "<searchCriteria><acctName>384300001</acctName></searchCriteria></SearchRequest>")


@pytest.fixture(scope="module")
def contract() -> SoapContract:
    return load()


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "sapiens"
    shutil.copytree(HERE, folder, ignore=shutil.ignore_patterns("exchanges", "__pycache__", "*.py"))
    return folder


# -- loading ------------------------------------------------------------------------------------
def test_a_copy_loads_and_is_valid(tmp_path: Path) -> None:
    contract = SoapContract("sapiens", _copy(tmp_path) / "operations.yaml")
    assert contract.document_violations() == [] and contract.exchanges == []
    assert contract.kind == "soap" and len(contract.operations()) == 11


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace("xsd/account.xsd", "xsd/nothing.xsd", 1), "not a usable XML Schema"),
    (lambda t: t.replace("kind: xml", "kind: rest"), "'kind' must be one of soap, wsdl, xml"),
    (lambda t: t.replace("    service: policy\n    summary: PolicyPro down", "    service: nope\n    summary: PolicyPro down"),
     "service 'nope' is not one of billing, policy"),
    (lambda t: t.replace("request_element: bil:PWInvokeBillingActionRequest", "request_element: x:Req"), "needs a prefix"),
    (lambda t: t.replace("partner: sapiens", "partner: imt"), "describes partner 'imt'"),
    (lambda t: t + "\n  broken: [", "cannot read the operations file"),
])
def test_a_broken_operations_file_is_a_contract_load_error(tmp_path: Path, edit: Any, message: str) -> None:
    folder = _copy(tmp_path)
    path = folder / "operations.yaml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(ContractLoadError, match=message):
        SoapContract("sapiens", path)


def test_document_violations_name_what_is_wrong(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "xsd" / "spare.xsd").write_text("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><xs:bad/></xs:schema>")
    wsdl = folder / "PWPolicyService.wsdl"
    wsdl.write_text(wsdl.read_text().replace('<soap:body use="literal"/>', '<soap:body use="encoded"/>')
                    .replace("127.0.0.1:8700/sapiens/AdaptikPolicy/soapservices/PWPolicyService", "127.0.0.1/other"))
    ops = folder / "operations.yaml"
    ops.write_text(ops.read_text().replace("root: scsResponse", "root: scsAnswer"))
    found = {(v.location, v.expected) for v in SoapContract("sapiens", ops).document_violations()}
    assert ("document xsd/spare.xsd", "a valid XML Schema") in found
    assert ("document PWPolicyService.wsdl /wsdl:binding/wsdl:operation", "soap:body use literal") in found
    assert ("document PWPolicyService.wsdl /wsdl:service/wsdl:port/soap:address/@location",
            f"an address ending in {POLICY}") in found
    assert ("document operations.yaml#/operations/get_document/response", "a global element scsAnswer in xsd/scsResponse.xsd") in found


# -- the API the simulator uses ---------------------------------------------------------------------
def test_wsdl_points_its_address_where_it_is_served(contract: SoapContract) -> None:
    assert contract.wsdl("billing") == contract.document()[0]
    served = contract.wsdl("policy", address=f"{SANDBOX}{POLICY}?a=1&b=2")
    assert f'location="{SANDBOX}{POLICY}?a=1&amp;b=2"'.encode() in served
    assert b"127.0.0.1:8700" not in served
    with pytest.raises(KeyError, match="billing, policy"):
        contract.wsdl("claims")


def test_payload_schema_and_payload_violations(contract: SoapContract) -> None:
    schema = contract.payload_schema("update_settings", "request")
    assert schema.path.name == "account.xsd"
    assert contract.payload_violations("remit_search", "request", SEARCH) == []
    wrapped = f'<![CDATA[<?xml version="1.0" encoding="UTF-8"?>{SEARCH}]]'  # a nested wrapper is taken off
    assert contract.payload_violations("remit_search", "request", wrapped) == []
    (empty,) = contract.payload_violations("remit_search", "request", "  ")
    assert (empty.location, empty.found) == ("payload", "empty")
    (broken,) = contract.payload_violations("post_payment", "request", "<remitBatch><batchSource>IC<batchSource></remitBatch>")
    assert broken.location == "payload" and broken.expected == "well-formed XML"
    with pytest.raises(KeyError):
        contract.payload_schema("billing_wsdl", "response")
    with pytest.raises(ValueError, match="request, response"):
        contract.payload_violations("remit_search", "answer", SEARCH)


def test_spec_tells_what_the_design_leaves_out(contract: SoapContract) -> None:
    spec = contract.spec("post_payment")
    assert spec.action_code == "createRemitACHPmt" and spec.response_action_codes == ("createRemitBatch",)
    assert spec.request is not None and spec.request.root == "remitBatch"
    assert spec.response is not None and spec.response.wrapped
    assert spec.assumed and spec.section.startswith("§")
    assert not contract.spec("update_settings").response.wrapped  # type: ignore[union-attr]


def test_checks_are_safe_from_several_threads(contract: SoapContract) -> None:
    bad = SEARCH.replace("BM_INVOICE_SRCH", "BM_NOPE")

    def check(i: int) -> list[str]:
        return [v.location for v in contract.payload_violations("invoice_balance", "request", bad if i % 2 else SEARCH)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(check, range(400)))
    assert all(r == (["payload /SearchRequest/SearchID"] if i % 2 else []) for i, r in enumerate(results))


# -- zeep: a SOAP client no one here wrote ----------------------------------------------------------
class _Sandbox(requests.adapters.BaseAdapter):
    """A requests adapter that answers in-process: the WSDL as the sandbox serves it, and a recorded
    answer to a POST. Nothing leaves the process."""

    def __init__(self, contract: SoapContract, answer: bytes) -> None:
        super().__init__()
        self.contract, self.answer = contract, answer
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        response = requests.Response()
        response.url, response.request, response.status_code = str(request.url), request, 200
        service = "policy" if POLICY in str(request.url) else "billing"
        path = POLICY if service == "policy" else BILLING
        response._content = (self.contract.wsdl(service, address=f"{SANDBOX}{path}") if request.method == "GET"
                             else self.answer)
        response.headers["Content-Type"] = "text/xml;charset=utf-8"
        return response

    def close(self) -> None:
        pass


def _client(contract: SoapContract, wsdl: str, answer: bytes = b"") -> tuple[zeep.Client, _Sandbox]:
    adapter = _Sandbox(contract, answer)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return zeep.Client(wsdl, transport=Transport(session=session), wsse=UsernameToken("sandbox", "sandbox")), adapter


def _request(body: bytes, path: str = BILLING) -> Request:
    return Request("POST", path, headers={"Content-Type": "text/xml; charset=utf-8"}, body=body)


@pytest.mark.parametrize("wsdl", ["PWBillingService.wsdl", "PWPolicyService.wsdl"])
def test_zeep_loads_each_wsdl_from_its_file(contract: SoapContract, wsdl: str) -> None:
    client, adapter = _client(contract, str(HERE / wsdl))
    assert adapter.sent == []
    (service,) = client.wsdl.services.values()
    (port,) = service.ports.values()
    assert port.binding_options["address"].startswith("http://127.0.0.1:8700/sapiens/")


def test_a_zeep_message_conforms_to_the_contract(contract: SoapContract) -> None:
    client, _ = _client(contract, str(HERE / "PWBillingService.wsdl"))
    message = client.create_message(
        client.service, "PWInvokeBillingAction", TransRef="1", ReqDateTime="", ActionCode="PWSTRUCTUREDSEARCH",
        InterfaceCode="icInvoiceBalanceUpd", PWAuthentication={"UserLoginName": "system-user"}, Data=SEARCH)
    request = _request(etree.tostring(message))
    match = contract.match(request)
    assert match is not None and match.operation.name == "invoice_balance"
    assert contract.check_request(request, match) == []
    wrong = client.create_message(
        client.service, "PWInvokeBillingAction", TransRef="1", ActionCode="PWSTRUCTUREDSEARCH",
        InterfaceCode="icInvoiceBalanceUpd", PWAuthentication={"UserLoginName": "system-user"},
        Data=SEARCH.replace("BM_INVOICE_SRCH", "BM_INVOICE"))
    assert [v.location for v in contract.check_request(_request(etree.tostring(wrong)))] == ["payload /SearchRequest/SearchID"]


def test_zeep_calls_the_served_wsdl_and_reads_the_recorded_answer(contract: SoapContract) -> None:
    recorded = {e.id: e for e in contract.exchanges}
    for exchange_id, service, path, operation, action in (
            ("sapiens-invoice-balance", "PWBillingService", BILLING, "PWInvokeBillingAction", "PWSTRUCTUREDSEARCH"),
            ("sapiens-down-payment", "PWPolicyService", POLICY, "PWInvokePolicyAction", "updPaymentInfo")):
        answer = recorded[exchange_id].response
        assert answer is not None
        client, adapter = _client(contract, f"{SANDBOX}{path}?wsdl", answer.body)
        payload = SEARCH if service == "PWBillingService" else (
            '<policy VERSION_NO="1" MC_ID="112111001" ID="1" ExtAction="U" CT_ID="1">'
            "<downPaymentReceived>1000.00</downPaymentReceived><paymentReferenceID>abc</paymentReferenceID></policy>")
        result = getattr(client.service, operation)(
            TransRef="1", ActionCode=action, InterfaceCode="icInvoiceBalanceUpd" if service == "PWBillingService" else None,
            PWAuthentication={"UserLoginName": "system-user"}, Data=payload)
        assert result.TransResult.ReturnCode == "SUCCESS" and result.Data.startswith("<![CDATA[<?xml")
        sent = adapter.sent[-1]
        assert sent.url == f"{SANDBOX}{path}"  # the address the WSDL was served with
        request = Request("POST", path, headers=dict(sent.headers), body=bytes(sent.body or b""))
        assert contract.check_request(request) == []
        assert contract.check_response(request, Response(200, {"Content-Type": "text/xml"}, answer.body)) == []
