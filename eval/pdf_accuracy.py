"""Measure PDF text extractors on Japanese PDFs rendered from the bundled corpus.

Not a test: a measurement to choose (and re-check) the extractor ingest/pdf.py uses. It renders
the corpus's 6 pages, a table-heavy page and a page of look-alike characters to PDF with
reportlab, extracts each page with every candidate installed, and prints, per page:

- **char accuracy**: `difflib.SequenceMatcher(None, truth, extracted).ratio()` on the page's text
  with all whitespace removed (line breaks and spaces differ by extractor and say nothing about
  the characters). 1.000 means every character came back, in order.
- **after NFKC**: the same with both sides NFKC-normalized, which forgives an extractor that maps
  a code point to its compatibility equivalent (～ → 〜), as normalization would anyway.
- **lines**: the share of the lines drawn on the page that come back as a line of their own
  (whitespace ignored): what line-oriented heading and table handling downstream relies on.
  On the table page the lines are the table's rows (cells joined by a space): a row on one line
  keeps each figure beside its name.
- **page**: the extracted page is most similar to the page drawn at the same number.

Two renderings: `cid` uses reportlab's built-in Japanese CID fonts (HeiseiMin-W3 body,
HeiseiKakuGo-W5 headings; not embedded, UniJIS-UCS2-H encoding), and `ttf` embeds a TrueType
subset (Identity-H with a ToUnicode map, as Word and most ministry PDFs do) when a Japanese
TrueType font such as IPAex is installed (Debian: fonts-ipaexfont-mincho); otherwise it is skipped.

Run:
    .venv/bin/python -m eval.pdf_accuracy
    .venv/bin/python -m eval.pdf_accuracy --keep /tmp/pdfs   # also keep the rendered PDFs

Candidates: pypdfium2 (the project's dependency), pypdf (a test dependency), pdfminer.six and
pdfplumber (install them into the venv for the measurement only), and kotae's own loader.
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "mext_r4_international_sti.txt"
TTF_CANDIDATES = (
    Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-mincho.ttf"),
)

# The table page: figures as the corpus states them (pages 1-2, 4 and 6), laid out as a ruled table
# whose long names wrap inside their cells, the layout that scrambles reading order in real PDFs.
TABLE_TITLE = "■ 科学技術イノベーションの戦略的国際展開 事業別予算一覧"
TABLE_HEADER = ("事業名", "令和4年度予算額(案)", "前年度予算額", "備考")
TABLE_ROWS = (
    ("戦略的国際共同研究プログラム（SICORP）", "1,160百万円", "1,078百万円", "JST"),
    ("地球規模課題対応国際科学技術協力プログラム（SATREPS）", "1,826百万円", "1,876百万円", "JST・JICA"),
    ("国際青少年サイエンス交流事業", "1,371百万円", "1,267百万円", "さくらサイエンス"),
    ("世界トップレベル研究拠点プログラム（WPI）", "6,100百万円", "6,100百万円", "新規3拠点"),
    ("グローバルに活躍する若手研究者の育成等", "7,471百万円", "7,367百万円", "JSPS"),
)
TABLE2_HEADER = ("タイプ", "支援規模", "期間")
TABLE2_ROWS = (
    ("コンソーシアム共同研究タイプ", "30百万円～50百万円", "３～５年間"),
    ("コアチーム共同研究タイプ", "10百万円～30百万円", "１～３年間"),
    ("国際協力加速タイプ", "5百万円～10百万円", "１～３年間"),
    ("国際共同研究拠点タイプ", "50百万円～１億円", "５年間"),
)
TABLE_NOTE = "※運営費交付金中の推計額含む。計数は四捨五入の関係で合致しない場合がある。"

# Characters seen in text layers of real Japanese PDFs that look right but are other code points:
# Kangxi radicals (⽇ U+2F47 for 日), a CJK Extension A character (䛾 U+46FE for の), half-width
# katakana and full-width ASCII. The expected text is the string drawn.
LOOKALIKE_LINES = (
    "■ 見た目が同じで符号が違う文字",
    "⽇本䛾研究者䛾国際頭脳循環を推進する。",
    "⽂部科学省䛾⼈材育成事業（⽇本学術振興会）",
    "ｶﾀｶﾅ ﾃﾞｰﾀ ﾌﾟﾛｸﾞﾗﾑ と ＳＩＣＯＲＰ １，１６０百万円",
    "渡航期間：3か月～1年程度 － 予算額－前年度",
)
# In the ttf rendering these are drawn with the glyph of the character they imitate, as in the
# ministry PDFs whose ToUnicode maps name the wrong code point for a glyph.
LOOKALIKE_GLYPHS = {"䛾": "の"}

HEADING_MARKS = ("■", "◇", "【", "○", "◆", "●")


@dataclass
class PageTruth:
    """What was drawn on one PDF page."""

    name: str
    text: str
    lines: list[str] = field(default_factory=list)


def _squash(text: str) -> str:
    return "".join(text.split())


def char_accuracy(truth: str, extracted: str, nfkc: bool = False) -> float:
    """1 − (share of characters that differ), ignoring whitespace.

    Example:
        >>> round(char_accuracy("日本の 研究", "日本研究"), 3)
        0.889
    """
    a, b = _squash(truth), _squash(extracted)
    if nfkc:
        a, b = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def line_recall(drawn: list[str], extracted: str) -> float:
    """Share of drawn lines that come back as a line of their own (whitespace ignored)."""
    want = [_squash(line) for line in drawn if _squash(line)]
    got = {_squash(line) for line in extracted.splitlines()}
    return sum(line in got for line in want) / len(want) if want else 1.0


# --------------------------------------------------------------------------- rendering


class _Fonts:
    def __init__(self, kind: str, ttf: Path | None) -> None:
        from reportlab.pdfbase import pdfmetrics

        if kind == "cid":
            from reportlab.pdfbase.cidfonts import UnicodeCIDFont

            for name in ("HeiseiMin-W3", "HeiseiKakuGo-W5"):
                pdfmetrics.registerFont(UnicodeCIDFont(name))
            self.body, self.heading = "HeiseiMin-W3", "HeiseiKakuGo-W5"
        else:
            from reportlab.pdfbase.ttfonts import TTFont

            font = TTFont("KotaeJP", str(ttf))
            # Draw each look-alike with the glyph of the character it imitates (see LOOKALIKE_GLYPHS).
            for fake, real in LOOKALIKE_GLYPHS.items():
                if ord(real) in font.face.charToGlyph:
                    font.face.charToGlyph[ord(fake)] = font.face.charToGlyph[ord(real)]
            pdfmetrics.registerFont(font)
            self.body = self.heading = "KotaeJP"

    def for_line(self, line: str) -> str:
        return self.heading if line.lstrip().startswith(HEADING_MARKS) else self.body


def _wrap(line: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out, current = [], ""
    for ch in line:
        if current and stringWidth(current + ch, font, size) > width:
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return out


def _draw_flow(canvas, fonts: _Fonts, lines: list[str], page_w: float, page_h: float, margin: float) -> list[str]:
    """Draw text lines top-down, wrapped to the width; shrink the font until the page holds them."""
    width = page_w - 2 * margin
    for size in (10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0):
        leading = size * 1.35
        laid: list[tuple[str, str]] = []
        for line in lines:
            font = fonts.for_line(line)
            laid += [(font, part) for part in _wrap(line, font, size, width)] if line.strip() else [("", "")]
        if len(laid) * leading <= page_h - 2 * margin:
            break
    y = page_h - margin - size
    for font, text in laid:
        if text:
            canvas.setFont(font, size)
            canvas.drawString(margin, y, text)
        y -= leading
    return [text for _, text in laid if text]


def _draw_table(canvas, fonts: _Fonts, header, rows, col_w, x0: float, y: float, size: float) -> tuple[float, list[str], str]:
    """A ruled table; a cell's text wraps inside its column. Returns (next y, drawn lines, truth)."""
    leading = size * 1.4
    drawn: list[str] = []
    truth: list[str] = []
    for r, row in enumerate((header, *rows)):
        font = fonts.heading if r == 0 else fonts.body
        cells = [_wrap(cell, font, size, w - 6) for cell, w in zip(row, col_w)]
        height = max(len(c) for c in cells) * leading + 6
        x = x0
        for parts, w in zip(cells, col_w):
            canvas.rect(x, y - height, w, height)
            for k, part in enumerate(parts):
                canvas.setFont(font, size)
                canvas.drawString(x + 3, y - 3 - size - k * leading, part)
                drawn.append(part)
            x += w
        truth.append(" ".join(row))
        y -= height
    return y, drawn, "\n".join(truth)


