"""OCR speed and accuracy of the engine settings in ``pipeline/ocr.py``, on real bulletins made scans.

Each text-layer PDF is rendered at ``OCR_DPI`` and put back as JPEG pages with no text layer (as
``tests/test_ocr.py`` does); the pipeline then reads the scan and its claims are scored by page
against the text layer's annotation. For every configuration it prints pages per second (wall
clock; in-process models are loaded before the timing, engine workers start within it, as they
do for every report), CPU seconds per page (the engine workers' included), F1, and how many of the
annotated per-mille claims came back with their ‰.

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

from pipeline import ocr, ocr_workers  # noqa: E402
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

# Alternatives to the settings in pipeline/ocr.py: name -> constants changed. OCR_WORKERS=0 reads
# the pages in this process one after another, as reportpipe did before its engine workers.
GRID = {
    "before: in process, 2 threads, detect 1600, batch 6": dict(OCR_WORKERS=0, OCR_THREADS=2, DETECT_SIDE=1600,
                                                                RECOGNISE_BATCH=6),
    "in process, 1 thread, detect 2000, batch 1": dict(OCR_WORKERS=0, OCR_THREADS=1, DETECT_SIDE=2000,
                                                       RECOGNISE_BATCH=1),
    "workers, 1 thread, detect 2000, batch 1": dict(OCR_WORKERS=None, OCR_THREADS=1, DETECT_SIDE=2000,
                                                    RECOGNISE_BATCH=1),
    "workers, 1 thread, detect 2000, batch 6": dict(OCR_WORKERS=None, OCR_THREADS=1, DETECT_SIDE=2000,
                                                    RECOGNISE_BATCH=6),
    "workers, 1 thread, detect 1600, batch 1": dict(OCR_WORKERS=None, OCR_THREADS=1, DETECT_SIDE=1600,
                                                    RECOGNISE_BATCH=1),
    "workers, 1 thread, detect 1280, batch 1": dict(OCR_WORKERS=None, OCR_THREADS=1, DETECT_SIDE=1280,
                                                    RECOGNISE_BATCH=1),
    "workers, 2 threads, detect 2000, batch 1": dict(OCR_WORKERS=None, OCR_THREADS=2, DETECT_SIDE=2000,
                                                     RECOGNISE_BATCH=1),
    "workers, onnxruntime, 1 thread, detect 2000, batch 1": dict(OCR_WORKERS=None, OCR_THREADS=1, DETECT_SIDE=2000,
                                                                 RECOGNISE_BATCH=1, RUNTIME="onnxruntime"),
    "workers, openvino bf16, 1 thread, detect 2000, batch 1": dict(OCR_WORKERS=None, OCR_THREADS=1,
                                                                   DETECT_SIDE=2000, RECOGNISE_BATCH=1,
                                                                   RUNTIME="openvino", DETECT_PRECISION="bf16",
                                                                   RECOGNISE_PRECISION="bf16"),
    "workers, openvino detect f32 recognise bf16, 1 thread, detect 2000, batch 1": dict(
        OCR_WORKERS=None, OCR_THREADS=1, DETECT_SIDE=2000, RECOGNISE_BATCH=1, RUNTIME="openvino",
        DETECT_PRECISION="f32", RECOGNISE_PRECISION="bf16"),
    "workers, openvino f32, 1 thread, detect 2000, batch 1": dict(OCR_WORKERS=None, OCR_THREADS=1,
                                                                  DETECT_SIDE=2000, RECOGNISE_BATCH=1,
                                                                  RUNTIME="openvino", DETECT_PRECISION="f32",
                                                                  RECOGNISE_PRECISION="f32"),
}
SETTINGS = ("OCR_WORKERS", "OCR_THREADS", "DETECT_SIDE", "RECOGNISE_HEIGHT", "RECOGNISE_BATCH", "RUNTIME", "DETECT_PRECISION",
            "RECOGNISE_PRECISION")


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


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the engine workers are
    reaped before ``process_file`` returns)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def per_mille(gold: list[dict], claims: list[dict]) -> tuple[int, int]:
    """Annotated per-mille claims read with their ‰ (a value read with "%" is ten times off, which
    F1 by surface does not always see): (read right, annotated)."""
    from decimal import Decimal

    wanted = [g for g in gold if g["unit"] == "‰"]
    got = {(c["page"], Decimal(c["value"])) for c in claims if c["unit"] == "‰" and c["value"]}
    return sum((g["page"], Decimal(g["value"])) in got for g in wanted), len(wanted)


def measure(scan: Path, gold_path: Path, pages) -> dict:
    ocr._engine.cache_clear()
    if not ocr_workers.count():
        ocr._engine()  # load the models outside the timing (workers load theirs within it)
    t0, c0 = time.perf_counter(), _cpu()
    doc = process_file(scan)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    page_map = {p: i + 1 for i, p in enumerate(pages)} if pages else {p: p for p in range(1, doc.pages + 1)}
    gold = [dict(g, page=page_map[g["page"]]) for g in load_gold(gold_path) if g["page"] in page_map]
    claims = [dataclasses.asdict(c) for c in doc.claims]
    s = score(gold, claims)
    return {"pages": doc.pages, "pages_per_s": doc.pages / wall, "cpu_s_per_page": cpu / doc.pages,
            "f1": s.f1, "load": os.getloadavg()[0], "per_mille": per_mille(gold, claims)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", action="store_true", help="also the alternatives in GRID")
    ap.add_argument("--only", help="configurations whose name contains one of these (separated by |)")
    ap.add_argument("--docs", type=int, default=len(DOCUMENTS), help="the first N documents")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    current = {k: getattr(ocr, k) for k in SETTINGS}
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
                          f"{r['cpu_s_per_page']:.2f} cpu s/page | F1 {r['f1']:.3f} | ‰ {r['per_mille'][0]}/{r['per_mille'][1]} | "
                          f"load {r['load']:.1f}", flush=True)


if __name__ == "__main__":
    main()
