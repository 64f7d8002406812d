"""The partners' contracts, registered in one place.

Adding a partner: create ``contracts/<partner>/`` with a ``load(folder=HERE)`` returning its ``Contract``
(read from ``folder``: a copy of the partner's contract files elsewhere loads the same way) and add one
line to ``_PARTNERS``.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from contracts.contract import Contract
from contracts.errors import ContractLoadError

__all__ = ["partner_names", "load_contract", "load_contract_from"]

_PARTNERS: dict[str, str] = {
    "imt": "contracts.imt",
    "sapiens": "contracts.sapiens",
    "tccs": "contracts.tccs",
    "spectrum": "contracts.spectrum",
}


def partner_names() -> list[str]:
    return list(_PARTNERS)


@cache
def load_contract(partner: str) -> Contract:
    if partner not in _PARTNERS:
        raise ContractLoadError(f"no contract for partner {partner!r}; known partners: {', '.join(_PARTNERS)}")
    module = importlib.import_module(_PARTNERS[partner])
    contract = module.load()
    if not isinstance(contract, Contract):
        raise ContractLoadError(f"{_PARTNERS[partner]}.load() did not return a Contract")
    return contract


def load_contract_from(partner: str, folder: Path) -> Contract:
    """The partner's contract read from ``folder`` (a copy of ``contracts/<partner>/``, edited), not cached."""
    if partner not in _PARTNERS:
        raise ContractLoadError(f"no contract for partner {partner!r}; known partners: {', '.join(_PARTNERS)}")
    if not folder.is_dir():
        raise ContractLoadError(f"{folder}: no such folder; give a copy of contracts/{partner}/")
    contract = importlib.import_module(_PARTNERS[partner]).load(folder)
    if not isinstance(contract, Contract):
        raise ContractLoadError(f"{_PARTNERS[partner]}.load() did not return a Contract")
    return contract
