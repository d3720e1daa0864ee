"""Fact extraction over real normalized lines: the bundled MEXT corpus, a second budget-style text written
for these tests (tests/data/other_budget.txt, other programs and figures), and tiny documents made here.

Expectations assume `ingest.normalize.normalize_document` (NFKC: "（" → "(", "：" → ":", "１" → "1").
"""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

import pytest

from ingest.facts import attribute_detail, canonical_attribute, extract_facts
from ingest.gazetteer import build_gazetteer, derive_names, find_groups
from ingest.loaders import load_document
from ingest.models import RawDocument
from ingest.normalize import normalize_document

from corpus_names import (  # noqa: F401  (shared names of the bundled corpus)
    ROOT, CORPUS, OTHER, PROSE, SICORP, SATREPS, WPI, OVERSEAS, INVITE, CHALLENGE, YOUTH, GLOBAL, SECTION, LEADING, MOBILITY,
)


@pytest.fixture(scope="module")
def corpus_doc():
    return normalize_document(load_document(str(CORPUS)))


@pytest.fixture(scope="module")
def corpus_facts(corpus_doc):
    return extract_facts(corpus_doc)


@pytest.fixture(scope="module")
def other_doc():
    return normalize_document(load_document(str(OTHER)))


@pytest.fixture(scope="module")
def other_facts(other_doc):
    return extract_facts(other_doc)


def _doc(*pages: str):
    """A tiny normalized document made in the test."""
    text = "\f".join(pages)
    raw = RawDocument(
        source="mini.txt",
        title="mini",
        pages=tuple(pages),
        paged=True,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        media_type="text/plain",
    )
    return normalize_document(raw)


def _text_doc(text: str, media_type: str = "text/markdown", source: str = "mini.md"):
    """A one-page normalized document (Markdown by default) made in the test."""
    raw = RawDocument(
        source=source,
        title="mini",
        pages=(text,),
        paged=False,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        media_type=media_type,
    )
    return normalize_document(raw)


def _budget_rows(facts):
    return sorted(
        (f.citation.page, f.subject, f.attribute, f.value, f.fiscal_year, f.subject_assignment)
        for f in facts
        if canonical_attribute(f.attribute) in {"予算額", "補正予算額"}
    )


# -- every budget figure of the bundled corpus -------------------------------------------------------------
# page, subject, attribute, value, fiscal year, assignment
CORPUS_BUDGETS = [
    (1, SECTION, "令和4年度予算額(案)", "138億円", "令和4年度", "explicit"),
    (1, SECTION, "前年度予算額", "137億円", "令和3年度", "explicit"),
    (1, SICORP, "令和4年度予算額(案)", "1,160百万円", "令和4年度", "inferred"),
    (1, SICORP, "前年度予算額", "1,078百万円", "令和3年度", "inferred"),
    (1, SATREPS, "令和4年度予算額(案)", "1,826百万円", "令和4年度", "inferred"),
    (1, SATREPS, "前年度予算額", "1,876百万円", "令和3年度", "inferred"),
    (1, OVERSEAS, "令和4年度予算額(案)", "2,422百万円", "令和4年度", "inferred"),
    (1, OVERSEAS, "前年度予算額", "2,422百万円", "令和3年度", "inferred"),
    (1, CHALLENGE, "令和4年度予算額(案)", "265百万円", "令和4年度", "inferred"),
    (1, CHALLENGE, "前年度予算額", "265百万円", "令和3年度", "inferred"),
    (1, INVITE, "令和4年度予算額(案)", "3,414百万円", "令和4年度", "inferred"),
    (1, INVITE, "前年度予算額", "3,414百万円", "令和3年度", "inferred"),
    (1, YOUTH, "令和4年度予算額(案)", "1,371百万円", "令和4年度", "explicit"),
    (1, YOUTH, "前年度予算額", "1,267百万円", "令和3年度", "explicit"),
    (2, SICORP, "令和4年度予算額(案)", "1,160百万円", "令和4年度", "explicit"),
    (2, SICORP, "前年度予算額", "1,078百万円", "令和3年度", "explicit"),
    (3, MOBILITY, "令和4年度予算額(案)", "50百万円", "令和4年度", "inferred"),
    (3, MOBILITY, "前年度予算額", "ー", "令和3年度", "inferred"),
    (4, GLOBAL, "令和4年度予算額(案)", "7,471百万円", "令和4年度", "explicit"),
    (4, GLOBAL, "前年度予算額", "7,367百万円", "令和3年度", "explicit"),
    (4, OVERSEAS, "令和4年度予算額(案)", "2,422百万円", "令和4年度", "inferred"),
    (4, OVERSEAS, "前年度予算額", "2,422百万円", "令和3年度", "inferred"),
    (4, CHALLENGE, "令和4年度予算額(案)", "265百万円", "令和4年度", "inferred"),
    (4, CHALLENGE, "前年度予算額", "265百万円", "令和3年度", "inferred"),
    (4, INVITE, "令和4年度予算額(案)", "3,414百万円", "令和4年度", "inferred"),
    (4, INVITE, "前年度予算額", "3,414百万円", "令和3年度", "inferred"),
    (4, YOUTH, "令和4年度予算額(案)", "1,371百万円", "令和4年度", "inferred"),
    (4, YOUTH, "前年度予算額", "1,267百万円", "令和3年度", "inferred"),
    (5, WPI, "令和4年度予算額(案)", "6,100百万円", "令和4年度", "explicit"),
    (5, WPI, "前年度予算額", "6,100百万円", "令和3年度", "explicit"),
    (6, LEADING, "令和3年度補正予算額(案)", "110億円", "令和3年度", "inferred"),
]


