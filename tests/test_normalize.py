"""normalize_text (characters) and normalize_document (line re-joining, pages, anchors).

The line tables are real lines of the bundled corpus (corpus/mext_r4_international_sti.txt, a
pdftotext export of a MEXT budget PDF); a test checks that each input is in the corpus verbatim.
Rule 8 of the re-joining reads words with MeCab: expectations assume unidic-lite 1.0.8.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pytest

from ingest.models import RawDocument
from ingest.normalize import (
    _HIRAGANA_LOOKALIKES,
    _RADICAL_LOOKALIKES,
    normalize_document,
    normalize_text,
    raw_offset,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "mext_r4_international_sti.txt"
CORPUS_TEXT = CORPUS.read_text(encoding="utf-8")

# ---------------------------------------------------------------------------------------------
# normalize_text
# ---------------------------------------------------------------------------------------------

TEXT_CASES = [
    # look-alike hiragana from PDF text layers (CJK Extension A, hiragana + 0x1690)
    ("海外特別研究員䛾採用人数", "海外特別研究員の採用人数"),
    ("アニメーション䛜終了䛧䛶いる䛛", "アニメーションが終了しているか"),
    ("押され䛶い䛺い䛸き䛿待機状態䛻する", "押されていないときは待機状態にする"),
    ("以外䛷更新する", "以外で更新する"),
    ("研究費䜢支援", "研究費を支援"),
    # Kangxi radicals fold by NFKC; CJK radical supplement glyphs by the table
    ("⽇本学術振興会", "日本学術振興会"),
    ("⻑期渡航", "長期渡航"),
    ("⻄日本", "西日本"),
    # full-width ASCII and digits, half-width katakana
    ("ＳＩＣＯＲＰの予算", "SICORPの予算"),
    ("７,４７１百万円", "7,471百万円"),
    ("南ｱ＋ｱﾌﾘｶ1か国以上", "南ア+アフリカ1か国以上"),
    ("ｶﾞｲﾄﾞﾗｲﾝ", "ガイドライン"),
    ("（前年度予算額 ｰ）", "(前年度予算額 ー)"),
    # key：value (NFKC turns ： into ':'), Japanese punctuation kept
    ("支援額：5百万円～1億円/年・課題", "支援額:5百万円～1億円/年・課題"),
    ("「顔の見える」研究、協力。", "「顔の見える」研究、協力。"),
    # range marks unified to ～ (NFKC alone would give '~' for ～ and keep 〜 ∼)
    ("3か月〜1年程度", "3か月～1年程度"),
    ("3か月～1年程度", "3か月～1年程度"),
    ("3か月∼1年程度", "3か月～1年程度"),
    ("数（2006～2016）に基づく", "数(2006～2016)に基づく"),
    ("2006~2016", "2006～2016"),
    ("https://example.com/~user/a~b", "https://example.com/~user/a~b"),
    ("2006–16", "2006-16"),
    ("−5%", "-5%"),
    # the corpus's ⃝ bullet (a combining enclosing circle after a line break)
    ("⃝ 米国、EU等の高い科学技術水準", "○ 米国、EU等の高い科学技術水準"),
    ("1⃝", "1"),
    # circled numbers: NFKC would glue them to the next figure
    ("①2022年", "(1)2022年"),
    # spaces: ideographic space, runs, line edges; invisible characters dropped
    ("研究　　者", "研究 者"),
    ("  前後の空白  ", "前後の空白"),
    ("国際 \n 共同", "国際\n共同"),
    ("研\u00ad究\u200b者", "研究者"),
    ("1行目\r\n2行目\r3行目", "1行目\n2行目\n3行目"),
    ("1頁\f2頁", "1頁\f2頁"),
    # Word's private-use bullets
    ("\uf0b7 事業を通じて", "• 事業を通じて"),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_normalize_text_folds_variants_and_lookalikes(text, expected):
    assert normalize_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_normalize_text_is_idempotent(text, expected):
    assert normalize_text(expected) == expected


@pytest.mark.parametrize(("lookalike", "hiragana"), sorted(_HIRAGANA_LOOKALIKES.items()))
def test_each_hiragana_lookalike_maps_to_a_hiragana_letter(lookalike, hiragana):
    assert unicodedata.name(lookalike).startswith("CJK UNIFIED IDEOGRAPH-")
    assert unicodedata.name(hiragana).startswith(("HIRAGANA LETTER", "HIRAGANA ITERATION"))
    assert ord(lookalike) - ord(hiragana) == 0x1690
    assert unicodedata.normalize("NFKC", lookalike) == lookalike  # the table is needed


@pytest.mark.parametrize(("radical", "kanji"), sorted(_RADICAL_LOOKALIKES.items()))
def test_each_radical_lookalike_is_a_radical_that_nfkc_keeps(radical, kanji):
    assert unicodedata.name(radical).startswith("CJK RADICAL ")
    assert unicodedata.name(kanji).startswith("CJK UNIFIED IDEOGRAPH-")
    assert unicodedata.normalize("NFKC", radical) == radical


def test_corpus_lines_are_stable_under_a_second_normalization():
    once = normalize_text(CORPUS_TEXT)
    assert normalize_text(once) == once


# ---------------------------------------------------------------------------------------------
# normalize_document: re-joining lines the PDF export broke
# ---------------------------------------------------------------------------------------------


def _raw(*pages: str, paged: bool = True) -> RawDocument:
    data = "\f".join(pages).encode("utf-8")
    return RawDocument(
        source="t.txt",
        title="t",
        pages=pages,
        paged=paged,
        content_hash=hashlib.sha256(data).hexdigest(),
        media_type="text/plain",
    )


def _lines_mid_page(raw_lines: str) -> list[str]:
    """Normalize corpus lines as they sit in the corpus: below a page's title line."""
    doc = normalize_document(_raw("【見出し】\n" + raw_lines))
    lines = doc.text.split("\n")
    assert lines[0] == "【見出し】"
    return lines[1:]


