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


def _tokens(text: str) -> list[tuple[str, str, str]]:
    """(surface, pos1, pos2) of each fugashi token of `text`."""
    from ingest.chunk import _PARSE_LOCK, tagger

    with _PARSE_LOCK:
        return [(n.surface, n.feature.pos1, n.feature.pos2) for n in tagger()(text)]


@lru_cache(maxsize=4096)
def _focus_terms(question: str) -> tuple[str, ...]:
    terms: list[str] = []
    for part in unicodedata.normalize("NFKC", question).split():  # "WPI 拠点要件 言語": spaces part words
        tokens = _tokens(part)
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


# Words users ask with → the words Japanese budget documents write for the same thing ("大学院生" for
# 博士後期課程学生, "会社" for 民間企業, "年額" for "/年"). Looked up one way, by `written_as`.
USER_WORDS: dict[str, tuple[str, ...]] = {
    "日本": ("我が国", "わが国"), "我が国": ("日本",), "言語": ("英語", "日本語"), "外国人": ("外国から", "外国の"),
    "科研費": ("科学研究費",), "条件": ("要件",), "要件": ("条件",), "資格": ("要件", "対象者"),
    "日本人": ("日本から", "日本の", "我が国から"), "日本人学生": ("日本からの学生", "我が国からの学生"),
    "順位": ("位", "トップ", "番目"),
    "大学院生": ("院生", "博士後期課程", "博士課程"), "大学院": ("院生", "博士後期課程", "博士課程"),
    "博士課程": ("博士後期課程",), "博士学生": ("博士後期課程学生",), "ドクター": ("博士",),
    "博士号": ("博士の学位",), "学位": ("博士の学位",), "若者": ("青少年", "若手"), "若い研究者": ("若手研究者",),
    "補助": ("支援",), "助成": ("支援",), "年額": ("/年",), "毎年": ("/年", "年間", "毎年度"),
    "会社": ("企業",), "民間": ("企業",), "先生": ("教授", "研究者"), "雑誌": ("誌",), "寄付": ("寄附",),
    "チーム": ("研究チーム", "グループ"), "グループ": ("チーム", "件"),
    "派遣": ("渡航",), "渡航": ("派遣",),
    "テーマ": ("分野",), "役職": ("ポスト",), "世の中": ("社会",),
    "最近": ("近年", "傾向"),
    "学者": ("研究者",), "一流": ("トップレベル", "トップ"), "センター": ("拠点",), "困りごと": ("課題",),
    "外国籍": ("外国人",), "お試し": ("試行",), "途上国": ("開発途上国",),
}


def name_words(name: str) -> tuple[str, ...]:
    """The words (fugashi surfaces) of a name: "海外特別研究員事業" → 海外, 特別, 研究, 員, 事業."""
    return tuple(surface for surface, _, _ in _tokens(unicodedata.normalize("NFKC", name)))


@lru_cache(maxsize=4096)
def compound_parts(word: str) -> tuple[str, ...]:
    """The nouns of 2+ characters a compound is made of, when it is made of two or more and nothing else
    ("標準言語" → 標準, 言語); () for a single word or one with a shorter piece ("採択率").

    Example:
        >>> compound_parts("標準言語"), compound_parts("採択率")
        (('標準', '言語'), ())
    """
    pieces = name_words(word)
    if len(pieces) < 2 or any(len(p) < 2 for p in pieces):
        return ()
    return tuple(pieces)


def written_as(word: str) -> tuple[str, ...]:
    """The forms the documents may write a user's word in (the word first).

    Example:
        >>> written_as("大学院生")
        ('大学院生', '院生', '博士後期課程', '博士課程')
    """
    return (word, *USER_WORDS.get(word, ()))


_FIGURE_COUNTERS = ("年間", "か月", "ヶ月", "カ月", "週間", "年", "人", "名", "件", "拠点", "か国", "カ国", "歳", "%")
_FIGURE = rf"\d[\d,.]*(?:{'|'.join(_FIGURE_COUNTERS)})"
_FIGURE_RANGE = re.compile(rf"({_FIGURE})\s*(?:~|から)\s*({_FIGURE})")


def description_terms(clause: str) -> list[tuple[str, tuple[str, ...]]]:
    """The words a description of a program is matched by, each with its parts: noun compounds broken
    at numbers, and figures with their counter ("2年間", "3か月"), which lines state as written.

    A compound's parts (its nouns of 2+ characters) stand in for it when no line holds the whole
    ("博士課程" → 博士, 課程: the lines write 博士後期課程).

    Example:
        >>> description_terms("博士課程の学生を3か月から1年海外へ送り出す")
        [('博士課程', ('博士', '課程')), ('学生', ()), ('3か月', ()), ('1年', ()), ('海外', ()), ('3か月~1年', ())]
    """
    return [(term, parts) for term, parts in _description_terms(unicodedata.normalize("NFKC", clause))]


@lru_cache(maxsize=4096)
def _description_terms(clause: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    tokens = _tokens(clause)
    terms: list[tuple[str, tuple[str, ...]]] = []
    pieces: list[str] = []

    def close() -> None:
        word = "".join(pieces)
        if len(word) >= 2 and not _QUESTION_NOISE.fullmatch(word):
            parts = tuple(p for p in pieces if len(p) >= 2 and p != word and not _QUESTION_NOISE.fullmatch(p))
            terms.append((word, parts if len(parts) >= 2 else ()))
        pieces.clear()

    flags = _noun_flags(tokens)
    i = 0
    while i < len(tokens):
        surface, pos1, pos2 = tokens[i]
        if pos2 == "数詞":
            close()
            number = surface
            while i + 1 < len(tokens) and (tokens[i + 1][1] == "名詞" and tokens[i + 1][2] == "数詞" or tokens[i + 1][0] in ",."):
                i += 1
                number += tokens[i][0]
            rest = "".join(t[0] for t in tokens[i + 1 : i + 4])
            counter = next((c for c in _FIGURE_COUNTERS if rest.startswith(c)), "")
            if counter:
                terms.append((number + counter, ()))
                while counter and i + 1 < len(tokens) and counter.startswith(tokens[i + 1][0]):
                    counter = counter[len(tokens[i + 1][0]) :]
                    i += 1
        elif flags[i][1]:
            pieces.append(surface)
        else:
            close()
        i += 1
    close()
    for a, b in _FIGURE_RANGE.findall(clause):
        terms.append((f"{a}~{b}", ()))  # "3か月から1年" as the lines write the range: "3か月~1年程度"
    return tuple(terms)
