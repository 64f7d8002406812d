"""What IC knows about each invoice of a BIF, and BIFs written from ``Invoice`` objects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import contracts
from contracts.bif import (
    Invoice,
    bif_from_invoices,
    build,
    build_form,
    check,
    form_from_invoice,
    invoices,
    load_mapping,
    parse,
    parse_form,
)
from contracts.errors import BifError

SAMPLE = Path(contracts.__file__).parent / "imt" / "sample.bif"
GUID = "6F1C2B7E-3243-4C5A-9E0D-7A1B2C3D4E5F"


@pytest.fixture
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def test_invoices_of_the_imt_sample(sample: str) -> None:
    first, second, third = invoices(parse(sample))
    assert (first.account_number, first.invoice_number) == ("ACCT0001", "DIRINV-2024-07-12-ACCT0001-1")
    assert first.custom_field(7) == "INVOICECLOUDPOLICY" and first.custom_field(1) == "0417"
    assert first.invoice_date == date(2024, 7, 12) and first.due_date == date(2024, 8, 1)
    assert (first.total_amount_due, first.balance_due, first.minimum_amount_due) == (
        Decimal("936.00"), Decimal("312.00"), Decimal("312.00"))
    assert first.balance_forward is True and second.balance_forward is False
    assert second.account_number == "ACCT0001" and second.invoice_number.endswith("-2")
    assert third.account_number == "A10123433" and third.customer_name == "Casey Rivera"
    assert third.extra[248] == "07/28/2024" and third.extra[252] == "164" and third.extra[61] == "88 Lincoln Way"
    assert 10 not in third.extra and 44 not in third.extra  # taken by attributes and custom fields
    assert third.details == [{72: "Auto installment 4 of 6"}]
    assert third.custom_field(8) == ""


def test_sample_survives_invoices_and_back(sample: str) -> None:
    """Reading what IC knows and writing it again gives the same file: nothing is lost on the way."""
    rebuilt = bif_from_invoices(invoices(parse(sample)), load_mapping("imt"), biller_guid=GUID,
                                created=date(2024, 7, 12), file_reference="3243_07122024063838")
    assert build(rebuilt) == sample


def _invoice(number: str, account: str = "ACCT0009", total: str = "100.00") -> Invoice:
    return Invoice(account, number, date(2024, 7, 12), date(2024, 8, 1), Decimal(total), Decimal(total),
                   customer_name="Pat Doe", custom={1: "0417", 7: "POL1"}, extra={65: "50265"})


def test_builder_adds_the_mapping_fixed_values_and_header_totals() -> None:
    imt = load_mapping("imt")
    bif = bif_from_invoices([_invoice("X-1", total="10.10"), _invoice("Y-1", "ACCT0010", "5.05")], imt,
                            biller_guid=GUID, created=date(2024, 7, 12))
    header, ih = bif.records[0], bif.records[1]
    assert (header.value(5), header.value(6)) == ("2", "15.15")
    assert (ih.value(8), ih.value(20), ih.value(252)) == ("N", "0", "164")
    assert ih.get(9) is None  # In File N: not written
    assert bif.records[2].value(65) == "50265"  # extra placed in the CR by the mapping
    assert check(bif, imt) == []


def test_builder_without_mapping_writes_only_what_it_is_given() -> None:
    bif = bif_from_invoices([_invoice("X-1")], biller_guid=GUID, created=date(2024, 7, 12))
    ih, cr = bif.records[1], bif.records[2]
    assert [k for k, _ in ih.pairs] == [7, 10, 11, 12, 13, 38, 44, 93]
    assert [k for k, _ in cr.pairs] == [58, 59, 60, 65]  # 65 goes to the CR by IC's field catalogue


def test_built_file_violations_name_the_lines_of_the_text() -> None:
    imt = load_mapping("imt")
    bif = bif_from_invoices([_invoice("X-1"), _invoice("X-1")], imt, biller_guid=GUID, created=date(2024, 7, 12))
    assert [v.location for v in check(bif, imt)] == ["line 4 FileSpecID 10", "line 4 FileSpecID 194"]
    assert [v.location for v in check(parse(build(bif)), imt)] == ["line 4 FileSpecID 10", "line 4 FileSpecID 194"]


def test_builder_refuses_custom_fields_ic_does_not_have() -> None:
    invoice = _invoice("X-1")
    invoice.custom[11] = "nope"
    with pytest.raises(BifError, match="Custom11 does not exist"):
        bif_from_invoices([invoice], biller_guid=GUID, created=date(2024, 7, 12))


def test_form_from_invoice_round_trips_through_the_form(sample: str) -> None:
    imt = load_mapping("imt")
    first = invoices(parse(sample))[0]
    form = form_from_invoice(first, imt, params={"BillerGUID": GUID, "WebServiceKey": "<KEY>"})
    text = build_form(form)
    assert text.startswith(f"BillerGUID={GUID}&WebServiceKey=<KEY>&CustomerRecord=58~CR|59~ACCT0001|")
    assert "&InvoiceHeaderRecord=7~IH|8~N|10~DIRINV-2024-07-12-ACCT0001-1|" in text
    assert check(parse_form(text), imt) == []
    assert invoices(parse_form(text)) == [first]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("|11~07/12/2024|", "|11~2024-07-12|", r"line 2 FileSpecID 11: '2024-07-12' is not a date MM/DD/YYYY"),
        ("|13~936.00|", "|13~$936|", r"line 2 FileSpecID 13: '\$936' is not an amount"),
        ("|194~1|", "|194~yes|", r"line 2 FileSpecID 194: 'yes' is not 1 or 0"),
        ("\n58~CR|59~ACCT0001|60~Jordan Miller|61~1205 Grand Ave|63~West Des Moines|64~IA|65~50265\n70~ID|72~Homeowners "
         "installment 2", "\n70~ID|72~Homeowners installment 2", "line 2: this invoice has no CR record"),
    ],
)
def test_invoices_refuses_what_ic_could_not_load(sample: str, old: str, new: str, message: str) -> None:
    assert old in sample
    with pytest.raises(BifError, match=message):
        invoices(parse(sample.replace(old, new, 1)))
