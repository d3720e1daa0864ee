"""Chunking: a document's pages cut into bounded, overlapping spans of whole sentences.

Sentences end at 。！？ (and "!?", a CJK-final ".", or ". " after a lower-case word) and at line
breaks. A sentence longer than a chunk is cut between morphemes (MeCab via fugashi with the
unidic-lite dictionary), never inside one. Chunks never cross a page, so each has one page number.
"""

from __future__ import annotations

import re
import threading

from ingest.models import Chunk, Document

_TAGGER = None
_TAGGER_LOCK = threading.Lock()


def tagger():
    """The one MeCab tagger of the process (fugashi + unidic-lite), made on first use.

    Example:
        >>> [node.surface for node in tagger()("国際共著論文")]
        ['国際', '共著', '論文']
    """
    global _TAGGER
    if _TAGGER is None:
        with _TAGGER_LOCK:
            if _TAGGER is None:
                try:
                    import fugashi
                    import unidic_lite
                except ImportError as err:  # pragma: no cover - both are dependencies
                    raise ImportError(
                        f"kotae needs fugashi and unidic-lite for Japanese word boundaries ({err}); "
                        "reinstall with `pip install -e .`"
                    ) from err
                _TAGGER = fugashi.Tagger(f'-d "{unidic_lite.DICDIR}"')
    return _TAGGER


_PARSE_LOCK = threading.Lock()


def morphemes(text: str) -> list[tuple[str, str]]:
    """MeCab's morphemes of `text` as (surface, part-of-speech subclass) pairs.

    Calls are serialized: one MeCab tagger must not parse in two threads at once.

    Example:
        >>> morphemes("金国")
        [('金国', '固有名詞')]
    """
    tagged = tagger()
    with _PARSE_LOCK:
        return [(node.surface, node.feature.pos2) for node in tagged(text)]


def morpheme_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of MeCab's morphemes in `text`; whitespace belongs to none.

    Args:
        text: text without line breaks (one sentence or a few words).

    Returns:
        Spans in order, covering every non-space character once.

    Example:
        >>> [("研究博士号"[s:e]) for s, e in morpheme_spans("研究博士号")]
        ['研究', '博士', '号']
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for surface, _ in morphemes(text):
        start = text.find(surface, pos)
        if not surface or start < 0:  # MeCab changed the text: give up on this token
            continue
        spans.append((start, start + len(surface)))
        pos = start + len(surface)
    covered = sum(e - s for s, e in spans)
    if covered != len(text) - sum(1 for ch in text if ch.isspace()):
        # Characters MeCab skipped (it drops some control characters): one span per character
        # for the uncovered parts, so no character is ever lost from a chunk.
        spans = _fill_gaps(text, spans)
    return spans


