"""Claims to indicators: a clean name, region, period, and a level joined with its growth.

A dataset user does not want "全年实现地区生产总值 5481.6亿元" and "3.5%" as two unrelated rows with
free-text subjects; they want one row, 地区生产总值 = 5481.6亿元 (+3.5%, yoy), for 洛阳市 in 2023,
that pairs with the same indicator of next year's bulletin and of the neighbouring city's. This
stage derives those rows from the claims alone (every row keeps the ids of its claims, so nothing
is invented and everything can be checked against the text):

- the name is the claim's subject with what is not part of the measure taken off: footnote markers,
  a leading "全年", the region word (kept as ``scope``), connectives, verbs and a growth clause's
  tail. Words that change what is measured (年末, 城镇, 规模以上, 人均, 常住, 累计, 新增) stay.
- narrative prose names a figure from around it, not only from the phrase before it: the noun a
  count is of when it follows the figure ("歌莉娅1000多名一线员工" → 歌莉娅一线员工); the topic a
  sentence states once and then lists measures of ("以某某为例，…", "某平台已上线…，访问次数…",
  "“某某”平台访问人数…，发布岗位…"), which holds in its sentence and in later sentences of its
  paragraph that name it again; the head of the item before it in a list ("…技术中心171个，其中国家级
  17个", "…成交增长了5倍，订单量增长了3倍", "…占规模以上工业比重"). A table cell is named by its row
  label and its column header (餐饮 × 完全消耗系数).
- a growth claim joins the level just before it in the same sentence when both name the same
  indicator (or the growth names none: "比上年末提高0.94个百分点"), and so does a pace of change
  ("…问诊记录2590例，并以每天100余例速度增长"); a growth with no level is a row with only the change.
- the period is the claim's own, else the year of its section heading ("一、2023年工作回顾"),
  else the year the report covers (its title's year), and ``period_source`` says which.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from . import lexicon
from .model import Claim, Document, Indicator, TitlePage
from .table_claims import header_unit

RATE_UNITS = ("%", "百分点", "‰")  # a change in these units is a growth rate, not an amount
# A growth "按可比价格计算" is a real rate: a level of next year's edition need not be this year's
# level times it (prices moved), which the cross-edition checks take into account.
_COMPARABLE = re.compile(r"可比价|不变价")


@dataclass(frozen=True)
class NameRules:
    scope: tuple[str, ...]
    scope_kept: tuple[str, ...]
    scope_front_only: tuple[str, ...]
    leading_period: tuple[str, ...]
    leading: tuple[str, ...]
    verbs: tuple[str, ...]
    long_verbs: tuple[str, ...]  # those of two characters or more, which may also open a name
    inner_verbs: tuple[str, ...]
    basis_starts: tuple[str, ...]
    list_attributes: tuple[str, ...]
    trailing_change: tuple[str, ...]
    footnote: re.Pattern
    remark: re.Pattern
    leading_months: re.Pattern
    trailing_from: re.Pattern
    list_figure: re.Pattern
    pace_before: re.Pattern
    pace_after: re.Pattern
    topic_predicates: tuple[str, ...]
    any_topic_predicate: re.Pattern  # one of topic_predicates anywhere: most clauses hold none
    topic_quoted_heads: tuple[str, ...]
    topic_noun_ends: tuple[str, ...]
    topic_not: tuple[str, ...]
    topic_means: tuple[str, ...]
    quoted_predicates: tuple[str, ...]
    topic_adverbs: tuple[str, ...]
    holders: tuple[str, ...]
    topic_example: re.Pattern
    not_holder_ends: tuple[str, ...]
    count_modifiers: tuple[str, ...]
    reach_verbs: tuple[str, ...]
    count_noun_stops: tuple[str, ...]
    count_noun_end: re.Pattern  # any of count_noun_stops or long_verbs: the first one ends the noun
    list_final_verbs: tuple[str, ...]
    leading_function: re.Pattern
    inner_frames: tuple[str, ...]
    bare_locatives: tuple[str, ...]
    zai_words: tuple[str, ...]
    changed_object: re.Pattern
    value_headers: tuple[str, ...]
    entity_units: tuple[str, ...]
    grade: re.Pattern
    share_starts: tuple[str, ...]
    measure_ends: tuple[str, ...]
    locative_frame: re.Pattern
    inner_basis: re.Pattern
    inner_adverb: re.Pattern
    aliases: dict[str, str]  # alias → canonical


@lru_cache(maxsize=1)
def name_rules() -> NameRules:
    """The naming vocabulary of ``lexicon/indicators.toml`` (with a user's overlay), read once."""
    data = lexicon.load().tables["indicators"]
    names = data["names"]
    aliases: dict[str, str] = {}
    for canonical, others in data.get("aliases", {}).items():
        for alias in others:
            if alias in aliases:
                raise lexicon.LexiconError(f"lexicon file indicators.toml: alias {alias!r} is listed under two names")
            aliases[alias] = canonical
    by_length = lambda words: tuple(sorted(words, key=len, reverse=True))  # noqa: E731 (longest first)
    long_verbs = tuple(w for w in by_length(names["verbs"]) if len(w) > 1)
    return NameRules(
        scope=by_length(names["scope"]), scope_kept=by_length(names["scope_kept"]),
        scope_front_only=tuple(names["scope_front_only"]),
        leading_period=by_length(names["leading_period"]),
        leading=by_length(names["leading"]), verbs=by_length(names["verbs"]),
        long_verbs=long_verbs,
        inner_verbs=by_length(names["inner_verbs"]), basis_starts=by_length(names["basis_starts"]),
        list_attributes=by_length(names["list_attributes"]),
        trailing_change=by_length(names["trailing_change"]),
        footnote=re.compile(names["footnote_pattern"]), remark=re.compile(names["remark_pattern"]),
        leading_months=re.compile(names["leading_months_pattern"]),
        trailing_from=re.compile(names["trailing_from_pattern"]),
        list_figure=re.compile(names["list_figure_pattern"]),
        pace_before=re.compile(names["pace_before_pattern"]), pace_after=re.compile(names["pace_after_pattern"]),
        topic_predicates=by_length(names["topic_predicates"]),
        any_topic_predicate=re.compile("|".join(map(re.escape, by_length(names["topic_predicates"])))),
        topic_quoted_heads=by_length(names["topic_quoted_heads"]),
        topic_noun_ends=by_length(names["topic_noun_ends"]), topic_not=by_length(names["topic_not"]),
        topic_means=by_length(names["topic_means"]),
        quoted_predicates=by_length(names["quoted_predicates"]),
        topic_adverbs=by_length(names["topic_adverbs"]),
        holders=tuple(w for w in lexicon.organisation_suffixes() if len(w) > 1),
        topic_example=re.compile(names["topic_example_pattern"]),
        not_holder_ends=by_length(names["not_holder_ends"]), count_modifiers=by_length(names["count_modifiers"]),
        reach_verbs=by_length(names["reach_verbs"]),
        count_noun_stops=by_length(names["count_noun_stops"]),
        count_noun_end=re.compile("|".join(map(re.escape, by_length([*names["count_noun_stops"], *long_verbs])))),
        list_final_verbs=by_length(names["list_final_verbs"]),
        leading_function=re.compile(names["leading_function_pattern"]),
        inner_frames=by_length(names["inner_frames"]), bare_locatives=by_length(names["bare_locatives"]),
        zai_words=by_length(names["zai_words"]),
        changed_object=re.compile(names["changed_object_pattern"]), value_headers=by_length(names["value_headers"]),
        entity_units=tuple(names["entity_units"]),
        grade=re.compile(names["grade_pattern"]), share_starts=by_length(names["share_starts"]),
        measure_ends=by_length(names["measure_ends"]),
        locative_frame=re.compile(names["locative_frame_pattern"]),
        inner_basis=re.compile(names["inner_basis_pattern"]),
        inner_adverb=re.compile(names["inner_adverb_pattern"]),
        aliases=aliases,
    )


_FESTIVAL_DAYS = "|".join(sorted((*lexicon.load().mapping("festivals", "lunar_days"),
                                   *lexicon.load().mapping("festivals", "holidays")), key=len, reverse=True))
# A span of festival days at a name's start ("除夕到初七单日用户数量"): the figure's period.
_FESTIVAL_SPAN = re.compile(rf"^(?:{_FESTIVAL_DAYS})(?:到|至|-|—|～|~)(?:{_FESTIVAL_DAYS})(?:期间)?")
_EMPTY_PARENS = re.compile(r"[（(]\s*[）)]")
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff”“])\s+|\s+(?=[\u4e00-\u9fff“”])")
# A subject that runs on into the figure before it: "一般公共预算支出规模28.5万亿元".
# Only a decimal or a scaled figure counts, so that "前10名企业" keeps its number.
_TRAILING_FIGURE = re.compile(
    r"\d[\d,]*\.\d+\s*(?:万亿|亿|万)?[\u4e00-\u9fff%]{0,2}$|\d[\d,]*\s*(?:万亿|亿|万)[\u4e00-\u9fff]{0,2}$"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_REGION = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*)?(?P<region>[\u4e00-\u9fff]{1,15}?"
    r"(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗))"
    r"(?:(?:19|20)\d{2}\s*年)?\s*(?:国民经济|经济和社会|统计|政府|人民政府|财政|预算|决算)"
)
_ORG_REGION = re.compile(
    r"^(?P<region>[\u4e00-\u9fff]{1,15}?(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗))"
    r"(?:统计局|人民政府|政府|财政局|发展和改革委员会|调查队)"
)
_NATIONAL = ("中华人民共和国", "全国", "国务院", "国家统计局")
# A work report names its congress in its first lines: "在第十四届全国人民代表大会…", "在洛阳市第十六届…".
_CONGRESS = re.compile(
    r"在(?P<region>[\u4e00-\u9fff]{1,15}?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗))?第[一二三四五六七八九十]+届"
    r"(?P<national>全国)?人民代表大会"
)
OPENING_CHARS = 600  # where a report states who it is: title page, subtitle, the congress line


