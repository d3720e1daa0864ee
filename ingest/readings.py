"""Katakana readings of Latin abbreviations: "サトレップス" is SATREPS, "ダブリューピーアイ" is WPI.

Japanese users write an abbreviation the way they say it: letter by letter (ダブリューピーアイ, ジェイエスティー)
or as a word (サトレップス, シコープ). A reading matches when it spells the letters, or when its consonants
are the abbreviation's consonants (vowels are what katakana adds; an r before a consonant is often not
written: SICORP → シコープ).
"""

from __future__ import annotations

import re

KATAKANA_RUN = re.compile(r"[ァ-ヴー]{3,}")
"""A run of katakana long enough to be a reading (NFKC text, so half-width kana are full-width)."""

_LETTER_NAMES = {
    "A": ("エー", "エイ"), "B": ("ビー",), "C": ("シー",), "D": ("ディー",), "E": ("イー",), "F": ("エフ",),
    "G": ("ジー",), "H": ("エイチ", "エッチ"), "I": ("アイ",), "J": ("ジェー", "ジェイ"), "K": ("ケー", "ケイ"),
    "L": ("エル",), "M": ("エム",), "N": ("エヌ",), "O": ("オー",), "P": ("ピー",), "Q": ("キュー",), "R": ("アール",),
    "S": ("エス",), "T": ("ティー", "ティ"), "U": ("ユー",), "V": ("ブイ", "ヴィー"), "W": ("ダブリュー", "ダブリュ"),
    "X": ("エックス",), "Y": ("ワイ",), "Z": ("ゼット", "ズィー"),
}

# The consonant each kana starts with ("" for a vowel); small kana, ッ and ー add none.
_KANA_ROWS = {
    "": "アイウエオ", "k": "カキクケコ", "g": "ガギグゲゴ", "s": "サシスセソ", "z": "ザジズゼゾ", "t": "タチツテト",
    "d": "ダヂヅデド", "n": "ナニヌネノン", "h": "ハヒフヘホ", "b": "バビブベボヴ", "p": "パピプペポ", "m": "マミムメモ",
    "y": "ヤユヨ", "r": "ラリルレロ", "w": "ワヲ",
}
_KANA_CONSONANT = {kana: consonant for consonant, row in _KANA_ROWS.items() for kana in row}
_KANA_COLUMNS = {"a": "アカガサザタダナハバパマヤラワ", "i": "イキギシジチヂニヒビピミリ", "u": "ウクグスズツヅヌフブプムユルヴ",
                 "e": "エケゲセゼテデネヘベペメレ", "o": "オコゴソゾトドノホボポモヨロヲ"}
_KANA_VOWEL = {kana: vowel for vowel, column in _KANA_COLUMNS.items() for kana in column}
# Latin letters as the consonant a katakana reading writes for them
_LATIN_CONSONANT = {"c": "k", "q": "k", "x": "ks", "v": "b", "l": "r", "f": "h", "j": "z"}
_VOWELS = set("aeiou")


def spells_letters(reading: str, abbreviation: str) -> bool:
    """Whether a katakana reading names the abbreviation's letters one by one.

    Example:
        >>> spells_letters("ダブリューピーアイ", "WPI"), spells_letters("ピーアイ", "WPI")
        (True, False)
    """
    return abbreviation.upper() in spelled_letters(reading)


def kana_consonants(reading: str) -> str:
    """The consonants a katakana word is written with, doubled ones once ("サトレップス" → "strps")."""
    out = [_KANA_CONSONANT[ch] for ch in reading if _KANA_CONSONANT.get(ch)]
    return _squeeze("".join(out))


def latin_consonants(abbreviation: str, *, drop_r: bool = False) -> str:
    """The consonants of an abbreviation as katakana would write them ("SICORP" → "skrp"); with `drop_r`,
    an r before a consonant or at the end is left out ("skp")."""
    word = abbreviation.lower()
    out = []
    for i, ch in enumerate(word):
        if not ch.isalpha() or ch in _VOWELS:
            continue
        following = word[i + 1 : i + 2]
        if drop_r and ch == "r" and following not in _VOWELS:
            continue
        out.append(_LATIN_CONSONANT.get(ch, ch))
    return _squeeze("".join(out))


