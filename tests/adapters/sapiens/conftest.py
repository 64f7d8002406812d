"""Fixtures of the Sapiens adapter tests: a fake BillingPro/PolicyPro that checks every request IC sent
against the contract when the test ends (they override the IMT fixtures of ``tests/adapters/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from adapters import SapiensAdapter
from tests.adapters.fake_sapiens import NOW, FakeSapiens, make_settings, mounted


@pytest.fixture
def fake() -> Iterator[FakeSapiens]:
    fake = FakeSapiens()
    yield fake
    assert fake.request_violations() == []  # every request IC sent conforms to the contract


@pytest.fixture
def session(fake: FakeSapiens) -> Iterator[requests.Session]:
    with mounted(fake) as s:
        yield s


@pytest.fixture
def adapter(session: requests.Session) -> SapiensAdapter:
    return SapiensAdapter(make_settings(), session, clock=lambda: NOW)
