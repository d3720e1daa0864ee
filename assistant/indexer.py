"""Ingest: files → normalized documents → chunks, facts, vectors → a new index version.

Unchanged files cost nothing: a file whose bytes hash (sha256) to the stored content hash is
skipped before its loader runs. A changed file replaces its chunks; `prune` removes documents whose
files were under the given paths and are gone. Only new chunks are embedded: FAISS takes added and
removed ids. BM25 is rebuilt from the stored chunk texts, because bm25s cannot add documents;
measured on a loaded 2-core machine (JSQuAD-valid passages): 0.27 s at 1,000 chunks, 2.9 s at
10,000, 41 s at 100,000, so past ~10k chunks it is the main cost of adding one file.
"""

from __future__ import annotations

import hashlib
import os
import stat
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
        """Ingest files and folders (every supported file below a folder).

        The writer lock is taken first, so a second concurrent ingest fails at once instead of
        after reading every file. A file already in the index whose bytes hash to the stored
        content hash is skipped without running its loader (no PDF parsing, no embedding). A
        file named under another spelling of the same path (relative/absolute, through a link)
        is matched to the document already stored for it.

        Args:
            paths: files and folders.
            prune: also remove the documents whose files were under one of `paths` and are gone.
                A folder that could not be walked completely prunes nothing.
            progress: progress bars on stderr.

        Returns:
            What was added, replaced, left unchanged, removed, and each file that failed and why.
            A failed file leaves its previous version (if any) in the index.

        Raises:
            IndexLoadError: another ingest holds the index's lock, or the index cannot be read.

        Example:
            >>> import tempfile
            >>> folder = Path(tempfile.mkdtemp())
            >>> _ = (folder / "empty.txt").write_bytes(b"")
            >>> Indexer(folder / "index").add_paths([folder]).failed[0].reason
            'the file is empty (0 bytes) (check that it is the file you meant)'
        """
        from ingest.loaders import iter_supported_files, load_document

        report = IngestReport()
        max_bytes = int(self.settings.max_file_mb * 1024 * 1024)
        lock = self.store.lock(self.lock_timeout)
        try:
            data = self._read_or_new()
            timer = _Timer()
            started = time.perf_counter()
            files: list[Path] = []
            prune_roots: list[Path] = []
            for path in paths:
                path = Path(path)
                if not path.exists() and not path.is_symlink():
                    report.failed.append(IngestFailure(path=str(path), reason="no such file or folder"))
                    prune_roots.append(path)  # a deleted folder: its documents' files are gone
                    continue
                walked: list[Path] = []
                try:
                    walked.extend(iter_supported_files([path]))
                except IngestError as exc:
                    report.failed.append(IngestFailure(path=exc.path, reason=_reason(exc)))
                else:
                    prune_roots.append(path)  # only a complete walk can tell a file is gone
                files.extend(walked)
            stored = _StoredPaths(data)
            raws: list[RawDocument] = []
            for file in _progress(files, "read", progress):
                old_source = stored.source_of(file)
                if old_source is not None and _has_hash(file, data.documents[old_source].document.content_hash, max_bytes):
                    report.unchanged.append(old_source)
                    continue
                try:
                    raw = load_document(file, max_bytes=max_bytes)
                except IngestError as exc:
                    report.failed.append(IngestFailure(path=exc.path, reason=_reason(exc)))
                    continue
                # the document keeps the name it was first ingested under
                raws.append(raw if old_source is None else raw.model_copy(update={"source": old_source}))
            timer.add("read", started)
            gone: list[str] = []
            if prune:
                found = {key for f in files for key in _path_keys(f)}
                gone = sorted(
                    s for s in data.documents
                    if not s.startswith("bundled:") and _is_under(s, prune_roots) and not (_path_keys(s) & found)
                )
            return self._apply(data, raws, report, gone, timer, progress)
        finally:
            lock.release()

    def add_raw_documents(self, raws: Iterable[RawDocument], *, progress: bool = False) -> IngestReport:
        """Ingest documents already loaded (e.g. a benchmark's passages).

        Example:
            >>> import tempfile
            >>> Indexer(Path(tempfile.mkdtemp()) / "index").add_raw_documents([]).changed
            False
        """
        items = list(raws)
        del raws  # `_apply` empties `items` once they are prepared: nothing here keeps them alive
        lock = self.store.lock(self.lock_timeout)
        try:
            return self._apply(self._read_or_new(), items, IngestReport(), [], _Timer(), progress)
        finally:
            lock.release()

    def remove(self, sources: Iterable[str]) -> IngestReport:
        """Remove the documents ingested from these paths (as `kotae ls` lists them, or another
        spelling of the same file's path).

        Example:
            >>> import tempfile
            >>> Indexer(Path(tempfile.mkdtemp()) / "index").remove(["a.txt"]).failed[0].reason
            'not in the index (see `kotae ls`)'
        """
        report = IngestReport()
        lock = self.store.lock(self.lock_timeout)
        try:
            data = self._read_or_new()
            stored = _StoredPaths(data)
            gone: list[str] = []
            for source in dict.fromkeys(sources):
                found = source if source in data.documents else stored.source_of(Path(source))
                if found is None:
                    report.failed.append(IngestFailure(path=source, reason="not in the index (see `kotae ls`)"))
                elif found not in gone:
                    gone.append(found)
            if gone:
                self._drop_documents(data, gone)
                report.removed.extend(sorted(gone))
                self._rebuild_lexical(data)
                self.store.write(data)
        finally:
            lock.release()
        return report

    # -- the pipeline (caller holds the lock) -----------------------------------------
    def _apply(
        self, data: IndexData, raws: list[RawDocument], report: IngestReport, gone: list[str], timer: _Timer, progress: bool
    ) -> IngestReport:
        """Prepare `raws` (the list is emptied once they are prepared: their normalized documents are what
        is kept), drop replaced and `gone` documents, add the new ones, write a new version."""
        prepared = self._prepare(raws, data, report, timer, progress, leaving=set(gone))
        raws.clear()
        stale = [p.document.source for p in prepared if p.replaces] + gone
        report.removed.extend(gone)
        if not prepared and not stale:  # nothing changed: no new version, no encoder load
            report.seconds = timer.seconds
            return report
        self._drop_documents(data, stale)
        new_chunks = self._register(data, prepared)
        # BM25 is built before the encoder loads and the vectors exist, so the peaks of the two do not
        # add up (measured at 10k chunks: peak RSS 978 MB this way, see docs/benchmarks.md).
        started = time.perf_counter()
        self._rebuild_lexical(data)
        _release_freed_memory()  # the BM25 build's token arrays are freed: hand their pages back
        timer.add("index", started)  # with the FAISS add (eval/bench.py reads these stage names)
        if new_chunks:
            self._embed(data, new_chunks, timer, progress)
        started = time.perf_counter()
        self.store.write(data)
        timer.add("write", started)
        report.seconds = timer.seconds
        return report

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

    def _prepare(
        self, raws, data: IndexData, report: IngestReport, timer: _Timer, progress: bool, *, leaving: set[str] = frozenset()
    ) -> list[_Prepared]:
        from ingest.chunk import chunk_document
        from ingest.facts import extract_facts
        from ingest.normalize import normalize_document

        prepared: list[_Prepared] = []
        # Content already indexed under another name is skipped (same doc_id), unless that other
        # document is leaving: pruned (a renamed file) or replaced by new content in this batch.
        changing = {
            r.source for r in raws
            if r.source in data.documents and data.documents[r.source].document.content_hash != r.content_hash
        }
        hashes = {r.document.content_hash: s for s, r in data.documents.items() if s not in leaving | changing}
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

    def _register(self, data: IndexData, prepared: list[_Prepared]) -> list[StoredChunk]:
        """Give the prepared chunks their rows and add them, their documents and facts to `data`."""
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
        data.chunks.extend(new_chunks)
        data.manifest = data.manifest.model_copy(update={"next_row": next_row})
        return new_chunks

    def _embed(self, data: IndexData, new_chunks: list[StoredChunk], timer: _Timer, progress: bool) -> None:
        """Embed the sentences of the new chunks into the dense ranker."""
        from index.dense import DenseRanker, encoder_signature, load_encoder
        from index.vectors import choose_index_type

        pairs = [(sc.row, sentence) for sc in new_chunks for sentence in chunk_sentences(sc.chunk)]
        started = time.perf_counter()
        encoder = load_encoder(data.manifest.model)
        timer.add("embed", started)
        # Each slice of vectors goes into FAISS as soon as it is encoded: only FAISS holds all the
        # vectors (0.8 GB at 100k chunks), not also a list of slices and their concatenation.
        index_type = choose_index_type(self.settings.vector_index, len(pairs), self.settings.hnsw_threshold)
        slices = iter_passage_vectors(encoder, data.manifest.model, [text for _, text in pairs],
                                      batch_size=self.settings.encode_batch_size, progress=progress)
        while True:
            started = time.perf_counter()
            item = next(slices, None)
            timer.add("embed", started)
            if item is None:
                break
            start, vectors = item
            started = time.perf_counter()
            if data.dense is None:
                data.dense = DenseRanker(int(vectors.shape[1]), index_type=index_type)
            data.dense.add(pairs[start : start + len(vectors)], vectors)
            timer.add("index", started)
        if data.dense is None:  # nothing to embed: an empty ranker of the encoder's dimension
            dim = int(embed_passages(encoder, data.manifest.model, [], batch_size=1, progress=False).shape[1])
            data.dense = DenseRanker(dim, index_type=index_type)
        del pairs
        data.manifest = data.manifest.model_copy(update={"model_signature": encoder_signature(encoder, data.manifest.model)})

    def _rebuild_lexical(self, data: IndexData) -> None:
        data.lexical = LexicalRanker.build(data.lexical_texts())


