"""Programs named by what they do: "開発途上国と地球規模課題を解決する国際共同研究のプログラム" → SATREPS.

Each program gets a profile: the lines the documents write about it. A line belongs to a program when
it names the program, when its block holds figures the facts assign to that one program (a
`支援対象者: … 事業開始時期: …` block), or when it stands under the program's heading. Lines under
several headings in a row ("◇SICORP" / "◇SATREPS" / two descriptions) go to the heading whose name
they echo ("…地球規模課題の解決…" → 地球規模課題対応…(SATREPS)), or to all of them at a split weight.

A description clause of a question ("…を送り出す制度") is matched against the profiles by its content
words, each weighted by how few programs' profiles hold it; one program must stand clearly ahead.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from assistant.words import char_bigrams, written_as
from ingest.models import Document, Fact

DESCRIPTION_NOUNS = re.compile(r"(?:事業|プログラム|制度|仕組み|枠組み|取り組み|取組み?|プロジェクト|やつ|施策|種目|ほう(?=の))")
"""Nouns a question uses for a program it describes instead of naming ("…を海外に送り出す制度", "…に取り組む
ほうの国際共同研究": the one of two that does so)."""

MIN_SCORE = 2.0  # the best program's summed term weights: about two words only a few programs' lines hold
MIN_LEAD = 1.5  # the best program's score over the runner-up's
MIN_TERMS = 2  # content words of the clause the best program's lines must hold
_MARKS = "◇○◆●■□▷▶・•※ 　"


def program_lines(
    documents: Iterable[Document], facts: Sequence[Fact], forms: Mapping[str, Sequence[str]],
) -> dict[str, list[tuple[str, float]]]:
    """Program name → (line, weight) of the lines the documents write about it (weight 1, or 1/k for a line
    k programs' headings share). `forms`: each program's name and the other forms it is written in.

    Example:
        >>> from ingest.models import Page
        >>> text = "◇深海探査プログラム\\n深海の無人探査機を開発する。\\n◇海洋人材事業\\n若手の海洋研究者を育てる。"
        >>> doc = Document(doc_id="d", source="s", title="t", text=text, pages=(Page(number=1, start=0, end=len(text)),),
        ...                paged=False, content_hash="h")
        >>> program_lines([doc], [], {"深海探査プログラム": ["深海探査プログラム"], "海洋人材事業": ["海洋人材事業"]})["海洋人材事業"]
        [('◇海洋人材事業', 1.0), ('若手の海洋研究者を育てる。', 1.0)]
    """
    owners_by_line = _fact_owners(facts, set(forms))
    profiles: dict[str, list[tuple[str, float]]] = {name: [] for name in forms}
    ordered = _Forms(forms)
    documents = list(documents)
    own_values = _own_values(documents, owners_by_line)
    values_pattern = re.compile("|".join(map(re.escape, sorted(own_values, key=len, reverse=True))))
    for doc in documents:
        for page in doc.pages or ():
            text = doc.text[page.start : page.end]
            page_lines = [ln for ln in text.split("\n") if ln.strip()]
            on_page = sorted({n for ln in page_lines for n in ordered.named_in(unicodedata.normalize("NFKC", ln))})
            budget_headings = {h for ln in page_lines if "予算" in ln and (h := _heading_of(ln, ordered)) is not None}
            # a page whose one budget heading is a program's is that program's page, from its first line
            heading_run: list[str] = list(budget_headings) if len(budget_headings) == 1 else []
            run_open = False
            previous: tuple[str, list[tuple[str, float]]] = ("", [])  # the last line and who it went to
            for lines in _key_value_runs(page_lines):
                stated = {owners_by_line[(doc.source, ln.strip())] for ln in lines if (doc.source, ln.strip()) in owners_by_line}
                for line in lines:
                    heading = _heading_of(line, ordered)
                    if heading is not None:
                        heading_run = [*heading_run, heading] if run_open else [heading]
                        run_open = True
                        profiles[heading].append((line.strip(), 1.0))
                        previous = ("", [])
                        continue
                    run_open = False
                    text = unicodedata.normalize("NFKC", line)
                    named = ordered.named_in(text)
                    echoed = {own_values[m.group()] for m in values_pattern.finditer(text)} if own_values and not stated and not named else set()
                    if len(echoed) == 1:
                        # "▷…博士後期課程学生等を育成するため…": the words of one program's 支援対象者 value
                        owners = [(echoed.pop(), 1.0)]
                    else:
                        owners = _line_owners(text, named, stated, heading_run, forms, on_page)
                        # a bullet right after a bullet taken from the heading's program by its words
                        # ("▷…招へい" then "▷我が国の研究者と…") continues the same program's list
                        if (_bullet(line) and _bullet(line) == _bullet(previous[0]) and len(previous[1]) == 1
                                and previous[1][0][0] not in heading_run and not named):
                            owners = previous[1]
                    for name, weight in owners:
                        profiles[name].append((line.strip(), weight))
                    previous = (line, owners)
    return profiles


def _bullet(line: str) -> str:
    """The list mark a line opens with ("▷", "○", "・"), or ""."""
    stripped = line.lstrip()
    return stripped[0] if stripped and stripped[0] in "▷▶○●・•◆◇■□" else ""


_KEY_VALUE = re.compile(r"^\s*[^\s:：]{2,15}[:：]")


def _key_value_runs(lines: Sequence[str]) -> list[list[str]]:
    """The lines in runs: each run of `key: value` lines together ("支援対象者:…", "事業開始時期:…"), every
    other line alone."""
    runs: list[list[str]] = []
    for line in lines:
        if _KEY_VALUE.match(line) and runs and _KEY_VALUE.match(runs[-1][-1]):
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def _own_values(documents: Sequence[Document], owners_by_line: Mapping[tuple[str, str], str]) -> dict[str, str]:
    """The values of `key: value` lines (5+ characters, not figures) that only one program's blocks state
    ("博士後期課程学生等" of 支援対象者) → that program."""
    holders: dict[str, set[str]] = {}
    for doc in documents:
        for page in doc.pages or ():
            lines = [ln for ln in doc.text[page.start : page.end].split("\n") if ln.strip()]
            for run in _key_value_runs(lines):
                stated = {owners_by_line[(doc.source, ln.strip())] for ln in run if (doc.source, ln.strip()) in owners_by_line}
                if len(stated) != 1 or len(run) < 2:
                    continue
                for line in run:
                    value = re.split(r"[:：]", unicodedata.normalize("NFKC", line), maxsplit=1)[-1].strip()
                    if len(value) >= 5 and not re.search(r"\d", value):
                        holders.setdefault(value, set()).update(stated)
    return {value: next(iter(names)) for value, names in holders.items() if len(names) == 1}


def _fact_owners(facts: Sequence[Fact], programs: set[str]) -> dict[tuple[str, str], str]:
    """(source, line) → the one program the facts stated on that line belong to."""
    owners: dict[tuple[str, str], set[str]] = {}
    for fact in facts:
        if fact.subject in programs and fact.subject_assignment != "unassigned" and fact.confidence >= 0.6:
            owners.setdefault((fact.citation.source, fact.citation.text.strip()), set()).add(fact.subject)
    return {key: next(iter(names)) for key, names in owners.items() if len(names) == 1}


class _Forms:
    """The programs' forms (3+ characters), looked up by their first three characters, so a line is
    checked against the few forms that can start at each of its positions, not against all of them."""

    def __init__(self, forms: Mapping[str, Sequence[str]]) -> None:
        self.by_prefix: dict[str, list[tuple[str, str]]] = {}
        for name, written in forms.items():
            for form in {unicodedata.normalize("NFKC", f) for f in written if len(f) >= 3}:
                self.by_prefix.setdefault(form[:3], []).append((form, name))
        for candidates in self.by_prefix.values():
            candidates.sort(key=lambda pair: -len(pair[0]))

    def starting(self, text: str, at: int = 0) -> list[tuple[str, str]]:
        """(form, name) of the forms written at offset `at` of `text`, longest first."""
        return [(form, name) for form, name in self.by_prefix.get(text[at : at + 3], ()) if text.startswith(form, at)]

    def named_in(self, text: str) -> set[str]:
        """The programs whose forms `text` writes anywhere."""
        return {name for at in range(len(text) - 2) for _, name in self.starting(text, at)}


def _heading_of(line: str, ordered: _Forms) -> str | None:
    """The program a line opens with as a heading ("◇戦略的国際共同研究プログラム（SICORP）"): its name as the
    whole word (not "海外特別研究員採用者の")."""
    stripped = unicodedata.normalize("NFKC", line).strip().lstrip(_MARKS)
    for form, name in ordered.starting(stripped):
        after = stripped[len(form) : len(form) + 1]
        if not after or not re.match(r"[\u30a0-\u30ff\u4e00-\u9fff]", after) or stripped[len(form):].startswith("令和"):
            return name
    return None


def _line_owners(
    text: str, named: set[str], stated: set[str], heading_run: Sequence[str],
    forms: Mapping[str, Sequence[str]], on_page: Sequence[str] = (),
) -> list[tuple[str, float]]:
    """Who a line (`text`, NFKC; `named`: the programs it names) is about: the one program it names; else
    the one program its block's facts belong to; else the headings it stands under (the one whose name
    it echoes most, or all at a split weight), unless it echoes another program of its page clearly more
    ("…海外との青少年交流を促進…" under the heading before 国際青少年サイエンス交流事業's)."""
    if len(named) == 1:
        return [(next(iter(named)), 1.0)]
    if len(stated) == 1:
        return [(next(iter(stated)), 1.0)]
    run = list(dict.fromkeys(heading_run))
    if on_page and run:
        # echoes of the bigrams only one program of the page has in its name ("青少", "少年": not "研究", "若手")
        bigrams = {name: char_bigrams(max(forms[name], key=len)) for name in on_page}
        line_bigrams = char_bigrams(text)
        own = {name: {b for b in grams if not any(b in bigrams[o] for o in on_page if o != name)} for name, grams in bigrams.items()}
        echoes = {name: len(own[name] & line_bigrams) for name in on_page}
        best = max(echoes, key=lambda n: echoes[n])
        if best not in run and echoes[best] >= 3 and echoes[best] > max(echoes.get(n, 0) for n in run) + 1:
            return [(best, 1.0)]
    if len(run) <= 1:
        return [(name, 1.0) for name in run]
    echoes = {name: _echo(text, forms[name]) for name in run}
    best = max(echoes.values())
    leaders = [name for name in run if echoes[name] == best]
    if best >= 2 and len(leaders) == 1:
        return [(leaders[0], 1.0)]
    return [(name, 1.0 / len(run)) for name in run]


def _echo(text: str, forms: Sequence[str]) -> int:
    """How many character bigrams of a program's longest form a line repeats."""
    return len(char_bigrams(max(forms, key=len)) & char_bigrams(text))


def described_program(terms: Sequence[str], profiles: Mapping[str, Sequence[tuple[str, float]]]) -> str | None:
    """The one program whose lines hold the description's content words best, or None.

    Each program's lines are scored as one document with BM25: a word counts by the (weighted) number
    of the program's lines holding it, saturating, times log(N/df) for the N programs of which df hold
    it (a word every program's lines hold says nothing), and a program with many lines (a whole page of
    policy prose) needs more of the words to lead than one with a few.

    Example:
        >>> profiles = {"A": [("深海の無人探査機を開発する。", 1.0)], "B": [("若手の海洋研究者を育てる。", 1.0)],
        ...             "C": [("北極の海氷を観測する。", 1.0)]}
        >>> described_program(["無人探査機", "深海"], profiles)
        'A'
        >>> described_program(["海洋"], profiles) is None
        True
    """
    return ProfileText(profiles).best(terms)


BM25_K1 = 1.2  # the textbook BM25 constants: how fast repeated lines saturate,
BM25_B = 0.75  # and how much a long profile is discounted


class ProfileText:
    """All programs' lines in one string, so a word is found with one search over it (not one per program):
    offsets map back to (program, weight)."""

    def __init__(self, profiles: Mapping[str, Sequence[tuple[str, float]]]) -> None:
        self.names = list(profiles)
        parts, self.starts, self.owners = [], [], []
        self.lengths: dict[str, float] = {name: 0.0 for name in self.names}
        offset = 0
        for name, lines in profiles.items():
            for line, weight in lines:
                parts.append(unicodedata.normalize("NFKC", line))
                self.starts.append(offset)
                self.owners.append((name, weight))
                self.lengths[name] += weight
                offset += len(parts[-1]) + 1
        self.text = "\n".join(parts)

    def _lines_with(self, anchor: str, others: Sequence[str] = ()) -> dict[str, float]:
        """Program → summed weight of its lines holding `anchor` and every one of `others`."""
        held: dict[str, float] = {}
        seen: set[int] = set()
        at = self.text.find(anchor) if anchor else -1
        while at >= 0:
            line = bisect.bisect_right(self.starts, at) - 1
            end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
            if line not in seen and all(other in self.text[self.starts[line] : end] for other in others):
                seen.add(line)
                name, weight = self.owners[line]
                held[name] = held.get(name, 0.0) + weight
            at = self.text.find(anchor, at + 1)
        return held

    def held_by(self, term: str) -> dict[str, float]:
        """Program → the summed weight of its lines holding `term`."""
        return self._lines_with(unicodedata.normalize("NFKC", term))

    def held_by_parts(self, term: str, parts: Sequence[str]) -> dict[str, float]:
        """Program → weight for `term`, or, when no line holds the whole compound, for the lines holding
        every one of its `parts` ("博士課程" → lines with 博士 and 課程: 博士後期課程)."""
        held = self.held_by(term)
        for form in written_as(term)[1:] if not held else ():  # "大学院生": the lines write 博士後期課程学生
            for name, weight in self.held_by(form).items():
                held[name] = max(held.get(name, 0.0), weight)
        if held or not parts:
            return held
        parts = [unicodedata.normalize("NFKC", p) for p in parts]
        anchor = max(parts, key=len)
        return self._lines_with(anchor, [p for p in parts if p != anchor])

    def best(self, terms: Sequence[str | tuple[str, Sequence[str]]]) -> str | None:
        """The one program whose lines hold `terms` clearly best (see `described_program`), or None.
        A term may come with its parts (see `held_by_parts`)."""
        if len(self.names) < 2:
            return None
        pairs = [(t, ()) if isinstance(t, str) else (t[0], tuple(t[1])) for t in terms]
        return _leader({t: self.held_by_parts(t, parts) for t, parts in dict.fromkeys(pairs)}, self.lengths)


def _leader(held: Mapping[str, Mapping[str, float]], lengths: Mapping[str, float]) -> str | None:
    """The program scoring clearly best (BM25) over the words' holders (word → program → line weight)."""
    n = len(lengths)
    average = sum(lengths.values()) / n or 1.0
    scores: dict[str, float] = {}
    counts: dict[str, int] = {}
    for by_program in held.values():
        df = sum(1 for w in by_program.values() if w > 0)
        if df == 0:
            continue
        idf = math.log(n / df)
        for name, tf in by_program.items():
            if tf > 0:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths.get(name, average) / average)
                scores[name] = scores.get(name, 0.0) + idf * tf * (BM25_K1 + 1) / (tf + norm)
                counts[name] = counts.get(name, 0) + (1 if idf > 0 else 0)
    ranked = sorted(scores, key=lambda name: -scores[name])
    if not ranked:
        return None
    top, second = scores[ranked[0]], (scores[ranked[1]] if len(ranked) > 1 else 0.0)
    if top < MIN_SCORE or counts[ranked[0]] < MIN_TERMS or top < MIN_LEAD * second:
        return None
    return ranked[0]


def description_clauses(question: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a question that end with a noun standing for a program
    ("高校生を海外から受け入れる事業"), each back to the previous clause or punctuation.

    Example:
        >>> q = "高校生を受け入れる事業と、博士課程の学生を送り出すプログラム、どちらが古い？"
        >>> [q[s:e] for s, e in description_clauses(q)]
        ['高校生を受け入れる事業', '博士課程の学生を送り出すプログラム']
    """
    spans: list[tuple[int, int]] = []
    boundary = 0
    for match in DESCRIPTION_NOUNS.finditer(question):
        start = max(boundary, *(m.end() for m in re.finditer(r"[、。？?！!,，]|と、", question[: match.start()])), 0)
        end = match.end()
        if match.group() == "ほう":  # "…に取り組むほうの国際共同研究": the noun after ほうの is what the clause picks one of
            noun = re.match(r"の[\u4e00-\u9fff\u30a0-\u30ffA-Za-z]+", question[end:])
            end += noun.end() if noun else 0
        if match.start() - start >= 4:
            spans.append((start, end))
        boundary = end
    return spans