# (raw corpus lines, the normalized lines they must become)
JOIN_CASES = [
    pytest.param(
        "○多くの研究者が、海外の異なる研究文化・環境の下で研さん・経験を積めるようにし、研究者として\n\n"
        "のキャリアのステップアップと、海外研究者との国際研究ネットワークの構築を図る。",
        ["○多くの研究者が、海外の異なる研究文化・環境の下で研さん・経験を積めるようにし、研究者として"
         "のキャリアのステップアップと、海外研究者との国際研究ネットワークの構築を図る。"],
        id="blank-line-inside-a-sentence",
    ),
    pytest.param(
        "⃝ 先端重要分野における戦略的な二国間、多国間のwin-winの協力・連携や、成果の社会実装も見据えた"
        "産学国際共同研究等に対する支援の抜本的強化、「STI for \n\nSDGs」活動の国際展開等の促進を通じて、"
        "科学技術外交の戦略的な展開を図る。",
        ["○ 先端重要分野における戦略的な二国間、多国間のwin-winの協力・連携や、成果の社会実装も見据えた"
         "産学国際共同研究等に対する支援の抜本的強化、「STI for SDGs」活動の国際展開等の促進を通じて、"
         "科学技術外交の戦略的な展開を図る。"],
        id="latin-words-in-an-open-bracket",
    ),
    pytest.param(
        "支援対象機関：大学、国公立研究機関等\nの公的研究機関、民間企業等",
        ["支援対象機関:大学、国公立研究機関等の公的研究機関、民間企業等"],
        id="key-value-continued-by-a-particle",
    ),
    pytest.param(
        "（出典）文部科学省 科学技術・学術政策研究所、科学\n研究のベンチマーキング2021、調査資料-312、2021年\n"
        "8月を基に、文部科学省が加工・作成。",
        ["(出典)文部科学省 科学技術・学術政策研究所、科学研究のベンチマーキング2021、調査資料-312、2021年"
         "8月を基に、文部科学省が加工・作成。"],
        id="wrapped-caption",
    ),
    pytest.param(
        "⃝ 一方、近年、我が国における研究者の国際流動性は低くとどまり、中長期の派遣研究者数は低下傾向。"
        "諸外国では米国で研究博\n\n士号を取得する学生数は引き続き増加しており、",
        ["○ 一方、近年、我が国における研究者の国際流動性は低くとどまり、中長期の派遣研究者数は低下傾向。"
         "諸外国では米国で研究博士号を取得する学生数は引き続き増加しており、"],
        id="word-cut-across-a-blank-line",
    ),
    pytest.param(
        "ASEAN(環境・エネルギー、生物資\n源、防災)、インド(情報・通信技\n術)、中国(環境・エネルギー)",
        ["ASEAN(環境・エネルギー、生物資源、防災)、インド(情報・通信技術)、中国(環境・エネルギー)"],
        id="open-parentheses",
    ),
    pytest.param(
        "“International bilateral flows of \nscientific authors, 2006-16”の",
        ["“International bilateral flows of scientific authors, 2006-16”の"],
        id="english-words-get-one-space",
    ),
    pytest.param(
        "支援対象機関：\n大学等の公的研究機関等",
        ["支援対象機関:大学等の公的研究機関等"],
        id="key-with-its-value-on-the-next-line",
    ),
    pytest.param(
        "PD・院生の相手チーム\nへの海外派遣・交流",
        ["PD・院生の相手チームへの海外派遣・交流"],
        id="next-line-starts-with-a-particle",
    ),
    pytest.param(
        "○再生医療に寄与する生体適応材料など産業応用研究への波及が期\n\n待される。",
        ["○再生医療に寄与する生体適応材料など産業応用研究への波及が期待される。"],
        id="last-characters-of-a-sentence",
    ),
    pytest.param(
        "分野や国籍を問わず、外国人若手研究者等を大学・研究機関等に招へいし、我が国の研究者と\n"
        "外国人若手研究者等との研究協力関係を通じ、国際化の進展を図っていくことで我が国における学\n"
        "術研究を推進する。○若手研究者海外挑戦プログラム",
        ["分野や国籍を問わず、外国人若手研究者等を大学・研究機関等に招へいし、我が国の研究者と"
         "外国人若手研究者等との研究協力関係を通じ、国際化の進展を図っていくことで我が国における学"
         "術研究を推進する。",
         "○若手研究者海外挑戦プログラム"],
        id="bullet-glued-after-a-sentence-is-split-off",
    ),
]

