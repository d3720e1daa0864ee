"""Structured facts: every figure-bearing statement of a normalized document as a `Fact`.

The layouts handled are those of Japanese government budget slides exported to text:
- a budget label with its figure, the prior year's in parentheses on the same or the next line
  ("令和4年度予算額(案):1,160百万円(前年度予算額:1,078百万円)");
- the program's name before the label on the same line, or as a heading on the line above;
- lists of budget figures whose names stand elsewhere on the page. These are resolved by
  (1) cross-checking the figure pair against the page where the same program states it under its own
  name, then (2) pairing the remaining figures with the page's remaining program headings in order,
  smallest pages first, and (3) a title printed next to the figure box. A figure none of these settle
  keeps `subject=""` and `subject_assignment="unassigned"`: no guess.
- `key:value` blocks (支援額:…, 事業開始時期:…), given to the program of the page whose headings and
  descriptions the block's surroundings resemble most (one block per program per page);
- label and value columns split apart ("支援期間/1件", "支援額/1件", … then the values in order);
- type lines with a parenthesized money range ("…タイプ(30百万円～50百万円)3～5年間");
- any other money figure, as attribute "金額".

Example:
    >>> from ingest.models import Document, Page
    >>> text = "○海外特別研究員事業\\n令和4年度予算額(案) 2,422百万円\\n(前年度予算額 2,422百万円)\\n"
    >>> doc = Document(doc_id="d", source="a.txt", title="a", text=text,
    ...                pages=(Page(number=1, start=0, end=len(text)),), paged=True, content_hash="0" * 64)
    >>> [(f.subject, f.attribute, f.value, f.fiscal_year) for f in extract_facts(doc)]
    [('海外特別研究員事業', '令和4年度予算額(案)', '2,422百万円', '令和4年度'), ('海外特別研究員事業', '前年度予算額', '2,422百万円', '令和3年度')]
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ingest.gazetteer import (
    PROGRAM_SUFFIXES,
    _NAME_CHARS,
    NameMention,
    _abbreviations,
    _ends_like_program,
    _is_title_like,
    _name_start,
    _short_forms,
    _without_abbreviation,
    derive_names,
    find_groups,
    markdown_heading,
    strip_marker,
)
from ingest.models import Citation, Document, Fact
from ingest.units import (
    BudgetStatement,
    Money,
    find_budget_statements,
    find_money,
    find_quantities,
    find_years,
    normalize_fiscal_year,
    previous_fiscal_year,
)

__all__ = ["extract_facts", "canonical_attribute", "attribute_detail", "EXPLICIT", "INFERRED", "UNASSIGNED"]

EXPLICIT, INFERRED, UNASSIGNED = "explicit", "inferred", "unassigned"

# Generic label endings of figure-bearing `key:value` lines in Japanese government documents.
_ATTRIBUTE_SUFFIXES = (
    "予算額",
    "額",
    "経費",
    "費",
    "期間",
    "時期",
    "人数",
    "件数",
    "数",
    "規模",
    "年度",
    "期限",
    "件",
    "人",
)
_NOT_ATTRIBUTES = {"例", "出典", "集計日", "注", "備考"}
_KV_RE = re.compile(r"(?P<label>[^\s:()、。「」]{1,14}?)(?:\((?P<note>[^()]{1,8})\))?\s*:\s*")
_SPACED_KV_RE = re.compile(
    r"^(?P<label>[^\s:()、。]{2,10}(?:人数|件数|額|期間|規模))\s+(?P<sub>[^\s:()、。]{1,6})\s*:\s*(?P<value>.+)$"
)
_COLUMN_LABEL_RE = re.compile(r"^(?P<label>[^\s:0-9()、。/]{2,10})(?:/(?P<per>[0-9]?[^\s/0-9]{1,4}))?$")
_PAREN_FY_RE = re.compile(r"\(([^()]*?年度)\)")
# "最大7億円/年×10年": an amount a year for a number of years (the support period)
_YEARLY_TIMES_RE = re.compile(r"/\s*年\s*[×xX]\s*(?P<years>\d{1,2}年)")
# "当初採択5拠点(2007年度~)": the year the first ones began
_INITIAL_START_RE = re.compile(r"当初(?:採択|採用|開始)?[^\s()。、]{0,10}\((?P<year>(?:(?:令和|平成|昭和)\d{1,2}|(?:19|20)\d{2})年度?)\s*[~～]")
# A label above a figure that says it is reference material, not a program's own budget (generic words).
_REFERENCE_RE = re.compile(r"参考|再掲|内数|関連経費")
_NOTE_WORDS = ("案", "見込み", "見込", "概算", "要求", "予定")
# Running text. A program referred to by a demonstrative ("本事業", "同プログラム") is the section's subject.
_ANAPHOR_RE = re.compile(rf"(?:本|同|当該|この|当|その|各|全)(?:{'|'.join(PROGRAM_SUFFIXES)}|施策)$")
# What joins a subject to the label it owns: "Xの予算額", "Xにおける予算額", "X(予算額:…)".
_GENITIVE_RE = re.compile(r"(?:の|における|に係る|に関する|に対する|への|向けの)\s*$")
_TOPIC_RE = re.compile(r"(?:では|には|は)(?=[、,\s]|[^\u3041-\u3096])")
_JP_CHARS = "\u4E00-\u9FFF\u3005\u30A0-\u30FF\u30FC"
_HIRAGANA_END = re.compile(r"[\u3041-\u3096、,]$")
_PROSE_AFTER = re.compile(r"^\s*(?:[\u3041-\u3096]|。)")


# -- attribute names ---------------------------------------------------------------------------------------
def canonical_attribute(attribute: str) -> str:
    """The attribute without year, 前年度, notes or details: the word a question asks for.

    Example:
        >>> [canonical_attribute(a) for a in ("令和4年度予算額(案)", "前年度予算額", "令和3年度補正予算額(案)", "新規採用人数(見込み)", "支援額(国際協力加速タイプ)")]
        ['予算額', '予算額', '補正予算額', '新規採用人数', '支援額']
    """
    text = unicodedata.normalize("NFKC", attribute)
    text = re.sub(r"\([^()]*\)", "", text)
    text = re.sub(r"/.*$", "", text)
    for y in reversed(find_years(text)):
        text = text[: y.start] + text[y.end :]
    text = re.sub(r"^の", "", text)
    text = re.sub(r"^(?:前々年度|前年度|昨年度|今年度|本年度|当年度|当初)の?", "", text)
    text = re.sub(r"\s+", "", text)
    # "令和4年度予算(案)", "補正予算": a label that leaves out 額 asks for the same figure.
    return text + "額" if text in {"予算", "補正予算", "当初予算"} else text


def attribute_detail(attribute: str) -> str | None:
    """The detail in an attribute's parentheses that is not a note like (案): "支援額(国際協力加速タイプ)" → "国際協力加速タイプ".

    Example:
        >>> attribute_detail("海外派遣人数(長期)"), attribute_detail("令和4年度予算額(案)")
        ('長期', None)
    """
    for inner in re.findall(r"\(([^()]*)\)", unicodedata.normalize("NFKC", attribute)):
        if inner not in _NOTE_WORDS:
            return inner
    return None


# -- the document as lines ----------------------------------------------------------------------------------
@dataclass
class _Line:
    pos: int  # index among all lines
    start: int
    end: int
    text: str
    page: int | None

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class _Box:
    """A budget figure with its prior year's figure: one "box" of a slide."""

    current: BudgetStatement
    line: _Line
    prior: BudgetStatement | None = None
    prior_line: _Line | None = None
    subject: str = ""
    assignment: str = UNASSIGNED
    confidence: float = 0.0
    heading_line: _Line | None = None
    reference: bool = False  # labelled 【参考】 / 内数 …: a figure for something other than the page's programs
    prose: bool = False  # stated in a sentence: its subject is read from the sentence or its section only

    @property
    def page(self) -> int:
        return self.line.page or 1

    @property
    def fiscal_year(self) -> str | None:
        year = self.current.year
        if year is None or year in {"前年度", "昨年度", "前々年度"}:
            return None
        return normalize_fiscal_year(year)

    @property
    def kind(self) -> tuple[str | None, str | None]:
        return (self.fiscal_year, self.current.kind)

    @property
    def key(self) -> tuple[int | None, object]:
        cur = self.current.money.yen if self.current.money else None
        if self.prior is None:
            return cur, None
        return cur, (self.prior.money.yen if self.prior.money else "-")


