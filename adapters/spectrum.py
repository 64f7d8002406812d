"""IMT Spectrum (design 001): IC's client for Spectrum's API core and IMT's auth host.

Every rule here is an "IC Use" line of design 001:

- §Web service Authorization: a JWT from ``<base URL>/api/Token`` (POST ``{"token", "username",
  "password"}``), cached and renewed once when a call answers 401. §Advanced Settings: settings 10 and 13
  are "the IMT Private Key and Password, separated by a pipe"; 9 and 12 the username. The base URL is
  the URL of setting 8 (RTDR) or 11 (payments) up to its last ``/api/``.
- §RTDR: Balance Update: ``InvoiceBalanceDue?invoiceNumber=<IC InvoiceNumber>``, one call per invoice;
  ``balanceDue`` (a string with 4 decimals, "731.3700") is both IC BalanceDue and TotalAmountDue
  (§Field Mapping: TotalAmountDue and MinimumAmountDue are both Spectrum's BalanceDue).
- §Data Pump: Payments: ``OnlineReceipt`` with the design's field mapping (``_receipt_body``) and its
  three outcomes: ``applied`` (a new receiptID), ``okay`` ("Receipt Can Be Obtained By Scheduled Service
  or maybe already was") and "Sucess, but no data" ("Receipt was not applied to the Policy Number"),
  which is a ``PartnerRejected`` with code ``not_applied``: the money reached IMT but no policy.
- §Authentication Method for Paperless and Autopay Enrollment: a session (POST ``sessions`` with the
  username and password of settings 15/16 or 18/19 at the URL of setting 14 or 17); "we search the
  cookies returned for the authorization": the answer's ``Set-Cookie`` goes back as ``Cookie``.
  §Data Pump: Paperless / AutoPay Enrollment: ``../settings/{AccountNumber}/`` resolved against the
  sessions URL, POST ``paperless`` true/false, PATCH ``bill_mode`` autopay/direct, both of type
  ``policy-settings``; "Fail DP if the API call returns an exception": any answer but 2xx raises.

Assumed where the design is silent (each also in the contract, ``contracts/spectrum/``):

- the JWT travels as ``Authorization: Bearer <JWT>`` (ASP.NET Core's scheme; the design says only "a
  valid Token for authorization"), the API core's bodies are ``application/json``;
- the pipe in 10/13 splits at its *last* ``|``: the design's example password is a GUID (no pipe) while
  the private key is punctuation-rich;
- OnlineReceipt's ``message`` member carries the outcome's word; ``amount`` and ``fee`` are JSON numbers
  written with exactly 2 decimals; ``datePaid`` is ``YYYY-MM-DD``; ``transactionMessage`` is left out
  when IC has none (the one optional field); ``fullName`` is the BIF CustomerName, else the name the
  payer entered; ``paymentType`` is ``CreditCard`` for cards and ``ACH`` for every bank method;
- a balance with fractional cents is not written rounded: IC holds cents, so it is a contract violation;
- one session per settings change (the design keeps no session between data pump calls); a sessions URL
  without its trailing slash is taken as the same resource (Django URLs end in ``/``);
- Spectrum takes no credit, void or NSF (ACH rejects reach IMT through IC's ACHRejectReportingSOAP, polled
  by IMT: §Invoice Cloud Web Services), and design 001 has no bill image: credits are skipped,
  ``fetch_bill`` is a configuration error.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import requests

from contracts import Exchange, Violation
from contracts.bif import Invoice

from adapters._http import Target
from adapters._jsonapi import MEDIA_TYPE, Fields, dumps, read_json, rejection
from adapters._jwt import TokenCache
from adapters.base import PartnerAdapter
from adapters.errors import (
    AdapterConfigError, AdapterInputError, AuthError, ContractViolation, JsonApiError, PartnerRejected,
)
from adapters.model import (
    BalanceRefresh, BalanceUpdate, Credit, CreditResult, Payment, PaymentMethod, PaymentResult, SettingsResult, wants_autopay,
)
from adapters.settings import BillerSettings, Setting, describe

__all__ = ["SpectrumAdapter", "split_key_and_password", "token_url", "settings_url"]

JSON = "application/json"
_AUTH_RULE = "design 001 §Web service Authorization"
_RTDR_RULE = "design 001 §RTDR: Balance Update"
_RECEIPT_RULE = "design 001 §Data Pump: Payments"
_SESSION_RULE = "design 001 §Authentication Method for Paperless and Autopay Enrollment"
_NO_DATA = ("sucess, but no data", "success, but no data")  # the design's spelling, and the dictionary's
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_CENT = Decimal("0.01")
# One cookie of a Set-Cookie header that ``requests`` joined with ", ": a comma followed by ``name=``
# (an Expires date's comma is followed by a day number and a space, never by ``name=``).
_NEXT_COOKIE = re.compile(r",\s*(?=[^=;,\s]+=)")


@dataclass(frozen=True)
class _Core:
    """Who calls the API core for one channel: the token endpoint and the token body's three values."""

    token_url: str
    key: str
    username: str
    password: str
    url_setting: Setting  # 8 or 11, for messages
    username_setting: Setting
    secret_setting: Setting


