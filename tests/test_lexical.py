"""BM25 over character n-grams: tokenization table and ranking behaviour."""

import pytest

from index.lexical import LexicalRanker, char_ngrams

TOKENS = [
    ("予算額", ["予", "算", "額", "予算", "算額"]),
    ("ＳＩＣＯＲＰ", ["s", "i", "c", "o", "r", "p", "si", "ic", "co", "or", "rp"]),  # NFKC + lower case
    ("予算、額", ["予", "算", "額", "予算"]),  # no bigram across punctuation
    ("A B", ["a", "b"]),  # nor across spaces
    ("", []),
]


@pytest.mark.parametrize("text, expected", TOKENS)
def test_char_ngrams(text, expected):
    assert char_ngrams(text) == expected


PASSAGES = [
    "戦略的国際共同研究プログラム(SICORP) 令和4年度予算額(案) 1,160百万円",
    "海外特別研究員事業 新規採用人数(見込み):178人",
    "世界トップレベル研究拠点プログラム(WPI) 令和4年度予算額(案) 6,100百万円",
]


@pytest.mark.parametrize(
    "query, expected_row",
    [("SICORPの予算", 0), ("海外特別研究員の採用人数", 1), ("ＷＰＩ", 2), ("世界トップレベル研究拠点", 2)],
)
def test_bm25_ranks_the_passage_sharing_the_query_characters_first(query, expected_row):
    ranker = LexicalRanker.build(PASSAGES)
    assert ranker.search(query, k=3)[0][0] == expected_row


def test_query_with_no_known_characters_returns_nothing():
    assert LexicalRanker.build(PASSAGES).search("zzqx", k=3) == []


def test_k_must_be_positive():
    with pytest.raises(ValueError, match="k must be greater than 0"):
        LexicalRanker.build(PASSAGES).search("予算", k=0)


def test_save_and_load_round_trip(tmp_path):
    ranker = LexicalRanker.build(PASSAGES)
    ranker.save(tmp_path / "lex")
    loaded = LexicalRanker.load(tmp_path / "lex")
    assert loaded.search("採用人数", k=3) == ranker.search("採用人数", k=3)
    empty = LexicalRanker.build([])
    empty.save(tmp_path / "empty")
    assert LexicalRanker.load(tmp_path / "empty").search("予算", k=3) == []
