"""Saved web pages (.html) of a report to the text the text path reads, without the site around it.

A bulletin saved from a bureau's site is one article inside navigation bars, menus, scripts, a
search box, related links and a footer. The article is found by where the text is, not by a
site's class names: the element holding the most Chinese text outside links, narrowed while one
child holds nearly all of it, joined by the prose blocks beside it (a site that folds a long
article keeps its first paragraphs apart), without the page-tool lines at its ends (print,
close, share, the location line). Its blocks (paragraphs, headings, list items) become one line
each with a blank line between them, its tables tab-separated rows (a merged cell's text once,
in its first row and column; a title row across the table as the caption line above it), as the
other readers write them. The page's title and publication date (from the article's own line,
the page's meta tags, a labelled or lone date line under the headline) go first, so the title
page of the report reads as in the printed bulletin. Each written piece keeps an anchor
("block 12", "table 1 row 2 col 3") that the provenance stage passes on.

Many bureau pages do not hold the report at all: they embed it in a PDF viewer, link it as a
Word or PDF attachment, or show it as page pictures. Such a page is refused with a message that
names the file (and a file of that name saved beside the page), instead of reading its menus,
title and date as a report of two claims.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .anchors import Anchor, AnchoredText, read_within_limit
from .errors import ReportError

# Elements that never hold a report's text.
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
         "form", "select", "button", "input", "textarea", "nav", "header", "footer", "aside", "head")
_BLOCKS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd",
           "dt", "blockquote", "pre", "center", "tr", "ul", "ol", "dl", "figure", "figcaption", "caption",
           "address", "body", "td", "th", "tbody", "thead", "tfoot", "hr"}
_HAN = re.compile(r"[\u3400-\u9fff]")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
# Meta tags that carry an article's publication date, in the spellings Chinese government CMSs
# (TRS WCM, Hanweb) and the Open Graph convention use.
_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "og:release_date", "dc.date",
              "dc.date.issued", "date")
_TITLE_META = ("articletitle", "og:title", "dc.title")
# The article: where at least this share of the page's text outside links is. A menu or a list
# of related links is mostly link text; a footer is short.
ARTICLE_SHARE = 0.85
MAX_LINK_SHARE = 0.3  # an element whose Chinese text is more than this share links is navigation
# A block beside the article is more of it when at least this share of its Chinese characters
# are in sentences: the first paragraphs of a folded article are nearly all sentences (the title
# lines of the report above them a tenth); a headline, a date line, a share bar have none.
CONTINUATION_PROSE_SHARE = 0.5
# A page whose article has less prose than this (Chinese characters in lines with a full stop "。")
# while it embeds or links a document file, or shows a run of pictures, is a wrapper around the
# report, not the report. Measured on 126 saved pages of bureaus and bulletin collections: the
# wrappers (a pdf.js viewer, a link to the .docx or .pdf attachment, the bulletin as 16-24 page
# images) have 0 such characters; the shortest page holding a report's text has 484.
WRAPPER_MAX_PROSE = 200
# Pictures side by side in one element, not links: the report shown as page images. Measured on
# the same pages: at most 2 in one element on pages that hold the text (a chart, a QR code),
# 16 and 24 on the two pages that show a bulletin as pictures.
PICTURE_PAGES_MIN = 5
# A line at either end of the article whose Chinese characters are at least this share page-tool
# words (lexicon pages.toml [furniture]) or link text is the page's: "【打印】" and "【我要纠错】"
# are all tool words, "选择区域：黑龙江省" half, "当前位置：首页 > 统计公报 > 正文" mostly links. Only
# the ends are trimmed, so that a heading such as "分享经济" inside the report stays; a line with a
# full stop is never trimmed, nor one with a digit unless it is links.
FURNITURE_SHARE = 0.5
# A headline (<h1>) replaces the <title>'s text by the part both share when that part has this
# many Chinese characters and this share of the headline: "(黑龙江省)2025年佳木斯市…公报-红黑统计公报库"
# and the headline "2025年佳木斯市…公报 2025" share the bulletin's name, 25 of 30 characters.
HEADLINE_MIN_HAN = 8
HEADLINE_SHARE = 0.7
# The lines of a report's title page at the top of an article: a title of up to two lines, the
# bureau and the survey team, the date. A date among them is the report's own; the page's date
# is written under the title only when none is there.
TITLE_PAGE_LINES = 6
# Files a page links to or embeds that hold a report themselves.
_REPORT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".xlsx", ".xls", ".ofd")
_DOCUMENT_FILE = re.compile(r"[^/?#&=]*\.(?:pdf|docx?|wps|xlsx?|et|ofd)(?=$|[?#&])", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlText:
    text: str
    sha256: str
    encoding: str
    anchors: tuple[Anchor, ...]
    metadata: dict = field(default_factory=dict)


def looks_like_html(head: bytes) -> bool:
    """The first bytes of a saved web page: a doctype or an <html>/<head> tag, after a BOM,
    white space, an XML prolog or comments."""
    text = head[:4096]
    for bom in (b"\xef\xbb\xbf",):
        if text.startswith(bom):
            text = text[len(bom):]
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = text.decode("utf-16").encode("ascii", "ignore")
        except UnicodeDecodeError:
            return False
    text = text.lstrip().lower()
    while text.startswith((b"<?xml", b"<!--")):
        end = text.find(b"?>" if text.startswith(b"<?xml") else b"-->")
        if end < 0:
            return False
        text = text[end + 3 if text.startswith(b"<!--") else end + 2:].lstrip()
    if text.startswith(b"<!doctype") and not text.startswith(b"<!doctype html"):
        # an empty or unusual doctype ("<!DOCTYPE>", as some CMS templates write): a page if an
        # <html>, <head> or <body> tag follows
        return any(tag in text for tag in (b"<html", b"<head", b"<body"))
    return text.startswith((b"<!doctype html", b"<html", b"<head"))


def _declared_charset(data: bytes) -> str | None:
    m = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_-]+)", data[:8192], re.IGNORECASE)
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    # Pages that say gb2312 or gbk are written in what browsers decode as GB18030, its superset.
    return "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name


def _decode(data: bytes, name: str) -> tuple[str, str]:
    from .ingest import decode_bytes

    declared = _declared_charset(data)
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: decide from the bytes, as for a text report
    return decode_bytes(data, name)


def read_html_report(path: str | Path, max_bytes: int) -> HtmlText:
    path = Path(path)
    data = read_within_limit(path, max_bytes)
    source, encoding = _decode(data, str(path))
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(source.encode("utf-8"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8", remove_comments=True))
    except (etree.ParserError, ValueError) as exc:
        raise ReportError(str(path), "truncated_or_corrupt",
                          f"the web page cannot be parsed ({exc}); save it again from the browser.") from exc
    meta = _metadata(root)
    embedded, linked, other_files = _documents(root)
    pictures = _picture_run(root)
    order, dates = _dates_alone(root)
    for el in list(root.iter(*_DROP)):
        if el.getparent() is None:
            continue
        if el.tag == "form" and _prose(" ".join(el.itertext())) >= WRAPPER_MAX_PROSE:
            # a page built as one <form> (ASP.NET and similar): its fields go, its text stays
            el.drop_tag()
            continue
        el.drop_tree()
    for el in list(root.iter()):  # hidden blocks: menus and pop-ups the page never shows
        style = (el.get("style") or "").replace(" ", "").lower() if isinstance(el.tag, str) else ""
        if "display:none" in style and el.getparent() is not None:
            el.drop_tree()
    body = root.find("body")
    if body is None:
        body = root
    article = _article(body)
    if article is None:
        raise ReportError(str(path), "empty_input",
                          "the web page has no article text (only menus and links?); save the article page "
                          "itself, not a list of links.")
    if "date" not in meta:
        date_line = _date_before(article, order, dates)
        if date_line:
            meta["date"] = date_line
    writer = _Writer()
    blocks = _trim_furniture([b for part in _with_continuations(article) for b in _blocks(part)])
    first_lines = [t for kind, t, _ in blocks if kind == "text"][:TITLE_PAGE_LINES]
    title = meta.get("title", "")
    titled = [i for i, t in enumerate(first_lines[:3]) if title and _same(title, t)]
    if title and not titled:
        writer.line(title, "title")
    date = meta.get("date", "")
    # the date goes under the title (the page's headline or the article's own title lines)
    date_after = titled[-1] if titled else -1
    if date and not any(_DATE.search(t) for t in first_lines):
        if date_after < 0:
            writer.line(date, "date")
    else:
        date_after = -1
    n_block = n_table = 0
    for kind, content, _el in blocks:
        if kind == "text":
            writer.line(content, f"block {n_block}")
            if n_block == date_after:
                writer.line(date, "date")
            n_block += 1
        else:
            writer.table(content, n_table)
            n_table += 1
    text = writer.text()
    if not _HAN.search(text) and not re.search(r"\w{3}", text):
        raise ReportError(str(path), "empty_input", "the web page has no article text.")
    prose = _prose("\n".join(t for kind, t, _ in blocks if kind == "text"))
    if prose < WRAPPER_MAX_PROSE:
        _refuse_wrapper(path, meta, embedded + linked + other_files, bool(embedded), pictures)
    if embedded or linked:
        meta["attachments"] = list(dict.fromkeys(embedded + linked))
    return HtmlText(text, hashlib.sha256(data).hexdigest(), encoding, tuple(writer.anchors), meta)


def _furniture_words() -> list[str]:
    from .lexicon import load

    return sorted(load().words("pages", "furniture", "words"), key=len, reverse=True)


def _is_furniture(line: str, linked: float = 0.0) -> bool:
    """A page-tool line: mostly links, or mostly the tool words of the lexicon, and no sentence."""
    if "。" in line or len(line) > 80:
        return False
    if not re.search(r"\w", line):
        return True  # separators and icons only ("|", "【 】", "↓")
    if linked >= FURNITURE_SHARE and _han(line) >= 2:
        return True  # a line of links: the location line ("当前位置：首页 > 统计公报"), tags, a menu
    if re.search(r"\d", line) or len(line) > 40:
        return False
    covered = [False] * len(line)
    for word in _furniture_words():
        for m in re.finditer(re.escape(word), line):
            covered[m.start():m.end()] = [True] * len(word)
    han = [i for i, ch in enumerate(line) if _HAN.match(ch)]
    return bool(han) and sum(covered[i] for i in han) >= FURNITURE_SHARE * len(han)


def _trim_furniture(blocks: list) -> list:
    """The article without the page-tool lines at its start and end (print, close, share, the
    location line): they sit inside the element that holds the article on many sites."""
    start, end = 0, len(blocks)
    while start < end and blocks[start][0] == "text" and _is_furniture(blocks[start][1], blocks[start][2]):
        start += 1
    while end > start and blocks[end - 1][0] == "text" and _is_furniture(blocks[end - 1][1], blocks[end - 1][2]):
        end -= 1
    return blocks[start:end]


def _prose(text: str) -> int:
    """Chinese characters in the lines that hold a sentence (a full stop): a report's body has
    thousands, menus, headlines, date lines and footers none."""
    return sum(_han(line) for line in text.split("\n") if "。" in line)


def _documents(root) -> tuple[list[str], list[str], list[str]]:
    """Report files the page embeds (a PDF viewer's frame, <embed>, <object>), those it links
    whose link text or file name is a headline of the page (the attachment of an article page),
    and the other document links (menus, lists of other years, attachments under another name)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    headlines = [re.split(r"\s*(?:[_|｜]|\s-\s|——)\s*", re.sub(r"\s+", " ", el.text_content()).strip())[0]
                 for el in root.iter("title", "h1", "h2", "h3")]
    headlines = [h for h in headlines if _han(h) >= 6]
    embedded: list[str] = []
    titled: list[str] = []
    others: list[str] = []
    for el in root.iter("a", "iframe", "frame", "embed", "object"):
        url = (el.get("href") if el.tag == "a" else el.get("src") or el.get("data")) or ""
        parts = urlsplit(url.strip())
        names = [unquote(parts.path)] + [unquote(v) for _, v in parse_qsl(parts.query)]
        files = [m.group(0) for n in names for m in [_DOCUMENT_FILE.search(n)] if m]
        if not files:
            continue
        name = files[0]
        label = re.sub(r"\s+", "", el.text_content())
        stem = re.sub(r"\.[A-Za-z]+$", "", name)
        if el.tag != "a":
            embedded.append(name)
        elif any(_han(x) >= 6 and _same(x, h) for x in (label, stem) for h in headlines):
            titled.append(name)
        else:
            others.append(name)
    return embedded, titled, others


def _picture_run(root) -> int:
    """The most pictures in one element that are not links (logos and badges are): a report
    shown as page images."""
    counts: dict = {}
    for img in root.iter("img"):
        if any(a.tag == "a" for a in img.iterancestors()):
            continue
        parent = img.getparent()
        counts[parent] = counts.get(parent, 0) + 1
    return max(counts.values(), default=0)


def _refuse_wrapper(path: Path, meta: dict, files: list[str], embedded: bool, pictures: int) -> None:
    """Say where the report is when the page only frames it: reading the page would give its
    menus, title and date as the report. A report file saved beside the page under the page's
    name or the linked file's name is named too."""
    title = f"'{meta['title']}' " if meta.get("title") else ""
    files = list(dict.fromkeys(files))
    beside = sorted({p.name for p in [path.with_suffix(s) for s in _REPORT_SUFFIXES]
                     + [path.parent / Path(f).name for f in files] if p.is_file() and p != path})
    hint = f" The file beside the page, {', '.join(beside)}, may be it." if beside else ""
    if files:
        shown = "; ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        raise ReportError(str(path), "empty_input",
                          f"the web page {title}does not hold the report's text: it "
                          f"{'shows' if embedded else 'links to'} the report as a file ({shown}); "
                          f"download that file and give it instead of the page.{hint}")
    if pictures >= PICTURE_PAGES_MIN:
        raise ReportError(str(path), "empty_input",
                          f"the web page {title}does not hold the report's text: it shows the report as "
                          f"{pictures} pictures; save the pictures (or the report's PDF) and give them "
                          f"as a scanned PDF.{hint}")