@dataclass(frozen=True)
class _Settings:
    """A settings channel (§Data Pump: Paperless / AutoPay Enrollment): its settings and its call."""

    kind: str  # paperless or autopay
    operation: str
    method: str
    url_setting: Setting
    username_setting: Setting
    password_setting: Setting
    rule: str


_PAPERLESS = _Settings("paperless", "set_paperless", "POST", Setting.PAPERLESS_URL, Setting.PAPERLESS_USERNAME,
                       Setting.PAPERLESS_PASSWORD, "design 001 §Data Pump: Paperless Enrollment")
_AUTOPAY = _Settings("autopay", "set_autopay", "PATCH", Setting.AUTOPAY_URL, Setting.AUTOPAY_USERNAME,
                     Setting.AUTOPAY_PASSWORD, "design 001 §Data Pump: AutoPay Enrollment")


def split_key_and_password(value: str, setting: Setting) -> tuple[str, str]:
    """Setting 10 or 13, ``private key|password`` (§Advanced Settings), split at the last pipe.

    A value without a pipe, or with an empty half, is refused naming the setting (never its value:
    it is a secret).
    """
    key, pipe, password = value.rpartition("|")
    if not pipe or not key.strip() or not password.strip():
        found = "no '|'" if not pipe else ("an empty private key" if not key.strip() else "an empty password")
        raise AdapterConfigError(
            f"{setting.describe()} must be IMT's private key and password separated by a pipe, "
            f"'<private key>|<password>' (design 001 §Advanced Settings), found {found}. Enter both values "
            "IMT gave for this biller, joined by '|'."
        )
    return key, password


def token_url(url: str, setting: Setting) -> str:
    """``<base URL>/api/Token``, the base URL being ``url`` up to its last ``/api/`` (§Web service Authorization)."""
    parts = urlsplit(url)
    at = parts.path.lower().rfind("/api/")
    if at < 0:
        raise AdapterConfigError(
            f"{setting.describe()} must be a URL of Spectrum's API core, <base URL>/api/..., found {url!r}; IC "
            "asks <base URL>/api/Token for the JWT (design 001 §Web service Authorization)"
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path[:at] + "/api/Token", "", ""))


def settings_url(sessions_url: str, account_number: str) -> str:
    """``../settings/{AccountNumber}/`` resolved against the sessions URL (design 001 §Data Pump: Paperless)."""
    parts = urlsplit(sessions_url)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    base = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return urljoin(base, f"../settings/{quote(account_number, safe='')}/")


def _with_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True) + [(name, value)]
    return urlunsplit(parts._replace(query=urlencode(pairs), fragment=""))


def _cookie_header(set_cookie: str) -> str:
    """The ``Cookie`` value for a ``Set-Cookie`` answer: each cookie's ``name=value``, attributes dropped."""
    pairs = []
    for cookie in _NEXT_COOKIE.split(set_cookie):
        name, equals, value = cookie.split(";", 1)[0].strip().partition("=")
        if equals and name.strip():
            pairs.append(f"{name.strip()}={value.strip()}")
    return "; ".join(pairs)


def _status(exchange: Exchange) -> int:
    assert exchange.response is not None
    return exchange.response.status