def test_every_budget_figure_of_the_corpus_has_the_right_subject(corpus_facts):
    assert _budget_rows(corpus_facts) == sorted(CORPUS_BUDGETS)


def test_amounts_are_read_as_yen(corpus_facts):
    by_value = {f.value: f.amount_yen for f in corpus_facts if canonical_attribute(f.attribute) == "予算額"}
    assert by_value["1,160百万円"] == 1_160_000_000
    assert by_value["138億円"] == 13_800_000_000
    assert by_value["ー"] is None


# -- each layout, on the corpus's own lines ------------------------------------------------------------------
# page, the passage's text contains, subject, attribute, value, assignment, minimum confidence
LAYOUTS = [
    # one line, two facts
    (1, "令和4年度予算額(案):1,160百万円(前年度予算額:1,078百万円)", SICORP, "前年度予算額", "1,078百万円", "inferred", 0.8),
    # the name before the label on the same line; the prior year on the next line
    (2, "戦略的国際共同研究プログラム(SICORP) 令和4年度予算額(案) 1,160百万円", SICORP, "令和4年度予算額(案)", "1,160百万円", "explicit", 1.0),
    (2, "(前年度予算額 1,078百万円)", SICORP, "前年度予算額", "1,078百万円", "explicit", 1.0),
    # a heading on the line above
    (1, "○国際青少年サイエンス交流事業", YOUTH, "令和4年度予算額(案)", "1,371百万円", "explicit", 0.9),
    (1, "7.科学技術イノベーションの戦略的国際展開", SECTION, "令和4年度予算額(案)", "138億円", "explicit", 0.9),
    # the page-1 list: names elsewhere on the page; cross-checked against page 2, or left for one program
    (1, "令和4年度予算額(案) :1,826百万円", SATREPS, "令和4年度予算額(案)", "1,826百万円", "inferred", 0.6),
    # key:value blocks given by content, not by the nearest heading above (which is 若手研究者海外挑戦プログラム)
    (4, "事業開始時期:昭和57年度", OVERSEAS, "事業開始時期", "昭和57年度", "inferred", 0.5),
    (4, "新規採用人数(見込み):178人", OVERSEAS, "新規採用人数(見込み)", "178人", "inferred", 0.5),
    (4, "渡航期間:3か月～1年程度", CHALLENGE, "渡航期間", "3か月～1年程度", "inferred", 0.5),
    (4, "新規採用人数(見込み):491人", INVITE, "新規採用人数(見込み)", "491人", "inferred", 0.5),
    (4, "受入人数:約2,760人", YOUTH, "受入人数", "約2,760人", "inferred", 0.5),
    (2, "支援額:5百万円～1億円/年・課題", SICORP, "支援額", "5百万円～1億円/年・課題", "inferred", 0.5),
    (2, "件数:26か国59件(令和3年度)", SICORP, "件数", "26か国59件(令和3年度)", "inferred", 0.5),
    (5, "支援規模:最大7億円/年×10年", WPI, "支援規模", "最大7億円/年×10年(2007, 2010年度採択拠点は～14億円/年程度)", "inferred", 0.5),
    # a yearly amount times years states the support period; the first cohort's start year, the program's start
    (5, "支援規模:最大7億円/年×10年", WPI, "支援期間", "10年", "inferred", 0.5),
    (5, "当初採択5拠点(2007年度～)", WPI, "事業開始時期", "2007年度", "inferred", 0.6),
    # label and value columns split apart
    (6, "7年(最大10年まで延長可)", LEADING, "支援期間/1件", "7年(最大10年まで延長可)", "inferred", 0.5),
    (6, "最大5億円(直接経費)", LEADING, "支援額/1件", "最大5億円(直接経費)", "inferred", 0.5),
    (6, "約15件", LEADING, "支援件数", "約15件", "inferred", 0.5),
    (6, "海外派遣人数 長期:約225人", LEADING, "海外派遣人数(長期)", "約225人(15件×15人)", "inferred", 0.5),
    (6, "短期:約1,600人", LEADING, "海外派遣人数(短期)", "約1,600人(15件×のべ105人)", "inferred", 0.5),
    # a type line with its money range and duration
    (2, "国際協力加速タイプ(5百万円～10百万円)1～3年間", SICORP, "支援額(国際協力加速タイプ)", "5百万円～10百万円", "inferred", 0.5),
    (2, "国際協力加速タイプ(5百万円～10百万円)1～3年間", SICORP, "支援期間(国際協力加速タイプ)", "1～3年間", "inferred", 0.5),
    # a budget box whose only name is the title printed next to it
    (3, "令和4年度予算額(案) 50百万円", MOBILITY, "令和4年度予算額(案)", "50百万円", "inferred", 0.5),
]


