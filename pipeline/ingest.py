"""Bytes in, decoded text out, or a clear reason why not.

Chinese text arrives as UTF-8, GB18030 (or its subset GBK), Big5 or UTF-16. Big5 bytes often
decode *without error* as GB18030 and come out as rare or private-use characters, so a plain
"try this, then that" chain silently corrupts traditional Chinese. Here a legacy encoding is only
accepted on evidence: the decoded text must be free of private-use and replacement characters and
most of its Han characters must be common ones in that encoding's own frequency order.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ReportError

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
MIN_BYTES_TO_GUESS = 24  # below this, a legacy-encoding guess is a coin toss
COMMON_SHARE = 0.6  # share of Han characters that must be common ones for a legacy decode

_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    sha256: str
    size: int


def read_text_report(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedText:
    """Read and decode one text report; raise ``ReportError`` naming what is wrong."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReportError(str(path), "unsupported_input", f"cannot read the file ({exc.strerror}).")
    if size > max_bytes:
        raise ReportError(
            str(path),
            "too_large",
            f"the file is {size:,} bytes, over the limit of {max_bytes:,} bytes for a text report; "
            "split it, or raise the limit with --max-bytes.",
        )
    data = path.read_bytes()
    text, encoding = decode_bytes(data, str(path))
    return DecodedText(text, encoding, hashlib.sha256(data).hexdigest(), len(data))


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding name). The BOM is dropped, line endings kept."""
    if not data:
        raise ReportError(name, "empty_input", "the file is empty: there is no report text to read.")
    if data.startswith(b"\xef\xbb\xbf"):
        text, enc = _strict(data, "utf-8-sig", name), "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, enc = _strict(data, "utf-16", name), "utf-16"
    else:
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = _decode_legacy(data, name)
    nul = text.find("\x00")
    if nul != -1:
        raise ReportError(
            name,
            "decode_failed",
            f"the text contains a NUL character at offset {nul}: this is binary data or a UTF-16 "
            "file without a byte-order mark; save the report as UTF-8 text.",
        )
    _reject_suspicious(text, enc, name)
    if not text.strip() or not any(not ch.isspace() for ch in text):
        raise ReportError(name, "empty_input", "the file holds only white space: there is no report text.")
    return text, enc


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReportError(
            name,
            "decode_failed",
            f"the file starts with a {encoding} byte-order mark but byte {exc.start} is not valid "
            f"{encoding}; re-save the report in one encoding (UTF-8 is best).",
        )


def _decode_legacy(data: bytes, name: str) -> tuple[str, str]:
    non_ascii = sum(1 for b in data if b >= 0x80)
    if _looks_binary(data):
        raise ReportError(
            name,
            "decode_failed",
            "the file looks binary (control bytes, no readable text): it is not a text report.",
        )
    if non_ascii < MIN_BYTES_TO_GUESS:
        raise ReportError(
            name,
            "decode_failed",
            f"the file is not UTF-8 and has only {non_ascii} non-ASCII bytes, too few to tell "
            "GB18030 from Big5 safely; save it as UTF-8.",
        )
    scores: dict[str, float] = {}
    texts: dict[str, str] = {}
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _has_bad_chars(text):
            continue
        scores[enc] = _common_share(text, enc)
        texts[enc] = text
    if scores:
        best = max(scores, key=scores.get)
        if scores[best] >= COMMON_SHARE:
            return texts[best], best
    tried = ", ".join(f"{k} {v:.0%} common characters" for k, v in scores.items()) or "no strict decode"
    raise ReportError(
        name,
        "decode_failed",
        "the file is not valid UTF-8 and does not read as GB18030 or Big5 either "
        f"({tried}); it may mix encodings. Re-save it as UTF-8.",
    )


# U+FFFD and the private-use areas (Unicode category Co): the marks of a text damaged by a wrong
# decoding or a font without a Unicode map. One regular-expression scan, not a category per char.
_SUSPICIOUS = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B))
    return controls > max(2, len(sample) // 100)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_bad_chars(text: str) -> bool:
    return bool(_SUSPICIOUS.search(text) or _SURROGATE.search(text))


def _common_share(text: str, encoding: str) -> float:
    """Share of Han characters that are frequent in ``encoding``'s own ordering.

    GB2312 level 1 (lead bytes 0xB0-0xD7) holds the 3755 most used simplified characters; Big5
    level 1 (0xA440-0xC67E) the 5401 most used traditional ones. Garbage from a wrong decode lands
    mostly outside them.
    """
    han = _HAN.findall(text)
    if not han:
        return 0.0
    common = 0
    for ch in han:
        try:
            if encoding == "gb18030":
                b = ch.encode("gb2312")
                common += 0xB0 <= b[0] <= 0xD7
            else:
                b = ch.encode("big5")
                common += 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E
        except UnicodeEncodeError:
            pass
    return common / len(han)


def _reject_suspicious(text: str, encoding: str, name: str) -> None:
    bad = len(_SUSPICIOUS.findall(text))
    if bad:
        raise ReportError(
            name,
            "decode_failed",
            f"the text decoded as {encoding} holds {bad} replacement or private-use characters: "
            "it was damaged before it got here; find a clean copy of the report.",
        )
