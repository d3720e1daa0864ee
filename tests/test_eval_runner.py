"""The gold runner end to end with a fake assistant: report numbers by hand, files written, the gate.

The fake answers from canned tables, so every expected figure below is worked out by hand.
"""

from __future__ import annotations

import argparse
import json

import pytest

from assistant.answer import Answer
from eval import command
from eval.report import (
    EvalReport,
    MetricSet,
    RankerReport,
    Thresholds,
    ThresholdsError,
    gate_failures,
    load_thresholds,
    ratchet_thresholds,
)
from eval.runner import GoldError, load_gold, run_gold
from ingest.models import Citation


def _cite(text: str, page: int) -> Citation:
    return Citation(source="corpus/mext.txt", title="mext", page=page, text=text, start=0, end=len(text))


SICORP = _cite("戦略的国際共同研究プログラム（SICORP）\n令和4年度予算額(案) 1,160百万円\n（前年度予算額 1,078百万円）", 2)
FELLOWS = _cite("海外特別研究員\n採用人数 178人", 5)  # the gold page is 4: a page miss
NOISE = _cite("国際頭脳循環の推進", 1)

Q_AMOUNT = "SICORPの令和4年度予算額は？"
Q_FACT = "海外特別研究員の採用人数は？"
Q_FOLLOWUP = "では前年度は？"
Q_NONE = "SICORPの令和10年度予算額は？"
A_AMOUNT = "11.6億円（1,160百万円）です。"
EXPECTED_HISTORY = [{"role": "user", "content": Q_AMOUNT}, {"role": "assistant", "content": A_AMOUNT}]

GOLD = [
    {"id": "amount-1", "question": Q_AMOUNT, "kind": "amount", "answers": ["1,160百万円", "11.6億円"],
     "evidence": "令和4年度予算額（案） 1,160百万円", "page": 2, "history": [], "split": "dev"},
    {"id": "fact-1", "question": Q_FACT, "kind": "fact", "answers": ["178人"],
     "evidence": "採用人数 178人", "page": 4, "history": [], "split": "dev"},
    {"id": "followup-1", "question": Q_FOLLOWUP, "kind": "followup", "answers": ["1,078百万円"],
     "evidence": "前年度予算額 1,078百万円", "page": 2, "history": [Q_AMOUNT], "split": "dev"},
    {"id": "none-1", "question": Q_NONE, "kind": "unanswerable", "answers": [],
     "evidence": None, "page": None, "history": [], "split": "dev"},
    {"id": "held-1", "question": "held-out question", "kind": "fact", "answers": ["x"],
     "evidence": "x", "page": None, "history": [], "split": "heldout", "derived": ["x"]},
]


class FakeAssistant:
    """Canned rankings and answers per ranker; bm25 ranks the fellows passage third and misreads 178 as 140."""

    def __init__(self) -> None:
        self.asks: list[tuple[str, list | None, str]] = []

    def search(self, query, k=10, *, ranker="hybrid", history=None):
        if query == Q_AMOUNT:
            return [SICORP, NOISE]
        if query == Q_FACT:
            return [NOISE, NOISE, FELLOWS] if ranker == "bm25" else [FELLOWS, NOISE]
        if query == Q_FOLLOWUP:  # resolvable only with the realistic history
            return [SICORP] if history == EXPECTED_HISTORY else [NOISE]
        return [NOISE]

    def ask(self, question, history=None, *, ranker="hybrid"):
        self.asks.append((question, history, ranker))
        if question == Q_AMOUNT:
            return Answer(text=A_AMOUNT, answerable=True, citations=[SICORP])
        if question == Q_FACT:
            text = "140人です。" if ranker == "bm25" else "採用人数は178人です。"
            return Answer(text=text, answerable=True, citations=[FELLOWS])
        if question == Q_FOLLOWUP and history == EXPECTED_HISTORY:
            return Answer(text="前年度は1,078百万円でした。", answerable=True, citations=[SICORP],
                          resolved_question="SICORPの前年度予算額は？")
        return Answer(text="資料には記載がありません。", answerable=False)


@pytest.fixture()
def gold_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in GOLD) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def report(gold_file) -> EvalReport:
    return run_gold(FakeAssistant(), load_gold(gold_file, "dev"), ["bm25", "hybrid"], gold=str(gold_file))


def test_load_gold_selects_the_split(gold_file):
    assert [i.id for i in load_gold(gold_file, "dev")] == ["amount-1", "fact-1", "followup-1", "none-1"]
    assert [i.id for i in load_gold(gold_file, "heldout")] == ["held-1"]
    assert len(load_gold(gold_file, "all")) == 5


