"""Scanned PDFs: pages with no text layer are read by OCR, with lines, tables and boxes from the
image, and scored against the annotation of the same bulletin's text layer.

The scans are made here from a real text-layer bulletin: each page rendered at 200 dpi and put
back as a JPEG with no text layer, as a scanner would deliver it."""

from __future__ import annotations

import dataclasses
import os
import time
from decimal import Decimal

import numpy as np
import pytest

from pipeline import ocr
from pipeline.errors import ReportError
from pipeline.evaluate import load_gold, score
from pipeline.pdf_tables import find_grids
from pipeline.process import process_file

from conftest import DATA, GOLD, ROOT, corpus_file

ZHOUKOU = "zh-Hans_zhoukou-2023-statistical-bulletin.pdf"
ZHOUKOU_GOLD = GOLD / "zhoukou-2023-statistical-bulletin.pdf.jsonl"




def scanned_copy(src, dst, pages=None, dpi: int = ocr.OCR_DPI):
    """``src`` as a scan: every page (or the 1-based ``pages``) an image only."""
    import pymupdf

    with pymupdf.open(src) as s, pymupdf.open() as out:
        for p in s:
            if pages is not None and p.number + 1 not in pages:
                continue
            pix = p.get_pixmap(dpi=dpi)
            q = out.new_page(width=p.rect.width, height=p.rect.height)
            q.insert_image(q.rect, stream=pix.tobytes("jpg", jpg_quality=90))
        out.save(dst)
    return dst


def _page_score(doc, gold_rows, page_map: dict[int, int]):
    """Score claims of ``doc`` against gold rows of the source pages in ``page_map`` (source page ->
    page of the scan), by page and surface."""
    gold = [dict(g, page=page_map[g["page"]]) for g in gold_rows if g["page"] in page_map]
    return score(gold, [dataclasses.asdict(c) for c in doc.claims])


def test_one_scanned_page_reads_like_its_text_layer(tmp_path):
    pdf = scanned_copy(corpus_file(ZHOUKOU), tmp_path / "scan.pdf", pages={1})
    doc = process_file(pdf)
    info = doc.source_info["page_info"][0]
    assert info["text_from"] == "ocr" and info["ocr"]["whole_page"] is True
    assert info["ocr"]["engine"].startswith("rapidocr-onnxruntime ") and " on openvino " in info["ocr"]["engine"]
    s = _page_score(doc, load_gold(ZHOUKOU_GOLD), {1: 1})
    assert s.f1 >= 0.90, (s.f1, s.misses[:10], s.false_alarms[:10])
    assert doc.claims and all(c.ocr and 0 < c.ocr_confidence <= 1 for c in doc.claims)
    assert all(b.ocr for b in doc.blocks if b.kind != "furniture")
    # the page's table came from the rules in the image: its cells, with boxes on the page
    filled = [c for c in doc.table_cells if c.text]
    assert filled and all(c.page == 1 and c.bbox and c.ocr for c in filled)
    rates = [c for c in doc.claims if c.unit == "‰"]  # 出生率8.47‰, read by the engine as "%0"
    assert {c.value for c in rates} >= {"8.47", "9.04", "-0.57"}