def region_of(tp: TitlePage, opening: str = "") -> str:
    """The area a report covers: from its title, its organisation, else the congress its opening
    lines name (洛阳市, 黔东南州, 全国); empty when the report does not say."""
    for text in (tp.title, tp.subtitle):
        m = _REGION.search(text or "")
        if m:
            return m.group("region")
    for text in (tp.title, tp.subtitle):
        if any(w in (text or "") for w in _NATIONAL[:2]):
            return "全国"
    for org in re.split(r"[；;、,，\s]+", tp.organisation or ""):
        m = _ORG_REGION.match(org)
        if m:
            return m.group("region")
        if org.startswith(_NATIONAL[2:]):
            return "全国"
    m = _CONGRESS.search(opening)
    if m:
        return "全国" if m.group("national") else (m.group("region") or "")
    return ""


def report_year(tp: TitlePage, claims: tuple[Claim, ...] = ()) -> int | None:
    """The year a report covers: its title's year (a 2023 bulletin appears in 2024), else the year
    most of its figures are stated for, else the year of its date."""
    m = _YEAR.search(tp.title or "")
    if m:
        return int(m.group(1))
    years = Counter(c.period[:4] for c in claims if c.period[:4].isdigit())
    if years:
        return int(years.most_common(1)[0][0])
    return tp.year


