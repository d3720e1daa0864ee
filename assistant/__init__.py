"""kotae's public Python API: `ask()`, `Assistant`, and the values they return."""

from assistant.answer import Answer
from assistant.core import Assistant, ask
from ingest.models import Citation, Fact

__all__ = ["Answer", "Assistant", "Citation", "Fact", "ask"]
