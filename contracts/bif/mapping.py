"""A partner's BIF field mapping, as data: ``contracts/<partner>/bif_mapping.yaml``.

The YAML mirrors the design's Field Mapping table, one entry a row (FileSpecID, IC field, record type,
In File Y/N, Required T/F, partner field name / format / description), plus what the checker needs
that the table says in prose: ``format``, ``fixed`` values and named ``rules``. Every entry may carry
``source:`` (the design section) and ``assumed:`` (what we inferred where the design is silent), so a
reader can tell a contract from a guess. Adding a partner is adding one such file: ``load_mapping``
finds it by name, nothing to register.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from contracts.bif.formats import FORMATS
from contracts.bif.records import ROW_TYPE_IDS
from contracts.bif.rules import RULES
from contracts.errors import ContractLoadError

__all__ = ["FieldSpec", "BifMapping", "load_mapping", "load_mapping_file", "mapping_partners", "MAPPING_FILE"]

MAPPING_FILE = "bif_mapping.yaml"
VERSION = 1
_CONTRACTS_DIR = Path(__file__).resolve().parent.parent
_PARTNER = re.compile(r"[a-z][a-z0-9_]*")
_TOP_KEYS = {"version", "partner", "source", "assumed", "file", "rules", "fields", "note"}
_FIELD_KEYS = {"id", "field", "record", "in_file", "required", "format", "fixed", "pattern",
               "partner_field", "partner_format", "description", "source", "assumed", "note"}
_RULE_KEYS = {"name", "source", "assumed", "note"}
_YES = {"Y": True, "N": False, "T": True, "F": False, "TRUE": True, "FALSE": False}


@dataclass(frozen=True)
class FieldSpec:
    """One row of the Field Mapping table."""

    spec_id: int
    name: str
    record: str
    in_file: bool = True
    required: bool = False
    format: str = "string"
    fixed: str | None = None
    pattern: str | None = None
    partner_field: str = ""
    partner_format: str = ""
    description: str = ""
    source: str = ""
    assumed: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.spec_id} ({self.name})"


@dataclass(frozen=True)
class BifMapping:
    """A partner's mapping: its fields by record type and the named rules it opts into."""

    partner: str
    fields: tuple[FieldSpec, ...]
    rules: tuple[str, ...] = ()
    source: str = ""
    path: Path | None = None
    _index: dict[tuple[str, int], FieldSpec] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({(f.record, f.spec_id): f for f in self.fields})

    def fields_for(self, record: str) -> list[FieldSpec]:
        """The fields of one record type, in the table's order."""
        return [f for f in self.fields if f.record == record]

    def spec(self, record: str, spec_id: int) -> FieldSpec | None:
        """The row for this FileSpecID in this record type, None when the mapping does not have it."""
        return self._index.get((record, spec_id))

    def records_of(self, spec_id: int) -> list[str]:
        """The record types that define this FileSpecID (to say where a misplaced field belongs)."""
        return [f.record for f in self.fields if f.spec_id == spec_id]

    def contract(self, what: str) -> str:
        """The ``contract`` of a violation: the mapping file and the rule inside it."""
        return f"{self.partner}/{MAPPING_FILE} {what}"


def mapping_partners() -> list[str]:
    """The partners that have a BIF mapping (``contracts/<partner>/bif_mapping.yaml``)."""
    return sorted(p.parent.name for p in _CONTRACTS_DIR.glob(f"*/{MAPPING_FILE}"))


@cache
def load_mapping(partner: str) -> BifMapping:
    """The BIF mapping of a partner; cached, which is safe because a mapping is immutable."""
    path = _CONTRACTS_DIR / partner / MAPPING_FILE
    if not _PARTNER.fullmatch(partner) or not path.is_file():
        known = ", ".join(mapping_partners()) or "none"
        raise ContractLoadError(f"no BIF mapping for partner {partner!r}; partners with one: {known} "
                                f"(add contracts/{partner}/{MAPPING_FILE} to create it)")
    return load_mapping_file(path, partner)


