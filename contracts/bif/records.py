"""The shape of a BIF: records of ``FileSpecID~value`` pairs, and how records make up invoices.

A record keeps its pairs as a list, not a dict, because the file is the truth: the order of the pairs,
a duplicated FileSpecID or a wrong RowType ID must survive parsing so that ``build(parse(text))``
gives the text back and the checker can point at what is wrong. Each record remembers where it came
from (``line 3``, or the form field ``InvoiceHeaderRecord``) so that a violation can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "FH",
    "IH",
    "CR",
    "ID",
    "ROW_TYPE_IDS",
    "IC_FIELDS",
    "Record",
    "Bif",
    "BifForm",
    "InvoiceRecords",
    "FORM_RECORD_KEYS",
    "group_invoices",
    "field_label",
]

FH, IH, CR, ID = "FH", "IH", "CR", "ID"

#: The FileSpecID of the RowType pair that opens each kind of record (the same in every design).
ROW_TYPE_IDS: dict[str, int] = {FH: 1, IH: 7, CR: 58, ID: 70}

#: IC's FileSpecIDs named in the designs (000, 001, 002, 004), with their record. Used to name a field
#: in messages and, when no partner mapping is given, to place an ``Invoice.extra`` field in IH or CR.
IC_FIELDS: dict[int, tuple[str, str]] = {
    1: ("RowType", FH), 2: ("BillerGuid", FH), 3: ("ThirdPartyFileReference", FH),
    4: ("FileCreationDate", FH), 5: ("InvoiceCount", FH), 6: ("TotalInvoiceAmount", FH),
    7: ("RowType", IH), 8: ("RecordType", IH), 9: ("InvoiceFormatGuid", IH), 10: ("InvoiceNumber", IH),
    11: ("InvoiceDate", IH), 12: ("InvoiceDueDate", IH), 13: ("TotalAmountDue", IH),
    20: ("AllowPartialPayments", IH), 21: ("MinimumAmountDue", IH),
    **{38 + n: (f"Custom{n + 1}", IH) for n in range(10)},
    93: ("BalanceDue", IH), 183: ("LocationReference", IH), 186: ("LateFeeAmount", IH),
    187: ("LateFeeDate", IH), 191: ("ApplyLateFeeIfNoPaymentsOnly", IH), 194: ("BalanceForward", IH),
    248: ("AutoPayCollectionDate", IH), 252: ("InvoiceTypeID", IH), 375: ("Active", IH),
    58: ("RowType", CR), 59: ("AccountNumber", CR), 60: ("CustomerName", CR), 61: ("Address1", CR),
    62: ("Address2", CR), 63: ("City", CR), 64: ("State", CR), 65: ("Zip", CR), 67: ("EmailAddress", CR),
    356: ("BlockPaymentsCC", CR), 357: ("BlockPaymentsEFT", CR), 373: ("DisplayAccountNumber", CR),
    409: ("Active", CR),
    70: ("RowType", ID), 72: ("Description", ID), 79: ("Amount", ID),
}


def field_label(spec_id: int) -> str:
    """``11 (InvoiceDate)``, or just ``11`` for a FileSpecID no design names."""
    known = IC_FIELDS.get(spec_id)
    return f"{spec_id} ({known[0]})" if known else str(spec_id)


@dataclass
class Record:
    """One FH/IH/CR/ID record: its pairs in order, the first being the RowType pair (``7~IH``).

    ``line`` is the 1-based line in a file (0 in a web-service form); ``where`` is what a message
    calls the record: ``line 3`` or ``InvoiceHeaderRecord``; ``origin`` is the form field it came from.
    """

    pairs: list[tuple[int, str]]
    line: int = 0
    where: str = ""
    origin: str = ""

    @classmethod
    def new(cls, kind: str, fields: Iterable[tuple[int, str]], *, line: int = 0, origin: str = "") -> Record:
        """A record of ``kind`` with its RowType pair prepended to ``fields``."""
        return cls([(ROW_TYPE_IDS[kind], kind), *fields], line=line, origin=origin)

    def __post_init__(self) -> None:
        if not self.where:
            self.where = self.origin or (f"line {self.line}" if self.line else "record")

    @property
    def kind(self) -> str:
        """FH, IH, CR or ID: the value of the RowType pair (the parser refuses anything else)."""
        return self.pairs[0][1] if self.pairs else ""

    def get(self, spec_id: int) -> str | None:
        """The value of the first pair with this FileSpecID (the checker reports duplicates)."""
        for key, value in self.pairs:
            if key == spec_id:
                return value
        return None

    def value(self, spec_id: int) -> str:
        """The value, "" when the field is absent or empty (IC treats both alike)."""
        return self.get(spec_id) or ""

    def location(self, spec_id: int | None = None) -> str:
        """``line 3 FileSpecID 11``: the location of a violation, in the file's own terms."""
        return self.where if spec_id is None else f"{self.where} FileSpecID {spec_id}"


