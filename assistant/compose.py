"""Composing an Answer: the direct answer first, then a supporting quote, then numbered citations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.answer import Answer
from assistant.retrieve import to_citation
from index.fusion import Ranker

if TYPE_CHECKING:
    from assistant.conversation import Resolution
    from assistant.core import Assistant

NOT_FOUND_JA = "資料には記載がありません。"


def compose_answer(bot: "Assistant", question: str, resolution: "Resolution", *, ranker: Ranker) -> Answer:
    """An extractive answer: the best-matching sentence of the top passages, with citations."""
    hits = bot.hits(resolution.question, k=5, ranker=ranker)
    citations = [to_citation(hit, resolution.question) for hit in hits]
    if not citations:
        return Answer(text=NOT_FOUND_JA, answerable=False, question=question, resolved_question=resolution.question)
    top = citations[0]
    quote = top.text[top.highlight_start : top.highlight_end].strip()
    lines = [f"> {quote} [1]", "", _references(citations)]
    return Answer(
        text="\n".join(lines),
        answerable=True,
        citations=citations,
        question=question,
        resolved_question=resolution.question,
    )


def _references(citations) -> str:
    return "\n".join(
        f"[{i}] {c.title}" + (f" p.{c.page}" if c.page is not None else "") for i, c in enumerate(citations, 1)
    )
