"""Checking a BIF file or web-service form against a partner's mapping.

As jsonschema's ``iter_errors``: ``iter_violations`` yields every problem, in passes (structure, then
each record's fields in order, then the file header's counts, then the mapping's rules); ``check``
lists them. A location names the line and the FileSpecID (``line 3 FileSpecID 11``) or, in a form, the
form field (``InvoiceHeaderRecord FileSpecID 11``); the contract names the mapping row or rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from contracts.bif.formats import FORMATS, to_money
from contracts.bif.mapping import BifMapping
from contracts.bif.records import (
    CR,
    FH,
    FORM_RECORD_KEYS,
    ID,
    IH,
    ROW_TYPE_IDS,
    Bif,
    BifForm,
    InvoiceRecords,
    Record,
    field_label,
)
from contracts.bif.rules import RULES
from contracts.errors import BifError
from contracts.violation import Violation

__all__ = ["iter_violations", "check"]

_STRUCTURE = "BIF structure"
_NAMES = {FH: "file header", IH: "invoice header", CR: "customer record", ID: "invoice detail"}


def check(doc: Bif | BifForm, mapping: BifMapping) -> list[Violation]:
    """Every violation of ``doc``; empty when it conforms."""
    return list(iter_violations(doc, mapping))


def iter_violations(doc: Bif | BifForm, mapping: BifMapping) -> Iterator[Violation]:
    """Every way in which ``doc`` breaks ``mapping``, one ``Violation`` each."""
    whole_file = isinstance(doc, Bif)
    groups = doc.invoice_records()
    if isinstance(doc, Bif):
        yield from _file_structure(doc)
        yield from _invoice_structure(groups)
    else:
        yield from _form_structure(doc)
    for record in doc.records:
        yield from _record_violations(record, mapping)
    if isinstance(doc, Bif) and doc.header is not None:
        yield from _header_totals(doc.header, groups)
    for name in mapping.rules:
        yield from RULES[name](groups, mapping, whole_file)


def _structure(location: str, expected: str, found: str, message: str = "") -> Violation:
    return Violation(location, expected, found, contract=_STRUCTURE, message=message)


def _file_structure(bif: Bif) -> Iterator[Violation]:
    if not bif.records:
        return
    first = bif.records[0]
    if first.kind != FH:
        yield _structure(first.where, "an FH record (the file header) first", f"{first.kind} record")
    for record in bif.records[1:]:
        if record.kind == FH:
            yield _structure(record.where, "one FH record, on the first line", "another FH record")


def _form_structure(form: BifForm) -> Iterator[Violation]:
    for key, kind in FORM_RECORD_KEYS.items():
        records = form.records_of(key)
        if kind != ID and not records:
            yield _structure(key, f"the form field {key} with the {_NAMES[kind]} ({kind})", "absent")
        if kind != ID and len(records) > 1:
            yield _structure(key, f"one {kind} record", f"{len(records)} records")
        for record in records:
            if record.kind != kind:
                yield _structure(record.where, f"{kind} records in {key}", f"a {record.kind} record")


def _invoice_structure(groups: Sequence[InvoiceRecords]) -> Iterator[Violation]:
    for group in groups:
        for kind, record in ((IH, group.header), (CR, group.customer)):
            if record is None:
                yield _structure(
                    group.first.where, f"{'an' if kind == IH else 'a'} {kind} record ({_NAMES[kind]}) in this invoice",
                    "none",
                    "each invoice is one IH and one CR record, then its ID records",
                )


def _record_violations(record: Record, mapping: BifMapping) -> Iterator[Violation]:
    kind = record.kind
    if kind not in ROW_TYPE_IDS:  # only a record built by hand can get here; the parser refuses it
        yield _structure(record.where, "an FH, IH, CR or ID record", repr(kind))
        return
    row_type = ROW_TYPE_IDS[kind]
    if record.pairs[0][0] != row_type:
        yield Violation(record.location(record.pairs[0][0]), f"FileSpecID {row_type} (RowType) for a {kind} record",
                        f"FileSpecID {record.pairs[0][0]}", contract=_STRUCTURE)
    seen: set[int] = set()
    for spec_id, value in record.pairs[1:]:  # the first pair is the RowType, checked above
        if spec_id in seen:
            yield Violation(record.location(spec_id), "each FileSpecID once per record", "a second occurrence",
                            contract=_STRUCTURE, message=f"value {value!r}")
        seen.add(spec_id)
        yield from _value_violations(record, spec_id, value, mapping)
    for spec in mapping.fields_for(kind):
        if spec.required and spec.in_file and not record.value(spec.spec_id) and spec.spec_id != row_type:
            yield Violation(record.location(spec.spec_id), f"{spec.name} (required)",
                            "absent" if record.get(spec.spec_id) is None else "an empty value",
                            contract=mapping.contract(f"{kind} FileSpecID {spec.spec_id}"))


def _value_violations(record: Record, spec_id: int, value: str, mapping: BifMapping) -> Iterator[Violation]:
    kind = record.kind
    spec = mapping.spec(kind, spec_id)
    location = record.location(spec_id)
    if spec is None:
        elsewhere = [r for r in mapping.records_of(spec_id) if r != kind]
        yield Violation(
            location, f"a FileSpecID that the {mapping.partner} mapping defines for {kind} records",
            f"FileSpecID {field_label(spec_id)}", contract=mapping.contract(f"{kind} fields"),
            message=f"it belongs to the {'/'.join(elsewhere)} record" if elsewhere
            else "the partner's mapping does not send this field",
        )
        return
    contract = mapping.contract(f"{kind} FileSpecID {spec_id}")
    if not spec.in_file:
        yield Violation(location, f"no {spec.name} (In File: N)", repr(value), contract=contract,
                        message="the mapping says the partner does not send this field; IC supplies it")
        return
    if not value:
        return  # a required field left empty is reported once, by the required check
    if spec.fixed is not None and value != spec.fixed:
        yield Violation(location, f"{spec.fixed!r} (the fixed {spec.name})", repr(value), contract=contract)
    elif not FORMATS[spec.format].matches(value):
        yield Violation(location, f"{FORMATS[spec.format].description} for {spec.name}", repr(value),
                        contract=contract)
    elif spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        yield Violation(location, f"{spec.name} matching {spec.pattern}", repr(value), contract=contract)


def _header_totals(header: Record, groups: Sequence[InvoiceRecords]) -> Iterator[Violation]:
    """InvoiceCount (5) and TotalInvoiceAmount (6) describe the IH records (design 002 says so in words)."""
    headers = [g.header for g in groups if g.header is not None]
    count = header.value(5)
    if count.isdigit() and int(count) != len(headers):
        yield Violation(header.location(5), f"{len(headers)} (the number of IH records)", repr(count),
                        contract="BIF FH FileSpecID 5 (InvoiceCount)")
    total = _money_or_none(header.value(6))
    amounts = [_money_or_none(h.value(13)) for h in headers]
    if total is None or any(a is None for a in amounts):
        return  # an absent or malformed amount is already reported
    expected = sum((a for a in amounts if a is not None), Decimal(0))
    if total != expected:
        yield Violation(header.location(6), f"{expected:.2f} (the sum of TotalAmountDue, FileSpecID 13)",
                        repr(header.value(6)), contract="BIF FH FileSpecID 6 (TotalInvoiceAmount)")


def _money_or_none(value: str) -> Decimal | None:
    try:
        return to_money(value)
    except BifError:
        return None
