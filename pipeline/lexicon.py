"""The vocabulary of Chinese reports, as data: units, scale words, cues, non-claims, festivals.

The words the claims stage reads (units and their kinds, scale words, qualifier, change and basis
cues, names and idioms that are not claims, organisation suffixes, festival dates) live in
``pipeline/lexicon/*.toml`` so that a user can extend them for their own reports without editing
code, and so that each word is defined once, in one place, with one meaning.

Extending: set ``REPORTPIPE_LEXICON`` to a folder of ``.toml`` files named like the built-in ones
(``units.toml``, ``nonclaims.toml``, ...), with the same tables. They are merged over the built-in
files: a word of a table of words (``"工日" = "duration"`` in ``[units]``) is added or replaces the
built-in entry, a list (``words = [...]``) is extended. A file or table name the built-in lexicon
does not have is an error, so a typo never passes silently. The lexicon is read once per process;
the content key of an extraction should include ``fingerprint()`` so that a changed vocabulary
re-extracts the reports.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Optional

ENV_VAR = "REPORTPIPE_LEXICON"
KINDS = ("count", "money", "percent", "multiple", "duration", "length", "other")
QUALIFIERS = ("exact", "approx", "at_least", "at_most")
CHANGES = ("increase", "decrease")
FILES = ("units", "scales", "qualifiers", "changes", "kinds", "nonclaims", "subjects",
         "organisations", "festivals", "periods", "tables", "indicators", "pages")
ROLES = ("during", "as_of")


class LexiconError(ValueError):
    """A lexicon file that cannot be read or says something contradictory."""


class FestivalOutOfRange(LookupError):
    """A festival date asked for a year the festival table does not cover."""


@dataclass(frozen=True)
class Unit:
    word: str
    kind: str
    canonical: str  # the unit the claims table writes
    factor: Decimal  # "六成" is 6 × 10 %
    noun_starts: str  # characters after the unit that make it the start of a noun


@dataclass(frozen=True)
class ChangeCue:
    word: str
    change: str  # increase or decrease
    rate: bool  # names a rate of change (增速, 降幅)
    needs_comparison: bool  # counts only after 比/较 ("比上年多")


@dataclass(frozen=True)
class Lexicon:
    """Every vocabulary of the claims stage, checked and frozen."""

    tables: Mapping[str, Mapping[str, Any]]  # file -> table -> value, as merged
    units: Mapping[str, Unit]
    scales: Mapping[str, Decimal]
    change_cues: Mapping[str, ChangeCue]
    spring_festival: Mapping[int, date]
    sources: tuple[str, ...]  # the files read, built-in first

    def words(self, file: str, table: str, key: str) -> tuple[str, ...]:
        """A list of words: ``words("nonclaims", "names", "words")``."""
        return tuple(self.tables[file][table][key])

    def mapping(self, file: str, table: str) -> Mapping[str, Any]:
        return self.tables[file][table]

    def festival_day(self, year: int, offset: int = 0) -> date:
        """初一 of ``year``'s lunar new year plus ``offset`` days; an error outside the table."""
        first = self.spring_festival.get(year)
        if first is None:
            lo, hi = min(self.spring_festival), max(self.spring_festival)
            raise FestivalOutOfRange(
                f"the spring festival of {year} is not in the festival table ({lo}-{hi}); "
                f"add it to a festivals.toml under {ENV_VAR} ([spring_festival] {year} = YYYY-MM-DD)"
            )
        return first + timedelta(days=offset)


def _builtin_files() -> list[tuple[str, bytes]]:
    folder = resources.files("pipeline").joinpath("lexicon")
    out = []
    for name in FILES:
        entry = folder.joinpath(f"{name}.toml")
        if not entry.is_file():
            raise LexiconError(f"the built-in lexicon file {name}.toml is missing from the package "
                               "(reinstall reportpipe: the wheel must ship pipeline/lexicon/*.toml)")
        out.append((f"{name}.toml", entry.read_bytes()))
    return out


def _user_files(folder: str) -> list[tuple[str, bytes]]:
    path = Path(folder)
    if not path.is_dir():
        raise LexiconError(f"{ENV_VAR}={folder!r} is not a folder; point it at a folder of .toml "
                           f"files named like the built-in ones ({', '.join(FILES)})")
    return [(str(p), p.read_bytes()) for p in sorted(path.glob("*.toml"))]


