"""index/dense.py: encoder loading and encoding, the prompt table, and the best-sentence DenseRanker.

The hub-model path is tested with a tiny sentence-transformers model built here (a StaticEmbedding
over a character-level WordLevel vocabulary with a handmade weight matrix), saved to a temporary
folder: no hub, no download. One test (marked slow) loads the real default, USE multilingual v3.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from assistant.settings import DEFAULT_MODEL, VectorIndexType
from index.dense import (
    DenseRanker,
    ModelPrompts,
    check_signature,
    encode_texts,
    encoder_signature,
    load_encoder,
    load_sentence_transformer,
    prompts_for,
)
from ingest.errors import IndexLoadError, KotaeError

# ---------------------------------------------------------------------------------------------
# A tiny static-embedding model: one handmade 4-d vector per character, text vector = mean.
# ---------------------------------------------------------------------------------------------

CHAR_VECTORS = {
    "[UNK]": [0.0, 0.0, 0.0, 0.0],
    "予": [1.0, 0.0, 0.0, 0.0],
    "算": [1.0, 0.2, 0.0, 0.0],
    "額": [0.8, 0.0, 0.2, 0.0],
    "人": [0.0, 1.0, 0.0, 0.0],
    "数": [0.0, 0.9, 0.1, 0.0],
    "採": [0.0, 0.0, 1.0, 0.0],
    "用": [0.0, 0.1, 1.0, 0.0],
    "年": [0.0, 0.0, 0.0, 1.0],
}


def expected_vector(text: str) -> np.ndarray:
    rows = [CHAR_VECTORS.get(ch, CHAR_VECTORS["[UNK]"]) for ch in text]
    mean = np.mean(np.asarray(rows, dtype=np.float64), axis=0)
    return mean / np.linalg.norm(mean)


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers

    vocab = {ch: i for i, ch in enumerate(CHAR_VECTORS)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")  # one token per character
    weights = np.asarray(list(CHAR_VECTORS.values()), dtype=np.float32)
    # a saved default prompt, to check that encode_texts' explicit prefix overrides it
    model = SentenceTransformer(
        modules=[StaticEmbedding(tokenizer, embedding_weights=weights)],
        prompts={"query": "年年年"},
        default_prompt_name="query",
    )
    path = tmp_path_factory.mktemp("tiny-static-model")
    model.save(str(path))
    return path


def test_local_directory_loads_through_load_encoder(tiny_model_dir):
    encoder = load_encoder(str(tiny_model_dir))
    texts = ["予算額", "予算", "採用人数"]
    vectors = encode_texts(encoder, texts)
    assert vectors.shape == (3, 4) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    # the saved weights are what encodes: each vector is the normalized mean of its characters
    for text, vector in zip(texts, vectors):
        np.testing.assert_allclose(vector, expected_vector(text), atol=1e-6)
    sims = vectors @ vectors.T
    assert sims[0, 1] > 0.9 > 0.2 > sims[0, 2], "texts sharing characters are closer than unrelated ones"


def test_encoders_are_cached_per_model(tiny_model_dir):
    assert load_encoder(str(tiny_model_dir)) is load_encoder(str(tiny_model_dir) + "/")


# (text, prefix, text whose vector it must equal)
PREFIX_TABLE = [
    ("人数", "予算", "予算人数"),
    ("採用", "", "採用"),  # "" must override the model's saved default prompt ("年年年")
]


@pytest.mark.parametrize("text,prefix,same_as", PREFIX_TABLE)
def test_prefix_is_prepended_and_overrides_saved_prompts(tiny_model_dir, text, prefix, same_as):
    encoder = load_encoder(str(tiny_model_dir))
    got = encode_texts(encoder, [text], prefix=prefix)[0]
    np.testing.assert_allclose(got, expected_vector(same_as), atol=1e-6)


def test_encode_texts_refuses_a_bare_string_and_bad_batch_size(tiny_model_dir):
    encoder = load_encoder(str(tiny_model_dir))
    with pytest.raises(KotaeError, match="wrap one text"):
        encode_texts(encoder, "予算")
    with pytest.raises(KotaeError, match="batch_size must be an integer greater than 0, got 0"):
        encode_texts(encoder, ["予算"], batch_size=0)
    assert encode_texts(encoder, []).shape == (0, 4)


def test_signature_names_model_dimension_and_module(tiny_model_dir):
    sig = encoder_signature(load_encoder(str(tiny_model_dir)), str(tiny_model_dir))
    assert sig == {
        "model": str(tiny_model_dir),
        "dimension": 4,
        "module": "sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding",
    }


def test_hub_name_not_in_cache_fails_fast_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    started = time.perf_counter()
    with pytest.raises(KotaeError) as err:
        load_encoder("kotae-tests/not-a-cached-model")
    message = str(err.value)
    assert "not in the local Hugging Face cache" in message
    assert "KOTAE_MODEL=/path/to/DIR" in message and DEFAULT_MODEL in message
    assert time.perf_counter() - started < 30, "no network wait"


@pytest.mark.parametrize("model", ["/no/such/model/dir", "./missing-model"])
def test_missing_local_directory_says_so(model):
    with pytest.raises(KotaeError, match="does not exist or is not a directory"):
        load_encoder(model)


def test_directory_that_is_not_a_model_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("予算", encoding="utf-8")
    with pytest.raises(KotaeError, match="could not be loaded"):
        load_encoder(str(tmp_path))


# (model name or path, expected prompts)
PROMPT_TABLE = [
    ("use-multilingual-v3", ModelPrompts()),
    ("cl-nagoya/ruri-v3-30m", ModelPrompts("検索クエリ: ", "検索文書: ")),
    ("/models/ruri-v3-310m/", ModelPrompts("検索クエリ: ", "検索文書: ")),
    ("intfloat/multilingual-e5-small", ModelPrompts("query: ", "passage: ")),
    ("/opt/models/Multilingual-E5-Base", ModelPrompts("query: ", "passage: ")),
    ("/home/e5-user/models/plain-model", ModelPrompts()),  # only the model's own name counts
]


@pytest.mark.parametrize("model,expected", PROMPT_TABLE)
def test_prompt_table(model, expected):
    assert prompts_for(model) == expected


@pytest.mark.slow
def test_use_wrapper_round_trips_and_aligns_japanese_with_english(tmp_path):
    from sentence_transformers import SentenceTransformer

    encoder = load_sentence_transformer(DEFAULT_MODEL)  # load_encoder's direct path has no save()
    texts = ["SICORPの予算額", "What is the budget of SICORP?", "今日は雨が降っている", "海外特別研究員の採用人数"]
    vectors = encode_texts(encoder, texts)
    assert vectors.shape == (4, 512)

    encoder.save(str(tmp_path))
    # threads are not pinned in the saved config: the loading machine picks its own
    assert json.loads((tmp_path / "use_multilingual_v3.json").read_text()) == {"threads": None}
    reloaded = load_encoder(str(tmp_path))
    assert reloaded is not encoder
    assert np.abs(encode_texts(reloaded, texts) - vectors).max() < 1e-5
    assert encoder_signature(reloaded, "x")["module"] == "index.dense.USEMultilingual"
    with pytest.raises(ValueError, match="trust_remote_code"):
        SentenceTransformer(str(tmp_path))  # the saved module is third-party code to sentence-transformers

    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] + 0.2, "same meaning across languages beats an unrelated sentence"
    assert sims[0, 1] > sims[1, 3]


@pytest.mark.parametrize("threads", [0, -1, 1.5, True])
def test_use_wrapper_refuses_bad_thread_counts(threads):
    from index.dense import USEMultilingual

    with pytest.raises(KotaeError, match="threads must be a positive integer"):
        USEMultilingual(threads=threads)


# ---------------------------------------------------------------------------------------------
# DenseRanker with a fake encoder: handmade unit vectors, no model.
# ---------------------------------------------------------------------------------------------


def unit(*xs: float) -> list[float]:
    v = np.asarray(xs, dtype=np.float64)
    return (v / np.linalg.norm(v)).tolist()


QUERY = unit(1, 0, 0)
FAKE_VECTORS = {  # cosine with QUERY is the first coordinate
    "SICORPの令和4年度予算額は1,160百万円。": unit(0.9, math.sqrt(1 - 0.81), 0),
    "詳細は別紙を参照。": unit(0, 0, 1),
    "国際共同研究を推進する。": unit(0.7, math.sqrt(1 - 0.49), 0),
    "国際協力を強化する。": unit(0.7, math.sqrt(1 - 0.49), 0),
    "海外特別研究員を採用する。": unit(0.1, 0, math.sqrt(1 - 0.01)),
}


def fake_encode(texts: list[str]) -> np.ndarray:
    return np.asarray([FAKE_VECTORS[t] for t in texts], dtype=np.float32)


PAIRS = [
    (0, "SICORPの令和4年度予算額は1,160百万円。"),  # chunk 0: one strong sentence, one unrelated
    (0, "詳細は別紙を参照。"),
    (1, "国際共同研究を推進する。"),  # chunk 1: two middling sentences
    (1, "国際協力を強化する。"),
    (2, "海外特別研究員を採用する。"),
]


def build(index_type=VectorIndexType.FLAT) -> DenseRanker:
    return DenseRanker.from_pairs(PAIRS, fake_encode([t for _, t in PAIRS]), index_type=index_type)


@pytest.fixture(params=[VectorIndexType.FLAT, VectorIndexType.HNSW], ids=lambda k: k.value)
def index_type(request):
    return request.param


def test_best_sentence_beats_higher_average(index_type):
    # one vector per chunk (mean of its sentences) would rank chunk 1 first: this is what the ranker changes
    means = {}
    for row in (0, 1):
        m = fake_encode([t for r, t in PAIRS if r == row]).mean(axis=0)
        means[row] = float(m @ np.asarray(QUERY) / np.linalg.norm(m))
    assert means[1] > means[0]

    hits = build(index_type).search(np.asarray(QUERY, np.float32), k=3)
    assert [row for row, _ in hits] == [0, 1, 2]
    assert [round(score, 5) for _, score in hits] == [0.9, 0.7, 0.1]


def test_best_sentence_is_reported_for_highlighting():
    hit = build().search_sentences(np.asarray(QUERY, np.float32), k=1)[0]
    assert (hit.row, hit.sentence) == (0, "SICORPの令和4年度予算額は1,160百万円。")


def test_rows_are_unique_even_when_one_chunk_has_many_close_sentences(index_type):
    rng = np.random.default_rng(0)
    many = [(7, f"文{i}") for i in range(60)]
    near = np.asarray(QUERY) + 0.05 * rng.standard_normal((60, 3))
    vectors = np.vstack([near / np.linalg.norm(near, axis=1, keepdims=True), [unit(0.2, 1, 0)]])
    ranker = DenseRanker.from_pairs([*many, (8, "遠い文")], vectors, index_type=index_type)
    hits = ranker.search(np.asarray(QUERY, np.float32), k=2)  # needs more than k*8 = 16 sentences
    assert [row for row, _ in hits] == [7, 8]


def test_remove_rows_drops_every_sentence_of_a_chunk(index_type):
    ranker = build(index_type)
    assert ranker.remove_rows([0, 99]) == 2
    assert ranker.n_sentences == 3 and ranker.rows.tolist() == [1, 2]
    assert [row for row, _ in ranker.search(np.asarray(QUERY, np.float32), k=5)] == [1, 2]
    ranker.add([(0, "詳細は別紙を参照。")], fake_encode(["詳細は別紙を参照。"]))  # a changed chunk comes back
    assert ranker.rows.tolist() == [0, 1, 2]


def test_save_load_round_trip(index_type, tmp_path):
    ranker = build(index_type)
    ranker.remove_rows([2])
    signature = {"model": "fake", "dimension": 3, "module": "tests.fake"}
    ranker.save(tmp_path, signature=signature)
    loaded = DenseRanker.load(tmp_path, expect_signature=signature)
    query = np.asarray(unit(0.5, 0.5, 0.2), np.float32)
    assert loaded.search(query, k=5) == ranker.search(query, k=5)
    assert loaded.index_type is index_type and loaded.n_sentences == 4
    assert DenseRanker.saved_signature(tmp_path) == signature


def test_index_from_another_encoder_is_refused(tmp_path):
    build().save(tmp_path, signature={"model": "fake", "dimension": 3, "module": "tests.fake"})
    other = {"model": DEFAULT_MODEL, "dimension": 512, "module": "index.dense.USEMultilingual"}
    with pytest.raises(IndexLoadError, match="built with another embedding model.*KOTAE_MODEL='fake'"):
        DenseRanker.load(tmp_path, expect_signature=other)
    with pytest.raises(IndexLoadError, match="dimension 3"):
        check_signature({"model": "a", "dimension": 3, "module": "m"}, {"model": "a", "dimension": 4, "module": "m"})


def test_load_refuses_missing_and_inconsistent_files(tmp_path):
    with pytest.raises(IndexLoadError, match="not found"):
        DenseRanker.load(tmp_path)
    build().save(tmp_path)
    DenseRanker.from_pairs(PAIRS[:2], fake_encode([t for _, t in PAIRS[:2]])).save(tmp_path / "other")
    (tmp_path / "other" / "sentences.faiss").replace(tmp_path / "sentences.faiss")
    with pytest.raises(IndexLoadError, match="inconsistent"):
        DenseRanker.load(tmp_path)


BAD_RANKER_CALLS = [
    ("k=0", lambda r: r.search(np.asarray(QUERY, np.float32), k=0), "k must be an integer greater than 0"),
    ("query dim", lambda r: r.search(np.zeros(5, np.float32), k=1), "(n, 3)"),
    ("count", lambda r: r.add([(3, "a"), (3, "b")], np.ones((1, 3))), "got 2 (row, sentence) pairs"),
    ("row", lambda r: r.add([(-1, "a")], np.ones((1, 3))), "chunk row must be an integer >= 0, got -1"),
    ("text", lambda r: r.add([(1, None)], np.ones((1, 3))), "sentence text must be a string"),
]


@pytest.mark.parametrize("label,call,message", BAD_RANKER_CALLS, ids=[c[0] for c in BAD_RANKER_CALLS])
def test_ranker_refuses_bad_arguments(label, call, message):
    ranker = build()
    with pytest.raises(KotaeError) as err:
        call(ranker)
    assert message in str(err.value)
    assert ranker.n_sentences == len(PAIRS)
