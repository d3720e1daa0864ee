"""Follow-up resolution: tables of (history, question) → what was searched."""

from __future__ import annotations

import pytest

from assistant.conversation import looks_like_followup, resolve_followup, user_turns


def turns(*questions: str) -> list[dict]:
    history = []
    for q in questions:
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": "（回答）"}]
    return history


@pytest.fixture(scope="module")
def facts(bundled_bot):
    return bundled_bot.facts_index


RESOLUTION = [
    # history, question, subject that must be searched (substring of the resolved subject), attribute
    (["SICORPの令和4年度予算額は？"], "では前年度は？", "SICORP", "予算額"),
    (["SICORPの予算は？"], "WPIは？", "WPI", "予算額"),
    (["外国人研究者招へい事業の予算は？"], "その事業の開始時期は？", "外国人研究者招へい事業", "開始時期"),
    (["海外特別研究員事業について教えて"], "同事業の新規採用人数は？", "海外特別研究員", "人数"),
    (["What is the FY2022 budget for WPI?"], "And the previous year?", "WPI", "予算額"),
    (["SICORPの予算は？", "SATREPSの予算は？"], "では前年度は？", "SATREPS", "予算額"),  # the latest subject
    (["SICORPの予算は？"], "それの支援期間は？", "SICORP", "期間"),
    (["SICORPの支援期間は？"], "WPIの場合は？", "WPI", "期間"),  # "…の場合は" names only a subject
    (["若手研究者海外挑戦プログラムの事業開始時期は？"], "国際青少年サイエンス交流事業だと？", "国際青少年", "開始時期"),
]


@pytest.mark.parametrize("history, question, subject, attribute", RESOLUTION)
def test_followups_take_what_they_omit_from_the_history(facts, history, question, subject, attribute):
    resolution = resolve_followup(question, turns(*history), facts)
    assert resolution.used_history
    assert any(subject in s for s in resolution.query.subjects), resolution
    assert attribute in (resolution.query.attribute or ""), resolution
    assert resolution.question != question  # the searched text is explicit, not the bare follow-up


@pytest.mark.parametrize(
    "history, question, subject",
    [
        (["SICORPの予算は？"], "WPIの予算は？", "WPI"),  # a new subject overrides the history
        (["SICORPの予算は？"], "では海外特別研究員事業の新規採用人数は？", "海外特別研究員"),
    ],
)
def test_a_new_subject_overrides_the_history(facts, history, question, subject):
    resolution = resolve_followup(question, turns(*history), facts)
    assert resolution.subject_from_history is None
    assert any(subject in s for s in resolution.query.subjects)
    assert not any("SICORP" in s for s in resolution.query.subjects)


def test_an_unrelated_question_ignores_the_history(facts):
    question = "国際頭脳循環の促進に向けて資料が挙げている課題は何ですか？"
    resolution = resolve_followup(question, turns("SICORPの予算は？"), facts)
    assert not resolution.used_history
    assert resolution.question == question


def test_without_history_nothing_is_filled_in(facts):
    resolution = resolve_followup("では前年度は？", [], facts)
    assert not resolution.used_history and not resolution.query.subjects


def test_only_the_last_user_turns_are_read():
    history = turns(*[f"質問{i}" for i in range(200)])
    assert user_turns(history) == ["質問197", "質問198", "質問199"]


@pytest.mark.parametrize(
    "question, expected",
    [("では前年度は？", True), ("その事業の開始時期は？", True), ("WPIは？", True), ("What about SATREPS?", True),
     ("海外特別研究員事業の新規採用人数は何人ですか？", False), ("国際頭脳循環とは何を指しますか？", False)],
)
def test_followup_cues(question, expected):
    assert looks_like_followup(question) is expected


def test_the_difference_after_two_programs_is_between_them(facts):
    resolution = resolve_followup("その差は？", turns("SICORPの予算は？", "SATREPSは？"), facts)
    names = " ".join(resolution.query.subjects)
    assert "SICORP" in names and "SATREPS" in names, resolution
    assert resolution.query.operation.value == "compare"


def test_the_difference_after_one_program_is_its_change_over_the_year(facts):
    resolution = resolve_followup("その差は？", turns("SATREPSの予算は？"), facts)
    assert resolution.query.subjects and "SATREPS" in resolution.query.subjects[0]
    assert resolution.query.operation.value == "diff"


POINTERS = [
    # the turn naming two programs, the follow-up, the program it must be about
    ("SATREPSとWPIの予算を比べたい", "後者の支援規模は？", "WPI"),
    ("SATREPSとWPIの予算を比べたい", "前者の前年度予算額は？", "SATREPS"),
    ("How do the budgets of SICORP and SATREPS compare?", "And the latter's budget last year?", "SATREPS"),
]


@pytest.mark.parametrize("first, question, subject", POINTERS)
def test_former_and_latter_point_at_the_programs_named_together(facts, first, question, subject):
    resolution = resolve_followup(question, turns(first), facts)
    assert resolution.query.subjects and subject in resolution.query.subjects[0], resolution


def test_the_other_one_is_the_program_not_asked_about_last(facts):
    history = turns("SICORPとWPIを比べたい。まずSICORPの支援額は？")
    resolution = resolve_followup("あちらの支援規模は？", history, facts)
    assert "WPI" in resolution.query.subjects[0], resolution


def test_a_loose_program_name_takes_the_attribute_from_the_history(facts):
    resolution = resolve_followup("海外挑戦プログラムは？", turns("外国人研究者招へい事業の事業開始時期は？"), facts)
    assert "若手研究者海外挑戦プログラム" in resolution.query.subjects[0]
    assert "開始時期" in (resolution.query.attribute or "")


def test_what_about_another_program_in_english_keeps_the_attribute(facts):
    history = turns("How many new fellows will the Overseas Research Fellowships adopt?")
    resolution = resolve_followup("What about the Overseas Challenge Program for Young Researchers?", history, facts)
    assert "若手研究者海外挑戦プログラム" in resolution.query.subjects[0]
    assert "採用人数" in (resolution.query.attribute or "")


def test_another_program_after_a_question_with_no_figure_asks_the_same_words(facts):
    # "支援対象者" is no figure attribute: the earlier question is asked again of the new program
    resolution = resolve_followup("外国人研究者招へい事業は？", turns("海外特別研究員事業の支援対象者は？"), facts)
    assert resolution.question == "外国人研究者招へい事業の支援対象者は?"  # NFKC
    two = resolve_followup("WPIは？", turns("SICORPとSATREPSの支援対象機関は？"), facts)
    assert two.question == "WPIは？"  # which of the two would it replace? neither


def test_the_same_words_for_another_program_quote_that_programs_line(bundled_bot):
    answer = bundled_bot.ask("若手研究者海外挑戦プログラムは？", history=turns("海外特別研究員事業の支援対象者は？"))
    assert "博士後期課程学生等" in answer.text.split("[1] ")[0]


@pytest.mark.parametrize("first, question, expected", [
    ("海外特別研究員事業と外国人研究者招へい事業の支援対象者は？", "両方とも同じ？", "いずれも同じです"),
    ("SICORPとSATREPSの予算は？", "それぞれ前年度は？", "1,876百万円"),
])
def test_both_after_two_programs_asks_of_both(bundled_bot, first, question, expected):
    answer = bundled_bot.ask(question, history=turns(first))
    assert expected in answer.text.split("\n")[0]
