"""Text normalization: NFKC plus the look-alike characters Japanese PDFs leave behind, and
re-joining the lines a PDF text export broke in the middle of a sentence.

`normalize_text` is used for documents and for queries alike, so both sides of a search see the
same characters; it is a handful of C-level passes (translate, NFKC, translate, two regexes).

`normalize_document` turns a loader's `RawDocument` into a `Document`: each page normalized, broken
lines re-joined, blank lines dropped, pages joined by a single form feed, and anchors that map
normalized offsets back to the loader's text so a citation can be traced to the source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.models import Document, Page, RawDocument

# --------------------------------------------------------------------------------------------
# Character tables
# --------------------------------------------------------------------------------------------

# Some PDF producers (Word exports with certain Mincho/Gothic fonts) write a ToUnicode map that
# sends each hiragana to the CJK Extension A ideograph exactly 0x1690 code points above it:
# の U+306E -> 䛾 U+46FE, は U+306F -> 䛿 U+46FF, と U+3068 -> 䛸 U+46F8, で U+3067 -> 䛷 U+46F7.
# The offset was checked on text copied out of such PDFs ("䛾" for の, "終了䛧䛶いる䛛" for
# 終了しているか, "押され䛶い䛺い䛸き䛿" for 押されていないときは), and each target below is
# checked to be a "HIRAGANA LETTER" by name (tests/test_normalize.py). NFKC does not fold these:
# they are real (rare, Chinese) ideographs. So 䜣 U+4723 is ん and を is 䜢 U+4722, and 䛹 U+46F9
# is ど (で is 䛷).
_HIRAGANA_LOOKALIKE_OFFSET = 0x1690
_HIRAGANA_LOOKALIKES = {
    chr(cp + _HIRAGANA_LOOKALIKE_OFFSET): chr(cp) for cp in range(0x3041, 0x3097)  # ぁ … ゖ
}

# CJK Radicals Supplement glyphs that PDFs emit for ordinary kanji (the "部首" mojibake); NFKC
# folds the Kangxi radicals block (⽇ -> 日) but almost none of these. Only radicals whose Unicode
# name says they are a whole character's form are mapped (name checked in the tests).
_RADICAL_LOOKALIKES = {
    "\u2ea0": "民",  # CJK RADICAL CIVILIAN
    "\u2ec4": "西",  # CJK RADICAL WEST TWO
    "\u2ed1": "長",  # CJK RADICAL LONG ONE
    "\u2ed8": "青",  # CJK RADICAL BLUE
    "\u2edd": "食",  # CJK RADICAL EAT ONE
    "\u2ee4": "鬼",  # CJK RADICAL GHOST
    "\u2ee8": "麦",  # CJK RADICAL SIMPLIFIED WHEAT
    "\u2ee9": "黄",  # CJK RADICAL SIMPLIFIED YELLOW
    "\u2eeb": "斉",  # CJK RADICAL J-SIMPLIFIED EVEN
    "\u2eed": "歯",  # CJK RADICAL J-SIMPLIFIED TOOTH
    "\u2eef": "竜",  # CJK RADICAL J-SIMPLIFIED DRAGON
    "\u2ef2": "亀",  # CJK RADICAL J-SIMPLIFIED TURTLE
}

WAVE_DASH = "～"
"""The one range mark kept: FULLWIDTH TILDE (NFKC would turn it into an ASCII '~')."""

# Applied after NFKC. NFKC leaves 〜 (WAVE DASH), ∼ and ⁓ alone and turns ～ into "~"; ranges
# ("5百万円～1億円", "2006～2016") must read the same whichever one a document used.
_AFTER_NFKC = {
    **_HIRAGANA_LOOKALIKES,
    **_RADICAL_LOOKALIKES,
    "\u301c": WAVE_DASH,  # WAVE DASH 〜
    "\u223c": WAVE_DASH,  # TILDE OPERATOR ∼
    "\u2053": WAVE_DASH,  # SWUNG DASH ⁓
    "\u2010": "-",  # HYPHEN
    "\u2011": "-",  # NON-BREAKING HYPHEN
    "\u2012": "-",  # FIGURE DASH
    "\u2013": "-",  # EN DASH (ranges such as 2006–16)
    "\u2212": "-",  # MINUS SIGN
    # Word's Symbol/Wingdings bullets arrive as private-use code points.
    "\uf06c": "•",
    "\uf09f": "•",
    "\uf0a7": "•",
    "\uf0b7": "•",
    "\uf0d8": "•",
    "\uf0fc": "•",
    # Invisible characters that would split words for a search.
    "\u00ad": None,  # SOFT HYPHEN
    "\u200b": None,  # ZERO WIDTH SPACE
    "\u200c": None,
    "\u200d": None,
    "\u2060": None,  # WORD JOINER
    "\ufeff": None,  # BOM inside text
}
_AFTER_TABLE = str.maketrans(_AFTER_NFKC)

# Applied before NFKC: NFKC turns ① into "1", which glues a list number to the figure after it
# ("①2022年" -> "12022年"); "(1)" keeps them apart.
_BEFORE_TABLE = str.maketrans({chr(0x2460 + i): f"({i + 1})" for i in range(20)})  # ①..⑳

_ENCLOSING_CIRCLE = "\u20dd"  # COMBINING ENCLOSING CIRCLE: the corpus's "⃝ " bullets
_CIRCLE_BULLET = re.compile(r"(?<!\S)\u20dd")  # at a line start or after a space: a bullet
_ASCII_TILDE = re.compile(r"(?<![A-Za-z/._\-])~(?![A-Za-z/._\-])")  # not in paths/URLs (~/x, /~user)
_SPACES = re.compile(r"[^\S\n\f]+")  # whitespace runs other than line and page breaks
_LINE_EDGE_SPACES = re.compile(r" *\n *")


def normalize_text(text: str) -> str:
    """Normalize text for indexing and for queries.

    NFKC (full-width ASCII and digits, half-width katakana, Kangxi radicals), then the look-alikes
    NFKC leaves: hiragana read as CJK Extension A ideographs (䛾 → の, 䛿 → は), CJK radical
    glyphs (⻑ → 長), wave/tilde range marks (〜 ～ ∼ → ～), hyphen/minus variants (– − → -),
    the "⃝" bullet (→ ○), Word's private-use bullets (→ •); invisible characters dropped.
    Japanese punctuation 、。「」 is kept. Runs of spaces become one space and lines lose their
    edge spaces; line breaks ("\\n") and page breaks ("\\f") are kept.

    Args:
        text: any text: a document's line, a page, or a user's question.

    Returns:
        The normalized text.

    Example:
        >>> normalize_text("ＳＩＣＯＲＰ䛾予算額：１，１６０百万円（５百万円〜１億円）")
        'SICORPの予算額:1,160百万円(5百万円～1億円)'
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text.translate(_BEFORE_TABLE)).translate(_AFTER_TABLE)
    if _ENCLOSING_CIRCLE in text:
        text = _CIRCLE_BULLET.sub("○", text).replace(_ENCLOSING_CIRCLE, "")
    if "~" in text:
        text = _ASCII_TILDE.sub(WAVE_DASH, text)
    text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _LINE_EDGE_SPACES.sub("\n", text)
    return text.strip(" ")


