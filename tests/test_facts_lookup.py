"""Figure questions: parsing, lookup, derived numbers and answer sentences over the extracted facts.

The question set here is written for these tests (it is not the held-out gold set). Facts come from the
real pipeline: `load_document` → `normalize_document` → `extract_facts`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.facts import (
    asks_which_program,
    FactOperation,
    FactQuery,
    FactResult,
    FactsIndex,
    describe_fact_result,
    facts_table,
    format_amount,
    lookup,
    loose_subject,
    parse_fact_question,
)
from ingest.facts import extract_facts
from ingest.loaders import load_document
from ingest.normalize import normalize_document
from ingest.units import find_money

from corpus_names import (  # noqa: F401  (shared names of the bundled corpus)
    ROOT, CORPUS, OTHER, PROSE, SICORP, SATREPS, WPI, OVERSEAS, INVITE, CHALLENGE, YOUTH, LEADING,
)


@pytest.fixture(scope="module")
def index():
    doc = normalize_document(load_document(str(CORPUS)))
    return FactsIndex.build(extract_facts(doc), [doc])


@pytest.fixture(scope="module")
def mixed_index():
    """The bundled corpus plus a user's Markdown document written in sentences, in one index."""
    docs = [normalize_document(load_document(str(path))) for path in (CORPUS, PROSE)]
    return FactsIndex.build([f for d in docs for f in extract_facts(d)], docs)


@pytest.fixture(scope="module")
def other_index():
    doc = normalize_document(load_document(str(OTHER)))
    return FactsIndex.build(extract_facts(doc), [doc])


# -- amounts -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "yen, unit, text",
    [
        (1_160_000_000, "億円", "11.6億円"),
        (1_160_000_000, "百万円", "1,160百万円"),
        (1_826_000_000, "億円", "18.26億円"),
        (13_800_000_000, "億円", "138億円"),
        (82_000_000, "百万円", "82百万円"),
        (-50_000_000, "百万円", "-50百万円"),
        (265_000_000, "億円", "2.65億円"),
        (1_160_000_000, "万円", "116,000万円"),
        (1_160_000_000, "千円", "1,160,000千円"),
        (500, "円", "500円"),
        (11_000_000_000, "兆円", "0.011兆円"),
        (1_160_000_000, "billion yen", "1.16 billion yen"),
    ],
)
def test_amounts_convert_exactly_between_units(yen, unit, text):
    assert format_amount(yen, unit) == text


def test_an_unknown_unit_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="億円"):
        format_amount(1, "ドル")


# -- parsing ------------------------------------------------------------------------------------------------------
# question, subjects, attribute, fiscal year, wanted unit, operation
PARSE_TABLE = [
    ("SICORPの令和4年度予算額は？", (SICORP,), "予算額", "令和4年度", None, "lookup"),
    ("SICORPの予算は何億円？", (SICORP,), "予算額", None, "億円", "lookup"),
    ("SATREPSのR3年度の予算", (SATREPS,), "予算額", "令和3年度", None, "lookup"),
    ("海外特別研究員の採用人数は？", (OVERSEAS,), "新規採用人数", None, None, "lookup"),
    ("外国人研究者招へい事業はいつから？", (INVITE,), "事業開始時期", None, None, "lookup"),
    ("若手研究者海外挑戦プログラムの渡航期間は", (CHALLENGE,), "渡航期間", None, None, "lookup"),
    ("国際先導研究の補正予算は", (LEADING,), "補正予算額", None, None, "lookup"),
    ("SICORPの予算は前年度からどれだけ増えた？", (SICORP,), "予算額", None, None, "diff"),
    ("SICORPとSATREPSはどちらの予算が大きい？", (SICORP, SATREPS), "予算額", None, None, "compare"),
    ("SICORPとWPIの予算の合計は？", (SICORP, WPI), "予算額", None, None, "sum"),
    ("What is the FY2022 budget of SATREPS?", (SATREPS,), "予算額", "令和4年度", None, "lookup"),
    ("How much was the WPI budget in 2021?", (WPI,), "予算額", "令和3年度", None, "lookup"),
    ("What is the SICORP budget in 100 million yen?", (SICORP,), "予算額", None, "億円", "lookup"),
    ("How many Overseas Research Fellows are newly hired?", (OVERSEAS,), "新規採用人数", None, None, "lookup"),
    # the name took the noun ("Fellows"): "how many" still asks for a count, not a budget
    ("How many new Overseas Research Fellows are expected?", (OVERSEAS,), "人数", None, None, "lookup"),
    ("ALPHA国際共同研究プログラムの予算は？", (), "予算額", None, None, "lookup"),
    ("What is the support period of International Leading Research per project?", (LEADING,), "支援期間", None, None, "lookup"),
]


