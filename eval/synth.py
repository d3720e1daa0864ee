"""A synthetic Japanese document archive of any size, for the speed and scale benchmark.

Pages are made by recombining real sentences (the bundled MEXT budget paper and the JSQuAD-valid
Wikipedia paragraphs), so character n-gram statistics stay those of real Japanese text; program
names, acronyms and figures are varied, so a 100k-page archive is not 100 copies of one paper and
BM25 postings grow the way a ministry's archive would. Every page is short enough to be one chunk
(`max_page_chars` below the indexer's 300-character bound), so the page count is the chunk count.

Generation is deterministic and prefix-stable: document `i` depends only on (`seed`, `i`), so the
1k-page corpus is the beginning of the 10k-page one. Each program's budget line is recorded as a
`SyntheticFact`, from which `questions()` makes questions with a known answer page.

Example:
    >>> corpus = SyntheticCorpus(seed=0)
    >>> docs = corpus.documents(40)
    >>> sum(len(d.pages) for d in docs)
    40
    >>> docs[0].source
    'synth/doc000000.txt'
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ingest.models import RawDocument

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = ROOT / "corpus" / "mext_r4_international_sti.txt"
JSQUAD_PASSAGES = Path(__file__).resolve().parent / "bench" / "jsquad-valid" / "passages.jsonl"

PROGRAM_SLOT = "〈P〉"
"""Where a MEXT sentence named a program; filled with the page's synthetic program."""

# Program names in the bundled paper (and their bare acronyms) become a slot, so every synthetic
# page talks about its own program.
_PROGRAM_NAME = re.compile(
    r"[\u4e00-\u9fff\u30a0-\u30ffー・]{2,}(?:プログラム|事業)(?:[（(][A-Za-z\-]+[）)])?"
)
_BARE_ACRONYMS = re.compile(r"(?<![A-Za-z])(?:SICORP|SATREPS|WPI|AJ-CORE|CONCERT-Japan|e-ASIA)(?![A-Za-z])")
_DIGITS = re.compile(r"[0-9０-９]+")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"(?<=[。！？])")

FIELDS = (
    "量子", "海洋", "防災", "宇宙", "脳科学", "半導体", "農業", "医療", "環境", "材料", "情報", "原子力",
    "エネルギー", "気候変動", "生命科学", "人工知能", "感染症", "極域", "火山", "水素", "ロボット", "データ",
)
MODIFIERS = (
    "戦略的", "先端", "次世代", "国際", "地域", "若手", "創発的", "基盤", "革新的", "未来", "共創", "産学連携",
)
KINDS = (
    "研究推進プログラム", "共同研究事業", "人材育成事業", "拠点形成プログラム", "交流事業", "基盤整備事業",
    "研究開発プロジェクト", "国際協力プログラム",
)
BUREAUS = ("研究振興局", "科学技術・学術政策局", "研究開発局", "高等教育局", "国際統括官")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACRONYM_SPACE = 26**5
_ACRONYM_STEP = 7_368_787  # coprime with 26: index → acronym is one-to-one below 26**5


@dataclass(frozen=True)
class SyntheticFact:
    """A budget figure written on a synthetic page: the answer to one generated question."""

    source: str
    page: int
    program: str
    acronym: str
    fiscal_year: str
    value: str


@dataclass(frozen=True)
class SyntheticQuestion:
    """A question about a synthetic corpus, with the page that answers it."""

    question: str
    source: str
    page: int
    value: str


def acronym(index: int) -> str:
    """A unique five-letter program acronym for program number `index` (unique below 26**5).

    Example:
        >>> acronym(0), acronym(1) != acronym(0)
        ('CSGHJ', True)
    """
    if not 0 <= index < _ACRONYM_SPACE:
        raise ValueError(f"program index must be in [0, {_ACRONYM_SPACE}); got {index}")
    n = (index * _ACRONYM_STEP + 1_234_567) % _ACRONYM_SPACE
    letters = []
    for _ in range(5):
        n, r = divmod(n, 26)
        letters.append(_LETTERS[r])
    return "".join(reversed(letters))


def reroll_digits(text: str, rng: random.Random) -> str:
    """Replace every run of digits with random digits of the same length (no new leading zero).

    Keeps the shape of a figure ("1,160百万円" → "7,384百万円", "令和4年度" → "令和8年度") so
    the text still reads like a budget paper while the values differ page to page.

    Example:
        >>> out = reroll_digits("1,160百万円", random.Random(1))
        >>> len(out) == len("1,160百万円") and out.endswith("百万円") and "," in out
        True
    """

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        first = str(rng.randint(1, 9)) if run[0] not in "0０" or len(run) == 1 else "0"
        return first + "".join(str(rng.randint(0, 9)) for _ in run[1:])

    return _DIGITS.sub(replace, text)


