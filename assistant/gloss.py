"""Glossing an English question in Japanese words, so Japanese passages can be read for it.

The multilingual encoder finds passages for an English question, but the lexical ranker and the
answer rules (which line states the figure asked for, which `key: value` line names the topic) work
on Japanese words. `gloss_english` turns "How many principal investigators must a WPI center have?"
into "WPI、何人、PI、拠点": the program names the gazetteer found, what kind of figure is asked
(何人, いくら, 割合 …), the year, and the content words of the domain glossary
(`assistant/glossary_en.json`, data: extend it for other document sets). Words it does not know are
dropped, not guessed.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

GLOSSARY_PATH = Path(__file__).with_name("glossary_en.json")
MAX_PHRASE_WORDS = 4
_WORD = re.compile(r"[a-z0-9]+(?:[-'%][a-z0-9]*)*%?")

# "how many <noun>": the noun says which counter the figure carries.
_COUNTED = (
    (("people", "person", "researcher", "scientist", "fellow", "student", "participant", "member", "staff",
      "pi", "pis", "investigator", "visitor", "youth", "recipient", "postdoc"), "何人"),
    (("project", "grant", "award", "team", "proposal", "case"), "何件"),
    (("center", "centre", "hub", "base", "site"), "何拠点"),
    (("country", "countries", "nation"), "何か国"),
    (("year",), "何年"),
    (("month",), "何か月"),
)


@lru_cache(maxsize=1)
def load_glossary(path: Path = GLOSSARY_PATH) -> tuple[dict[str, str], dict[str, str]]:
    """(asks, words) of the glossary file: question phrases → figure cues, English words → Japanese.

    Example:
        >>> load_glossary()[1]["abroad"]
        '海外 外国'
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return dict(data["asks"]), dict(data["words"])


def english_words(text: str) -> list[str]:
    """Lower-case words of an English text, digits and % kept.

    Example:
        >>> english_words("What share of PIs must come from abroad?")
        ['what', 'share', 'of', 'pis', 'must', 'come', 'from', 'abroad']
    """
    return _WORD.findall(text.lower())


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def asked_cue(words: list[str], asks: dict[str, str]) -> str | None:
    """The Japanese cue for the kind of figure asked ("how many fellows" → 何人), or None.

    Example:
        >>> asked_cue(english_words("How many new Overseas Research Fellows are expected?"), load_glossary()[0])
        '何人'
    """
    for i in range(len(words) - 1):
        if words[i : i + 2] == ["how", "many"]:
            for word in words[i + 2 : i + 7]:
                for nouns, cue in _COUNTED:
                    if word in nouns or _singular(word) in nouns:
                        return cue
    text = " ".join(words)
    for phrase in sorted(asks, key=len, reverse=True):
        if re.search(rf"\b{re.escape(phrase)}\b", text):
            return asks[phrase]
    return None


def content_groups(words: list[str], glossary: dict[str, str]) -> list[tuple[str, ...]]:
    """Japanese words for the glossary phrases in `words`, one group of alternatives per phrase,
    longest phrase first, in question order.

    Example:
        >>> content_groups(english_words("joint research abroad"), load_glossary()[1])
        [('共同研究',), ('海外', '外国')]
    """
    out: list[tuple[str, ...]] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            phrase = words[i : i + n]
            forms = (" ".join(phrase), " ".join([*phrase[:-1], _singular(phrase[-1])]))
            found = next((glossary[f] for f in forms if f in glossary), None)
            if found:
                group = tuple(found.split())
                if group not in out:
                    out.append(group)
                i += n
                break
        else:
            i += 1
    return out


class Gloss(BaseModel):
    """An English question in Japanese words: what it names, asks, and is about."""

    model_config = ConfigDict(frozen=True)

    subjects: tuple[str, ...] = ()
    cue: str | None = None
    year: str | None = None
    groups: tuple[tuple[str, ...], ...] = ()

    @property
    def text(self) -> str:
        """All the words, "、"-separated (a separator fugashi keeps: "PI、要件" stays two words)."""
        words = [*self.subjects, *([self.cue] if self.cue else []), *([self.year] if self.year else [])]
        words += [w for group in self.groups for w in group if w not in words]
        return "、".join(words)

    @property
    def topics(self) -> list[str]:
        """The content-word groups as topics, alternatives joined by "|" ("海外|外国")."""
        return ["|".join(group) for group in self.groups]


def gloss_english(question: str, *, subjects: tuple[str, ...] = (), year: str | None = None) -> Gloss:
    """The Japanese gloss of an English question: program names, asked-figure cue, year, content words.

    Example:
        >>> gloss_english("How many principal investigators must a WPI center have?", subjects=("WPI",)).text
        'WPI、何人、PI、拠点'
    """
    asks, glossary = load_glossary()
    words = english_words(question)
    return Gloss(subjects=subjects, cue=asked_cue(words, asks), year=year, groups=tuple(content_groups(words, glossary)))