@pytest.mark.parametrize("page, passage, subject, attribute, value, assignment, confidence", LAYOUTS)
def test_each_layout_gives_subject_attribute_and_value(corpus_facts, page, passage, subject, attribute, value, assignment, confidence):
    found = [
        f
        for f in corpus_facts
        if f.citation.page == page and passage in f.citation.text and f.attribute == attribute and f.value == value
    ]
    assert found, f"no fact {attribute}={value} on page {page}"
    fact = found[0]
    assert (fact.subject, fact.subject_assignment) == (subject, assignment)
    assert fact.confidence >= confidence


@pytest.mark.parametrize(
    "attribute, value, numbers",
    [
        ("支援額", "5百万円～1億円/年・課題", {"amount_yen": None, "amount_yen_min": 5_000_000, "amount_yen_max": 100_000_000, "per": "年・課題"}),
        ("支援額/1件", "最大5億円(直接経費)", {"amount_yen": 500_000_000, "amount_yen_max": 500_000_000, "qualifier": "最大", "per": "1件"}),
        ("渡航期間", "3か月～1年程度", {"quantity": 3.0, "quantity_max": 12.0, "unit": "か月", "qualifier": "程度"}),
        ("受入人数", "約2,760人", {"quantity": 2760.0, "unit": "人", "qualifier": "約"}),
        ("件数", "26か国59件(令和3年度)", {"quantity": 59.0, "unit": "件", "fiscal_year": "令和3年度"}),
        ("事業開始時期", "昭和57年度", {"quantity": 1982.0, "unit": "年度"}),
        ("事業期間", "平成21年度～", {"quantity": 2009.0, "unit": "年度", "qualifier": "～"}),
    ],
)
def test_values_carry_structured_numbers(corpus_facts, attribute, value, numbers):
    fact = next(f for f in corpus_facts if f.attribute == attribute and f.value == value)
    assert {k: getattr(fact, k) for k in numbers} == numbers


def test_citations_point_at_the_passage_and_highlight_the_value(corpus_doc, corpus_facts):
    for fact in corpus_facts:
        c = fact.citation
        assert corpus_doc.text[c.start : c.end] == c.text
        assert c.text[c.highlight_start : c.highlight_end] == fact.value
        assert corpus_doc.page_at(c.start) == c.page
        assert fact.doc_id == corpus_doc.doc_id


def test_unassigned_facts_have_no_subject_and_no_confidence(corpus_facts, other_facts):
    for fact in [*corpus_facts, *other_facts]:
        if fact.subject_assignment == "unassigned":
            assert fact.subject == "" and fact.confidence == 0.0
        else:
            assert fact.subject and 0 < fact.confidence <= 1


# -- bad cases: no subject is guessed -------------------------------------------------------------------------
def test_an_amount_with_no_name_anywhere_stays_unassigned():
    facts = extract_facts(_doc("背景・課題\n令和5年度予算額(案) 8億円\n(前年度予算額 9億円)\n説明の文章がここに入る。"))
    assert [(f.value, f.subject, f.subject_assignment) for f in facts] == [
        ("8億円", "", "unassigned"),
        ("9億円", "", "unassigned"),
    ]


def test_a_list_of_amounts_is_not_paired_with_headings_by_order_alone():
    page = (
        "○北方観測事業\n北の海を観測する。\n○南方観測事業\n南の海を観測する。\n"
        "令和5年度予算額(案):300百万円(前年度予算額:280百万円)\n"
        "令和5年度予算額(案):500百万円(前年度予算額:510百万円)\n"
    )
    facts = extract_facts(_doc(page))
    assert {f.subject_assignment for f in facts} == {"unassigned"}


def test_one_amount_left_for_one_program_is_paired_and_cross_checks_resolve_the_rest():
    summary = (
        "○北方観測事業\n北の海を観測する。\n○南方観測事業\n南の海を観測する。\n"
        "令和5年度予算額(案):300百万円(前年度予算額:280百万円)\n"
        "令和5年度予算額(案):500百万円(前年度予算額:510百万円)\n"
    )
    detail = "南方観測事業 令和5年度予算額(案) 500,000千円\n(前年度予算額 510,000千円)\n"
    facts = extract_facts(_doc(summary, detail))
    page1 = {(f.value, f.subject, f.subject_assignment) for f in facts if f.citation.page == 1 and "予算額" in f.attribute}
    assert page1 == {
        ("300百万円", "北方観測事業", "inferred"),
        ("280百万円", "北方観測事業", "inferred"),
        ("500百万円", "南方観測事業", "inferred"),
        ("510百万円", "南方観測事業", "inferred"),
    }


