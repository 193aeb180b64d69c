"""Stable ids for sections, case boxes, blocks and claims.

An id is a hash of what identifies the item (its section path, its normalised sentence, its
position there), never of its offset, so it survives edits elsewhere in the report and re-runs;
items with the same key are told apart by a counter in document order.
"""

from __future__ import annotations

import hashlib

# Hex digits of the hash per kind of item. Claims are the most numerous (thousands in a long
# report, and ids are compared across editions), so they get 48 bits; the rest 40 bits. Changing
# a length changes every id of that kind in every output.
DIGEST_CHARS = {"clm": 12, "sec": 10, "case": 10, "blk": 10}


def stable_id(prefix: str, key: str, seen: dict[str, int]) -> str:
    """``prefix-digest``, with ``-2``, ``-3``… for the second and later items of the same key
    (``seen`` counts them per digest and is updated)."""
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:DIGEST_CHARS[prefix]]
    n = seen.get(digest, 0)
    seen[digest] = n + 1
    return f"{prefix}-{digest}" + (f"-{n + 1}" if n else "")
