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
    statuses = {r["report_id"]: r["status"] for r in out["results"]}
    assert statuses == {"wechat-employment-2019-2020": "ok", "nul_byte_in_text": "failed"}
    run_inline(collect_inputs([raw]), str(tmp_path / "inline"), Settings())
    for table in ("sections", "cases", "claims", "blocks", "tables"):
        a = pd.read_csv(tmp_path / "prefect" / "wechat-employment-2019-2020" / f"{table}.csv")
        b = pd.read_csv(tmp_path / "inline" / "wechat-employment-2019-2020" / f"{table}.csv")
        pd.testing.assert_frame_equal(a, b)
    assert (tmp_path / "prefect" / "_failures.csv").read_text().count("decode_failed") == 1
