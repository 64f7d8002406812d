"""TCCS InvoiceCloud API (design 002): form posts whose ``contentInfo`` follows a grammar per operation.

Every operation is a ``POST`` of ``consumerGUID``, ``entryKey`` and ``contentInfo`` to one host
(``invoicecloudapi``). The order of checks: the path (matched without regard to case, as the design
writes both ``Pay_Input`` and ``Pay_input``) and method, the media type (a body that is not a form
carries no credentials to read), then the credentials (401 first), then the contract (the form and the
``contentInfo`` grammar of ``contracts/tccs/grammars.yaml``, read once by the contract and by this module),
then the ledger.

The ledger: an account per policy number (a quote's is ``Q<policy>``), an invoice per invoice number,
open item (each invoice carries its own balance). ARState_Output answers RecordBal (what is open on the
invoice, IC BalanceDue) and TotalBalance (what is open on the policy, IC TotalAmountDue), design 002
§RTDR Field Mapping. Pay_Input posts a payment or a quote deposit against its invoice; the payment's ledger
id is its PaymentGUID when one is sent, and a GUID seen before answers ``Duplicate`` with the first
receipt and posts nothing (INT-6870). Insufficient_Pay_Report reverses, whole, the payment of that amount
on that invoice. Paperless_Bill and Recurring_Pay store ``paperless`` / ``recurring`` = Y or N on the
policy. Retrieve_Bill_Image answers a real PDF.

Every answer body is assumed (the design gives none): JSON as ``contracts/tccs/openapi.yaml`` describes,
errors ``{"Status": "Error", "ErrorCode", "Message", "Field"}``. Also assumed where the design is silent:
receipts are numbered ``TC000001``, ``TC000002``...; a payment without a GUID has the ledger id
``receipt:<receipt>``; a Duplicate names the invoice the first payment went to; RecordBal is never below
zero (an overpayment shows in TotalBalance); an NSF that matches several payments reverses the one paid on
its date, else the oldest, and one whose payments are all reversed is ALREADY_REVERSED (409).
"""

from __future__ import annotations

import hmac
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Response, request

from contracts import Request, Violation, best_match
from contracts.formgrammar import Parsed
from contracts.jsonbody import is_form_media
from contracts.tccs import TccsContract
from simulators.context import SandboxContext
from simulators.errors import LedgerError, NotFound
from simulators.ledger import Ledger, Payment, from_cents, to_cents
from simulators.partner import PartnerSimulator
from simulators.pdf import render_bill
from simulators.rest import create_partner_flask, ctx, json_answer, own_request, reject, violations
from simulators.wsgi import NOTES_KEY

__all__ = ["TccsSimulator"]

PARTNER = "tccs"
HOST = "invoicecloudapi"
MEDIA = "application/json; charset=utf-8"
FORM_MEDIA = "application/x-www-form-urlencoded"
DUPLICATE_MESSAGE = "Payment already received."
RECEIPT_PREFIX = "TC"  # receipts TC000001, TC000002... (assumed: the design gives none)
SETTING_KEYS = {"Paperless_Bill": ("paperless", "Paperless"), "Recurring_Pay": ("recurring", "Recurring")}
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class _Refusal(Exception):
    """A business refusal, answered as a TCCS error."""

    def __init__(self, status: int, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


# -- answers ------------------------------------------------------------------------------------
def _code(status: int) -> str:
    """The ErrorCode for a status raised outside a handler: ``SERVICE_UNAVAILABLE`` for 503."""
    known = {400: "INVALID_CONTENT", 401: "AUTHENTICATION_FAILED", 413: "REQUEST_TOO_LARGE", 500: "INTERNAL_ERROR"}
    if status in known:
        return known[status]
    try:
        return HTTPStatus(status).phrase.upper().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "ERROR"


#: The ErrorCodes a fault plan may ask of TCCS (``answer: {error: <code>}``): status and default Message.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "INVALID_CONTENT": (400, "The contentInfo is not valid."),
    "AUTHENTICATION_FAILED": (401, "The consumerGUID or entryKey is missing or not valid."),
    "NOT_FOUND": (404, "No TCCS operation at this path."),
    "INVOICE_NOT_FOUND": (404, "Invoice was not found."),
    "PAYMENT_NOT_FOUND": (404, "No payment of this amount on the invoice."),
    "METHOD_NOT_ALLOWED": (405, "The operation accepts POST only."),
    "ALREADY_REVERSED": (409, "The payment is already reversed."),
    "REQUEST_TOO_LARGE": (413, "The request body is too large."),
    "UNSUPPORTED_MEDIA_TYPE": (415, f"The body must be {FORM_MEDIA}."),
    "INTERNAL_ERROR": (500, "An internal error occurred."),
    "SERVICE_UNAVAILABLE": (503, "The service is unavailable."),
}


