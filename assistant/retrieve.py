"""Retrieval: a query → ranked chunks, by BM25, dense, or their fusion."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from index.fusion import Ranker, fuse_scores, lexical_confidence
from index.lexical import char_ngrams
from index.store import IndexData
from ingest.models import Chunk, Citation

CANDIDATES = 50
"""How many hits each ranker contributes before fusion."""

WEIGHT_CONFIDENT = 0.0
WEIGHT_UNSURE = 0.8
"""Dense weights when BM25 is sure / has nothing to go on (measured: docs/fusion.md)."""


@dataclass(frozen=True)
class Hit:
    """A ranked chunk; `sentence` is its best sentence by the dense ranker, when it ran."""

    row: int
    chunk: Chunk
    score: float
    sentence: str | None = None


class Retriever:
    """Searches one loaded index. The encoder loads on the first dense or hybrid search.

    Example:
        >>> Ranker.parse("hybrid").value
        'hybrid'
    """

    def __init__(self, data: IndexData) -> None:
        self.data = data
        self._by_row = {sc.row: sc.chunk for sc in data.chunks}
        self._rows = [sc.row for sc in data.chunks]  # BM25 position → stable row
        self.japanese_corpus = _mostly_japanese(sc.chunk.text for sc in data.chunks[:2000])
        self._normalized_corpus: str | None = None
        self._by_page: dict | None = None
        self._encoder = None
        self._encoder_lock = threading.Lock()

    def chunks_on(self, pages: set[tuple[str, int | None]]) -> list[tuple[int, Chunk]]:
        """(row, chunk) of every chunk on these (source, page) pairs, from an index built once."""
        if self._by_page is None:
            by_page: dict[tuple[str, int | None], list[tuple[int, Chunk]]] = {}
            for sc in self.data.chunks:
                by_page.setdefault((sc.chunk.source, sc.chunk.page), []).append((sc.row, sc.chunk))
            self._by_page = by_page
        return [item for page in sorted(pages, key=str) for item in self._by_page.get(page, [])]

    @property
    def normalized_corpus(self) -> str:
        """All chunk texts joined (NFKC), for checking that a name occurs anywhere at all."""
        if self._normalized_corpus is None:
            import unicodedata

            self._normalized_corpus = unicodedata.normalize("NFKC", "\n".join(sc.chunk.text for sc in self.data.chunks))
        return self._normalized_corpus

    @property
    def encoder(self):
        if self._encoder is None:
            with self._encoder_lock:
                if self._encoder is None:
                    from index.dense import load_encoder

                    self._encoder = load_encoder(self.data.manifest.model)
        return self._encoder

    def warm_up(self) -> None:
        """Load the encoder now rather than on the first question."""
        if self.data.dense is not None:
            _ = self.encoder

    def search(self, query: str, k: int = 10, ranker: Ranker | str = Ranker.HYBRID) -> list[Hit]:
        ranker = Ranker.parse(ranker)
        if k <= 0:
            raise ValueError(f"k must be greater than 0. Currently, k is {k}")
        if not self.data.chunks:
            return []
        sentences: dict[int, str] = {}
        lexical = self._lexical(query, max(k, CANDIDATES)) if ranker != Ranker.DENSE else []
        if ranker == Ranker.BM25:
            ranked = lexical
        else:
            dense, sentences = self._dense(query, max(k, CANDIDATES))
            if ranker == Ranker.DENSE:
                ranked = dense
            else:
                top = self._by_row.get(lexical[0][0]) if lexical else None
                confidence = lexical_confidence(query, f"{top.heading}\n{top.text}" if top else None)
                if self.japanese_corpus and not _JAPANESE.search(query):
                    # An English question shares only stray Latin letters with Japanese passages:
                    # BM25 has nothing to go on, the multilingual encoder decides.
                    confidence = 0.0
                ranked = fuse_scores(
                    lexical, dense, confidence=confidence, weight_confident=WEIGHT_CONFIDENT, weight_unsure=WEIGHT_UNSURE
                )
        return [
            Hit(row, self._by_row[row], score, sentences.get(row)) for row, score in ranked[:k] if row in self._by_row
        ]

    def _lexical(self, query: str, k: int) -> list[tuple[int, float]]:
        if self.data.lexical is None:
            return []
        return [(self._rows[pos], score) for pos, score in self.data.lexical.search(query, k)]

    def _dense(self, query: str, k: int) -> tuple[list[tuple[int, float]], dict[int, str]]:
        """(row, best-sentence cosine) best first, and each row's best sentence."""
        if self.data.dense is None:
            return [], {}
        from index.dense import encode_texts, prompts_for

        prefix = prompts_for(self.data.manifest.model).query
        vector = encode_texts(self.encoder, [query], prefix=prefix)[0]
        hits = self.data.dense.search_sentences(vector, k)
        return [(hit.row, hit.score) for hit in hits], {hit.row: hit.sentence for hit in hits}


_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _mostly_japanese(texts) -> bool:
    japanese = latin = 0
    for text in texts:
        japanese += len(_JAPANESE.findall(text))
        latin += sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return japanese > latin


def best_span(text: str, query: str) -> tuple[int, int]:
    """The sentence of `text` that shares most character n-grams with `query` (for highlighting)."""
    from ingest.chunk import split_sentences

    wanted = set(char_ngrams(query))
    best, best_score = (0, len(text)), -1.0
    for start, end in split_sentences(text):
        grams = char_ngrams(text[start:end])
        if not grams:
            continue
        score = sum(1 for g in grams if g in wanted and len(g) == 2) + 0.01 * sum(1 for g in grams if g in wanted)
        if score > best_score:
            best, best_score = (start, end), score
    return best


def to_citation(hit: Hit, query: str) -> Citation:
    """A Citation for a hit, with the best-matching sentence marked: by shared characters for a
    Japanese question, by the dense ranker's best sentence for a question in another language."""
    start, end = best_span(hit.chunk.text, query)
    if hit.sentence and not _JAPANESE.search(query):
        found = hit.chunk.text.find(hit.sentence)
        if found >= 0:
            start, end = found, found + len(hit.sentence)
    return Citation(
        source=hit.chunk.source,
        title=hit.chunk.title,
        page=hit.chunk.page,
        text=hit.chunk.text,
        start=hit.chunk.start,
        end=hit.chunk.end,
        score=round(hit.score, 6),
        highlight_start=start,
        highlight_end=end,
    )
