"""DOCX loader: headings, paragraphs and tables in order, and one-line errors for broken files.

Documents are made in the test with python-docx (its default template's built-in heading styles).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fixtures_docs import docx_bytes, zip_bytes

from ingest.errors import IngestError
from ingest.word import load

BUDGET_TABLE = [
    ["事業名", "令和4年度予算額(案)", "前年度予算額"],
    ["戦略的国際共同研究プログラム（SICORP）", "1,160百万円", "1,078百万円"],
    ["世界トップレベル研究拠点プログラム（WPI）", "6,100百万円", "6,100百万円"],
]
BLOCKS = [
    ("h1", "科学技術イノベーションの戦略的国際展開"),
    ("p", "国際化・国際頭脳循環、国際共同研究、国際協力によるSTI for SDGsの推進等に取り組む。"),
    ("h2", "事業別の予算額"),
    ("table", BUDGET_TABLE),
    ("p", "※運営費交付金中の推計額含む"),
    ("h3", "海外特別研究員事業"),
    ("p", "博士の学位を有する優れた若手研究者に対し所定の資金を支給する。"),
]


@pytest.fixture(scope="module")
def report() -> bytes:
    return docx_bytes(BLOCKS, title="令和4年度予算（案）主要事項")


def test_document_reads_as_lines_in_document_order(report):
    assert load(Path("budget.docx"), report).pages[0].split("\n") == [
        "# 科学技術イノベーションの戦略的国際展開",
        "国際化・国際頭脳循環、国際共同研究、国際協力によるSTI for SDGsの推進等に取り組む。",
        "## 事業別の予算額",
        "事業名: 戦略的国際共同研究プログラム（SICORP） / 令和4年度予算額(案): 1,160百万円 / 前年度予算額: 1,078百万円",
        "事業名: 世界トップレベル研究拠点プログラム（WPI） / 令和4年度予算額(案): 6,100百万円 / 前年度予算額: 6,100百万円",
        "※運営費交付金中の推計額含む",
        "### 海外特別研究員事業",
        "博士の学位を有する優れた若手研究者に対し所定の資金を支給する。",
    ]


def test_metadata(report):
    doc = load(Path("in/budget.docx"), report)
    assert doc.title == "令和4年度予算（案）主要事項"
    assert doc.paged is False and len(doc.pages) == 1
    assert doc.source == str(Path("in/budget.docx"))
    assert doc.content_hash == hashlib.sha256(report).hexdigest()
    assert doc.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    "blocks, expected_title",
    [
        ([("p", "前文"), ("h2", "国際頭脳循環の推進"), ("p", "本文")], "国際頭脳循環の推進"),  # first heading
        ([("title", "令和4年度 概算要求"), ("p", "本文")], "令和4年度 概算要求"),  # the Title style is a heading
        ([("p", "見出しのない本文")], "memo"),  # neither: the file's stem
    ],
)
def test_title_falls_back_to_first_heading_then_stem(blocks, expected_title):
    assert load(Path("memo.docx"), docx_bytes(blocks)).title == expected_title


TABLES = [
    # (rows, header_row marked in Word, expected lines)
    (BUDGET_TABLE[:2], True, ["事業名: 戦略的国際共同研究プログラム（SICORP） / 令和4年度予算額(案): 1,160百万円 / 前年度予算額: 1,078百万円"]),
    (  # two columns without a marked header: label and value
        [["支援期間", "2年以内"], ["新規採用人数（見込み）", "491人"]],
        False,
        ["支援期間: 2年以内", "新規採用人数（見込み）: 491人"],
    ),
    (  # unmarked header recognised: it holds no figures, the rows below do
        [["タイプ", "支援規模", "期間"], ["国際協力加速タイプ", "5百万円～10百万円", "１～３年間"]],
        False,
        ["タイプ: 国際協力加速タイプ / 支援規模: 5百万円～10百万円 / 期間: １～３年間"],
    ),
    (  # no header and no figures: cells joined
        [["対象", "博士後期課程学生", "海外の研究者と共同研究"]],
        False,
        ["対象 / 博士後期課程学生 / 海外の研究者と共同研究"],
    ),
]


@pytest.mark.parametrize("rows, header_row, expected", TABLES)
def test_tables_become_one_line_per_row_of_column_value_pairs(rows, header_row, expected):
    data = docx_bytes([("table", rows)], header_row=header_row)
    assert load(Path("t.docx"), data).pages[0].split("\n") == expected


def test_merged_cells_are_read_once_across_and_repeated_down():
    import io

    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["機関", "事業", "予算額"], ["JST", "SICORP", "1,160百万円"], ["", "SATREPS", "1,826百万円"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(1, 0).merge(table.cell(2, 0))  # JST spans both body rows
    table.cell(0, 1).merge(table.cell(0, 2)).text = "事業と予算額"  # a header spanning two columns
    buffer = io.BytesIO()
    document.save(buffer)
    assert load(Path("t.docx"), buffer.getvalue()).pages[0].split("\n") == [
        "機関: JST / 事業と予算額: SICORP / 事業と予算額: 1,160百万円",
        "機関: JST / 事業と予算額: SATREPS / 事業と予算額: 1,826百万円",
    ]


def test_outline_level_marks_a_heading_without_a_heading_style():
    import io

    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    paragraph = document.add_paragraph("第2章 国際共同研究")
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "1")
    paragraph._p.get_or_add_pPr().append(level)
    document.add_paragraph("本文")
    buffer = io.BytesIO()
    document.save(buffer)
    assert load(Path("t.docx"), buffer.getvalue()).pages[0] == "## 第2章 国際共同研究\n本文"


def test_line_breaks_inside_a_paragraph_start_new_lines():
    assert load(Path("t.docx"), docx_bytes([("p", "支援額：5百万円～1億円\n支援期間：3～5年")])).pages[0] == (
        "支援額：5百万円～1億円\n支援期間：3～5年"
    )


@pytest.mark.parametrize(
    "name, make, reason",
    [
        ("empty.docx", lambda ok: b"", "empty"),
        ("half.docx", lambda ok: ok[: len(ok) // 2], "truncated or corrupt"),
        ("no-central-directory.docx", lambda ok: ok[:-22], "truncated or corrupt"),
        ("text.docx", lambda ok: "ワード文書ではありません".encode(), "truncated or corrupt"),
        ("bare.docx", lambda ok: zip_bytes({"readme.txt": b"hello"}), "no word/document.xml"),
        ("book.docx", lambda ok: zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}), "Excel"),
        ("old.docx", lambda ok: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "legacy Word 97-2003"),
        ("bad-xml.docx", lambda ok: _with_member(ok, "word/document.xml", b"<w:document><unclosed"), "corrupt"),
        ("blank.docx", lambda ok: docx_bytes([("p", "")]), "no text"),
    ],
)
def test_broken_docx_gets_one_line_error_naming_file_and_reason(report, name, make, reason):
    with pytest.raises(IngestError) as caught:
        load(Path("inbox") / name, make(report))
    message = str(caught.value)
    assert message.startswith(str(Path("inbox") / name) + ": ")
    assert reason in caught.value.reason
    assert "\n" not in message and caught.value.fix


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    """`data` (a zip) with one member's content replaced."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members[name] = content
    return zip_bytes(members)
