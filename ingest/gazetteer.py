"""Subject names derived from the documents, so a question can name a program loosely.

No program name is typed into this module. Names come from the documents themselves:
- headings led by a marker (◇ ◆ for groups, ○ ● ▷ for programs) that read as a name,
- names followed by an ASCII abbreviation in parentheses ("…プログラム(SICORP)"),
- stand-alone lines ending in 事業 / プログラム, names quoted after 事業 ("…事業「国際先導研究」"),
- the text before a budget label on the same line ("… 令和4年度予算額(案) 1,160百万円") and a numbered
  heading directly above one ("7.科学技術イノベーションの戦略的国際展開"),
- and the subjects of extracted facts.
Short forms are made by generic rules (drop 事業 / プログラム / 等, drop the abbreviation), and English
names come from `ingest/aliases_en.json`, a data file about these programs that users can extend.

Example:
    >>> from ingest.models import Document, Page
    >>> text = "◇戦略的国際共同研究プログラム（SICORP）\\n○海外特別研究員事業\\n"
    >>> doc = Document(doc_id="d", source="a.txt", title="a", text=text, pages=(Page(number=1, start=0, end=len(text)),),
    ...                paged=True, content_hash="0" * 64)
    >>> gaz = build_gazetteer([doc])
    >>> sorted((m.surface, m.name) for m in gaz.match("SICORPと海外特別研究員の予算は？"))
    [('SICORP', '戦略的国際共同研究プログラム(SICORP)'), ('海外特別研究員', '海外特別研究員事業')]
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ingest.models import Document, Fact
from ingest.readings import KATAKANA_RUN, ReadingIndex
from ingest.units import find_budget_statements, find_money, find_years

__all__ = [
    "Gazetteer",
    "SubjectEntry",
    "SubjectMatch",
    "NameMention",
    "build_gazetteer",
    "derive_names",
    "load_aliases",
    "strip_marker",
    "find_groups",
    "markdown_heading",
    "DEFAULT_ALIASES_PATH",
]

DEFAULT_ALIASES_PATH = Path(__file__).with_name("aliases_en.json")

# Marker → heading level. ◇ groups programs; ○ and ▷ lead program names or sentences; the rest are bullets.
MARKER_LEVELS: dict[str, int] = {
    "◇": 1,
    "◆": 1,
    "○": 2,
    "●": 2,
    "◎": 2,
    "▷": 3,
    "▶": 3,
    "▸": 3,
    "■": 4,
    "□": 4,
    "•": 4,
    "・": 4,
    "⃝": 4,
    "": 4,
}
_MARKER_CHARS = "".join(MARKER_LEVELS)
_LEAD_RE = re.compile(rf"^[\s\f]*(?P<marker>[{_MARKER_CHARS}])?[\s⃝]*")
_NUMBERED_RE = re.compile(r"^[\s\f]*(?:[0-9]{1,2}|[①-⑳])\s*[.．、)]\s*")
# Generic words that end a program's name in Japanese government documents.
PROGRAM_SUFFIXES = (
    "事業",
    "プログラム",
    "制度",
    "イニシアティブ",
    "イニシアチブ",
    "プロジェクト",
    "構想",
    "基金",
)
_SHORTENABLE_SUFFIXES = ("推進事業", "支援事業", "事業", "プログラム", "制度", "等")
_SENTENCE_MARKS = re.compile(r"[、。,;；!?！？:]")
_ABBR_RE = re.compile(r"\((?P<abbr>[A-Z][A-Za-z0-9&\-]{1,11})\)")
_JP = r"\u4E00-\u9FFF\u3005\u30A0-\u30FF\u30FC\u30FB"
_NAME_CHARS = re.compile(rf"[{_JP}]")
# Latin letters written as part of a Japanese name ("ZETA国際共同研究プログラム", "e-ASIA共同研究プログラム",
# "JST-XXX事業"): a token that starts with a letter, so years and counts ("2022年度", "10件") are not taken.
_LATIN = r"[A-Za-z][A-Za-z0-9]*(?:[\-.&][A-Za-z0-9]+)*"
_LATIN_CHARS = re.compile(r"[A-Za-z0-9\-&.]")
# A Latin end after the program word: "…プログラムII", "…事業B" (not "事業2件", not "事業PD・PO").
_LATIN_END = r"(?:[IVX]{2,4}|[A-Z])(?![A-Za-z0-9\u4E00-\u9FFF\u30A0-\u30FF])"
_QUOTED_RE = re.compile(
    rf"(?P<outer>(?:{_LATIN}[\-・]?)?[\u4E00-\u9FFF\u30A0-\u30FF\u30FC]{{2,20}}事業)「(?P<inner>[^「」\s、。]{{2,20}})」"
)
_STANDALONE_RE = re.compile(
    rf"^[^\s、。:()「」]{{2,30}}(?:{'|'.join(PROGRAM_SUFFIXES)})(?:\([A-Z][A-Za-z0-9&\-]{{1,11}}\))?$"
)
_RUN_SUFFIX_RE = re.compile(
    rf"(?:[{_JP}]{{0,8}}{_LATIN}[\-・ ]?[{_JP}]{{0,30}}|[{_JP}]{{4,30}})(?:事業|プログラム)(?:{_LATIN_END})?"
)
# Year words and fragments a run of name characters may start with ("年度ZETA事業" after "令和4"): not part of a name.
_LEADING_YEAR_RE = re.compile(r"^(?:[0-9０-９]+|元)?(?:年度|年|度)(?=.)")
_MARKDOWN_HEADING_RE = re.compile(r"^[ \t]{0,3}(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")
# A sentence, not a name: a name ends with a name character or a closing bracket, never with a particle.
_ENDS_WITH_PARTICLE = re.compile(r"[\u3041-\u3096]$")
# Kana/kanji spellings that documents and users mix (generic, not about any program).
_SPELLING_VARIANTS = (("招へい", "招聘"), ("研さん", "研鑽"), ("へき地", "僻地"), ("けん引", "牽引"))
# Words too generic to identify a program on their own when a question only partly names one.
_GENERIC_WORDS = (
    "国際共同研究",
    "若手研究者",
    "外国人研究者",
    "研究者",
    "プログラム",
    "事業",
    "国際",
    "科学技術",
    "研究",
    "海外",
    "推進",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SubjectEntry(_Frozen):
    """One subject (a program, a group of programs, a section) and the ways it can be named.

    Example:
        >>> SubjectEntry(name="戦略的国際共同研究プログラム(SICORP)", abbreviations=("SICORP",)).abbreviations
        ('SICORP',)
    """

    name: str
    abbreviations: tuple[str, ...] = ()
    short_forms: tuple[str, ...] = ()
    english: tuple[str, ...] = ()
    kind: str = "program"
    members: tuple[str, ...] = ()

    def surfaces(self) -> list[tuple[str, str, float]]:
        """(form, kind, score) for every form of the name, most specific first."""
        forms: list[tuple[str, str, float]] = [(self.name, "name", 1.0)]
        base = _without_abbreviation(self.name)
        if base != self.name:
            forms.append((base, "name", 0.98))
        forms += [(a, "abbreviation", 0.95) for a in self.abbreviations]
        forms += [(s, "short", 0.9) for s in self.short_forms]
        forms += [(e, "english", 0.9) for e in self.english]
        for form, kind, score in list(forms):
            forms += [(other, kind, score - 0.02) for other in respellings(form)[1:]]
        return forms


def acted_on(text: str, end: int) -> bool:
    """Whether the word of `text` ending at `end` is what something is done to or aims at ("…を進める",
    "…への参画"), a topic rather than a name.

    Example:
        >>> acted_on("国際頭脳循環への参画", 6), acted_on("国際頭脳循環の予算", 6)
        (True, False)
    """
    return bool(re.match(r"(?:を|への|へ)", text[end:]))


def respellings(text: str) -> list[str]:
    """`text` and its forms with a word written the other common way ("招聘事業" → "招へい事業").

    Example:
        >>> respellings("招聘事業")
        ['招聘事業', '招へい事業']
    """
    forms = [text]
    for a, b in _SPELLING_VARIANTS:
        for x, y in ((a, b), (b, a)):
            if x in text:
                forms.append(text.replace(x, y))
    return forms


class SubjectMatch(_Frozen):
    """A subject named in a question: which entry, the text that named it, and how.

    `start`/`end` are offsets in the NFKC-normalized question; `kind` is name | abbreviation | short |
    english | partial.
    """

    name: str
    surface: str
    start: int
    end: int
    kind: str
    score: float


@dataclass(frozen=True)
class NameMention:
    """Where a document names a subject: `kind` says how the name was found, `heading` whether it heads a section."""

    name: str
    start: int
    end: int
    kind: str
    heading: bool
    level: int = 2
    line: int = 0


def strip_marker(line: str) -> tuple[str, int, int]:
    """A line without its leading marker or numbering: (text, marker level, offset of text in line).

    Example:
        >>> strip_marker("◇戦略的国際共同研究プログラム(SICORP)")
        ('戦略的国際共同研究プログラム(SICORP)', 1, 1)
    """
    m = _LEAD_RE.match(line)
    level = MARKER_LEVELS.get(m.group("marker") or "", 0) if m.group("marker") else 0
    offset = m.end()
    numbered = _NUMBERED_RE.match(line, offset) if level == 0 else None
    if numbered:
        offset = numbered.end()
        level = 1
    text = line[offset:].rstrip()
    return text, level, offset


def _without_abbreviation(name: str) -> str:
    return _ABBR_RE.sub("", name).strip()


def _abbreviations(name: str) -> tuple[str, ...]:
    return tuple(m.group("abbr") for m in _ABBR_RE.finditer(name))


def _is_title_like(text: str, max_len: int = 45) -> bool:
    return (
        3 <= len(text) <= max_len
        and not _SENTENCE_MARKS.search(text)
        and _NAME_CHARS.search(text) is not None
        and not text.startswith(("※", "【", "(", "（", "「", "＜", "<"))
    )


def _ends_like_program(text: str) -> bool:
    core = text[:-1] if text.endswith("等") else text
    core = _without_abbreviation(core)
    return core.endswith(PROGRAM_SUFFIXES) or bool(_ABBR_RE.search(text))


def _trim_name(name: str) -> str:
    """A name without a year it was read with ("令和4年度ZETA事業" → "ZETA事業") or edge spaces."""
    name = name.strip()
    while True:
        years = [y for y in find_years(name) if y.start == 0 and y.text.endswith(("年", "年度"))]
        trimmed = name[years[0].end :] if years else _LEADING_YEAR_RE.sub("", name)
        trimmed = trimmed.lstrip(" ・-")
        if trimmed == name or not trimmed:
            return name
        name = trimmed


def markdown_heading(line: str) -> tuple[int, str, int] | None:
    """A Markdown heading line ("## 事業概要", as the Markdown, HTML and Word loaders write headings):
    (level, text, offset of the text in the line), or None.

    Example:
        >>> markdown_heading("## ZETA国際共同研究プログラム")
        (2, 'ZETA国際共同研究プログラム', 3)
    """
    m = _MARKDOWN_HEADING_RE.match(line)
    if not m or not m.group("text"):
        return None
    return len(m.group("hashes")), m.group("text"), m.start("text")


def _heading_name(text: str) -> tuple[str, int] | None:
    """The program a heading's text names, with its offset in the text: the whole text when it reads as a
    program's name, else the one program name written in it ("ZETA事業の概要" → "ZETA事業")."""
    body, _level, offset = strip_marker(text)
    if _is_title_like(body, 60) and _ends_like_program(body):
        return body, offset
    runs = {(_trim_name(m.group(0)), m.start()) for m in _RUN_SUFFIX_RE.finditer(body)}
    for m in _ABBR_RE.finditer(body):
        begin = _name_start(body, m.start())
        if body[begin : m.start()].endswith(PROGRAM_SUFFIXES):
            runs = {r for r in runs if not (begin <= r[1] < m.end())} | {(body[begin : m.end()], begin)}
    names = {name for name, _ in runs}
    if len(names) != 1:
        return None
    name, start = min(runs, key=lambda r: r[1])
    start = body.find(name, start)
    return name, offset + max(start, 0)


