"""The same report in other encodings and scripts reads the same; offsets always hold."""

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.model import Document
from pipeline.process import process_document, process_file

from conftest import SAMPLE


def signature(doc):
    return (
        [(s.level, s.number, s.title) for s in doc.sections],
        [(c.title, c.marker) for c in doc.cases],
        [(c.value, c.value_max, c.unit, c.kind, c.qualifier, c.change, c.basis, c.period) for c in doc.claims],
    )


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    d = tmp_path_factory.mktemp("variants")
    src = SAMPLE.read_text(encoding="utf-8")
    trad = opencc.OpenCC("s2tw").convert(src)
    (d / "traditional-utf8.txt").write_text(trad, encoding="utf-8")
    (d / "traditional-big5.txt").write_bytes(trad.replace("叄", "參").encode("big5"))
    (d / "simplified-gb18030-crlf.txt").write_bytes(src.replace("\n", "\r\n").encode("gb18030"))
    return d


@pytest.mark.parametrize("name, encoding", [
    ("traditional-utf8.txt", "utf-8"), ("traditional-big5.txt", "big5"),
    ("simplified-gb18030-crlf.txt", "gb18030"),
])
def test_variants_read_like_the_original(variants, sample_doc, name, encoding):
    doc = process_file(variants / name)
    assert doc.encoding == encoding
    assert signature(doc) == signature(sample_doc)
    for c in doc.claims:
        assert doc.raw[c.raw_start:c.raw_end] == c.surface


_pieces = st.sampled_from([
    "截至 2020 年 4 月，", "小程序有 15430 个", "，日活跃用户 150 万。", "增长 **34%**", "同比下降 19.0%。",
    "\n\n", "\r\n", "★ 案例\n\n某案例标题\n\n", "貳\n\n社会篇\n\n", "一天能挣八百元到一千元。", "近千亿押金。",
    "１２.５ 万人", "\u3000", "● 图表\n\n", "数据截至2020年4月\n\n", "交易额\t12.5\t3%\n", "萬", "过亿", "第三次",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_pieces, min_size=1, max_size=30).map("".join))
def test_offsets_hold_on_generated_reports(raw):
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    for c in doc.claims:
        assert doc.raw[c.raw_start:c.raw_end] == c.surface
        assert doc.raw.count("\n", 0, c.raw_start) + 1 == c.line
    for b in doc.blocks:
        assert 0 <= b.raw_start < b.raw_end <= len(raw)
    for cell in doc.table_cells:
        assert doc.raw[cell.raw_start:cell.raw_end].strip() == doc.raw[cell.raw_start:cell.raw_end]
