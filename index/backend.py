"""The store interface: what an index engine must do for kotae, so FAISS + bm25s can be swapped out.

kotae's default engine runs in-process: bm25s over character n-grams (`index.lexical.LexicalRanker`),
FAISS over sentence vectors (`index.dense.DenseRanker`), versioned files on disk
(`index.store.IndexStore`), and `assistant.retrieve.Retriever` fusing the two rankings. On one
machine that holds to roughly the sizes measured in docs/benchmarks.md; beyond them a server that
scales out (OpenSearch, Milvus, Qdrant …) takes over. docs/scaling.md maps each protocol here onto
such an engine. Implementing one is a later step; these protocols say what it must provide.

Rows are the contract between the parts: every chunk has a stable int `row` (`StoredChunk.row`),
the lexical ranker returns rows, the vector index returns rows (a chunk's score is its best
sentence's), and the store maps rows back to `Chunk`s for citations.

The protocols are `runtime_checkable`, so `isinstance` tells whether an object has the methods
(not whether their signatures match: the type checker does that).

Example:
    >>> from index.lexical import LexicalRanker
    >>> isinstance(LexicalRanker.build(["予算額"]), LexicalIndex)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from assistant.retrieve import Hit
    from index.fusion import Ranker
    from index.store import IndexData


@runtime_checkable
class LexicalIndex(Protocol):
    """Keyword search over chunk texts (default: bm25s over NFKC character 1+2-grams).

    A server must tokenize Japanese the same way for the scores to mean the same (OpenSearch:
    an `ngram` tokenizer, min 1, max 2, after `icu_normalizer` NFKC + lowercase).

    Example:
        >>> from index.lexical import LexicalRanker
        >>> ranker: LexicalIndex = LexicalRanker.build(["SICORPの予算額", "WPIの拠点"])
        >>> ranker.search("WPI", k=1)[0][0]
        1
    """

    def search(self, query: str, k: int = 10) -> list[tuple[int, float]]:
        """(row, score) of the k best chunks, best first; rows that match nothing are left out."""
        ...

    def __len__(self) -> int:
        """How many chunks are indexed."""
        ...


@runtime_checkable
class VectorIndex(Protocol):
    """Nearest-neighbour search over sentence vectors, aggregated to chunks by their best sentence.

    Example:
        >>> import numpy as np
        >>> from index.dense import DenseRanker
        >>> ranker: VectorIndex = DenseRanker(dim=2)
        >>> ranker.add([(0, "予算"), (1, "人数")], np.eye(2, dtype=np.float32))
        >>> ranker.search(np.array([0.0, 1.0], dtype=np.float32), k=1)
        [(1, 1.0)]
    """

    def add(self, pairs: Sequence[tuple[int, str]], vectors: np.ndarray) -> None:
        """Add sentences: `pairs[i]` = (chunk row, sentence text) has the L2-normalized `vectors[i]`."""
        ...

    def remove_rows(self, rows: Iterable[int]) -> int:
        """Remove every sentence of these chunk rows; returns how many sentences went."""
        ...

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(row, best-sentence cosine) of the k best chunks, unique rows, best first."""
        ...

    def save(self, directory: str | Path, *, signature: dict[str, Any] | None = None) -> None:
        """Persist (a server backend persists itself and may make this a no-op)."""
        ...

    @property
    def n_sentences(self) -> int:
        """Live sentence vectors."""
        ...


@runtime_checkable
class IndexBackend(Protocol):
    """An index's persistence: read the live version, write a new one atomically, lock writers.

    `read` returns `IndexData`: the manifest, documents, chunks and facts with a `LexicalIndex` and
    a `VectorIndex`. The default reads it all into memory (fine to ~100k chunks, see
    docs/scaling.md); a server backend returns rankers that are thin clients of the server and
    loads chunks lazily by row.

    Example:
        >>> from index.store import IndexStore
        >>> isinstance(IndexStore("/tmp/no-such-kotae-index"), IndexBackend)
        True
    """

    def exists(self) -> bool:
        """Whether an index is there to read."""
        ...

    def read(self, *, with_dense: bool = True) -> IndexData:
        """The live version, rankers included (`with_dense=False` skips the vectors)."""
        ...

    def write(self, data: IndexData) -> Any:
        """Make `data` the live version atomically: readers see the old or the new, never a mix."""
        ...

    def lock(self, timeout: float = 0.0) -> Any:
        """An exclusive writer lock (an object with `release()`); fails with IndexLoadError when held."""
        ...


@runtime_checkable
class SearchBackend(Protocol):
    """What `Assistant` asks of retrieval: a query in, ranked chunks out.

    The default `assistant.retrieve.Retriever` fuses a `LexicalIndex` and a `VectorIndex` in
    process; a server backend may run both searches (and the fusion) on the server.

    Example:
        >>> from assistant.retrieve import Retriever
        >>> isinstance(Retriever.__new__(Retriever), SearchBackend)
        True
    """

    def search(self, query: str, k: int = 10, ranker: Ranker | str = ...) -> list[Hit]:
        """The k best chunks for `query` by "bm25", "dense" or "hybrid" ranking, best first."""
        ...

    def warm_up(self) -> None:
        """Load models and connect now rather than on the first query."""
        ...


__all__ = ["IndexBackend", "LexicalIndex", "SearchBackend", "VectorIndex"]
