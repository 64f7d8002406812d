"""ITG-1853: the data pump retry, switched by the biller's ``datapump_retry`` option, and why a version 1
payment that may have reached TCCS is never sent again ("a retried payment never posts twice")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from adapters import PartnerRejected, PartnerUnavailable, TccsAdapter
from tests.adapters.fake_tccs import (
    INVOICE, PAYMENT_ID, FakeTccs, dropped, duplicate, error, flag, invoice, nsf, paid, payment, refused, reversed_,
)

Make = Callable[..., TccsAdapter]


def unavailable() -> object:
    return error(503, "SERVICE_UNAVAILABLE", "try later")


@pytest.mark.parametrize("failure", [unavailable, requests.exceptions.ReadTimeout, dropped, refused])
def test_v2_payment_is_sent_again_after_no_answer_or_5xx(adapter: TccsAdapter, fake: FakeTccs, sleeps: list[float],
                                                         failure: Callable[[], object]) -> None:
    """With the GUID a retry is safe: TCCS answers a GUID it has with Duplicate."""
    fake.on("Pay_Input", failure(), paid())  # type: ignore[arg-type]
    result = adapter.post_payment(payment())
    assert (result.outcome, result.attempts) == ("posted", 2)
    assert fake.contents() == [f"{INVOICE}|24.00:CC@{PAYMENT_ID}"] * 2  # the same request, GUID and all
    assert sleeps == [1.0]


def test_posted_then_failed_the_retry_is_answered_duplicate(adapter: TccsAdapter, fake: FakeTccs) -> None:
    """TCCS posted the payment but its answer was lost: the retry finds the GUID, nothing posts twice."""
    fake.on("Pay_Input", requests.exceptions.ReadTimeout(), duplicate(receipt="TC000042"))
    result = adapter.post_payment(payment())
    assert (result.outcome, result.attempts, result.remittance_id) == ("duplicate", 2, "TC000042")


def test_back_off_doubles_and_gives_up_after_retry_attempts(make: Make, fake: FakeTccs, sleeps: list[float]) -> None:
    fake.on("Pay_Input", unavailable())
    with pytest.raises(PartnerUnavailable, match=r"HTTP 503.*Sent 4 times \(data pump retry, ITG-1853\)") as info:
        make(retry_attempts=4, retry_backoff=0.5).post_payment(payment())
    assert len(fake.received) == 4 and sleeps == [0.5, 1.0, 2.0]
    assert info.value.exchange is not None and info.value.exchange.response is not None


def test_with_the_switch_off_nothing_is_sent_again(make: Make, fake: FakeTccs, sleeps: list[float]) -> None:
    fake.on("Pay_Input", unavailable(), paid())
    with pytest.raises(PartnerUnavailable, match="data pump retry is off for this biller"):
        make(datapump_retry=False).post_payment(payment())
    assert len(fake.received) == 1 and sleeps == []


def test_with_the_switch_off_even_a_refused_connection_is_not_retried(make: Make, fake: FakeTccs) -> None:
    fake.on("Pay_Input", refused(), paid())
    with pytest.raises(PartnerUnavailable):
        make(version=1, datapump_retry=False).post_payment(payment())
    assert len(fake.received) == 1


@pytest.mark.parametrize("failure", [unavailable, requests.exceptions.ReadTimeout, dropped])
def test_v1_payment_that_may_have_reached_tccs_is_not_sent_again(make: Make, fake: FakeTccs, sleeps: list[float],
                                                                 failure: Callable[[], object]) -> None:
    """No GUID: TCCS could not tell a retry from a second payment, so IC says why and stops."""
    fake.on("Pay_Input", failure(), paid(guid=None))  # type: ignore[arg-type]
    with pytest.raises(PartnerUnavailable) as info:
        make(version=1).post_payment(payment())
    assert "Not sent again after 1 attempt: the request may have reached TCCS" in str(info.value)
    assert "service version 1 sends no PaymentGUID" in str(info.value) and "INT-6870" in str(info.value)
    assert len(fake.received) == 1 and sleeps == []


@pytest.mark.parametrize("failure", [refused, requests.exceptions.ConnectTimeout])
def test_v1_payment_is_sent_again_when_it_never_left_ic(make: Make, fake: FakeTccs, sleeps: list[float],
                                                        failure: Callable[[], object]) -> None:
    fake.on("Pay_Input", failure(), paid(guid=None))  # type: ignore[arg-type]
    result = make(version=1).post_payment(payment())
    assert (result.outcome, result.attempts) == ("posted", 2)
    assert sleeps == [1.0]


def test_v1_payment_refused_every_time_gives_up_after_the_attempts(make: Make, fake: FakeTccs) -> None:
    fake.on("Pay_Input", refused())
    with pytest.raises(PartnerUnavailable, match="Sent 3 times"):
        make(version=1).post_payment(payment())
    assert len(fake.received) == 3


def test_a_refusal_is_never_retried(adapter: TccsAdapter, fake: FakeTccs, sleeps: list[float]) -> None:
    fake.on("Pay_Input", error(400, "INVALID_CONTENT", "bad", "amount"), paid())
    with pytest.raises(PartnerRejected):
        adapter.post_payment(payment())
    assert len(fake.received) == 1 and sleeps == []


@pytest.mark.parametrize(("operation", "call", "answer"), [
    ("Paperless_Bill", lambda a: a.set_paperless(invoice(), True), flag("Paperless", "Y")),
    ("Recurring_Pay", lambda a: a.set_autopay(invoice(), "card"), flag("Recurring", "Y")),
])
def test_settings_changes_are_always_retryable(make: Make, fake: FakeTccs, operation: str,
                                               call: Callable[[TccsAdapter], object], answer: object) -> None:
    """Setting a flag twice leaves the same state, whatever the service version."""
    fake.on(operation, requests.exceptions.ReadTimeout(), answer)  # type: ignore[arg-type]
    call(make(version=1))
    assert len(fake.received) == 2


def test_an_ach_reject_is_retried_and_already_reversed_on_the_retry_means_done(adapter: TccsAdapter,
                                                                                fake: FakeTccs) -> None:
    """TCCS reverses a payment once: ALREADY_REVERSED answering a retry says the first send got through."""
    fake.on("Insufficient_Pay_Report", unavailable(), error(409, "ALREADY_REVERSED", "already reversed"))
    result = adapter.post_credit(nsf())
    assert result.posted and result.reason_code == "IFR"
    assert len(fake.received) == 2


def test_already_reversed_on_the_first_send_is_a_refusal(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Insufficient_Pay_Report", error(409, "ALREADY_REVERSED", "already reversed"), reversed_())
    with pytest.raises(PartnerRejected) as info:
        adapter.post_credit(nsf())
    assert (info.value.status, info.value.code) == (409, "ALREADY_REVERSED")
