"""Glossing English questions in Japanese words, and telling English questions from Japanese ones."""

from __future__ import annotations

import pytest

from assistant.answer import detect_lang
from assistant.gloss import asked_cue, content_groups, english_words, gloss_english, load_glossary

ASKS = [
    ("How many PIs does each center need?", "何人"),
    ("How many new fellows will be hired?", "何人"),
    ("How many projects are funded each year?", "何件"),
    ("How many countries take part?", "何か国"),
    ("How much does the program receive?", "いくら"),
    ("What share of the staff is foreign?", "割合"),
    ("What percentage of papers are highly cited?", "割合"),
    ("How long is each project supported?", "期間"),
    ("When did the program start?", "いつ"),
    ("Tell me about the program", None),
]


@pytest.mark.parametrize("question, cue", ASKS)
def test_the_kind_of_figure_asked_becomes_a_japanese_cue(question, cue):
    asks, _ = load_glossary()
    assert asked_cue(english_words(question), asks) == cue


GROUPS = [
    ("researchers from abroad", [("研究者",), ("海外", "外国")]),
    ("joint research with developing countries", [("共同研究",), ("開発途上国",)]),
    ("the acceptance rate of proposals", [("採択率",)]),
    ("principal investigators at the centers", [("PI",), ("拠点",)]),  # plurals folded
    ("zebra quantum xylophone", []),  # unknown words are dropped, not guessed
]


@pytest.mark.parametrize("text, groups", GROUPS)
def test_english_words_map_to_groups_of_japanese_alternatives(text, groups):
    assert content_groups(english_words(text), load_glossary()[1]) == groups


def test_a_gloss_keeps_subjects_cue_year_and_topics_apart():
    gloss = gloss_english("How many researchers from abroad did WPI have in FY2022?", subjects=("WPI",), year="令和4年度")
    assert gloss.subjects == ("WPI",) and gloss.cue == "何人" and gloss.year == "令和4年度"
    assert "海外|外国" in gloss.topics
    assert gloss.text.startswith("WPI、何人、令和4年度、")


LANGS = [
    ("SICORPの令和4年度予算額は？", "ja"),
    ("SICORPとSATREPSとWPIの予算は？", "ja"),
    ("ＷＰＩの予算", "ja"),
    ("What is the FY2022 budget for WPI?", "en"),
    ("What is the FY2022 budget of 外国人研究者招へい事業?", "en"),  # a Japanese name inside an English question
    ("How many years is 国際先導研究 supported?", "en"),
]


@pytest.mark.parametrize("question, lang", LANGS)
def test_questions_quoting_a_japanese_name_stay_english(question, lang):
    assert detect_lang(question) == lang
