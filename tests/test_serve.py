"""`reportpipe serve` as a service, for a minute and a half with reports arriving every few
seconds (one in five broken): its processes and memory stay bounded, it keeps up, and nothing of
it is left 10 s after SIGTERM. `benchmarks/soak_serve.py --minutes 10` is the long form (its
memory swings with each flow run's process, so the bound is on the whole tree at any sample)."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from soak_serve import soak  # noqa: E402

# serve, the process of its one flow run, that run's report workers (two on two cores, when a
# poll finds two reports) and multiprocessing's tracker; one more for a flow run starting while the
# last one's process exits
MAX_PROCESSES = 6
# serve (about 200 MB), one flow run's process (about 200 MB) and its two report workers (up to
# about 250 MB each): the most the tree holds at once. A process or a report's memory kept per poll (about 15
# polls in the test) would pass it several times over.
MAX_TREE_MB = 1250


@pytest.mark.slow
@pytest.mark.prefect
def test_serve_stays_bounded_and_stops_cleanly():
    r = soak(1.5)
    samples = r["samples"]
    assert len(samples) >= 6
    assert r["max_serve_processes"] <= MAX_PROCESSES, samples
    assert r["max_serve_rss_mb"] <= MAX_TREE_MB, samples
    assert r["last"]["reports_done"] >= r["last"]["arrived"] // 2  # it keeps up with the arrivals
    assert r["left_after_sigterm"] == 0
