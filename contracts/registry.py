"""The partners' contracts, registered in one place.

Adding a partner: create ``contracts/<partner>/`` with a ``load()`` returning its ``Contract`` and add
one line to ``_PARTNERS``.
"""

from __future__ import annotations

import importlib
from functools import cache

from contracts.contract import Contract
from contracts.errors import ContractLoadError

__all__ = ["partner_names", "load_contract"]

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