def load_mapping_file(path: Path, partner: str | None = None) -> BifMapping:
    """A mapping from any YAML file (tests use this to try a mapping in ``tmp_path``)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContractLoadError(f"{path}: cannot read the BIF mapping: {exc}") from exc
    return _mapping(data, path, partner)


def _fail(path: Path, where: str, message: str) -> ContractLoadError:
    return ContractLoadError(f"{path}: {where}: {message}")


def _mapping(data: Any, path: Path, partner: str | None) -> BifMapping:
    if not isinstance(data, Mapping):
        raise _fail(path, "top level", "expected a mapping with version, partner, fields")
    _no_unknown(data, _TOP_KEYS, path, "top level")
    if data.get("version") != VERSION:
        raise _fail(path, "version", f"expected {VERSION}, found {data.get('version')!r}; this partnersim reads "
                    f"BIF mapping version {VERSION} (upgrade partnersim or fix the file)")
    name = str(data.get("partner") or partner or path.parent.name)
    if partner is not None and name != partner:
        raise _fail(path, "partner", f"expected {partner!r} (the folder's name), found {name!r}")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise _fail(path, "fields", "expected a non-empty list of FileSpecID rows")
    fields = tuple(_field(row, path, n) for n, row in enumerate(raw_fields))
    seen: set[tuple[str, int]] = set()
    for f in fields:
        if (f.record, f.spec_id) in seen:
            raise _fail(path, f"FileSpecID {f.spec_id}", f"defined twice for record {f.record}")
        seen.add((f.record, f.spec_id))
    return BifMapping(partner=name, fields=fields, rules=_rules(data.get("rules") or [], path),
                      source=str(data.get("source", "")), path=path)


def _no_unknown(data: Mapping[str, Any], allowed: set[str], path: Path, where: str) -> None:
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise _fail(path, where, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _flag(value: Any, path: Path, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).upper() in _YES:
        return _YES[str(value).upper()]
    raise _fail(path, where, f"expected Y/N or T/F, found {value!r}")


def _field(row: Any, path: Path, n: int) -> FieldSpec:
    if not isinstance(row, Mapping) or not isinstance(row.get("id"), int):
        raise _fail(path, f"fields[{n}]", "expected a mapping with an integer id (the FileSpecID)")
    where = f"FileSpecID {row['id']}"
    _no_unknown(row, _FIELD_KEYS, path, where)
    record = str(row.get("record", ""))
    if record not in ROW_TYPE_IDS:
        raise _fail(path, where, f"record {record!r} is not one of {', '.join(ROW_TYPE_IDS)}")
    fmt = str(row.get("format", "string"))
    if fmt not in FORMATS:
        raise _fail(path, where, f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    fixed = None if row.get("fixed") is None else str(row["fixed"])
    if fixed is not None and not FORMATS[fmt].matches(fixed):
        raise _fail(path, where, f"fixed value {fixed!r} is not {FORMATS[fmt].description}")
    pattern = None if row.get("pattern") is None else str(row["pattern"])
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(path, where, f"pattern {pattern!r} is not a regular expression: {exc}") from exc
    return FieldSpec(
        spec_id=row["id"], name=str(row.get("field", "")), record=record,
        in_file=_flag(row.get("in_file", "Y"), path, f"{where} in_file"),
        required=_flag(row.get("required", "F"), path, f"{where} required"),
        format=fmt, fixed=fixed, pattern=pattern,
        partner_field=str(row.get("partner_field", "")), partner_format=str(row.get("partner_format", "")),
        description=str(row.get("description", "")), source=str(row.get("source", "")),
        assumed=str(row.get("assumed", "")), note=str(row.get("note", "")),
    )


def _rules(raw: Any, path: Path) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise _fail(path, "rules", "expected a list of rule names")
    names = []
    for item in raw:
        if isinstance(item, Mapping):
            _no_unknown(item, _RULE_KEYS, path, "rules")
            item = item.get("name")
        if str(item) not in RULES:
            raise _fail(path, "rules", f"unknown rule {item!r}; known rules: {', '.join(RULES)}")
        names.append(str(item))
    return tuple(names)
