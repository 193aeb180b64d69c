"""Text lines of page images (scans, image-only PDF pages) by optical character recognition.

The engine is RapidOCR (PP-OCRv4 detection and recognition for Chinese and Latin); its models
ship inside the ``rapidocr-onnxruntime`` wheel, so nothing is downloaded at run time. RapidOCR
runs them on onnxruntime; here the same ONNX files are compiled by OpenVINO where it is installed
(``RUNTIME``), which reads a page in about half the CPU time, the same text.
It was chosen over Debian's Tesseract with ``chi_sim`` by measurement on a real bulletin page
rendered at 200 dpi: Tesseract read 85% of the page's characters right (it splits Chinese lines
into pieces and drops characters next to digits), RapidOCR 99%, in 8 s against 12 s on two shared
cores. The figures are in ``tests/data/forms/SOURCES.md``.

Every line comes back with its box in PDF points (the page's own coordinates, so boxes of OCR'd
and text-layer lines mean the same thing) and the engine's confidence, which is carried to the
blocks and claims built from it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache

from .isolation import lift_cap

ENGINE = "rapidocr-onnxruntime"

# 200 dpi is the resolution scanners use for text documents and the one the accuracy figures
# were measured at: body type of 10.5 pt is then about 29 px high, above what the recogniser
# needs (its input lines are 48 px), and a page stays small enough for the detector.
OCR_DPI = 200

# Lines the recogniser itself scores below this are dropped: they are almost always a stamp,
# a seal, a photo's texture or a rule read as characters.
MIN_LINE_CONFIDENCE = 0.5

# Claims read from lines below this confidence are flagged for review (the review page marks
# them); at or above it the recogniser was wrong on fewer than one line in a hundred here.
REVIEW_CONFIDENCE = 0.9


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: its text, its box in page points and the engine's confidence (0-1)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float


@dataclass(frozen=True)
class OcrPage:
    """What OCR read on a page image: its lines, and the table rules drawn in it (as
    ``pdf_tables.rulings`` gives them for vector drawings: horizontal (y, x0, x1), vertical
    (x, y0, y1), in page points)."""

    lines: tuple[OcrLine, ...]
    hrules: tuple[tuple[float, float, float], ...] = ()
    vrules: tuple[tuple[float, float, float], ...] = ()
    engine: str = ""  # ``engine_version()`` where the page was read (a worker's engine, say)


# Characters the recogniser confuses in Chinese statistical text, fixed only where the context
# leaves no doubt: a per-mille sign read as "%0" or "%o" after a number (出生率8.47%0；).
# A minus sign read as 一 before a number that follows a list mark or a comma (分别增长5.8%、一12.4%;
# Chinese writes no 一 straight before an Arabic numeral).
_CONFUSIONS = (
    (re.compile(r"(?<=[0-9])\s*%[0oO](?![0-9])"), "‰"),
    (re.compile(r"(?:(?<=^)|(?<=[、，,：:；;（(\s]))一(?=[0-9])"), "-"),
)

def corrected(text: str) -> str:
    """A recognised line with the recogniser's known confusions undone."""
    for pattern, repl in _CONFUSIONS:
        text = pattern.sub(repl, text)
    return text


# A rule is a run of dark pixels at least this long, in points: longer than any stroke of a
# character at body size (a 一 or 丨 of 12 pt type is under 12 pt), shorter than a table's
# narrowest column or lowest row.
MIN_RULE_POINTS = 14.0
_THIN = 6  # pixels: a rule is at most this thick at 200 dpi (2 pt); beyond it the area is filled
MAX_RULE_RUNS = 20000  # pixel runs; a page of table rules has a few thousand
_DARK = 140  # grey level below which a pixel is ink (scans have grey paper and soft edges)


