"""Measure the fusion weights on JSQuAD-valid (lexical questions) and the gold dev set (paraphrased and
English questions), so the choice in assistant/retrieve.py rests on figures. A script, not a test.

    python -m eval.tune_fusion [--limit N] [--index DIR]

It ranks each question once with BM25 and once with the dense ranker, then scores every weight pair
of the grid on those candidate lists, without re-encoding.
"""

from __future__ import annotations

import argparse
import itertools
import json
import unicodedata
from pathlib import Path

from assistant import Assistant
from assistant.indexer import Indexer
from eval import metrics
from eval.jsquad import find_bench_dir, load_bench, passage_ranking, raw_documents, spread_subset
from index.fusion import fuse_scores, lexical_confidence

GRID_CONFIDENT = (0.0, 0.1, 0.2, 0.3, 0.4)
GRID_UNSURE = (0.3, 0.5, 0.7, 0.8, 0.9, 1.0)
CANDIDATES = 50


def candidate_lists(bot: Assistant, question: str):
    retriever = bot.retriever
    lexical = retriever._lexical(question, CANDIDATES)
    dense, _ = retriever._dense(question, CANDIDATES)
    top = retriever._by_row.get(lexical[0][0]) if lexical else None
    confidence = lexical_confidence(question, f"{top.heading}\n{top.text}" if top else None)
    if retriever.japanese_corpus and not any("\u3040" <= ch <= "\u9fff" for ch in question):
        confidence = 0.0
    return lexical, dense, confidence


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=1500, help="JSQuAD questions, evenly spread")
    parser.add_argument("--index", type=Path, default=Path("/tmp/kotae-jsquad-index"), help="JSQuAD index (built if missing)")
    parser.add_argument("--gold", type=Path, default=Path(__file__).parent / "gold" / "gold.jsonl")
    args = parser.parse_args()

    passages, questions = load_bench(find_bench_dir())
    if not (args.index / "CURRENT").exists():
        Indexer(args.index).add_raw_documents(raw_documents(passages))
    bot = Assistant.load(args.index)
    rows_of = {sc.row: sc.chunk for sc in bot.data.chunks}
    subset = spread_subset(questions, args.limit)
    jsquad = [(candidate_lists(bot, q.question), q.gold_pid) for q in subset]

    gold_bot = Assistant.default()
    gold_rows = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev = [r for r in gold_rows if r["split"] == "dev" and r.get("evidence") and not r.get("history")]
    gold_rows_of = {sc.row: sc.chunk for sc in gold_bot.data.chunks}
    gold = [(candidate_lists(gold_bot, r["question"]), _norm(r["evidence"]), r["kind"]) for r in dev]

    results = []
    for wc, wu in itertools.product(GRID_CONFIDENT, GRID_UNSURE):
        if wc > wu:
            continue
        mrr_j = metrics.mean([
            metrics.reciprocal_rank([pid == gold_pid for pid in passage_ranking(
                (rows_of[row].source for row, _ in fuse_scores(lx, dn, confidence=c, weight_confident=wc, weight_unsure=wu)), 10)], 10)
            for (lx, dn, c), gold_pid in jsquad
        ])
        per_kind: dict[str, list[float]] = {}
        for (lx, dn, c), evidence, kind in gold:
            ranked = fuse_scores(lx, dn, confidence=c, weight_confident=wc, weight_unsure=wu)[:5]
            hit = any(evidence in _norm(gold_rows_of[row].text) for row, _ in ranked)
            per_kind.setdefault(kind, []).append(float(hit))
        r5 = {k: sum(v) / len(v) for k, v in per_kind.items()}
        r5_all = sum(sum(v) for v in per_kind.values()) / sum(len(v) for v in per_kind.values())
        results.append((wc, wu, mrr_j, r5_all, r5))
    for name, lists in (("bm25", lambda lx, dn: lx), ("dense", lambda lx, dn: dn)):
        mrr_j = metrics.mean([
            metrics.reciprocal_rank([pid == g for pid in passage_ranking((rows_of[row].source for row, _ in lists(lx, dn)), 10)], 10)
            for (lx, dn, c), g in jsquad
        ])
        print(f"{name:>14}  jsquad MRR@10 {mrr_j:.3f}")
    print(f"{'w_conf w_unsure':>14}  jsquad MRR@10  gold-dev R@5  per kind")
    for wc, wu, mrr_j, r5_all, r5 in sorted(results, key=lambda r: -(r[2] + r[3])):
        kinds = " ".join(f"{k}={v:.2f}" for k, v in sorted(r5.items()))
        print(f"{wc:>6.1f} {wu:>7.1f}  {mrr_j:.3f}          {r5_all:.3f}        {kinds}")


if __name__ == "__main__":
    main()
