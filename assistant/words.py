"""Content words of a question: the nouns a passage must mention to answer it (fugashi)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUESTION_NOISE = re.compile(
    r"(?:について|とは|って|教えて|ください|下さい|何|なに|なん|どんな|どのような|どういう|どこ|いつ|だれ|誰|ですか|ますか|"
    r"でしょうか|ありますか|いますか|ですか|か[?？]|[?？。、!！\s]|は|が|を|に|で|の|と|も|ところ|場合|何.|what|which|who|how|is|are|the|of|a|an|in|for|does|do)",
    re.IGNORECASE,
)


def focus_terms(question: str) -> list[str]:
    """The content words of a question (what a passage must mention to answer it), via fugashi nouns.
    One answer reads the same question (and its masked forms) several times: parses are memoized.

    Example:
        >>> focus_terms("SICORPの採択率は？")
        ['SICORP', '採択率']
    """
    return list(_focus_terms(question))


@lru_cache(maxsize=4096)
def _focus_terms(question: str) -> tuple[str, ...]:
    from ingest.chunk import _PARSE_LOCK, tagger

    tagged = tagger()
    terms: list[str] = []
    for part in unicodedata.normalize("NFKC", question).split():  # "WPI 拠点要件 言語": spaces part words
        with _PARSE_LOCK:
            tokens = [(n.surface, n.feature.pos1, n.feature.pos2) for n in tagged(part)]
        current = ""
        for surface, pos in _noun_flags(tokens):
            if pos:
                current += surface
            else:
                if current:
                    terms.append(current)
                current = ""
        if current:
            terms.append(current)
    return tuple(t for t in terms if len(t) >= 2 and not _QUESTION_NOISE.fullmatch(t))


_COUNTERS = {"件", "人", "名", "年", "年間", "年度", "か月", "ヶ月", "月", "割", "倍", "歳", "週間", "日", "回", "拠点", "か国", "カ国", "億", "万", "円", "%"}


def _noun_flags(tokens) -> list[tuple[str, bool]]:
    out = []
    after_nani = False
    previous = ""
    for i, (surface, pos1, pos2) in enumerate(tokens):
        # "戦略的国際展開": the adjectival suffix 的 keeps a compound noun whole; "新規拠点": an adjectival
        # noun right before a noun is part of the compound
        before_noun = i + 1 < len(tokens) and tokens[i + 1][1] == "名詞"
        is_content = (pos1 in {"名詞", "接頭辞"} or (pos1 == "接尾辞" and pos2 in {"名詞的", "形状詞的"})
                      or (pos1 == "形状詞" and before_noun) or surface.isascii() and surface.isalnum())
        if pos2 in {"数詞"} or surface in {"何", "いくら", "どれ", "どこ", "いつ", "こと", "もの", "ため", "よう"}:
            is_content = False
        if (after_nani and surface in _COUNTERS) or (surface == "つ" and previous == "いく"):
            is_content = False  # "何件", "何人", "いくつ": the counter belongs to the question word
        after_nani = surface == "何"
        previous = surface
        out.append((surface, is_content))
    return out


def char_bigrams(text: str) -> set[str]:
    """The character bigrams of `text` ("流動モード" → {"流動", "動モ", "モー", "ード"}).

    Example:
        >>> sorted(char_bigrams("招へい"))
        ['へい', '招へ']
    """
    return {text[i : i + 2] for i in range(len(text) - 1)}
