"""Rows printed for a person or a pipe: one function, ``output_rows``, for every command.

Text printed here comes from reports, and reports are untrusted: a heading may hold ``[/bold]``
(rich markup, which would crash or restyle a table), ``[link=…]`` (a hidden terminal link), or
escape sequences that move the cursor, retitle the window or write a link. So every value is
printed as text: rich never interprets it as markup, and escape sequences, control characters and
bidirectional overrides are removed (tabs and newlines stay where the format can hold them).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMATS = ("table", "tsv", "csv", "json", "md")

_ESCAPE_SEQUENCE = re.compile(
    r"""
      \x1b\[[0-?]*[\x20-/]*[@-~]?            # CSI: colours, cursor movement, erasing
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC: window titles, hyperlinks (to BEL or ST)
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?  # DCS, SOS, PM, APC strings
    | \x1b[\x20-/]*[0-~]?                    # any other escape (charset switches, resets)
    | \x9b[0-?]*[\x20-/]*[@-~]?              # 8-bit CSI
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?  # 8-bit DCS, SOS, OSC, PM, APC
    """,
    re.VERBOSE,
)
# C0 and C1 controls but tab and newline; DEL; bidirectional embeddings, overrides and isolates,
# which make a terminal show text in another order than it is (U+202A-202E, U+2066-2069).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: Any) -> str:
    """``value`` as text that a terminal shows as it is: no escape sequences, no controls."""
    text = "" if value is None else str(value)
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def _one_line(value: Any) -> str:
    return re.sub(r"[\t\n]+", " ", clean_text(value))


def _cleaned(value: Any) -> Any:
    """Strings cleaned; numbers, booleans and nulls kept as they are (for JSON)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return clean_text(value)


def output_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str = "table",
                title: str | None = None, header: bool = True, stream: TextIO | None = None) -> None:
    """Print ``rows`` under ``columns`` as ``fmt``: a rich ``table`` (wide and plain when not on a
    terminal), ``tsv`` (one line per row), ``csv``, ``json`` (a list of objects) or ``md``."""
    out = stream or sys.stdout
    rows = [list(r) for r in rows]
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=Text(clean_text(title)) if title else None)
        for c in columns:
            table.add_column(Text(clean_text(c)))
        for r in rows:
            table.add_row(*[Text(clean_text(v)) for v in r])
        Console(file=out, width=None if out.isatty() else 200).print(table)
    elif fmt == "tsv":
        lines = ([columns] if header else []) + rows
        for r in lines:
            print("\t".join(_one_line(v) for v in r), file=out)
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow([clean_text(c) for c in columns])
        w.writerows([[clean_text(v) for v in r] for r in rows])
    elif fmt == "json":
        objects = [{clean_text(c): _cleaned(v) for c, v in zip(columns, r, strict=True)} for r in rows]
        print(json.dumps(objects, ensure_ascii=False, default=str, indent=1), file=out)
    elif fmt == "md":
        def md(cells: Iterable[Any]) -> str:
            return "| " + " | ".join(_one_line(v).replace("|", "\\|") for v in cells) + " |"

        print(md(columns), file=out)
        print("|" + "---|" * len(columns), file=out)
        for r in rows:
            print(md(r), file=out)
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
