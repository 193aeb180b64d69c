"""What a claim says, read from its sentence: unit, kind, qualifier, change, basis, period, subject.

Every rule looks only at the claim's own sentence or clause (or, for infographics and tables, its
block), so a claim's row does not change when unrelated text elsewhere is edited. The words the
rules look for are the lexicon's (``pipeline/lexicon/*.toml``); the rules say where to look.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Optional

from .lexicon import load as load_lexicon
from .numbers import Quantity
from .periods import CN_YEAR, TimeExpr

_LEX = load_lexicon()


def _alternation(words) -> str:
    """A regex alternation of literal words, longest first so that the longest word wins."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# ---- units and kinds ---------------------------------------------------------------------------

UNIT_NAMES = {u.word: u.canonical for u in _LEX.units.values() if u.canonical != u.word}
KNOWN_UNITS = frozenset(_LEX.units) | {""}
DURATION_UNITS = frozenset(u.word for u in _LEX.units.values() if u.kind == "duration")
MONEY_UNITS = frozenset(u.word for u in _LEX.units.values() if u.kind == "money")

_MONEY_WORDS = re.compile(_alternation(_LEX.words("kinds", "money", "words")))
_MONEY_STRONG = re.compile(_alternation(_LEX.words("kinds", "money", "strong")))
# A quantity followed by one of these counts people or bodies, whatever money words stand near.
_COUNTED_NOUN = re.compile(rf"(?:名|位)?(?:{_alternation(_LEX.words('kinds', 'count', 'nouns'))})")
MONEY_WINDOW = 25  # characters before the number in which a strong money word still counts
AFTER_WINDOW = 5  # characters after the number read for money words ("120万的交易额")


def with_stated_unit(q: Quantity, scale, unit: str) -> Quantity:
    """A bare number given the unit stated for it elsewhere (a chart's legend "交易规模（万亿元）"):
    44.4 → 44400000000000 元. A number that writes a unit or a scale word of its own keeps it."""
    if not unit or q.unit or q.has_scale:
        return q
    return dataclasses.replace(q, value=q.value * scale, unit=unit, has_scale=scale != 1,
                               value_max=None if q.value_max is None else q.value_max * scale)


def unit_kind(unit: str) -> str:
    """The kind a unit makes ("元" money, "%" percent); "" for no unit or one the lexicon lacks."""
    u = _LEX.units.get(unit)
    if u is not None:
        return u.kind
    if "/" in unit:  # a rate: 元/人 is money, 部/百人 other
        head = _LEX.units.get(unit.split("/")[0])
        return "money" if head is not None and head.kind == "money" else "other"
    return ""


def kind(q: Quantity, sentence: str, unit: str) -> str:
    k = unit_kind(q.unit) or unit_kind(unit)
    if k:
        return k
    if not unit:
        if _COUNTED_NOUN.match(sentence, q.end):
            return "count"
        window = sentence[max(0, q.start - MONEY_WINDOW) : q.start] + sentence[q.end : q.end + AFTER_WINDOW]
        clause_start = max(last_break(sentence, q.start), 0)
        near = sentence[clause_start : q.start] + sentence[q.end : q.end + AFTER_WINDOW]
        if _MONEY_WORDS.search(near) or (_MONEY_WORDS.search(window) and _MONEY_STRONG.search(window)):
            return "money"
    return "count"


# ---- clauses -----------------------------------------------------------------------------------

# A colon between digits is a clock time or a ratio (22:00, 1:2), not a clause break.
_CLAUSE_BREAK = re.compile(r"[，；,;]|(?<!\d)[：:]|[：:](?!\d)")
_BREAKS: dict[str, list[int]] = {}
_BREAKS_CACHE = 4096  # sentences whose clause breaks are remembered (a report has a few thousand)


def last_break(sentence: str, pos: int) -> int:
    """End of the last clause break before ``pos`` (-1 when the clause starts the sentence)."""
    breaks = _BREAKS.get(sentence)
    if breaks is None:
        if len(_BREAKS) > _BREAKS_CACHE:
            _BREAKS.clear()
        breaks = _BREAKS[sentence] = [m.end() for m in _CLAUSE_BREAK.finditer(sentence)]
    i = bisect.bisect_right(breaks, pos) - 1
    while i >= 0 and breaks[i] > pos:
        i -= 1
    return breaks[i] if i >= 0 else -1


# ---- qualifiers --------------------------------------------------------------------------------