def test_equal_figures_of_two_programs_do_not_decide_a_third_box():
    p1 = "北方観測事業 令和5年度予算額(案) 300百万円\n(前年度予算額 300百万円)\n"
    p2 = "南方観測事業 令和5年度予算額(案) 300百万円\n(前年度予算額 300百万円)\n"
    p3 = "○北方観測事業\n○南方観測事業\n説明。\n令和5年度予算額(案):300百万円(前年度予算額:300百万円)\n"
    facts = extract_facts(_doc(p1, p2, p3))
    assert {f.subject_assignment for f in facts if f.citation.page == 3} == {"unassigned"}


def test_a_reference_figure_is_not_given_to_the_pages_program():
    page = "深海探査プログラムの概要\n【事業内容】\n深海を調べる。\n【参考】関連経費\n令和5年度予算額(案) 8億円\n(前年度予算額 9億円)\n"
    facts = extract_facts(_doc(page))
    assert {(f.value, f.subject_assignment) for f in facts} == {("8億円", "unassigned"), ("9億円", "unassigned")}


def test_a_heading_above_an_amount_names_it():
    facts = extract_facts(_doc("○海洋人材育成事業\n令和５年度予算額（案）：４１２百万円（前年度予算額：３８８百万円）\n"))
    assert [(f.subject, f.attribute, f.value, f.fiscal_year, f.amount_yen) for f in facts] == [
        ("海洋人材育成事業", "令和5年度予算額(案)", "412百万円", "令和5年度", 412_000_000),
        ("海洋人材育成事業", "前年度予算額", "388百万円", "令和4年度", 388_000_000),
    ]


def test_key_value_blocks_follow_content_not_the_nearest_heading():
    page = (
        "観測の強化 令和5年度予算額(案) 900百万円\n(前年度予算額 800百万円)\n"
        "北方観測事業\n南方観測事業\n"
        "▷北の海の海氷を観測し気候予測に役立てる\n"
        "事業開始時期:令和2年度\n観測人数:40人\n"
        "【成果】\n○海氷の減少を明らかにした。\n"
        "事業開始時期:昭和31年度\n観測人数:約80名\n"
        "▷南の海の生物を長期に観測する\n"
    )
    profile = "○北方観測事業\n北の海の海氷を観測し、気候予測に役立てる。\n○南方観測事業\n南の海の生物を長期に観測する。\n"
    facts = extract_facts(_doc(profile, page))
    starts = {f.value: f.subject for f in facts if f.attribute == "事業開始時期"}
    assert starts == {"令和2年度": "北方観測事業", "昭和31年度": "南方観測事業"}


# -- the second budget-style text -------------------------------------------------------------------------------
NOON = "次世代海洋観測ネットワーク構築事業(NOON)"
ARCS = "北極域研究加速プロジェクト(ArCS)"
ANTARCTIC = "南極地域観測事業"
DEEP = "深海探査技術開発プログラム"
HR = "海洋人材育成事業"
POLAR = "極域観測の強化"
OCEAN = "海洋・極域研究の推進"
DATA = "海洋データ利活用人材の新たな育成モデルの構築"

OTHER_BUDGETS = [
    (1, OCEAN, "令和5年度予算額(案)", "245億円", "令和5年度", "explicit"),
    (1, OCEAN, "前年度予算額", "238億円", "令和4年度", "explicit"),
    (1, NOON, "令和5年度予算額(案)", "1,250百万円", "令和5年度", "inferred"),
    (1, NOON, "前年度予算額", "1,180百万円", "令和4年度", "inferred"),
    (1, DEEP, "令和5年度予算額(案)", "930百万円", "令和5年度", "inferred"),
    (1, DEEP, "前年度予算額", "990百万円", "令和4年度", "inferred"),
    (1, ARCS, "令和5年度予算額(案)", "4,420百万円", "令和5年度", "inferred"),
    (1, ARCS, "前年度予算額", "4,315百万円", "令和4年度", "inferred"),
    (1, ANTARCTIC, "令和5年度予算額(案)", "16,800百万円", "令和5年度", "inferred"),
    (1, ANTARCTIC, "前年度予算額", "16,640百万円", "令和4年度", "inferred"),
    (1, HR, "令和5年度予算額(案)", "412百万円", "令和5年度", "explicit"),
    (1, HR, "前年度予算額", "388百万円", "令和4年度", "explicit"),
    (2, NOON, "令和5年度予算額(案)", "1,250,000千円", "令和5年度", "explicit"),
    (2, NOON, "前年度予算額", "1,180,000千円", "令和4年度", "explicit"),
    (3, DATA, "令和5年度予算額(案)", "50百万円", "令和5年度", "inferred"),
    (3, DATA, "前年度予算額", "ー", "令和4年度", "inferred"),
    (4, POLAR, "令和5年度予算額(案)", "21,220百万円", "令和5年度", "explicit"),
    (4, POLAR, "前年度予算額", "20,955百万円", "令和4年度", "explicit"),
    (4, ARCS, "令和5年度予算額(案)", "4,420百万円", "令和5年度", "inferred"),
    (4, ARCS, "前年度予算額", "4,315百万円", "令和4年度", "inferred"),
    (4, ANTARCTIC, "令和5年度予算額(案)", "16,800百万円", "令和5年度", "inferred"),
    (4, ANTARCTIC, "前年度予算額", "16,640百万円", "令和4年度", "inferred"),
    (5, DEEP, "令和4年度補正予算額(案)", "30億円", "令和4年度", "inferred"),
    (5, "", "令和5年度予算額(案)", "8億円", "令和5年度", "unassigned"),
    (5, "", "前年度予算額", "9億円", "令和4年度", "unassigned"),
]


