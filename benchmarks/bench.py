"""`make bench`: where the time goes, and how the claims stage compares with the nearest libraries.

Prints (and writes to benchmarks/results.json):
- pipeline work per stage for the sample report (median of repeated runs, no interpreter or
  Prefect start-up), and the claims stage's speed in characters per second;
- the wall time of `reportpipe run` with the Prefect runner beside the inline runner, i.e. what
  Prefect costs per invocation;
- the same texts through JioNLP's money extraction and cn2an's transform: their time and the share
  of the gold-annotated claims whose value they recover.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.evaluate import load_gold  # noqa: E402
from pipeline.ingest import read_text_report  # noqa: E402
from pipeline.process import STAGES, load_document  # noqa: E402

SAMPLE = ROOT / "raw" / "wechat-employment-2019-2020.txt"
CORPUS = ROOT / "tests" / "data" / "corpus"
TEXTS = [
    (SAMPLE, ROOT / "tests/gold/wechat-employment-2019-2020.jsonl"),
    (CORPUS / "zh-Hans_luoyang-2023-statistical-bulletin.txt", ROOT / "tests/gold/luoyang-2023-statistical-bulletin.jsonl"),
    (CORPUS / "zh-Hans_state-council-2024-government-work-report.txt",
     ROOT / "tests/gold/state-council-2024-government-work-report.jsonl"),
]


def stage_times(path: Path, repeat: int = 30) -> dict:
    base = load_document(path)
    per_stage: dict[str, list[float]] = {name: [] for name, _ in STAGES}
    totals = []
    for _ in range(repeat):
        doc = base
        t_all = time.perf_counter()
        for name, stage in STAGES:
            t0 = time.perf_counter()
            doc = stage(doc)
            per_stage[name].append(time.perf_counter() - t0)
        totals.append(time.perf_counter() - t_all)
    t0 = time.perf_counter()
    for _ in range(repeat):
        read_text_report(path)
    ingest = (time.perf_counter() - t0) / repeat
    med = {k: statistics.median(v) for k, v in per_stage.items()}
    # The last stages of a run: the tables built from the document, their validation against
    # schemas/ (the contracts checked on those tables, apart from building them) and the write.
    from pipeline.store import document_frames, validated_frames, write_report

    # As many runs as the stages: the write waits for the disk (an fsync per file), whose speed
    # moves with what else the machine writes, so its CPU time is kept beside its wall time.
    tables, validate, write, write_cpu = [], [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        document_frames(doc)
        tables.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        validated_frames(doc)
        validate.append(time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as tmp:
            t0, c0 = time.perf_counter(), time.process_time()
            write_report(doc, tmp)
            write.append(time.perf_counter() - t0)
            write_cpu.append(time.process_time() - c0)
    med["tables"] = statistics.median(tables)
    med["validate"] = max(statistics.median(validate) - med["tables"], 0.0)
    med["write"] = max(statistics.median(write) - statistics.median(validate), 0.0)
    return {
        "chars": len(base.raw),
        "claims": len(doc.claims),
        "ingest_s": ingest,
        "stages_s": med,
        "write_disk_wait_s": max(statistics.median(write) - statistics.median(write_cpu), 0.0),
        "total_s": statistics.median(totals) + ingest + med["tables"] + med["validate"] + med["write"],
        "claims_chars_per_s": len(base.raw) / med["claims"],
        "slowest_stage": max(med, key=med.get),
    }


def cli_wall(runner: str, out: Path, env: dict | None = None) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(SAMPLE), "--out", str(out),
                        "--runner", runner, "--force", "--quiet"], cwd=ROOT, capture_output=True, text=True,
                       env=env)
    if r.returncode != 0:
        raise SystemExit(f"reportpipe run --runner {runner} failed:\n{r.stderr[-2000:]}")
    return time.perf_counter() - t0


def prefect_cost(tmp: Path, repeats: int = 5) -> dict:
    """One new report, default runner, against --runner inline: the first invocation with no
    background server running (it starts one; Prefect's database already exists, as after a
    first use), then invocations that reuse it. Medians of ``repeats``; the server is the
    benchmark's own (a state folder of its own) and is stopped at the end."""
    env = {**os.environ, "REPORTPIPE_STATE_DIR": str(tmp / "state")}
    env.pop("PREFECT_API_URL", None)
    stop = [sys.executable, "-m", "pipeline.cli", "server", "stop"]
    subprocess.run([sys.executable, "-m", "pipeline.cli", "server", "start"], env=env, capture_output=True)
    subprocess.run(stop, env=env, capture_output=True)  # the database in place, no server running
    try:
        cold = cli_wall("prefect", tmp / "cold", env)
        warm = sorted(cli_wall("prefect", tmp / f"warm{i}", env) for i in range(repeats))[repeats // 2]
        inline = sorted(cli_wall("inline", tmp / f"inline{i}", env) for i in range(repeats))[repeats // 2]
    finally:
        subprocess.run(stop, env=env, capture_output=True)
    return {"inline_s": inline, "first_s": cold, "reused_s": warm,
            "extra_first_s": cold - inline, "extra_reused_s": warm - inline}


def batch_of_100(tmp: Path, n: int = 100) -> dict:
    """``n`` distinct sample-size reports end to end with the default runner (the background server
    already running, as for a user's second batch) against one inline single-report run, with the
    peak resident memory of the whole process tree (sampled every 0.2 s)."""
    import psutil

    raw = tmp / "raw100"
    raw.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for i in range(n):
        (raw / f"report-{i:03d}.txt").write_text(text + f"\n第{i + 1}份，用户{i + 10}亿。\n", encoding="utf-8")
    env = {**os.environ, "REPORTPIPE_STATE_DIR": str(tmp / "state100")}
    env.pop("PREFECT_API_URL", None)
    subprocess.run([sys.executable, "-m", "pipeline.cli", "server", "start"], env=env, capture_output=True)
    try:
        single = cli_wall("inline", tmp / "single", env)
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(raw), "--out", str(tmp / "out100"),
                                 "--quiet"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            rss = 0
            for p in [root, *root.children(recursive=True)]:
                try:
                    rss += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            peak = max(peak, rss)
            time.sleep(0.2)
        wall = time.perf_counter() - t0
    finally:
        subprocess.run([sys.executable, "-m", "pipeline.cli", "server", "stop"], env=env, capture_output=True)
    return {"reports": n, "wall_s": wall, "single_inline_s": single, "times_single": wall / single,
            "peak_rss_mb": peak / 2**20}


def many_small_files(tmp: Path, n: int = 2000) -> dict:
    """``n`` small reports inline in this process: the wall time of each report (its write and
    its manifest entry included), first hundred against last hundred."""
    from pipeline.batch import Settings, collect_inputs, run_inline

    raw = tmp / "raw2000"
    raw.mkdir()
    for i in range(n):
        (raw / f"small-{i:04d}.txt").write_text(f"第{i}号简报\n\n全年用户{i + 1}万人，比上年增长{i % 9}.5%。\n",
                                               encoding="utf-8")
    stamps = [time.perf_counter()]
    run_inline(collect_inputs([raw]), str(tmp / "out2000"), Settings(isolate=False),
               on_result=lambda r: stamps.append(time.perf_counter()))
    each = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    first, last = sum(each[:100]) / 100, sum(each[-100:]) / 100
    return {"files": n, "first_100_ms": first * 1000, "last_100_ms": last * 1000, "growth": last / first}


def _numbers(text: str) -> set[Decimal]:
    out = set()
    for m in re.finditer(r"-?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?", text):
        try:
            out.add(Decimal(m.group().replace(",", "")).normalize())
        except InvalidOperation:
            pass
    return out


def libraries(path: Path, gold_path: Path) -> dict:
    """Share of gold claims whose value each library's output contains, on the claim's own line."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    gold = [g for g in load_gold(gold_path) if g["required"]]
    result = {}
    try:
        import jionlp as jio
    except ImportError:
        jio = None
    try:
        import cn2an
    except ImportError:
        cn2an = None
    if jio is not None:
        t0 = time.perf_counter()
        found: dict[int, set] = {}
        for i, line in enumerate(lines, 1):
            if line.strip():
                vals = set()
                for m in jio.ner.extract_money(line, with_parsing=True):
                    try:
                        vals.add(Decimal(m["detail"]["num"]).normalize())
                    except (InvalidOperation, KeyError, TypeError):
                        pass
                found[i] = vals
        secs = time.perf_counter() - t0
        money = [g for g in gold if g.get("kind") == "money"]
        hit = [g for g in gold if Decimal(str(g["value"])).normalize() in found.get(g["line"], set())]
        result["jionlp.extract_money"] = {
            "seconds": secs, "recovered": len(hit), "of": len(gold),
            "share": len(hit) / len(gold) if gold else 0,
            "money_share": (sum(1 for g in hit if g.get("kind") == "money") / len(money)) if money else None,
        }
    if cn2an is not None:
        t0 = time.perf_counter()
        found = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, line in enumerate(lines, 1):
                if line.strip():
                    try:
                        found[i] = _numbers(cn2an.transform(line, "cn2an"))
                    except Exception:  # cn2an raises on some inputs
                        found[i] = set()
        secs = time.perf_counter() - t0
        hit = [g for g in gold if Decimal(str(g["value"])).normalize() in found.get(g["line"], set())]
        result["cn2an.transform"] = {"seconds": secs, "recovered": len(hit), "of": len(gold),
                                     "share": len(hit) / len(gold) if gold else 0}
    # the same measure for this pipeline, for a fair comparison
    from pipeline.process import process_file

    t0 = time.perf_counter()
    doc = process_file(path)
    secs = time.perf_counter() - t0
    ours: dict[int, set] = {}
    for c in doc.claims:
        ours.setdefault(c.line, set()).add(Decimal(c.value).normalize())
    hit = [g for g in gold if Decimal(str(g["value"])).normalize() in ours.get(g["line"], set())]
    result["reportpipe"] = {"seconds": secs, "recovered": len(hit), "of": len(gold),
                            "share": len(hit) / len(gold) if gold else 0}
    return result


PDFS = [CORPUS / n for n in ("zh-Hans_zhoukou-2023-statistical-bulletin.pdf",
                              "zh-Hans_chengdu-2021-statistical-bulletin.pdf",
                              "zh-Hans_qiandongnan-2023-statistical-bulletin.pdf")]


def pdf_speed(path: Path, repeat: int = 3) -> dict:
    """The PDF path beside plain PyMuPDF get_text() on the same file (the floor): the reader alone
    (text, character boxes, tables, reading order: what get_text() is the bare form of) and the
    whole pipeline (with segmentation, claims, indicators and validation, which get_text() does not do)."""
    import pymupdf

    from pipeline.pdf import read_pdf_report
    from pipeline.process import process_file

    floors, readers, totals = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        with pymupdf.open(path) as doc:
            pages = doc.page_count
            for page in doc:
                page.get_text()
        floors.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_pdf_report(path, max_bytes=path.stat().st_size + 1)
        readers.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        process_file(path)
        totals.append(time.perf_counter() - t0)
    floor, reader, total = min(floors), min(readers), min(totals)
    return {"pages": pages, "floor_s": floor, "reader_s": reader, "pipeline_s": total, "pages_per_s": pages / total,
            "floor_pages_per_s": pages / floor, "reader_times_floor": reader / floor, "times_floor": total / floor}


def main() -> None:
    report: dict = {}
    s = stage_times(SAMPLE)
    report["sample_pipeline"] = s
    print(f"sample report: {s['chars']} chars, {s['claims']} claims")
    print(f"  ingest {s['ingest_s'] * 1000:.1f} ms  " + "  ".join(
        f"{k} {v * 1000:.1f} ms" for k, v in s["stages_s"].items()))
    share = s["stages_s"]["validate"] / s["total_s"]
    print(f"  pipeline work {s['total_s'] * 1000:.1f} ms (goal ≤ 60 ms), validation {share:.0%} of it (goal ≤ 15%); "
          f"claims stage {s['claims_chars_per_s']:,.0f} chars/s; slowest stage: {s['slowest_stage']}; "
          f"the write waits {s['write_disk_wait_s'] * 1000:.1f} ms for the disk")
    with tempfile.TemporaryDirectory() as tmp:
        cost = prefect_cost(Path(tmp))
    report["cli_wall_s"] = cost
    print(f"reportpipe run, one new report: inline {cost['inline_s']:.2f} s; default runner "
          f"{cost['first_s']:.2f} s when it starts the background server (+{cost['extra_first_s']:.1f} s, "
          f"goal ≤ 10 s in all), {cost['reused_s']:.2f} s reusing it (+{cost['extra_reused_s']:.1f} s, goal ≤ 2 s)")
    with tempfile.TemporaryDirectory() as tmp:
        b = batch_of_100(Path(tmp))
    report["batch_100"] = b
    print(f"{b['reports']} reports, default runner: {b['wall_s']:.1f} s = {b['times_single']:.1f}× one inline "
          f"single-report run (goal ≤ 8×), peak memory of the process tree {b['peak_rss_mb']:.0f} MB (goal ≤ 600)")
    with tempfile.TemporaryDirectory() as tmp:
        m = many_small_files(Path(tmp))
    report["many_small_files"] = m
    print(f"{m['files']} small files inline: {m['first_100_ms']:.0f} ms each for the first hundred, "
          f"{m['last_100_ms']:.0f} ms for the last ({m['growth']:.2f}×; goal: flat)")
    report["libraries"] = {}
    for path, gold in TEXTS:
        if not path.exists() or not gold.exists():
            continue
        lib = libraries(path, gold)
        report["libraries"][path.name] = lib
        print(f"{path.name}: share of gold claims whose value is recovered")
        for name, r in lib.items():
            extra = f", money claims {r['money_share']:.0%}" if r.get("money_share") is not None else ""
            print(f"  {name:24s} {r['share']:6.1%} ({r['recovered']}/{r['of']}{extra}) in {r['seconds'] * 1000:.0f} ms")
    report["pdf"] = {}
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, str(ROOT / "tests"))
        from pdf_fixtures import make_pdf

        generated = [make_pdf(SAMPLE.read_text(encoding="utf-8"), Path(tmp) / f"sample-{n}-column.pdf", columns=n)
                     for n in (1, 2)]
        for path in [p for p in PDFS if p.exists()] + generated:
            r = pdf_speed(path, repeat=5)
            report["pdf"][path.name] = r
            print(f"{path.name}: {r['pages']} pages, pipeline {r['pages_per_s']:.0f} pages/s, "
                  f"get_text() floor {r['floor_pages_per_s']:.0f} pages/s → reader {r['reader_times_floor']:.1f}×, "
                  f"whole pipeline {r['times_floor']:.1f}× the floor (goal ≤ 5×)")
    report["review"] = {}
    with tempfile.TemporaryDirectory() as tmp:
        from pipeline.batch import Settings, collect_inputs, run_inline
        from pipeline.process import report_id_for
        from pipeline.review import build_review

        for path in [SAMPLE] + [p for p in PDFS[:1] if p.exists()]:
            run_inline(collect_inputs([path]), tmp, Settings(isolate=False), force=True)
            folder = Path(tmp) / report_id_for(path)
            t0 = time.perf_counter()
            page = build_review(folder)
            secs = time.perf_counter() - t0
            report["review"][path.name] = {"seconds": secs, "bytes": page.stat().st_size}
            print(f"review page of {path.name}: {page.stat().st_size / 1024:.0f} KiB in {secs * 1000:.0f} ms")
    out = ROOT / "benchmarks" / "results.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
