"""Every report of the corpus index keeps the scores the README reports for it.

The scores are the ones `benchmarks/corpus_scores.py` last wrote to `benchmarks/corpus_scores.json`
(committed beside the README's table, which the same run prints). A held-out report's first-run
score is the criterion and is never re-run; what this guards is the score after fixing, so that a
rule written for one report cannot quietly undo another's. The files are real reports (byte-exact,
provenance in tests/data/SOURCES.md); a missing one fails, it is not skipped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus_scores import corpus_index, scores_of  # noqa: E402

RECORDED = json.loads((ROOT / "benchmarks" / "corpus_scores.json").read_text(encoding="utf-8"))
# F1 is reported to three decimals; one claim more or less on a 300-claim report moves it by about
# 0.002, which is the kind of change a review should see in the README, not hide in rounding.
ROUNDING = 0.0005

ENTRIES = [e for e in corpus_index() if e.get("claims_gold") or e.get("headings_gold")]


def test_every_report_with_gold_has_a_recorded_score():
    assert ENTRIES
    missing = [e["file"] for e in ENTRIES if e["file"] not in RECORDED]
    assert not missing, f"run benchmarks/corpus_scores.py: no recorded score for {missing}"


@pytest.mark.parametrize("entry", ENTRIES, ids=[Path(e["file"]).name for e in ENTRIES])
def test_the_report_keeps_its_recorded_scores(entry):
    assert (ROOT / "tests" / "data" / entry["file"]).exists(), f"missing {entry['file']}"
    recorded, got = RECORDED[entry["file"]], scores_of(entry)
    assert got["failure"] == recorded["failure"]
    for kind in ("claims", "headings"):
        if recorded[kind] is None:
            assert got[kind] is None
            continue
        assert got[kind]["f1"] >= recorded[kind]["f1"] - ROUNDING, (kind, got[kind], recorded[kind])