def test_the_second_text_budget_figures_get_their_subjects(other_facts):
    assert _budget_rows(other_facts) == sorted(OTHER_BUDGETS)


def test_the_second_text_cross_checks_across_units(other_facts):
    """The summary's 1,250百万円 and the detail page's 1,250,000千円 are one amount."""
    amounts = {f.value: f.amount_yen for f in other_facts if f.subject == NOON and "予算額" in f.attribute}
    assert amounts["1,250百万円"] == amounts["1,250,000千円"] == 1_250_000_000


@pytest.mark.parametrize(
    "subject, attribute, value",
    [
        (NOON, "委託額", "1億円～3億円/年・機関"),
        (NOON, "事業期間", "R3年度～"),
        (NOON, "採択件数", "8機関12件(令和4年度)"),
        (NOON, "支援額(沿岸観測タイプ)", "2千万円～8千万円"),
        (ARCS, "事業開始時期", "令和2年度"),
        (ARCS, "研究者派遣人数(見込み)", "120人"),
        (ANTARCTIC, "事業開始時期", "昭和31年度"),
        (ANTARCTIC, "観測期間", "約1年4か月"),
        (DATA, "支援件数", "15件程度"),
        (DEEP, "研究費/1課題", "年間最大8,000万円"),
        (DEEP, "採択予定件数", "約10件"),
    ],
)
def test_the_second_text_blocks_and_columns_get_their_subjects(other_facts, subject, attribute, value):
    assert any(f.subject == subject and f.attribute == attribute and f.value == value for f in other_facts)


# -- attribute names --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "attribute, canonical, detail",
    [
        ("令和4年度予算額(案)", "予算額", None),
        ("前年度予算額", "予算額", None),
        ("令和3年度補正予算額(案)", "補正予算額", None),
        ("新規採用人数(見込み)", "新規採用人数", None),
        ("支援期間/1件", "支援期間", None),
        ("支援額(国際協力加速タイプ)", "支援額", "国際協力加速タイプ"),
        ("海外派遣人数(長期)", "海外派遣人数", "長期"),
    ],
)
def test_attributes_reduce_to_the_word_a_question_uses(attribute, canonical, detail):
    assert canonical_attribute(attribute) == canonical
    assert attribute_detail(attribute) == detail


# -- running text and Markdown sections ----------------------------------------------------------------------------
ALPHA = "ALPHA国際共同研究プログラム"
BETA = "BETA-X共同研究事業"
MARINE = "海洋連携推進事業"
GAMMA = "ガンマ人材交流プログラム"
JOINT = "国際共同研究プログラム"
OMEGA = "OMEGA国際共同研究プログラム"
EASIA = "e-ASIA共同研究プログラム"
NEXT = "JST-NEXT国際事業"

# tests/data/prose_programs.md: subject, attribute, value, fiscal year, assignment, confidence
PROSE_FACTS = [
    # "Xの令和5年度予算額(案)は…(前年度予算額 …)である。": X is named in the sentence
    (ALPHA, "令和5年度予算額(案)", "1,234百万円", "令和5年度", "explicit", 0.95),
    (ALPHA, "前年度予算額", "1,200百万円", "令和4年度", "explicit", 0.95),
    # "本プログラムでは、支援額:…、支援期間:…": label:value in a sentence, 本プログラム = the section's program
    (ALPHA, "支援額", "1課題あたり最大30百万円", None, "inferred", 0.9),
    (ALPHA, "支援期間", "3年間", None, "inferred", 0.9),
    # a budget line under "### 予算", inside "## BETA-X共同研究事業"
    (BETA, "令和5年度予算額(案)", "456百万円", "令和5年度", "inferred", 0.85),
    (BETA, "前年度予算額", "400百万円", "令和4年度", "inferred", 0.85),
    (BETA, "採択件数", "12件", None, "inferred", 0.8),
    # "本事業は、令和5年度予算(案)において…を計上"
    (MARINE, "令和5年度予算(案)", "890百万円", "令和5年度", "inferred", 0.9),
    # "同プログラムの令和5年度予算額は、…(前年度 …)となっている。"
    (GAMMA, "令和5年度予算額", "75百万円", "令和5年度", "inferred", 0.9),
    (GAMMA, "前年度予算額", "70百万円", "令和4年度", "inferred", 0.9),
    (JOINT, "令和5年度予算額", "500百万円", "令和5年度", "explicit", 0.95),
    # "X(令和5年度予算額:…)は": the name before the parenthesis; Latin-prefixed names read whole
    (OMEGA, "令和5年度予算額", "800百万円", "令和5年度", "explicit", 0.95),
    (EASIA, "令和5年度予算額", "210百万円", "令和5年度", "explicit", 0.95),
    (EASIA, "前年度予算額", "190百万円", "令和4年度", "explicit", 0.95),
    # "Xは令和5年度に…を計上した。": the sentence's topic
    (NEXT, "令和5年度予算額", "95百万円", "令和5年度", "explicit", 0.9),
    # "我が国全体の…予算額": owned by something that is not a program, though it stands in a section
    ("", "令和5年度予算額", "9,999億円", "令和5年度", "unassigned", 0.0),
]


