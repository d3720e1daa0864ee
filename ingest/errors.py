"""Errors that reach the user as one line: what is wrong, with which file, and what to do."""

from __future__ import annotations


class KotaeError(Exception):
    """Base of every error kotae reports to a user (CLI: one line on stderr, exit 2)."""


class IngestError(KotaeError):
    """A file could not be ingested.

    Example:
        >>> str(IngestError("a.pdf", "the PDF is encrypted", "decrypt it first"))
        'a.pdf: the PDF is encrypted (decrypt it first)'
    """

    def __init__(self, path: str, reason: str, fix: str = "") -> None:
        self.path = str(path)
        self.reason = reason
        self.fix = fix
        super().__init__(f"{self.path}: {reason}" + (f" ({fix})" if fix else ""))


class IndexLoadError(KotaeError):
    """An index directory is missing, corrupt, locked, or was built with other settings."""
