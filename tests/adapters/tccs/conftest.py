"""Fixtures of the TCCS adapter tests: a fake TCCS that checks every request IC sent against the contract
when the test ends, and a recorder in place of ``time.sleep`` (they override the IMT fixtures of
``tests/adapters/conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from adapters import TccsAdapter
from tests.adapters.fake_tccs import FakeTccs, make_settings, mounted


@pytest.fixture
def fake() -> Iterator[FakeTccs]:
    fake = FakeTccs()
    yield fake
    assert fake.request_violations() == []  # every request IC sent conforms to the contract


@pytest.fixture
def session(fake: FakeTccs) -> Iterator[requests.Session]:
    with mounted(fake) as s:
        yield s


@pytest.fixture
def sleeps() -> list[float]:
    """The back-off waits the adapter asked for, in order (no test ever sleeps)."""
    return []


@pytest.fixture
def make(session: requests.Session, sleeps: list[float]) -> Callable[..., TccsAdapter]:
    """``make(version=1, datapump_retry=False, settings={...})``: an adapter on the fake with those settings."""

    def build(settings: dict[int, str] | None = None, *, version: int | None = 2, **options: Any) -> TccsAdapter:
        return TccsAdapter(make_settings(settings, version=version, **options), session, sleep=sleeps.append)

    return build


@pytest.fixture
def adapter(make: Callable[..., TccsAdapter]) -> TccsAdapter:
    """Service version 2 (the sandbox biller's), retry on with the default 3 attempts and 1 s back-off."""
    return make()