def split_sentences(text: str, *, min_chars: int = 8, max_chars: int = 150) -> list[str]:
    """Sentences (ending in 。！？ or a paragraph end) with some Japanese and a length in bounds.

    Lines of one paragraph are joined first: the PDF export broke sentences at line ends.

    Example:
        >>> split_sentences("予算を計上す\\nる。研究者を支援する。\\n\\nabc")
        ['予算を計上する。', '研究者を支援する。']
    """
    out = []
    for line in _joined_lines(text):
        for sentence in _SENTENCE_END.split(line):
            sentence = sentence.strip()
            if min_chars <= len(sentence) <= max_chars and _JAPANESE.search(sentence):
                out.append(sentence)
    return out


_BULLETS = "○◇◆■□●※【⃝・(（"


def _joined_lines(text: str) -> list[str]:
    """Lines with a sentence re-joined where the export broke it (not before a bullet or heading)."""
    lines: list[str] = []
    open_line = False
    for raw in text.replace("\f", "\n\n").split("\n"):
        line = raw.strip()
        if not line:
            open_line = False
            continue
        if open_line and lines and not line.startswith(tuple(_BULLETS)):
            lines[-1] += line
        else:
            lines.append(line)
        open_line = not line.endswith(("。", "！", "？"))
    return lines


def _slot_programs(sentence: str) -> str:
    return _BARE_ACRONYMS.sub(PROGRAM_SLOT, _PROGRAM_NAME.sub(PROGRAM_SLOT, sentence))


class SentenceBank:
    """The real sentences pages are made of: MEXT sentences (programs slotted) and JSQuAD sentences.

    Example:
        >>> bank = SentenceBank()
        >>> len(bank.mext) > 100 and len(bank.wiki) > 1000
        True
    """

    def __init__(self, mext_text: str | None = None, wiki_bodies: list[str] | None = None) -> None:
        if mext_text is None:
            mext_text = BUNDLED_CORPUS.read_text(encoding="utf-8")
        if wiki_bodies is None:
            wiki_bodies = [json.loads(line)["body"] for line in JSQUAD_PASSAGES.read_text(encoding="utf-8").splitlines() if line.strip()]
        self.mext = [_slot_programs(s) for s in split_sentences(mext_text)]
        self.wiki = [s for body in wiki_bodies for s in split_sentences(body)]
        if not self.mext or not self.wiki:
            raise ValueError(
                f"the sentence bank is empty ({len(self.mext)} MEXT, {len(self.wiki)} JSQuAD sentences); "
                f"check {BUNDLED_CORPUS} and {JSQUAD_PASSAGES}"
            )


