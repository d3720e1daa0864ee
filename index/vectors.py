"""A FAISS vector store with int64 ids: exact (flat) or approximate (HNSW) inner-product search.

Vectors are expected L2-normalized, so inner product is cosine similarity.

Two index types, both wrapped in `faiss.IndexIDMap2` so callers use their own int64 ids:

* `flat`: `IndexFlatIP`, exact search, supports `remove_ids` natively.
* `hnsw`: `IndexHNSWFlat(d, 32, METRIC_INNER_PRODUCT)`. FAISS cannot remove from an HNSW graph
  (`remove_ids` raises), so a removed vector is a *tombstone*: its entry in the id map is set to -1
  and searches pass a selector that skips negative ids. The tombstones live inside the FAISS file,
  so `save`/`load` stay one file, written atomically. When tombstones exceed a quarter of the
  stored vectors the graph is rebuilt from the live vectors (`compact`).

Example:
    >>> import numpy as np
    >>> store = VectorStore(dim=2)
    >>> store.add([10, 11], np.array([[1, 0], [0, 1]], dtype=np.float32))
    >>> scores, ids = store.search(np.array([[1, 0]], dtype=np.float32), k=1)
    >>> int(ids[0, 0]), float(scores[0, 0])
    (10, 1.0)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.settings import VectorIndexType
from ingest.errors import IndexLoadError, KotaeError

if TYPE_CHECKING:
    import faiss

HNSW_M = 32
"""Neighbours per HNSW node (the FAISS default for IndexHNSWFlat examples; memory ≈ d*4 + M*8 bytes/vector)."""
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
"""FAISS's default efSearch (16) loses recall at k=10 and above; 128 costs well under a millisecond."""
COMPACT_DEAD_FRACTION = 0.25
"""HNSW stores are rebuilt when tombstones exceed this fraction of stored vectors."""

_MAX_ID = np.iinfo(np.int64).max


def choose_index_type(setting: VectorIndexType | str, n_vectors: int, threshold: int) -> VectorIndexType:
    """The concrete index type for a setting: `auto` is flat up to `threshold` vectors, HNSW above.

    Args:
        setting: `VectorIndexType` or its value ("auto", "flat", "hnsw").
        n_vectors: how many vectors the index will hold.
        threshold: the `auto` cut-over (`KotaeSettings.hnsw_threshold`).

    Returns:
        `VectorIndexType.FLAT` or `VectorIndexType.HNSW`.

    Raises:
        KotaeError: an unknown setting, a negative count or a threshold below 1.

    Example:
        >>> choose_index_type("auto", 1_000, 200_000).value
        'flat'
    """
    try:
        kind = VectorIndexType(setting)
    except ValueError:
        valid = ", ".join(repr(v.value) for v in VectorIndexType)
        raise KotaeError(f"vector index type {setting!r} is not one of {valid}; set KOTAE_VECTOR_INDEX to one of them") from None
    if n_vectors < 0:
        raise KotaeError(f"n_vectors must be >= 0, got {n_vectors}")
    if threshold < 1:
        raise KotaeError(f"threshold must be >= 1, got {threshold}; set KOTAE_HNSW_THRESHOLD to a positive count")
    if kind is VectorIndexType.AUTO:
        return VectorIndexType.HNSW if n_vectors > threshold else VectorIndexType.FLAT
    return kind


def _faiss():
    import faiss

    return faiss