def _error_body(code: str, message: str, field: str = "") -> dict[str, str]:
    body = {"Status": "Error", "ErrorCode": code, "Message": message}
    if field:
        body["Field"] = field
    return body


def _error(status: int, code: str, message: str, field: str = "") -> Response:
    reject(f"{status} {code}: {message}")
    return json_answer(_error_body(code, message, field), status, MEDIA)


def _field_of(violation: Violation) -> str:
    """``contentInfo amount`` → ``amount``; ``body contentInfo`` → ``contentInfo``; else none."""
    part, _, rest = violation.location.partition(" ")
    return rest if part in ("body", "contentInfo") and rest and not rest.startswith("/") else ""


def _money(cents: int) -> str:
    return str(from_cents(cents))


def _today(context: SandboxContext) -> str:
    return datetime.fromtimestamp(context.store.now(), UTC).date().isoformat()


def _iso(mmddyyyy: str) -> str:
    return datetime.strptime(mmddyyyy, "%m/%d/%Y").date().isoformat()


# -- the simulator ------------------------------------------------------------------------------
class TccsSimulator(PartnerSimulator):
    name = PARTNER
    hosts = (HOST,)
    title = "TCCS"

    def error_response(self, status: int, detail: str) -> tuple[bytes, str]:
        return json.dumps(_error_body(_code(status), detail)).encode(), MEDIA

    answer_kinds = MappingProxyType({
        "error": "an ErrorCode: " + ", ".join(f"{c} ({s})" for c, (s, _) in ERROR_CODES.items()),
        "token": "expired or revoked: 401 AUTHENTICATION_FAILED (TCCS's credentials are the entryKey)",
    })

    def fault_answer(self, kind: str, detail: str, operation: str, *, message: str = "",
                     request: Request | None = None, now: float | None = None) -> tuple[int, bytes, str] | None:
        """``error``: TCCS's error answer with that ErrorCode (status by code); ``token``: its answer to an
        entryKey it no longer accepts."""
        if kind == "error":
            if detail not in ERROR_CODES:
                raise ValueError(f"expected an ErrorCode: {', '.join(ERROR_CODES)}; found {detail!r}")
            status, default = ERROR_CODES[detail]
        elif kind == "token":
            if detail not in ("expired", "revoked"):
                raise ValueError(f"expected expired or revoked; found {detail!r}")
            detail, (status, default) = "AUTHENTICATION_FAILED", ERROR_CODES["AUTHENTICATION_FAILED"]
        else:
            return None
        return status, json.dumps(_error_body(detail, message or default)).encode(), MEDIA

    def endpoints(self, base_url: str) -> dict[str, str]:
        b = f"{base_url}/{PARTNER}/{HOST}"
        return {
            "ARState_Output": f"{b}/api/ARState_Output",
            "Pay_Input": f"{b}/api/Pay_Input",
            "Insufficient_Pay_Report": f"{b}/api/Insufficient_Pay_Report",
            "Paperless_Bill": f"{b}/api/Paperless_Bill",
            "Recurring_Pay": f"{b}/api/Recurring_Pay",
            "Retrieve_Bill_Image": f"{b}/Retrieve_Bill_Image",
        }

    def demo_seed(self) -> dict[str, Any]:
        from simulators.demo import tccs_demo

        return tccs_demo()

    def split_path(self, path: str) -> tuple[str, str]:
        """The host prefix too is matched without regard to case (an IIS application path)."""
        prefix = f"/{HOST}"
        if path.lower() == prefix or path.lower().startswith(prefix + "/"):
            return HOST, path[len(prefix):] or "/"
        return "", path

    def create_app(self, context: SandboxContext) -> Flask:
        app = create_partner_flask(self, context)
        contract = context.contract(PARTNER)
        if not isinstance(contract, TccsContract):  # pragma: no cover - the registry loads contracts.tccs
            raise TypeError(f"the tccs contract is a {type(contract).__name__}, not a TccsContract")
        routes = {(op.host, op.path.lower()): op.name for op in contract.operations()}
        app.extensions["partnersim.tccs"] = (contract, routes)
        app.add_url_rule("/", "tccs", _dispatch, methods=_METHODS, defaults={"rest": ""})
        app.add_url_rule("/<path:rest>", "tccs_path", _dispatch, methods=_METHODS)
        return app


