"""Names in an output folder: the tool's own files, and the report id (the folder) of each input.

A report's outputs go to ``DIR/<report_id>/``, beside the tool's own files (``manifest.json``,
``catalog.duckdb``, ``_failures.csv``). The report id is the input file's stem when that is
already a safe name in any script (``统计公报二〇二三`` stays ``统计公报二〇二三``), so folders are
recognisable to the people who named the files. Any other stem becomes a slug with a short hash
of the original stem, so two different names never fold into one folder:

- only letters, digits and combining marks of any script, and ``- _ .``, are kept; every other run
  of characters (spaces, slashes, control and bidirectional characters) becomes ``_``; full-width
  forms are folded (NFKC); a leading ``.`` is dropped (no hidden folders, no ``..``);
- a stem that would name one of the tool's own files (``manifest.json.txt`` has the stem
  ``manifest.json``), or a device name some file systems reserve (``CON``, ``NUL``), gets the hash;
- a stem longer than ``MAX_ID_BYTES`` is cut at a character boundary and gets the hash.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

MANIFEST = "manifest.json"
JOURNAL = MANIFEST + ".journal"  # reports finished since the manifest was last written
CATALOG = "catalog.duckdb"
FAILURES = "_failures.csv"
# What a run does with the folder of a report whose input file no longer exists (deleted, or moved
# away): ``keep`` it (the default: a dataset is not lost to a tidied-up input folder) or ``remove``
# it and its manifest entry, so the output folder mirrors the inputs.
VANISHED_CHOICES = ("keep", "remove")
FAILURE_COLUMNS = ["report_path", "report_id", "sha256", "size", "reason", "stage", "versions",
                   "message", "time"]  # the columns of FAILURES
# Files the tool (or DuckDB beside the catalog) keeps at the top of an output folder: no report
# folder may take one of these names.
TOOL_FILES = (MANIFEST, JOURNAL, CATALOG, f"{CATALOG}.wal", FAILURES)
# Device names Windows file systems (also over SMB) refuse as a file or folder name, with any
# extension.
DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                          *(f"LPT{i}" for i in range(1, 10))})
# File names are limited to 255 bytes on ext4, XFS, btrfs and APFS; a report folder also takes the
# name ".old-<id>-<pid>-<nanoseconds>" (about 35 bytes more) while it is replaced, so ids stay well
# below the limit.
MAX_ID_BYTES = 120
_HASH_CHARS = 8
_ALLOWED_PUNCT = "-_."


def _allowed(ch: str) -> bool:
    return ch in _ALLOWED_PUNCT or unicodedata.category(ch)[0] in "LNM"


def is_reserved(name: str) -> bool:
    """True when ``name`` is one of the tool's own file names, or a name of such a file with more
    after a dot, or a reserved device name (compared without case: file systems may ignore it)."""
    folded = name.casefold()
    for tool in TOOL_FILES:
        if folded == tool or folded.startswith(tool + "."):
            return True
    return name.split(".", 1)[0].upper() in DEVICE_NAMES


def is_safe_id(name: str) -> bool:
    """A name that can be used as a report folder as it is."""
    return (
        bool(name)
        and not name.startswith(".")
        and unicodedata.normalize("NFKC", name) == name
        and all(_allowed(ch) for ch in name)
        and len(name.encode("utf-8")) <= MAX_ID_BYTES
        and not is_reserved(name)
    )


def _cut(text: str, max_bytes: int) -> str:
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def report_id_for(path: str | Path) -> str:
    """The report id of an input file: its stem when safe, else a slug of it with a hash."""
    stem = Path(path).stem
    if is_safe_id(stem):
        return stem
    folded = unicodedata.normalize("NFKC", stem)
    slug = "".join(ch if _allowed(ch) else "\0" for ch in folded)
    slug = re.sub("\0+", "_", slug).strip("._-")
    slug = _cut(slug, MAX_ID_BYTES - _HASH_CHARS - 1).rstrip("._-") or "report"
    digest = hashlib.sha1(stem.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
    if is_reserved(f"{slug}_{digest}"):  # "catalog.duckdb.wal_…" still begins with a tool's name
        slug = slug.replace(".", "_")
    return f"{slug}_{digest}"


def package_name(report_id: str) -> str:
    """A Frictionless data package name (lower-case ASCII letters, digits, ``-._``) for a report
    id; an id in another script keeps its ASCII part and gets a hash of the whole id."""
    name = report_id.lower().replace("_", "-")
    if re.fullmatch(r"[-a-z0-9.]+", name):
        return name
    ascii_part = re.sub(r"[^-a-z0-9.]+", "-", name).strip("-.")
    digest = hashlib.sha1(report_id.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
    return f"{ascii_part}-{digest}" if ascii_part else f"report-{digest}"
