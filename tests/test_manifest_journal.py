"""The manifest's journal: a finished report is one appended line, folded into manifest.json at the
end of the batch; a batch killed with SIGKILL keeps every report it finished, and a line cut short
by the kill is ignored with a warning naming the file."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from pipeline.names import JOURNAL, MANIFEST
from pipeline.store import read_manifest

from conftest import ROOT, SAMPLE

EXE = [sys.executable, "-m", "pipeline.cli"]
REPORTS = 12


def _raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for i in range(REPORTS):
        (raw / f"r{i:02d}.txt").write_text(text + f"\n第{i}份。\n", encoding="utf-8")
    return raw


def test_a_finished_batch_leaves_no_journal(tmp_path):
    raw, out = _raw(tmp_path), tmp_path / "out"
    r = subprocess.run([*EXE, "run", str(raw), "--out", str(out), "--runner", "inline", "--quiet"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert not (out / JOURNAL).exists()
    assert len(json.loads((out / MANIFEST).read_text())["reports"]) == REPORTS


def test_a_killed_batch_keeps_what_it_finished(tmp_path):
    raw, out = _raw(tmp_path), tmp_path / "out"
    cli = subprocess.Popen([*EXE, "run", str(raw), "--out", str(out), "--runner", "inline", "--quiet"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(read_manifest(out)["reports"]) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    cli.send_signal(signal.SIGKILL)  # no handler runs: only what is on disk counts
    cli.wait(timeout=30)
    journal = (out / JOURNAL).read_text(encoding="utf-8").splitlines()
    finished = {json.loads(line)["report_id"] for line in journal if line.strip()}
    assert 3 <= len(finished) < REPORTS
    assert all((out / rid / "claims.parquet").exists() for rid in finished)
    # a line cut short by the kill: ignored, with a warning that names the file
    with open(out / JOURNAL, "a", encoding="utf-8") as fh:
        fh.write('{"report_id": "r11", "entry": {"sha2')
    status = subprocess.run([*EXE, "status", str(raw), "--out", str(out), "--format", "csv"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0
    assert JOURNAL in status.stderr
    assert "cut short" in status.stderr
    assert status.stdout.count(",up_to_date,") == len(finished)
    again = subprocess.run([*EXE, "run", str(raw), "--out", str(out), "--runner", "inline", "--quiet"], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{REPORTS - len(finished)} processed, {len(finished)} up to date, 0 failed" in again.stdout
    assert not (out / JOURNAL).exists()
    assert len(json.loads((out / MANIFEST).read_text())["reports"]) == REPORTS