# --------------------------------------------------------------------------------------------
# One physical line: normalized text plus anchors back to the raw line
# --------------------------------------------------------------------------------------------


def _is_attached_mark(ch: str) -> bool:
    """Characters NFKC may combine with the character before them."""
    return unicodedata.category(ch).startswith("M") or ch in "\uff9e\uff9f"  # ﾞ ﾟ (half-width)


@lru_cache(maxsize=16384)
def _fold_cluster(cluster: str) -> str:
    """One cluster normalized alone; whitespace becomes one space (collapsed by the caller).

    A tilde stays "~": whether it becomes ～ depends on its neighbours (decided on the line)."""
    if cluster.isspace():
        return " "
    piece = normalize_text(cluster)
    if piece == WAVE_DASH and unicodedata.normalize("NFKC", cluster) == "~":
        return "~"
    return piece


def _align_line(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """Normalize one line (no line breaks) and anchor the result to `raw`.

    Returns the normalized line (exactly `normalize_text(raw)`) and anchors (normalized offset,
    raw offset), sorted, the first at the line's first kept character. Characters are normalized
    in clusters (a base with its combining marks); an anchor is added wherever the running length
    difference changes, so every character between two anchors maps one to one.
    """
    text = normalize_text(raw)
    if not text:
        return "", []
    first = len(raw) - len(raw.lstrip())
    if text == raw or (len(text) == len(raw) and raw.isascii()):  # one to one (ASCII: ~ -> ～ only)
        return text, [(0, 0)]
    clusters: list[tuple[int, int]] = []
    for i, ch in enumerate(raw):
        if clusters and _is_attached_mark(ch) and not raw[clusters[-1][0]].isspace():
            clusters[-1] = (clusters[-1][0], i + 1)
        else:
            clusters.append((i, i + 1))
    out: list[str] = []
    out_len = 0
    anchors: list[tuple[int, int]] = []
    pending_space: int | None = None  # raw offset of a run of spaces not yet written
    delta = None
    for start, end in clusters:
        piece = _fold_cluster(raw[start:end])
        if piece == " " or not piece:
            if piece == " " and out_len > 0 and pending_space is None:
                pending_space = start
            continue
        if pending_space is not None:
            if out_len - pending_space != delta:
                anchors.append((out_len, pending_space))
                delta = out_len - pending_space
            out.append(" ")
            out_len += 1
            pending_space = None
        if out_len - start != delta:
            anchors.append((out_len, start))
            delta = out_len - start
        out.append(piece)
        out_len += len(piece)
    aligned = "".join(out)
    if "~" in aligned:
        aligned = _ASCII_TILDE.sub(WAVE_DASH, aligned)
    if aligned != text or not anchors:
        return text, [(0, first)]  # a cross-cluster composition: keep the line-start anchor only
    return text, anchors


# --------------------------------------------------------------------------------------------
# Re-joining broken lines
# --------------------------------------------------------------------------------------------

_OPENERS = "(「『【〔［[<＜“‘"
_CLOSERS = ")」』】〕］]>＞”’"
_PAIRS = dict(zip(_OPENERS, _CLOSERS))
# A line that starts with one of these never continues the line before it.
_MARKER_START = re.compile(
    r"""^(?:
        [○◇■●◆▷•※・◎□△▲▼▽★☆◯]      # bullets (⃝ is folded to ○)
      | 【 | 〔 | < | ＜                # bracketed headings and labels
      | \#{1,6}\s | [-*+]\s | >\s | \|  # Markdown headings, list items, quotes, tables
      | \(?\d{1,2}[.)](?!\d)            # numbered items: 1. 1) (1)
      | [IVX]{1,4}\.(?!\d)              # roman numbered items (Ⅲ. after NFKC)
    )""",
    re.VERBOSE,
)
# "key:value" lines (NFKC turns ： into ':'): a short label without spaces, maybe "(…)" after it.
_KEY_VALUE = re.compile(r"^[^\s:、。()0-9][^\s:、。()]{0,14}(?:\([^()\s]{1,10}\))?\s?:(?!//)\s?\S")
_SENTENCE_END = re.compile(r"[。!?！？][」』)\]”’]*$")
_CONTINUATION_START = re.compile(r"^[をんっゃゅょぁぃぅぇぉゎーゝゞヽヾ、。,.)」』】〕\]”’%]")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9,;&]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9(]")
_WORD_CHAR = re.compile(r"[\u3005\u30a0-\u30ff\u4e00-\u9fff\u3400-\u4dbf]")  # kanji, katakana, 々, ー
_SENTENCE_BULLET_SPLIT = re.compile(r"(?<=。)(?=[○◇■●◆▷•※])")