def _name_start(line: str, end: int) -> int:
    """Where the name that ends at `end` begins: back over name characters and Latin letters written with them
    (digits only inside a Latin token, "H2020"), without a leading year."""
    begin = end
    while begin > 0:
        c = line[begin - 1]
        if _NAME_CHARS.match(c) or (c.isascii() and (c.isalpha() or c in "-&.")):
            begin -= 1
        elif c.isascii() and c.isdigit():
            j = begin - 1
            while j > 0 and line[j - 1].isascii() and line[j - 1].isdigit():
                j -= 1
            if j > 0 and line[j - 1].isascii() and line[j - 1].isalpha():
                begin = j
            else:
                break
        else:
            break
    while begin < end and line[begin] in "-&.・":
        begin += 1
    name = line[begin:end]
    return begin + len(name) - len(_trim_name(name))


def _lines(text: str) -> Iterable[tuple[int, int, str]]:
    """(line number, start offset, line) for every line; pages' form feeds also end lines."""
    for n, m in enumerate(re.finditer(r"[^\n\f]*", text)):
        if m.start() == m.end() and m.start() > 0 and text[m.start() - 1] not in "\n\f":
            continue
        yield n, m.start(), m.group(0)


def derive_names(doc: Document | str) -> list[NameMention]:
    """Every place the document names a subject, in text order (offsets into the document's text).

    Args:
        doc: a normalized `Document`, or its text.

    Example:
        >>> [(n.name, n.kind) for n in derive_names("○海外特別研究員事業\\n戦略的国際共同研究プログラム(SICORP)を推進。")]
        [('海外特別研究員事業', 'marker'), ('戦略的国際共同研究プログラム(SICORP)', 'abbreviation')]
    """
    text = doc.text if isinstance(doc, Document) else doc
    mentions: list[NameMention] = []
    lines = list(_lines(text))
    nonblank = [(n, s, line) for n, s, line in lines if line.strip()]
    for idx, (n, line_start, line) in enumerate(nonblank):
        # A marker may also start mid-line after a sentence end ("…推進する。○若手研究者海外挑戦プログラム").
        segments = [(0, line)]
        for m in re.finditer(rf"。(?=[{_MARKER_CHARS}])", line):
            segments.append((m.end(), line[m.end() :]))
        heading = markdown_heading(line)
        if heading is not None:
            # "# ZETA国際共同研究プログラム", "## ZETA事業の概要": a heading that names a program heads its section.
            segments = []
            level, text_, text_offset = heading
            named = _heading_name(text_)
            if named is not None:
                name, offset = named
                start = line_start + text_offset + offset
                mentions.append(NameMention(name, start, start + len(name), "markdown", True, level, n))
        for seg_offset, segment in segments:
            body, level, offset = strip_marker(segment)
            start = line_start + seg_offset + offset
            budget = find_budget_statements(body)
            if budget and budget[0].start > 0 and not budget[0].connector and not budget[0].composed:
                # "NAME 令和4年度予算額(案) 1,160百万円": the text before the label names the figure. In a sentence
                # ("Xの令和4年度予算額は…") it does not: facts read such subjects from the sentence.
                name = body[: budget[0].start].strip()
                if (
                    _is_title_like(name, 50)
                    and not _ENDS_WITH_PARTICLE.search(name)
                    and not name.endswith(("(", "（"))
                    and not find_money(name)
                ):
                    mentions.append(NameMention(name, start, start + len(name), "budget_heading", True, max(level, 1), n))
                    continue
            if level and 1 <= level <= 3 and _is_title_like(body):
                if (level == 1 and not _NUMBERED_RE.match(segment)) or _ends_like_program(body):
                    mentions.append(NameMention(body, start, start + len(body), "marker", True, level, n))
                    continue
            if level == 1 and _NUMBERED_RE.match(segment) and _is_title_like(body, 50) and idx + 1 < len(nonblank):
                # A numbered heading names the budget figure that opens the next line.
                following = find_budget_statements(nonblank[idx + 1][2])
                if following and following[0].start <= 2:
                    mentions.append(NameMention(body, start, start + len(body), "numbered", True, 1, n))
                    continue
            if seg_offset == 0 and level == 0 and _STANDALONE_RE.match(body) and not _SENTENCE_MARKS.search(body):
                mentions.append(NameMention(body, start, start + len(body), "standalone", True, 2, n))
                continue
        for m in _QUOTED_RE.finditer(line):
            name = m.group(0)
            at_start = not line[: m.start()].strip()
            mentions.append(NameMention(name, line_start + m.start(), line_start + m.end(), "quoted", at_start, 2, n))
        for m in _ABBR_RE.finditer(line):
            begin = _name_start(line, m.start())
            base = line[begin : m.start()]
            if len(base) >= 3 and base.endswith(PROGRAM_SUFFIXES):
                mentions.append(
                    NameMention(base + m.group(0), line_start + begin, line_start + m.end(), "abbreviation", False, 2, n)
                )
        for m in _RUN_SUFFIX_RE.finditer(line):
            if line[m.end() : m.end() + 1] == "(":
                continue  # already read with its abbreviation
            name = _trim_name(m.group(0))
            start = line_start + m.end() - len(name)
            if len(name) > len("事業"):
                mentions.append(NameMention(name, start, start + len(name), "mention", False, 2, n))
    mentions.sort(key=lambda x: (x.start, -(x.end - x.start), not x.heading))
    kept: list[NameMention] = []
    for mention in mentions:
        # A name read twice at one place (as a heading and as an abbreviated name) is one mention.
        if any(k.start <= mention.start and mention.end <= k.end for k in kept):
            continue
        kept.append(mention)
    return kept


