"""Programs named by what they do (assistant/describe.py), on the second budget-style text and the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.describe import described_program, description_clauses, program_lines
from assistant.facts import FactsIndex
from ingest.facts import extract_facts
from ingest.loaders import load_document
from ingest.models import Document, Page
from ingest.normalize import normalize_document

OTHER = Path(__file__).parent / "data" / "other_budget.txt"


@pytest.fixture(scope="module")
def other_index():
    doc = normalize_document(load_document(str(OTHER)))
    return FactsIndex.build(extract_facts(doc), [doc])


def _doc(text: str) -> Document:
    return Document(doc_id="d", source="s", title="t", text=text, pages=(Page(number=1, start=0, end=len(text)),),
                    paged=False, content_hash="h")


TWO_PROGRAMS = {"深海探査技術開発プログラム": ["深海探査技術開発プログラム"], "沿岸防災観測事業": ["沿岸防災観測事業"]}


def _lines(text: str) -> dict[str, list[tuple[str, float]]]:
    """The lines of a one-page document `text` each of TWO_PROGRAMS owns."""
    return program_lines([_doc(text)], [], TWO_PROGRAMS)


def test_lines_under_two_headings_in_a_row_go_to_the_one_whose_name_they_echo():
    text = "◇深海探査技術開発プログラム\n◇沿岸防災観測事業\n無人探査機で深海を調べる技術を開発する。\n沿岸の防災のため観測網を整える。"
    lines = _lines(text)
    assert ("無人探査機で深海を調べる技術を開発する。", 1.0) in lines["深海探査技術開発プログラム"]
    assert ("沿岸の防災のため観測網を整える。", 1.0) in lines["沿岸防災観測事業"]
    assert all("無人探査機" not in line for line, _ in lines["沿岸防災観測事業"])


def test_a_line_echoing_neither_heading_is_shared_at_half_weight():
    text = "◇深海探査技術開発プログラム\n◇沿岸防災観測事業\n令和5年度から実施する。"
    lines = _lines(text)
    assert ("令和5年度から実施する。", 0.5) in lines["深海探査技術開発プログラム"]
    assert ("令和5年度から実施する。", 0.5) in lines["沿岸防災観測事業"]


@pytest.mark.parametrize("terms, expected", [
    (["無人探査機", "深海"], "A"),
    (["観測網", "防災"], "B"),
    (["研究"], None),  # every program's lines hold it: it tells none apart
    (["深海", "防災"], None),  # one word for each: no program stands clearly ahead
])
def test_a_description_names_the_program_whose_lines_hold_its_words(terms, expected):
    profiles = {"A": [("無人探査機で深海を調べる研究。", 1.0)], "B": [("沿岸の防災のため観測網を整える研究。", 1.0)],
                "C": [("若手の研究者を育てる。", 1.0)]}
    assert described_program(terms, profiles) == expected


def test_description_clauses_end_at_a_noun_standing_for_a_program():
    q = "高校生を受け入れる事業と、博士課程の学生を送り出すプログラム、どちらが古い？"
    assert [q[s:e] for s, e in description_clauses(q)] == ["高校生を受け入れる事業", "博士課程の学生を送り出すプログラム"]
    assert description_clauses("その事業の予算は？") == []  # too short to describe anything


@pytest.mark.parametrize("question, subject, value", [
    ("北極の急激な環境変化を国際連携で観測する事業の予算は？", "北極域研究加速プロジェクト(ArCS)", "4,420百万円"),
    ("深海を無人探査機で調べる技術のプログラムの予算は？", "深海探査技術開発プログラム", "930百万円"),
])
def test_the_second_text_answers_for_a_program_it_describes(other_index, question, subject, value):
    result = other_index.answer(question)
    assert result.answerable and result.facts[0].subject == subject and result.facts[0].value == value


def test_a_vague_description_names_no_program(other_index):
    assert other_index.described_names("海洋の事業の予算は？") == []
    assert not other_index.answer("海洋の事業の予算は？").answerable


def test_the_corpus_answers_for_a_program_it_describes(bundled_bot):
    answer = bundled_bot.ask("開発途上国のニーズに基づき地球規模課題を解決する国際共同研究のプログラムの前年度予算は？")
    first = answer.text.split("\n")[0]
    assert answer.answerable and "1,876百万円" in first and "と解しました" in first  # the reading is stated


def test_a_line_echoing_another_programs_own_name_words_goes_to_that_program():
    # the page states the second program's purpose under the first one's heading (a slide's two columns)
    text = "◇深海探査技術開発プログラム\n沿岸の防災観測網を整える。\n無人探査機を開発する。\n◇沿岸防災観測事業\n令和5年度から。"
    lines = _lines(text)
    assert ("沿岸の防災観測網を整える。", 1.0) in lines["沿岸防災観測事業"]
    assert ("無人探査機を開発する。", 1.0) in lines["深海探査技術開発プログラム"]  # no other program's words: stays


def test_a_bullet_after_a_bullet_taken_by_another_program_continues_its_list():
    text = "◇深海探査技術開発プログラム\n▷沿岸の防災観測網を整える。\n▷住民の避難を早める。\n無人探査機を開発する。\n◇沿岸防災観測事業"
    lines = _lines(text)
    assert ("▷住民の避難を早める。", 1.0) in lines["沿岸防災観測事業"]  # the list the line before began
    assert ("無人探査機を開発する。", 1.0) in lines["深海探査技術開発プログラム"]  # not a bullet: the heading's again


# -- session 5: words of a description, line parts, long profiles, user words, echoed values ---------------

@pytest.mark.parametrize("clause, expected", [
    # a number breaks a compound ("1年海外" is 1年 + 海外) and stays as the figure the lines write
    ("学生を1年海外へ送る", [("学生", ()), ("1年", ()), ("海外", ())]),
    ("2年間研究に専念する", [("2年間", ()), ("研究", ()), ("専念", ())]),
    # a range is also kept whole, as "3か月~1年程度" writes it
    ("3か月から1年行く", [("3か月", ()), ("1年", ()), ("3か月~1年", ())]),
    # a compound carries its parts for lines that write them apart
    ("博士課程の学生", [("博士課程", ("博士", "課程")), ("学生", ())]),
])
def test_description_terms(clause, expected):
    from assistant.words import description_terms

    assert description_terms(clause) == expected


def test_a_compound_no_line_holds_is_matched_by_its_parts_on_one_line():
    from assistant.describe import ProfileText

    text = ProfileText({"A": [("深海の無人探査機を開発する", 1.0)], "B": [("深海の生物を調べる", 1.0), ("月面探査", 1.0)]})
    assert text.held_by("深海探査") == {}
    assert text.held_by_parts("深海探査", ["深海", "探査"]) == {"A": 1.0}  # B has both words, on two lines


def test_a_user_word_is_matched_by_the_words_the_lines_write():
    from assistant.describe import ProfileText

    text = ProfileText({"A": [("支援対象者:博士後期課程学生等", 1.0)], "B": [("支援対象者:ポスドク等", 1.0)],
                        "C": [("高校生を招へいする", 1.0)]})
    assert text.held_by_parts("大学院生", ()) == {"A": 1.0}


def test_a_long_profile_needs_more_of_the_words_than_a_short_one():
    # "交流" and "若手" each once in both; the long profile (many lines of prose) does not lead on them
    prose = [(f"国際共同研究の推進 その{i}", 1.0) for i in range(30)]
    profiles = {"Long": [*prose, ("若手の国際交流も行う", 1.0)], "Short": [("若手の交流事業", 1.0), ("高校生を受け入れる", 1.0)],
                "Other": [("深海を調べる", 1.0)], "Fourth": [("北極を観測する", 1.0)]}
    assert described_program(["若手", "交流"], profiles) == "Short"


def test_a_bullet_echoing_one_programs_key_value_goes_to_that_program():
    # the bullet echoes neither heading's name: without the key value it would be shared at half weight
    text = ("◇深海探査技術開発プログラム\n◇沿岸防災観測事業\n支援対象者:海洋工学の博士研究員\n支援期間:3年間\n"
            "【事業スキーム】\n支援対象者:港湾自治体の技術職員\n支援期間:5年間\n"
            "▷将来を担う港湾自治体の技術職員を育てるため、機会を提供")
    facts = [_fact("深海探査技術開発プログラム", "支援期間:3年間"), _fact("沿岸防災観測事業", "支援期間:5年間")]
    lines = program_lines([_doc(text)], facts, TWO_PROGRAMS)
    bullet = "▷将来を担う港湾自治体の技術職員を育てるため、機会を提供"
    assert (bullet, 1.0) in lines["沿岸防災観測事業"]
    assert all(line != bullet for line, _ in lines["深海探査技術開発プログラム"])


def _fact(subject: str, line: str):
    from ingest.models import Citation, Fact

    return Fact(subject=subject, attribute="支援期間", value=line.split(":")[1], fiscal_year=None,
                citation=Citation(source="s", title="t", page=1, start=0, end=len(line), text=line),
                subject_assignment="explicit", confidence=1.0)


@pytest.mark.parametrize("word, descriptive", [
    ("短期", False),  # the detail of 海外派遣人数(短期): which figure, not which program
    ("見込み", False),  # of 新規採用人数(見込み)
    ("人数", False),  # an attribute cue
    ("招へい", True),  # a cue (招へい人数) starts with it, but it says what a program does
    ("高校生", True),
])
def test_words_naming_a_figure_do_not_describe_a_program(bundled_bot, word, descriptive):
    assert bundled_bot.facts_index._is_descriptive(word) is descriptive