def test_bm25_overall_numbers_match_the_hand_computation(report):
    m = report.rankers["bm25"].overall
    # retrieval rows: amount (hit at 1), fact (hit at 3), followup (hit at 1); unanswerable has no evidence
    assert (m.n, m.n_retrieval) == (4, 3)
    assert (m.recall_at_1, m.recall_at_3, m.recall_at_5, m.recall_at_10) == pytest.approx((2 / 3, 1, 1, 1))
    assert m.mrr_at_10 == pytest.approx((1 + 1 / 3 + 1) / 3)
    assert m.ndcg_at_10 == pytest.approx((1 + 0.5 + 1) / 3)  # the rank-3 hit gains 1/log2(4)
    assert m.page_accuracy == pytest.approx(2 / 3)  # the fellows hit is on page 5, gold says 4
    # answers: amount ok, fact wrong (140人), followup ok, unanswerable abstained
    assert m.accuracy == pytest.approx(3 / 4)
    assert (m.abstention_precision, m.abstention_recall) == (1.0, 1.0)
    assert m.wrong_amount == 1
    assert (m.faithfulness, m.n_with_amounts) == (pytest.approx(2 / 3), 3)  # 140人 is in no cited passage
    assert m.latency_p50_ms is not None and 0 <= m.latency_p50_ms <= m.latency_p95_ms


def test_rankers_are_reported_side_by_side(report):
    assert list(report.rankers) == ["bm25", "hybrid"]
    hybrid = report.rankers["hybrid"].overall
    assert (hybrid.recall_at_1, hybrid.accuracy, hybrid.wrong_amount, hybrid.faithfulness) == (1.0, 1.0, 0, 1.0)


def test_metrics_are_reported_per_kind(report):
    kinds = report.rankers["bm25"].per_kind
    assert list(kinds) == ["amount", "fact", "followup", "unanswerable"]
    assert (kinds["fact"].n, kinds["fact"].accuracy, kinds["fact"].wrong_amount) == (1, 0.0, 1)
    assert kinds["fact"].mrr_at_10 == pytest.approx(1 / 3)
    assert kinds["unanswerable"].recall_at_5 is None  # no evidence: not measured, not perfect
    assert kinds["unanswerable"].abstention_recall == 1.0


def test_followups_get_the_history_of_real_answers_in_messages_format(report, gold_file):
    bot = FakeAssistant()
    run_gold(bot, load_gold(gold_file, "dev"), ["bm25"])
    followup_asks = [(h, r) for q, h, r in bot.asks if q == Q_FOLLOWUP]
    assert followup_asks == [(EXPECTED_HISTORY, "bm25")]
    row = next(r for r in report.rankers["bm25"].rows if r.id == "followup-1")
    assert row.correct and row.resolved_question == "SICORPの前年度予算額は？"


def test_command_writes_json_markdown_and_png(gold_file, tmp_path, capsys):
    out = tmp_path / "out"
    status = command.run(_args(gold=gold_file, out=out, ranker="all"), bot=FakeAssistant())
    assert status == 0
    printed = capsys.readouterr().out
    assert "recall@5" in printed and "bm25" in printed and "hybrid" in printed
    saved = EvalReport.model_validate_json((out / "report.json").read_text(encoding="utf-8"))
    assert list(saved.rankers) == ["bm25", "dense", "hybrid"]
    assert saved.rankers["bm25"].overall.wrong_amount == 1
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| recall@5 |" in markdown and "fact-1" in markdown and "wrong amount" in markdown
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gate_exit_status_follows_the_thresholds(gold_file, tmp_path, capsys):
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"split": "dev", "rankers": {"bm25": {"overall": {"max": {"wrong_amount": 0}}}}}))
    lenient = tmp_path / "lenient.json"
    lenient.write_text(json.dumps({"split": "dev", "rankers": {"bm25": {"overall": {"min": {"recall@5": 0.9}}}}}))
    args = dict(gold=gold_file, out=tmp_path / "out", ranker="bm25", gate=True)
    assert command.run(_args(**args, thresholds=strict), bot=FakeAssistant()) == 1
    assert "bm25/overall: wrong_amount = 1 is above the limit 0" in capsys.readouterr().err
    assert command.run(_args(**args, thresholds=lenient), bot=FakeAssistant()) == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "gold.jsonl:1: not valid JSON"),
        ('{"id": "u", "question": "？", "kind": "unanswerable", "answers": ["1円"], "split": "dev"}',
         "an unanswerable row must have no answers"),
        ('{"id": "a", "question": "？", "kind": "amount", "answers": [], "split": "dev"}',
         "a amount row needs at least one accepted answer"),
        ('{"id": "a", "question": "？", "kind": "trivia", "answers": ["x"], "split": "dev"}', "gold.jsonl:1: kind"),
    ],
)
def test_malformed_gold_lines_are_named_with_file_and_line(tmp_path, line, message):
    path = tmp_path / "gold.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match=message):
        load_gold(path)


def test_a_missing_gold_file_is_one_line_and_exit_2(tmp_path, capsys):
    status = command.run(_args(gold=tmp_path / "nope.jsonl", out=tmp_path / "out"), bot=FakeAssistant())
    err = capsys.readouterr().err
    assert status == 2 and "nope.jsonl: no such gold file" in err and err.count("\n") == 1


