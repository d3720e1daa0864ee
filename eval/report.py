"""The evaluation report: its values, the metric summary, the CI gate, and the files it is written to.

`kotae eval` prints `format_table(report)` and `write_report(report, out_dir)` writes report.json,
report.md and report.png (Recall@k per ranker, accuracy per kind) there.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from eval import metrics
from ingest.errors import KotaeError

RECALL_KS = (1, 3, 5, 10)
THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.json"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RowResult(_Frozen):
    """One gold question asked with one ranker, scored.

    Example:
        >>> RowResult(id="q1", kind="amount", question="…", answer="1,160百万円です。", answerable=True,
        ...           unanswerable_row=False, evidence_checked=True, hit_ranks=(2,), correct=True,
        ...           wrong_amount=False, states_amount=True, faithful=True, latency_ms=3.0).hit_ranks
        (2,)
    """

    id: str
    kind: str
    question: str
    resolved_question: str | None = None
    answer: str
    answerable: bool
    unanswerable_row: bool
    evidence_checked: bool = Field(description="the row has an evidence string, so its ranking was scored")
    hit_ranks: tuple[int, ...] = Field(default=(), description="1-based ranks of the citations holding the evidence")
    page_ok: bool | None = Field(default=None, description="the first hit is on the gold page (None: no hit or no page)")
    correct: bool
    wrong_amount: bool
    states_amount: bool
    faithful: bool
    latency_ms: float

    def relevance(self, k: int) -> list[bool]:
        """The binary relevance of the first k citations."""
        hits = set(self.hit_ranks)
        return [rank in hits for rank in range(1, k + 1)]


class MetricSet(_Frozen):
    """Every metric over a set of rows (None: nothing to measure it on, e.g. no unanswerable rows)."""

    n: int
    n_retrieval: int = Field(description="rows with an evidence string (the retrieval metrics' denominator)")
    recall_at_1: float | None = None
    recall_at_3: float | None = None
    recall_at_5: float | None = None
    recall_at_10: float | None = None
    mrr_at_10: float | None = None
    ndcg_at_10: float | None = None
    page_accuracy: float | None = Field(
        default=None,
        description="first hit on the gold page, among rows with a hit and a page (a figure printed on two pages "
        "is a correct citation on either, but the gold names one: read this as a lower bound; not gated)",
    )
    accuracy: float | None = None
    abstention_precision: float | None = None
    abstention_recall: float | None = None
    wrong_amount: int = Field(description="rows whose direct answer states an amount that is not accepted")
    faithfulness: float | None = Field(default=None, description="answers stating amounts whose amounts are all in cited passages")
    n_with_amounts: int = 0
    n_unanswerable: int = Field(default=0, description="unanswerable rows (abstention recall's denominator)")
    n_abstained: int = Field(default=0, description="answers with answerable=False (abstention precision's denominator)")
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None

    def get(self, name: str) -> float | None:
        """A metric by its report name ("recall@5", "mrr@10", "accuracy", "wrong_amount" …).

        Example:
            >>> MetricSet(n=1, n_retrieval=1, recall_at_5=1.0, wrong_amount=0).get("recall@5")
            1.0
        """
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r}; valid metrics: {', '.join(METRICS)}")
        return getattr(self, METRICS[name])


METRICS = {
    "n": "n",
    "recall@1": "recall_at_1",
    "recall@3": "recall_at_3",
    "recall@5": "recall_at_5",
    "recall@10": "recall_at_10",
    "mrr@10": "mrr_at_10",
    "ndcg@10": "ndcg_at_10",
    "page_accuracy": "page_accuracy",
    "accuracy": "accuracy",
    "abstention_precision": "abstention_precision",
    "abstention_recall": "abstention_recall",
    "wrong_amount": "wrong_amount",
    "faithfulness": "faithfulness",
    "latency_p50_ms": "latency_p50_ms",
    "latency_p95_ms": "latency_p95_ms",
}
"""Report names of the metrics (as in thresholds.json and the tables) → MetricSet fields."""


class RankerReport(_Frozen):
    """The rows and metrics of one ranker."""

    ranker: str
    overall: MetricSet
    per_kind: dict[str, MetricSet]
    rows: tuple[RowResult, ...]


class EvalReport(_Frozen):
    """A whole gold-set evaluation: one RankerReport per ranker, in the order they ran.

    Example:
        >>> EvalReport(gold="gold.jsonl", split="dev", k=10, rankers={}).split
        'dev'
    """

    gold: str
    split: str
    k: int
    rankers: dict[str, RankerReport]


def summarize(rows: Sequence[RowResult]) -> MetricSet:
    """The metrics of a set of scored rows.

    Example:
        >>> summarize([]).n
        0
    """
    retrieval = [r for r in rows if r.evidence_checked]
    recalls = {k: metrics.mean([metrics.recall_at_k(r.relevance(k), k) for r in retrieval]) for k in RECALL_KS}
    with_amounts = [r for r in rows if r.states_amount]
    latencies = [r.latency_ms for r in rows]
    precision, recall = metrics.abstention_precision_recall(
        [not r.answerable for r in rows], [r.unanswerable_row for r in rows]
    )
    return MetricSet(
        n=len(rows),
        n_retrieval=len(retrieval),
        recall_at_1=recalls[1],
        recall_at_3=recalls[3],
        recall_at_5=recalls[5],
        recall_at_10=recalls[10],
        mrr_at_10=metrics.mean([metrics.reciprocal_rank(r.relevance(10), 10) for r in retrieval]),
        ndcg_at_10=metrics.mean([metrics.ndcg_at_k(r.relevance(10), 10) for r in retrieval]),
        page_accuracy=metrics.accuracy([r.page_ok for r in rows if r.page_ok is not None]),
        accuracy=metrics.accuracy([r.correct for r in rows]),
        abstention_precision=precision,
        abstention_recall=recall,
        wrong_amount=sum(1 for r in rows if r.wrong_amount),
        faithfulness=metrics.accuracy([r.faithful for r in with_amounts]),
        n_with_amounts=len(with_amounts),
        n_unanswerable=sum(1 for r in rows if r.unanswerable_row),
        n_abstained=sum(1 for r in rows if not r.answerable),
        latency_p50_ms=metrics.percentile(latencies, 50),
        latency_p95_ms=metrics.percentile(latencies, 95),
    )


# --- the CI gate -------------------------------------------------------------------------------


class Bounds(_Frozen):
    """Lower (`min`) and upper (`max`) bounds on metrics, by report name."""

    min: dict[str, float] = {}
    max: dict[str, float] = {}

    @field_validator("min", "max")
    @classmethod
    def _known_metrics(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(METRICS))
        if unknown:
            raise ValueError(f"unknown metric(s) {', '.join(unknown)}; valid metrics: {', '.join(METRICS)}")
        return value


class RankerThresholds(_Frozen):
    """The bounds one ranker must meet overall and per kind."""

    overall: Bounds = Bounds()
    kinds: dict[str, Bounds] = {}


class Thresholds(_Frozen):
    """The CI gate's thresholds (eval/thresholds.json). Raise them as the system improves; never lower
    them to let a change pass.

    Example:
        >>> Thresholds(split="dev", rankers={"hybrid": {"overall": {"max": {"wrong_amount": 0}}}}).split
        'dev'
    """

    model_config = ConfigDict(frozen=True, extra="ignore")  # "about" and other notes are allowed

    split: str = "dev"
    rankers: dict[str, RankerThresholds]


class ThresholdsError(KotaeError):
    """The thresholds file is missing or malformed."""


def load_thresholds(path: str | Path = THRESHOLDS_FILE) -> Thresholds:
    """The gate's thresholds from a JSON file.

    Example:
        >>> load_thresholds().split
        'dev'
    """
    path = Path(path)
    try:
        return Thresholds.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ThresholdsError(f"{path}: no such thresholds file (pass --thresholds FILE)") from None
    except json.JSONDecodeError as exc:
        raise ThresholdsError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ThresholdsError(f"{path}: {where}: {first['msg']}") from None


def gate_failures(report: EvalReport, thresholds: Thresholds) -> list[str]:
    """One message per threshold the report misses; an empty list means the gate passes.

    A metric that was not measured (None) misses every threshold set on it.

    Example:
        >>> gate_failures(EvalReport(gold="g", split="dev", k=10, rankers={}),
        ...               Thresholds(rankers={"hybrid": {}}))
        ['hybrid: not in the report (run the eval with --ranker hybrid or --ranker all)']
    """
    failures: list[str] = []
    if report.split != thresholds.split:
        failures.append(
            f"split: the thresholds are for the {thresholds.split!r} split, the report is for {report.split!r} "
            f"(run the eval with --split {thresholds.split})"
        )
    for ranker, bounds in thresholds.rankers.items():
        result = report.rankers.get(ranker)
        if result is None:
            failures.append(f"{ranker}: not in the report (run the eval with --ranker {ranker} or --ranker all)")
            continue
        scopes = [("overall", bounds.overall, result.overall)]
        for kind, kind_bounds in bounds.kinds.items():
            scopes.append((kind, kind_bounds, result.per_kind.get(kind)))
        for scope, scope_bounds, measured in scopes:
            failures.extend(_misses(f"{ranker}/{scope}", scope_bounds, measured))
    return failures


def _misses(where: str, bounds: Bounds, measured: MetricSet | None) -> list[str]:
    misses = []
    for name, limit, below in [*((n, v, True) for n, v in bounds.min.items()),
                               *((n, v, False) for n, v in bounds.max.items())]:
        value = None if measured is None else measured.get(name)
        if value is None:
            misses.append(f"{where}: {name} was not measured (no rows for it in this split); "
                          f"the threshold is {'≥' if below else '≤'} {limit:g}")
        elif below and value < limit:
            misses.append(f"{where}: {name} = {value:.3f} is below the threshold {limit:g}; "
                          "fix the regression (never lower the threshold to pass)")
        elif not below and value > limit:
            misses.append(f"{where}: {name} = {value:g} is above the limit {limit:g}; "
                          "fix the regression (never raise the limit to pass)")
    return misses


def _one_question(measured: MetricSet, name: str) -> float:
    """What one question moves `name` by in this scope: the ratchet's margin."""
    denominator = {
        "faithfulness": measured.n_with_amounts,
        "abstention_recall": measured.n_unanswerable,
        "abstention_precision": measured.n_abstained,
        "page_accuracy": measured.n_retrieval,
    }.get(name, measured.n_retrieval if name.startswith(("recall", "mrr", "ndcg")) else measured.n)
    return 1 / denominator if denominator else 0.0