# -- the frame of every request ---------------------------------------------------------------
def _contract() -> tuple[TccsContract, dict[tuple[str, str], str]]:
    from flask import current_app

    found: tuple[TccsContract, dict[tuple[str, str], str]] = current_app.extensions["partnersim.tccs"]
    return found


def _form(body: bytes) -> dict[str, str]:
    """The form as the partner reads it (last value wins); bytes that are not UTF-8 are replaced here
    and refused by the contract check."""
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def _route(contract: TccsContract, routes: dict[tuple[str, str], str]) -> str:
    """The operation of this path (without regard to case), or NOT_FOUND / METHOD_NOT_ALLOWED."""
    own = own_request()
    operation = routes.get((own.host, own.path.lower().rstrip("/") or "/"))
    if operation is None:
        misses = "; ".join(f"{m.operation.method} {m.operation.path}" for m in contract.near_misses(own, limit=2))
        raise _Refusal(404, "NOT_FOUND", f"No TCCS operation at {own.path}. Nearest: {misses}.")
    if request.method != "POST":
        raise _Refusal(405, "METHOD_NOT_ALLOWED", f"{operation} accepts POST only, not {request.method}.")
    return operation


def _authenticate() -> dict[str, str]:
    """The form, once its consumerGUID and entryKey are the biller's (checked before anything else in it).
    A body that is not a form carries no credentials to read: UNSUPPORTED_MEDIA_TYPE (assumed)."""
    content_type = request.headers.get("Content-Type", "")
    if not is_form_media(content_type):
        raise _Refusal(415, "UNSUPPORTED_MEDIA_TYPE", f"The body must be {FORM_MEDIA} with consumerGUID, entryKey "
                       f"and contentInfo; found {content_type or 'no Content-Type'}.")
    form = _form(own_request().body)
    creds = ctx().config.credentials
    if not (_same(form.get("consumerGUID"), creds.tccs_consumer_guid)
            and _same(form.get("entryKey"), creds.tccs_entry_key)):
        raise _Refusal(401, "AUTHENTICATION_FAILED", "The consumerGUID or entryKey is missing or not valid.")
    return form


def _invalid(found: list[Violation]) -> _Refusal:
    worst = best_match(found)
    assert worst is not None
    return _Refusal(400, "INVALID_CONTENT", f"{worst.location}: expected {worst.expected}, found {worst.found}",
                    _field_of(worst))


def _content(contract: TccsContract, operation: str, form: dict[str, str]) -> Parsed:
    """The contract's verdict on the request, then the parse of contentInfo the handler acts on (the same
    parse: the contract keeps it). With contract checks off the grammar still decides what can be read."""
    found = violations(PARTNER)
    if found:
        raise _invalid(found)
    if contract.form_field not in form:
        raise _Refusal(400, "INVALID_CONTENT", f"body {contract.form_field}: expected present, found absent",
                       contract.form_field)
    parsed = contract.parse_content(operation, form[contract.form_field])
    if not parsed.ok:
        raise _invalid(list(parsed.violations))
    return parsed


def _dispatch(rest: str) -> Response:
    """Every TCCS request: route, credentials, contract, then the operation; any refusal in TCCS's form."""
    contract, routes = _contract()
    try:
        operation = _route(contract, routes)
        parsed = _content(contract, operation, _authenticate())
        return _HANDLERS[operation](parsed)
    except _Refusal as exc:
        return _error(exc.status, exc.code, exc.message, exc.field)
    except LedgerError as exc:
        if isinstance(exc, NotFound):
            return _error(404, "NOT_FOUND", exc.detail)
        return _error(400, "INVALID_CONTENT", f"contentInfo {exc.field or 'value'}: {exc.detail}", exc.field)