def _money_text(amount: Decimal) -> str:
    """A JSON number with exactly 2 decimals (``json.dumps`` has no Decimal, and a float drops the zeros)."""
    return f"{amount.quantize(_CENT):.2f}"


def _receipt_body(payment: Payment) -> bytes:
    """OnlineReceipt's JSON, field by field as §Data Pump: Payments maps them (in the design's order)."""
    invoice = payment.invoice
    full_name = invoice.customer_name.strip() or payment.payer_name
    if not full_name:
        raise AdapterInputError(
            f"OnlineReceipt needs fullName, the customer's name (BIF CustomerName, FileSpecID 60), and invoice "
            f"{invoice.invoice_number} has none, nor does the payment (payer_name); nothing was sent"
        )
    members: list[tuple[str, str]] = [
        ("invoiceNumber", json.dumps(invoice.invoice_number)),
        ("policyNumber", json.dumps(invoice.account_number)),  # IC AccountNumber is the policy number
        ("fullName", json.dumps(full_name)),
        ("datePaid", json.dumps(payment.paid_on.isoformat())),
        ("referenceNumber", json.dumps(payment.payment_id)),  # IC PaymentGUID
        ("amount", _money_text(payment.amount)),
        ("fee", _money_text(payment.service_fee)),  # IC ConvenienceFee
        ("transactionID", json.dumps(payment.reference or payment.payment_id[:50])),  # PaymentReference (varchar 50)
    ]
    if payment.message:
        members.append(("transactionMessage", json.dumps(payment.message)))
    members += [
        ("paymentType", json.dumps("CreditCard" if payment.method.is_card else "ACH")),
        ("approved", "true"),
        ("onlineVendor", json.dumps("InvoiceCloud")),  # a static string
    ]
    return ("{" + ",".join(f"{json.dumps(name)}:{value}" for name, value in members) + "}").encode("utf-8")


def _balance(fields: Fields, pointer: str) -> Decimal:
    """``balanceDue`` as Spectrum writes it ("731.3700"), in dollars and cents."""
    value = fields.get(pointer)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str) and _AMOUNT.fullmatch(value.strip()):
        amount = Decimal(value.strip())
    else:
        fields.flag(pointer, 'an amount as text with decimals, e.g. "731.3700"', value)
        return Decimal(0)
    if amount != amount.quantize(_CENT):
        fields.flag(pointer, "an amount in whole cents (IC holds cents and does not round a balance)", value)
        return Decimal(0)
    return amount.quantize(_CENT)


def _account_of(holder: str | Invoice) -> str:
    account = holder.account_number if isinstance(holder, Invoice) else str(holder)
    if not account.strip():
        raise AdapterInputError("a settings change needs the account (policy) number; found an empty one")
    return account.strip()


