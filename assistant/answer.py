"""The value `ask()` returns (public contract)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ingest.models import Citation, Fact


class Answer(BaseModel):
    """An answer with the passages and facts it rests on.

    Example:
        >>> Answer(text="資料には記載がありません。", answerable=False).citations
        []
    """

    model_config = ConfigDict(frozen=True)

    text: str
    answerable: bool
    citations: list[Citation] = []
    facts: list[Fact] = []
    resolved_question: str | None = None
    question: str = ""