# -- the ledger ---------------------------------------------------------------------------------
def _ledger() -> Ledger:
    return ctx().ledger(PARTNER)


def _invoice_row(conn: sqlite3.Connection, number: str) -> tuple[str, str]:
    """The account (policy) and policy number of the invoice of this number, or INVOICE_NOT_FOUND."""
    row = conn.execute("SELECT account_number, policy_number FROM invoices WHERE partner = ? AND invoice_number = ?",
                       (PARTNER, number)).fetchone()
    if row is None:
        raise _Refusal(404, "INVOICE_NOT_FOUND", f"Invoice {number} was not found.", "invoice")
    return str(row[0]), str(row[1])


def _invoice(conn: sqlite3.Connection, ledger: Ledger, number: str) -> dict[str, Any]:
    """The ledger invoice of this number with what has been paid on it, or INVOICE_NOT_FOUND."""
    account, _ = _invoice_row(conn, number)
    (invoice,) = [inv for inv in ledger.invoices(conn, account) if inv["invoice_number"] == number]
    return invoice


def _open_cents(invoice: dict[str, Any]) -> int:
    """What is still open on the invoice (RecordBal): never below zero; an overpayment shows in TotalBalance."""
    return max(0, int(invoice["due_cents"]) - int(invoice["paid_cents"]))


def _next_receipt(conn: sqlite3.Connection) -> str:
    count = conn.execute("SELECT COUNT(*) FROM payments WHERE partner = ?", (PARTNER,)).fetchone()[0]
    return f"{RECEIPT_PREFIX}{int(count) + 1:06d}"


def _receipt(payment: Payment) -> str:
    return str(payment.data.get("receipt", ""))


# -- operations ---------------------------------------------------------------------------------
def _balance(parsed: Parsed) -> Response:
    """ARState_Output: RecordBal = the invoice's open amount, TotalBalance = the policy's (§RTDR Field Mapping)."""
    number = parsed.fields["invoice"]
    context, ledger = ctx(), _ledger()
    with context.store.read() as conn:
        invoice = _invoice(conn, ledger, number)
        total = ledger.balance(conn, invoice["account_number"]).total_due
    return json_answer({"Status": "Success", "InvoiceNumber": number, "RecordBal": _money(_open_cents(invoice)),
                        "TotalBalance": _money(total)}, 200, MEDIA)


def _pay(parsed: Parsed) -> Response:
    """Pay_Input: a payment (``payment``) or a quote deposit (``quote``), against its invoice."""
    fields, quote = parsed.fields, parsed.variant == "quote"
    number, guid = fields["invoice"], fields.get("payment_guid", "")
    cents = to_cents(fields["amount"])
    context, ledger = ctx(), _ledger()
    with context.store.transaction() as conn:
        if guid:
            first = ledger.payment(conn, guid)
            if first is not None:  # INT-6870: TCCS confirms it already has this payment
                request.environ[NOTES_KEY] = (request.environ.get(NOTES_KEY, "") + f" duplicate PaymentGUID {guid}: "
                                              "answered with the first receipt, nothing posted").strip()
                return json_answer({"Status": "Duplicate", "InvoiceNumber": first.invoice_number, "PaymentGUID": guid,
                                    "ReceiptNumber": _receipt(first), "Message": DUPLICATE_MESSAGE}, 200, MEDIA)
        account, policy = _invoice_row(conn, number)
        receipt = _next_receipt(conn)
        # Without a GUID the ledger id is the receipt behind a ':' that no GUID may contain.
        data = {"receipt": receipt, "payment_guid": guid or None, "kind": parsed.variant}
        if quote:
            data["insured_name"] = fields["insured_name"]
        ledger.post_payment(conn, guid or f"receipt:{receipt}", account, cents,
                            invoice_number=number, policy_number=policy,
                            method="" if quote else fields["payment_type"], paid_on=_today(context),
                            data=data, now=context.store.now())
    answer: dict[str, Any] = {"Status": "Success", "InvoiceNumber": number, "AmountPaid": _money(cents)}
    if quote:
        answer["InsuredName"] = fields["insured_name"]
    else:
        answer["PaymentType"] = fields["payment_type"]
    answer |= {"ReceiptNumber": receipt, "PaymentGUID": guid or None}
    return json_answer(answer, 200, MEDIA)


