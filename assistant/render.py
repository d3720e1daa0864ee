"""Answers as plain text for a terminal."""

from __future__ import annotations

from assistant.answer import Answer


def answer_to_terminal(answer: Answer) -> str:
    """The answer text, then each citation with its source, page and span."""
    lines = [answer.text]
    if answer.resolved_question and answer.resolved_question != answer.question:
        lines.insert(0, f"(検索した質問: {answer.resolved_question})")
    return "\n".join(lines)