def find_groups(text: str, mentions: list[NameMention] | None = None) -> dict[str, list[str]]:
    """Groups of programs: a level-1 heading (◇) whose next line is a level-2 heading (○) groups the
    level-2 headings that follow it, up to the next level-1 heading.

    Example:
        >>> find_groups("◇若手研究者の育成等\\n○海外特別研究員事業\\n説明。○外国人研究者招へい事業\\n◇戦略的国際共同研究プログラム(SICORP)\\n")
        {'若手研究者の育成等': ['海外特別研究員事業', '外国人研究者招へい事業']}
    """
    mentions = derive_names(text) if mentions is None else mentions
    headings = [m for m in mentions if m.kind == "marker"]
    nonblank_lines = [n for n, _s, line in _lines(text) if line.strip()]
    next_line = {a: b for a, b in zip(nonblank_lines, nonblank_lines[1:])}
    groups: dict[str, list[str]] = {}
    for i, head in enumerate(headings):
        if head.level != 1:
            continue
        following = headings[i + 1] if i + 1 < len(headings) else None
        if following is None or following.level != 2 or following.line != next_line.get(head.line):
            continue
        names = []
        for other in headings[i + 1 :]:
            if other.level == 1:
                break
            if other.level == 2:
                names.append(_canonical(other.name))
        groups[_canonical(head.name)] = names
    # A group's own page (its budget heading opens it) holds its members' headings too ("…の育成等 令和4年度
    #予算額" over four programs' blocks): a program headed there that the list above missed is a member.
    page_of = lambda offset: text.count("\f", 0, offset)  # noqa: E731
    for head in (m for m in mentions if m.kind == "budget_heading" and _canonical(m.name) in groups):
        members = groups[_canonical(head.name)]
        for other in mentions:
            name = _canonical(other.name)
            if (other.heading and other.level == 2 and page_of(other.start) == page_of(head.start)
                    and name not in members and name not in groups):
                members.append(name)
    return groups


