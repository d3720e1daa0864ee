"""HTML loader: headings and tables kept as line-oriented structure, scripts/styles/navigation dropped."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.html import decode, guess_header_rows, load, table_lines

PAGE = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>令和4年度 科学技術イノベーションの戦略的国際展開：文部科学省</title>
<style>.amount { color: red } /* 予算額 999百万円 */</style>
<script>var budget = "予算額 888百万円"; document.write("動的");</script>
</head>
<body>
<header><a href="/">文部科学省</a><nav><ul><li>ホーム</li><li>政策・審議会</li></ul></nav></header>
<main>
<h1>科学技術イノベーションの戦略的国際展開</h1>
<p>国際化・国際頭脳循環、国際共同研究、
国際協力によるSTI for SDGsの推進等に取り組む。</p>
<h2>事業別の予算額</h2>
<table>
  <caption>表1 主な事業</caption>
  <thead><tr><th>事業名</th><th>令和4年度予算額(案)</th><th>前年度予算額</th></tr></thead>
  <tbody>
    <tr><td>戦略的国際共同研究プログラム（SICORP）</td><td>1,160百万円</td><td>1,078百万円</td></tr>
    <tr><td>地球規模課題対応国際科学技術協力プログラム（SATREPS）</td><td>1,826百万円</td><td>1,876百万円</td></tr>
  </tbody>
</table>
<h3>海外特別研究員事業</h3>
<p>支援期間は<ruby>原則<rt>げんそく</rt></ruby>２年間。<br>新規採用人数（見込み）：178人</p>
<noscript>JavaScriptを有効にしてください</noscript>
<div hidden>非表示の文</div>
</main>
<footer><p>Copyright 文部科学省</p></footer>
</body>
</html>
"""


@pytest.fixture(scope="module")
def page_lines() -> list[str]:
    return load(Path("mext.html"), PAGE.encode("utf-8")).pages[0].split("\n")


def test_page_reads_as_expected_lines(page_lines):
    assert page_lines == [
        "# 科学技術イノベーションの戦略的国際展開",
        "国際化・国際頭脳循環、国際共同研究、国際協力によるSTI for SDGsの推進等に取り組む。",
        "## 事業別の予算額",
        "表1 主な事業",
        "事業名: 戦略的国際共同研究プログラム（SICORP） / 令和4年度予算額(案): 1,160百万円 / 前年度予算額: 1,078百万円",
        "事業名: 地球規模課題対応国際科学技術協力プログラム（SATREPS） / 令和4年度予算額(案): 1,826百万円 / 前年度予算額: 1,876百万円",
        "### 海外特別研究員事業",
        "支援期間は原則２年間。",
        "新規採用人数（見込み）：178人",
    ]


@pytest.mark.parametrize(
    "dropped",
    ["999百万円", "888百万円", "document.write", "動的", "ホーム", "政策・審議会", "Copyright", "JavaScript", "非表示", "げんそく"],
)
def test_scripts_styles_navigation_hidden_text_and_furigana_are_dropped(page_lines, dropped):
    assert dropped not in "\n".join(page_lines)


def test_title_and_metadata():
    doc = load(Path("site/mext.html"), PAGE.encode("utf-8"))
    assert doc.title == "令和4年度 科学技術イノベーションの戦略的国際展開：文部科学省"
    assert doc.paged is False and len(doc.pages) == 1
    assert doc.content_hash == hashlib.sha256(PAGE.encode("utf-8")).hexdigest()
    assert doc.media_type == "text/html"
    assert doc.source == str(Path("site/mext.html"))


@pytest.mark.parametrize(
    "markup, expected_title",
    [
        ("<html><body><h1>国際頭脳循環</h1><p>本文</p></body></html>", "国際頭脳循環"),  # no <title>: first h1
        ("<p>見出しのない本文</p>", "notes"),  # neither: the file's stem
    ],
)
def test_title_falls_back_to_first_h1_then_stem(markup, expected_title):
    assert load(Path("notes.html"), markup.encode()).title == expected_title


