"""Normalisation: clean text, and every normalised character traceable to the raw text."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize import normalize_text


def _check_map(raw, tm):
    assert len(tm.starts) == len(tm.text) == len(tm.ends)
    prev = 0
    for s, e in zip(tm.starts, tm.ends):
        assert 0 <= s <= e <= len(raw)
        assert s >= prev or s == prev  # monotone: reading order is kept
        prev = s


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_normalises_with_a_valid_map(raw):
    tm = normalize_text(raw)
    _check_map(raw, tm)


_pieces = st.sampled_from(
    ["截至", " 2020 ", "年", "４", "月", "，", "**", "15430", " 个", "萬", "貳", "\n\n", "\r\n",
     "\u3000", "推", "出的", "%", "１２.５", "。", "\t", "★ 案例", "数据来源：", "a b"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=40).map("".join))
def test_report_like_text_normalises_with_a_valid_map(raw):
    tm = normalize_text(raw)
    _check_map(raw, tm)
    for i in range(len(tm.text)):
        a, b = tm.raw_span(i, i + 1)
        assert a < b or raw == ""


def test_markup_width_spaces_and_variants():
    raw = "2019年新增**4282**个，增幅**31%**；１２.５ 万 人；貳 萬；截至 2020 年 4 月"
    tm = normalize_text(raw)
    assert tm.text == "2019年新增4282个，增幅31%；12.5万人；贰万；截至2020年4月"
    i = tm.text.index("4282")
    a, b = tm.raw_span(i, i + 4)
    assert raw[a:b] == "4282"
    j = tm.text.index("12.5万人")
    a, b = tm.raw_span(j, j + len("12.5万人"))
    assert raw[a:b] == "１２.５ 万 人"


def test_paragraph_broken_mid_word_is_rejoined():
    raw = "随着公众号功能的创新演进和电子政务的推广升级，各级政府部门利用微信平台推\n\n出的公众号的作用早已突破最初的信息发布。\n\n下一段"
    tm = normalize_text(raw)
    assert "平台推出的公众号" in tm.text
    assert "\n\n下一段" in tm.text


def test_headings_are_not_joined_to_the_paragraph_after_them():
    raw = "以公众号、小程序、微信支付、企业微信为核心的 新生产工具将为数字经济就业带来增长机会\n\n当前，数字经济发展的重心正在转移。"
    tm = normalize_text(raw)
    assert "增长机会\n\n当前" in tm.text


def test_crlf_maps_back_to_both_characters():
    raw = "甲\r\n乙"
    tm = normalize_text(raw)
    assert tm.text == "甲\n乙"
    assert tm.raw_span(1, 2) == (1, 3)