def _parse(name: str, data: bytes) -> dict:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LexiconError(f"lexicon file {name} is not UTF-8: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        # a word written twice in one table is a TOML error too ("Cannot overwrite a value")
        raise LexiconError(f"lexicon file {name} is not valid TOML (a word defined twice?): {exc}") from exc


def _check_lists(name: str, tables: dict) -> None:
    for table, body in tables.items():
        if not isinstance(body, dict):
            raise LexiconError(f"lexicon file {name}: {table!r} must be a table ([{table}])")
        for key, value in body.items():
            if isinstance(value, list):
                seen: set = set()
                for word in value:
                    if word in seen:
                        raise LexiconError(f"lexicon file {name}: {word!r} is listed twice in "
                                           f"[{table}] {key}")
                    seen.add(word)


def _merge(base: dict, extra: dict, name: str) -> None:
    for table, body in extra.items():
        if table not in base:
            raise LexiconError(f"lexicon file {name}: unknown table [{table}]; this file has "
                               f"{', '.join('[' + t + ']' for t in base)}")
        target = base[table]
        for key, value in body.items():
            if isinstance(value, list) and isinstance(target.get(key), list):
                target[key] = target[key] + [w for w in value if w not in target[key]]
            else:
                target[key] = value


def _read(user_folder: Optional[str]) -> tuple[dict, tuple[str, ...]]:
    merged: dict = {}
    sources = []
    for name, data in _builtin_files():
        tables = _parse(name, data)
        _check_lists(name, tables)
        merged[name[: -len(".toml")]] = tables
        sources.append(name)
    if user_folder:
        for name, data in _user_files(user_folder):
            stem = Path(name).stem
            if stem not in merged:
                raise LexiconError(f"lexicon file {name}: unknown file name; the lexicon has "
                                   f"{', '.join(f + '.toml' for f in FILES)}")
            tables = _parse(name, data)
            _check_lists(name, tables)
            _merge(merged[stem], tables, name)
            sources.append(name)
    return merged, tuple(sources)


def _units(body: Mapping[str, Any]) -> dict[str, Unit]:
    units = {}
    for word, spec in body.items():
        if isinstance(spec, str):
            spec = {"kind": spec}
        if not isinstance(spec, dict) or not spec.get("kind"):
            raise LexiconError(f"unit {word!r} has no kind; write \"{word}\" = \"count\" or one of "
                               f"{', '.join(KINDS)}")
        kind = spec["kind"]
        if kind not in KINDS:
            raise LexiconError(f"unit {word!r} has the unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
        unknown = set(spec) - {"kind", "canonical", "factor", "noun_starts"}
        if unknown:
            raise LexiconError(f"unit {word!r} has unknown fields {sorted(unknown)}")
        units[word] = Unit(word, kind, spec.get("canonical", word), Decimal(str(spec.get("factor", 1))),
                           spec.get("noun_starts", ""))
    for u in units.values():
        if u.canonical not in units:
            raise LexiconError(f"unit {u.word!r} is written as {u.canonical!r}, which is not a unit")
        if units[u.canonical].kind != u.kind:
            raise LexiconError(f"unit {u.word!r} ({u.kind}) is written as {u.canonical!r} of another "
                               f"kind ({units[u.canonical].kind})")
    return units


def _change_cues(body: Mapping[str, Any]) -> dict[str, ChangeCue]:
    cues = {}
    for word, spec in body.items():
        if isinstance(spec, str):
            spec = {"change": spec}
        change = spec.get("change") if isinstance(spec, dict) else None
        if change not in CHANGES:
            raise LexiconError(f"change cue {word!r}: change must be one of {', '.join(CHANGES)}, "
                               f"not {change!r}")
        cues[word] = ChangeCue(word, change, bool(spec.get("rate")), bool(spec.get("needs_comparison")))
    return cues


def _check_values(where: str, mapping: Mapping[str, Any], allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    for word, value in mapping.items():
        if value not in allowed:
            raise LexiconError(f"{where}: {word!r} = {value!r}; allowed values are {', '.join(allowed)}")


def _check_once(groups: dict[str, Iterable[str]]) -> None:
    """A word belongs to one of the named vocabularies only: one word, one meaning."""
    owner: dict[str, str] = {}
    for group, words in groups.items():
        for word in words:
            if word in owner and owner[word] != group:
                raise LexiconError(f"{word!r} is defined twice: in {owner[word]} and in {group}")
            owner[word] = group


def _freeze(value: Any) -> Any:
    """Read-only views all the way down, so no stage can change a word another stage reads."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def build(tables: dict, sources: tuple[str, ...] = ()) -> Lexicon:
    """Check the merged tables and turn them into a ``Lexicon``."""
    try:
        units = _units(tables["units"]["units"])
        scales = {w: Decimal(str(v)) for w, v in tables["scales"]["scales"].items()}
        q = tables["qualifiers"]
        for table in ("before", "after", "inside"):
            _check_values(f"qualifiers [{table}]", q[table], QUALIFIERS)
        cues = _change_cues(tables["changes"]["cues"])
        festivals = tables["festivals"]
        spring = {}
        for year, day in festivals["spring_festival"].items():
            if not (year.isdigit() and isinstance(day, date)):
                raise LexiconError(f"festivals [spring_festival]: {year} = {day!r} must be a year = a date")
            if day.year != int(year):
                raise LexiconError(f"festivals [spring_festival]: the festival of {year} falls in {day}")
            spring[int(year)] = day
        basis = tables["changes"]["basis"]
        nonclaims = tables["nonclaims"]
        _check_once({"units": units, "scales": scales})
        _check_once({"qualifiers before the number": q["before"], "after it": q["after"],
                     "inside it": q["inside"]})
        _check_once({"change cues": cues, "measures": tables["changes"]["words"]["measures"]})
        _check_once({"yoy bases": basis["yoy"], "mom bases": basis["mom"]})
        _check_once({"names": nonclaims["names"]["words"], "vague words": nonclaims["vague"]["words"]})
        periods = tables["periods"]
        _check_values("periods [year_words]", periods["year_words"], ROLES)
        for word, spec in periods["relative_years"].items():
            offset = spec.get("offset") if isinstance(spec, dict) else spec
            if not isinstance(offset, int) or isinstance(offset, bool):
                raise LexiconError(f"periods [relative_years]: {word!r} needs a whole number of years")
        _check_once({"as_of cues": periods["cues"]["as_of"], "reference cues": periods["cues"]["reference"]})
        tbl = tables["tables"]["heads"]
        _check_once({"identifier heads": tbl["identifier_heads"], "category heads": tbl["category_heads"],
                     "year heads": tbl["year_heads"]})
        _check_once({"decrease heads": tbl["decrease_heads"], "increase heads": tbl["increase_heads"]})
    except KeyError as exc:
        raise LexiconError(f"the lexicon lacks {exc}: a built-in table or key is missing") from exc
    frozen = _freeze(tables)
    return Lexicon(frozen, MappingProxyType(units), MappingProxyType(scales), MappingProxyType(cues),
                   MappingProxyType(spring), sources)


@functools.cache
def load() -> Lexicon:
    """The built-in lexicon merged with the files of ``$REPORTPIPE_LEXICON``; read once."""
    tables, sources = _read(os.environ.get(ENV_VAR) or None)
    return build(tables, sources)


def fingerprint() -> str:
    """A hash of every lexicon file read, for content keys: a changed word re-extracts reports."""
    h = hashlib.sha256()
    for name, data in _builtin_files() + (_user_files(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else []):
        h.update(Path(name).name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()[:16]


def organisation_suffixes() -> tuple[str, ...]:
    """Endings of organisation names ("研究院", "局"), longest first so that an alternation built
    from them prefers "研究中心" to "中心"."""
    words = load().words("organisations", "organisations", "suffixes")
    return tuple(sorted(words, key=len, reverse=True))


@functools.cache
def unit_statement_start() -> re.Pattern:
    """The start of a table's unit statement ("单位：亿元", "（金额单位：万元）"): a line that
    belongs to its table, so never a running head, however often it repeats."""
    heads = "|".join(re.escape(w) for w in sorted(load().mapping("tables", "heads")["unit_heads"], key=len, reverse=True))
    return re.compile(rf"^\s*[（(]?\s*[^\s:：（()）]{{0,4}}(?:{heads})\s*[:：]")
