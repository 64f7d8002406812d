"""The messages inside ``<Data>``: built with lxml from IC's values, and read back from Sapiens' answers.

Element order and constants follow the design's request samples (design 004); the XSDs of
``contracts/sapiens/xsd/`` hold the same rules. Amounts go out as dollars with two decimals
(``500.00``) and dates as ``MM/DD/YYYY``; amounts come back as Sapiens writes them (``1467``,
``.00``, ``1,905``) and are read as ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from lxml import etree

from contracts import Violation
from contracts.bif import Invoice

from adapters.model import Payment

__all__ = [
    "search_request", "remittance_batch", "reversal_batch", "settings_account", "down_payment_policy",
    "search_results", "Reader",
]


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    child = etree.SubElement(parent, tag, attributes)
    if text is not None:
        child.text = text
    return child


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def search_request(search_id: str, criteria: Iterable[tuple[str, str]]) -> etree._Element:
    """``SearchRequest`` (design 004 §RTDR Balance Update, §Remittance Search)."""
    root = etree.Element("SearchRequest")
    _sub(root, "SearchID", search_id)
    holder = _sub(root, "searchCriteria")
    for tag, value in criteria:
        _sub(holder, tag, value)
    return root


def remittance_batch(payment: Payment, level: str, targets: Iterable[tuple[str, str]]) -> etree._Element:
    """``remitBatch ExtAction="A"`` for ``createRemitACHPmt`` (design 004 §DataPump: Payment).

    The batch constants are the sample's: productGroup REM, inputMode AUTO, one remit item,
    batchCtrlType REG, batchSource IC; batchTotal and bankRemittanceAmount are both the amount
    ("must match the batchTotal"; IC's service fee is never part of it). paymentType is CC for a
    card, ACH for every bank method IC has (INT-3881). creditCardBrand and lastDigitsOfPayment are
    sent when IC has them (INT-3509).
    """
    amount = f"{payment.amount:.2f}"
    batch = etree.Element("remitBatch", ExtAction="A")
    _sub(batch, "productGroup", "REM")
    _sub(batch, "inputMode", "AUTO")
    _sub(batch, "nbrOfRemitItems", "1")
    _sub(batch, "batchCtrlType", "REG")
    _sub(batch, "batchTotal", amount)
    _sub(batch, "batchSource", "IC")
    _sub(batch, "paymentType", "CC" if payment.method.is_card else "ACH")
    remit = _sub(batch, "remit", ExtAction="A")
    _sub(remit, "paymentID", payment.payment_id)
    _sub(remit, "dbAllocLevel", level)
    for tag, value in targets:
        _sub(remit, tag, value)
    _sub(remit, "depositDate", payment.paid_on.strftime("%m/%d/%Y"))
    if payment.card_brand:
        _sub(remit, "creditCardBrand", payment.card_brand)
    if payment.last_digits:
        _sub(remit, "lastDigitsOfPayment", payment.last_digits)
    _sub(remit, "bankRemittanceAmount", amount)
    return batch


def reversal_batch(batch_mc_id: str, remit_id: str, payment_id: str, nsf: bool) -> etree._Element:
    """``remitBatch ExtAction="U"`` for ``createRemitReversal`` (design 004 §Data Pump: ACH Reject).

    CT_ID and VERSION_NO are always 1 in billing (the design's sample and §Update Settings).
    """
    batch = etree.Element("remitBatch", MC_ID=batch_mc_id, CT_ID="1", VERSION_NO="1", ExtAction="U")
    _sub(batch, "nsfInd", _yn(nsf))
    remit = _sub(batch, "remit", ID=remit_id, ExtAction="U", MarkOccurrence="Y")
    _sub(remit, "paymentID", payment_id)
    return batch


def settings_account(mc_id: str, policy_number: str, autopay: bool | None, paperless: bool | None) -> etree._Element:
    """``account`` for ``updateICSettings``: the account form, or the single-policy form with ``policyNbr``.

    "If AutoPay or Paperless doesn't need to be updated OMIT the tag for that value which has no
    change" (design 004 §Update Settings): a ``None`` is no tag at all.
    """
    account = etree.Element("account", MC_ID=mc_id, CT_ID="1", VERSION_NO="1")
    _sub(account, "productGroup", "ACCT")
    holder = account
    if policy_number:
        holder = _sub(account, "policy", ExtAction="U", MarkOccurrence="Y")
        _sub(holder, "policyNbr", policy_number)
    if autopay is not None:
        _sub(holder, "autoPayInd", _yn(autopay))
    if paperless is not None:
        _sub(holder, "paperlessBillingInd", _yn(paperless))
    return account


def down_payment_policy(mc_id: str, payment: Payment, invoice: Invoice) -> etree._Element:
    """PolicyPro ``policy`` for ``updPaymentInfo`` (design 004 §Data Pump: DownPayment).

    The attributes are the sample's (``VERSION_NO="1" ID="1" ExtAction="U" CT_ID="1"``). The payer
    fields are what IC has: the customer name and address of the BIF's CR record (FileSpecIDs 60
    to 65; assumed to be the payer's for a down payment) and the payer's email.
    """
    policy = etree.Element("policy", VERSION_NO="1", MC_ID=mc_id, ID="1", ExtAction="U", CT_ID="1")
    _sub(policy, "downPaymentReceived", f"{payment.amount:.2f}")
    _sub(policy, "paymentReferenceID", payment.payment_id)
    optional = (
        ("paymentPayerName", invoice.customer_name),
        ("paymentPayerAddressLine1", invoice.extra.get(61, "")),
        ("paymentPayerAddressLine2", invoice.extra.get(62, "")),
        ("paymentPayerAddressCity", invoice.extra.get(63, "")),
        ("paymentPayerAddressState", invoice.extra.get(64, "")),
        ("paymentPayerAddressPostalCode", invoice.extra.get(65, "")),
        ("paymentPayerEMail", payment.payer_email or invoice.email),
    )
    for tag, value in optional:
        if value and value.strip():
            _sub(policy, tag, value.strip())
    return policy


# -- answers --------------------------------------------------------------------------------------
def search_results(root: etree._Element) -> list[dict[str, str]]:
    """Each ``SearchResult`` of a ``SearchResults`` payload as {child tag: text}."""
    out = []
    for result in root.iterfind("SearchResult"):
        out.append({str(child.tag): "".join(child.itertext()).strip() for child in result
                    if isinstance(child.tag, str)})
    return out


class Reader:
    """Reads the fields IC needs from a payload, collecting a ``Violation`` for each one unusable."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.violations: list[Violation] = []

    def flag(self, location: str, expected: str, found: str) -> None:
        self.violations.append(Violation(f"payload {location}", expected, found, self.rule))

    def text(self, values: dict[str, str], tag: str, location: str) -> str:
        value = values.get(tag, "")
        if not value:
            self.flag(f"{location}/{tag}", "a value", "absent or empty")
        return value

    def amount(self, values: dict[str, str], tag: str, location: str) -> Decimal:
        """An amount as Sapiens writes it: ``1467``, ``491327.98``, ``.00``, ``1,905`` (thousands comma)."""
        raw = values.get(tag)
        if raw is None:
            self.flag(f"{location}/{tag}", "an amount", "absent")
            return Decimal(0)
        try:
            amount = Decimal(raw.replace(",", "").strip())
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite():
            self.flag(f"{location}/{tag}", "an amount such as 1467 or 491327.98", repr(raw))
            return Decimal(0)
        return amount