@pytest.fixture(scope="module")
def prose_facts():
    return extract_facts(normalize_document(load_document(str(PROSE))))


def test_figures_in_running_text_get_the_subject_the_sentence_or_section_names(prose_facts):
    got = [(f.subject, f.attribute, f.value, f.fiscal_year, f.subject_assignment, f.confidence) for f in prose_facts]
    assert got == PROSE_FACTS


def test_figures_in_running_text_cite_their_sentence_and_highlight_the_value(prose_facts):
    for fact in prose_facts:
        c = fact.citation
        assert c.text[c.highlight_start : c.highlight_end] == fact.value
        assert "\n" not in c.text  # the statement's own line, not the section


# text (Markdown unless it is plain text), expected (subject, attribute, value, assignment) of its facts
RUNNING_TEXT = [
    # a heading line followed by prose (plain text)
    ("デルタ科学協力事業\n本事業の令和5年度予算額(案)は320百万円である。\n",
     [("デルタ科学協力事業", "令和5年度予算額(案)", "320百万円", "inferred")]),
    ("イプシロン研究拠点形成事業\n令和5年度は、同事業に対し総額1億2,000万円を計上した。\n",
     [("イプシロン研究拠点形成事業", "令和5年度予算額", "総額1億2,000万円", "inferred")]),
    # a Markdown heading that names a program heads the facts below it, through sub-headings
    ("# KAPPA科学技術交流プログラム\n## 予算\n令和5年度予算額(案):60百万円(前年度予算額:55百万円)\n",
     [("KAPPA科学技術交流プログラム", "令和5年度予算額(案)", "60百万円", "inferred"),
      ("KAPPA科学技術交流プログラム", "前年度予算額", "55百万円", "inferred")]),
    ("## ラムダ研究者派遣事業の概要\n令和5年度予算額(案):44百万円\n",
     [("ラムダ研究者派遣事業", "令和5年度予算額(案)", "44百万円", "explicit")]),
    # the sentence's own subject wins over the section's
    ("## ミュー交流事業\nニュー連携事業の令和5年度予算額は30百万円である。\n",
     [("ニュー連携事業", "令和5年度予算額", "30百万円", "explicit")]),
    # a derived short form or abbreviation in the sentence names the full program
    ("## 戦略的クシー共同研究プログラム(XICP)\n概要。\n## 関連\nXICPの令和5年度予算額は7億円(前年度 6億円)です。\n",
     [("戦略的クシー共同研究プログラム(XICP)", "令和5年度予算額", "7億円", "explicit"),
      ("戦略的クシー共同研究プログラム(XICP)", "前年度予算額", "6億円", "explicit")]),
    # label:value in a sentence carrying its own subject
    ("オミクロン共同研究事業の支援額:最大5百万円、支援期間:2年間とする。\n",
     [("オミクロン共同研究事業", "支援額", "最大5百万円", "explicit"),
      ("オミクロン共同研究事業", "支援期間", "2年間", "explicit")]),
    # a derived name does not stand for a longer one that ends with it
    ("## 国際共同研究プログラム\n概要。\n## 関連\nPI国際共同研究プログラムの令和5年度予算額は8億円である。\n",
     [("PI国際共同研究プログラム", "令和5年度予算額", "8億円", "explicit")]),
    # no program anywhere: the figure stays unassigned (never paired by position)
    ("# 概要\n令和5年度予算額は100百万円である。\n", [("", "令和5年度予算額", "100百万円", "unassigned")]),
    ("## ロー連携事業\n我が国全体の令和5年度予算額は9,999億円である。\n", [("", "令和5年度予算額", "9,999億円", "unassigned")]),
]


@pytest.mark.parametrize("text, expected", RUNNING_TEXT)
def test_running_text_and_headings_give_figures_their_subject(text, expected):
    media_type = "text/markdown" if "#" in text else "text/plain"
    facts = extract_facts(_text_doc(text, media_type))
    assert [(f.subject, f.attribute, f.value, f.subject_assignment) for f in facts] == expected


def test_a_sentence_is_not_read_as_a_budget_heading():
    doc = _text_doc("# ゼータ交流プログラム\nゼータ交流プログラムの令和5年度予算額(案)は77百万円(前年度予算額 70百万円)である。\n")
    names = {m.name for m in derive_names(doc)}
    assert names == {"ゼータ交流プログラム"}


