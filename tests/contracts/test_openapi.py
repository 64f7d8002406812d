from __future__ import annotations

import json

from contracts import Request, Response, best_match, load_contract


def _payment(**attrs: object) -> Request:
    attributes = {"invoice_number": "I-1", "payment_amount": 10.5, "payment_date": "2026-11-20",
                  "payment_method": "CREDIT_CARD", **attrs}
    return Request("POST", "/api/v1/accounts/ACCT0001/payments/P1/post/", host="billing",
                   headers={"Content-Type": "application/vnd.api+json", "Authorization": "t"},
                   body=json.dumps({"data": {"type": "Payment", "attributes": attributes}}).encode())


def test_the_imt_document_is_valid_openapi() -> None:
    assert load_contract("imt").document_violations() == []


def test_every_recorded_imt_exchange_conforms() -> None:
    contract = load_contract("imt")
    assert len(contract.exchanges) == 7
    for exchange in contract.exchanges:
        assert contract.check_exchange(exchange) == [], exchange.id


def test_operations_match_with_or_without_trailing_slash() -> None:
    contract = load_contract("imt")
    for path in ("/api/v2/accounts/A1/", "/api/v2/accounts/A1"):
        match = contract.match(Request("GET", path, host="billing"))
        assert match is not None and match.operation.name == "rtdr_v2"
        assert match.path_params == {"account_number": "A1"}


def test_same_path_different_method_is_another_operation() -> None:
    contract = load_contract("imt")
    match = contract.match(Request("POST", "/api/v1/accounts/A1/", host="billing"))
    assert match is not None and match.operation.name == "update_settings"


def test_a_wrong_field_is_reported_with_its_json_pointer() -> None:
    violations = load_contract("imt").check_request(_payment(payment_method="BITCOIN"))
    assert [(v.location, v.found) for v in violations] == [("body /data/attributes/payment_method", '"BITCOIN"')]
    assert "EFT" in violations[0].expected
    assert "PaymentRequest" in violations[0].contract or "post_payment" in violations[0].contract or violations[0].contract


def test_every_problem_is_reported_and_the_first_to_read_is_chosen() -> None:
    request = _payment(payment_amount="ten", payment_date="20/11/2026")
    request.headers.pop("Authorization")
    violations = load_contract("imt").check_request(request)
    locations = {v.location for v in violations}
    assert locations == {"header Authorization", "body /data/attributes/payment_amount",
                         "body /data/attributes/payment_date"}
    best = best_match(violations)
    assert best is not None and best.location == "header Authorization"


def test_missing_required_field_says_absent() -> None:
    body = {"data": {"type": "Payment", "attributes": {"payment_amount": 1, "payment_date": "2026-11-20",
                                                       "payment_method": "EFT"}}}
    request = _payment()
    request.body = json.dumps(body).encode()
    (violation,) = load_contract("imt").check_request(request)
    assert violation.location == "body /data/attributes"
    assert violation.expected == "required 'invoice_number'" and violation.found == "absent"


def test_wrong_media_type_and_bad_json() -> None:
    request = _payment()
    request.headers["Content-Type"] = "text/plain"
    assert any(v.location == "header Content-Type" for v in load_contract("imt").check_request(request))
    request = _payment()
    request.body = b"{not json"
    (violation,) = load_contract("imt").check_request(request)
    assert violation.location == "body" and "not valid JSON" in violation.found


def test_conditional_settings_values() -> None:
    contract = load_contract("imt")

    def settings(kind: str, value: str) -> list[str]:
        req = Request("POST", "/api/v1/accounts/A1/", host="billing",
                      headers={"Content-Type": "application/vnd.api+json", "Authorization": "t"},
                      body=json.dumps({"data": {"type": "Account", "attributes": {
                          "setting_type": kind, "new_value": value}}}).encode())
        return [v.location for v in contract.check_request(req)]

    assert settings("autopay", "EFT") == []
    assert settings("paperless", "True") == []
    assert settings("autopay", "True") == ["body /data/attributes/new_value"]
    assert settings("paperless", "EFT") == ["body /data/attributes/new_value"]


def test_response_checks_status_and_shape() -> None:
    contract = load_contract("imt")
    request = Request("GET", "/api/v2/accounts/A1/", host="billing", headers={"Authorization": "t"})
    wrapped = Response(200, {"Content-Type": "application/vnd.api+json"},
                       json.dumps({"data": {"type": "Account", "attributes": {}}}).encode())
    assert [v.location for v in contract.check_response(request, wrapped)] == ["response body /"]
    teapot = Response(418, {"Content-Type": "application/vnd.api+json"}, b"{}")
    (violation,) = contract.check_response(request, teapot)
    assert violation.location == "status" and violation.found == "418"


def test_unknown_path_names_the_nearest_operations() -> None:
    contract = load_contract("imt")
    request = Request("GET", "/api/v1/accounts/A1/invoice/", host="billing")
    assert contract.match(request) is None
    (violation,) = contract.check_request(request)
    assert violation.location == "path" and "nearest" in violation.message
    misses = contract.near_misses(request)
    assert misses and all(m.differences for m in misses)
