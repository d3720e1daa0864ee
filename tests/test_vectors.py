"""VectorStore over FAISS (flat and HNSW) and choose_index_type. Random vectors; no model."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.settings import VectorIndexType
from index.vectors import COMPACT_DEAD_FRACTION, VectorStore, choose_index_type
from ingest.errors import IndexLoadError, KotaeError

DIM = 32
KINDS = [VectorIndexType.FLAT, VectorIndexType.HNSW]


def unit_vectors(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(params=KINDS, ids=lambda k: k.value)
def kind(request) -> VectorIndexType:
    return request.param


def filled(kind: VectorIndexType, n: int = 400) -> tuple[VectorStore, np.ndarray, np.ndarray]:
    vectors = unit_vectors(n)
    ids = np.arange(n, dtype=np.int64) * 3 + 1000  # ids unrelated to positions
    store = VectorStore(DIM, kind)
    store.add(ids, vectors)
    return store, ids, vectors


def test_each_vector_finds_itself_first(kind):
    store, ids, vectors = filled(kind)
    scores, found = store.search(vectors[:50], k=5)
    assert found.shape == (50, 5)
    assert (found[:, 0] == ids[:50]).all()
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)
    assert (np.diff(scores, axis=1) <= 1e-6).all(), "scores must come best first"


def test_hnsw_recall_matches_flat():
    flat, _, _ = filled(VectorIndexType.FLAT, 2000)
    hnsw, _, _ = filled(VectorIndexType.HNSW, 2000)
    queries = unit_vectors(100, seed=9)
    _, exact = flat.search(queries, k=10)
    _, approx = hnsw.search(queries, k=10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx.tolist(), exact.tolist())])
    assert recall >= 0.95


def test_removed_ids_are_never_returned(kind):
    store, ids, vectors = filled(kind)
    gone = ids[:40]
    assert store.remove(gone.tolist() + [999_999_999]) == 40
    assert store.ntotal == len(ids) - 40
    _, found = store.search(vectors[:40], k=20)
    assert not np.isin(found, gone).any()
    assert set(store.ids().tolist()) == set(ids[40:].tolist())


def test_hnsw_keeps_tombstones_until_compaction():
    store, ids, _ = filled(VectorIndexType.HNSW, 400)
    store.remove(ids[:10])
    assert store._dead == 10 and store._index.ntotal == 400
    n_more = int(COMPACT_DEAD_FRACTION * 400)  # crosses the compaction threshold
    store.remove(ids[10 : 10 + n_more])
    assert store._dead == 0 and store._index.ntotal == store.ntotal == 400 - 10 - n_more


def test_removed_id_can_be_added_again(kind):
    store, ids, vectors = filled(kind, 50)
    store.remove([ids[0]])
    store.add([ids[0]], vectors[1:2])  # a new vector under the old id
    _, found = store.search(vectors[1:2], k=2)
    assert set(found[0].tolist()) == {ids[0], ids[1]}


def test_save_load_round_trip_keeps_results_and_removals(kind, tmp_path):
    store, ids, vectors = filled(kind)
    store.remove(ids[:5])
    path = tmp_path / "v.faiss"
    store.save(path)
    loaded = VectorStore.load(path)
    assert loaded.index_type is kind and loaded.dim == DIM and loaded.ntotal == store.ntotal
    queries = unit_vectors(20, seed=3)
    for a, b in zip(store.search(queries, k=10), loaded.search(queries, k=10)):
        np.testing.assert_array_equal(a, b)
    assert not list(tmp_path.glob("*.tmp")), "no temporary file left behind"


def test_k_larger_than_store_is_clipped(kind):
    store = VectorStore(DIM, kind)
    store.add([1, 2], unit_vectors(2))
    scores, found = store.search(unit_vectors(1), k=10)
    assert found.shape == (1, 2) and set(found[0].tolist()) == {1, 2}


def test_empty_store_returns_empty_results(kind):
    scores, found = VectorStore(DIM, kind).search(unit_vectors(3), k=4)
    assert scores.shape == found.shape == (3, 0)


BAD_CALLS = [
    ("k=0", lambda s: s.search(unit_vectors(1), k=0), "k must be an integer greater than 0, got 0"),
    ("dim", lambda s: s.search(unit_vectors(1, dim=8), k=1), "must have shape (n, 32)"),
    ("add dim", lambda s: s.add([5], unit_vectors(1, dim=8)), "got (1, 8)"),
    ("count", lambda s: s.add([5, 6], unit_vectors(1)), "got 2 ids for 1 vectors"),
    ("dup", lambda s: s.add([5, 5], unit_vectors(2)), "unique"),
    ("present", lambda s: s.add([1], unit_vectors(1)), "id 1 is already in the store"),
    ("negative", lambda s: s.add([-3], unit_vectors(1)), "must be >= 0"),
    ("nan", lambda s: s.add([9], np.full((1, DIM), np.nan)), "NaN"),
]


@pytest.mark.parametrize("label,call,message", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_name_the_value_and_rule(kind, label, call, message):
    store = VectorStore(DIM, kind)
    store.add([1], unit_vectors(1))
    with pytest.raises(KotaeError) as err:
        call(store)
    assert message in str(err.value)
    assert store.ntotal == 1, "a refused call changes nothing"


@pytest.mark.parametrize("dim,index_type", [(0, "flat"), (-2, "flat"), (8, "auto"), (8, "ivf")])
def test_bad_constructor_arguments_are_refused(dim, index_type):
    with pytest.raises(KotaeError):
        VectorStore(dim, index_type)


def test_load_refuses_missing_and_corrupt_files(tmp_path):
    with pytest.raises(IndexLoadError, match="not found"):
        VectorStore.load(tmp_path / "absent.faiss")
    bad = tmp_path / "bad.faiss"
    bad.write_bytes(b"not a faiss index")
    with pytest.raises(IndexLoadError, match="not a readable FAISS index"):
        VectorStore.load(bad)


# (setting, n_vectors, threshold, expected)
INDEX_TYPE_TABLE = [
    ("auto", 0, 200_000, VectorIndexType.FLAT),
    ("auto", 200_000, 200_000, VectorIndexType.FLAT),
    ("auto", 200_001, 200_000, VectorIndexType.HNSW),
    (VectorIndexType.AUTO, 5, 1, VectorIndexType.HNSW),
    ("flat", 10_000_000, 200_000, VectorIndexType.FLAT),
    ("hnsw", 3, 200_000, VectorIndexType.HNSW),
    (VectorIndexType.HNSW, 0, 10, VectorIndexType.HNSW),
]


@pytest.mark.parametrize("setting,n,threshold,expected", INDEX_TYPE_TABLE)
def test_choose_index_type(setting, n, threshold, expected):
    assert choose_index_type(setting, n, threshold) is expected


def test_choose_index_type_lists_valid_values_for_unknown_setting():
    with pytest.raises(KotaeError, match="'auto', 'flat', 'hnsw'"):
        choose_index_type("ivf", 10, 100)
    with pytest.raises(KotaeError, match="threshold must be >= 1"):
        choose_index_type("auto", 10, 0)
