"""SIGTERM and SIGINT to `reportpipe run` in the middle of a batch, with either runner: the run
ends within seconds, no process it started is left (the background Prefect server stays: it is
the user's service and stops when idle), what finished is in the manifest, Prefect records the
flow run as ended, and the next run completes the batch. Real processes and real signals."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from conftest import ROOT, SAMPLE, STATE_DIR

EXE = [sys.executable, "-m", "pipeline.cli"]
REPORTS = 30
STOP_WITHIN_S = 15  # the run and everything it started end within this of the signal


def _batch(raw):
    raw.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for i in range(REPORTS):
        (raw / f"report-{i:02d}.txt").write_text(text + f"\n第{i + 1}份，用户{i + 10}亿。\n", encoding="utf-8")


def _finished(out):
    try:
        return json.loads((out / "manifest.json").read_text())["reports"]
    except (OSError, ValueError, KeyError):
        return {}


def _flow_run_states(out):
    state = json.loads((STATE_DIR / "server.json").read_text())
    req = urllib.request.Request(f"{state['url']}/flow_runs/filter", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        runs = json.loads(resp.read())
    return [r["state_type"] for r in runs if r["parameters"].get("out_dir") == str(out)]


def _background_server():
    try:
        return json.loads((STATE_DIR / "server.json").read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


@pytest.mark.prefect
@pytest.mark.parametrize("runner", ["inline", "prefect"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_batch_stops_everything_and_the_next_run_completes(tmp_path, runner, sig):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _batch(raw)
    cli = subprocess.Popen([*EXE, "run", str(raw), "--out", str(out), "--runner", runner, "--quiet"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc = psutil.Process(cli.pid)
    deadline = time.monotonic() + 240
    while len(_finished(out)) < 3 and cli.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cli.poll() is None, "the batch ended before it could be interrupted"
    server = _background_server()
    started = [p for p in proc.children(recursive=True) if p.pid != server]
    cli.send_signal(sig)
    try:
        _, err = cli.communicate(timeout=STOP_WITHIN_S)
    except subprocess.TimeoutExpired:
        cli.kill()
        pytest.fail(f"{runner} run still running {STOP_WITHIN_S} s after {sig.name}")
    assert cli.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(started, timeout=STOP_WITHIN_S)
    assert not alive, [p.cmdline()[:4] for p in alive]
    done = _finished(out)
    assert 3 <= len(done) < REPORTS
    assert all((out / rid / "claims.parquet").exists() for rid in done)  # recorded only when written
    if runner == "prefect":
        assert _flow_run_states(out) in (["CRASHED"], ["CANCELLED"])
    again = subprocess.run([*EXE, "run", str(raw), "--out", str(out), "--runner", "inline", "--quiet"], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{REPORTS - len(done)} processed, {len(done)} up to date, 0 failed" in again.stdout
    assert len(_finished(out)) == REPORTS