def ratchet_thresholds(path: str | Path, report: EvalReport) -> list[str]:
    """Tightens the thresholds file from a better report; never loosens a bound.

    Each floor becomes max(floor, measured - one question's worth, rounded down to 2 decimals) and
    each ceiling min(ceiling, measured). Only bounds already in the file move; its notes are kept.
    Returns one line per bound that moved.

    Example:
        >>> ratchet_thresholds("eval/thresholds.json", report)  # doctest: +SKIP
        ['hybrid/overall: recall@5 0.66 → 0.83']
    """
    thresholds = load_thresholds(path)
    if report.split != thresholds.split:
        raise ThresholdsError(f"{path}: the thresholds are for the {thresholds.split!r} split; ratchet them "
                              f"from a --split {thresholds.split} report, not {report.split!r}")
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    changes: list[str] = []
    for ranker, bounds in thresholds.rankers.items():
        result = report.rankers.get(ranker)
        if result is None:
            continue
        raw_ranker = raw["rankers"][ranker]
        scopes = [("overall", raw_ranker.get("overall", {}), result.overall)]
        scopes += [(kind, raw_ranker.get("kinds", {}).get(kind, {}), result.per_kind.get(kind)) for kind in bounds.kinds]
        for scope, raw_bounds, measured in scopes:
            if measured is None:
                continue
            for name, floor in raw_bounds.get("min", {}).items():
                value = measured.get(name)
                if value is None:
                    continue
                candidate = min(value, math.floor((value - _one_question(measured, name)) * 100 + 1e-9) / 100)
                if candidate > floor:
                    raw_bounds["min"][name] = candidate
                    changes.append(f"{ranker}/{scope}: {name} ≥ {floor:g} → ≥ {candidate:g}")
            for name, ceiling in raw_bounds.get("max", {}).items():
                value = measured.get(name)
                if value is not None and value < ceiling:
                    raw_bounds["max"][name] = value
                    changes.append(f"{ranker}/{scope}: {name} ≤ {ceiling:g} → ≤ {value:g}")
    if changes:
        Path(path).write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return changes


