"""The default FAISS + bm25s engine satisfies the store protocols of index/backend.py, signatures included."""

import inspect

import numpy as np
import pytest

from assistant.retrieve import Retriever
from index.backend import IndexBackend, LexicalIndex, SearchBackend, VectorIndex
from index.dense import DenseRanker
from index.lexical import LexicalRanker
from index.store import IndexStore

IMPLEMENTATIONS = [
    (LexicalIndex, LexicalRanker),
    (VectorIndex, DenseRanker),
    (IndexBackend, IndexStore),
    (SearchBackend, Retriever),
]


def _members(protocol) -> list[str]:
    return sorted(
        name
        for name, value in vars(protocol).items()
        if (callable(value) or isinstance(value, property)) and (not name.startswith("_") or name == "__len__")
    )


def _parameters(function) -> list[tuple[str, object]]:
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("protocol, implementation", IMPLEMENTATIONS, ids=lambda x: x.__name__)
def test_default_engine_has_every_protocol_member_with_the_same_parameters(protocol, implementation):
    for name in _members(protocol):
        wanted = vars(protocol)[name]
        found = getattr(implementation, name, None)
        assert found is not None, f"{implementation.__name__} lacks {name}"
        if isinstance(wanted, property):
            assert isinstance(found, property), f"{implementation.__name__}.{name} should be a property"
            continue
        assert _parameters(found) == _parameters(wanted), f"{implementation.__name__}.{name} differs from {protocol.__name__}"


def test_live_objects_pass_isinstance(tmp_path):
    assert isinstance(LexicalRanker.build(["戦略的国際共同研究プログラム", "海外特別研究員事業"]), LexicalIndex)
    assert isinstance(DenseRanker(dim=4), VectorIndex)
    assert isinstance(IndexStore(tmp_path / "index"), IndexBackend)


def test_an_object_missing_a_method_is_not_a_backend():
    class OnlySearch:
        def search(self, query: str, k: int = 10):
            return []

    assert not isinstance(OnlySearch(), LexicalIndex)  # no __len__
    assert not isinstance(OnlySearch(), VectorIndex)


def test_a_vector_index_used_through_the_protocol_ranks_chunks_by_best_sentence():
    index: VectorIndex = DenseRanker(dim=2)
    index.add([(5, "予算額"), (5, "採用人数"), (9, "拠点数")], np.array([[1, 0], [0, 1], [0.6, 0.8]], np.float32))
    assert [row for row, _ in index.search(np.array([0.0, 1.0], np.float32), k=2)] == [5, 9]
    assert index.remove_rows([5]) == 2
    assert index.n_sentences == 1
