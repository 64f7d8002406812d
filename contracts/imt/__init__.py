"""IMT MIPS/APPS billing API (design 000): OpenAPI 3.1 for the users and billing hosts."""

from __future__ import annotations

from pathlib import Path

from contracts.openapi import OpenApiContract

__all__ = ["load", "HERE"]

HERE = Path(__file__).parent


def load(folder: Path = HERE) -> OpenApiContract:
    return OpenApiContract("imt", folder / "openapi.yaml", folder / "exchanges")
