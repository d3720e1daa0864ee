"""The value `ask()` returns (public contract)."""

from __future__ import annotations

import re

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


def detect_lang(text: str) -> str:
    """'en' for an English question, even one quoting a Japanese name; else 'ja'.

    Example:
        >>> detect_lang("How many years is 国際先導研究 supported?"), detect_lang("SICORPとSATREPSの予算は？")
        ('en', 'ja')
    """
    japanese_runs = len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]+", text))
    english_words = len(re.findall(r"[A-Za-z]{2,}", text))
    return "ja" if japanese_runs and english_words <= 2 * japanese_runs + 1 else "en"
