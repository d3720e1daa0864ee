"""Scale check of the name-reading tables: `python -m eval.bench_names [--pages N]`.

Builds a synthetic archive of N pages (eval/synth.py), its facts and FactsIndex, then times the one-off
build of the program profiles (assistant/describe.py) and, per question, the gazetteer match and the
description lookup, first call and repeated. It prints one line per measurement; nothing is written.

Example:
    >>> Timing(name="profiles", first_ms=1.0, again_ms=None).line()
    'profiles: 1.0 ms'
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

QUESTIONS = ("海洋観測を強化する事業の予算は？", "サトレップスの予算は？", "SICORPの予算は？")


class Timing(BaseModel):
    """One measurement: the first call and a repeated one (None when measured once)."""

    model_config = ConfigDict(frozen=True)
    name: str
    first_ms: float
    again_ms: float | None

    def line(self) -> str:
        return f"{self.name}: {self.first_ms:.1f} ms" + (f" / again {self.again_ms:.1f} ms" if self.again_ms is not None else "")


def _ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def measure(pages: int) -> list[Timing]:
    """Build an archive of `pages` synthetic pages and time the name-reading tables and lookups on it."""
    from assistant.facts import FactsIndex
    from eval.synth import SyntheticCorpus
    from ingest.facts import extract_facts
    from ingest.normalize import normalize_document

    documents = [normalize_document(raw) for raw in SyntheticCorpus(seed=0).documents(pages)]
    index = FactsIndex.build([f for d in documents for f in extract_facts(d)], documents)
    index.gazetteer.warm_up()
    timings = [Timing(name=f"program profiles and attribute details ({pages} pages)",
                      first_ms=_ms(lambda: (index._profile_text, index._attribute_details)), again_ms=None)]
    for question in QUESTIONS:
        for name, call in (("match", lambda: index.gazetteer.match(question)), ("described", lambda: index.described_names(question))):
            timings.append(Timing(name=f"{name} {question}", first_ms=_ms(call), again_ms=_ms(call)))
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000, help="synthetic pages (default 10000)")
    for timing in measure(parser.parse_args(argv).pages):
        print(timing.line())


if __name__ == "__main__":
    main()
