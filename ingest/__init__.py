"""Ingest: files in, normalized documents and chunks out (load -> normalize -> chunk).

Importing this package is cheap: MeCab, charset_normalizer and the PDF/HTML/DOCX libraries load
only when they are first needed.
"""

from ingest.chunk import chunk_document, split_sentences
from ingest.errors import IndexLoadError, IngestError, KotaeError
from ingest.loaders import iter_supported_files, load_document, sniff_media_type
from ingest.models import Chunk, Citation, Document, Fact, Page, RawDocument
from ingest.normalize import normalize_document, normalize_text

__all__ = [
    "Chunk",
    "Citation",
    "Document",
    "Fact",
    "IndexLoadError",
    "IngestError",
    "KotaeError",
    "Page",
    "RawDocument",
    "chunk_document",
    "iter_supported_files",
    "load_document",
    "normalize_document",
    "normalize_text",
    "sniff_media_type",
    "split_sentences",
]
