"""The content key of a report: what its extracted tables depend on, in named parts.

A report is processed again only when its key changed. The key is made of five digests, kept
separately in the manifest so that ``reportpipe status`` can say which one changed:

- ``input``: the sha256 of the report's bytes;
- ``code``: the source of every module of the package that shapes the tables (the version number
  alone is not enough: rules change far more often than releases);
- ``vocabulary``: every data file shipped in the package outside the contracts and the page assets
  (the word lists under ``lexicon/`` and whatever data files come next), and the user's word lists
  named by ``$REPORTPIPE_LEXICON``;
- ``schemas``: the table contracts;
- ``settings``: the extraction settings that change what is read (byte and page limits).

The package's digests are computed once per process (a few hundred kilobytes of files: about ten
milliseconds) from the installed package itself, so a wheel, an editable checkout and a copy of the
package each key by what they really run.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from . import lexicon

PACKAGE = "pipeline"
PARTS = ("input", "code", "vocabulary", "schemas", "settings")
# What each part is called when ``status`` explains a change.
PART_NAMES = {"input": "the input's bytes", "code": "the code", "vocabulary": "the vocabulary",
              "schemas": "the schemas", "settings": "the settings"}
# Modules at the edges that read or present finished tables and never change what is extracted;
# a change to them does not make every report stale. Any other module, including new ones, counts.
EDGE_MODULES = frozenset({"cli.py", "terminal.py", "review.py", "diff.py", "evaluate.py", "isolation.py",
                          "batch.py"})
SCHEMA_FOLDER = "schemas"
ASSET_FOLDER = "assets"  # the review page's CSS and JavaScript: presentation, not extraction
DIGEST_CHARS = 16  # 64 bits: collisions between two versions of one package are not a concern


def _files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    """Every file below ``folder`` with its relative path, sorted, skipping caches and dotfiles."""
    out: list[tuple[str, Traversable]] = []
    for item in folder.iterdir():
        if item.name.startswith(".") or item.name == "__pycache__":
            continue
        rel = f"{prefix}{item.name}"
        if item.is_dir():
            out.extend(_files(item, rel + "/"))
        elif not item.name.endswith((".pyc", ".pyo")):
            out.append((rel, item))
    return sorted(out, key=lambda pair: pair[0])


def _digest(files: list[tuple[str, Traversable]]) -> str:
    h = hashlib.sha256()
    for rel, item in files:
        data = item.read_bytes()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:DIGEST_CHARS]


@lru_cache(maxsize=1)
def package_digests() -> dict[str, str]:
    """The ``code``, ``vocabulary`` and ``schemas`` digests of the package this process runs."""
    files = _files(resources.files(PACKAGE))
    code = [(r, f) for r, f in files if "/" not in r and r.endswith(".py") and r not in EDGE_MODULES]
    schemas = [(r, f) for r, f in files if r.startswith(SCHEMA_FOLDER + "/")]
    vocabulary = [(r, f) for r, f in files
                  if not r.endswith(".py") and not r.startswith((SCHEMA_FOLDER + "/", ASSET_FOLDER + "/"))]
    # The vocabulary also holds the user's word lists ($REPORTPIPE_LEXICON), read once per process
    # like the lexicon itself.
    words = hashlib.sha256(f"{_digest(vocabulary)}\0{lexicon.fingerprint()}".encode()).hexdigest()
    return {"code": _digest(code), "vocabulary": words[:DIGEST_CHARS], "schemas": _digest(schemas)}


def settings_digest(settings: dict) -> str:
    payload = json.dumps(settings, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:DIGEST_CHARS]


def key_parts(input_sha256: str, settings: dict) -> dict[str, str]:
    """The five parts of a report's key (``settings``: only those that change what is extracted)."""
    return {"input": input_sha256, **package_digests(), "settings": settings_digest(settings)}


def pipeline_key(parts: dict[str, str]) -> str:
    """One digest of every part but the input: what a report's tables were made with."""
    payload = json.dumps({k: parts[k] for k in PARTS if k != "input"}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:DIGEST_CHARS]


def changed_parts(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The parts whose digest differs, in the order of ``PARTS``."""
    return [p for p in PARTS if old.get(p) != new.get(p)]


def describe_change(parts: list[str]) -> str:
    names = [PART_NAMES[p] for p in parts]
    said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{said} changed"