SEPARATE_CASES = [
    pytest.param(
        "支援額：5百万円～1億円/年・課題\n事業期間：平成21年度～",
        ["支援額:5百万円～1億円/年・課題", "事業期間:平成21年度～"],
        id="key-value-lines",
    ),
    pytest.param(
        "事業経費：50百万円 （内訳）2百万円×20課題＋事務経費10百万円\n\n令和4年度予算額（案） 50百万円",
        ["事業経費:50百万円 (内訳)2百万円×20課題+事務経費10百万円", "令和4年度予算額(案) 50百万円"],
        id="key-value-then-a-budget-line",
    ),
    pytest.param(
        "○海外特別研究員事業\n博士の学位を有する優れた若手研究者に対し所定の資金を支給し、海外における大学等研究機関",
        ["○海外特別研究員事業", "博士の学位を有する優れた若手研究者に対し所定の資金を支給し、海外における大学等研究機関"],
        id="bullet-title-then-body",
    ),
    pytest.param(
        "【背景】\n○多くの研究者が、海外の異なる研究文化・環境の下で研さん・経験を積めるようにし、研究者として",
        ["【背景】", "○多くの研究者が、海外の異なる研究文化・環境の下で研さん・経験を積めるようにし、研究者として"],
        id="bracket-heading-then-bullet",
    ),
    pytest.param(
        "支援期間/1件\n支援額/1件\n支援件数",
        ["支援期間/1件", "支援額/1件", "支援件数"],
        id="label-column",
    ),
    pytest.param("背景・課題\n\n事業概要", ["背景・課題", "事業概要"], id="short-headings"),
    pytest.param(
        "令和4年度予算額(案) 138億円\n(前年度予算額 137億円)\n※運営費交付金中の推計額含む",
        ["令和4年度予算額(案) 138億円", "(前年度予算額 137億円)", "※運営費交付金中の推計額含む"],
        id="budget-lines",
    ),
    pytest.param(
        "７年（最大10年まで延長可）\n最大５億円（直接経費）\n約15件",
        ["7年(最大10年まで延長可)", "最大5億円(直接経費)", "約15件"],
        id="table-cells-ending-in-brackets",
    ),
    pytest.param(
        "※運営費交付金中の推計額\n\n背景・課題",
        ["※運営費交付金中の推計額", "背景・課題"],
        id="note-then-heading-across-a-blank-line",
    ),
    pytest.param(
        "※戦略的国際共同研究プログラムの一部\n\n国際頭脳循環に参入する若手研究者の\n新たな流動モードの促進",
        ["※戦略的国際共同研究プログラムの一部", "国際頭脳循環に参入する若手研究者の新たな流動モードの促進"],
        id="blank-line-between-two-items",
    ),
    pytest.param(
        "運営費交付金\n\n国 JST 大学・\n研究機関等",
        ["運営費交付金", "国 JST 大学・研究機関等"],
        id="diagram-labels-not-glued-into-a-proper-noun",
    ),
    pytest.param(
        "令和４年度予算（案）のポイント\n\nSystem\nreform Globalization\n\nFusion\nresearch",
        ["令和4年度予算(案)のポイント", "System", "reform Globalization", "Fusion research"],
        id="figure-labels",
    ),
]


