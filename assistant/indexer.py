"""Ingest: files → normalized documents → chunks, facts, vectors → a new index version.

Unchanged files cost nothing (content hash); a changed file replaces its chunks; `prune` removes
documents whose files are gone. Only new chunks are embedded: FAISS takes added and removed ids,
BM25 is rebuilt from the stored chunk texts (cheap: see docs/benchmarks.md).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from assistant.settings import KotaeSettings
from index.lexical import LexicalRanker
from index.store import DocumentRecord, IndexData, IndexStore, Manifest, StoredChunk, utc_now
from ingest.errors import IndexLoadError, IngestError
from ingest.models import Chunk, Document, Fact, RawDocument


class IngestFailure(BaseModel):
    """A file that could not be ingested, and why."""

    model_config = ConfigDict(frozen=True)

    path: str
    reason: str


class IngestReport(BaseModel):
    """What one ingest did."""

    added: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    failed: list[IngestFailure] = []
    chunks_added: int = 0
    facts_added: int = 0
    seconds: dict[str, float] = {}

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)


@dataclass
class _Prepared:
    document: Document
    chunks: list[Chunk]
    facts: list[Fact]
    replaces: bool = False


@dataclass
class _Timer:
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, started: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started


def pipeline_fingerprint() -> str:
    """A hash of the ingest code: an index made by other normalize/chunk/fact code says so in its manifest."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((Path(__file__).resolve().parent.parent / "ingest").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def chunk_sentences(chunk: Chunk) -> list[str]:
    """The sentences of a chunk, each embedded on its own (a chunk scores as its best sentence)."""
    from ingest.chunk import split_sentences

    sentences = [chunk.text[s:e].strip() for s, e in split_sentences(chunk.text)]
    sentences = [s for s in sentences if s]
    return sentences or [chunk.text]


