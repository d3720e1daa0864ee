"""Runs the gold questions through the public `search()` / `ask()` and scores every row.

The runner depends only on the two public methods (the `AskAndSearch` protocol), so unit tests
drive it with a fake assistant and the CI gate drives it with the real one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from eval import metrics
from eval.report import EvalReport, RankerReport, RowResult, summarize
from ingest.errors import KotaeError

KINDS = ("amount", "fact", "paraphrase", "english", "followup", "compare", "unanswerable")
RANKERS = ("bm25", "dense", "hybrid")
SPLITS = ("dev", "heldout", "all")
DEFAULT_GOLD = Path(__file__).resolve().parent / "gold" / "gold.jsonl"


class GoldError(KotaeError):
    """The gold file is missing or a line of it is malformed."""


class GoldItem(BaseModel):
    """One gold question (a line of eval/gold/gold.jsonl).

    Example:
        >>> GoldItem(id="a1", question="SICORPの令和4年度予算額は？", kind="amount",
        ...          answers=["1,160百万円"], evidence="1,160百万円", page=2, split="dev").kind
        'amount'
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    question: str
    kind: Literal["amount", "fact", "paraphrase", "english", "followup", "compare", "unanswerable"]
    answers: tuple[str, ...] = ()
    evidence: str | None = None
    page: int | None = None
    history: tuple[str, ...] = ()
    split: Literal["dev", "heldout"]
    derived: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _answers_match_kind(self) -> "GoldItem":
        if not self.question.strip():
            raise ValueError("question must not be empty")
        if self.kind == "unanswerable" and self.answers:
            raise ValueError("an unanswerable row must have no answers")
        if self.kind != "unanswerable" and not self.answers:
            raise ValueError(f"a {self.kind} row needs at least one accepted answer")
        if self.evidence is not None and not metrics.normalize(self.evidence):
            raise ValueError("evidence must be null or contain a non-space character")
        return self


class AskAndSearch(Protocol):
    """What the runner needs of an assistant: the public `search()` and `ask()`."""

    def search(self, query: str, k: int = 10, *, ranker: str = "hybrid", history: list[dict] | None = None) -> list: ...

    def ask(self, question: str, history: list[dict] | None = None, *, ranker: str = "hybrid"): ...


def load_gold(path: str | Path = DEFAULT_GOLD, split: str = "dev") -> list[GoldItem]:
    """The gold rows of `split` ("dev", "heldout" or "all"), in file order.

    Held-out rows are for reporting only: never tune anything on them.

    Example:
        >>> load_gold("eval/gold/gold.jsonl", split="dev")  # doctest: +SKIP
        [GoldItem(id='amount-001', ...), ...]
    """
    if split not in SPLITS:
        raise GoldError(f"split must be one of {', '.join(SPLITS)}. Currently, the split is {split!r}")
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldError(f"{path}: no such gold file (pass --gold FILE, one JSON object a line)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read the gold file ({exc}); it must be UTF-8 JSON lines") from None
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = GoldItem.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path}:{number}: not valid JSON ({exc.msg}); write one object a line") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "row"
            raise GoldError(f"{path}:{number}: {where}: {first['msg']} (see the gold format in eval/runner.py)") from None
        if item.id in seen:
            raise GoldError(f"{path}:{number}: the id {item.id!r} is used twice; ids must be unique")
        seen.add(item.id)
        if split == "all" or item.split == split:
            items.append(item)
    if not items:
        raise GoldError(f"{path}: no rows in split {split!r} (choose --split dev, heldout or all)")
    return items


