"""HTML loader: a web page as line-oriented text that keeps its headings and tables.

The text shape is shared with ingest/word.py and is what chunking expects:

- a heading is a line of its own, Markdown style: `#` × level, a space, the text
  (`<h2>事業概要</h2>` → `## 事業概要`); chunking treats lines starting with `#` or `■` as headings;
- a paragraph, list item (`- ` prefix) or other block is one line; `<br>` starts a new line;
- a table row is one line of `列名: 値` pairs joined by ` / `
  (`事業名: SICORP / 令和4年度予算額(案): 1,160百万円`); a table with no header row gives its cells
  joined by ` / `, and a key-value table (`<th>` first in each row) gives `項目: 値`;
- `<script>`, `<style>`, `<nav>`, `<noscript>`, `<template>`, hidden elements, furigana (`<rt>`)
  and form controls are dropped; so are the page-level `<header>`/`<footer>` around the content.

Parsing uses BeautifulSoup with the standard library's "html.parser" (no lxml needed).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

# Imported with this module, which the loader registry imports only when an HTML file is read.
from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from ingest.errors import IngestError
from ingest.models import RawDocument

MEDIA_TYPE = "text/html"

TABLE_CELL_SEP = " / "
"""Separates the `列名: 値` pairs (or plain cells) of one table row on its line."""

_DROP = frozenset(
    "script style noscript template nav iframe object embed svg canvas map area "
    "rt rp select option button textarea input head meta link title".split()
)
_BLOCK = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset "
    "figcaption figure footer form header hgroup hr legend li main menu ol p pre section summary "
    "ul tbody thead tfoot tr td th".split()
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_CONTENT_ANCESTORS = ("main", "article", "section")
_LAYOUT_BLOCKS = frozenset("p div ul ol dl blockquote".split())
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# HTML's own whitespace is ASCII only: U+3000 and &nbsp; are text and are left to normalization.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-:.]+)""")
# Declared names → codecs to try. Shift_JIS pages are written by Windows as cp932 (①, ㈱ included);
# EUC-JP pages with such symbols are eucJP-ms, which Python lacks: JIS X 0213 (euc_jis_2004) has them.
_CHARSET_ALIASES = {
    "shift_jis": ("cp932", "shift_jis_2004"), "shift-jis": ("cp932", "shift_jis_2004"), "sjis": ("cp932",),
    "x-sjis": ("cp932",), "ms_kanji": ("cp932",), "windows-31j": ("cp932",), "cp932": ("cp932",),
    "euc-jp": ("euc_jp", "euc_jis_2004"), "x-euc-jp": ("euc_jp", "euc_jis_2004"), "eucjp": ("euc_jp", "euc_jis_2004"),
    "iso-2022-jp": ("iso2022_jp_2", "iso2022_jp_2004"),
}  # fmt: skip
# A cell holding a figure is a value, not a column name (used to spot header rows without <th>).
_FIGURE = re.compile(r"\d[\d,，.．]*\s*(?:兆|億|百万|千万|万|千)?円|\d[\d,，]*\s*(?:人|件|%|％|拠点|課題|か月|年(?!度)|倍)")
_MAX_DEPTH = 400
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def load(path: Path, data: bytes) -> RawDocument:
    """Read an HTML page as line-oriented text (see the module docstring for its shape).

    Args:
        path: the file's path, used for the document's `source` and in error messages.
        data: the file's bytes, in the encoding the page declares (UTF-8, Shift_JIS, EUC-JP …).

    Returns:
        A `RawDocument` with one page, `paged=False`, the `<title>` (else the first `<h1>`, else the
        file's stem) and `media_type="text/html"`.

    Raises:
        IngestError: the file is empty or has no text once scripts, styles and navigation are dropped.

    Example:
        >>> doc = load(Path("a.html"), "<title>予算</title><h1>概要</h1><p>本文</p>".encode())
        >>> doc.title, doc.pages
        ('予算', ('# 概要\\n本文',))
    """
    if not data.strip():
        raise IngestError(str(path), "the HTML file is empty", "check that the page was saved completely")
    soup = BeautifulSoup(decode(data), "html.parser")
    title = _title(soup, path)
    text = html_text(soup)
    if not text.strip():
        raise IngestError(
            str(path),
            "the HTML has no text once scripts, styles and navigation are dropped",
            "save the page once it has loaded, e.g. with the browser's 'Save page as', or ingest its PDF",
        )
    return RawDocument.unpaged(path, title, text, data, MEDIA_TYPE)