def _matching_payment(conn: sqlite3.Connection, ledger: Ledger, number: str, cents: int, paid_on: str) -> Payment:
    """The payment an NSF names: on this invoice, of this amount, not reversed yet. When several match,
    the one paid on the given date, else the oldest (assumed: the design names no rule)."""
    rows = conn.execute("SELECT payment_id FROM payments WHERE partner = ? AND invoice_number = ? AND amount_cents = ? "
                        "ORDER BY created_at, rowid", (PARTNER, number, cents)).fetchall()
    payments = [p for p in (ledger.payment(conn, str(r[0])) for r in rows) if p is not None]
    live = [p for p in payments if p.status != "reversed" and p.open_cents > 0]
    if not live:
        if payments:
            raise _Refusal(409, "ALREADY_REVERSED", f"The payment of {_money(cents)} on invoice {number} "
                           "is already reversed.", "amount")
        raise _Refusal(404, "PAYMENT_NOT_FOUND", f"No payment of {_money(cents)} on invoice {number}.", "amount")
    dated = [p for p in live if p.paid_on == paid_on]
    return (dated or live)[0]


def _nsf(parsed: Parsed) -> Response:
    """Insufficient_Pay_Report: the matching payment reversed whole, so its invoice owes it again."""
    fields = parsed.fields
    number, cents = fields["invoice"], to_cents(fields["amount"])
    context, ledger = ctx(), _ledger()
    with context.store.transaction() as conn:
        _invoice_row(conn, number)
        payment = _matching_payment(conn, ledger, number, cents, _iso(fields["date"]))
        ledger.credit_payment(conn, payment.payment_id, payment.open_cents, reason=fields["code"], kind="nsf",
                              data={"date_of_transaction": fields["date"]}, now=context.store.now())
    return json_answer({"Status": "Success", "InvoiceNumber": number, "ReversedAmount": _money(payment.open_cents),
                        "ReceiptNumber": _receipt(payment)}, 200, MEDIA)


def _setting(operation: str) -> Callable[[Parsed], Response]:
    key, answer_key = SETTING_KEYS[operation]

    def handler(parsed: Parsed) -> Response:
        """Paperless_Bill / Recurring_Pay: the flag stored on the invoice's policy."""
        number, flag = parsed.fields["invoice"], parsed.fields["flag"]
        context, ledger = ctx(), _ledger()
        with context.store.transaction() as conn:
            account, _ = _invoice_row(conn, number)
            ledger.set_setting(conn, account, key, flag, context.store.now())
        return json_answer({"Status": "Success", "InvoiceNumber": number, answer_key: flag}, 200, MEDIA)

    return handler


def _bill(parsed: Parsed) -> Response:
    """Retrieve_Bill_Image: a stored document for the invoice, else one rendered from the ledger."""
    number = parsed.fields["invoice"]
    context, ledger = ctx(), _ledger()
    with context.store.read() as conn:
        invoice = _invoice(conn, ledger, number)
        account = str(invoice["account_number"])
        doc = ledger.document(conn, account, number)
        total = ledger.balance(conn, account).total_due
    content = doc["content"] if doc and doc["content"] else render_bill(
        TccsSimulator.title, account, parsed.groups["invoice"].get("date", number),
        [("Invoice", number), ("Amount due on this invoice", f"${_money(_open_cents(invoice))}"),
         ("Total balance of the policy", f"${_money(total)}")])
    return Response(content, status=200, content_type="application/pdf")


_HANDLERS: dict[str, Callable[[Parsed], Response]] = {
    "ARState_Output": _balance,
    "Pay_Input": _pay,
    "Insufficient_Pay_Report": _nsf,
    "Paperless_Bill": _setting("Paperless_Bill"),
    "Recurring_Pay": _setting("Recurring_Pay"),
    "Retrieve_Bill_Image": _bill,
}
