"""Loading text and Markdown files, sniffing types, walking folders, and every bad input.

All files are made in tmp_path by the tests.
"""

from __future__ import annotations

import builtins
import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from ingest import loaders
from ingest.errors import IngestError
from ingest.loaders import (
    DOCX,
    HTML,
    MARKDOWN,
    PDF,
    TEXT,
    decode_text,
    iter_supported_files,
    load_document,
    sniff_media_type,
)

JAPANESE = [
    "令和4年度予算額(案)：1,160百万円（前年度予算額：1,078百万円）",
    "海外特別研究員の新規採用人数（見込み）は178人です。",
    "ｶﾀｶﾅ半角と全角カタカナ、ひらがな。",
    "支援対象機関：大学、国公立研究機関等の公的研究機関、民間企業等\n事業期間：平成21年度～",
]


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp932", "shift_jis", "euc_jp", "iso2022_jp"])
@pytest.mark.parametrize("text", JAPANESE)
def test_japanese_text_files_decode_in_every_common_encoding(tmp_path, encoding, text):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip(f"{encoding} cannot encode this text")  # half-width katakana in ISO-2022-JP
    raw = load_document(_write(tmp_path / "文書.txt", data))
    assert raw.pages == (text,)
    assert raw.media_type == TEXT


def test_a_utf8_bom_is_not_part_of_the_text(tmp_path):
    raw = load_document(_write(tmp_path / "bom.txt", "\ufeff予算".encode("utf-8")))
    assert raw.pages == ("予算",)


def test_a_shift_jis_file_is_not_misread_as_euc_jp_or_the_reverse():
    text = "国際共同研究の強化を着実に図る。" * 3
    assert decode_text(text.encode("cp932")) == text
    assert decode_text(text.encode("euc_jp")) == text


# ---------------------------------------------------------------------------------------------
# Pages, titles, source, hash
# ---------------------------------------------------------------------------------------------


def test_form_feeds_split_pages_and_a_final_form_feed_adds_no_page(tmp_path):
    raw = load_document(_write(tmp_path / "paged.txt", "1頁目\n\f2頁目\f3頁目\n\f".encode()))
    assert raw.pages == ("1頁目\n", "2頁目", "3頁目\n")
    assert raw.paged is True


def test_a_text_without_form_feeds_is_one_unpaged_page(tmp_path):
    raw = load_document(_write(tmp_path / "plain.txt", "一行目\r\n二行目\r\n".encode()))
    assert raw.pages == ("一行目\n二行目\n",)
    assert raw.paged is False


def test_source_is_the_path_as_given_and_hash_is_sha256_of_the_bytes(tmp_path, monkeypatch):
    data = "本文です。".encode()
    _write(tmp_path / "docs" / "a.txt", data)
    monkeypatch.chdir(tmp_path)
    raw = load_document(Path("docs/a.txt"))
    assert raw.source == "docs/a.txt"
    assert raw.content_hash == hashlib.sha256(data).hexdigest()
    assert raw.title == "a"


@pytest.mark.parametrize(
    ("name", "text", "title"),
    [
        ("guide.md", "前書き\n\n# 事業の手引き\n\n## 支援内容\n本文", "事業の手引き"),
        ("guide.md", "## 支援内容\n本文", "guide"),
        ("notes.markdown", "#タグではない\n# 見出し #\n", "見出し"),
        ("予算.txt", "# 見出しに見えても本文", "予算"),
    ],
)
def test_title_is_the_stem_or_the_first_markdown_heading(tmp_path, name, text, title):
    raw = load_document(_write(tmp_path / name, text.encode()))
    assert raw.title == title
    assert raw.media_type == (MARKDOWN if name.endswith(("md", "markdown")) else TEXT)


def test_a_corpus_file_round_trips_with_its_six_pages():
    corpus = Path(__file__).resolve().parent.parent / "corpus" / "mext_r4_international_sti.txt"
    raw = load_document(corpus)
    assert len(raw.pages) == 6 and raw.paged
    assert "1,160百万円" in raw.pages[1]


