"""Numeric claims: which quantities in a report state something, and what their row says.

``numbers`` finds every quantity as written; this stage reads each one in its sentence to decide
whether it is a claim (not a date, an ordinal, a label or a code), then fills the row the claims
contract (docs/claims.md) defines: unit, kind, qualifier, change and basis, period and subject.
Every rule looks only at the claim's own sentence or clause, or at its block for infographics and
tables, so a claim's row does not change when unrelated text elsewhere is edited.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from decimal import Decimal
from typing import Optional

from .ids import stable_id
from .model import Block, Claim, Document, TableCell
from .numbers import UNITS, Quantity, format_decimal, parse_number, scan_quantities
from .periods import TimeExpr, find_time_expressions, year_word

SKIP_KINDS = {"title_page", "part_number", "part_title", "section_number", "case_marker",
              "source_note", "table", "furniture"}

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_CLAUSE_BREAK = re.compile(r"[，；：,;:]")

UNIT_NAMES = {
    "个月": "月", "个百分点": "百分点", "人民币元": "元", "块钱": "元", "秒钟": "秒",
    "星期": "周", "成": "%", "个工作日": "工作日",
}
KNOWN_UNITS = set(UNITS) | {"%", "‰", "亿元", "万元"} | {""}
PERCENT_UNITS = {"%", "‰", "百分点", "个百分点", "成"}
MONEY_UNITS = {"元", "美元", "欧元", "港元", "港币", "日元", "英镑", "人民币元", "块钱"}
DURATION_UNITS = {"周年", "天", "小时", "分钟", "秒", "秒钟", "周", "星期", "年", "个月", "月", "工作日",
                  "个工作日"}
LENGTH_UNITS = {"公里", "千米", "米", "厘米", "毫米"}
OTHER_UNITS = {"吨标准煤", "GB", "TB", "Gbps", "Mbps", "Tbps", "千伏安时", "平方米", "千瓦小时", "μg/m3", "μg/m³", "mg/m3", "微克/立方米", "岁", "亩", "公顷", "平方米", "平方公里", "平方千米", "吨", "斤", "公斤", "千克", "克",
               "千瓦", "万千瓦", "千瓦时", "千瓦小时", "千升", "重量箱", "吨公里", "人公里", "立方米", "标准箱", "标箱", "度", "千卡"}

_MONEY_WORDS = re.compile(
    r"GMV|交易额|交易金额|金额|销售额|营收|收入|消费|资金|手续费|押金|成本|利润|投资|产值|总值|增加值|"
    r"税收|税费|税额|贷款|存款|零售额|补贴|收费|费用|价|额|钱|元"
)
# A quantity followed by one of these counts people or bodies, whatever money words stand near.
_COUNTED_NOUN = re.compile(r"(?:名|位)?(?:学生|纳税人|用户|人口|家长|企业|商户|商家|员工|职工|居民|农民|群众|网友|游客|医生|患者|市民|村民|党员|老人|儿童)")
_PREFIX_QUALIFIERS = [
    ("不低于", "at_least"), ("不少于", "at_least"), ("超过了", "at_least"), ("超过", "at_least"),
    ("超出", "at_least"), ("多于", "at_least"), ("高于", "at_least"), ("至少", "at_least"),
    ("突破了", "at_least"), ("突破", "at_least"), ("逾", "at_least"), ("超", "at_least"), ("过", "at_least"),
    ("破", "at_least"),
    ("不超过", "at_most"), ("将近", "at_most"), ("接近", "at_most"), ("不到", "at_most"),
    ("不足", "at_most"), ("低于", "at_most"), ("少于", "at_most"), ("近", "at_most"),
    ("大约", "approx"), ("约为", "approx"), ("约有", "approx"), ("约占", "approx"),
    ("大概", "approx"), ("约", "approx"),
]
_PREFIX_MAP = dict(_PREFIX_QUALIFIERS)
_PREFIX_RE = re.compile("(?:" + "|".join(sorted(_PREFIX_MAP, key=len, reverse=True)) + ")$")
_SUFFIX_QUALIFIERS = [
    ("以上", "at_least"), ("有余", "at_least"), ("之多", "exact"), ("左右", "approx"),
    ("上下", "approx"), ("以内", "at_most"), ("以下", "at_most"), ("内", "at_most"),
]
_APPROX_IN_CLAUSE = re.compile(r"约|大约|大概")
_NOT_QUALIFIER_BEFORE = {"过": "通经度超越错", "超": "高", "近": "最附接将", "破": "突打"}

_INCREASE = ("增长", "增加", "新增", "增幅", "增速", "提升", "提高", "上升", "上涨", "涨幅", "扩大",
             "回升", "攀升", "跃升", "净增", "增收", "增发", "延长", "新建成", "新建", "新开通", "新设立", "新设",
             "新登记", "增产", "升值",
             "翻了", "多读", "多", "增")
_DECREASE = ("下降", "减少", "降低", "回落", "下滑", "降幅", "缩小", "收窄", "减产", "贬值", "减", "降")
_RATE_NOUNS = re.compile(r"增速|增幅|增长率|涨幅|降幅|增长幅度")
# 增加值 (value added) is a measure, not a change.
_CHANGE_CUE = re.compile("(?:" + "|".join(sorted(_INCREASE + _DECREASE, key=len, reverse=True)) + ")(?!值)")
_TO_LEVEL = re.compile(r"^(?:至|到|为|成)")
_MOM = re.compile(r"环比|比上个?月|较上个?月|比上一个?月")
_YOY = re.compile(
    r"同比|比上年|较上年|比去年|较去年|相比去年|与上年|上年同期|去年同期|同期相比|比(?:19|20)\d{2}年|"
    r"较(?:19|20)\d{2}年|相比(?:19|20)\d{2}年|相较(?:19|20)\d{2}年|对比(?:19|20)\d{2}年"
)
_MONTH_BASIS = re.compile(r"(?:较|比|相比|对比)\d{1,2}月")

_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_BODY_YEAR = re.compile(r"((?:19|20)[0-9]{2})年")
_DIGIT = re.compile(r"[0-9]")
_DATE_WORDS = re.compile(r"(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?")
_MAY_HOLD_NUMBER = re.compile(r"[0-9零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾翻]")
_MAY_HOLD_TIME = re.compile(r"年|月|日|号|季度|除夕|初|春节|五一|国庆|元宵")
_SCALE_ONLY = re.compile(r"(?<=[过破超逾上近])(?:百|千)?[万亿]+(?![0-9])")
_DOUBLING = re.compile(r"翻倍|翻番|翻一番")


def extract_claims(doc: Document) -> Document:
    """All claims of the document, in reading order."""
    doc_year = _doc_year(doc)
    ref_year = doc_year or doc.title_page.year
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    section_paths = {s.section_id: "/".join(s.path) for s in doc.sections}
    for block in doc.blocks:
        if block.kind in SKIP_KINDS:
            continue
        claims.extend(_block_claims(doc, block, ref_year, doc_year, section_paths, seen))
    cells_by_table: dict[str, list[TableCell]] = {}
    for cell in doc.table_cells:
        cells_by_table.setdefault(cell.table_id, []).append(cell)
    captions: dict[str, str] = {}
    for prev, block in zip((None,) + doc.blocks[:-1], doc.blocks):
        if block.kind == "table" and prev is not None and prev.kind == "figure_caption":
            captions[block.block_id] = prev.text
    blocks_by_id = {b.block_id: b for b in doc.blocks}
    for table_id, cells in cells_by_table.items():
        claims.extend(_table_claims(doc, blocks_by_id[table_id], cells, ref_year, doc_year,
                                    captions.get(table_id, ""), section_paths, seen))
    claims.sort(key=lambda c: (c.raw_start, c.raw_end))
    return doc.evolve(claims=tuple(claims))


def _doc_year(doc: Document) -> Optional[int]:
    """The year the report is about: the latest year in its title; without one (a title set as an
    image), the year the body names most often ("2023年" in a 2023 bulletin published in 2024)."""
    title = doc.title_page.title
    if doc.title_page.date:
        title = title.replace(doc.title_page.date, "")
    years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", title)]
    if years:
        return max(years)
    counts: dict[str, int] = {}
    for y in _BODY_YEAR.findall(doc.normal.text if doc.normal else doc.raw):
        counts[y] = counts.get(y, 0) + 1
    if counts:
        return int(max(counts, key=counts.get))
    return doc.title_page.year


def _block_claims(doc, block: Block, ref_year, doc_year, section_paths, seen) -> list[Claim]:
    out = []
    hint_period: Optional[TimeExpr] = None
    if block.period_hint:
        exprs = find_time_expressions(block.period_hint, ref_year)
        if exprs:
            e = exprs[0]
            hint_period = TimeExpr(0, 0, e.period, "as_of" if "截" in block.period_hint else e.role,
                                   False)
    last_subject = ""
    for sm in _SENTENCE.finditer(block.text):
        sentence = sm.group()
        s_off = sm.start()
        if not _MAY_HOLD_NUMBER.search(sentence):
            continue
        quantities = _claim_quantities(sentence)
        if not quantities:
            continue
        times = find_time_expressions(sentence, ref_year) if _MAY_HOLD_TIME.search(sentence) else []
        yw = year_word(sentence, doc_year)
        if yw and not any(t.year_only and not t.reference for t in times):
            times = sorted(times + [yw], key=lambda t: t.start)
        # Spans of dates are never claims.
        quantities = [(q, x) for q, x in quantities if not any(
            t.start < q.end and q.start < t.end and _is_date_like(q) for t in times)]
        per_sentence_index = 0
        prev_end = 0
        prev_change = None
        for q, extra in quantities:
            a = block.start + s_off + q.start
            b = block.start + s_off + q.end
            raw_start, raw_end = doc.normal.raw_span(a, b)
            unit = UNIT_NAMES.get(q.unit, q.unit)
            kind = _kind(q, sentence, unit)
            qualifier = _qualifier(sentence, q)
            change = extra.get("change") or _change(sentence, q, prev_end, prev_change)
            prev_change = change
            basis = _basis(sentence, q) if change else ""
            period, role = _period(times, q, hint_period)
            subject = _subject(sentence, q) or last_subject
            last_subject = subject
            path = section_paths.get(block.section_id, "")
            key = f"{path}|{sentence}|{per_sentence_index}|{q.numeral}"
            claim_id = stable_id("clm", key, seen)
            out.append(
                Claim(
                    claim_id=claim_id,
                    surface=doc.raw[raw_start:raw_end],
                    raw_start=raw_start,
                    raw_end=raw_end,
                    line=doc.lines.line_of(raw_start),
                    value=format_decimal(q.value),
                    value_max=format_decimal(q.value_max),
                    unit=unit,
                    kind=kind,
                    qualifier=qualifier,
                    change=change,
                    basis=basis,
                    period=period,
                    period_role=role if period else "",
                    subject=subject,
                    section_id=block.section_id,
                    case_id=block.case_id,
                    sentence=sentence.strip(),
                    block_id=block.block_id,
                )
            )
            per_sentence_index += 1
            prev_end = q.end
    return out


def _is_date_like(q: Quantity) -> bool:
    return q.unit in ("", "年", "月", "日") and not q.has_scale


def _claim_quantities(sentence: str) -> list[tuple[Quantity, dict]]:
    """Quantities of a sentence that are claims, with any facts found while deciding."""
    found: list[tuple[Quantity, dict]] = []
    for q in scan_quantities(sentence):
        if _is_claim(sentence, q):
            found.append((q, {}))
    taken = [(q.start, q.end) for q, _ in found]
    for m in _SCALE_ONLY.finditer(sentence):  # "过亿", "破万"
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if sentence[m.end() : m.end() + 1] in ("级",):
            continue
        value = parse_number(m.group())
        found.append((Quantity(m.start(), m.end(), m.group(), value, "", "", True, True), {}))
    for m in _DOUBLING.finditer(sentence):
        found.append((Quantity(m.start(), m.end(), m.group(), Decimal(2), "倍", "", False, True),
                      {"change": "increase"}))
    found.sort(key=lambda item: item[0].start)
    # "高于…增速16.4个、1.3个百分点": a list whose last member writes the whole unit
    for i in range(len(found) - 2, -1, -1):
        q, nxt = found[i][0], found[i + 1][0]
        if (q.unit == "个" and nxt.unit == "个百分点" and q.end <= nxt.start
                and _LIST_JOINER.fullmatch(sentence[q.end : nxt.start])):
            found[i] = (dataclasses.replace(q, unit=nxt.unit), found[i][1])
    return found


_LIST_JOINER = re.compile(r"\s*[、和及与]\s*")
_NUMBERED_BEFORE = set(" \t\n\u3000附见如续（(，,。；;：:")


def _is_claim(s: str, q: Quantity) -> bool:
    before = s[max(0, q.start - 2) : q.start]
    # "\0" stands in for "no character", so that `in` tests never match an empty string
    prev = before[-1:] or "\0"
    nxt = s[q.end : q.end + 1] or "\0"
    after_num = s[q.start + len(q.numeral) : q.start + len(q.numeral) + 1] or "\0"
    unit = q.unit
    if prev == "第" or (prev == "前" and q.value <= 20 and not q.has_scale):
        return False  # ordinals and "前三个行业"
    if prev in "表图" and not unit and (q.start < 2 or s[q.start - 2] in _NUMBERED_BEFORE):
        return False  # "表10 2023年…", "见图3": the number of a table or figure (not "代表300人")
    if _latin(prev) or (_latin(after_num) and not unit.isascii()) or (not unit and (_latin(nxt) or nxt == ".")):
        return False  # 5G, 3A, B2C, PM2.5, 3.0版
    # the characters next to the numeral, spaces skipped, and the one after its unit
    spaced_prev = s[max(0, q.start - 3) : q.start].rstrip(" ")[-1:]
    spaced_next = s[q.start + len(q.numeral) : q.start + len(q.numeral) + 3].lstrip(" ")[:1]
    if spaced_prev in (":", "：") or spaced_next in (":", "：") or nxt in (":", "："):
        return False  # times and ratios, also typeset with spaces ("2.9 : 30.7 : 66.4")
    rest = s[q.start + len(q.numeral) : q.start + len(q.numeral) + 2]
    if prev == "+" or (len(rest) == 2 and rest[0] == "+" and rest[1] in "0123456789"):
        return False  # "1+10" as a programme name
    if prev == "[" or prev == "(" and nxt == ")":
        return False  # footnote markers
    if prev in "初廿" or unit == "届":
        return False  # 初七 is a lunar date, 十九届 an ordinal
    if after_num in ("后", "级", "大", "强") and not unit:
        return False  # "80后", "十亿级", "三大趋势"
    if _inside(s, q.start, "《", "》"):
        return False
    if unit in ("年",) and not q.has_scale and q.value >= 1000:
        return False  # a year
    if unit == "月":
        if not q.chinese_only:
            return False  # "4月" is a date; durations are written "4个月"
        if prev in "年今去明上下本" or nxt in "份日底初末中":
            return False
    if unit in ("日",):
        return False
    if _inside(s, q.start, "“", "”") and s.find("”", q.start) - s.rfind("“", 0, q.start) <= 9:
        return False  # a short quoted label: “三个一批”
    if q.chinese_only and not q.has_scale and q.value <= 1 and unit not in ("倍", "%"):
        return False  # "一个", "一家": an article, not a quantity
    if q.chinese_only and not unit and not q.has_scale:
        return False
    if not unit and not q.has_scale and q.value_max is None:
        if nxt in ("点", "时", "号", "届", "期", "版", "、") or after_num in ("点", "时", "号", "、"):
            return False
        if _YEAR.fullmatch(q.numeral):
            return False  # a bare year
        if "." not in q.numeral and q.value < 10 and not q.inner:
            return False
    return True


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _inside(s: str, pos: int, open_ch: str, close_ch: str) -> bool:
    o = s.rfind(open_ch, 0, pos)
    return o != -1 and s.find(close_ch, o, pos) == -1 and s.find(close_ch, pos) != -1


def _unit_kind(unit: str) -> str:
    if unit in PERCENT_UNITS:
        return "percent"
    if unit == "倍":
        return "multiple"
    if unit in MONEY_UNITS:
        return "money"
    if unit in DURATION_UNITS:
        return "duration"
    if unit in LENGTH_UNITS:
        return "length"
    if "/" in unit:
        return "money" if unit.split("/")[0] in MONEY_UNITS else "other"  # 元/人 is money, 部/百人 other
    if unit in OTHER_UNITS:
        return "other"
    return ""


def _kind(q: Quantity, sentence: str, unit: str) -> str:
    kind = _unit_kind(q.unit) or _unit_kind(unit)
    if kind:
        return kind
    if not unit:
        if _COUNTED_NOUN.match(sentence, q.end):
            return "count"
        window = sentence[max(0, q.start - 25) : q.start] + sentence[q.end : q.end + 5]
        clause_start = max(_last_break(sentence, q.start), 0)
        near = sentence[clause_start : q.start] + sentence[q.end : q.end + 5]
        if _MONEY_WORDS.search(near) or (
            _MONEY_WORDS.search(window) and re.search(r"GMV|交易额|销售额|金额", window)
        ):
            return "money"
    return "count"


_BREAKS: dict[str, list[int]] = {}


def _last_break(sentence: str, pos: int) -> int:
    """End of the last clause break before ``pos`` (-1 when the clause starts the sentence)."""
    breaks = _BREAKS.get(sentence)
    if breaks is None:
        if len(_BREAKS) > 4096:
            _BREAKS.clear()
        breaks = _BREAKS[sentence] = [m.end() for m in _CLAUSE_BREAK.finditer(sentence)]
    i = bisect.bisect_right(breaks, pos) - 1
    while i >= 0 and breaks[i] > pos:
        i -= 1
    return breaks[i] if i >= 0 else -1


def _qualifier(s: str, q: Quantity) -> str:
    before = s[max(0, q.start - 4) : q.start]
    prefix = ""
    m = _PREFIX_RE.search(before)
    if m:
        word = m.group()
        lead = before[: m.start()][-1:]
        if not (lead and lead in _NOT_QUALIFIER_BEFORE.get(word, "")):
            prefix = _PREFIX_MAP[word]
    if not prefix and before.endswith(("上", "数")) and q.chinese_only:
        prefix = "approx"  # 上百, 数千万
    if not prefix:
        clause = s[max(_last_break(s, q.start), 0) : q.start]
        if _APPROX_IN_CLAUSE.search(clause) and not _DIGIT.search(clause):
            prefix = "approx"  # "约为人均每天50.43分钟", "约相当于…的6%"
    inner = ""
    if q.inner in ("多", "余", "+"):
        inner = "at_least"
    elif q.inner == "几" or "几" in q.numeral or q.numeral.startswith("数"):
        inner = "approx"
    after = s[q.end : q.end + 2]
    for word, qual in _SUFFIX_QUALIFIERS:
        if word == "内" and q.unit not in DURATION_UNITS:
            continue
        if after.startswith(word):
            inner = inner or qual
            break
    if prefix and inner and prefix != inner:
        if {prefix, inner} == {"at_most", "at_least"}:
            return "approx"
        return inner if prefix == "exact" else prefix
    return prefix or inner or "exact"


def _change(s: str, q: Quantity, prev_end: int, prev_change: str | None = None) -> str:
    left_start = max(_last_break(s, q.start), prev_end, 0)
    left = s[left_start : q.start]
    last = None
    for m in _CHANGE_CUE.finditer(left):
        last = m
    if last is None:
        if prev_change is not None and left.strip() in ("、", "和", "及", "与", "以及"):
            return prev_change  # "分别增长8.5%、9.6%": the list shares its verb
        clause = s[max(_last_break(s, q.start), 0) : q.start]
        rate = _RATE_NOUNS.search(clause)
        if rate:  # "增速最快的前三个行业分别是政务（190%）、医疗（107%）"
            return "decrease" if rate.group() == "降幅" else "increase"
        return ""
    cue = last.group()
    tail = left[last.end() :]
    if cue in ("增速", "增幅", "涨幅", "降幅"):
        return "decrease" if cue == "降幅" else "increase"
    if _TO_LEVEL.match(tail):
        return ""  # "增长至 5 万+", "提升至 1000 人": a new level
    if "、" in tail:
        return ""  # "两次降低存款准备金率、两次下调…": the verb has its object already
    if "的" in tail:
        return ""  # "环比上涨的城市个数为23个": the change describes a noun, the number counts it
    if len(tail) > (12 if cue in ("新增", "净增") else 8):
        return ""
    if cue in ("多", "增", "减", "降"):
        # single characters count only right before the number: "多读110本", "增30%"
        if not re.fullmatch(r"[读了近约达]*", tail):
            return ""
        if cue == "多" and not re.search(r"比|较", left):
            return ""
    return "decrease" if cue in _DECREASE else "increase"


def _basis(s: str, q: Quantity) -> str:
    left = s[: q.start]
    # Parallel clauses after a semicolon share the basis ("比上年增长6.1%；…增长9.4%") unless
    # the later clause names its own time ("…环比大幅提高；欧时力在3月8日…").
    last_clause = left[left.rfind("；") + 1 :]
    if "；" in left and re.search(r"[0-9]+月|[0-9]+日|(?:19|20)[0-9]{2}年", last_clause):
        left = last_clause
    mom = [m.end() for m in _MOM.finditer(left)] + [m.end() for m in _MONTH_BASIS.finditer(left)]
    yoy = [m.end() for m in _YOY.finditer(left)]
    if not mom and not yoy:
        return ""
    if mom and (not yoy or max(mom) > max(yoy)):
        return "mom"
    return "yoy"


def _period(times: list[TimeExpr], q: Quantity, hint: Optional[TimeExpr]) -> tuple[str, str]:
    candidates = [t for t in times if not t.reference]
    if candidates:
        before = [t for t in candidates if t.end <= q.start]
        chosen = before[-1] if before else candidates[0]
        return chosen.period, chosen.role
    if hint is not None:
        return hint.period, hint.role
    return "", ""


_SUBJECT_TRIM_END = re.compile(
    r"(?:分别|均|都|也|已|共|累计|总计|合计|平均|人均|约|近|超过|超|达到|达|高达|为|是|有|在|占|"
    r"增长了?|增加了?|新增|下降了?|减少了?|提升了?|提高了?|突破|逾|过|了|将近|接近|不到|大约|"
    r"同比|环比|比上年|较上年|增幅|增速|降幅|涨幅|提升至|增长至|增至|降至|上涨至|达到了|分别达到|分别为|"
    r"提供了?|帮助|使用|覆盖了?|带动|拉动|创造|服务|获得|收到|发布|接入|发放|完成|实现|进行)+$"
)
_SUBJECT_VERB = re.compile(r"表示|认为|显示|可以?|通过|使用|选择|参与|在|将|已|都|不|是|为|达|占|增|获得|提供")
_SUBJECT_TRIM_START = re.compile(
    r"^(?:其中|此外|同时|另外|据测算|据统计|据调查|经测算|数据显示|截至目前|目前|这包括|包括|共有|共|累计|已有|有)[，,]?"
)


def _subject(s: str, q: Quantity) -> str:
    """The short phrase naming what is measured, in the report's words."""
    start = max(_last_break(s, q.start), 0)
    left = s[start : q.start]
    left = _DATE_WORDS.sub("", left)
    left = _SUBJECT_TRIM_START.sub("", left)
    left = _SUBJECT_TRIM_END.sub("", left).strip("，、 的")
    if len(left) >= 2:
        return left[-20:]
    right = s[q.end : q.end + 20]
    right = re.split(r"[，。；、,;（(]", right)[0].lstrip("的")
    verb = _SUBJECT_VERB.search(right, 1)
    if verb:
        right = right[: verb.start()]
    return right[:20]