# --- output ------------------------------------------------------------------------------------

_TABLE_METRICS = ("n", "recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10", "page_accuracy",
                  "accuracy", "abstention_precision", "abstention_recall", "wrong_amount", "faithfulness",
                  "latency_p50_ms", "latency_p95_ms")
_KIND_METRICS = ("recall@5", "mrr@10", "accuracy", "wrong_amount")
_SHORT = {"recall@5": "R@5", "mrr@10": "MRR@10", "accuracy": "acc", "wrong_amount": "wrong"}


def _cell(value: float | int | None, name: str) -> str:
    if value is None:
        return "n/a"
    if name in ("n", "wrong_amount"):
        return str(int(value))
    if name.startswith("latency"):
        return f"{value:.1f}"
    return f"{value:.3f}"


def _grid(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    fmt = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))  # noqa: E731
    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def format_table(report: EvalReport, *, markdown: bool = False) -> str:
    """The overall metrics (one column per ranker) and the per-kind metrics, side by side.

    Example:
        >>> print(format_table(report))  # doctest: +SKIP
        metric      bm25  hybrid
        ...
    """
    rankers = list(report.rankers)
    overall = _grid(
        ["metric", *rankers],
        [[name, *(_cell(report.rankers[r].overall.get(name), name) for r in rankers)] for name in _TABLE_METRICS],
        markdown,
    )
    kinds = [kind for kind in _kind_order(report)]
    per_kind = _grid(
        ["kind", "n", *(f"{r} {_SHORT[m]}" for r in rankers for m in _KIND_METRICS)],
        [
            [kind, _cell(_kind_n(report, kind), "n"),
             *(_cell(_kind_get(report, r, kind, m), m) for r in rankers for m in _KIND_METRICS)]
            for kind in kinds
        ],
        markdown,
    )
    return f"{overall}\n\n{per_kind}"


