"""Bad input, nothing lost: each bad file gets one line naming it and the reason, the good files
are ingested anyway, exit status 2 only when nothing could be ingested, and the index on disk
stays loadable and unchanged for the bad file (an earlier good version of it stays indexed).

One in-process `kotae ingest` (`assistant.cli.main`) of a folder of 9 good Japanese files and
every kind of bad file serves the table tests; one subprocess run checks the real exit status.
"""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

import ingest.loaders
from assistant.cli import main
from assistant.indexer import Indexer
from assistant.settings import KotaeSettings
from index.store import IndexStore
from fixtures_docs import encrypted_pdf_bytes, image_only_pdf_bytes, pdf_bytes

# Good files: (name, encoding, text). Shift_JIS (as Windows writes it, CP932) and EUC-JP must be
# detected and read as the same Japanese text.
GOOD = [
    ("sicorp.txt", "utf-8", "戦略的国際共同研究プログラムの令和4年度予算額は1,160百万円である。"),
    ("wpi.txt", "utf-8", "世界トップレベル研究拠点プログラムは研究拠点の形成を支援する。"),
    ("fellows.md", "utf-8", "# 海外特別研究員\n海外特別研究員の採用人数は約百人である。"),
    ("jsps.txt", "utf-8", "日本学術振興会の国際交流事業の予算は30億円である。"),
    ("sakura.txt", "utf-8", "さくらサイエンスプログラムはアジアの青少年を日本に招へいする。"),
    ("belmont.txt", "utf-8", "ベルモント・フォーラムは地球環境研究の国際的な枠組みである。"),
    ("bom.txt", "utf-8-sig", "国際共同研究加速基金の事業規模は十億円程度である。"),
    ("sjis.txt", "cp932", "科学技術振興機構の留学生支援事業は令和4年度も継続される。"),
    ("eucjp.txt", "euc_jp", "海外の研究機関との共同研究を推進するため、研究者の派遣を支援する。"),
]

_GOOD_PDF = None


def _good_pdf() -> bytes:
    global _GOOD_PDF
    if _GOOD_PDF is None:
        _GOOD_PDF = pdf_bytes([["■国際共同研究", "国際共同研究の予算額は100百万円である。"]])
    return _GOOD_PDF


