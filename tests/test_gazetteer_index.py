"""The gazetteer's match index: the same matches as trying every form of every subject, at a cost that
does not grow with the number of subjects."""

from __future__ import annotations

import re

import pytest

import ingest.gazetteer as gz
from ingest.gazetteer import Gazetteer, SubjectEntry

ENTRIES = (
    SubjectEntry(name="戦略的国際共同研究プログラム(SICORP)", abbreviations=("SICORP",), short_forms=("戦略的国際共同研究",),
                 english=("Strategic International Collaborative Research Program",)),
    SubjectEntry(name="海外特別研究員事業", short_forms=("海外特別研究員",), english=("Overseas Research Fellowships",)),
    SubjectEntry(name="外国人研究者招へい事業", short_forms=("外国人研究者招へい",)),
    SubjectEntry(name="世界トップレベル研究拠点プログラム(WPI)", abbreviations=("WPI",), short_forms=("世界トップレベル研究拠点",)),
    SubjectEntry(name="国際青少年サイエンス交流事業", short_forms=("国際青少年サイエンス交流",)),
    SubjectEntry(name="ZETA国際共同研究プログラム", short_forms=("ZETA",)),
    SubjectEntry(name="e-ASIA共同研究プログラム", english=("e-ASIA Joint Research Program",)),
    SubjectEntry(name="科学研究費助成事業「国際先導研究」", short_forms=("国際先導研究",)),
)


def brute_force_occurrences(entries):
    """The reference: every form of every entry tried in turn (what `Gazetteer.match` did before its index)."""

    def occurrences(self, q):
        folded, index = gz._folded_with_index(q)
        out = []
        for e, entry in enumerate(entries):
            for f, (form, kind, _score) in enumerate(entry.surfaces()):
                if not form:
                    continue
                if gz._is_latin_form(form, kind):
                    pattern = gz._form_pattern(form)
                    out += [(e, f, m.start(), m.end()) for m in pattern.finditer(q)] if pattern else []
                    continue
                key = gz._fold(form)
                pos = folded.find(key)
                while pos != -1 and key:
                    out.append((e, f, index[pos], index[pos + len(key) - 1] + 1))
                    pos = folded.find(key, pos + 1)
        return out

    def partial_candidates(self, q):
        return [(e, f) for e, entry in enumerate(entries) for f in range(1 + len(entry.short_forms))]

    def names_containing(self, key):
        return sum(key in gz._fold(entry.name) for entry in entries)

    return occurrences, partial_candidates, names_containing


@pytest.mark.parametrize(
    "question",
    [
        "SICORPの令和4年度予算額は？",
        "sicorpと海外特別研究員の予算を比べて",
        "What is the budget of the Strategic International Collaborative Research Programs?",
        "How many Overseas Research Fellowships were awarded?",
        "外国人研究者招聘事業の受入人数は？",  # the kanji spelling of 招へい
        "ＷＰＩの拠点数は？",  # full-width letters, NFKC
        "ZETA国際共同研究プログラムの予算",
        "e-ASIA Joint Research Programの予算",
        "eASIA共同研究プログラムは？",
        "国際先導研究の予算は？",
        "戦略的国際共同の予算は？",  # a partial name
        "青少年サイエンス交流の人数",  # partial
        "令和4年度の予算は？",  # names nothing
        "",
    ],
)
def test_match_equals_trying_every_form(monkeypatch, question):
    gazetteer = Gazetteer(entries=ENTRIES)
    indexed = [m.model_dump() for m in gazetteer.match(question)]
    occurrences, partial_candidates, names_containing = brute_force_occurrences(ENTRIES)
    monkeypatch.setattr(gz._MatchIndex, "occurrences", occurrences)
    monkeypatch.setattr(gz._MatchIndex, "partial_candidates", partial_candidates)
    monkeypatch.setattr(gz._MatchIndex, "names_containing", names_containing)
    assert indexed == [m.model_dump() for m in Gazetteer(entries=ENTRIES).match(question)]


