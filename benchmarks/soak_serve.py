"""Soak test of `reportpipe serve`: processes and memory over time while reports keep arriving.

Starts `reportpipe serve RAW --out OUT --interval 5` (with a background Prefect server of its own,
in a temporary state folder), adds a new small report every few seconds (one in five broken), and
samples the process tree of serve and of the server every 10 s: the number of processes and their
total resident memory. At the end it sends SIGTERM to serve and checks that nothing of serve's
tree is left 10 s later, then stops the server.

    python benchmarks/soak_serve.py [--minutes 10] [--json FILE]

Prints the first, last and largest figures; exits 1 if serve's tree outlives SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "raw" / "wechat-employment-2019-2020.txt"
SAMPLE_EVERY_S = 10.0
ARRIVE_EVERY_S = 3.0
STOP_WITHIN_S = 10.0


def tree(pid: int, without: int | None = None) -> list[psutil.Process]:
    """``pid`` and its descendants, but not ``without`` and its own (the background server, which
    serve starts when none runs: it is the user's, and outlives serve by design)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    if without is None:
        return procs
    skip = {without}
    try:
        skip |= {p.pid for p in psutil.Process(without).children(recursive=True)}
    except psutil.NoSuchProcess:
        pass
    return [p for p in procs if p.pid not in skip]


def measure(procs: list[psutil.Process]) -> tuple[int, float]:
    rss = 0
    alive = 0
    for p in procs:
        try:
            rss += p.memory_info().rss
            alive += 1
        except psutil.NoSuchProcess:
            pass
    return alive, rss / 2**20


def soak(minutes: float, out_json: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="reportpipe-soak-") as tmp:
        tmp_path = Path(tmp)
        raw, out = tmp_path / "raw", tmp_path / "out"
        raw.mkdir()
        env = {**os.environ, "REPORTPIPE_STATE_DIR": str(tmp_path / "state")}
        env.pop("PREFECT_API_URL", None)
        text = SAMPLE.read_text(encoding="utf-8")
        log = open(tmp_path / "serve.log", "w")
        serve = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", str(raw), "--out", str(out),
                                  "--interval", "5"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        samples = []
        n = 0
        t0 = time.monotonic()
        next_sample = t0
        try:
            while time.monotonic() - t0 < minutes * 60:
                if serve.poll() is not None:
                    log.flush()
                    raise SystemExit(f"serve ended by itself ({serve.returncode}):\n"
                                     + (tmp_path / "serve.log").read_text()[-3000:])
                n += 1
                name = raw / f"arrival-{n:04d}.txt"
                if n % 5 == 0:
                    name.write_bytes(b"\x00\x01 broken \xff")
                else:
                    name.write_text(text[: 3000 + 97 * n % 20000] + f"\n第{n}份，用户{n}亿。\n", encoding="utf-8")
                if time.monotonic() >= next_sample:
                    server = _server_pid(tmp_path / "state")
                    s_count, s_rss = measure(tree(serve.pid, without=server))
                    b_count, b_rss = measure(tree(server) if server else [])
                    done = _done(out)
                    samples.append({"t_s": round(time.monotonic() - t0), "serve_processes": s_count,
                                    "serve_rss_mb": round(s_rss), "server_processes": b_count,
                                    "server_rss_mb": round(b_rss), "reports_done": done, "arrived": n})
                    print(json.dumps(samples[-1]), flush=True)
                    next_sample += SAMPLE_EVERY_S
                time.sleep(ARRIVE_EVERY_S)
        finally:
            before = tree(serve.pid, without=_server_pid(tmp_path / "state"))
            serve.send_signal(signal.SIGTERM)
            _, left = psutil.wait_procs(before, timeout=STOP_WITHIN_S)
            for p in left:
                try:
                    print("left after SIGTERM:", " ".join(p.cmdline())[:200], flush=True)
                    p.kill()
                except psutil.NoSuchProcess:
                    pass
            serve.wait()
            subprocess.run([sys.executable, "-m", "pipeline.cli", "server", "stop"], cwd=ROOT, env=env,
                           capture_output=True)
        result = {"minutes": minutes, "samples": samples, "left_after_sigterm": len(left),
                  "first": samples[0] if samples else None, "last": samples[-1] if samples else None,
                  "max_serve_processes": max(s["serve_processes"] for s in samples),
                  "max_serve_rss_mb": max(s["serve_rss_mb"] for s in samples),
                  "max_server_rss_mb": max(s["server_rss_mb"] for s in samples)}
        if out_json:
            out_json.write_text(json.dumps(result, indent=1))
        return result


def _server_pid(state: Path) -> int | None:
    try:
        return json.loads((state / "server.json").read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def _done(out: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from pipeline.store import read_manifest

    return len(read_manifest(out)["reports"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    r = soak(args.minutes, args.json)
    print(f"serve processes first/last/max {r['first']['serve_processes']}/{r['last']['serve_processes']}/"
          f"{r['max_serve_processes']}; serve RSS MB first/last/max {r['first']['serve_rss_mb']}/"
          f"{r['last']['serve_rss_mb']}/{r['max_serve_rss_mb']}; server RSS MB max {r['max_server_rss_mb']}; "
          f"reports done {r['last']['reports_done']} of {r['last']['arrived']}; "
          f"left 10 s after SIGTERM: {r['left_after_sigterm']}")
    return 1 if r["left_after_sigterm"] else 0


if __name__ == "__main__":
    sys.exit(main())
