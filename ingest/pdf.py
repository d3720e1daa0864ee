"""PDF loader: the text layer of each page, with its 1-based page number, via pypdfium2.

pypdfium2 (PDFium, BSD/Apache) was chosen by measurement on Japanese PDFs rendered from the
bundled corpus: see docs/pdf-extraction.md and eval/pdf_accuracy.py. It returns the text layer's
code points as written (look-alikes such as ⽇ or 䛾 included), which ingest/normalize.py then folds.

No OCR: a PDF whose pages carry no text at all is refused with a message that says so.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

# Imported with this module, which the loader registry imports only when a PDF is read; a missing
# package then surfaces as the registry's "needs the Python package …" error.
import pypdfium2 as pdfium

from ingest.errors import IngestError
from ingest.models import RawDocument

MEDIA_TYPE = "application/pdf"

# PDFium is not thread-safe; an ingest that loads files from several threads must not enter it twice.
_PDFIUM_LOCK = threading.Lock()

# FPDF_GetLastError codes (fpdfview.h) that pypdfium2 attaches to PdfiumError as `err_code`.
_ERR_FORMAT = 3
_ERR_PASSWORD = 4
_ERR_SECURITY = 5

# PDF readers look for the end-of-file marker within the file's last 1,024 bytes; a PDF cut short
# (an interrupted download, a half-copied file) lacks it. PDFium would sometimes rebuild such a file
# and return only its first pages without a word, so a missing marker is refused instead.
_EOF_WINDOW = 1024

# Control characters are never text: PDFium uses some as markers (\x02 soft hyphen, \ufffe/\uffff
# generated characters), and a form feed would break the page separation made later in normalize.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
_BLANK_RUN = re.compile(r"\n{3,}")

# Producers' placeholder titles that name nothing; the file name is a better title than these.
_PLACEHOLDER_TITLES = {
    "untitled", "無題", "none", "unknown", "title", "タイトル", "powerpoint プレゼンテーション",
    "powerpoint presentation", "スライド 1", "slide 1", "pdf", "document", "文書",
}  # fmt: skip
_OFFICE_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.IGNORECASE)
_OFFICE_SUFFIX = re.compile(r"\.(?:docx?|pptx?|xlsx?|rtf|jtd|txt|pdf)$", re.IGNORECASE)


def load(path: Path, data: bytes) -> RawDocument:
    """Read a PDF's text layer, one string per page.

    Lines end with "\\n"; pages keep their order, so `pages[i]` is page `i + 1`. A PDF that opens
    without a password (no encryption, or an owner password only) is read as is.

    Args:
        path: the file's path, used for the document's `source` and in error messages.
        data: the file's bytes.

    Returns:
        A `RawDocument` with `paged=True`, the metadata title (or the file's stem), and
        `media_type="application/pdf"`.

    Raises:
        IngestError: the data is not a PDF, is truncated or corrupt, needs a password, or has no
            text layer on any page (a scan: OCR is not supported).

    Example:
        >>> from pathlib import Path
        >>> load(Path("a.pdf"), b"%PDF-1.7 cut")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ingest.errors.IngestError: a.pdf: the PDF is truncated: it does not end with %%EOF ...
    """
    _check_envelope(path, data)
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as err:
            raise _open_error(path, err) from None
        try:
            pages = tuple(_page_text(pdf[i]) for i in range(len(pdf)))
            title = _title(pdf.get_metadata_dict(), path)
        except pdfium.PdfiumError as err:
            raise IngestError(str(path), f"the PDF is corrupt: {_pdfium_reason(err)}", "re-export or re-download the file") from None
        finally:
            pdf.close()

    if not pages:
        raise IngestError(str(path), "the PDF has no pages", "check that the file is the document you meant")
    if not any(page.strip() for page in pages):
        raise IngestError(
            str(path),
            f"no text layer (scanned?): none of its {len(pages)} page(s) has extractable text; OCR is not supported",
            "run OCR first, e.g. `ocrmypdf in.pdf out.pdf`, and ingest the result",
        )
    return RawDocument(
        source=str(path),
        title=title,
        pages=pages,
        paged=True,
        content_hash=hashlib.sha256(data).hexdigest(),
        media_type=MEDIA_TYPE,
    )


def _check_envelope(path: Path, data: bytes) -> None:
    """Refuse what is not a whole PDF before PDFium sees it: no header, or cut short."""
    if not data.strip():
        raise IngestError(str(path), "the PDF is empty (0 bytes of content)", "re-download or re-export the file")
    if b"%PDF-" not in data[:1024]:
        raise IngestError(
            str(path),
            f"not a PDF: no %PDF- header in its first bytes (starts with {data[:8]!r})",
            "check the file's type; only real PDFs are read as PDF",
        )
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise IngestError(
            str(path),
            f"the PDF is truncated: it does not end with %%EOF ({len(data):,} bytes read)",
            "the file was cut short; download or copy it again",
        )


def _open_error(path: Path, err: Exception) -> IngestError:
    code = getattr(err, "err_code", None)
    if code == _ERR_PASSWORD:
        return IngestError(
            str(path),
            "the PDF is encrypted and needs a password to open",
            "save a copy without a password, e.g. with Print to PDF, and ingest that",
        )
    if code == _ERR_SECURITY:
        return IngestError(
            str(path),
            "the PDF uses an unsupported security handler (DRM)",
            "export an unprotected copy and ingest that",
        )
    return IngestError(
        str(path),
        f"the PDF is corrupt and cannot be opened: {_pdfium_reason(err)}",
        "re-export or re-download the file",
    )


def _pdfium_reason(err: Exception) -> str:
    """PDFium's own words ("Data format error") out of pypdfium2's "Failed to load document (PDFium: …)."."""
    match = re.search(r"\(PDFium: ([^)]*)\)", str(err))
    return match.group(1) if match else str(err).rstrip(".")


def _page_text(page) -> str:  # page: pypdfium2.PdfPage
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
        page.close()
    return clean_page_text(text)


def clean_page_text(text: str) -> str:
    """Line-oriented page text: "\\n" line ends, no control characters, no trailing blanks.

    Args:
        text: a page's text as PDFium returns it ("\\r\\n" line ends, marker characters).

    Returns:
        The text with "\\n" line ends, control characters removed, trailing spaces stripped from
        each line, and at most one blank line in a row.

    Example:
        >>> clean_page_text("令和4年度 \\r\\n予算額\\x02\\r\\n\\r\\n\\r\\n\\r\\n138億円")
        '令和4年度\\n予算額\\n\\n138億円'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


def _title(metadata: dict, path: Path) -> str:
    """The metadata title unless it is a placeholder; else the file's stem."""
    title = str(metadata.get("Title") or "").strip()
    title = _OFFICE_SUFFIX.sub("", _OFFICE_PREFIX.sub("", title)).strip()
    if not title or " ".join(title.lower().split()) in _PLACEHOLDER_TITLES:
        return Path(path).stem
    return title
