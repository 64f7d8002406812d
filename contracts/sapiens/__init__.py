"""Sapiens CoreSuite BillingPro and PolicyPro (design 004): WSDL, payload XSDs and ``operations.yaml``."""

from __future__ import annotations

from pathlib import Path

from contracts.soap import SoapContract

__all__ = ["load", "HERE"]

HERE = Path(__file__).parent


def load(folder: Path = HERE) -> SoapContract:
    return SoapContract("sapiens", folder / "operations.yaml", folder / "exchanges")