_UNIT_HEAD = re.compile(r"\s*(?:计量)?单位\s*")
_NOT_A_QUANTITY_HEAD = re.compile(r"编号|代码|序号|编码|年份|年度|分类|类别")
_NUMBER_ONLY = re.compile(r"[-+]?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?\s*(%|‰)?")
_NUMBER_MARKS = re.compile(r"[,\s%‰]")
_GROWTH_HEAD = re.compile(r"增长|增速|增幅|下降|涨跌|增减")
_RATIO_HEAD = re.compile(r"比重|%|％|指数")
_YEAR_LABEL = re.compile(r"(?:19|20)[0-9]{2}\s*年?")
_DECREASE_HEAD = re.compile(r"下降|减少")
_INCREASE_HEAD = re.compile(r"增长|增加|增速|增幅")


def _table_claims(doc, block: Block, cells: list[TableCell], ref_year, doc_year, caption,
                  section_paths, seen):
    """Cells that are a number alone, with the unit, period and change their header states.

    A header "2021年（亿元）" gives scale, unit and period; "比上年增长（%）" gives unit, change
    and basis, and the period comes from the caption ("表1：2021年…") or the report's year.
    What a header or a row label says is worked out once per column and per row.
    """
    caption_times = [t for t in find_time_expressions(caption, ref_year) if not t.reference]
    default_period = caption_times[0].period if caption_times else (str(doc_year) if doc_year else "")
    header = {c.col: c.text for c in cells if c.is_header}
    unit_col = next((col for col, h in header.items() if _UNIT_HEAD.fullmatch(h)), None)
    row_cells: dict[int, dict[int, str]] = {}
    for c in cells:
        row_cells.setdefault(c.row, {})[c.col] = c.text
    row_text = {r: "\t".join(texts.values()) for r, texts in row_cells.items()}

    @functools.lru_cache(maxsize=None)
    def column(head: str):
        change = "decrease" if _DECREASE_HEAD.search(head) else "increase" if _INCREASE_HEAD.search(head) else ""
        return (_header_unit(head), bool(_GROWTH_HEAD.search(head)), bool(_RATIO_HEAD.search(head)),
                [t for t in find_time_expressions(head, ref_year) if not t.reference], change,
                ("mom" if _MOM.search(head) else "yoy" if _YOY.search(head) else "") if change else "")

    @functools.lru_cache(maxsize=None)
    def row_label(label: str):
        times = [t for t in find_time_expressions(label, ref_year) if not t.reference]
        return _header_unit(label), bool(_YEAR_LABEL.fullmatch(label.strip())) and bool(times), times

    out = []
    path = section_paths.get(block.section_id, "")
    for cell in cells:
        if cell.is_header or not cell.text or cell.col == unit_col:
            continue
        head = header.get(cell.col, "")
        if _NOT_A_QUANTITY_HEAD.search(head):
            continue
        if not _NUMBER_ONLY.fullmatch(cell.text):
            continue
        value = Decimal(_NUMBER_MARKS.sub("", cell.text))
        (scale, unit), growth, ratio, times, change, basis = column(head)
        label = row_cells[cell.row].get(0, "")
        (label_scale, label_unit), year_row, label_times = row_label(label)
        if not unit and growth:
            unit = "%"  # a growth column without a stated unit: rates are percentages
        elif not unit and not ratio:
            if unit_col is not None:  # a 单位 column: "万辆" for this row
                scale, unit = _unit_text(row_cells[cell.row].get(unit_col, ""))
            elif label_unit:  # the row label states it: "地区生产总值（亿元）"
                scale, unit = label_scale, label_unit
        value = value * scale
        kind = _unit_kind(unit) or ("count" if unit else "other")
        if year_row:
            times = label_times  # a row per year
        period = times[0].period if times else default_period
        raw_start, raw_end = cell.raw_start, cell.raw_end
        key = f"{path}|table|{head}|{cell.row}|{cell.col}|{cell.text}"
        out.append(
            Claim(
                claim_id=stable_id("clm", key, seen), surface=doc.raw[raw_start:raw_end],
                raw_start=raw_start, raw_end=raw_end, line=cell.line,
                value=format_decimal(value), value_max="", unit=unit, kind=kind,
                qualifier="exact", change=change, basis=basis, period=period,
                period_role="during" if period else "", subject=label or head,
                section_id=block.section_id, case_id=block.case_id, sentence=row_text[cell.row],
                block_id=block.block_id,
            )
        )
    return out


