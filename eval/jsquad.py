"""The JSQuAD-valid passage-retrieval benchmark (`kotae eval --bench jsquad`).

Every passage becomes one RawDocument (source "jsquad/{pid}") in a temporary index; each question is
searched with each ranker and the ranking is read at passage level: citations map back to their pid
by `Citation.source`, and later chunks of an already-ranked passage are dropped. Since a passage can be
cut into several chunks, `search()` is asked for `2 * k` citations to fill k distinct passages.
The shared README's figures (all 4,442 questions, BM25 char 1+2-grams: MRR@10 .935) are the bar.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from eval import metrics
from ingest.errors import KotaeError
from ingest.models import RawDocument

_HERE = Path(__file__).resolve().parent
BENCH_DIRS = (_HERE / "bench" / "jsquad-valid", _HERE.parent.parent / "shared" / "bench" / "jsquad-valid")
"""Where the data is looked for: the copy shipped in eval/bench, then ../shared/bench next to the repo."""
KS = (1, 5, 10)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Passage(_Frozen):
    """A JSQuAD paragraph."""

    pid: int
    title: str
    body: str


class Question(_Frozen):
    """A JSQuAD question and the paragraph it was written from."""

    qid: str
    question: str
    gold_pid: int


class BenchResult(_Frozen):
    """One ranker's figures on the benchmark.

    Example:
        >>> BenchResult(ranker="bm25", n=1, recall_at_1=1.0, recall_at_5=1.0, recall_at_10=1.0,
        ...             mrr_at_10=1.0, p50_ms=0.2, p95_ms=0.3).mrr_at_10
        1.0
    """

    ranker: str
    n: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr_at_10: float
    p50_ms: float
    p95_ms: float


class BenchReport(_Frozen):
    """The benchmark over all rankers run, with the cost of building its index."""

    data_dir: str
    passages: int
    questions: int
    ingest_seconds: float
    results: dict[str, BenchResult]


class BenchDataError(KotaeError):
    """The benchmark data is missing or malformed."""


def find_bench_dir(candidates: Sequence[Path] = BENCH_DIRS) -> Path:
    """The first folder holding passages.jsonl and questions.jsonl.

    Example:
        >>> find_bench_dir().name
        'jsquad-valid'
    """
    for folder in candidates:
        if (folder / "passages.jsonl").is_file() and (folder / "questions.jsonl").is_file():
            return folder
    raise BenchDataError(
        f"no JSQuAD-valid data in {' or '.join(str(c) for c in candidates)} "
        "(copy passages.jsonl and questions.jsonl into eval/bench/jsquad-valid)"
    )


def _read_jsonl(path: Path, model: type[_Frozen]) -> list:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(model.model_validate(json.loads(line)))
            except ValueError as exc:  # JSONDecodeError and ValidationError alike
                reason = str(exc).splitlines()[0]
                raise BenchDataError(f"{path}:{number}: not a {model.__name__} line ({reason})") from None
    return rows


def load_bench(folder: str | Path) -> tuple[list[Passage], list[Question]]:
    """The passages and questions of a JSQuAD-valid folder.

    Example:
        >>> passages, questions = load_bench(find_bench_dir())
        >>> len(passages), len(questions)
        (1145, 4442)
    """
    folder = Path(folder)
    return _read_jsonl(folder / "passages.jsonl", Passage), _read_jsonl(folder / "questions.jsonl", Question)


def raw_documents(passages: Iterable[Passage]) -> Iterator[RawDocument]:
    """One unpaged RawDocument per passage, its text the title and the body on two lines.

    Example:
        >>> next(raw_documents([Passage(pid=0, title="梅雨", body="梅雨は雨季の一種である。")])).source
        'jsquad/0'
    """
    for passage in passages:
        text = f"{passage.title}\n{passage.body}"
        yield RawDocument(
            source=f"jsquad/{passage.pid}",
            title=passage.title,
            pages=(text,),
            paged=False,
            content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            media_type="text/plain",
        )


def pid_of(source: str) -> int | None:
    """The passage id a citation's source names, or None for another source.

    Example:
        >>> pid_of("jsquad/42"), pid_of("corpus/a.txt")
        (42, None)
    """
    prefix, _, rest = source.partition("/")
    return int(rest) if prefix == "jsquad" and rest.isdigit() else None


def passage_ranking(sources: Iterable[str], k: int = 10) -> list[int]:
    """The first k distinct passage ids in citation order.

    Example:
        >>> passage_ranking(["jsquad/3", "jsquad/3", "jsquad/7"])
        [3, 7]
    """
    ranking: list[int] = []
    for source in sources:
        pid = pid_of(source)
        if pid is not None and pid not in ranking:
            ranking.append(pid)
            if len(ranking) == k:
                break
    return ranking


def spread_subset(questions: Sequence[Question], limit: int | None) -> list[Question]:
    """`limit` questions evenly spread over the file (all of them for None), so a quick run still
    covers many articles rather than the first few.

    Example:
        >>> [q.qid for q in spread_subset([Question(qid=str(i), question="?", gold_pid=0) for i in range(10)], 3)]
        ['0', '3', '6']
    """
    if limit is None or limit >= len(questions):
        return list(questions)
    if limit < 1:
        raise ValueError(f"limit must be at least 1. Currently, the limit is {limit}")
    return [questions[i * len(questions) // limit] for i in range(limit)]


def score_rankings(rankings: Sequence[Sequence[int]], gold: Sequence[int], latencies_ms: Sequence[float],
                   ranker: str) -> BenchResult:
    """R@1/5/10, MRR@10 and latency percentiles of passage rankings against gold pids.

    Example:
        >>> score_rankings([[1, 2], [3, 1]], [1, 1], [1.0, 3.0], "bm25").mrr_at_10
        0.75
    """
    rels = [[pid == g for pid in ranking] for ranking, g in zip(rankings, gold, strict=True)]
    recall = {k: metrics.mean([metrics.recall_at_k(r, k) for r in rels]) or 0.0 for k in KS}
    return BenchResult(
        ranker=ranker,
        n=len(rels),
        recall_at_1=recall[1],
        recall_at_5=recall[5],
        recall_at_10=recall[10],
        mrr_at_10=metrics.mean([metrics.reciprocal_rank(r, 10) for r in rels]) or 0.0,
        p50_ms=metrics.percentile(latencies_ms, 50) or 0.0,
        p95_ms=metrics.percentile(latencies_ms, 95) or 0.0,
    )


def run_jsquad(
    rankers: Iterable[str] = ("hybrid",),
    *,
    data_dir: str | Path | None = None,
    limit: int | None = None,
    index_dir: str | Path | None = None,
    settings=None,
    progress: bool = False,
) -> BenchReport:
    """Indexes every passage in a temporary index (or `index_dir`) and scores each ranker.

    Example:
        >>> run_jsquad(["bm25"], limit=200).results["bm25"].mrr_at_10  # doctest: +SKIP
        0.93
    """
    from tqdm import tqdm  # light, but only the benchmark needs it

    from assistant import Assistant
    from assistant.indexer import Indexer

    folder = Path(data_dir) if data_dir is not None else find_bench_dir()
    passages, questions = load_bench(folder)
    subset = spread_subset(questions, limit)
    rankers = list(rankers)
    with tempfile.TemporaryDirectory(prefix="kotae-jsquad-") as tmp:
        target = Path(index_dir) if index_dir is not None else Path(tmp) / "index"
        started = time.perf_counter()
        Indexer(target, settings).add_raw_documents(raw_documents(passages), progress=progress)
        ingest_seconds = time.perf_counter() - started
        bot = Assistant.load(target)
        results = {}
        for ranker in rankers:
            bot.search(subset[0].question, k=10, ranker=ranker)  # warm-up: loads the encoder once
            rankings, latencies = [], []
            for question in tqdm(subset, desc=f"jsquad {ranker}", disable=not progress, unit="q", leave=False):
                start = time.perf_counter()
                citations = bot.search(question.question, k=20, ranker=ranker)
                latencies.append((time.perf_counter() - start) * 1000)
                rankings.append(passage_ranking((c.source for c in citations), 10))
            results[ranker] = score_rankings(rankings, [q.gold_pid for q in subset], latencies, ranker)
    return BenchReport(data_dir=str(folder), passages=len(passages), questions=len(subset),
                       ingest_seconds=ingest_seconds, results=results)


def format_bench(report: BenchReport, *, markdown: bool = False) -> str:
    """The benchmark table, one row per ranker, in the shared README's columns.

    Example:
        >>> print(format_bench(report))  # doctest: +SKIP
        ranker  R@1  R@5  R@10  MRR@10  p50 ms
    """
    header = ["ranker", "n", "R@1", "R@5", "R@10", "MRR@10", "p50 ms", "p95 ms"]
    rows = [[r.ranker, str(r.n), f"{r.recall_at_1:.3f}", f"{r.recall_at_5:.3f}", f"{r.recall_at_10:.3f}",
             f"{r.mrr_at_10:.3f}", f"{r.p50_ms:.2f}", f"{r.p95_ms:.2f}"] for r in report.results.values()]
    note = (f"JSQuAD-valid: {report.questions} questions over {report.passages} passages; "
            f"index built in {report.ingest_seconds:.1f} s")
    if markdown:
        table = "\n".join(["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|",
                           *("| " + " | ".join(row) + " |" for row in rows)])
        return f"# kotae eval --bench jsquad\n\n{note}.\n\n{table}\n"
    widths = [max(len(c) for c in col) for col in zip(header, *rows)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in [header, *rows]]
    return "\n".join([note, *lines])


def write_bench(report: BenchReport, out_dir: str | Path) -> list[Path]:
    """jsquad.json, jsquad.md and jsquad.png (Recall@k per ranker) in `out_dir`.

    Example:
        >>> write_bench(report, "eval-report")  # doctest: +SKIP
        [PosixPath('eval-report/jsquad.json'), ...]
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "jsquad.json", out / "jsquad.md", out / "jsquad.png"]
        paths[0].write_text(report.model_dump_json(indent=2), encoding="utf-8")
        paths[1].write_text(format_bench(report, markdown=True), encoding="utf-8")
        figure = Figure(figsize=(6, 4.5), dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        for r in report.results.values():
            axes.plot(KS, [r.recall_at_1, r.recall_at_5, r.recall_at_10], marker="o", label=f"{r.ranker} (MRR@10 {r.mrr_at_10:.3f})")
        axes.set(title=f"JSQuAD-valid Recall@k ({report.questions} questions)", xlabel="k", ylabel="recall",
                 xticks=list(KS))
        axes.grid(alpha=0.3)
        axes.legend(loc="lower right")
        figure.tight_layout()
        figure.savefig(paths[2], format="png")
    except OSError as exc:
        raise KotaeError(f"{out}: cannot write the benchmark report there ({exc.strerror}); pass another --out DIR") from None
    return paths