def iter_passage_vectors(encoder, model: str, texts: list[str], *, batch_size: int, progress: bool):
    """(offset, vectors of texts[offset:offset + len(vectors)]) slice by slice, so a progress bar with
    an ETA can follow a long ingest and the caller can store each slice before the next is made.

    Example:
        >>> list(iter_passage_vectors(None, "use-multilingual-v3", [], batch_size=64, progress=False))
        []
    """
    from index.dense import encode_texts, prompts_for

    prefix = prompts_for(model).passage
    step = max(batch_size * 16, 1)
    slices = range(0, len(texts), step)
    if progress and len(texts) > step:
        from tqdm import tqdm

        slices = tqdm(slices, desc="embed", unit=f"×{step} sentences", file=sys.stderr, leave=False)
    for i in slices:
        yield i, encode_texts(encoder, texts[i : i + step], batch_size=batch_size, prefix=prefix)


def embed_passages(encoder, model: str, texts: list[str], *, batch_size: int, progress: bool):
    """All passage vectors in one array (see `iter_passage_vectors`)."""
    import numpy as np

    from index.dense import encode_texts, prompts_for

    parts = [vectors for _, vectors in iter_passage_vectors(encoder, model, texts, batch_size=batch_size, progress=progress)]
    return np.concatenate(parts) if parts else encode_texts(encoder, [], prefix=prompts_for(model).passage)


