"""Claims F1 and heading F1 of every report of the corpus index (tests/data/corpus.toml).

Prints the README's corpus table (Markdown) and writes benchmarks/corpus_scores.json. Reports
without a gold file show "—". Each report is processed in this process, without the worker or
Prefect: the scores are the extraction's, not the runner's.

    python benchmarks/corpus_scores.py [--heldout-only] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.errors import ReportError  # noqa: E402
from pipeline.evaluate import document_sections, load_gold, load_heading_gold, score, score_headings  # noqa: E402
from pipeline.process import process_file  # noqa: E402

DATA = ROOT / "tests" / "data"
GOLD = ROOT / "tests" / "gold"


def corpus_index() -> list[dict]:
    with open(DATA / "corpus.toml", "rb") as fh:
        return tomllib.load(fh)["report"]


def scores_of(entry: dict) -> dict:
    """Claims and heading scores of one report (None where it has no gold of that kind)."""
    out: dict = {"claims": None, "headings": None, "failure": None}
    try:
        doc = process_file(DATA / entry["file"])
    except ReportError as exc:  # a report the pipeline refuses is a row of the table, not an abort
        out["failure"] = exc.reason
        return out
    if entry.get("claims_gold"):
        s = score(load_gold(GOLD / entry["claims_gold"]), [asdict(c) for c in doc.claims])
        out["claims"] = {"f1": round(s.f1, 3), "precision": round(s.precision, 3), "recall": round(s.recall, 3),
                         "tp": s.tp, "fp": s.fp, "fn": s.fn}
    if entry.get("headings_gold"):
        h = score_headings(load_heading_gold(GOLD / entry["headings_gold"]), document_sections(doc))
        out["headings"] = {"f1": round(h.f1, 3), "level_accuracy": round(h.level_accuracy, 3),
                           "tp": h.tp, "fp": h.fp, "fn": h.fn}
    return out


def _f(score: dict | None, failure: str | None = None) -> str:
    if failure:
        return f"fails: {failure}"
    return "—" if score is None else f"{score['f1']:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--heldout-only", action="store_true")
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "corpus_scores.json"))
    args = ap.parse_args(argv)
    rows, results = [], {}
    for entry in corpus_index():
        if args.heldout_only and not entry.get("heldout"):
            continue
        got = scores_of(entry)
        results[entry["file"]] = got
        first = entry.get("first_run", {})
        first_txt = (f" (first run {first['claims']:.3f})" if "claims" in first else "")
        first_h = (f" (first run {first['headings']:.3f})" if "headings" in first else "")
        name = Path(entry["file"]).name
        rows.append(f"| {name}{' (held out)' if entry.get('heldout') else ''} | {entry['genre']} | {entry['year']} "
                    f"| {entry['encoding']} | {entry['format']} | {_f(got['claims'], got['failure'])}{first_txt} "
                    f"| {_f(got['headings'])}{first_h} |")
    print("| report | genre | era | encoding | format | claims F1 | heading F1 |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