def _strip_front(text: str, words: tuple[str, ...]) -> tuple[str, str]:
    if not text.startswith(words):  # the usual case, in one C call over the whole list
        return text, ""
    for w in words:
        if text.startswith(w) and len(text) > len(w):
            return text[len(w):], w
    return text, ""


def _strip_end(text: str, words: tuple[str, ...]) -> str:
    """``text`` without any of ``words`` at its end, repeatedly (to nothing, unlike ``_strip_back``)."""
    changed = True
    while changed and text and text.endswith(words):
        changed = False
        for w in words:
            if text.endswith(w):
                text, changed = text[: -len(w)], True
                break
    return text


def _strip_back(text: str, words: tuple[str, ...]) -> str:
    changed = True
    while changed and text.endswith(words):
        changed = False
        for w in words:
            if text.endswith(w) and len(text) > len(w):
                text, changed = text[: -len(w)], True
                break
    return text


ORG_NAME_CHARS = 10  # an organisation named after a scope word ends within this many characters


def _opens_own_name(text: str) -> bool:
    """A name that opens with a country's name as part of a name of its own: a national institution
    listed in the lexicon ("中国海关"), or an organisation ("中国信息通信研究院首次研究…"). (全市 and
    its kind open no organisation's name.)"""
    r = name_rules()
    if text.startswith(r.scope_kept):
        return True
    s = next((w for w in r.scope_front_only if text.startswith(w)), "")
    return bool(s) and any(0 < text.find(h, len(s)) <= len(s) + ORG_NAME_CHARS for h in r.holders)


@lru_cache(maxsize=8192)
def clean_name(subject: str) -> tuple[str, str]:
    """(indicator name, scope word) of a claim's subject (a pure function of it, so remembered:
    a report repeats its subjects, and names are built from several phrases around each claim)."""
    r = name_rules()
    text = r.footnote.sub("", subject or "").strip(" ，,：:；;、")
    text = _EMPTY_PARENS.sub("", r.remark.sub("", text))
    text = _CJK_SPACE.sub("", text)  # "叮咚买菜 DAU": a space beside a Chinese character is layout
    listed = r.list_figure.match(text)
    if listed and listed.end() < len(text):
        text = text[listed.end():]
    text = r.leading_months.sub("", text) or text
    text = _FESTIVAL_SPAN.sub("", text) or text
    scope = ""
    for _ in range(3):  # "其中全年全市…" peels in any order
        text, _w = _strip_front(text, r.leading)
        text, _p = _strip_front(text, r.leading_period)
        text, s = _strip_front(text, r.scope) if not _opens_own_name(text) else (text, "")
        text, v = _strip_front(text, r.long_verbs)
        function = r.leading_function.match(text)
        f = ""
        if function and function.end() and function.end() < len(text) - 1:
            text, f = text[function.end():], function.group()
        frame = r.locative_frame.match(text)
        if frame and frame.end() < len(text) - 1:
            text, f = text[frame.end():], f or frame.group()
        scope = scope or s
        if not (_w or _p or s or v or f):
            break
    if not scope:  # "年末全市机动车保有量": the region word after a period word that stays
        for s in r.scope:
            i = text.find(s)
            if 0 < i <= 3 and s not in r.scope_front_only and not _opens_own_name(text[i:]):
                text, scope = text[:i] + text[i + len(s):], s
                break
    for w in r.inner_verbs:
        i = text.find(w)
        if i > 0 and len(text) > i + len(w):
            text = text[:i] + text[i + len(w):]
    text = r.changed_object.sub("", text)
    text = r.inner_adverb.sub("", text)
    for w in r.inner_frames:
        i = text.find(w)
        if i > 0 and len(text) > i + len(w):
            text = text[:i] + text[i + len(w):]
    i = text.find("在", 1)
    if (i > 0 and text.startswith(r.bare_locatives, i + 1)  # "…在境外合规的…": a preposition before a place word
            and not text.endswith(r.zai_words, 0, i + 1)):  # not "所在", "现在"
        text = text[:i] + text[i + 1:]
    basis = r.inner_basis.search(text)
    if basis and basis.start() > 0 and basis.end() < len(text):  # "…相比去年同期的订单量"
        text = text[: basis.start()] + text[basis.end():]
    for w in r.leading_period:  # "基于小程序的全年交易额": the period inside a name
        text = text.replace("的" + w, "的")
    figure = _TRAILING_FIGURE.search(text)
    if figure and figure.start() >= 2 and not text[figure.start() - 1].isascii():  # not "PM2.5浓度"
        text = text[: figure.start()]
    from_ = r.trailing_from.search(text)
    if from_ and from_.start() >= 2:
        text = text[: from_.start()]
    text = _strip_back(text, r.trailing_change + r.verbs)
    return text.strip(" ，,：:；;、"), scope


