"""The Sapiens contract (design 004): recorded samples, payload rules, envelope and WS-Security checks."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from contracts import Exchange, Request, Response, best_match, load_contract
from contracts.sapiens import HERE
from contracts.soap import SoapContract
from partnersim.cli import main

BILLING = "/AdaptikBilling/soapservices/PWBillingService"
POLICY = "/AdaptikPolicy/soapservices/PWPolicyService"
REQUEST_ELEMENT = "envelope /soapenv:Envelope/soapenv:Body/bil:PWInvokeBillingActionRequest"


@pytest.fixture(scope="module")
def contract() -> SoapContract:
    loaded = load_contract("sapiens")
    assert isinstance(loaded, SoapContract)
    return loaded


@pytest.fixture(scope="module")
def recorded(contract: SoapContract) -> dict[str, Exchange]:
    return {e.id: e for e in contract.exchanges}


def _edit(exchange: Exchange, old: str, new: str) -> Request:
    body = exchange.request.text
    assert old in body, old
    return replace(exchange.request, body=body.replace(old, new, 1).encode())


def _where(violations: list[object]) -> list[tuple[str, str, str]]:
    return [(v.location, v.expected, v.found) for v in violations]  # type: ignore[attr-defined]


# -- the contract as a whole --------------------------------------------------------------------
def test_the_documents_are_valid(contract: SoapContract) -> None:
    assert contract.document_violations() == []
    body, media = contract.document()
    assert media == "text/xml" and b"PWBillingService" in body


def test_every_recorded_exchange_conforms_but_the_malformed_design_sample(contract: SoapContract) -> None:
    assert len(contract.exchanges) == 16
    for exchange in contract.exchanges:
        found = contract.check_exchange(exchange)
        if exchange.id == "sapiens-post-payment-design-sample":
            # the design's own posting sample leaves <batchSource>, <agreementNbr>, <policyNbr> open
            assert [(v.location, v.expected) for v in found] == [("payload", "well-formed XML")]
            assert "tag mismatch" in found[0].found
            assert [v.location for v in exchange.violations] == ["payload"]  # the verdict it records
            assert exchange.response is not None and b"<ReturnCode>FAILURE</ReturnCode>" in exchange.response.body
        else:
            assert found == [], (exchange.id, [str(v) for v in found])


def test_every_exchange_names_the_design_section_it_records(contract: SoapContract) -> None:
    for exchange in contract.exchanges:
        assert exchange.source.startswith("design 004 §"), exchange.id
        assert exchange.notes, exchange.id


def test_the_nested_literal_cdata_is_kept_as_the_design_writes_it(recorded: dict[str, Exchange]) -> None:
    answer = recorded["sapiens-invoice-balance"].response
    assert answer is not None
    assert b"<Data><![CDATA[<![CDATA[<?xml" in answer.body and b"]]]]>><![CDATA[]]></Data>" in answer.body
    settings = recorded["sapiens-update-settings-account"].response
    assert settings is not None and b"<Data><![CDATA[<?xml" in settings.body  # the plain one


def test_verify_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--partner", "sapiens"]) == 0
    out = capsys.readouterr().out
    assert "sapiens: soap document valid" in out and "OK: 0 violation(s)" in out
    assert "sapiens-post-payment-design-sample (sapiens.post_payment), breaks the contract as it records (1)" in out


# -- match ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("exchange_id,operation", [
    ("sapiens-account-balance", "account_balance"),
    ("sapiens-account-balance-by-account-code", "account_balance"),
    ("sapiens-policy-balance", "policy_balance"),
    ("sapiens-invoice-balance", "invoice_balance"),
    ("sapiens-remit-search", "remit_search"),
    ("sapiens-post-payment-design-sample", "post_payment"),
    ("sapiens-reverse-payment", "reverse_payment"),
    ("sapiens-update-settings-policy", "update_settings"),
    ("sapiens-down-payment", "down_payment"),
    ("sapiens-get-document", "get_document"),
])
def test_match_finds_each_operation(contract: SoapContract, recorded: dict[str, Exchange], exchange_id: str,
                                    operation: str) -> None:
    match = contract.match(recorded[exchange_id].request)
    assert match is not None and match.operation.name == operation


@pytest.mark.parametrize("request_,operation", [
    (Request("GET", f"{BILLING}.wsdl"), "billing_wsdl"),
    (Request("GET", BILLING, query={"wsdl": ""}), "billing_wsdl"),
    (Request("GET", BILLING, query={"WSDL": ""}), "billing_wsdl"),
    (Request("GET", f"{POLICY}.wsdl"), "policy_wsdl"),
    (Request("GET", POLICY, query={"wsdl": ""}), "policy_wsdl"),
])
def test_match_finds_the_wsdls(contract: SoapContract, request_: Request, operation: str) -> None:
    match = contract.match(request_)
    assert match is not None and match.operation.name == operation and match.operation.safe


def test_the_document_path_is_a_path_parameter(contract: SoapContract) -> None:
    match = contract.match(Request("GET", "/s/scsGetBase64Document/DocumentsPro/DevEnv/a b/document.pdf"))
    assert match is not None and match.path_params == {"path": "DocumentsPro/DevEnv/a b/document.pdf"}
    assert match.operation.path == "/s/scsGetBase64Document/{path}"


def test_no_match_for_an_unknown_action_a_get_without_wsdl_or_a_post_to_the_wsdl(
        contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    unknown = _edit(recorded["sapiens-remit-search"], "<ActionCode>PWSTRUCTUREDSEARCH</ActionCode>",
                    "<ActionCode>PWSEARCH</ActionCode>")
    for request in (unknown, Request("GET", BILLING), Request("POST", f"{BILLING}.wsdl"),
                    Request("POST", BILLING, body=b"not xml")):
        assert contract.match(request) is None


def test_operation_by_action(contract: SoapContract) -> None:
    def name(path: str, action: str, interface: str = "") -> str | None:
        info = contract.operation_by_action(path, action, interface)
        return info.name if info else None

    assert name(BILLING, "PWSTRUCTUREDSEARCH", "icInvoiceBalanceUpd") == "invoice_balance"
    assert name(BILLING, "PWSTRUCTUREDSEARCH") is None  # a search needs its InterfaceCode
    assert name(BILLING, "createRemitACHPmt", "ignored") == "post_payment"
    assert name(POLICY, "updPaymentInfo") == "down_payment"
    assert name(POLICY, "createRemitACHPmt") is None and name(BILLING, "updPaymentInfo") is None


def test_safe_operations_are_the_searches_wsdls_and_documents(contract: SoapContract) -> None:
    assert {op.name for op in contract.operations() if op.safe} == {
        "account_balance", "policy_balance", "invoice_balance", "remit_search", "billing_wsdl", "policy_wsdl",
        "get_document"}


def test_near_misses_put_the_closest_action_first(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-reverse-payment"], "<ActionCode>createRemitReversal</ActionCode>",
                    "<ActionCode>createRemitReversl</ActionCode>")
    first = contract.near_misses(request)[0]
    assert first.operation.name == "reverse_payment"
    assert _where(first.differences) == [("envelope ActionCode", "createRemitReversal", "createRemitReversl")]


# -- payload violations, with XPaths into the CDATA ----------------------------------------------------
def test_a_wrong_allocation_level_names_the_allowed_ones(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-post-payment"], "<dbAllocLevel>P</dbAllocLevel>", "<dbAllocLevel>Z</dbAllocLevel>")
    (violation,) = contract.check_request(request)
    assert (violation.location, violation.expected, violation.found) == (
        "payload /remitBatch/remit/dbAllocLevel", "one of A, C, N, P, I, S", "Z")
    assert violation.contract == "remitBatch-post.xsd"


def test_a_missing_bank_remittance_amount(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-post-payment"], "<bankRemittanceAmount>3935.25</bankRemittanceAmount>", "")
    (violation,) = contract.check_request(request)
    assert violation.location == "payload /remitBatch/remit" and violation.found == "absent"
    assert "bankRemittanceAmount" in violation.expected


def test_the_allocation_level_selects_its_target_tag(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-post-payment"], "<dbAllocLevel>P</dbAllocLevel>", "<dbAllocLevel>I</dbAllocLevel>")
    (violation,) = contract.check_request(request)
    assert _where([violation]) == [("payload /remitBatch/remit", "invoiceNbr (dbAllocLevel I allocates by it)", "policyNbr")]
    assert violation.contract.endswith("post_payment/rules/0")


def test_the_remitted_amount_must_match_the_batch_total(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-post-payment"], "<bankRemittanceAmount>3935.25<", "<bankRemittanceAmount>3935.2<")
    assert _where(contract.check_request(request)) == [
        ("payload /remitBatch/remit/bankRemittanceAmount", "3935.25 (equal to batchTotal)", "3935.2")]
    same = _edit(recorded["sapiens-post-payment"], "<batchTotal>3935.25<", "<batchTotal>3935.250<")
    assert contract.check_request(same) == []  # the same amount
    cents = _edit(recorded["sapiens-post-payment"], "<batchTotal>3935.25<", "<batchTotal>3935.255<")
    assert {v.location for v in contract.check_request(cents)} == {  # two decimals at most, and not equal
        "payload /remitBatch/batchTotal", "payload /remitBatch/remit/bankRemittanceAmount"}


def test_every_problem_of_a_payload_is_reported(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-remit-search"], "<SearchID>BM_REMIT_SRCH1</SearchID>", "<SearchID>BM_X</SearchID>")
    request = replace(request, body=request.body.replace(b"<paymentID>800700001-2021-</paymentID>", b"<paymentNbr>1</paymentNbr>"))
    assert {v.location for v in contract.check_request(request)} == {
        "payload /SearchRequest/SearchID", "payload /SearchRequest/searchCriteria/paymentNbr"}


def test_a_payload_with_a_doctype_is_refused_not_expanded(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    xxe = '<!DOCTYPE SearchRequest [<!ENTITY x SYSTEM "file:///etc/passwd">]><SearchRequest>'
    request = _edit(recorded["sapiens-remit-search"], "<SearchRequest>", xxe)
    request = replace(request, body=request.body.replace(b"<paymentID>800700001-2021-</paymentID>", b"<paymentID>&x;</paymentID>"))
    (violation,) = contract.check_request(request)
    assert violation.location == "payload" and "DOCTYPE" in violation.expected and "root:" not in str(violation)


def test_an_empty_data_is_reported_on_the_envelope(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    body = re.sub(r"<Data>.*</Data>", "<Data><![CDATA[  ]]></Data>", recorded["sapiens-remit-search"].request.text, flags=re.S)
    request = replace(recorded["sapiens-remit-search"].request, body=body.encode())
    assert _where(contract.check_request(request)) == [(f"{REQUEST_ELEMENT}/Data", "a SearchRequest document (SearchRequest.xsd)", "empty")]


def test_a_payload_of_another_operation(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-update-settings-account"], "<ActionCode>updateICSettings</ActionCode>",
                    "<ActionCode>createRemitReversal</ActionCode>")
    assert _where(contract.check_request(request)) == [("payload /", "root element remitBatch", "root element account")]


# -- envelope violations ------------------------------------------------------------------------------
def test_an_unknown_action_code_lists_the_known_ones(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-post-payment"], "<ActionCode>createRemitACHPmt</ActionCode>",
                    "<ActionCode>createRemitCCPmt</ActionCode>")
    assert contract.match(request) is None
    (violation,) = contract.check_request(request)
    assert violation.location == f"{REQUEST_ELEMENT}/ActionCode" and violation.found == "createRemitCCPmt"
    assert violation.expected == "one of PWSTRUCTUREDSEARCH, createRemitACHPmt, createRemitReversal, updateICSettings"


def test_an_unknown_interface_code_lists_the_known_ones(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-remit-search"], "<InterfaceCode>remitBatchSearch</InterfaceCode>", "")
    (violation,) = contract.check_request(request)
    assert (violation.location, violation.found) == (f"{REQUEST_ELEMENT}/InterfaceCode", "absent")
    assert "icInvoiceBalanceUpd" in violation.expected and "PWSTRUCTUREDSEARCH" in violation.expected


def test_a_missing_username_token(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    body = re.sub(r"<wsse:UsernameToken>.*</wsse:UsernameToken>", "", recorded["sapiens-remit-search"].request.text, flags=re.S)
    violations = contract.check_request(replace(recorded["sapiens-remit-search"].request, body=body.encode()))
    assert [v.location for v in violations] == ["envelope /soapenv:Envelope/soapenv:Header/wsse:Security/wsse:UsernameToken"]
    assert "UsernameToken" in violations[0].expected and violations[0].found == "absent"


def test_no_header_at_all_and_a_digest_password(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    body = re.sub(r"<soapenv:Header>.*</soapenv:Header>", "", recorded["sapiens-remit-search"].request.text, flags=re.S)
    no_header = contract.check_request(replace(recorded["sapiens-remit-search"].request, body=body.encode()))
    assert [v.location for v in no_header] == ["envelope /soapenv:Envelope/soapenv:Header"]
    digest = _edit(recorded["sapiens-remit-search"], "#PasswordText", "#PasswordDigest")
    (violation,) = contract.check_request(digest)
    assert violation.location.endswith("/wsse:UsernameToken/wsse:Password/@Type") and violation.found.endswith("#PasswordDigest")


def test_an_envelope_with_a_doctype_is_refused(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = recorded["sapiens-remit-search"].request
    doctype = b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
    (violation,) = contract.check_request(replace(request, body=doctype + request.body))
    assert violation.location == "envelope" and "DOCTYPE" in violation.expected


def test_body_children_are_unqualified(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = _edit(recorded["sapiens-remit-search"], "<TransRef>7b9923a0-c102-11da-a94d-0800200c9a66</TransRef>",
                    "<bil:TransRef>1</bil:TransRef>")
    violations = contract.check_request(request)
    assert (f"{REQUEST_ELEMENT}/bil:TransRef", "TransRef", "element bil:TransRef") in _where(violations)


def test_soap_12_and_a_wrong_content_type(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = recorded["sapiens-remit-search"].request
    soap12 = request.body.replace(b"http://schemas.xmlsoap.org/soap/envelope/", b"http://www.w3.org/2003/05/soap-envelope")
    violations = contract.check_request(replace(request, body=soap12, headers={"Content-Type": "application/soap+xml"}))
    assert _where(violations) == [
        ("header Content-Type", "text/xml (SOAP 1.1)", "application/soap+xml"),
        ("envelope /", "soapenv:Envelope (http://schemas.xmlsoap.org/soap/envelope/)", "a SOAP 1.2 envelope")]
    best = best_match(violations)
    assert best is not None and best.location == "header Content-Type"


def test_the_document_service_needs_credentials(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = recorded["sapiens-get-document"].request
    assert _where(contract.check_request(replace(request, headers={}))) == [("header Authorization", "present (required)", "absent")]


def test_an_unknown_path(contract: SoapContract) -> None:
    (violation,) = contract.check_request(Request("POST", "/AdaptikBilling/soapservices/PWBilling"))
    assert violation.location == "path" and "nearest" in violation.message


# -- responses ----------------------------------------------------------------------------------------
def test_a_response_payload_is_checked_inside_the_nested_cdata(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    exchange = recorded["sapiens-invoice-balance"]
    assert exchange.response is not None
    body = exchange.response.body.replace(b"<amountDue>49961.47</amountDue>", b"<amountDue>lots</amountDue>")
    (violation,) = contract.check_response(exchange.request, replace(exchange.response, body=body))
    assert (violation.location, violation.found) == ("response payload /SearchResults/SearchResult[2]/amountDue", "lots")


def test_a_plain_payload_is_accepted_as_well(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    exchange = recorded["sapiens-invoice-balance"]
    assert exchange.response is not None
    plain = exchange.response.body.replace(b"<![CDATA[<![CDATA[", b"<![CDATA[").replace(b"]]]]>><![CDATA[]]>", b"]]>")
    assert contract.check_response(exchange.request, replace(exchange.response, body=plain)) == []


def test_the_design_settings_answer_as_written_is_not_well_formed(contract: SoapContract,
                                                                   recorded: dict[str, Exchange]) -> None:
    exchange = recorded["sapiens-update-settings-account"]
    assert exchange.response is not None
    as_written = exchange.response.body.replace(b"\t</account>\n]]></Data>", b"\t</account>\n</account>]]></Data>")
    (violation,) = contract.check_response(exchange.request, replace(exchange.response, body=as_written))
    assert violation.location == "response payload" and "Extra content" in violation.found


def test_the_answer_must_name_the_request_action(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    exchange = recorded["sapiens-remit-search"]
    assert exchange.response is not None
    body = exchange.response.body.replace(b"<InterfaceCode>remitBatchSearch<", b"<InterfaceCode>icAccountBalanceUpd<")
    (violation,) = contract.check_response(exchange.request, replace(exchange.response, body=body))
    assert violation.location.endswith("bil:PWInvokeBillingActionResponse/InterfaceCode")
    assert (violation.expected, violation.found) == ("remitBatchSearch", "icAccountBalanceUpd")


def test_a_refusal_carries_no_payload_to_check(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    exchange = recorded["sapiens-remit-search-as-written"]
    assert exchange.response is not None and b"NONEFOUND" in exchange.response.body
    assert contract.check_response(exchange.request, exchange.response) == []


@pytest.mark.parametrize("code", [b"wsse:InvalidSecurity", b"wsse:FailedAuthentication", b"SOAP-ENV:Client"])
def test_a_soap_fault_is_a_conformant_answer(contract: SoapContract, recorded: dict[str, Exchange], code: bytes) -> None:
    fault = (b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
             b'xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
             b"<SOAP-ENV:Header/><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>" + code +
             b"</faultcode><faultstring>The security token could not be authenticated.</faultstring>"
             b"</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>")
    request = recorded["sapiens-down-payment"].request
    assert contract.check_response(request, Response(500, {"Content-Type": "text/xml; charset=utf-8"}, fault)) == []
    broken = fault.replace(b"<faultstring>The security token could not be authenticated.</faultstring>", b"")
    violations = contract.check_response(request, Response(500, {"Content-Type": "text/xml"}, broken))
    assert [v.location for v in violations] == ["response envelope /soapenv:Envelope/soapenv:Body/soapenv:Fault/faultstring"]
    assert [v.location for v in contract.check_response(request, Response(404, {}, fault))] == ["status"]


def test_the_wsdl_answers(contract: SoapContract) -> None:
    request = Request("GET", f"{POLICY}.wsdl")
    assert contract.check_response(request, Response(200, {}, contract.wsdl("policy"))) == []
    (wrong,) = contract.check_response(request, Response(200, {}, contract.wsdl("billing")))
    assert wrong.location.endswith("@targetNamespace")


def test_a_document_refusal_is_a_scs_response(contract: SoapContract, recorded: dict[str, Exchange]) -> None:
    request = recorded["sapiens-get-document"].request
    refusal = b"<scsResponse><returnCode>FAILURE</returnCode><returnMessage>No document.</returnMessage></scsResponse>"
    assert contract.check_response(request, Response(404, {}, refusal)) == []
    violations = contract.check_response(request, Response(200, {}, b"<scsResponse><returnCode>OK</returnCode></scsResponse>"))
    assert _where(violations) == [("response body /scsResponse/returnCode", "one of SUCCESS, FAILURE", "OK"),
                                  ("response body /scsResponse", "child returnMessage", "absent")]


def test_the_recorded_document_is_a_real_pdf(recorded: dict[str, Exchange]) -> None:
    import base64

    response = recorded["sapiens-get-document"].response
    assert response is not None
    encoded = re.search(rb"<file>(.*)</file>", response.body)
    assert encoded is not None and base64.b64decode(encoded.group(1)).startswith(b"%PDF-1.4")
    assert (HERE / "xsd" / "scsResponse.xsd").is_file()
