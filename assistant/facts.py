"""Figure questions: question → `FactQuery` → lookup in the extracted facts → `FactResult`.

Only generic vocabulary lives here (attribute words in Japanese and English, unit words, operation
words); subject names come from the gazetteer, which is derived from the documents.

Every number a `FactResult` carries is a fact's value as written, or derived from cited facts only
(a difference, a percentage, a sum, a unit conversion). When the subject, the attribute or the year is
not in the facts, the result is not answerable and the caller falls back to passages.

Example:
    >>> from ingest.models import Citation, Fact
    >>> from ingest.gazetteer import build_gazetteer
    >>> cite = Citation(source="a.txt", title="a", page=2, text="…", start=0, end=1)
    >>> facts = [Fact(subject="戦略的国際共同研究プログラム(SICORP)", attribute="令和4年度予算額(案)", value="1,160百万円",
    ...               amount_yen=1_160_000_000, fiscal_year="令和4年度", citation=cite)]
    >>> index = FactsIndex.build(facts)
    >>> describe_fact_result(index.answer("SICORPの令和4年度予算額は何億円？"))
    '戦略的国際共同研究プログラム(SICORP)の令和4年度予算額(案)は11.6億円（1,160百万円）です。'
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from functools import cached_property
from itertools import zip_longest

from pydantic import BaseModel, ConfigDict

from ingest.facts import UNASSIGNED, attribute_detail, canonical_attribute
from ingest.gazetteer import Gazetteer, SubjectEntry, acted_on, build_gazetteer, respellings
from ingest.models import Document, Fact
from assistant.answer import detect_lang
from assistant.describe import ProfileText, description_clauses, program_lines
from assistant.words import USER_WORDS, char_bigrams, description_terms, focus_terms, name_words
from ingest.units import (
    YEARS_PER_DURATION_UNIT, YEN_UNITS, find_quantities, find_years, fiscal_year_label, parse_money, to_western_year,
)

__all__ = [
    "FactOperation",
    "FactQuery",
    "FactResult",
    "FactsIndex",
    "parse_fact_question",
    "lookup",
    "format_amount",
    "describe_fact_result",
    "facts_table",
]


class FactOperation(str, Enum):
    """What a figure question asks for."""

    LOOKUP = "lookup"
    DIFF = "diff"
    COMPARE = "compare"
    SUM = "sum"


# -- generic vocabulary --------------------------------------------------------------------------------------
# (canonical attribute, Japanese cue words, English cue words); the first entry whose cue occurs wins,
# so specific words come before general ones.
ATTRIBUTE_CUES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("補正予算額", ("補正予算", "補正"), ("supplementary budget", "supplementary", "extra budget")),
    ("渡航期間", ("渡航期間", "派遣期間"), ("travel period", "stay abroad")),
    ("受入期間", ("受入期間", "受け入れ期間", "受入れ期間", "期間受け入れ", "期間受入"), ("hosting period",)),
    ("事業期間", ("事業期間",), ("program period", "programme period")),
    ("事業開始時期", ("開始時期", "開始年度", "初年度", "設立", "導入年度", "創設年度", "いつから", "いつ始", "始まった", "開始された", "開始", "創設", "始ま", "はじま", "スタート", "発足", "始動",
                 "立ち上", "何年度から", "からやって", "から実施されて"),
     ("start", "started", "starts", "began", "begin", "since when", "launched", "established", "founded", "created")),
    ("新規採用人数", ("新規採用人数", "採用人数", "採用予定", "採用"), ("new fellows", "fellows", "fellowships awarded", "hired", "recruit")),
    ("受入人数", ("受入人数", "受け入れ人数", "受入れ人数", "受け入れ", "受入", "招へい人数"),
     ("participants", "visitors", "accepted", "hosted", "invited", "receive")),
    ("海外派遣人数", ("派遣人数", "派遣"), ("dispatch", "sent abroad", "send abroad")),
    ("支援期間", ("支援期間", "何年間", "何か月", "何ヶ月", "期間", "最長", "最短", "任期"), ("period", "duration", "how long", "length", "how many years")),
    ("支援件数", ("支援件数", "採択件数", "採択数", "何件", "件数", "課題数", "何課題", "課題はいくつ"), ("number of projects", "how many projects", "projects", "grants awarded")),
    ("支援額", ("支援額", "助成額", "1件あたり", "1件当たり", "1課題あたり", "1課題当たり", "拠点あたり", "拠点当たり", "支援規模",
             "支援金額", "いくら支援", "1件につき", "1件いくら", "件あたり", "1件で", "1課題につき", "1件採択", "程度まで支援", "1課題に", "課題に年", "1件に", "研究費", "上限額", "上限",
             "までの支援", "額の支援"),
     ("per project", "grant amount", "support amount", "funding per", "award amount", "grant size", "each project", "per grant",
      "each grant", "one project", "a single project", "per-project")),
    ("人数", ("何人", "人数", "何名", "定員"), ("how many people", "how many researchers", "how many students", "number of people")),
    ("予算額", ("予算額", "予算", "いくら", "金額", "経費", "費用", "配分額", "配分", "計上額", "措置額", "割当額", "事業費", "所要額"), ("budget", "how much", "funding", "amount", "cost", "allocation")),
)
# Canonical attributes that answer one another, most specific first.
ATTRIBUTE_FAMILIES: dict[str, tuple[str, ...]] = {
    "予算額": ("予算額",),
    "補正予算額": ("補正予算額",),
    "支援額": ("支援額", "支援規模", "事業経費"),
    "支援件数": ("支援件数", "件数", "採択件数"),
    "人数": ("新規採用人数", "受入人数", "海外派遣人数", "採用人数"),
    "新規採用人数": ("新規採用人数", "採用人数"),
    "受入人数": ("受入人数",),
    "海外派遣人数": ("海外派遣人数",),
    "支援期間": ("支援期間", "渡航期間", "受入期間"),
    "渡航期間": ("渡航期間",),
    "受入期間": ("受入期間",),
    "事業期間": ("事業期間",),
    "事業開始時期": ("事業開始時期", "事業期間"),
}
_DIFF_CUES = ("増減", "増加", "減少", "前年度比", "前年比", "対前年", "伸び", "増えた", "減った", "増額", "減額",
              "増え", "減り", "減っ", "増や", "減ら", "比べ", "比較して",
              "変化", "どれだけ増", "どのくらい増", "どれくらい増", "どれだけ減", "どのくらい減", "差額", "差は", "差",
              "同額", "変わ", "伸び率", "増加率", "減少率", "据え置", "横ばい", "違い", "違う", "円増", "円減", "人増", "人減",
              "%増", "%減", "削ら", "削減", "カット", "上積み", "積み増", "開き", "隔たり")
_DIFF_CUES_EN = ("change", "increase", "decrease", "difference", "grow", "grew", "differ", "compared with the previous",
                 "compared to the previous", "year-on-year", "year on year")
_COMPARE_CUES = ("どちら", "どっち", "大きい", "多い", "少ない", "小さい", "多か", "少なか", "大きか", "小さか", "古く", "先輩", "後発",
                 "引き離", "追い抜", "及ば", "に比して", "比較", "上回", "下回", "より", "早い", "遅い", "古い", "新しい",
                  "勝る", "勝って", "劣る", "高い", "低い", " vs", "VS", "対比", "先に", "後に", "早く", "遅く",
                  "一番", "いちばん", "最も", "もっとも", "何倍", "倍", "最近", "歴史", "最初", "番目", "順", "何%", "何パーセント", "に占める",
                  "占め", "何割", "割合", "真ん中", "何分の", "の比は", "の比を", "長い", "短い", "長か", "短か", "長く", "短く", "同じ")
_COMPARE_CUES_EN = ("which", "larger", "bigger", "more", "less", "smaller", "compare", "greater", "higher", "lower", "earlier", "older",
                     "largest", "smallest", "times")
_TIME_COMPARE_CUES = ("早い", "遅い", "古い", "新しい", "先に", "後に", "早く", "遅く", "最近", "最新", "歴史", "最初", "何年前", "何年後",
                      "前から", "からある", "古く", "先輩", "老舗", "後発", "先発")
_SHORTFALL_CUES = ("足りな", "不足", "まかなえ", "賄え", "届か")  # "Aの予算でBとCをまかなえる？": A against B + C
_TIME_COMPARE_CUES_EN = ("older", "oldest", "earlier", "earliest", "newer", "newest", "more recent", "most recent", "first", "later")
_SUM_CUES = ("合計", "合わせ", "あわせ", "総額", "総計", "全部で", "合算", "計で", "足すと", "の和", "和は")
_SUM_CUES_EN = ("total", "sum", "combined", "altogether", "together", "in all")
_PRIOR_CUES = ("前年度", "昨年度", "前年", "去年", "前の年度", "昨年", "前の年")
_PRIOR_CUES_EN = ("previous year", "prior year", "last year", "previous fiscal year", "preceding year", "year before")
_CURRENT_CUES = ("今年度", "本年度", "当年度")
_CURRENT_CUES_EN = ("this year", "this fiscal year", "current year")
_FIGURE_CUES = ("いくら", "何人", "何件", "何年", "何か月", "何ヶ月", "何名", "何億", "何百万", "何万", "何円", "どれくらい", "どのくらい", "いつ")
_FIGURE_CUES_EN = ("how much", "how many", "how long", "when", "what is the budget", "amount")
_UNIT_WORDS_EN = (("trillion yen", "trillion yen"), ("100 million yen", "億円"), ("hundred million yen", "億円"),
                  ("billion yen", "billion yen"), ("million yen", "million yen"), ("thousand yen", "thousand yen"),
                  ("in yen", "円"), ("oku yen", "億円"))
ENGLISH_UNITS = {"thousand yen": 10**3, "million yen": 10**6, "billion yen": 10**9, "trillion yen": 10**12}
"""English money units `format_amount` also writes ("1.16 billion yen")."""
_FOLLOW_UNITS = "兆円|千億円|百億円|十億円|億円|千万円|百万円|十万円|万円|千円|円"
_UNIT_ASK_RE = re.compile(rf"何\s*(?P<a>{_FOLLOW_UNITS})|(?P<b>{_FOLLOW_UNITS})\s*(?:で|単位|に換算|換算|に直|表記)")
_JAPANESE_RE = re.compile(r"[\u3040-\u30FF\u4E00-\u9FFF]")
_EN_YEAR_RE = re.compile(r"(?:FY|fiscal(?:\s+year)?)\s*(\d{4})|\b(20\d{2}|19\d{2})\b", re.IGNORECASE)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FactQuery(_Frozen):
    """What a figure question asks: which subjects, attribute, year, unit and operation.

    `fiscal_year` is set when the question names a year (or a relative year that could be resolved);
    `year_offset` keeps a relative year (前年度 = -1) to be resolved against the facts' own year.

    Example:
        >>> FactQuery(question="SICORPの予算は？", subjects=("戦略的国際共同研究プログラム(SICORP)",), attribute="予算額",
        ...           is_figure_question=True).operation
        <FactOperation.LOOKUP: 'lookup'>
    """

    question: str
    subjects: tuple[str, ...] = ()
    subject_surfaces: tuple[str, ...] = ()
    attribute: str | None = None
    attribute_detail: str | None = None
    fiscal_year: str | None = None
    year_offset: int | None = None
    wants_unit: str | None = None
    operation: FactOperation = FactOperation.LOOKUP
    is_figure_question: bool = False
    lang: str = "ja"
    fiscal_years: tuple[str, ...] = ()  # every fiscal year the question names ("令和3年度と令和4年度の予算を足すと")
    every_program: bool = False  # the question named none ("予算額が最も多い事業は？"): `subjects` are every program
    # each subject's own (fiscal_year, year_offset), when the question gives two programs different years
    # ("SICORPの令和4年度予算と、SATREPSの前年度予算"); empty when one year holds for all
    subject_years: tuple[tuple[str | None, int | None], ...] = ()
    # the whole (a section or group) the sum of `subjects` is asked as a share of ("SICORPとSATREPSで全体の何割")
    share_of: str | None = None
    # the program whose place in an ordering of every program is asked ("少ない順に並べたらSICORPは何番目")
    rank_of: str | None = None


class FactResult(_Frozen):
    """The facts that answer a `FactQuery`, best first, and what was derived from them.

    - lookup: `facts[0]` answers; further facts with the same value support it; when the question does not
      pick one of several details (長期/短期), `listing` is True and each detail's fact is given.
    - diff: `facts` = (this year's, the prior year's); `derived_yen` the difference, `derived_text` it in the
      unit as written ("82百万円"), `percent_change` against the prior year.
    - compare of changes ("増加額が大きいのは"): `changes` = (subject, yen change, %) per subject, `facts`
      each subject's (this year's, prior year's) facts.
    - compare: `facts` = one per subject, larger first; `larger_subject`; `derived_*` the difference of the
      two largest; for "AはBの何倍", `ratio` = A / B with `facts` in the question's order.
    - sum: `facts` = the summed facts; `derived_*` the sum.
    """

    query: FactQuery
    facts: tuple[Fact, ...] = ()
    answerable: bool = False
    derived_yen: int | None = None
    derived_quantity: float | None = None
    derived_text: str | None = None
    percent_change: float | None = None
    larger_subject: str | None = None
    ratio: float | None = None
    changes: tuple[tuple[str, int, float | None], ...] = ()
    missing_subject: str | None = None  # in a compare or sum: the subject whose figure is missing
    skipped_subjects: tuple[str, ...] = ()  # in a compare over every program: those that state no such figure
    against_total: bool = False  # facts[0] against the total of facts[1:] ("AはB・Cの合計より何人多い")
    new_subjects: tuple[str, ...] = ()  # in a compare of changes: programs whose prior-year budget is "ー" (new)
    listing: bool = False
    missing: str | None = None


# -- amounts ---------------------------------------------------------------------------------------------------
def format_amount(yen: int, unit: str) -> str:
    """`yen` written in `unit`, exactly (no rounding): 1,160,000,000 in 億円 → "11.6億円".

    Args:
        yen: an amount in yen (may be negative, e.g. a decrease).
        unit: one of 円, 千円, 万円, 十万円, 百万円, 千万円, 億円, 十億円, 百億円, 千億円, 兆円, or an English
            unit: thousand yen, million yen, billion yen, trillion yen.

    Example:
        >>> format_amount(1_160_000_000, "億円"), format_amount(82_000_000, "百万円"), format_amount(-50_000_000, "億円")
        ('11.6億円', '82百万円', '-0.5億円')
        >>> format_amount(1_160_000_000, "billion yen")
        '1.16 billion yen'
    """
    scale = YEN_UNITS.get(unit) or ENGLISH_UNITS.get(unit)
    if scale is None:
        valid = ", ".join([*YEN_UNITS, *ENGLISH_UNITS])
        raise ValueError(f"unit must be one of {valid}. Currently, the unit is {unit!r}")
    if not isinstance(yen, int):
        raise ValueError(f"yen must be an integer amount of yen. Currently, it is {yen!r}")
    value = Decimal(yen) / Decimal(scale)
    sign = "-" if value < 0 else ""
    value = abs(value)
    integer = int(value)
    fraction = value - integer
    text = f"{integer:,}"
    if fraction:
        digits = format(fraction.normalize(), "f")
        text += digits[1:] if digits.startswith("0") else digits
    return f"{sign}{text}{' ' + unit if unit in ENGLISH_UNITS else unit}"


def _written_unit(fact: Fact) -> str | None:
    money = parse_money(fact.value)
    return money.unit if money else None


def _auto_conversion(fact: Fact) -> str | None:
    """The 億円 reading of an amount written in a smaller unit (1,160百万円 → 11.6億円), if it reads better."""
    if fact.amount_yen is None or fact.amount_yen < YEN_UNITS["億円"]:
        return None
    unit = _written_unit(fact)
    if unit in (None, "億円", "兆円"):
        return None
    return format_amount(fact.amount_yen, "億円")


# -- parsing questions -------------------------------------------------------------------------------------------
def _has_any(text: str, cues: Iterable[str]) -> bool:
    return any(c in text for c in cues)


def _has_any_en(text: str, cues: Iterable[str]) -> bool:
    return any(re.search(rf"(?<![a-z]){re.escape(c)}(?![a-z])", text) for c in cues)


_ACTIVITY_OF_PROGRAM = re.compile(r"(?<=の)[\u3040-\u30ff\u4e00-\u9fff]{1,6}(?=事業|プログラム|制度)")


def _cues_of(canonical: str) -> tuple[str, ...]:
    """The Japanese cue words of a canonical attribute (ATTRIBUTE_CUES)."""
    return next((ja for name, ja, _ in ATTRIBUTE_CUES if name == canonical), ())


def cued_attribute(text: str) -> str | None:
    """The canonical attribute the words of a question (its names blanked out) ask for, or None. A word
    naming a program's activity before its program noun ("外国人研究者の受け入れ事業") describes the program."""
    text = _ACTIVITY_OF_PROGRAM.sub("", text)
    lower = re.sub(r"\s+", " ", text.lower())
    kind = _asked_kind_en(lower) or _asked_kind_ja(text)
    cued = [canonical for canonical, ja, en in ATTRIBUTE_CUES if _has_any(text, ja) or _has_any_en(lower, en)]
    cued = [c for c in cued if kind is None or _attribute_kind(c) in (kind, None)]  # "How long do participants stay": a period
    kinds = {_attribute_kind(c) for c in cued} - {None}
    if len(kinds) >= 2:
        # "受入人数が約2,760人と多いのに、予算は…少ない？": of figures of different kinds, the one asked comes last
        return max(cued, key=lambda c: max(text.rfind(cue) for cue in _cues_of(c)))
    if cued:
        return cued[0]
    if kind == "period" and re.search(r"長く支援|何年支援|長く続", text):
        return "支援期間"  # "長く支援してもらえるのはどっち": how long the support lasts
    return None


