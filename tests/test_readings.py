"""Katakana readings of Latin abbreviations (ingest/readings.py) and the gazetteer matching them."""

from __future__ import annotations

import pytest

from ingest.gazetteer import Gazetteer, SubjectEntry
from ingest.readings import kana_consonants, latin_consonants, reads_as


@pytest.mark.parametrize("reading, abbreviation, expected", [
    ("サトレップス", "SATREPS", True),  # as a word
    ("シコープ", "SICORP", True),  # an r before a consonant is not written
    ("シコルプ", "SICORP", True),  # or it is
    ("ダブリューピーアイ", "WPI", True),  # letter by letter
    ("ダブリュピーアイ", "WPI", True),
    ("ジェイエスティー", "JST", True),
    ("ジェーエスピーエス", "JSPS", True),
    ("アムド", "AMED", False),  # another reading: consonants m, d only
    ("スキップ", "SICORP", False),  # same consonants, another first vowel
    ("サイコープ", "SICORP", True),  # the first vowel as English says it (SI: サイ)
    ("サコープ", "SICORP", False),  # but not another vowel alone
    ("スパーク", "SPARC", True),  # a leading cluster: katakana adds a vowel
    ("サイエンス", "SATREPS", False),
    ("ピーアイ", "WPI", False),  # letters missing
    ("ダブリューピーアイエー", "WPI", False),  # letters left over
    ("サトレップス", "SATREPS2", False),  # not all letters
])
def test_a_katakana_word_reads_as_an_abbreviation(reading, abbreviation, expected):
    assert reads_as(reading, abbreviation) is expected


def test_consonants_are_squeezed_and_latin_letters_written_as_katakana_would():
    assert kana_consonants("サトレップス") == "strps"
    assert latin_consonants("SICORP") == "skrp" and latin_consonants("SICORP", drop_r=True) == "skp"


def test_the_gazetteer_matches_an_abbreviation_written_in_katakana():
    gaz = Gazetteer(entries=(SubjectEntry(name="宇宙探査連携プログラム(SPARC)", abbreviations=("SPARC",)),
                             SubjectEntry(name="次世代海洋観測ネットワーク構築事業(NOON)", abbreviations=("NOON",))))
    assert [m.name for m in gaz.match("スパークの予算は？")] == ["宇宙探査連携プログラム(SPARC)"]
    assert [m.name for m in gaz.match("ｴﾇｵｰｵｰｴﾇの予算は？")] == ["次世代海洋観測ネットワーク構築事業(NOON)"]
    assert gaz.match("スポーツの予算は？") == []  # s, p, t: not SPARC
