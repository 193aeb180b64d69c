"""The background Prefect server: started by the first default-runner run, reused by the next,
stopped by `reportpipe server stop` or by itself when idle, replaced when its state is stale, and
never started when PREFECT_API_URL names a server. Real servers, real processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from conftest import ROOT, SAMPLE

pytestmark = pytest.mark.prefect

EXE = [sys.executable, "-m", "pipeline.cli"]


def cli(*args, state, extra_env=None, timeout=300):
    env = {**os.environ, "REPORTPIPE_STATE_DIR": str(state), **(extra_env or {})}
    env.pop("PREFECT_API_URL", None) if "PREFECT_API_URL" not in (extra_env or {}) else None
    return subprocess.run([*EXE, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=env)


def state_of(state):
    return json.loads((state / "server.json").read_text())


def flow_runs(url, under):
    """The flow runs on the server whose output folder lies under ``under``."""
    req = urllib.request.Request(f"{url}/flow_runs/filter", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        runs = json.loads(resp.read())
    return [r for r in runs if str(r["parameters"].get("out_dir", "")).startswith(str(under))]


def group_gone(pid, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)
    return False


def test_the_first_run_starts_the_server_and_the_next_reuses_it(tmp_path):
    state = tmp_path / "state"
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw)
    first = cli("run", raw, "--out", tmp_path / "out", state=state)
    assert first.returncode == 0, first.stderr
    server = state_of(state)
    try:
        assert "started the background Prefect server" in first.stdout
        assert psutil.pid_exists(server["pid"])
        second = cli("run", raw, "--out", tmp_path / "out", "--force", state=state)
        assert second.returncode == 0, second.stderr
        assert "started the background Prefect server" not in second.stdout
        assert state_of(state)["pid"] == server["pid"]  # the same server answered both
        runs = flow_runs(server["url"], tmp_path)
        assert len(runs) == 2
        assert {r["state_type"] for r in runs} == {"COMPLETED"}
        status = cli("server", "status", state=state)
        assert status.returncode == 0
        assert f"pid {server['pid']}" in status.stdout
    finally:
        stop = cli("server", "stop", state=state)
    assert stop.returncode == 0
    assert str(server["pid"]) in stop.stdout
    assert group_gone(server["pid"])  # the server and everything it started
    assert not (state / "server.json").exists()
    assert cli("server", "status", state=state).returncode == 3


def test_the_server_stops_itself_when_idle(tmp_path):
    state = tmp_path / "state"
    started = cli("server", "start", state=state, extra_env={"REPORTPIPE_SERVER_IDLE_S": "3"})
    assert started.returncode == 0
    assert "started" in started.stdout
    pid = state_of(state)["pid"]
    if not group_gone(pid, timeout=60):
        cli("server", "stop", state=state)
        pytest.fail("the idle server did not stop by itself")
    assert not (state / "server.json").exists()


def test_a_stale_state_file_is_replaced(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (state / "server.json").write_text(json.dumps({"pid": dead.pid, "url": "http://127.0.0.1:9/api",
                                                   "started": 0}))
    status = cli("server", "status", state=state)
    assert status.returncode == 3
    assert "not running" in status.stdout
    assert not (state / "server.json").exists()  # the stale file is gone
    (state / "server.json").write_text("{ truncated")
    started = cli("server", "start", state=state)
    assert started.returncode == 0
    assert "started" in started.stdout
    pid = state_of(state)["pid"]
    assert cli("server", "stop", state=state).returncode == 0
    assert group_gone(pid)


def test_prefect_api_url_wins_and_two_runs_at_once_share_one_server(tmp_path):
    own = tmp_path / "own"
    started = cli("server", "start", state=own)
    assert started.returncode == 0
    server = state_of(own)
    try:
        other = tmp_path / "other"
        r = cli("run", SAMPLE, "--out", tmp_path / "o1", state=other, extra_env={"PREFECT_API_URL": server["url"]})
        assert r.returncode == 0, r.stderr
        assert not (other / "server.json").exists()  # no server of its own
        assert len(flow_runs(server["url"], tmp_path / "o1")) == 1
        # two runs at once with no server running: one server is started, both report to it
        fresh = tmp_path / "fresh"
        env = {**os.environ, "REPORTPIPE_STATE_DIR": str(fresh)}
        env.pop("PREFECT_API_URL", None)
        procs = [subprocess.Popen([*EXE, "run", str(SAMPLE), "--out", str(tmp_path / f"p{i}")], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
        outs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        assert sum("started the background Prefect server" in o for o, _ in outs) == 1
        shared = state_of(fresh)
        assert len(flow_runs(shared["url"], tmp_path / "p")) == 2
        assert cli("server", "stop", state=fresh).returncode == 0
        assert group_gone(shared["pid"])
    finally:
        cli("server", "stop", state=own)
        cli("server", "stop", state=tmp_path / "fresh")
    assert group_gone(server["pid"])