def _unit_text(text: str) -> tuple[Decimal, str]:
    """A unit as a 单位 column writes it: "万辆" → (10000, "辆"), "%" → (1, "%")."""
    text = text.strip()
    m = re.fullmatch(r"(万亿|亿|万|千|百)?(.{0,6})", text)
    if not m or re.search(r"[0-9]", text):
        return Decimal(1), ""
    factor = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4}.get(m.group(1) or "", None)
    if factor is None:  # 千瓦时, 百分点: the character belongs to the unit
        factor, rest = Decimal(1), text
    else:
        rest = m.group(2)
    if rest not in KNOWN_UNITS:
        # "蒸发量吨" (tons of steam): what is measured, then a known unit
        rest = next((u for u in UNITS if rest.endswith(u) and len(u) < len(rest)), rest)
    return factor, UNIT_NAMES.get(rest, rest)


def _header_unit(head: str) -> tuple[Decimal, str]:
    if re.search(r"[%％]\s*$", head):
        return Decimal(1), "%"  # "增长%"
    m = re.search(r"[（(]\s*(万|亿)?\s*([^）)\s]*)\s*[）)]", head)
    if not m:
        return Decimal(1), ""
    scale = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8}.get(m.group(1) or "", Decimal(1))
    unit = m.group(2)
    if unit not in KNOWN_UNITS:
        return Decimal(1), ""  # "(生活服务)", "(2017年投入产出表计算)": not a unit
    return scale, UNIT_NAMES.get(unit, unit)
