"""Follow-up resolution: what a question leaves out, taken from the chat history.

Explicit and inspectable: the result says which subject or attribute came from which earlier turn,
and the question text actually searched (`Answer.resolved_question`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from assistant.facts import FactQuery, FactsIndex

MAX_TURNS = 3
"""Only the last few user turns can supply a missing subject: older context is more often wrong than right."""

_LEADING_CUES = re.compile(
    r"^(?:では|じゃあ|じゃ|それでは|それじゃ|それなら|なら|で、|また|あと|ちなみに|一方|"
    r"and\b|then\b|so\b|also\b|what about\b|how about\b)[、,\s]*",
    re.IGNORECASE,
)
_DEMONSTRATIVES = re.compile(
    r"(?:その|この|あの|同|当該|前述の|上記の)(?:事業|プログラム|制度|施策|取組|取り組み)?(?:の|は|で)?|"
    r"それ(?!ぞれ)(?:の|は|で)?|"
    r"\b(?:its|it|that program|this program|the program|that|this|the same program|they|their)\b",
    re.IGNORECASE,
)
_SHORT_FOLLOWUP_CHARS = 14


class Resolution(BaseModel):
    """The question as searched, and what was taken from the history."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    question: str
    original: str
    subject_from_history: str | None = None
    attribute_from_history: str | None = None
    query: object | None = None  # FactQuery of the resolved question, when facts are available

    @property
    def used_history(self) -> bool:
        return bool(self.subject_from_history or self.attribute_from_history)


def user_turns(history: list[dict], limit: int = MAX_TURNS) -> list[str]:
    """The last `limit` user messages, oldest first. Only the tail of a long history is read."""
    turns: list[str] = []
    for message in reversed(history or []):
        if isinstance(message, dict) and message.get("role") == "user" and isinstance(message.get("content"), str):
            turns.append(message["content"])
            if len(turns) == limit:
                break
    return list(reversed(turns))


def looks_like_followup(question: str, subject_surfaces: tuple[str, ...] = ()) -> bool:
    """True when the question leans on an earlier turn: では…, その事業…, or too short to stand alone
    (program names it gives do not count towards its length: "若手研究者海外挑戦プログラムは？" is short).

    Example:
        >>> looks_like_followup("では前年度は？"), looks_like_followup("国際頭脳循環とは何を指しますか？")
        (True, False)
    """
    q = unicodedata.normalize("NFKC", question).strip()
    if _LEADING_CUES.match(q) or _DEMONSTRATIVES.search(q):
        return True
    for surface in subject_surfaces:
        q = q.replace(surface, "")
    core = re.sub(r"[?？。!！\s]", "", q)
    return len(core) <= _SHORT_FOLLOWUP_CHARS


def _strip_followup_words(question: str) -> str:
    q = unicodedata.normalize("NFKC", question).strip()
    q = _LEADING_CUES.sub("", q)
    q = _DEMONSTRATIVES.sub(" ", q)
    return re.sub(r"\s+", " ", q).strip(" 、,")


def _resolve_chain(turns: list[str], facts: "FactsIndex") -> list["FactQuery"]:
    """The fact queries of the turns, oldest first, each resolved against the turns before it."""
    queries: list = []
    for turn in turns:
        resolution = _resolve_one(turn, queries, facts)
        queries.append(resolution.query)
    return queries


def _resolve_one(question: str, earlier: list["FactQuery"], facts: "FactsIndex") -> Resolution:
    query = facts.parse(question)
    previous = earlier[-1] if earlier else None
    if previous is None or not looks_like_followup(question, query.subject_surfaces):
        return Resolution(question=question, original=question, query=query)
    english = query.lang == "en"
    pointed = _pointed_subject(question, earlier)
    if not query.subjects and pointed is not None:
        # "後者の支援期間は？" after "AとBの…": the program the pronoun points at
        rest = _POINTERS.sub(" ", unicodedata.normalize("NFKC", question)).strip(" 、,の")
        text = f"{rest.rstrip('?？ ')} of {pointed}?" if english else f"{pointed}の{rest}"
        return Resolution(question=text, original=question, subject_from_history=pointed, query=facts.parse(text))
    if not query.subjects and len(previous.subjects) >= 2 and _BOTH.search(unicodedata.normalize("NFKC", question)):
        # "両方とも同じ？" after "AとBの支援対象者は？": the same question of both, with what this one adds
        text = f"{unicodedata.normalize('NFKC', previous.question).rstrip('?？ ')}、{question}"
        return Resolution(question=text, original=question, subject_from_history=previous.subjects[0], query=facts.parse(text))
    pair = _last_two_subjects(earlier)
    if not query.subjects and pair and previous.attribute and (_asks_difference(question) or _asks_sum(question)):
        # "その差は？" / "合計だと？" after asking about A, then B (or A and B): between A and B
        word = "差" if _asks_difference(question) else "合計"
        text = (f"{pair[0]}と{pair[1]}の{previous.attribute}の{word}は？" if not english
                else f"What is the {'difference' if word == '差' else 'total'} of {previous.attribute} of {pair[0]} and {pair[1]}?")
        return Resolution(question=text, original=question, subject_from_history=pair[1], query=facts.parse(text))
    if not query.subjects and previous.subjects:
        subject = previous.subject_surfaces[0] if previous.subject_surfaces else previous.subjects[0]
        rest = _strip_followup_words(question)
        if english:
            text = f"{rest.rstrip('?？ ')} of {subject}?"
        else:
            text = f"{subject}の{rest}" if rest else f"{subject}について"
        resolved = facts.parse(text)
        if not resolved.is_figure_question and previous.is_figure_question and previous.attribute:
            resolved = resolved.model_copy(update={"attribute": previous.attribute, "is_figure_question": True})
        return Resolution(
            question=text, original=question, subject_from_history=previous.subjects[0], query=resolved
        )
    old_surface = previous.subject_surfaces[0] if previous.subject_surfaces else ""
    previous_text = previous.question
    # "WPIの支援期間は？" → "SICORPは？" asks the same attribute; "Aの支援対象者は？" → "Bは？" asks the same words
    same_words = bool(old_surface) and old_surface in unicodedata.normalize("NFKC", previous_text) and len(previous.subjects) == 1
    if query.subjects and query.attribute is None and (previous.attribute or same_words) and not _has_own_topic(question, query):
        surface = query.subject_surfaces[0] if query.subject_surfaces else query.subjects[0]
        if old_surface and old_surface in unicodedata.normalize("NFKC", previous_text):
            text = unicodedata.normalize("NFKC", previous_text).replace(old_surface, surface, 1)
        else:
            text = f"{surface}の{previous.attribute}は？"
        resolved = facts.parse(text)
        return Resolution(question=text, original=question, attribute_from_history=previous.attribute, query=resolved)
    return Resolution(question=question, original=question, query=query)