@pytest.mark.parametrize(("raw_lines", "expected"), JOIN_CASES + SEPARATE_CASES)
def test_corpus_lines_are_joined_or_kept_apart(raw_lines, expected):
    assert _lines_mid_page(raw_lines) == expected


@pytest.mark.parametrize(("raw_lines", "expected"), JOIN_CASES + SEPARATE_CASES)
def test_table_inputs_are_real_corpus_lines(raw_lines, expected):
    assert raw_lines in CORPUS_TEXT


@pytest.mark.parametrize(("raw_lines", "expected"), JOIN_CASES + SEPARATE_CASES)
def test_expected_lines_appear_in_the_normalized_corpus(corpus_doc, raw_lines, expected):
    """The table's excerpts come out the same inside the whole document."""
    assert "\n".join(expected) in corpus_doc.text


def test_a_page_title_is_not_glued_to_the_budget_line_below_it(corpus_doc):
    page1 = corpus_doc.text[corpus_doc.pages[0].start : corpus_doc.pages[0].end]
    assert page1.split("\n")[:2] == ["7.科学技術イノベーションの戦略的国際展開", "令和4年度予算額(案) 138億円"]


def test_a_two_line_page_title_ending_mid_phrase_is_joined(corpus_doc):
    page6 = corpus_doc.text[corpus_doc.pages[5].start : corpus_doc.pages[5].end]
    assert page6.split("\n")[0] == "科学研究費助成事業「国際先導研究」の創設による国際共同研究の抜本的強化"


# ---------------------------------------------------------------------------------------------
# normalize_document: pages, ids, blank lines, anchors
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_doc():
    data = CORPUS.read_bytes()
    pages = tuple(data.decode("utf-8").split("\f"))
    raw = RawDocument(
        source=str(CORPUS), title="mext", pages=pages, paged=True,
        content_hash=hashlib.sha256(data).hexdigest(), media_type="text/plain",
    )
    return normalize_document(raw)


def test_pages_are_spans_joined_by_one_form_feed(corpus_doc):
    assert [p.number for p in corpus_doc.pages] == [1, 2, 3, 4, 5, 6]
    assert corpus_doc.text.split("\f") == [corpus_doc.text[p.start : p.end] for p in corpus_doc.pages]
    for before, after in zip(corpus_doc.pages, corpus_doc.pages[1:]):
        assert after.start == before.end + 1


@pytest.mark.parametrize(
    ("needle", "page"),
    [("SICORP) 令和4年度予算額(案) 1,160百万円", 2), ("7,471百万円", 4), ("新規採用人数(見込み):178人", 4), ("国際先導研究", 6)],
)
def test_text_lands_on_its_page(corpus_doc, needle, page):
    assert corpus_doc.page_at(corpus_doc.text.index(needle)) == page


def test_blank_lines_and_space_runs_are_dropped(corpus_doc):
    text = corpus_doc.text
    assert "\n\n" not in text and "  " not in text
    for line in text.replace("\f", "\n").split("\n"):
        assert line == line.strip()
    assert "\n\f" not in text and "\f\n" not in text


def test_doc_id_defaults_to_the_content_hash_prefix_and_can_be_given():
    raw = _raw("本文")
    assert normalize_document(raw).doc_id == raw.content_hash[:16]
    assert normalize_document(raw, doc_id="mine").doc_id == "mine"


def test_a_text_without_pages_is_one_unpaged_page():
    doc = normalize_document(_raw("一行目。\n\n二行目。", paged=False))
    assert doc.paged is False
    assert doc.text == "一行目。\n二行目。"
    assert [(p.number, p.start, p.end) for p in doc.pages] == [(1, 0, len(doc.text))]
    assert doc.page_at(3) is None