def decode(data: bytes) -> str:
    """The page's text: its BOM, else its declared charset, else UTF-8, else a detected encoding.

    Shift_JIS is read as cp932, the superset Windows writes (①, ㈱ and NEC symbols included), and
    EUC-JP falls back to JIS X 0213 for the same symbols.

    Example:
        >>> decode('<meta charset="Shift_JIS"><p>予算①</p>'.encode("cp932"))
        '<meta charset="Shift_JIS"><p>予算①</p>'
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    tried = []
    if match:
        declared = match.group(1).decode("ascii").lower()
        tried += _CHARSET_ALIASES.get(declared, (declared,))
    tried.append("utf-8")
    for codec in tried:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


def html_text(soup) -> str:  # soup: bs4.BeautifulSoup or bs4.Tag
    """Line-oriented text of a parsed page: headings, paragraphs and table rows, one per line.

    Example:
        >>> html_text(BeautifulSoup("<h2>概要</h2><script>x()</script><p>国際\\n共同研究</p>", "html.parser"))
        '## 概要\\n国際共同研究'
    """
    root = _content_root(soup)
    writer = _Writer()
    writer.visit(root, 0)
    writer.flush()
    return "\n".join(writer.lines)


def table_lines(
    rows: Sequence[Sequence[str | None]], header_rows: int = 1, key_column: bool = False
) -> list[str]:
    """A table as one line per row that keeps each value with its column name.

    Args:
        rows: the table as a grid, row by row. A cell that continues a horizontally merged cell is
            `None` (skipped); a vertically merged cell repeats its text in each row it spans.
        header_rows: how many leading rows name the columns (0: none). Several header rows are
            joined per column (`令和4年度` over `予算額` → `令和4年度 予算額`).
        key_column: with no header rows, read each row's first cell as the name of the rest
            (`予算額: 1,160百万円`).

    Returns:
        One line per body row: `列名: 値` pairs joined by " / ", empty cells left out; a header row
        repeated inside the table is dropped.

    Example:
        >>> table_lines([["事業名", "予算額"], ["SICORP", "1,160百万円"]])
        ['事業名: SICORP / 予算額: 1,160百万円']
        >>> table_lines([["予算額", "1,160百万円"]], header_rows=0, key_column=True)
        ['予算額: 1,160百万円']
    """
    width = max((len(row) for row in rows), default=0)
    names = [""] * width
    for row in rows[:header_rows]:
        for c, cell in enumerate(row):
            text = _cell(cell)
            if text and not names[c].endswith(text):
                names[c] = f"{names[c]} {text}".strip()
        # A header cell spanning columns names each of them.
        last = ""
        for c in range(len(row)):
            if row[c] is None and last:
                names[c] = names[c] or last
            last = names[c]
    header = [_cell(cell) for cell in rows[0]] if header_rows else None
    out = []
    for row in rows[header_rows:]:
        cells = [_cell(cell) for cell in row]
        if header is not None and cells == header[: len(cells)]:
            continue
        if header_rows:
            pairs = [f"{names[c]}: {v}" if names[c] and names[c] != v else v for c, v in enumerate(cells) if v]
            line = TABLE_CELL_SEP.join(pairs)
        else:
            values = [v for v in cells if v]
            if key_column and len(values) >= 2 and cells[0]:
                line = f"{values[0]}: {TABLE_CELL_SEP.join(values[1:])}"
            else:
                line = TABLE_CELL_SEP.join(values)
        if line:
            out.append(line)
    return out


def guess_header_rows(rows: Sequence[Sequence[str | None]]) -> int:
    """1 when the first row looks like column names (no figures in it, figures below), else 0.

    For tables that mark no header (no `<th>`, no repeated header row in Word).

    Example:
        >>> guess_header_rows([["事業名", "予算額"], ["SICORP", "1,160百万円"]])
        1
        >>> guess_header_rows([["SICORP", "1,160百万円"], ["SATREPS", "1,826百万円"]])
        0
    """
    if len(rows) < 2:
        return 0
    first = [_cell(c) for c in rows[0]]
    if sum(bool(c) for c in first) < 2 or any(_FIGURE.search(c) for c in first):
        return 0
    return int(any(_FIGURE.search(_cell(c)) for row in rows[1:] for c in row))


def _cell(cell: str | None) -> str:
    return " ".join((cell or "").split())


# --------------------------------------------------------------------------- tree walk


def _content_root(soup):
    """The page's `<main>` when there is exactly one, else its `<body>` (or the whole document)."""
    mains = soup.find_all("main") or soup.find_all(attrs={"role": "main"})
    if len(mains) == 1:
        return mains[0]
    return soup.body or soup


