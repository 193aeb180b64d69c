"""Output folders under damage and hostile input: one writer at a time, a manifest and a catalog
rebuilt from the report folders, files verified and not only keys, report ids in any script that
never collide with the tool's own files, one unreadable input failing alone, clear errors for a bad
output path, a query that can read only the output folder, and CSV copies a spreadsheet does not
execute."""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import lock
from pipeline.batch import Settings, collect_inputs, plan, run_inline
from pipeline.catalog import catalog_is_stale, query, refresh_catalog
from pipeline.names import MAX_ID_BYTES, TOOL_FILES, is_reserved, is_safe_id, report_id_for
from pipeline.store import read_csv_rows, spreadsheet_safe

from conftest import ROOT, SAMPLE

EXE = [sys.executable, "-m", "pipeline.cli"]
NUMERIC = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
INLINE = Settings(isolate=False)


def _without_root_powers() -> list[str]:
    """A command prefix that makes file permissions apply to a child when the suite runs as root
    (root reads and writes through them): util-linux's setpriv drops the capabilities that
    override them."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root: these tests need util-linux's setpriv to drop root's file powers"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def cli(*args, cwd=ROOT, unprivileged=False, umask=None, timeout=300):
    prefix = _without_root_powers() if unprivileged else []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([*prefix, *EXE, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


def short_report(i: int = 0) -> str:
    """A real report, shortened: the sample's title page and first sections (fast to process)."""
    text = SAMPLE.read_text(encoding="utf-8")
    return text[:4000] + f"\n\n附注：第{i + 1}份。\n"


@pytest.fixture
def folder(tmp_path):
    """Two short reports written by one inline run."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for i, name in enumerate(["alpha-2022", "beta-2023"]):
        (raw / f"{name}.txt").write_text(short_report(i), encoding="utf-8")
    out = tmp_path / "out"
    results = run_inline(collect_inputs([raw]), str(out), INLINE).results
    assert [r.status for r in results] == ["ok", "ok"]
    return raw, out


def states(raw, out):
    return {i.report_id: (i.state, i.why) for i in plan(collect_inputs([raw]), out, INLINE)}


def claim_counts(out) -> dict[str, int]:
    _, rows = query(out, "SELECT report_id, count(*) FROM claims GROUP BY report_id ORDER BY report_id")
    return dict(rows)


# --- 1. one writer at a time -------------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from pipeline import lock
lock.acquire(sys.argv[1])
print("held", flush=True)
time.sleep(120)
"""


def _holder(code: str, arg) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", code, str(arg)], stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.stdout.readline().strip() == "held"
    return p


def _stop(p: subprocess.Popen) -> None:
    p.kill()
    p.wait(timeout=10)


def test_a_second_writer_is_told_who_writes_and_readers_go_on(folder, tmp_path):
    raw, out = folder
    holder = _holder(HOLD_LOCK, out)
    try:
        r = cli("run", raw, "--out", out, "--force", "--runner", "inline", "--no-isolation")
        assert r.returncode in (1, 2), r.stderr
        assert f"another reportpipe run is writing {out} (pid {holder.pid})" in r.stderr
        assert "internal error" not in r.stderr
        # readers are unaffected by the writer's lock
        r = cli("status", raw, "--out", out)
        assert r.returncode == 0 and r.stdout.count("up_to_date") == 2, r.stderr
        r = cli("query", "SELECT count(DISTINCT report_id) AS n FROM claims", "--out", out, "--format", "json")
        assert r.returncode == 0 and json.loads(r.stdout) == [{"n": 2}], r.stderr
        r = cli("diff", out / "alpha-2022", out / "beta-2023", "--format", "csv")
        assert r.returncode == 0 and r.stdout.startswith("status,"), r.stderr
        r = cli("review", out / "alpha-2022")
        assert r.returncode == 0 and (out / "alpha-2022" / "review.html").exists(), r.stderr
        assert lock.writer_pid(out) == holder.pid
    finally:
        _stop(holder)
    assert lock.writer_pid(out) is None  # the kernel dropped the dead holder's lock
    r = cli("run", raw, "--out", out, "--force", "--runner", "inline", "--no-isolation")
    assert r.returncode == 0 and "2 processed" in r.stdout, r.stderr


