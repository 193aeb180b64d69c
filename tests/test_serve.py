"""`reportpipe serve` as a service, for a minute and a half with reports arriving every few
seconds (one in five broken): its processes and memory stay bounded, it keeps up, and nothing of
it is left 10 s after SIGTERM. `benchmarks/soak_serve.py --minutes 10` is the long form."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from soak_serve import soak  # noqa: E402

# serve, the process of its one flow run, that run's report worker and multiprocessing's tracker;
# one more for a flow run starting while the last one's process exits
MAX_PROCESSES = 5
# memory may not grow from the first half of the run to the second beyond this (a leak of a
# report's worth per poll would double it within the test)
GROWTH_ALLOWED = 1.25


@pytest.mark.slow
@pytest.mark.prefect
def test_serve_stays_bounded_and_stops_cleanly():
    r = soak(1.5)
    samples = r["samples"]
    assert len(samples) >= 6
    assert r["max_serve_processes"] <= MAX_PROCESSES, samples
    half = len(samples) // 2
    first = max(s["serve_rss_mb"] for s in samples[:half])
    second = max(s["serve_rss_mb"] for s in samples[half:])
    assert second <= first * GROWTH_ALLOWED, samples
    assert r["last"]["reports_done"] >= r["last"]["arrived"] // 2  # it keeps up with the arrivals
    assert r["left_after_sigterm"] == 0
