"""The eval metrics on tiny hand-computed cases: no model, no index.

Expected values are worked out by hand in the comments next to them.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from eval import metrics
from eval.jsquad import passage_ranking, score_rankings, spread_subset, Question
from eval.metrics import AmountValue

# (citation texts, evidence, expected relevance)
RELEVANCE_CASES = [
    (["SICORPの令和4年度予算額は1,160百万円", "前年度1,078百万円"], "1,160百万円", [True, False]),
    # NFKC: full-width digits and comma in the passage, half-width in the evidence
    (["予算額（案）\n１，１６０百万円"], "予算額(案) 1,160百万円", [True]),
    # whitespace: a PDF line break inside the evidence
    (["海外特別研究員の\n採用人数は 178人"], "海外特別研究員の採用人数は178人", [True]),
    (["ｱｼﾞｱ・ﾊﾟｼﾌｨｯｸ"], "アジア・パシフィック", [True]),
    (["梅雨", "台風"], "雪", [False, False]),
]


@pytest.mark.parametrize(("passages", "evidence", "expected"), RELEVANCE_CASES)
def test_relevance_matches_evidence_after_nfkc_and_whitespace_removal(passages, evidence, expected):
    assert metrics.relevance(passages, evidence) == expected


def test_blank_evidence_is_refused_with_the_rule():
    with pytest.raises(ValueError, match="evidence must contain a non-space character"):
        metrics.is_hit("本文", " \n")


# A fake ranker's output for three questions: relevance of its ranked citations.
# q1: hit at rank 1; q2: first hit at rank 3 and another at 5; q3: no hit in the top 10, hit at 11.
FAKE_RANKINGS = [
    [True, False, False],
    [False, False, True, False, True],
    [False] * 10 + [True],
]

# (k, expected mean Recall@k): q1 counts from k=1, q2 from k=3, q3 never within 10
RECALL_CASES = [(1, 1 / 3), (3, 2 / 3), (5, 2 / 3), (10, 2 / 3)]


@pytest.mark.parametrize(("k", "expected"), RECALL_CASES)
def test_recall_at_k_counts_questions_with_a_hit_in_the_top_k(k, expected):
    mean = metrics.mean([metrics.recall_at_k(r, k) for r in FAKE_RANKINGS])
    assert mean == pytest.approx(expected)


def test_mrr_at_10_uses_only_the_first_hit():
    # q1: 1/1, q2: 1/3 (the hit at rank 5 is ignored), q3: 0 (its hit is at rank 11) → (1 + 1/3 + 0) / 3
    rrs = [metrics.reciprocal_rank(r, 10) for r in FAKE_RANKINGS]
    assert rrs == [1.0, pytest.approx(1 / 3), 0.0]
    assert metrics.mean(rrs) == pytest.approx(4 / 9)


# (relevance, k, expected nDCG@k) with ideal DCG = 1 (one relevant passage at rank 1)
NDCG_CASES = [
    ([True], 10, 1.0),
    ([False, True], 10, 1 / math.log2(3)),  # 0.6309
    ([False, False, True, False, True], 10, 1 / math.log2(4) + 1 / math.log2(6)),  # 0.5 + 0.3869 = 0.8869
    ([False, False, True, False, True], 4, 0.5),  # the hit at rank 5 is cut by k
    ([True, True], 10, 1.0),  # 1 + 0.6309 clipped to 1
    ([False] * 10 + [True], 10, 0.0),
    ([], 10, 0.0),
]


@pytest.mark.parametrize(("rels", "k", "expected"), NDCG_CASES)
def test_ndcg_sums_every_hit_over_an_ideal_of_one_hit_at_rank_1(rels, k, expected):
    assert metrics.ndcg_at_k(rels, k) == pytest.approx(expected)


@pytest.mark.parametrize("fn", [metrics.recall_at_k, metrics.reciprocal_rank, metrics.ndcg_at_k])
def test_k_below_one_is_refused(fn):
    with pytest.raises(ValueError, match="k must be at least 1. Currently, k is 0"):
        fn([True], 0)


def test_abstention_precision_and_recall_by_hand():
    # rows:        u1    u2     a1    a2     a3
    abstained = [True, False, True, False, False]
    unanswerable = [True, True, False, False, False]
    # abstained 2, of which 1 unanswerable → precision 1/2; 2 unanswerable, 1 abstained on → recall 1/2
    assert metrics.abstention_precision_recall(abstained, unanswerable) == (0.5, 0.5)


def test_abstention_metrics_are_undefined_not_perfect_without_positives():
    assert metrics.abstention_precision_recall([False, False], [False, True]) == (None, 0.0)
    assert metrics.abstention_precision_recall([True], [False]) == (0.0, None)


def test_accuracy_and_mean_of_nothing_is_none():
    assert metrics.accuracy([True, False, False, True]) == 0.5
    assert metrics.accuracy([]) is None


# (values, q, expected): linear interpolation between closest ranks
PERCENTILE_CASES = [
    ([5.0], 50, 5.0),
    ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
    ([4.0, 1.0, 3.0, 2.0], 50, 2.5),  # order does not matter
    ([10.0, 20.0, 30.0, 40.0, 50.0], 95, 48.0),  # position 0.95 * 4 = 3.8 → 40 + 0.8 * 10
    ([10.0, 20.0, 30.0], 0, 10.0),
    ([10.0, 20.0, 30.0], 100, 30.0),
]


@pytest.mark.parametrize(("values", "q", "expected"), PERCENTILE_CASES)
def test_percentile_interpolates_linearly(values, q, expected):
    assert metrics.percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_is_none_and_q_is_checked():
    assert metrics.percentile([], 50) is None
    with pytest.raises(ValueError, match="q must be between 0 and 100"):
        metrics.percentile([1.0], 101)


# (answer text, accepted, answerable flag, unanswerable row, expected correct)
CORRECT_CASES = [
    ("SICORPの令和4年度予算額は1,160百万円です。", ["1,160百万円"], True, False, True),
    ("11.6億円（１，１６０百万円）です。", ["1,160百万円"], True, False, True),  # NFKC
    ("1,078百万円です。", ["1,160百万円"], True, False, False),
    ("資料には記載がありません。", ["1,160百万円"], False, False, False),
    ("資料には記載がありません。", [], False, True, True),
    ("1,160百万円です。", [], True, True, False),  # answered an unanswerable question
    ("対象は26か国です。", ["26か国", "26カ国"], True, False, True),  # any accepted string
]


@pytest.mark.parametrize(("text", "accepted", "answerable", "unanswerable_row", "expected"), CORRECT_CASES)
def test_is_correct(text, accepted, answerable, unanswerable_row, expected):
    assert metrics.is_correct(text, accepted, answerable=answerable, unanswerable_row=unanswerable_row) is expected


# (text, amounts found)
AMOUNT_CASES = [
    ("令和4年度予算額は1,160百万円（11.6億円）", ["1,160百万円", "11.6億円"]),
    ("１，１６０百万円", ["1,160百万円"]),  # full width, after NFKC
    ("1億2,000万円と5千円と3,000円", ["1億2,000万円", "5千円", "3,000円"]),
    ("総額1兆円", ["1兆円"]),
    ("採用人数は178人、教員478名、26か国59件", ["178人", "478名", "59件"]),
    ("令和4年度、2022年、3年間", []),  # years are dates, not amounts
    ("数百万円程度、12.5%", []),  # no digits before the unit; percentages are not amounts
    ("▲50百万円", ["50百万円"]),
    ("It is 1,160 million yen (¥1.16 billion), JPY 500 million.", ["1,160 million yen", "¥1.16 billion", "JPY 500 million"]),
    ("In 2022, 178 people; yen rose", []),
    # per-unit denominators are units of a rate, not amounts; a count of one elsewhere is an amount
    ("支援額/1件は最大5億円、1人当たり3,000円、1件につき2名", ["5億円", "3,000円", "2名"]),
    ("採択は1件、派遣は15件×15人", ["1件", "15件", "15人"]),  # English counts and bare numbers are not amounts
]


@pytest.mark.parametrize(("text", "expected"), AMOUNT_CASES)
def test_find_amounts(text, expected):
    assert metrics.find_amounts(text) == expected


# (amount, unit kind, value)
VALUE_CASES = [
    ("1,160百万円", "円", 1_160_000_000),
    ("11.6億円", "円", 1_160_000_000),
    ("1160000000円", "円", 1_160_000_000),
    ("1億2,000万円", "円", 120_000_000),
    ("1,234千円", "円", 1_234_000),
    ("2千万円", "円", 20_000_000),
    ("1.5万人", "人", 15_000),
    ("478名", "人", 478),  # 名 and 人 count the same thing
    ("59件", "件", 59),
    ("1,160 million yen", "円", 1_160_000_000),
    ("¥1.16 billion", "円", 1_160_000_000),
    ("JPY 500 Million", "円", 500_000_000),
    ("3,000 yen", "円", 3000),
]


@pytest.mark.parametrize(("amount", "unit", "value"), VALUE_CASES)
def test_parse_amount_gives_the_value_in_yen_or_count(amount, unit, value):
    assert metrics.parse_amount(amount) == AmountValue(unit, Decimal(value))


def test_amounts_of_equal_value_are_one_amount():
    assert metrics.amount_values("1,160百万円、11.6億円、1160000000円") == {AmountValue("円", Decimal(1_160_000_000))}


def test_parse_amount_refuses_a_non_amount():
    with pytest.raises(ValueError, match="not an amount"):
        metrics.parse_amount("令和4年")


# (answer text, accepted, unanswerable row, expected wrong-amount)
WRONG_AMOUNT_CASES = [
    ("11.6億円（1,160百万円）です。", ["1,160百万円"], False, False),  # either form is accepted by value
    ("11.6億円です。", ["1,160百万円"], False, False),
    ("1,078百万円です。", ["1,160百万円"], False, True),
    ("1,160百万円です。前年度は1,078百万円でした。", ["1,160百万円"], False, False),  # only the first sentence counts
    ("1,160百万円です\n前年度は1,078百万円", ["1,160百万円"], False, False),  # a newline ends it too
    ("採用は178人です。", ["178人"], False, False),
    ("採用は140人です。", ["178人"], False, True),
    ("対象は26か国です。", ["26か国"], False, False),  # no amount stated: nothing wrong
    ("資料には記載がありません。", [], True, False),
    ("国際先導研究の支援期間/1件は7年です。", ["7年"], False, False),  # "/1件" is a label, not an amount
    ("約225人(15件×15人)です。", ["225人", "約225人"], False, True),  # strict: the breakdown is in the first sentence
    ("資料には記載がありませんが、SICORPは1,160百万円です。", [], True, True),  # any amount on unanswerable
    ("資料には記載がありません。なお SICORP は1,160百万円です。", [], True, False),
    ("The FY2022 budget is 1.16 billion yen.", ["1,160百万円", "1,160 million yen"], False, False),
    ("The FY2022 budget is 1,078 million yen.", ["1,160百万円", "1,160 million yen"], False, True),
]


@pytest.mark.parametrize(("text", "accepted", "unanswerable_row", "expected"), WRONG_AMOUNT_CASES)
def test_states_wrong_amount_checks_the_first_sentence_by_value(text, accepted, unanswerable_row, expected):
    assert metrics.states_wrong_amount(text, accepted, unanswerable_row=unanswerable_row) is expected


# (answer text, cited passages, expected faithful)
FAITHFUL_CASES = [
    ("11.6億円（1,160百万円）です。", ["令和4年度予算額(案) 1,160百万円"], True),
    ("1,160百万円で、前年度より82百万円増です。", ["1,160百万円", "前年度 1,078百万円"], True),  # a difference
    ("合計2,238百万円です。", ["1,160百万円", "1,078百万円"], True),  # a sum
    ("12億円です。", ["1,160百万円"], False),
    ("1,160百万円です。", [], False),  # an amount with nothing cited
    ("資料には記載がありません。", [], True),  # no amount, nothing to check
    ("178人です。", ["採用人数 178人"], True),
    ("178円です。", ["採用人数 178人"], False),  # units must agree
    ("合計は809人です。", ["178人", "140人", "491人"], True),  # a sum of three cited counts
    ("合計は15人です。", ["1人", "2人", "3人", "4人", "5人"], False),  # five terms: more than a total the answer may state
    ("合計は7人です。", ["1人", "2人", "3人"], False),  # no subset of the cited counts adds up to it
    ("合計は12,200百万円です。", ["予算額 6,100百万円 (前年度予算額 6,100百万円)"], True),  # the same figure stated twice
    ("合計は12,200百万円です。", ["予算額 6,100百万円"], False),  # stated once: doubling it is not derived
    ("増減の合計は+32百万円です。", ["1,160百万円 (前年度 1,078百万円)", "1,826百万円 (前年度 1,876百万円)"], True),  # 82 - 50
    ("増減の合計は33百万円です。", ["1,160百万円 (前年度 1,078百万円)", "1,826百万円 (前年度 1,876百万円)"], False),
    # one program against the total of others: 2,422 - (1,160 + 1,826)
    ("ほかの2事業の合計より564百万円少ないです。", ["2,422百万円", "1,160百万円", "1,826百万円"], True),
    ("ほかの2事業の合計より565百万円少ないです。", ["2,422百万円", "1,160百万円", "1,826百万円"], False),
    # three programs' changes added up: +82 - 50 + 104
    ("増減の合計は+136百万円です。", ["1,160百万円 (前年度 1,078百万円)", "1,826百万円 (前年度 1,876百万円)",
                              "1,371百万円 (前年度 1,267百万円)"], True),
    ("増減の合計は+137百万円です。", ["1,160百万円 (前年度 1,078百万円)", "1,826百万円 (前年度 1,876百万円)",
                              "1,371百万円 (前年度 1,267百万円)"], False),
]


@pytest.mark.parametrize(("text", "cited", "expected"), FAITHFUL_CASES)
def test_is_faithful(text, cited, expected):
    assert metrics.is_faithful(text, cited) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  11.6億円です。前年度は10億円。", "11.6億円です"), ("一行目\n二行目。", "一行目"), ("句点なし", "句点なし"),
     ("It is 1.16 billion yen. Last year 1,078 million yen.", "It is 1.16 billion yen")],
)
def test_first_sentence(text, expected):
    assert metrics.first_sentence(text) == expected


# JSQuAD passage-level scoring, by hand
def test_passage_ranking_keeps_the_first_chunk_of_each_passage():
    sources = ["jsquad/3", "jsquad/3", "jsquad/7", "corpus/x.txt", "jsquad/1", "jsquad/7"]
    assert passage_ranking(sources, 10) == [3, 7, 1]
    assert passage_ranking(sources, 2) == [3, 7]


def test_jsquad_scores_by_hand():
    # q1 gold 3 at rank 1; q2 gold 1 at rank 3; q3 gold 9 absent → R@1 1/3, R@5 2/3, MRR (1 + 1/3) / 3
    result = score_rankings([[3, 7, 1], [3, 7, 1], [3, 7, 1]], [3, 1, 9], [1.0, 2.0, 9.0], "bm25")
    assert (result.recall_at_1, result.recall_at_5, result.recall_at_10) == pytest.approx((1 / 3, 2 / 3, 2 / 3))
    assert result.mrr_at_10 == pytest.approx(4 / 9)
    assert result.p50_ms == 2.0


def test_spread_subset_covers_the_whole_file():
    questions = [Question(qid=f"q{i}", question="梅雨とは？", gold_pid=i) for i in range(100)]
    assert [q.qid for q in spread_subset(questions, 4)] == ["q0", "q25", "q50", "q75"]
    assert len(spread_subset(questions, None)) == 100


def test_a_total_with_its_whole_cited_breakdown_is_faithful_however_many_parts():
    parts = ["A 2,422百万円", "B 3,414百万円", "C 265百万円", "D 1,160百万円", "E 1,826百万円", "F 1,371百万円"]
    answer = ("合計は10,458百万円（104.58億円）です。（内訳: A 2,422百万円、B 3,414百万円、C 265百万円、"
              "D 1,160百万円、E 1,826百万円、F 1,371百万円）")
    assert metrics.is_faithful(answer, parts)
    assert metrics.is_faithful(answer + "\n\n> 令和4年度予算額(案) : 2,422百万円(前年度予算額:2,422百万円) [1]", parts)  # a quote below
    assert not metrics.is_faithful(answer.replace("10,458百万円（104.58億円）", "10,459百万円"), parts)  # off by one
    assert not metrics.is_faithful(answer.replace("F 1,371百万円）", "F 1,371百万円、G 5百万円）"), parts)  # a part not cited
