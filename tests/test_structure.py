"""Structure: headings scored against hand-made heading annotations, and the rules behind them."""

import json
import subprocess
import sys

import pytest
from conftest import CORPUS, GOLD, ROOT

from pipeline.errors import GoldFileError
from pipeline.evaluate import (
    document_sections,
    is_headings_gold,
    load_heading_gold,
    score_headings,
)
from pipeline.model import Document
from pipeline.process import process_document, process_file

HEADING_F1 = 0.95  # the bar every annotated report's headings must clear


def doc_of(text: str) -> Document:
    return process_document(Document("x", "x.txt", "", "utf-8", text))


def sections_of(text: str) -> list[tuple[str, str, str]]:
    return [(s.level, s.number, s.title) for s in doc_of(text).sections]


# --- scoring ------------------------------------------------------------------------------------

def _gold(line, level, number, title, required=True, page=None):
    return {"line": line, "page": page, "level": level, "number": number, "title": title, "required": required}


def _pred(line, level, number, title, page=None):
    return {"line": line, "page": page, "level": level, "number": number, "title": title}


def test_headings_match_by_number_title_and_place():
    gold = [_gold(5, "section", "一", "综合"), _gold(9, "subsection", "一", "农 业"), _gold(20, "section", "二", "工业"),
            _gold(30, "section", "", "附注", required=False)]
    preds = [_pred(5, "section", "一", "综合"),      # exact
             _pred(10, "section", "一", "农业"),      # a line off, white space aside, level wrong
             _pred(60, "section", "二", "工业"),      # same heading far from its line: not a match
             _pred(30, "section", "", "附注"),        # a borderline heading: neither way
             _pred(40, "subsection", "三", "表格一行")]  # a false alarm
    s = score_headings(gold, preds)
    assert (s.tp, s.fn, s.fp) == (2, 1, 2)
    assert s.level_accuracy == 0.5 and s.level_errors[0]["gold"] == "subsection"
    assert [m["title"] for m in s.misses] == ["工业"]
    assert sorted(f["title"] for f in s.false_alarms) == ["工业", "表格一行"]
    assert round(s.f1, 4) == round(2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3), 4)


def test_pdf_headings_match_on_the_same_page_and_traditional_titles_fold():
    gold = [_gold(None, "section", "貳", "社會篇", page=3), _gold(None, "section", "三", "工业", page=4)]
    preds = [_pred(400, "section", "贰", "社会篇", page=3), _pred(500, "section", "三", "工业", page=5)]
    s = score_headings(gold, preds)
    assert (s.tp, s.fn, s.fp) == (1, 1, 1)


def test_a_number_that_differs_is_another_heading():
    s = score_headings([_gold(3, "section", "一", "综合")], [_pred(3, "section", "二", "综合")])
    assert (s.tp, s.fn, s.fp) == (0, 1, 1)


def test_heading_gold_files_are_checked(tmp_path):
    bad = tmp_path / "x.headings.jsonl"
    bad.write_text('{"line": 3, "level": "chapter", "number": "一", "title": "综合"}\n', encoding="utf-8")
    with pytest.raises(GoldFileError, match=r"x.headings.jsonl:1: level 'chapter'"):
        load_heading_gold(bad)
    bad.write_text('{"level": "section", "number": "一", "title": "综合"}\n', encoding="utf-8")
    with pytest.raises(GoldFileError, match="needs a line"):
        load_heading_gold(bad)
    assert is_headings_gold(bad) and not is_headings_gold(GOLD / "luoyang-2023-statistical-bulletin.jsonl")


def test_eval_command_scores_headings_of_an_extraction(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "city.txt").write_text(
        "某市2023年统计公报\n\n某市统计局\n\n2024年4月30日\n\n一、综合\n\n全年生产总值5481.6亿元，比上年增长5.2%。\n\n"
        "（一）农业\n\n粮食产量300万吨。\n\n二、工业\n\n工业增加值增长6%。\n", encoding="utf-8")
    gold = tmp_path / "city.headings.jsonl"
    rows = [_gold(7, "section", "一", "综合"), _gold(11, "subsection", "一", "农业"), _gold(15, "section", "二", "工业"),
            _gold(17, "section", "三", "服务业")]
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    exe = [sys.executable, "-m", "pipeline.cli"]
    r = subprocess.run([*exe, "run", str(raw), "--out", str(out), "--runner", "inline", "--no-isolation"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*exe, "eval", str(gold), str(out / "city")], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "headings: precision 1.000  recall 0.750" in r.stdout
    assert "line 17: section 三 服务业" in r.stdout
    r = subprocess.run([*exe, "eval", str(gold), str(out / "city"), "--json"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert json.loads(r.stdout)["level_accuracy"] == 1.0


# --- every annotated report ----------------------------------------------------------------------

GBK = CORPUS / "gbk"
HEADING_GOLD = [
    (ROOT / "raw" / "wechat-employment-2019-2020.txt", "wechat-employment-2019-2020"),
    (CORPUS / "zh-Hans_luoyang-2023-statistical-bulletin.txt", "luoyang-2023-statistical-bulletin"),
    (CORPUS / "zh-Hans_state-council-2024-government-work-report.txt", "state-council-2024-government-work-report"),
    (CORPUS / "zh-Hans_chengdu-2021-statistical-bulletin.ocr.md", "chengdu-2021-statistical-bulletin"),
    (CORPUS / "zh-Hant_taipei-neihu-urban-plan-ch3-1-socioeconomic.md", "taipei-neihu-urban-plan-ch3-1-socioeconomic"),
    (GBK / "zh-Hans_agri-census-1997-bulletin-1_gbk.txt", "agri-census-1997-bulletin-1"),
    (GBK / "zh-Hans_agri-census-1997-bulletin-2_gbk.txt", "agri-census-1997-bulletin-2"),
    (GBK / "zh-Hans_key-state-enterprises-analysis_gbk.txt", "key-state-enterprises-analysis"),
    (GBK / "zh-Hans_taiwan-economy-1999-review_gbk.txt", "taiwan-economy-1999-review"),
    (ROOT / "tests/data/heldout/nbs-2024-statistical-bulletin-excerpt.txt", "nbs-2024-statistical-bulletin-excerpt"),
    (CORPUS / "zh-Hans_zhoukou-2023-statistical-bulletin.pdf", "zhoukou-2023-statistical-bulletin.pdf"),
    (CORPUS / "zh-Hans_qiandongnan-2023-statistical-bulletin.pdf", "qiandongnan-2023-statistical-bulletin.pdf"),
]


@pytest.mark.parametrize("source, stem", HEADING_GOLD, ids=[s for _, s in HEADING_GOLD])
def test_headings_against_gold(source, stem):
    if not source.exists():
        pytest.skip(f"{source} is not present (the shared corpus lives beside the repository)")
    gold = load_heading_gold(GOLD / f"{stem}.headings.jsonl")
    assert sum(g["required"] for g in gold) >= 2  # an annotation, not an empty file
    s = score_headings(gold, document_sections(process_file(source)))
    assert s.f1 >= HEADING_F1, (s.f1, s.misses, s.false_alarms)
