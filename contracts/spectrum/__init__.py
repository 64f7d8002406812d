"""IMT Spectrum (design 001): OpenAPI 3.1 for the API core (token, RTDR, payments) and the auth host
(sessions, paperless and autopay settings)."""

from __future__ import annotations

from pathlib import Path

from contracts.openapi import OpenApiContract

__all__ = ["load", "HERE"]

HERE = Path(__file__).parent


def load(folder: Path = HERE) -> OpenApiContract:
    return OpenApiContract("spectrum", folder / "openapi.yaml", folder / "exchanges")