_BEFORE = dict(_LEX.mapping("qualifiers", "before"))
_AFTER = list(_LEX.mapping("qualifiers", "after").items())
_INSIDE = dict(_LEX.mapping("qualifiers", "inside"))
_NOT_AFTER = dict(_LEX.mapping("qualifiers", "not_after"))
_BEFORE_RE = re.compile(f"(?:{_alternation(_BEFORE)})$")
_BEFORE_REACH = max(map(len, _BEFORE)) + 1  # the cue and the character before it
_APPROX_IN_CLAUSE = re.compile(_alternation(_LEX.words("qualifiers", "clause", "approx")))
_APPROX_BEFORE_NUMERAL = _LEX.words("qualifiers", "clause", "approx_numeral")
_DIGIT = re.compile(r"[0-9]")
_VAGUE_DIGIT = "几"


def qualifier(s: str, q: Quantity) -> str:
    before = s[max(0, q.start - _BEFORE_REACH) : q.start]
    prefix = ""
    m = _BEFORE_RE.search(before)
    if m:
        word = m.group()
        lead = before[: m.start()][-1:]
        if not (lead and lead in _NOT_AFTER.get(word, "")):
            prefix = _BEFORE[word]
    if not prefix and before.endswith(_APPROX_BEFORE_NUMERAL) and q.chinese_only:
        prefix = "approx"  # 上百, 数千万
    if not prefix:
        clause = s[max(last_break(s, q.start), 0) : q.start]
        if _APPROX_IN_CLAUSE.search(clause) and not _DIGIT.search(clause):
            prefix = "approx"  # "约为人均每天50.43分钟", "约相当于…的6%"
    inner = _INSIDE.get(q.inner, "")
    if not inner and (_VAGUE_DIGIT in q.numeral or q.numeral.startswith("数")):
        inner = "approx"
    after = s[q.end : q.end + 2]
    for word, qual in _AFTER:
        if word == "内" and q.unit not in DURATION_UNITS:
            continue  # "3天内" is at most 3 days; "国内" is no bound
        if after.startswith(word):
            inner = inner or qual
            break
    if prefix and inner and prefix != inner:
        if {prefix, inner} == {"at_most", "at_least"}:
            return "approx"
        return inner if prefix == "exact" else prefix
    return prefix or inner or "exact"


# ---- changes and bases -------------------------------------------------------------------------

_CUES = _LEX.change_cues
_CHANGE_WORDS = _LEX.mapping("changes", "words")
# Measures first, so that "增加值" is read as the measure it names, never as the cue 增加.
_MEASURES = frozenset(_CHANGE_WORDS["measures"])
CHANGE_CUE = re.compile(f"{_alternation(_MEASURES)}|{_alternation(_CUES)}")
RATE_NOUNS = re.compile(_alternation(w for w, c in _CUES.items() if c.rate))
_TO_LEVEL = tuple(_CHANGE_WORDS["to_level"])
_REACH = _CHANGE_WORDS["reach"]
_REACH_LONG = _CHANGE_WORDS["reach_long"]
_LONG_REACH = frozenset(_CHANGE_WORDS["long_reach_cues"])
_SHORT_GAP = re.compile(f"[{re.escape(_CHANGE_WORDS['short_cue_gap'])}]*")
_COMPARISON = re.compile(_alternation(_CHANGE_WORDS["comparison"]))
_LIST_JOINERS = frozenset(_CHANGE_WORDS["list_joiners"])


_YEAR = f"(?:(?:19|20)[0-9]{{2}}|{CN_YEAR})"  # "比2024年", "比二○二四年决算数"


def _basis_pattern(words) -> re.Pattern:
    parts = []
    for w in sorted(words, key=len, reverse=True):
        p = re.escape(w).replace(r"\{year\}", _YEAR).replace(r"\{month\}", "[0-9]{1,2}")
        parts.append(p.replace("{year}", _YEAR).replace("{month}", "[0-9]{1,2}"))
    return re.compile("|".join(parts))


MOM = _basis_pattern(_LEX.words("changes", "basis", "mom"))
YOY = _basis_pattern(_LEX.words("changes", "basis", "yoy"))
_BASIS_JUST_BEFORE = re.compile(f"(?:{MOM.pattern}|{YOY.pattern})\\s*$")
_OWN_TIME = re.compile(r"[0-9]+月|[0-9]+日|(?:19|20)[0-9]{2}年")