def _is_dropped(tag) -> bool:
    name = tag.name
    if name in _DROP or tag.get("hidden") is not None or tag.get("aria-hidden") == "true":
        return True
    if tag.get("role") == "navigation" or _HIDDEN_STYLE.search(tag.get("style") or ""):
        return True
    if name in ("header", "footer") and not _nearest(tag, _CONTENT_ANCESTORS) and not tag.find("h1"):
        return True  # site chrome around the content: logo, menus, copyright
    return False


def _join_inline(parts: list[str]) -> str:
    """Collapse HTML whitespace; a line break between two CJK characters is no space at all."""
    text = "".join(parts)

    def space(match: re.Match) -> str:
        s, e = match.start(), match.end()
        if "\n" in match.group() and 0 < s and e < len(text) and _wide(text[s - 1]) and _wide(text[e]):
            return ""
        return " "

    return _HTML_SPACE.sub(space, text).strip()


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.prefix = ""

    def flush(self) -> None:
        text = _join_inline(self.buf)
        self.buf = []
        if text:
            self.lines.append(self.prefix + text)
            self.prefix = ""

    def visit(self, node, depth: int) -> None:
        if isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                self.buf.append(str(node))
            return
        if not isinstance(node, Tag) or _is_dropped(node):
            return
        name = node.name
        if depth > _MAX_DEPTH:  # pathological nesting: keep the words, drop the structure
            self.buf.append(node.get_text(" "))
            return
        if name in _HEADINGS:
            self.flush()
            text = _join_inline([_inline_text(node)])
            if text:
                self.lines.append(f"{'#' * _HEADINGS[name]} {text}")
            return
        if name == "br":
            self.flush()
            return
        if name == "pre":
            self.flush()
            self.lines += [line.rstrip() for line in node.get_text().split("\n") if line.strip()]
            return
        if name == "table" and not _is_layout_table(node):
            self.flush()
            self.lines += _html_table_lines(node)
            return
        if name == "dl" and _is_simple_dl(node):
            self.flush()
            self.lines += _dl_lines(node)
            return
        block = name in _BLOCK or name == "table"
        if block:
            self.flush()
        if name == "li":
            self.prefix = "- "
        for child in node.children:
            self.visit(child, depth + 1)
        if block:
            self.flush()


def _inline_text(tag) -> str:
    """A heading's or cell's text without dropped parts (furigana, scripts), `<br>` as a space."""
    parts: list[str] = []
    stack = list(reversed(list(tag.children)))  # iterative: a cell may nest deeper than Python recurses
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                parts.append(str(node))
        elif isinstance(node, Tag) and not _is_dropped(node):
            if node.name == "br":
                parts.append(" ")
            else:
                stack.extend(reversed(list(node.children)))
    return "".join(parts)


def _is_layout_table(table) -> bool:
    """A table used for page layout: a cell holds a heading or a table, or several blocks.

    One paragraph or list in a cell is still data (content systems wrap cell text in `<p>`).
    """
    if table.get("role") == "presentation":
        return True
    for cell in _own(table, ("td", "th")):
        blocks = 0
        for node in cell.descendants:
            name = getattr(node, "name", None)
            if name in _HEADINGS or name == "table":
                return True
            if name in _LAYOUT_BLOCKS:
                blocks += 1
                if blocks > 2:
                    return True
    return False


