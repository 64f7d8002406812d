"""TCCS InvoiceCloud API (design 002): OpenAPI 3.1 for the form, ``grammars.yaml`` for ``contentInfo``."""

from __future__ import annotations

from pathlib import Path

from contracts.tccs.contract import TccsContract

__all__ = ["load", "HERE", "TccsContract"]

HERE = Path(__file__).parent


def load(folder: Path = HERE) -> TccsContract:
    return TccsContract(folder / "openapi.yaml", folder / "grammars.yaml", folder / "exchanges")
