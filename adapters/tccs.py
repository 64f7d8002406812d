"""TCCS (design 002, "TCCS Technical Design"): IC's client for TCCS's ``invoicecloudapi``.

Every call is a form POST (§API Documentation): ``consumerGUID`` and ``entryKey`` (per biller; IC
keeps them in the username and password setting of each endpoint, §Advanced Settings) and
``contentInfo``, a one-line text whose grammar each endpoint fixes. Every rule here is an "IC Use"
line or an integration modification of design 002:

- §RTDR: Balance Update, ``ARState_Output``: one call per invoice; "Record bal = BalanceDue, Total
  Balance = TotalAmountDue" (settings 8, 9, 10);
- §Data Pump: Payment, ``Pay_Input``: ``Invoice|Amount:Type``, the amount without the service fee;
  INT-3698: ``CC`` for cards, ``ACH`` for everything else including OBD. Quote deposits (invoice
  numbers starting with ``Q``): ``Invoice|Insured Name|Amount``. INT-6870 / setting 35: service
  version 2 appends ``@<PaymentGUID>`` (the format of §Version 1 - PaymentGUID, checked before
  sending), so TCCS answers a GUID it has seen with Duplicate and posts nothing (settings 11, 12, 13);
- §Data Pump: ACH Reject, ``Insufficient_Pay_Report``: ``Invoice : Date | Amount | IFR`` (settings
  101, 102, 103);
- §Data Pump: Paperless Enrollment ``Invoice:Y|PB`` (14, 15, 16), §Data Pump: AutoPay Enrollment
  ``Invoice:Y|R`` (17, 18, 19), §PDF Linking ``Retrieve_Bill_Image`` (20, 21, 22);
- ITG-1853: data pump calls (payments, ACH rejects, paperless, autopay) that got no answer or an HTTP
  5xx are sent again when the ``datapump_retry`` option is on (see ``_Retry``).

Assumed (the design is silent): setting 35 absent means version 1; TCCS's answers are the JSON of
``contracts/tccs`` (the design gives no response bodies); a settings change or an ACH reject is safe
to send again (the same flag set twice is the same state; TCCS refuses to reverse a payment twice);
the ``Date`` of an ACH reject is the original payment's date (``Credit.paid_on``); the contentInfo IC
writes has no blanks around the separators. Input that would change the meaning of ``contentInfo``
(a ``|``, ``:`` or ``@`` inside an invoice number or an insured name) is refused before anything is
sent; everything else about the fields (an invoice's date, a name's length) is TCCS's to judge.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import urlencode

import requests
from urllib3.exceptions import NewConnectionError

from contracts import Exchange, Violation
from contracts.bif import Invoice

from adapters.base import PartnerAdapter
from adapters.errors import (
    AdapterConfigError, AdapterInputError, AuthError, ContractViolation, JsonApiError, PartnerRejected,
    PartnerUnavailable,
)
from adapters.model import (
    BalanceRefresh, BalanceUpdate, Credit, CreditKind, CreditResult, Payment, PaymentMethod, PaymentResult,
    SettingsChange, wants_autopay,
)
from adapters.settings import BillerSettings, Setting

__all__ = ["TccsAdapter", "GUID_FORMAT"]

FORM = "application/x-www-form-urlencoded"
#: §Version 1 - PaymentGUID: letters and digits separated by single hyphens, under 100 characters.
GUID_FORMAT = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_AMOUNT = re.compile(r"-?[0-9]+\.[0-9]{2}")
_SEPARATORS = frozenset("|:@")
_FORM_FIELDS = frozenset({"consumerGUID", "entryKey", "contentInfo"})


class _Retry(Enum):
    """Whether a call that got no answer (or an HTTP 5xx) may be sent again (ITG-1853)."""

    NEVER = "never"  # not a data pump call: RTDR and the bill image answer IC's user, who may ask again
    ALWAYS = "always"  # TCCS cannot take it twice: a GUID it has seen, a flag, a reversal
    UNSENT = "unsent"  # a v1 payment: only when the request cannot have reached TCCS


@dataclass(frozen=True)
class _Channel:
    """One endpoint: its contract operation, URL setting, credentials (consumerGUID, entryKey) and section."""

    operation: str
    url: Setting
    guid: Setting
    key: Setting
    section: str

    @property
    def credentials(self) -> str:
        return f"settings {int(self.guid)} and {int(self.key)} (consumerGUID and entryKey)"


RTDR = _Channel("ARState_Output", Setting.RTDR_URL, Setting.RTDR_USERNAME, Setting.RTDR_PASSWORD,
                "design 002 §RTDR: Balance Update")
PAYMENTS = _Channel("Pay_Input", Setting.PAYMENTS_URL, Setting.PAYMENTS_USERNAME, Setting.PAYMENTS_PASSWORD,
                    "design 002 §Data Pump: Payment")
ACH_REJECTS = _Channel("Insufficient_Pay_Report", Setting.ACH_REJECTS_URL, Setting.ACH_REJECTS_USERNAME,
                       Setting.ACH_REJECTS_PASSWORD, "design 002 §Data Pump: ACH Reject")
PAPERLESS = _Channel("Paperless_Bill", Setting.PAPERLESS_URL, Setting.PAPERLESS_USERNAME, Setting.PAPERLESS_PASSWORD,
                     "design 002 §Data Pump: Paperless Enrollment")
AUTOPAY = _Channel("Recurring_Pay", Setting.AUTOPAY_URL, Setting.AUTOPAY_USERNAME, Setting.AUTOPAY_PASSWORD,
                   "design 002 §Data Pump: AutoPay Enrollment")
BILL = _Channel("Retrieve_Bill_Image", Setting.PDF_URL, Setting.PDF_USERNAME, Setting.PDF_PASSWORD,
                "design 002 §PDF Linking")


def service_version(settings: BillerSettings) -> int:
    """Setting 35 (INT-6870): 2 sends the payment GUID; absent means 1 (assumed: the design's default)."""
    raw = (settings.get(Setting.SERVICE_VERSION) or "1").strip()
    if raw not in ("1", "2"):
        raise AdapterConfigError(f"{Setting.SERVICE_VERSION.describe()} must be 1 or 2 for TCCS (2 sends IC's "
                                 f"PaymentGUID, INT-6870), found {raw!r}")
    return int(raw)


def _field(value: str, what: str, where: str) -> str:
    """A contentInfo field as IC holds it; a separator inside it would change what TCCS reads."""
    text = value.strip()
    if not text:
        raise AdapterInputError(f"{where}: {what} is empty; TCCS's contentInfo needs it")
    bad = sorted(_SEPARATORS & set(text)) or sorted({c for c in text if not c.isprintable()})
    if bad:
        raise AdapterInputError(
            f"{where}: {what} {text!r} contains {', '.join(repr(c) for c in bad)}, a contentInfo separator or a "
            "control character: TCCS would read another field from it. Nothing was sent; fix the value in IC.")
    return text


def _invoice_number(number: str, where: str) -> str:
    return _field(number, "the invoice number", where)


def _flag(on: bool) -> str:
    return "Y" if on else "N"


def _same_invoice(a: str, b: str) -> bool:
    return re.sub(r"\s+", "", a).upper() == re.sub(r"\s+", "", b).upper()


def _same_guid(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _same_amount(a: str, b: str) -> bool:
    return _AMOUNT.fullmatch(a) is not None and Decimal(a) == Decimal(b)


def _never_sent(error: PartnerUnavailable) -> bool:
    """Whether the request cannot have reached TCCS: the connection was refused or never made."""
    if error.exchange is not None and error.exchange.response is not None:
        return False  # TCCS answered (HTTP 5xx): it had the request
    cause = error.__cause__
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(cause, requests.exceptions.Timeout) or not isinstance(cause, requests.exceptions.ConnectionError):
        return False
    seen: set[int] = set()
    stack: list[BaseException] = [cause]
    while stack:
        exc = stack.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, (ConnectionRefusedError, NewConnectionError)):
            return True
        stack.extend(a for a in exc.args if isinstance(a, BaseException))
        stack.extend(e for e in (getattr(exc, "reason", None), exc.__cause__, exc.__context__)
                     if isinstance(e, BaseException))
    return False


class _Answer:
    """The fields IC reads from a TCCS JSON answer; a field that is unusable is a ``Violation``."""

    def __init__(self, exchange: Exchange, rule: str) -> None:
        assert exchange.response is not None
        self.exchange = exchange
        self.rule = rule
        self.violations: list[Violation] = []
        try:
            doc = json.loads(exchange.response.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            doc = None
        if not isinstance(doc, dict):
            found = exchange.response.body[:40].decode("utf-8", "replace") or "an empty body"
            raise ContractViolation.of(exchange, [Violation("response body", "a JSON object with Status", repr(found),
                                                            "contracts/tccs (assumed answers)")])
        self.doc: dict[str, Any] = doc

    def get(self, name: str) -> Any:
        return self.doc.get(name)

    def flag(self, name: str, expected: str, found: Any) -> None:
        shown = "absent" if found is None and name not in self.doc else json.dumps(found, default=str)[:80]
        self.violations.append(Violation(f"response body /{name}", expected, shown, self.rule))

    def text(self, name: str) -> str:
        value = self.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.flag(name, "a non-empty string", value)
        return ""

    def amount(self, name: str) -> Decimal:
        value = self.get(name)
        if isinstance(value, str) and _AMOUNT.fullmatch(value.strip()):
            return Decimal(value.strip())
        self.flag(name, "an amount with 2 decimals, as a string (\"125.00\")", value)
        return Decimal(0)

    def echo(self, name: str, sent: str, strict: bool, same: Callable[[str, str], bool]) -> str:
        """An echoed value; under ``strict`` one that differs from what was sent is a violation."""
        value = self.get(name)
        if value is None:
            return ""
        text = str(value).strip()
        if strict and not same(text, sent):
            self.flag(name, f"the value sent, {sent!r}", value)
        return text

    def done(self, what: str = "") -> None:
        if self.violations:
            raise ContractViolation.of(self.exchange, self.violations, what)


class TccsAdapter(PartnerAdapter):
    """IC's calls to TCCS. Results are frozen dataclasses; failures are ``adapters.errors`` types.

    ``sleep`` waits between data pump retries (``retry_backoff * 2**n`` seconds before retry n+1);
    tests pass a recorder.
    """

    partner = "tccs"

    def __init__(
        self,
        settings: BillerSettings,
        session: requests.Session | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(settings, session)
        self._sleep = sleep
        self.version = service_version(settings)  # checked up front: a bad setting 35 fails at once

    # -- RTDR -------------------------------------------------------------------------------------
    def refresh_balance(self, invoices: Sequence[Invoice], *, email: str | None = None) -> BalanceRefresh:
        """One ``ARState_Output`` per invoice (design 002 §RTDR: Balance Update, Field Mapping).

        BalanceDue = ``RecordBal`` (what is open on the invoice), TotalAmountDue = ``TotalBalance``
        (what is open on the policy); TCCS gives no past due, so 0. An invoice given twice is asked
        once. ``email`` is accepted for the shared call signature; TCCS's RTDR takes no user.
        """
        del email
        if not invoices:
            raise AdapterInputError("refresh_balance needs the invoices IC holds; found none")
        updates: list[BalanceUpdate] = []
        asked: set[str] = set()
        for invoice in invoices:
            number = _invoice_number(invoice.invoice_number, "refresh_balance")
            if number.upper() in asked:
                continue
            asked.add(number.upper())
            exchange, _ = self._call(RTDR, number, f"the balance of invoice {number}", _Retry.NEVER)
            answer = _Answer(exchange, RTDR.section)
            self._echo_invoice(answer, number)
            update = BalanceUpdate(
                account_number=invoice.account_number,
                invoice_number=invoice.invoice_number,
                total_amount_due=answer.amount("TotalBalance"),
                balance_due=answer.amount("RecordBal"),
                past_due=Decimal("0.00"),
                operation=RTDR.operation,
            )
            answer.done("IC cannot refresh the balance from it")
            updates.append(update)
        return BalanceRefresh(tuple(updates))

    # -- payments ---------------------------------------------------------------------------------
    def post_payment(self, payment: Payment) -> PaymentResult:
        """``Pay_Input`` (design 002 §Data Pump: Payment, INT-3698, INT-6870, ITG-1853).

        The result's ``outcome`` is ``posted``, or ``duplicate`` when TCCS already had the GUID (it
        has the payment: a success, nothing was posted twice); ``remittance_id`` is the
        ``ReceiptNumber``; ``attempts`` how many times it was sent.
        """
        content = self.payment_content(payment)
        what = f"payment {payment.payment_id}"
        policy = _Retry.ALWAYS if self.version == 2 else _Retry.UNSENT
        exchange, attempts = self._call(PAYMENTS, content, what, policy)
        answer = _Answer(exchange, PAYMENTS.section)
        status = answer.text("Status")
        strict = self.settings.strict_contract
        invoice = payment.invoice
        self._echo_invoice(answer, invoice.invoice_number)
        guid = answer.echo("PaymentGUID", payment.payment_id, strict and self.version == 2, _same_guid)
        receipt = answer.text("ReceiptNumber")
        if status == "Success":
            answer.echo("AmountPaid", f"{payment.amount:.2f}", strict, _same_amount)
        elif status != "Duplicate" and not answer.violations:
            answer.flag("Status", "Success or Duplicate", status)
        answer.done(f"IC cannot tell whether {what} was posted")
        return PaymentResult(guid or payment.payment_id, invoice.account_number, invoice.invoice_number,
                             remittance_id=receipt, operation=PAYMENTS.operation,
                             outcome="posted" if status == "Success" else "duplicate", attempts=attempts)

    def payment_content(self, payment: Payment) -> str:
        """The payment's ``contentInfo``: ``Invoice|Amount:Type`` or, for a quote, ``Invoice|Insured Name|Amount``,
        with ``@<PaymentGUID>`` appended under service version 2. Raises before anything is sent."""
        invoice = payment.invoice
        where = f"payment {payment.payment_id}"
        number = _invoice_number(invoice.invoice_number, where)
        amount = f"{payment.amount:.2f}"  # Payment.amount never includes the service fee
        if invoice.is_quote:
            name = payment.payer_name or invoice.customer_name.strip()
            if not name:
                raise AdapterInputError(
                    f"{where}: quote {number} needs the Insured Name (design 002 §Quote Deposit: \"Name entered by "
                    "customer during payment route\"); the payment has no payer_name and the invoice no CustomerName. "
                    "Nothing was sent.")
            content = f"{number}|{_field(name, 'the insured name', where)}|{amount}"
        else:
            content = f"{number}|{amount}:{'CC' if payment.method.is_card else 'ACH'}"
        if self.version == 2:
            content += "@" + self._guid(payment.payment_id, where)
        return content

    @staticmethod
    def _guid(payment_id: str, where: str) -> str:
        guid = payment_id.strip()
        if len(guid) >= 100 or not GUID_FORMAT.fullmatch(guid):
            raise AdapterInputError(
                f"{where}: the PaymentGUID must be letters and digits separated by single hyphens, under 100 "
                f"characters, no spaces or other characters (design 002 §Version 1 - PaymentGUID), found {guid!r} "
                f"({len(guid)} characters). Nothing was sent.")
        return guid

    # -- credits ----------------------------------------------------------------------------------
    def post_credit(self, credit: Credit) -> CreditResult:
        """An ACH reject with an R-code goes to ``Insufficient_Pay_Report`` (design 002 §Data Pump: ACH Reject).

        ``Invoice:Date|Amount|IFR`` with the original payment's invoice and date. C-codes
        (notifications of change: no money came back) and the other kinds (void, refund, chargeback,
        credit: TCCS has no endpoint for them) are not sent: ``posted`` False and the reason.
        """
        if credit.kind is not CreditKind.ACH_REJECT:
            return CreditResult(credit.payment_id, credit.account_number, credit.kind.value, posted=False,
                                skipped_because=f"TCCS has no endpoint for a {credit.kind.value}: design 002 gives "
                                "only the Insufficient Funds Report (ACH rejects); nothing was sent")
        if not credit.reject_code.startswith("R"):
            return CreditResult(credit.payment_id, credit.account_number, credit.reject_code, posted=False,
                                skipped_because=f"{credit.reject_code} is not a return (R-code): a notification of "
                                "change moves no money, and TCCS's Insufficient Funds Report reverses a payment "
                                "(design 002 §Data Pump: ACH Reject); nothing was sent")
        where = f"the ACH reject of payment {credit.payment_id}"
        missing = [name for name, value in (("invoice_number", credit.invoice_number), ("paid_on", credit.paid_on))
                   if not value]
        if missing or credit.paid_on is None:
            raise AdapterInputError(
                f"{where}: TCCS finds the payment by invoice, date and amount (design 002 §Data Pump: ACH Reject), so "
                f"the Credit needs invoice_number and paid_on of the original payment; missing: {', '.join(missing)}")
        number = _invoice_number(credit.invoice_number, where)
        content = f"{number}:{credit.paid_on.strftime('%m/%d/%Y')}|{credit.amount:.2f}|IFR"
        try:
            exchange, _ = self._call(ACH_REJECTS, content, where, _Retry.ALWAYS)
        except _AlreadyReversedOnRetry as done:
            return CreditResult(credit.payment_id, credit.account_number, "IFR", posted=True,
                                remittance_id=done.receipt)
        answer = _Answer(exchange, ACH_REJECTS.section)
        self._echo_invoice(answer, number)
        answer.echo("ReversedAmount", f"{credit.amount:.2f}", self.settings.strict_contract, _same_amount)
        receipt = str(answer.get("ReceiptNumber") or "")
        answer.done()
        return CreditResult(credit.payment_id, credit.account_number, "IFR", posted=True, remittance_id=receipt)

    # -- paperless and autopay --------------------------------------------------------------------
    def set_paperless(self, invoice: Invoice | str, enabled: bool, email: str | None = None) -> SettingsChange:
        """``Paperless_Bill`` ``Invoice:Y|PB`` or ``:N|PB`` (design 002 §Data Pump: Paperless Enrollment)."""
        del email
        return self._enroll(PAPERLESS, invoice, bool(enabled), "PB", "Paperless")

    def set_autopay(self, invoice: Invoice | str, method: PaymentMethod | str | bool | None,
                    email: str | None = None) -> SettingsChange:
        """``Recurring_Pay`` ``Invoice:Y|R`` for any payment method, ``:N|R`` for none (design 002 §Data Pump:
        AutoPay Enrollment)."""
        del email
        return self._enroll(AUTOPAY, invoice, wants_autopay(method), "R", "Recurring")

    def _enroll(self, channel: _Channel, holder: Invoice | str, on: bool, code: str, echoed: str) -> SettingsChange:
        """TCCS keys enrollments by invoice number: an ``Invoice``, or its number as text."""
        number = holder.invoice_number if isinstance(holder, Invoice) else str(holder)
        what = f"the {echoed.lower()} change of invoice {number.strip()}"
        number = _invoice_number(number, what)
        account = holder.account_number if isinstance(holder, Invoice) else number.rsplit("-", 1)[0].strip()
        exchange, _ = self._call(channel, f"{number}:{_flag(on)}|{code}", what, _Retry.ALWAYS)
        answer = _Answer(exchange, channel.section)
        self._echo_invoice(answer, number)
        answer.echo(echoed, _flag(on), self.settings.strict_contract, lambda a, b: a.upper() == b)
        answer.done()
        autopay, paperless = (on, None) if channel is AUTOPAY else (None, on)
        return SettingsChange(account, autopay, paperless)

    # -- bill image -------------------------------------------------------------------------------
    def fetch_bill(self, invoice: Invoice) -> bytes:
        """The bill PDF of the invoice: ``Retrieve_Bill_Image`` (design 002 §PDF Linking)."""
        number = _invoice_number(invoice.invoice_number, "fetch_bill")
        exchange, _ = self._call(BILL, number, f"the bill of invoice {number}", _Retry.NEVER)
        assert exchange.response is not None
        body = exchange.response.body
        if not body.startswith(b"%PDF"):
            violation = Violation("response body", "a PDF document (starting with %PDF)", repr(body[:16]), BILL.section)
            raise ContractViolation.of(exchange, [violation], "IC cannot show it as the bill")
        return body

    # -- the call ---------------------------------------------------------------------------------
    def _call(self, channel: _Channel, content: str, what: str, retry: _Retry) -> tuple[Exchange, int]:
        """Send the form, retrying as ``retry`` allows (ITG-1853); answer a 200 exchange and the sends made."""
        why = f"{channel.section} (design 002 §Advanced Settings)"
        url = self.settings.require(channel.url, why)
        form = {"consumerGUID": self.settings.require(channel.guid, why),
                "entryKey": self.settings.require(channel.key, why), "contentInfo": content}
        target = self.target(channel.operation, "POST", url, channel.url)
        body = urlencode(form).encode("ascii")
        attempts = self.settings.retry_attempts if self.settings.datapump_retry and retry is not _Retry.NEVER else 1
        sent = 0
        while True:
            sent += 1
            try:
                exchange = self.send(target, {"Content-Type": FORM}, body)
            except PartnerUnavailable as unavailable:
                if sent >= attempts:
                    raise self._gave_up(unavailable, sent, retry) from unavailable
                if retry is _Retry.UNSENT and not _never_sent(unavailable):
                    raise self._not_retried(unavailable, sent) from unavailable
                self._sleep(self.settings.retry_backoff * 2 ** (sent - 1))
                continue
            return self._judge(exchange, channel, what, sent), sent

    def _judge(self, exchange: Exchange, channel: _Channel, what: str, sent: int) -> Exchange:
        """A 200 with Status other than Error passes; 401 is ``AuthError``; any other refusal ``PartnerRejected``."""
        assert exchange.response is not None
        status = exchange.response.status
        if status == 200 and not (channel is not BILL and _status_field(exchange) == "Error"):
            return exchange
        error = _error_of(exchange)
        if status == 401:
            raise AuthError(
                f"{exchange.qualified_operation}: TCCS refused IC's credentials for {what} (HTTP 401 "
                f"{error.code or ''}: {error.detail or 'no detail'}). Expected {channel.credentials} to be the "
                "consumerGUID and entryKey TCCS gave the biller; fix them in the biller's settings.",
                exchange=exchange)
        if sent > 1 and error.code == "ALREADY_REVERSED" and channel is ACH_REJECTS:
            raise _AlreadyReversedOnRetry(exchange)
        where = f" at {error.pointer}" if error.pointer else ""
        hint = ("the invoice or payment is unknown to TCCS: check the invoice number IC holds" if status == 404 else
                "fix the value TCCS points at" if status == 400 else "ask TCCS why it refuses")
        raise PartnerRejected(
            f"{exchange.qualified_operation}: TCCS refused {what} (HTTP {status}, {error.code or 'no ErrorCode'}"
            f"{where}): {error.detail or 'no Message'}. Expected Status Success; {hint}.",
            exchange=exchange, status=status, errors=[error])

    def _echo_invoice(self, answer: _Answer, sent: str) -> None:
        answer.echo("InvoiceNumber", sent, self.settings.strict_contract, _same_invoice)

    def _gave_up(self, unavailable: PartnerUnavailable, sent: int, retry: _Retry) -> PartnerUnavailable:
        if retry is _Retry.NEVER:
            return unavailable
        if not self.settings.datapump_retry:
            note = "Not sent again: data pump retry is off for this biller (option datapump_retry, ITG-1853)."
        else:
            note = f"Sent {sent} time{'s' if sent != 1 else ''} (data pump retry, ITG-1853), never answered."
        return PartnerUnavailable(f"{unavailable} {note}", exchange=unavailable.exchange)

    def _not_retried(self, unavailable: PartnerUnavailable, sent: int) -> PartnerUnavailable:
        return PartnerUnavailable(
            f"{unavailable} Not sent again after {sent} attempt{'s' if sent != 1 else ''}: the request may have "
            "reached TCCS, and service version 1 sends no PaymentGUID, so TCCS could not tell a retry from a second "
            "payment (INT-6870). Check TCCS for the payment before posting it again, or set setting 35 to 2.",
            exchange=unavailable.exchange)


class _AlreadyReversedOnRetry(Exception):
    """A retried ACH reject answered ALREADY_REVERSED: the first send got through (ITG-1853, assumed)."""

    def __init__(self, exchange: Exchange) -> None:
        super().__init__("already reversed")
        body = _json_object(exchange)
        self.receipt = str(body.get("ReceiptNumber") or "")


def _json_object(exchange: Exchange) -> dict[str, Any]:
    assert exchange.response is not None
    try:
        doc = json.loads(exchange.response.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _status_field(exchange: Exchange) -> str:
    return str(_json_object(exchange).get("Status") or "")


def _error_of(exchange: Exchange) -> JsonApiError:
    """TCCS's error answer (``Status Error``, ``ErrorCode``, ``Message``, ``Field``) as a ``JsonApiError``.

    ``Field`` names a contentInfo field (``amount``) or a form field (``entryKey``); the pointer is
    ``contentInfo amount`` or ``body entryKey``, the locations of the contract's violations.
    """
    assert exchange.response is not None
    doc = _json_object(exchange)
    field = str(doc.get("Field") or "").strip()
    if field and not field.startswith(("contentInfo ", "body ")):
        field = f"body {field}" if field in _FORM_FIELDS else f"contentInfo {field}"
    status = exchange.response.status
    code = str(doc.get("ErrorCode") or ("not_found" if status == 404 else f"HTTP {status}"))
    return JsonApiError(status=str(status), code=code, title=str(doc.get("Status") or ""),
                        detail=str(doc.get("Message") or ""), pointer=field)