@pytest.mark.parametrize("question, subjects, attribute, year, unit, operation", PARSE_TABLE)
def test_figure_questions_are_parsed(index, question, subjects, attribute, year, unit, operation):
    q = parse_fact_question(question, index.gazetteer)
    assert (q.subjects, q.attribute, q.fiscal_year, q.wants_unit, q.operation.value) == (
        subjects, attribute, year, unit, operation,
    )
    assert q.is_figure_question


def test_a_relative_year_is_resolved_against_a_reference_year(index):
    q = parse_fact_question("では前年度は？", index.gazetteer, reference_year="令和4年度")
    assert (q.fiscal_year, q.year_offset) == ("令和3年度", -1)


@pytest.mark.parametrize("question", ["SICORPの目的は？", "WPIとはどんな事業ですか", "What does SATREPS aim at?"])
def test_questions_that_ask_for_no_figure_are_not_figure_questions(index, question):
    assert not parse_fact_question(question, index.gazetteer).is_figure_question


# -- accuracy on figure questions ---------------------------------------------------------------------------------------
# question, the value that must answer it (a fact's value as written, or the derived text)
FIGURE_QUESTIONS = [
    ("SICORPの令和4年度予算額は？", "1,160百万円"),
    ("戦略的国際共同研究プログラムの予算はいくら？", "1,160百万円"),
    ("SICORPの前年度予算額は？", "1,078百万円"),
    ("SICORPの予算は前年度からどれだけ増えた？", "82百万円"),
    ("SATREPSの令和4年度予算額は？", "1,826百万円"),
    ("SATREPSの令和3年度予算額は？", "1,876百万円"),
    ("SATREPSの予算の増減は？", "-50百万円"),
    ("海外特別研究員事業の予算額は？", "2,422百万円"),
    ("海外特別研究員の前年度予算額", "2,422百万円"),
    ("外国人研究者招へい事業の令和4年度予算額は？", "3,414百万円"),
    ("外国人研究者招へい事業の前年度の予算は？", "3,414百万円"),
    ("若手研究者海外挑戦プログラムの予算額は？", "265百万円"),
    ("若手研究者海外挑戦の前年度予算額は？", "265百万円"),
    ("国際青少年サイエンス交流事業の予算は？", "1,371百万円"),
    ("国際青少年サイエンス交流事業の前年度予算額は？", "1,267百万円"),
    ("国際青少年サイエンス交流事業の予算は前年度比でどう変わった？", "104百万円"),
    ("WPIの令和4年度予算額は？", "6,100百万円"),
    ("世界トップレベル研究拠点プログラムの前年度予算額は？", "6,100百万円"),
    ("グローバルに活躍する若手研究者の育成等の予算額は？", "7,471百万円"),
    ("グローバルに活躍する若手研究者の育成等の前年度予算額は？", "7,367百万円"),
    ("科学技術イノベーションの戦略的国際展開の予算額は？", "138億円"),
    ("科学技術イノベーションの戦略的国際展開の前年度予算額は？", "137億円"),
    ("国際先導研究の補正予算額は？", "110億円"),
    ("国際先導研究の予算はいくら？", "110億円"),
    ("新たな流動モードの促進の予算は？", "50百万円"),
    ("海外特別研究員の新規採用人数は？", "178人"),
    ("若手研究者海外挑戦プログラムの採用人数は？", "140人"),
    ("外国人研究者招へい事業で何人採用する？", "491人"),
    ("国際青少年サイエンス交流事業の受入人数は？", "約2,760人"),
    ("国際青少年サイエンス交流事業の受入期間は？", "約1～3週間"),
    ("海外特別研究員事業の支援期間は？", "2年間"),
    ("外国人研究者招へい事業の支援期間は？", "2年以内"),
    ("若手研究者海外挑戦プログラムの渡航期間は？", "3か月～1年程度"),
    ("海外特別研究員事業はいつから？", "昭和57年度"),
    ("外国人研究者招へい事業の事業開始時期は？", "昭和63年度"),
    ("若手研究者海外挑戦プログラムはいつ始まった？", "平成29年度"),
    ("国際青少年サイエンス交流事業の開始時期は？", "平成26年度"),
    ("SICORPの支援額は？", "5百万円～1億円/年・課題"),
    ("SICORPの支援期間は？", "3年間"),
    ("SICORPの件数は？", "26か国59件(令和3年度)"),
    ("SICORPのコアチーム共同研究タイプの支援額は？", "10百万円～30百万円"),
    ("SICORPの国際共同研究拠点タイプの支援期間は？", "5年間、評価により10年間"),
    ("国際先導研究の1件あたりの支援額は？", "最大5億円(直接経費)"),
    ("国際先導研究の支援件数は？", "約15件"),
    ("国際先導研究の長期の海外派遣人数は？", "約225人(15件×15人)"),
    ("WPIの支援規模は？", "最大7億円/年×10年(2007, 2010年度採択拠点は～14億円/年程度)"),
    ("SICORPとSATREPSの予算の合計は？", "2,986百万円"),
    ("海外特別研究員事業と外国人研究者招へい事業と若手研究者海外挑戦プログラムの予算の合計は？", "6,101百万円"),
    ("SICORPとSATREPSはどちらの予算が大きい？", "666百万円"),
    ("What is the FY2022 budget of the Strategic International Collaborative Research Program?", "1,160百万円"),
    ("How much was the SATREPS budget last year?", "1,876百万円"),
    ("How many Overseas Research Fellows are newly hired?", "178人"),
    ("When did the Sakura Science Exchange Program start?", "平成26年度"),
    ("How much is the supplementary budget for International Leading Research?", "110億円"),
    ("What is the total budget of SICORP and WPI?", "7,260百万円"),
]


