"""IMT MIPS/APPS (design 000): JWT tokens on the users host, RTDR and data pump on the billing host.

The answers have the design's exact shapes: RTDR, payment, credit and settings answers carry ``type``
and ``attributes`` at the top level with no ``data`` wrapper; the token answer is wrapped in ``data``.
Errors are JSON:API ``errors[]`` (shape assumed: the design shows none).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date
from types import MappingProxyType
from typing import Any

from flask import Flask, Response, request

from contracts import Request, Violation
from simulators.context import SandboxContext
from simulators.errors import LedgerError, NotFound
from simulators.ledger import Balance, from_cents, to_cents
from simulators.partner import PartnerSimulator
from simulators.pdf import render_bill
from simulators.rest import (
    ERROR_CODES,
    TokenError,
    bearer,
    create_partner_flask,
    ctx,
    error_code,
    issue_token,
    json_answer,
    reject,
    token_detail,
    verify_token,
    violations,
)

__all__ = ["ImtSimulator"]

PARTNER = "imt"
MEDIA = "application/vnd.api+json"
ISSUER = "imt-users"


def _errors(status: int, *errors: dict[str, Any]) -> Response:
    return json_answer({"errors": [{"status": str(status), **e} for e in errors]}, status, MEDIA)


def _error(status: int, code: str, detail: str, pointer: str = "", parameter: str = "") -> Response:
    reject(f"{status} {code}: {detail}")
    err: dict[str, Any] = {"code": code, "detail": detail}
    if pointer:
        err["source"] = {"pointer": pointer}
    elif parameter:
        err["source"] = {"parameter": parameter}
    return _errors(status, err)


def _violation_answer(found: list[Violation]) -> Response | None:
    """The answer IMT gives to a request that breaks its contract, or None when it conforms."""
    if not found:
        return None
    if any(v.location.startswith("path") for v in found):
        return _error(404, "not_found", "Not found.")
    if any(v.location == "header Content-Type" for v in found):
        ct = request.headers.get("Content-Type", "")
        return _error(415, "unsupported_media_type", f'Unsupported media type "{ct}" in request; use "{MEDIA}".')
    errors = []
    reject(f"400 invalid: {len(found)} contract violation(s)")
    for v in found:
        part, _, where = v.location.partition(" ")
        err: dict[str, Any] = {"code": "invalid", "detail": f"expected {v.expected}, found {v.found}"}
        if part == "body":
            err["source"] = {"pointer": where if where != "/" else "/data"}
        elif part == "query":
            err["source"] = {"parameter": where}
        elif part == "header":
            err["source"] = {"header": where}
        errors.append(err)
    return _errors(400, *errors)


def _authenticate() -> Response | None:
    header = request.headers.get("Authorization", "")
    try:
        verify_token(ctx(), ISSUER, bearer(header, ("Bearer", "JWT")))
    except TokenError as exc:
        return _error(401, "not_authenticated", str(exc))
    return None


def _money(cents: int) -> float:
    return float(from_cents(cents))


def _account_common(account: dict[str, Any], bal: Balance, settings: dict[str, str]) -> dict[str, Any]:
    data = account["data"]
    address = data.get("address", {})
    first, last = data.get("first_name"), data.get("last_name")
    return {
        "account_number": account["account_number"],
        "payment_method": settings.get("autopay", data.get("payment_method", "CHECK")),
        "balance": _money(bal.total_due),
        "past_due": _money(bal.past_due),
        "address_type": "BILLING",
        "street_line_1": address.get("street_line_1"),
        "street_line_2": address.get("street_line_2"),
        "city": address.get("city"),
        "state": address.get("state"),
        "zip_code": address.get("zip_code"),
        "first_name": first,
        "last_name": last,
        "full_name": account["name"] or " ".join(p for p in (first, last) if p) or None,
        "due_date": bal.due_date or None,
    }


class ImtSimulator(PartnerSimulator):
    name = PARTNER
    hosts = ("users", "billing")
    title = "IMT MIPS/APPS"

    def error_response(self, status: int, detail: str) -> tuple[bytes, str]:
        body = {"errors": [{"status": str(status), "code": _code(status), "detail": detail}]}
        return json.dumps(body).encode(), MEDIA

    answer_kinds = MappingProxyType({
        "error": "a JSON:API error code: " + ", ".join(f"{c} ({s})" for c, (s, _) in ERROR_CODES.items()),
        "token": "expired or revoked: 401 not_authenticated",
    })

    def fault_answer(self, kind: str, detail: str, operation: str, *, message: str = "",
                     request: Request | None = None, now: float | None = None) -> tuple[int, bytes, str] | None:
        """``error``: a JSON:API error answer of that code (status by code); ``token``: the 401 IMT gives
        a token that has expired or was revoked."""
        if kind == "error":
            status, default = error_code(detail)
            code = detail
        elif kind == "token":
            status, code, default = 401, "not_authenticated", token_detail(detail)
        else:
            return None
        body = {"errors": [{"status": str(status), "code": code, "detail": message or default}]}
        return status, json.dumps(body).encode(), MEDIA

    def endpoints(self, base_url: str) -> dict[str, str]:
        b = f"{base_url}/imt"
        return {
            "token": f"{b}/users/api/v1/tokens/",
            "rtdr_v1": f"{b}/billing/api/v1/accounts/{{account_number}}/?customer_username={{username}}",
            "rtdr_v2": f"{b}/billing/api/v2/accounts/{{account_number}}/?customer_username={{username}}",
            "post_payment": f"{b}/billing/api/v1/accounts/{{account_number}}/payments/{{payment_id}}/post/",
            "post_credit": f"{b}/billing/api/v1/accounts/{{account_number}}/payments/{{payment_id}}/credit/",
            "update_settings": f"{b}/billing/api/v1/accounts/{{account_number}}/",
            "get_bill": f"{b}/billing/api/v1/accounts/{{account_number}}/invoices/?document_date={{YYYY-MM-DD}}",
        }

    def demo_seed(self) -> dict[str, Any]:
        from simulators.demo import imt_demo

        return imt_demo()

    def create_app(self, context: SandboxContext) -> Flask:
        app = create_partner_flask(self, context)
        app.add_url_rule("/users/api/v1/tokens/", "token", _token, methods=["POST"])
        app.add_url_rule("/billing/api/v1/accounts/<account_number>/", "rtdr_v1", _rtdr_v1, methods=["GET"])
        app.add_url_rule("/billing/api/v2/accounts/<account_number>/", "rtdr_v2", _rtdr_v2, methods=["GET"])
        app.add_url_rule("/billing/api/v1/accounts/<account_number>/", "update_settings", _update_settings, methods=["POST"])
        app.add_url_rule("/billing/api/v1/accounts/<account_number>/payments/<payment_id>/post/", "post_payment",
                         _post_payment, methods=["POST"])
        app.add_url_rule("/billing/api/v1/accounts/<account_number>/payments/<payment_id>/credit/", "post_credit",
                         _post_credit, methods=["POST"])
        app.add_url_rule("/billing/api/v1/accounts/<account_number>/invoices/", "get_bill", _get_bill, methods=["GET"])
        return app


def _code(status: int) -> str:
    return {400: "invalid", 401: "not_authenticated", 404: "not_found", 405: "method_not_allowed",
            409: "conflict", 413: "request_too_large", 415: "unsupported_media_type"}.get(status, "error")


# -- users host ---------------------------------------------------------------------------------
def _token() -> Response:
    bad = _violation_answer(violations(PARTNER))
    if bad is not None:
        return bad
    attrs = request.get_json(force=True)["data"]["attributes"]
    creds = ctx().config.credentials
    if attrs["username_or_email"] != creds.username or attrs["password"] != creds.password:
        return _error(401, "authentication_failed", "Unable to log in with provided credentials.")
    token = issue_token(ctx(), ISSUER, attrs["username_or_email"])
    return json_answer({"data": {"type": "Token", "id": 1, "attributes": {
        "auth": token, "two_factor_required": False, "next": "https://users.imt.example.test/admin/"}}},
        200, MEDIA)


# -- billing host -------------------------------------------------------------------------------
def _guard() -> Response | None:
    """IMT's order of checks: authentication, then the request's shape (as Django REST framework)."""
    return _authenticate() or _violation_answer(violations(PARTNER))


def _rtdr(account_number: str, version: int) -> Response:
    bad = _guard()
    if bad is not None:
        return bad
    context = ctx()
    ledger = context.ledger(PARTNER)
    with context.store.read() as conn:
        try:
            account = ledger.account(conn, account_number)
        except NotFound:
            return _error(404, "not_found", f"Account {account_number} not found.")
        bal = ledger.balance(conn, account_number)
        settings = ledger.settings(conn, account_number)
    attrs = _account_common(account, bal, settings)
    if version == 1:
        attrs = {"raw_data": {"receivableCategories": [{
            "receivableCategoryCode": "TOTAL",
            "billBalanceAmount": _money(bal.bill_balance),
            "currentBalance": _money(bal.current_due),
            "pastDueAmount": _money(bal.past_due),
        }]}, **attrs, "total_due": _money(bal.bill_balance)}
    else:
        attrs["bill_balance"] = _money(bal.bill_balance)
        attrs["current_due"] = _money(bal.current_due)
    return json_answer({"type": "Account", "attributes": attrs}, 200, MEDIA)


def _rtdr_v1(account_number: str) -> Response:
    return _rtdr(account_number, 1)


def _rtdr_v2(account_number: str) -> Response:
    return _rtdr(account_number, 2)


def _payment_answer(payment_id: str, kind: str = "Payment") -> Response:
    return json_answer({"type": kind, "attributes": {"payment_id": payment_id}}, 200, MEDIA)


def _write(amount_pointer: str = "") -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """The frame of every IMT write: authenticate, check the request against the contract, hand the
    JSON:API attributes to the handler, and answer a ledger refusal as a JSON:API error (pointing at
    the amount field when the refusal is about the amount)."""

    def wrap(handler: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(handler)
        def view(**params: str) -> Response:
            bad = _guard()
            if bad is not None:
                return bad
            attrs = request.get_json(force=True)["data"]["attributes"]
            try:
                return handler(attrs, **params)
            except LedgerError as exc:
                return _ledger_error(exc, {"amount": amount_pointer})

        return view

    return wrap


@_write("/data/attributes/payment_amount")
def _post_payment(attrs: dict[str, Any], account_number: str, payment_id: str) -> Response:
    context = ctx()
    amount = to_cents(attrs["payment_amount"])
    with context.store.transaction() as conn:
        context.ledger(PARTNER).post_payment(
            conn, payment_id, account_number, amount,
            invoice_number=attrs["invoice_number"], policy_number=attrs.get("policy_number", ""),
            method=attrs["payment_method"], paid_on=attrs["payment_date"],
            data={k: attrs.get(k) for k in ("invoice_agency", "payment_username", "payment_channel") if k in attrs},
            now=context.store.now())
    return _payment_answer(payment_id)


@_write("/data/attributes/credit_amount")
def _post_credit(attrs: dict[str, Any], account_number: str, payment_id: str) -> Response:
    context = ctx()
    ledger = context.ledger(PARTNER)
    with context.store.transaction() as conn:
        payment = ledger.payment(conn, payment_id)
        if payment is None or payment.account_number != account_number:
            # "No credit payments will occur without an original payment" (design 000 §Credit).
            raise NotFound(f"Payment {payment_id} not found for account {account_number}.")
        ledger.credit_payment(conn, payment_id, to_cents(attrs["credit_amount"]), reason=attrs["credit_reason"],
                              data={"credit_username": attrs.get("credit_username", "")}, now=context.store.now())
    return _payment_answer(payment_id, "PaymentCredit")


@_write()
def _update_settings(attrs: dict[str, Any], account_number: str) -> Response:
    context = ctx()
    ledger = context.ledger(PARTNER)
    with context.store.transaction() as conn:
        account = ledger.account(conn, account_number)
        ledger.set_setting(conn, account_number, attrs["setting_type"], attrs["new_value"], context.store.now())
        settings = ledger.settings(conn, account_number)
    autopay = settings.get("autopay", account["data"].get("payment_method", "CHECK"))
    paperless = settings.get("paperless", str(account["data"].get("paperless", False))) == "True"
    return json_answer({"type": "Account", "attributes": {
        "account_number": account_number, "autopay": autopay, "paperless": paperless}}, 200, MEDIA)


def _get_bill(account_number: str) -> Response:
    bad = _guard()
    if bad is not None:
        return bad
    document_date = request.args["document_date"]
    context = ctx()
    ledger = context.ledger(PARTNER)
    with context.store.read() as conn:
        if not ledger.has_account(conn, account_number):
            return _error(404, "not_found", f"Account {account_number} not found.")
        doc = ledger.document(conn, account_number, document_date)
        if doc is None:
            return _error(404, "not_found", f"No bill for account {account_number} dated {document_date}.",
                          parameter="document_date")
        invoices = [inv for inv in ledger.invoices(conn, account_number) if inv["invoice_date"] == document_date]
    content = doc["content"] or render_bill(ImtSimulator.title, account_number, date.fromisoformat(document_date).isoformat(),
                                            [(f"Invoice {inv['invoice_number']}", f"${from_cents(inv['due_cents'])}")
                                             for inv in invoices])
    return Response(content, status=200, content_type="application/pdf")


def _ledger_error(exc: LedgerError, pointers: dict[str, str]) -> Response:
    status = 404 if isinstance(exc, NotFound) else 400
    return _error(status, exc.code, exc.detail, pointer=pointers.get(exc.field, "") if exc.field else "")
