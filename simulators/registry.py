"""The partner simulators, registered in one place (one line per partner)."""

from __future__ import annotations

import importlib

from simulators.errors import SimulatorError
from simulators.partner import PartnerSimulator

__all__ = ["partner_simulators"]

_PARTNERS: dict[str, str] = {
    "imt": "simulators.imt:ImtSimulator",
    "sapiens": "simulators.sapiens:SapiensSimulator",
    "spectrum": "simulators.spectrum:SpectrumSimulator",
    "tccs": "simulators.tccs:TccsSimulator",
}


def partner_simulators(names: list[str] | None = None) -> dict[str, PartnerSimulator]:
    chosen = names or list(_PARTNERS)
    unknown = [n for n in chosen if n not in _PARTNERS]
    if unknown:
        raise SimulatorError(f"unknown partners {unknown}; known: {', '.join(_PARTNERS)}")
    out: dict[str, PartnerSimulator] = {}
    for name in chosen:
        module, _, cls = _PARTNERS[name].partition(":")
        out[name] = getattr(importlib.import_module(module), cls)()
    return out
