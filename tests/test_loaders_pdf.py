"""PDF loader: Japanese text per page with the right page numbers, and one-line errors for bad files.

Test PDFs are drawn with reportlab's built-in CID fonts (HeiseiMin-W3, HeiseiKakuGo-W5; no font
file needed) and read back with pypdfium2 (PDFium) as ingest/pdf.py does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fixtures_docs import encrypted_pdf_bytes, image_only_pdf_bytes, pdf_bytes

from ingest.errors import IngestError
from ingest.pdf import clean_page_text, load

PAGES = [
    ["■ 科学技術イノベーションの戦略的国際展開", "令和4年度予算額(案) 138億円", "(前年度予算額 137億円)"],
    ["◇戦略的国際共同研究プログラム（SICORP）", "令和4年度予算額(案) 1,160百万円", "(前年度予算額 1,078百万円)"],
    ["世界トップレベル研究拠点プログラム（WPI）", "令和4年度予算額(案) 6,100百万円"],
]


@pytest.fixture(scope="module")
def three_pages() -> bytes:
    return pdf_bytes(PAGES, title="令和4年度 予算（案）の概要")


def test_each_page_comes_back_as_its_own_string_in_order(three_pages):
    doc = load(Path("budget.pdf"), three_pages)
    assert doc.paged is True
    assert len(doc.pages) == 3
    assert doc.pages == tuple("\n".join(lines) for lines in PAGES)


@pytest.mark.parametrize(
    "needle, page_number",
    [("138億円", 1), ("SICORP", 2), ("1,160百万円", 2), ("1,078百万円", 2), ("6,100百万円", 3), ("拠点", 3)],
)
def test_text_is_found_on_the_page_it_was_drawn_on(three_pages, needle, page_number):
    doc = load(Path("budget.pdf"), three_pages)
    assert [n for n, page in enumerate(doc.pages, start=1) if needle in page] == [page_number]


def test_headings_and_lines_stay_on_lines_of_their_own(three_pages):
    page2 = load(Path("budget.pdf"), three_pages).pages[1].split("\n")
    assert page2[0] == "◇戦略的国際共同研究プログラム（SICORP）"
    assert "\r" not in "".join(page2)


def test_a_blank_page_keeps_the_following_pages_numbered(tmp_path):
    doc = load(Path("gap.pdf"), pdf_bytes([["一ページ目"], [], ["三ページ目の本文"]]))
    assert doc.pages == ("一ページ目", "", "三ページ目の本文")


def test_source_hash_and_media_type(three_pages):
    doc = load(Path("docs/budget.pdf"), three_pages)
    assert doc.source == str(Path("docs/budget.pdf"))
    assert doc.content_hash == hashlib.sha256(three_pages).hexdigest()
    assert doc.media_type == "application/pdf"


@pytest.mark.parametrize(
    "metadata_title, expected",
    [
        ("令和4年度 予算（案）の概要", "令和4年度 予算（案）の概要"),
        ("Microsoft Word - 国際展開資料.docx", "国際展開資料"),  # the producer's prefix and suffix go
        ("untitled", "budget"),  # reportlab's placeholder: the file's stem is better
        ("PowerPoint プレゼンテーション", "budget"),  # Japanese PowerPoint's default title
        ("資料１.pdf", "資料１"),
        (None, "budget"),
    ],
)
def test_title_is_the_metadata_title_else_the_file_stem(metadata_title, expected):
    assert load(Path("budget.pdf"), pdf_bytes([["本文"]], title=metadata_title)).title == expected


LOOKALIKES = [
    # (drawn, what the text layer must give back before normalization)
    ("⽇本䛾研究者", "⽇本䛾研究者"),  # Kangxi radical ⽇ U+2F47 and 䛾 U+46FE, as in ministry PDFs
    ("ｶﾀｶﾅ ＳＩＣＯＲＰ", "ｶﾀｶﾅ ＳＩＣＯＲＰ"),  # half-width katakana, full-width Latin
    ("3か月～1年程度", "3か月～1年程度"),  # full-width tilde U+FF5E
]


@pytest.mark.parametrize("drawn, expected", LOOKALIKES)
def test_lookalike_code_points_reach_normalization_unchanged(drawn, expected):
    # The loader must not silently drop or guess: 䛾 kept means normalize can fold it to の.
    assert load(Path("a.pdf"), pdf_bytes([[drawn]])).pages == (expected,)


def test_lookalikes_end_to_end_through_normalize():
    normalize_document = pytest.importorskip("ingest.normalize").normalize_document

    raw = load(Path("a.pdf"), pdf_bytes([["⽇本䛾研究者䛸⽂部科学省"], ["ｶﾀｶﾅ ＳＩＣＯＲＰ １，１６０百万円"]]))
    doc = normalize_document(raw)
    assert doc.text == "日本の研究者と文部科学省\fカタカナ SICORP 1,160百万円"
    assert doc.page_at(doc.text.index("日本の研究者")) == 1
    assert doc.page_at(doc.text.index("1,160百万円")) == 2


def test_pdf_with_only_an_owner_password_is_read(three_pages):
    # An empty user password opens the file for every reader; the owner password only guards editing.
    doc = load(Path("owner.pdf"), encrypted_pdf_bytes(three_pages, user_password=""))
    assert "1,160百万円" in doc.pages[1]


@pytest.mark.parametrize(
    "name, make, reason",
    [
        ("empty.pdf", lambda ok: b"", "empty"),
        ("half.pdf", lambda ok: ok[: len(ok) // 2], "truncated"),
        ("header-only.pdf", lambda ok: ok[:200], "truncated"),
        ("garbled.pdf", lambda ok: ok[:9] + bytes(range(256)) * 8 + b"\n%%EOF\n", "corrupt"),
        ("not-a.pdf", lambda ok: "これはPDFではありません".encode(), "not a PDF"),
        ("locked.pdf", lambda ok: encrypted_pdf_bytes(ok, user_password="himitsu"), "encrypted"),
        ("scan.pdf", lambda ok: image_only_pdf_bytes(), "no text layer"),
    ],
)
def test_bad_pdf_gets_one_line_error_naming_file_and_reason(three_pages, name, make, reason):
    with pytest.raises(IngestError) as caught:
        load(Path("inbox") / name, make(three_pages))
    message = str(caught.value)
    assert message.startswith(str(Path("inbox") / name) + ": ")
    assert reason in caught.value.reason
    assert "\n" not in message
    assert caught.value.fix  # every error says what to do


def test_scanned_pdf_error_says_ocr_is_not_supported():
    with pytest.raises(IngestError, match=r"no text layer \(scanned\?\).*2 page.*OCR is not supported"):
        load(Path("scan.pdf"), image_only_pdf_bytes(pages=2))


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("令和4年度 \r\n予算額\r\n", "令和4年度\n予算額"),  # CRLF and trailing blanks
        ("行1\r\n\r\n\r\n\r\n行2", "行1\n\n行2"),  # at most one blank line in a row
        ("予\x02算\ufffe額\x0c", "予算額"),  # PDFium markers and form feeds are not text
        ("\u3000全角空白で始まる行", "\u3000全角空白で始まる行"),  # leading ideographic space is text
    ],
)
def test_clean_page_text(raw, expected):
    assert clean_page_text(raw) == expected