class VectorStore:
    """Inner-product search over int64-keyed vectors (see the module docstring for the index types).

    Args:
        dim: vector dimension (> 0).
        index_type: `flat` or `hnsw` (`auto` must be resolved first with `choose_index_type`).

    Example:
        >>> import numpy as np
        >>> store = VectorStore(dim=3, index_type="hnsw")
        >>> store.add([1, 2, 3], np.eye(3, dtype=np.float32))
        >>> store.remove([2])
        1
        >>> len(store)
        2
    """

    def __init__(self, dim: int, index_type: VectorIndexType | str = VectorIndexType.FLAT) -> None:
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or dim < 1:
            raise KotaeError(f"dim must be a positive integer, got {dim!r}")
        try:
            kind = VectorIndexType(index_type)
        except ValueError:
            raise KotaeError(f"index_type {index_type!r} is not 'flat' or 'hnsw'") from None
        if kind is VectorIndexType.AUTO:
            raise KotaeError("index_type 'auto' must be resolved first: call choose_index_type(setting, n, threshold)")
        self.dim = int(dim)
        self.index_type = kind
        self._index: faiss.IndexIDMap2 | None = None  # built on first use: constructing is cheap
        self._dead = 0  # HNSW tombstones

    # ---------- construction ----------
    def _new_index(self) -> faiss.IndexIDMap2:
        faiss = _faiss()
        if self.index_type is VectorIndexType.HNSW:
            inner = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            inner.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            inner = faiss.IndexFlatIP(self.dim)
        return faiss.IndexIDMap2(inner)  # faiss's wrapper keeps a reference to `inner`

    @property
    def _idx(self) -> faiss.IndexIDMap2:
        if self._index is None:
            self._index = self._new_index()
        return self._index

    # ---------- size ----------
    @property
    def ntotal(self) -> int:
        """Live (searchable) vectors."""
        return 0 if self._index is None else int(self._index.ntotal) - self._dead

    def __len__(self) -> int:
        return self.ntotal

    def __repr__(self) -> str:
        return f"VectorStore(dim={self.dim}, index_type={self.index_type.value!r}, ntotal={self.ntotal})"

    def ids(self) -> np.ndarray:
        """The ids of the live vectors, in storage order."""
        if self._index is None:
            return np.empty(0, dtype=np.int64)
        stored = _faiss().vector_to_array(self._index.id_map)
        return stored[stored >= 0] if self._dead else stored

    # ---------- validation ----------
    def _check_vectors(self, vectors: np.ndarray, what: str) -> np.ndarray:
        arr = np.asarray(vectors)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.dim:
            raise KotaeError(
                f"{what} must have shape (n, {self.dim}) to match the store's dimension, got {np.shape(vectors)}; "
                "encode with the same model the store was built with"
            )
        if not np.issubdtype(arr.dtype, np.number):
            raise KotaeError(f"{what} must be numeric, got dtype {arr.dtype}")
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        if not np.isfinite(arr).all():
            raise KotaeError(f"{what} contain NaN or infinite values; every vector must be finite")
        return arr

    @staticmethod
    def _check_ids(ids, what: str = "ids") -> np.ndarray:
        arr = np.asarray(ids)
        if arr.size == 0:
            return np.empty(0, dtype=np.int64)
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise KotaeError(f"{what} must be a 1-D sequence of integers, got shape {arr.shape} dtype {arr.dtype}")
        arr = arr.astype(np.int64, copy=False)
        if (arr < 0).any():
            raise KotaeError(f"{what} must be >= 0 (negative ids mark empty results), got {int(arr.min())}")
        return np.ascontiguousarray(arr)

    # ---------- mutation ----------
    def add(self, ids, vectors: np.ndarray) -> None:
        """Add vectors under the given ids.

        Args:
            ids: one non-negative int per vector, not already in the store.
            vectors: (n, dim) floats, L2-normalized for cosine scores.

        Raises:
            KotaeError: shapes disagree, ids are negative, repeated, or already present.

        Example:
            >>> import numpy as np
            >>> s = VectorStore(dim=2); s.add([7], np.array([[0.6, 0.8]])); s.ntotal
            1
        """
        id_arr = self._check_ids(ids)
        vecs = self._check_vectors(vectors, "vectors") if id_arr.size else np.empty((0, self.dim), np.float32)
        if id_arr.size != vecs.shape[0]:
            raise KotaeError(f"got {id_arr.size} ids for {vecs.shape[0]} vectors; pass exactly one id per vector")
        if id_arr.size == 0:
            return
        if np.unique(id_arr).size != id_arr.size:
            raise KotaeError("ids must be unique within one add() call; a repeated id would shadow its twin")
        clash = id_arr[np.isin(id_arr, self.ids())]
        if clash.size:
            raise KotaeError(f"id {int(clash[0])} is already in the store; remove it first to replace its vector")
        self._idx.add_with_ids(vecs, id_arr)

    def remove(self, ids) -> int:
        """Remove vectors by id; unknown ids are ignored.

        Returns:
            How many vectors were removed.

        Example:
            >>> import numpy as np
            >>> s = VectorStore(dim=2); s.add([1, 2], np.eye(2)); s.remove([2, 99])
            1
        """
        id_arr = self._check_ids(ids)
        if id_arr.size == 0 or self._index is None:
            return 0
        faiss = _faiss()
        if self.index_type is VectorIndexType.FLAT:
            return int(self._index.remove_ids(id_arr))
        stored = faiss.vector_to_array(self._index.id_map)
        hit = np.isin(stored, id_arr) & (stored >= 0)
        n = int(hit.sum())
        if n:
            stored[hit] = -1
            faiss.copy_array_to_vector(stored, self._index.id_map)
            self._index.construct_rev_map()
            self._dead += n
            if self._dead > COMPACT_DEAD_FRACTION * self._index.ntotal:
                self.compact()
        return n

    def compact(self) -> None:
        """Rebuild an HNSW store without its tombstones (a no-op for flat stores)."""
        if self._index is None or self._dead == 0:
            return
        faiss = _faiss()
        stored = faiss.vector_to_array(self._index.id_map)
        inner = faiss.downcast_index(self._index.index)
        vecs = inner.reconstruct_n(0, int(self._index.ntotal))
        keep = stored >= 0
        fresh = self._new_index()
        if keep.any():
            fresh.add_with_ids(np.ascontiguousarray(vecs[keep]), np.ascontiguousarray(stored[keep]))
        self._index, self._dead = fresh, 0

    # ---------- search ----------
    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest stored vectors (by inner product) of each query vector.

        Args:
            vectors: (n, dim) or (dim,) query vectors.
            k: results per query (> 0); more than `ntotal` is clipped to `ntotal`.

        Returns:
            (scores, ids), each of shape (n, min(k, ntotal)), best first. An id of -1 marks an
            empty slot (HNSW may return fewer than k).

        Example:
            >>> import numpy as np
            >>> s = VectorStore(dim=2); s.add([5, 6], np.eye(2))
            >>> s.search(np.array([0.0, 1.0]), k=5)[1].tolist()
            [[6, 5]]
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise KotaeError(f"k must be an integer greater than 0, got {k!r}")
        queries = self._check_vectors(vectors, "query vectors")
        k_eff = min(int(k), self.ntotal)
        if k_eff == 0:
            empty = np.empty((queries.shape[0], 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        params = None
        if self.index_type is VectorIndexType.HNSW:
            faiss = _faiss()
            # the selector sees external ids: tombstones are -1, so [0, max) skips them
            params = faiss.SearchParametersHNSW(
                sel=faiss.IDSelectorRange(0, _MAX_ID) if self._dead else None,
                efSearch=max(HNSW_EF_SEARCH, k_eff),
            )
        scores, ids = self._index.search(queries, k_eff, params=params)
        return scores, ids

    # ---------- persistence ----------
    def save(self, path: str | os.PathLike) -> None:
        """Write the store to one FAISS file, atomically (a temporary file renamed over `path`).

        Example:
            >>> import numpy as np, tempfile, os
            >>> s = VectorStore(dim=2); s.add([1], np.eye(2)[:1])
            >>> p = os.path.join(tempfile.mkdtemp(), "v.faiss"); s.save(p); VectorStore.load(p).ntotal
            1
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            _faiss().write_index(self._idx, tmp)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike) -> VectorStore:
        """Read a store written by `save`.

        Raises:
            IndexLoadError: the file is missing, unreadable, or not a kotae vector store.
        """
        path = Path(path)
        if not path.is_file():
            raise IndexLoadError(f"{path}: vector file not found (rebuild the index with `kotae ingest`)")
        faiss = _faiss()
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            detail = str(exc).strip().splitlines()[-1][:160]
            raise IndexLoadError(f"{path}: not a readable FAISS index ({detail}); rebuild it with `kotae ingest`") from None
        if not isinstance(index, faiss.IndexIDMap2):
            raise IndexLoadError(
                f"{path}: holds a {type(index).__name__}, expected an IndexIDMap2 written by VectorStore.save; "
                "rebuild it with `kotae ingest`"
            )
        inner = faiss.downcast_index(index.index)
        if isinstance(inner, faiss.IndexHNSWFlat):
            kind = VectorIndexType.HNSW
        elif isinstance(inner, faiss.IndexFlatIP):
            kind = VectorIndexType.FLAT
        else:
            raise IndexLoadError(f"{path}: unsupported inner index {type(inner).__name__}; rebuild it with `kotae ingest`")
        if inner.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise IndexLoadError(f"{path}: index metric is not inner product; rebuild it with `kotae ingest`")
        store = cls(int(index.d), kind)
        store._index = index
        store._dead = int((faiss.vector_to_array(index.id_map) < 0).sum())
        return store
