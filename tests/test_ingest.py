"""Decoding: every common Chinese encoding in, the same text out; bad bytes out with a reason."""

import opencc
import pytest

from pipeline.errors import ReportError
from pipeline.ingest import decode_bytes, read_text_report

from conftest import DATA, SAMPLE

BAD = DATA / "bad_text"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("empty.txt", "empty_input"),
        ("whitespace_only.txt", "empty_input"),
        ("binary_garbage.txt", "decode_failed"),
        ("nul_byte_in_text.txt", "decode_failed"),
        ("mixed_utf8_then_gbk.txt", "decode_failed"),
        ("zh_short_gb18030.txt", "decode_failed"),
    ],
)
def test_bad_text_inputs_fail_with_their_reason(name, reason):
    with pytest.raises(ReportError) as err:
        read_text_report(BAD / name)
    assert err.value.reason == reason
    assert name in str(err.value)  # the message names the file


@pytest.mark.parametrize(
    "name, encoding",
    [
        ("zh_hans_gb18030.txt", "gb18030"),
        ("zh_hans_gbk_subset.txt", "gb18030"),
        ("zh_hans_utf8_bom.txt", "utf-8-sig"),
        ("zh_hans_utf16le_bom.txt", "utf-16"),
        ("zh_hant_big5.txt", "big5"),
        ("crlf_lone_cr_mixed.txt", "utf-8"),
    ],
)
def test_good_text_inputs_decode(name, encoding):
    d = read_text_report(BAD / name)
    assert d.encoding == encoding
    assert "\ufeff" not in d.text
    assert not any(0xE000 <= ord(c) <= 0xF8FF for c in d.text)


def test_simplified_decodes_agree_across_encodings():
    texts = {read_text_report(BAD / n).text for n in
             ("zh_hans_gb18030.txt", "zh_hans_utf8_bom.txt", "zh_hans_utf16le_bom.txt")}
    assert len(texts) == 1
    assert "营业收入同比增长12.5%" in texts.pop()


def test_big5_is_not_mistaken_for_gb18030():
    text = read_text_report(BAD / "zh_hant_big5.txt").text
    assert "營業收入較去年增長12.5%" in text


def test_line_endings_are_kept_untouched():
    text = read_text_report(BAD / "crlf_lone_cr_mixed.txt").text
    assert text == "a,b\r\nc,d\re,f\ng,h\r\n"


def test_sample_as_big5_and_gb18030(tmp_path):
    src = SAMPLE.read_text(encoding="utf-8")
    trad = opencc.OpenCC("s2tw").convert(src).replace("叄", "參")  # 叄 has no Big5 code
    (tmp_path / "t.txt").write_bytes(trad.encode("big5"))
    (tmp_path / "s.txt").write_bytes(src.replace("\n", "\r\n").encode("gb18030"))
    assert read_text_report(tmp_path / "t.txt").encoding == "big5"
    d = read_text_report(tmp_path / "s.txt")
    assert d.encoding == "gb18030" and d.text == src.replace("\n", "\r\n")


def test_too_large_is_refused_before_reading(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes(b"a" * 2000)
    with pytest.raises(ReportError) as err:
        read_text_report(p, max_bytes=1000)
    assert err.value.reason == "too_large"
    assert "--max-bytes" in err.value.message


def test_utf8_bom_is_dropped():
    assert decode_bytes("\ufeff你好世界".encode("utf-8"))[0] == "你好世界"