def _answer_value(result: FactResult) -> str | None:
    if not result.answerable:
        return None
    if result.query.operation is FactOperation.LOOKUP:
        return result.facts[0].value
    return result.derived_text


def _amounts_are_grounded(result: FactResult, sentence: str) -> bool:
    """Every money figure in the sentence is a fact's amount (or written in its value), or derived from the facts."""
    allowed = set()
    for f in result.facts:
        allowed |= {f.amount_yen, f.amount_yen_min, f.amount_yen_max}
        for m in find_money(f.value):
            allowed |= {m.yen, m.yen_min, m.yen_max}
        assert f.value in f.citation.text, "a fact's value must be verbatim in its cited passage"
    if result.derived_yen is not None:
        allowed |= {result.derived_yen, abs(result.derived_yen)}
    allowed.discard(None)
    return all(m.yen in allowed or m.yen_min in allowed or m.yen_max in allowed for m in find_money(sentence))


def test_figure_questions_are_answered_exactly_with_no_wrong_amount(index):
    right, wrong, failures = 0, 0, []
    for question, expected in FIGURE_QUESTIONS:
        result = index.answer(question)
        got = _answer_value(result)
        sentence = describe_fact_result(result, result.query.lang)
        assert _amounts_are_grounded(result, sentence), sentence
        if got == expected:
            right += 1
        else:
            failures.append((question, expected, got))
            wrong += got is not None
    accuracy = right / len(FIGURE_QUESTIONS)
    assert wrong == 0, f"wrong amounts: {failures}"
    assert accuracy >= 0.95, f"accuracy {accuracy:.3f}; misses: {failures}"


