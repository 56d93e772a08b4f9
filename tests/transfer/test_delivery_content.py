"""A DAKPR idempotency key never stands for two different contents: a retry sends what the first attempt sent."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.dakpr import HttpDakprClient
from chalicelib.services.persons import record_gateway_login
from devstack.fake_dakpr import FakeDakpr
from tests.api.conftest import World
from tests.transfer.conftest import Clock
from tests.transfer.test_transfer import PUPIL, run, submit


def test_a_retried_delivery_sends_the_same_content_under_its_key(
    world: World, dakpr: FakeDakpr, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The payload is rebuilt at every attempt from the person's names *now* (and the school's
    name now), not from the version: DAKPR registers version 1, the answer is lost, the pupil logs
    in through the gateway (the Population Register's spelling replaces the school's), and the
    retry sends `<record_id>.1` again with another holder."""
    sent: list[tuple[str, dict[str, Any]]] = []
    real = HttpDakprClient.register

    def recording(self: HttpDakprClient, delivery: dict[str, Any], idempotency_key: str) -> str:
        sent.append((idempotency_key, delivery))
        return real(self, delivery, idempotency_key)

    monkeypatch.setattr(HttpDakprClient, "register", recording)
    submit(world)
    dakpr.state.configure({"lose_answers": 1})  # DAKPR registers it; the answer never arrives
    assert run(clock) == {"retried": 1}
    record_gateway_login(PUPIL, "PUPILAS", "TESTAITIS")  # the pupil logs in: VIISP's names
    clock.advance(hours=8)
    assert run(clock) == {"delivered": 1}
    (first_key, first), (second_key, second) = sent
    assert first_key == second_key
    assert first == second, "one idempotency key, two contents"