def change(s: str, q: Quantity, prev_end: int, prev_change: Optional[str] = None) -> str:
    left_start = max(last_break(s, q.start), prev_end, 0)
    left = s[left_start : q.start]
    last = None
    for m in CHANGE_CUE.finditer(left):
        last = m
    if last is not None and last.group() in _MEASURES:
        return ""  # "…的增加值 5 亿元": the number is the measure's level
    if last is None:
        if s[q.start : q.start + 1] in "+-" and _BASIS_JUST_BEFORE.search(left):
            return "increase"  # "同比+15.6%", "环比-2.1%": a signed change, as in tables
        if prev_change is not None and left.strip() in _LIST_JOINERS:
            return prev_change  # "分别增长8.5%、9.6%": the list shares its verb
        clause = s[max(last_break(s, q.start), 0) : q.start]
        rate = RATE_NOUNS.search(clause)
        if rate:  # "增速最快的前三个行业分别是政务（190%）、医疗（107%）"
            return _CUES[rate.group()].change
        return ""
    cue = _CUES[last.group()]
    tail = left[last.end() :]
    if cue.rate:
        return cue.change
    if tail.startswith(_TO_LEVEL):
        return ""  # "增长至 5 万+", "提升至 1000 人": a new level
    if "、" in tail:
        return ""  # "两次降低存款准备金率、两次下调…": the verb has its object already
    if "的" in tail:
        return ""  # "环比上涨的城市个数为23个": the change describes a noun, the number counts it
    if len(tail) > (_REACH_LONG if cue.word in _LONG_REACH else _REACH):
        return ""
    if len(cue.word) == 1:
        # single characters count only right before the number: "多读110本", "增30%"
        if not _SHORT_GAP.fullmatch(tail):
            return ""
        if cue.needs_comparison and not _COMPARISON.search(left):
            return ""
    return cue.change


def basis(s: str, q: Quantity) -> str:
    left = s[: q.start]
    # Parallel clauses after a semicolon share the basis ("比上年增长6.1%；…增长9.4%") unless
    # the later clause names its own time ("…环比大幅提高；欧时力在3月8日…").
    last_clause = left[left.rfind("；") + 1 :]
    if "；" in left and _OWN_TIME.search(last_clause):
        left = last_clause
    mom = [m.end() for m in MOM.finditer(left)]
    yoy = [m.end() for m in YOY.finditer(left)]
    if not mom and not yoy:
        return ""
    if mom and (not yoy or max(mom) > max(yoy)):
        return "mom"
    return "yoy"


# ---- periods -----------------------------------------------------------------------------------


def period(times: list[TimeExpr], q: Quantity, hint: Optional[TimeExpr]) -> tuple[str, str]:
    candidates = [t for t in times if not t.reference]
    if candidates:
        before = [t for t in candidates if t.end <= q.start]
        chosen = before[-1] if before else candidates[0]
        return chosen.period, chosen.role
    if hint is not None:
        return hint.period, hint.role
    return "", ""


# ---- subjects ----------------------------------------------------------------------------------

_SUBJECTS = _LEX.mapping("subjects", "subjects")
_SUBJECT_TRIM_END = re.compile(f"(?:{_alternation(_SUBJECTS['trim_end'])})+$")
# what a phrase must end with for that pattern to match ("$" also matches before a final newline);
# the pattern is tried at every character, so a phrase that cannot match skips it
_SUBJECT_TRIM_END_TAILS = tuple(_SUBJECTS["trim_end"]) + ("\n",)
_SUBJECT_VERB = re.compile(_alternation(_SUBJECTS["verbs_after"]))
_SUBJECT_TRIM_START = re.compile(
    f"^(?!{_alternation(_SUBJECTS['keep_start'])})(?:{_alternation(_SUBJECTS['trim_start'])})[，,]?")
_DATE_WORDS = re.compile(r"(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?")
_SUBJECT_AFTER_END = re.compile(r"[，。；、,;（(]")
SUBJECT_CHARS = 20  # a subject is a short phrase; longer text is the sentence, not its subject


def _last_chars(text: str, n: int) -> str:
    """The end of ``text`` that holds ``n`` characters outside brackets: a remark in brackets
    (…人数（含离退休人员）) belongs to the phrase but not to its length."""
    depth = count = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            depth = max(depth - 1, 0)
        elif depth == 0:
            count += 1
            if count > n:
                return text[i + 1:]
    return text


def subject(s: str, q: Quantity) -> str:
    """The short phrase naming what is measured, in the report's words."""
    start = max(last_break(s, q.start), 0)
    left = s[start : q.start]
    if "年" in left or "月" in left or "日" in left:  # else the date pattern matches nothing but ""
        left = _DATE_WORDS.sub("", left)
    left = _SUBJECT_TRIM_START.sub("", left)
    if left.endswith(_SUBJECT_TRIM_END_TAILS):
        left = _SUBJECT_TRIM_END.sub("", left)
    left = left.strip("，、 的")
    if len(left) >= 2:
        return _last_chars(left, SUBJECT_CHARS)
    right = s[q.end : q.end + SUBJECT_CHARS]
    right = _SUBJECT_AFTER_END.split(right)[0].lstrip("的")
    verb = _SUBJECT_VERB.search(right, 1)
    if verb:
        right = right[: verb.start()]
    return right[:SUBJECT_CHARS]