TABLES = [
    # (markup, expected lines)
    (  # header of <th> without <thead>
        "<table><tr><th>タイプ</th><th>支援規模</th></tr><tr><td>国際協力加速タイプ</td><td>5百万円～10百万円</td></tr></table>",
        ["タイプ: 国際協力加速タイプ / 支援規模: 5百万円～10百万円"],
    ),
    (  # key-value table: a <th> opens each row
        "<table><tr><th>支援期間</th><td>2年以内</td></tr><tr><th>新規採用人数（見込み）</th><td>491人</td></tr></table>",
        ["支援期間: 2年以内", "新規採用人数（見込み）: 491人"],
    ),
    (  # two header rows with colspan/rowspan: column names joined
        "<table><thead><tr><th rowspan=2>事業名</th><th colspan=2>予算額</th></tr>"
        "<tr><th>令和4年度</th><th>令和3年度</th></tr></thead>"
        "<tr><td>WPI</td><td>6,100百万円</td><td>6,100百万円</td></tr></table>",
        ["事業名: WPI / 予算額 令和4年度: 6,100百万円 / 予算額 令和3年度: 6,100百万円"],
    ),
    (  # rowspan in the body: the value holds for every row it spans
        "<table><tr><th>機関</th><th>事業</th><th>予算額</th></tr>"
        "<tr><td rowspan=2>JST</td><td>SICORP</td><td>1,160百万円</td></tr>"
        "<tr><td>SATREPS</td><td>1,826百万円</td></tr></table>",
        ["機関: JST / 事業: SICORP / 予算額: 1,160百万円", "機関: JST / 事業: SATREPS / 予算額: 1,826百万円"],
    ),
    (  # header row of <td> only: recognised because the rows below hold figures and it does not
        "<table><tr><td>事業名</td><td>令和4年度予算額(案)</td><td>前年度</td></tr>"
        "<tr><td>SICORP</td><td>1,160百万円</td><td>1,078百万円</td></tr></table>",
        ["事業名: SICORP / 令和4年度予算額(案): 1,160百万円 / 前年度: 1,078百万円"],
    ),
    (  # a content system's <p> inside each cell: still a data table
        "<table><tr><th>事業名</th><th>予算額</th></tr><tr><td><p>SICORP</p></td><td><p>1,160百万円</p></td></tr></table>",
        ["事業名: SICORP / 予算額: 1,160百万円"],
    ),
    (  # no header at all: cells joined
        "<table><tr><td>SICORP</td><td>JST</td><td>1,160百万円</td></tr></table>",
        ["SICORP / JST / 1,160百万円"],
    ),
    (  # empty cells are left out, <br> inside a cell is a space
        "<table><tr><th>事業名</th><th>備考</th><th>予算額</th></tr><tr><td>国際青少年<br>サイエンス交流事業</td><td></td><td>1,371百万円</td></tr></table>",
        ["事業名: 国際青少年 サイエンス交流事業 / 予算額: 1,371百万円"],
    ),
]


@pytest.mark.parametrize("markup, expected", TABLES)
def test_tables_become_one_line_per_row_of_column_value_pairs(markup, expected):
    assert load(Path("t.html"), f"<body>{markup}</body>".encode()).pages[0].split("\n") == expected


def test_layout_table_is_read_as_blocks_not_as_a_data_table():
    markup = "<table><tr><td><h2>お知らせ</h2><p>令和4年度予算案を公表しました。</p></td><td><p>関連リンク</p></td></tr></table>"
    assert load(Path("t.html"), markup.encode()).pages[0].split("\n") == ["## お知らせ", "令和4年度予算案を公表しました。", "関連リンク"]


def test_deeply_nested_markup_is_read_without_recursion_errors():
    markup = "<h2>" + "<span>" * 1500 + "深い見出し" + "</span>" * 1500 + "</h2>" + "<div>" * 1500 + "本文" + "</div>" * 1500
    assert load(Path("deep.html"), markup.encode()).pages == ("## 深い見出し\n本文",)


@pytest.mark.parametrize(
    "markup, expected",
    [
        ("<p>国際\n共同研究</p>", "国際共同研究"),  # a source line break between CJK characters is no space
        ("<p>STI for\nSDGs</p>", "STI for SDGs"),  # between Latin words it is one
        ("<p>予算額　1,160百万円</p>", "予算額　1,160百万円"),  # U+3000 is text, not HTML whitespace
        ("<ul><li>海外特別研究員事業</li><li>外国人研究者招へい事業</li></ul>", "- 海外特別研究員事業\n- 外国人研究者招へい事業"),
        ("<dl><dt>事業開始時期</dt><dd>平成29年度</dd></dl>", "事業開始時期: 平成29年度"),
        ("<h4>背景・課題</h4><p>本文</p>", "#### 背景・課題\n本文"),
    ],
)
def test_inline_and_block_text(markup, expected):
    assert load(Path("t.html"), f"<body>{markup}</body>".encode()).pages[0] == expected