class SpectrumAdapter(PartnerAdapter):
    """IC's calls to IMT Spectrum. Results are frozen dataclasses; failures are ``adapters.errors`` types.

    ``clock`` (seconds since the epoch) decides when a cached JWT is too old to use.
    """

    partner = "spectrum"

    def __init__(
        self,
        settings: BillerSettings,
        session: requests.Session | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(settings, session)
        self._clock = clock
        self._tokens = TokenCache(lambda: self._clock())  # the clock as it is when asked
        # A malformed setting is refused when the adapter is made, not at the first payment.
        for url_setting, secret in ((Setting.RTDR_URL, Setting.RTDR_PASSWORD),
                                    (Setting.PAYMENTS_URL, Setting.PAYMENTS_PASSWORD)):
            if settings.get(url_setting) is not None:
                token_url(str(settings.get(url_setting)), url_setting)
            if settings.get(secret) is not None:
                split_key_and_password(str(settings.get(secret)), secret)

    # -- RTDR ---------------------------------------------------------------------------------
    def refresh_balance(self, invoices: Sequence[Invoice], *, email: str | None = None) -> BalanceRefresh:
        """Spectrum's balance due of each invoice, one ``InvoiceBalanceDue`` call per invoice (§RTDR).

        BalanceDue and TotalAmountDue are both ``balanceDue``; Spectrum has no past due (0). An invoice
        Spectrum does not know is a ``PartnerRejected`` (404): a BIF problem to see, not a balance to keep.
        ``email`` is accepted for the shared call signature; Spectrum's RTDR takes no user.
        """
        del email
        if not invoices:
            raise AdapterInputError("refresh_balance needs the invoices IC holds; found none")
        url = self.settings.require(Setting.RTDR_URL, f"the RTDR balance refresh ({_RTDR_RULE})")
        core = self._core(Setting.RTDR_URL, Setting.RTDR_USERNAME, Setting.RTDR_PASSWORD, _RTDR_RULE)
        updates: list[BalanceUpdate] = []
        for invoice in {inv.invoice_number: inv for inv in invoices}.values():
            updates.append(self._balance_of(invoice, url, core))
        return BalanceRefresh(tuple(updates))

    def _balance_of(self, invoice: Invoice, url: str, core: _Core) -> BalanceUpdate:
        number = invoice.invoice_number
        target = self.target("invoice_balance_due", "GET", _with_query(url, "invoiceNumber", number),
                             Setting.RTDR_URL)
        exchange = self._ok(self._authorized(target, core), f"the balance of invoice {number}")
        fields = Fields(read_json(exchange), _RTDR_RULE)
        echoed = fields.text("/data/id")
        if self.settings.strict_contract and echoed and echoed.strip() != number.strip():
            fields.flag("/data/id", f"the invoice asked for, {number!r}", echoed)
        balance = _balance(fields, "/data/attributes/balanceDue")
        fields.done(exchange, "IC cannot refresh the balance from it")
        return BalanceUpdate(account_number=invoice.account_number, invoice_number=number,
                             total_amount_due=balance, balance_due=balance, past_due=Decimal(0),
                             operation="invoice_balance_due")

    # -- data pump ----------------------------------------------------------------------------
    def post_payment(self, payment: Payment) -> PaymentResult:
        """Report a payment with ``OnlineReceipt`` (§Data Pump: Payments); the fee goes in ``fee``, apart.

        ``applied`` and ``okay`` are results (``outcome``; ``remittance_id`` the receiptID): with ``okay``
        Spectrum already has the receipt or will pick it up, so IC must not post it again. "Sucess, but
        no data" raises ``PartnerRejected`` (code ``not_applied``).
        """
        url = self.settings.require(Setting.PAYMENTS_URL, f"posting payments ({_RECEIPT_RULE})")
        core = self._core(Setting.PAYMENTS_URL, Setting.PAYMENTS_USERNAME, Setting.PAYMENTS_PASSWORD, _RECEIPT_RULE)
        body = _receipt_body(payment)
        target = self.target("online_receipt", "POST", url, Setting.PAYMENTS_URL)
        exchange = self._ok(self._authorized(target, core, body), f"payment {payment.payment_id}")
        return self._receipt(exchange, payment)

    def _receipt(self, exchange: Exchange, payment: Payment) -> PaymentResult:
        fields = Fields(read_json(exchange), _RECEIPT_RULE)
        message = fields.text("/message")
        receipt = fields.get("/receiptID")
        if isinstance(receipt, bool) or not isinstance(receipt, int):
            fields.flag("/receiptID", "the receipt's ID (an integer)", receipt)
        echoed = fields.text("/referenceNumber")
        if self.settings.strict_contract and echoed and echoed != payment.payment_id:
            fields.flag("/referenceNumber", f"the referenceNumber sent, {payment.payment_id!r}", echoed)
        word = message.strip().lower()
        if not fields.violations and word in _NO_DATA:
            invoice = payment.invoice
            raise PartnerRejected(
                f"spectrum.online_receipt: Spectrum answered {message!r} for payment {payment.payment_id}: the "
                f"receipt was not applied to policy {invoice.account_number} ({_RECEIPT_RULE}). Expected "
                f"'applied' or 'okay'; check that invoice {invoice.invoice_number} belongs to policy "
                f"{invoice.account_number} in Spectrum (the BIF's AccountNumber is the policy number).",
                exchange=exchange, status=_status(exchange),
                errors=[JsonApiError(status=str(_status(exchange)), code="not_applied", title=message,
                                     detail="Receipt was not applied to the Policy Number")],
            )
        if not fields.violations and word not in ("applied", "okay"):
            fields.flag("/message", "'applied', 'okay' or 'Sucess, but no data' (the design's outcomes)", message)
        fields.done(exchange, "IC cannot tell whether the payment was applied")
        invoice = payment.invoice
        return PaymentResult(echoed or payment.payment_id, invoice.account_number, invoice.invoice_number,
                             remittance_id=str(receipt), operation="online_receipt", outcome=word)

    def post_credit(self, credit: Credit) -> CreditResult:
        """Never sent: Spectrum has no credit, void or NSF endpoint in design 001 (no call is made).

        ACH rejects reach IMT the other way round: IMT polls IC's ACHRejectReportingSOAP every 3 hours
        (§Invoice Cloud Web Services).
        """
        return CreditResult(
            credit.payment_id, credit.account_number, credit.reject_code or credit.kind.value, posted=False,
            skipped_because=(
                f"Spectrum takes no {credit.kind.value}: design 001 has no credit, void or NSF endpoint, and IMT "
                "polls IC's ACHRejectReportingSOAP for ACH rejects (§Invoice Cloud Web Services)"
            ),
        )

    def set_paperless(self, account_number: str | Invoice, enabled: bool, email: str | None = None) -> SettingsResult:
        """Turn paperless on or off (§Data Pump: Paperless Enrollment: POST ``paperless`` true/false)."""
        del email
        return self._change(_PAPERLESS, _account_of(account_number), "paperless", bool(enabled))

    def set_autopay(self, account_number: str | Invoice, method: PaymentMethod | str | bool | None,
                    email: str | None = None) -> SettingsResult:
        """Autopay on (``bill_mode`` autopay: any payment method) or off (``direct``: ``None``).

        Design 001 §Data Pump: AutoPay Enrollment (PATCH ``../settings/{AccountNumber}/``).
        """
        del email
        mode = "autopay" if wants_autopay(method) else "direct"
        return self._change(_AUTOPAY, _account_of(account_number), "bill_mode", mode)

    # -- bill presentment ---------------------------------------------------------------------
    def fetch_bill(self, invoice: Invoice) -> bytes:
        """Not supported: design 001 has no bill image (bills are IC's own, from the hourly BIF)."""
        raise AdapterConfigError(
            f"Spectrum has no bill image for invoice {invoice.invoice_number}: design 001 specifies no bill "
            "presentment call. Turn remote bill presentment off for this biller."
        )

    # -- settings channel ---------------------------------------------------------------------
    def _change(self, channel: _Settings, account: str, name: str, value: bool | str) -> SettingsResult:
        """A session, then the settings call with its cookie; any answer but 2xx fails the data pump."""
        sessions = self.settings.require(channel.url_setting, f"{channel.kind} changes ({channel.rule})")
        cookie = self._session_cookie(channel, sessions)
        body = dumps({"data": {"type": "policy-settings", "id": account, "attributes": {name: value}}})
        target = self.target(channel.operation, channel.method, settings_url(sessions, account), channel.url_setting)
        exchange = self.send(target, {"Content-Type": MEDIA_TYPE, "Cookie": cookie}, body)
        if _status(exchange) in (401, 403):
            refused = rejection(exchange, "the session")
            raise AuthError(
                f"spectrum.{channel.operation}: IMT refused the session just opened (HTTP {refused.status}: "
                f"{refused.detail or 'no detail'}). Expected the cookie of the sessions answer to be accepted; "
                f"check that the user of {describe(channel.username_setting)} may change {channel.kind}.",
                exchange=exchange,
            )
        exchange = self._ok(exchange, f"the {channel.kind} change of account {account}")
        fields = Fields(read_json(exchange), channel.rule)
        echoed = fields.text("/data/id")
        if self.settings.strict_contract and echoed and echoed.strip() != account:
            fields.flag("/data/id", f"the account changed, {account!r}", echoed)
        result = SettingsResult(account, fields.text("/data/attributes/bill_mode"),
                                fields.boolean("/data/attributes/paperless"))
        now = result.paperless if name == "paperless" else result.autopay
        if self.settings.strict_contract and not fields.violations and now != value:
            fields.flag(f"/data/attributes/{name}", f"{value!r}, the value just set", now)
        fields.done(exchange)
        return result

    def _session_cookie(self, channel: _Settings, url: str) -> str:
        """Open a session (§Authentication Method for Paperless and Autopay Enrollment); its cookie."""
        why = f"the session for {channel.kind} changes ({_SESSION_RULE})"
        attributes = {"username": self.settings.require(channel.username_setting, why),
                      "password": self.settings.require(channel.password_setting, why)}
        body = dumps({"data": {"type": "sessions", "attributes": attributes}})
        target = self.target("sessions", "POST", url, channel.url_setting)
        exchange = self.send(target, {"Content-Type": MEDIA_TYPE}, body)
        if _status(exchange) in (401, 403):
            refused = rejection(exchange, "the credentials")
            raise AuthError(
                f"spectrum.sessions: IMT refused the username and password of {describe(channel.username_setting)} "
                f"and {describe(channel.password_setting)} (HTTP {refused.status}: {refused.detail or 'no detail'}). "
                f"No {channel.kind} change was sent; check both settings (the same user as IMT MIPS/APPS).",
                exchange=exchange,
            )
        exchange = self._ok(exchange, "the session request")
        assert exchange.response is not None
        cookie = _cookie_header(exchange.response.header("set-cookie"))
        if not cookie:
            violation = Violation("response header Set-Cookie", "the session's cookie (\"returns a cookie used for "
                                  "the other requests\")", "absent", _SESSION_RULE)
            raise ContractViolation.of(exchange, [violation], f"IC cannot change {channel.kind} without it")
        return cookie

    # -- API core -----------------------------------------------------------------------------
    def _core(self, url_setting: Setting, username_setting: Setting, secret_setting: Setting, rule: str) -> _Core:
        why = f"Spectrum's JWT ({_AUTH_RULE}, for {rule})"
        url = self.settings.require(url_setting, why)
        key, password = split_key_and_password(self.settings.require(secret_setting, why), secret_setting)
        return _Core(token_url(url, url_setting), key, self.settings.require(username_setting, why), password,
                     url_setting, username_setting, secret_setting)

    def _authorized(self, target: Target, core: _Core, body: bytes = b"") -> Exchange:
        """Send with the JWT; on a 401 renew the token once and retry once; a second 401 is ``AuthError``."""
        headers = {"Content-Type": JSON} if body else {}
        for renew in (False, True):
            token = self._token(core, renew=renew)
            exchange = self.send(target, {**headers, "Authorization": f"Bearer {token}"}, body)
            if _status(exchange) != 401:
                return exchange
        raise AuthError(
            f"{exchange.qualified_operation}: Spectrum answered 401 again after the token was renewed. Expected "
            f"the fresh JWT of {describe(core.username_setting)} and {describe(core.secret_setting)} to be "
            "accepted; ask IMT whether this user may call the API.",
            exchange=exchange,
        )

    def _token(self, core: _Core, *, renew: bool) -> str:
        cache_key = (core.token_url, core.key, core.username, core.password)
        cached = self._tokens.fresh(cache_key, renew=renew)
        if cached is not None:
            return cached
        body = dumps({"token": core.key, "username": core.username, "password": core.password})
        target = self.target("token", "POST", core.token_url, core.url_setting)
        exchange = self.send(target, {"Content-Type": JSON}, body)
        if _status(exchange) in (400, 401, 403):
            refused = rejection(exchange, "the credentials")
            raise AuthError(
                f"spectrum.token: Spectrum refused the credentials of {describe(core.username_setting)} and "
                f"{describe(core.secret_setting)} (HTTP {refused.status}: {refused.detail or 'no detail'}). "
                "Expected a JWT; check the username and the 'private key|password' IMT gave for this biller.",
                exchange=exchange,
            )
        exchange = self._ok(exchange, "the token request")
        fields = Fields(read_json(exchange), _AUTH_RULE)
        token = fields.text("/data/attributes/token")
        if not fields.violations and not token:
            fields.flag("/data/attributes/token", "a JWT", token)
        fields.done(exchange, "IC gets no token from it")
        self._tokens.keep(cache_key, token)
        return token

    def _ok(self, exchange: Exchange, what: str) -> Exchange:
        if not 200 <= _status(exchange) < 300:
            raise rejection(exchange, what)
        return exchange