# "両方とも", "どちらも", "それぞれ": the programs the last turn named together
_BOTH = re.compile(r"両方|両者|どちらも|どっちも|二つとも|2つとも|ふたつとも|それぞれ|\bboth\b|\beach\b", re.IGNORECASE)

_POINTERS = re.compile(
    r"(?:前者|後者|あちら|こちら|もう一方|もう片方|もう一つ|他方)(?:の|は)?|\b(?:the former|the latter|the other one|the other)(?:'s)?\b",
    re.IGNORECASE,
)


def _pointed_subject(question: str, earlier: list["FactQuery"]) -> str | None:
    """The program 前者 / 後者 / あちら (the former / the latter / the other) points at: one of the
    programs a recent turn named together; None when the question has no such word or no turn
    named two programs."""
    q = unicodedata.normalize("NFKC", question)
    found = _POINTERS.search(q)
    if not found:
        return None
    pairs = [e for e in earlier if e is not None and len(e.subjects) >= 2]
    if not pairs:
        return None
    named = pairs[-1]
    names = [named.subject_surfaces[i] if i < len(named.subject_surfaces) else s for i, s in enumerate(named.subjects)]
    word = found.group().lower()
    if word.startswith(("前者", "the former")):
        return names[0]
    if word.startswith(("後者", "the latter")):
        return names[-1]
    last = earlier[-1]
    current = last.subjects[0] if last is not None and len(last.subjects) == 1 else named.subjects[0]
    others = [n for n, s in zip(names, named.subjects) if s != current]
    return others[0] if len(others) == 1 else None


def _last_two_subjects(earlier: list["FactQuery"]) -> tuple[str, str] | None:
    """The two programs of the last turn that named two, or of the last two turns (as written) when
    they differ and ask the same attribute."""
    last = earlier[-1] if earlier else None
    if last is not None and len(last.subjects) == 2:
        return tuple(last.subject_surfaces[i] if i < len(last.subject_surfaces) else s for i, s in enumerate(last.subjects))  # type: ignore[return-value]
    named = [q for q in earlier if q is not None and q.subjects][-2:]
    if len(named) < 2 or named[0].subjects[0] == named[1].subjects[0] or named[0].attribute != named[1].attribute:
        return None
    return tuple(q.subject_surfaces[0] if q.subject_surfaces else q.subjects[0] for q in named)  # type: ignore[return-value]


def _asks_sum(question: str) -> bool:
    q = unicodedata.normalize("NFKC", question).lower()
    return any(cue in q for cue in ("合計", "合わせ", "あわせ", "足す", "足すと", "両方で", "total", "combined", "altogether"))


def _asks_difference(question: str) -> bool:
    q = unicodedata.normalize("NFKC", question).lower()
    return any(cue in q for cue in ("差", "違い", "違う", "どちら", "どっち", "difference", "which is larger", "which is bigger"))


def _has_own_topic(question: str, query: "FactQuery") -> bool:
    """Whether, besides its subject, the question says what it wants ("WPIの拠点要件は？" does; "WPIは？" does not)."""
    rest = unicodedata.normalize("NFKC", question)
    for surface in query.subject_surfaces:
        rest = rest.replace(surface, "")
    if not query.subject_surfaces and query.subjects:  # a loose name ("海外挑戦プログラム"): drop the words of it
        from assistant.facts import LOOSE_NAME_SHARE, name_bigram_share
        from assistant.words import focus_terms

        for term in focus_terms(rest):
            if name_bigram_share(term, query.subjects[0]) >= LOOSE_NAME_SHARE:
                rest = rest.replace(term, "")
    rest = _strip_followup_words(rest)
    rest = re.sub(
        r"(?:について|については|に関しては|の場合|場合|だと|なら|では|でしたら|のほう|の方|ほう|は|の|も|って|を|教えて|ください|下さい|"
        r"どう|いかが|です|か|what about|how about|and|in the case of|for|the|a|an|of|program|programme)",
        "", rest, flags=re.I,
    )
    return len(re.sub(r"[?？。!！\s、,]", "", rest)) > 1


def resolve_followup(question: str, history: list[dict], facts: "FactsIndex | None" = None) -> Resolution:
    """Fill in a follow-up's missing subject or attribute from the last user turns.

    A question that names its own subject keeps it; a question that does not look like a follow-up
    ignores the history.

    Example:
        >>> resolve_followup("SICORPの予算は？", []).question
        'SICORPの予算は？'
    """
    if facts is None:
        return Resolution(question=question, original=question)
    turns = user_turns(history)
    earlier = _resolve_chain(turns, facts) if turns else []
    return _resolve_one(question, earlier, facts)