@pytest.mark.parametrize(
    "encoding, declaration",
    [
        ("cp932", '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'),
        ("euc_jp", '<meta charset="EUC-JP">'),  # Python's euc_jp has no ①: decoded as JIS X 0213
        ("euc_jis_2004", '<meta charset="euc-jp">'),
        ("utf-8", ""),  # no declaration: UTF-8
    ],
)
def test_declared_japanese_encodings_are_decoded(encoding, declaration):
    text = "海外特別研究員①：178人" if encoding != "euc_jp" else "海外特別研究員：178人"
    markup = f"<html><head>{declaration}</head><body><p>{text}</p></body></html>"
    assert text in load(Path("t.html"), markup.encode(encoding)).pages[0]


def test_undeclared_shift_jis_is_detected():
    text = "科学技術イノベーションの戦略的国際展開を一層推進する。国際共同研究の強化を着実に図る。" * 3
    assert text in decode(f"<p>{text}</p>".encode("cp932"))


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"<html><head><title>x</title><script>var a = 1;</script><style>p{}</style></head><body></body></html>", "no text"),
        ("<body><nav>ホーム</nav><!-- コメント --></body>".encode(), "no text"),
    ],
)
def test_empty_html_gets_one_line_error_naming_the_file(data, reason):
    with pytest.raises(IngestError) as caught:
        load(Path("pages/empty.html"), data)
    assert str(caught.value).startswith(str(Path("pages/empty.html")) + ": ")
    assert reason in caught.value.reason
    assert "\n" not in str(caught.value) and caught.value.fix


@pytest.mark.parametrize(
    "rows, header_rows, key_column, expected",
    [
        ([["事業名", "予算額"], ["SICORP", "1,160百万円"]], 1, False, ["事業名: SICORP / 予算額: 1,160百万円"]),
        ([["事業名", "予算額"], ["事業名", "予算額"], ["WPI", "6,100百万円"]], 1, False, ["事業名: WPI / 予算額: 6,100百万円"]),
        ([["予算額", None], ["1,160百万円", "1,078百万円"]], 1, False, ["予算額: 1,160百万円 / 予算額: 1,078百万円"]),
        ([["支援額", "5百万円", "1億円"]], 0, True, ["支援額: 5百万円 / 1億円"]),
        ([["", ""], ["", ""]], 0, False, []),
    ],
)
def test_table_lines(rows, header_rows, key_column, expected):
    assert table_lines(rows, header_rows=header_rows, key_column=key_column) == expected


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([["事業名", "令和4年度予算額(案)"], ["SICORP", "1,160百万円"]], 1),
        ([["SICORP", "1,160百万円"], ["SATREPS", "1,826百万円"]], 0),
        ([["対象", "内容"], ["博士課程学生", "海外の研究者と共同研究"]], 0),  # no figures: cannot tell
        ([["事業名", "予算額"]], 0),
    ],
)
def test_guess_header_rows(rows, expected):
    assert guess_header_rows(rows) == expected


def test_headings_and_table_rows_stay_lines_of_their_own_after_normalization():
    normalize_document = pytest.importorskip("ingest.normalize").normalize_document

    lines = normalize_document(load(Path("mext.html"), PAGE.encode("utf-8"))).text.split("\n")
    assert "## 事業別の予算額" in lines
    assert "事業名: 戦略的国際共同研究プログラム(SICORP) / 令和4年度予算額(案): 1,160百万円 / 前年度予算額: 1,078百万円" in lines


def test_separate_paragraphs_stay_separate_after_normalization():
    normalize_document = pytest.importorskip("ingest.normalize").normalize_document

    markup = "<body><p>国際共同研究を推進するための取組について</p><p>これまでにない新たな発想</p></body>"
    doc = normalize_document(load(Path("t.html"), markup.encode()))
    assert doc.text.split("\n") == ["国際共同研究を推進するための取組について", "これまでにない新たな発想"]