def _sparse_200mb(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write("大きな文書です。\n".encode())
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk


def _binary_with_nuls(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 16)


def _png_named_txt(path: Path) -> None:
    from fixtures_docs import _gray_png

    path.write_bytes(_gray_png().getvalue())


def _symlink_loop(path: Path) -> None:
    path.symlink_to(path)


# Bad inputs: (id, file name, how to make it (None: leave it missing), named explicitly rather
# than found in the folder, fragments the reason must contain).
BAD = [
    ("empty", "empty.txt", lambda p: p.write_bytes(b""), False, ["empty", "0 bytes"]),
    ("binary_named_txt", "binary.txt", _binary_with_nuls, False, ["binary", "NUL"]),
    ("image_named_txt", "photo.txt", _png_named_txt, False, ["PNG", "supported:"]),
    ("truncated_pdf", "truncated.pdf", lambda p: p.write_bytes(_good_pdf()[: len(_good_pdf()) // 2]), False, ["truncated"]),
    ("corrupt_pdf", "corrupt.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"), False, ["corrupt"]),
    ("encrypted_pdf", "encrypted.pdf", lambda p: p.write_bytes(encrypted_pdf_bytes(_good_pdf(), "secret")), False, ["encrypted", "password"]),
    ("pdf_without_text", "scan.pdf", lambda p: p.write_bytes(image_only_pdf_bytes()), False, ["no text layer", "OCR"]),
    ("200mb", "huge.txt", _sparse_200mb, False, ["200.0 MB", "50 MB limit", "KOTAE_MAX_FILE_MB"]),
    ("no_read_permission", "secret.txt", lambda p: p.write_text("秘密の文書。", encoding="utf-8"), False, ["no read permission", "chmod"]),
    ("missing_path", "missing.txt", None, True, ["no such file"]),
    ("symlink_loop", "loop.txt", _symlink_loop, True, ["symbolic link loop"]),
]
BAD_IDS = [b[0] for b in BAD]


def _make_good(folder: Path) -> list[Path]:
    paths = []
    for name, encoding, text in GOOD:
        (folder / name).write_bytes(text.encode(encoding))
        paths.append(folder / name)
    return paths


def _make_bad(folder: Path, outside: Path) -> dict[str, Path]:
    paths = {}
    for case_id, name, make, explicit, _ in BAD:
        path = (outside if explicit else folder) / name
        if make is not None:
            make(path)
        paths[case_id] = path
    return paths


def _unreadable(monkeypatch, path: Path) -> None:
    """`path` cannot be read: chmod 000, and for root (who reads anyway) a refusing open()."""
    path.chmod(0)
    if os.geteuid() == 0:
        real_open = builtins.open

        def refusing_open(file, *args, **kwargs):
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(ingest.loaders, "open", refusing_open, raising=False)
        monkeypatch.setattr("assistant.indexer.open", refusing_open, raising=False)


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    """`kotae ingest FOLDER MISSING LOOP --json`: 9 good files and every bad kind."""
    root = tmp_path_factory.mktemp("bad_input")
    folder = root / "docs"
    outside = root / "named"
    folder.mkdir()
    outside.mkdir()
    good = _make_good(folder)
    bad = _make_bad(folder, outside)
    index = root / "index"
    explicit = [str(bad[case_id]) for case_id, _, _, named, _ in BAD if named]
    with pytest.MonkeyPatch.context() as mp:
        _unreadable(mp, bad["no_read_permission"])
        out_path, err_path = root / "stdout", root / "stderr"
        with out_path.open("w") as out, err_path.open("w") as err:
            mp.setattr(sys, "stdout", out)
            mp.setattr(sys, "stderr", err)
            code = main(["ingest", str(folder), *explicit, "--index", str(index), "--json", "-q"])
    return {
        "code": code,
        "report": json.loads(out_path.read_text()),
        "stderr": err_path.read_text().splitlines(),
        "good": good,
        "bad": bad,
        "index": index,
    }


def test_the_good_files_are_ingested_and_the_run_succeeds(mixed_run):
    assert mixed_run["code"] == 0
    assert sorted(mixed_run["report"]["added"]) == sorted(str(p) for p in mixed_run["good"])
    data = IndexStore(mixed_run["index"]).read()
    assert sorted(data.documents) == sorted(str(p) for p in mixed_run["good"])
    assert data.manifest.chunks == len(data.chunks) == len(data.lexical)


@pytest.mark.parametrize("case_id,name,make,explicit,fragments", BAD, ids=BAD_IDS)
def test_each_bad_file_gets_one_line_naming_it_and_the_reason(mixed_run, case_id, name, make, explicit, fragments):
    path = str(mixed_run["bad"][case_id])
    lines = [line for line in mixed_run["stderr"] if line.startswith(f"kotae: {path}: ")]
    assert len(lines) == 1, mixed_run["stderr"]
    for fragment in fragments:
        assert fragment in lines[0]
    failures = [f for f in mixed_run["report"]["failed"] if f["path"] == path]
    assert len(failures) == 1 and "\n" not in failures[0]["reason"]
    assert path not in IndexStore(mixed_run["index"]).read().documents


def test_every_failure_is_reported_and_nothing_else(mixed_run):
    assert len(mixed_run["report"]["failed"]) == len(BAD)
    assert len([line for line in mixed_run["stderr"] if line.strip()]) == len(BAD)
    assert not any("Traceback" in line for line in mixed_run["stderr"])


@pytest.mark.parametrize("name,encoding,text", [g for g in GOOD if g[1] != "utf-8"], ids=["bom", "shift_jis", "euc_jp"])
def test_legacy_japanese_encodings_are_detected_and_read_correctly(mixed_run, name, encoding, text):
    data = IndexStore(mixed_run["index"]).read()
    record = next(r for s, r in data.documents.items() if Path(s).name == name)
    assert record.document.text == text
    row, _ = data.lexical.search(text[4:12], k=1)[0]
    assert data.chunks[row].chunk.source.endswith(name)


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.txt"
    _sparse_200mb(big)
    tracemalloc.start()
    try:
        report = Indexer(tmp_path / "index").add_paths([big])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [f.path for f in report.failed] == [str(big)]
    assert "larger than the 50 MB limit" in report.failed[0].reason
    assert peak < 5 * 1024 * 1024  # the 200 MB were never read into memory
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_the_size_limit_is_the_setting_kotae_max_file_mb(tmp_path, monkeypatch):
    monkeypatch.setenv("KOTAE_MAX_FILE_MB", "1")
    doc = tmp_path / "report.txt"
    doc.write_text("国際共同研究の予算は百万円である。\n" * 25_000, encoding="utf-8")  # 1.2 MiB
    report = Indexer(tmp_path / "index", KotaeSettings()).add_paths([doc])
    assert len(report.failed) == 1
    assert "1.2 MB, larger than the 1 MB limit" in report.failed[0].reason
    assert "KOTAE_MAX_FILE_MB=2" in report.failed[0].reason


def test_one_bad_file_of_ten_the_other_nine_are_ingested(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    good = _make_good(folder)
    (folder / "empty.txt").write_bytes(b"")
    report = Indexer(tmp_path / "index").add_paths([folder])
    assert sorted(report.added) == sorted(str(p) for p in good)
    assert [(Path(f.path).name, "empty" in f.reason) for f in report.failed] == [("empty.txt", True)]


# A file already indexed, then broken: (name, good bytes, how it breaks, reason fragment).
BROKEN_LATER = [
    ("budget.pdf", _good_pdf, lambda p: p.write_bytes(p.read_bytes()[:700]), "truncated"),
    ("notes.txt", lambda: "海外特別研究員の採用人数は約百人である。".encode(), _binary_with_nuls, "binary"),
    ("memo.md", lambda: "# 事業\n国際共同研究を推進する。".encode(), lambda p: p.write_bytes(b""), "empty"),
    ("plan.txt", lambda: "令和4年度の計画である。".encode(), None, "no read permission"),
]


def test_a_file_that_breaks_after_it_was_indexed_keeps_its_previous_version(tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, good, _, _ in BROKEN_LATER:
        (folder / name).write_bytes(good())
    index = tmp_path / "index"
    first = Indexer(index).add_paths([folder])
    assert len(first.added) == len(BROKEN_LATER) and not first.failed
    before = IndexStore(index).read()
    version = (index / "CURRENT").read_text()

    for name, _, brk, _ in BROKEN_LATER:
        if brk is not None:
            brk(folder / name)
    _unreadable(monkeypatch, folder / "plan.txt")
    report = Indexer(index).add_paths([folder], prune=True)

    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert sorted(reasons) == sorted(name for name, *_ in BROKEN_LATER)
    for name, _, _, fragment in BROKEN_LATER:
        assert fragment in reasons[name]
    assert not (report.added or report.replaced or report.removed)
    assert (index / "CURRENT").read_text() == version  # nothing was written
    after = IndexStore(index).read()
    assert {s: r.document.content_hash for s, r in after.documents.items()} == {
        s: r.document.content_hash for s, r in before.documents.items()
    }
    assert [sc.chunk.text for sc in after.chunks] == [sc.chunk.text for sc in before.chunks]


def test_cli_exits_2_when_nothing_could_be_ingested_and_leaves_the_index_as_it_was(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "sicorp.txt").write_text(GOOD[0][2], encoding="utf-8")
    index = tmp_path / "index"
    Indexer(index).add_paths([folder])
    version = (index / "CURRENT").read_text()

    bad = tmp_path / "bad"
    bad.mkdir()
    names = ["empty", "binary_named_txt", "truncated_pdf", "encrypted_pdf", "pdf_without_text", "200mb", "missing_path", "symlink_loop"]
    paths = []
    for case_id, name, make, _, _ in BAD:
        if case_id in names:
            if make is not None:
                make(bad / name)
            paths.append(str(bad / name))
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", *paths, "--index", str(index), "-q"],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert sorted(line.split(": ")[1] for line in lines) == sorted(paths)  # one line per file, naming it
    assert "Traceback" not in result.stderr
    assert (index / "CURRENT").read_text() == version
    assert list(IndexStore(index).read().documents) == [str(folder / "sicorp.txt")]