# Speed settings of the engine, each measured on the scanned Zhoukou 2023 bulletin (13 pages) and
# three pages of the Qiandongnan 2023 bulletin (benchmarks/ocr_speed.py prints the table,
# tests/data/forms/SOURCES.md keeps it). The bar they keep is what the pipeline reads, not only
# F1: a per-mille sign (出生率8.47‰) must not come back as "%", a value ten times off; the two
# bulletins have three such claims each on the pages read, and the settings below read all six.
# Wall-clock speed moves with the load of the shared cores; CPU seconds per page move less.
#
# Pages read by OCR as a whole go to engine workers, one per core (``ocr_workers``); None: as
# many as the cores, 0: read in this process, one page after another (the reference the
# workers' output is tested against). A page costs about the same CPU in either (3.5-4.0 CPU
# seconds in the workers, start-up included; 3.3-3.4 in one process), so two free cores read it
# nearly twice as fast: Zhoukou at 0.55 pages/s against 0.30 at best (load 2.3 and 1.6); when
# other work holds a core, no faster.
OCR_WORKERS: int | None = None
# Threads of each onnxruntime session: one, since a worker has a core. Two threads in each of two
# workers cost 6.3 CPU seconds a page (load 11) against 3.9 (load 5-7): four threads on two cores
# spin waiting for each other. In one process a second thread reads faster (before the workers:
# 0.43-0.48 pages/s, with a 1600 px detector and batches of 6) but spends a quarter more CPU a
# page (4.1-4.5 CPU seconds), which a second worker spends on a second page instead.
OCR_THREADS = 1
# Longer side of the page image the detector sees, in pixels; the lines are still cut from the
# full-resolution image. At 2000 a page's detection costs 1.1-1.4 CPU seconds (recognition of its
# ~50 lines about 2); 1600 halves detection (2.8-3.1 CPU s a page in the workers against 3.5-3.9)
# but moves the boxes enough that two of Qiandongnan's three ‰ come back as "%" (F1 0.859
# against 0.890), and 1280 loses one of Zhoukou's as well (2.4 CPU s a page).
DETECT_SIDE = 2000
# Lines are scaled to this height for the recogniser, the height its model was trained at. 40 px
# would halve recognition (Zhoukou at 0.7-1.2 pages/s, F1 0.961-0.963) but loses the small circle
# of ‰ (出生率8.47‰ read as 8.47%); 32 px blurs characters (F1 0.951).
RECOGNISE_HEIGHT = 48
# Lines per recogniser call. One line is never padded to the width of a longer one: at one thread
# it costs 3.9 CPU seconds a page against 4.7-5.0 for batches of 6 (RapidOCR's default), and
# reads Qiandongnan's three ‰ where batches of 6 read one (F1 0.890 against 0.868).
RECOGNISE_BATCH = 1
# The runtime the two models run on: "openvino" (onnxruntime where OpenVINO is not installed) or
# "onnxruntime". On the same ONNX files, one thread, in the engine workers (``benchmarks/
# ocr_speed.py``, Zhoukou's 13 pages): onnxruntime 4.2 CPU s a page, 0.44 pages/s; OpenVINO in
# f32 2.9 CPU s, 0.65 pages/s, with the same F1 (0.971) and ‰ (3/3).
RUNTIME = "openvino"
# The arithmetic OpenVINO computes each model in: "f32", or "bf16", which is taken only where the
# CPU has it (f32 elsewhere). The recogniser in bf16 reads the same text as in f32 (Qiandongnan,
# line for line) at two thirds of the cost; the detector in bf16 moves boxes in chart areas
# (Qiandongnan F1 0.871 against 0.890) for a tenth of a page's time, so it stays in f32.
DETECT_PRECISION = "f32"
RECOGNISE_PRECISION = "bf16"
# The settings a worker takes from its parent (the speed benchmark varies them in the parent).
ENGINE_SETTINGS = ("OCR_THREADS", "DETECT_SIDE", "RECOGNISE_HEIGHT", "RECOGNISE_BATCH", "MIN_LINE_CONFIDENCE",
                   "RUNTIME", "DETECT_PRECISION", "RECOGNISE_PRECISION")


class OcrUnavailable(RuntimeError):
    """The OCR engine is not installed; the caller turns this into a report error it can name."""


def engine_installed() -> bool:
    """Whether the engine can be imported, without importing it (a parent that only hands pages
    to workers asks before it starts them)."""
    from importlib.util import find_spec

    return find_spec("rapidocr_onnxruntime") is not None


def missing_engine() -> str:
    return (f"{ENGINE} is not installed (pip install rapidocr-onnxruntime); it reads pages without "
            "a text layer")


