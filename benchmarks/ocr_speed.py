"""OCR speed and accuracy of the engine settings in ``pipeline/ocr.py``, on real bulletins made scans.

Each text-layer PDF is rendered at ``OCR_DPI`` and put back as JPEG pages with no text layer (as
``tests/test_ocr.py`` does); the pipeline then reads the scan and its claims are scored by page
against the text layer's annotation. For every configuration it prints pages per second (wall
clock, models loaded before the timing), CPU seconds per page, and F1.

    python benchmarks/ocr_speed.py                      # the settings in pipeline/ocr.py
    python benchmarks/ocr_speed.py --grid               # the measured alternatives as well

The machine's cores are shared, so wall-clock figures move with its load; the load average is
printed beside them and configurations are run alternately, ``--repeat`` times each.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import ocr  # noqa: E402
from pipeline.evaluate import load_gold, score  # noqa: E402
from pipeline.process import process_file  # noqa: E402


def corpus(name: str) -> Path:
    for base in [ROOT, *ROOT.parents]:
        path = base / "shared" / "corpus" / name
        if path.exists():
            return path
    sys.exit(f"shared/corpus/{name} not found beside {ROOT}")


# (source PDF, its gold, pages to scan (None: all))
DOCUMENTS = [
    ("zh-Hans_zhoukou-2023-statistical-bulletin.pdf", "zhoukou-2023-statistical-bulletin.pdf.jsonl", None),
    ("zh-Hans_qiandongnan-2023-statistical-bulletin.pdf", "qiandongnan-2023-statistical-bulletin.pdf.jsonl",
     [1, 2, 3]),
]

# Alternatives to the settings in pipeline/ocr.py: name -> constants changed.
GRID = {
    "before (1.4.4 defaults, threads by onnxruntime)": dict(OCR_THREADS=-1, DETECT_SIDE=2000, RECOGNISE_HEIGHT=48,
                                                            RECOGNISE_BATCH=6),
    "1 thread": dict(OCR_THREADS=1, DETECT_SIDE=2000, RECOGNISE_HEIGHT=48),
    "2 threads": dict(OCR_THREADS=2, DETECT_SIDE=2000, RECOGNISE_HEIGHT=48),
    "2 threads, detect 960": dict(OCR_THREADS=2, DETECT_SIDE=960, RECOGNISE_HEIGHT=48),
    "2 threads, detect 1280": dict(OCR_THREADS=2, DETECT_SIDE=1280, RECOGNISE_HEIGHT=48),
    "2 threads, detect 960, recognise 40 px": dict(OCR_THREADS=2, DETECT_SIDE=960, RECOGNISE_HEIGHT=40),
    "2 threads, recognise 40 px": dict(OCR_THREADS=2, DETECT_SIDE=2000, RECOGNISE_HEIGHT=40),
    "2 threads, detect 1280, recognise 40 px": dict(OCR_THREADS=2, DETECT_SIDE=1280, RECOGNISE_HEIGHT=40),
    "1 thread, detect 1280, recognise 40 px": dict(OCR_THREADS=1, DETECT_SIDE=1280, RECOGNISE_HEIGHT=40),
    "2 threads, detect 1280, recognise 40 px, batch 12": dict(OCR_THREADS=2, DETECT_SIDE=1280, RECOGNISE_HEIGHT=40,
                                                          RECOGNISE_BATCH=12),
    "2 threads, detect 1280, recognise 40 px, batch 1": dict(OCR_THREADS=2, DETECT_SIDE=1280, RECOGNISE_HEIGHT=40,
                                                         RECOGNISE_BATCH=1),
    "1 thread, detect 1280, recognise 40 px, batch 1": dict(OCR_THREADS=1, DETECT_SIDE=1280, RECOGNISE_HEIGHT=40,
                                                        RECOGNISE_BATCH=1),
    "2 threads, detect 1600, batch 6": dict(OCR_THREADS=2, DETECT_SIDE=1600, RECOGNISE_HEIGHT=48, RECOGNISE_BATCH=6),
    "2 threads, detect 960, recognise 32 px": dict(OCR_THREADS=2, DETECT_SIDE=960, RECOGNISE_HEIGHT=32),
}


def scanned_copy(src: Path, dst: Path, pages=None) -> Path:
    import pymupdf

    with pymupdf.open(src) as s, pymupdf.open() as out:
        for p in s:
            if pages is not None and p.number + 1 not in pages:
                continue
            pix = p.get_pixmap(dpi=ocr.OCR_DPI)
            q = out.new_page(width=p.rect.width, height=p.rect.height)
            q.insert_image(q.rect, stream=pix.tobytes("jpg", jpg_quality=90))
        out.save(dst)
    return dst


def measure(scan: Path, gold_path: Path, pages) -> dict:
    ocr._engine.cache_clear()
    ocr._engine()  # load the models outside the timing
    t0, c0 = time.perf_counter(), time.process_time()
    doc = process_file(scan)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    page_map = {p: i + 1 for i, p in enumerate(pages)} if pages else {p: p for p in range(1, doc.pages + 1)}
    gold = [dict(g, page=page_map[g["page"]]) for g in load_gold(gold_path) if g["page"] in page_map]
    s = score(gold, [dataclasses.asdict(c) for c in doc.claims])
    return {"pages": doc.pages, "pages_per_s": doc.pages / wall, "cpu_s_per_page": cpu / doc.pages,
            "f1": s.f1, "load": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", action="store_true", help="also the alternatives in GRID")
    ap.add_argument("--only", help="configurations whose name contains one of these (separated by |)")
    ap.add_argument("--docs", type=int, default=len(DOCUMENTS), help="the first N documents")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    current = {k: getattr(ocr, k) for k in ("OCR_THREADS", "DETECT_SIDE", "RECOGNISE_HEIGHT", "RECOGNISE_BATCH")}
    configs = {"pipeline/ocr.py: " + ", ".join(f"{k}={v}" for k, v in current.items()): {}}
    if args.grid:
        configs.update(GRID)
    if args.only:
        configs = {k: v for k, v in configs.items() if any(part in k for part in args.only.split("|"))}
    with tempfile.TemporaryDirectory() as tmp:
        scans = [(scanned_copy(corpus(src), Path(tmp) / f"{i}.pdf", pages), ROOT / "tests" / "gold" / gold, pages)
                 for i, (src, gold, pages) in enumerate(DOCUMENTS[:args.docs])]
        for _ in range(args.repeat):
            for name, changes in configs.items():
                for k, v in {**current, **changes}.items():
                    setattr(ocr, k, v)
                for scan, gold, pages in scans:
                    r = measure(scan, gold, pages)
                    print(f"{name:50s} | {gold.name[:24]:24s} | {r['pages']:2d} p | {r['pages_per_s']:.2f} pages/s | "
                          f"{r['cpu_s_per_page']:.2f} cpu s/page | F1 {r['f1']:.3f} | load {r['load']:.1f}", flush=True)


if __name__ == "__main__":
    main()
