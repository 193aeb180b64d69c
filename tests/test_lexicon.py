"""The vocabulary as data: every word defined once, with a known meaning, extensible by a user."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from pipeline import lexicon
from pipeline.lexicon import KINDS, LexiconError

BUILTIN = ROOT / "pipeline" / "lexicon"


def test_builtin_lexicon_loads_and_every_unit_has_a_known_kind():
    lx = lexicon.load()
    assert len(lx.units) > 100
    for unit in lx.units.values():
        assert unit.kind in KINDS, unit
        assert unit.canonical in lx.units, unit
    assert lx.units["个百分点"].canonical == "百分点"
    assert lx.units["成"].factor == 10
    assert {p.stem for p in BUILTIN.glob("*.toml")} == set(lexicon.FILES)


def test_organisation_suffixes_for_segment():
    suffixes = lexicon.organisation_suffixes()
    assert isinstance(suffixes, tuple) and all(isinstance(s, str) for s in suffixes)
    assert "研究院" in suffixes and "局" in suffixes
    assert [len(s) for s in suffixes] == sorted((len(s) for s in suffixes), reverse=True)


def test_spring_festival_table_covers_1900_to_2099():
    lx = lexicon.load()
    assert sorted(lx.spring_festival) == list(range(1900, 2100))
    # dates checked against the table the periods stage carried before (2010-2030) and almanacs
    known = {1900: "1900-01-31", 1949: "1949-01-29", 2000: "2000-02-05", 2010: "2010-02-14",
             2020: "2020-01-25", 2030: "2030-02-03", 2050: "2050-01-23", 2099: "2099-01-21"}
    assert {y: str(lx.spring_festival[y]) for y in known} == known


def _overlay(tmp_path: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def _build(folder: str):
    tables, sources = lexicon._read(folder)
    return lexicon.build(tables, sources)


@pytest.mark.parametrize("files, message", [
    ({"units.toml": '[units]\n"工日" = { canonical = "日" }\n'}, "has no kind"),
    ({"units.toml": '[units]\n"工日" = "labour"\n'}, "unknown kind 'labour'"),
    ({"units.toml": '[units]\n"工日" = { kind = "count", canonical = "人工日" }\n'}, "not a unit"),
    ({"units.toml": '[units]\n"万" = "count"\n'}, "'万' is defined twice"),
    ({"units.toml": '[units]\n"工日" = "count"\n"工日" = "duration"\n'}, "defined twice"),
    ({"nonclaims.toml": '[names]\nwords = ["六稳六保", "六稳六保"]\n'}, "listed twice"),
    ({"nonclaims.toml": '[vague]\nwords = ["一带一路"]\n'}, "'一带一路' is defined twice"),
    ({"changes.toml": '[basis]\nmom = ["同比"]\n'}, "'同比' is defined twice"),
    ({"changes.toml": '[cues]\n"激增" = "surge"\n'}, "change must be one of"),
    ({"qualifiers.toml": '[before]\n"高达" = "high"\n'}, "allowed values"),
    ({"qualifiers.toml": '[after]\n"约" = "approx"\n'}, "'约' is defined twice"),
    ({"festivals.toml": '[spring_festival]\n2101 = 2100-02-09\n'}, "falls in"),
    ({"periods.toml": '[year_words]\n"年中" = "midway"\n'}, "allowed values"),
    ({"periods.toml": '[cues]\nreference = ["截至"]\n'}, "'截至' is defined twice"),
    ({"periods.toml": '[relative_years]\n"前年" = "two"\n'}, "whole number of years"),
    ({"unit.toml": '[units]\n"工日" = "count"\n'}, "unknown file name"),
    ({"units.toml": '[unit]\n"工日" = "count"\n'}, "unknown table [unit]"),
])
def test_a_contradictory_lexicon_is_refused_with_a_clear_message(tmp_path, files, message):
    with pytest.raises(LexiconError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _build(_overlay(tmp_path, files))


def test_an_overlay_extends_and_overrides(tmp_path):
    folder = _overlay(tmp_path, {
        "units.toml": '[units]\n"标准台" = "count"\n"度" = "other"\n',
        "nonclaims.toml": '[names]\nwords = ["六个坚持"]\n',
    })
    lx = _build(folder)
    assert lx.units["标准台"].kind == "count"
    assert "六个坚持" in lx.words("nonclaims", "names", "words")
    assert "一带一路" in lx.words("nonclaims", "names", "words")  # lists are extended, not replaced
    assert lx.sources[-2:] == (str(tmp_path / "nonclaims.toml"), str(tmp_path / "units.toml"))


def test_a_missing_overlay_folder_is_an_error(tmp_path):
    with pytest.raises(LexiconError, match="is not a folder"):
        lexicon._read(str(tmp_path / "nowhere"))


def test_the_claims_stage_reads_a_users_lexicon(tmp_path):
    """End to end in a fresh process, as a user would run it: REPORTPIPE_LEXICON adds a unit and a
    slogan, and the claims of the same sentence change accordingly."""
    folder = _overlay(tmp_path, {
        "units.toml": '[units]\n"标准台" = "count"\n',
        "nonclaims.toml": '[names]\nwords = ["六个坚持"]\n',
    })
    script = (
        "import json, sys\n"
        "from pipeline.model import Document\n"
        "from pipeline.process import process_document\n"
        "text = '2023年报告\\n\\n某研究所\\n\\n2023年5月\\n\\n全年生产拖拉机3.5万标准台。坚持六个坚持不动摇。\\n'\n"
        "doc = process_document(Document('x', 'x.txt', '', 'utf-8', text))\n"
        "json.dump([(c.surface, c.value, c.unit) for c in doc.claims], sys.stdout, ensure_ascii=False)\n"
    )

    def run(env_extra):
        env = {k: v for k, v in os.environ.items() if k != lexicon.ENV_VAR}
        env.update(env_extra, PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                             timeout=120, check=True)
        return [tuple(r) for r in json.loads(out.stdout)]

    assert run({}) == [("3.5万", "35000", ""), ("六个", "6", "个")]
    assert run({lexicon.ENV_VAR: folder}) == [("3.5万标准台", "35000", "标准台")]


def test_fingerprint_follows_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv(lexicon.ENV_VAR, raising=False)
    base = lexicon.fingerprint()
    monkeypatch.setenv(lexicon.ENV_VAR, _overlay(tmp_path, {"units.toml": '[units]\n"标准台" = "count"\n'}))
    assert lexicon.fingerprint() != base
