"""Follow-up resolution: what a question leaves out, taken from the chat history."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Resolution(BaseModel):
    """The question as searched, and what was taken from the history."""

    model_config = ConfigDict(frozen=True)

    question: str
    original: str
    subject_from_history: str | None = None
    attribute_from_history: str | None = None

    @property
    def used_history(self) -> bool:
        return bool(self.subject_from_history or self.attribute_from_history)


def resolve_followup(question: str, history: list[dict], facts_index=None) -> Resolution:
    """Fill in a follow-up's missing subject or attribute from the last user turns."""
    return Resolution(question=question, original=question)