def test_a_page_half_text_layer_half_scan_keeps_both(tmp_path):
    import pymupdf

    src = corpus_file(ZHOUKOU)
    with pymupdf.open(src) as s:
        page = s[1]
        w, h = page.rect.width, page.rect.height
        lower = pymupdf.Rect(0, h * 0.45, w, h * 0.9)
        pix = page.get_pixmap(dpi=ocr.OCR_DPI, clip=lower)
        top_text = "".join(b[4].replace("\n", "") + "\n" for b in page.get_text("blocks") if b[3] < h * 0.4)
    out = pymupdf.open()
    q = out.new_page(width=w, height=h)
    # the upper part a text layer (the page's own text, set again), the lower part a scan of it
    q.insert_textbox(pymupdf.Rect(60, 40, w - 60, h * 0.4), top_text, fontname="china-s", fontsize=10.5)
    q.insert_image(lower, stream=pix.tobytes("jpg", jpg_quality=90))
    path = tmp_path / "half.pdf"
    out.save(path)
    doc = process_file(path)
    info = doc.source_info["page_info"][0]
    assert info["text_from"] == "pymupdf" and info["ocr"]["whole_page"] is False
    layer = [c for c in doc.claims if not c.ocr]
    scanned = [c for c in doc.claims if c.ocr]
    assert layer and scanned
    assert all(c.ocr_confidence is None for c in layer)
    flat = "".join(top_text.split())
    assert all("".join(c.surface.split()) in flat for c in layer), [c.surface for c in layer if "".join(c.surface.split()) not in flat]
    assert all(c.bbox.y0 >= h * 0.45 - 1 for c in scanned)


def test_a_blank_scan_is_no_text_layer(tmp_path):
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 400, 560), False)
    pix.clear_with(255)
    page.insert_image(page.rect, pixmap=pix)
    path = tmp_path / "blank.pdf"
    doc.save(path)
    with pytest.raises(ReportError) as err:
        process_file(path)
    assert err.value.reason == "no_text_layer" and "blank.pdf" in str(err.value)


def test_the_jbig2_scan_is_read():
    doc = process_file(DATA / "bad_pdfs" / "pdfminer_pdf-with-jbig2_no-text-layer.pdf")
    assert "It Doesn't Work" in doc.raw
    assert doc.source_info["page_info"][0]["text_from"] == "ocr"


def test_rules_drawn_in_an_image_form_a_grid():
    img = np.full((400, 600, 3), 255, dtype=np.uint8)
    for y in (50, 100, 350):
        img[y:y + 2, 40:560] = 0
    for x in (40, 300, 560):
        img[50:352, x:x + 2] = 0
    img[200:230, 100:260] = 0  # a filled box is not a rule
    hs, vs = ocr.image_rules(img, 0.5)
    grids = find_grids(hs, vs)
    assert len(grids) == 1
    g = grids[0]
    assert [x0 for x0 in g.xs] == pytest.approx([20, 150, 280], abs=1)
    assert [y0 for y0 in g.ys] == pytest.approx([25, 50, 175], abs=1)


def test_the_engine_runs_with_the_speed_settings():
    """The detector sees the page at ``DETECT_SIDE`` (RapidOCR's own ``limit_type: max`` ignores its
    side length), the recogniser reads lines ``RECOGNISE_HEIGHT`` pixels high, on ``OCR_THREADS``."""
    engine = ocr._engine()
    page = np.full((2339, 1654, 3), 255, dtype=np.uint8)  # A4 at 200 dpi
    fed = engine.text_det.get_preprocess(max(page.shape[:2]))(page)
    assert max(fed.shape[2:]) == pytest.approx(ocr.DETECT_SIDE, abs=16) and fed.shape[2] % 32 == fed.shape[3] % 32 == 0
    assert engine.text_rec.rec_image_shape[1] == ocr.RECOGNISE_HEIGHT
    assert ocr._RUNNING["runtime"] == ocr.RUNTIME == "openvino"  # installed with the project
    for model in (engine.text_det.infer, engine.text_rec.session):
        assert model.compiled.get_property("INFERENCE_NUM_THREADS") == ocr.OCR_THREADS
        assert model.compiled.get_property("ENABLE_CPU_PINNING") is False  # workers on cores of their own