# Width of a line as laid out (full-width = 2): a PDF wraps a paragraph where the column is full,
# so a wrapped line is at least as wide as the next line of its paragraph.
_MIN_WRAP_WIDTH = 30  # 15 full-width characters: narrower lines are labels and table cells
_MIN_SOFT_WIDTH = 10  # lines that end or whose successor starts mid-phrase (hiragana)
_WIDTH_TOLERANCE = 6  # proportional Latin text and justification make equal lines differ a little
_MAX_BRACKET_LINES = 4  # a bracket left open joins lines until this many lines from its opening
_PARAGRAPH_END = 0.85  # a line narrower than this share of its paragraph's widest line ends it


def _width(raw: str) -> int:
    width = 0
    for ch in raw:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WFA" else 1
    return width


def _open_brackets(text: str) -> int:
    """How many brackets `text` leaves open (pairs as in _PAIRS; unmatched closers ignored)."""
    stack: list[str] = []
    for ch in text:
        if ch in _PAIRS:
            stack.append(_PAIRS[ch])
        elif ch in _CLOSERS and stack and stack[-1] == ch:
            stack.pop()
    return len(stack)


def _whole_bracketed(line: str) -> bool:
    """A line that is one bracketed unit: "(前年度予算額 137億円)", "【背景】", "<…>"."""
    if len(line) < 2 or line[0] not in _PAIRS or _PAIRS[line[0]] != line[-1]:
        return False
    return _open_brackets(line[:-1]) == 1 and _open_brackets(line) == 0


