"""IMT MIPS/APPS (design 000, product sheet 003): IC's client for IMT's billing API.

Every rule here is an "IC Use" line or an integration modification of design 000:

- §Authentication: a JWT from the token endpoint (setting 88, 89, 90), sent bare in ``Authorization``;
  cached, renewed once when a billing call answers 401.
- §RTDR Balance Update: v1 reads IC Balance Due from ``billBalanceAmount`` of the ``raw_data``
  receivable category ``TOTAL`` (INT-8058); v2 (§New Request) from ``bill_balance``. Total Amount Due
  is ``balance`` and Past Due ``past_due`` in both. INT-7454: the due date is ignored and the balance
  goes to the most recent invoice of the account that has BalanceForward on.
- §Data Pump Payment, §Data Pump Credit (void, refund, chargeback, ACH reject; no C-code rejects),
  §Data Pump AutoPay and Paperless, §Bill Presentment (PDF linking, token from setting 131).

Product sheet 003 lists ACH reject posting and void as "Not Supported", but design 000 (the later,
detailed document) specifies the credit data pump for both; this adapter follows design 000.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from contracts import Exchange, Violation
from contracts.bif import Invoice

from adapters._http import Target, expand_url, placeholders
from adapters._jsonapi import MEDIA_TYPE, Fields, dumps, read_json, rejection
from adapters._jwt import TokenCache
from adapters.base import PartnerAdapter
from adapters.errors import AdapterConfigError, AdapterInputError, AuthError, ContractViolation
from adapters.model import (
    BalanceUpdate, Credit, CreditKind, CreditResult, Payment, PaymentMethod, PaymentResult, SettingsResult,
    username_of,
)
from adapters.settings import BillerSettings, Setting, describe

__all__ = ["ImtAdapter", "invoice_to_update"]

_PLACEHOLDERS: dict[Setting, frozenset[str]] = {
    Setting.RTDR_URL: frozenset({"account_number", "username"}),
    Setting.PAYMENTS_URL: frozenset({"account_number", "payment_id", "username"}),
    Setting.PAPERLESS_URL: frozenset({"account_number", "username"}),
    Setting.AUTOPAY_URL: frozenset({"account_number", "username"}),
    Setting.PDF_URL: frozenset({"account_number"}),
    Setting.TOKEN_URL: frozenset(),
}
_CREDIT_REASONS = {  # design 000 §Data Pump Credit: "Chargeback Code: CC1", "Void/Credit Code: CC2"
    CreditKind.CHARGEBACK: "CC1",
    CreditKind.VOID: "CC2",
    CreditKind.REFUND: "CC2",
    CreditKind.CREDIT: "CC2",
}


@dataclass(frozen=True)
class _Credentials:
    uri: str
    username: str
    password: str
    setting: int  # where they come from, for messages: 88 (with 89, 90) or 131


def invoice_to_update(invoices: Sequence[Invoice]) -> Invoice:
    """INT-7454: the most recent invoice with BalanceForward on (by invoice date, then ``-N`` suffix).

    The due date plays no part. IMT numbers the invoices of one account in a file ``-1``, ``-2`` ...
    and turns BalanceForward off on the later ones "so balance won't get overwritten" (design 000,
    FileSpecID 10), so those are never updated.
    """
    if not invoices:
        raise AdapterInputError("refresh_balance needs the account's invoices as IC holds them; found none")
    accounts = sorted({inv.account_number for inv in invoices})
    if len(accounts) > 1:
        raise AdapterInputError(f"refresh_balance takes the invoices of one account; found accounts {accounts}")
    candidates = [inv for inv in invoices if inv.balance_forward]
    if not candidates:
        numbers = ", ".join(inv.invoice_number for inv in invoices)
        raise AdapterInputError(
            f"no invoice of account {accounts[0]} has BalanceForward on ({numbers}), so IC has no invoice to "
            "write the balance onto (INT-7454). IMT sends BalanceForward on for the invoice that carries the "
            "balance (product sheet 003); check FileSpecID 194 in the BIF."
        )
    return max(candidates, key=lambda inv: (inv.invoice_date or date.min, _suffix(inv.invoice_number)))


def _suffix(invoice_number: str) -> int:
    found = re.search(r"-(\d+)$", invoice_number)
    return int(found.group(1)) if found else 0


def _put(attributes: dict[str, Any], name: str, value: str | None) -> None:
    """Optional attributes are left out when IC has no value (never sent as "" or null)."""
    if value and value.strip():
        attributes[name] = value.strip()


def _status(exchange: Exchange) -> int:
    assert exchange.response is not None
    return exchange.response.status


class ImtAdapter(PartnerAdapter):
    """IC's calls to IMT. Results are frozen dataclasses; failures are ``adapters.errors`` types."""

    partner = "imt"

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
        for setting, allowed in _PLACEHOLDERS.items():
            unknown = placeholders(settings.get(setting) or "") - allowed
            if unknown:
                raise AdapterConfigError(
                    f"{setting.describe()} uses {sorted(unknown)}; IMT's URL templates may use only "
                    f"{sorted('{' + a + '}' for a in allowed) or 'no placeholders'} (design 000 §Advanced Settings)"
                )

    # -- RTDR -------------------------------------------------------------------------------
    def refresh_balance(self, invoices: Sequence[Invoice], *, email: str | None = None) -> BalanceUpdate:
        """Ask IMT for the account's balance and say which invoice IC updates with what (§RTDR).

        ``email`` is the IC user's; by default the target invoice's. Without one, no ``customer_username``.
        """
        invoice = invoice_to_update(invoices)
        version = self.settings.effective_rtdr_version
        operation = f"rtdr_v{version}"
        template = self.settings.require(Setting.RTDR_URL, "the RTDR balance refresh (design 000 §RTDR)")
        url = self._url(Setting.RTDR_URL, template, account_number=invoice.account_number,
                        username=username_of(invoice.email if email is None else email))
        target = self.target(operation, "GET", url, Setting.RTDR_URL)
        exchange = self._ok(self._authorized(target, self._billing_credentials()), "the balance request")
        rule = "design 000 §RTDR, INT-8058" if version == 1 else "design 000 §RTDR New Specifications"
        fields = Fields(read_json(exchange), rule)
        self._same_account(fields, invoice.account_number)
        update = BalanceUpdate(
            account_number=invoice.account_number,
            invoice_number=invoice.invoice_number,
            total_amount_due=fields.money("/attributes/balance"),
            balance_due=fields.money("/attributes/bill_balance") if version == 2 else _total_category(fields),
            past_due=fields.money("/attributes/past_due"),
            operation=operation,
        )
        fields.done(exchange, "IC cannot refresh the balance from it")
        return update

    # -- data pump --------------------------------------------------------------------------
    def post_payment(self, payment: Payment) -> PaymentResult:
        """Post a payment (§Data Pump Payment). The service fee is never part of ``payment_amount``."""
        invoice = payment.invoice
        template = self.settings.require(Setting.PAYMENTS_URL, "posting payments (design 000 §Data Pump Payment)")
        url = self._url(Setting.PAYMENTS_URL, template, account_number=invoice.account_number,
                        payment_id=payment.payment_id)
        attributes: dict[str, Any] = {}
        _put(attributes, "invoice_agency", invoice.custom_field(1))
        attributes["invoice_number"] = invoice.invoice_number
        attributes["payment_amount"] = float(payment.amount)  # exact for cents; JSON has no decimal type
        attributes["payment_date"] = payment.paid_on.isoformat()
        _put(attributes, "payment_username", username_of(payment.payer_email))
        attributes["payment_method"] = "CREDIT_CARD" if payment.method.is_card else "EFT"
        _put(attributes, "policy_number", invoice.custom_field(7))
        _put(attributes, "payment_channel", payment.source)
        body = dumps({"data": {"type": "Payment", "attributes": attributes}})
        target = self.target("post_payment", "POST", url, Setting.PAYMENTS_URL)
        exchange = self._ok(self._authorized(target, self._billing_credentials(), body),
                            f"payment {payment.payment_id}")
        echoed = self._echoed_payment_id(exchange, payment.payment_id, "design 000 §Data Pump Payment")
        return PaymentResult(echoed, invoice.account_number, invoice.invoice_number)

    def post_credit(self, credit: Credit) -> CreditResult:
        """Post a chargeback (CC1), void/refund/credit (CC2) or ACH reject (the bank's code).

        C-code rejects (notifications of change, C01..) are not sent: "C-Code Rejects included? No"
        (design 000 §ACH Reject Requirements); the result says so and no call is made.
        """
        reason = _CREDIT_REASONS.get(credit.kind) or credit.reject_code
        if credit.kind is CreditKind.ACH_REJECT and reason in ("CC1", "CC2"):
            raise AdapterInputError(
                f"{reason} is IC's chargeback/void code, not a bank reject code; post it as a Credit of kind "
                "chargeback or void"
            )
        if credit.kind is CreditKind.ACH_REJECT and reason.startswith("C"):
            return CreditResult(credit.payment_id, credit.account_number, reason, posted=False,
                                skipped_because=f"{reason} is a C-code reject (notification of change); IMT "
                                "takes no C-code rejects (design 000 §ACH Reject Requirements)")
        url = self._url(Setting.PAYMENTS_URL, self._credit_template(), account_number=credit.account_number,
                        payment_id=credit.payment_id)
        attributes: dict[str, Any] = {"credit_reason": reason}
        _put(attributes, "credit_username", username_of(credit.payer_email))
        attributes["credit_amount"] = f"{credit.amount:.2f}"  # a string, as in the design's sample
        body = dumps({"data": {"type": "PaymentCredit", "attributes": attributes}})
        target = self.target("post_credit", "POST", url, Setting.PAYMENTS_URL)
        exchange = self._ok(self._authorized(target, self._billing_credentials(), body),
                            f"the {credit.kind.value} of payment {credit.payment_id}")
        self._echoed_payment_id(exchange, credit.payment_id, "design 000 §Data Pump Credit")
        return CreditResult(credit.payment_id, credit.account_number, reason, posted=True)

    def set_autopay(self, account_number: str, method: PaymentMethod | None, email: str | None = None) -> SettingsResult:
        """Enroll in autopay with a card (CREDIT_CARD) or bank account (EFT); ``None`` removes it (CHECK)."""
        value = "CHECK" if method is None else ("CREDIT_CARD" if PaymentMethod.parse(method).is_card else "EFT")
        return self._change_setting(Setting.AUTOPAY_URL, "autopay", value, account_number, email)

    def set_paperless(self, account_number: str, enabled: bool, email: str | None = None) -> SettingsResult:
        """Turn paperless on or off; IMT takes the strings "True" and "False"."""
        return self._change_setting(Setting.PAPERLESS_URL, "paperless", "True" if enabled else "False",
                                    account_number, email)

    # -- bill presentment -------------------------------------------------------------------
    def fetch_bill(self, invoice: Invoice) -> bytes:
        """The bill PDF for the invoice's date (§Bill Presentment; ``document_date`` = IC Invoice Date)."""
        if invoice.invoice_date is None:
            raise AdapterInputError(
                f"fetch_bill needs the IC invoice date (FileSpecID 11) of invoice {invoice.invoice_number}; it has none"
            )
        template = self.settings.require(Setting.PDF_URL, "bill presentment (design 000 §Bill Presentment)")
        url = self._url(Setting.PDF_URL, template, account_number=invoice.account_number,
                        extra_query={"document_date": invoice.invoice_date.isoformat()})
        target = self.target("get_bill", "GET", url, Setting.PDF_URL)
        exchange = self._ok(self._authorized(target, self._pdf_credentials()),
                            f"the bill of {invoice.invoice_date.isoformat()}")
        assert exchange.response is not None
        body = exchange.response.body
        if not body.startswith(b"%PDF"):
            violation = Violation("response body", "a PDF document (starting with %PDF)", repr(body[:16]),
                                  "design 000 §Bill Presentment")
            raise ContractViolation.of(exchange, [violation], "IC cannot show it as the bill")
        return body

    # -- helpers ----------------------------------------------------------------------------
    def _change_setting(self, setting: Setting, kind: str, value: str, account_number: str,
                        email: str | None) -> SettingsResult:
        template = self.settings.require(setting, f"{kind} changes (design 000 §Data Pump AutoPay and Paperless)")
        username = username_of(email)
        url = self._url(setting, template, account_number=account_number, username=username)
        attributes: dict[str, Any] = {"setting_type": kind, "new_value": value}
        _put(attributes, "customer_username", username)
        body = dumps({"data": {"type": "Account", "attributes": attributes}})
        target = self.target("update_settings", "POST", url, setting)
        exchange = self._ok(self._authorized(target, self._billing_credentials(), body), f"the {kind} change")
        fields = Fields(read_json(exchange), "design 000 §Data Pump AutoPay and Paperless")
        self._same_account(fields, account_number)
        result = SettingsResult(account_number, fields.text("/attributes/autopay"),
                                fields.boolean("/attributes/paperless"))
        now = result.autopay if kind == "autopay" else str(result.paperless)
        if self.settings.strict_contract and not fields.violations and now != value:
            fields.flag(f"/attributes/{kind}", f"{value!r}, the value just set", now)
        fields.done(exchange)
        return result

    def _authorized(self, target: Target, credentials: _Credentials, body: bytes = b"") -> Exchange:
        """Send with the JWT; on a 401 renew the token once and retry once; a second 401 is ``AuthError``."""
        headers = {"Content-Type": MEDIA_TYPE} if body else {}
        for renew in (False, True):
            token = self._token(credentials, renew=renew)
            exchange = self.send(target, {**headers, "Authorization": token}, body)
            if _status(exchange) != 401:
                return exchange
        raise AuthError(
            f"{exchange.qualified_operation}: IMT answered 401 again after the token was renewed. Expected the "
            f"fresh token of {describe(credentials.setting)} to be accepted; check that the user may call the "
            "billing API (IMT grants access per user).",
            exchange=exchange,
        )

    def _token(self, credentials: _Credentials, *, renew: bool) -> str:
        key = (credentials.uri, credentials.username)
        cached = self._tokens.fresh(key, renew=renew)
        if cached is not None:
            return cached
        body = dumps({"data": {"type": "Token", "attributes": {
            "username_or_email": credentials.username, "password": credentials.password}}})
        target = self.target("token", "POST", credentials.uri, credentials.setting)
        exchange = self.send(target, {"Content-Type": MEDIA_TYPE}, body)
        if _status(exchange) in (400, 401, 403):
            refused = rejection(exchange, "the credentials")
            raise AuthError(
                f"imt.token: IMT refused the credentials of {describe(credentials.setting)} (HTTP {refused.status}: "
                f"{refused.detail or 'no detail'}). Expected a JWT; check the username and password settings "
                "(89 and 90, or 131 PdfConfig.tokenConfiguration): IMT passwords are changed at its users site.",
                exchange=exchange,
            )
        exchange = self._ok(exchange, "the token request")
        fields = Fields(read_json(exchange), "design 000 §Authentication")
        token = fields.text("/data/attributes/auth")
        if not fields.violations and not token:
            fields.flag("/data/attributes/auth", "a JWT", token)
        fields.done(exchange, "IC gets no token from it")
        if fields.get("/data/attributes/two_factor_required") is True:
            raise AuthError("imt.token: IMT requires two-factor authentication for this user; IC's service user "
                            "must not need it. Ask IMT to turn it off for the user.", exchange=exchange)
        self._tokens.keep(key, token)
        return token

    def _billing_credentials(self) -> _Credentials:
        why = "IMT's JWT (design 000 §Authentication)"
        return _Credentials(
            uri=self.settings.require(Setting.TOKEN_URL, why),
            username=self.settings.require(Setting.TOKEN_USERNAME, why),
            password=self.settings.require(Setting.TOKEN_PASSWORD, why),
            setting=Setting.TOKEN_URL,
        )

    def _pdf_credentials(self) -> _Credentials:
        """Setting 131 ``PdfConfig.tokenConfiguration`` when present, else the billing credentials."""
        pdf = self.settings.json_configuration().get("PdfConfig")
        config = pdf.get("tokenConfiguration") if isinstance(pdf, dict) else None
        if config is None:
            return self._billing_credentials()
        values = {key: config.get(key) if isinstance(config, dict) else None for key in ("uri", "username", "password")}
        bad = [key for key, value in values.items() if not isinstance(value, str) or not value.strip()]
        if bad:
            raise AdapterConfigError(
                f"{Setting.JSON_CONFIGURATION.describe()}: PdfConfig.tokenConfiguration needs non-empty "
                f"'uri', 'username' and 'password'; missing or empty: {bad}"
            )
        uri = str(values["uri"]).strip()
        if urlsplit(uri).scheme not in ("http", "https"):
            raise AdapterConfigError(f"{Setting.JSON_CONFIGURATION.describe()}: PdfConfig.tokenConfiguration.uri "
                                     f"must be an absolute http(s) URL, found {uri!r}")
        return _Credentials(uri, str(values["username"]), str(values["password"]), Setting.JSON_CONFIGURATION)

    def _credit_template(self) -> str:
        # There is no credit URL setting: IC derives it from setting 11 by replacing the trailing
        # /post/ with /credit/ (design 000 §Data Pump Credit: .../payments/{payment_id}/credit/).
        template = self.settings.require(Setting.PAYMENTS_URL, "posting credits (design 000 §Data Pump Credit)")
        parts = urlsplit(template)
        if not re.search(r"/post/?$", parts.path):
            raise AdapterConfigError(
                f"{Setting.PAYMENTS_URL.describe()} must end in /post/ (IC derives the credit URL from it by "
                f"replacing /post/ with /credit/), found {template!r}"
            )
        return urlunsplit(parts._replace(path=re.sub(r"/post(/?)$", r"/credit\1", parts.path)))

    def _url(self, setting: Setting, template: str, *, extra_query: dict[str, str] | None = None,
             **values: str | None) -> str:
        try:
            return expand_url(template, values, extra_query or {})
        except KeyError as exc:
            raise AdapterInputError(
                f"{setting.describe()} needs a value for {{{exc.args[0]}}} in its path, and the call has none"
            ) from None

    def _ok(self, exchange: Exchange, what: str) -> Exchange:
        if not 200 <= _status(exchange) < 300:
            raise rejection(exchange, what)
        return exchange

    # The echo checks below catch an answer about another account or payment than the one asked
    # for. They are contract-strict checks: off with ``strict_contract``, as a partner may format
    # an echoed identifier its own way.
    def _same_account(self, fields: Fields, account_number: str) -> None:
        found = fields.text("/attributes/account_number")
        if self.settings.strict_contract and found and found.strip().upper() != account_number.strip().upper():
            fields.flag("/attributes/account_number", f"the account asked for, {account_number!r}", found)

    def _echoed_payment_id(self, exchange: Exchange, sent: str, rule: str) -> str:
        fields = Fields(read_json(exchange), rule)
        echoed = fields.text("/attributes/payment_id")
        if self.settings.strict_contract and echoed and echoed.lower() != sent.lower():
            fields.flag("/attributes/payment_id", f"the payment_id sent, {sent!r}", echoed)
        fields.done(exchange)
        return echoed


def _total_category(fields: Fields) -> Decimal:
    """INT-8058: IC Balance Due is ``billBalanceAmount`` of receivable category ``TOTAL``, no fallback.

    Its absence is a contract violation, not a rejection: IMT answered the account (nothing was
    refused), but without the amount the integration agreed IC reads. Falling back to
    ``total_due`` or ``currentBalance`` would silently restore the behaviour INT-8058 replaced.
    """
    pointer = "/attributes/raw_data/receivableCategories"
    categories = fields.get(pointer)
    if not isinstance(categories, list):
        fields.flag(pointer, "a list of receivable categories including TOTAL (INT-8058)", categories)
        return Decimal(0)
    for index, category in enumerate(categories):
        if isinstance(category, dict) and category.get("receivableCategoryCode") == "TOTAL":
            return fields.money(f"{pointer}/{index}/billBalanceAmount")
    codes = [c.get("receivableCategoryCode") for c in categories if isinstance(c, dict)]
    fields.flag(pointer, "a category with receivableCategoryCode TOTAL (INT-8058)", codes)
    return Decimal(0)