_LATIN_HEAD_RE = re.compile(rf"^(?P<head>{_LATIN})[\-・ ]?(?=[{_JP}])")


def _short_forms(name: str) -> list[str]:
    forms: list[str] = []
    base = _without_abbreviation(name)
    head = _LATIN_HEAD_RE.match(base)
    if head and len(head.group("head")) >= 3 and re.search(r"[A-Z]", head.group("head")):
        # "ZETA国際共同研究プログラム" → "ZETA", as an abbreviation would be (kept only if it names one subject)
        forms.append(head.group("head"))
    for quoted in re.findall(r"「([^「」]{3,20})」", base):
        forms.append(quoted)
    stem = base
    changed = True
    while changed:
        changed = False
        for suffix in _SHORTENABLE_SUFFIXES:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= 4:
                stem = stem[: -len(suffix)]
                forms.append(stem)
                changed = True
                break
    return [f for f in forms if f != name and f != base]


def _canonical(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


def _fold(text: str) -> str:
    """The comparison form of a name: NFKC, lower case, no spaces or middle dots."""
    return re.sub(r"[\s・]", "", unicodedata.normalize("NFKC", text).lower())


def load_aliases(path: str | Path | None = None) -> list[dict[str, list[str]]]:
    """The English alias entries of `path` (default `ingest/aliases_en.json`), each {"ja": [...], "en": [...]}.

    Example:
        >>> any("SICORP" in e["ja"] for e in load_aliases())
        True
    """
    path = Path(path) if path is not None else DEFAULT_ALIASES_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); fix the alias file or remove it") from exc
    entries = data.get("programs", []) if isinstance(data, dict) else []
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("ja"), list) or not isinstance(entry.get("en"), list):
            raise ValueError(
                f"{path}: programs[{i}] must be an object with lists 'ja' and 'en'; got {entry!r}"
            )
        out.append({"ja": [str(x) for x in entry["ja"]], "en": [str(x) for x in entry["en"]]})
    return out


