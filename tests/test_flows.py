"""The Prefect flow, run for real once: same tables as the plain pipeline, failures as data."""

import shutil

import pandas as pd
import pytest

from pipeline.batch import Settings, collect_inputs, run_inline

from conftest import DATA, SAMPLE


@pytest.mark.prefect
def test_process_folder_flow_matches_inline(tmp_path):
    import flows

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw)
    shutil.copy(DATA / "bad_text" / "nul_byte_in_text.txt", raw)
    out = flows.process_folder([str(raw)], str(tmp_path / "prefect"))
    statuses = {r.report_id: r.status for r in out["results"]}
    assert statuses == {"wechat-employment-2019-2020": "ok", "nul_byte_in_text": "failed"}
    run_inline(collect_inputs([raw]), str(tmp_path / "inline"), Settings())
    for table in ("sections", "cases", "claims", "blocks", "tables"):
        a = pd.read_csv(tmp_path / "prefect" / "wechat-employment-2019-2020" / f"{table}.csv")
        b = pd.read_csv(tmp_path / "inline" / "wechat-employment-2019-2020" / f"{table}.csv")
        pd.testing.assert_frame_equal(a, b)
    assert (tmp_path / "prefect" / "_failures.csv").read_text().count("decode_failed") == 1

    # a deleted input's report removed through the flow's parameter, as `serve --vanished remove` passes it
    (raw / SAMPLE.name).unlink()
    again = flows.process_folder([str(raw)], str(tmp_path / "prefect"), vanished="remove")
    assert [(v.report_id, v.action) for v in again["vanished"]] == [("wechat-employment-2019-2020", "removed")]
    assert not (tmp_path / "prefect" / "wechat-employment-2019-2020").exists()


@pytest.mark.prefect
def test_dask_runner_matches_inline(tmp_path):
    import flows

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw)
    for year, value in (("2019", "11.5"), ("2020", "12.025")):
        (raw / f"series-{year}.txt").write_text(
            f"{year}年报告\n\n某研究所\n\n{year}年5月\n\n微信月活跃用户{value}亿，同比增长6%。\n", encoding="utf-8")
    shutil.copy(DATA / "bad_text" / "empty.txt", raw)
    out = flows.process_folder_on_dask([str(raw)], str(tmp_path / "dask"), False, {})
    statuses = sorted((r.report_id, r.status) for r in out["results"])
    assert statuses == [("empty", "failed"), ("series-2019", "ok"), ("series-2020", "ok"),
                        ("wechat-employment-2019-2020", "ok")]
    run_inline(collect_inputs([raw]), str(tmp_path / "inline"), Settings(isolate=False))
    for rid in ("wechat-employment-2019-2020", "series-2019", "series-2020"):
        for table in ("sections", "cases", "claims"):
            a = pd.read_csv(tmp_path / "dask" / rid / f"{table}.csv")
            b = pd.read_csv(tmp_path / "inline" / rid / f"{table}.csv")
            pd.testing.assert_frame_equal(a, b)


@pytest.mark.prefect
def test_serve_processes_new_reports_on_its_interval(tmp_path):
    import json
    import signal
    import subprocess
    import sys
    import time

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw)
    out = tmp_path / "out"
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", str(raw), "--out", str(out),
                             "--interval", "5"], stdout=log, stderr=subprocess.STDOUT, text=True)

    def wait_for(report_id, limit=180):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            manifest = out / "manifest.json"
            if manifest.exists() and report_id in json.loads(manifest.read_text())["reports"]:
                return True
            time.sleep(1)
        return False

    try:
        assert wait_for("wechat-employment-2019-2020"), "the served deployment never processed raw/"
        (raw / "new-2021.txt").write_text("2021年报告\n\n某研究所\n\n2021年5月\n\n用户12.6亿。\n", encoding="utf-8")
        assert wait_for("new-2021"), "a report added later was not picked up"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
        log.close()
    assert "serving: runs at http://127.0.0.1:" in (tmp_path / "serve.log").read_text()