@dataclass
class _Segment:
    """A physical line (or a part of one split at "。○"), normalized, with its anchors."""

    raw_start: int  # offset of the raw segment in the document's raw text
    width: int
    text: str
    anchors: list[tuple[int, int]]  # relative (normalized, raw) pairs
    blank_before: bool = False


def _joiner(line: _Logical, nxt: _Segment) -> str | None:
    """The separator that joins `nxt` to the logical line `line`, or None to break.

    Rules, first match wins (each from lines of the bundled corpus, see tests/test_normalize.py):
      1. Break after a sentence end (。!?), before a bullet, heading, numbered or Markdown item,
         and around a line that is one bracketed unit ("(前年度予算額 137億円)", "【背景】").
      2. Join while a bracket opened in the last three lines is still open (「STI for ⏎ SDGs」).
      3. Join after "、", "・", ":" and after an opening bracket.
      4. Break before a "key:value" line (支援額:… ⏎ 事業期間:…).
      5. Join Latin words broken over lines with one space ("flows of ⏎ scientific") when the
         line is at least as wide as the next; across a blank line only when the next word is
         lower-case (figure labels stay apart).
      6. Join a line that cannot start a phrase (を, ん, small kana, closing punctuation, …).
         After a closing bracket or a key:value line, join only such a line or one that starts
         with hiragana and is not wider (支援対象機関:大学、国公立研究機関等 ⏎ の公的研究機関).
      7. A line ending in hiragana, or followed by one starting with hiragana, joins when it is
         at least as wide as the next one (研究者として ⏎ のキャリア).
      8. Kanji/katakana on both sides: join a line at least 15 full-width characters wide when
         the break cuts a common word in two (MeCab reads one morpheme across it: 研究博 ⏎ 士号,
         統合イノ ⏎ ベーション, 国際共 ⏎ 著論文).
      9. Otherwise join only a wrapped line: no blank line in between, at least 15 full-width
         characters wide, at least as wide as the next line, not much narrower than the
         paragraph's earlier lines (that ended the paragraph), and not a page's first line unless
         it has a "、"
         (a title: "7.科学技術イノベーションの戦略的国際展開" ⏎ "令和4年度予算額(案) 138億円").
    """
    prev = line.last
    p, n, logical = prev.text, nxt.text, line.text
    if _SENTENCE_END.search(logical) or _MARKER_START.match(n):
        return None
    if _whole_bracketed(n) or _whole_bracketed(p) or _whole_bracketed(logical):
        return None
    ascii_sep = " " if (p[-1].isascii() and p[-1].isalnum() or p[-1] in ",;&") and n[0].isascii() and n[0].isalnum() else ""
    if _open_brackets("".join(line.recent)):
        return ascii_sep
    if p[-1] in "、・:,;" or p[-1] in _OPENERS:
        return ascii_sep
    if _KEY_VALUE.match(n):
        return None
    fits = prev.width + _WIDTH_TOLERANCE >= nxt.width
    if _ASCII_WORD_END.search(p) and _ASCII_WORD_START.match(n):
        return " " if fits and (not nxt.blank_before or n[0].islower()) else None
    if _CONTINUATION_START.match(n):
        return ""
    if p[-1] in _CLOSERS or _KEY_VALUE.match(logical):
        return "" if fits and _HIRAGANA.match(n[0]) else None
    if _HIRAGANA.match(p[-1]) or _HIRAGANA.match(n[0]):
        return "" if fits and prev.width >= _MIN_SOFT_WIDTH else None
    wide = prev.width >= _MIN_WRAP_WIDTH
    if wide and _WORD_CHAR.match(p[-1]) and _WORD_CHAR.match(n[0]) and _splits_word(p, n):
        return ""
    if nxt.blank_before or not wide or not fits:
        return None
    if line.count > 1 and prev.width < _PARAGRAPH_END * line.widest:
        return None
    if line.first_of_page and "、" not in logical:
        return None
    return ascii_sep


