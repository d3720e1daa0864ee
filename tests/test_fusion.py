"""Weighted fusion: BM25 decides when it is confident, dense when it is not."""

import pytest

from index.fusion import Ranker, fuse_scores, lexical_confidence


def test_confident_bm25_keeps_its_top_hit_against_dense_disagreement():
    lexical = [(0, 30.0), (1, 12.0)]
    dense = [(1, 0.8), (0, 0.4)]
    fused = fuse_scores(lexical, dense, dense_weight=1.0, confidence=1.0)
    assert fused[0][0] == 0


def test_without_bm25_confidence_dense_decides():
    lexical = [(0, 1.0), (1, 0.9)]
    dense = [(1, 0.8), (0, 0.1)]
    fused = fuse_scores(lexical, dense, dense_weight=1.0, confidence=0.0)
    assert fused[0][0] == 1


def test_rows_only_dense_found_are_kept():
    fused = fuse_scores([], [(5, 0.7), (6, 0.2)], dense_weight=1.0, confidence=0.0)
    assert [row for row, _ in fused] == [5, 6]


def test_negative_weight_is_refused():
    with pytest.raises(ValueError, match="dense_weight must be >= 0"):
        fuse_scores([], [], dense_weight=-1, confidence=0)


@pytest.mark.parametrize("lexical, ngrams, expected", [([], 5, 0.0), ([(0, 0.0)], 5, 0.0), ([(0, 100.0)], 4, 1.0)])
def test_lexical_confidence_bounds(lexical, ngrams, expected):
    assert lexical_confidence(lexical, ngrams) == expected


def test_ranker_names_are_checked():
    assert Ranker.parse("dense") is Ranker.DENSE
    with pytest.raises(ValueError, match="bm25, dense, hybrid"):
        Ranker.parse("tfidf")