class Gazetteer(_Frozen):
    """The subjects of a collection and how questions may name them.

    Example:
        >>> gaz = Gazetteer(entries=(SubjectEntry(name="海外特別研究員事業", short_forms=("海外特別研究員",)),))
        >>> gaz.match("海外特別研究員の採用人数は？")[0].kind
        'short'
    """

    entries: tuple[SubjectEntry, ...] = ()

    def names(self) -> list[str]:
        """Every subject's full name."""
        return [e.name for e in self.entries]

    @cached_property
    def _index(self) -> "_MatchIndex":
        # Built on first use and kept with this (frozen) gazetteer; not a field, so not compared or dumped.
        return _MatchIndex(self.entries)

    def warm_up(self) -> None:
        """Build the match tables now (also those for partial names), not on the first questions.

        Example:
            >>> Gazetteer(entries=(SubjectEntry(name="海外特別研究員事業"),)).warm_up()
        """
        self._index.partial_candidates("")
        self._index.names_containing("")
        _ = self._readings

    def entry(self, name: str) -> SubjectEntry | None:
        """The entry called `name` (its full name, or a form that names only it)."""
        found = self._index.by_name.get(name)
        if found is not None:
            return self.entries[found]
        matches = self.match(name)
        return self.entry(matches[0].name) if matches and matches[0].kind != "partial" else None

    def match(self, question: str) -> list[SubjectMatch]:
        """The subjects a question names, most specific first (longest, then exact before loose).

        Overlapping matches keep the longest, so a shorter name inside a longer matched one is dropped;
        each subject appears once. A name written as the end of a longer name the gazetteer does not
        know ("ZETA国際共同研究プログラム" when only "国際共同研究プログラム" is known) is another program and is
        not matched. When nothing matches exactly, a distinctive part of a name (5+ characters, not a
        generic word, not inside a longer program name of the question) is accepted as kind "partial".
        """
        q = unicodedata.normalize("NFKC", question)
        names_only = _without_years(q)
        candidates: list[SubjectMatch] = []
        # Only the forms the index says can occur in q are tried (same order as trying every form of
        # every entry: entry, then form, then position), so the cost does not grow with the gazetteer.
        for e, f, start, end in self._index.occurrences(q):
            entry = self.entries[e]
            form, kind, score = entry.surfaces()[f]
            candidates.append(SubjectMatch(name=entry.name, surface=q[start:end], start=start, end=end, kind=kind, score=score))
        candidates += self._read_abbreviations(q)
        chosen = _non_overlapping(candidates)
        # Longest first: a match inside a longer one is gone; then a match that is the tail of a longer,
        # unknown name is dropped (after the overlap test, so it cannot let a shorter name back in).
        chosen = [m for m in chosen if not _name_prefix(names_only, m.start, m.surface)]
        if not chosen and not candidates:
            chosen = self._partial(q, names_only)
            known = {m.name for m in chosen}
            chosen += [m for m in self._partial_respelled(q) if m.name not in known]
        chosen.sort(key=lambda m: (-(m.end - m.start) * m.score, m.start))
        return chosen

    def _read_abbreviations(self, q: str) -> list[SubjectMatch]:
        """Abbreviations written in katakana as they are said ("サトレップス", "ダブリューピーアイ")."""
        return [
            SubjectMatch(name=name, surface=run.group(), start=run.start(), end=run.end(), kind="abbreviation", score=0.9)
            for run in KATAKANA_RUN.finditer(q)
            for name in self._readings.names(run.group())
        ]

    @cached_property
    def _readings(self):
        """The entries' Latin abbreviations (SICORP) by how katakana writes them (see `ingest.readings`)."""
        table: dict[str, list[str]] = {}
        for e in self.entries:
            for a in e.abbreviations:
                table.setdefault(a, []).append(e.name)
        return ReadingIndex(table)

    def _partial_respelled(self, q: str) -> list[SubjectMatch]:
        """Partial names written in the other spelling of a word ("招聘事業" for "…招へい事業"), with their
        surfaces as the question writes them."""
        found: list[SubjectMatch] = []
        for a, b in _SPELLING_VARIANTS:
            for written, documents in ((b, a), (a, b)):
                if written not in q:
                    continue
                for m in self._partial(q.replace(written, documents)):
                    surface = m.surface.replace(documents, written)
                    start = q.find(surface)
                    if start >= 0 and written in surface:
                        found.append(m.model_copy(update={"surface": surface, "start": start, "end": start + len(surface)}))
        return found

    def _partial(self, q: str, names_only: str | None = None) -> list[SubjectMatch]:
        names_only = _without_years(q) if names_only is None else names_only
        best: dict[str, SubjectMatch] = {}
        index = self._index
        # A form shares a common substring of 5+ characters with q only if it shares a 5-gram: the
        # other forms cannot pass the length test below and are not looked at.
        for e, f in index.partial_candidates(q):
            entry = self.entries[e]
            form = entry.name if f == 0 else entry.short_forms[f - 1]
            lcs_start, length = _longest_common(q, form)
            if length < 5:
                continue
            piece = q[lcs_start : lcs_start + length]
            if acted_on(q, lcs_start + length):
                continue  # "国際頭脳循環への参画を牽引する": a topic the question acts on, not a program's name
            before = q[lcs_start - 1 : lcs_start]
            at = form.find(piece)
            if before and re.match(r"[\u4e00-\u9fff\u30a0-\u30ff]", before) and (at <= 0 or form[at - 1] != before):
                continue  # "外国人特別研究員": the piece continues another word, not this name ("海外特別研究員")
            distinctive = piece
            for word in _GENERIC_WORDS:
                distinctive = distinctive.replace(word, "")
            if len(distinctive) < 3:
                continue
            shortest = min(len(_without_abbreviation(x)) for x in [entry.name, *entry.short_forms])
            if length < 8 and length < 0.4 * shortest:
                continue
            if index.names_containing(_fold(piece)) != 1:
                continue
            if _inside_other_name(names_only, lcs_start, lcs_start + length, entry):
                continue
            score = 0.5 * min(1.0, length / max(shortest, 1))
            match = SubjectMatch(name=entry.name, surface=piece, start=lcs_start, end=lcs_start + length, kind="partial", score=round(score, 3))
            if entry.name not in best or best[entry.name].end - best[entry.name].start < length:
                best[entry.name] = match
        return _non_overlapping(list(best.values()))