def parse_fact_question(
    question: str, gazetteer: Gazetteer, reference_year: str | None = None, *, subjects: tuple[str, ...] | None = None,
) -> FactQuery:
    """Read a question as a figure query.

    Args:
        question: the user's question (Japanese or English).
        gazetteer: the subjects of the collection (`ingest.gazetteer.build_gazetteer`).
        reference_year: the fiscal year relative words (前年度, last year) count from; when None they are
            kept as `year_offset` and resolved against the facts.
        subjects: the subjects, when the caller found some the gazetteer cannot (a loose name); the names
            the gazetteer matches are still kept out of the attribute words.

    Example:
        >>> q = parse_fact_question("では前年度は何億円？", Gazetteer(), reference_year="令和4年度")
        >>> (q.fiscal_year, q.wants_unit, q.is_figure_question)
        ('令和3年度', '億円', True)
    """
    q = unicodedata.normalize("NFKC", question).strip()
    lower = q.lower()
    matches = [m for m in gazetteer.match(q)]
    exact = [m for m in matches if m.kind != "partial" or _strong_partial(m)]
    matches = sorted(exact or matches, key=lambda m: m.start)
    surfaces = tuple(m.surface for m in matches) if subjects is None else ()
    subjects = tuple(m.name for m in matches) if subjects is None else subjects  # given: some named loosely
    # Words naming the subject must not be read as attribute cues ("事業開始" inside a name is rare, but
    # "…交流事業" contains no cue while "海外派遣" could); blank them out first.
    rest = q
    for m in matches:
        rest = rest[: m.start] + " " * (m.end - m.start) + rest[m.end :]
    rest_lower = re.sub(r"\s+", " ", rest.lower())  # "one SICORP project" → "one project"
    lang = detect_lang(q)

    attribute = cued_attribute(rest)

    year_offset = None
    fiscal_year = None
    found = [y for y in find_years(rest) if not _dates_something_else(rest, y)]
    years = [y for y in found if y.fiscal or not y.text.endswith("年")]
    if not years:
        years = [y for y in found if re.search(r"(?:令和|平成|昭和|R|H)", y.text)]
    named_years = tuple(dict.fromkeys(fiscal_year_label(y.year) for y in years))
    if years:
        fiscal_year = fiscal_year_label(years[0].year)
    else:
        m = _EN_YEAR_RE.search(rest)
        if m:
            fiscal_year = fiscal_year_label(int(m.group(1) or m.group(2)))
    if fiscal_year is None:
        if _has_any(rest, _PRIOR_CUES) or _has_any_en(rest_lower, _PRIOR_CUES_EN):
            year_offset = -1
        elif _has_any(rest, _CURRENT_CUES) or _has_any_en(rest_lower, _CURRENT_CUES_EN):
            year_offset = 0
        if year_offset is not None and reference_year:
            ref = to_western_year(reference_year)
            if ref is not None:
                fiscal_year = fiscal_year_label(ref + year_offset)

    wants_unit = None
    unit_match = _UNIT_ASK_RE.search(rest)
    if unit_match:
        wants_unit = unit_match.group("a") or unit_match.group("b")
    else:
        for words, unit in _UNIT_WORDS_EN:
            if words in rest_lower:
                wants_unit = unit
                break

    operation = FactOperation.LOOKUP
    # "支援総額の上限と…を比べて": 総額 inside a noun with a compare asked is what is compared, not a sum
    compared_totals = bool(re.search(r"[\u4e00-\u9fff]総額", rest)) and bool(re.search(r"比べ|比較|どちら|どっち|何倍", rest)) and not _has_any(
        rest, tuple(c for c in _SUM_CUES if c != "総額") + ("足す", "足し"))
    if not compared_totals and (_has_any(rest, _SUM_CUES + ("足す", "足し")) or _has_any_en(rest_lower, _SUM_CUES_EN)):
        # two programs, or one program's figures of two years ("令和3年度と令和4年度を足すと")
        operation = FactOperation.SUM if len(subjects) >= 2 or len(named_years) >= 2 else FactOperation.LOOKUP
    elif len(subjects) >= 2 and (_has_any(rest, _COMPARE_CUES + ("比べ",)) or _has_any_en(rest_lower, _COMPARE_CUES_EN)):
        operation = FactOperation.COMPARE
    elif len(subjects) == 2 and _SUBTRACT.search(rest):
        operation = FactOperation.COMPARE  # "SICORPのうち流動モードの分を除くと": the difference of the two
    elif len(subjects) >= 2 and attribute == "事業開始時期" and re.search(r"何年(?!度)|how many years", rest_lower):
        operation = FactOperation.COMPARE  # "Aが始まってからBができるまで何年？": the years between two starts
    elif len(subjects) < 2 and _RATIO_EITHER_WAY.search(rest) and not re.search(r"前年|昨年|去年", rest):
        pass  # "長期と短期、何倍違う？": two figures of one program as a ratio, not a change from the year before
    elif _has_any(rest, _DIFF_CUES) or _has_any_en(rest_lower, _DIFF_CUES_EN):
        operation = FactOperation.COMPARE if len(subjects) >= 2 else FactOperation.DIFF
    if operation is FactOperation.LOOKUP and re.search(r"(?:前年度?|昨年度?|去年)(?:より|と比べ|に比べ)[^?？]{0,12}(?:多|少な|大き|小さ|上回|下回)", rest):
        operation = FactOperation.DIFF  # "SICORPの予算は前年度より多い？": the change answers it
    if len(subjects) >= 3 and _has_any(rest, _SHORTFALL_CUES):
        operation = FactOperation.SUM  # "Aの予算でBとCを両方まかなえる？": A against the total of the others
    if operation is FactOperation.DIFF:
        attribute = attribute or "予算額"
        if year_offset == -1 and not years:
            # "前年度と比べて": the prior year is the base of the comparison, not the year asked about.
            year_offset, fiscal_year = None, None
    if operation is FactOperation.COMPARE and attribute is None and (
            _has_any(rest, _TIME_COMPARE_CUES) or _has_any_en(rest_lower, _TIME_COMPARE_CUES_EN)):
        attribute = "事業開始時期"  # "どっちが新しい事業？": which began later
    if operation in {FactOperation.SUM, FactOperation.COMPARE} and attribute is None:
        attribute = "予算額"

    if attribute is None and subjects and (year_offset is not None or fiscal_year) and _is_fragment(rest):
        attribute = "予算額"  # "ＳＩＣＯＲＰ　前年度": a program and a year alone ask for its budget
    if operation is FactOperation.LOOKUP and asks_for_a_name(rest) and not _has_any(rest, _FIGURE_CUES):
        attribute = None  # "どこに計上されていますか": a place or a name is asked, not the amount the words mention
        is_figure_forbidden = True
    else:
        is_figure_forbidden = False
    is_figure = not is_figure_forbidden and (
        attribute is not None
        or operation is not FactOperation.LOOKUP
        or wants_unit is not None
        or _has_any(rest, _FIGURE_CUES)
        or _has_any_en(rest_lower, _FIGURE_CUES_EN)
    )
    if is_figure and attribute is None and (wants_unit or "いくら" in rest or "how much" in rest_lower):
        attribute = "予算額"
    if attribute is None and _has_any_en(rest_lower, ("how many",)):
        # "How many new Overseas Research Fellows …": the name took the noun; a count, never a budget
        attribute = "人数"
    return FactQuery(
        question=question,
        subjects=subjects,
        subject_surfaces=surfaces,
        attribute=attribute,
        attribute_detail=None,
        fiscal_year=fiscal_year,
        year_offset=year_offset,
        wants_unit=wants_unit,
        operation=operation,
        is_figure_question=is_figure,
        lang=lang,
        fiscal_years=named_years,
        subject_years=_years_by_subject(q, matches, reference_year),
    )


def _years_by_subject(q: str, matches: Sequence, reference_year: str | None) -> tuple[tuple[str | None, int | None], ...]:
    """Each program's own year, read from the words between its name and the next program's name, when at
    least two programs have one and they differ; else () (the question's one year holds for all)."""
    if len(matches) < 2:
        return ()
    found: list[tuple[str | None, int | None]] = []
    for i, m in enumerate(matches):
        words = q[m.end : matches[i + 1].start if i + 1 < len(matches) else len(q)]
        years = [y for y in find_years(words) if (y.fiscal or not y.text.endswith("年")) and not _dates_something_else(words, y)]
        if years:
            found.append((fiscal_year_label(years[0].year), None))
        elif _has_any(words, _PRIOR_CUES):
            found.append((None, -1))
        elif _has_any(words, _CURRENT_CUES):
            found.append((None, 0))
        else:
            found.append((None, None))
    stated = [y for y in found if y != (None, None)]
    if len(stated) < 2 or len(set(stated)) < 2:
        return ()
    if reference_year:  # relative years against the collection's year
        ref = to_western_year(reference_year)
        found = [(fiscal_year_label(ref + off), None) if off is not None and ref is not None else (fy, off) for fy, off in found]
    return tuple(found)


# -- lookup ---------------------------------------------------------------------------------------------------------
def _reference_year(facts: Sequence[Fact], subject: str | None = None) -> str | None:
    """The year a collection's (or a subject's) budget figures are for: the commonest budget year not
    written as 前年度."""
    years = Counter(
        f.fiscal_year
        for f in facts
        if f.fiscal_year
        and canonical_attribute(f.attribute) == "予算額"
        and not f.attribute.startswith(("前年度", "昨年度"))
        and (subject is None or f.subject == subject)
    )
    if not years:
        return None
    return max(years.items(), key=lambda kv: (kv[1], to_western_year(kv[0]) or 0))[0]


