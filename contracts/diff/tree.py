"""Which engine compares which document, for two contract folders, two documents, or two trees of
partner folders (``contracts/`` at two git revisions).

A partner folder holds some of: ``openapi.yaml`` (REST), ``grammars.yaml`` (``contentInfo``),
``bif_mapping.yaml`` (the BIF) and ``operations.yaml`` (SOAP, naming its WSDLs and payload XSDs). A single
document is recognised by its name or, failing that, by its content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from contracts.bif.mapping import load_mapping_file
from contracts.diff.bif import diff_mappings
from contracts.diff.grammars import diff_grammars
from contracts.diff.model import CLIENTS, PARTNER, Change, added, removed
from contracts.diff.openapi import diff_openapi
from contracts.diff.soap import diff_operations, diff_wsdl, diff_xsd, load_yaml
from contracts.errors import ContractLoadError
from contracts.formgrammar import load_grammars

__all__ = ["diff_paths", "diff_folders", "diff_documents", "diff_trees", "document_kind", "KINDS"]

#: The documents of a partner folder, by the file name that marks them, and their kinds.
KINDS: dict[str, str] = {
    "openapi.yaml": "openapi",
    "grammars.yaml": "grammars",
    "bif_mapping.yaml": "bif",
    "operations.yaml": "soap",
}


def document_kind(path: Path) -> str:
    """openapi, grammars, bif, soap (operations.yaml), wsdl or xsd."""
    if path.name in KINDS:
        return KINDS[path.name]
    suffix = path.suffix.lower()
    if suffix in (".wsdl", ".xsd"):
        return suffix[1:]
    if suffix in (".yaml", ".yml", ".json"):
        data = load_yaml(path)
        if isinstance(data, Mapping):
            if "openapi" in data:
                return "openapi"
            if "form_field" in data and "operations" in data:
                return "grammars"
            if "services" in data and "operations" in data:
                return "soap"
            if isinstance(data.get("fields"), list):
                return "bif"
    raise ContractLoadError(f"{path}: not a contract document partnersim can compare (an OpenAPI document, "
                            "grammars.yaml, bif_mapping.yaml, operations.yaml, a .wsdl or an .xsd)")


def _openapi(old: Path, new: Path) -> Iterator[Change]:
    before, after = load_yaml(old), load_yaml(new)
    for doc, path in ((before, old), (after, new)):
        if not isinstance(doc, Mapping) or "paths" not in doc:
            raise ContractLoadError(f"{path}: not an OpenAPI document (no 'paths')")
    return diff_openapi(before, after)


_ENGINES: dict[str, Callable[[Path, Path], Iterable[Change]]] = {
    "openapi": _openapi,
    "grammars": lambda old, new: diff_grammars(load_grammars(old), load_grammars(new)),
    "bif": lambda old, new: diff_mappings(load_mapping_file(old), load_mapping_file(new)),
    "soap": diff_operations,
    "wsdl": diff_wsdl,
    "xsd": diff_xsd,
}


def _partner_of(folder: Path, given: str | None) -> str:
    if given:
        return given
    for name in ("grammars.yaml", "bif_mapping.yaml", "operations.yaml"):
        path = folder / name
        if path.is_file():
            data = load_yaml(path)
            if isinstance(data, Mapping) and data.get("partner"):
                return str(data["partner"])
    return folder.name


def diff_documents(old: Path, new: Path, partner: str = "") -> list[Change]:
    """Two versions of one document (kinds must agree)."""
    kind, other = document_kind(old), document_kind(new)
    if kind != other:
        raise ContractLoadError(f"{old} ({kind}) and {new} ({other}) are different kinds of document: compare like with like")
    return merge(c.at(partner, new.name) for c in _ENGINES[kind](old, new))


def diff_folders(old: Path, new: Path, partner: str | None = None) -> list[Change]:
    """Two versions of one partner's contract folder."""
    name = _partner_of(new if new.is_dir() else old, partner)
    changes: list[Change] = []
    for doc in KINDS:
        before, after = old / doc, new / doc
        if before.is_file() and after.is_file():
            changes += diff_documents(before, after, name)
        elif before.is_file():
            changes.append(removed(doc, "document removed", "document-removed", (CLIENTS, PARTNER)).at(name, doc))
        elif after.is_file():
            changes.append(added("request", doc, "document added", "document-added").at(name, doc))
    return changes


def _is_partner_folder(path: Path) -> bool:
    return path.is_dir() and any((path / doc).is_file() for doc in KINDS)


def partner_folders(root: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(root.iterdir()) if _is_partner_folder(p)} if root.is_dir() else {}


def diff_trees(old: Path, new: Path, partners: Iterable[str] = ()) -> list[Change]:
    """Two ``contracts/`` folders: every partner folder in either (or only ``partners``)."""
    before, after = partner_folders(old), partner_folders(new)
    wanted = set(partners)
    unknown = wanted - before.keys() - after.keys()
    if unknown:
        raise ContractLoadError(f"no contract folder for {', '.join(sorted(unknown))}; partners: "
                                f"{', '.join(sorted(before.keys() | after.keys())) or 'none'}")
    changes: list[Change] = []
    for name in sorted(before.keys() | after.keys()):
        if wanted and name not in wanted:
            continue
        if name not in after:
            changes.append(removed("", "contract removed", "partner-removed", (CLIENTS, PARTNER)).at(name, ""))
        elif name not in before:
            changes.append(added("request", "", "contract added", "partner-added").at(name, ""))
        else:
            changes += diff_folders(before[name], after[name], name)
    return changes


def diff_paths(old: Path, new: Path, partner: str | None = None) -> list[Change]:
    """Two documents, two partner folders, or two trees of partner folders."""
    for path in (old, new):
        if not path.exists():
            raise ContractLoadError(f"{path}: no such file or folder")
    if old.is_dir() != new.is_dir():
        raise ContractLoadError(f"{old} and {new}: compare two folders or two documents, not one of each")
    if not old.is_dir():
        return diff_documents(old, new, partner or "")
    if _is_partner_folder(old) or _is_partner_folder(new):
        return diff_folders(old, new, partner)
    if partner_folders(old) or partner_folders(new):
        return diff_trees(old, new, [partner] if partner else [])
    raise ContractLoadError(f"{old} and {new} hold no contract documents ({', '.join(KINDS)}) "
                            "nor partner folders that do")


def merge(changes: Iterable[Change]) -> list[Change]:
    """Identical changes of several operations (a shared schema) as one, naming them all; order kept."""
    groups: dict[tuple[Any, ...], list[Change]] = {}
    for change in changes:
        key = (change.severity, change.breaks, change.message, change.kind, change.partner, change.document)
        groups.setdefault(key, []).append(change)
    out: list[Change] = []
    for group in groups.values():
        wheres = list(dict.fromkeys(w for c in group for w in c.where.split(", ") if w))
        first = group[0]
        out.append(Change(first.severity, first.breaks, ", ".join(wheres), first.message, first.kind,
                          first.partner, first.document))
    return out
