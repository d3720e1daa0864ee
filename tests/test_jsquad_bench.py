"""`kotae eval --bench jsquad` end to end on a three-passage copy of the benchmark's format."""

from __future__ import annotations

import json

import pytest

from eval.jsquad import find_bench_dir, load_bench, run_jsquad, write_bench

pytestmark = pytest.mark.slow

PASSAGES = [
    {"pid": 0, "title": "梅雨", "body": "梅雨は、5月から7月にかけて来る曇りや雨の多い期間のこと。雨季の一種である。"},
    {"pid": 1, "title": "富士山", "body": "富士山は静岡県と山梨県にまたがる活火山で、標高は3776メートルである。"},
    {"pid": 2, "title": "将棋", "body": "将棋は二人で行うボードゲームで、盤上の駒を動かして相手の玉将を詰ませれば勝ちとなる。"},
]
QUESTIONS = [
    {"qid": "q0", "question": "梅雨は何季の一種か？", "gold_pid": 0},
    {"qid": "q1", "question": "富士山の標高は何メートル？", "gold_pid": 1},
    {"qid": "q2", "question": "将棋で相手の何を詰ませれば勝ちになる？", "gold_pid": 2},
]


def test_the_shipped_benchmark_data_is_found_and_complete():
    passages, questions = load_bench(find_bench_dir())
    assert (len(passages), len(questions)) == (1145, 4442)
    assert {q.gold_pid for q in questions} <= {p.pid for p in passages}


def test_bench_indexes_every_passage_and_maps_citations_back_to_pids(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name, rows in (("passages", PASSAGES), ("questions", QUESTIONS)):
        (data / f"{name}.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = run_jsquad(["bm25"], data_dir=data)
    result = report.results["bm25"]
    assert (report.passages, report.questions, result.n) == (3, 3, 3)
    # each question shares its distinctive words with its own passage only
    assert (result.recall_at_1, result.mrr_at_10) == (1.0, 1.0)
    paths = write_bench(report, tmp_path / "out")
    assert [p.name for p in paths] == ["jsquad.json", "jsquad.md", "jsquad.png"]
    assert json.loads(paths[0].read_text(encoding="utf-8"))["results"]["bm25"]["recall_at_1"] == 1.0
