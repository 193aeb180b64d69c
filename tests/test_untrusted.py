"""Hostile and broken inputs: one bad report never stops a batch, never leaves half a table."""

import csv
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.batch import Settings
from pipeline.errors import ReportError
from pipeline.ingest import decode_bytes

from conftest import DATA, ROOT, SAMPLE

EXE = [sys.executable, "-m", "pipeline.cli"]
EXPECTED = {
    "binary_garbage": "decode_failed",
    "empty": "empty_input",
    "whitespace_only": "empty_input",
    "nul_byte_in_text": "decode_failed",
    "mixed_utf8_then_gbk": "decode_failed",
    "zh_short_gb18030": "decode_failed",
    "qpdf_bad1_not-a-pdf": "not_pdf",
    "derived_truncated_crazyones_60pct": "truncated_or_corrupt",
    "qpdf_issue-146_deep-nested-array": "truncated_or_corrupt",
    "pdfjs_issue6010_2_utf8-password": "encrypted_needs_password",
    "synthetic_flate_bomb_1GiB": "timeout",
}


def run(*args, env=None, timeout=600):
    return subprocess.run([*EXE, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def tables(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_a_batch_of_every_bad_input_and_the_sample(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in list((DATA / "bad_pdfs").glob("*.pdf")) + list((DATA / "bad_text").glob("*.txt")):
        shutil.copy(p, raw)
    shutil.copy(SAMPLE, raw)
    clean = tmp_path / "clean"
    assert run("run", SAMPLE, "--out", clean, "--runner", "inline", "--quiet").returncode == 0
    out = tmp_path / "out"
    # the subprocess timeout is the bound: a hang fails the test
    # The peak of this process's own memory (VmHWM): getrusage's ru_maxrss would also count the
    # pages of the test process it was forked from, which the kernel carries across exec.
    measured = ("import sys; from pipeline.cli import main; rc = main(sys.argv[1:]); "
                "hwm = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]; "
                "print('MAXRSS_KB', hwm, file=sys.stderr); sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", measured, "run", str(raw), "--out", str(out), "--runner", "inline",
                        "--timeout", "5", "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1
    parent_kb = int(r.stderr.split("MAXRSS_KB")[1].split()[0])
    assert parent_kb < 1024 * 1024  # the parent never holds a report: the worker does (≈130 MB seen)
    assert "Traceback" not in r.stdout + r.stderr
    with open(out / "_failures.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = {row["report_id"]: row["reason"] for row in rows}
    assert len(rows) == len(got)  # exactly one row per failed file
    assert got == EXPECTED
    for row in rows:
        assert row["sha256"] and row["versions"] and row["report_path"], row
        assert Path(row["report_path"]).name in row["message"], row
    name = "wechat-employment-2019-2020"
    assert tables(out / name) == tables(clean / name)


def test_a_50_mib_single_line_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "one-line.txt"
    with open(big, "wb") as fh:
        chunk = "全年生产总值增长5.2%，".encode() * 4096
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
    r = run("run", big, "--out", tmp_path / "out", "--runner", "inline", "--quiet")
    assert r.returncode == 1 and "too_large" in r.stdout and "--max-bytes" in r.stdout


def test_memory_cap_is_a_failure_row(tmp_path):
    big = tmp_path / "big.txt"
    line = "全年全市生产总值5481.6亿元，比上年增长5.2%。\n\n"
    big.write_text(line * (12 * 1024 * 1024 // len(line.encode())), encoding="utf-8")
    r = run("run", big, "--out", tmp_path / "out", "--runner", "inline", "--memory-mb", "700", "--quiet")
    assert r.returncode == 1
    assert "memory_limit" in r.stdout, r.stdout + r.stderr


def test_a_killed_worker_is_a_failure_row_and_the_next_report_runs(tmp_path):
    from pipeline import isolation
    from pipeline.batch import run_report

    s = Settings(timeout_s=60)
    run_report(str(SAMPLE), str(tmp_path), s)  # warm the worker
    pid = isolation.worker_pid()
    killer = threading.Timer(1.0, lambda: os.kill(pid, signal.SIGKILL))
    killer.start()
    res = run_report(str(DATA / "bad_pdfs" / "synthetic_flate_bomb_1GiB.pdf"), str(tmp_path), s)
    killer.cancel()
    assert res.status == "failed" and res.failure.reason == "worker_crashed"
    assert run_report(str(SAMPLE), str(tmp_path), s).status == "ok"
    isolation.shutdown()


@pytest.mark.parametrize("point", ["tables_half_written", "before_swap", "between_renames", "after_swap",
                                   "before_manifest"])
def test_sigkill_mid_write_leaves_old_or_new_never_partial(tmp_path, point):
    raw = tmp_path / "raw"
    raw.mkdir()
    report = raw / "report.txt"
    old_text = SAMPLE.read_text(encoding="utf-8")
    report.write_text(old_text, encoding="utf-8")
    out = tmp_path / "out"
    assert run("run", raw, "--out", out, "--runner", "inline", "--no-isolation", "--quiet").returncode == 0
    old = tables(out / "report")
    report.write_text(old_text.replace("15430", "15431"), encoding="utf-8")
    r = run("run", raw, "--out", out, "--runner", "inline", "--no-isolation", "--quiet",
            env={"REPORTPIPE_KILL_AT": point})
    assert r.returncode == -signal.SIGKILL
    folder = out / "report"
    if folder.exists():
        now = tables(folder)
        assert now == old or "15431" in (folder / "claims.csv").read_text(encoding="utf-8")
        if now != old:  # the new version, whole: it reads back and has every table
            assert set(now) == set(old)
    else:
        assert point == "between_renames"
    r = run("run", raw, "--out", out, "--runner", "inline", "--no-isolation", "--quiet")
    assert r.returncode == 0
    assert "15431" in (out / "report" / "claims.csv").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_text_ingest(data):
    try:
        text, _ = decode_bytes(data, "fuzz.txt")
    except ReportError as exc:
        assert exc.reason in ("empty_input", "decode_failed") and "fuzz.txt" in str(exc)
    else:
        assert "\ufffd" not in text and "\x00" not in text


def test_too_many_pages_is_refused_before_any_page_is_read(tmp_path):
    import pymupdf

    doc = pymupdf.open()
    for i in range(30):
        doc.new_page().insert_text((72, 72), f"第{i + 1}页 全年增长5.2%。", fontname="china-s")
    path = tmp_path / "many.pdf"
    doc.save(path)
    r = run("run", path, "--out", tmp_path / "out", "--runner", "inline", "--max-pages", "10", "--quiet")
    assert r.returncode == 1 and "too_many_pages" in r.stdout and "30 pages" in r.stdout


def test_a_worker_ends_when_its_parent_is_killed(tmp_path):
    """SIGKILL runs no exit handler: the worker notices its parent is gone and ends by itself."""
    import psutil

    script = ("import sys; from pipeline.batch import Settings, run_report; from pipeline import isolation; "
              "run_report(sys.argv[1], sys.argv[2], Settings()); print(isolation.worker_pid(), flush=True); "
              "sys.stdin.read()")
    parent = subprocess.Popen([sys.executable, "-c", script, str(SAMPLE), str(tmp_path / "out")], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    worker = psutil.Process(int(parent.stdout.readline()))
    assert worker.is_running() and worker.ppid() == parent.pid
    parent.kill()
    parent.wait(timeout=10)
    worker.wait(timeout=15)  # raises psutil.TimeoutExpired if it lives on
    assert not worker.is_running()


def test_sigterm_to_an_inline_run_leaves_no_worker_or_tracker(tmp_path):
    """SIGTERM ends Python without its exit handlers; the worker (busy on a decompression bomb)
    and the resource tracker still end with the run."""
    import time

    import psutil

    cli = subprocess.Popen([*EXE, "run", str(DATA / "bad_pdfs" / "synthetic_flate_bomb_1GiB.pdf"), "--out",
                            str(tmp_path / "out"), "--runner", "inline", "--quiet"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc = psutil.Process(cli.pid)
    deadline = time.monotonic() + 60
    while len(proc.children()) < 2 and time.monotonic() < deadline:  # the tracker and the worker
        time.sleep(0.2)
    children = proc.children()
    assert len(children) >= 2, "the run never started its worker"
    cli.send_signal(signal.SIGTERM)
    cli.wait(timeout=10)
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, [p.cmdline() for p in alive]
