"""The breaking-change engines (``contracts.diff``): each kind of contract, one edit at a time.

Every test copies a shipped contract folder to ``tmp_path``, makes one edit to the copy and checks the
report. ``_edit`` insists that the text it replaces is there, so a contract that changes shape makes
these tests fail loudly instead of passing on a no-op edit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import contracts
from contracts.diff import Change, Severity, diff_documents, diff_folders, diff_paths, document_kind
from contracts.diff.constraints import literals, pattern_delta
from contracts.diff.model import judge
from contracts.errors import ContractLoadError

CONTRACTS = Path(contracts.__file__).resolve().parent
PARTNERS = ("imt", "spectrum", "tccs", "sapiens")


def _copy(tmp_path: Path, partner: str) -> tuple[Path, Path]:
    old, new = tmp_path / "old" / partner, tmp_path / "new" / partner
    shutil.copytree(CONTRACTS / partner, old, ignore=shutil.ignore_patterns("*.py", "__pycache__", "exchanges"))
    shutil.copytree(old, new)
    return old, new


def _edit(path: Path, before: str, after: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(before) == 1, f"{path.name}: {before!r} is not in the shipped contract exactly once"
    path.write_text(text.replace(before, after), encoding="utf-8")


def _lines(changes: list[Change]) -> list[str]:
    return [str(c) for c in changes]


def _breaking(changes: list[Change]) -> list[str]:
    return [str(c) for c in changes if c.breaking]


@pytest.mark.parametrize("partner", PARTNERS)
def test_an_identical_contract_has_no_change(tmp_path: Path, partner: str) -> None:
    old, new = _copy(tmp_path, partner)
    assert diff_folders(old, new) == []
    assert diff_paths(tmp_path / "old", tmp_path / "new") == []


# -- OpenAPI --------------------------------------------------------------------------------------
def test_openapi_request_field_removed_breaks_clients(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "imt")
    _edit(new / "openapi.yaml", "                payment_username: { type: string, description: IC email address before `@` }\n", "")
    assert _lines(diff_folders(old, new)) == [
        "BREAKING (clients) imt post_payment: request body field /data/attributes/payment_username removed"]


def test_openapi_request_field_made_required_and_enum_narrowed(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "imt")
    _edit(new / "openapi.yaml", "required: [invoice_number, payment_amount, payment_date, payment_method]",
          "required: [invoice_number, payment_amount, payment_date, payment_method, policy_number]")
    _edit(new / "openapi.yaml", "                  enum: [EFT, CREDIT_CARD, CHECK]\n", "                  enum: [EFT, CREDIT_CARD]\n")
    changes = diff_folders(old, new)
    assert _lines(changes) == [
        'BREAKING (clients) imt post_payment: request body field /data/attributes/payment_method: value(s) "CHECK" removed',
        "BREAKING (clients) imt post_payment: request body field /data/attributes/policy_number made required",
    ]
    assert {c.document for c in changes} == {"openapi.yaml"}


def test_openapi_response_directions(tmp_path: Path) -> None:
    """A response field removed breaks clients; one the partner must now send breaks the partner."""
    old, new = _copy(tmp_path, "imt")
    _edit(new / "openapi.yaml", "                next: { type: string }\n", "")
    _edit(new / "openapi.yaml", "          required: [payment_id]\n", "          required: [payment_id, receipt]\n")
    _edit(new / "openapi.yaml", "            payment_id: { type: string }\n",
          "            payment_id: { type: string }\n            receipt: { type: string }\n")
    lines = _lines(diff_folders(old, new))
    assert "BREAKING (clients) imt token: response 200 body field /data/attributes/next removed" in lines
    assert ("BREAKING (partner) imt post_payment, post_credit: response 200 body field /attributes/receipt added "
            "(required)") in lines


def test_openapi_operation_and_status_removed(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "tccs")
    _edit(new / "openapi.yaml", '        "409": { $ref: "#/components/responses/Conflict" }\n', "")
    _edit(new / "openapi.yaml", "  /Retrieve_Bill_Image:\n", "  /api/Retrieve_Bill_Image:\n")
    lines = _lines(diff_documents(old / "openapi.yaml", new / "openapi.yaml", "tccs"))
    assert "BREAKING (clients) tccs Insufficient_Pay_Report: response 409 removed" in lines
    assert ("BREAKING (clients) tccs Retrieve_Bill_Image: operation POST /Retrieve_Bill_Image (host invoicecloudapi) "
            "removed") in lines
    assert ("ok tccs Retrieve_Bill_Image: operation POST /api/Retrieve_Bill_Image (host invoicecloudapi) added"
            in lines)


def test_openapi_host_and_parameter_changes(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "spectrum")
    _edit(new / "openapi.yaml", "  /api/Token:\n    x-partnersim-host: wsSpectrumAPICore\n",
          "  /api/Token:\n    x-partnersim-host: wsSpectrumAuth\n")
    assert _lines(diff_folders(old, new)) == [
        "BREAKING (clients) spectrum token: moved from host wsSpectrumAPICore to host wsSpectrumAuth"]


def test_openapi_compatible_additions(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "imt")
    _edit(new / "openapi.yaml", "                policy_number: { type: string, description: \"Custom7 (optional)\" }\n",
          "                policy_number: { type: string, description: \"Custom7 (optional)\" }\n"
          "                memo: { type: string }\n")
    _edit(new / "openapi.yaml", "paths:\n", "paths:\n  /api/v1/ping/:\n    x-partnersim-host: billing\n"
          "    get:\n      operationId: ping\n      responses:\n        \"200\": { description: pong }\n")
    changes = diff_folders(old, new)
    assert _lines(changes) == [
        "ok imt post_payment: request body field /data/attributes/memo added",
        "ok imt ping: operation GET /api/v1/ping/ (host billing) added",
    ]
    assert not any(c.breaking for c in changes)


# -- contentInfo grammars -------------------------------------------------------------------------
def test_grammar_optional_part_made_required(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "tccs")
    _edit(new / "grammars.yaml", 'syntax: "invoice | amount : payment_type [@ payment_guid]"',
          'syntax: "invoice | amount : payment_type @ payment_guid"')
    assert _lines(diff_folders(old, new)) == [
        "BREAKING (clients) tccs Pay_Input: contentInfo field payment_guid made required (variant payment)"]


def test_grammar_field_removed_and_enum_narrowed(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "tccs")
    _edit(new / "grammars.yaml", 'syntax: "invoice : date | amount | code"', 'syntax: "invoice : date | amount"')
    _edit(new / "grammars.yaml", "pattern: 'CC|ACH'", "pattern: 'CC'")
    lines = _lines(diff_folders(old, new))
    assert lines == [
        "BREAKING (clients) tccs Pay_Input: contentInfo field payment_type: value(s) ACH removed",
        "BREAKING (clients) tccs Insufficient_Pay_Report: contentInfo field code removed",
    ]


def test_grammar_regex_changed_is_to_check_and_separator_breaks(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "tccs")
    _edit(new / "grammars.yaml", r"pattern: '\d+(\.\d{2})?'", r"pattern: '\d{1,6}\.\d{2}'")
    _edit(new / "grammars.yaml", 'syntax: "invoice : flag | code"\n    fields:\n      code: {const: R',
          'syntax: "invoice : flag ; code"\n    fields:\n      code: {const: R')
    changes = diff_folders(old, new)
    check = [c for c in changes if c.severity is Severity.CHECK]
    assert check and all("pattern changed" in c.message and c.message.endswith("; check") for c in check)
    assert "Pay_Input" in {w for c in check for w in c.where.split(", ")}
    assert ("BREAKING (clients) tccs Recurring_Pay: separator before contentInfo field code changed from '|' to ';'"
            in _lines(changes))


def test_grammar_widened_is_compatible(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "tccs")
    _edit(new / "grammars.yaml", "pattern: 'CC|ACH'", "pattern: 'CC|ACH|CHECK'")
    _edit(new / "grammars.yaml", '("contentInfo = [Invoice Number]")\'\n    syntax: "invoice"',
          '("contentInfo = [Invoice Number]")\'\n    syntax: "invoice [@ payment_guid]"')
    changes = diff_folders(old, new)
    assert _lines(changes) == [
        "ok tccs Pay_Input: contentInfo field payment_type: value(s) CHECK added",
        "ok tccs Retrieve_Bill_Image: contentInfo field payment_guid added",
    ]


# -- BIF mappings ---------------------------------------------------------------------------------
def test_bif_filespec_removed_made_required_narrowed_fixed(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "tccs")
    mapping = new / "bif_mapping.yaml"
    _edit(mapping, '  - {id: 63, field: City, record: CR, in_file: Y, required: F, description: "Reference Policy_Name view fields"}\n', "")
    _edit(mapping, "{id: 64, field: State, record: CR, in_file: Y, required: F,", "{id: 64, field: State, record: CR, in_file: Y, required: T,")
    _edit(mapping, '{id: 66, field: Phone, record: CR, in_file: Y, required: F,', '{id: 66, field: Phone, record: CR, in_file: Y, required: F, format: integer,')
    _edit(mapping, 'format: boolean, fixed: "1"', 'format: boolean, fixed: "0"')
    assert _lines(diff_folders(old, new)) == [
        "BREAKING (clients, partner) tccs BIF IH FileSpecID 20: AllowPartialPayments fixed value changed from '1' to '0'",
        "BREAKING (clients, partner) tccs BIF CR FileSpecID 63: City removed",
        "BREAKING (partner) tccs BIF CR FileSpecID 64: State made required",
        "BREAKING (partner) tccs BIF CR FileSpecID 66: Phone format changed from string to integer",
    ]


def test_bif_optional_filespec_added_is_compatible(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "spectrum")
    _edit(new / "bif_mapping.yaml", "  - {id: 3, field: ThirdPartyFileReference,",
          "  - {id: 250, field: Custom9, record: FH, in_file: Y, required: F}\n  - {id: 3, field: ThirdPartyFileReference,")
    assert _lines(diff_folders(old, new)) == ["ok spectrum BIF FH FileSpecID 250: Custom9 added"]


# -- SOAP: WSDL, payload XSDs, operations.yaml ----------------------------------------------------
def test_wsdl_namespace_and_return_code(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "sapiens")
    wsdl = new / "PWPolicyService.wsdl"
    wsdl.write_text(wsdl.read_text().replace('http://adaptik.com/ws/xml"', 'http://adaptik.com/ws/xml/v2"'))
    _edit(new / "PWBillingService.wsdl", '          <xs:enumeration value="NONEFOUND"/>\n', "")
    lines = _lines(diff_folders(old, new))
    assert lines == [
        "BREAKING (partner) sapiens PWInvokeBillingAction: response element "
        "/PWInvokeBillingActionResponse/TransResult/ReturnCode: return code(s) NONEFOUND removed",
        "BREAKING (clients) sapiens PWPolicyService.wsdl: target namespace changed from http://adaptik.com/ws/xml "
        "to http://adaptik.com/ws/xml/v2",
    ]


def test_payload_xsd_element_removed_required_and_enum(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "sapiens")
    post = new / "xsd" / "remitBatch-post.xsd"
    _edit(post, '<xs:element name="creditCardBrand" type="xs:token" minOccurs="0">',
          '<xs:element name="creditCardBrand" type="xs:token">')
    _edit(post, '<xs:element name="notes" type="text" minOccurs="0">', '<xs:element name="memo" type="text" minOccurs="0">')
    _edit(new / "xsd" / "common.xsd", '      <xs:enumeration value="CASH"/>\n', "")
    changes = diff_folders(old, new)
    assert _lines(changes) == [
        "BREAKING (clients) sapiens post_payment: request payload /remitBatch/paymentType: value(s) CASH removed",
        "BREAKING (clients) sapiens post_payment: request payload /remitBatch/remit/creditCardBrand made required",
        "BREAKING (clients) sapiens post_payment: request payload /remitBatch/remit/notes removed",
        "ok sapiens post_payment: request payload /remitBatch/remit/memo added",
    ]
    assert {c.document for c in changes} == {"xsd/remitBatch-post.xsd"}


def test_payload_shared_by_operations_is_reported_once_for_all(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "sapiens")
    _edit(new / "xsd" / "SearchResults.xsd", '<xs:element name="pastDueAmount" type="amount"/>', "")
    assert _breaking(diff_folders(old, new)) == [
        "BREAKING (clients) sapiens account_balance, policy_balance, invoice_balance, remit_search: response payload "
        "/SearchResults/SearchResult/pastDueAmount removed"]


def test_payload_attribute_removed_and_made_required(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "sapiens")
    reversal = new / "xsd" / "remitBatch-reversal.xsd"
    text = reversal.read_text()
    start = text.index('      <xs:attribute name="VERSION_NO"')
    end = text.index("</xs:attribute>", start) + len("</xs:attribute>\n")
    reversal.write_text(text[:start] + text[end:])
    _edit(new / "xsd" / "remitBatch-posted.xsd", '<xs:attribute name="ID" type="xs:token"/>',
          '<xs:attribute name="ID" type="xs:token" use="required"/>')
    lines = _lines(diff_folders(old, new))
    assert "BREAKING (clients) sapiens reverse_payment: request payload /remitBatch/@VERSION_NO removed" in lines
    assert "BREAKING (partner) sapiens post_payment: response payload /remitBatch/@ID made required" in lines


def test_operations_yaml_codes_rules_and_added_operation(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "sapiens")
    ops = new / "operations.yaml"
    _edit(ops, "action_code: createRemitReversal", "action_code: createRemitReversal2")
    _edit(ops, "selects: {A: billAcctCd, C: billAcctCd,", "selects: {A: billAcctCd,")
    _edit(ops, "response_action_codes: [updatePaymentInfo]", "response_action_codes: [updatePaymentInfo, updPaymentInfo2]")
    ops.write_text(ops.read_text() + "\n  account_lookup:\n    kind: soap\n    service: billing\n"
                   "    action_code: PWSTRUCTUREDSEARCH\n    interface_code: icLookup\n")
    assert _lines(diff_folders(old, new)) == [
        "BREAKING (clients) sapiens post_payment: rule remit/dbAllocLevel selects: code C removed",
        "BREAKING (clients) sapiens reverse_payment: ActionCode mapping changed from createRemitReversal to "
        "createRemitReversal2",
        "BREAKING (clients) sapiens down_payment: answer ActionCode(s) updPaymentInfo2 added",
        "ok sapiens account_lookup: operation (ActionCode PWSTRUCTUREDSEARCH InterfaceCode icLookup) added",
    ]


def test_single_documents_are_recognised(tmp_path: Path) -> None:
    old, new = _copy(tmp_path, "sapiens")
    _edit(new / "xsd" / "common.xsd", '      <xs:enumeration value="CASH"/>\n', "")
    assert _lines(diff_documents(old / "xsd" / "common.xsd", new / "xsd" / "common.xsd", "sapiens")) == [
        "BREAKING (clients, partner) sapiens common.xsd: simple type paymentType: value(s) CASH removed"]
    assert [document_kind(p) for p in (old / "PWBillingService.wsdl", old / "operations.yaml")] == ["wsdl", "soap"]
    copied = tmp_path / "api.yaml"
    shutil.copy(CONTRACTS / "imt" / "openapi.yaml", copied)
    assert document_kind(copied) == "openapi"
    with pytest.raises(ContractLoadError, match="different kinds"):
        diff_documents(old / "operations.yaml", copied)


# -- the rules themselves ---------------------------------------------------------------------------
def test_literal_alternations_compare_as_enumerations() -> None:
    assert literals("CC|ACH") == {"CC", "ACH"}
    assert literals("^(?:Y|N)$") == {"Y", "N"}
    assert literals(r"IFR") == {"IFR"}
    assert literals(r"\d+") is None
    assert pattern_delta(["CC|ACH"], ["CC"]) == [("narrowed", "value(s) ACH removed")]
    assert pattern_delta([r"\d+"], [r"\d{1,3}"])[0][0] == "unknown"


@pytest.mark.parametrize(("side", "direction", "text"), [
    ("request", "narrowed", "BREAKING (clients)"),
    ("request", "widened", "ok"),
    ("response", "narrowed", "BREAKING (partner)"),
    ("response", "widened", "BREAKING (clients)"),
    ("response", "incompatible", "BREAKING (clients, partner)"),
    ("both", "narrowed", "BREAKING (clients, partner)"),
    ("request", "unknown", "CHECK (clients)"),
])
def test_direction_decides_whom_a_change_breaks(side: str, direction: str, text: str) -> None:
    change = judge(side, direction, "op", "something", "k")  # type: ignore[arg-type]
    assert str(change).startswith(f"{text} op: something")