def _kind_order(report: EvalReport) -> list[str]:
    seen: dict[str, None] = {}
    for result in report.rankers.values():
        seen.update(dict.fromkeys(result.per_kind))
    return list(seen)


def _kind_n(report: EvalReport, kind: str) -> int | None:
    for result in report.rankers.values():
        if kind in result.per_kind:
            return result.per_kind[kind].n
    return None


def _kind_get(report: EvalReport, ranker: str, kind: str, name: str) -> float | None:
    measured = report.rankers[ranker].per_kind.get(kind)
    return None if measured is None else measured.get(name)


def _md_escape(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat.replace("|", "\\|")


def format_markdown(report: EvalReport) -> str:
    """report.md: the tables, each ranker's per-kind table, and the rows that went wrong.

    Example:
        >>> format_markdown(report).startswith("# kotae eval")  # doctest: +SKIP
        True
    """
    parts = [
        "# kotae eval",
        f"Gold file `{report.gold}`, split `{report.split}`, rankers {', '.join(report.rankers) or 'none'}. "
        "Held-out rows are for reporting only; the CI gate and any tuning use the dev split.",
        "Definitions: see `eval/metrics.py` (hit = a citation containing the evidence after NFKC and whitespace "
        "removal; wrong amount = the first sentence states an amount not accepted; faithfulness = among answers "
        "stating amounts, those whose amounts all appear in, or are a sum/difference of amounts in, cited passages).",
        "## Overall and per kind",
        format_table(report, markdown=True),
    ]
    for ranker, result in report.rankers.items():
        parts.append(f"## {ranker}: per kind")
        parts.append(_grid(
            ["kind", *_TABLE_METRICS],
            [[kind, *(_cell(m.get(name), name) for name in _TABLE_METRICS)] for kind, m in result.per_kind.items()],
            True,
        ))
        bad = [r for r in result.rows if not r.correct or r.wrong_amount or not r.faithful
               or (r.evidence_checked and not r.hit_ranks)]
        parts.append(f"### {ranker}: rows to look at ({len(bad)})")
        if bad:
            parts.append(_grid(
                ["id", "kind", "problems", "question", "answer (first sentence)"],
                [[r.id, r.kind, ", ".join(_problems(r)), _md_escape(r.question),
                  _md_escape(metrics.first_sentence(r.answer))] for r in bad],
                True,
            ))
    return "\n\n".join(parts) + "\n"


def _problems(row: RowResult) -> list[str]:
    problems = []
    if not row.correct:
        problems.append("incorrect")
    if row.wrong_amount:
        problems.append("wrong amount")
    if not row.faithful:
        problems.append("unfaithful")
    if row.evidence_checked and not row.hit_ranks:
        problems.append("evidence not in top 10")
    return problems


def plot_report(report: EvalReport, path: str | Path) -> Path:
    """A PNG: Recall@k curves per ranker (left) and accuracy per kind per ranker (right).

    Example:
        >>> plot_report(report, "out/report.png")  # doctest: +SKIP
        PosixPath('out/report.png')
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib is heavy: import on use, Agg only
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    for ranker, result in report.rankers.items():
        values = [result.overall.get(f"recall@{k}") for k in RECALL_KS]
        left.plot(RECALL_KS, [v if v is not None else float("nan") for v in values], marker="o", label=ranker)
    left.set(title="Recall@k (gold evidence in the top k)", xlabel="k", ylabel="recall", ylim=(0, 1.02),
             xticks=list(RECALL_KS))
    left.grid(alpha=0.3)
    left.legend(loc="lower right")
    kinds = _kind_order(report)
    width = 0.8 / max(1, len(report.rankers))
    for i, (ranker, result) in enumerate(report.rankers.items()):
        heights = [_kind_get(report, ranker, kind, "accuracy") or 0.0 for kind in kinds]
        right.bar([x + i * width for x in range(len(kinds))], heights, width=width, label=ranker)
    right.set(title="Answer accuracy per kind", ylabel="accuracy", ylim=(0, 1.2), yticks=[0, 0.2, 0.4, 0.6, 0.8, 1.0])
    labels = [f"{kind}\n(n={_kind_n(report, kind)})" for kind in kinds]
    right.set_xticks([x + width * (len(report.rankers) - 1) / 2 for x in range(len(kinds))], labels)
    right.grid(axis="y", alpha=0.3)
    right.legend(loc="upper right", ncol=max(1, len(report.rankers)))
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, format="png")
    return path


class ReportFiles(_Frozen):
    """The paths `write_report` wrote."""

    json_path: Path
    markdown_path: Path
    plot_path: Path


def write_report(report: EvalReport, out_dir: str | Path) -> ReportFiles:
    """Writes report.json, report.md and report.png into `out_dir` (created if missing).

    Example:
        >>> write_report(report, "eval-report").plot_path  # doctest: +SKIP
        PosixPath('eval-report/report.png')
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        json_path = out / "report.json"
        json_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
        markdown_path = out / "report.md"
        markdown_path.write_text(format_markdown(report), encoding="utf-8")
        plot_path = plot_report(report, out / "report.png")
    except OSError as exc:
        raise KotaeError(f"{out}: cannot write the report there ({exc.strerror}); pass another --out DIR") from None
    return ReportFiles(json_path=json_path, markdown_path=markdown_path, plot_path=plot_path)