# text, names derived from it
LATIN_NAMES = [
    ("SIGMA国際共同研究プログラムを推進する。", ["SIGMA国際共同研究プログラム"]),
    ("e-ASIA共同研究プログラムの公募を行う。", ["e-ASIA共同研究プログラム"]),
    ("JST-NEXT国際事業は新規採択を行う。", ["JST-NEXT国際事業"]),
    ("令和5年度OMEGA連携事業を開始。", ["OMEGA連携事業"]),
    ("日ASEAN科学技術協力事業(JAST)を実施。", ["日ASEAN科学技術協力事業(JAST)"]),
    ("# KAPPA科学技術交流プログラムの概要", ["KAPPA科学技術交流プログラム"]),
    ("PHIプログラムIIの公募", ["PHIプログラムII"]),
    ("2022年度国際共同研究プログラムの成果", ["国際共同研究プログラム"]),
    ("採択は事業2件。", []),
]


@pytest.mark.parametrize("text, names", LATIN_NAMES)
def test_names_with_latin_parts_are_derived_whole(text, names):
    assert [m.name for m in derive_names(text)] == names


# -- the gazetteer ---------------------------------------------------------------------------------------------------
def test_names_are_derived_from_the_documents(corpus_doc):
    names = {m.name for m in derive_names(corpus_doc)}
    assert {SICORP, SATREPS, WPI, OVERSEAS, INVITE, CHALLENGE, YOUTH, GLOBAL, LEADING} <= names


def test_a_diamond_heading_followed_by_circle_headings_is_a_group(corpus_doc):
    # page 1's list gives three members; the group's own page (page 4, opened by its budget heading) a fourth
    assert find_groups(corpus_doc.text)[GLOBAL] == [OVERSEAS, INVITE, CHALLENGE, YOUTH]


def test_a_group_page_adds_members_only_from_that_page():
    text = ("◇人材の育成等\n○甲事業\n説明。\n○乙事業\n説明。\n◇丙プログラム\n"
            "\f人材の育成等 令和5年度予算額(案) 900百万円\n甲事業\n乙事業\n丁交流事業\n"
            "\f戊研究事業\n")
    groups = find_groups(text)
    assert groups["人材の育成等"] == ["甲事業", "乙事業", "丁交流事業"]  # 丁 is headed on the group's own page only


# question, expected subject, how it was named
MATCHES = [
    ("SICORPの予算は？", SICORP, "abbreviation"),
    ("sicorpの予算は？", SICORP, "abbreviation"),
    ("ＳＡＴＲＥＰＳの前年度予算額", SATREPS, "abbreviation"),
    ("WPIの予算額", WPI, "abbreviation"),
    ("海外特別研究員の採用人数は？", OVERSEAS, "short"),
    ("海外特別研究員事業の支援期間", OVERSEAS, "name"),
    ("若手研究者海外挑戦の渡航期間", CHALLENGE, "short"),
    ("外国人研究者招聘事業の開始は", INVITE, "name"),
    ("国際先導研究の支援額", LEADING, "short"),
    ("戦略的国際共同研究プログラムの予算", SICORP, "name"),
    ("新たな流動モードの促進の予算は", MOBILITY, "partial"),
    ("What is the budget of the Strategic International Collaborative Research Program?", SICORP, "english"),
    ("How many Overseas Research Fellowships are awarded?", OVERSEAS, "english"),
    ("JSPS International Fellowships for Research in Japan budget", INVITE, "english"),
    ("When did the Sakura Science Exchange Program start?", YOUTH, "english"),
    ('Grants-in-Aid for Scientific Research "International Leading Research"', LEADING, "english"),
]


@pytest.fixture(scope="module")
def gazetteer(corpus_doc, corpus_facts):
    return build_gazetteer([corpus_doc, *corpus_facts])


@pytest.mark.parametrize("question, subject, kind", MATCHES)
def test_questions_can_name_a_program_loosely(gazetteer, question, subject, kind):
    best = gazetteer.match(question)[0]
    assert (best.name, best.kind) == (subject, kind)


def test_a_question_naming_two_programs_gets_both(gazetteer):
    assert {m.name for m in gazetteer.match("SICORPとSATREPSの予算はどちらが大きい？")} == {SICORP, SATREPS}


def test_a_question_naming_no_program_gets_none(gazetteer):
    assert gazetteer.match("日本の研究者の数は？") == []


@pytest.fixture(scope="module")
def two_collections_gazetteer(corpus_doc, corpus_facts, prose_facts):
    """The bundled corpus and a user's Markdown document, as an index holding both would have them."""
    prose_doc = normalize_document(load_document(str(PROSE)))
    return build_gazetteer([corpus_doc, prose_doc, *corpus_facts, *prose_facts])