class SyntheticCorpus:
    """Deterministic synthetic budget papers: `documents(n_pages)` gives n pages in total.

    Args:
        seed: the corpus (same seed, same text).
        pages_per_doc: pages in each document (the last one may be shorter).
        pages_per_program: consecutive pages about one program; its budget line opens the first.
        mext_share: share of sentences taken from the MEXT paper; the rest are JSQuAD sentences.
        min_page_chars, max_page_chars: page length bounds; keep the upper one below the
            indexer's chunk size (300) so that a page is one chunk.
        bank: the sentences to draw from (default: the bundled corpus and JSQuAD-valid).

    Example:
        >>> c = SyntheticCorpus(seed=3, pages_per_doc=5)
        >>> [len(d.pages) for d in c.documents(12)]
        [5, 5, 2]
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        pages_per_doc: int = 20,
        pages_per_program: int = 4,
        mext_share: float = 0.5,
        min_page_chars: int = 120,
        max_page_chars: int = 260,
        bank: SentenceBank | None = None,
    ) -> None:
        if pages_per_doc < 1:
            raise ValueError(f"pages_per_doc must be at least 1, got {pages_per_doc}")
        if pages_per_program < 1:
            raise ValueError(f"pages_per_program must be at least 1, got {pages_per_program}")
        if not 0.0 <= mext_share <= 1.0:
            raise ValueError(f"mext_share must be in [0, 1], got {mext_share}")
        if not 40 <= min_page_chars <= max_page_chars:
            raise ValueError(
                f"page bounds must satisfy 40 <= min_page_chars <= max_page_chars, got {min_page_chars}, {max_page_chars}"
            )
        self.seed = seed
        self.pages_per_doc = pages_per_doc
        self.pages_per_program = pages_per_program
        self.mext_share = mext_share
        self.min_page_chars = min_page_chars
        self.max_page_chars = max_page_chars
        self._bank = bank

    @cached_property
    def bank(self) -> SentenceBank:
        return self._bank or SentenceBank()

    # -- documents -------------------------------------------------------------------
    def documents(self, n_pages: int) -> list[RawDocument]:
        """The first documents of the corpus, `n_pages` pages in all."""
        return [doc for doc, _ in self.iter_documents(n_pages)]

    def facts(self, n_pages: int) -> list[SyntheticFact]:
        """The budget figures written in the first `n_pages` pages."""
        return [fact for _, facts in self.iter_documents(n_pages) for fact in facts]

    def iter_documents(self, n_pages: int) -> Iterator[tuple[RawDocument, list[SyntheticFact]]]:
        """(document, its budget facts) for the first `n_pages` pages, one document at a time."""
        if n_pages < 0:
            raise ValueError(f"n_pages must be >= 0, got {n_pages}")
        index = 0
        while n_pages > 0:
            pages = min(self.pages_per_doc, n_pages)
            yield self.document(index, pages)
            n_pages -= pages
            index += 1

    def document(self, index: int, n_pages: int | None = None) -> tuple[RawDocument, list[SyntheticFact]]:
        """Document number `index` (its first `n_pages` pages) and the budget facts on them."""
        n_pages = self.pages_per_doc if n_pages is None else n_pages
        rng = random.Random(f"{self.seed}:{index}")
        source = f"synth/doc{index:06d}.txt"
        era_year = rng.randint(1, 7)
        title = f"令和{era_year}年度 {rng.choice(BUREAUS)} 予算資料 第{index + 1}号"
        programs_per_doc = -(-self.pages_per_doc // self.pages_per_program)
        pages: list[str] = []
        facts: list[SyntheticFact] = []
        for p in range(n_pages):
            slot = p // self.pages_per_program
            program_index = index * programs_per_doc + slot
            program = self._program_name(program_index)
            acr = acronym(program_index)
            header = ""
            if p % self.pages_per_program == 0:
                amount = _amount(rng)
                previous = _amount(rng)
                fiscal_year = f"令和{era_year}年度"
                value = f"{amount:,}百万円"
                header = f"◇{program}（{acr}）\n{fiscal_year}予算額(案) {value}（前年度予算額 {previous:,}百万円）\n"
                facts.append(SyntheticFact(source, p + 1, program, acr, fiscal_year, value))
            pages.append(self._page(rng, header, f"{program}（{acr}）" if rng.random() < 0.5 else acr))
        text = "\f".join(pages)
        raw = RawDocument(
            source=source,
            title=title,
            pages=tuple(pages),
            paged=True,
            content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            media_type="text/plain",
        )
        return raw, facts

    def questions(self, n_pages: int, n_questions: int, *, seed: int = 0) -> list[SyntheticQuestion]:
        """Budget questions about programs in the first `n_pages` pages, each with its answer page.

        Example:
            >>> q = SyntheticCorpus(seed=0).questions(40, 2)[0]
            >>> q.question.endswith("予算額は？") and q.source.startswith("synth/")
            True
        """
        facts = self.facts(n_pages)
        if not facts:
            return []
        rng = random.Random(f"questions:{self.seed}:{seed}")
        chosen = [facts[rng.randrange(len(facts))] for _ in range(n_questions)]
        out = []
        for i, fact in enumerate(chosen):
            # the acronym is unique in the corpus; program names alone repeat (as they do in real archives)
            subject = fact.acronym if i % 2 == 0 else f"{fact.program}（{fact.acronym}）"
            out.append(SyntheticQuestion(f"{subject}の{fact.fiscal_year}予算額は？", fact.source, fact.page, fact.value))
        return out

    def write(self, directory: str | Path, n_pages: int) -> list[Path]:
        """Write the first `n_pages` pages as UTF-8 text files (pages split by form feeds)."""
        directory = Path(directory)
        paths = []
        for raw in self.documents(n_pages):
            path = directory / Path(raw.source).name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\f".join(raw.pages), encoding="utf-8")
            paths.append(path)
        return paths

    # -- pieces ------------------------------------------------------------------------
    def _program_name(self, program_index: int) -> str:
        rng = random.Random(f"{self.seed}:program:{program_index}")
        return rng.choice(FIELDS) + rng.choice(MODIFIERS) + rng.choice(KINDS)

    def _page(self, rng: random.Random, header: str, program_mention: str) -> str:
        target = rng.randint(self.min_page_chars, self.max_page_chars)
        text = header
        tries = 0
        while len(text) < target and tries < 50:
            tries += 1
            if rng.random() < self.mext_share:
                sentence = reroll_digits(rng.choice(self.bank.mext), rng).replace(PROGRAM_SLOT, program_mention)
            else:
                sentence = rng.choice(self.bank.wiki)
            if len(text) + len(sentence) > self.max_page_chars:
                continue
            text += sentence + ("\n" if rng.random() < 0.3 else "")
        return text.strip() or header.strip()


def _amount(rng: random.Random) -> int:
    """A budget in millions of yen, log-uniform between 5 and 50,000 (5百万円 … 500億円)."""
    return int(round(10 ** rng.uniform(0.7, 4.7)))