def _same(a: str, b: str) -> bool:
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return bool(a) and (a == b or a in b or b in a)


def _metadata(root) -> dict:
    """Title and publication date from the page's head: meta tags first, then <title> (its site
    suffix "_某某统计局" or " - 某某网" cut off)."""
    meta: dict = {}
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or "").strip().lower()
        value = (m.get("content") or "").strip()
        if not value:
            continue
        if key in _TITLE_META and "title" not in meta:
            meta["title"] = value
        if key in _DATE_META and "date" not in meta:
            d = _DATE.search(value)
            if d:
                meta["date"] = f"{d.group(1)}年{int(d.group(2))}月{int(d.group(3))}日"
    if "title" not in meta:
        t = root.find(".//title")
        if t is not None and (t.text or "").strip():
            meta["title"] = re.split(r"\s*(?:[_|｜]|\s-\s|——)\s*", t.text.strip())[0]
    if "title" in meta:
        # The headline says it without the site's additions ("(某省)…-某某库", "最新！…", "…公报
        # 2025"): the part a headline and the title share, when it is most of the headline.
        for h1 in root.iter("h1"):
            head = re.sub(r"\s+", " ", h1.text_content()).strip()
            common = _common(head, meta["title"]).strip()
            if _han(common) >= HEADLINE_MIN_HAN and len(common) >= HEADLINE_SHARE * len(head):
                meta["title"] = common
                break
    if "date" not in meta:
        # "发布时间：2024-03-15 10:00" in the line under the headline, outside the article body
        text = " ".join(root.itertext())
        d = re.search(r"(?:(?:(?:发布|发表|更新)(?:时间|日期)|日期|时间)\s*[:：]|(?:发布|发表)于)\s*"
                      + _DATE.pattern, text)
        if d:
            meta["date"] = f"{d.group(1)}年{int(d.group(2))}月{int(d.group(3))}日"
    return meta