def _splits_word(left: str, right: str) -> bool:
    """Whether MeCab reads one common word across the end of `left` and the start of `right`.

    Proper nouns are not trusted: label columns glue into names ("交付金" ⏎ "国" reads 金国).
    """
    from ingest.chunk import morphemes  # the tagger loads on the first ambiguous break

    left, right = left[-8:], right[:8]
    text, pos = left + right, 0
    for surface, pos2 in morphemes(text):
        start = text.find(surface, pos)
        if start < 0 or not surface:
            continue
        pos = start + len(surface)
        if start < len(left) < pos:
            return pos2 != "固有名詞"
    return False


@dataclass
class _Logical:
    """The logical line being built from physical lines."""

    text: str
    last: _Segment
    count: int = 1
    widest: int = 0  # the widest physical line before `last`
    first_of_page: bool = False
    recent: list[str] = field(default_factory=list)  # the last physical lines, for open brackets

    def __post_init__(self) -> None:
        self.recent = [self.text]

    def add(self, sep: str, seg: _Segment) -> None:
        self.widest = max(self.widest, self.last.width)
        self.text += sep + seg.text
        self.last = seg
        self.count += 1
        self.recent = [*self.recent[-(_MAX_BRACKET_LINES - 2) :], sep + seg.text]


# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


_LINE_MODES = {"application/pdf": "wrapped", "text/plain": "wrapped", "text/markdown": "markdown"}
_MARKDOWN_FENCE = re.compile(r"^(?:```|~~~)")
_MARKDOWN_BLOCK = re.compile(r"^(?:#{1,6}(?:\s|$)|[-*+]\s|\d{1,9}[.)]\s|>|\||```|~~~|<[A-Za-z/!])")
_MARKDOWN_CLOSED = re.compile(r"^(?:#{1,6}(?:\s|$)|\|)")  # a heading or table row never continues


def _markdown_joiner(line: _Logical, nxt: _Segment) -> str | None:
    """Markdown's paragraphs: lines join unless a blank line or a block (heading, list item,
    quote, table, fence, HTML) starts, or the line is a heading or table row."""
    if nxt.blank_before or _MARKDOWN_BLOCK.match(nxt.text) or _MARKDOWN_CLOSED.match(line.text):
        return None
    p, n = line.last.text[-1], nxt.text[0]
    return " " if (p.isascii() and p.isalnum()) or (n.isascii() and n.isalnum()) or p in ",.;:!?" else ""


def _segments(page: str, page_raw_start: int, *, split_glued_bullets: bool = True) -> list[_Segment]:
    segments: list[_Segment] = []
    blank = False
    pos = 0
    for match in [*_LINE_BREAK.finditer(page), None]:
        end = match.start() if match else len(page)
        line = page[pos:end]
        parts = _SENTENCE_BULLET_SPLIT.split(line) if split_glued_bullets and "。" in line else [line]
        offset = pos
        for part in parts:
            text, anchors = _align_line(part)
            if text:
                segments.append(_Segment(page_raw_start + offset, _width(part.strip()), text, anchors, blank))
                blank = False
            else:
                blank = True
            offset += len(part)
        if match is None:
            break
        pos = match.end()
    return segments