def test_answers_cite_the_page_where_the_figure_stands(index):
    result = index.answer("SICORPの令和4年度予算額は？")
    assert [f.citation.page for f in result.facts] == [2, 1]  # the explicit heading first, then the summary list
    result = index.answer("海外特別研究員の採用人数は？")
    assert result.facts[0].citation.page == 4


# -- answer sentences ----------------------------------------------------------------------------------------------------
DESCRIBE_TABLE = [
    ("SICORPの令和4年度予算額は？", "ja", "戦略的国際共同研究プログラム(SICORP)の令和4年度予算額(案)は1,160百万円（11.6億円）です。"),
    ("SICORPの予算は何億円？", "ja", "戦略的国際共同研究プログラム(SICORP)の令和4年度予算額(案)は11.6億円（1,160百万円）です。"),
    (
        "SICORPの予算は前年度からどれだけ増えた？",
        "ja",
        "戦略的国際共同研究プログラム(SICORP)の令和4年度予算額(案)は前年度から82百万円の増加（+7.6%）です。"
        "（令和4年度予算額(案) 1,160百万円、前年度予算額（令和3年度） 1,078百万円）",
    ),
    (
        "WPIの予算は前年度と比べて増えた？",
        "ja",
        "世界トップレベル研究拠点プログラム(WPI)の令和4年度予算額(案)は前年度と同額です。"
        "（令和4年度予算額(案) 6,100百万円、前年度予算額（令和3年度） 6,100百万円）",
    ),
    (
        "SICORPとSATREPSはどちらの予算が大きい？",
        "ja",
        "地球規模課題対応国際科学技術協力プログラム(SATREPS)の方が大きく、1,826百万円です。"
        "戦略的国際共同研究プログラム(SICORP)は1,160百万円で、差は666百万円です。",
    ),
    (
        "新たな流動モードの促進の予算は前年度から増えた？",
        "ja",
        "国際頭脳循環に参入する若手研究者の新たな流動モードの促進の増減は、金額の記載がない年度があるため計算できません。"
        "（令和4年度予算額(案) 50百万円、前年度予算額（令和3年度） 「ー」）",
    ),
    (
        "How much was the SATREPS budget last year?",
        "en",
        "The FY2021 budget (前年度予算額) of SATREPS (地球規模課題対応国際科学技術協力プログラム(SATREPS)) is 1,876百万円 (18.76億円).",
    ),
]


@pytest.mark.parametrize("question, lang, sentence", DESCRIBE_TABLE)
def test_the_direct_answer_sentence_states_the_value_as_written(index, question, lang, sentence):
    assert describe_fact_result(index.answer(question), lang) == sentence


def test_details_the_question_does_not_choose_are_all_listed(index):
    result = index.answer("国際先導研究の海外派遣人数は？")
    assert result.listing
    assert [f.value for f in result.facts] == ["約225人(15件×15人)", "約1,600人(15件×のべ105人)"]


# -- not in the documents: no number ------------------------------------------------------------------------------------------
UNANSWERABLE = [
    ("SICORPの令和2年度予算額は？", "fiscal_year"),
    ("SATREPSの新規採用人数は？", "attribute"),
    ("宇宙開発事業の予算は？", "subject"),
    ("WPIの目的は？", "not_a_figure_question"),
    ("SATREPSの支援件数は何件？", "attribute"),
]


@pytest.mark.parametrize("question, missing", UNANSWERABLE)
def test_questions_the_facts_cannot_answer_get_no_number(index, question, missing):
    result = index.answer(question)
    assert not result.answerable
    assert result.missing == missing
    sentence = describe_fact_result(result)
    assert sentence == "資料には記載がありません。"
    assert not any(ch.isdigit() for ch in sentence)