@dataclass
class InvoiceRecords:
    """The records of one invoice: one IH, one CR and any number of ID records.

    ``header`` or ``customer`` is None when the file lacks it; the checker reports that.
    """

    header: Record | None = None
    customer: Record | None = None
    details: list[Record] = field(default_factory=list)

    @property
    def first(self) -> Record:
        """The first record of the invoice, where a message about the whole invoice points."""
        present = [r for r in (self.header, self.customer, *self.details) if r is not None]
        return min(present, key=lambda r: r.line)

    @property
    def account_number(self) -> str:
        return self.customer.value(59) if self.customer else ""

    @property
    def invoice_number(self) -> str:
        return self.header.value(10) if self.header else ""


def group_invoices(records: Sequence[Record]) -> list[InvoiceRecords]:
    """Split IH/CR/ID records into invoices; FH records are ignored.

    The designs do not say whether an invoice's IH or CR comes first (the table lists IH first, the
    web-service form CR first), so either order is accepted: a new invoice starts when an IH or CR
    arrives and the current invoice already has one, or already has ID records (details close an invoice).
    """
    groups: list[InvoiceRecords] = []
    current: InvoiceRecords | None = None
    for record in records:
        kind = record.kind
        if kind == FH:
            continue
        if current is None or (
            kind in (IH, CR)
            and (current.details or (current.header if kind == IH else current.customer) is not None)
        ):
            current = InvoiceRecords()
            groups.append(current)
        if kind == IH:
            current.header = record
        elif kind == CR:
            current.customer = record
        else:
            current.details.append(record)
    return groups


@dataclass
class Bif:
    """A BIF file: an FH record, then the records of each invoice, one record per line.

    ``newline`` and ``final_newline`` are kept so that building the parsed file gives its text back.
    """

    records: list[Record]
    newline: str = "\n"
    final_newline: bool = True

    @property
    def header(self) -> Record | None:
        """The file header, when the file starts with one."""
        return self.records[0] if self.records and self.records[0].kind == FH else None

    def invoice_records(self) -> list[InvoiceRecords]:
        return group_invoices(self.records)


#: The form fields of the web service that carry records, and the record kind each should carry.
FORM_RECORD_KEYS: dict[str, str] = {
    "CustomerRecord": CR,
    "InvoiceHeaderRecord": IH,
    "InvoiceDetailRecords": ID,
}


@dataclass
class BifForm:
    """The web-service form of one invoice (design 004 sample): no FH, one CR, one IH, ID records.

    ``params`` are the other form fields (``BillerGUID``, ``WebServiceKey``); ``keys`` is the order of
    all fields in the body, and ``trailing_separator`` the final ``&`` of the design's sample.
    """

    records: list[Record]
    params: dict[str, str] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    trailing_separator: bool = False

    def invoice_records(self) -> list[InvoiceRecords]:
        return group_invoices(self.records)

    def records_of(self, key: str) -> list[Record]:
        return [r for r in self.records if r.origin == key]
