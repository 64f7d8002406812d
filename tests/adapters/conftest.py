"""Fixtures for the adapter tests (the fake itself is in ``fake_imt``; network is guarded by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from adapters import ImtAdapter
from tests.adapters.fake_imt import BASE, FakePartner, make_settings


@pytest.fixture
def fake() -> FakePartner:
    return FakePartner()


@pytest.fixture
def session(fake: FakePartner) -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.trust_env = False  # no proxy from the environment between the adapter and the fake
        s.mount(f"{BASE}/", fake)
        yield s


@pytest.fixture
def adapter(session: requests.Session) -> ImtAdapter:
    return ImtAdapter(make_settings(), session)