def _fill_gaps(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for start, end in spans + [(len(text), len(text))]:
        out.extend((i, i + 1) for i in range(pos, start) if not text[i].isspace())
        if end > start:
            out.append((start, end))
        pos = max(pos, end)
    return out


_LINE = re.compile(r"[^\n\f]+")
# A sentence ends after 。！？!? (with closing brackets and quotes that follow), after a "."
# between CJK text (full-width ．is "." after NFKC), or after ". " that follows a lower-case word.
_SENTENCE_END = re.compile(
    r"""(?:[。！？!?]+ | (?<=[\u3040-\u30ff\u3400-\u9fff])[.．](?![0-9]) | (?<=[a-z]{2}[.])(?=\s) )
        [」』)）\]】"”’]*""",
    re.VERBOSE,
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` as (start, end) spans, without surrounding whitespace.

    A sentence ends at 。！？ (or "!?"), at a "." right after Japanese text, at ". " after a
    lower-case word, and at every line or page break. Closing brackets and quotes after the
    end mark stay with the sentence.

    Args:
        text: normalized text, e.g. a chunk's text.

    Returns:
        Non-empty spans in order; `text[start:end]` is a sentence.

    Example:
        >>> text = "支援額:5百万円。事業期間は3年。\\n(前年度予算額 1,078百万円)"
        >>> [text[s:e] for s, e in split_sentences(text)]
        ['支援額:5百万円。', '事業期間は3年。', '(前年度予算額 1,078百万円)']
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for end_mark in _SENTENCE_END.finditer(text, line.start(), line.end()):
            _add_trimmed(text, start, end_mark.end(), spans)
            start = end_mark.end()
        _add_trimmed(text, start, line.end(), spans)
    return spans


def _add_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut text[start:end] between morphemes into pieces of at most max_chars.

    A morpheme longer than max_chars stands alone. A cut prefers the last "、", "," or space in
    the second half of a piece, so pieces read as phrases.
    """
    morphemes = [(start + s, start + e) for s, e in morpheme_spans(text[start:end])]
    pieces: list[tuple[int, int]] = []
    i = 0
    while i < len(morphemes):
        piece_start = morphemes[i][0]
        j = i
        while j + 1 < len(morphemes) and morphemes[j + 1][1] - piece_start <= max_chars:
            j += 1
        if j + 1 < len(morphemes):
            for k in range(j, i, -1):
                if morphemes[k][1] - piece_start <= max_chars // 2:
                    break
                if text[morphemes[k][1] - 1] in "、,;" or morphemes[k + 1][0] > morphemes[k][1]:
                    j = k
                    break
        pieces.append((piece_start, morphemes[j][1]))
        i = j + 1
    return pieces


def _units(doc: Document, page_start: int, page_end: int, max_chars: int) -> list[tuple[int, int]]:
    """Sentences of one page (absolute spans), long ones cut between morphemes."""
    units: list[tuple[int, int]] = []
    for start, end in split_sentences(doc.text[page_start:page_end]):
        start, end = start + page_start, end + page_start
        if end - start <= max_chars:
            units.append((start, end))
        else:
            units.extend(_split_long(doc.text, start, end, max_chars))
    return units


# Heading lines (see _headings): Markdown "#", the bullets this corpus uses for titles, 【…】.
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_MARKED_HEADING = re.compile(r"^[◇○■◆●]\s*(.+)$|^(【[^】]+】.*)$")
_TITLE_LIKE = re.compile(r"^[^\s(（\[「※・•▷<\-0-9][^。、!?:]{2,29}$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_MAX_HEADING = 40
_MAX_FIRST_LINE_HEADING = 80


def heading_of_line(line: str) -> str | None:
    """The heading a line states, or None when it is not a heading.

    A heading is (1) a Markdown "# …" line, (2) a line of at most 40 characters that starts with
    ◇ ○ ■ ◆ ● or 【, has no "、" and does not end with "。", or (3) a title-like short line: 3–30 characters,
    no sentence punctuation (。、!?:), no digits, mostly Japanese, not starting with a bracket,
    a bullet or "※". Bullet marks and "#" are removed from the heading.

    Example:
        >>> heading_of_line("○海外特別研究員事業"), heading_of_line("## 事業概要"), heading_of_line("支援額:2百万円")
        ('海外特別研究員事業', '事業概要', None)
    """
    md = _MARKDOWN_HEADING.match(line)
    if md:
        return md.group(1)
    if len(line) <= _MAX_HEADING and not line.endswith("。") and "、" not in line:
        marked = _MARKED_HEADING.match(line)
        if marked:
            return (marked.group(1) or marked.group(2)).strip()
    if _TITLE_LIKE.match(line) and not any(ch.isdigit() for ch in line):
        if len(_CJK.findall(line)) * 2 >= len(line):
            return line
    return None


def _headings(doc: Document, page_start: int, page_end: int) -> list[tuple[int, str]]:
    """(offset, heading) for each heading line of the page, the page's first line always first."""
    found: list[tuple[int, str]] = []
    for match in _LINE.finditer(doc.text, page_start, page_end):
        line = match.group().strip()
        heading = heading_of_line(line)
        if heading is None and not found:
            heading = line if len(line) <= _MAX_FIRST_LINE_HEADING else line[: _MAX_FIRST_LINE_HEADING - 1] + "…"
        if heading:
            found.append((match.start(), heading))
    return found


def chunk_document(doc: Document, *, max_chars: int = 300, overlap: int = 40) -> list[Chunk]:
    """Cut a normalized document into chunks of whole sentences, page by page.

    Each chunk packs consecutive sentences (and lines) of one page up to `max_chars` characters;
    a sentence longer than that is cut between morphemes. The next chunk starts with the previous
    chunk's last sentences that fit in `overlap` characters (none if its last sentence is longer).
    `doc.text[chunk.start:chunk.end] == chunk.text`; `heading` is the nearest heading line at or
    above the chunk's start on its page (see `heading_of_line`), else the page's first line.

    Args:
        doc: a document from `normalize_document`.
        max_chars: the most characters in a chunk (one morpheme longer than this stands alone).
        overlap: the most characters a chunk repeats from the previous one.

    Returns:
        The chunks in document order, `chunk_id` = "{doc_id}:{n:05d}".

    Raises:
        ValueError: max_chars < 1, or overlap < 0 or not smaller than max_chars.

    Example:
        >>> from ingest.models import RawDocument
        >>> from ingest.normalize import normalize_document
        >>> raw = RawDocument(source="a.txt", title="a", pages=("【背景】\\n研究を推進する。", "予算は50百万円。"),
        ...                   paged=True, content_hash="0" * 64, media_type="text/plain")
        >>> [(c.page, c.heading, c.text) for c in chunk_document(normalize_document(raw))]
        [(1, '【背景】', '【背景】\\n研究を推進する。'), (2, '予算は50百万円。', '予算は50百万円。')]
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}; use e.g. 300")
    if overlap < 0 or overlap >= max_chars:
        raise ValueError(f"overlap must be >= 0 and smaller than max_chars ({max_chars}), got {overlap}; use e.g. 40")
    chunks: list[Chunk] = []
    for page in doc.pages:
        units = _units(doc, page.start, page.end, max_chars)
        if not units:
            continue
        headings = _headings(doc, page.start, page.end)
        page_number = page.number if doc.paged else None
        for first, last in _pack(units, max_chars, overlap):
            start, end = units[first][0], units[last][1]
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}:{len(chunks):05d}",
                    doc_id=doc.doc_id,
                    source=doc.source,
                    title=doc.title,
                    page=page_number,
                    start=start,
                    end=end,
                    text=doc.text[start:end],
                    heading=_heading_at(headings, start),
                )
            )
    return chunks


def _heading_at(headings: list[tuple[int, str]], offset: int) -> str:
    heading = ""
    for at, text in headings:
        if at > offset:
            break
        heading = text
    return heading


def _pack(units: list[tuple[int, int]], max_chars: int, overlap: int) -> list[tuple[int, int]]:
    """Group unit indexes into (first, last) chunks of at most max_chars, overlapping by whole units."""
    groups: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1][1] - units[first][0] <= max_chars:
            last += 1
        groups.append((first, last))
        if last + 1 >= len(units):
            break
        nxt = last + 1
        start = nxt
        while start - 1 > first and units[last][1] - units[start - 1][0] <= overlap:
            start -= 1
        while start < nxt and units[nxt][1] - units[start][0] > max_chars:
            start += 1  # the overlap must leave room for the next new unit
        first = start
    return groups
