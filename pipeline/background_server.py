"""The background Prefect server as a process: where its state lives, starting it (once, for
every user of the machine account), finding it, and stopping it.

One per user, found through a state file: {"pid", "url", "started"}. Its process is the
top-level ``flows`` module (`python -m flows api-server`), serving Prefect's app with uvicorn, in
a session of its own, so a Ctrl-C or SIGTERM meant for a `reportpipe run` never reaches it. Every
invocation that uses it holds a shared lock on the "users" file for as long as it does; the
server's watchdog counts idle time from the last moment it saw that lock held, and stops the
server after ``SERVER_IDLE_S`` of it. Starting is serialised by an exclusive lock, so two
invocations at once start one server.

Nothing here imports Prefect (about a second and a half), so `reportpipe server status` and
`stop` answer at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import ReportpipeError

# How long a local server may take to answer its health check: a cold start on a busy machine
# migrates its database first (tens of seconds seen on two shared cores).
SERVER_START_TIMEOUT_S = 120.0
# How long the server gets to stop cleanly before it is killed.
SERVER_STOP_TIMEOUT_S = 20.0

# Idle time after which the background server stops itself: long enough that a user adding
# reports through an afternoon pays the start once, short enough that an idle machine gets its
# memory (about 250 MB) back. REPORTPIPE_SERVER_IDLE_S overrides it.
SERVER_IDLE_S = 30 * 60.0
WATCH_INTERVAL_S = 1.0  # how often the server's watchdog looks for users

# The servers this process launched, with their processes (to tell a start that failed from one
# still under way, and to say that this invocation started it).
_LAUNCHED: dict[int, subprocess.Popen] = {}


def state_dir() -> Path:
    """Where the background server's state lives: $REPORTPIPE_STATE_DIR, else the XDG state
    folder (~/.local/state/reportpipe)."""
    explicit = os.environ.get("REPORTPIPE_STATE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "reportpipe"


def idle_limit() -> float:
    """Seconds without a user after which the background server stops."""
    value = os.environ.get("REPORTPIPE_SERVER_IDLE_S")
    if value is None:
        return SERVER_IDLE_S
    try:
        return float(value)
    except ValueError:
        raise ReportpipeError(f"REPORTPIPE_SERVER_IDLE_S={value!r} is not a number of seconds.") from None


@dataclass(frozen=True)
class ServerState:
    """A running background server: its process, API URL and start time (epoch seconds)."""

    pid: int
    url: str
    started: float


def server_files() -> tuple[Path, Path, Path, Path]:
    """The state file, the users file, the start lock and the server's log."""
    d = state_dir()
    d.mkdir(parents=True, exist_ok=True)
    return d / "server.json", d / "server.users", d / "server.start.lock", d / "server.log"


def read_state(path: Path) -> ServerState | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ServerState(int(data["pid"]), str(data["url"]), float(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _is_our_server(pid: int) -> bool:
    """Whether ``pid`` is a live background server process (not a reused pid)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().split(b"\0")
    except OSError:
        return False
    return b"flows" in argv and b"api-server" in argv


def _healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


def last_use() -> float | None:
    """When the background server was last used (epoch seconds), if ever."""
    try:
        return server_files()[1].stat().st_mtime
    except OSError:
        return None


def server_status() -> ServerState | None:
    """The background server if it is running and answers; a stale state file (its process gone,
    or not answering) is removed."""
    state_file = server_files()[0]
    state = read_state(state_file)
    if state is None:
        return None
    if _is_our_server(state.pid) and _healthy(state.url):
        return state
    if not _is_our_server(state.pid):
        state_file.unlink(missing_ok=True)
    return None


def start_server(timeout: float = SERVER_START_TIMEOUT_S) -> ServerState:
    """The background server, started if none is running. Two callers at once get one server."""
    return ensure_server(timeout)[0]


def ensure_server(timeout: float) -> tuple[ServerState, bool]:
    """The running server, once it answers, and whether this process started it."""
    state_file, _users, start_lock, log = server_files()
    with open(start_lock, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = _launch_locked(state_file, log)
        proc = _LAUNCHED.get(state.pid)
        try:
            _wait_healthy(state, timeout, proc)  # running, or still starting
        except BaseException:
            if proc is not None:
                _stop_pid(proc.pid, SERVER_STOP_TIMEOUT_S)
                state_file.unlink(missing_ok=True)
            raise
        return state, proc is not None


def _launch_locked(state_file: Path, log: Path) -> ServerState:
    """The live server's state, or a new server's (under the start lock)."""
    state = read_state(state_file)
    if state is not None and _is_our_server(state.pid):
        return state
    state_file.unlink(missing_ok=True)
    port = _free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "flows", "api-server", "--port", str(port)],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=_flows_folder(),
                                env={**os.environ, "PYTHONPATH": _module_path()})
    _LAUNCHED[proc.pid] = proc
    state = ServerState(proc.pid, f"http://127.0.0.1:{port}/api", time.time())
    _write_state(state_file, state)
    return state


def _flows_folder() -> str:
    """The folder of the top-level ``flows`` module: beside this package (the repository, or
    site-packages for an installed wheel)."""
    return str(Path(__file__).resolve().parent.parent)


def _module_path() -> str:
    """The ``flows`` module's folder first on the server's path (an installed wheel has it already)."""
    rest = os.environ.get("PYTHONPATH", "")
    return _flows_folder() + (os.pathsep + rest if rest else "")


def _write_state(path: Path, state: ServerState) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": state.pid, "url": state.url, "started": state.started}), encoding="utf-8")
    os.replace(tmp, path)


def _wait_healthy(state: ServerState, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (proc.poll() is not None) if proc is not None else not _is_our_server(state.pid):
            raise ReportpipeError(
                f"the background Prefect server stopped as it started; see {server_files()[3]}, or run "
                "`prefect server start` yourself and set PREFECT_API_URL.")
        if _healthy(state.url):
            return
        time.sleep(0.2)
    raise ReportpipeError(f"the background Prefect server did not answer within {timeout:.0f} s; "
                          f"see {server_files()[3]}.")


def stop_server(timeout: float = SERVER_STOP_TIMEOUT_S) -> ServerState | None:
    """Stop the background server (and everything in its process group); the state it had."""
    state_file = server_files()[0]
    state = read_state(state_file)
    if state is None or not _is_our_server(state.pid):
        state_file.unlink(missing_ok=True)
        return None
    _stop_pid(state.pid, timeout)
    state_file.unlink(missing_ok=True)
    return state


def _stop_pid(pid: int, timeout: float) -> None:
    """SIGTERM to the process group led by ``pid``, SIGKILL to what is left after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.waitpid(pid, os.WNOHANG)  # our child when we started it: reap it
            except ChildProcessError:
                pass
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
