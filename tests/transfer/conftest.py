"""The API tests' small register, a fake DAKPR on loopback, and a clock the tests move."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from devstack.fake_dakpr import FakeDakpr
from tests.api.conftest import world  # noqa: F401 - the same small register as the API tests


class Clock:
    """`now` for the transfer: the real time, moved ahead when a test skips a back-off."""

    def __init__(self) -> None:
        self.ahead = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead

    def advance(self, **delta: float) -> None:
        self.ahead += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dakpr(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDakpr]:
    fake = FakeDakpr().start()
    monkeypatch.setenv("DAKPR_URL", fake.url)
    monkeypatch.setenv("DAKPR_TIMEOUT_SECONDS", "5")
    yield fake
    fake.stop()
