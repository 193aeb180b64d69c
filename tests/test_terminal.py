"""What reaches a terminal: report text as text, whatever it holds."""

import io
import json

from hypothesis import given
from hypothesis import strategies as st

from pipeline.terminal import clean_text, output_rows

CONTROLS = {chr(c) for c in range(0x20) if chr(c) not in "\t\n"} | {chr(c) for c in range(0x7f, 0xa0)}


@given(st.text())
def test_no_control_character_survives(text):
    cleaned = clean_text(text)
    assert not CONTROLS & set(cleaned)
    assert not {"\u202e", "\u2066"} & set(cleaned)


@given(st.text(alphabet=st.characters(categories=("Lo", "Nd", "Po", "Zs"))))
def test_plain_report_text_is_unchanged(text):
    assert clean_text(text) == text


def test_escape_sequences_go_whole_and_the_text_stays():
    link = "\x1b]8;;https://example.com\x07点这里\x1b]8;;\x07"
    assert clean_text(f"全年{link}增长\x1b[1;31m5.2%\x1b[0m。\x1b[2J") == "全年点这里增长5.2%。"
    assert clean_text("标题\x1b]0;new window title\x1b\\正文") == "标题正文"
    assert clean_text("a\x9b31mb\u202ec") == "abc"


def test_every_format_prints_the_same_cells():
    cols = ("report", "title")
    rows = [("r1", "[/bold]综合\t一"), ("r2", None)]
    printed = {}
    for fmt in ("table", "tsv", "csv", "json", "md"):
        buf = io.StringIO()
        output_rows(cols, rows, fmt, stream=buf)
        printed[fmt] = buf.getvalue()
        assert "[/bold]综合" in printed[fmt], fmt
    assert printed["tsv"].splitlines() == ["report\ttitle", "r1\t[/bold]综合 一", "r2\t"]
    assert json.loads(printed["json"]) == [{"report": "r1", "title": "[/bold]综合\t一"},
                                           {"report": "r2", "title": None}]
    assert printed["md"].splitlines()[:2] == ["| report | title |", "|---|---|"]
