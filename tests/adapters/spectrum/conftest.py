"""Fixtures of the Spectrum adapter tests: a fake API core and auth host that checks every request IC
sent against the spectrum contract when the test ends (they override the IMT fixtures of
``tests/adapters/conftest.py``), and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from adapters import SpectrumAdapter
from tests.adapters.fake_spectrum import NOW, FakeSpectrum, make_settings, mounted


class Clock:
    """The adapter's clock: ``now`` seconds since the epoch, moved by the test."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeSpectrum]:
    fake = FakeSpectrum()
    yield fake
    assert fake.request_violations() == []  # every request IC sent conforms to the contract


@pytest.fixture
def session(fake: FakeSpectrum) -> Iterator[requests.Session]:
    with mounted(fake) as s:
        yield s


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def adapter(session: requests.Session, clock: Clock) -> SpectrumAdapter:
    return SpectrumAdapter(make_settings(), session, clock=clock)