@lru_cache(maxsize=1)
def _engine():
    """One engine per process: loading the models costs about a second, a page several."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise OcrUnavailable(missing_engine()) from exc
    _one_malloc_arena()
    engine = RapidOCR(**engine_options())
    _detect_at(engine, DETECT_SIDE)
    _RUNNING.clear()
    _RUNNING["runtime"] = "onnxruntime"
    if RUNTIME == "openvino":
        # Importing OpenVINO starts its usage reports (openvino-telemetry, installed with it): a
        # process forked to send them over the network. Its importers fall back to a stub when
        # the module cannot be imported; a report's reader sends nothing anywhere.
        sys.modules.setdefault("openvino_telemetry", None)
        try:
            import openvino
        except ImportError:
            return engine  # the same models on onnxruntime: slower, not different
        _on_openvino(engine, openvino)
    return engine


# What the loaded engine runs on ({"runtime": …, and for OpenVINO its version and the precision
# each model was compiled in}), for ``engine_version``.
_RUNNING: dict[str, str] = {}


class _OpenVinoModel:
    """One of RapidOCR's ONNX models compiled by OpenVINO, called as RapidOCR calls its
    onnxruntime session: the input batch in, the list of outputs back."""

    def __init__(self, core, path: str, precision: str) -> None:
        # No pinning: OpenVINO pins its threads to cores by default, and the engine workers, each
        # of one thread, were all pinned to the first core (0.54 pages/s against 0.93 unpinned,
        # the second core half idle).
        config = {"INFERENCE_NUM_THREADS": OCR_THREADS, "PERFORMANCE_HINT": "LATENCY",
                  "INFERENCE_PRECISION_HINT": precision, "ENABLE_CPU_PINNING": False}
        self.compiled = core.compile_model(path, "CPU", config)
        self._request = self.compiled.create_infer_request()

    def __call__(self, batch):
        return [self._request.infer({0: batch})[0]]


def _on_openvino(engine, openvino) -> None:
    """RapidOCR's detection and recognition models, the same files, run by OpenVINO instead."""
    from pathlib import Path

    import rapidocr_onnxruntime

    core = openvino.Core()
    has_bf16 = "BF16" in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    detect, recognise = ("f32" if p == "bf16" and not has_bf16 else p for p in (DETECT_PRECISION, RECOGNISE_PRECISION))
    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    engine.text_det.infer = _OpenVinoModel(core, str(models / "ch_PP-OCRv4_det_infer.onnx"), detect)
    engine.text_rec.session = _OpenVinoModel(core, str(models / "ch_PP-OCRv4_rec_infer.onnx"), recognise)
    _RUNNING.update(runtime="openvino", version=openvino.__version__.split("-")[0], detect=detect,
                    recognise=recognise)


def _detect_at(engine, side: int) -> None:
    """Run the detector on the page scaled so that its longer side is ``side`` pixels, while the
    recogniser still cuts its lines from the full image. RapidOCR 1.4.4 has no setting for this:
    its ``limit_type: max`` picks 960, 1500 or 2000 from the image's own size and ignores
    ``limit_side_len``, so the detector's preprocessing is chosen here."""
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    det = engine.text_det
    pre = DetPreProcess(side, "max", det.mean, det.std)
    det.get_preprocess = lambda _longer_side: pre


def engine_options() -> dict:
    """RapidOCR's settings, from the named constants above (the speed benchmark varies them)."""
    # The text of a report page is upright: the angle classifier would cost a fifth of the time
    # and only ever turn a line upside down by mistake.
    return {"use_cls": False, "print_verbose": False, "intra_op_num_threads": OCR_THREADS,
            "rec_img_shape": [3, RECOGNISE_HEIGHT, 320], "rec_batch_num": RECOGNISE_BATCH}


