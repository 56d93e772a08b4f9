"""Side-by-side timing: candidates run interleaved in rounds, so a noisy neighbour slows them all
alike, and the median per-call time of each is compared as a ratio (absolute times drift here)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def per_call_seconds(
    candidates: dict[str, Callable[[], object]], calls: int = 200, rounds: int = 15
) -> dict[str, float]:
    """Median over rounds of the mean per-call time of each candidate."""
    for run in candidates.values():  # warm: imports, caches, key objects
        for _ in range(20):
            run()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, run in candidates.items():
            start = time.perf_counter()
            for _ in range(calls):
                run()
            samples[name].append((time.perf_counter() - start) / calls)
    return {name: statistics.median(values) for name, values in samples.items()}