def _release_freed_memory() -> None:
    """Return freed heap pages to the system (glibc `malloc_trim`), so memory freed by one stage shows as
    free before the next allocates; a no-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reason(exc: IngestError) -> str:
    return exc.reason + (f" ({exc.fix})" if exc.fix else "")


def _progress(items, label: str, enabled: bool):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="doc", file=sys.stderr, leave=False)


def _path_keys(path: str | Path) -> set[str]:
    """The spellings a path is known by: absolute, and with links resolved (relative to the cwd)."""
    try:
        return {os.path.abspath(path), os.path.realpath(path)}
    except (OSError, ValueError):  # a symbolic-link loop on some Pythons, a NUL in the name
        return {os.path.abspath(path)}


def _is_under(source: str, roots: list[Path]) -> bool:
    """Whether `source` is one of `roots` or lies inside one of them (any spelling)."""
    keys = _path_keys(source)
    for root in roots:
        for root_key in _path_keys(root):
            prefix = root_key.rstrip(os.sep) + os.sep
            if any(key == root_key or key.startswith(prefix) for key in keys):
                return True
    return False


class _StoredPaths:
    """Finds the stored document of a file named under another spelling of its path."""

    def __init__(self, data: IndexData) -> None:
        self.data = data
        self._by_key: dict[str, str] | None = None

    def source_of(self, path: Path) -> str | None:
        source = str(path)
        if source in self.data.documents:
            return source
        if self._by_key is None:  # built on first miss: an index of raw passages never needs it
            self._by_key = {}
            for stored in self.data.documents:
                if not stored.startswith("bundled:"):
                    for key in _path_keys(stored):
                        self._by_key.setdefault(key, stored)
        for key in _path_keys(path):
            if key in self._by_key:
                return self._by_key[key]
        return None


def _has_hash(path: Path, content_hash: str, max_bytes: int) -> bool:
    """Whether the file's bytes hash to `content_hash` (sha256, as `load_document` computes it),
    read in blocks. Any doubt (not a regular file, empty, over the limit, unreadable) is False, so
    `load_document` runs and reports it."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0 or info.st_size > max_bytes:
            return False
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError:
        return False
    return digest.hexdigest() == content_hash
