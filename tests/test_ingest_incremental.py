"""Incremental indexing: new files are added, changed ones replaced (content hash), deleted ones
pruned, unchanged ones cost nothing; `kotae ls` / `kotae rm`.

In-process `Indexer` runs with the real default encoder (loaded once per test process); the
documents are a few short Japanese texts made in each test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.cli import main
import index.dense as dense_module
import ingest.loaders
from assistant.indexer import Indexer
from index.store import IndexStore

# (file name, text): one program and its figure each, so a search finds exactly one document.
DOCS = [
    ("sicorp.txt", "戦略的国際共同研究プログラム（SICORP）の令和4年度予算額は1,160百万円である。"),
    ("wpi.txt", "世界トップレベル研究拠点プログラム（WPI）は研究拠点の形成を支援する。"),
    ("fellows.md", "# 海外特別研究員\n海外特別研究員の採用人数は約百人である。"),
]
CHANGED_TEXT = "戦略的国際共同研究プログラム（SICORP）の令和5年度予算額は1,200百万円に増額された。"


def _write_docs(folder: Path, docs=DOCS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs:
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _current(index: Path) -> str:
    return (index / "CURRENT").read_text(encoding="utf-8")


def _assert_consistent(index: Path):
    """The live version's parts agree: manifest counts, chunk rows, FAISS rows, facts' documents."""
    data = IndexStore(index).read()
    assert data.manifest.documents == len(data.documents)
    assert data.manifest.chunks == len(data.chunks) == len(data.lexical)
    assert data.manifest.facts == len(data.facts)
    doc_ids = {r.document.doc_id for r in data.documents.values()}
    assert {sc.chunk.doc_id for sc in data.chunks} == doc_ids
    assert {f.doc_id for f in data.facts} <= doc_ids
    assert sorted(data.dense.rows.tolist()) == sorted(sc.row for sc in data.chunks)
    return data


@pytest.fixture
def folder(tmp_path):
    return _write_docs(tmp_path / "docs")


def test_new_files_are_added_with_chunks_facts_and_vectors(folder, tmp_path):
    index = tmp_path / "index"
    report = Indexer(index).add_paths([folder])
    assert sorted(Path(p).name for p in report.added) == ["fellows.md", "sicorp.txt", "wpi.txt"]
    assert not report.failed and report.chunks_added == 3
    data = _assert_consistent(index)
    assert any(f.value == "1,160百万円" for f in data.facts)


def test_unchanged_files_cost_nothing_no_loader_no_encoder_no_new_version(folder, tmp_path, monkeypatch):
    index = tmp_path / "index"
    Indexer(index).add_paths([folder])
    version = _current(index)


    def forbidden(*args, **kwargs):
        raise AssertionError("an unchanged file must not be parsed or embedded")

    monkeypatch.setattr(ingest.loaders, "load_document", forbidden)
    monkeypatch.setattr(dense_module, "load_encoder", forbidden)
    report = Indexer(index).add_paths([folder])
    assert len(report.unchanged) == 3 and not (report.added or report.replaced or report.failed)
    assert not report.changed
    assert _current(index) == version  # no new version written


def test_a_changed_file_replaces_its_chunks_and_only_it_is_embedded(folder, tmp_path, monkeypatch):
    index = tmp_path / "index"
    Indexer(index).add_paths([folder])
    before = IndexStore(index).read()
    others_rows = {sc.chunk.source: sc.row for sc in before.chunks if not sc.chunk.source.endswith("sicorp.txt")}

    embedded: list[str] = []
    real_encode = dense_module.encode_texts

    def spy(encoder, texts, **kwargs):
        embedded.extend(texts)
        return real_encode(encoder, texts, **kwargs)

    monkeypatch.setattr(dense_module, "encode_texts", spy)
    (folder / "sicorp.txt").write_text(CHANGED_TEXT, encoding="utf-8")
    report = Indexer(index).add_paths([folder])

    assert [Path(p).name for p in report.replaced] == ["sicorp.txt"]
    assert len(report.unchanged) == 2
    assert embedded and all("SICORP" in t or "1,200" in t or "増額" in t for t in embedded)  # only the new text
    data = _assert_consistent(index)
    texts = [sc.chunk.text for sc in data.chunks]
    assert any("令和5年度予算額は1,200百万円に増額" in t for t in texts)
    assert not any("1,160百万円" in t for t in texts)
    assert not any(f.value == "1,160百万円" for f in data.facts)
    # FAISS: the other documents keep their rows (added/removed by id, not rebuilt)
    assert {sc.chunk.source: sc.row for sc in data.chunks if sc.chunk.source in others_rows} == others_rows

    from assistant import Assistant

    best = Assistant.load(index).hits("SICORPの令和5年度予算額", k=1, ranker="dense")[0]
    assert "1,200百万円" in best.chunk.text


def test_prune_removes_deleted_files_only_under_the_given_folders(folder, tmp_path):
    other = _write_docs(tmp_path / "other", [("jsps.txt", "日本学術振興会の事業予算は30億円である。")])
    index = tmp_path / "index"
    Indexer(index).add_paths([folder, other])
    (folder / "wpi.txt").unlink()

    kept = Indexer(index).add_paths([folder])  # without --prune a deleted file stays
    assert not kept.removed and str(folder / "wpi.txt") in IndexStore(index).read().documents

    report = Indexer(index).add_paths([folder], prune=True)
    assert report.removed == [str(folder / "wpi.txt")]
    data = _assert_consistent(index)
    assert sorted(Path(s).name for s in data.documents) == ["fellows.md", "jsps.txt", "sicorp.txt"]


def test_a_renamed_file_with_prune_keeps_its_content_under_the_new_name(folder, tmp_path):
    index = tmp_path / "index"
    Indexer(index).add_paths([folder])
    (folder / "wpi.txt").rename(folder / "wpi_r4.txt")
    report = Indexer(index).add_paths([folder], prune=True)
    assert report.removed == [str(folder / "wpi.txt")] and report.added == [str(folder / "wpi_r4.txt")]
    assert not report.failed
    data = _assert_consistent(index)
    assert str(folder / "wpi_r4.txt") in data.documents
    assert any("WPI" in sc.chunk.text for sc in data.chunks)


def test_another_spelling_of_the_same_path_is_the_same_document(folder, tmp_path, monkeypatch):
    index = tmp_path / "index"
    Indexer(index).add_paths([folder])  # absolute paths
    monkeypatch.chdir(tmp_path)
    report = Indexer(index).add_paths([Path("docs")], prune=True)  # relative: nothing new, nothing pruned
    assert len(report.unchanged) == 3 and not (report.added or report.removed or report.failed)
    assert len(IndexStore(index).read().documents) == 3


def test_a_folder_that_does_not_exist_prunes_only_its_own_documents(folder, tmp_path):
    other = _write_docs(tmp_path / "other", [("jsps.txt", "日本学術振興会の事業予算は30億円である。")])
    index = tmp_path / "index"
    Indexer(index).add_paths([folder, other])
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    report = Indexer(index).add_paths([folder, tmp_path / "typo"], prune=True)
    assert sorted(Path(s).name for s in report.removed) == ["fellows.md", "sicorp.txt", "wpi.txt"]
    assert [f.reason for f in report.failed] == ["no such file or folder", "no such file or folder"]
    assert [Path(s).name for s in _assert_consistent(index).documents] == ["jsps.txt"]


def test_ls_lists_each_document_and_rm_removes_one(folder, tmp_path, capsys):
    index = tmp_path / "index"
    assert main(["ingest", str(folder), "--index", str(index), "-q"]) == 0
    capsys.readouterr()

    assert main(["ls", "--index", str(index), "--json"]) == 0
    rows = {Path(r["path"]).name: r for r in json.loads(capsys.readouterr().out)}
    assert sorted(rows) == ["fellows.md", "sicorp.txt", "wpi.txt"]
    sicorp = rows["sicorp.txt"]
    assert sicorp["chunks"] == 1 and sicorp["facts"] >= 1 and len(sicorp["hash"]) == 12 and sicorp["ingested_at"]

    assert main(["ls", "--index", str(index)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all("chunks=" in line and "facts=" in line and "pages=" in line for line in lines)

    assert main(["rm", str(folder / "wpi.txt"), "--index", str(index)]) == 0
    assert "removed 1" in capsys.readouterr().out
    data = _assert_consistent(index)
    assert sorted(Path(s).name for s in data.documents) == ["fellows.md", "sicorp.txt"]
    assert not any("WPI" in sc.chunk.text for sc in data.chunks)

    assert main(["rm", str(folder / "wpi.txt"), "--index", str(index)]) == 2  # already gone
    assert "not in the index" in capsys.readouterr().err


def test_rm_accepts_a_relative_spelling_of_an_absolute_source(folder, tmp_path, monkeypatch):
    index = tmp_path / "index"
    Indexer(index).add_paths([folder])
    monkeypatch.chdir(folder)
    report = Indexer(index).remove(["wpi.txt"])
    assert report.removed == [str(folder / "wpi.txt")] and not report.failed


def test_adding_to_an_index_does_not_re_embed_what_is_there(folder, tmp_path, monkeypatch):
    index = tmp_path / "index"
    Indexer(index).add_paths([folder])
    rows_before = {sc.chunk.chunk_id: sc.row for sc in IndexStore(index).read().chunks}

    calls: list[int] = []
    real_encode = dense_module.encode_texts
    monkeypatch.setattr(dense_module, "encode_texts", lambda enc, texts, **kw: calls.append(len(texts)) or real_encode(enc, texts, **kw))
    new = tmp_path / "new.txt"
    new.write_text("科学技術国際協力の新規事業である。予算は5億円。", encoding="utf-8")
    report = Indexer(index).add_paths([new])
    assert report.added == [str(new)]
    assert sum(calls) == 2  # the new document's two sentences, nothing else
    data = _assert_consistent(index)
    assert {sc.chunk.chunk_id: sc.row for sc in data.chunks if sc.chunk.chunk_id in rows_before} == rows_before


def test_the_same_content_under_a_second_name_is_skipped_with_a_reason(folder, tmp_path):
    index = tmp_path / "index"
    Indexer(index).add_paths([folder])
    copy = tmp_path / "copy_of_wpi.txt"
    copy.write_bytes((folder / "wpi.txt").read_bytes())
    report = Indexer(index).add_paths([copy])
    assert [f.path for f in report.failed] == [str(copy)]
    assert "same content as" in report.failed[0].reason and "wpi.txt" in report.failed[0].reason
    assert len(IndexStore(index).read().documents) == 3


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_file_reached_through_a_link_is_matched_to_its_stored_document(folder, tmp_path):
    index = tmp_path / "index"
    Indexer(index).add_paths([folder])
    link = tmp_path / "link_to_docs"
    link.symlink_to(folder, target_is_directory=True)
    report = Indexer(index).add_paths([link])
    assert len(report.unchanged) == 3 and not (report.added or report.failed)