# Year words blanked out of a question before looking at the characters around a name ("令和4年度SICORP").
_YEAR_WORDS_RE = re.compile(r"前々年度|前年度|昨年度|今年度|本年度|当年度|来年度|翌年度|年度")


def _without_years(q: str) -> str:
    """`q` with years and year words replaced by spaces (same length, so offsets hold)."""
    chars = list(q)
    spans = [(y.start, y.end) for y in find_years(q)] + [(m.start(), m.end()) for m in _YEAR_WORDS_RE.finditer(q)]
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _is_name_char(c: str) -> bool:
    return bool(_NAME_CHARS.match(c)) or (c.isascii() and (c.isalnum() or c in "-&"))


def _name_prefix(q: str, start: int, surface: str) -> str:
    """The name characters written right before a matched `surface` at `start` that make a longer name:
    Latin letters ("ZETA" before "国際共同研究プログラム"), or two or more kanji/katakana before a surface that
    is a program's name ("戦略的" before "国際共同研究プログラム"; not "新規" before a short form). "" when none."""
    begin = start
    while begin > 0 and _is_name_char(q[begin - 1]) and q[begin - 1] != "・":
        begin -= 1
    prefix = q[begin:start]
    if any(c.isascii() and c.isalpha() for c in prefix):
        return prefix
    if len([c for c in prefix if _NAME_CHARS.match(c)]) >= 2 and _ends_like_program(surface):
        return prefix
    return ""


def _inside_other_name(q: str, start: int, end: int, entry: "SubjectEntry") -> bool:
    """Whether q[start:end] is part of a longer program name the question writes that is not `entry`'s:
    "ZETA青少年サイエンス交流事業" names another program than "国際青少年サイエンス交流事業"."""
    begin, stop = start, end
    while begin > 0 and _is_name_char(q[begin - 1]):
        begin -= 1
    while stop < len(q) and _is_name_char(q[stop]):
        stop += 1
    if (begin, stop) == (start, end):
        return False
    outer = q[begin:stop].strip()
    own = {_fold(f) for f, _k, _s in entry.surfaces()}
    if _fold(outer) in own:
        return False
    latin_outside = any(c.isascii() and c.isalpha() for c in q[begin:start] + q[end:stop])
    return latin_outside or _ends_like_program(outer)


def _folded_with_index(text: str) -> tuple[str, list[int]]:
    folded, index = [], []
    for i, ch in enumerate(text):
        if ch.isspace() or ch == "・":
            continue
        folded.append(ch.lower())
        index.append(i)
    return "".join(folded), index


def _is_latin_form(form: str, kind: str) -> bool:
    """Whether a form is matched as Latin words (case-insensitive, word-bounded) rather than as folded text."""
    return kind in {"english", "abbreviation"} or form.isascii()


