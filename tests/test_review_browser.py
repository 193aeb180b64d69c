"""The review pages, opened in a real headless Chromium (Debian's), clicked and filtered."""

import shutil
import warnings

import pytest

from pipeline.batch import Settings, collect_inputs, run_inline
from pipeline.diff import diff_extractions
from pipeline.review import build_diff_page, build_review
from pipeline.store import read_csv_rows

from conftest import SAMPLE
from test_diff_catalog import edited

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    warnings.warn("BROWSER TESTS SKIPPED: no chromium on this machine (apt-get install chromium)")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium: apt-get install chromium (.ci/run does)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def extraction(tmp_path_factory):
    d = tmp_path_factory.mktemp("review")
    (d / "raw").mkdir()
    shutil.copy(SAMPLE, d / "raw")
    run_inline(collect_inputs([d / "raw"]), str(d / "out"), Settings(isolate=False))
    folder = d / "out" / SAMPLE.stem
    build_review(folder)
    return folder


def test_review_page(browser, extraction, tmp_path):
    claims = read_csv_rows(extraction / "claims.csv")  # the exact text (the CSV guards formula-like cells)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto((extraction / "review.html").as_uri())
    shown = page.evaluate("(() => { const t = performance.getEntriesByType('navigation')[0]; "
                          "return Math.round(t.domContentLoadedEventEnd); })()")
    print(f"review page: {len(claims)} claims, DOM ready {shown} ms after navigation start")
    marks = page.locator("mark.claim")
    assert marks.count() == len(claims)

    target = next(c for c in claims if c["unit"] == "个" and c["value"] == "15430")
    page.locator(f'mark[id="{target["claim_id"]}"]').click()
    details = page.locator("#details")
    assert details.locator('dd[data-field="value"]').inner_text() == "15430"
    assert details.locator('dd[data-field="unit"]').inner_text() == "个"

    page.keyboard.press("j")  # keyboard navigation moves to the next claim
    focused = page.evaluate("document.activeElement.id")
    assert focused and focused != target["claim_id"]

    for kind in ("count", "percent", "multiple", "duration", "length", "other"):
        page.locator(f'input[name=kind][value="{kind}"]').uncheck()
    money = sum(1 for c in claims if c["kind"] == "money")
    assert page.locator("mark.claim:not(.hidden)").count() == money
    assert page.locator("#visible-count").inner_text() == str(money)

    link = page.locator("#outline a", has_text="社会篇")
    href = link.get_attribute("href")
    link.click()
    box = page.locator(href.replace("#", "#", 1)).bounding_box()
    assert box is not None and -5 <= box["y"] < 900  # scrolled to the top of the view

    page.set_viewport_size({"width": 700, "height": 450})  # what 200% zoom leaves of a 1400×900 screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    shot = tmp_path / "review.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000


def test_diff_page_shows_exactly_the_edits(browser, tmp_path):
    for name, text in (("a", SAMPLE.read_text(encoding="utf-8")), ("b", edited(SAMPLE.read_text(encoding="utf-8")))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.txt").write_text(text, encoding="utf-8")
        run_inline(collect_inputs([tmp_path / name]), str(tmp_path / f"out-{name}"), Settings(isolate=False))
    rows = diff_extractions(tmp_path / "out-a" / "report", tmp_path / "out-b" / "report")
    path = build_diff_page(rows, "a", "b", tmp_path / "diff.html")
    page = browser.new_page()
    page.goto(path.as_uri())
    changed = page.locator("tr.changed")
    assert changed.count() == 3
    assert sorted(changed.locator("td.new").all_inner_texts()) == ["15431", "178900", "approx"]
    assert page.locator("li.removed").count() == 7 and page.locator("li.added").count() == 1
    assert "15431" in changed.locator("td.sentences").all_inner_texts()[0] + "".join(
        changed.locator("td.sentences").all_inner_texts())


def test_a_claims_box_covers_its_number_on_the_page_image(browser, tmp_path):
    """On the review page of a real PDF bulletin, the red box drawn for each claim of page 1
    covers the claim's characters as PyMuPDF places them, at the page image's scale (and is no
    larger than those characters give or take 2 points)."""
    import pymupdf

    from conftest import CORPUS

    pdf_path = CORPUS / "zh-Hans_zhoukou-2023-statistical-bulletin.pdf"
    assert pdf_path.exists(), f"{pdf_path} is needed for this check (the shared corpus)"
    (tmp_path / "raw").mkdir()
    shutil.copy(pdf_path, tmp_path / "raw")
    run_inline(collect_inputs([tmp_path / "raw"]), str(tmp_path / "out"), Settings(isolate=False))
    folder = tmp_path / "out" / pdf_path.stem
    build_review(folder)
    claims = [c for c in read_csv_rows(folder / "claims.csv") if c["page"] == "1"]
    assert len(claims) >= 10

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto((folder / "review.html").as_uri())
    drawn = page.evaluate("""() => {
        const fig = document.querySelector('#page-1 figure');
        const img = fig.querySelector('img').getBoundingClientRect();
        const out = {};
        for (const r of fig.querySelectorAll('svg.boxes rect')) {
            const b = r.getBoundingClientRect();
            out[r.querySelector('title').textContent] = [b.left - img.left, b.top - img.top,
                                                         b.right - img.left, b.bottom - img.top];
        }
        return {width: img.width, boxes: out};
    }""")
    with pymupdf.open(pdf_path) as pdf:
        first = pdf[0]
        scale = drawn["width"] / first.rect.width
        for c in claims:
            x0, y0, x1, y1 = drawn["boxes"][c["claim_id"]]
            surface = c["surface"]
            hits = first.search_for(surface)
            while not hits and len(surface) > 1:  # wrapped onto the next line: its first line's part
                surface = surface[:-1]
                hits = first.search_for(surface)
            assert hits, c["surface"]
            own = min(hits, key=lambda r: abs(r.x0 * scale - x0) + abs(r.y0 * scale - y0))
            for r in sorted(hits, key=lambda r: r.x0):  # "866.60 万人": one rectangle per word
                if r.y0 < own.y1 and r.y1 > own.y0 and own.x1 <= r.x0 <= own.x1 + r.height:
                    own |= r
            slack = 2 * scale  # the stroke's half width and rounding to 0.1 pt
            assert (x0 <= own.x0 * scale + slack and y0 <= own.y0 * scale + slack
                    and x1 >= own.x1 * scale - slack and y1 >= own.y1 * scale - slack), (c["surface"], own)
            assert (x1 - x0) <= (own.x1 - own.x0 + 4) * scale, c["surface"]  # on the number, not its line