def test_an_unassigned_amount_never_answers(other_index):
    """The 【参考】 figure of the second text has no subject; no question reaches it."""
    assert all(8_0000_0000 != f.amount_yen for r in [other_index.answer("深海探査技術開発プログラムの予算は？")] for f in r.facts)


def test_lookup_refuses_a_non_figure_query():
    assert lookup(FactQuery(question="?", subjects=(SICORP,)), []).missing == "not_a_figure_question"


# -- the second budget-style text --------------------------------------------------------------------------------------------
OTHER_QUESTIONS = [
    ("NOONの令和5年度予算額は？", "1,250,000千円"),
    ("NOONの予算は何億円？", "1,250,000千円"),
    ("深海探査技術開発プログラムの予算額は？", "930百万円"),
    ("深海探査技術開発プログラムの補正予算は？", "30億円"),
    ("ArCSの前年度予算額は？", "4,315百万円"),
    ("南極地域観測事業の予算は前年度からどれだけ増えた？", "160百万円"),
    ("南極地域観測事業の観測期間は？", "約1年4か月"),
    ("北極域研究加速プロジェクトの事業開始時期は？", "令和2年度"),
    ("ArCSと南極地域観測事業の予算の合計は？", "21,220百万円"),
    ("海洋人材育成事業の前年度予算額は？", "388百万円"),
]


@pytest.mark.parametrize("question, expected", OTHER_QUESTIONS)
def test_the_second_text_answers_its_own_figure_questions(other_index, question, expected):
    result = other_index.answer(question)
    assert _answer_value(result) == expected
    assert _amounts_are_grounded(result, describe_fact_result(result))


def test_a_conversion_of_a_thousand_yen_figure_is_exact(other_index):
    assert describe_fact_result(other_index.answer("NOONの予算は何億円？")) == (
        "次世代海洋観測ネットワーク構築事業(NOON)の令和5年度予算額(案)は12.5億円（1,250,000千円）です。"
    )


# -- the facts table ------------------------------------------------------------------------------------------------------------
def test_the_facts_table_has_one_row_per_fact_with_page_and_assignment(index):
    rows = facts_table(index.facts)
    assert len(rows) == len(index.facts)
    sicorp = [r for r in rows if r["subject"] == SICORP and r["attribute"] == "令和4年度予算額(案)"]
    assert {(r["value"], r["amount_yen"], r["page"], r["assignment"]) for r in sicorp} == {
        ("1,160百万円", 1_160_000_000, 2, "explicit"),
        ("1,160百万円", 1_160_000_000, 1, "inferred"),
    }


# -- a user's document written in sentences, next to the corpus ----------------------------------------------------------------
# question, the answer's value (or derived figure), None when the documents do not say
PROSE_QUESTIONS = [
    ("ALPHA国際共同研究プログラムの令和5年度予算額は？", "1,234百万円"),
    ("ALPHAの前年度予算額は？", "1,200百万円"),
    ("ALPHA国際共同研究プログラムの支援額は？", "1課題あたり最大30百万円"),
    ("BETA-X共同研究事業の予算は？", "456百万円"),
    ("BETA-X共同研究事業の採択件数は？", "12件"),
    ("海洋連携推進事業の予算は何億円？", "890百万円"),
    ("ガンマ人材交流プログラムの前年度予算額は？", "70百万円"),
    ("ガンマ人材交流プログラムの予算は前年度からどれだけ増えた？", "5百万円"),
    ("国際共同研究プログラムの予算は？", "500百万円"),
    ("OMEGA国際共同研究プログラムの予算は？", "800百万円"),
    ("e-ASIA共同研究プログラムの予算は前年度からどれだけ増えた？", "20百万円"),
    ("JST-NEXT国際事業の令和5年度予算額は？", "95百万円"),
    ("OMEGA国際共同研究プログラムとALPHA国際共同研究プログラムの予算の合計は？", "2,034百万円"),
    # the corpus still answers next to it
    ("SICORPの令和4年度予算額は？", "1,160百万円"),
    ("国際青少年サイエンス交流事業の予算は？", "1,371百万円"),
    # programs the documents do not have: no answer rather than another program's figure
    ("SIGMA国際共同研究プログラムの予算は？", None),
    ("ZETA人材交流プログラムの予算は？", None),
    ("関東青少年サイエンス交流事業の予算は？", None),
]


