"""IMT MIPS/APPS billing API (design 000): OpenAPI 3.1 for the users and billing hosts."""

from __future__ import annotations

from pathlib import Path

from contracts.openapi import OpenApiContract

__all__ = ["load", "HERE"]

HERE = Path(__file__).parent


def load() -> OpenApiContract:
    return OpenApiContract("imt", HERE / "openapi.yaml", HERE / "exchanges")
