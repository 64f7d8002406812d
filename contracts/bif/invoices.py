"""Between BIF records and ``Invoice``: what IC knows about each invoice, and BIFs written from invoices.

Scenarios tell an adapter what IC knows from ``invoices(bif)``, and the sandbox seeds its ledger from
it; tests and scenarios write BIFs with ``bif_from_invoices`` / ``form_from_invoice`` instead of by hand.
Which FileSpecID carries which ``Invoice`` attribute is IC's, the same for every partner; a partner
mapping, when given, only adds its fixed values (RecordType ``N``, InvoiceTypeID ``164``) and its order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from contracts.bif.formats import bool_text, date_text, money_text, to_bool, to_date, to_money
from contracts.bif.mapping import BifMapping
from contracts.bif.model import Invoice
from contracts.bif.records import CR, FH, FORM_RECORD_KEYS, IC_FIELDS, ID, IH, Bif, BifForm, Record
from contracts.errors import BifError

__all__ = ["invoices", "invoice_records", "bif_from_invoices", "form_from_invoice", "CUSTOM_IDS"]

#: Custom1..Custom10 are FileSpecIDs 38..47.
CUSTOM_IDS: dict[int, int] = {n: 37 + n for n in range(1, 11)}

_Reader = Callable[[str, str], Any]
_Writer = Callable[[Any], str]


def _text(value: str, where: str) -> str:
    return value


def _plain(value: Any) -> str:
    return str(value)


# attribute: (FileSpecID, record, read, write); the attributes IC takes from the IH and CR records.
_FIELDS: dict[str, tuple[int, str, _Reader, _Writer]] = {
    "invoice_number": (10, IH, _text, _plain),
    "invoice_date": (11, IH, to_date, date_text),
    "due_date": (12, IH, to_date, date_text),
    "total_amount_due": (13, IH, to_money, money_text),
    "minimum_amount_due": (21, IH, to_money, money_text),
    "balance_due": (93, IH, to_money, money_text),
    "balance_forward": (194, IH, to_bool, bool_text),
    "account_number": (59, CR, _text, _plain),
    "customer_name": (60, CR, _text, _plain),
    "email": (67, CR, _text, _plain),
}
_TAKEN = {spec_id for spec_id, *_ in _FIELDS.values()} | set(CUSTOM_IDS.values())


def invoices(doc: Bif | BifForm) -> list[Invoice]:
    """What IC knows about each invoice of a BIF file or form, in file order.

    Raises ``BifError`` when an invoice lacks its IH or CR record or a value has the wrong format
    (``partnersim bif check`` lists every such problem).
    """
    out = []
    for group in doc.invoice_records():
        if group.header is None or group.customer is None:
            missing = IH if group.header is None else CR
            raise BifError(f"{group.first.where}: this invoice has no {missing} record, so IC cannot load it")
        header, customer = group.header, group.customer
        values: dict[str, Any] = {}
        for attr, (spec_id, kind, read, _) in _FIELDS.items():
            record = header if kind == IH else customer
            values[attr] = read(record.value(spec_id), record.location(spec_id))
        invoice = Invoice(**values)
        invoice.custom = {n: v for n, spec_id in CUSTOM_IDS.items() if (v := header.get(spec_id)) is not None}
        for record in (header, customer):
            for spec_id, value in record.pairs[1:]:
                if spec_id not in _TAKEN:
                    invoice.extra.setdefault(spec_id, value)
        invoice.details = [dict(d.pairs[1:]) for d in group.details]
        out.append(invoice)
    return out


def _record_of(spec_id: int, mapping: BifMapping | None) -> str:
    """Where an ``extra`` field goes: the mapping's record, else IC's, else (assumed) the IH record."""
    placed = mapping.records_of(spec_id) if mapping else []
    if placed and placed[0] in (IH, CR):
        return placed[0]
    known = IC_FIELDS.get(spec_id)
    return known[1] if known and known[1] in (IH, CR) else IH


def _ordered(kind: str, values: dict[int, str], mapping: BifMapping | None) -> list[tuple[int, str]]:
    """The mapping's order and fixed values (when the caller gave none), then the rest by FileSpecID."""
    order: list[int] = []
    if mapping is not None:
        for spec in mapping.fields_for(kind):
            # the RowType (fixed to the record's kind) is the record's first pair, not a field
            if spec.fixed is not None and spec.fixed != kind and spec.in_file and spec.spec_id not in values:
                values[spec.spec_id] = spec.fixed
            order.append(spec.spec_id)
    known = [i for i in order if i in values]
    return [(i, values[i]) for i in known + sorted(set(values) - set(known))]


def invoice_records(invoice: Invoice, mapping: BifMapping | None = None) -> list[Record]:
    """The IH, CR and ID records of one invoice (no line numbers yet)."""
    values: dict[str, dict[int, str]] = {IH: {}, CR: {}}
    for attr, (spec_id, kind, _, write) in _FIELDS.items():
        value = getattr(invoice, attr)
        if value is not None and (value != "" or attr in ("invoice_number", "account_number")):
            values[kind][spec_id] = write(value)
    for n, value in invoice.custom.items():
        if n not in CUSTOM_IDS:
            raise BifError(f"invoice {invoice.invoice_number!r}: Custom{n} does not exist; IC has Custom1..Custom10")
        values[IH][CUSTOM_IDS[n]] = value
    for spec_id, value in invoice.extra.items():
        values[_record_of(spec_id, mapping)].setdefault(spec_id, value)
    records = [Record.new(kind, _ordered(kind, values[kind], mapping)) for kind in (IH, CR)]
    records += [Record.new(ID, _ordered(ID, dict(detail), mapping)) for detail in invoice.details]
    return records


def bif_from_invoices(
    items: Sequence[Invoice],
    mapping: BifMapping | None = None,
    *,
    biller_guid: str,
    created: date,
    file_reference: str = "",
    newline: str = "\n",
) -> Bif:
    """A BIF file of these invoices; its FH counts them and totals their TotalAmountDue."""
    total = sum((i.total_amount_due for i in items if i.total_amount_due is not None), Decimal(0))
    header = {2: biller_guid, 4: date_text(created), 5: str(len(items)), 6: money_text(total)}
    if file_reference:
        header[3] = file_reference
    records = [Record.new(FH, _ordered(FH, header, mapping))]
    for invoice in items:
        records += invoice_records(invoice, mapping)
    numbered = [Record(r.pairs, line=n) for n, r in enumerate(records, start=1)]
    return Bif(numbered, newline=newline, final_newline=True)


def form_from_invoice(
    invoice: Invoice,
    mapping: BifMapping | None = None,
    *,
    params: Mapping[str, str] | None = None,
    trailing_separator: bool = False,
) -> BifForm:
    """The web-service form of one invoice: ``params`` (BillerGUID, WebServiceKey) then CR, IH, ID."""
    key_of = {kind: key for key, kind in FORM_RECORD_KEYS.items()}
    by_kind: dict[str, list[Record]] = {}
    for record in invoice_records(invoice, mapping):
        by_kind.setdefault(record.kind, []).append(record)
    records = []
    for kind in (CR, IH, ID):
        group = by_kind.get(kind, [])
        key = key_of[kind]
        for n, record in enumerate(group, start=1):
            where = key if len(group) == 1 else f"{key}[{n}]"
            records.append(Record(record.pairs, where=where, origin=key))
    keys = [*(params or {}), *(key_of[k] for k in (CR, IH, ID) if k in by_kind)]
    return BifForm(records, params=dict(params or {}), keys=keys, trailing_separator=trailing_separator)