def _latin_words(form: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", form.strip()) if w]


def _form_pattern(form: str) -> re.Pattern | None:
    """The regex a Latin form is found with: its words, each optionally plural, joined by spaces or hyphens."""
    words = _latin_words(form)
    if not words:
        return None
    parts = []
    for w in words:
        w_esc = re.escape(w)
        parts.append(w_esc + ("s?" if w[-1:].isalpha() and len(w) > 3 and not w.endswith("s") else "") if w.isascii() else w_esc)
    pattern = r"(?<![A-Za-z0-9])" + r"[\s\-]*".join(parts) + r"(?![A-Za-z0-9])"
    return re.compile(pattern, flags=re.IGNORECASE)


# The non-ASCII characters an ASCII letter matches under re.IGNORECASE (found by testing every code point),
# mapped to that letter; with ASCII lower-casing this gives text in which a Latin form's first word, lower-cased,
# occurs wherever the form's regex can start a match.
_LATIN_CASE_EQUIVALENTS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _latin_skeleton(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text.translate(_LATIN_CASE_EQUIVALENTS))


_GRAM = 5
"""`Gazetteer._partial` accepts common substrings of 5+ characters, so forms are found by their 5-grams."""
_FORM_BITS = 12


class _GramIndex:
    """Which strings contain a given 5-gram: sorted gram hashes with the string ids beside them (numpy
    arrays, ~12 bytes per distinct gram of a string, instead of a dict of Python lists)."""

    def __init__(self, strings: Iterable[str]) -> None:
        import numpy as np
        from array import array

        hashes, ids = array("q"), array("i")
        for i, text in enumerate(strings):
            grams = {hash(text[k : k + _GRAM]) for k in range(len(text) - _GRAM + 1)}
            hashes.extend(grams)
            ids.extend([i] * len(grams))
        h = np.frombuffer(hashes, dtype=np.int64)
        order = np.argsort(h, kind="stable")
        self._hashes = h[order]
        self._ids = np.frombuffer(ids, dtype=np.int32)[order]

    def ids_with_any_gram(self, text: str) -> list[int]:
        """Ids of the strings sharing at least one 5-gram with `text` (a superset: hashes may collide), ascending."""
        import numpy as np

        keys = np.array(sorted({hash(text[k : k + _GRAM]) for k in range(len(text) - _GRAM + 1)}), dtype=np.int64)
        if not len(keys):
            return []
        lo = np.searchsorted(self._hashes, keys, side="left")
        hi = np.searchsorted(self._hashes, keys, side="right")
        found = [self._ids[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if b > a]
        return np.unique(np.concatenate(found)).tolist() if found else []


class _MatchIndex:
    """A gazetteer's forms indexed for matching questions, built once: the cost of `Gazetteer.match` then
    depends on the question's length and on the forms that occur in it, not on the number of subjects
    (measured on the 10k-chunk synthetic index, 2,614 subjects: 792 ms a question scanning them all, 3.3 ms).

    - folded forms (NFKC, lower case, no spaces or middle dots) by their text: every substring of the
      folded question whose length is a form length is looked up;
    - Latin forms by their first word, lower-cased: looked up the same way in the question's
      `_latin_skeleton`, then confirmed with the form's regex;
    - for partial matches, 5-gram indexes of the names and short forms, and of the folded full names.
    """

    def __init__(self, entries: tuple[SubjectEntry, ...]) -> None:
        self.entries = entries
        self.by_name: dict[str, int] = {}
        self.folded: dict[str, list[int]] = {}
        self.latin: dict[str, list[int]] = {}
        self.latin_always: list[int] = []
        self._patterns: dict[str, re.Pattern | None] = {}
        self._forms: _GramIndex | None = None
        self._form_ids: list[tuple[int, int]] = []
        self._names: _GramIndex | None = None
        self._folded_names: list[str] | None = None
        for e, entry in enumerate(entries):
            self.by_name.setdefault(entry.name, e)
            for f, (form, kind, _score) in enumerate(entry.surfaces()):
                if f >= 1 << _FORM_BITS:
                    raise ValueError(f"subject {entry.name!r} has more than {1 << _FORM_BITS} forms; shorten its alias list")
                packed = e << _FORM_BITS | f
                if not form:
                    continue
                if _is_latin_form(form, kind):
                    words = _latin_words(form)
                    if not words:
                        continue
                    if words[0].isascii():
                        self.latin.setdefault(words[0].lower(), []).append(packed)
                    else:
                        self.latin_always.append(packed)
                else:
                    key = _fold(form)
                    if key:
                        self.folded.setdefault(key, []).append(packed)
        self.folded_lengths = sorted({len(k) for k in self.folded})
        self.latin_lengths = sorted({len(k) for k in self.latin})

    def _pattern(self, form: str) -> re.Pattern | None:
        if form not in self._patterns:
            self._patterns[form] = _form_pattern(form)
        return self._patterns[form]

    def occurrences(self, q: str) -> list[tuple[int, int, int, int]]:
        """(entry, form, start, end) of every form of every entry found in `q` (NFKC), ordered by entry,
        form and position: the order of trying each form of each entry in turn."""
        mask = (1 << _FORM_BITS) - 1
        out: list[tuple[int, int, int, int]] = []
        folded, index = _folded_with_index(q)
        n = len(folded)
        for pos in range(n):
            for length in self.folded_lengths:
                if pos + length > n:
                    break
                hits = self.folded.get(folded[pos : pos + length])
                if hits:
                    end = index[pos + length - 1] + 1
                    out += [(p >> _FORM_BITS, p & mask, index[pos], end) for p in hits]
        latin: set[int] = set(self.latin_always)
        skeleton = _latin_skeleton(q)
        n = len(skeleton)
        for pos in range(n):
            if not skeleton[pos].isascii():
                continue
            for length in self.latin_lengths:
                if pos + length > n:
                    break
                hits = self.latin.get(skeleton[pos : pos + length])
                if hits:
                    latin.update(hits)
        for p in latin:
            e, f = p >> _FORM_BITS, p & mask
            form = self.entries[e].surfaces()[f][0]
            pattern = self._pattern(form)
            if pattern is not None:
                out += [(e, f, m.start(), m.end()) for m in pattern.finditer(q)]
        out.sort(key=lambda t: (t[0], t[1], t[2]))
        return out

    def partial_candidates(self, q: str) -> list[tuple[int, int]]:
        """(entry, form) of the names and short forms (form 0 = the name, i = short_forms[i - 1]) that
        share a 5-gram with `q`, in entry and form order."""
        if self._forms is None:
            ids: list[tuple[int, int]] = []

            def forms():
                for e, entry in enumerate(self.entries):
                    for f, form in enumerate((entry.name, *entry.short_forms)):
                        ids.append((e, f))
                        yield form

            self._forms = _GramIndex(forms())
            self._form_ids = ids
        return [self._form_ids[i] for i in self._forms.ids_with_any_gram(q)]

    def names_containing(self, key: str) -> int:
        """How many entries' folded full names contain the folded text `key`."""
        if self._folded_names is None:
            self._folded_names = [_fold(e.name) for e in self.entries]
            self._names = _GramIndex(self._folded_names)
        if len(key) < _GRAM:
            return sum(key in n for n in self._folded_names)
        return sum(key in self._folded_names[i] for i in self._names.ids_with_any_gram(key[:_GRAM]))


def _non_overlapping(candidates: list[SubjectMatch]) -> list[SubjectMatch]:
    chosen: list[SubjectMatch] = []
    seen: set[str] = set()
    for c in sorted(candidates, key=lambda m: (-(m.end - m.start), -m.score, m.start)):
        if c.name in seen or any(c.start < o.end and o.start < c.end for o in chosen):
            continue
        chosen.append(c)
        seen.add(c.name)
    return chosen


def _longest_common(a: str, b: str) -> tuple[int, int]:
    """(start in a, length) of the longest common substring of a and b."""
    best_len, best_start = 0, 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best_len:
                    best_len, best_start = cur[j], i - cur[j]
        prev = cur
    return best_start, best_len


def build_gazetteer(
    docs_or_facts: Iterable[Document | Fact], aliases: str | Path | list[dict] | None = None
) -> Gazetteer:
    """A gazetteer of the subjects named in `docs_or_facts` (documents, extracted facts, or both).

    Args:
        docs_or_facts: normalized `Document`s (names are derived from their headings) and/or `Fact`s
            (their subjects are names).
        aliases: English alias entries, a path to an alias JSON file, or None for `ingest/aliases_en.json`.

    Example:
        >>> build_gazetteer([]).entries
        ()
    """
    order: list[str] = []
    kinds: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for item in docs_or_facts:
        if isinstance(item, Document):
            mentions = derive_names(item)
            for mention in mentions:
                name = _canonical(mention.name)
                if name not in kinds:
                    order.append(name)
                    kinds[name] = "section" if mention.kind == "numbered" else "program"
            for group, names in find_groups(item.text, mentions).items():
                for name in names:
                    members.setdefault(group, [])
                    if name not in members[group]:
                        members[group].append(name)
        elif isinstance(item, Fact):
            if item.subject and _canonical(item.subject) not in kinds:
                order.append(_canonical(item.subject))
                kinds[_canonical(item.subject)] = "program"
        else:
            raise TypeError(
                f"build_gazetteer takes Document and Fact values; got {type(item).__name__}. "
                "Pass normalized documents or extracted facts"
            )
    # A name without its abbreviation is the same subject as the name with it.
    by_base: dict[str, str] = {}
    for name in order:
        if _abbreviations(name):
            by_base.setdefault(_fold(_without_abbreviation(name)), name)
    merged: list[str] = []
    for name in order:
        target = by_base.get(_fold(name), name) if not _abbreviations(name) else name
        if target not in merged:
            merged.append(target)
    for group, names in members.items():
        kinds[group] = "group"
        members[group] = [by_base.get(_fold(n), n) for n in names]
    # Short forms must name one subject only.
    shorts = {name: _short_forms(name) for name in merged}
    owners: dict[str, set[str]] = {}
    for name, forms in shorts.items():
        for f in forms:
            owners.setdefault(_fold(f), set()).add(name)
    full_names = {_fold(n) for n in merged} | {_fold(_without_abbreviation(n)) for n in merged}
    alias_entries = aliases if isinstance(aliases, list) else load_aliases(aliases)
    entries = []
    for name in merged:
        forms = tuple(dict.fromkeys(f for f in shorts[name] if len(owners[_fold(f)]) == 1 and _fold(f) not in full_names))
        abbreviations = _abbreviations(name)
        keys = {_fold(k) for k in (name, _without_abbreviation(name), *abbreviations, *forms)}
        english: list[str] = []
        for alias in alias_entries:
            if keys & {_fold(j) for j in alias["ja"]}:
                english += [e for e in alias["en"] if e not in english]
        entries.append(
            SubjectEntry(
                name=name,
                abbreviations=abbreviations,
                short_forms=forms,
                english=tuple(english),
                kind=kinds.get(name, "program"),
                members=tuple(members.get(name, ())),
            )
        )
    return Gazetteer(entries=tuple(entries))
