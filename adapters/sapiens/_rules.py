"""The "IC Use" rules of design 004: what IC asks Sapiens, with which BIF field, and what it skips.

Pure functions of IC's invoices and the biller's settings: no XML and no HTTP here, so that every
rule can be read (and tested) on its own. Each names its design section or integration
modification. BIF fields are named as IC's people know them: ``Custom5 (FileSpecID 42)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.bif import Invoice

from adapters.errors import AdapterConfigError, AdapterInputError
from adapters.model import SkippedInvoice
from adapters.settings import Setting

__all__ = [
    "bif", "is_quote", "SearchKey", "search_key", "InvoiceFilter", "RtdrConfig", "plan_refresh",
    "ALLOCATION_LEVELS", "allocation", "settings_target", "quote_mc_id", "document_path",
]

_CONFIG_KEY = "SapiensCompAndPowerSuite"
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def bif(n: int) -> str:
    """``Custom5 (FileSpecID 42)``: Custom1..Custom10 are FileSpecIDs 38..47."""
    return f"Custom{n} (FileSpecID {37 + n})"


def is_quote(invoice: Invoice) -> bool:
    """INT-3540: invoices or accounts starting with ``Q`` are PolicyPro quotes (design 004 §RTDR NOTE)."""
    return invoice.is_quote or invoice.account_number.strip().upper().startswith("Q")


# -- RTDR: which search -----------------------------------------------------------------------------
#: The InterfaceCodes of the design and the sandbox's operation names for them (SPEC §Operations).
INTERFACE_OPERATIONS: Mapping[str, str] = {
    "icAccountBalanceUpd": "account_balance",
    "icPolicyBalanceUpd": "policy_balance",
    "icInvoiceBalanceUpd": "invoice_balance",
}
# Assumed, for a BIF that gives Custom7..Custom9 without Custom10: the SearchIDs of the design's samples.
_DEFAULT_SEARCH_IDS: Mapping[str, str] = {
    "icAccountBalanceUpd": "BM_ACCT_SRCH",
    "icPolicyBalanceUpd": "BM_ACCT_SRCH",
    "icInvoiceBalanceUpd": "BM_INVOICE_SRCH",
}


@dataclass(frozen=True)
class SearchKey:
    """One RTDR search: ``InterfaceCode``, the criteria tag and its value, and the ``SearchID``."""

    interface_code: str
    tag: str
    value: str
    search_id: str

    @property
    def operation(self) -> str:
        """The operation name of the exchange; an InterfaceCode the design does not name is ``balance_search``."""
        return INTERFACE_OPERATIONS.get(self.interface_code, "balance_search")

    def __str__(self) -> str:
        return f"{self.tag}={self.value} ({self.interface_code}, SearchID {self.search_id})"


def search_key(invoice: Invoice) -> SearchKey:
    """What IC asks for in RTDR (design 004 §RTDR Logic, INT-4903).

    INT-4903: Custom7 is the InterfaceCode, Custom8 the tag, Custom9 its value, Custom10 the
    SearchID; any InterfaceCode and tag are passed through, so that Sapiens can add billing levels
    without IC changing code. Without Custom10 the SearchID of the design's sample for that
    InterfaceCode is used (assumed). Without any of Custom7..Custom10 the rule INT-4903 replaced
    applies: Custom3 empty → ``<acctName>`` Custom2 with ``icAccountBalanceUpd``, else
    ``<policyNbr>`` Custom3 with ``icPolicyBalanceUpd``; SearchID ``BM_ACCT_SRCH`` for both.
    """
    new = {n: invoice.custom_field(n).strip() for n in (7, 8, 9, 10)}
    if any(new.values()):
        missing = [bif(n) for n in (7, 8, 9) if not new[n]]
        if missing:
            raise AdapterInputError(
                f"invoice {invoice.invoice_number}: the BIF gives part of the RTDR fields of INT-4903 but not "
                f"{', '.join(missing)}. Custom7 is the InterfaceCode, Custom8 the tag and Custom9 its value; give "
                "all three (and Custom10, the SearchID), or none to fall back to Custom2/Custom3."
            )
        interface, tag, value = new[7], new[8], new[9]
        if not _XML_NAME.fullmatch(tag):
            raise AdapterInputError(
                f"invoice {invoice.invoice_number}: {bif(8)} must name the RTDR criteria tag (an XML element name "
                f"such as acctName, policyNbr or invoiceNbr), found {tag!r}"
            )
        search_id = new[10] or _DEFAULT_SEARCH_IDS.get(interface, "")
        if not search_id:
            raise AdapterInputError(
                f"invoice {invoice.invoice_number}: {bif(10)} (the SearchID) is empty and InterfaceCode {interface!r} "
                f"has no default; the design's defaults are for {', '.join(_DEFAULT_SEARCH_IDS)}"
            )
        return SearchKey(interface, tag, value, search_id)
    policy, account = invoice.custom_field(3).strip(), invoice.custom_field(2).strip()
    if policy:
        return SearchKey("icPolicyBalanceUpd", "policyNbr", policy, "BM_ACCT_SRCH")
    if account:
        return SearchKey("icAccountBalanceUpd", "acctName", account, "BM_ACCT_SRCH")
    raise AdapterInputError(
        f"invoice {invoice.invoice_number}: IC has nothing to ask Sapiens for in RTDR. Expected {bif(7)}..{bif(9)} "
        f"(INT-4903) or, before INT-4903, {bif(3)} (policy number) or {bif(2)} (account MC_ID); the BIF gives none"
    )


# -- RTDR: setting 131 ------------------------------------------------------------------------------
_FIELDS = {"invoicenumber": "InvoiceNumber", "accountnumber": "AccountNumber",
           **{f"custom{n}": f"Custom{n}" for n in range(1, 11)}}
_CLAUSE = re.compile(
    r"\s*(?:(?P<and>and)\s+)?(?P<field>[A-Za-z][A-Za-z0-9]*)\s*(?P<op>not\s+like|like|=|!=|<>)\s*"
    r"'(?P<value>(?:[^']|'')*)'\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Clause:
    field: str
    negated: bool
    pattern: re.Pattern[str]

    def holds(self, invoice: Invoice) -> bool:
        if self.field == "InvoiceNumber":
            value = invoice.invoice_number
        elif self.field == "AccountNumber":
            value = invoice.account_number
        else:
            value = invoice.custom_field(int(self.field[len("Custom"):]))
        return bool(self.pattern.fullmatch(value)) != self.negated


def _like(value: str) -> re.Pattern[str]:
    """SQL LIKE as a regex: ``%`` any run, ``_`` one character; case-insensitive like IC's SQL Server."""
    out = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in value)
    return re.compile(out, re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class InvoiceFilter:
    """``RTDRInvoiceFilter`` of setting 131 (INT-6924): a SQL-like condition an invoice must meet for RTDR.

    The design's value is ``InvoiceNumber not like '%-%'``. Read here: clauses ``<field> [not] like
    '<pattern>'`` or ``<field> = | != | <> '<value>'`` joined by ``and``, on ``InvoiceNumber``,
    ``AccountNumber`` or ``Custom1``..``Custom10``.
    """

    text: str
    clauses: tuple[_Clause, ...]

    @classmethod
    def parse(cls, text: str) -> InvoiceFilter:
        clauses: list[_Clause] = []
        position = 0
        while position < len(text):
            found = _CLAUSE.match(text, position)
            if found is None or bool(found.group("and")) != bool(clauses):
                raise AdapterConfigError(
                    f"{Setting.JSON_CONFIGURATION.describe()}: {_CONFIG_KEY}.RTDRInvoiceFilter {text!r} cannot be read "
                    f"at character {position + 1}. Expected clauses such as \"InvoiceNumber not like '%-%'\" "
                    "(like, not like, =, != on InvoiceNumber, AccountNumber or Custom1..Custom10) joined by 'and'"
                )
            name = _FIELDS.get(found.group("field").lower())
            if name is None:
                raise AdapterConfigError(
                    f"{Setting.JSON_CONFIGURATION.describe()}: {_CONFIG_KEY}.RTDRInvoiceFilter names "
                    f"{found.group('field')!r}; the filter can test {', '.join(sorted(set(_FIELDS.values())))}"
                )
            op = " ".join(found.group("op").lower().split())
            value = found.group("value").replace("''", "'")
            pattern = _like(value) if op.endswith("like") else re.compile(re.escape(value), re.IGNORECASE)
            clauses.append(_Clause(name, op in ("not like", "!=", "<>"), pattern))
            position = found.end()
        if not clauses:
            raise AdapterConfigError(f"{Setting.JSON_CONFIGURATION.describe()}: {_CONFIG_KEY}.RTDRInvoiceFilter is empty")
        return cls(text, tuple(clauses))

    def accepts(self, invoice: Invoice) -> bool:
        return all(clause.holds(invoice) for clause in self.clauses)


@dataclass(frozen=True)
class RtdrConfig:
    """What setting 131 ``SapiensCompAndPowerSuite`` says about RTDR (INT-6924, INT-9667)."""

    invoice_filter: InvoiceFilter | None = None
    open_billing: bool = True  # RTDRConfig.OpenBilling; false: the biller bills balance forward

    @classmethod
    def of(cls, configuration: Mapping[str, Any]) -> RtdrConfig:
        where = Setting.JSON_CONFIGURATION.describe()
        section = configuration.get(_CONFIG_KEY)
        if section is None:
            return cls()
        if not isinstance(section, dict):
            raise AdapterConfigError(f"{where}: {_CONFIG_KEY} must be a JSON object, found {type(section).__name__}")
        text = section.get("RTDRInvoiceFilter")
        if text is not None and not isinstance(text, str):
            raise AdapterConfigError(f"{where}: {_CONFIG_KEY}.RTDRInvoiceFilter must be text such as "
                                     f"\"InvoiceNumber not like '%-%'\", found {text!r}")
        rtdr = section.get("RTDRConfig", {})
        open_billing = rtdr.get("OpenBilling", True) if isinstance(rtdr, dict) else None
        if not isinstance(open_billing, bool):
            raise AdapterConfigError(f"{where}: {_CONFIG_KEY}.RTDRConfig must be an object whose OpenBilling is true "
                                     f"or false, found {rtdr!r}")
        return cls(InvoiceFilter.parse(text) if text and text.strip() else None, open_billing)


# -- RTDR: which invoices ---------------------------------------------------------------------------
def _skip(invoice: Invoice, code: str, reason: str) -> SkippedInvoice:
    return SkippedInvoice(invoice.invoice_number, invoice.account_number, code, reason)


def _filtered(invoice: Invoice, config: RtdrConfig) -> SkippedInvoice | None:
    """INT-6924: with RTDRInvoiceFilter set, no RTDR for invoices it excludes, nor when Custom8 is ``acctName``."""
    flt = config.invoice_filter
    if flt is None:
        return None
    if not flt.accepts(invoice):
        return _skip(invoice, "invoice_filter", f"invoice {invoice.invoice_number} does not meet RTDRInvoiceFilter "
                     f"{flt.text!r} of {Setting.JSON_CONFIGURATION.describe()}: no RTDR for it (INT-6924)")
    if invoice.custom_field(8).strip() == "acctName":
        return _skip(invoice, "invoice_filter", f"{bif(8)} of invoice {invoice.invoice_number} is acctName and "
                     f"{Setting.JSON_CONFIGURATION.describe()} sets RTDRInvoiceFilter: no RTDR for it (INT-6924)")
    return None


def _newest(invoices: Sequence[Invoice]) -> Invoice | None:
    """The most recent invoice that may carry the balance: BalanceForward not off, newest InvoiceDate.

    Sapiens sends BalanceForward '1' on every invoice (design 004 FileSpecID 194), so an invoice
    without the flag counts as on; ties go to the later invoice in IC's list.
    """
    candidates = [(inv.invoice_date or date.min, i, inv) for i, inv in enumerate(invoices)
                  if inv.balance_forward is not False]
    return max(candidates, key=lambda c: (c[0], c[1]))[2] if candidates else None


def plan_refresh(invoices: Sequence[Invoice], config: RtdrConfig) -> tuple[dict[SearchKey, list[Invoice]],
                                                                          list[SkippedInvoice]]:
    """Which searches to make for which invoices, and which invoices get none (and why).

    In this order: quotes (INT-3540), the invoice filter (INT-6924), then balance forward
    (INT-9667, ITG-2475): with ``RTDRConfig.OpenBilling`` false only the most recent remaining
    invoice of each account is updated. Searches are made once per distinct key, in IC's order.
    """
    if not invoices:
        raise AdapterInputError("refresh_balance needs the invoices IC holds (at least one); found none")
    skipped: list[SkippedInvoice] = []
    remaining: list[Invoice] = []
    for inv in invoices:
        if is_quote(inv):
            skipped.append(_skip(inv, "quote", f"invoice {inv.invoice_number} of account {inv.account_number} is a "
                                 "quote: no RTDR for invoices or accounts starting with Q; its balance comes through "
                                 "CloudPayV2 (INT-3540)"))
            continue
        excluded = _filtered(inv, config)
        if excluded is not None:
            skipped.append(excluded)
        else:
            remaining.append(inv)
    if not config.open_billing:
        accounts: dict[str, list[Invoice]] = {}
        for inv in remaining:
            accounts.setdefault(inv.account_number, []).append(inv)
        newest = {account: _newest(group) for account, group in accounts.items()}
        kept = []
        for inv in remaining:
            chosen = newest[inv.account_number]
            if inv is chosen:
                kept.append(inv)
                continue
            which = f"invoice {chosen.invoice_number}" if chosen is not None else "no invoice (none has BalanceForward on)"
            skipped.append(_skip(inv, "balance_forward", f"the biller bills balance forward ({_CONFIG_KEY}.RTDRConfig."
                                 f"OpenBilling false in {Setting.JSON_CONFIGURATION.describe()}): only the most recent "
                                 f"invoice of account {inv.account_number}, {which}, is updated (INT-9667, ITG-2475)"))
        remaining = kept
    searches: dict[SearchKey, list[Invoice]] = {}
    for inv in remaining:
        searches.setdefault(search_key(inv), []).append(inv)
    return searches, skipped


# -- payments -------------------------------------------------------------------------------------
#: Custom5 (FileSpecID 42), the database allocation level, and what it allocates by (design 004 BIF mapping).
ALLOCATION_LEVELS: Mapping[str, str] = {
    "A": "account (billing account code)",
    "C": "certificate number",
    "N": "agreement number",
    "P": "policy number",
    "I": "invoice number",
    "S": "invoice number (open item)",
}


def allocation(invoice: Invoice) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``dbAllocLevel`` and the target tag with its value (design 004 §Payments Sent from IC to BP).

    The level is Custom5. A: ``billAcctCd`` = Custom4. C: ``billAcctCd`` = Custom4, or Custom2 when
    Custom4 is blank (INT-3609). N: ``agreementNbr`` = AccountNumber. P: ``policyNbr`` = Custom3.
    I (INT-4810, INT-4811) and S (ITG-1597): ``invoiceNbr`` = Custom4, and no ``policyNbr`` tag.

    The posting sample's inline comments disagree ("dbAllocLevel: Map CustomField4(41)",
    "billAcctCd ... populate with CustomField3", "policyNbr ... map CustomField2"); they predate the
    BIF mapping, where Custom5 is the level and Custom3 the policy number. This follows the section
    "Payments Sent from IC to BP" and the BIF mapping, which agree with each other.
    """
    level = invoice.custom_field(5).strip().upper()
    number = invoice.invoice_number
    if not level:
        raise AdapterInputError(
            f"invoice {number}: {bif(5)} (the allocation level) is empty, so IC cannot tell Sapiens what to allocate "
            f"the payment to. Expected one of {', '.join(ALLOCATION_LEVELS)}; fix the BIF"
        )
    if level not in ALLOCATION_LEVELS:
        valid = "; ".join(f"{k} = {v}" for k, v in ALLOCATION_LEVELS.items())
        raise AdapterInputError(f"invoice {number}: {bif(5)} is {level!r}, not an allocation level Sapiens knows ({valid})")

    def need(n: int, what: str) -> str:
        value = invoice.custom_field(n).strip()
        if not value:
            raise AdapterInputError(f"invoice {number}: allocation level {level} posts to the {what} in {bif(n)}, "
                                    "which is empty; fix the BIF")
        return value

    if level == "A":
        return level, (("billAcctCd", need(4, "billing account code")),)
    if level == "C":
        certificate = invoice.custom_field(4).strip() or invoice.custom_field(2).strip()
        if not certificate:
            raise AdapterInputError(f"invoice {number}: allocation level C posts to the certificate number in {bif(4)}, "
                                    f"or {bif(2)} when that is blank (INT-3609); both are empty; fix the BIF")
        return level, (("billAcctCd", certificate),)
    if level == "N":
        if not invoice.account_number.strip():
            raise AdapterInputError(f"invoice {number}: allocation level N posts to the agreement number in "
                                    "AccountNumber (FileSpecID 59), which is empty")
        return level, (("agreementNbr", invoice.account_number.strip()),)
    if level == "P":
        return level, (("policyNbr", need(3, "policy number")),)
    return level, (("invoiceNbr", need(4, "invoice number")),)


def quote_mc_id(invoice: Invoice) -> str:
    """The PolicyPro ``policy`` MC_ID of a quote's down payment: Custom6, else Custom2 (assumed).

    The design gives the sample value only ("Values to be provided separately"); Custom6 is the
    account MC_ID of the BIF mapping and Custom2 the MC_ID of account billing.
    """
    mc_id = invoice.custom_field(6).strip() or invoice.custom_field(2).strip()
    if not mc_id:
        raise AdapterInputError(f"invoice {invoice.invoice_number} is a quote: its down payment goes to PolicyPro by "
                                f"MC_ID, from {bif(6)} or else {bif(2)}; both are empty; fix the BIF")
    return mc_id


# -- settings and documents -----------------------------------------------------------------------
def settings_target(invoice: Invoice) -> tuple[str, str]:
    """(account MC_ID, policy number or "") for ``updateICSettings`` (design 004 §Update Settings).

    MC_ID is Custom6 (INT-3697; Custom2 before it, deliberately not used as a fallback). The
    single-policy form is used when Custom3 (the policy number) is set. The design's sample says
    ``policyNbr`` "is mapped from CustomField2", but Custom2 is an MC_ID or agreement number in the
    BIF mapping and the sample's value (``HOM123445_01``) is a policy number: Custom3 is used.
    """
    mc_id = invoice.custom_field(6).strip()
    if not mc_id:
        raise AdapterInputError(f"invoice {invoice.invoice_number}: autopay and paperless changes go to the account "
                                f"MC_ID in {bif(6)} (INT-3697), which is empty; fix the BIF")
    return mc_id, invoice.custom_field(3).strip()


def document_path(invoice: Invoice) -> str:
    """The document path of Custom1 (HTTPURLParams), cleaned of the design's stray spaces and trailing `` /``."""
    raw = invoice.custom_field(1)
    path = re.sub(r"\s+/\s*$", "", raw).strip()
    if not path:
        raise AdapterInputError(f"invoice {invoice.invoice_number}: the bill's document path is {bif(1)} "
                                "(HTTPURLParams, /s/scsGetBase64Document/...), which is empty; fix the BIF")
    if not path.startswith("/"):
        path = "/" + path
    if any(segment in (".", "..") for segment in path.split("/")):
        raise AdapterInputError(f"invoice {invoice.invoice_number}: {bif(1)} {path!r} has '.' or '..' segments; "
                                "a document path names one document below the PDF base URL (setting 20)")
    return path
