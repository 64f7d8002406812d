"""IC's side of a call: what IC hands an adapter (payments, credits) and what it gets back.

These are partner-neutral: every partner posts payments and credits and answers balances; how
each travels on the wire is the partner adapter's business. Amounts are ``Decimal`` dollars.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Self

from contracts.bif import Invoice

from adapters.errors import AdapterInputError

__all__ = [
    "PaymentMethod",
    "CreditKind",
    "Payment",
    "Credit",
    "BalanceUpdate",
    "SkippedInvoice",
    "BalanceRefresh",
    "PaymentResult",
    "CreditResult",
    "SettingsResult",
    "SettingsChange",
    "username_of",
    "wants_autopay",
]

_CENT = Decimal("0.01")
_LAST_DIGITS = re.compile(r"[0-9]{1,4}")
_CARD_BRAND = re.compile(r"[A-Za-z][A-Za-z0-9 &.-]{0,29}")


class _ParsedEnum(Enum):
    @classmethod
    def parse(cls, value: object) -> Self:
        """The member for ``value`` (a member, its value or its name, any case); lists the valid ones."""
        if isinstance(value, cls):
            return value
        text = str(value).strip().lower()
        for member in cls:
            if text in (str(member.value).lower(), member.name.lower()):
                return member
        valid = ", ".join(str(m.value) for m in cls)
        raise AdapterInputError(f"{cls.__name__}: {value!r} is not one of the valid values: {valid}")


class PaymentMethod(_ParsedEnum):
    """How the payer paid in IC. Partners map these to their own codes (IMT: CREDIT_CARD or EFT)."""

    CARD = "card"
    ACH = "ach"
    ECHECK = "echeck"
    OBD = "obd"  # Online Bank Direct (product sheet 003)
    BANK = "bank"

    @property
    def is_card(self) -> bool:
        return self is PaymentMethod.CARD


class CreditKind(_ParsedEnum):
    """Why money goes back: the Data Pump events that reverse a payment (design 000 §Data Pump Credit)."""

    CHARGEBACK = "chargeback"
    VOID = "void"
    REFUND = "refund"
    CREDIT = "credit"
    ACH_REJECT = "ach_reject"


def username_of(email: str | None) -> str | None:
    """The IC email address before ``@`` (design 000 uses this as the partner's username), or None."""
    local = (email or "").split("@", 1)[0].strip()
    return local or None


def _cents(value: Any, what: str, *, positive: bool = True) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError:
        raise AdapterInputError(f"{what} must be an amount in dollars, found {value!r}") from None
    if not amount.is_finite() or amount != amount.quantize(_CENT):
        raise AdapterInputError(f"{what} must be dollars with at most 2 decimals, found {value!r}")
    if (amount <= 0) if positive else (amount < 0):
        raise AdapterInputError(
            f"{what} must be {'greater than' if positive else 'at least'} 0, found {amount}; "
            "a reversal is a Credit with a positive amount, never a negative payment"
        )
    return amount.quantize(_CENT)


@dataclass(frozen=True)
class Payment:
    """A payment IC processed, to be posted to the partner.

    ``amount`` is what is applied to the invoice; ``service_fee`` (IC's convenience fee, a CRM
    setting) is kept apart and never posted to the partner. ``card_brand`` (card payments only) and
    ``last_digits`` (of the card or bank account, at most 4) are optional: partners that take them
    (Sapiens INT-3509) get them when IC has them.
    """

    payment_id: str  # IC's payment GUID
    invoice: Invoice
    amount: Decimal
    paid_on: date
    method: PaymentMethod
    payer_email: str = ""
    source: str = ""  # IC payment source description (Web, IVR, AgentConnect, ...)
    service_fee: Decimal = field(default=Decimal("0"))
    card_brand: str = ""  # VISA, MASTERCARD, ... (card payments only)
    last_digits: str = ""  # the last digits of the card or bank account, typically 4
    payer_name: str = ""  # the name the payer entered during the payment route (TCCS quote deposits)
    reference: str = ""  # IC's payment reference / confirmation number, at most 50 characters (Spectrum transactionID)
    message: str = ""  # IC's payment message (Spectrum transactionMessage)

    def __post_init__(self) -> None:
        if not str(self.payment_id).strip():
            raise AdapterInputError("Payment.payment_id must be IC's payment GUID, found an empty value")
        object.__setattr__(self, "amount", _cents(self.amount, "Payment.amount"))
        object.__setattr__(self, "service_fee", _cents(self.service_fee, "Payment.service_fee", positive=False))
        object.__setattr__(self, "method", PaymentMethod.parse(self.method))
        brand = str(self.card_brand or "").strip()
        digits = str(self.last_digits or "").strip()
        if brand and not self.method.is_card:
            raise AdapterInputError(
                f"Payment.card_brand {brand!r} is given for a {self.method.value} payment; a card brand belongs "
                "to card payments only: leave it empty or set method to card"
            )
        if brand and not _CARD_BRAND.fullmatch(brand):
            raise AdapterInputError(f"Payment.card_brand must be a brand name such as VISA (letters first, at most "
                                    f"30 characters), found {brand!r}")
        if digits and not _LAST_DIGITS.fullmatch(digits):
            raise AdapterInputError(
                f"Payment.last_digits must be the last 1 to 4 digits of the card or bank account (never the whole "
                f"number), found {len(digits)} characters{'' if digits.isdigit() else ' that are not all digits'}"
            )
        object.__setattr__(self, "card_brand", brand)
        object.__setattr__(self, "last_digits", digits)
        object.__setattr__(self, "payer_name", str(self.payer_name or "").strip())
        reference = str(self.reference or "").strip()
        if len(reference) > 50:
            raise AdapterInputError(f"Payment.reference is IC's payment reference (at most 50 characters), "
                                    f"found {len(reference)} characters")
        object.__setattr__(self, "reference", reference)
        object.__setattr__(self, "message", str(self.message or "").strip())


@dataclass(frozen=True)
class Credit:
    """A reversal of a posted payment: chargeback, void, refund, credit or ACH reject.

    ``reject_code`` is the bank's return code for an ACH reject (``R01``, or a notification of
    change ``C01``..); it is required for ``ACH_REJECT`` and refused for the other kinds.
    ``invoice_number`` and ``paid_on`` describe the original payment, for partners that identify a
    payment by invoice, date and amount rather than by IC's GUID (TCCS's Insufficient_Pay_Report).
    """

    payment_id: str  # the original payment's GUID
    account_number: str
    amount: Decimal
    kind: CreditKind
    reject_code: str = ""
    payer_email: str = ""
    invoice_number: str = ""  # the original payment's invoice
    paid_on: date | None = None  # the original payment's date

    def __post_init__(self) -> None:
        object.__setattr__(self, "invoice_number", str(self.invoice_number or "").strip())
        if not str(self.payment_id).strip() or not str(self.account_number).strip():
            raise AdapterInputError("Credit needs the original payment's GUID and the account number")
        object.__setattr__(self, "amount", _cents(self.amount, "Credit.amount"))
        kind = CreditKind.parse(self.kind)
        object.__setattr__(self, "kind", kind)
        code = self.reject_code.strip().upper()
        object.__setattr__(self, "reject_code", code)
        if kind is CreditKind.ACH_REJECT and not code:
            raise AdapterInputError("Credit of kind ach_reject needs the bank's reject_code (e.g. R01)")
        if kind is not CreditKind.ACH_REJECT and code:
            raise AdapterInputError(f"Credit of kind {kind.value} takes no reject_code, found {code!r}")


@dataclass(frozen=True)
class BalanceUpdate:
    """The balance IC writes onto one invoice after an RTDR call."""

    account_number: str
    invoice_number: str  # the invoice IC updates (the most recent with BalanceForward on)
    total_amount_due: Decimal
    balance_due: Decimal
    past_due: Decimal
    operation: str = ""  # the partner operation it came from, e.g. rtdr_v2


@dataclass(frozen=True)
class SkippedInvoice:
    """An invoice a balance refresh left alone, and why (IC keeps the balance it has for it).

    ``code`` says which rule, for a machine: ``quote``, ``invoice_filter``, ``balance_forward``,
    ``not_returned``; ``reason`` says it for a person, with the design reference.
    """

    invoice_number: str
    account_number: str
    code: str
    reason: str


@dataclass(frozen=True)
class BalanceRefresh:
    """What an RTDR refresh of several invoices did: the balances IC writes, and the invoices skipped."""

    updates: tuple[BalanceUpdate, ...] = ()
    skipped: tuple[SkippedInvoice, ...] = ()

    def update_for(self, invoice_number: str) -> BalanceUpdate | None:
        """The update of one invoice, or None when it was skipped or not asked about."""
        return next((u for u in self.updates if u.invoice_number == invoice_number), None)


@dataclass(frozen=True)
class PaymentResult:
    """A payment the partner accepted.

    ``batch_id`` and ``remittance_id`` are the partner's own keys of the posting when it gives them
    (Sapiens: the posted ``remitBatch`` ``MC_ID`` and its ``remit`` ``ID``), "" otherwise;
    ``operation`` names the partner operation it went to when a partner has several (Sapiens:
    ``post_payment``, or ``down_payment`` for a quote).
    """

    payment_id: str  # as the partner echoed it
    account_number: str
    invoice_number: str
    batch_id: str = ""
    remittance_id: str = ""
    operation: str = ""
    outcome: str = ""  # the partner's word for how it took the payment, when it has several
    # (TCCS: ``posted`` or ``duplicate``; Spectrum: ``applied`` or ``okay``)
    attempts: int = 1  # how many times it was sent (data pump retry, TCCS ITG-1853)


@dataclass(frozen=True)
class CreditResult:
    """A credit posted, or skipped by rule (then ``posted`` is False and no call was made).

    ``batch_id`` and ``remittance_id`` name what the partner reversed when it works by its own keys
    (Sapiens: the ``remitBatch`` ``MC_ID`` and ``remittanceCID`` found by the remittance search).
    """

    payment_id: str
    account_number: str
    reason_code: str  # what was (or would have been) sent as the partner's reason
    posted: bool
    skipped_because: str = ""
    batch_id: str = ""
    remittance_id: str = ""


@dataclass(frozen=True)
class SettingsResult:
    """An account's autopay and paperless settings as the partner holds them after a change."""

    account_number: str
    autopay: str
    paperless: bool


@dataclass(frozen=True)
class SettingsChange:
    """Autopay and paperless as sent to a partner that takes only what changes (Sapiens).

    ``None`` means unchanged: nothing was sent for it. ``policy_number`` is set when the change
    went to one policy rather than the whole account. With ``sent`` False no call was made, and
    ``skipped_because`` says why.
    """

    account_number: str  # the partner's key of the account (Sapiens: MC_ID, from Custom6)
    autopay: bool | None
    paperless: bool | None
    policy_number: str = ""
    sent: bool = True
    skipped_because: str = ""


def wants_autopay(method: PaymentMethod | str | bool | None) -> bool:
    """Whether a ``set_autopay`` call enrolls: on for any payment method IC knows (or True), off for None
    or False. Anything else is refused, listing the valid methods."""
    if method is None or method is False:
        return False
    if method is True:
        return True
    PaymentMethod.parse(method)
    return True
