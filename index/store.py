"""An index on disk: a directory of immutable versions and a CURRENT pointer.

Layout of DIR:
    CURRENT                 the name of the live version, replaced atomically (os.replace)
    v000007/manifest.json   format version, settings, model signature, counts
    v000007/documents.jsonl one DocumentRecord a line
    v000007/chunks.jsonl    one StoredChunk a line (row order = BM25 order)
    v000007/facts.jsonl     one Fact a line
    v000007/lexical/        bm25s files
    v000007/dense/          FAISS index and sentence → chunk map
    .lock                   held while an ingest writes

A writer builds a whole new version beside the live one and only then points CURRENT at it, so a
crash (even kill -9) at any moment leaves the previous version loadable. Old versions are removed
after the switch; a reader that finds a half-written version ignores it.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from index.lexical import LexicalRanker
from ingest.errors import IndexLoadError
from ingest.models import Chunk, Document, Fact

if TYPE_CHECKING:
    from index.dense import DenseRanker

FORMAT_VERSION = 1
LEXICAL_TOKENIZER = "nfkc-char-1+2gram"


class Manifest(BaseModel):
    """What an index was built with; checked on load."""

    model_config = ConfigDict(frozen=True)

    format_version: int = FORMAT_VERSION
    model: str
    model_signature: dict[str, Any] = {}
    lexical_tokenizer: str = LEXICAL_TOKENIZER
    chunk_chars: int
    chunk_overlap: int
    pipeline: str = ""
    created_at: str
    updated_at: str
    next_row: int = 0
    documents: int = 0
    chunks: int = 0
    facts: int = 0


class DocumentRecord(BaseModel):
    """A document in an index, with what ingest made of it."""

    model_config = ConfigDict(frozen=True)

    document: Document
    ingested_at: str
    chunks: int
    facts: int

    @property
    def source(self) -> str:
        return self.document.source


class StoredChunk(BaseModel):
    """A chunk with its stable row id (the id its sentence vectors carry in FAISS)."""

    model_config = ConfigDict(frozen=True)

    row: int
    chunk: Chunk


@dataclass
class IndexData:
    """Everything one version of an index holds, in memory."""

    manifest: Manifest
    documents: dict[str, DocumentRecord] = field(default_factory=dict)  # by source
    chunks: list[StoredChunk] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    lexical: LexicalRanker | None = None
    dense: "DenseRanker | None" = None

    def lexical_texts(self) -> list[str]:
        """The text BM25 indexes for each chunk: its heading gives context a passage omits."""
        return [f"{sc.chunk.heading}\n{sc.chunk.text}" if sc.chunk.heading else sc.chunk.text for sc in self.chunks]


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class IndexStore:
    """Reads and atomically writes the index at `directory`.

    Example:
        >>> IndexStore("/tmp/no-such-kotae-index").exists()
        False
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    # -- reading -----------------------------------------------------------------
    def exists(self) -> bool:
        return (self.directory / "CURRENT").is_file()

    def current_version(self) -> Path:
        pointer = self.directory / "CURRENT"
        if not pointer.is_file():
            if self.directory.exists():
                raise IndexLoadError(
                    f"{self.directory} is not a kotae index (no CURRENT file); build one with `kotae ingest PATH --index {self.directory}`"
                )
            raise IndexLoadError(
                f"index {self.directory} does not exist; build it with `kotae ingest PATH --index {self.directory}`"
            )
        version = self.directory / pointer.read_text(encoding="utf-8").strip()
        if not (version / "manifest.json").is_file():
            raise IndexLoadError(f"index {self.directory} is corrupt: {version.name} has no manifest; re-ingest into a new index")
        return version

    def read_manifest(self) -> Manifest:
        path = self.current_version() / "manifest.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexLoadError(f"index {self.directory} is corrupt: cannot read {path.name} ({exc}); re-ingest into a new index") from None
        found = raw.get("format_version")
        if found != FORMAT_VERSION:
            raise IndexLoadError(
                f"index {self.directory} has format version {found}, this kotae reads version {FORMAT_VERSION}; "
                "re-ingest the documents into a new index"
            )
        return Manifest.model_validate(raw)

    def read(self, *, with_dense: bool = True) -> IndexData:
        """Load the live version (rankers included)."""
        manifest = self.read_manifest()
        version = self.current_version()
        try:
            documents = {
                r.document.source: r for r in (DocumentRecord.model_validate_json(line) for line in _lines(version / "documents.jsonl"))
            }
            chunks = [StoredChunk.model_validate_json(line) for line in _lines(version / "chunks.jsonl")]
            facts = [Fact.model_validate_json(line) for line in _lines(version / "facts.jsonl")]
            lexical = LexicalRanker.load(version / "lexical")
            dense = None
            if with_dense and (version / "dense").is_dir():
                from index.dense import DenseRanker

                dense = DenseRanker.load(version / "dense")
        except IndexLoadError:
            raise
        except Exception as exc:  # any unreadable part means a corrupt index; say so in one line
            raise IndexLoadError(
                f"index {self.directory} is corrupt ({type(exc).__name__}: {exc}); re-ingest into a new index"
            ) from None
        return IndexData(manifest, documents, chunks, facts, lexical, dense)

    # -- writing -----------------------------------------------------------------
    def lock(self, timeout: float = 0.0):
        """An inter-process lock on the index; raises IndexLoadError if another ingest holds it."""
        from filelock import FileLock, Timeout

        self.directory.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.directory / ".lock"), timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise IndexLoadError(
                f"index {self.directory} is being written by another `kotae ingest`; wait for it to finish and retry"
            ) from None
        return lock

    def write(self, data: IndexData) -> Path:
        """Write `data` as a new version and make it live atomically. Caller holds the lock."""
        self.directory.mkdir(parents=True, exist_ok=True)
        number = self._next_version_number()
        final = self.directory / f"v{number:06d}"
        staging = self.directory / f".staging-v{number:06d}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        _write_lines(staging / "documents.jsonl", (r.model_dump_json() for r in data.documents.values()))
        _write_lines(staging / "chunks.jsonl", (c.model_dump_json() for c in data.chunks))
        _write_lines(staging / "facts.jsonl", (f.model_dump_json() for f in data.facts))
        (data.lexical or LexicalRanker.build([])).save(staging / "lexical")
        if data.dense is not None:
            data.dense.save(staging / "dense")
        manifest = data.manifest.model_copy(
            update={
                "updated_at": utc_now(),
                "documents": len(data.documents),
                "chunks": len(data.chunks),
                "facts": len(data.facts),
            }
        )
        data.manifest = manifest
        _write_text(staging / "manifest.json", manifest.model_dump_json(indent=2))
        _fsync_dir(staging)
        os.replace(staging, final)
        pointer_tmp = self.directory / "CURRENT.tmp"
        _write_text(pointer_tmp, final.name)
        os.replace(pointer_tmp, self.directory / "CURRENT")
        _fsync_dir(self.directory)
        self._remove_old_versions(keep=final.name)
        return final

    def _next_version_number(self) -> int:
        numbers = [int(p.name[1:]) for p in self.directory.glob("v[0-9]*") if p.name[1:].isdigit()]
        return max(numbers, default=0) + 1

    def _remove_old_versions(self, keep: str) -> None:
        for path in self.directory.iterdir():
            if path.is_dir() and path.name != keep and (path.name.startswith("v") or path.name.startswith(".staging-")):
                shutil.rmtree(path, ignore_errors=True)


def _lines(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _write_lines(path: Path, lines) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
