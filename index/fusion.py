"""Combining the lexical and dense rankings.

Equal-weight reciprocal rank fusion made JSQuAD-valid worse (MRR@10 .892 vs BM25's .935): the dense
encoder is weaker than BM25 whenever the question shares words with the passage. So the fusion is a
weighted sum of scores in which BM25 dominates when it is confident, and dense decides when BM25 has
little to go on (paraphrases, English questions: no shared characters, low BM25 scores).
"""

from __future__ import annotations

from enum import Enum

from index.lexical import char_ngrams


class Ranker(str, Enum):
    """Which ranking `search()` uses."""

    BM25 = "bm25"
    DENSE = "dense"
    HYBRID = "hybrid"

    @classmethod
    def parse(cls, value: "str | Ranker") -> "Ranker":
        """The Ranker named by `value`; the error lists the valid names.

        Example:
            >>> Ranker.parse("bm25")
            <Ranker.BM25: 'bm25'>
        """
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(r.value for r in cls)
            raise ValueError(f"ranker must be one of {valid}. Currently, the ranker is {value!r}") from None


COVERAGE_NONE = 0.2
COVERAGE_FULL = 0.3
"""Bigram coverage of the question by the BM25 top hit at which BM25 gets no / full trust. Measured
(eval/tune_fusion.py): JSQuAD-valid questions, written while reading their passage, have a median
coverage of .60 (5th percentile .38); paraphrased gold questions .20 (90th percentile .24)."""


def lexical_confidence(query: str, top_text: str | None) -> float:
    """How much the BM25 top hit can be trusted, in [0, 1]: the share of the question's character
    bigrams that the hit contains, scaled between COVERAGE_NONE and COVERAGE_FULL. Unlike a raw BM25
    score, it does not depend on the size of the collection.

    Example:
        >>> lexical_confidence("SICORPの予算額", "SICORPの令和4年度予算額"), lexical_confidence("予算", None)
        (1.0, 0.0)
    """
    if not top_text:
        return 0.0
    wanted = {g for g in char_ngrams(query) if len(g) == 2}
    if not wanted:
        return 0.0
    have = {g for g in char_ngrams(top_text) if len(g) == 2}
    coverage = len(wanted & have) / len(wanted)
    return max(0.0, min(1.0, (coverage - COVERAGE_NONE) / (COVERAGE_FULL - COVERAGE_NONE)))


def fuse_scores(
    lexical: list[tuple[int, float]],
    dense: list[tuple[int, float]],
    *,
    confidence: float,
    weight_confident: float = 0.2,
    weight_unsure: float = 0.8,
) -> list[tuple[int, float]]:
    """Weighted score fusion. Both score lists are scaled to [0, 1] (BM25 by its top hit, cosine
    min-max over the candidates); the dense weight slides from `weight_unsure` (BM25 has no
    confidence) to `weight_confident` (BM25 is sure).

    Args:
        lexical: (row, BM25 score), best first.
        dense: (row, cosine), best first.
        confidence: `lexical_confidence` of this query, in [0, 1].
        weight_confident: the dense weight when confidence is 1.
        weight_unsure: the dense weight when confidence is 0.

    Example:
        >>> fuse_scores([(0, 10.0), (1, 5.0)], [(1, 0.9), (0, 0.1)], confidence=1.0)[0][0]
        0
    """
    for name, value in (("weight_confident", weight_confident), ("weight_unsure", weight_unsure), ("confidence", confidence)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1. Currently, it is {value}")
    top = lexical[0][1] if lexical else 0.0
    lex = {row: score / top for row, score in lexical} if top > 0 else {}
    cos = dict(dense)
    if cos:
        high, low = max(cos.values()), min(cos.values())
        span = (high - low) or 1.0
        cos = {row: (value - low) / span for row, value in cos.items()}
    weight = weight_unsure + (weight_confident - weight_unsure) * confidence
    if not lex:
        weight = 1.0
    if not cos:
        weight = 0.0
    fused = {row: (1 - weight) * lex.get(row, 0.0) + weight * cos.get(row, 0.0) for row in set(lex) | set(cos)}
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
