"""Small documents made in the test: Japanese PDFs (reportlab CID fonts), DOCX (python-docx), HTML.

reportlab's built-in HeiseiMin-W3 / HeiseiKakuGo-W5 need no font file: the PDF names the font and
writes the text as UCS-2 codes (UniJIS-UCS2-H), so every test machine can make Japanese PDFs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

BODY_FONT = "HeiseiMin-W3"
HEADING_FONT = "HeiseiKakuGo-W5"


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    for name in (BODY_FONT, HEADING_FONT):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def pdf_bytes(pages: Sequence[Sequence[str]], title: str | None = None) -> bytes:
    """A PDF with one page per item, each line drawn on its own line (■/◇ lines in the gothic font).

    An empty list of lines makes a blank page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    if title is not None:
        canvas.setTitle(title)
    for lines in pages:
        y = A4[1] - 60
        for line in lines:
            canvas.setFont(HEADING_FONT if line.startswith(("■", "◇")) else BODY_FONT, 10.5)
            canvas.drawString(50, y, line)
            y -= 16
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def image_only_pdf_bytes(pages: int = 2) -> bytes:
    """A PDF whose pages hold only drawn shapes and a bitmap: what a scan looks like to a text extractor."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        canvas.setFillGray(0.85)
        canvas.rect(50, 400, 400, 300, fill=1)
        canvas.setFillGray(0.1)
        for k in range(12):  # "lines of text" as black bars, as a scanner sees them
            canvas.rect(70, 680 - k * 20, 300 - (k % 3) * 40, 8, fill=1, stroke=0)
        canvas.drawImage(ImageReader(_gray_png()), 60, 100, width=120, height=120)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _gray_png() -> io.BytesIO:
    """A 16×16 grayscale PNG made with the standard library (no Pillow needed to write it)."""
    import struct
    import zlib

    raw = b"".join(b"\x00" + bytes((x * 16 + y * 8) % 256 for x in range(16)) for y in range(16))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return io.BytesIO(png)


def encrypted_pdf_bytes(data: bytes, user_password: str, owner_password: str = "owner-secret") -> bytes:
    """`data` re-written encrypted with pypdf (RC4-128, which pypdf implements without extra packages)."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(
    blocks: Sequence[tuple[str, object]],
    title: str | None = None,
    header_row: bool = False,
) -> bytes:
    """A .docx from ("h1".."h3", text), ("title", text), ("p", text) and ("table", rows) blocks.

    `header_row` marks each table's first row as a repeated header row (w:tblHeader).
    """
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    for kind, value in blocks:
        if kind == "title":
            document.add_heading(str(value), 0)
        elif kind.startswith("h"):
            document.add_heading(str(value), int(kind[1:]))
        elif kind == "p":
            document.add_paragraph(str(value))
        elif kind == "table":
            rows = list(value)  # type: ignore[call-overload]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            if header_row:
                tr_pr = table.rows[0]._tr.get_or_add_trPr()
                tr_pr.append(OxmlElement("w:tblHeader"))
        else:
            raise ValueError(f"unknown block kind {kind!r}: use title, h1-h9, p or table")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip archive holding `members` (for DOCX look-alikes that lack word/document.xml)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
