"""DOCX loader: a Word document's body as line-oriented text, via python-docx.

The text has the shape ingest/html.py describes: headings as `#` × level + space + text (from the
built-in heading styles, "Title", or an outline level), one line per paragraph, and one line per
table row of `列名: 値` pairs joined by " / ". Body paragraphs and tables keep their order.
Page headers and footers, footnotes, comments and text boxes are not read.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

# Imported with this module, which the loader registry imports only when a Word file is read.
import docx
from docx.table import Table

from ingest.errors import IngestError
from ingest.html import guess_header_rows, table_lines
from ingest.models import RawDocument

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_HEADING_STYLE = re.compile(r"^(?:heading|見出し)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "表題"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a zip without word/document.xml holds instead, by a part only that format has.
_OTHER_OOXML = (("xl/workbook.xml", "an Excel workbook (.xlsx)"), ("ppt/presentation.xml", "a PowerPoint file (.pptx)"))


def load(path: Path, data: bytes) -> RawDocument:
    """Read a .docx: headings, paragraphs and tables in document order.

    Args:
        path: the file's path, used for the document's `source` and in error messages.
        data: the file's bytes.

    Returns:
        A `RawDocument` with one page, `paged=False`, the title from the document's properties
        (else its first heading, else the file's stem) and the DOCX media type.

    Raises:
        IngestError: the file is empty, not a zip (or a truncated one), a zip without
            word/document.xml, a legacy .doc, corrupt XML, or a document with no text.

    Example:
        >>> load(Path("a.docx"), b"PK\\x03\\x04 cut")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ingest.errors.IngestError: a.docx: not a valid DOCX: the zip container is truncated or corrupt ...
    """
    _check_container(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_body_lines(document))
        title = (document.core_properties.title or "").strip()
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml and zip errors alike
        raise IngestError(
            str(path), f"the DOCX is corrupt: {type(err).__name__}: {err}".rstrip(": "), "open and re-save it in Word"
        ) from None
    text = "\n".join(lines)
    if not text.strip():
        raise IngestError(str(path), "the Word document has no text", "check that it is the document you meant")
    if not title:
        title = next((line.lstrip("#").strip() for line in lines if line.startswith("#")), "") or Path(path).stem
    return RawDocument.unpaged(path, title, text, data, MEDIA_TYPE)


def _check_container(path: Path, data: bytes) -> None:
    """Refuse what is not a whole .docx zip, naming what it is instead when that is known."""
    if not data.strip():
        raise IngestError(str(path), "the DOCX is empty (0 bytes of content)", "re-save or copy the file again")
    if data.startswith(_OLE_MAGIC):
        raise IngestError(
            str(path), "a legacy Word 97-2003 .doc file, which is not supported", "save it as .docx in Word"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as err:
        raise IngestError(
            str(path),
            f"not a valid DOCX: the zip container is truncated or corrupt ({err})",
            "copy or download the file again, or re-save it in Word",
        ) from None
    if "word/document.xml" not in names:
        what = next((label for part, label in _OTHER_OOXML if part in names), "")
        reason = "not a Word document: the zip has no word/document.xml" + (f"; it is {what}" if what else "")
        raise IngestError(str(path), reason, "ingest a .docx saved by Word, or its PDF")


def _body_lines(document):
    """Lines of the body: paragraphs (headings marked) and tables, in document order."""
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            yield from _table_lines(block)
        else:
            yield from _paragraph_lines(block)


def _paragraph_lines(paragraph) -> list[str]:
    text = paragraph.text
    level = _heading_level(paragraph)
    if level:
        heading = " ".join(text.split())
        return [f"{'#' * level} {heading}"] if heading else []
    return [line.strip() for line in text.split("\n") if line.strip()]


def _heading_level(paragraph) -> int:
    """1-6 for a heading paragraph (style name, "Title", or outline level), else 0."""
    style = paragraph.style
    name = (style.name or "").strip() if style is not None else ""
    match = _HEADING_STYLE.match(name)
    if match:
        return min(max(int(match.group(1)), 1), 6)
    if name.lower() in _TITLE_STYLES:
        return 1
    # Documents made from Japanese templates often mark headings only by outline level (0 = level 1).
    element = paragraph._p
    for owner in (element, getattr(style, "element", None)):
        if owner is None:
            continue
        values = owner.xpath("./w:pPr/w:outlineLvl/@w:val")
        if values and values[0].isdigit() and int(values[0]) < 9:
            return min(int(values[0]) + 1, 6)
    return 0


def _table_lines(table) -> list[str]:
    """Rows of `列名: 値` pairs; merged cells are read once across and repeated down."""
    grid: list[list[str | None]] = []
    header_marked = False
    for r, row in enumerate(table.rows):
        cells: list[str | None] = []
        previous = None
        for cell in row.cells:
            # python-docx returns a horizontally merged cell once per grid column it covers.
            cells.append(None if cell._tc is previous else _cell_text(cell))
            previous = cell._tc
        grid.append(cells)
        if r == 0:
            header_marked = bool(row._tr.xpath("./w:trPr/w:tblHeader"))
    if not grid:
        return []
    width = max(len(row) for row in grid)
    if header_marked and len(grid) > 1:
        return table_lines(grid, header_rows=1)
    if width == 2:  # two columns without a marked header are nearly always label and value
        return table_lines(grid, header_rows=0, key_column=True)
    return table_lines(grid, header_rows=guess_header_rows(grid))


def _cell_text(cell) -> str:
    """A cell's paragraphs and nested tables as one line."""
    parts: list[str] = []
    for block in cell.iter_inner_content():
        if isinstance(block, Table):
            parts += [" ".join(line.split()) for line in _table_lines(block)]
        else:
            parts.append(" ".join(block.text.split()))
    return " ".join(p for p in parts if p)