def _common(a: str, b: str) -> str:
    import difflib

    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[m.a:m.a + m.size]


def _dates_alone(root) -> tuple[dict, list[tuple[int, str]]]:
    """Where each element stands in the page, and the dates standing alone in an element
    ("2026-05-27" under a title, a newspaper's edition date) with their place; read before
    headers and footers are dropped, since sites put an article's date line in its <header>
    or <footer>."""
    alone = re.compile(r"\s*" + _DATE.pattern + r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*")
    order: dict = {}
    out = []
    for i, el in enumerate(root.iter()):
        order[el] = i
        d = alone.fullmatch(el.text or "") if isinstance(el.tag, str) else None
        if d:
            out.append((i, f"{d.group(1)}年{int(d.group(2))}月{int(d.group(3))}日"))
    return order, out


def _date_before(article, order: dict, dates: list[tuple[int, str]]) -> str:
    """The last date standing alone above the article: the page's publication date when no
    label names one (a date below the article is a footer's or a related item's)."""
    start = order.get(article, -1)
    before = [date for at, date in dates if at < start]
    return before[-1] if before else ""


def _han(text: str) -> int:
    return len(_HAN.findall(text))


def _article(body):
    """The element that holds the article: most Chinese text outside links, few links; narrowed
    to a child while that child holds ARTICLE_SHARE of it (wrappers, layout tables)."""
    scores: dict = {}

    def walk(el) -> tuple[int, int]:
        own = _han(el.text or "")
        links = own if el.tag == "a" else 0
        for child in el:
            if not isinstance(child.tag, str):
                own += _han(child.tail or "")
                continue
            t, lk = walk(child)
            own += t + _han(child.tail or "")
            links += t if el.tag == "a" else lk
        scores[el] = (own, links)
        return own, links

    walk(body)
    total, links = scores[body]
    if total - links <= 0:
        return None
    node = body
    while True:
        text, lk = scores[node]
        content = text - lk
        best = None
        for child in node:
            if not isinstance(child.tag, str) or child not in scores:
                continue
            t, linked = scores[child]
            if t - linked >= ARTICLE_SHARE * content and (t == 0 or linked <= MAX_LINK_SHARE * t):
                best = child
                break
        if best is None:
            return node
        node = best


def _with_continuations(article) -> list:
    """The article and the sibling blocks next to it that are prose too: a site that folds a
    long article ("展开全文") keeps its first paragraphs in one element and the rest, most of the
    text, in the next, and the narrowing stops at the larger one. A sibling counts when it is
    mostly sentences and few links; empty siblings (a fold button) are passed over."""
    def prose_like(el) -> bool | None:
        lines = [t for kind, t, _ in _blocks(el) if kind == "text"]
        han = sum(_han(t) for t in lines)
        if not han:
            return None  # nothing to read: look past it
        links = sum(_han(a.text_content()) for a in el.iter("a"))
        return _prose("\n".join(lines)) >= CONTINUATION_PROSE_SHARE * han and links <= MAX_LINK_SHARE * han

    before: list = []
    after: list = []
    for step, found in ((lambda e: e.getprevious(), before), (lambda e: e.getnext(), after)):
        sib = step(article)
        while sib is not None:
            if isinstance(sib.tag, str) and sib.tag not in _DROP:
                verdict = prose_like(sib)
                if verdict is False:
                    break
                if verdict:
                    found.append(sib)
            sib = step(sib)
    parts = [*reversed(before), article, *after]
    return parts


def _inline_text(el) -> str:
    """Text of an element's inline content, <br> as a line break."""
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag == "br":
            parts.append("\n")
        else:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _clean(text: str) -> str:
    """One line of page text: runs of spaces as one; private-use characters, which pages use for
    the glyphs of icon fonts (share, print and menu icons), left out."""
    text = re.sub(r"[\ue000-\uf8ff]", "", text)
    return re.sub(r"[ \t\r\f\v\u00a0\u3000]+", " ", text).strip()


_LINK_OPEN, _LINK_CLOSE = "\ufdd0", "\ufdd1"  # noncharacters (never in a page) around a link's text while walking


def _blocks(article) -> list[tuple[str, Any, float]]:
    """("text", line, share of its Chinese characters in links) and ("table", rows, 0.0) in
    document order."""
    out: list[tuple[str, Any, float]] = []

    def flush(buffer: list[str], el) -> None:
        text = "".join(buffer)
        depth = 0
        for line in text.split("\n"):
            linked = total = 0
            for ch in line:
                if ch == _LINK_OPEN:
                    depth += 1
                elif ch == _LINK_CLOSE:
                    depth = max(0, depth - 1)
                elif _HAN.match(ch):
                    total += 1
                    linked += depth > 0
            line = _clean(line.replace(_LINK_OPEN, "").replace(_LINK_CLOSE, ""))
            if line:
                out.append(("text", line, linked / total if total else 0.0))
        buffer.clear()

    def walk(el, buffer: list[str]) -> None:
        if el.tag == "table":
            flush(buffer, el)
            rows = _table_rows(el)
            # a title row across the whole table (a caption typed into the table, "表1 …" or
            # "2025年年末全市户籍人口数及其构成") is the table's caption line above it, as the Word
            # and PDF readers write it, so that the header row under it is the table's first row
            while len(rows) > 1 and len(rows[0]) >= 2 and not any(rows[0][1:]) and rows[0][0] \
                    and not re.search(r"\d", re.sub(r"(?:19|20)\d{2}年|表\s*\d+", "", rows[0][0])):
                out.append(("text", rows.pop(0)[0], 0.0))
            if rows and max(len(r) for r in rows) >= 2:
                out.append(("table", rows, 0.0))
            else:  # a layout table of one column: its cells are blocks
                for r in rows:
                    for cell in r:
                        if cell:
                            out.append(("text", cell, 0.0))
            return
        if el.tag == "br":
            buffer.append("\n")
            return
        block = el.tag in _BLOCKS
        if block:
            flush(buffer, el)
        if el.tag == "a":
            buffer.append(_LINK_OPEN)
        buffer.append(el.text or "")
        for child in el:
            if isinstance(child.tag, str):
                walk(child, buffer)
            buffer.append(child.tail or "")
        if el.tag == "a":
            buffer.append(_LINK_CLOSE)
        if block:
            flush(buffer, el)

    walk(article, [])
    return out


def _table_rows(table) -> list[list[str]]:
    """The table's cell grid: rowspan and colspan leave the covered cells empty, so that each
    number is written (and claimed) once, in its first row and column."""
    rows: list[list[str]] = []
    pending: dict[tuple[int, int], bool] = {}  # (row, col) covered by a rowspan from above
    trs = [tr for tr in table.iter("tr") if _owner_table(tr) is table]
    for r, tr in enumerate(trs):
        row: list[str] = []
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                continue
            while pending.pop((r, c), False):
                row.append("")
                c += 1
            text = _clean(_inline_text(cell).replace("\n", " ")).replace("\t", " ")
            span = _int(cell.get("colspan"))
            down = _int(cell.get("rowspan"))
            row.append(text)
            row.extend("" for _ in range(span - 1))
            for dr in range(1, down):
                for dc in range(span):
                    pending[(r + dr, c + dc)] = True
            c += span
        while pending.pop((r, c), False):
            row.append("")
            c += 1
        if any(row):
            rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _owner_table(tr):
    p = tr.getparent()
    while p is not None and p.tag != "table":
        p = p.getparent()
    return p


def _int(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


class _Writer(AnchoredText):
    def line(self, text: str, locator: str) -> None:
        if self.length:
            self._emit("\n\n")
        self._emit(text, locator)

    def table(self, rows: list[list[str]], index: int) -> None:
        if self.length:
            self._emit("\n\n")
        for r, row in enumerate(rows):
            if r:
                self._emit("\n")
            for c, cell in enumerate(row):
                if c:
                    self._emit("\t")
                self._emit(cell, f"table {index} row {r} col {c}")