def test_the_default_thresholds_file_gates_the_dev_split_on_wrong_amounts_and_faithfulness():
    thresholds = load_thresholds()
    assert thresholds.split == "dev"
    for bounds in thresholds.rankers.values():
        assert "wrong_amount" in bounds.overall.max
        assert bounds.overall.min.get("faithfulness") == 1.0


# gate_failures on fake reports
def _report(split="dev", **metrics) -> EvalReport:
    base = dict(n=10, n_retrieval=8, recall_at_5=0.9, accuracy=0.8, wrong_amount=0)
    overall = MetricSet(**{**base, **metrics})
    kind = MetricSet(n=2, n_retrieval=2, recall_at_5=0.5, accuracy=1.0, wrong_amount=0)
    ranker = RankerReport(ranker="hybrid", overall=overall, per_kind={"english": kind}, rows=())
    return EvalReport(gold="g", split=split, k=10, rankers={"hybrid": ranker})


GATE_CASES = [
    ({"overall": {"min": {"recall@5": 0.9}, "max": {"wrong_amount": 0}}}, {}, []),
    ({"overall": {"min": {"recall@5": 0.95}}}, {}, ["hybrid/overall: recall@5 = 0.900 is below the threshold 0.95"]),
    ({"overall": {"max": {"wrong_amount": 0}}}, {"wrong_amount": 2}, ["hybrid/overall: wrong_amount = 2 is above"]),
    ({"overall": {"min": {"abstention_recall": 0.5}}}, {}, ["hybrid/overall: abstention_recall was not measured"]),
    ({"kinds": {"english": {"min": {"recall@5": 0.6}}}}, {}, ["hybrid/english: recall@5 = 0.500 is below"]),
    ({"kinds": {"compare": {"min": {"accuracy": 0.5}}}}, {}, ["hybrid/compare: accuracy was not measured"]),
]


@pytest.mark.parametrize(("bounds", "metrics", "expected"), GATE_CASES)
def test_gate_failures_name_the_scope_metric_value_and_threshold(bounds, metrics, expected):
    failures = gate_failures(_report(**metrics), Thresholds(split="dev", rankers={"hybrid": bounds}))
    assert len(failures) == len(expected)
    for failure, start in zip(failures, expected):
        assert failure.startswith(start)


def test_gate_fails_on_a_missing_ranker_or_another_split():
    failures = gate_failures(_report(split="heldout"), Thresholds(split="dev", rankers={"bm25": {}}))
    assert failures[0].startswith("split: the thresholds are for the 'dev' split")
    assert failures[1] == "bm25: not in the report (run the eval with --ranker bm25 or --ranker all)"


def test_ratchet_tightens_bounds_the_report_beats_and_never_loosens(tmp_path):
    path = tmp_path / "thresholds.json"
    bounds = {"overall": {"min": {"recall@5": 0.5, "accuracy": 0.9}, "max": {"wrong_amount": 3}},
              "kinds": {"english": {"min": {"recall@5": 0.2}}}}
    path.write_text(json.dumps({"about": "kept", "split": "dev", "rankers": {"hybrid": bounds}}), encoding="utf-8")
    # measured: recall@5 0.9 over 8 retrieval rows → 0.9 - 1/8 = 0.775 → 0.77; accuracy 0.8 < 0.9 stays;
    # wrong_amount 0 < 3 → 0; english recall@5 0.5 over 2 rows → 0.5 - 0.5 = 0 < 0.2 stays
    changes = ratchet_thresholds(path, _report())
    assert changes == ["hybrid/overall: recall@5 ≥ 0.5 → ≥ 0.77", "hybrid/overall: wrong_amount ≤ 3 → ≤ 0"]
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["about"] == "kept"
    assert saved["rankers"]["hybrid"]["overall"] == {"min": {"recall@5": 0.77, "accuracy": 0.9}, "max": {"wrong_amount": 0}}
    assert saved["rankers"]["hybrid"]["kinds"]["english"]["min"]["recall@5"] == 0.2
    assert ratchet_thresholds(path, _report()) == []  # a second run moves nothing


def test_ratchet_refuses_a_report_of_another_split(tmp_path):
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({"split": "dev", "rankers": {"hybrid": {}}}), encoding="utf-8")
    with pytest.raises(ThresholdsError, match="ratchet them from a --split dev report"):
        ratchet_thresholds(path, _report(split="heldout"))


def test_thresholds_with_an_unknown_metric_are_refused():
    with pytest.raises(ValueError, match="unknown metric"):
        Thresholds(rankers={"hybrid": {"overall": {"min": {"recall@7": 0.9}}}})


def _args(**overrides) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(["--quiet"])
    for name, value in overrides.items():
        setattr(args, name, value)
    return args