def normalize_document(raw: RawDocument, doc_id: str | None = None) -> Document:
    """Normalize a loaded document: characters, broken lines, blank lines, page spans, anchors.

    Each page's lines are normalized with `normalize_text` and blank lines dropped. How lines are
    re-joined depends on the media type:
      - PDF and plain text (often a pdftotext export): lines the export broke inside a sentence
        are joined (one space between Latin words, nothing between Japanese), see `_joiner`.
      - Markdown: the lines of a paragraph are joined, as a Markdown renderer does; blank lines,
        headings, list items, quotes, tables and code fences keep their breaks.
      - Anything else (HTML, DOCX: their loaders write one paragraph per line): kept as is.
    Pages are joined by a single form feed and
    listed as `Page(number, start, end)` spans of `text`. `source_offsets` holds anchors
    (normalized offset, raw offset) at every kept line start and wherever the length changed in
    between; raw offsets count in the loader's pages joined by "\\f" ("\\f".join(raw.pages)).

    Args:
        raw: a loader's output.
        doc_id: the document's id; by default the first 16 hex digits of its content hash.

    Returns:
        The normalized `Document`.

    Example:
        >>> raw = RawDocument(source="a.txt", title="a", pages=("○研究者として\\n\\nのキャリア。", "７,４７１百万円"),
        ...                   paged=True, content_hash="ab" * 32, media_type="text/plain")
        >>> doc = normalize_document(raw)
        >>> doc.text, doc.pages[1].number, doc.doc_id
        ('○研究者としてのキャリア。\\x0c7,471百万円', 2, 'abababababababab')
    """
    mode = _LINE_MODES.get(raw.media_type, "lines")
    parts: list[str] = []
    pages: list[Page] = []
    anchors: list[tuple[int, int]] = []
    norm_pos = 0
    raw_pos = 0
    for number, page in enumerate(raw.pages, start=1):
        if number > 1:
            parts.append("\f")
            norm_pos += 1
            raw_pos += 1
        page_start = norm_pos
        line: _Logical | None = None
        in_fence = False
        for seg in _segments(page, raw_pos, split_glued_bullets=mode == "wrapped"):
            fence = mode == "markdown" and _MARKDOWN_FENCE.match(seg.text) is not None
            if line is None or mode == "lines" or in_fence or fence:
                sep = None
            elif mode == "markdown":
                sep = _markdown_joiner(line, seg)
            else:
                sep = _joiner(line, seg)
            in_fence = in_fence != fence
            if sep is None:
                if line is not None:
                    parts.append("\n")
                    norm_pos += 1
                line = _Logical(seg.text, seg, first_of_page=line is None)
            else:
                parts.append(sep)
                norm_pos += len(sep)
                line.add(sep, seg)
            for rel_norm, rel_raw in seg.anchors:
                anchors.append((norm_pos + rel_norm, seg.raw_start + rel_raw))
            parts.append(seg.text)
            norm_pos += len(seg.text)
        pages.append(Page(number=number, start=page_start, end=norm_pos))
        raw_pos += len(page)
    return Document(
        doc_id=doc_id or raw.content_hash[:16],
        source=raw.source,
        title=raw.title,
        text="".join(parts),
        pages=tuple(pages),
        paged=raw.paged,
        content_hash=raw.content_hash,
        media_type=raw.media_type,
        source_offsets=tuple(anchors),
    )


def raw_offset(doc: Document, offset: int) -> int:
    """Map an offset in `doc.text` back to the loader's text ("\\f".join(raw.pages)).

    Exact at anchors and between two anchors (characters there map one to one); inside a span
    whose length changed it returns the nearest anchor before.

    Example:
        >>> raw = RawDocument(source="a.txt", title="a", pages=("  ＳＩＣＯＲＰ 予算",), paged=False,
        ...                   content_hash="0" * 64, media_type="text/plain")
        >>> raw_offset(normalize_document(raw), 7)
        9
    """
    import bisect

    if not doc.source_offsets:
        return offset
    i = bisect.bisect_right(doc.source_offsets, (offset, float("inf"))) - 1
    if i < 0:
        return doc.source_offsets[0][1]
    norm, raw = doc.source_offsets[i]
    mapped = raw + (offset - norm)
    if i + 1 < len(doc.source_offsets):  # a character that expanded (Ⅲ -> III): stay on it
        mapped = min(mapped, max(raw, doc.source_offsets[i + 1][1] - 1))
    return mapped