def _one_malloc_arena() -> None:
    """glibc gives every thread of onnxruntime's pool its own malloc arena, each reserving 64 MiB
    of address space: a page of OCR then peaks at 2.4 GB of address space, over the worker's
    2048 MB cap (``--memory-mb``), though it uses a fraction of that. One shared arena keeps the
    peak at 1.7 GB with no measurable loss of speed here."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 1)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def engine_version() -> str:
    """The engine as loaded in this process: RapidOCR's version and what its models run on
    ("rapidocr-onnxruntime 1.4.4 on openvino 2026.4.1, detector f32, recogniser bf16")."""
    from importlib.metadata import version

    try:
        name = f"{ENGINE} {version(ENGINE)}"
    except Exception:  # pragma: no cover
        name = ENGINE
    if _RUNNING.get("runtime") == "openvino":
        return (f"{name} on openvino {_RUNNING['version']}, detector {_RUNNING['detect']}, "
                f"recogniser {_RUNNING['recognise']}")
    return f"{name} on onnxruntime" if _RUNNING else name


def ocr_image(pixels, scale: float = 1.0) -> list[OcrLine]:
    """Lines of an image (a numpy array, height x width x 3, RGB), top to bottom.

    ``scale`` turns pixels into the caller's units (72 / dpi for points of a rendered page).
    """
    import numpy as np

    engine = _engine()
    bgr = np.ascontiguousarray(pixels[:, :, ::-1])
    result, _elapsed = engine(bgr)
    lines = []
    for quad, text, score in result or []:
        text = text.strip()
        score = float(score)
        if not text or score < MIN_LINE_CONFIDENCE:
            continue
        text = corrected(text)
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        lines.append(OcrLine(text, min(xs) * scale, min(ys) * scale, max(xs) * scale, max(ys) * scale,
                             round(score, 4)))
    lines.sort(key=lambda ln: (ln.y0, ln.x0))
    return lines


def image_rules(pixels, scale: float, origin: tuple[float, float] = (0.0, 0.0)):
    """Table rules drawn in an image: horizontal and vertical runs of ink at least
    ``MIN_RULE_POINTS`` long, in the caller's units (``scale`` per pixel, shifted by ``origin``),
    in the form ``pdf_tables.rulings`` returns, so that the same grid finder reads them."""
    import numpy as np

    # the darkest channel, taken channel by channel: numpy's reduction along the last axis of an
    # interleaved image is several times slower on a page
    darkest = np.minimum(np.minimum(pixels[:, :, 0], pixels[:, :, 1]), pixels[:, :, 2]) if pixels.ndim == 3 else pixels
    ink = darkest < _DARK
    min_len = max(int(MIN_RULE_POINTS / scale), 2)
    ox, oy = origin

    def runs(mask):
        """(row, start, end) of the thin runs of True along axis 1 at least min_len long: a
        run whose rows ``_THIN`` pixels above and below are mostly ink is part of a filled
        area (a photo, a shaded box), not a rule."""
        padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = mask
        edges = np.diff(padded, axis=1)
        rows, starts = np.nonzero(edges == 1)
        _rows, ends = np.nonzero(edges == -1)
        keep = (ends - starts) >= min_len
        rows, starts, ends = rows[keep], starts[keep], ends[keep]
        if not len(rows):
            return rows, starts, ends
        sums = np.zeros((mask.shape[0], mask.shape[1] + 1), dtype=np.int32)
        np.cumsum(mask, axis=1, out=sums[:, 1:])
        length = ends - starts
        thin = np.ones(len(rows), dtype=bool)
        for off in (-_THIN, _THIN):
            rr = np.clip(rows + off, 0, mask.shape[0] - 1)
            inked = sums[rr, ends] - sums[rr, starts]
            thin &= inked < 0.5 * length
        return rows[thin], starts[thin], ends[thin]

    hs = [(oy + r * scale, ox + a * scale, ox + b * scale) for r, a, b in zip(*runs(ink), strict=True)]
    vs = [(ox + c * scale, oy + a * scale, oy + b * scale) for c, a, b in zip(*runs(ink.T), strict=True)]
    if len(hs) + len(vs) > MAX_RULE_RUNS:
        return [], []  # not a table's rules: a drawing or a texture
    return hs, vs


# An image is worth recognising as running text when the detector finds at least this many
# lines spanning half its width: a scanned paragraph has them, a chart's labels and a photo do not.
# Detection is a fifth of the cost of recognition, so a chart costs a fifth of a page.
MIN_PROSE_LINES = 3


def holds_running_text(page, clip, dpi: int = OCR_DPI) -> bool:
    """Whether the ``clip`` of ``page`` looks like a scan of running text (lines across it)."""
    import numpy as np

    lift_cap()

    pix = page.get_pixmap(dpi=dpi, clip=clip, alpha=False, colorspace=_rgb())
    pixels = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3]
    boxes, _elapsed = _engine()(np.ascontiguousarray(pixels[:, :, ::-1]), use_det=True, use_cls=False,
                                use_rec=False)
    wide = 0
    for quad in boxes or []:
        xs = [p[0] for p in quad]
        if max(xs) - min(xs) >= 0.5 * pix.width:
            wide += 1
    return wide >= MIN_PROSE_LINES


def ocr_page(page, clip=None, dpi: int = OCR_DPI) -> OcrPage:
    """Lines and table rules of a PyMuPDF page (or of the ``clip`` rectangle of it), in page points.

    The page is rendered without its text layer's help: a scan is an image either way, and the
    region of a half-scanned page that holds text is left out by the caller's ``clip``.
    """
    import numpy as np

    lift_cap()  # the engine reserves address space it never touches

    pix = page.get_pixmap(dpi=dpi, clip=clip, alpha=False, colorspace=_rgb())
    pixels = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3]
    scale = 72.0 / dpi
    ox, oy = (clip.x0, clip.y0) if clip is not None else (0.0, 0.0)
    lines = tuple(OcrLine(ln.text, ln.x0 + ox, ln.y0 + oy, ln.x1 + ox, ln.y1 + oy, ln.confidence)
                  for ln in ocr_image(pixels, scale))
    hs, vs = image_rules(pixels, scale, (ox, oy))
    return OcrPage(lines, tuple(hs), tuple(vs), engine_version())


def _rgb():
    import pymupdf

    return pymupdf.csRGB