_SENTENCE_END_CHARS = "。！？!?\n"
_SENTENCE_END = re.compile(f"[{_SENTENCE_END_CHARS}]")
# A topic is stated per sentence, and per part of a sentence joined by a semicolon ("…；某小程序上线至今…").
_TOPIC_UNIT_END = re.compile(r"[。！？!?\n；;]")
_AS_OF_WORDS = "|".join(map(re.escape, lexicon.load().words("periods", "cues", "as_of")))
_AS_OF_CLAUSE = re.compile(f"^(?:{_AS_OF_WORDS})[^，,；;]{{1,12}}$")
# Words that open a clause before its subject: "数据显示“某某”平台…", "据统计…"
_CLAUSE_OPENERS = tuple(sorted(lexicon.load().words("subjects", "subjects", "trim_start"), key=len, reverse=True))
# A clause ends at a comma or semicolon, or at a colon that is not a clock time's ("22:00").
_CLAUSE_END = re.compile(r"[，；,;]|(?<!\d)[：:]|[：:](?!\d)")
_HAS_DIGIT = re.compile(r"\d")
_LEADING_DATE = re.compile(r"^(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?")
_QUOTED = re.compile(r"^“[^”]{1,12}”")
# "1200万人以上", "5%左右": a bound after the figure, not a noun it counts
_QUALIFIERS_AFTER = tuple(lexicon.load().mapping("qualifiers", "after"))
_QUALIFIERS_BEFORE = tuple(sorted(lexicon.load().mapping("qualifiers", "before"), key=len, reverse=True))
TOPIC_CHARS = (3, 16)  # a topic is a name: longer than a two-character word (就业, 坚持), shorter than a clause
# A measure named without its holder is a short noun phrase ("访问次数", "日均推送消息阅读量"); a
# longer name, or one that names an organisation, has a subject of its own and takes no topic.
BARE_NAME_CHARS = 10
# The noun a count is of is a short noun phrase ("一线员工", "抗击疫情公众筹款项目"); a longer run after
# the figure is a predicate ("单体建筑全面竣工并开村揭牌"). Its holder before the figure is shorter
# still ("歌莉娅", "线下"); a longer phrase there is a clause of its own.
COUNTED_NOUN_CHARS = 10
HOLDER_CHARS = 6
# The object of a verb of joining after a counted noun ("…个村庄加入某平台") is a name: a short one.
OBJECT_CHARS = 6
# "月活超过12亿的微信": a measure and its holder after 的 are single words, both short.
SHORT_MEASURE_CHARS = 4


@dataclass(frozen=True)
class Around:
    """The text around a claim's figure in its block (raw, spaces beside Chinese dropped): the
    clause before it, the clause after it, and where its clause and its sentence start."""

    before: str
    after: str
    clause_start: int  # offset of the figure's clause in its block's raw text
    sentence_start: int


def _unspaced(text: str) -> str:
    words = text.split(None, 1)  # str.split and the pattern's \s know the same white space
    if len(words) == 1 and len(words[0]) == len(text):  # none at all, as in most text: nothing to drop
        return text
    return _CJK_SPACE.sub("", text)


def around(block_raw: str, start: int, end: int) -> Around:
    # the end of the last sentence before the figure (_SENTENCE_END's characters, one rfind each)
    sentence_start = max(block_raw.rfind(ch, 0, start) for ch in _SENTENCE_END_CHARS) + 1
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(block_raw, sentence_start, start)), default=sentence_start)
    stop = _CLAUSE_END.search(block_raw, end)
    sentence_stop = _SENTENCE_END.search(block_raw, end)
    after_end = min(m.start() for m in (stop, sentence_stop) if m) if (stop or sentence_stop) else len(block_raw)
    return Around(_unspaced(block_raw[clause_start:start]).strip(), _unspaced(block_raw[end:after_end]).strip(),
                  clause_start, sentence_start)


def counted_noun(after: str) -> str:
    """The noun a count is of, when it follows the figure ("1000多名一线员工，…" → 一线员工): up to
    the next item of a list, or the first particle or verb after it; "" when the clause goes on
    with a verb or what follows is too long to be a noun."""
    r = name_rules()
    if not after or not re.match(r"[\u4e00-\u9fff“A-Za-z]", after) or after.startswith(_QUALIFIERS_AFTER):
        return ""
    end = after.find("、") if "、" in after else len(after)  # "27家医疗机构、1536名医生": the list's next item
    stop = r.count_noun_end.search(after)  # the leftmost of them: each one's first place, the least
    if stop and stop.start() < end:
        end = stop.start()
    for w in r.list_final_verbs:  # "医生申请加入某平台": a verb of joining with its object ends the noun
        i = after.find(w)
        if 0 < i < end and i + len(w) < len(after):
            end = i
    noun = after[:end].strip("，,、 ")
    if len(noun) > 2 and noun.endswith("中"):  # "…的10个行业中": a locative, not part of the noun
        noun = noun[:-1]
    if not (2 <= len(noun) <= COUNTED_NOUN_CHARS) or _HAS_DIGIT.search(noun) or noun.startswith(r.basis_starts):
        return ""
    return noun


