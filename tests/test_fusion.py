"""Weighted fusion: BM25 decides when it is confident, dense when it is not."""

import pytest

from index.fusion import Ranker, fuse_scores, lexical_confidence


def test_confident_bm25_keeps_its_top_hit_against_dense_disagreement():
    lexical = [(0, 30.0), (1, 12.0)]
    dense = [(1, 0.8), (0, 0.4)]
    fused = fuse_scores(lexical, dense, confidence=1.0)
    assert fused[0][0] == 0


def test_without_bm25_confidence_dense_decides():
    lexical = [(0, 1.0), (1, 0.9)]
    dense = [(1, 0.8), (0, 0.1)]
    fused = fuse_scores(lexical, dense, confidence=0.0)
    assert fused[0][0] == 1


def test_rows_only_dense_found_are_kept():
    fused = fuse_scores([], [(5, 0.7), (6, 0.2)], confidence=0.5)
    assert [row for row, _ in fused] == [5, 6]


def test_weights_outside_0_1_are_refused():
    with pytest.raises(ValueError, match="weight_unsure must be between 0 and 1"):
        fuse_scores([], [], confidence=0, weight_unsure=1.5)


@pytest.mark.parametrize(
    "query, top_text, expected",
    [
        ("SICORPの予算額は", "戦略的国際共同研究プログラム(SICORP) 令和4年度予算額(案)", 1.0),  # shares most bigrams
        ("博士号を持つ若手を海外に送り出す制度", "海外特別研究員事業 博士の学位を有する者", 0.0),  # a paraphrase
        ("予算", None, 0.0),
        ("?", "予算", 0.0),
    ],
)
def test_lexical_confidence_is_the_bigram_coverage_of_the_top_hit(query, top_text, expected):
    assert lexical_confidence(query, top_text) == expected


def test_ranker_names_are_checked():
    assert Ranker.parse("dense") is Ranker.DENSE
    with pytest.raises(ValueError, match="bm25, dense, hybrid"):
        Ranker.parse("tfidf")