# question, the subject it names (None: none), how
LONGEST_MATCHES = [
    ("OMEGA国際共同研究プログラムの予算は？", OMEGA, "name"),
    ("国際共同研究プログラムの予算は？", JOINT, "name"),
    ("令和5年度国際共同研究プログラムの予算は？", JOINT, "name"),
    ("e-ASIA共同研究プログラムの令和5年度予算額は？", EASIA, "name"),
    ("JST-NEXT国際事業の予算は？", NEXT, "name"),
    ("ALPHA国際共同研究プログラムの支援額は？", ALPHA, "name"),
    ("ALPHAの予算は？", ALPHA, "short"),
    ("BETA-X共同研究の採択件数は？", BETA, "short"),
    ("戦略的国際共同研究プログラムの予算は？", SICORP, "name"),
    # a longer name the documents do not have is another program: no subject rather than a wrong one
    ("SIGMA国際共同研究プログラムの予算は？", None, None),
    ("ZETA青少年サイエンス交流事業の予算は？", None, None),
    ("先端国際共同研究プログラムの予算は？", None, None),
    ("JSPS海外特別研究員事業の予算は？", None, None),
    # a word before a short form is not a longer name
    ("新規海外特別研究員の人数は？", OVERSEAS, "short"),
]


@pytest.mark.parametrize("question, subject, kind", LONGEST_MATCHES)
def test_the_longest_name_a_question_writes_is_matched_or_none(two_collections_gazetteer, question, subject, kind):
    matches = two_collections_gazetteer.match(question)
    if subject is None:
        assert matches == []
    else:
        assert [(m.name, m.kind) for m in matches] == [(subject, kind)]


# question, the subject a partial match gives (None: none)
PARTIAL_MATCHES = [
    ("新たな流動モードの促進の予算は", MOBILITY),
    ("青少年サイエンス交流事業の予算は？", YOUTH),
    # the same part inside a longer program name the question writes
    ("ZETA新たな流動モードの促進の予算は", None),
    ("関東青少年サイエンス交流事業の予算は？", None),
    ("ZETA国際共同研究プログラムの令和4年度予算額は？", None),
]


@pytest.mark.parametrize("question, subject", PARTIAL_MATCHES)
def test_a_partial_match_never_stands_for_another_program(gazetteer, question, subject):
    matches = gazetteer.match(question)
    assert [m.name for m in matches] == ([subject] if subject else [])
    assert all(m.kind == "partial" for m in matches)


def test_english_aliases_are_data_a_user_can_extend(other_doc, other_facts, tmp_path):
    aliases = tmp_path / "aliases.json"
    aliases.write_text(
        json.dumps({"programs": [{"ja": ["ArCS"], "en": ["Arctic Challenge for Sustainability"]}]}), encoding="utf-8"
    )
    gaz = build_gazetteer([other_doc, *other_facts], aliases=aliases)
    assert gaz.match("What is the budget of the Arctic Challenge for Sustainability?")[0].name == ARCS
    assert gaz.match("北極域研究加速の予算")[0].name == ARCS


def _code_strings(path: Path) -> list[str]:
    """Every string literal of a module except documentation (docstrings and bare string statements,
    whose examples may show a name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_program_name_of_the_corpus_is_typed_into_the_code():
    sources = [ROOT / "ingest" / "gazetteer.py", ROOT / "ingest" / "facts.py", ROOT / "ingest" / "units.py", ROOT / "assistant" / "facts.py"]
    names = ["SICORP", "SATREPS", "WPI", "海外特別研究員", "外国人研究者招へい", "若手研究者海外挑戦", "国際青少年", "国際先導研究", "流動モード", "1,160"]
    for path in sources:
        for literal in _code_strings(path):
            for name in names:
                assert name not in literal, f"{path.name} names {name}: names and figures must come from the documents"


def test_a_yearly_amount_times_years_gives_the_period_and_a_first_cohort_gives_the_start():
    facts = extract_facts(_doc(
        "北極観測拠点プログラム 令和5年度予算額(案) 900百万円\n"
        "・当初採用3拠点(平成25年度～)は成果を挙げている\n"
        "・支援規模:最大3億円/年×5年\n"
    ))
    got = {(f.subject, f.attribute, f.value, f.quantity, f.unit) for f in facts if f.attribute in {"支援期間", "事業開始時期"}}
    assert got == {
        ("北極観測拠点プログラム", "支援期間", "5年", 5.0, "年"),
        ("北極観測拠点プログラム", "事業開始時期", "平成25年度", 2013.0, "年度"),
    }


def test_a_stated_period_or_start_is_not_overridden_and_two_programs_get_no_inferred_start():
    stated = extract_facts(_doc(
        "北極観測拠点プログラム 令和5年度予算額(案) 900百万円\n"
        "事業開始時期:平成20年度\n支援期間:3年間\n"
        "・当初採用3拠点(平成25年度～)\n・支援規模:最大3億円/年×5年\n"
    ))
    assert [f.value for f in stated if f.attribute == "事業開始時期"] == ["平成20年度"]
    assert [f.value for f in stated if f.attribute == "支援期間"] == ["3年間"]
    two = extract_facts(_doc(
        "○北方観測事業\n北の海を観測する。\n○南方観測事業\n南の海を観測する。\n"
        "・当初採択5件(平成25年度～)は継続中\n"
    ))
    assert not [f for f in two if f.attribute == "事業開始時期"]