def name_of_count(c: Claim, ctx: Around, name: str) -> str:
    """The name of a count whose noun follows it: "入驻1.5万个开锁师傅" → 开锁师傅, "歌莉娅1000多名一线
    员工" → 歌莉娅一线员工. The phrase before stays when it is a short name of who holds the count;
    a predicate before it ("建立了", "可触达") goes, but for 累计 and 新增, which change what is counted.
    Only a figure written with a measure word or a scale ("12个", "3000万") counts a noun after it."""
    if c.kind != "count" or c.change not in ("", "increase") or not re.search(r"[\u4e00-\u9fff]$", c.surface):
        return name
    noun = counted_noun(ctx.after)
    if not noun:
        return name
    r = name_rules()
    final = next((v for v in r.list_final_verbs if ctx.after.endswith(v) and not noun.endswith(v)), "")
    noun = final + noun if final else _joined_by(noun, ctx.after[len(noun):])
    before = ctx.before
    if before.endswith(("“", "\"", "《")):  # "“百个公园”示范工程": the figure is part of a quoted name
        return name
    before = _strip_end(before, _QUALIFIERS_BEFORE)  # "超100万个小程序": a bound, not a holder
    modifier = next((m for m in r.count_modifiers + r.reach_verbs if _strip_end(before, ("了",)).endswith(m)), "")
    if _reaches_own_measure(noun, before):  # "覆盖8亿某支付月活用户": that measure itself
        return noun
    if modifier:  # 累计访问量, 新增岗位; 覆盖人口, 入驻开锁师傅 (with the topic that holds them)
        return modifier + noun
    holder, _ = clean_name(before) if before else ("", "")
    if (not holder or len(holder) > HOLDER_CHARS or _HAS_DIGIT.search(holder) or before.endswith(r.not_holder_ends)
            or holder.endswith(r.not_holder_ends) or holder == noun or holder in r.scope):  # "全国1万多名医生": a scope
        return noun
    return holder + noun


def _joined_by(noun: str, rest: str) -> str:
    """"14106个村庄加入某平台": a count whose noun is followed by a verb of joining and its object, to
    the clause's end, counts the nouns that joined it: 加入某平台的村庄 (a verb with an object takes 的
    before the noun; a verb alone does not: "…5900名医生入驻" → 入驻医生)."""
    r = name_rules()
    verb = next((v for v in r.list_final_verbs if rest.startswith(v)), "")
    obj = rest[len(verb):]
    if (not verb or not (1 <= len(obj) <= OBJECT_CHARS) or _HAS_DIGIT.search(obj)
            or not re.fullmatch(r"[\u4e00-\u9fff“”A-Za-z]+", obj) or obj.startswith(("了", "并", "的", "和", "与"))
            or any(w in obj for w in r.count_noun_stops + r.long_verbs if len(w) > 1)):  # "…加入并开展…": no object
        return noun
    return f"{verb}{obj}的{noun}"


def _reaches_own_measure(noun: str, before: str) -> bool:
    """A verb of reach before a noun that names a holder and one of its measures ("覆盖超过8亿某支付月活
    用户", not "覆盖10亿用户"): the count is that measure itself, of that holder, not the reach of
    the verb's subject (nor of a topic)."""
    r = name_rules()
    if noun.startswith(r.reach_verbs) or not _strip_end(_strip_end(before, _QUALIFIERS_BEFORE), ("了",)).endswith(
            r.reach_verbs):  # "覆盖用户": the reach itself, named so
        return False
    attribute = next((a for a in r.list_attributes if noun.endswith(a)), "")
    return bool(attribute) and len(noun) - len(attribute) >= 2


def _with_holder_after(name: str, ctx: Around) -> str:
    """"月活超过12亿的微信": a figure followed by 的 and a noun that ends the clause is that noun's
    measure: 微信月活."""
    after = ctx.after
    if not name or not after.startswith("的") or len(name) > SHORT_MEASURE_CHARS or name.startswith(("这", "那", "该")):
        return name
    noun = after[1:]
    r = name_rules()
    stops = r.count_noun_stops + r.long_verbs
    if not (2 <= len(noun) <= SHORT_MEASURE_CHARS) or _HAS_DIGIT.search(noun) or any(w in noun for w in stops):
        return name
    return name if name.startswith(noun) else noun + name


def _with_modifier(name: str, subject: str, ctx: Around) -> str:
    """"累计访问量突破10亿次": a 累计 or 新增 just before the subject stays with the name (a running
    total is another measure than the period's flow)."""
    subject = _unspaced(subject)
    for m in name_rules().count_modifiers:
        if subject and not name.startswith(m) and (m + subject) in ctx.before and name.startswith(subject[:2]):
            return m + name
    return name


def topic_of_clause(clause: str, sentence: str = "") -> str:
    """The topic a clause states for the figures after it: "以某某为例" → 某某; a name opening the
    clause before a predicate ("某平台已上线…", "某某小程序上线以来…") → that name; a quoted name
    opening it, with its generic head ("“某某”平台访问人数…" → “某某”平台), before a predicate, or
    named again in its sentence ("“某某”服务号用户…、“某某”小程序用户…"); else ""."""
    r = name_rules()
    text = _unspaced(clause).strip()
    m = r.topic_example.search(text)
    if m:
        return _as_topic(m.group("topic"))
    text = _LEADING_DATE.sub("", text)
    text, _ = _strip_front(text, _CLAUSE_OPENERS)
    found = [(i, w) for w in r.topic_predicates if (i := text.find(w)) >= TOPIC_CHARS[0]
             ] if r.any_topic_predicate.search(text) else []
    if found:
        i, w = min(found)  # the first predicate of the clause
        ends = i + len(w) >= len(text.rstrip())  # "…全覆盖": a predicate with no object states no topic
        if not ends and not text.startswith(r.topic_noun_ends, i + len(w)) and not _HAS_DIGIT.search(text[:i]):
            topic = _as_topic(_strip_back(text[:i], r.topic_adverbs))
            if topic:
                return topic
    q = _QUOTED.match(text)
    if q:  # "“某某”平台…", "“某某”以网格为基础…"; not "“某某”示范工程…" (a name of its own)
        head = next((h for h in r.topic_quoted_heads if text.startswith(h, q.end())), "")
        again = _unspaced(sentence).count(q.group()) > 1  # a name the sentence repeats is what it is about
        if head or again or text.startswith(r.topic_predicates + r.quoted_predicates, q.end()):
            return q.group() + head
    return ""