def _squeeze(consonants: str) -> str:
    return re.sub(r"(.)\1+", r"\1", consonants)


def reads_as(reading: str, abbreviation: str) -> bool:
    """Whether a katakana word is a reading of a Latin abbreviation (letter by letter, or as a word with
    the same consonants, at least three of them).

    Example:
        >>> reads_as("サトレップス", "SATREPS"), reads_as("シコープ", "SICORP"), reads_as("サイコープ", "SICORP")
        (True, True, True)
        >>> reads_as("スキップ", "SICORP"), reads_as("サコープ", "SICORP")
        (False, False)
    """
    if not abbreviation.isascii() or not abbreviation.isalpha():
        return False
    if spells_letters(reading, abbreviation):
        return True
    written = kana_consonants(reading)
    if len(written) < 3:
        return False
    word = abbreviation.lower()
    if len(word) >= 2 and word[1] in _VOWELS and not _first_vowel_fits(reading, word[1]):
        return False  # "スキップ" is not SICORP: a first syllable written in letters keeps its vowel
    return written in {latin_consonants(abbreviation), latin_consonants(abbreviation, drop_r=True)}


# English says some vowels as two: "SI" of SICORP is サイ, "SA" of a name may be セイ
_SAID_AS_TWO = {"i": ("a", "イ"), "a": ("e", "イ")}


def _first_vowel_fits(reading: str, vowel: str) -> bool:
    """Whether a reading's first syllable keeps the abbreviation's first vowel, as written ("シ" for SI)
    or as English says it ("サイ" for SI)."""
    if _KANA_VOWEL.get(reading[0]) == vowel:
        return True
    said = _SAID_AS_TWO.get(vowel)
    return said is not None and _KANA_VOWEL.get(reading[0]) == said[0] and reading[1:2] == said[1]


_CANONICAL_LETTER_NAMES = sorted(
    ((name, letter) for letter, names in _LETTER_NAMES.items() for name in names), key=lambda pair: -len(pair[0])
)


def spelled_letters(reading: str) -> set[str]:
    """Every way a katakana word spells Latin letters one by one ("ダブリューピーアイ" → {"WPI"}); empty
    when it is not a spelling.

    Example:
        >>> spelled_letters("ジェイエスティー"), spelled_letters("サトレップス")
        ({'JST'}, set())
    """
    results: set[str] = set()

    def walk(rest: str, letters: str) -> None:
        if not rest:
            results.add(letters)
            return
        for name, letter in _CANONICAL_LETTER_NAMES:
            if rest.startswith(name):
                walk(rest[len(name) :].lstrip("ー"), letters + letter)

    walk(reading, "")
    return results


class ReadingIndex:
    """Latin abbreviations looked up by how katakana writes them: by the letters a reading spells, and by
    its consonants, so a question's katakana word is checked against the few abbreviations it could be.

    Example:
        >>> ReadingIndex({"SATREPS": ["地球規模課題対応…"]}).names("サトレップス")
        ['地球規模課題対応…']
    """

    def __init__(self, abbreviations: dict[str, list[str]]) -> None:
        self.by_letters: dict[str, list[str]] = {}
        self.by_consonants: dict[str, list[tuple[str, str]]] = {}
        for abbreviation, names in abbreviations.items():
            if not (abbreviation.isascii() and abbreviation.isalpha()):
                continue
            self.by_letters.setdefault(abbreviation.upper(), []).extend(names)
            for consonants in {latin_consonants(abbreviation), latin_consonants(abbreviation, drop_r=True)}:
                for name in names:
                    self.by_consonants.setdefault(consonants, []).append((abbreviation, name))

    def names(self, reading: str) -> list[str]:
        """The names whose abbreviation the katakana word reads as."""
        found = [n for letters in spelled_letters(reading) for n in self.by_letters.get(letters, ())]
        found += [n for a, n in self.by_consonants.get(kana_consonants(reading), ()) if reads_as(reading, a)]
        return list(dict.fromkeys(found))
