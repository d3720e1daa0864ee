"""The index directory: round trip, atomic versions, clear errors, the writer lock."""

import json
import os

import pytest

from index.lexical import LexicalRanker
from index.store import FORMAT_VERSION, DocumentRecord, IndexData, IndexStore, Manifest, StoredChunk
from ingest.errors import IndexLoadError
from ingest.models import Chunk, Citation, Document, Fact, Page


def _data(texts):
    doc = Document(
        doc_id="d1", source="a.txt", title="a", text="\f".join(texts), paged=True, content_hash="h" * 64,
        pages=tuple(Page(number=i + 1, start=0, end=len(t)) for i, t in enumerate(texts)),
    )
    chunks = [
        StoredChunk(row=i, chunk=Chunk(chunk_id=f"d1:{i:05d}", doc_id="d1", source="a.txt", title="a", page=i + 1,
                                       start=0, end=len(t), text=t))
        for i, t in enumerate(texts)
    ]
    fact = Fact(subject="S", attribute="予算額", value="1,160百万円", amount_yen=1_160_000_000, doc_id="d1",
                citation=Citation(source="a.txt", title="a", page=1, text=texts[0], start=0, end=len(texts[0])))
    manifest = Manifest(model="fake", chunk_chars=300, chunk_overlap=40, created_at="t", updated_at="t", next_row=len(texts))
    data = IndexData(manifest, {"a.txt": DocumentRecord(document=doc, ingested_at="t", chunks=len(chunks), facts=1)},
                     chunks, [fact])
    data.lexical = LexicalRanker.build(data.lexical_texts())
    return data


def test_round_trip_keeps_documents_chunks_facts_and_bm25(tmp_path):
    store = IndexStore(tmp_path / "idx")
    store.write(_data(["SICORPの予算額", "WPIの拠点"]))
    loaded = store.read()
    assert [c.chunk.text for c in loaded.chunks] == ["SICORPの予算額", "WPIの拠点"]
    assert loaded.facts[0].value == "1,160百万円"
    assert loaded.documents["a.txt"].document.pages[1].number == 2
    assert loaded.lexical.search("WPI", k=1)[0][0] == 1
    assert loaded.manifest.chunks == 2


def test_a_new_version_replaces_the_old_and_old_versions_are_removed(tmp_path):
    store = IndexStore(tmp_path / "idx")
    store.write(_data(["一"]))
    store.write(_data(["二", "三"]))
    versions = sorted(p.name for p in (tmp_path / "idx").iterdir() if p.name.startswith("v"))
    assert versions == ["v000002"]
    assert len(store.read().chunks) == 2


def test_a_crash_before_the_switch_leaves_the_previous_version_live(tmp_path, monkeypatch):
    store = IndexStore(tmp_path / "idx")
    store.write(_data(["一"]))
    real_replace = os.replace

    def crash_on_pointer(src, dst):
        if str(dst).endswith("CURRENT"):
            raise KeyboardInterrupt("simulated crash")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_pointer)
    with pytest.raises(KeyboardInterrupt):
        store.write(_data(["二", "三"]))
    monkeypatch.setattr(os, "replace", real_replace)
    assert [c.chunk.text for c in store.read().chunks] == ["一"]
    store.write(_data(["四"]))  # the next writer cleans up the orphan and goes on
    assert [c.chunk.text for c in store.read().chunks] == ["四"]


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexLoadError, match="kotae ingest"):
        IndexStore(tmp_path / "nope").read()


def test_other_format_version_is_refused_with_a_fix(tmp_path):
    store = IndexStore(tmp_path / "idx")
    version = store.write(_data(["一"]))
    manifest = json.loads((version / "manifest.json").read_text())
    manifest["format_version"] = FORMAT_VERSION + 1
    (version / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexLoadError, match="re-ingest"):
        store.read()


def test_corrupt_part_is_reported_as_a_corrupt_index(tmp_path):
    store = IndexStore(tmp_path / "idx")
    version = store.write(_data(["一"]))
    (version / "chunks.jsonl").write_text("{not json\n")
    with pytest.raises(IndexLoadError, match="corrupt"):
        store.read()


def test_second_writer_fails_clearly_while_the_lock_is_held(tmp_path):
    store = IndexStore(tmp_path / "idx")
    held = store.lock()
    try:
        with pytest.raises(IndexLoadError, match="another `kotae ingest`"):
            IndexStore(tmp_path / "idx").lock(timeout=0.1)
    finally:
        held.release()
    IndexStore(tmp_path / "idx").lock(timeout=0.1).release()