@pytest.mark.parametrize("question, expected", PROSE_QUESTIONS)
def test_a_document_written_in_sentences_answers_its_figure_questions(mixed_index, question, expected):
    result = mixed_index.answer(question)
    assert _answer_value(result) == expected
    sentence = describe_fact_result(result)
    assert _amounts_are_grounded(result, sentence)
    if expected is None:
        assert result.missing == "subject" and sentence == "資料には記載がありません。"


def test_the_answer_names_the_program_the_question_named(mixed_index):
    assert describe_fact_result(mixed_index.answer("OMEGA国際共同研究プログラムの令和5年度予算額は？")) == (
        "OMEGA国際共同研究プログラムの令和5年度予算額は800百万円（8億円）です。"
    )


@pytest.mark.parametrize("question, expected", [
    ("予算額が最も多い事業は？", True),
    ("一番歴史が古いのはどれ？", True),
    ("受入人数がいちばん多いのは？", True),
    ("Which program has the largest budget?", True),
    ("最大5億円はどの事業の支援額？", False),  # a quoted ceiling, not an extreme
    ("予算額は前年度より多い？", False),  # no extreme asked
    ("SICORPの支援額は最大いくら？", False),  # no program asked for
])
def test_a_question_asking_which_program_is_at_an_end(question, expected):
    assert asks_which_program(question) is expected


def test_a_word_that_cuts_a_name_and_stands_apart_in_the_text_is_not_that_name():
    index = FactsIndex.build([], [normalize_document(load_document(str(CORPUS)))])
    assert index.used_apart("科学研究", "科学研究費助成事業「国際先導研究」")  # "科学研究のベンチマーキング"
    assert not index.used_apart("流動モード", "国際頭脳循環に参入する若手研究者の新たな流動モードの促進")  # a whole word
    assert not index.used_apart("海外挑戦", "若手研究者海外挑戦プログラム")


def test_a_word_written_only_in_the_text_right_after_a_name_still_names_that_program(other_index):
    # "北極域の急激な環境変化…" follows ArCS's heading: the program describing itself
    assert not other_index.used_apart("北極域", "北極域研究加速プロジェクト(ArCS)")
    assert other_index.answer("北極域の予算は？").facts[0].value == "4,420百万円"
    bundled = FactsIndex.build([], [normalize_document(load_document(str(CORPUS)))])
    assert not bundled.used_apart("地球規模課題", "地球規模課題対応国際科学技術協力プログラム(SATREPS)")


def test_a_quoted_figure_stands_for_the_program_that_states_it(other_index):
    assert [(text, facts[0].subject) for text, facts in other_index.quoted_facts("「930百万円」はどの事業の予算？")] == [
        ("930百万円", "深海探査技術開発プログラム")]
    result = other_index.answer("「930百万円」の事業の前年度予算は？")
    assert result.answerable and result.facts[0].value == "990百万円"


@pytest.mark.parametrize("question", [
    "5年間で終わるのは？",  # a bare duration is no program's figure
    "11,250百万円の事業は？",  # 1,250百万円 inside a larger number
])
def test_a_figure_too_common_or_cut_from_another_names_no_program(other_index, question):
    assert other_index.quoted_facts(question) == []


def test_a_word_the_question_acts_on_names_no_program_loosely():
    names = ["国際頭脳循環に参入する若手研究者の新たな流動モードの促進", "戦略的国際共同研究プログラム(SICORP)"]
    assert loose_subject("国際頭脳循環の予算は？", names) == names[0]
    assert loose_subject("国際頭脳循環への参画を支援する予算は？", names) is None  # "…への参画": a topic, not a name
