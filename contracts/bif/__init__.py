"""IC's invoice file (BIF): parse, build and check it against a partner's mapping.

A BIF is records of pipe-separated ``FileSpecID~value`` pairs: one FH (file header), then for each
invoice an IH (invoice header), a CR (customer record) and ID (invoice detail) records. The same
records travel one invoice at a time in IC's web-service form
(``CustomerRecord=58~CR|59~...&InvoiceHeaderRecord=7~IH|...&InvoiceDetailRecords=70~ID|...``).

::

    bif = parse(path.read_text())                # BifError if unreadable as a whole
    for violation in iter_violations(bif, load_mapping("imt")):
        print(violation)                         # line 3 FileSpecID 11: expected a date MM/DD/YYYY, ...
    known = invoices(bif)                        # what IC knows about each invoice
    text = build(bif_from_invoices(known, load_mapping("imt"), biller_guid=..., created=...))
"""

from contracts.bif.check import check, iter_violations
from contracts.bif.codec import build, build_form, parse, parse_form
from contracts.bif.formats import FORMATS
from contracts.bif.invoices import bif_from_invoices, form_from_invoice, invoice_records, invoices
from contracts.bif.mapping import BifMapping, FieldSpec, load_mapping, load_mapping_file, mapping_partners
from contracts.bif.model import Invoice
from contracts.bif.records import Bif, BifForm, InvoiceRecords, Record
from contracts.bif.rules import RULES

__all__ = [
    "FORMATS",
    "RULES",
    "Bif",
    "BifForm",
    "BifMapping",
    "FieldSpec",
    "Invoice",
    "InvoiceRecords",
    "Record",
    "bif_from_invoices",
    "build",
    "build_form",
    "check",
    "form_from_invoice",
    "invoice_records",
    "invoices",
    "iter_violations",
    "load_mapping",
    "load_mapping_file",
    "mapping_partners",
    "parse",
    "parse_form",
]