def _as_topic(text: str) -> str:
    r = name_rules()
    name, scope = clean_name(text)
    if (scope or not (TOPIC_CHARS[0] <= len(name) <= TOPIC_CHARS[1]) or _HAS_DIGIT.search(name)
            or any(w in name for w in r.topic_not) or _YEAR.search(name)):
        return ""
    return name


def _topic_core(topic: str) -> str:
    """The part of a topic a later mention repeats: a quoted name without its head (“某某”平台 → “某某”)."""
    q = _QUOTED.match(topic)
    return q.group() if q else topic


def with_topic(name: str, topic: str) -> str:
    """A name given the topic stated before it, unless it names that topic or a quoted name of its own."""
    if not topic or not name or name.startswith(("“",) + name_rules().basis_starts) or len(name) > BARE_NAME_CHARS:
        return name
    if any(w in name for w in name_rules().holders):
        return name
    core = _topic_core(topic)
    if core in name or name in topic or topic.startswith(name[:2]):  # "叮咚买菜DAU" names its own holder
        return name
    return topic + name


def canonical_name(name: str) -> str:
    return name_rules().aliases.get(name, name)


def _is_basis_only(subject: str) -> bool:
    """A growth's subject that names no indicator: "比上年末", "同比", ""."""
    name, _ = clean_name(subject)
    return not name or name.startswith(name_rules().basis_starts)


def _with_list_head(name: str, previous: str, counted_entities: bool = False, replace_only: bool = False,
                    topic: str = "") -> str:
    """"在校生" after "普通高校招生" → "普通高校在校生", "招生" after "普通高校" (9所) → "普通高校招生":
    a list item that names only an attribute takes the head of the item before it (that item's
    name less its own attribute, or the whole name where it counts the entity itself). After a
    count of entities named before it ("某类小程序有15430个"), a short name ending in an attribute
    ("日活跃用户150万") is theirs too. ``replace_only``: only an attribute in place of another, as
    between two growths ("某业务成交增长了5倍，订单量增长了3倍" → 某业务订单量). When the item before
    names the topic in force, that topic is the list's head, not all that precedes its attribute
    ("某支付已覆盖…。某支付商业支付日均交易笔数…，月活跃账户…" → 某支付月活跃账户)."""
    attributes = name_rules().list_attributes
    if not previous or previous == name or (topic and _topic_core(topic) in previous and name in attributes):
        return name
    if name not in attributes:
        if (counted_entities and name.endswith(attributes) and len(name) <= BARE_NAME_CHARS
                and previous[-2:] not in name):
            return previous + name
        return name
    for a in attributes:
        if previous.endswith(a):
            return previous[: -len(a)] + name if len(previous) > len(a) else name
    if replace_only or previous.endswith(name_rules().measure_ends):  # "交易金额…，交易笔数…": a measure holds none
        return name
    return previous + name


GRADE_REACH = 2  # a grade opens a name, after at most a two-character period word (年末省级以上…)


def _with_grade(name: str, previous: str) -> str:
    """"其中国家级17个" after "省级以上企业技术中心171个" → 国家级企业技术中心: a grade alone names
    the item before it at that grade."""
    grade = name_rules().grade
    m = grade.search(previous, 0, GRADE_REACH + 6)
    if m and m.start() <= GRADE_REACH and grade.fullmatch(name) and len(previous) > m.end():
        return name + previous[m.end():]
    return name


def _as_share_of(name: str, previous: str) -> str:
    """"装备制造业增加值增长8.5%，占规模以上工业比重21.9%": a share that opens with 占 is the share
    of what the clause before it named."""
    r = name_rules()
    if previous and name.startswith(r.share_starts) and not any(w in previous for w in r.share_starts):
        return previous + name
    return name


def _same_indicator(name: str, level: str) -> bool:
    """A growth names the level's indicator: the same name, or the share the level's name completes
    ("占…比重" of "税收收入占…比重")."""
    return name == level or (name.startswith(name_rules().share_starts) and level.endswith(name))


def _signed(c: Claim, change: str = "") -> str:
    v = Decimal(c.value)
    return format(-v if (change or c.change) == "decrease" else v, "f")


def pace_of(c: Claim, ctx: Around | None) -> str:
    """The change a figure states as a pace ("并以每天100余例速度增长" → increase), or ""."""
    r = name_rules()
    if c.change or ctx is None or c.kind not in ("count", "money", "other"):
        return ""
    m = r.pace_after.match(ctx.after)
    if not m or not r.pace_before.search(_unspaced(c.subject or ctx.before)):
        return ""
    return "increase" if m.group("up") else "decrease"


