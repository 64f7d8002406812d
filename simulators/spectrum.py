"""IMT Spectrum (design 001): the API core (JWT token, RTDR, OnlineReceipt) and the auth host (sessions,
paperless and autopay settings).

API core (``wsSpectrumAPICore``): ``/api/Token`` answers a JWT that expires on the sandbox clock;
``InvoiceBalanceDue`` answers an invoice's balance as a string with four decimals (``731.3700``);
``OnlineReceipt`` answers the request's JSON plus ``receiptID`` and ``message``, one of the design's three
outcomes: ``applied``; ``okay`` ("Receipt Can Be Obtained By Scheduled Service or maybe already was": a
referenceNumber seen before, whose first receipt is answered and never applied twice, or ``approved:
false``, recorded but not applied); ``Sucess, but no data`` (the design's spelling: the invoice or policy
is unknown, or the invoice is not the policy's; receiptID 0, nothing recorded).

Auth host (``auth``, "the same integration as IMT MIPS/APPS"): ``sessions`` sets a ``sessionid`` cookie
whose session lives ``token_ttl`` seconds on the sandbox clock and is kept in the store (every worker and a
restart see it); the settings answer 403 without it, then store ``paperless`` (POST) and ``bill_mode``
(PATCH) with ``ledger.set_setting`` as ``"True"``/``"False"`` and ``"autopay"``/``"direct"``.

Errors are JSON:API ``errors[]`` (assumed: the design shows none), ``application/json`` with a ``title`` on
the API core, ``application/vnd.api+json`` on the auth host. The account is the policy number.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from http import HTTPStatus
from types import MappingProxyType
from typing import Any

from flask import Flask, Response, has_request_context, request

from contracts import Request, Violation, load_contract
from simulators.context import SandboxContext
from simulators.errors import LedgerError
from simulators.ledger import Ledger, from_cents, to_cents
from simulators.partner import PartnerSimulator
from simulators.rest import (
    ERROR_CODES,
    TokenError,
    bearer,
    create_partner_flask,
    ctx,
    error_code,
    issue_token,
    json_answer,
    own_request,
    reject,
    token_detail,
    verify_token,
    violations,
)

__all__ = ["SpectrumSimulator"]

PARTNER = "spectrum"
CORE, AUTH = "wsSpectrumAPICore", "auth"
CORE_MEDIA = "application/json"
AUTH_MEDIA = "application/vnd.api+json"
ISSUER = "spectrum-core"
BILLER_ID = "sandbox"  # the one biller the sandbox's auth host knows (the design's <<id>>)
TOKEN_ID = "58"  # the design's token sample; assumed to be the id of IC's user at Spectrum
SESSION_COOKIE = "sessionid"  # Django's session cookie (assumed: the design says "a cookie")
RECEIPT_BASE = 70000  # receipt ids are RECEIPT_BASE + 1, + 2, ... (assumed: the design gives none)
APPLIED, OKAY, NO_DATA = "applied", "okay", "Sucess, but no data"
NOT_AUTHENTICATED = "Authentication credentials were not provided."

_CODES = {400: "invalid", 401: "not_authenticated", 403: "not_authenticated", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "request_too_large", 415: "unsupported_media_type"}


# -- errors -------------------------------------------------------------------------------------
def _media(host: str) -> str:
    return AUTH_MEDIA if host == AUTH else CORE_MEDIA


def _error_doc(host: str, status: int, code: str, detail: str, source: dict[str, str] | None = None) -> dict[str, Any]:
    """One JSON:API error: the API core adds a ``title`` (ASP.NET's habit), the auth host does not (DRF's)."""
    err: dict[str, Any] = {"status": str(status), "code": code}
    if host != AUTH:
        try:
            err["title"] = HTTPStatus(status).phrase
        except ValueError:
            err["title"] = "Error"
    err["detail"] = detail
    if source:
        err["source"] = source
    return err


class _Refused(Exception):
    """A request the partner refuses; carries the partner's answer."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _refuse(host: str, status: int, code: str, detail: str, *, pointer: str | None = None,
            parameter: str | None = None) -> _Refused:
    reject(f"{status} {code}: {detail}")
    source = {"pointer": pointer} if pointer is not None else {"parameter": parameter} if parameter else None
    return _Refused(json_answer({"errors": [_error_doc(host, status, code, detail, source)]}, status, _media(host)))