def test_a_text_file_without_a_known_extension_is_read_as_text_when_named(tmp_path):
    raw = load_document(_write(tmp_path / "README", "メモ".encode("cp932")))
    assert (raw.pages, raw.media_type) == (("メモ",), TEXT)


# ---------------------------------------------------------------------------------------------
# Bad input: one clear error each
# ---------------------------------------------------------------------------------------------


def _error(path, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as info:
        load_document(path, **kwargs)
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    assert info.value.fix  # every error says what to do
    return info.value


def test_missing_file(tmp_path):
    assert "no such file" in _error(tmp_path / "nothing.txt").reason


def test_a_folder_is_not_a_file(tmp_path):
    assert "folder" in _error(tmp_path).reason


def test_a_symlink_loop(tmp_path):
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    assert "loop" in _error(tmp_path / "a.txt").reason


def test_a_broken_symlink(tmp_path):
    os.symlink(tmp_path / "gone.txt", tmp_path / "link.txt")
    assert "missing file" in _error(tmp_path / "link.txt").reason


def test_no_read_permission(tmp_path, monkeypatch):
    path = _write(tmp_path / "secret.txt", "秘密".encode())

    def refuse(file, mode="r", *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(loaders, "open", refuse, raising=False)
    error = _error(path)
    assert "no read permission" in error.reason and "chmod" in error.fix


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_no_read_permission_for_real(tmp_path):
    path = _write(tmp_path / "secret.txt", "秘密".encode())
    path.chmod(0)
    try:
        assert "no read permission" in _error(path).reason
    finally:
        path.chmod(0o600)


def test_an_empty_file(tmp_path):
    assert "empty" in _error(_write(tmp_path / "empty.txt", b"")).reason


def test_a_file_of_only_whitespace(tmp_path):
    assert "no text" in _error(_write(tmp_path / "blank.txt", b" \n\t\n")).reason


def test_a_file_with_nul_bytes_is_binary(tmp_path):
    assert "binary" in _error(_write(tmp_path / "data.txt", b"abc\x00\x01\x02def")).reason


def test_a_png_named_txt_is_refused_as_binary(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    reason = _error(_write(tmp_path / "picture.txt", png)).reason
    assert "binary" in reason and "PNG" in reason and "supported: .txt .md" in reason


def test_control_characters_make_a_file_binary(tmp_path):
    assert "binary" in _error(_write(tmp_path / "ctl.txt", bytes([1, 2, 3, 4, 5, 6, 65] * 50))).reason


def test_bytes_that_are_no_known_encoding(tmp_path):
    reason = _error(_write(tmp_path / "latin.txt", b"\x81\xff\xfe\x80\x81" * 20)).reason
    assert "cannot read the text" in reason or "binary" in reason


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = _write(tmp_path / "big.txt", "あ".encode() * 700_000)  # 2.0 MiB
    monkeypatch.setattr(loaders, "open", lambda *a, **k: pytest.fail("read a file over the limit"), raising=False)
    error = _error(path, max_bytes=1024 * 1024)
    assert "2.0 MB" in error.reason and "1 MB limit" in error.reason
    assert "KOTAE_MAX_FILE_MB" in error.fix


def test_a_file_at_the_size_limit_is_read(tmp_path):
    path = _write(tmp_path / "ok.txt", b"a" * 1000)
    assert load_document(path, max_bytes=1000).pages == ("a" * 1000,)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert "not a regular file" in _error(tmp_path / "pipe.txt").reason


def test_a_zip_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    assert "ZIP archive" in _error(path).reason


def test_a_format_whose_loader_module_is_missing(tmp_path, monkeypatch):
    monkeypatch.setitem(loaders.LOADERS, HTML, "ingest._no_such_loader")
    path = _write(tmp_path / "page.html", b"<html><body>x</body></html>")
    reason = _error(path).reason
    assert "unsupported file type" in reason and "supported:" in reason and ".html" not in reason.split("supported:")[1]


def test_a_loader_module_is_imported_lazily_by_name(tmp_path, monkeypatch):
    import sys
    import types

    module = types.ModuleType("ingest._fake_html")
    module.load = lambda path, data: loaders.load_text(path, b"from the fake loader")
    monkeypatch.setitem(sys.modules, "ingest._fake_html", module)
    monkeypatch.setitem(loaders.LOADERS, HTML, "ingest._fake_html")
    raw = load_document(_write(tmp_path / "page.htm", b"<!DOCTYPE html><title>t</title>"))
    assert raw.pages == ("from the fake loader",)
    assert raw.source == str(tmp_path / "page.htm")


# ---------------------------------------------------------------------------------------------
# Sniffing
# ---------------------------------------------------------------------------------------------

SNIFF_CASES = [
    ("report.txt", b"%PDF-1.7\n...", PDF),  # magic wins over the extension
    ("report.pdf", b"%PDF-1.4", PDF),
    ("page.txt", b"<!DOCTYPE html><html>", HTML),
    ("page.htm", b"\xef\xbb\xbf  <html lang='ja'>", HTML),
    ("page.html", "本文".encode(), HTML),
    ("notes.md", "# 見出し".encode(), MARKDOWN),
    ("notes.MARKDOWN", b"text", MARKDOWN),
    ("notes.txt", "本文".encode("euc_jp"), TEXT),
    ("noext", "本文です".encode(), TEXT),
    ("noext", "本文です".encode("utf-16"), TEXT),
    ("picture.txt", b"\x89PNG\r\n\x1a\n....", "image/png"),
    ("photo.jpg", b"\xff\xd8\xff\xe0", "image/jpeg"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    ("blob.bin", b"\x00\x01\x02\x03", "application/octet-stream"),
]


@pytest.mark.parametrize(("name", "head", "expected"), SNIFF_CASES)
def test_sniff_media_type(tmp_path, name, head, expected):
    assert sniff_media_type(tmp_path / name, head) == expected


def test_a_zip_named_docx_goes_to_the_word_loader_even_when_broken(tmp_path):
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    assert sniff_media_type(path, path.read_bytes()[:4096]) == DOCX


def test_a_zip_with_word_document_xml_is_docx_whatever_its_name(tmp_path):
    path = tmp_path / "letter.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert sniff_media_type(path, path.read_bytes()[:4096]) == DOCX


# ---------------------------------------------------------------------------------------------
# Walking folders
# ---------------------------------------------------------------------------------------------


def test_folders_are_walked_sorted_skipping_hidden_and_unsupported_files(tmp_path):
    for name in ["b.md", "a.txt", "c.PDF", "d.docx", "e.html", "f.htm", "g.markdown", "image.png", "data.csv",
                 ".hidden.txt", "sub/z.txt", "sub/a.txt", ".git/config.txt", "sub/.cache/x.txt"]:
        _write(tmp_path / name, b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_supported_files([tmp_path])]
    assert found == ["a.txt", "b.md", "c.PDF", "d.docx", "e.html", "f.htm", "g.markdown", "sub/a.txt", "sub/z.txt"]


def test_named_files_are_yielded_whatever_their_extension(tmp_path):
    csv = _write(tmp_path / "table.csv", b"a,b")
    missing = tmp_path / "missing.txt"
    assert list(iter_supported_files([csv, missing])) == [csv, missing]


def test_symlinked_folder_loops_are_walked_once(tmp_path):
    _write(tmp_path / "docs" / "a.txt", b"x")
    os.symlink(tmp_path / "docs", tmp_path / "docs" / "again")  # docs/again -> docs
    os.symlink(tmp_path / "loop1", tmp_path / "loop2")
    os.symlink(tmp_path / "loop2", tmp_path / "loop1")
    found = list(iter_supported_files([tmp_path]))
    assert found == [tmp_path / "docs" / "a.txt"]


def test_a_file_named_twice_or_also_inside_a_named_folder_is_yielded_once(tmp_path):
    file = _write(tmp_path / "a.txt", b"x")
    assert list(iter_supported_files([file, tmp_path, file])) == [file]