def test_two_forced_runs_at_once_never_fail_internally(folder):
    raw, out = folder
    cmd = [*EXE, "run", str(raw), "--out", str(out), "--force", "--runner", "inline", "--no-isolation"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(2):
        procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for _ in range(2)]
        outs = [(p.wait(timeout=300), *p.communicate()) for p in procs]
        for rc, _stdout, stderr in outs:
            assert "internal error" not in stderr
            assert rc == 0 or (rc == 2 and "another reportpipe run is writing" in stderr), stderr
        assert any(rc == 0 for rc, *_ in outs)
    assert {s for s, _ in states(raw, out).values()} == {"up_to_date"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary leftovers
    assert claim_counts(out).keys() == {"alpha-2022", "beta-2023"}


# --- 2. a damaged manifest or catalog is rebuilt ---------------------------------------------------

@pytest.mark.parametrize("damage", ["truncated", "not json", "a list", "missing"])
def test_a_damaged_manifest_is_rebuilt_from_the_report_folders(folder, damage):
    raw, out = folder
    manifest = out / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    if damage == "truncated":
        manifest.write_text(text[: len(text) // 3], encoding="utf-8")
    elif damage == "not json":
        manifest.write_bytes(b"\x00\xff garbage")
    elif damage == "a list":
        manifest.write_text("[1, 2]", encoding="utf-8")
    else:
        manifest.unlink()
    r = cli("status", raw, "--out", out)
    assert r.returncode == 0, r.stderr
    assert f"{manifest}" in r.stderr and "rebuilt it from 2 report folder(s)" in r.stderr
    assert r.stdout.count("up_to_date") == 2  # the rebuilt entries match the inputs
    r = cli("run", raw, "--out", out, "--runner", "inline", "--no-isolation")
    assert r.returncode == 0 and "0 processed, 2 up to date" in r.stdout, r.stdout + r.stderr
    assert "JSONDecodeError" not in r.stdout and "internal error" not in r.stderr
    rebuilt = json.loads(manifest.read_text(encoding="utf-8"))["reports"]
    assert sorted(rebuilt) == ["alpha-2022", "beta-2023"]
    assert rebuilt["alpha-2022"]["files"]["claims.parquet"] == (out / "alpha-2022" / "claims.parquet").stat().st_size
    r = cli("status", raw, "--out", out)  # written back: no warning any more
    assert r.returncode == 0 and "warning" not in r.stderr


def test_a_report_with_a_damaged_folder_is_left_out_of_a_rebuilt_manifest(folder):
    raw, out = folder
    (out / "manifest.json").write_text("{", encoding="utf-8")
    data = (out / "beta-2023" / "claims.parquet").read_bytes()
    (out / "beta-2023" / "claims.parquet").write_bytes(data[: len(data) // 2])
    assert states(raw, out) == {"alpha-2022": ("up_to_date", "unchanged since the last run"),
                                "beta-2023": ("new", "not processed before")}


@pytest.mark.parametrize("damage", ["garbage", "empty", "missing", "absolute paths"])
def test_a_damaged_or_missing_catalog_is_rebuilt(folder, damage, caplog):
    raw, out = folder
    catalog = out / "catalog.duckdb"
    if damage == "garbage":
        catalog.write_bytes(b"this is not a database" * 100)
    elif damage == "empty":
        catalog.write_bytes(b"")
    elif damage == "missing":
        catalog.unlink()
    else:  # a catalog of the old layout: views over absolute paths, then the folder moved
        import duckdb

        catalog.unlink()
        with duckdb.connect(str(catalog)) as con:
            con.execute(f"CREATE VIEW claims AS SELECT * FROM read_parquet('{out}/alpha-2022/claims.parquet')")
    with caplog.at_level(logging.WARNING, logger="reportpipe"):
        results = run_inline(collect_inputs([raw]), str(out), INLINE).results
    assert {r.status for r in results} == {"skipped"}
    if damage in ("garbage", "empty"):
        assert f"{catalog} does not read" in caplog.text
    assert claim_counts(out).keys() == {"alpha-2022", "beta-2023"}
    assert not list(out.glob(".catalog-*"))


def test_the_catalog_works_after_the_folder_moved(folder, tmp_path):
    import duckdb

    raw, out = folder
    before = claim_counts(out)
    with duckdb.connect(str(out / "catalog.duckdb"), read_only=True) as con:
        sql = " ".join(r[0] for r in con.execute("SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall())
    assert "claims.parquet" in sql and str(out) not in sql and str(tmp_path) not in sql  # relative paths
    moved = tmp_path / "elsewhere" / "moved-out"
    moved.parent.mkdir()
    shutil.move(out, moved)
    mtime = (moved / "catalog.duckdb").stat().st_mtime_ns
    assert claim_counts(moved) == before
    assert (moved / "catalog.duckdb").stat().st_mtime_ns == mtime  # used as it is, not rebuilt


HOLD_CATALOG = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: DuckDB locks the file
print("held", flush=True)
time.sleep(120)
"""


def test_a_catalog_locked_by_another_program_is_refreshed_by_the_next_run(folder):
    raw, out = folder
    (raw / "gamma-2024.txt").write_text(short_report(2), encoding="utf-8")
    holder = _holder(HOLD_CATALOG, out / "catalog.duckdb")
    try:
        r = cli("run", raw, "--out", out, "--runner", "inline", "--no-isolation")
        assert r.returncode == 0, r.stderr
        assert "1 processed, 2 up to date" in r.stdout
        assert f"{out / 'catalog.duckdb'} is open in another program" in r.stderr
        assert "internal error" not in r.stderr
    finally:
        _stop(holder)
    r = cli("run", raw, "--out", out, "--runner", "inline", "--no-isolation")  # nothing to extract
    assert r.returncode == 0 and "0 processed, 3 up to date" in r.stdout, r.stderr
    assert claim_counts(out).keys() == {"alpha-2022", "beta-2023", "gamma-2024"}


# --- 3. a report's files are verified, not only its key ------------------------------------------

@pytest.mark.parametrize("damage", ["deleted", "truncated", "csv deleted", "folder deleted"])
def test_damaged_report_files_make_the_report_changed_and_a_run_writes_it_again(folder, damage):
    raw, out = folder
    target = out / "beta-2023"
    if damage == "deleted":
        (target / "claims.parquet").unlink()
        why = "its files are damaged (claims.parquet missing)"
    elif damage == "truncated":
        data = (target / "claims.parquet").read_bytes()
        (target / "claims.parquet").write_bytes(data[:100])
        why = f"its files are damaged (claims.parquet is 100 bytes, was {len(data):,})"
    elif damage == "csv deleted":
        (target / "blocks.csv").unlink()
        why = "its files are damaged (blocks.csv missing)"
    else:
        shutil.rmtree(target)
        why = "its output folder is missing"
    assert states(raw, out) == {"alpha-2022": ("up_to_date", "unchanged since the last run"),
                                "beta-2023": ("changed", why)}
    r = cli("status", raw, "--out", out)
    assert f"beta-2023\tchanged\t{why}" in r.stdout
    # the catalog keeps every view, with the intact report's rows, while one report is damaged
    refresh_catalog(out)
    counts = claim_counts(out)
    assert "alpha-2022" in counts
    if damage != "csv deleted":
        assert "beta-2023" not in counts
    results = run_inline(collect_inputs([raw]), str(out), INLINE).results
    assert {r.report_id: r.status for r in results} == {"alpha-2022": "skipped", "beta-2023": "ok"}
    assert {s for s, _ in states(raw, out).values()} == {"up_to_date"}
    assert claim_counts(out).keys() == {"alpha-2022", "beta-2023"}


def test_every_view_exists_even_when_no_report_has_its_file(folder):
    raw, out = folder
    for rid in ("alpha-2022", "beta-2023"):
        (out / rid / "claims.parquet").unlink()
    refresh_catalog(out)
    names, rows = query(out, "SELECT * FROM claims")
    assert rows == [] and "claim_id" in names and "surface" in names
    _, rows = query(out, "SELECT count(*) FROM editions WHERE old_claim_id IN (SELECT claim_id FROM claims)")
    assert rows == [(0,)]
    _, rows = query(out, "SELECT count(*) FROM sections")
    assert rows[0][0] > 0


# --- 4. report ids --------------------------------------------------------------------------------

def test_report_ids_keep_cjk_and_other_scripts():
    assert report_id_for("raw/统计公报二〇二三.txt") == "统计公报二〇二三"
    assert report_id_for("河南省2023年国民经济和社会发展统计公报.pdf") == "河南省2023年国民经济和社会发展统计公报"
    assert report_id_for("臺北市統計年報.md") == "臺北市統計年報"
    assert report_id_for("wechat-employment-2019-2020.txt") == "wechat-employment-2019-2020"  # unchanged
    rid = report_id_for("统计公报 2023（修订）.txt")  # space and full-width brackets
    assert rid.startswith("统计公报_2023_修订") and is_safe_id(rid)
    assert report_id_for("ＡＢＣ２０２３.txt").startswith("ABC2023_")  # full width folded, hashed


@pytest.mark.parametrize("name", ["manifest.json.txt", "catalog.duckdb.md", "_failures.csv.txt",
                                  "MANIFEST.JSON.txt", "catalog.duckdb.wal.txt", "nul.txt", "COM1.md"])
def test_report_ids_never_take_the_tools_own_names(name):
    rid = report_id_for(name)
    assert not is_reserved(rid) and rid.casefold() not in TOOL_FILES and is_safe_id(rid)


def test_inputs_named_like_the_tools_files_leave_them_intact(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("manifest.json.txt", "catalog.duckdb.md", "_failures.csv.txt"):
        (raw / name).write_text(short_report(), encoding="utf-8")
    out = tmp_path / "out"
    r = cli("run", raw, "--out", out, "--runner", "inline", "--no-isolation")
    assert r.returncode == 0 and "3 processed" in r.stdout, r.stderr
    assert (out / "manifest.json").is_file() and (out / "catalog.duckdb").is_file()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["reports"].keys() == {
        report_id_for(raw / n) for n in ("manifest.json.txt", "catalog.duckdb.md", "_failures.csv.txt")}
    r = cli("status", raw, "--out", out)
    assert r.returncode == 0 and r.stdout.count("up_to_date") == 3, r.stderr
    r = cli("query", "SELECT count(DISTINCT report_id) AS n FROM claims", "--out", out, "--format", "csv")
    assert r.returncode == 0 and r.stdout.splitlines() == ["n", "3"], r.stderr


def test_a_very_long_file_name_is_shortened_with_a_hash(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    stem_a = "统计公报" * 20 + "甲" * 2  # 246 bytes of UTF-8
    stem_b = "统计公报" * 20 + "乙" * 2
    for stem in (stem_a, stem_b):
        assert len((stem + ".txt").encode()) == 250
        (raw / f"{stem}.txt").write_text(short_report(), encoding="utf-8")
    ids = {report_id_for(raw / f"{s}.txt") for s in (stem_a, stem_b)}
    assert len(ids) == 2 and all(len(i.encode()) <= MAX_ID_BYTES and i.startswith("统计公报") for i in ids)
    out = tmp_path / "out"
    r = cli("run", raw, "--out", out, "--runner", "inline", "--no-isolation")
    assert r.returncode == 0 and "2 processed" in r.stdout, r.stdout + r.stderr
    assert {p.name for p in out.iterdir() if p.is_dir()} == ids


def test_the_same_id_from_another_path_later_is_a_failure_row_not_an_overwrite(folder, tmp_path):
    raw, out = folder
    other = tmp_path / "other"
    other.mkdir()
    (other / "beta-2023.txt").write_text(short_report(7), encoding="utf-8")
    before = (out / "beta-2023" / "claims.csv").read_bytes()
    r = cli("run", other, "--out", out, "--runner", "inline", "--no-isolation")
    assert r.returncode == 1, r.stderr
    message = f"report id 'beta-2023' is already used by {raw / 'beta-2023.txt'}; rename one"
    assert message in r.stdout
    with open(out / "_failures.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(f["report_id"], f["reason"]) for f in rows] == [("beta-2023", "id_conflict")]
    assert message in rows[0]["message"] and rows[0]["report_path"] == str(other / "beta-2023.txt")
    assert (out / "beta-2023" / "claims.csv").read_bytes() == before  # not overwritten
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["reports"]
    assert manifest["beta-2023"]["source_path"] == str(raw / "beta-2023.txt")
    assert manifest["beta-2023"]["status"] == "ok"
    assert states(raw, out)["beta-2023"][0] == "up_to_date"  # the first input still owns its report
    r = cli("status", other, "--out", out)
    assert f"beta-2023\tfailed\t{message}" in r.stdout
    # a report whose source is gone (moved, renamed) may be taken over by the new path
    (raw / "beta-2023.txt").unlink()
    r = cli("run", other, "--out", out, "--runner", "inline", "--no-isolation")
    assert r.returncode == 0 and "1 processed" in r.stdout, r.stdout + r.stderr
    assert json.loads((out / "beta-2023" / "document.json").read_text())["source_path"] == str(other / "beta-2023.txt")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=120))
def test_any_stem_gives_a_safe_short_stable_id(stem):
    if "/" in stem or "\x00" in stem:
        stem = stem.replace("/", "_").replace("\x00", "_")
    rid = report_id_for(f"{stem}.txt")
    assert is_safe_id(rid), rid
    assert "/" not in rid and "\\" not in rid and not rid.startswith(".") and not is_reserved(rid)
    assert len(rid.encode("utf-8")) <= MAX_ID_BYTES
    assert report_id_for(f"{stem}.txt") == rid
    safe_stem = Path(f"{stem}.txt").stem
    assert (rid == safe_stem) == is_safe_id(safe_stem)  # a safe stem is kept as it is, only that


# --- 5. one unreadable or vanished file fails alone -------------------------------------------

def test_an_unreadable_file_is_one_failure_row_and_its_neighbours_are_processed(tmp_path):
    base = tmp_path
    raw = base / "raw"
    raw.mkdir()
    for name in ("a-first", "b-locked", "c-last"):
        (raw / f"{name}.txt").write_text(short_report(), encoding="utf-8")
    (raw / "b-locked.txt").chmod(0)
    out = base / "out"
    r = cli("run", raw, "--out", out, "--runner", "inline", "--no-isolation", unprivileged=True)
    assert r.returncode == 1, r.stderr
    assert "2 processed, 0 up to date, 1 failed" in r.stdout, r.stdout + r.stderr
    with open(out / "_failures.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(f["report_id"], f["reason"]) for f in rows] == [("b-locked", "unreadable_input")]
    assert "permission denied" in rows[0]["message"] and rows[0]["report_path"].endswith("b-locked.txt")
    assert (out / "a-first" / "claims.parquet").exists() and (out / "c-last" / "claims.parquet").exists()


def test_an_input_folder_that_cannot_be_listed_is_a_usage_error(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "r.txt").write_text(short_report(), encoding="utf-8")
    raw.chmod(0o311)  # may be entered, not listed
    try:
        r = cli("run", raw, "--out", tmp_path / "out", "--runner", "inline", "--no-isolation", unprivileged=True)
    finally:
        raw.chmod(0o755)
    assert r.returncode == 2 and f"cannot list the input folder {raw} (Permission denied)" in r.stderr, r.stderr
    assert "internal error" not in r.stderr


def test_a_file_that_vanishes_during_the_batch_is_one_failure_row(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a-first", "b-gone", "c-last"):
        (raw / f"{name}.txt").write_text(short_report(), encoding="utf-8")
    files = collect_inputs([raw])
    (raw / "b-gone.txt").unlink()  # listed, then deleted before it was read
    results = run_inline(files, str(tmp_path / "out"), INLINE).results
    by_id = {r.report_id: r for r in results}
    assert by_id["a-first"].status == by_id["c-last"].status == "ok"
    failure = by_id["b-gone"].failure
    assert failure is not None
    assert failure.reason == "unreadable_input" and "vanished" in failure.message


def test_the_output_of_a_vanished_input_is_kept_or_removed_as_the_user_chooses(tmp_path):
    """A file deleted between runs: by default its report stays (status says so, with the way to
    remove it); with --vanished remove its folder, manifest entry and catalog rows go, and the
    other reports are untouched."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    for name in ("a-stays", "b-deleted"):
        (raw / f"{name}.txt").write_text(short_report(), encoding="utf-8")
    first = cli("run", raw, "--out", out, "--runner", "inline", "--no-isolation")
    assert first.returncode == 0 and "2 processed" in first.stdout, first.stdout + first.stderr
    (raw / "b-deleted.txt").unlink()

    kept = cli("run", raw, "--out", out, "--runner", "inline", "--no-isolation")
    assert kept.returncode == 0, kept.stderr
    assert "b-deleted\tinput vanished: kept" in kept.stdout and "removed" not in kept.stdout.splitlines()[-1]
    assert (out / "b-deleted" / "claims.parquet").exists()
    status = cli("status", raw, "--out", out, "--format", "tsv")
    vanished_rows = [line.split("\t") for line in status.stdout.splitlines() if "\tvanished\t" in line]
    assert [row[0] for row in vanished_rows] == ["b-deleted"] and "--vanished remove" in vanished_rows[0][2]

    removed = cli("run", raw, "--out", out, "--runner", "inline", "--no-isolation", "--vanished", "remove")
    assert removed.returncode == 0, removed.stderr
    assert "1 removed (input vanished)" in removed.stdout, removed.stdout
    assert not (out / "b-deleted").exists() and (out / "a-stays" / "claims.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["reports"]) == ["a-stays"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "a temporary folder was left"
    assert not catalog_is_stale(out), "the run did not refresh the catalog after removing a report"
    _, rows = query(out, "SELECT DISTINCT report_id FROM claims ORDER BY 1")
    assert [r[0] for r in rows] == ["a-stays"]
    again = cli("status", raw, "--out", out, "--format", "tsv")
    assert "\tvanished\t" not in again.stdout


# --- 6. output paths and permissions ----------------------------------------------------------

def test_an_output_path_that_is_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "r.txt").write_text(short_report(), encoding="utf-8")
    target = tmp_path / "out.txt"
    target.write_text("mine", encoding="utf-8")
    r = cli("run", tmp_path / "raw", "--out", target, "--runner", "inline", "--no-isolation")
    assert r.returncode == 2 and f"{target} is a file, not a folder" in r.stderr, r.stderr
    assert "internal error" not in r.stderr and target.read_text(encoding="utf-8") == "mine"
    r = cli("run", tmp_path / "raw", "--out", target / "sub", "--runner", "inline", "--no-isolation")
    assert r.returncode == 2 and "cannot create the output folder" in r.stderr, r.stderr


def test_a_read_only_output_folder_is_a_usage_error(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "r.txt").write_text(short_report(), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    r = cli("run", tmp_path / "raw", "--out", out, "--runner", "inline", "--no-isolation", unprivileged=True)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"cannot write into the output folder {out} (Permission denied)" in r.stderr
    assert "internal error" not in r.stderr


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_output_permissions_follow_the_umask(tmp_path, umask):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "r.txt").write_text(short_report(), encoding="utf-8")
    out = tmp_path / "out"
    r = cli("run", tmp_path / "raw", "--out", out, "--runner", "inline", "--no-isolation", umask=umask)
    assert r.returncode == 0, r.stderr
    folder_mode, file_mode = 0o777 & ~umask, 0o666 & ~umask
    assert stat.S_IMODE((out / "r").stat().st_mode) == folder_mode
    for p in [out / "manifest.json", out / "catalog.duckdb", *(out / "r").iterdir()]:
        assert stat.S_IMODE(p.stat().st_mode) == file_mode, p


# --- 7. a query reads only the output folder ---------------------------------------------------

@pytest.mark.parametrize("sql,refusal", [
    ("SELECT * FROM read_text('/etc/passwd')", "Cannot access file \"/etc/passwd\""),
    ("SELECT * FROM read_csv('/etc/hostname')", "Cannot access file"),
    ("SELECT * FROM glob('/etc/*')", "Cannot access file"),
    ("COPY (SELECT * FROM claims) TO '{elsewhere}'", "only SELECT statements run here, not COPY"),
    ("INSTALL httpfs", "only SELECT statements run here"),
    ("LOAD httpfs", "only SELECT statements run here"),
    ("ATTACH '{elsewhere}.duckdb' AS x", "only SELECT statements run here"),
    ("SET enable_external_access = true", "only SELECT statements run here"),
    ("SELECT 1; COPY (SELECT 1) TO '{elsewhere}'", "not COPY"),
    ("CREATE TABLE t AS SELECT 1", "only SELECT statements run here"),
])
def test_query_cannot_reach_outside_the_output_folder(folder, tmp_path, sql, refusal):
    raw, out = folder
    elsewhere = tmp_path / "elsewhere.csv"
    sql = sql.format(elsewhere=elsewhere)
    cwd = Path.cwd()
    with pytest.raises(Exception) as info:
        query(out, sql)
    assert refusal in str(info.value)
    assert not elsewhere.exists() and not Path(f"{elsewhere}.duckdb").exists()
    assert Path.cwd() == cwd  # the working directory is restored


def test_query_connection_settings_are_locked(folder):
    from pipeline.catalog import connect_readonly

    raw, out = folder
    con = connect_readonly(out)
    try:
        settings_now = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', "
            "'lock_configuration', 'autoinstall_known_extensions', 'autoload_known_extensions')").fetchall())
        assert settings_now == {"enable_external_access": "false", "lock_configuration": "true",
                                "autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
        with pytest.raises(Exception, match="locked"):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()


def test_query_cli_refuses_copy_with_a_usage_error(folder, tmp_path):
    raw, out = folder
    target = tmp_path / "x.csv"
    r = cli("query", f"COPY (SELECT * FROM claims) TO '{target}'", "--out", out)
    assert r.returncode == 2 and "only SELECT statements run here" in r.stderr, r.stderr
    assert not target.exists()
    r = cli("query", "SELECT count(*) AS n FROM documents", "--out", out, "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout) == [{"n": 2}]


# --- 8. CSV copies a spreadsheet does not execute ----------------------------------------------

def test_formula_cells_are_escaped_in_csv_and_exact_in_parquet(tmp_path):
    from pipeline.process import process_file
    from pipeline.store import write_report

    lines = ['=HYPERLINK("http://example.com/x","点击查看")全年增长5%。', "+86 10 12345678为咨询电话，共3条线路。",
             "@所有人：全年新增岗位12个。", "-12.4", "'引号开头的一段，共7个。"]
    text = short_report() + "\n\n" + "\n\n".join(lines) + "\n"
    src = tmp_path / "hostile.txt"
    src.write_text(text, encoding="utf-8")
    doc = process_file(src)
    write_report(doc, tmp_path / "out")
    folder = tmp_path / "out" / doc.report_id
    exact = {b for b in pq.read_table(folder / "blocks.parquet").column("text").to_pylist()}
    with open(folder / "blocks.csv", encoding="utf-8", newline="") as fh:
        raw_cells = {r["text"] for r in csv.DictReader(fh)}
    for line in lines:
        assert line in exact  # Parquet: the exact text
    assert "'" + lines[0] in raw_cells and "'" + lines[1] in raw_cells and "'" + lines[2] in raw_cells
    assert "''引号开头的一段，共7个。" in raw_cells
    assert lines[0] not in raw_cells
    assert not any(c[:1] in "=+@" for c in raw_cells)
    assert {r["text"] for r in read_csv_rows(folder / "blocks.csv")} == exact  # read back exactly
    assert "-12.4" in raw_cells  # a number stays a number


def test_negative_numbers_written_as_text_stay_numbers():
    import pandas as pd

    df = pd.DataFrame({"v": ["-12.4", "+5%", "-1,234.5", "-3e5", "-", "-abc", "=1+1", "\tx", "\rx", None, "正常"],
                       "n": range(11)})
    got = spreadsheet_safe(df)["v"].tolist()
    assert got == ["-12.4", "+5%", "-1,234.5", "-3e5", "'-", "'-abc", "'=1+1", "'\tx", "'\rx", None, "正常"]
    assert df["v"].tolist()[0] == "-12.4" and df["v"].tolist()[4] == "-"  # the frame itself is untouched


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=20),
                          st.sampled_from(["=", "+", "-", "@", "'", "\t", "\r"]).flatmap(
                              lambda p: st.text(max_size=10).map(lambda t: p + t))), min_size=1, max_size=8))
def test_csv_escaping_round_trips_exactly(tmp_path_factory, cells):
    import pandas as pd

    from pipeline.store import _write_table

    df = pd.DataFrame({"text": cells, "n": range(len(cells))}, dtype=object)
    folder = tmp_path_factory.mktemp("csv")
    path = folder / "t.csv"
    _write_table(df, folder / "t.parquet", path)
    back = [r["text"] for r in read_csv_rows(path)]
    assert back == ["" if c is None else c for c in cells]
    with open(path, encoding="utf-8", newline="") as fh:
        written = [r["text"] for r in csv.DictReader(fh)]
    for w in written:  # nothing a spreadsheet would run is left, only numbers may start with + or -
        if w[:1] in ("=", "+", "-", "@", "\t", "\r"):
            assert NUMERIC.fullmatch(w), w