def _indicator_id(report_id: str, claim_id: str) -> str:
    return "ind-" + hashlib.sha1(f"{report_id}|{claim_id}".encode()).hexdigest()[:12]


_PLACE = re.compile(r"(?:地区|省|市|州|县|区|盟|旗|全国)$")
_PARENTHESISED = re.compile(r"\s*[（(][^）)]*[）)]\s*")


@lru_cache(maxsize=64)
def _rows_by_text(cells: tuple[tuple[str, ...], ...]) -> dict[str, tuple[str, ...]]:
    """A table's body rows by the text a table claim's sentence holds (its cells joined by tabs)."""
    rows: dict[str, tuple[str, ...]] = {}
    for row in cells[1:]:
        rows.setdefault("\t".join(row), row)
        rows.setdefault("\t".join(t for t in row if t), row)
    return rows


def column_header(block, c: Claim) -> str:
    """The header of the column a table claim's cell is in (row 0 of the table); "" when not found
    or when the same figure stands in two cells of its row."""
    if not block.cells:
        return ""
    row = _rows_by_text(block.cells).get(c.sentence)
    if row is None:
        return ""
    surface = _unspaced(c.surface).replace(" ", "")
    cols = [col for col, text in enumerate(row) if text.replace(" ", "") == surface]
    if len(cols) == 1 and cols[0] < len(block.cells[0]):
        return block.cells[0][cols[0]]
    return ""


def name_of_cell(name: str, header: str, c: Claim) -> str:
    """A table cell's name from its row label and its column header: "餐饮" under "完全消耗系数 (2017
    年投入产出表计算)" → 餐饮完全消耗系数. The label alone where the header is a period ("2023年"),
    a unit, a value word (数值) or a rate of change (the growth joins the level), or is the label."""
    r = name_rules()
    head = _PARENTHESISED.sub("", header).strip()
    if (not head or not name or c.change or _HAS_DIGIT.search(head) or head in r.value_headers
            or header_unit(head)[1] or name.endswith(head) or head == _unspaced(c.subject)
            or not re.search(r"[\u4e00-\u9fff]", name)  # a rank or code as the label names no measure
            or name.endswith(r.list_attributes + r.measure_ends)  # "发电量", "猪年末存栏" name their measure
            or _PLACE.search(head)):  # "东部地区": a breakdown by place, not a measure
        return name
    return name + _unspaced(head).replace(" ", "")


def _named_again(core: str, sentence: str) -> bool:
    """A later sentence is about the topic when it names it other than as a means ("通过某平台，某公司
    收到简历…" is about 某公司)."""
    means = name_rules().topic_means
    i = sentence.find(core)
    while i != -1:
        if not sentence[:i].endswith(means):
            return True
        i = sentence.find(core, i + 1)
    return False


class _Topics:
    """The topics stated in a report's paragraphs, by position. A topic holds for the figures after
    it in its sentence, and in a later sentence of its paragraph that names it again ("某支付已覆盖
    34个省市。截至年底，某支付商业支付…，月活跃账户超过8亿"); a sentence that does not is about
    something else."""

    CLAUSES = 2  # a topic opens its sentence: its first clause, or its second after a time or place

    def __init__(self, doc: Document):
        self.doc = doc
        self.by_block: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int, str]]]] = {}
        self.sentences: dict[tuple[str, int], str] = {}  # (block, sentence index) → its unspaced text

    def _stated(self, block) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
        """The block's sentences (start, end) and its topics (sentence index, position, topic)."""
        found = self.by_block.get(block.block_id)
        if found is None:
            units: list[tuple[int, int]] = []
            topics: list[tuple[int, int, str]] = []
            raw = self.doc.raw[block.raw_start:block.raw_end]
            start = 0
            for m in [*_TOPIC_UNIT_END.finditer(raw), None]:
                end = m.start() if m else len(raw)
                units.append((start, end))
                pos = start
                opening = self.CLAUSES
                for clause in _CLAUSE_END.split(raw[start:end]):
                    topic = topic_of_clause(clause, raw[start:end]) if opening > 0 else ""
                    if topic:
                        topics.append((len(units) - 1, pos, topic))
                        opening = 0
                    pos += len(clause) + 1
                    # "…，截至4月底，某某已覆盖…": the clause after a date opens the statement again
                    opening = 1 if _AS_OF_CLAUSE.match(_unspaced(clause).strip()) else opening - 1
                start = end + 1
            found = self.by_block[block.block_id] = (units, topics)
        return found

    def before(self, block, pos: int) -> str:
        """The topic in force at ``pos`` of ``block``."""
        units, topics = self._stated(block)
        unit = next((i for i, (a, b) in enumerate(units) if a <= pos <= b), len(units) - 1)
        sentence = self.sentences.get((block.block_id, unit))
        if sentence is None:
            sentence = self.sentences[block.block_id, unit] = _unspaced(
                self.doc.raw[block.raw_start + units[unit][0]:block.raw_start + units[unit][1]])
        for i, p, topic in reversed(topics):
            if p >= pos:
                continue
            if i == unit or _named_again(_topic_core(topic), sentence):
                return topic
            return ""
        return ""


