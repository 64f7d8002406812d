"""Loading partner BIF mappings: the IMT mapping as the design gives it, and clear errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.bif import RULES, load_mapping, load_mapping_file, mapping_partners
from contracts.errors import ContractLoadError

MINIMAL = """\
version: 1
partner: demo
rules: [instance_suffix]
fields:
  - {id: 1, field: RowType, record: FH, in_file: Y, required: T, fixed: FH}
  - {id: 10, field: InvoiceNumber, record: IH, in_file: Y, required: T}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo" / "bif_mapping.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_imt_mapping_follows_design_000() -> None:
    imt = load_mapping("imt")
    assert imt.partner == "imt" and "design 000" in imt.source
    assert imt.rules == ("instance_suffix", "balance_forward_off_on_repeat", "minimum_due_equals_balance_due")
    invoice_type = imt.spec("IH", 252)
    assert invoice_type is not None and invoice_type.fixed == "164" and invoice_type.required
    record_type = imt.spec("IH", 8)
    assert record_type is not None and record_type.fixed == "N"
    guid = imt.spec("IH", 9)
    assert guid is not None and not guid.in_file
    assert [f.spec_id for f in imt.fields_for("CR")] == [58, 59, 60, 61, 62, 63, 64, 65]
    custom7 = imt.spec("IH", 44)
    assert custom7 is not None and custom7.partner_field == "Policy Number"
    date = imt.spec("IH", 11)
    assert date is not None and date.format == "date"


def test_imt_inferences_are_marked_assumed() -> None:
    imt = load_mapping("imt")
    for spec_id in (194, 248, 252):  # rows without a record type in the design's table
        spec = imt.spec("IH", spec_id)
        assert spec is not None and "record IH" in spec.assumed


def test_registry_finds_mappings_by_folder() -> None:
    assert "imt" in mapping_partners()
    assert load_mapping("imt") is load_mapping("imt")


@pytest.mark.parametrize("partner", ["nope", "../imt", "IMT"])
def test_unknown_partner_lists_known_ones(partner: str) -> None:
    with pytest.raises(ContractLoadError, match=r"no BIF mapping for partner .*partners with one: .*imt"):
        load_mapping(partner)


def test_minimal_mapping_loads(tmp_path: Path) -> None:
    mapping = load_mapping_file(write(tmp_path, MINIMAL), "demo")
    assert mapping.rules == ("instance_suffix",)
    assert mapping.records_of(10) == ["IH"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("version: 1", "version: 2", "version: expected 1, found 2"),
        ("rules: [instance_suffix]", "rules: [suffix]", "unknown rule 'suffix'; known rules: " + ", ".join(RULES)),
        ("required: T}", "required: T, formt: date}", "unknown key.*formt"),
        ("record: IH", "record: XX", "record 'XX' is not one of FH, IH, CR, ID"),
        ("required: T}", "required: T, format: dollars}", "format 'dollars' is not one of"),
        ("in_file: Y, required: T}", "in_file: maybe, required: T}", "expected Y/N or T/F"),
        ("required: T}", "required: T, format: date, fixed: soon}", "fixed value 'soon' is not a date"),
        ("required: T}", "required: T, pattern: '('}", "is not a regular expression"),
        ("partner: demo", "partner: other", "expected 'demo'"),
    ],
)
def test_bad_mapping_is_refused_with_a_hint(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in MINIMAL
    with pytest.raises(ContractLoadError, match=message):
        load_mapping_file(write(tmp_path, MINIMAL.replace(old, new, 1)), "demo")


def test_file_spec_id_defined_twice_in_a_record(tmp_path: Path) -> None:
    text = MINIMAL + "  - {id: 10, field: InvoiceNumber, record: IH}\n"
    with pytest.raises(ContractLoadError, match="FileSpecID 10: defined twice for record IH"):
        load_mapping_file(write(tmp_path, text), "demo")


def test_unparseable_yaml_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(ContractLoadError, match="cannot read the BIF mapping"):
        load_mapping_file(write(tmp_path, "fields: [\n"))
