"""Errors a user can act on.

Each failure of one report is a ``ReportError`` with a reason from a closed set, so that a batch can
record it in ``_failures.csv`` and go on with the next report. The message names the file, says
what was wrong and what to do about it.
"""

from __future__ import annotations

REASONS = frozenset(
    {
        "not_pdf",
        "encrypted_needs_password",
        "truncated_or_corrupt",
        "repaired_empty",
        "no_text_layer",
        "mojibake_suspected",
        "timeout",
        "memory_limit",
        "worker_crashed",
        "too_many_pages",
        "too_large",
        "decode_failed",
        "empty_input",
        "unsupported_input",
        "internal_error",
        "unreadable_input",
        "id_conflict",
    }
)


class ReportpipeError(Exception):
    """Base of every error this package raises on purpose."""


class UsageError(ReportpipeError):
    """The command was asked for something it cannot do (bad path, clashing report ids)."""


class ReportError(ReportpipeError):
    """One report could not be processed; the rest of the batch goes on."""

    def __init__(self, path: str, reason: str, message: str, stage: str = "ingest") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown failure reason {reason!r}; expected one of {sorted(REASONS)}")
        self.path = str(path)
        self.reason = reason
        self.stage = stage
        self.message = message
        super().__init__(f"{self.path}: {message}")


class GoldFileError(ReportpipeError):
    """An annotation file for ``reportpipe eval`` is malformed."""