def render(pdf_path: Path, kind: str, ttf: Path | None, corpus: Path = CORPUS) -> list[PageTruth]:
    """Render the corpus pages, the table page and the look-alike page to one PDF.

    Returns the truth of each page, in page order.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    fonts = _Fonts(kind, ttf)
    page_w, page_h = A4
    margin = 40.0
    canvas = Canvas(str(pdf_path), pagesize=A4)
    canvas.setTitle("令和4年度 科学技術イノベーションの戦略的国際展開")
    truths: list[PageTruth] = []
    for n, page in enumerate(corpus.read_text(encoding="utf-8").split("\f"), start=1):
        lines = page.strip("\n").split("\n")
        drawn = _draw_flow(canvas, fonts, lines, page_w, page_h, margin)
        truths.append(PageTruth(f"corpus p{n}", page, drawn))
        canvas.showPage()

    size = 9.0
    canvas.setFont(fonts.heading, 12)
    canvas.drawString(margin, page_h - margin - 12, TABLE_TITLE)
    y = page_h - margin - 30
    y, _, truth1 = _draw_table(canvas, fonts, TABLE_HEADER, TABLE_ROWS, (190, 110, 110, 105), margin, y, size)
    y, _, truth2 = _draw_table(canvas, fonts, TABLE2_HEADER, TABLE2_ROWS, (200, 160, 155), margin, y - 20, size)
    canvas.setFont(fonts.body, size)
    canvas.drawString(margin, y - 20, TABLE_NOTE)
    # A table's lines are its rows: a row kept on one line keeps a figure beside its name.
    text = "\n".join([TABLE_TITLE, truth1, truth2, TABLE_NOTE])
    truths.append(PageTruth("table", text, text.split("\n")))
    canvas.showPage()

    drawn = _draw_flow(canvas, fonts, list(LOOKALIKE_LINES), page_w, page_h, margin)
    truths.append(PageTruth("look-alikes", "\n".join(LOOKALIKE_LINES), drawn))
    canvas.showPage()
    canvas.save()
    return truths


# --------------------------------------------------------------------------- extractors


def _pypdfium2(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(pdf))]
    finally:
        pdf.close()


def _pypdf(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(str(path)).pages]


def _pdfminer(path: Path) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return [
        "".join(el.get_text() for el in layout if isinstance(el, LTTextContainer)) for layout in extract_pages(str(path))
    ]


def _pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _kotae(path: Path) -> list[str]:
    from ingest.pdf import load

    return list(load(path, path.read_bytes()).pages)


EXTRACTORS: dict[str, tuple[str, Callable[[Path], list[str]]]] = {
    "pypdfium2": ("pypdfium2", _pypdfium2),
    "pypdf": ("pypdf", _pypdf),
    "pdfminer.six": ("pdfminer", _pdfminer),
    "pdfplumber": ("pdfplumber", _pdfplumber),
    "kotae ingest.pdf": ("pypdfium2", _kotae),
}


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    dist = {"pdfminer": "pdfminer.six"}.get(module, module)
    try:
        return version(dist)
    except PackageNotFoundError:
        return ""


# --------------------------------------------------------------------------- report


@dataclass
class Result:
    extractor: str
    pages: list[str]
    seconds: float
    error: str = ""


def _run(name: str, fn: Callable[[Path], list[str]], pdf: Path, repeat: int) -> Result:
    times, pages = [], []
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            pages = fn(pdf)
            times.append(time.perf_counter() - start)
    except ImportError as err:
        return Result(name, [], 0.0, f"not installed ({err.name})")
    except Exception as err:  # a candidate failing is a result to report, not a crash
        return Result(name, [], 0.0, f"{type(err).__name__}: {err}")
    return Result(name, pages, statistics.median(times))


def _placement(truths: list[PageTruth], pages: list[str]) -> list[bool]:
    """For each extracted page, is the most similar drawn page the one at the same number?"""
    squashed = [_squash(t.text) for t in truths]
    placed = []
    for i, page in enumerate(pages):
        got = _squash(page)
        scores = [difflib.SequenceMatcher(None, want, got, autojunk=False).quick_ratio() for want in squashed]
        placed.append(max(range(len(scores)), key=scores.__getitem__) == i)
    return placed


def report(kind: str, truths: list[PageTruth], results: list[Result]) -> str:
    """A Markdown section: per-page accuracy of each extractor on one rendering."""
    ok = [r for r in results if not r.error]
    out = [f"### Rendering `{kind}`", ""]
    head = "| page | chars | " + " | ".join(r.extractor for r in ok) + " |"
    out += [head, "|" + "---|" * (2 + len(ok))]
    for i, truth in enumerate(truths):
        cells = []
        for r in ok:
            if i >= len(r.pages):
                cells.append("missing")
                continue
            raw = char_accuracy(truth.text, r.pages[i])
            nfkc = char_accuracy(truth.text, r.pages[i], nfkc=True)
            lines = line_recall(truth.lines, r.pages[i])
            cells.append(f"{raw:.3f} / {nfkc:.3f} / {lines:.2f}")
        out.append(f"| {truth.name} | {len(_squash(truth.text))} | " + " | ".join(cells) + " |")
    out += ["", "cells: char accuracy / after NFKC / lines recovered", ""]
    out += ["| extractor | version | mean char acc | min char acc | mean after NFKC | pages (got/drawn) | pages placed right | seconds (median) |"]
    out += ["|---|---|---|---|---|---|---|---|"]
    for r in results:
        version = _version(EXTRACTORS[r.extractor][0])
        if r.error:
            out.append(f"| {r.extractor} | {version} | {r.error} | | | | | |")
            continue
        n = min(len(r.pages), len(truths))
        raw = [char_accuracy(truths[i].text, r.pages[i]) for i in range(n)]
        nfkc = [char_accuracy(truths[i].text, r.pages[i], nfkc=True) for i in range(n)]
        placed = _placement(truths, r.pages)
        out.append(
            f"| {r.extractor} | {version} | {statistics.mean(raw):.4f} | {min(raw):.4f} | {statistics.mean(nfkc):.4f} "
            f"| {len(r.pages)}/{len(truths)} | {sum(placed)}/{len(r.pages)} | {r.seconds:.3f} |"
        )
    return "\n".join(out) + "\n"


def lookalike_report(truths: list[PageTruth], results: list[Result]) -> str:
    """What each extractor returns for each look-alike code point: kept, another character, or dropped."""
    idx = next(i for i, t in enumerate(truths) if t.name == "look-alikes")
    truth = _squash(truths[idx].text)
    probes = ["⽇", "⽂", "⼈", "䛾", "ｶ", "Ｓ", "～", "－"]
    out = ["| extractor | " + " | ".join(f"{p} U+{ord(p):04X}" for p in probes) + " |"]
    out.append("|---|" + "---|" * len(probes))
    for r in results:
        if r.error or idx >= len(r.pages):
            continue
        got = _squash(r.pages[idx])
        ops = difflib.SequenceMatcher(None, truth, got, autojunk=False).get_opcodes()
        cells = []
        for probe in probes:
            at = truth.index(probe)
            tag, i1, _, j1, j2 = next(op for op in ops if op[1] <= at < op[2])
            j = j1 + (at - i1)
            if tag == "equal":
                cells.append("kept")
            elif tag == "replace" and j < j2:
                cells.append(f"→ {got[j]} U+{ord(got[j]):04X}")
            else:
                cells.append("dropped")
        out.append(f"| {r.extractor} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="text with pages separated by form feeds")
    parser.add_argument("--ttf", type=Path, default=None, help="a Japanese TrueType font for the `ttf` rendering")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per extractor (median is shown)")
    parser.add_argument("--keep", type=Path, default=None, help="a folder to keep the rendered PDFs in")
    args = parser.parse_args(argv)

    ttf = args.ttf or next((p for p in TTF_CANDIDATES if p.exists()), None)
    kinds = ["cid"] + (["ttf"] if ttf else [])
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for kind in kinds:
            pdf = folder / f"pdf_accuracy_{kind}.pdf"
            truths = render(pdf, kind, ttf, args.corpus)
            results = [_run(name, fn, pdf, args.repeat) for name, (_, fn) in EXTRACTORS.items()]
            font = "HeiseiMin-W3 / HeiseiKakuGo-W5 (CID, not embedded)" if kind == "cid" else f"{ttf.name} (embedded subset)"
            print(f"{report(kind, truths, results)}\nfont: {font}; PDF: {pdf.stat().st_size:,} bytes\n")
            print(f"Look-alike code points on the `look-alikes` page (`{kind}`):\n")
            print(lookalike_report(truths, results))
    if not ttf:
        print("ttf rendering skipped: no Japanese TrueType font found (Debian: apt-get install fonts-ipaexfont-mincho)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
