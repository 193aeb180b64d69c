"""The command line, end to end, as a user runs it (inline runner; Prefect has its own test)."""

import csv
import json
import shutil
import subprocess
import sys

import pytest

from pipeline.store import read_csv_rows

from conftest import DATA, GOLD, ROOT, SAMPLE

EXE = [sys.executable, "-m", "pipeline.cli"]


def run(*args, cwd=ROOT):
    return subprocess.run([*EXE, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("cmd", [[], ["run"], ["status"], ["eval"], ["diff"], ["query"], ["review"], ["serve"]])
def test_every_command_has_help(cmd):
    r = run(*cmd, "--help")
    assert r.returncode == 0 and "usage: reportpipe" in r.stdout


def test_run_writes_tables_and_reruns_do_nothing(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw)
    out = tmp_path / "extracted"
    r = run("run", raw, "--out", out, "--runner", "inline")
    assert r.returncode == 0, r.stderr
    assert "1 processed, 0 up to date, 0 failed" in r.stdout
    folder = out / "wechat-employment-2019-2020"
    for table in ("sections", "blocks", "cases", "claims", "tables", "quarantine"):
        assert (folder / f"{table}.parquet").exists() and (folder / f"{table}.csv").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["reports"]["wechat-employment-2019-2020"]["status"] == "ok"
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    r = run("run", raw, "--out", out, "--runner", "inline")
    assert r.returncode == 0 and "0 processed, 1 up to date" in r.stdout
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes  # nothing rewritten
    r = run("status", raw, "--out", out)
    assert "up_to_date" in r.stdout
    (raw / SAMPLE.name).write_text(SAMPLE.read_text(encoding="utf-8") + "\n新增一段。\n", encoding="utf-8")
    assert "changed" in run("status", raw, "--out", out).stdout
    r = run("run", raw, "--out", out, "--runner", "inline", "--force")
    assert "1 processed" in r.stdout


def test_a_bad_report_fails_alone_with_exit_1(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw)
    for name in ("binary_garbage.txt", "empty.txt", "zh_hant_big5.txt"):
        shutil.copy(DATA / "bad_text" / name, raw)
    out = tmp_path / "out"
    r = run("run", raw, "--out", out, "--runner", "inline")
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert "2 processed, 0 up to date, 2 failed" in r.stdout
    with open(out / "_failures.csv", encoding="utf-8") as fh:
        failures = {row["report_id"]: row for row in csv.DictReader(fh)}
    assert failures["binary_garbage"]["reason"] == "decode_failed"
    assert failures["empty"]["reason"] == "empty_input"
    assert "binary_garbage.txt" in failures["binary_garbage"]["message"] or failures["binary_garbage"]["report_path"].endswith("binary_garbage.txt")
    assert (out / "wechat-employment-2019-2020" / "claims.parquet").exists()


def test_usage_errors_exit_2(tmp_path):
    assert run("run", tmp_path / "missing", "--runner", "inline").returncode == 2
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    shutil.copy(SAMPLE, a / "same.txt")
    shutil.copy(SAMPLE, b / "same.txt")
    r = run("run", a, b, "--out", tmp_path / "o", "--runner", "inline")
    assert r.returncode == 2 and "same" in r.stderr


def test_eval_command(tmp_path):
    out = tmp_path / "out"
    assert run("run", SAMPLE, "--out", out, "--runner", "inline", "--quiet").returncode == 0
    r = run("eval", GOLD / "wechat-employment-2019-2020.jsonl", out / "wechat-employment-2019-2020", "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["f1"] >= 0.97 and set(result["accuracy"]) == {"kind", "qualifier", "change", "basis", "period"}
    r = run("eval", GOLD / "wechat-employment-2019-2020.jsonl", out / "wechat-employment-2019-2020")
    assert r.stdout.startswith("claims: precision")
    assert run("eval", tmp_path / "nope.jsonl", out).returncode == 2


HOSTILE = "[/bold]综合[link=https://example.com/x]点这里[/link]"


def test_report_text_is_printed_as_text_in_every_format(tmp_path):
    """Report text holding rich markup, and text holding terminal escape sequences (a hidden link,
    a screen clear, a colour), reach the terminal as plain text."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "hostile.txt").write_text(f"2023年报告\n\n某研究所\n\n2023年5月\n\n一、{HOSTILE}\n\n用户12.6亿。\n",
                                     encoding="utf-8")
    out = tmp_path / "out"
    assert run("run", raw, "--out", out, "--runner", "inline", "--quiet").returncode == 0
    escapes = ("chr(27) || ']8;;https://example.com' || chr(7) || '链接' || chr(27) || ']8;;' || chr(7) "
               "|| chr(27) || '[2J' || chr(27) || '[31m红' || chr(155) || '0m' || chr(13) || '末'")
    for fmt in ("table", "csv", "json"):
        r = run("query", "SELECT text FROM blocks WHERE text LIKE '%link=%'", "--out", out, "--format", fmt)
        assert r.returncode == 0, r.stderr
        assert HOSTILE in r.stdout, r.stdout  # the markup shown, not interpreted (nor a crash)
        r = run("query", f"SELECT {escapes} AS t", "--out", out, "--format", fmt)
        assert r.returncode == 0, r.stderr
        assert "链接" in r.stdout and "红" in r.stdout and "末" in r.stdout, r.stdout
        assert not any(ch in r.stdout for ch in "\x1b\x07\x9b\r"), repr(r.stdout)
        assert "8;;" not in r.stdout and "[2J" not in r.stdout and "[31m" not in r.stdout, repr(r.stdout)


def test_a_failed_report_is_retried_only_when_its_input_changes(tmp_path):
    """The same bytes through the same pipeline fail the same way: a later run (or a poll of
    `serve`) does not redo it, yet keeps it in _failures.csv and in its exit status; a change to
    the input, or --force, retries it."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(SAMPLE, raw)
    broken = raw / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02 not text \xff\xfe")
    first = run("run", raw, "--out", out, "--runner", "inline", "--quiet")
    assert first.returncode == 1
    before = (out / "manifest.json").read_text()
    second = run("run", raw, "--out", out, "--runner", "inline")
    assert second.returncode == 1  # the failure still stands
    assert "0 processed, 1 up to date, 1 failed" in second.stdout
    assert "not retried" in second.stdout
    assert (out / "manifest.json").read_text() == before  # nothing was redone
    rows = read_csv_rows(out / "_failures.csv")
    assert [(r["report_id"], r["reason"]) for r in rows] == [("broken", "decode_failed")]
    status = run("status", raw, "--out", out, "--format", "csv")
    assert "broken,not_retried," in status.stdout
    assert run("run", raw, "--out", out, "--runner", "inline", "--force", "--quiet").returncode == 1
    broken.write_text("2021年报告\n\n用户12.6亿。\n", encoding="utf-8")  # fixed by the user
    third = run("run", raw, "--out", out, "--runner", "inline")
    assert third.returncode == 0, third.stdout
    assert "1 processed, 1 up to date, 0 failed" in third.stdout
    assert not (out / "_failures.csv").exists()