@dataclass
class _Block:
    """Figure-bearing statements that belong together (a key:value block, a column table, a type line)."""

    lines: list[_Line]
    items: list[tuple[str, str, _Line, int, int]] = field(default_factory=list)  # attribute, value, line, start, end
    subject: str = ""
    assignment: str = UNASSIGNED
    confidence: float = 0.0
    span: tuple[_Line, _Line] | None = None  # the lines to cite when labels and values stand apart
    prose: bool = False  # written inside sentences: its subject comes from the sentence or the section only

    @property
    def page(self) -> int:
        return self.lines[0].page or 1


def _split_lines(doc: Document) -> list[_Line]:
    lines: list[_Line] = []
    for m in re.finditer(r"[^\n\f]*", doc.text):
        if m.start() == m.end() and m.start() > 0 and doc.text[m.start() - 1] not in "\n\f":
            continue
        page = doc.page_at(m.start()) if doc.paged else None
        lines.append(_Line(len(lines), m.start(), m.end(), m.group(0), page))
    return lines


def _canonical(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


def _bigrams(text: str) -> list[str]:
    chars = [c for c in unicodedata.normalize("NFKC", text) if not c.isspace() and c not in "、。,.:()「」・【】※○◇▷■•"]
    return ["".join(chars[i : i + 2]) for i in range(len(chars) - 1)]


_RELATIVE_YEAR_RE = re.compile(r"前々年度|前年度|昨年度|今年度|本年度|当年度|来年度|翌年度|各年度|年度")


def _names_something(phrase: str) -> bool:
    """Whether a phrase owning a label names something (not only a year): "我が国全体" yes, "令和5年度" no."""
    text = re.split(r"[、,。]", phrase)[-1]
    for y in reversed(find_years(text)):
        text = text[: y.start] + text[y.end :]
    text = _RELATIVE_YEAR_RE.sub("", text)
    return len(re.findall(rf"[A-Za-z{_JP_CHARS}]", text)) >= 2


def _has_figure(text: str) -> bool:
    return bool(find_money(text) or find_quantities(text) or find_years(text))


# -- extraction ------------------------------------------------------------------------------------------------
def extract_facts(doc: Document) -> list[Fact]:
    """Every figure-bearing statement of a normalized document, as facts in text order.

    Args:
        doc: a normalized `Document` (see `ingest.normalize.normalize_document`).

    Returns:
        Facts with `subject` (full name as written, or "" when it cannot be found), `attribute` as
        written, `value` exactly as written, numbers read (`amount_yen`, ranges, quantities), the
        fiscal year, how the subject was assigned and how sure, and a citation of the passage.
    """
    return _Extraction(doc).run()


class _Extraction:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lines = _split_lines(doc)
        self.nonblank = [line for line in self.lines if not line.blank]
        self.rank = {line.pos: i for i, line in enumerate(self.nonblank)}
        self.mentions: list[NameMention] = derive_names(doc)
        self.groups = find_groups(doc.text, self.mentions)
        self.line_of_offset = {}
        self.headings: list[tuple[str, _Line, NameMention]] = []
        for mention in self.mentions:
            line = self._line_at(mention.start)
            if mention.heading:
                self.headings.append((_canonical(mention.name), line, mention))
        self._add_page_title_headings()
        self._headings_by_page: dict[int, list] | None = None
        self.covered: list[tuple[int, int]] = []
        self.forms = self._name_forms()
        self.sections = self._markdown_sections()
        self._heading_lines: dict[int, str] | None = None

    def _add_page_title_headings(self) -> None:
        """A page whose first line starts with a program's name ("…プログラムの概要") is headed by it."""
        names = {_canonical(m.name) for m in self.mentions}
        bases = {re.sub(r"\([A-Z][A-Za-z0-9&\-]{1,11}\)", "", n): n for n in names}
        seen_pages: set[int | None] = set()
        for line in self.nonblank:
            if line.page in seen_pages:
                continue
            seen_pages.add(line.page)
            if any(h_line.pos == line.pos for _n, h_line, _m in self.headings):
                continue
            body, level, offset = strip_marker(line.text)
            for base, name in sorted(bases.items(), key=lambda kv: -len(kv[0])):
                if len(base) >= 4 and body.startswith(base):
                    start = line.start + offset
                    mention = NameMention(name, start, start + len(base), "page_title", True, 1, line.pos)
                    self.headings.append((name, line, mention))
                    break
        self.headings.sort(key=lambda h: h[2].start)

    # -- helpers --------------------------------------------------------------------------------------------
    def _line_at(self, offset: int) -> _Line:
        lo, hi = 0, len(self.lines) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.lines[mid].start <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.lines[lo]

    def _next_nonblank(self, line: _Line, step: int = 1) -> _Line | None:
        i = self.rank.get(line.pos)
        if i is None:
            return None
        j = i + step
        return self.nonblank[j] if 0 <= j < len(self.nonblank) else None

    def _distance(self, a: _Line, b: _Line) -> int:
        return abs(self.rank.get(a.pos, 0) - self.rank.get(b.pos, 0))

    def _citation(self, first: _Line, last: _Line, value_start: int, value_end: int) -> Citation:
        start, end = first.start, last.end
        text = self.doc.text[start:end]
        return Citation(
            source=self.doc.source,
            title=self.doc.title,
            page=first.page,
            text=text,
            start=start,
            end=end,
            highlight_start=value_start - start,
            highlight_end=value_end - start,
        )

    def _page_headings(self, page: int) -> list[tuple[str, _Line, NameMention]]:
        if self._headings_by_page is None:
            by_page: dict[int, list] = defaultdict(list)
            for h in self.headings:
                by_page[h[1].page or 1].append(h)
            self._headings_by_page = by_page
        return self._headings_by_page.get(page, [])


    # -- names in running text and sections -------------------------------------------------------------------
    def _name_forms(self) -> list[tuple[str, str]]:
        """(form, full name) for every derived name: the name, without its abbreviation, the abbreviation and
        short forms that name one subject only; longest first."""
        names = list(dict.fromkeys(_canonical(m.name) for m in self.mentions))
        owners: dict[str, set[str]] = defaultdict(set)
        for name in names:
            for form in {name, _without_abbreviation(name), *_abbreviations(name), *_short_forms(name)}:
                if form:
                    owners[form].add(name)
        forms = [(form, next(iter(o))) for form, o in owners.items() if len(o) == 1]
        return sorted(forms, key=lambda fn: -len(fn[0]))

    def _markdown_sections(self) -> dict[int, tuple[str, _Line]]:
        """Line → (program, heading line) of the innermost Markdown section headed by a program's name.
        A sub-heading that names no program ("## 予算") stays inside its parent's section."""
        named = {self._line_at(m.start).pos: _canonical(m.name) for m in self.mentions if m.kind == "markdown"}
        stack: list[tuple[int, str | None, _Line]] = []
        out: dict[int, tuple[str, _Line]] = {}
        for line in self.lines:
            heading = markdown_heading(line.text)
            if heading is not None:
                while stack and stack[-1][0] >= heading[0]:
                    stack.pop()
                stack.append((heading[0], named.get(line.pos), line))
                continue
            for _level, name, heading_line in reversed(stack):
                if name:
                    out[line.pos] = (name, heading_line)
                    break
        return out

    def _resolve_phrase(self, phrase: str) -> tuple[str | None, str]:
        """The subject a noun phrase names: (full name, "named"), (None, "anaphor") for 本事業 and the like,
        or (None, "") when it names none. A derived name must end the phrase at a name boundary, so
        "ZETA国際共同研究プログラム" is not read as a shorter name it contains."""
        p = re.split(r"[、,。]", phrase)[-1].strip()
        candidates = [p] + [p[:i] for i in range(len(p) - 1, 0, -1) if p[i] == "の"]
        for text in candidates:
            text = text.strip()
            if not text:
                continue
            if _ANAPHOR_RE.search(text):
                return None, "anaphor"
            for form, name in self.forms:
                if text.endswith(form):
                    before = text[: -len(form)]
                    if before and (_NAME_CHARS.match(before[-1]) or (before[-1].isascii() and before[-1].isalnum())):
                        continue  # part of a longer name
                    return name, "named"
            end = len(text)
            abbr = re.search(r"\([A-Z][A-Za-z0-9&\-]{1,11}\)$", text)
            start = _name_start(text, abbr.start() if abbr else end)
            run = text[start:]
            stem = _without_abbreviation(run)
            for suffix in PROGRAM_SUFFIXES:
                if stem.endswith(suffix):
                    stem = stem[: -len(suffix)]
                    break
            if run and _ends_like_program(run) and _is_title_like(run) and len(stem) >= 3:
                return _canonical(run), "named"
        return None, ""

    def _sentence_subject(self, line: _Line, pos: int) -> tuple[str | None, str]:
        """The subject a sentence gives the figure labelled at `pos` (offset in the line): the noun phrase
        before the label's の ("Xの令和4年度予算額は…"), or before its parenthesis ("X(予算額:…)"), else the
        sentence's topic ("Xは、…を計上"). Returns (name, "genitive" | "topic" | "anaphor" | "other" | ""),
        "other" when the label belongs to something that is not a program."""
        text = line.text
        start = text.rfind("。", 0, pos) + 1
        pre = text[start:pos]
        phrase = None
        genitive = _GENITIVE_RE.search(pre)
        if genitive:
            phrase = pre[: genitive.start()]
        elif pre.rstrip().endswith("("):
            phrase = pre.rstrip()[:-1]
        anaphor = False
        if phrase is not None:
            name, how = self._resolve_phrase(phrase)
            if how == "named":
                return name, "genitive"
            anaphor = how == "anaphor"
            if not anaphor and _names_something(phrase):
                return None, "other"  # "我が国全体の予算額は…": the figure is not a program's
        topic = _TOPIC_RE.search(text, start)
        if topic and topic.end() <= pos:
            name, how = self._resolve_phrase(text[start : topic.start()])
            if how == "named":
                return name, "topic"
            anaphor = anaphor or how == "anaphor"
        return None, "anaphor" if anaphor else ""

    def _section_subject(self, line: _Line) -> tuple[str, _Line, bool] | None:
        """(program, heading line, whether the heading is right above) of the section `line` stands in: its
        Markdown section, or a heading line above it on the same page with only running text between."""
        if line.pos in self.sections:
            name, heading_line = self.sections[line.pos]
            return name, heading_line, self._next_nonblank(line, -1) is heading_line
        if self._heading_lines is None:
            self._heading_lines = {}
            for name, h_line, mention in self.headings:
                if mention.kind in {"marker", "standalone", "page_title", "quoted"} and not h_line.text[
                    mention.end - h_line.start :
                ].strip():
                    self._heading_lines[h_line.pos] = name
        heading_lines = self._heading_lines
        cursor, distance = self._next_nonblank(line, -1), 1
        while cursor is not None and cursor.page == line.page and distance <= 3:
            if cursor.pos in heading_lines:
                return heading_lines[cursor.pos], cursor, distance == 1
            if find_budget_statements(cursor.text) or _KV_RE.match(strip_marker(cursor.text)[0]):
                return None
            cursor, distance = self._next_nonblank(cursor, -1), distance + 1
        return None

    def _is_prose(self, line: _Line, st: BudgetStatement) -> bool:
        """Whether a budget figure is stated in a sentence rather than as a label and a figure."""
        if st.connector or st.composed:
            return True
        sentence_start = line.text.rfind("。", 0, st.start) + 1
        pre = line.text[sentence_start : st.start].rstrip()
        if pre and (_HIRAGANA_END.search(pre) or (pre.endswith("(") and len(pre) > 1)):
            return True  # "Xの令和4年度予算額は", "X(令和4年度予算額:…)は"
        after = line.text[st.end :]
        after = re.sub(r"^\s*\([^()]*\)", "", after)
        after = re.sub(r"^\s*\)", "", after) if pre.endswith("(") else after
        return bool(_PROSE_AFTER.match(after))

    def _subject_in_text(self, line: _Line, pos: int) -> tuple[str, str, float] | None:
        """(subject, assignment, confidence) of a figure in running text: named in its sentence (explicit),
        else the section's program (inferred)."""
        name, how = self._sentence_subject(line, pos)
        if how in {"genitive", "topic"} and name:
            return name, EXPLICIT, 0.95 if how == "genitive" else 0.9
        if how == "other":
            return None
        section = self._section_subject(line)
        if section is None:
            return None
        name, _heading_line, adjacent = section
        return name, INFERRED, 0.9 if how == "anaphor" else (0.85 if adjacent else 0.8)

    # -- run ------------------------------------------------------------------------------------------------
    def run(self) -> list[Fact]:
        boxes = self._find_boxes()
        self._explicit_boxes(boxes)
        blocks = self._find_blocks()
        self._assign_blocks(blocks, boxes)
        self._resolve_boxes(boxes, blocks)
        self._assign_blocks([b for b in blocks if b.assignment == UNASSIGNED], boxes)
        facts = self._box_facts(boxes) + self._block_facts(blocks) + self._loose_money_facts(boxes, blocks)
        facts += self._periods_of_yearly_amounts(facts) + self._initial_starts(boxes, facts)
        facts.sort(key=lambda f: (f.citation.start + (f.citation.highlight_start or 0), f.citation.start))
        return facts

    # -- budget boxes ----------------------------------------------------------------------------------------
    def _find_boxes(self) -> list[_Box]:
        boxes: list[_Box] = []
        pending_prior_for: _Box | None = None
        for line in self.nonblank:
            statements = find_budget_statements(line.text)
            for st in statements:
                self.covered.append((line.start + st.start, line.start + st.end))
                is_prior = st.year in {"前年度", "昨年度"}
                if is_prior and boxes and boxes[-1].prior is None and (
                    boxes[-1].line is line or (pending_prior_for is boxes[-1] and line.text.lstrip().startswith(("(", "（")))
                    or (pending_prior_for is boxes[-1] and st.start <= 2)
                ):
                    boxes[-1].prior, boxes[-1].prior_line = st, line
                elif not is_prior:
                    boxes.append(_Box(st, line))
            pending_prior_for = boxes[-1] if boxes and boxes[-1].line is line else None
        return boxes

    def _explicit_boxes(self, boxes: list[_Box]) -> None:
        by_line_heading = {}
        for name, line, mention in self.headings:
            by_line_heading.setdefault(line.pos, []).append((name, mention))
        # 1. Explicit: the name on the same line before the label, or a heading on the line above.
        for box in boxes:
            same = [
                (n, m)
                for n, m in by_line_heading.get(box.line.pos, [])
                if m.kind == "budget_heading" and m.end <= box.line.start + box.current.start
                and "。" not in self.doc.text[m.end : box.line.start + box.current.start]
            ]
            if same:
                box.subject, box.assignment, box.confidence = same[-1][0], EXPLICIT, 1.0
                continue
            if self._is_prose(box.line, box.current):
                # "Xの令和4年度予算額(案)は777百万円(前年度予算額 700百万円)である。"
                box.prose = True
                found = self._subject_in_text(box.line, box.current.start)
                if found is not None:
                    box.subject, box.assignment, box.confidence = found
                continue
            before = box.line.text[: box.current.start]
            if before.strip() and not strip_marker(before)[0].strip("(（ "):
                before = ""
            if before.strip():
                continue  # text other than a name precedes the label: not this box's heading
            above = self._next_nonblank(box.line, -1)
            if above is not None and (above.page or 1) == box.page:
                heads = [
                    (n, m)
                    for n, m in by_line_heading.get(above.pos, [])
                    if m.kind != "budget_heading"
                    and (m.kind == "markdown" or not above.text[m.end - above.start :].strip())
                ]
                if heads:
                    box.subject, box.assignment, box.confidence = heads[-1][0], EXPLICIT, 0.95
                    box.heading_line = above
                    continue
            if above is not None and (above.page or 1) == box.page and _REFERENCE_RE.search(above.text):
                box.reference = True
            elif box.line.pos in self.sections:
                # A figure in the section of a Markdown heading that names a program ("## ZETA事業" … "### 予算").
                box.subject, box.assignment, box.confidence = self.sections[box.line.pos][0], INFERRED, 0.85

    def _resolve_boxes(self, boxes: list[_Box], blocks: list[_Block]) -> None:
        # Cross-check and pairing with the page's remaining headings, repeated until nothing changes,
        # smallest problems first: one figure left for one program, before longer lists.
        while True:
            if self._cross_check(boxes):
                continue
            pages = self._alignable_pages(boxes, blocks)
            if not pages:
                break
            page, kind = min(pages, key=lambda pk: (len(pages[pk][0]), pk[0]))
            orphans, free = pages[(page, kind)]
            confidence = 0.75 if len(orphans) == 1 else 0.7
            for box, name in zip(orphans, free):
                box.subject, box.assignment, box.confidence = name, INFERRED, confidence
        # A title printed next to the box.
        for box in boxes:
            if box.assignment == UNASSIGNED and not box.reference and not box.prose:
                title = self._adjacent_title(box)
                if title:
                    box.subject, box.assignment, box.confidence = title, INFERRED, 0.6

    def _mentioned_on_page(self, name: str, page: int) -> bool:
        forms = {name, *(_short_forms(name))}
        forms |= {re.sub(r"\([A-Z][A-Za-z0-9&\-]{1,11}\)", "", name)}
        forms |= set(re.findall(r"\(([A-Z][A-Za-z0-9&\-]{1,11})\)", name))
        span = next((p for p in self.doc.pages if p.number == page), None) if self.doc.paged else None
        text = self.doc.text[span.start : span.end] if span else self.doc.text
        return any(f and f in text for f in forms)

    def _cross_check(self, boxes: list[_Box]) -> bool:
        changed = False
        assigned: dict[tuple, list[_Box]] = defaultdict(list)
        for other in boxes:
            if other.assignment != UNASSIGNED:
                assigned[(other.kind, other.key[0])].append(other)
        for box in boxes:
            if box.assignment != UNASSIGNED or box.key[0] is None or box.reference:
                continue
            matches: dict[str, float] = {}
            for other in assigned.get((box.kind, box.key[0]), []):
                if box.key[1] is not None and other.key[1] is not None:
                    if box.key[1] != other.key[1]:
                        continue
                    confidence = 0.9 if other.assignment == EXPLICIT else 0.8
                else:
                    confidence = 0.7
                matches[other.subject] = max(matches.get(other.subject, 0.0), confidence)
            if len(matches) == 1:
                (name, confidence), = matches.items()
                taken = any(
                    b.subject == name and b.kind == box.kind and b.page == box.page and b is not box for b in boxes
                )
                if not taken and self._mentioned_on_page(name, box.page):
                    box.subject, box.assignment, box.confidence = name, INFERRED, confidence
                    changed = True
        return changed

    def _alignable_pages(
        self, boxes: list[_Box], blocks: list[_Block]
    ) -> dict[tuple[int, tuple], tuple[list[_Box], list[str]]]:
        """Pages where the unresolved figures can be paired in order with the programs still without one.

        One figure and one program: paired (elimination). Several: only when the page's key:value blocks,
        given to programs by their content, show the programs in the same order as the headings; a bare
        list of figures with the names elsewhere is not trusted to follow the headings' order.
        """
        out = {}
        orphans_by: dict[tuple[int, tuple], list[_Box]] = defaultdict(list)
        for box in boxes:
            if box.assignment == UNASSIGNED and box.current.money is not None and not box.reference and not box.prose:
                orphans_by[(box.page, box.kind)].append(box)
        for (page, kind), orphans in orphans_by.items():
            heading_names = []
            for name, _line, mention in self._page_headings(page):
                if name not in heading_names and mention.kind != "numbered":
                    heading_names.append(name)
            free = []
            for name in heading_names:
                if any(b.subject == name and b.kind == kind for b in boxes):
                    continue
                if name in self.groups and set(self.groups[name]) & set(heading_names):
                    continue  # a group's own total is stated apart from its members' list
                free.append(name)
            if not free or len(free) != len(orphans):
                continue
            if len(free) > 1:
                block_order: list[str] = []
                for block in sorted(blocks, key=lambda b: b.lines[0].start):
                    if block.page == page and block.subject in free and block.subject not in block_order:
                        block_order.append(block.subject)
                if block_order != free:
                    continue
            out[(page, kind)] = (orphans, free)
        return out

    def _adjacent_title(self, box: _Box) -> str:
        last = box.prior_line or box.line
        for direction, start in ((1, last), (-1, box.heading_line or box.line)):
            parts: list[str] = []
            cursor = self._next_nonblank(start, direction)
            while cursor is not None and (cursor.page or 1) == box.page and cursor.text.lstrip().startswith("※"):
                cursor = self._next_nonblank(cursor, direction)
            while cursor is not None and (cursor.page or 1) == box.page and len(parts) < 3:
                text = cursor.text.strip()
                if markdown_heading(text) is not None:
                    break  # a Markdown heading that names no program ("## 関連施策") is not a title
                if not (_is_title_like(text, 40) and len(text) >= 6 and not re.search(r"[0-9]", text)):
                    break
                if find_budget_statements(text):
                    break
                parts.append(text)
                cursor = self._next_nonblank(cursor, direction)
            if parts:
                if direction == -1:
                    parts.reverse()
                title = "".join(parts)
                if len(title) <= 60:
                    return _canonical(title)
        return ""

    # -- key:value blocks, columns, type lines ----------------------------------------------------------------
    def _find_blocks(self) -> list[_Block]:
        blocks: list[_Block] = []
        current: _Block | None = None
        last_kv: _Line | None = None
        base_label: str | None = None
        skip: set[int] = set()
        for idx, line in enumerate(self.nonblank):
            if line.pos in skip:
                continue
            column = self._column_block(idx)
            if column is not None:
                blocks.append(column)
                skip |= {ln.pos for ln in column.lines}
                current = None
                continue
            body, _level, offset = strip_marker(line.text)
            items, is_kv, sub_base = self._kv_items(line, body, offset, base_label)
            if is_kv:
                base_label = sub_base
                if current is None or last_kv is None or (line.page != last_kv.page) or self._distance(line, last_kv) > 2:
                    current = _Block([line])
                    blocks.append(current)
                else:
                    current.lines.append(line)
                current.items.extend(items)
                last_kv = line
                continue
            base_label = None
            type_items = self._type_items(line, body, offset)
            if type_items:
                blocks.append(_Block([line], type_items))
                current = None
                continue
            blocks.extend(self._sentence_blocks(line))
        blocks = [b for b in blocks if b.items]
        for block in blocks:
            # key:value lines under a Markdown heading that names a program belong to it
            if block.assignment == UNASSIGNED and block.lines[0].pos in self.sections:
                block.subject, block.assignment, block.confidence = self.sections[block.lines[0].pos][0], INFERRED, 0.85
        return blocks

    def _sentence_blocks(self, line: _Line) -> list[_Block]:
        """`label:value` written inside a sentence ("本事業では、支援額:最大30百万円、支援期間:3年間とする。"), one
        block per subject; the label may carry its subject ("ZETA事業の支援額:…")."""
        text = line.text
        if ":" not in text or ("。" not in text and "、" not in text and "," not in text):
            return []
        budget_spans = [(s.start, s.end) for s in find_budget_statements(text)]
        blocks: dict[tuple, _Block] = {}
        named_in_sentence: dict[int, tuple[str, str, float]] = {}  # sentence start → subject a label named
        for colon in re.finditer(r"\s*:\s*", text):
            begin = colon.start()
            while begin > 0 and text[begin - 1] not in " \t、,。:;()「」":
                begin -= 1
            written = text[begin : colon.start()]
            phrase, _, label = written.rpartition("の")
            if not self._is_attribute(label) or any(s <= colon.start() < e for s, e in budget_spans):
                continue
            value_end = len(text)
            stop = re.search(r"[、,。;()]", text[colon.end() :])
            if stop:
                value_end = colon.end() + stop.start()
            raw = text[colon.end() : value_end]
            figures = [*find_money(raw), *find_quantities(raw), *find_years(raw)]
            if not figures:
                continue
            value = raw[: max(f.end for f in figures)].strip()
            vstart = line.start + colon.end()
            label_pos = begin + len(phrase) + (1 if phrase else 0)
            found = None
            sentence = text.rfind("。", 0, label_pos) + 1
            if phrase:
                name, how = self._resolve_phrase(phrase)
                if how == "named":
                    found = named_in_sentence[sentence] = (name, EXPLICIT, 0.95)
            if found is None:
                # "Xの支援額:…、支援期間:…": a later label of the sentence belongs to the X an earlier one named
                found = named_in_sentence.get(sentence) or self._subject_in_text(line, label_pos)
            key = found or ("", UNASSIGNED, 0.0)
            if key not in blocks:
                blocks[key] = _Block([line])
                blocks[key].subject, blocks[key].assignment, blocks[key].confidence = key
                blocks[key].prose = True
            blocks[key].items.append((label, value, line, vstart, vstart + len(value)))
        return list(blocks.values())

    def _kv_items(self, line: _Line, body: str, offset: int, base_label: str | None):
        """Facts of one `key:value` line: (items, whether the line is part of a block, label for continuations)."""
        if find_budget_statements(body):
            return [], False, None  # budget lines are read as boxes
        spaced = _SPACED_KV_RE.match(body)
        if spaced:
            label = spaced.group("label")
            value = spaced.group("value").strip()
            vstart = line.start + offset + spaced.start("value")
            attribute = f"{label}({spaced.group('sub')})"
            items = [(attribute, value, line, vstart, vstart + len(value))] if _has_figure(value) else []
            return items, True, label
        matches = [
            m
            for m in _KV_RE.finditer(body)
            if (m.start() == 0 or body[m.start() - 1].isspace()) and not find_budget_statements(body[m.start() : m.end()])
        ]
        matches = [m for m in matches if m.start() == 0 or self._is_attribute(m.group("label"))]
        if not matches or matches[0].start() != 0:
            return [], False, None
        first_label = matches[0].group("label")
        if not self._is_attribute(first_label):
            if base_label and len(first_label) <= 6 and not find_budget_statements(body):
                m = matches[0]
                value = body[m.end() :].strip()
                vstart = line.start + offset + m.end() + (len(body[m.end() :]) - len(body[m.end() :].lstrip()))
                items = [(f"{base_label}({first_label})", value, line, vstart, vstart + len(value))] if _has_figure(value) else []
                return items, True, base_label
            return [], False, None
        items = []
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
            raw = body[m.end() : end]
            value = raw.strip()
            if not value or not _has_figure(value):
                continue
            attribute = m.group("label") + (f"({m.group('note')})" if m.group("note") else "")
            vstart = line.start + offset + m.end() + (len(raw) - len(raw.lstrip()))
            items.append((attribute, value, line, vstart, vstart + len(value)))
        return items, True, None

    @staticmethod
    def _is_attribute(label: str) -> bool:
        return label not in _NOT_ATTRIBUTES and label.endswith(_ATTRIBUTE_SUFFIXES) and len(label) >= 2

    def _column_block(self, idx: int) -> _Block | None:
        labels: list[tuple[_Line, re.Match]] = []
        j = idx
        while j < len(self.nonblank):
            line = self.nonblank[j]
            m = _COLUMN_LABEL_RE.match(line.text.strip())
            if not m or not self._is_attribute(m.group("label")) or (labels and line.page != labels[0][0].page):
                break
            labels.append((line, m))
            j += 1
        if len(labels) < 2:
            return None
        values = self.nonblank[j : j + len(labels)]
        if len(values) < len(labels) or any(v.page != labels[0][0].page or not _has_figure(v.text) for v in values):
            return None
        block = _Block([ln for ln, _ in labels] + list(values))
        block.span = (labels[0][0], values[-1])
        for (label_line, m), value_line in zip(labels, values):
            value = value_line.text.strip()
            vstart = value_line.start + (len(value_line.text) - len(value_line.text.lstrip()))
            attribute = m.group("label") + (f"/{m.group('per')}" if m.group("per") else "")
            block.items.append((attribute, value, value_line, vstart, vstart + len(value)))
        return block

    def _type_items(self, line: _Line, body: str, offset: int):
        m = re.match(r"^(?P<name>[^\s()、。:]{2,30}?)\((?P<inner>[^()]+)\)\s*(?P<rest>.*)$", body)
        if not m or not _is_title_like(m.group("name"), 30):
            return []
        inner = m.group("inner")
        money = find_money(inner)
        if len(money) != 1 or money[0].text != inner.strip():
            return []
        name = m.group("name")
        base = line.start + offset
        items = [(f"支援額({name})", money[0].text, line, base + m.start("inner") + money[0].start, base + m.start("inner") + money[0].end)]
        rest = m.group("rest").strip()
        durations = [q for q in find_quantities(rest) if q.kind == "duration"]
        if rest and durations and durations[0].start == 0:
            rstart = base + m.start("rest") + (len(m.group("rest")) - len(m.group("rest").lstrip()))
            items.append((f"支援期間({name})", rest, line, rstart, rstart + len(rest)))
        return items

    # -- giving blocks to programs ----------------------------------------------------------------------------
    def _page_candidates(self, page: int, boxes: list[_Box]) -> list[str]:
        names: list[str] = []
        for name, _line, mention in self._page_headings(page):
            if name not in names and mention.kind != "numbered":
                names.append(name)
        for box in boxes:
            if box.page == page and box.subject and box.subject not in names and box.assignment != UNASSIGNED:
                if not any(m.kind == "numbered" and _canonical(m.name) == box.subject for m in self.mentions):
                    names.append(box.subject)
        members_present = [n for n in names if n in self.groups and set(self.groups[n]) & set(names)]
        return [n for n in names if n not in members_present]

    def _profiles(self, names: list[str]) -> dict[str, Counter]:
        profiles: dict[str, Counter] = {}
        heading_lines = {line.pos for _n, line, _m in self.headings}
        for name in names:
            bag = Counter(_bigrams(name))
            for form in _short_forms(name):
                bag.update(_bigrams(form))
            for hname, line, mention in self.headings:
                if hname != name or mention.kind not in {"marker", "quoted"}:
                    continue
                rest = self.doc.text[mention.end : line.end]
                text = [re.split(r"。[○◇▷●◆]", rest)[0]]
                cursor = self._next_nonblank(line)
                taken = 0
                while cursor is not None and taken < 4 and cursor.page == line.page:
                    stripped = cursor.text.strip()
                    if (
                        cursor.pos in heading_lines
                        or find_budget_statements(stripped)
                        or _KV_RE.match(strip_marker(stripped)[0])
                        or stripped.startswith(("※", "【"))
                    ):
                        # a heading in the middle of a line still ends the description there
                        if cursor.pos in heading_lines and not strip_marker(stripped)[0].startswith(hname):
                            head = re.split(r"。[○◇▷●◆]", stripped)[0]
                            if head != stripped:
                                text.append(head)
                        break
                    text.append(re.split(r"。[○◇▷●◆]", stripped)[0])
                    taken += 1
                    cursor = self._next_nonblank(cursor)
                for t in text:
                    bag.update(_bigrams(t))
            profiles[name] = bag
        return profiles

    def _assign_blocks(self, blocks: list[_Block], boxes: list[_Box]) -> None:
        block_lines = {ln.pos for b in blocks for ln in b.lines}
        box_lines = {b.line.pos for b in boxes} | {b.prior_line.pos for b in boxes if b.prior_line}
        by_page: dict[int, list[_Block]] = defaultdict(list)
        for block in blocks:
            if block.assignment == UNASSIGNED and not block.prose:
                by_page[block.page].append(block)
        for page, page_blocks in by_page.items():
            candidates = self._page_candidates(page, boxes)
            if not candidates:
                continue
            if len(candidates) == 1:
                for block in page_blocks:
                    block.subject, block.assignment, block.confidence = candidates[0], INFERRED, 0.8
                continue
            profiles = self._profiles(candidates)
            df = Counter(bg for bag in profiles.values() for bg in set(bag))
            idf = {bg: math.log(1 + len(profiles) / n) for bg, n in df.items()}
            scores: dict[int, dict[str, float]] = {}
            for bi, block in enumerate(page_blocks):
                context: Counter = Counter()
                first, last = block.lines[0], block.lines[-1]
                for line in block.lines:
                    for bg in _bigrams(line.text):
                        context[bg] += 1.5
                for direction, edge in ((-1, first), (1, last)):
                    cursor, distance = self._next_nonblank(edge, direction), 1
                    while cursor is not None and cursor.page == edge.page and distance <= 8:
                        if cursor.pos not in block_lines and cursor.pos not in box_lines:
                            weight = 1.0 / (1 + distance / 3)
                            for bg in _bigrams(cursor.text):
                                context[bg] += weight
                        cursor, distance = self._next_nonblank(cursor, direction), distance + 1
                mass = sum(w * idf.get(bg, math.log(1 + len(profiles))) for bg, w in context.items()) or 1.0
                row = {}
                for name in candidates:
                    content = sum(w * idf[bg] for bg, w in context.items() if bg in profiles[name]) / mass
                    proximity = 0.0
                    for hname, hline, _m in self._page_headings(page):
                        if hname != name:
                            continue
                        if hline.pos <= first.pos:
                            proximity = max(proximity, 1.0 / (1 + self._distance(hline, first) / 4))
                        else:
                            proximity = max(proximity, 0.5 / (1 + self._distance(hline, last) / 4))
                    row[name] = 2.0 * content + proximity
                scores[bi] = row
            pairs = sorted(
                ((s, bi, name) for bi, row in scores.items() for name, s in row.items()), key=lambda x: -x[0]
            )
            one_each = len(page_blocks) <= len(candidates)
            used_blocks: set[int] = set()
            used_names: set[str] = set()
            for s, bi, name in pairs:
                if bi in used_blocks or (one_each and name in used_names):
                    continue
                others = sorted((v for n, v in scores[bi].items() if n != name), reverse=True)
                margin = (s - others[0]) / s if others and s > 0 else 1.0
                block = page_blocks[bi]
                block.subject, block.assignment = name, INFERRED
                block.confidence = round(min(0.9, 0.5 + 0.4 * max(0.0, margin) * 2), 2)
                used_blocks.add(bi)
                used_names.add(name)

    # -- facts ---------------------------------------------------------------------------------------------------
    def _fact(self, subject, attribute, value, fiscal_year, citation, assignment, confidence, money: Money | None = None, text_for_numbers: str | None = None) -> Fact:
        fields: dict = {}
        if money is not None:
            fields.update(
                amount_yen=money.yen,
                amount_yen_min=money.yen_min,
                amount_yen_max=money.yen_max,
                unit="円",
                qualifier=money.qualifier,
                per=money.per,
            )
        elif text_for_numbers is not None:
            fields.update(self._numbers(attribute, text_for_numbers))
        return Fact(
            subject=subject if assignment != UNASSIGNED else "",
            attribute=attribute,
            value=value,
            fiscal_year=fiscal_year,
            citation=citation,
            subject_assignment=assignment,
            confidence=round(confidence, 2) if assignment != UNASSIGNED else 0.0,
            doc_id=self.doc.doc_id,
            **fields,
        )

    @staticmethod
    def _numbers(attribute: str, value: str) -> dict:
        money = find_money(value)
        if money:
            m = money[0]
            return dict(amount_yen=m.yen, amount_yen_min=m.yen_min, amount_yen_max=m.yen_max, unit="円", qualifier=m.qualifier, per=m.per)
        quantities = find_quantities(value)
        base = canonical_attribute(attribute)
        wanted = None
        if base.endswith(("人数", "人")):
            wanted = {"人"}
        elif base.endswith(("件数", "件")):
            wanted = {"件"}
        elif base.endswith(("期間", "期限")):
            wanted = {"年", "か月", "週間", "日"}
        chosen = next((q for q in quantities if wanted is None or q.unit in wanted), None)
        if chosen is not None and (wanted is not None or not find_years(value)):
            return dict(quantity=chosen.value, quantity_max=chosen.value_max, unit=chosen.unit, qualifier=chosen.qualifier, per=chosen.per)
        years = find_years(value)
        if years:
            tail = value[years[0].end :].strip()
            return dict(quantity=float(years[0].year), unit="年度" if years[0].fiscal else "年", qualifier="～" if tail.startswith(("～", "~", "から")) else None)
        return {}

    def _box_facts(self, boxes: list[_Box]) -> list[Fact]:
        facts = []
        for box in boxes:
            first = box.heading_line or box.line
            last = box.prior_line or box.line
            fy = box.fiscal_year
            for st, line in ((box.current, box.line), (box.prior, box.prior_line)):
                if st is None or line is None:
                    continue
                if st is box.current:
                    year = fy
                elif fy is not None:
                    year = previous_fiscal_year(fy)
                else:
                    year = None
                citation = self._citation(first, last, line.start + st.value_start, line.start + st.value_end)
                facts.append(
                    self._fact(box.subject, st.label, st.value, year, citation, box.assignment, box.confidence, money=st.money)
                )
        return facts

    def _block_facts(self, blocks: list[_Block]) -> list[Fact]:
        facts = []
        for block in blocks:
            for attribute, value, line, vstart, vend in block.items:
                self.covered.append((vstart, vend))
                fy_match = _PAREN_FY_RE.search(value)
                fiscal_year = normalize_fiscal_year(fy_match.group(1)) if fy_match else None
                first, last = block.span or (line, line)
                citation = self._citation(first, last, vstart, vend)
                facts.append(
                    self._fact(
                        block.subject, attribute, value, fiscal_year, citation, block.assignment, block.confidence,
                        text_for_numbers=value,
                    )
                )
                per_label = re.search(r"/([^/]+)$", attribute)
                if per_label and facts[-1].per is None:
                    facts[-1] = facts[-1].model_copy(update={"per": per_label.group(1)})
        return facts

    def _periods_of_yearly_amounts(self, facts: list[Fact]) -> list[Fact]:
        """"支援規模:最大7億円/年×10年": a yearly amount times a number of years states the support period
        ("10年"), the same subject's, cited in the same line; unless the subject already states one."""
        out = []
        has_period = {f.subject for f in facts if canonical_attribute(f.attribute) == "支援期間"}
        for fact in facts:
            if fact.amount_yen is None or not fact.subject or fact.subject in has_period:
                continue
            c = fact.citation
            value_start = c.start + (c.highlight_start or 0)
            found = _YEARLY_TIMES_RE.search(self.doc.text, value_start, c.end)
            if found is None or found.start() > value_start + len(fact.value):
                continue
            start, end = found.start("years"), found.end("years")
            citation = c.model_copy(update={"highlight_start": start - c.start, "highlight_end": end - c.start})
            out.append(self._fact(fact.subject, "支援期間", found.group("years"), None, citation, fact.subject_assignment,
                                  min(fact.confidence, 0.8), text_for_numbers=found.group("years")))
            has_period.add(fact.subject)
        return out

    def _initial_starts(self, boxes: list[_Box], facts: list[Fact]) -> list[Fact]:
        """"当初採択5拠点(2007年度~)": the first cohort's start year is when the program began; given to the
        page's one program (inferred) unless that program states its start (事業開始時期) itself."""
        out = []
        has_start = {f.subject for f in facts if canonical_attribute(f.attribute) in {"事業開始時期", "事業期間"}}
        for line in self.nonblank:
            found = _INITIAL_START_RE.search(line.text)
            if found is None:
                continue
            candidates = self._page_candidates(line.page or 1, boxes)
            if len(candidates) != 1 or candidates[0] in has_start:
                continue
            start, end = line.start + found.start("year"), line.start + found.end("year")
            citation = self._citation(line, line, start, end)
            out.append(self._fact(candidates[0], "事業開始時期", found.group("year"), None, citation, INFERRED, 0.6,
                                  text_for_numbers=found.group("year")))
            has_start.add(candidates[0])
        return out

    def _loose_money_facts(self, boxes: list[_Box], blocks: list[_Block]) -> list[Fact]:
        facts = []
        covered_lines: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for s, e in self.covered:
            covered_lines[self._line_at(s).pos].append((s, e))
        candidates_by_page: dict[int, list[str]] = {}
        for line in self.nonblank:
            for money in find_money(line.text):
                start, end = line.start + money.start, line.start + money.end
                if any(s <= start < e or s < end <= e for s, e in covered_lines.get(line.pos, [])):
                    continue
                page = line.page or 1
                if page not in candidates_by_page:
                    candidates_by_page[page] = self._page_candidates(page, boxes)
                candidates = candidates_by_page[page]
                in_text = self._subject_in_text(line, money.start)
                if in_text is not None:
                    # a figure without a label: never more than inferred, whatever the sentence says
                    subject, assignment, confidence = in_text[0], INFERRED, 0.5
                elif len(candidates) == 1:
                    subject, assignment, confidence = candidates[0], INFERRED, 0.5
                else:
                    subject, assignment, confidence = "", UNASSIGNED, 0.0
                citation = self._citation(line, line, start, end)
                facts.append(self._fact(subject, "金額", money.text, None, citation, assignment, confidence, money=money))
        return facts
