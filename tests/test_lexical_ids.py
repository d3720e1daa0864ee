"""BM25 built from int32 token ids (one pass over the texts) ranks exactly as bm25s on the token strings."""

from __future__ import annotations

import pytest

from index.lexical import LexicalRanker, char_ngrams

TEXTS = [
    "◇戦略的国際共同研究プログラム(SICORP)\n令和4年度予算額(案) 1,160百万円",
    "海外特別研究員事業 令和4年度予算額(案) 2,090百万円 新規採用人数 190人",
    "外国人研究者招へい事業は、優秀な外国人研究者を招へいする。",
    "世界トップレベル研究拠点プログラム(WPI)の拠点数は17拠点。",
    "国際青少年サイエンス交流事業(さくらサイエンスプログラム)",
    "SICORPとSATREPSはJSTの事業である。",
    "",
    "。、・",
]


def _reference(texts):
    """bm25s indexing the token strings themselves (how the ranker was built before)."""
    import bm25s

    retriever = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    retriever.index([char_ngrams(t) for t in texts], show_progress=False)
    return LexicalRanker(retriever, len(texts))


@pytest.mark.parametrize("query", ["SICORPの予算額", "海外特別研究員の採用人数", "招へい", "WPI 拠点", "sicorp", "予算", "存在しない語"])
def test_same_rows_and_scores_as_token_strings(query):
    built = LexicalRanker.build(iter(TEXTS))  # a generator: read once
    assert len(built) == len(TEXTS)
    assert built.search(query, k=len(TEXTS)) == _reference(TEXTS).search(query, k=len(TEXTS))


def test_saved_and_loaded_ranks_the_same(tmp_path):
    built = LexicalRanker.build(TEXTS)
    built.save(tmp_path / "lexical")
    loaded = LexicalRanker.load(tmp_path / "lexical")
    assert loaded.search("SICORPの予算額", k=5) == built.search("SICORPの予算額", k=5)


def test_empty():
    assert LexicalRanker.build(iter([])).search("予算", k=3) == []