def test_entry_by_name_and_by_form():
    gazetteer = Gazetteer(entries=ENTRIES)
    assert gazetteer.entry("海外特別研究員事業").short_forms == ("海外特別研究員",)
    assert gazetteer.entry("SICORP").name == "戦略的国際共同研究プログラム(SICORP)"
    assert gazetteer.entry("存在しない事業") is None


def test_index_is_not_a_field():
    gazetteer = Gazetteer(entries=ENTRIES)
    gazetteer.match("SICORPの予算は？")
    assert gazetteer == Gazetteer(entries=ENTRIES)
    assert set(gazetteer.model_dump()) == {"entries"}


def _many_entries(n: int) -> tuple[SubjectEntry, ...]:
    digits = "〇一二三四五六七八九"
    entries = []
    for i in range(n):
        tag = "".join(digits[int(d)] for d in f"{i:05d}")
        entries.append(SubjectEntry(name=f"第{tag}号研究交流事業", short_forms=(f"第{tag}号研究交流",), abbreviations=(f"RX{i}",)))
    return (*ENTRIES, *entries)


@pytest.mark.parametrize(
    "question",
    ["SICORPの予算は？", "第〇〇〇四二号研究交流の人数", "RX42 と WPI の予算", "戦略的国際共同の予算は？", "関係のない質問です"],
)
def test_match_looks_only_at_forms_the_question_contains(monkeypatch, question):
    """With 20,000 subjects, matching a question reads the forms of a handful of them, not all."""
    entries = _many_entries(20_000)
    gazetteer = Gazetteer(entries=entries)
    gazetteer.match("準備")  # the index is built once, on first use
    calls = []
    real = SubjectEntry.surfaces
    monkeypatch.setattr(SubjectEntry, "surfaces", lambda self: calls.append(self.name) or real(self))
    matches = gazetteer.match(question)
    assert len(calls) < 20, f"{len(calls)} subjects' forms read for one question"
    named = re.findall(r"SICORP|〇〇〇四二|RX42|WPI|戦略的国際共同", question)
    assert len(matches) == len(named)



def test_warm_up_builds_every_table_before_the_first_question(monkeypatch):
    gazetteer = Gazetteer(entries=ENTRIES)
    gazetteer.warm_up()

    def no_build(*args, **kwargs):
        raise AssertionError("a match table was built during a question")

    monkeypatch.setattr(gz._MatchIndex, "__init__", no_build)
    monkeypatch.setattr(gz._GramIndex, "__init__", no_build)
    assert [m.name for m in gazetteer.match("青少年サイエンス交流の人数")] == ["国際青少年サイエンス交流事業"]  # partial
    assert [m.name for m in gazetteer.match("SICORPの予算")] == ["戦略的国際共同研究プログラム(SICORP)"]


def test_a_piece_of_a_name_inside_another_word_is_not_that_name():
    gaz = Gazetteer(entries=(SubjectEntry(name="海外特別研究員事業", short_forms=("海外特別研究員",)),
                             SubjectEntry(name="外国人研究者招へい事業")))
    assert gaz.match("外国人特別研究員の採用人数は？") == []  # 外国人|特別研究員: not 海外|特別研究員
    assert [m.name for m in gaz.match("特別研究員事業の採用人数は？")] == ["海外特別研究員事業"]  # a piece standing alone


def test_a_piece_of_a_name_in_the_other_spelling_is_that_name():
    gaz = Gazetteer(entries=(SubjectEntry(name="外国人研究者招へい事業", short_forms=("外国人研究者招へい",)),
                             SubjectEntry(name="海外特別研究員事業")))
    [match] = gaz.match("招聘事業の予算は？")  # 招聘 for the documents' 招へい
    assert (match.name, match.surface, match.kind) == ("外国人研究者招へい事業", "招聘事業", "partial")