def _view(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A route: a refusal raised anywhere below becomes the partner's error answer."""

    @functools.wraps(handler)
    def view(**params: str) -> Response:
        try:
            return handler(**params)
        except _Refused as exc:
            return exc.response

    return view


def _violations() -> list[Violation]:
    """The contract's verdict on this request. With the front door's checks off it is computed here all the
    same: the partner still refuses what it cannot read."""
    if ctx().config.check_contracts:
        return violations(PARTNER)
    return ctx().contract(PARTNER).check_request(own_request())


def _conform(host: str) -> None:
    """Refuse a request that breaks the contract: 404 for a path, 415 for a media type, else 400 with
    one error per violation pointing at its place."""
    found = _violations()
    if not found:
        return
    if any(v.location.startswith("path") for v in found):
        raise _refuse(host, 404, "not_found", "Not found.")
    if any(v.location == "header Content-Type" for v in found):
        raise _refuse(host, 415, "unsupported_media_type",
                      f'Unsupported media type "{request.headers.get("Content-Type", "")}"; use "{_media(host)}".')
    reject(f"400 invalid: {len(found)} contract violation(s)")
    errors = [_error_doc(host, 400, "invalid", f"expected {v.expected}, found {v.found}", _source(v)) for v in found]
    raise _Refused(json_answer({"errors": errors}, 400, _media(host)))


def _source(violation: Violation) -> dict[str, str] | None:
    """JSON:API's ``source`` of a violation: a pointer into the body, a query parameter or a header."""
    part, _, where = violation.location.partition(" ")
    if part == "body":
        return {"pointer": "" if where == "/" else where}  # "" points at the whole document
    if part in ("query", "header"):
        return {"parameter" if part == "query" else "header": where}
    return None


def _json_object(host: str) -> dict[str, Any]:
    """The body, once the contract has found it a JSON object of the operation's shape."""
    doc = json.loads(own_request().body)
    if not isinstance(doc, dict):  # unreachable after _conform; a refusal rather than a 500 if it changes
        raise _refuse(host, 400, "invalid", "The body is not a JSON object.", pointer="")
    return doc


# -- the simulator ------------------------------------------------------------------------------
class SpectrumSimulator(PartnerSimulator):
    name = PARTNER
    hosts = (CORE, AUTH)
    title = "IMT Spectrum"

    def error_response(self, status: int, detail: str) -> tuple[bytes, str]:
        """JSON:API errors in the form of the host asked (known inside a request; the API core's otherwise)."""
        host = self.split_path(request.path)[0] if has_request_context() else CORE
        body = {"errors": [_error_doc(host, status, _CODES.get(status, "error"), detail)]}
        return json.dumps(body).encode(), _media(host)

    answer_kinds = MappingProxyType({
        "error": "a JSON:API error code: " + ", ".join(f"{c} ({s})" for c, (s, _) in ERROR_CODES.items()),
        "receipt_outcome": "okay or no_data, an outcome of online_receipt answered without posting",
        "token": "expired or revoked: the API core's 401 not_authenticated (the auth host's 403 for its session)",
    })

    def fault_answer(self, kind: str, detail: str, operation: str, *, message: str = "",
                     request: Request | None = None, now: float | None = None) -> tuple[int, bytes, str] | None:
        """``error``: a JSON:API error in the form of the operation's host; ``receipt_outcome``: OnlineReceipt's
        ``okay`` or "Sucess, but no data" (receiptID 0; nothing is posted); ``token``: what the API core
        answers a JWT that expired or was revoked (the auth host: its 403 for a session gone)."""
        host = next((op.host for op in load_contract(PARTNER).operations() if op.name == operation), CORE)
        if kind == "receipt_outcome":
            outcomes = {"okay": OKAY, "no_data": NO_DATA}
            if detail not in outcomes:
                raise ValueError(f"expected okay or no_data; found {detail!r}")
            if operation != "online_receipt":
                raise ValueError("an outcome of online_receipt only: set operation: online_receipt")
            try:
                doc = json.loads(request.body) if request is not None else {}
            except ValueError:
                return None  # a body the partner could not read has no outcome
            if not isinstance(doc, dict):
                return None
            return 200, json.dumps({**doc, "receiptID": 0, "message": message or outcomes[detail]}).encode(), CORE_MEDIA
        if kind == "error":
            status, default = error_code(detail)
            code = detail
        elif kind == "token":
            status, code, default = (401, "not_authenticated", token_detail(detail)) if host != AUTH else \
                (403, "not_authenticated", NOT_AUTHENTICATED)
        else:
            return None
        body = {"errors": [_error_doc(host, status, code, message or default)]}
        return status, json.dumps(body).encode(), _media(host)

    def endpoints(self, base_url: str) -> dict[str, str]:
        core, auth = f"{base_url}/spectrum/{CORE}", f"{base_url}/spectrum/{AUTH}/{BILLER_ID}"
        return {
            "token": f"{core}/api/Token",
            "invoice_balance_due": f"{core}/api/Invoice/InvoiceBalanceDue?invoiceNumber={{invoice_number}}",
            "online_receipt": f"{core}/api/OnlineReceipt",
            "sessions": f"{auth}/api/sessions/",
            "set_paperless": f"{auth}/api/settings/{{account_number}}/",
            "set_autopay": f"{auth}/api/settings/{{account_number}}/",
        }

    def demo_seed(self) -> dict[str, Any]:
        from simulators.demo import spectrum_demo

        return spectrum_demo()

    def create_app(self, context: SandboxContext) -> Flask:
        app = create_partner_flask(self, context)
        app.add_url_rule(f"/{CORE}/api/Token", "token", _token, methods=["POST"])
        app.add_url_rule(f"/{CORE}/api/Invoice/InvoiceBalanceDue", "invoice_balance_due", _invoice_balance_due,
                         methods=["GET"])
        app.add_url_rule(f"/{CORE}/api/OnlineReceipt", "online_receipt", _online_receipt, methods=["POST"])
        app.add_url_rule(f"/{AUTH}/<biller_id>/api/sessions/", "sessions", _sessions, methods=["POST"])
        app.add_url_rule(f"/{AUTH}/<biller_id>/api/settings/<account_number>/", "settings", _settings,
                         methods=["POST", "PATCH"])
        return app


# -- API core -----------------------------------------------------------------------------------
def _authenticate() -> None:
    """A valid, unexpired JWT of ours, as ``Authorization: Bearer <JWT>`` (bare accepted; assumed)."""
    try:
        verify_token(ctx(), ISSUER, bearer(request.headers.get("Authorization", "")))
    except TokenError as exc:
        raise _refuse(CORE, 401, "not_authenticated", str(exc)) from None


@_view
def _token() -> Response:
    """design 001 §Web service Authorization: token, username and password, each the biller's own."""
    _conform(CORE)
    body = _json_object(CORE)
    creds = ctx().config.credentials
    if (body["token"], body["username"], body["password"]) != (creds.spectrum_api_token, creds.username,
                                                                creds.password):
        raise _refuse(CORE, 401, "authentication_failed", "Invalid token, username or password.")
    token = issue_token(ctx(), ISSUER, body["username"])
    return json_answer({"data": {"id": TOKEN_ID, "type": "jwtToken", "attributes": {"token": token}}}, 200, CORE_MEDIA)


def _query_any_case(name: str) -> str | None:
    """A query value whose name is matched without regard to case (ASP.NET model binding; assumed)."""
    wanted = name.lower()
    for key, value in request.args.items(multi=True):
        if key.lower() == wanted:
            return value
    return None


def _invoice(conn: sqlite3.Connection, ledger: Ledger, invoice_number: str) -> dict[str, Any] | None:
    """The invoice with its account, what is paid of it and whether it carries its balance; None if unknown."""
    row = conn.execute("SELECT account_number FROM invoices WHERE partner = ? AND invoice_number = ?",
                       (PARTNER, invoice_number)).fetchone()
    if row is None:
        return None
    return next((inv for inv in ledger.invoices(conn, str(row[0])) if inv["invoice_number"] == invoice_number), None)


def _balance_due(invoice: dict[str, Any]) -> int:
    """What is still owed on the invoice (cents); nothing on one whose balance went forward to a newer one."""
    return max(0, int(invoice["due_cents"]) - int(invoice["paid_cents"])) if invoice["carries"] else 0


@_view
def _invoice_balance_due() -> Response:
    """design 001 §RTDR Balance Update: ``{"balanceDue": "731.3700"}``, four decimals, a string."""
    _authenticate()
    _conform(CORE)
    number = _query_any_case("invoiceNumber")
    if not number:
        raise _refuse(CORE, 400, "invalid", "The invoiceNumber field is required.", parameter="invoiceNumber")
    context = ctx()
    with context.store.read() as conn:
        invoice = _invoice(conn, context.ledger(PARTNER), number)
    if invoice is None:
        raise _refuse(CORE, 404, "not_found", f"Invoice {number} not found.", parameter="invoiceNumber")
    balance = f"{from_cents(_balance_due(invoice)):.4f}"
    return json_answer({"data": {"id": number, "type": "invoiceNumber", "attributes": {"balanceDue": balance}}},
                       200, CORE_MEDIA)


def _cents(doc: dict[str, Any], name: str) -> int:
    """An amount of the receipt in cents; more than two decimals, or an absurd amount, is refused."""
    raw = doc[name]
    try:
        cents = to_cents(raw)
    except LedgerError:
        raise _refuse(CORE, 400, "invalid", f"{raw!r} is not an amount.", pointer=f"/{name}") from None
    if Decimal(str(raw)) * 100 != cents:
        raise _refuse(CORE, 400, "invalid", f"{raw!r} has more than two decimals.", pointer=f"/{name}")
    return cents


def _next_receipt(conn: sqlite3.Connection) -> int:
    count = conn.execute("SELECT COUNT(*) FROM payments WHERE partner = ?", (PARTNER,)).fetchone()[0]
    return RECEIPT_BASE + int(count) + 1


def _receive(conn: sqlite3.Connection, ledger: Ledger, doc: dict[str, Any], cents: int, fee_cents: int,
             now: float) -> tuple[str, int]:
    """The outcome of one receipt and its receiptID, inside the request's transaction."""
    reference = str(doc["referenceNumber"])
    first = ledger.payment(conn, reference)
    if first is not None:  # "or maybe already was": never applied twice
        return OKAY, int(first.data.get("receiptID", 0))
    invoice = _invoice(conn, ledger, str(doc["invoiceNumber"]))
    policy = str(doc["policyNumber"])
    if invoice is None or policy not in (invoice["account_number"], invoice["policy_number"]):
        reject(f"200 {NO_DATA}: invoice {doc['invoiceNumber']} is not known for policy {policy}")
        return NO_DATA, 0
    receipt = _next_receipt(conn)
    approved = bool(doc["approved"])
    ledger.post_payment(
        conn, reference, str(invoice["account_number"]), cents, invoice_number=str(invoice["invoice_number"]),
        policy_number=policy, method=str(doc["paymentType"]), paid_on=str(doc["datePaid"]), now=now,
        applied=approved,  # not approved: kept for the scheduled service, the balance does not move
        data={"receiptID": receipt, "fullName": doc["fullName"], "fee": str(from_cents(fee_cents)),
              "transactionID": doc["transactionID"], "transactionMessage": doc.get("transactionMessage", ""),
              "approved": approved, "onlineVendor": doc["onlineVendor"]})
    return (APPLIED if approved else OKAY), receipt


@_view
def _online_receipt() -> Response:
    """design 001 §Data Pump Payments: "your original JSON plus receiptID", and the outcome."""
    _authenticate()
    _conform(CORE)
    doc = _json_object(CORE)
    cents, fee_cents = _cents(doc, "amount"), _cents(doc, "fee")
    context = ctx()
    with context.store.transaction() as conn:
        outcome, receipt = _receive(conn, context.ledger(PARTNER), doc, cents, fee_cents, context.store.now())
    return json_answer({**doc, "receiptID": receipt, "message": outcome}, 200, CORE_MEDIA)


# -- auth host ----------------------------------------------------------------------------------
def _known_biller(biller_id: str) -> None:
    if biller_id != BILLER_ID:
        raise _refuse(AUTH, 404, "not_found", f"No biller {biller_id!r} on this host.")


def _session(biller_id: str) -> None:
    """A live ``sessionid`` cookie of this biller, else 403 as Django REST framework answers it."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    context = ctx()
    found = None
    if session_id:
        with context.store.read() as conn:
            found = context.ledger(PARTNER).session(conn, session_id, context.store.now())
    if found is None or found["data"].get("biller_id") != biller_id:
        raise _refuse(AUTH, 403, "not_authenticated", NOT_AUTHENTICATED)


@_view
def _sessions(biller_id: str) -> Response:
    """design 001 §Authentication Method for Paperless and Autopay Enrollment: a cookie for the other requests."""
    _known_biller(biller_id)
    _conform(AUTH)
    attrs = _json_object(AUTH)["data"]["attributes"]
    context = ctx()
    creds = context.config.credentials
    if (attrs["username"], attrs["password"]) != (creds.username, creds.password):
        raise _refuse(AUTH, 401, "authentication_failed", "Unable to log in with provided credentials.")
    now = context.store.now()
    expires = now + context.config.token_ttl
    with context.store.transaction() as conn:
        session_id = context.ledger(PARTNER).open_session(conn, attrs["username"], expires_at=expires, now=now,
                                                          data={"biller_id": biller_id})
    answer = json_answer({"data": {"type": "sessions", "id": attrs["username"], "attributes": {
        "username": attrs["username"],
        "expires": datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}}}, 201, AUTH_MEDIA)
    answer.set_cookie(SESSION_COOKIE, session_id, path=f"{request.script_root}/{AUTH}/{biller_id}/", httponly=True)
    return answer


@_view
def _settings(biller_id: str, account_number: str) -> Response:
    """design 001 §Data Pump Paperless (POST) and AutoPay (PATCH) Enrollment: ``../settings/{AccountNumber}/``.

    Django REST framework's order: authentication, the account, the body, then JSON:API's 409 for a
    ``data.type`` or ``data.id`` that is not this resource's.
    """
    _known_biller(biller_id)
    _session(biller_id)
    context = ctx()
    ledger = context.ledger(PARTNER)
    with context.store.read() as conn:
        known = ledger.has_account(conn, account_number)
    if not known:
        raise _refuse(AUTH, 404, "not_found", f"Account {account_number} not found.")
    _conform(AUTH)
    data = _json_object(AUTH)["data"]
    if data["type"] != "policy-settings":
        raise _refuse(AUTH, 409, "conflict", f"The resource type {data['type']!r} is not policy-settings.",
                      pointer="/data/type")
    if data["id"] != account_number:
        raise _refuse(AUTH, 409, "conflict", f"The resource id {data['id']!r} is not the account {account_number}.",
                      pointer="/data/id")
    attrs = data["attributes"]
    now = context.store.now()
    with context.store.transaction() as conn:
        if "paperless" in attrs:
            ledger.set_setting(conn, account_number, "paperless", str(bool(attrs["paperless"])), now)
        if "bill_mode" in attrs:
            ledger.set_setting(conn, account_number, "bill_mode", str(attrs["bill_mode"]), now)
        settings = ledger.settings(conn, account_number)
    return json_answer({"data": {"type": "policy-settings", "id": account_number, "attributes": {
        "paperless": settings.get("paperless") == "True", "bill_mode": settings.get("bill_mode", "direct")}}},
        200, AUTH_MEDIA)