def test_empty_pages_keep_their_numbers():
    doc = normalize_document(_raw("一頁目", "  \n\n", "三頁目"))
    assert doc.text == "一頁目\f\f三頁目"
    assert doc.page_at(doc.text.index("三頁目")) == 3


def test_every_kept_line_start_has_an_anchor(corpus_doc):
    anchored = {norm for norm, _ in corpus_doc.source_offsets}
    starts = [0] + [i + 1 for i, ch in enumerate(corpus_doc.text) if ch in "\n\f"]
    starts = [s for s in starts if s < len(corpus_doc.text) and corpus_doc.text[s] not in "\n\f"]
    assert starts and all(s in anchored for s in starts)
    assert list(corpus_doc.source_offsets) == sorted(corpus_doc.source_offsets)


def test_every_character_maps_back_to_the_raw_character_it_came_from(corpus_doc):
    raw_text = CORPUS_TEXT  # the loader's pages joined by "\f" is the file itself here
    for i, ch in enumerate(corpus_doc.text):
        if ch in "\n\f ":
            continue
        source = raw_text[raw_offset(corpus_doc, i)]
        assert ch in normalize_text(source), (i, ch, source)


def test_anchors_follow_length_changes_inside_a_line():
    raw = "ｶﾞｲﾄﾞ　①2022年 ⃝ 研究"
    doc = normalize_document(_raw(raw))
    assert doc.text == "ガイド (1)2022年 ○ 研究"
    assert raw[raw_offset(doc, doc.text.index("2022"))] == "2"
    assert raw[raw_offset(doc, doc.text.index("研究"))] == "研"
    assert raw[raw_offset(doc, doc.text.index("イ"))] == "ｲ"
    assert raw[raw_offset(doc, doc.text.index(" "))].isspace()


def test_raw_offsets_count_across_pages():
    doc = normalize_document(_raw("一頁目\n", "  二頁目の本文"))
    assert doc.text == "一頁目\f二頁目の本文"
    raw_all = "一頁目\n\f  二頁目の本文"
    assert raw_all[raw_offset(doc, doc.text.index("本文"))] == "本"


# ---------------------------------------------------------------------------------------------
# Line handling by media type
# ---------------------------------------------------------------------------------------------


def _normalized(text: str, media_type: str) -> str:
    raw = RawDocument(source="t", title="t", pages=(text,), paged=False, content_hash="0" * 64, media_type=media_type)
    return normalize_document(raw).text


def test_a_short_latin_title_is_not_glued_to_the_text_below():
    assert normalize_document(_raw("CODEN\nCODEN(コーデン)は、米国材料試験協会の定めた識別子。", paged=False)).text == (
        "CODEN\nCODEN(コーデン)は、米国材料試験協会の定めた識別子。"
    )


def test_markdown_joins_the_lines_of_a_paragraph_and_keeps_blocks():
    text = (
        "# 事業の手引き\n\n本文の一行目で\nつづきの行。\nWords wrap\nhere.\n\n"
        "- 項目一\n  つづき\n- 項目二\n\n```\ncode line 1\ncode line 2\n```\n| 列 | 値 |\n| 支援額 | 5億円 |"
    )
    assert _normalized(text, "text/markdown").split("\n") == [
        "# 事業の手引き",
        "本文の一行目でつづきの行。 Words wrap here.",
        "- 項目一つづき",
        "- 項目二",
        "```",
        "code line 1",
        "code line 2",
        "```",
        "| 列 | 値 |",
        "| 支援額 | 5億円 |",
    ]


@pytest.mark.parametrize(
    "media_type",
    ["text/html", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
)
def test_structured_formats_keep_one_paragraph_per_line(media_type):
    text = "国際共同研究を推進するための取組について\n\nこれまでにない新たな発想\nの研究。○次の項目"
    assert _normalized(text, media_type).split("\n") == [
        "国際共同研究を推進するための取組について",
        "これまでにない新たな発想",
        "の研究。○次の項目",
    ]


def test_pdf_text_is_rejoined_like_plain_text():
    text = "○多くの研究者が、海外の異なる研究文化・環境の下で研さん・経験を積めるようにし、研究者として\n\nのキャリア。"
    assert _normalized(text, "application/pdf") == _normalized(text, "text/plain") == text.replace("\n", "")