def run_gold(
    bot: AskAndSearch,
    items: Sequence[GoldItem],
    rankers: Iterable[str] = ("hybrid",),
    *,
    k: int = 10,
    gold: str = "",
    split: str = "dev",
    progress: bool = False,
) -> EvalReport:
    """Asks every gold question with each ranker and scores the answers and the rankings.

    Follow-up rows get a realistic history: each earlier user turn is asked in sequence (with the
    same ranker) and followed by the answer the assistant actually gave, in Gradio's messages format.
    Each ranker starts with one untimed warm-up `ask()`, so the latency figures are for a warm assistant.

    Example:
        >>> report = run_gold(Assistant.load("index"), load_gold(), ["bm25", "hybrid"])  # doctest: +SKIP
        >>> report.rankers["hybrid"].overall.recall_at_5  # doctest: +SKIP
        0.97
    """
    if k < 10:
        raise ValueError(f"k must be at least 10 (Recall@10, MRR@10, nDCG@10 need it). Currently, k is {k}")
    rankers = list(rankers)
    for ranker in rankers:
        if ranker not in RANKERS:
            raise ValueError(f"ranker must be one of {', '.join(RANKERS)}. Currently, the ranker is {ranker!r}")
    if not items:
        raise ValueError("items must hold at least one gold row")
    bar = _progress(total=len(items) * len(rankers), enabled=progress)
    reports: dict[str, RankerReport] = {}
    try:
        for ranker in rankers:
            bot.ask(items[0].question, ranker=ranker)  # warm-up: loads models and indexes once
            histories: dict[tuple[str, ...], list[dict]] = {(): []}
            rows = []
            for item in items:
                bar.set_description(f"{ranker} {item.id}")
                rows.append(_score(bot, item, ranker, k, _history(bot, item.history, ranker, histories)))
                bar.update(1)
            reports[ranker] = RankerReport(
                ranker=ranker,
                overall=summarize(rows),
                per_kind={kind: summarize([r for r in rows if r.kind == kind]) for kind in KINDS
                          if any(r.kind == kind for r in rows)},
                rows=tuple(rows),
            )
    finally:
        bar.close()
    return EvalReport(gold=gold, split=split, k=k, rankers=reports)


def _history(bot: AskAndSearch, turns: tuple[str, ...], ranker: str, cache: dict) -> list[dict]:
    """Messages for the earlier user turns, each followed by the assistant's real answer (cached by prefix)."""
    if turns in cache:
        return cache[turns]
    earlier = _history(bot, turns[:-1], ranker, cache)
    answer = bot.ask(turns[-1], history=list(earlier) or None, ranker=ranker)
    messages = [*earlier, {"role": "user", "content": turns[-1]}, {"role": "assistant", "content": answer.text}]
    cache[turns] = messages
    return messages


def _score(bot: AskAndSearch, item: GoldItem, ranker: str, k: int, history: list[dict]) -> RowResult:
    hit_ranks: tuple[int, ...] = ()
    page_ok: bool | None = None
    if item.evidence is not None:
        citations = bot.search(item.question, k=k, ranker=ranker, history=list(history) or None)[:k]
        rels = metrics.relevance((c.text for c in citations), item.evidence)
        hit_ranks = tuple(rank for rank, rel in enumerate(rels, start=1) if rel)
        if hit_ranks and item.page is not None:
            page_ok = citations[hit_ranks[0] - 1].page == item.page
    start = time.perf_counter()
    answer = bot.ask(item.question, history=list(history) or None, ranker=ranker)
    latency_ms = (time.perf_counter() - start) * 1000
    unanswerable = item.kind == "unanswerable"
    cited = [c.text for c in answer.citations]
    return RowResult(
        id=item.id,
        kind=item.kind,
        question=item.question,
        resolved_question=answer.resolved_question,
        answer=answer.text,
        answerable=answer.answerable,
        unanswerable_row=unanswerable,
        evidence_checked=item.evidence is not None,
        hit_ranks=hit_ranks,
        page_ok=page_ok,
        correct=metrics.is_correct(answer.text, item.answers, answerable=answer.answerable,
                                   unanswerable_row=unanswerable),
        wrong_amount=metrics.states_wrong_amount(answer.text, item.answers, unanswerable_row=unanswerable),
        states_amount=bool(metrics.find_amounts(answer.text)),
        faithful=metrics.is_faithful(answer.text, cited),
        latency_ms=latency_ms,
    )


def _progress(total: int, enabled: bool):
    from tqdm import tqdm  # tqdm writes to stderr; imported here so `import eval.runner` stays light

    return tqdm(total=total, disable=not enabled, unit="q", leave=False)