def _own(table, names: tuple[str, ...]) -> list:
    """Descendants of `table` named `names` that belong to it, not to a table nested in it."""
    return [tag for tag in table.find_all(names) if _nearest(tag, ("table",)) is table]


def _nearest(tag, names: tuple[str, ...]):
    """The closest ancestor of `tag` named in `names`, or None."""
    for parent in tag.parents:
        if parent.name in names:
            return parent
    return None


def _html_table_lines(table) -> list[str]:
    """Expand colspan/rowspan into a grid and format it with `table_lines`."""
    rows = _own(table, ("tr",))
    grid: list[list[str | None]] = []
    is_th: list[list[bool]] = []
    pending: dict[int, tuple[int, str]] = {}  # column → (rows still spanned, text)
    for tr in rows:
        row: list[str | None] = []
        th_row: list[bool] = []
        cells = [c for c in tr.find_all(["td", "th"], recursive=False)]

        def fill_spans() -> None:
            while len(row) in pending:
                left, text = pending[len(row)]
                row.append(text)
                th_row.append(False)
                if left <= 1:
                    del pending[len(row) - 1]
                else:
                    pending[len(row) - 1] = (left - 1, text)

        for cell in cells:
            fill_spans()
            text = _join_inline([_inline_text(cell)])
            colspan = _span(cell.get("colspan"))
            rowspan = _span(cell.get("rowspan"))
            for k in range(colspan):
                if rowspan > 1:
                    pending[len(row)] = (rowspan - 1, text if k == 0 else None)
                row.append(text if k == 0 else None)
                th_row.append(cell.name == "th")
        fill_spans()
        grid.append(row)
        is_th.append(th_row)

    lines = []
    caption = next(iter(_own(table, ("caption",))), None)
    if caption is not None:
        text = _join_inline([_inline_text(caption)])
        if text:
            lines.append(text)
    if not grid:
        return lines
    in_thead = [getattr(_nearest(tr, ("thead", "tbody", "tfoot", "table")), "name", None) == "thead" for tr in rows]
    header_rows = 0
    while header_rows < len(grid) - 1 and (
        in_thead[header_rows] or (is_th[header_rows] and all(is_th[header_rows]))
    ):
        header_rows += 1
    key_column = False
    if header_rows == 0:
        body_th = [th[0] for th, row in zip(is_th, grid) if len([c for c in row if c]) >= 2 and th]
        # Two columns without a marked header are nearly always label and value.
        key_column = (bool(body_th) and all(body_th)) or max(len(row) for row in grid) == 2
        if not key_column:
            header_rows = guess_header_rows(grid)
    return lines + table_lines(grid, header_rows=header_rows, key_column=key_column)


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


def _is_simple_dl(dl) -> bool:
    items = dl.find_all(["dt", "dd"], recursive=False)
    return bool(items) and not any(i.find(["p", "div", "table", "ul", "ol", "dl", *_HEADINGS]) for i in items)


def _dl_lines(dl) -> list[str]:
    """A definition list as `用語: 説明` lines: label-value lists are common on ministry pages."""
    lines: list[str] = []
    term = ""
    values: list[str] = []

    def emit() -> None:
        if term and values:
            lines.append(f"{term}: {TABLE_CELL_SEP.join(values)}")
        elif term or values:
            lines.append(term or TABLE_CELL_SEP.join(values))

    for item in dl.find_all(["dt", "dd"], recursive=False):
        text = _join_inline([_inline_text(item)])
        if item.name == "dt":
            emit()
            term, values = text, []
        elif text:
            values.append(text)
    emit()
    return lines


def _title(soup, path: Path) -> str:
    if soup.title is not None:
        title = _join_inline([soup.title.get_text()])
        if title:
            return title
    h1 = soup.find("h1")
    if h1 is not None:
        title = _join_inline([_inline_text(h1)])
        if title:
            return title
    return Path(path).stem