def _same_year(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and to_western_year(a) == to_western_year(b)


_SHARED_ENDINGS = ("期間", "人数", "件数", "時期")


def _attribute_score(wanted: str, fact: Fact, question: str = "") -> int:
    have = canonical_attribute(fact.attribute)
    if len(have) >= 3 and have in question:
        return 4  # the question uses the document's own label ("観測期間")
    if have == wanted:
        return 3
    family = ATTRIBUTE_FAMILIES.get(wanted, (wanted,))
    if have in family:
        return 2 if family.index(have) == 0 else 1
    if any(wanted.endswith(e) and have.endswith(e) for e in _SHARED_ENDINGS):
        return 1
    return 0


_DETAIL_WORDS_EN = {"短期": ("short-term", "short term"), "長期": ("long-term", "long term")}


def _detail_score(question: str, fact: Fact) -> int:
    detail = attribute_detail(fact.attribute)
    if detail is None:
        return 1
    core = re.sub(r"(タイプ|型|枠)$", "", detail)
    lower = question.lower()
    english = any(word in lower for word in _DETAIL_WORDS_EN.get(detail, ()))
    return 2 if (detail in question or english or (len(core) >= 2 and core in question)) else 0


def _rank(
    query: FactQuery, facts: Sequence[Fact], subject: str, year: str | None, attribute: str, undated_year: str | None = None,
) -> list[Fact]:
    """Facts of `subject` answering `attribute` for `year`, best first. With `undated_year` (the documents' own
    year), a fact naming no year is of that year: "前年度に受け入れた人数" is not this year's 受入人数."""
    question = unicodedata.normalize("NFKC", query.question)
    scored = []
    for fact in facts:
        if fact.subject != subject or fact.subject_assignment == UNASSIGNED:
            continue
        a = _attribute_score(attribute, fact, question)
        if a == 0:
            continue
        is_budget = canonical_attribute(fact.attribute) in {"予算額", "補正予算額"}
        if is_budget or (year is not None and query.fiscal_year is not None and fact.fiscal_year is not None):
            if year is not None and not _same_year(fact.fiscal_year, year):
                continue
        elif year is not None and undated_year is not None and fact.fiscal_year is None and not _same_year(undated_year, year):
            continue
        d = _detail_score(question, fact)
        scored.append(((a, d, fact.subject_assignment == "explicit", fact.confidence), fact))
    scored.sort(key=lambda x: x[0], reverse=True)
    return [f for _s, f in scored]


def _best(query: FactQuery, facts: Sequence[Fact], subject: str, index_year: str | None = None) -> tuple[list[Fact], str | None]:
    """(ranked facts, missing reason) for one subject, resolving the year against the facts.

    `facts` may be the subject's own facts (see `FactsIndex`); `index_year` is then the whole
    collection's reference year, the fallback when the subject's figures name none."""
    attribute = query.attribute or "予算額"
    if not any(f.subject == subject and f.subject_assignment != UNASSIGNED for f in facts):
        return [], "subject"
    fallback = index_year if index_year is not None else _reference_year(facts)
    year = query.fiscal_year
    if year is None and query.year_offset is not None:
        ref = _reference_year(facts, subject) or fallback
        if ref is not None:
            year = fiscal_year_label(to_western_year(ref) + query.year_offset)
    explicit_year = year is not None
    if year is None and attribute in {"予算額"}:
        year = _reference_year(facts, subject) or fallback
    # one program asked for another year: its undated figures are of the documents' year, not that one (in a
    # compare the year may belong to one side only: "SICORPの件数(令和3年度)は流動モードの何倍")
    undated = (_reference_year(facts, subject) or fallback) if explicit_year and len(query.subjects) <= 1 else None
    ranked = _rank(query, facts, subject, year, attribute, undated)
    if not ranked and not explicit_year and attribute == "予算額":
        # Asked for "the budget" with no year: a supplementary budget is the program's only budget figure.
        ranked = _rank(query, facts, subject, None, "補正予算額")
        if not ranked:
            ranked = sorted(
                _rank(query, facts, subject, None, "予算額"),
                key=lambda f: -(to_western_year(f.fiscal_year or "") or 0),
            )
    if not ranked:
        question = unicodedata.normalize("NFKC", query.question)
        has_attribute = any(
            f.subject == subject and _attribute_score(attribute, f, question)
            for f in facts
            if f.subject_assignment != UNASSIGNED
        )
        return [], "fiscal_year" if has_attribute else "attribute"
    return ranked, None


def _support(ranked: list[Fact]) -> list[Fact]:
    """The best fact and those that say the same thing (same attribute and value) elsewhere."""
    top = ranked[0]
    same = [f for f in ranked[1:] if f.value == top.value and canonical_attribute(f.attribute) == canonical_attribute(top.attribute) and f.fiscal_year == top.fiscal_year]
    return [top, *same]


def _common_unit(facts: Sequence[Fact]) -> str:
    units = {_written_unit(f) for f in facts}
    if len(units) == 1 and None not in units:
        return units.pop()
    return "百万円"


_BUDGET_KINDS = {"予算額", "補正予算額"}


def lookup(
    query: FactQuery, facts: Sequence[Fact], by_subject: Mapping[str, Sequence[Fact]] | None = None,
    index_year: str | None = None,
) -> FactResult:
    """The facts that answer `query`, and what can be derived from them (nothing else).

    `by_subject` (subject → its facts) and `index_year` (the collection's reference year) make a
    lookup cost what one subject's facts cost, not the whole index (`FactsIndex` passes them).

    Example:
        >>> lookup(FactQuery(question="?"), []).answerable
        False
    """
    if by_subject is not None:
        whole = facts
        facts = [f for subject in dict.fromkeys(query.subjects) for f in by_subject.get(subject, ())]
        index_year = index_year if index_year is not None else _reference_year(whole)
    if not query.is_figure_question:
        return FactResult(query=query, missing="not_a_figure_question")
    if not query.subjects:
        return FactResult(query=query, missing="subject")
    op = query.operation
    if op is FactOperation.LOOKUP and len(query.subjects) >= 2:
        # "SICORPとSATREPSの予算は？": each program's figure, side by side
        each = [lookup(query.model_copy(update={"subjects": (subject,)}), facts, None, index_year) for subject in query.subjects]
        found = [r.facts[0] for r in each if r.answerable and r.facts]
        absent = next((s for s, r in zip(query.subjects, each) if not (r.answerable and r.facts)), None)
        if absent is not None:
            return FactResult(query=query, facts=tuple(found), missing=next(r.missing for r in each if not r.answerable) or "attribute",
                              missing_subject=absent)
        return FactResult(query=query, facts=tuple(found), answerable=True, listing=True)
    if op is FactOperation.LOOKUP:
        ranked, missing = _best(query, facts, query.subjects[0], index_year)
        if not ranked:
            return FactResult(query=query, missing=missing)
        question = unicodedata.normalize("NFKC", query.question)
        if query.attribute is None and _asks_when(question):
            return FactResult(query=query, missing="attribute")  # "何年度に…？" names no attribute: never a budget
        wanted = query.attribute or "予算額"
        top_score = (_attribute_score(wanted, ranked[0], question), _detail_score(question, ranked[0]))
        peers = [f for f in ranked if (_attribute_score(wanted, f, question), _detail_score(question, f)) == top_score]
        details = {attribute_detail(f.attribute) for f in peers}
        if len(details) > 1 and None not in details:
            chosen: list[Fact] = []
            for f in peers:
                if attribute_detail(f.attribute) not in {attribute_detail(c.attribute) for c in chosen}:
                    chosen.append(f)
            return FactResult(query=query, facts=tuple(chosen), answerable=True, listing=True)
        return FactResult(query=query, facts=tuple(_support(ranked)), answerable=True)

    if query.every_program and query.fiscal_year is None and query.year_offset is None and (query.attribute or "予算額") == "予算額":
        # every program's budget of one year (the collection's), never one program's other kind of budget
        query = query.model_copy(update={"fiscal_year": index_year if index_year is not None else _reference_year(facts)})
    if query.share_of is not None:
        return _sum_as_share(query, facts, by_subject, index_year)
    if op in (FactOperation.COMPARE, FactOperation.SUM) and len(query.subjects) >= 2 and _asks_change(query.question):
        return _compare_changes(query, facts, by_subject, index_year)  # a SUM of changes is their total

    if op is FactOperation.DIFF:
        subject = query.subjects[0]
        current, missing = _best(query, facts, subject, index_year)
        if not current:
            return FactResult(query=query, missing=missing)
        cur = current[0]
        prior_year = None
        if cur.fiscal_year and to_western_year(cur.fiscal_year):
            prior_year = fiscal_year_label(to_western_year(cur.fiscal_year) - 1)
        prior_query = query.model_copy(update={"fiscal_year": prior_year, "year_offset": None})
        prior, _ = _best(prior_query, facts, subject, index_year) if prior_year else ([], None)
        prior = [p for p in prior if _same_year(p.fiscal_year, prior_year)]
        if not prior:
            return FactResult(query=query, facts=(cur,), answerable=False, missing="prior_year")
        before = prior[0]
        if cur.amount_yen is None or before.amount_yen is None:
            return FactResult(query=query, facts=(cur, before), answerable=True)
        diff = cur.amount_yen - before.amount_yen
        percent = round(diff * 100 / before.amount_yen, 1) if before.amount_yen else None
        unit = _common_unit([cur, before])
        return FactResult(
            query=query,
            facts=(cur, before),
            answerable=True,
            derived_yen=diff,
            derived_text=format_amount(diff, unit),
            percent_change=percent,
        )

    if op is FactOperation.SUM and _asks_against_total(query.question, query.subjects):
        # "AはB・Cの合計より何人多い？": one program against a sum of the others, not a sum of all of them
        return _one_against_sum(query, facts, index_year)
    if op is FactOperation.SUM and len(query.subjects) == 1 and len(query.fiscal_years) >= 2:
        return _sum_over_years(query, facts, index_year)

    per_subject: list[Fact] = []
    skipped: list[str] = []
    absent: tuple[str | None, str] | None = None
    wanted, question = query.attribute or "予算額", unicodedata.normalize("NFKC", query.question)
    strict = query.every_program and any(canonical_attribute(f.attribute) == wanted for f in facts)
    # which of several is at an end: those that state no such figure are left out (never from a sum)
    skippable = op is FactOperation.COMPARE and (query.every_program or len(query.subjects) >= 3)
    for i, subject in enumerate(query.subjects):
        own = query
        if len(query.subject_years) == len(query.subjects) and query.subject_years[i] != (None, None):
            fy, off = query.subject_years[i]  # "SICORPの令和4年度予算と、SATREPSの前年度予算": each its own year
            own = query.model_copy(update={"fiscal_year": fy, "year_offset": off})
        ranked, missing = _best(own, facts, subject, index_year)
        if query.every_program and strict:  # 受入人数 is not 新規採用人数 when programs are ranked by the latter
            family = ATTRIBUTE_FAMILIES.get(wanted, (wanted,))
            ranked = [f for f in ranked if _attribute_score(wanted, f, question) >= 3 or canonical_attribute(f.attribute) in family]
        if not ranked and skippable:
            skipped.append(subject)  # a program that states no such figure is left out, and said to be
            continue
        if not ranked and query.attribute in _BUDGET_KINDS:
            # "Aの補正予算とBの予算": each program's budget figure of the kind it has
            for other in _BUDGET_KINDS - {query.attribute}:
                ranked, _ = _best(query.model_copy(update={"attribute": other}), facts, subject, index_year)
                if not ranked and len(query.subjects) >= 2:
                    # the year named beside the other program ("Aの補正予算はBの令和4年度予算より…"): A's own
                    # budget figure of the other kind, whose year the answer states with it
                    ranked, _ = _best(query.model_copy(update={"attribute": other, "fiscal_year": None, "year_offset": None}),
                                      facts, subject, index_year)
                if ranked:
                    break
        if not ranked:
            absent = absent or (missing, subject)  # the others' figures are still gathered, to be stated
            continue
        per_subject.append(ranked[0])
    if absent is not None:
        return FactResult(query=query, facts=tuple(per_subject), missing=absent[0], missing_subject=absent[1])
    if skippable and skipped and len(per_subject) >= 2:
        result = _compare_facts(query.model_copy(update={"subjects": tuple(f.subject for f in per_subject)}), per_subject)
        return result.model_copy(update={"query": query, "skipped_subjects": tuple(skipped)})
    if query.every_program:
        if not per_subject:
            return FactResult(query=query, missing="attribute")
        if len(per_subject) == 1:  # one program states it: that one, and which do not
            one = query.model_copy(update={"subjects": (per_subject[0].subject,), "operation": FactOperation.LOOKUP})
            return FactResult(query=one, facts=(per_subject[0],), answerable=True, skipped_subjects=tuple(skipped))
        result = _compare_facts(query.model_copy(update={"subjects": tuple(f.subject for f in per_subject)}), per_subject)
        return result.model_copy(update={"query": query, "skipped_subjects": tuple(skipped)})
    return _compare_facts(query, per_subject)


def _in_years(fact: Fact) -> float | None:
    """A period's (lower) length in years ("3か月～1年程度" → 0.25), or None for other figures."""
    per_unit = YEARS_PER_DURATION_UNIT.get(fact.unit or "")
    return fact.quantity * per_unit if fact.quantity is not None and per_unit is not None else None


_LONGEST_ASKED = re.compile(r"最長|延長(?:まで|も)?含|延長した場合|目いっぱい|めいっぱい|最大限")
def _longest_years(fact: Fact) -> float | None:
    """The longest length of time a value states, in years ("7年(最大10年まで延長可)" → 10.0), or None."""
    lengths = [(q.value_max or q.value) * YEARS_PER_DURATION_UNIT.get(q.unit, 0)
               for q in find_quantities(unicodedata.normalize("NFKC", fact.value)) if q.kind == "duration"]
    return max(lengths) if lengths else None


def share_text(ratio: float, question: str) -> str:
    """A share as the question asks it: "何割" → "2割（20.0%）" / "約4.4割（44.2%）", else "約44.2%".

    Example:
        >>> share_text(0.2, "何割？"), share_text(0.4421, "何%？")
        ('2割（20.0%）', '約44.2%')
    """
    percent = f"{ratio * 100:.1f}%"
    exact = abs(ratio * 1000 - round(ratio * 1000)) < 1e-6
    if re.search(r"割(?!合)", unicodedata.normalize("NFKC", question)):  # 何割, not 割合
        tenths = ratio * 10
        whole = abs(tenths - round(tenths, 1)) < 1e-9
        return f"{tenths:g}割（{percent}）" if whole else f"約{tenths:.1f}割（{percent}）"
    return percent if exact else f"約{percent}"


def times_text(ratio: float) -> tuple[str, bool]:
    """A ratio as the answer writes it, and whether it is exact: 250.0 → ("250", True), 5.2586 → ("5.26", False)."""
    exact = abs(ratio * 100 - round(ratio * 100)) < 1e-6
    if ratio >= 10 and not exact:  # three significant figures: 23.02 → "23.0", 12.88 → "12.9"
        return f"{ratio:.1f}", False
    return f"{ratio:.2f}".rstrip("0").rstrip("."), exact


def _compare_facts(query: FactQuery, per_subject: list[Fact]) -> FactResult:
    """A compare or sum over one fact per subject (in the question's order): larger first, the difference
    of the two largest, a ratio or share when asked, or the total."""
    op = query.operation
    amounts = [f.amount_yen for f in per_subject]
    quantities = [f.quantity for f in per_subject]
    if all(a is not None for a in amounts):
        values: list[float] = [float(a) for a in amounts]  # type: ignore[arg-type]
        money = True
    elif all(q is not None for q in quantities) and len({f.unit for f in per_subject}) == 1:
        values = [float(q) for q in quantities]  # type: ignore[arg-type]
        money = False
    elif all(_in_years(f) is not None for f in per_subject) and op is not FactOperation.SUM:
        values = [_in_years(f) for f in per_subject]  # type: ignore[misc]  # "2年間" against "約1～3週間"
        money = False
    elif op is not FactOperation.SUM and (ends := _money_at_asked_end(query.question, per_subject)) is not None:
        # "支援額の上限で比べると何倍": ranges ("5百万円～1億円") compared at the end the question names
        values, money = ends, True
        amounts = [int(v) for v in ends]
    else:
        return FactResult(query=query, facts=tuple(per_subject), answerable=True)
    longest = [_longest_years(f) for f in per_subject] if _LONGEST_ASKED.search(unicodedata.normalize("NFKC", query.question)) else []
    if not money and longest and all(v is not None for v in longest) and all(_in_years(f) is not None for f in per_subject):
        # "延長まで含めた最長の支援期間で比べると": each value's longest length ("7年(最大10年まで延長可)" → 10年)
        values = [float(v) for v in longest]  # type: ignore[arg-type]
    if op is FactOperation.SUM:
        if money:
            total = sum(int(a) for a in amounts)  # type: ignore[arg-type]
            return FactResult(
                query=query, facts=tuple(per_subject), answerable=True, derived_yen=total,
                derived_text=format_amount(total, _common_unit(per_subject)),
            )
        total_q = sum(values)
        return FactResult(
            query=query, facts=tuple(per_subject), answerable=True, derived_quantity=total_q,
            derived_text=f"{_number(total_q)}{per_subject[0].unit}",
        )
    ratio = None
    if len(per_subject) == 2 and (_asks_ratio(query.question) or asks_share(query.question)) and values[1]:
        ratio = values[0] / values[1]  # in the order the question names them: "AはBの何倍", "AはBの何%"
        asked = unicodedata.normalize("NFKC", query.question)
        first_at, second_at = (where_named(asked, f.subject, [g.subject for g in per_subject]) for f in per_subject)
        if later_is_numerator(asked, first_at, second_at) and not asks_share(asked) and values[0]:
            ratio = values[1] / values[0]  # "Aと比べると、Bは何倍": the first named is the base
            per_subject = per_subject[::-1]
            values = values[::-1]
        if asks_share(query.question) and re.search(r"のうち|占め|の中で|の内訳", query.question) and ratio > 1:
            ratio = values[1] / values[0]  # "Aのうち、Bは何%を占める": the part of the whole
            per_subject = per_subject[::-1]
        elif _RATIO_EITHER_WAY.search(unicodedata.normalize("NFKC", query.question)) and 0 < ratio < 1 and values[0]:
            ratio = values[1] / values[0]  # "AとB、何倍違う？": the larger over the smaller
            per_subject = per_subject[::-1]
    order = sorted(range(len(per_subject)), key=lambda i: -values[i])
    ranked_facts = tuple(per_subject[i] for i in order)
    larger = ranked_facts[0].subject if values[order[0]] != values[order[1]] else None
    if ratio is not None:
        text = f"{ratio * 100:.1f}%" if asks_share(query.question) else f"{times_text(ratio)[0]}倍"
        return FactResult(query=query, facts=tuple(per_subject), answerable=True, larger_subject=larger, ratio=ratio,
                          derived_text=text)
    if money:
        diff = int(amounts[order[0]]) - int(amounts[order[1]])  # type: ignore[arg-type]
        return FactResult(
            query=query, facts=ranked_facts, answerable=True, larger_subject=larger, derived_yen=diff,
            derived_text=format_amount(diff, _common_unit(ranked_facts[:2])),
        )
    if ranked_facts[0].unit != ranked_facts[1].unit:  # "2年間" and "約1～3週間": an order, no difference
        return FactResult(query=query, facts=ranked_facts, answerable=True, larger_subject=larger)
    diff_q = values[order[0]] - values[order[1]]
    return FactResult(
        query=query, facts=ranked_facts, answerable=True, larger_subject=larger, derived_quantity=diff_q,
        derived_text=f"{_number(diff_q)}{ranked_facts[0].unit}",
    )


def _sum_over_years(query: FactQuery, facts: Sequence[Fact], index_year: str | None) -> FactResult:
    """One program's figures of the years the question names, added up (each year's fact cited)."""
    found: list[Fact] = []
    for year in query.fiscal_years:
        one = query.model_copy(update={"fiscal_year": year, "year_offset": None, "operation": FactOperation.LOOKUP})
        ranked, missing = _best(one, facts, query.subjects[0], index_year)
        ranked = [f for f in ranked if _same_year(f.fiscal_year, year)]
        if not ranked or ranked[0].amount_yen is None:
            return FactResult(query=query, facts=tuple(found), missing=missing or "fiscal_year")
        found.append(ranked[0])
    total = sum(int(f.amount_yen) for f in found)  # type: ignore[arg-type]
    return FactResult(query=query, facts=tuple(found), answerable=True, derived_yen=total,
                      derived_text=format_amount(total, _common_unit(found)))


def _asks_against_total(question: str, subjects: Sequence[str] = ()) -> bool:
    """"AはB・Cの合計より何人多い", "Aの予算でBとCをまかなえる？不足は？", "…にあとどれだけ足りない",
    "AとBの合計と、Cとでは、どちらが多い" (a program of `subjects` named after the total)."""
    q = unicodedata.normalize("NFKC", question)
    if ("より" in q and _asks_difference(q)) or _has_any(q, _SHORTFALL_CUES + ("上回", "下回")):
        return True
    total = _AGAINST_TOTAL.search(q)
    if total is None:
        return False
    if not total.group("versus"):
        return True
    # one program stands apart from the total: named after it ("AとBの合計と、Cとでは"), or set apart before it by
    # "と、" ("Aと、B・C・Dの合計とでは"); "A・B・Cの合計と、前年度の合計では" compares no program with the others
    named = sorted(at for at in (where_named(q, s, subjects) for s in subjects) if at < len(q))
    return any(at > total.start() for at in named) or (len(named) >= 2 and bool(re.search(r"と[、,]", q[named[0] : named[1]])))


# "Aの予算はBとCの合計より多い？", "…の合計の何倍？": one figure against the total the question names
_AGAINST_TOTAL = re.compile(r"(?:合計|合算|合わせた(?:額|数)?|足した(?:額|数)?)(?:額|数)?(?:より|と比べ|に比べ|と比較|の何倍|の何%|の何割|"
                            r"(?P<versus>と[、,]?[^。?？]{0,40}?(?:どちら|どっち)))")


def _one_against_sum(query: FactQuery, facts: Sequence[Fact], index_year: str | None) -> FactResult:
    """"Aの受入人数は、B・Cの新規採用人数の合計より何人多い？": A's figure against the total of the others'
    (the program before "は" stands alone; each side's figure is the one its own words name)."""
    text = unicodedata.normalize("NFKC", query.question)
    together = re.search(r"(?:合わせ|足し|合計し|あわせ)ても", text)
    last = where_named(text, query.subjects[-1], query.subjects) if query.subjects else len(text)
    last = last if last < len(text) else -1
    if len(query.subjects) >= 3 and together and last > together.start():
        # "AとBを合わせても、Cには届かない？": C stands alone against the total of the others
        sides = ((query.subjects[-1], text[together.end():]),) + tuple((s, text[:together.end()]) for s in query.subjects[:-1])
        return _against_sides(query.model_copy(update={"subjects": (query.subjects[-1], *query.subjects[:-1])}), sides, facts, index_year)
    total_at = _AGAINST_TOTAL.search(text)
    named = [where_named(text, s, query.subjects) for s in query.subjects]
    if total_at and total_at.group("versus") and any(at >= len(text) for at in named):
        return FactResult(query=query, missing="operation")  # a side named where it cannot be found ("海特"): not guessed
    if len(query.subjects) >= 3 and total_at and all(at < total_at.start() for at in named[:-1]) and named[-1] > total_at.start():
        # "AとBの人数の合計と、Cの人数とでは、どちらが多い": C stands alone against the total of A and B
        sides = ((query.subjects[-1], text[total_at.start():]),) + tuple((s, text[:total_at.start()]) for s in query.subjects[:-1])
        return _against_sides(query.model_copy(update={"subjects": (query.subjects[-1], *query.subjects[:-1])}), sides, facts, index_year)
    second = text.find(query.subject_surfaces[1]) if len(query.subject_surfaces) == len(query.subjects) else -1
    cut = second if second > 0 else text.find("は")
    if len(query.subjects) < 3 or cut <= 0:
        return FactResult(query=query, missing="operation")
    sides = ((query.subjects[0], text[:cut]),) + tuple((s, text[cut:]) for s in query.subjects[1:])
    return _against_sides(query, sides, facts, index_year)


def _against_sides(
    query: FactQuery, sides: Sequence[tuple[str, str]], facts: Sequence[Fact], index_year: str | None,
) -> FactResult:
    """The lone side's figure (first) against the total of the others', each side's figure the one its words name."""
    chosen: list[Fact] = []
    for subject, words in sides:
        years = [y for y in find_years(words) if y.fiscal or not y.text.endswith("年")]
        one = query.model_copy(update={"subjects": (subject,), "operation": FactOperation.LOOKUP, "question": words,
                                       "attribute": cued_attribute(words) or query.attribute, "year_offset": None,
                                       "fiscal_year": fiscal_year_label(years[0].year) if years else None})
        ranked, missing = _best(one, facts, subject, index_year)
        if not ranked:
            return FactResult(query=query, facts=tuple(chosen), missing=missing, missing_subject=subject)
        chosen.append(ranked[0])
    if all(f.amount_yen is not None for f in chosen):
        values, unit = [float(f.amount_yen) for f in chosen], None  # type: ignore[arg-type]
    elif all(f.quantity is not None for f in chosen) and len({f.unit for f in chosen}) == 1:
        values, unit = [float(f.quantity) for f in chosen], chosen[0].unit  # type: ignore[arg-type]
    else:
        return FactResult(query=query, facts=tuple(chosen), missing="operation")
    total = sum(values[1:])
    diff = values[0] - total
    text = unicodedata.normalize("NFKC", query.question)
    if (_asks_ratio(text) or asks_share(text)) and total:
        # "Aの予算はBとCの合計の何倍？": the lone figure over the total
        ratio = values[0] / total
        shown = share_text(ratio, text) if asks_share(text) else f"{'' if times_text(ratio)[1] else '約'}{times_text(ratio)[0]}倍"
        return FactResult(query=query, facts=tuple(chosen), answerable=True, ratio=ratio, against_total=True, derived_text=shown)
    if unit is None:
        shown_unit = _common_unit(chosen)
        return FactResult(query=query, facts=tuple(chosen), answerable=True, derived_yen=int(diff), against_total=True,
                          derived_text=format_amount(int(diff), shown_unit))
    return FactResult(query=query, facts=tuple(chosen), answerable=True, derived_quantity=diff, against_total=True,
                      derived_text=f"{_number(diff)}{unit}")


def _compare_changes(
    query: FactQuery, facts: Sequence[Fact], by_subject: Mapping[str, Sequence[Fact]] | None, index_year: str | None
) -> FactResult:
    """"AとB、前年度からの増加額が大きいのは？": each program's change over the prior year, from its cited facts."""
    changes: list[tuple[str, int, float | None]] = []
    cited: list[Fact] = []
    skipped: list[str] = []
    new: list[str] = []
    for subject in query.subjects:
        one = query.model_copy(update={"subjects": (subject,), "operation": FactOperation.DIFF, "year_offset": None,
                                       "every_program": False,
                                       "fiscal_year": None if query.year_offset is not None else query.fiscal_year})
        result = lookup(one, by_subject.get(subject, ()) if by_subject is not None else facts, None, index_year)
        if result.answerable and result.derived_yen is None and any(f.value.strip() in _DASHES for f in result.facts[1:]):
            new.append(subject)  # "前年度予算額 ー": a new program has no change to compare
            cited.extend(result.facts)
            continue
        if not result.answerable or result.derived_yen is None:
            if query.every_program:
                skipped.append(subject)
                continue
            return FactResult(query=query, facts=tuple(cited + list(result.facts)), missing=result.missing or "prior_year")
        changes.append((subject, result.derived_yen, result.percent_change))
        cited.extend(result.facts)
    if not changes or (len(changes) < 2 and query.every_program and not new):
        return FactResult(query=query, facts=tuple(cited), missing="prior_year")
    return FactResult(query=query, facts=tuple(cited), answerable=True, changes=tuple(changes), skipped_subjects=tuple(skipped),
                      new_subjects=tuple(new))


def _sum_as_share(
    query: FactQuery, facts: Sequence[Fact], by_subject: Mapping[str, Sequence[Fact]] | None, index_year: str | None,
) -> FactResult:
    """"SICORPとSATREPSで全体の何割？": the programs' total over the whole's figure, every figure cited."""
    whole = query.share_of
    part = lookup(query.model_copy(update={"share_of": None, "operation": FactOperation.SUM}), facts, by_subject, index_year)
    if not part.answerable or part.derived_yen is None or whole is None:
        return part.model_copy(update={"query": query}) if not part.answerable else FactResult(query=query, missing="operation")
    own = by_subject.get(whole, facts) if by_subject is not None else facts
    ranked, missing = _best(query.model_copy(update={"subjects": (whole,), "operation": FactOperation.LOOKUP, "share_of": None}),
                            own, whole, index_year)
    if not ranked or not ranked[0].amount_yen:
        return FactResult(query=query, facts=part.facts, missing=missing or "attribute", missing_subject=whole)
    ratio = part.derived_yen / ranked[0].amount_yen
    return FactResult(query=query, facts=(*part.facts, ranked[0]), answerable=True, derived_yen=part.derived_yen,
                      derived_text=part.derived_text, ratio=ratio)


def _asks_change(question: str) -> bool:
    q = unicodedata.normalize("NFKC", question)
    return any(cue in q for cue in ("増加額", "減少額", "増減", "増えた", "減った", "伸び", "前年度から", "前年度比", "前年度と比べ", "変わ",
                                    "前年度と同額",
                                    "増加率", "減少率", "増額", "減額", "据え置", "横ばい", "増えな", "減らな", "増えて", "減って",
                                    "増加分", "減少分", "増えた分", "減った分", "増額分")) or bool(
        re.search(r"前年度?より.{0,8}(?:増|減|伸|変)", q))


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


# -- answer sentences ------------------------------------------------------------------------------------------------
_ATTRIBUTE_EN = {
    "予算額": "budget",
    "補正予算額": "supplementary budget",
    "支援額": "support amount",
    "支援規模": "scale of support",
    "事業経費": "program cost",
    "支援期間": "support period",
    "渡航期間": "period abroad",
    "受入期間": "hosting period",
    "事業期間": "program period",
    "事業開始時期": "start of the program",
    "新規採用人数": "number of new fellows",
    "受入人数": "number of people hosted",
    "海外派遣人数": "number of researchers sent abroad",
    "支援件数": "number of projects supported",
    "件数": "number of projects",
    "金額": "amount",
}


def _value_text(fact: Fact, wants_unit: str | None, auto_convert: bool = True, lang: str = "ja") -> str:
    """The value as written, with a conversion: "11.6億円（1,160百万円）" when a unit was asked for."""
    open_, close = ("（", "）") if lang == "ja" else (" (", ")")
    if fact.value.strip() in _DASHES:
        return f"「{fact.value}」" if lang == "ja" else f'"{fact.value}" (no amount)'
    if fact.amount_yen is not None and wants_unit and wants_unit != _written_unit(fact):
        return f"{format_amount(fact.amount_yen, wants_unit)}{open_}{fact.value}{close}"
    auto = _auto_conversion(fact) if fact.amount_yen is not None and not wants_unit and auto_convert else None
    if auto is None and fact.amount_yen is None and auto_convert:
        auto = _western_year(fact.value, lang)
    return f"{fact.value}{open_}{auto}{close}" if auto else fact.value


def _western_year(value: str, lang: str) -> str | None:
    """The Western year of a value that is an era year ("昭和63年度" → "1988年度" / "FY1988"), else None."""
    years = find_years(unicodedata.normalize("NFKC", value))
    if len(years) != 1 or not re.match(r"(?:昭和|平成|令和|[SHR]\d)", years[0].text) or len(value.strip()) > len(years[0].text) + 2:
        return None
    year = years[0]
    if lang == "ja":
        return f"{year.year}年度" if year.fiscal else f"{year.year}年"
    return f"FY{year.year}" if year.fiscal else str(year.year)


_DASHES = {"ー", "-", "－", "―", "−"}


def _attribute_label(fact: Fact, lang: str) -> str:
    if lang == "ja":
        if fact.attribute.startswith(("前年度", "昨年度")) and fact.fiscal_year:
            return f"{fact.attribute}（{fact.fiscal_year}）"
        return fact.attribute
    base = canonical_attribute(fact.attribute)
    label = _ATTRIBUTE_EN.get(base, base)
    year = to_western_year(fact.fiscal_year) if fact.fiscal_year else None
    if year and base in {"予算額", "補正予算額"}:
        label = f"FY{year} {'draft ' if '(案)' in fact.attribute else ''}{label}"
    return f"{label} ({fact.attribute})"


def _subject_label(result: FactResult, subject: str, lang: str) -> str:
    if lang == "en":
        q = result.query
        for name, surface in zip(q.subjects, q.subject_surfaces):
            if name == subject and surface != subject and surface.isascii():
                return f"{surface} ({subject})"
    return subject


def describe_fact_result(result: FactResult, lang: str = "ja") -> str:
    """The direct answer sentence for a `FactResult`. Every amount in it is a fact's value as written,
    a unit conversion of one, or derived from the facts in `result` (a difference, a percentage, a sum).

    Args:
        result: what `lookup` returned.
        lang: "ja" or "en".

    Example:
        >>> describe_fact_result(FactResult(query=FactQuery(question="?")))
        '資料には記載がありません。'
    """
    if lang not in {"ja", "en"}:
        raise ValueError(f"lang must be 'ja' or 'en'. Currently, the lang is {lang!r}")
    ja = lang == "ja"
    if not result.answerable or not result.facts:
        return "資料には記載がありません。" if ja else "The documents do not state this."
    q = result.query
    facts = result.facts
    unit = q.wants_unit
    if q.operation is FactOperation.LOOKUP:
        per_item = _per_item_figures(result, lang)
        if per_item:
            return per_item
        if result.listing and len(facts) == 2 and _has_any(unicodedata.normalize("NFKC", q.question), ("より", "差", "違い")):
            difference = _detail_difference(result, lang)
            if difference:
                return difference
        if result.listing and len(facts) == 2 and (_asks_ratio(q.question) or asks_share(q.question)):
            ratio = _detail_ratio(result, lang)
            if ratio:
                return ratio
        if (result.listing and len(facts) == 2 and len({f.subject for f in facts}) == 1
                and _has_any(unicodedata.normalize("NFKC", q.question), _DETAIL_COMPARE_CUES)):
            compared = _detail_compare(result, lang)
            if compared:
                return compared
        if result.listing and len(facts) >= 2 and _has_any(unicodedata.normalize("NFKC", q.question), _SUM_CUES + ("足す", "足し")):
            total = _detail_sum(result, lang)
            if total:
                return total
        if result.listing and len({f.subject for f in facts}) > 1:  # one figure of each of several programs
            parts = [f"{_subject_label(result, f.subject, lang)}{'の' if ja else ' — '}{_attribute_label(f, lang)}{'は' if ja else ': '}"
                     f"{_value_text(f, unit, True, lang=lang)}" for f in facts]
            return ("、".join(parts) + "です。") if ja else "; ".join(parts) + "."
        if result.listing:
            parts = [
                f"{_attribute_label(f, lang)}{'は' if ja else ': '}"
                f"{_value_text(f.model_copy(update={'value': split_note(f.value)[0]}), unit, True, lang=lang)}"
                for f in facts
            ]
            subject = _subject_label(result, facts[0].subject, lang)
            return f"{subject}の" + "、".join(parts) + "です。" if ja else f"{subject}: " + "; ".join(parts) + "."
        f = facts[0]
        subject = _subject_label(result, f.subject, lang)
        if f.value.strip() in _DASHES:
            return (
                f"{subject}の{_attribute_label(f, lang)}は「{f.value}」と記載されています（金額の記載なし）。"
                if ja
                else f"The {_attribute_label(f, lang)} of {subject} is given as \"{f.value}\" (no amount)."
            )
        main, note = split_note(f.value)
        if _asks_when(unicodedata.normalize("NFKC", q.question)) and f.fiscal_year and not _is_time(f):
            # "SICORPの件数は何年度の数字？": the year the figure is of leads, the figure after
            western = to_western_year(f.fiscal_year)
            year = f"{f.fiscal_year}（{western}年度）" if western and not f.fiscal_year.startswith(str(western)) else f.fiscal_year
            return (f"{year}の数値です。（{subject}の{_attribute_label(f, lang)}: {main}）" if ja
                    else f"It is the figure for {year}. ({_attribute_label(f, lang)} of {subject}: {main})")
        piece = _asked_piece(q.question, main)
        if piece is not None:  # "何か国？" of "26か国59件": the count asked for leads
            what = "国の数" if piece.endswith("か国") else "件数" if piece.endswith("件") else "人数"
            return (f"{subject}の{what}は{piece}です。（資料の{_attribute_label(f, lang)}: {f.value}）" if ja
                    else f"For {subject}, the {_attribute_label(f, lang)} gives {piece}. (As written: {f.value})")
        if note and _note_is_asked(q.question, note, main) and re.search(r"\d", note):
            # "2007年度採択の拠点は？": the note the question points at leads; the main figure follows
            return (f"{subject}の{_attribute_label(f, lang)}は、資料の注記によれば「{note}」です。（本則: {main}）" if ja
                    else f"The {_attribute_label(f, lang)} of {subject}, by the documents' note: \"{note}\". (Otherwise: {main}.)")
        shown = _value_text(f, unit, True, lang=lang) if not note else _value_text(f.model_copy(update={"value": main}), unit, True, lang=lang)
        sentence = (
            f"{subject}の{_attribute_label(f, lang)}は{shown}です。"
            if ja
            else f"The {_attribute_label(f, lang)} of {subject} is {shown}."
        )
        if note:
            sentence += f"（資料の注記: {note}）" if ja else f" (The documents add: {note}.)"
        return sentence
    # The direct answer comes first, in one sentence that states only the figure asked for; the
    # figures it rests on follow in a second sentence.
    if q.operation is FactOperation.DIFF:
        cur, before = facts[0], facts[1]
        subject = _subject_label(result, cur.subject, lang)
        basis = (
            f"（{_attribute_label(cur, lang)} {_value_text(cur, unit, False, lang=lang)}、{_attribute_label(before, lang)} {_value_text(before, unit, False, lang=lang)}）"
            if ja
            else f" ({_attribute_label(cur, lang)}: {_value_text(cur, unit, False, lang=lang)}; {_attribute_label(before, lang)}: {_value_text(before, unit, False, lang=lang)}.)"
        )
        label = _attribute_label(cur, lang)
        if result.derived_yen is None:
            return (f"{subject}の増減は、金額の記載がない年度があるため計算できません。" if ja
                    else f"The change for {subject} cannot be computed: one amount is not given.") + basis
        if result.derived_yen == 0:
            return (f"{subject}の{label}は前年度と同額です。" if ja else f"The {label} of {subject} is the same as the previous year.") + basis
        amount = result.derived_text.lstrip("-") if result.derived_text else ""
        if unit and result.derived_yen is not None:
            amount = format_amount(abs(result.derived_yen), unit)
        pct = f"{result.percent_change:+.1f}%" if result.percent_change is not None else ""
        if ja:
            word = "増加" if result.derived_yen > 0 else "減少"
            if pct and _asks_percent(q.question):  # the rate asked for first, the amount after
                return f"{subject}の{label}の前年度比は{pct}です。（{amount}の{word}）" + basis
            return f"{subject}の{label}は前年度から{amount}の{word}" + (f"（{pct}）" if pct else "") + "です。" + basis
        word = "an increase" if result.derived_yen > 0 else "a decrease"
        if pct and _asks_percent(q.question):
            return f"The {label} of {subject} changed by {pct} over the previous year. ({word} of {amount})" + basis
        return f"The {label} of {subject} is {word} of {amount} over the previous year" + (f" ({pct})" if pct else "") + "." + basis
    if q.share_of is not None and result.ratio is not None:
        return _share_of_whole_sentence(result, unit, lang)
    if result.against_total:
        return _against_total_sentence(result, unit, lang)
    if q.operation is FactOperation.SUM and result.changes:  # "合計では前年度よりいくら増えた？"
        total = sum(y for _, y, _ in result.changes)
        unit_ = unit or _common_unit(list(facts))
        shown = ("+" if total > 0 else "-" if total < 0 else "±") + format_amount(abs(total), unit_)
        items = ("、" if ja else "; ").join(
            f"{_subject_label(result, s, lang)} {'+' if y > 0 else '-' if y < 0 else '±'}{format_amount(abs(y), unit_)}"
            for s, y, _ in result.changes
        )
        totals = _year_totals(facts, unit_)
        if total == 0:  # "合計額は前年度から変わった？": in words, and no amount that could read as a figure
            return (f"合計は前年度と同額です（増減の合計±0）。（{items}）" if ja
                    else f"Together they are unchanged from the previous year (changes add up to 0). ({items})")
        if totals is not None:
            now, before = totals
            if _has_any(unicodedata.normalize("NFKC", q.question), ("増え", "減っ", "増減", "増加", "減少", "増額", "減額")):
                # "合計は前年度からいくら増えた？": the change leads, the totals follow
                return (f"前年度からの増減の合計は{shown}です。合計は{now}（前年度{before}）です。（{items}）" if ja
                        else f"The changes add up to {shown}. Together {now} (previous year {before}). ({items})")
            # "足すといくら？前年度と比べると？": both totals, then their change
            return (f"合計は{now}（前年度{before}）で、前年度からの増減は{shown}です。（{items}）" if ja
                    else f"Together {now} (previous year {before}), a change of {shown}. ({items})")
        return (f"前年度からの増減の合計は{shown}です。（{items}）" if ja
                else f"The changes over the previous year add up to {shown}. ({items})")
    if q.operation is FactOperation.SUM:
        one_subject = len({f.subject for f in facts}) == 1 and len(facts) > 1  # one program's years added up
        items = ("、" if ja else "; ").join(
            f"{_attribute_label(f, lang) if one_subject else _subject_label(result, f.subject, lang)} {_value_text(f, unit, False, lang=lang)}"
            for f in facts
        )
        label = f"{_subject_label(result, facts[0].subject, lang)}の予算額" if one_subject and ja else _attribute_label(facts[0], lang)
        if result.derived_text is None:
            return (f"単位が揃わないため合計は計算できません（{items}）。" if ja else f"These cannot be added up ({items}).")
        total = result.derived_text
        if unit and result.derived_yen is not None:
            total = f"{format_amount(result.derived_yen, unit)}{'（' if ja else ' ('}{result.derived_text}{'）' if ja else ')'}"
        elif ja and result.derived_yen is not None and result.derived_yen >= YEN_UNITS["億円"] and not result.derived_text.endswith(("億円", "兆円")):
            total = f"{result.derived_text}（{format_amount(result.derived_yen, '億円')}）"
        return f"{label}の合計は{total}です。（内訳: {items}）" if ja else f"The total {label} is {total} ({items})."
    # compare
    if result.changes:
        return _changes_sentence(result, unit, lang)
    if result.ratio is not None:
        a, b = facts[0], facts[1]
        a_name, b_name = _subject_label(result, a.subject, lang), _subject_label(result, b.subject, lang)
        a_value, b_value = _value_text(a, unit, False, lang=lang), _value_text(b, unit, False, lang=lang)
        if asks_share(q.question):  # "AはBの何%": A as a share of B
            return (f"{a_name}は{b_name}の{share_text(result.ratio, q.question)}です。（{a_name} {a_value}、{b_name} {b_value}）" if ja
                    else f"{a_name} is about {result.ratio * 100:.1f}% of {b_name}. ({a_value} vs {b_value})")
        times, exact = times_text(result.ratio)
        if ja and 0 < result.ratio < 1 and _FRACTION_ASKED.search(unicodedata.normalize("NFKC", q.question)):
            # "AはBの何分の一？": 1 over B/A, with the ratio itself
            parts, parts_exact = times_text(1 / result.ratio)
            return (f"{a_name}は{b_name}の{'' if parts_exact else '約'}{parts}分の1（{'' if exact else '約'}{times}倍）です。"
                    f"（{a_name} {a_value}、{b_name} {b_value}）")
        return (f"{a_name}は{b_name}の{'' if exact else '約'}{times}倍です。（{a_name} {a_value}、{b_name} {b_value}）" if ja
                else f"{a_name} is {'' if exact else 'about '}{times} times {b_name}. ({a_value} vs {b_value})")
    if len(facts) >= 3 or (_asks_smaller(q.question) and not _is_time(facts[0]) and not _asks_difference(q.question)):
        return _extreme_sentence(result, unit, lang)
    first, second = facts[0], facts[1]
    a_name, b_name = _subject_label(result, first.subject, lang), _subject_label(result, second.subject, lang)
    a_value, b_value = _value_text(first, unit, False, lang=lang), _value_text(second, unit, False, lang=lang)
    if result.derived_text is None and result.larger_subject is not None:  # periods in different units
        longer = ("長く" if not _asks_smaller(q.question) else "短く") if ja else ("longer" if not _asks_smaller(q.question) else "shorter")
        if _asks_smaller(q.question):
            a_name, a_value, b_name, b_value = b_name, b_value, a_name, a_value
        return (f"{a_name}の方が{longer}、{a_value}です。{b_name}は{b_value}です。" if ja
                else f"{a_name} is {longer}, at {a_value}; {b_name}: {b_value}.")
    if result.derived_text is None:
        return f"比較できる数値ではありません（{a_name} {a_value}、{b_name} {b_value}）。" if ja else f"These figures cannot be compared ({a_name}: {a_value}; {b_name}: {b_value})."
    if result.larger_subject is None and a_value != b_value:  # "7年(最大10年まで延長可)" and "10年" at their longest
        return (f"{a_name}と{b_name}は同じです。（{a_name} {a_value}、{b_name} {b_value}）" if ja
                else f"{a_name} and {b_name} are the same ({a_value}; {b_value}).")
    if result.larger_subject is None:
        return f"{a_name}と{b_name}は同じ{a_value}です。" if ja else f"{a_name} and {b_name} are the same: {a_value}."
    if _is_time(first):
        earlier_first = _asks_earlier(q.question)
        winner, winner_value, other, other_value = (
            (b_name, b_value, a_name, a_value) if earlier_first else (a_name, a_value, b_name, b_value)
        )
        word = ("先" if earlier_first else "後") if ja else ("earlier" if earlier_first else "later")
        gap = _years_apart(first, second)
        if gap and ("何年" in q.question or "how many years" in q.question.lower()):
            # "何年早く始まった？": the years between the two starts, from both cited values
            return (f"{winner}の方が{gap}年{'早' if earlier_first else '遅'}く始まっています（{winner_value}、{other}は{other_value}）。" if ja
                    else f"{winner} started {gap} years {word} ({winner_value}; {other}: {other_value}).")
        return (f"{winner}の方が{word}です（{winner_value}）。{other}は{other_value}です。" if ja
                else f"{winner} is {word} ({winner_value}); {other}: {other_value}.")
    diff = result.derived_text
    if unit and result.derived_yen is not None:
        diff = format_amount(result.derived_yen, unit)
    if first.attribute != second.attribute:  # e.g. one program's 補正予算 against another's 当初予算
        a_value += f"（{_attribute_label(first, lang)}）" if ja else f" ({_attribute_label(first, lang)})"
        b_value += f"（{_attribute_label(second, lang)}）" if ja else f" ({_attribute_label(second, lang)})"
    money = result.derived_yen is not None
    if _SUBTRACT.search(unicodedata.normalize("NFKC", q.question)):  # "Aのうち、Bの分を除くと": A less B
        return (f"{a_name}から{b_name}の分を除くと{diff}です。（{a_name} {a_value}、{b_name} {b_value}）" if ja
                else f"{a_name} less {b_name} is {diff}. ({a_name}: {a_value}; {b_name}: {b_value})")
    if _asks_difference(q.question):  # "差額はいくら": the difference first, the two figures after
        return (f"{a_name}と{b_name}の差は{diff}です。（{a_name} {a_value}、{b_name} {b_value}）" if ja
                else f"The difference is {diff}. ({a_name}: {a_value}; {b_name}: {b_value})")
    period = _attribute_kind(canonical_attribute(first.attribute)) == "period"
    if ja:
        return f"{a_name}の方が{'大き' if money else '長' if period else '多'}く、{a_value}です。{b_name}は{b_value}で、差は{diff}です。"
    return f"{a_name} is {'larger' if money else 'longer' if period else 'more'}, at {a_value}. {b_name}: {b_value}; the difference is {diff}."


_PER_ITEM = re.compile(r"(?P<n>[\d,]+)件\s*[×x]\s*(?P<each>(?:のべ|延べ)?[\d,]+人)")


def _per_item_figures(result: FactResult, lang: str) -> str | None:
    """"1件あたり何人？" answered by a value's note written as "15件×のべ105人": the per-project figure as written."""
    q = unicodedata.normalize("NFKC", result.query.question).lower()
    if not any(cue in q for cue in ("1件あたり", "1件当たり", "1課題あたり", "per project", "each project")):
        return None
    parts = []
    for f in result.facts:
        m = _PER_ITEM.search(unicodedata.normalize("NFKC", f.value))
        if m is None:
            return None
        parts.append((f, m.group("each"), m.group(0)))
    subject = _subject_label(result, result.facts[0].subject, lang)
    if len(parts) == 2 and _asks_ratio(q) and lang == "ja":
        # "1件あたり、短期は長期の何倍？": the per-project figures over each other, in the order the question names them
        (a, a_each, a_whole), (b, b_each, b_whole) = sorted(parts, key=lambda part: _detail_at(q, part[0], lang))
        if later_is_numerator(q, _detail_at(q, a, lang), _detail_at(q, b, lang)):
            (a, a_each, a_whole), (b, b_each, b_whole) = (b, b_each, b_whole), (a, a_each, a_whole)
        a_n, b_n = (float(re.sub(r"[^\d.]", "", each)) for each in (a_each, b_each))
        if b_n:
            times, exact = times_text(a_n / b_n)
            return (f"1件あたりの{_attribute_label(a, lang)}は{_attribute_label(b, lang)}の{'' if exact else '約'}{times}倍です。"
                    f"（{a_each}、{b_each}: {a_whole}、{b_whole}）")
    if lang == "ja":
        return f"{subject}の1件あたりは" + "、".join(f"{_attribute_label(f, lang)} {each}" for f, each, _ in parts) + "です。（" + "、".join(w for _, _, w in parts) + "）"
    return f"Per project, {subject}: " + "; ".join(f"{_attribute_label(f, lang)} {each}" for f, each, _ in parts) + "."


def _detail_sum(result: FactResult, lang: str) -> str | None:
    """"長期と短期を足すと何人？": the sum of the details' counts, derived from the cited facts."""
    facts = result.facts
    if any(f.quantity is None or f.amount_yen is not None for f in facts) or len({f.unit for f in facts}) != 1:
        return None
    total = sum(f.quantity for f in facts)
    approx = "約" if any((f.qualifier or "").startswith("約") or f.value.startswith("約") for f in facts) else ""
    amount = f"{approx}{int(total):,}{facts[0].unit}" if float(total).is_integer() else f"{approx}{total}{facts[0].unit}"
    parts = "、".join(f"{_attribute_label(f, lang)} {split_note(f.value)[0]}" for f in facts)
    if lang == "ja":
        return f"合計は{amount}です。（{parts}）"
    return f"The total is {amount}. ({parts})"


_DETAIL_COMPARE_CUES = ("どっち", "どちら", "大きい", "小さい", "長い", "短い", "多い", "少ない", "高い", "低い", "同じ", "違い", "異な")


def _money_at_asked_end(question: str, facts: Sequence[Fact]) -> list[float] | None:
    """Each fact's amount at the end of its range the question names (上限/最大 → top, 下限/最小 → bottom; a
    single amount is its own both ends); None unless an end is named and every fact states money."""
    q = unicodedata.normalize("NFKC", question)
    end = "max" if re.search(r"上限|最大|最高|天井", q) else "min" if re.search(r"下限|最小|最低", q) else None
    if end is None:
        return None
    values = [f.amount_yen if f.amount_yen is not None else _amount_at_end(f, end) for f in facts]
    return None if any(v is None for v in values) else [float(v) for v in values]  # type: ignore[arg-type]


def _amount_at_end(fact: Fact, end: str) -> int | None:
    """A money fact's amount at one end of its range ("max" / "min"), or its single amount ("main")."""
    main = fact.amount_yen if fact.amount_yen is not None else fact.amount_yen_min
    return {"max": fact.amount_yen_max or main, "min": fact.amount_yen_min or main}.get(end, main)


def _detail_compare(result: FactResult, lang: str) -> str | None:
    """"コアチーム型と国際協力加速型、支援額の上限が大きいのは？": two details of one program compared, at
    the end the question names (上限/最長 → the top of a range, 下限/最短 → its bottom)."""
    q = unicodedata.normalize("NFKC", result.query.question)
    end = "max" if re.search(r"上限|最大|最長|最高|最も長", q) else "min" if re.search(r"下限|最小|最短|最低", q) else "main"
    smaller = bool(re.search(r"小さ|短い|少な|低い", q))

    def key(f: Fact) -> float | None:
        if f.amount_yen is not None or f.amount_yen_max is not None:
            picked = _amount_at_end(f, end)
            return float(picked) if picked is not None else None
        numbers = [float(n) for n in re.findall(r"(\d+(?:\.\d+)?)\s*(?:年|か月|ヶ月|人|件)", unicodedata.normalize("NFKC", f.value))]
        if not numbers or f.unit is None:
            return None
        return max(numbers) if end == "max" else min(numbers) if end == "min" else numbers[0]

    a, b = result.facts
    ka, kb = key(a), key(b)
    money = a.amount_yen_max is not None or a.amount_yen is not None
    if ka is None or kb is None or money != (b.amount_yen_max is not None or b.amount_yen is not None) or (not money and a.unit != b.unit):
        return None
    label = lambda f: attribute_detail(f.attribute) or _attribute_label(f, lang)  # noqa: E731
    if ka == kb:
        return (f"{label(a)}と{label(b)}は同じです（{a.value}、{b.value}）。" if lang == "ja"
                else f"{label(a)} and {label(b)} are the same ({a.value}; {b.value}).")
    win, lose = (a, b) if (ka > kb) != smaller else (b, a)
    period = _attribute_kind(canonical_attribute(a.attribute)) == "period"
    if lang == "ja":
        word = ("短" if smaller else "長") if period else ("小さ" if smaller else "大き") if money else ("少な" if smaller else "多")
        return f"{label(win)}の方が{word}く、{win.value}です。{label(lose)}は{lose.value}です。"
    word = ("shorter" if smaller else "longer") if period else ("smaller" if smaller else "larger")
    return f"{label(win)} is {word}: {win.value}. {label(lose)}: {lose.value}."


def _detail_difference(result: FactResult, lang: str) -> str | None:
    """"短期は長期より何人多い？": the difference of two details' counts, derived from both cited facts."""
    a, b = result.facts
    if a.quantity is None or b.quantity is None or a.unit != b.unit or a.amount_yen is not None:
        return None
    high, low = (a, b) if a.quantity >= b.quantity else (b, a)
    diff = high.quantity - low.quantity
    approx = "約" if any((f.qualifier or "").startswith("約") or f.value.startswith("約") for f in (a, b)) else ""
    amount = f"{approx}{int(diff):,}{high.unit}" if float(diff).is_integer() else f"{approx}{diff}{high.unit}"
    high_label, low_label = _attribute_label(high, lang), _attribute_label(low, lang)
    high_value, low_value = split_note(high.value)[0], split_note(low.value)[0]
    if lang == "ja":
        return f"{high_label}は{low_label}より{amount}多いです。（{high_label} {high_value}、{low_label} {low_value}）"
    return f"The {high_label} exceeds the {low_label} by {amount} ({high_value} vs {low_value})."


def _detail_at(question: str, fact: Fact, lang: str) -> int:
    """Where a question (NFKC) names a fact's detail ("短期" of 海外派遣人数(短期)) or attribute; past its end if nowhere."""
    at = question.find(unicodedata.normalize("NFKC", attribute_detail(fact.attribute) or _attribute_label(fact, lang)))
    return at if at >= 0 else len(question)


def _detail_ratio(result: FactResult, lang: str) -> str | None:
    """"短期派遣は長期派遣の何倍？": two details of one program as a ratio, the first the question names over
    the other (counts, or money at the end of a range the question names), derived from both cited facts."""
    q = unicodedata.normalize("NFKC", result.query.question)
    end = "max" if re.search(r"上限|最大|最高", q) else "min" if re.search(r"下限|最小|最低", q) else None

    def value(f: Fact) -> float | None:
        if f.amount_yen is not None or f.amount_yen_max is not None:
            picked = f.amount_yen if end is None else _amount_at_end(f, end)
            return float(picked) if picked is not None else None
        return float(f.quantity) if f.quantity is not None else None

    a, b = sorted(result.facts, key=lambda f: _detail_at(q, f, lang))
    if later_is_numerator(q, _detail_at(q, a, lang), _detail_at(q, b, lang)):
        a, b = b, a  # "長期と比べて短期は何倍", "短期に占める長期の割合"
    va, vb = value(a), value(b)
    money = a.amount_yen is not None or a.amount_yen_max is not None
    if va is None or vb is None or not vb or not va or money != (b.amount_yen is not None or b.amount_yen_max is not None):
        return None
    if not money and a.unit != b.unit:
        return None
    ratio = va / vb
    if ratio < 1 and _RATIO_EITHER_WAY.search(q):
        a, b, ratio = b, a, vb / va  # "何倍違う": the larger over the smaller
    times, exact = times_text(ratio)
    a_label, b_label = _attribute_label(a, lang), _attribute_label(b, lang)
    a_value, b_value = split_note(a.value)[0], split_note(b.value)[0]
    if asks_share(q):  # "長期は短期の何%？"
        return (f"{a_label}は{b_label}の{share_text(ratio, q)}です。（{a_label} {a_value}、{b_label} {b_value}）" if lang == "ja"
                else f"The {a_label} is {ratio * 100:.1f}% of the {b_label} ({a_value} vs {b_value}).")
    if lang == "ja":
        return f"{a_label}は{b_label}の{'' if exact else '約'}{times}倍です。（{a_label} {a_value}、{b_label} {b_value}）"
    return f"The {a_label} is {'' if exact else 'about '}{times} times the {b_label} ({a_value} vs {b_value})."


_NOTE_RE = re.compile(r"^(?P<main>.+?)\s*[(（](?P<note>[^()（）]*\d[^()（）]*)[)）]\s*$")


_COUNTERS = (("か国", ("何か国", "何カ国", "何ヵ国", "how many countries", "number of countries")),
             ("件", ("何件", "how many projects", "number of projects")),
             ("人", ("何人", "何名", "how many people", "how many researchers")))


def _asked_piece(question: str, value: str) -> str | None:
    """The figure of the counter a question asks for ("何か国") inside a value holding several counts
    ("26か国59件" → "26か国"); None when the value holds one count only or not the asked one."""
    q = unicodedata.normalize("NFKC", question).lower()
    pieces = re.findall(r"(?:約)?\d[\d,]*(?:か国|件|人|名)", unicodedata.normalize("NFKC", value))
    if len(pieces) < 2:
        return None
    for counter, cues in _COUNTERS:
        if any(c in q for c in cues):
            found = [p for p in pieces if p.endswith(counter) or (counter == "人" and p.endswith("名"))]
            return found[0] if len(found) == 1 else None
    return None


def _note_is_asked(question: str, note: str, main: str) -> bool:
    """Whether the question names what a value's note qualifies: a year it states ("2007年度採択" for the note
    "2007, 2010年度採択拠点は…") that the main value does not."""
    q = unicodedata.normalize("NFKC", question)
    for year in find_years(q):
        digits = re.sub(r"\D", "", year.text) if re.match(r"\d{4}", year.text) else str(year.year)
        if digits in note and digits not in main:
            return True
    return False


def split_note(value: str) -> tuple[str, str]:
    """A value's main figure and a trailing parenthetical note that holds other numbers.

    Example:
        >>> split_note("約225人(15件×15人)"), split_note("最大5億円(直接経費)")
        (('約225人', '15件×15人'), ('最大5億円(直接経費)', ''))
    """
    match = _NOTE_RE.match(value.strip())
    if not match or not re.search(r"\d", match.group("main")):
        return value, ""
    return match.group("main").strip(), match.group("note").strip()


def _is_time(fact: Fact) -> bool:
    return "時期" in fact.attribute or "開始" in fact.attribute or (fact.unit or "") in {"年度"} or "事業期間" in fact.attribute


_KIND_WORDS_EN = (("how long", "period"), ("how many years", "period"), ("how much", "money"), ("how many", "count"))


def _asked_kind_en(lower: str) -> str | None:
    """The kind of figure an English question asks for: period, money or count (None if it does not say)."""
    for words, kind in _KIND_WORDS_EN:
        if re.search(rf"\b{words}\b", lower):
            return kind
    return None


_KIND_WORDS_JA = (("何人", "count"), ("何名", "count"), ("何件", "count"), ("いくら", "money"), ("何円", "money"),
                  ("何億", "money"), ("何百万", "money"), ("何年間", "period"), ("何か月", "period"), ("何ヶ月", "period"),
                  ("何週間", "period"), ("期間", "period"), ("長く支援", "period"), ("何年支援", "period"), ("長く続", "period"))


_NAME_QUESTION_WORDS = ("どこ", "どの事業", "どのプログラム", "誰", "だれ", "何という", "どんな", "どういう", "どのよう", "何を", "何が",
                       "何の費用", "何の経費", "何に使")


def where_named(text: str, name: str, others: Sequence[str] = ()) -> int:
    """Where `text` first names `name`: its abbreviation in parentheses ("WPI"), else the start of the longest
    piece (3+ characters) of the name it holds that no name of `others` holds ("プログラム" names no one
    program); past the end when it holds none.

    Example:
        >>> where_named("海外挑戦の予算は育成等の何%", "グローバルに活躍する若手研究者の育成等", ["若手研究者海外挑戦プログラム"])
        8
        >>> where_named("WPIと、海外挑戦プログラムの合計", "世界トップレベル研究拠点プログラム(WPI)", ["若手研究者海外挑戦プログラム"])
        0
    """
    abbreviation = re.search(r"\(([A-Za-z]{2,})\)$", name)
    if abbreviation and abbreviation.group(1) in text:
        return text.find(abbreviation.group(1))
    shared = [other for other in others if other != name]
    for size in range(len(name), 2, -1):
        for start in range(len(name) - size + 1):
            piece = name[start : start + size]
            if any(piece in other for other in shared):
                continue
            at = text.find(piece)
            if at >= 0:
                return at
    return len(text)


def _whole_last(subjects: Sequence[str], entries: Mapping[str, "SubjectEntry"]) -> tuple[str, ...]:
    """The subjects with a section (the whole a share is of) last: "Xは全体の何%" is X over the whole."""
    kind = lambda name: entries[name].kind if name in entries else "program"  # noqa: E731
    ordered = dict.fromkeys(subjects)
    return tuple([s for s in ordered if kind(s) != "section"] + [s for s in ordered if kind(s) == "section"])


def _without_inner_no(text: str) -> str:
    """`text` with each の between two name characters dropped ("外国人研究者の招へい事業" → "外国人研究者招へい事業")."""
    return re.sub(r"(?<=[\u4e00-\u9fff\u30a0-\u30ff])の(?=[\u4e00-\u9fff\u30a0-\u30ff])", "", text)


def _distinctive_figure(text: str) -> bool:
    """Whether a figure is specific enough to stand for the fact stating it when a question quotes it: an
    amount of money, or 4+ characters that are not a bare duration ("178人", "昭和57年度"; not "10年", "2年間")."""
    if not re.search(r"\d", text) or not re.search(r"[^\d,.]", text) or len(text) < 3:
        return False
    if "円" in text:
        return True
    return len(text) >= 4 and not re.fullmatch(r"\d+(?:年間?|か月|ヶ月|週間|日)", text)


def _is_year_only(text: str) -> bool:
    """"2007年度", "昭和57年度": a year and nothing else."""
    return bool(re.fullmatch(r"(?:(?:令和|平成|昭和)\d{1,2}|\d{4})年度?", text))


# what follows a quoted figure to make it a program's description: "」に始まった事業", "」開始の事業", "の事業"
_DESCRIBED_BY_FIGURE = re.compile(r"」?(?:に|で|から|開始の|開始|とある|の)?[^、。？?と「」]{0,10}?(?:事業|プログラム|制度)")

# "1,160百万円ってなんの予算？", "「約2,760人」は何の人数？", "「最大5億円」って1件あたり？": what a quoted figure is
_WHAT_FIGURE_IS = re.compile(
    r"(?:なん|何)の(?:予算|金額|額|数字|数値|人数|件数|割合|期間|年度|事業|プログラム)|どの(?:事業|プログラム|制度)|何という|"
    r"何を指|(?:って|とは)(?:なに|何)|どこの|何の|なんの"
)


def asks_what_figure_is(text: str) -> bool:
    """Whether a question asks what a figure it quotes is (whose, of what), not for a figure.

    Example:
        >>> asks_what_figure_is("1,160百万円ってなんの予算？"), asks_what_figure_is("1,160百万円と1,826百万円の差は？")
        (True, False)
    """
    text = unicodedata.normalize("NFKC", text)
    if _has_any(text, _COMPARE_CUES + _SUM_CUES + _DIFF_CUES + ("足す", "足し", "いつ", "何年", "何月")):
        return False  # "…前年度の予算が多かったのはどの事業？": a compare that names its programs by their figures
    return bool(_WHAT_FIGURE_IS.search(text))


def asks_a_share(text: str) -> bool:
    """`asks_share`, or a share asked without naming its whole ("6事業の分は何%", "どれほどを占めていた").

    Example:
        >>> asks_a_share("SICORPとSATREPSで何割くらい？"), asks_a_share("SICORPの予算は？")
        (True, False)
    """
    return asks_share(text) or bool(re.search(r"何%|何パーセント|何割|割合|占め", unicodedata.normalize("NFKC", text)))


def asks_for_a_name(text: str) -> bool:
    """Whether the question asks where / which / what kind (a name or a place), not a figure."""
    return any(w in text for w in _NAME_QUESTION_WORDS)


def _asked_kind_ja(text: str) -> str | None:
    """The kind of figure a Japanese question asks for by its question word (何人 → count), else None."""
    for word, kind in _KIND_WORDS_JA:
        if word in text:
            return kind
    return None


def _strong_partial(match) -> bool:
    """A partial name match long and close enough to be the program ("若手研究者の新たな流動モードの促進")."""
    return len(match.surface) >= 6 and name_bigram_share(match.surface, match.name) >= LOOSE_NAME_SHARE


def _attribute_kind(canonical: str) -> str | None:
    """period / money / count for a canonical attribute; None for those of no one kind (開始時期)."""
    if canonical.endswith("期間"):
        return "period"
    if canonical.endswith(("額",)):
        return "money"
    if canonical.endswith(("人数", "件数")):
        return "count"
    return None


def _dates_something_else(text: str, year) -> bool:
    """Whether a year in a question dates the program rather than asks for that year's figure:
    "平成21年度から続けている", "2007年度に採択された拠点", "2007年度・2010年度採択"."""
    after = text[year.end : year.end + 6]
    if re.match(r"\s*(?:と|及び|および)\s*(?:\d{4}|令和|平成|昭和)", after):
        # "2007年度と2010年度に採択された": a list of years dates what the last of them dates
        rest = re.search(r"(?:\d{4}|令和\d+|平成\d+|昭和\d+)\s*年度?", text[year.end :])
        after = text[year.end + rest.end() : year.end + rest.end() + 6] if rest else after
    return bool(re.match(r"\s*(?:から|より|以来|以降|~|～|[・、,や]\s*\d|に採択|採択|に始|に開始|に創設)", after))


def _is_fragment(rest: str) -> bool:
    """Whether what is left of a question besides its names and years is no more than a word or two."""
    left = re.sub(r"[\s?？。、,!！]|の|は|を|って", "", rest)
    left = re.sub(r"前年度|昨年度|今年度|本年度|前年|去年|令和|平成|R\d|FY|\d|年度|年", "", left)
    return len(left) <= 2


def _asks_percent(question: str) -> bool:
    """"何%", "伸び率", "対前年度比は？" (a ratio, unless an amount is asked: "前年度比でいくら増えた")."""
    q = unicodedata.normalize("NFKC", question).lower()
    if any(cue in q for cue in ("%", "率", "パーセント", "percent", "何割")):
        return True
    return bool(re.search(r"前年度?比|対前年", q)) and not re.search(r"いくら|何円|何億|何百万|何万|how much", q)


def _asks_difference(question: str) -> bool:
    q = unicodedata.normalize("NFKC", question).lower()
    return any(cue in q for cue in ("差", "違", "上回", "下回", "足りな", "不足", "開き", "隔たり", "引き離", "difference", "how much more", "how much larger", "how much bigger",
                                    "how many more", "how many fewer", "how much less", "how much smaller")) or bool(
        re.search(r"(?:いくら|どれだけ|どのくらい|どれくらい|何百万円|何億円|何人|何件).{0,3}(?:少な|多|大き|小さ)|あと(?:いくら|どれ|何)", q)
    )


def asks_share(question: str) -> bool:
    """"AはBの何%", "Bに占めるAの割合", "what percentage of B": one figure as a share of another."""
    q = unicodedata.normalize("NFKC", question).lower()
    return bool(re.search(r"の何%|の何パーセント|占める|を占め|の割合|何割|のうち.{0,30}何(?:%|パーセント)|what percentage of|what share of|what fraction of", q))


# "Bの分を除くと", "差し引くと": one figure less another
_SUBTRACT = re.compile(r"除く|除いた|除いて|差し引|引くと|引いた")

# "内訳4事業", "各事業", "それぞれの事業": a group's members, one by one
_MEMBERS_CUE = re.compile(r"内訳|各事業|それぞれの事業|[0-9一二三四五六七八九]つの事業|[0-9一二三四五六七八九]事業")

# "Aと比べてB", "Aに対してB", "Aに占めるB", "AのうちB": A is the base (or the whole) of a ratio or share of B
_BASE_OR_WHOLE = re.compile(r"と比べ|に比べ|と比較|に対し|に占め|のうち|の中で")


def later_is_numerator(text: str, first_at: int, second_at: int) -> bool:
    """Whether, of two sides a question names at `first_at` < `second_at`, the later is the one divided
    ("SICORPと比べると、WPIの予算は何倍" → WPI over SICORP; "総勢に占めるPIの割合" → PI over 総勢): a base or
    whole cue stands between them. "WPIはSICORPと比べて何倍" keeps WPI first (the cue follows both).

    Example:
        >>> later_is_numerator("SICORPと比べると、WPIは何倍？", 0, 11), later_is_numerator("WPIはSICORPと比べて何倍？", 0, 4)
        (True, False)
    """
    if not 0 <= first_at < second_at < len(text):
        return False  # a side the question does not name where it can be found: keep the order
    return bool(_BASE_OR_WHOLE.search(text, first_at, second_at))

# "何倍違う", "何倍の差", "何倍の開き": a ratio asked with no side named first
_RATIO_EITHER_WAY = re.compile(r"何倍(?:違|ちが|の差|の開き|もの差|離れ)|倍の差")


def _asks_ratio(question: str) -> bool:
    q = unicodedata.normalize("NFKC", question).lower()
    return "何倍" in q or "倍" in q or "how many times" in q or bool(_FRACTION_ASKED.search(q)) or bool(_RATIO_NOUN.search(q))


# "AはBの何分の一？": a ratio asked as a fraction
_FRACTION_ASKED = re.compile(r"何分の(?:1|一)")
# "AとBの予算の比は？": a ratio asked by name (not 前年度比, a change)
_RATIO_NOUN = re.compile(r"の比(?:は|を|って|[?？。]|$)|\bratio\b")


_RANK_RE = re.compile(r"(\d+|[一二三四五])番目")


def _asked_rank(question: str, count: int = 0) -> int | None:
    """The place asked for in an ordering of `count` ("2番目", "二番目", of three "真ん中"), or None."""
    if count % 2 == 1 and count >= 3 and re.search(r"真ん中|中間|まんなか", question):
        return count // 2 + 1
    m = _RANK_RE.search(unicodedata.normalize("NFKC", question))
    if m is None:
        return None
    return int(m.group(1)) if m.group(1).isdigit() else "一二三四五".index(m.group(1)) + 1


def _asks_smaller(question: str) -> bool:
    q = unicodedata.normalize("NFKC", question).lower()
    return any(cue in q for cue in ("少な", "小さ", "低い", "最小", "短い", "短く", "最短", "smallest", "least", "lowest", "fewest",
                                    "smaller", "less", "shorter", "shortest"))


def _changes_sentence(result: FactResult, unit: str | None, lang: str) -> str:
    """Each program's change over the prior year; the one asked about (largest, smallest, changed) first;
    a new program (prior year "ー") said to be new."""
    sentence = _changes_lead(result, unit, lang)
    if result.new_subjects:
        names = ("、" if lang == "ja" else ", ").join(_subject_label(result, s, lang) for s in result.new_subjects)
        sentence += (f"（{names}は前年度予算額が「ー」の新規事業のため、増減は比べられません）" if lang == "ja"
                     else f" ({names}: new, no prior-year budget (\"ー\"), so no change to compare.)")
    return sentence


# "伸び幅の差は", "増加額の差", "2事業の差は縮まった？広がった？": how far two programs' changes differ
_RATE_GAP = re.compile(r"(?:伸び率|増加率|減少率|増減率|変化率|前年度?比)[^。?？]{0,24}(?:差|開き|隔たり)|何ポイント|ポイント差")
_CHANGE_GAP = re.compile(r"(?:幅|増加額|増額|増減額?|伸び)の差|差(?:は|が)?(?:縮ま|広が|開い|狭ま)|(?:縮ま|狭ま)った|広がった")


def _year_totals(facts: Sequence[Fact], unit: str | None) -> tuple[str, str] | None:
    """(this year's total, the prior year's total) of the facts of a sum of changes, each subject's two
    budgets as cited; None when an amount is missing."""
    prior = [f for f in facts if "前年度" in f.attribute]
    current = [f for f in facts if "前年度" not in f.attribute]
    if not prior or len(prior) != len(current) or any(f.amount_yen is None for f in facts):
        return None
    unit = unit or _common_unit(list(facts)) or "百万円"
    return (format_amount(sum(int(f.amount_yen) for f in current), unit),  # type: ignore[arg-type]
            format_amount(sum(int(f.amount_yen) for f in prior), unit))  # type: ignore[arg-type]


def _change_gap_sentence(result: FactResult, amount, items: str, unit: str | None, lang: str) -> str:
    """Two programs' changes against each other: their difference, which is also how much the gap between
    the two budgets moved ("SICORP +82, SATREPS -50: the gap moved by 132百万円")."""
    (a, ya, _), (b, yb, _) = result.changes
    gap = abs(ya - yb)
    written = _common_unit([f for f in result.facts if f.subject == a]) or "百万円"
    shown = format_amount(gap, unit or written)
    prior = {f.subject: f.amount_yen for f in result.facts if "前年度" in f.attribute}
    moved = ""
    if prior.get(a) is not None and prior.get(b) is not None:
        before = abs(prior[a] - prior[b])
        after = abs(prior[a] + ya - prior[b] - yb)
        moved = ("縮まりました" if after < before else "広がりました" if after > before else "") if lang == "ja" else (
            "narrowed" if after < before else "widened" if after > before else "")
    if lang == "ja":
        return f"前年度からの増減の差は{shown}です" + (f"（2事業の予算の差はその分{moved}）" if moved else "") + f"。（{items}）"
    return f"The two changes differ by {shown}" + (f" (the gap between the budgets {moved} by that much)" if moved else "") + f". ({items})"


# Which programs a question about changes picks, by its words: (keep the change?, (ja, en) lead naming them,
# (ja, en) lead when none is kept).
_CHANGED = (lambda y: y != 0, ("前年度から変わったのは{}です", "Changed from the previous year: {}"))
_NEITHER_WAY = r"(?:増えても|減っても)(?:い)?ない"  # "減ってもいないし増えてもいない": unchanged
_NEGATED_CHANGES = (  # checked unless the question asks for the unchanged ones in so many words
    (r"(?:据え置|横ばい|同額)[^。？?]{0,8}(?:ていない|てない|ではない|じゃない)", *_CHANGED,
     ("いずれも前年度と同額です", "None changed")),
    (r"(?:増え|伸び)(?:なかった|ていない|てない)|増加していない", lambda y: y <= 0,
     ("前年度より増えなかったのは{}です", "Not increased: {}"), ("いずれも前年度より増えています", "All increased")),
    (r"減ら(?:なかった|ない)|減っていない|減ってない|減少していない", lambda y: y >= 0,
     ("前年度より減らなかったのは{}です", "Not decreased: {}"), ("いずれも前年度より減っています", "All decreased")),
)
_DIRECTED_CHANGES = (
    (("減っ", "減少", "減額", "減ら"), lambda y: y < 0, ("前年度より減ったのは{}です", "{} decreased"),
     ("前年度より減ったものはありません", "None decreased")),
    (("増え", "増加", "増額", "増や"), lambda y: y > 0, ("前年度より増えたのは{}です", "{} increased"),
     ("前年度より増えたものはありません", "None increased")),
)


def _picked_changes(q: str) -> tuple | None:
    """The first rule of `_NEGATED_CHANGES`, `_DIRECTED_CHANGES`, unchanged, changed whose words the question
    has, as (keep, found, none); None when none applies (the largest or smallest change is asked)."""
    if not re.search(_NEITHER_WAY + r"|変わら|変わってい?な|変化(?:が|は)?な", q):
        for pattern, keep, found, none in _NEGATED_CHANGES:
            if re.search(pattern, q):
                return keep, found, none
    if not re.search(_NEITHER_WAY, q):
        for cues, keep, found, none in _DIRECTED_CHANGES:
            if _has_any(q, cues):
                return keep, found, none
    if re.search(r"変わらな|変わってい?な|変化(?:が|は)?な|同額|据え置|横ばい|" + _NEITHER_WAY, q):
        return (lambda y: y == 0, ("前年度と同額（変化なし）なのは{}です", "Unchanged from the previous year: {}"),
                ("前年度と同額のものはありません", "All changed"))
    if "変わ" in q:
        return (*_CHANGED, ("いずれも前年度と同額です", "None changed: all are the same as the previous year"))
    return None


def _changes_lead(result: FactResult, unit: str | None, lang: str) -> str:
    """The sentence of `_changes_sentence` before any note on new programs."""
    ja = lang == "ja"
    written = {f.subject: _common_unit([f]) for f in result.facts}

    def amount(subject: str, yen: int) -> str:
        if yen == 0:
            return "同額" if ja else "unchanged"
        return ("+" if yen > 0 else "-") + format_amount(abs(yen), unit or written.get(subject) or "百万円")

    items = ("、" if ja else "; ").join(
        f"{_subject_label(result, s, lang)} {amount(s, y)}" + (f"（{p:+.1f}%）" if ja and p else f" ({p:+.1f}%)" if p else "")
        for s, y, p in result.changes
    )
    q = unicodedata.normalize("NFKC", result.query.question)
    if len(result.changes) == 2 and _RATE_GAP.search(q) and all(p is not None for _, _, p in result.changes):
        # "SICORPの伸び率とSATREPSの変化率、何ポイントの開き？": the rates' difference in points
        (a, _, pa), (b, _, pb) = result.changes
        points = abs(pa - pb)
        return (f"前年度比の伸び率の差は{points:.1f}ポイントです。（{items}）" if ja
                else f"The rates of change differ by {points:.1f} percentage points. ({items})")
    if len(result.changes) == 2 and _CHANGE_GAP.search(q):
        return _change_gap_sentence(result, amount, items, unit, lang)
    ranking = _has_any(q, ("大き", "小さ", "多", "少な", "一番", "いちばん", "最も"))
    rule = None if ranking else _picked_changes(q)
    if rule is not None:
        keep, found, none = rule
        picked = [s for s, y, _ in result.changes if keep(y)]
        names = "、".join(_subject_label(result, s, lang) for s in picked)
        if picked and re.search(r"いくつ|何事業|何つ|何個|何プログラム|の数|how many", q, re.IGNORECASE):
            names = f"{len(picked)}事業（{names}）" if ja else f"{len(picked)} programs ({names})"  # "同額の事業はいくつ？"
        lead = (found[0] if ja else found[1]).format(names) if picked else (none[0] if ja else none[1])
        return f"{lead}。（{items}）" if ja else f"{lead}. ({items})"
    smaller = _asks_smaller(q)
    word = ("小さい" if smaller else "大きい") if ja else ("smallest" if smaller else "largest")
    rated = [c for c in result.changes if c[2] is not None]
    if _asks_percent(q) and len(rated) >= 2:  # "伸び率がいちばん大きい": ranked by the rate, which leads
        subject, yen, pct = (min if smaller else max)(rated, key=lambda c: c[2])
        name = _subject_label(result, subject, lang)
        return (f"前年度比の伸び率が{word}のは{name}で、{pct:+.1f}%です。（増減額 {amount(subject, yen)}。{items}）" if ja
                else f"The {word} rate of change over the previous year is {name}'s, {pct:+.1f}%. ({amount(subject, yen)}; {items})")
    subject, yen, _ = (min if smaller else max)(result.changes, key=lambda c: c[1])
    name = _subject_label(result, subject, lang)
    return (f"前年度からの増減が{word}のは{name}で、{amount(subject, yen)}です。（{items}）" if ja
            else f"The {word} change over the previous year is {name}'s, {amount(subject, yen)}. ({items})")


def _share_of_whole_sentence(result: FactResult, unit: str | None, lang: str) -> str:
    """"SICORPとSATREPSの合計（2,986百万円）は…全体（138億円）の約21.6%です": the share first, then every figure."""
    ja = lang == "ja"
    *parts, whole = result.facts
    total = format_amount(int(result.derived_yen or 0), unit or _common_unit(parts))
    share = share_text(result.ratio or 0.0, result.query.question) if ja else f"{(result.ratio or 0.0) * 100:.1f}%"
    names = ("・" if ja else ", ").join(_subject_label(result, f.subject, lang) for f in parts)
    whole_name = _subject_label(result, whole.subject, lang)
    items = ("、" if ja else "; ").join(f"{_subject_label(result, f.subject, lang)} {_value_text(f, unit, False, lang=lang)}" for f in parts)
    if ja:
        return f"{names}の合計{total}は、{whole_name}（{whole.value}）の{share}です。（内訳: {items}）"
    return f"Together {names} ({total}) are {share} of {whole_name} ({whole.value}). ({items})"


def _against_total_sentence(result: FactResult, unit: str | None, lang: str) -> str:
    """"Aは、B・Cの合計より1,951人多い": the difference first, then the total and every figure."""
    ja = lang == "ja"
    lone, others = result.facts[0], result.facts[1:]
    if result.ratio is not None:  # "Aの予算はBとCの合計の何倍？"
        name = _subject_label(result, lone.subject, lang)
        total = (format_amount(sum(int(f.amount_yen) for f in others), unit or _common_unit(list(others)))  # type: ignore[arg-type]
                 if lone.amount_yen is not None else f"{_number(sum(float(f.quantity) for f in others))}{lone.unit}")  # type: ignore[arg-type]
        items = ("、" if ja else "; ").join(f"{_subject_label(result, f.subject, lang)} {_value_text(f, unit, False, lang=lang)}" for f in result.facts)
        return (f"{name}は、ほかの{len(others)}事業の合計の{result.derived_text}です。（合計 {total}。{items}）" if ja
                else f"{name} is {result.derived_text} of the total of the other {len(others)}. (Total {total}; {items})")
    money = result.derived_yen is not None
    gap = result.derived_yen if money else result.derived_quantity
    if money:
        total_yen = sum(int(f.amount_yen) for f in others)  # type: ignore[arg-type]
        total = format_amount(total_yen, unit or _common_unit(list(others)))
        amount = format_amount(abs(int(gap)), unit or _common_unit(list(result.facts)))  # type: ignore[arg-type]
    else:
        total = f"{_number(sum(float(f.quantity) for f in others))}{lone.unit}"  # type: ignore[arg-type]
        amount = f"{_number(abs(float(gap)))}{lone.unit}"  # type: ignore[arg-type]
    if any(unicodedata.normalize("NFKC", f.value).lstrip().startswith("約") for f in result.facts):
        amount = ("約" if ja else "about ") + amount  # from an approximate figure, approximate
    name = _subject_label(result, lone.subject, lang)
    items = ("、" if ja else "; ").join(
        f"{_subject_label(result, f.subject, lang)} {_attribute_label(f, lang)} {_value_text(f, unit, False, lang=lang)}" for f in result.facts
    )
    if ja:
        word = "同じ" if not gap else ("多い" if gap > 0 else "少ない")
        lead = f"{name}は、ほかの{len(others)}事業の合計と同じです。" if not gap else (
            f"{name}は、ほかの{len(others)}事業の合計より{amount}{word}です。")
        return lead + f"（合計 {total}。{items}）"
    word = "the same as" if not gap else ("more than" if gap > 0 else "less than")
    return f"{name} is {amount + ' ' if gap else ''}{word} the total of the other {len(others)} ({total}). ({items})"


def _extreme_sentence(result: FactResult, unit: str | None, lang: str) -> str:
    """"Which of A, B, C is smallest / started first": the one at the asked end, then every figure."""
    ja = lang == "ja"
    facts = result.facts  # largest (or latest) first
    q = result.query.question
    if len({_figure_kind(f) for f in facts} - {"none"}) > 1:  # 約2,760人 against 3,414百万円: no order between them
        items = ("、" if ja else "; ").join(f"{_subject_label(result, f.subject, lang)} {_value_text(f, unit, False, lang=lang)}" for f in facts)
        return f"比較できる数値ではありません（{items}）。" if ja else f"These figures cannot be compared ({items})."
    if _is_time(facts[0]):
        low_end, word = _asks_earlier(q), ("最も早く" if _asks_earlier(q) else "最も遅く") if ja else ("earliest" if _asks_earlier(q) else "latest")
    else:
        low_end = _asks_smaller(q)
        money, period = facts[0].amount_yen is not None, _attribute_kind(canonical_attribute(facts[0].attribute)) == "period"
        if period:
            word = ("最も短く" if low_end else "最も長く") if ja else ("shortest" if low_end else "longest")
        elif money:
            word = ("最も小さく" if low_end else "最も大きく") if ja else ("smallest" if low_end else "largest")
        else:
            word = ("最も少なく" if low_end else "最も多く") if ja else ("fewest" if low_end else "most")
    ordered = list(reversed(facts)) if low_end else list(facts)
    place = next((i for i, f in enumerate(ordered, 1) if f.subject == result.query.rank_of), None)
    if place is not None:  # "少ない順に並べたらSICORPは何番目？"
        items = ("、" if ja else "; ").join(f"{_subject_label(result, f.subject, lang)} {_value_text(f, unit, False, lang=lang)}"
                                           for f in ordered)
        name = _subject_label(result, ordered[place - 1].subject, lang)
        order = ("少ない順" if low_end else "多い順") if ja else ("from the smallest" if low_end else "from the largest")
        return (f"{name}は{order}で{place}番目です。（{items}）" if ja else f"{name} is number {place} {order} ({items}).")
    rank = _asked_rank(q, len(facts))
    if rank is not None and rank <= len(facts):  # "多い順に並べたら2番目は？"
        winner = (list(reversed(facts)) if low_end else list(facts))[rank - 1]
        name = _subject_label(result, winner.subject, lang)
        value = _value_text(winner, unit, False, lang=lang)
        items = ("、" if ja else "; ").join(
            f"{_subject_label(result, f.subject, lang)} {_value_text(f, unit, False, lang=lang)}" for f in facts
        )
        return f"{rank}番目は{name}で、{value}です。（{items}）" if ja else f"Number {rank} is {name}, at {value} ({items})."
    winner = facts[-1] if low_end else facts[0]
    name = _subject_label(result, winner.subject, lang)
    items = ("、" if ja else "; ").join(
        f"{_subject_label(result, f.subject, lang)} {_value_text(f, unit, False, lang=lang)}" for f in facts
    )
    value = _value_text(winner, unit, False, lang=lang)
    if len(facts) == 2 and not _is_time(facts[0]) and _same_figure(*facts):  # "2年間" and "2年以内"
        a_name, b_name = (_subject_label(result, f.subject, lang) for f in facts)
        return f"{a_name}と{b_name}は同じです。（{items}）" if ja else f"{a_name} and {b_name} are the same ({items})."
    if ja and len(facts) == 2:
        return f"{name}の方が{word.removeprefix('最も')}、{value}です。（{items}）"
    return f"{name}が{word}、{value}です。（{items}）" if ja else f"{name} is the {word}, at {value} ({items})."


def _figure_kind(fact: Fact) -> str:
    """money, time (a date or start), period, or the unit of a count: what a fact's figure can be ordered against."""
    if fact.amount_yen is not None or fact.amount_yen_max is not None:
        return "money"
    if _is_time(fact):
        return "time"
    if _in_years(fact) is not None:
        return "period"
    if fact.quantity is None:
        return "none"  # "ー": no figure (a program new this year), ordered with any
    return f"count:{(fact.unit or '').replace('名', '人')}"


def _same_figure(a: Fact, b: Fact) -> bool:
    """Whether two facts state the same amount, count or length of time ("2年間" and "2年以内")."""
    if a.amount_yen is not None or b.amount_yen is not None:
        return a.amount_yen == b.amount_yen
    if a.quantity is not None and b.quantity is not None:
        return a.quantity == b.quantity and a.unit == b.unit
    return _in_years(a) is not None and _in_years(a) == _in_years(b)


_PROGRAM_WORD = re.compile(r"(?:事業|プログラム|制度|施策)")
_WHOLE_RE = re.compile(r"全体|総額|総予算|施策全部|資料全体|\bwhole\b|\boverall\b|\bin total\b", re.IGNORECASE)
_EXTREME_CUES = ("一番", "いちばん", "最も", "もっとも", "最多", "最少", "最大", "最小", "トップ", "番目", "順に", "順番")
_EXTREME_CUES_EN = ("the most", "the largest", "the biggest", "the smallest", "the least", "the fewest", "the highest",
                    "the lowest", "the earliest", "the oldest", "the newest", "the latest", "the longest", "the shortest")
_WHICH_PROGRAM_RE = re.compile(r"どれ|どの|どこ|何という|事業|プログラム|制度|施策|のは[?？]?$|which|what program", re.IGNORECASE)


def _asks_which_member(question: str) -> bool:
    """"育成等のうち、前年度より増えた事業は？", "内訳の4事業のうちどれが": which of a group's programs."""
    text = unicodedata.normalize("NFKC", question)
    return bool(re.search(r"のうち|の中で|の中から|内訳", text)) and bool(re.search(r"どれ|どの|どこ|(?:事業|プログラム)(?:は|が|を)", text))


def asks_which_program(question: str) -> bool:
    """Whether a question naming no program asks which one is at an end ("予算額が最も多い事業は？",
    "一番歴史が古いのはどれ"). A quoted ceiling ("最大5億円") is a figure, not an extreme.

    Example:
        >>> asks_which_program("予算額が最も多い事業は？"), asks_which_program("最大5億円は直接経費？")
        (True, False)
    """
    text = re.sub(r"最大\s*[\d約]", "", unicodedata.normalize("NFKC", question))
    lower = text.lower()
    extreme = _has_any(text, _EXTREME_CUES) or _has_any_en(lower, _EXTREME_CUES_EN)
    return (extreme or _asks_which_changed(text)) and bool(_WHICH_PROGRAM_RE.search(text))


# "前年度より予算が減ったのはどの事業？": which programs changed one way, asked of every program
_WHICH_CHANGED = re.compile(r"(?:増え|減っ|増加し|減少し|増額|減額|同額|据え置|変わらな|横ばい)[^、。?？]{0,12}(?:のは|事業|プログラム|もの|どれ|どの)")


def _asks_which_changed(text: str) -> bool:
    return bool(_WHICH_CHANGED.search(text)) and bool(re.search(r"前年|昨年|去年", text))


def _asks_when(question: str) -> bool:
    """Whether the question asks for a time ("何年度", "いつ", "when"), which no amount answers."""
    q = question.lower()
    return any(cue in q for cue in ("何年度", "何年に", "いつ", "when", "what year")) and "何年間" not in q


def _years_apart(a: Fact, b: Fact) -> int | None:
    """Whole years between two start-time facts' values ("昭和57年度", "昭和63年度" → 6), or None."""
    ya = find_years(unicodedata.normalize("NFKC", a.value))
    yb = find_years(unicodedata.normalize("NFKC", b.value))
    return abs(ya[0].year - yb[0].year) if ya and yb else None


def _asks_earlier(question: str) -> bool:
    q = unicodedata.normalize("NFKC", question).lower()
    return not any(cue in q for cue in ("後", "遅", "新し", "最近", "最新", "later", "newer", "more recent", "latest", "most recent"))


# -- tables and the index -------------------------------------------------------------------------------------------
def facts_table(facts: Iterable[Fact]) -> list[dict]:
    """One row per fact for `kotae facts`: subject, attribute, value, numbers, year, page, assignment.

    Example:
        >>> facts_table([])
        []
    """
    rows = []
    for f in facts:
        rows.append(
            {
                "subject": f.subject,
                "attribute": f.attribute,
                "value": f.value,
                "amount_yen": f.amount_yen,
                "amount_yen_min": f.amount_yen_min,
                "amount_yen_max": f.amount_yen_max,
                "quantity": f.quantity,
                "quantity_max": f.quantity_max,
                "unit": f.unit,
                "per": f.per,
                "qualifier": f.qualifier,
                "fiscal_year": f.fiscal_year,
                "page": f.citation.page,
                "source": f.citation.source,
                "assignment": f.subject_assignment,
                "confidence": f.confidence,
            }
        )
    return rows


LOOSE_NAME_SHARE = 0.75  # share of a question word's bigrams that must lie in one subject's name
_NAME_SUFFIX = re.compile(r"(?:事業|プログラム|制度|イニシアティブ|基金|補助金)?(?:全体|全般|総額|全部)?$")


def name_bigram_share(word: str, name: str) -> float:
    """The share of `word`'s character bigrams (its 事業/プログラム ending aside) found in `name`; 0 for
    words too short to tell (fewer than 4 characters or 3 bigrams) and for words with a character the
    name does not have.

    Example:
        >>> name_bigram_share("流動モード促進事業", "国際頭脳循環に参入する若手研究者の新たな流動モードの促進")
        0.8333333333333334
    """
    word = unicodedata.normalize("NFKC", word)
    core = _NAME_SUFFIX.sub("", word)
    bigrams = char_bigrams(core)
    named = core != word and len(core) >= 3  # "招へい事業": a short core, but said to be a program
    if any(ch not in name for ch in core):
        return 0.0  # a character the name lacks is another name ("関東青少年…" is not "国際青少年…")
    if len(core) == 3 and core in name:
        return 1.0  # "育成等": three characters standing in the name as written
    if (len(core) < 4 and not named) or (len(bigrams) < 3 and not named):
        return 0.0
    return _bigram_share(core, name)


def _bigram_share(word: str, name: str) -> float:
    """The share of `word`'s character bigrams found in `name` (0 for a one-character word)."""
    bigrams = char_bigrams(word)
    return sum(1 for b in bigrams if b in name) / len(bigrams) if bigrams else 0.0


def _resembling(
    word: str, names: Sequence[str], by_char: dict[str, set[int]], *, min_core: int, share: float = LOOSE_NAME_SHARE
) -> list[str]:
    """The names holding every character of `word` (looked up through `by_char`, character → name
    indexes) and at least `share` of its bigrams (`name_bigram_share`); none for a core under `min_core`."""
    core = _NAME_SUFFIX.sub("", unicodedata.normalize("NFKC", word))
    if len(core) < min_core:
        return []
    holders = set.intersection(*(by_char.get(ch, set()) for ch in set(core)))
    return [names[i] for i in sorted(holders) if name_bigram_share(word, names[i]) >= share]


def loose_subject(
    question: str, names: Sequence[str], by_char: dict[str, set[int]] | None = None,
    used_apart: Callable[[str, str], bool] | None = None,
) -> str | None:
    """The one subject name holding nearly all character bigrams of a long word of the question
    ("戦略的国際展開" → 科学技術イノベーションの戦略的国際展開; "流動モード促進事業" → …流動モードの促進);
    None when no name or several do. Words that fit several names are passed over. `by_char` (character
    → indexes of the names holding it, see `names_by_char`) keeps this fast over many names. A word the
    documents use apart from the name (`used_apart(word, name)`: "科学研究のベンチマーキング") is their own
    vocabulary, not the name.

    Example:
        >>> loose_subject("流動モード促進事業の予算は？", ["国際頭脳循環に参入する若手研究者の新たな流動モードの促進", "SICORP"])
        '国際頭脳循環に参入する若手研究者の新たな流動モードの促進'
    """
    by_char = by_char if by_char is not None else names_by_char(names)
    found: set[str] = set()
    for term in focus_terms(question):
        if _acted_on(question, term):
            continue  # "国際頭脳循環への参画を牽引する": a topic the question acts on, not a program's name
        matched = set(_resembling(term, names, by_char, min_core=4))
        if len(matched) == 1 and not (used_apart and used_apart(term, next(iter(matched)))):
            found |= matched  # a word several names share ("若手研究者") points at none of them
    return found.pop() if len(found) == 1 else None


# Words of a description that say nothing about which program it is: the agency that runs it, the
# nouns standing for "a program", and question words.
# Agencies that run programs, by their Japanese and English names and common short forms: "学振の海外特別研究員"
# names the program's agency, not what the question is about.
FUNDING_AGENCIES = ("日本学術振興会", "学術振興会", "学振", "JSPS", "科学技術振興機構", "JST", "文部科学省", "文科省", "MEXT",
                    "日本医療研究開発機構", "AMED", "新エネルギー・産業技術総合開発機構", "NEDO", "国際協力機構", "JICA")
_NOT_DESCRIPTIVE = {"事業", "プログラム", "制度", "仕組み", "枠組み", "取り組み", "取組", "プロジェクト", "施策",
                    "国", "日本", "我が国", *FUNDING_AGENCIES}


_BRACKET_LABEL = re.compile(r"[<〈【\[]([^<>〈〉【】\[\]\s]{2,24})[>〉】\]]")


def _after_named(clause: str, surfaces: Sequence[str]) -> str | None:
    """A description clause without the name listed before it ("WPIと科研費の新しい種目" → "科研費の新しい
    種目"); None when a name stands inside the description itself, or too little is left (4 characters)."""
    cut = 0
    for surface in surfaces:
        for found in re.finditer(re.escape(surface) + r"(?:と|や|、|,)", clause):
            cut = max(cut, found.end())
    rest = clause[cut:]
    if len(rest) < 4 or any(surface in rest for surface in surfaces):
        return None
    return rest


def _abbreviates(word: str, name_words: Sequence[str]) -> bool:
    """Whether `word`'s characters start, in order, words of `name_words` (2+ characters each), its first
    character the first word's.

    Example:
        >>> _abbreviates("海特", ("海外", "特別", "研究", "員", "事業")), _abbreviates("海研", ("海外", "特別", "研究員"))
        (True, True)
        >>> _abbreviates("特研", ("海外", "特別", "研究")), _abbreviates("海員", ("海外", "特別", "研究", "員"))
        (False, False)
    """
    if not name_words or not name_words[0].startswith(word[0]):
        return False
    rest = list(name_words[1:])
    for ch in word[1:]:
        while rest and not (len(rest[0]) >= 2 and rest[0].startswith(ch)):
            rest.pop(0)
        if not rest:
            return False
        rest.pop(0)
    return True


def _could_name_two(text: str) -> bool:
    """Whether a question (NFKC) could name two subjects: a compare, sum or difference cue, a と, a range."""
    return (_has_any(text, _COMPARE_CUES + _SUM_CUES + _DIFF_CUES) or "と" in text
            or bool(re.search(r"から.{1,40}まで|何年(?:前|後|早|遅)|ほう|方が", text)))


def _is_cue_word(term: str) -> bool:
    """Whether a word only asks for an attribute ("予算", "支援期間", "人数"): a cue or a cue's head
    ("人数" of 受入人数), not a word a cue starts with (招へい of 招へい人数 describes a program)."""
    return any(term == cue or cue.endswith(term) for _, ja, _ in ATTRIBUTE_CUES for cue in ja)


def _without_parenthesis(name: str) -> str:
    """"戦略的国際共同研究プログラム(SICORP)" → "戦略的国際共同研究プログラム"."""
    return re.sub(r"\([^()]*\)$", "", name)


_PARENTHESIZED = re.compile(r"\(([^()]+)\)")

DESCRIBED_CACHE_SIZE = 1024
"""Questions whose description clauses `FactsIndex.described_names` remembers (each answer reads them several times)."""

DESCRIPTION_REACH = 300
"""How far (characters) after a program's name the text still describes that program (see `FactsIndex.used_apart`)."""


def _spans_outside(text: str, word: str, forms: Sequence[str]) -> list[int]:
    """Offsets where `text` writes `word` other than inside one of `forms`.

    Example:
        >>> _spans_outside("科学研究費助成事業と科学研究の評価", "科学研究", ["科学研究費助成事業"])
        [10]
    """
    covered = [(m.start(), m.end()) for form in forms for m in re.finditer(re.escape(form), text)]
    return [
        m.start() for m in re.finditer(re.escape(word), text)
        if not any(s <= m.start() and m.end() <= e for s, e in covered)
    ]


def _acted_on(question: str, term: str) -> bool:
    """Whether the question writes `term` as what something is done to or aims at (see `ingest.gazetteer.acted_on`)."""
    q = unicodedata.normalize("NFKC", question)
    at = q.find(term)
    return at >= 0 and acted_on(q, at + len(term))


def names_by_char(names: Sequence[str]) -> dict[str, set[int]]:
    """Character → indexes of the names that hold it."""
    index: dict[str, set[int]] = {}
    for i, name in enumerate(names):
        for ch in set(name):
            index.setdefault(ch, set()).add(i)
    return index


class FactsIndex:
    """The facts of an index with their gazetteer: parse a question, look it up.

    Example:
        >>> FactsIndex.build([]).answer("SICORPの予算は？").answerable
        False
    """

    def __init__(self, facts: Sequence[Fact], gazetteer: Gazetteer, documents: Sequence[Document] = ()) -> None:
        self.facts = list(facts)
        self.gazetteer = gazetteer
        self.reference_year = _reference_year(self.facts)
        self.documents = list(documents)
        self._apart: dict[tuple[str, str], bool] = {}
        self._mentions: dict[tuple[str, str], list[int]] = {}
        self._described: dict[str, list[tuple[str, str]]] = {}
        self._words_of: dict[str, tuple[str, ...]] = {}

    @classmethod
    def build(cls, facts: Sequence[Fact], documents: Iterable[Document] = (), aliases=None) -> "FactsIndex":
        """Index `facts`; the gazetteer is derived from the documents (if given) and the facts' subjects."""
        facts, documents = list(facts), list(documents)
        return cls(facts, build_gazetteer([*documents, *facts], aliases), documents)

    def used_apart(self, word: str, name: str) -> bool:
        """Whether `word` cuts a word of `name` ("科学研究" of "科学研究費…") and the documents write it
        somewhere other than inside the name or its other forms ("科学研究のベンチマーキング"), and not
        in the text right after the name, which describes the program ("地球規模課題の解決" under SATREPS)."""
        word = unicodedata.normalize("NFKC", word)
        at = name.find(word)
        after = name[at + len(word) : at + len(word) + 1] if at >= 0 else ""
        if not re.match(r"[\u4e00-\u9fff]", after) or after in "事制":
            return False  # a whole word of the name ("流動モード", "海外挑戦"), whatever else the text says
        return self.written_apart(word, name)

    def written_apart(self, word: str, name: str) -> bool:
        """Whether the documents write `word` outside `name` and its other forms, other than in the text
        right after the name ("研究拠点" in "国際研究拠点の形成"; not "地球規模課題" under SATREPS's heading)."""
        word = unicodedata.normalize("NFKC", word)
        key = (word, name)
        if key not in self._apart:
            self._apart[key] = any(
                not self._follows_its_name(doc.text, at, name)
                for doc in self.documents if word in doc.text
                for at in _spans_outside(doc.text, word, self._forms_of(name))
            )
        return self._apart[key]

    def _forms_of(self, name: str) -> list[str]:
        """`name` with its short forms and abbreviations, longest first."""
        entry = self._entries.get(name)
        return sorted({name, *(entry.short_forms if entry else ()), *(entry.abbreviations if entry else ())}, key=len, reverse=True)

    def _follows_its_name(self, text: str, at: int, name: str) -> bool:
        """Whether the text wrote `name` (or a short form or abbreviation of it) within
        `DESCRIPTION_REACH` characters before offset `at`: a word there describes that program
        ("地球規模課題の解決" under SATREPS's heading), not something else."""
        key = (text, name)
        if key not in self._mentions:
            self._mentions[key] = sorted(
                m.start() for form in self._forms_of(name) for m in re.finditer(re.escape(form), text)
            )
        starts = self._mentions[key]
        i = bisect.bisect_left(starts, at) - 1
        return i >= 0 and at - starts[i] <= DESCRIPTION_REACH

    def warm_up(self) -> None:
        """Build now the tables the first questions would otherwise each build once: the gazetteer's match
        and reading indexes, and this index's own lookups (budget values, per-subject facts, details, quoted
        figures, program profiles and the attribute details descriptions skip)."""
        self.gazetteer.warm_up()
        for lazy in ("budget_values", "_names_by_char", "by_subject", "_by_page", "_details", "_value_lengths",
                     "_quoted_lengths", "_sections", "_entries", "_profile_text", "_attribute_details",
                     "_documents_text", "_bracket_labels", "_owners_by_line"):
            getattr(self, lazy, None)

    def parse(self, question: str) -> FactQuery:
        """`parse_fact_question` with this index's gazetteer; relative years stay relative. A question
        naming no subject the gazetteer knows may name one loosely (see `loose_subject`); then
        `subject_surfaces` stays empty, so the answer says how it read the question."""
        query = parse_fact_question(question, self.gazetteer)
        if not query.subjects:
            query = self._as_share_of_whole(self._described_over_loose(question, self._read_unnamed(question, query)))
        else:
            query = self._as_share_of_whole(self._with_every_name(question, self._described_over_partial(question, query)))
        return self._place_of_one(self._attribute_outside_descriptions(query))

    def _attribute_outside_descriptions(self, query: FactQuery) -> FactQuery:
        """"外国の若手を日本の大学に受け入れる招へい事業の予算は": 受け入れる describes the program; the
        attribute is what the rest of the question asks (予算)."""
        described = self.described_names(query.question)
        if not described or not query.subjects or query.every_program:
            return query
        again = self._with_names(query.question, described, subjects=query.subjects)
        if again.attribute is None or again.attribute == query.attribute:
            return query
        return query.model_copy(update={"attribute": again.attribute, "attribute_detail": again.attribute_detail})

    def _place_of_one(self, query: FactQuery) -> FactQuery:
        """"6事業を少ない順に並べたら、SICORPは何番目？": every program is ordered and the one named is placed."""
        text = unicodedata.normalize("NFKC", query.question)
        ordered = re.search(r"順|並べ|ランキング|(?:何番目|何位)に?(?:大き|多|小さ|少な|高|低)", text)
        if len(query.subjects) != 1 or query.every_program or not re.search(r"何番目|何位", text) or not ordered:
            return query
        subject = query.subjects[0]
        ranked = self._over_every_program(query.model_copy(update={"subjects": (), "subject_surfaces": ()}))
        if subject not in ranked.subjects:
            return query
        return ranked.model_copy(update={"rank_of": subject})

    def _described_over_loose(self, question: str, query: FactQuery) -> FactQuery:
        """A program named only loosely, by a word inside a clause that describes another program ("開発途上国の
        ニーズに基づき地球規模課題を解決する国際共同研究のプログラム": SATREPS, not SICORP's 国際共同研究), is
        that other program."""
        if len(query.subjects) != 1 or query.subject_surfaces or query.every_program:
            return query
        described = self.described_names(question)
        if len(described) != 1 or described[0][1] in query.subjects:
            return query
        clause, name = described[0]
        return self._with_names(question, [(clause, name)])

    def _described_over_partial(self, question: str, query: FactQuery) -> FactQuery:
        """A subject matched only by a piece of its name inside a clause that describes another program
        ("トップレベル研究者が率いるチームの…科研費の新種目": 国際先導研究, not WPI's トップレベル研究) is that
        other program."""
        if len(query.subjects) != 1 or len(query.subject_surfaces) != 1:
            return query
        surface = query.subject_surfaces[0]
        text = unicodedata.normalize("NFKC", question)
        if not any(m.kind == "partial" and m.surface == surface for m in self.gazetteer.match(text)):
            return query
        # (described_names leaves out clauses holding an exact name, so a partial one is still read)
        inside = [(clause, name) for clause, name in self.described_names(question) if surface in clause]
        if len(inside) != 1 or inside[0][1] in query.subjects:
            return query
        again = self._with_names(question, inside)
        return again if again.subjects == (inside[0][1],) else query

    def _as_share_of_whole(self, query: FactQuery) -> FactQuery:
        """"SICORPとSATREPSで、国際展開全体138億円の何割？": two or more programs and the section (or a group,
        when no section is named) they belong to, asked as a share: their total over the whole."""
        text = unicodedata.normalize("NFKC", query.question)
        if query.share_of is not None or not asks_a_share(text):
            return query
        subjects = list(query.subjects)
        if len(self._sections) == 1 and self._sections[0] not in subjects and _WHOLE_RE.search(text):
            subjects.append(self._sections[0])  # "全体の何割": the one section the documents total
        kinds = {name: (self._entries[name].kind if name in self._entries else "program") for name in subjects}
        wholes = [n for n in subjects if kinds[n] == "section"] or [n for n in subjects if kinds[n] == "group"]
        if len(wholes) != 1:
            return query
        parts = [n for n in subjects if n != wholes[0] and kinds[n] == "program"]
        if len(parts) < 2:
            return query
        return query.model_copy(update={"subjects": tuple(parts), "subject_surfaces": (), "share_of": wholes[0],
                                        "operation": FactOperation.SUM, "attribute": query.attribute or "予算額",
                                        "is_figure_question": True})

    def _with_every_name(self, question: str, query: FactQuery) -> FactQuery:
        """A query naming a subject, completed with what else the question names: the section as the
        whole of a share, a group's members, and second programs named loosely, by a list, a description,
        a quoted figure, or with an の inside."""
        text = unicodedata.normalize("NFKC", question)
        whole = self._whole_as_second(text, query)
        if whole is not None:
            return whole
        members = self._members_of_named_group(query)
        if members is not None:
            return members
        part = self._part_of_named(question, query)
        if part is not None:
            return part
        two = _could_name_two(text)
        # a word inside a clause describing a program is part of that description, not a name of its own
        # ("途上国と…解決するほうの国際共同研究": SATREPS, not also SICORP's 国際共同研究)
        clauses = self.described_names(question)
        described_piece = lambda piece: any(piece in clause for clause, _ in clauses)  # noqa: E731
        named = [pair for pair in self._loosely_named(question, query) if not described_piece(pair[0])] if two else []
        named += [pair for pair in self._listed_names(question, query) if pair not in named and not described_piece(pair[0])]
        if two:
            named += [pair for pair in clauses if pair[1] not in query.subjects and pair not in named]
        if not asks_what_figure_is(question):
            named += [pair for pair in self._quoted_names(question, query) if pair not in named]
        if named:  # "国際先導研究と若手研究者の新たな流動モードの促進、…": a second program named loosely
            text = unicodedata.normalize("NFKC", question)
            for clause, name in clauses:
                # a description of a subject read by no name of its own: its words name nothing more
                if name in query.subjects and not any(surface in clause for surface in query.subject_surfaces):
                    text = text.replace(clause, name, 1)
            for surface, name in zip(query.subject_surfaces, query.subjects):
                if surface != name and surface not in name[: len(surface)]:  # a partial name ("サイエンス交流事業")
                    text = text.replace(surface, name, 1)  # would give way to an exact one when parsed again
            for term, name in named:
                text = text.replace(term, name, 1)
            again = parse_fact_question(text, self.gazetteer)
            lost = [s for s in query.subjects if s not in again.subjects]  # named loosely: not in `text`
            if lost:
                # each in the order the question names it ("海外挑戦の予算は育成等の何%": 海外挑戦 over 育成等)
                asked = unicodedata.normalize("NFKC", question)
                ordered = sorted([*again.subjects, *lost], key=lambda name: where_named(asked, name, [*again.subjects, *lost]))
                again = parse_fact_question(text, self.gazetteer, subjects=_whole_last(ordered, self._entries))
            again = again.model_copy(update={"question": question, "subject_surfaces": ()})
            if len(again.subjects) > len(query.subjects):
                return self._without_container(again)
        if two:  # "地球規模課題の国際協力のプログラムと外国人研究者の招へい事業": names written with の inside
            joined = _without_inner_no(unicodedata.normalize("NFKC", question))
            exact = {m.name for m in self.gazetteer.match(joined) if m.kind != "partial"}
            if len(exact - set(query.subjects)) >= 1 and len(exact | set(query.subjects)) > len(query.subjects):
                again = parse_fact_question(joined, self.gazetteer)
                subjects = tuple(dict.fromkeys([*query.subjects, *again.subjects]))  # a loose name is not in `joined`
                if len(subjects) > len(query.subjects):
                    again = parse_fact_question(joined, self.gazetteer, subjects=subjects)
                    return self._without_container(again.model_copy(update={"question": question, "subject_surfaces": ()}))
        return self._without_container(query)

    def _without_container(self, query: FactQuery) -> FactQuery:
        """"育成等のうちJSPSの3事業（A・B・C）の合計": a group named with two or more of its members only
        says where they stand; it is not one more figure to add (a share of it is another matter).
        "SICORP・SATREPSと、育成等の見出しの3事業": a group said to stand for its programs is its members."""
        text = unicodedata.normalize("NFKC", query.question)
        if len(query.subjects) >= 2 and _MEMBERS_CUE.search(text):
            expanded: list[str] = []
            for name in query.subjects:
                entry = self._entries.get(name)
                named_members = sum(1 for m in entry.members if m in query.subjects) if entry is not None else 0
                # a group whose members the question lists ("育成等のうち3事業（A・B・C）") is not expanded
                expand = entry is not None and entry.kind == "group" and entry.members and named_members < 2
                expanded += list(entry.members) if expand else [name]
            if len(expanded) > len(query.subjects):
                return query.model_copy(update={"subjects": tuple(dict.fromkeys(expanded)), "subject_surfaces": ()})
        if asks_share(text) or _asks_ratio(text):
            return query
        containers = {
            name for name in query.subjects
            if (entry := self._entries.get(name)) is not None and entry.kind == "group"
            and sum(1 for member in entry.members if member in query.subjects) >= 2
        }
        if not containers:
            return query
        kept = [(name, surface) for name, surface in zip_longest(query.subjects, query.subject_surfaces) if name not in containers]
        return query.model_copy(update={
            "subjects": tuple(name for name, _ in kept),
            "subject_surfaces": tuple(surface for _, surface in kept if surface is not None) if query.subject_surfaces else (),
        })

    def _read_unnamed(self, question: str, query: FactQuery) -> FactQuery:
        """A question naming no subject the gazetteer knows, read by the first that applies:
        a type or label of one program ("国際協力加速タイプ"); a value one program states, describing it
        ("昭和57年度に始まった事業"); a group whose members are asked about ("育成等のうち…一番"); a loose name
        ("流動モード促進事業", "外国人研究者の招へい", "育成等"); every program, for "最も多い事業は？"; a section by
        its number ("7.の予算") or as the whole ("施策全体")."""

        def naming(subject: str) -> FactQuery:
            return query.model_copy(update={"subjects": (subject,), "subject_surfaces": ()})

        owner = self._detail_owner(question)
        if owner is not None:
            return naming(owner)
        which = asks_which_program(question)
        described = None if which else self._value_owner(question)
        if described is not None:
            return naming(described)
        quoted = [] if asks_what_figure_is(question) else self._quoted_names(question, query)
        if which and len(quoted) < 2:
            quoted = []  # "予算が一番多いのはどの事業？" compares every program, unless figures name the candidates
        if quoted:  # "「2,422百万円」「265百万円」「3,414百万円」の3つを足すと": the programs those figures are of
            again = self._with_names(question, quoted)
            text = unicodedata.normalize("NFKC", question)
            if len(again.subjects) == 1 and (asks_a_share(text) or _asks_ratio(text)):
                return self._with_every_name(question, again)  # "育成等は全体138億円の何割？": the part beside the whole
            if again.subjects:
                return again
        if which or _asks_which_member(question):
            group = self._group_piece(question)
            if group is not None:  # that group's members, never every program
                return self._members_of_named_group(naming(group)) or query
        loose = (loose_subject(question, self._names, self._names_by_char, self.used_apart)
                 or self._name_without_no(question) or self._three_character_piece(question)
                 or self._abbreviation_in(question) or self._label_in(question))
        if loose is not None:
            one = naming(loose)
            return self._members_of_named_group(one) or self._with_every_name(question, one)
        several = self._several_loose_names(question, query)
        if several is not None:  # "頭脳循環の流動モード事業と海外挑戦プログラム、…": two loose names at once
            return several
        described = self.described_names(question, query)
        if described and not which:  # "博士課程の学生を海外に送り出すプログラムの予算は？"
            again = self._with_names(question, described)
            if again.subjects:
                return again
        if which:
            return self._over_every_program(query)
        numbered = self._numbered_section(question)
        if numbered is not None:  # "7.の予算は前年度より多い？": a change of that section
            named = naming(numbered)
            return named.model_copy(update={"operation": FactOperation.DIFF}) if named.operation is FactOperation.COMPARE else named
        if _WHOLE_RE.search(unicodedata.normalize("NFKC", question)) and len(self._sections) == 1:
            return naming(self._sections[0])  # "施策全体の予算は？": the one section the documents total
        return query

    def _part_of_named(self, question: str, query: FactQuery) -> FactQuery | None:
        """"SICORPの中で試行する若手研究者の新たな流動モードの促進": a program named as a part of another one
        (…の中で, …の一部として) is what the question asks about; None when the question names no such part."""
        text = unicodedata.normalize("NFKC", question)
        if len(query.subjects) != 1 or len(query.subject_surfaces) != 1:
            return None
        inside = re.search(re.escape(query.subject_surfaces[0]) + r"の(?:中で|中の|一部として|一部の|うち|枠組みで|枠で)", text)
        if inside is None or _could_name_two(text[inside.end():]) and _has_any(text, _COMPARE_CUES + _SUM_CUES):
            return None
        rest = query.model_copy(update={"subjects": (), "subject_surfaces": ()})
        pairs = self._loosely_named(text[inside.end():], rest) or self.described_names(text[inside.end():])
        names = {name for _, name in pairs} - set(query.subjects)
        if len(names) != 1:
            return None
        again = self._with_names(question, [(piece, name) for piece, name in pairs if name in names], subjects=tuple(names))
        return again.model_copy(update={"question": question})

    def _several_loose_names(self, question: str, query: FactQuery) -> FactQuery | None:
        """A question that could name two programs and names two or more only loosely or by description
        ("頭脳循環の流動モード事業と海外挑戦プログラム、予算が多いのは"), read with each standing for its
        program; None when fewer than two are found."""
        if not _could_name_two(unicodedata.normalize("NFKC", question)):
            return None
        pairs = self._loosely_named(question, query)
        pairs += [pair for pair in self.described_names(question, query) if pair[1] not in {n for _, n in pairs}]
        if len({name for _, name in pairs}) < 2:
            return None
        again = self._with_names(question, pairs)
        return self._without_container(again) if len(again.subjects) >= 2 else None

    @cached_property
    def _sections(self) -> list[str]:
        return [e.name for e in self.gazetteer.entries if e.kind == "section"]

    @cached_property
    def _entries(self) -> dict:
        """Name → its gazetteer entry."""
        return {e.name: e for e in self.gazetteer.entries}

    def _whole_as_second(self, text: str, query: FactQuery) -> FactQuery | None:
        """"SICORPの予算は全体の何%？": the section's total is the other side of a share or ratio."""
        sections = self._sections
        found = _WHOLE_RE.search(text)
        if len(query.subjects) != 1 or len(sections) != 1 or sections[0] in query.subjects or found is None:
            return None
        # "国際展開の予算全体と国際先導研究の補正予算を合わせると": the whole named by words of its own name
        named_whole = len(char_bigrams(text[max(0, found.start() - 12) : found.start()]) & char_bigrams(sections[0])) >= 2
        group = None if named_whole else self._group_before(text[: found.start()])
        if group is not None and group not in query.subjects:
            sections = [group]  # "海外挑戦プログラムの予算は育成等全体の何%？": the whole of that group
        if not (asks_share(text) or _asks_ratio(text) or (named_whole and _has_any(text, _SUM_CUES + _COMPARE_CUES))):
            return None
        surface = query.subject_surfaces[0] if query.subject_surfaces else ""
        # a share is always the part's over the whole ("育成等全体のうち海外挑戦は何%"); a ratio reads in order
        first = asks_share(text) or (surface and text.find(surface) < found.start())
        subjects = (query.subjects[0], sections[0]) if first else (sections[0], query.subjects[0])
        summed = not (asks_share(text) or _asks_ratio(text)) and _has_any(text, _SUM_CUES)
        return parse_fact_question(text, self.gazetteer).model_copy(update={
            "question": query.question, "subjects": subjects, "subject_surfaces": (),
            "operation": FactOperation.SUM if summed else FactOperation.COMPARE,
            "attribute": query.attribute or "予算額", "is_figure_question": True})

    def _group_before(self, text: str) -> str | None:
        """The group a text's last word is a piece of ("…育成等" → グローバルに活躍する若手研究者の育成等), or None."""
        terms = focus_terms(text)
        if not terms or not text.rstrip("のはで").endswith(terms[-1]):
            return None
        word = terms[-1]
        holders = [n for n in self._names if word in n] if len(word) >= 3 else []
        holders = holders or self.resembling(word)
        if len(holders) == 1 and (entry := self._entries.get(holders[0])) is not None and entry.kind == "group":
            return holders[0]
        return None

    def _members_of_named_group(self, query: FactQuery) -> FactQuery | None:
        """"育成等のうち予算が一番多い事業は？": a group named in a which-program question stands for its members."""
        if len(query.subjects) != 1:
            return None
        entry = self._entries.get(query.subjects[0])
        if entry is None or entry.kind != "group" or len(entry.members) < 2:
            return None
        text = unicodedata.normalize("NFKC", query.question)
        if _has_any(text, _SUM_CUES) and _MEMBERS_CUE.search(text):  # "育成等の内訳4事業の予算を足すと"
            return query.model_copy(update={"subjects": entry.members, "subject_surfaces": (), "operation": FactOperation.SUM})
        if not (asks_which_program(query.question) or _asks_which_member(query.question)):
            return None
        return self._over_every_program(query.model_copy(update={"subjects": ()}), programs=entry.members)

    def _over_every_program(self, query: FactQuery, programs: tuple[str, ...] | None = None) -> FactQuery:
        """"予算額が最も多い事業は？": a compare over every program (not the section or a group's total), or
        over `programs` (a group's members)."""
        if programs is None:
            programs = tuple(e.name for e in self.gazetteer.entries if e.kind == "program")
            page = re.search(r"(\d+)\s*(?:ページ目|ページ|頁|枚目)", unicodedata.normalize("NFKC", query.question))
            if page:  # "1ページ目の6事業を予算の大きい順に": the programs with figures on that page
                on_page = {f.subject for f in self.facts if f.citation.page == int(page.group(1))}
                programs = tuple(p for p in programs if p in on_page) or programs
        if len(programs) < 2:
            return query
        text = unicodedata.normalize("NFKC", query.question)
        attribute = query.attribute or cued_attribute(text) or (
            "事業開始時期" if _has_any(text, _TIME_COMPARE_CUES) else "予算額")
        operation = query.operation if query.operation is FactOperation.SUM else FactOperation.COMPARE
        return query.model_copy(update={"subjects": programs, "subject_surfaces": (), "attribute": attribute,
                                        "operation": operation, "is_figure_question": True, "every_program": True})

    def _name_without_no(self, question: str) -> str | None:
        """A name written with an の inside ("外国人研究者の招へい"): the one subject the question names once
        the の between two words is dropped."""
        text = unicodedata.normalize("NFKC", question)
        joined = _without_inner_no(text)
        if joined == text:
            return None
        names = {m.name for m in self.gazetteer.match(joined) if m.kind != "partial"}
        return names.pop() if len(names) == 1 else None

    def _abbreviated(self, word: str) -> str | None:
        """The one program a short kanji word abbreviates the Japanese way, or None: the word is not
        written in the documents, and its characters start, in order, the name's words of 2+ characters,
        the first being the name's first ("海特": 海外|特別|研究員事業; "科研": 科学|研究|費…)."""
        word = unicodedata.normalize("NFKC", word)
        if not 2 <= len(word) <= 3 or not re.fullmatch(r"[\u4e00-\u9fff]+", word) or word in USER_WORDS:
            return None
        if word in self._documents_text:
            return None  # a word the documents write is their own vocabulary
        found = [name for name in self._names if _abbreviates(word, self._name_words(name))]
        return found[0] if len(found) == 1 else None

    def stands_for(self, word: str) -> str | None:
        """The program a word of a question names other than by a form of its name: an abbreviation
        ("海特") or a heading of its pages ("外国人特別研究員"); None for other words."""
        return self._abbreviated(word) or self._labelled(word)

    @cached_property
    def _documents_text(self) -> str:
        """The documents' texts (NFKC) joined, for whether they write a word at all."""
        return "\n".join(unicodedata.normalize("NFKC", doc.text) for doc in self.documents)

    def _abbreviation_in(self, question: str) -> str | None:
        """The one program the question's abbreviations ("海特") stand for, or None."""
        found = {name for term in focus_terms(unicodedata.normalize("NFKC", question)) if (name := self._abbreviated(term))}
        return found.pop() if len(found) == 1 else None

    def _labelled(self, word: str) -> str | None:
        """The one program whose pages head a part with `word` in brackets ("＜外国人特別研究員＞" under
        外国人研究者招へい事業), or None."""
        holders = self._bracket_labels.get(unicodedata.normalize("NFKC", word), set())
        return next(iter(holders)) if len(holders) == 1 else None

    def _label_in(self, question: str) -> str | None:
        """The one program the question's bracketed-heading words stand for, or None."""
        found = {name for term in focus_terms(unicodedata.normalize("NFKC", question)) if (name := self._labelled(term))}
        return found.pop() if len(found) == 1 else None

    def has_profile(self, name: str) -> bool:
        """Whether the documents' lines are told apart for `name` (a program; not a section or group)."""
        return bool(self._profiles.get(name))

    def line_owners(self, line: str) -> frozenset[str]:
        """The programs whose pages' lines (their profiles, see `assistant.describe.program_lines`) hold `line`."""
        return self._owners_by_line.get(unicodedata.normalize("NFKC", line).strip(), frozenset())

    @cached_property
    def _owners_by_line(self) -> dict[str, frozenset[str]]:
        table: dict[str, set[str]] = {}
        for name, lines in self._profiles.items():
            for line, _ in lines:
                table.setdefault(unicodedata.normalize("NFKC", line).strip(), set()).add(name)
        return {line: frozenset(names) for line, names in table.items()}

    @cached_property
    def _bracket_labels(self) -> dict[str, set[str]]:
        """Words the programs' pages write alone in brackets as a heading (5+ characters, not a cue) → the
        programs whose profile lines they are (see `assistant.describe.program_lines`)."""
        labels: dict[str, set[str]] = {}
        for name, lines in self._profiles.items():
            for line, _ in lines:
                found = _BRACKET_LABEL.fullmatch(unicodedata.normalize("NFKC", line).strip())
                if found and len(found.group(1)) >= 5 and not _is_cue_word(found.group(1)):
                    labels.setdefault(found.group(1), set()).add(name)
        return labels

    def _name_words(self, name: str) -> tuple[str, ...]:
        """The words (fugashi) of a subject name, memoized."""
        if name not in self._words_of:
            self._words_of[name] = name_words(name)
        return self._words_of[name]

    def _sole_holder(self, piece: str) -> str | None:
        """The one subject name holding `piece` as written, or None (none or several do)."""
        holders = [n for n in self._names if piece in n]
        return holders[0] if len(holders) == 1 else None

    def _three_character_piece(self, question: str) -> str | None:
        """A three-character word of the question standing verbatim in exactly one name ("育成等", "招へい"),
        not cut out of a longer word the documents use apart."""
        found = set()
        for term in focus_terms(unicodedata.normalize("NFKC", question)):
            if len(term) != 3 or not re.search(r"[\u4e00-\u9fff]", term):
                continue  # a katakana piece ("トップ" of トップレベル) is an ordinary word
            holder = self._sole_holder(term)
            if holder is not None and not self.used_apart(term, holder):
                found.add(holder)
        return found.pop() if len(found) == 1 else None

    def _value_owner(self, question: str) -> str | None:
        """The one subject a value the question quotes to describe a program belongs to ("昭和57年度に始まった
        事業": 海外特別研究員事業), each such value naming one subject only; None otherwise."""
        q = unicodedata.normalize("NFKC", question)
        owners: set[str] = set()
        table = self._value_items
        for length in self._value_lengths:
            for i in range(len(q) - length + 1):
                subjects = table.get(q[i : i + length])
                # the value must describe a program the question goes on to name ("…に始まった事業")
                if subjects is not None and len(subjects) == 1 and _PROGRAM_WORD.search(q[i + length : i + length + 16]):
                    owners |= subjects
        return owners.pop() if len(owners) == 1 else None

    @cached_property
    def _value_items(self) -> dict[str, set[str]]:
        """Items of the non-budget values (split at 、, 等 dropped, 3+ characters) → the subjects stating them."""
        table: dict[str, set[str]] = {}
        for fact in self.facts:
            if not fact.subject or "予算" in fact.attribute or fact.subject_assignment == UNASSIGNED:
                continue
            for item in re.split(r"[、,]", unicodedata.normalize("NFKC", fact.value)):
                item = item.strip().removesuffix("等").strip().rstrip("~～").strip()
                if len(item) >= 3 and not re.fullmatch(r"[\d,.]+", item):
                    table.setdefault(item, set()).add(fact.subject)
        return table

    @cached_property
    def _value_lengths(self) -> list[int]:
        return sorted({len(item) for item in self._value_items})

    def _with_names(self, question: str, pairs: Sequence[tuple[str, str]], subjects: tuple[str, ...] | None = None) -> FactQuery:
        """The question parsed again with each piece of `pairs` replaced by the subject it stands for (and
        `subjects`, when given, as its subjects)."""
        text = unicodedata.normalize("NFKC", question)
        for piece, name in pairs:
            text = text.replace(piece, name, 1)
        again = parse_fact_question(text, self.gazetteer, subjects=subjects)
        return again.model_copy(update={"question": question, "subject_surfaces": ()})

    def quoted_facts(self, question: str) -> list[tuple[str, list[Fact]]]:
        """(value as the question writes it, the facts stating it) for each figure of the question that is
        the value of facts of one subject ("「1,160百万円」ってなんの予算？", "178人と491人を足すと"),
        longest first, not overlapping; a figure several subjects state is left out."""
        q = unicodedata.normalize("NFKC", question)
        found: list[tuple[int, int, str, list[Fact]]] = []
        taken = [False] * len(q)
        for length in self._quoted_lengths:
            for i in range(len(q) - length + 1):
                facts = self._quoted_values.get(q[i : i + length])
                if facts is None or any(taken[i : i + length]):
                    continue
                if (i and re.match(r"[\d,.]", q[i - 1])) or re.match(r"[\d,.]", q[i + length : i + length + 1]):
                    continue  # "1,160百万円" inside "11,160百万円"
                if len({f.subject for f in facts}) != 1:
                    continue
                found.append((i, i + length, q[i : i + length], facts))
                taken[i : i + length] = [True] * length
        return [(text, facts) for _, _, text, facts in sorted(found)]

    @cached_property
    def _quoted_values(self) -> dict[str, list[Fact]]:
        """Each figure a fact states (its value, also without a leading 約/最大 or a trailing ～) → the facts."""
        table: dict[str, list[Fact]] = {}
        for fact in self.facts:
            if not fact.subject or fact.subject_assignment == UNASSIGNED:
                continue
            value = unicodedata.normalize("NFKC", fact.value).strip()
            value = re.split(r"\s*\(", value)[0] if not value.startswith("(") else value
            for key in {value, re.sub(r"^(?:約|最大|最小)", "", value), value.rstrip("~～ ")}:
                if _distinctive_figure(key):
                    table.setdefault(key, []).append(fact)
        return table

    @cached_property
    def _quoted_lengths(self) -> list[int]:
        return sorted({len(k) for k in self._quoted_values}, reverse=True)

    def _quoted_names(self, question: str, query: FactQuery) -> list[tuple[str, str]]:
        """(figure, subject) for the figures of the question that stand for a program it does not name
        ("「1,160百万円」と「1,826百万円」って、いくら違う？" → SICORP and SATREPS)."""
        q = unicodedata.normalize("NFKC", question)
        pairs = []
        for text, facts in self.quoted_facts(question):
            at = q.find(text)
            # "昭和57年度に始まった事業": the figure with the words that make it a program's description
            tail = _DESCRIBED_BY_FIGURE.match(q, at + len(text)) if at >= 0 else None
            if tail is None and _is_year_only(text) and not re.search(r"開始|始ま|事業期間", q):
                continue  # "2007年度採択の拠点": a year, not a program's start quoted
            pairs.append((text + (tail.group() if tail else ""), facts[0].subject))
        return [(piece, subject) for piece, subject in pairs if subject not in query.subjects]

    def _numbered_section(self, question: str) -> str | None:
        """The section a question names by its number ("7.の予算", "7の施策"): the one whose heading the
        documents write as that number and its name ("7.科学技術イノベーションの戦略的国際展開")."""
        found = re.match(r"\s*(\d{1,2})\s*[.．、]?\s*(?:の|番)", unicodedata.normalize("NFKC", question))
        if found is None:
            return None
        for entry in self.gazetteer.entries:
            if entry.kind == "section" and any(re.search(rf"(?:^|\n)\s*{found.group(1)}\s*[.．]\s*{re.escape(entry.name)}", d.text)
                                               for d in self.documents):
                return entry.name
        return None

    def _detail_owner(self, question: str) -> str | None:
        """The one subject whose facts' details (types, 4+ characters: "国際協力加速タイプ") the question names."""
        text = unicodedata.normalize("NFKC", question)
        owners = {subject for detail, subjects in self._details.items() if detail in text for subject in subjects}
        # a label only one program's facts carry, quoted whole ("支援期間/1件")
        owners |= {next(iter(subjects)) for label, subjects in self._attributes.items()
                   if len(subjects) == 1 and len(label) >= 6 and label in text}
        return owners.pop() if len(owners) == 1 else None

    @cached_property
    def _details(self) -> dict[str, set[str]]:
        """Detail (4+ characters) → the subjects whose facts carry it."""
        table: dict[str, set[str]] = {}
        for attribute, subjects in self._attributes.items():
            detail = attribute_detail(attribute)
            if detail and len(detail) >= 4:
                table.setdefault(detail, set()).update(subjects)
        return table

    @cached_property
    def _attributes(self) -> dict[str, set[str]]:
        table: dict[str, set[str]] = {}
        for fact in self.facts:
            if fact.subject:
                table.setdefault(fact.attribute, set()).add(fact.subject)
        return table

    def _group_piece(self, question: str) -> str | None:
        """The one group whose name, short form, or a 3+ character word of the question standing in its name
        as written ("育成等"), the question holds."""
        text = unicodedata.normalize("NFKC", question)
        groups = [e for e in self.gazetteer.entries if e.kind == "group"]
        found = {e.name for e in groups for t in focus_terms(text) if len(t) >= 3 and t in e.name and not _NAME_SUFFIX.sub("", t) == ""}
        found |= {e.name for e in groups if any(f in text for f in (e.name, *e.short_forms))}
        return found.pop() if len(found) == 1 else None

    def _listed_names(self, question: str, query: FactQuery) -> list[tuple[str, str]]:
        """(item, subject) for short items of a list of programs ("海外特別研究員・海外挑戦・招へい・サイエンス交流")
        that resemble one subject only: in a list, a short form stands for a program."""
        text = unicodedata.normalize("NFKC", question)
        if not re.search(r"[・、,と]", text):
            return []
        found = []
        for item in re.split(r"[・、,\s]+|(?<=[\u4e00-\u9fff\u30a0-\u30ffA-Za-z])と(?=[\u4e00-\u9fff\u30a0-\u30ffA-Za-z])", text):
            item = re.sub(r"(?:のうち|の中で|の中から|うち|など|の|と|は|で|を|が|や|って)+$", "", re.sub(r"^(?:の|と|は)", "", item))
            item = re.split(r"の|は|が|を|って", item)[0]  # "海外挑戦の新規採用人数": the name before its particle
            if len(item) < 3 or len(item) > 12 or any(item in s or s in item for s in query.subject_surfaces):
                continue
            names = [n for n in self._names if any(all(ch in n for ch in form) and _bigram_share(form, n) >= LOOSE_NAME_SHARE
                                                   for form in respellings(item))]
            if len(names) == 1 and names[0] not in query.subjects:
                found.append((item, names[0]))
        return found

    def _loosely_named(self, question: str, query: FactQuery) -> list[tuple[str, str]]:
        """(word, subject) for long words (5+ characters) of the question outside its exact names that
        resemble one other subject only; asked only of questions that could name two programs."""
        rest = unicodedata.normalize("NFKC", question)
        for surface in query.subject_surfaces:
            rest = rest.replace(surface, "、")
        found = []
        for written in focus_terms(rest):
            # "招聘": the documents' spelling (招へい) is what their names hold
            # (or the documents' word for it: "科研費" is 科学研究費 in 科学研究費助成事業「国際先導研究」)
            term = next((form for form in [*respellings(written)[1:], *USER_WORDS.get(written, ())]
                         if any(form in n for n in self._names)), written)
            # 5+ characters, a 〜事業 form, or a three-character piece of one name as written ("育成等");
            # four-character words ("研究拠点") are too often the domain's own vocabulary
            names = self.resembling(term) if len(term) >= 5 or len(term) == 3 or _NAME_SUFFIX.search(term).group() else []
            if not names and (short := self._abbreviated(term) or self._labelled(term)) is not None:
                names = [short]  # "海特": 海外特別研究員事業 abbreviated; "外国人特別研究員": a heading of its pages
            if len(term) == 4 and not names:  # "海外挑戦": four characters of one name the documents write nowhere else
                holder = self._sole_holder(term)
                names = [holder] if holder is not None and not self.written_apart(term, holder) else []
            if len(names) == 1 and names[0] not in query.subjects and not self.used_apart(term, names[0]):
                found.append((written, names[0]))
        return found

    def described_names(self, question: str, query: FactQuery | None = None) -> list[tuple[str, str]]:
        """(clause, program) for each clause of the question that describes one program instead of naming
        it ("開発途上国のニーズに基づいて地球規模課題を解決する国際共同研究のプログラム" → SATREPS); clauses
        holding a name the question already names are left alone. See `assistant.describe`."""
        text = unicodedata.normalize("NFKC", question)
        if text not in self._described:
            if len(self._described) >= DESCRIBED_CACHE_SIZE:
                self._described.clear()  # a long-running server asks many questions: keep the memo bounded
            clauses = description_clauses(text)
            # (most questions have no description clause: the names are matched only when one does)
            surfaces = [m.surface for m in self.gazetteer.match(text) if m.kind != "partial"] if clauses else []
            found: list[tuple[str, str]] = []
            for start, end in clauses:
                clause = _after_named(text[start:end], surfaces)
                if clause is None:
                    continue
                terms = [(t, [p for p in parts if self._is_descriptive(p)])
                         for t, parts in description_terms(clause) if self._is_descriptive(t)]
                name = self._profile_text.best(terms)
                if name is not None and all(name != n for _, n in found):
                    found.append((clause, name))
            self._described[text] = found
        subjects = query.subjects if query is not None else ()
        return [(clause, name) for clause, name in self._described[text] if name not in subjects]

    def _is_descriptive(self, term: str) -> bool:
        """Whether a word of a description can tell programs apart: not 事業, 日本, a cue (予算額), nor the
        detail of a fact's attribute ("短期" of 海外派遣人数(短期) says which figure, not which program)."""
        return term not in _NOT_DESCRIPTIVE and not _is_cue_word(term) and term not in self._attribute_details

    @cached_property
    def _attribute_details(self) -> frozenset[str]:
        """The words in parentheses of the facts' attribute names: 短期 of 海外派遣人数(短期), 見込み."""
        attributes = {unicodedata.normalize("NFKC", f.attribute) for f in self.facts}
        return frozenset(detail for attribute in attributes for detail in _PARENTHESIZED.findall(attribute))

    @cached_property
    def _profile_text(self):
        """The programs' lines, searchable at once (see `assistant.describe.ProfileText`)."""
        return ProfileText(self._profiles)

    @cached_property
    def _profiles(self) -> dict[str, list[tuple[str, float]]]:
        """Program → the lines the documents write about it (see `assistant.describe.program_lines`)."""
        forms = {e.name: [e.name, _without_parenthesis(e.name), *e.short_forms, *e.abbreviations]
                 for e in self.gazetteer.entries if e.kind == "program"}
        return program_lines(self.documents, self.facts, forms)

    def resembling(self, word: str, share: float = LOOSE_NAME_SHARE) -> list[str]:
        """The subject names holding every character and at least `share` of the bigrams of `word`."""
        return _resembling(word, self._names, self._names_by_char, min_core=3, share=share)

    @cached_property
    def _names(self) -> list[str]:
        return [entry.name for entry in self.gazetteer.entries]

    @cached_property
    def _names_by_char(self) -> dict[str, set[int]]:
        return names_by_char(self._names)

    @cached_property
    def budget_values(self) -> frozenset[str]:
        """The values of the budget facts (予算額, 前年度予算額, 補正予算額) as written, NFKC."""
        return frozenset(
            unicodedata.normalize("NFKC", f.value).strip() for f in self.facts if canonical_attribute(f.attribute) in _BUDGET_KINDS
            or "予算額" in f.attribute
        )

    def lookup(self, query: FactQuery) -> FactResult:
        """`lookup` over this index's facts, one subject's facts at a time."""
        return lookup(query, self.facts, self.by_subject, self.reference_year)

    def facts_on(self, source: str, page: int | None) -> list[Fact]:
        """The facts cited on one page of one document."""
        return self._by_page.get((source, page), [])

    @cached_property
    def _by_page(self) -> dict[tuple[str, int | None], list[Fact]]:
        table: dict[tuple[str, int | None], list[Fact]] = {}
        for fact in self.facts:
            table.setdefault((fact.citation.source, fact.citation.page), []).append(fact)
        return table

    @cached_property
    def by_subject(self) -> dict[str, list[Fact]]:
        """Subject → its facts, in index order."""
        table: dict[str, list[Fact]] = {}
        for fact in self.facts:
            table.setdefault(fact.subject, []).append(fact)
        return table

    def answer(self, question: str) -> FactResult:
        """Parse and look up in one call."""
        return self.lookup(self.parse(question))
