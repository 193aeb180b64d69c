from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "raw" / "wechat-employment-2019-2020.txt"
GOLD = ROOT / "tests" / "gold"
DATA = ROOT / "tests" / "data"
CORPUS = ROOT.parent / "shared" / "corpus"

os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")


@pytest.fixture(scope="session")
def sample_doc():
    from pipeline.process import process_file

    return process_file(SAMPLE)


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")