def test_openvino_sends_no_usage_reports():
    """OpenVINO's telemetry (a process forked to report usage over the network) never starts: the
    engine loads without it, and no process is started."""
    import subprocess
    import sys

    code = ("import os, sys; from pipeline import ocr; forks = []; os.register_at_fork(before=lambda: forks.append(1));"
            "ocr._engine(); import time; time.sleep(0.5); print(len(forks), ocr._RUNNING['runtime'],"
            "sys.modules.get('openvino_telemetry'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "openvino", "None"], out.stdout


def test_openvino_reads_a_page_as_onnxruntime_does(monkeypatch):
    """The same models on either runtime: the same lines of a real bulletin page, its per-mille
    rates among them, and each page says which runtime read it."""
    import pymupdf

    with pymupdf.open(corpus_file(ZHOUKOU)) as src:
        page = src[0]
        read = {}
        try:
            for runtime in ("onnxruntime", "openvino"):
                monkeypatch.setattr(ocr, "RUNTIME", runtime)
                ocr._engine.cache_clear()
                read[runtime] = ocr.ocr_page(page)
        finally:
            ocr._engine.cache_clear()
    ort, ov = read["onnxruntime"], read["openvino"]
    assert ort.engine.endswith(" on onnxruntime") and " on openvino " in ov.engine
    ort_text, ov_text = [ln.text for ln in ort.lines], [ln.text for ln in ov.lines]
    assert len(ort_text) > 30
    assert len(ov_text) == len(ort_text)
    same = sum(a == b for a, b in zip(ort_text, ov_text, strict=True))
    assert same >= 0.95 * len(ort_text), (same, len(ort_text))
    for text in (ort_text, ov_text):
        assert all(rate in "".join(text) for rate in ("8.47‰", "9.04‰"))


def test_known_confusions_are_undone():
    assert ocr.corrected("出生率8.47%0；死亡率9.04%o") == "出生率8.47‰；死亡率9.04‰"
    assert ocr.corrected("增长10%05年") == "增长10%05年"  # a digit after it: not a per-mille sign
    assert ocr.corrected("分别增长5.8%、一12.4%") == "分别增长5.8%、-12.4%"  # a minus read as 一
    assert ocr.corrected("下降，一3.2%") == "下降，-3.2%"
    assert ocr.corrected("统一12个市") == "统一12个市"  # 一 inside a word stays
    assert ocr.corrected("（一）12个") == "（一）12个"


@pytest.mark.slow
def test_pages_whose_only_unmapped_glyph_is_the_point_are_read_from_their_text_layer():
    """Shanxi's 2023 budget report sets its figures in a Founder font that maps the point to a
    private-use code point (U+1001B0): on the pages dense with decimals that was over a twentieth
    of the text, and the pages were taken for garbled and sent to OCR. The point is a point: the
    pages are read from their text layer, with the decimals right, and nothing is OCR'd."""
    doc = process_file(DATA / "corpus" / "zh-Hans_shanxi-2023-budget-report.pdf")
    info = {p["page"]: p for p in doc.source_info["page_info"]}
    assert not [n for n, p in info.items() if p.get("garbled_text_layer")]
    assert all(p["text_from"] == "pymupdf" for p in info.values())
    on_3 = [c for c in doc.claims if c.page == 3]
    # the page's headline figure, as printed on it: 全省一般公共预算收入3479.15亿元
    assert any(c.surface == "３４７９.１５亿元" and Decimal(c.value) == Decimal("347915000000") for c in on_3)
    assert any(c.surface == "－１２.４％" and Decimal(c.value) == Decimal("-12.4") for c in on_3)
    assert not any(c.ocr for c in doc.claims) and not any("\U001001b0" in c.surface for c in doc.claims)


def test_a_page_whose_text_layer_has_no_unicode_map_is_read_from_its_image(tmp_path):
    """Page 3 of Shanxi's budget report as its image under a text layer of control codes (a font
    without a Unicode map: PyMuPDF returns control characters, pdfplumber (cid:N)): the page is
    flagged, read by OCR, and its headline figure comes out as printed."""
    import pymupdf

    src = corpus_file("zh-Hans_shanxi-2023-budget-report.pdf")
    with pymupdf.open(src) as s, pymupdf.open() as out:
        p = s[2]
        q = out.new_page(width=p.rect.width, height=p.rect.height)
        q.insert_text((72, 72), "x", fontname="helv")
        codes = b"".join(b"\\%03o" % c for c in bytes(range(1, 31)) * 20)
        out.update_stream(q.get_contents()[0], b"BT /helv 12 Tf 72 720 Td (" + codes + b") Tj ET")
        q.insert_image(q.rect, stream=p.get_pixmap(dpi=ocr.OCR_DPI).tobytes("jpg", jpg_quality=90))
        out.save(tmp_path / "garbled.pdf")
    doc = process_file(tmp_path / "garbled.pdf")
    info = doc.source_info["page_info"][0]
    assert info.get("garbled_text_layer") and info["text_from"] == "ocr" and info["ocr"]["confidence"] > 0.9
    assert len(doc.claims) >= 10 and all(c.ocr and c.ocr_confidence for c in doc.claims)
    assert any(c.surface == "3479.15亿元" and Decimal(c.value) == Decimal("347915000000") for c in doc.claims)


@pytest.mark.slow
def test_a_scanned_bulletin_against_its_text_layer_annotation(tmp_path):
    """The whole Zhoukou 2023 bulletin (13 pages) as a scan: claims by page against the text
    layer's annotation. Prints the OCR speed on this machine."""
    src = corpus_file(ZHOUKOU)
    pdf = scanned_copy(src, tmp_path / "scan.pdf")
    ocr._engine()  # load the models outside the timing
    t0 = time.perf_counter()
    doc = process_file(pdf)
    seconds = time.perf_counter() - t0
    s = _page_score(doc, load_gold(ZHOUKOU_GOLD), {p: p for p in range(1, 14)})
    print(f"\nscanned Zhoukou 2023: F1 {s.f1:.3f} (P {s.precision:.3f}, R {s.recall:.3f}); "
          f"{doc.pages} pages in {seconds:.1f} s = {doc.pages / seconds:.2f} pages/s")
    assert doc.pages == 13
    assert all(p["text_from"] == "ocr" for p in doc.source_info["page_info"])
    assert s.f1 >= 0.90, (s.f1, s.misses[:20])


def test_low_confidence_ocr_claims_are_flagged_in_the_review_page():
    from pipeline.review import _marked

    source = "全年粮食产量261.6万吨。"
    claim = {"raw_start": 6, "raw_end": 13, "value": "2616000", "value_max": "", "unit": "吨", "kind": "other",
             "qualifier": "exact", "change": "", "basis": "", "period": "", "period_role": "", "subject": "粮食产量",
             "claim_id": "clm-0123456789ab", "section_id": "", "locator": ""}
    low = _marked(source, 0, len(source), [dict(claim, ocr_confidence="0.62")], {})
    high = _marked(source, 0, len(source), [dict(claim, ocr_confidence="0.98")], {})
    layer = _marked(source, 0, len(source), [dict(claim, ocr_confidence="")], {})
    assert "low-ocr" in low and "OCR confidence 0.62" in low
    assert "low-ocr" not in high and "low-ocr" not in layer


def test_a_scan_is_read_in_the_worker_within_its_limits(tmp_path):
    """`reportpipe run` reads a scanned page in its isolated worker, under the default address-space
    cap and a time limit that counts the page's image, and writes its OCR columns."""
    import csv
    import subprocess
    import sys

    from pipeline.isolation import estimate_image_pages, estimate_pages

    pdf = scanned_copy(corpus_file(ZHOUKOU), tmp_path / "scan.pdf", pages={2})
    assert (estimate_pages(pdf), estimate_image_pages(pdf)) == (1, 1)
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(pdf), "--out", str(out), "--runner", "inline",
                        "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(out / "scan" / "claims.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 20 and all(row["ocr"] == "True" and 0 < float(row["ocr_confidence"]) <= 1 for row in rows)


# Engine workers (pipeline/ocr_workers.py): whole pages read in worker processes, one per core.

def _engine_workers(proc=None) -> list:
    """The engine worker processes under ``proc`` (this process by default)."""
    import psutil

    found = []
    for child in (proc or psutil.Process()).children(recursive=True):
        try:
            if "pipeline.ocr_workers" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


class _Watch:
    """The most engine workers seen at once under this process while a block runs."""

    def __enter__(self):
        import threading

        self.most = 0
        self._stop = threading.Event()

        def watch():
            while not self._stop.is_set():
                self.most = max(self.most, len(_engine_workers()))
                self._stop.wait(0.05)

        self._thread = threading.Thread(target=watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def two_scanned_pages(tmp_path_factory):
    """Pages 1 and 2 of the Zhoukou bulletin as a scan: page 1 holds the per-mille rates, page 2
    a ruled table; two pages keep both workers of a two-core machine busy."""
    return scanned_copy(corpus_file(ZHOUKOU), tmp_path_factory.mktemp("scan") / "two.pdf", pages={1, 2})


def _claims(doc):
    return [dataclasses.asdict(c) for c in doc.claims]


@pytest.mark.slow
def test_the_workers_read_what_the_process_itself_reads(two_scanned_pages, monkeypatch):
    """The same text, boxes, tables, confidences and claims from the engine workers as from OCR in
    this process, one page after another; one worker per core ran, and none is left."""
    from pipeline.ocr_workers import cores, count

    assert count() == cores() >= 2, "the workers are meant for a machine of two cores or more"
    with _Watch() as seen:
        parallel = process_file(two_scanned_pages)
    assert seen.most == 2  # two pages, two cores: a worker each
    assert _engine_workers() == []
    monkeypatch.setattr(ocr, "OCR_WORKERS", 0)
    with _Watch() as seen:
        sequential = process_file(two_scanned_pages)
    assert seen.most == 0
    assert parallel.raw == sequential.raw
    assert parallel.source_info["page_info"] == sequential.source_info["page_info"]
    assert parallel.blocks == sequential.blocks and parallel.table_cells == sequential.table_cells
    assert _claims(parallel) == _claims(sequential)
    assert len(parallel.claims) > 50
    rates = {c.value for c in parallel.claims if c.unit == "‰" and c.page == 1}
    assert rates >= {"8.47", "9.04", "-0.57"}


def test_a_report_waits_for_a_free_core(two_scanned_pages):
    """With every core's lock held by another reader, a scan starts no engine; it takes the first
    core that is given back, and reads the pages with that one worker."""
    import threading

    from pipeline.ocr_workers import _take_core, cores

    held = [_take_core(cores()) for _ in range(cores())]
    assert None not in held and _take_core(cores()) is None
    done: dict = {}
    reader = threading.Thread(target=lambda: done.update(doc=process_file(two_scanned_pages)))
    try:
        with _Watch() as seen:
            reader.start()
            time.sleep(3)
            assert seen.most == 0 and reader.is_alive()
            os.close(held.pop())
            reader.join(timeout=300)
        assert not reader.is_alive()
        assert seen.most == 1
    finally:
        for fd in held:
            os.close(fd)
    assert done["doc"].pages == 2 and _engine_workers() == []


def test_a_missing_engine_is_named_in_the_error(two_scanned_pages, monkeypatch):
    """Without the engine a scan fails with the closed set's ``no_text_layer`` and says what to
    install, whether its pages would go to workers or be read here."""
    import sys

    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # how Python marks a module absent
    ocr._engine.cache_clear()
    try:
        for workers in (None, 0):
            monkeypatch.setattr(ocr, "OCR_WORKERS", workers)
            with pytest.raises(ReportError) as err:
                process_file(two_scanned_pages)
            assert err.value.reason == "no_text_layer"
            assert "rapidocr-onnxruntime is not installed" in str(err.value) and "page 1" in str(err.value)
            assert _engine_workers() == []
    finally:
        ocr._engine.cache_clear()


@pytest.mark.parametrize("how", ["cli-SIGTERM", "cli-SIGINT", "process_file-SIGINT", "process_file-SIGKILL"])
def test_an_interrupted_run_leaves_no_engine_worker(two_scanned_pages, tmp_path, how):
    """Interrupted while its engine workers read: the `reportpipe run` (SIGTERM or Ctrl-C; its
    report worker is killed, and the kernel kills the engine workers with it), or a process in
    ``process_file`` (KeyboardInterrupt stops them; SIGKILL leaves them to the kernel). Nothing is
    left, and every core's lock is free again."""
    import signal
    import subprocess
    import sys

    import psutil

    from pipeline.ocr_workers import _take_core, cores

    runner, sig = how.split("-")
    if runner == "cli":
        cmd = [sys.executable, "-m", "pipeline.cli", "run", str(two_scanned_pages), "--out", str(tmp_path / "out"),
               "--runner", "inline", "--quiet"]
    else:
        cmd = [sys.executable, "-c", "import sys; from pipeline.process import process_file; "
               "process_file(sys.argv[1])", str(two_scanned_pages)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    started: list = []
    while not started and proc.poll() is None and time.monotonic() < deadline:
        started = _engine_workers(parent)
        time.sleep(0.05)
    assert started, "no engine worker started"
    time.sleep(1.0)  # into the first page
    everything = parent.children(recursive=True)
    proc.send_signal(getattr(signal, sig))
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"still running 15 s after {sig}")
    if runner == "cli":
        assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    _, alive = psutil.wait_procs(everything, timeout=15)
    assert not alive, [p.cmdline()[:4] for p in alive]
    locks = [_take_core(cores()) for _ in range(cores())]
    try:
        assert None not in locks
    finally:
        for fd in locks:
            if fd is not None:
                os.close(fd)


@pytest.mark.slow
def test_two_reports_at_once_share_the_cores(two_scanned_pages, tmp_path):
    """A long scan read on every core gives one up when a second report waits for it: the short
    report is done before the long one, and no more engines ran at once than there are cores."""
    import threading

    from pipeline.ocr_workers import cores

    long_scan = scanned_copy(corpus_file(ZHOUKOU), tmp_path / "long.pdf")
    ended: dict = {}

    def read(name, path):
        ended[name] = (process_file(path).pages, time.monotonic())

    first = threading.Thread(target=read, args=("long", long_scan))
    second = threading.Thread(target=read, args=("short", two_scanned_pages))
    with _Watch() as seen:
        first.start()
        deadline = time.monotonic() + 120
        while len(_engine_workers()) < cores() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_engine_workers()) == cores(), "the long scan did not take every core"
        second.start()
        first.join(timeout=600)
        second.join(timeout=600)
    assert ended["long"][0] == 13 and ended["short"][0] == 2
    assert ended["short"][1] < ended["long"][1]
    assert seen.most == cores()
    assert _engine_workers() == []


@pytest.mark.slow
def test_a_page_set_in_a_font_that_garbled_another_page_is_read_from_its_image():
    """Huai'an's budget report is set in Founder fonts without a Unicode map. The title page's
    codes fall on printable ASCII ("!"#$%&'( ) * + , -"), with no control character to give it
    away, and it was read as text. The font garbled page 2, so it garbles page 1 as well: both
    pages are read by OCR, and the title and the first figures come out as printed."""
    doc = process_file(DATA / "forms" / "zh-Hans_huaian-2026-budget-report-pages-1-2.pdf")
    info = doc.source_info["page_info"]
    assert [(p["text_from"], p.get("garbled_text_layer")) for p in info] == [("ocr", True), ("ocr", True)]
    assert '!"#$%' not in doc.raw and "淮安市" in doc.raw.split("\n\n")[0]
    assert any(c.surface == "335.3亿元" and Decimal(c.value) == Decimal("33530000000") and c.page == 1
               for c in doc.claims)