class Indexer:
    """Adds documents to the index at `directory`, creating it.

    Example:
        >>> Indexer("/tmp/kotae-doc-example").directory.name
        'kotae-doc-example'
    """

    def __init__(self, directory: str | Path, settings: KotaeSettings | None = None, *, lock_timeout: float = 0.0) -> None:
        self.directory = Path(directory)
        self.settings = settings or KotaeSettings()
        self.store = IndexStore(self.directory)
        self.lock_timeout = lock_timeout

    # -- public -------------------------------------------------------------------
    def add_paths(self, paths: Iterable[str | Path], *, prune: bool = False, progress: bool = False) -> IngestReport:
        """Ingest files and folders (every supported file below a folder)."""
        from ingest.loaders import iter_supported_files, load_document

        report = IngestReport()
        max_bytes = int(self.settings.max_file_mb * 1024 * 1024)
        raws: list[RawDocument] = []
        files: list[Path] = []
        for path in paths:
            path = Path(path)
            if not path.exists() and not path.is_symlink():
                report.failed.append(IngestFailure(path=str(path), reason="no such file or folder"))
                continue
            try:
                files.extend(iter_supported_files([path]))
            except IngestError as exc:
                report.failed.append(IngestFailure(path=exc.path, reason=_reason(exc)))
        for file in _progress(files, "read", progress):
            try:
                raws.append(load_document(file, max_bytes=max_bytes))
            except IngestError as exc:
                report.failed.append(IngestFailure(path=exc.path, reason=_reason(exc)))
        seen_sources = {str(f) for f in files} if prune else None
        return self._ingest(raws, report, prune_to=seen_sources, progress=progress)

    def add_raw_documents(self, raws: Iterable[RawDocument], *, progress: bool = False) -> IngestReport:
        """Ingest documents already loaded (e.g. a benchmark's passages)."""
        return self._ingest(list(raws), IngestReport(), prune_to=None, progress=progress)

    def remove(self, sources: Iterable[str]) -> IngestReport:
        """Remove the documents ingested from these paths."""
        report = IngestReport()
        lock = self.store.lock(self.lock_timeout)
        try:
            data = self._read_or_new()
            wanted = set(sources)
            for source in wanted:
                if source not in data.documents:
                    report.failed.append(IngestFailure(path=source, reason="not in the index (see `kotae ls`)"))
            gone = [s for s in wanted if s in data.documents]
            if gone:
                self._drop_documents(data, gone)
                report.removed.extend(sorted(gone))
                self._rebuild_lexical(data)
                self.store.write(data)
        finally:
            lock.release()
        return report

    # -- the pipeline ---------------------------------------------------------------
    def _ingest(self, raws: list[RawDocument], report: IngestReport, *, prune_to: set[str] | None, progress: bool) -> IngestReport:
        lock = self.store.lock(self.lock_timeout)
        try:
            data = self._read_or_new()
            timer = _Timer()
            prepared = self._prepare(raws, data, report, timer, progress)
            stale = [p.document.source for p in prepared if p.replaces]
            if prune_to is not None:
                gone = sorted(s for s in data.documents if s not in prune_to and not s.startswith("bundled:"))
                stale.extend(gone)
                report.removed.extend(gone)
            if not prepared and not stale:
                report.seconds = timer.seconds
                return report
            self._drop_documents(data, stale)
            self._append(data, prepared, timer, progress)
            started = time.perf_counter()
            self._rebuild_lexical(data)
            timer.add("index", started)
            started = time.perf_counter()
            self.store.write(data)
            timer.add("write", started)
            report.seconds = timer.seconds
            return report
        finally:
            lock.release()

    def _read_or_new(self) -> IndexData:
        if self.store.exists():
            data = self.store.read()
            if data.manifest.model != self.settings.model and self.settings.model_fields_set & {"model"}:
                raise IndexLoadError(
                    f"index {self.directory} was built with model {data.manifest.model!r}, not {self.settings.model!r}; "
                    "ingest into a new index to change the model"
                )
            return data
        now = utc_now()
        return IndexData(
            manifest=Manifest(
                pipeline=pipeline_fingerprint(),
                model=self.settings.model,
                chunk_chars=self.settings.chunk_chars,
                chunk_overlap=self.settings.chunk_overlap,
                created_at=now,
                updated_at=now,
            )
        )

    def _prepare(self, raws, data: IndexData, report: IngestReport, timer: _Timer, progress: bool) -> list[_Prepared]:
        from ingest.chunk import chunk_document
        from ingest.facts import extract_facts
        from ingest.normalize import normalize_document

        prepared: list[_Prepared] = []
        hashes = {r.document.content_hash: s for s, r in data.documents.items()}
        batch_sources: set[str] = set()
        for raw in _progress(raws, "normalize+chunk", progress):
            old = data.documents.get(raw.source)
            if raw.source in batch_sources:
                continue
            if old is not None and old.document.content_hash == raw.content_hash:
                report.unchanged.append(raw.source)
                continue
            if old is None and raw.content_hash in hashes:
                report.unchanged.append(raw.source)
                report.failed.append(
                    IngestFailure(path=raw.source, reason=f"same content as {hashes[raw.content_hash]}, already indexed; skipped")
                )
                continue
            try:
                started = time.perf_counter()
                doc = normalize_document(raw)
                timer.add("normalize", started)
                started = time.perf_counter()
                chunks = chunk_document(doc, max_chars=data.manifest.chunk_chars, overlap=data.manifest.chunk_overlap)
                timer.add("tokenize", started)
                started = time.perf_counter()
                facts = extract_facts(doc)
                timer.add("facts", started)
            except IngestError as exc:
                report.failed.append(IngestFailure(path=exc.path, reason=_reason(exc)))
                continue
            if not chunks:
                report.failed.append(IngestFailure(path=raw.source, reason="no text to index after normalization"))
                continue
            batch_sources.add(raw.source)
            hashes[raw.content_hash] = raw.source
            prepared.append(_Prepared(doc, chunks, facts, replaces=old is not None))
            (report.replaced if old is not None else report.added).append(raw.source)
            report.chunks_added += len(chunks)
            report.facts_added += len(facts)
        return prepared

    def _drop_documents(self, data: IndexData, sources: list[str]) -> None:
        if not sources:
            return
        gone_ids = {data.documents[s].document.doc_id for s in sources if s in data.documents}
        gone_rows = [sc.row for sc in data.chunks if sc.chunk.doc_id in gone_ids]
        data.chunks = [sc for sc in data.chunks if sc.chunk.doc_id not in gone_ids]
        data.facts = [f for f in data.facts if f.doc_id not in gone_ids]
        for s in sources:
            data.documents.pop(s, None)
        if data.dense is not None and gone_rows:
            data.dense.remove_rows(gone_rows)

    def _append(self, data: IndexData, prepared: list[_Prepared], timer: _Timer, progress: bool) -> None:
        from index.dense import DenseRanker, encoder_signature, load_encoder
        from index.vectors import choose_index_type

        next_row = data.manifest.next_row
        new_chunks: list[StoredChunk] = []
        for item in prepared:
            for chunk in item.chunks:
                new_chunks.append(StoredChunk(row=next_row, chunk=chunk))
                next_row += 1
            now = utc_now()
            data.documents[item.document.source] = DocumentRecord(
                document=item.document, ingested_at=now, chunks=len(item.chunks), facts=len(item.facts)
            )
            data.facts.extend(item.facts)
        pairs = [(sc.row, sentence) for sc in new_chunks for sentence in chunk_sentences(sc.chunk)]
        started = time.perf_counter()
        encoder = load_encoder(data.manifest.model)
        vectors = embed_passages(encoder, data.manifest.model, [text for _, text in pairs],
                                 batch_size=self.settings.encode_batch_size, progress=progress)
        timer.add("embed", started)
        started = time.perf_counter()
        if data.dense is None:
            index_type = choose_index_type(self.settings.vector_index, len(pairs), self.settings.hnsw_threshold)
            data.dense = DenseRanker(int(vectors.shape[1]), index_type=index_type)
        data.dense.add(pairs, vectors)
        timer.add("index", started)
        data.chunks.extend(new_chunks)
        data.manifest = data.manifest.model_copy(
            update={"next_row": next_row, "model_signature": encoder_signature(encoder, data.manifest.model)}
        )

    def _rebuild_lexical(self, data: IndexData) -> None:
        data.lexical = LexicalRanker.build(data.lexical_texts())


def embed_passages(encoder, model: str, texts: list[str], *, batch_size: int, progress: bool):
    """Passage vectors in slices, so a progress bar with an ETA can follow a long ingest."""
    import numpy as np

    from index.dense import encode_texts, prompts_for

    prefix = prompts_for(model).passage
    step = max(batch_size * 16, 1)
    slices = range(0, len(texts), step)
    if progress and len(texts) > step:
        from tqdm import tqdm

        slices = tqdm(slices, desc="embed", unit=f"×{step} sentences", file=sys.stderr, leave=False)
    parts = [encode_texts(encoder, texts[i : i + step], batch_size=batch_size, prefix=prefix) for i in slices]
    return np.concatenate(parts) if parts else encode_texts(encoder, [], prefix=prefix)


def _reason(exc: IngestError) -> str:
    return exc.reason + (f" ({exc.fix})" if exc.fix else "")


def _progress(items, label: str, enabled: bool):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="doc", file=sys.stderr, leave=False)