def extract_indicators(doc: Document) -> Document:
    """The indicators stage: one row per measured indicator and period, from the claims."""
    region = region_of(doc.title_page, doc.raw[:OPENING_CHARS])
    year = report_year(doc.title_page, doc.claims)
    sections = {s.section_id: s for s in doc.sections}
    blocks = {b.block_id: b for b in doc.blocks}

    def period_of(c: Claim) -> tuple[str, str]:
        if c.period:
            block = blocks.get(c.block_id)
            from_block = block is not None and block.period_hint and not _YEAR.search(c.sentence)
            return c.period, "block" if from_block else "clause"
        sec = sections.get(c.section_id or "")
        while sec is not None:
            m = _YEAR.search(sec.title)
            if m:
                return m.group(1), "section"
            sec = sections.get(sec.parent_id or "")
        return (str(year), "report") if year else ("", "")

    topics = _Topics(doc)
    rows: list[dict] = []
    last_level: dict | None = None
    last_row: dict | None = None  # the sentence's last row, level or growth
    noun_named: set[str] = set()  # claims named by the noun after their figure (not a holder of a list)
    last_sentence: tuple | None = None
    block_raw: dict[str, str] = {}  # each block's raw text, cut once for all its claims
    for c in sorted(doc.claims, key=lambda c: c.raw_start):
        sentence_key = (c.block_id, c.sentence)
        if sentence_key != last_sentence:
            last_level, last_row, last_sentence = None, None, sentence_key
        name, scope = clean_name(c.subject)
        block = blocks.get(c.block_id)
        ctx = None
        self_held = False  # a count that names its own holder ("覆盖8亿某支付月活用户") takes no topic
        if block is not None and block.kind != "table" and block.raw_start <= c.raw_start:
            raw = block_raw.get(block.block_id)
            if raw is None:
                raw = block_raw[block.block_id] = doc.raw[block.raw_start:block.raw_end]
            ctx = around(raw, c.raw_start - block.raw_start, c.raw_end - block.raw_start)
            counted_name = name_of_count(c, ctx, name)
            counted_name = _with_holder_after(counted_name, ctx)
            if counted_name != name:
                noun_named.add(c.claim_id)
                if not scope and ctx.before in name_rules().scope:  # "全国1亿农户": the count's scope
                    scope = ctx.before
                elif scope and scope in counted_name:  # "33个中国城市": the scope word is the noun's
                    scope = ""
            self_held = counted_name != name and _reaches_own_measure(counted_name, ctx.before)
            name = counted_name
            name = _with_modifier(name, c.subject, ctx)
        elif block is not None and block.kind == "table":
            name = name_of_cell(name, column_header(block, c), c)
        topic = topics.before(block, c.raw_start - block.raw_start) if ctx is not None and block is not None else ""
        if last_level is not None:
            if last_level["claim_ids"][0] not in noun_named:  # "覆盖10亿人口，访问量…": 人口 heads no list
                counted = last_level["unit"] in name_rules().entity_units
                name = _with_list_head(name, last_level["indicator"], counted, topic=topic)
            name = _with_grade(name, last_level["indicator"])
        if last_row is not None:
            if last_level is None and last_row["claim_ids"][0] not in noun_named:  # "…成交增长了5倍，订单量增长了3倍"
                name = _with_list_head(name, last_row["indicator"], replace_only=True, topic=topic)
            name = _as_share_of(name, last_row["indicator"])
        if topic and not scope and not self_held:
            name = with_topic(name, topic)
        in_table = block is not None and block.kind == "table"
        pace = pace_of(c, ctx)
        change = c.change or pace
        if change:
            level = last_level
            rate = c.kind == "percent" and c.unit in RATE_UNITS
            amount = level is not None and c.unit not in RATE_UNITS and c.unit == level["unit"] and bool(c.unit)
            joins = (level is not None and not level["change"] and (rate or amount)
                     and (_same_indicator(name, level["indicator"]) or _is_basis_only(c.subject) or bool(pace)
                          or in_table))  # a growth column of a table row is the growth of that row's level
            if joins and level is not None:
                level.update(change_value=_signed(c, change), change_unit=c.unit, change=change, basis=c.basis,
                             comparable_prices=bool(_COMPARABLE.search(c.sentence)),
                             claim_ids=level["claim_ids"] + (c.claim_id,), raw_end=max(level["raw_end"], c.raw_end))
                continue
            if (_is_basis_only(c.subject) or pace) and last_level is not None:
                name, scope = last_level["indicator"], last_level["scope"]
        period, source = period_of(c)
        row = dict(
            indicator_id=_indicator_id(doc.report_id, c.claim_id), indicator=name,
            canonical=canonical_name(name), scope=scope, region=region, period=period,
            period_source=source, value="", value_max="", unit=c.unit if not change else "",
            kind=c.kind, qualifier=c.qualifier, change_value="", change_unit="", change="", basis="",
            claim_ids=(c.claim_id,), section_id=c.section_id, raw_start=c.raw_start, raw_end=c.raw_end,
            line=c.line, page=c.page, comparable_prices=False,
        )
        if change:
            if c.unit in RATE_UNITS:
                row.update(change_value=_signed(c, change), change_unit=c.unit)
            else:  # an amount of change: "新增3710个" is the increase, in the level's unit
                row.update(change_value=_signed(c, change), change_unit=c.unit, unit=c.unit)
            row.update(change=change, basis=c.basis, comparable_prices=bool(_COMPARABLE.search(c.sentence)))
        else:
            row.update(value=c.value, value_max=c.value_max)
            if c.kind != "multiple":  # "是2014年的三倍": a ratio to another figure; a growth after it is the level's
                last_level = row
        rows.append(row)
        last_row = row
    return doc.evolve(indicators=tuple(Indicator(**r) for r in rows))
