"""The partner adapters, registered in one place.

Adding a partner: write ``adapters/<partner>.py`` (or a package) with a ``PartnerAdapter`` subclass and add one
line to ``_ADAPTERS``. Modules are imported on first use, so a partner's adapter costs nothing until
it is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import requests

from adapters.base import PartnerAdapter
from adapters.errors import AdapterConfigError
from adapters.settings import BillerSettings

__all__ = ["adapter_names", "create_adapter"]

_ADAPTERS: dict[str, str] = {
    "imt": "adapters.imt:ImtAdapter",
    "sapiens": "adapters.sapiens:SapiensAdapter",
    "spectrum": "adapters.spectrum:SpectrumAdapter",
    "tccs": "adapters.tccs:TccsAdapter",
}


def adapter_names() -> list[str]:
    return list(_ADAPTERS)


def create_adapter(
    partner: str,
    settings: BillerSettings | Mapping[str, Any],
    *,
    session: requests.Session | None = None,
) -> PartnerAdapter:
    """The adapter for ``partner`` with the biller's settings (a ``BillerSettings`` or its dict form)."""
    if partner not in _ADAPTERS:
        raise AdapterConfigError(f"no adapter for partner {partner!r}; known partners: {', '.join(_ADAPTERS)}")
    if not isinstance(settings, BillerSettings):
        settings = BillerSettings.from_dict(settings)
    module_name, _, class_name = _ADAPTERS[partner].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, PartnerAdapter)):
        raise AdapterConfigError(f"{_ADAPTERS[partner]} is not a PartnerAdapter")
    adapter: PartnerAdapter = cls(settings, session)
    return adapter
