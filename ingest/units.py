"""Reading figures as numbers: money (円 … 兆円), counts and durations, and Japanese era years.

Everything here is pure string work with no state, so extraction (ingest/facts.py) and question
parsing (assistant/facts.py) read figures the same way. Inputs may be raw or NFKC-normalized:
full-width digits and signs are accepted, and offsets always refer to the string passed in.

Example:
    >>> parse_money("1,160百万円").yen
    1160000000
    >>> to_western_year("令和4年度"), fiscal_year_label(2022)
    (2022, '令和4年度')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "Money",
    "Quantity",
    "MONEY_PATTERN",
    "YEN_UNITS",
    "find_money",
    "parse_money",
    "find_quantities",
    "parse_quantity",
    "to_western_year",
    "fiscal_year_label",
    "normalize_fiscal_year",
    "previous_fiscal_year",
    "resolve_relative_year",
    "find_years",
    "BUDGET_PATTERN",
    "BudgetStatement",
    "find_budget_statements",
]

# -- numbers -------------------------------------------------------------------------------------
_D = "0-9０-９"
_NUM = rf"[{_D}]+(?:[,，][{_D}]{{3}})*(?:[.．][{_D}]+)?"
_NUMBER_RE = re.compile(_NUM)


# Full-width ASCII (Ｈ, ２, ／ …) folded to ASCII one character for one, so offsets stay valid.
_FULLWIDTH_ASCII = str.maketrans({chr(0xFF01 + i): chr(0x21 + i) for i in range(94)})


def _to_decimal(text: str) -> Decimal:
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regexes only hand over digits
        raise ValueError(f"{text!r} is not a number; expected digits such as '12,345'") from exc


# -- money ---------------------------------------------------------------------------------------
YEN_UNITS: dict[str, int] = {
    "円": 1,
    "千円": 10**3,
    "万円": 10**4,
    "十万円": 10**5,
    "百万円": 10**6,
    "千万円": 10**7,
    "億円": 10**8,
    "十億円": 10**9,
    "百億円": 10**10,
    "千億円": 10**11,
    "兆円": 10**12,
}
"""Money units as written in Japanese budgets, with their value in yen."""

# Longest first so that 百万 is not read as 百 followed by 万.
_MULT = r"(?:千億|百億|十億|千万|百万|十万|兆|億|万|千|百|十)"
_MULT_VALUE = {
    "十": 10,
    "百": 10**2,
    "千": 10**3,
    "万": 10**4,
    "十万": 10**5,
    "百万": 10**6,
    "千万": 10**7,
    "億": 10**8,
    "十億": 10**9,
    "百億": 10**10,
    "千億": 10**11,
    "兆": 10**12,
}
# One money term: "1,160百万円", "1億2,000万円", "3億5千万円", "500円"; the 円 is required.
_TERM = rf"(?:{_NUM}{_MULT}){{1,3}}円|{_NUM}円"
# A bare number before a range sign may borrow the unit of the other end: "3～5億円".
_BARE = rf"{_NUM}{_MULT}?"
_RANGE_SIGN = r"[～~〜〰]|(?<=[0-9０-９円])[-－−–—](?=[0-9０-９])"
_PREFIX = r"(?:約|最大|最小|最高|最低|上限|下限|概ね|おおむね|およそ|総額|計|合計)"
_SUFFIX = r"(?:程度|以上|以下|未満|以内|超|前後|強|弱|まで|余り|余)"
_PER = r"/\s*[^\s、。,()（）×+＋=]{1,10}"
MONEY_PATTERN = (
    rf"(?P<prefix>{_PREFIX})?\s*"
    rf"(?:(?P<low>{_TERM}|{_BARE})\s*(?P<sign>{_RANGE_SIGN})\s*|(?P<open>{_RANGE_SIGN})\s*)?"
    rf"(?P<high>{_TERM})"
    rf"(?P<suffix1>{_SUFFIX})?(?P<per>{_PER})?(?P<suffix2>{_SUFFIX})?"
)
"""A regular expression for one money figure (named groups prefix, low, sign, open, high, suffix1, per, suffix2)."""
_MONEY_RE = re.compile(MONEY_PATTERN)
_TERM_PART_RE = re.compile(rf"({_NUM})({_MULT})?")


@dataclass(frozen=True)
class Money:
    """One money figure as written, with its value in yen.

    `yen` is the single value ("約14億円" → 1,400,000,000, qualifier "約"); a range ("5百万円～1億円")
    has `yen` None and `yen_min`/`yen_max` set; "最大5億円" sets `yen` and `yen_max`.

    Example:
        >>> m = parse_money("支援額:5百万円～1億円/年・課題")
        >>> (m.text, m.yen, m.yen_min, m.yen_max, m.unit, m.per)
        ('5百万円～1億円/年・課題', None, 5000000, 100000000, '億円', '年・課題')
    """

    text: str
    start: int
    end: int
    yen: int | None
    yen_min: int | None
    yen_max: int | None
    unit: str
    qualifier: str | None = None
    per: str | None = None

    @property
    def is_range(self) -> bool:
        """True for "A～B" and open ranges ("～14億円")."""
        return self.yen is None


_SUFFIX_END_RE = re.compile(rf"{_SUFFIX}$")


def _split_per(per: str | None) -> tuple[str | None, str | None]:
    """"/年程度" → ("年", "程度"): what a figure is per, and a qualifier written after it."""
    if not per:
        return None, None
    per = per.lstrip("/").strip()
    m = _SUFFIX_END_RE.search(per)
    if m and m.start() > 0:
        return per[: m.start()], m.group(0)
    return per, None


def _term_yen(term: str, unit_hint: str | None = None) -> tuple[int | None, str]:
    """Yen of one term and the unit it is written in ("1億2,000万円" → unit "万円")."""
    term = unicodedata.normalize("NFKC", term)
    body = term[:-1] if term.endswith("円") else term
    total = Decimal(0)
    unit = "円"
    parts = _TERM_PART_RE.findall(body)
    if not parts:
        return None, unit
    for number, mult in parts:
        if not mult and unit_hint is not None and not term.endswith("円"):
            mult = unit_hint[:-1]
        factor = _MULT_VALUE.get(mult, 1)
        total += _to_decimal(number) * factor
        unit = f"{mult}円"
    if total != total.to_integral_value():
        return None, unit
    return int(total), unit


def find_money(text: str) -> list[Money]:
    """Every money figure in `text`, in order, with offsets into `text`.

    Args:
        text: any text; full-width digits are read too.

    Example:
        >>> [m.yen for m in find_money("令和4年度予算額(案):1,160百万円(前年度予算額:1,078百万円)")]
        [1160000000, 1078000000]
    """
    found: list[Money] = []
    for m in _MONEY_RE.finditer(text):
        high_yen, unit = _term_yen(m.group("high"))
        if high_yen is None:
            continue
        low_yen: int | None = None
        if m.group("low"):
            low_text = m.group("low")
            low_yen, _ = _term_yen(low_text, None if low_text.endswith("円") else unit)
        qualifier_parts = [q for q in (m.group("prefix"), m.group("suffix1"), m.group("suffix2")) if q]
        if m.group("open"):
            qualifier_parts.insert(0, "～")
        per, per_suffix = _split_per(m.group("per"))
        if per_suffix:
            qualifier_parts.append(per_suffix)
        qualifier = "・".join(qualifier_parts) or None
        prefix = m.group("prefix") or ""
        suffixes = {m.group("suffix1"), m.group("suffix2"), per_suffix} - {None}
        if low_yen is not None:
            yen, yen_min, yen_max = None, low_yen, high_yen
        elif m.group("open"):
            yen, yen_min, yen_max = None, None, high_yen
        elif prefix in {"最大", "最高", "上限"} or suffixes & {"以下", "以内", "まで", "未満"}:
            yen, yen_min, yen_max = high_yen, None, high_yen
        elif prefix in {"最小", "最低", "下限"} or suffixes & {"以上", "超"}:
            yen, yen_min, yen_max = high_yen, high_yen, None
        else:
            yen, yen_min, yen_max = high_yen, None, None
        start, end = m.start(), m.end()
        # The regex allows spaces after a prefix; keep the figure's text tight.
        while start < end and text[start].isspace():
            start += 1
        found.append(Money(text[start:end], start, end, yen, yen_min, yen_max, unit, qualifier, per))
    return found


def parse_money(text: str) -> Money | None:
    """The first money figure in `text`, or None.

    Example:
        >>> parse_money("最大５億円（直接経費）").yen_max
        500000000
    """
    found = find_money(text)
    return found[0] if found else None


# -- counts and durations ---------------------------------------------------------------------------
_COUNT_UNITS = {
    "人": "人",
    "名": "人",
    "件": "件",
    "課題": "件",
    "拠点": "拠点",
    "か国": "か国",
    "カ国": "か国",
    "ヶ国": "か国",
    "ヵ国": "か国",
    "ケ国": "か国",
    "機関": "機関",
    "社": "社",
    "校": "校",
    "回": "回",
    "チーム": "チーム",
    "本": "本",
}
_DURATION_UNITS = {
    "年間": "年",
    "年": "年",
    "か月間": "か月",
    "か月": "か月",
    "カ月間": "か月",
    "カ月": "か月",
    "ヶ月間": "か月",
    "ヶ月": "か月",
    "ヵ月間": "か月",
    "ヵ月": "か月",
    "ケ月": "か月",
    "箇月": "か月",
    "ヶ年": "年",
    "週間": "週間",
    "日間": "日",
}
_MONTHS = {"年": 12, "か月": 1}
# A duration's canonical unit (the values of _DURATION_UNITS) in years, to order "2年間" against "約1～3週間".
YEARS_PER_DURATION_UNIT = {"年": 1.0, "か月": 1 / 12, "週間": 1 / 52, "日": 1 / 365}
_QUNIT = "|".join(sorted(set(_COUNT_UNITS) | set(_DURATION_UNITS), key=len, reverse=True))
_QTERM = rf"{_NUM}\s*(?:{_QUNIT})"
_QUANTITY_RE = re.compile(
    rf"(?P<prefix>{_PREFIX}|のべ|延べ)?\s*"
    rf"(?:(?P<low>{_QTERM}|{_NUM})\s*(?P<sign>{_RANGE_SIGN})\s*)?"
    rf"(?P<num>{_NUM})\s*(?P<unit>{_QUNIT})(?!度)"
    rf"(?P<suffix>{_SUFFIX})?(?P<per>{_PER})?"
)
_YEAR_MONTHS_RE = re.compile(
    rf"(?P<prefix>{_PREFIX})?\s*(?P<y>{_NUM})\s*年\s*(?P<m>{_NUM})\s*(?:か月|カ月|ヶ月|ヵ月|ケ月|箇月)間?(?P<suffix>{_SUFFIX})?"
)
_DATE_AFTER = re.compile(r"\s*(?:[0-9０-９]{1,2}\s*)?[月度]")
_ERA_BEFORE = re.compile(r"(?:明治|大正|昭和|平成|令和|[MTSHR])\s*$")


@dataclass(frozen=True)
class Quantity:
    """A count ("約2,760人") or a duration ("3か月～1年程度") as written, read as numbers.

    Durations whose ends are in different units are expressed in months ("3か月～1年" → 3–12 か月).
    Units are normalized: 名 → 人, 課題 → 件, 年間 → 年, ヶ月 → か月.

    Example:
        >>> q = parse_quantity("渡航期間:3か月～1年程度")
        >>> (q.text, q.value, q.value_max, q.unit, q.kind, q.qualifier)
        ('3か月～1年程度', 3.0, 12.0, 'か月', 'duration', '程度')
    """

    text: str
    start: int
    end: int
    value: float
    value_max: float | None
    unit: str
    kind: str
    qualifier: str | None = None
    per: str | None = None


def _unit_of(term: str) -> str | None:
    for written in sorted(_COUNT_UNITS | _DURATION_UNITS, key=len, reverse=True):
        if term.endswith(written):
            return written
    return None


def find_quantities(text: str) -> list[Quantity]:
    """Every count or duration in `text`, in order. Calendar years ("2021年", "平成26年度") are not durations.

    Example:
        >>> [(q.value, q.unit) for q in find_quantities("件数:26か国59件(令和3年度)")]
        [(26.0, 'か国'), (59.0, '件')]
    """
    found: list[Quantity] = []
    # "1年4か月" is one duration (16 months), not a year and a month count.
    for m in _YEAR_MONTHS_RE.finditer(text):
        if _ERA_BEFORE.search(text[: m.start("y")]):
            continue
        months = float(_to_decimal(m.group("y")) * 12 + _to_decimal(m.group("m")))
        qualifier = "・".join(q for q in (m.group("prefix"), m.group("suffix")) if q) or None
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        found.append(Quantity(text[start : m.end()], start, m.end(), months, None, "か月", "duration", qualifier))
    taken = [(q.start, q.end) for q in found]
    for m in _QUANTITY_RE.finditer(text):
        if any(s <= m.start("num") < e for s, e in taken):
            continue
        written_unit = m.group("unit")
        unit = _COUNT_UNITS.get(written_unit) or _DURATION_UNITS[written_unit]
        kind = "count" if written_unit in _COUNT_UNITS else "duration"
        number = _to_decimal(m.group("num"))
        if kind == "duration" and unit == "年":
            # "2021年", "令和3年6月", "平成9年" are dates, not lengths of time.
            if _ERA_BEFORE.search(text[: m.start("num")]) or (number >= 1000 and written_unit == "年"):
                continue
            if written_unit == "年" and _DATE_AFTER.match(text, m.end("unit")):
                continue
        value = float(number)
        value_max: float | None = None
        if m.group("low"):
            low_text = m.group("low")
            low_written = _unit_of(low_text)
            low_number = float(_to_decimal(_NUMBER_RE.search(low_text).group(0)))
            low_unit = (_COUNT_UNITS.get(low_written) or _DURATION_UNITS.get(low_written)) if low_written else unit
            if low_unit != unit and low_unit in _MONTHS and unit in _MONTHS:
                low_number *= _MONTHS[low_unit]
                value *= _MONTHS[unit]
                unit = "か月"
            elif low_unit != unit:
                low_number = None  # type: ignore[assignment]
            if low_number is not None:
                value, value_max = low_number, value
        qualifier = "・".join(q for q in (m.group("prefix"), m.group("suffix")) if q) or None
        per, per_suffix = _split_per(m.group("per"))
        if per_suffix:
            qualifier = "・".join(q for q in (qualifier, per_suffix) if q)
        start = m.start()
        while start < m.end() and text[start].isspace():
            start += 1
        found.append(
            Quantity(
                text[start : m.end()],
                start,
                m.end(),
                value,
                value_max,
                unit,
                kind,
                qualifier,
                per,
            )
        )
    found.sort(key=lambda q: q.start)
    return found


def parse_quantity(text: str, kind: str | None = None, unit: str | None = None) -> Quantity | None:
    """The first count or duration in `text` (of `kind` "count"/"duration" and normalized `unit` if given).

    Example:
        >>> parse_quantity("新規採用人数(見込み):178人").value
        178.0
        >>> parse_quantity("件数:26か国59件(令和3年度)", unit="件").value
        59.0
    """
    if kind is not None and kind not in {"count", "duration"}:
        raise ValueError(f"kind must be 'count' or 'duration'. Currently, the kind is {kind!r}")
    for q in find_quantities(text):
        if (kind is None or q.kind == kind) and (unit is None or q.unit == unit):
            return q
    return None


# -- eras and fiscal years ------------------------------------------------------------------------------
# First fiscal year labelled with each era. A Japanese fiscal year starts on 1 April, so the year an era
# began in is still labelled with the old era (FY1926 = 大正15年度), except 令和: FY2019 is 令和元年度.
_ERAS: tuple[tuple[str, str, int], ...] = (
    ("令和", "R", 2019),
    ("平成", "H", 1989),
    ("昭和", "S", 1927),
    ("大正", "T", 1913),
    ("明治", "M", 1868),
)
# The year before "元年" of each era (calendar reading): 令和N = 2018 + N.
_ERA_BASE = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911, "明治": 1867}
_ERA_LETTER = {letter: name for name, letter, _ in _ERAS}
_ERA_YEAR_RE = re.compile(
    rf"(?P<era>明治|大正|昭和|平成|令和)\s*(?P<n>[{_D}]{{1,2}}|元)\s*年(?P<fy>度)?"
    rf"|(?<![A-Za-z])(?P<letter>[RHSTMrhstm])\s*\.?\s*(?P<ln>[{_D}]{{1,2}})(?![{_D}])\s*(?:年(?P<lfy>度)?)?"
    rf"|(?:FY|fy|Fy)\s*(?P<fyw>[{_D}]{{4}})"
    rf"|(?P<w>(?:19|20|１９|２０)[{_D}]{{2}})\s*年(?P<wfy>度)?"
)
_RELATIVE = {
    "前年度": -1,
    "昨年度": -1,
    "前々年度": -2,
    "今年度": 0,
    "本年度": 0,
    "当年度": 0,
    "来年度": 1,
    "翌年度": 1,
}


@dataclass(frozen=True)
class YearMention:
    """A year as written ("令和4年度", "R4", "FY2022", "2022年度") and the Western year it names."""

    text: str
    start: int
    end: int
    year: int
    fiscal: bool


def find_years(text: str) -> list[YearMention]:
    """Every era or Western year in `text`. `fiscal` is True for "…年度" and "FY…".

    Example:
        >>> [(y.text, y.year) for y in find_years("H26年度採択、令和元年度、FY2022")]
        [('H26年度', 2014), ('令和元年度', 2019), ('FY2022', 2022)]
    """
    out: list[YearMention] = []
    for m in _ERA_YEAR_RE.finditer(text.translate(_FULLWIDTH_ASCII)):
        if m.group("era"):
            n = 1 if m.group("n") == "元" else int(_to_decimal(m.group("n")))
            year, fiscal = _ERA_BASE[m.group("era")] + n, bool(m.group("fy"))
        elif m.group("letter"):
            era = _ERA_LETTER[m.group("letter").upper()]
            year, fiscal = _ERA_BASE[era] + int(_to_decimal(m.group("ln"))), bool(m.group("lfy"))
        elif m.group("fyw"):
            year, fiscal = int(_to_decimal(m.group("fyw"))), True
        else:
            year, fiscal = int(_to_decimal(m.group("w"))), bool(m.group("wfy"))
        out.append(YearMention(m.group(0), m.start(), m.end(), year, fiscal))
    return out


def to_western_year(text: str) -> int | None:
    """The Western year named by an era or Western year expression, or None.

    Args:
        text: "令和4年度", "令和元年", "R4", "H26年度", "昭和57年度", "2022年度", "FY2022" (full-width too).

    Example:
        >>> to_western_year("Ｈ２６年度"), to_western_year("令和元年度"), to_western_year("昭和57年度")
        (2014, 2019, 1982)
    """
    found = find_years(text)
    return found[0].year if found else None


def fiscal_year_label(year: int) -> str:
    """The Japanese fiscal-year label of a Western fiscal year (2019 → "令和元年度").

    Example:
        >>> fiscal_year_label(2022), fiscal_year_label(2019), fiscal_year_label(1989), fiscal_year_label(1988)
        ('令和4年度', '令和元年度', '平成元年度', '昭和63年度')
    """
    if not isinstance(year, int) or year < 1868:
        raise ValueError(f"year must be a Western year from 1868 on. Currently, the year is {year!r}")
    for name, _letter, first in _ERAS:
        if year >= first:
            n = year - _ERA_BASE[name]
            return f"{name}{'元' if n == 1 else n}年度"
    raise AssertionError("unreachable: 明治 covers every year from 1868")  # pragma: no cover


def normalize_fiscal_year(text: str) -> str | None:
    """Any fiscal-year form as the era label ("FY2022", "R4", "2022年度" → "令和4年度"), or None.

    Example:
        >>> normalize_fiscal_year("FY2022"), normalize_fiscal_year("r4年度")
        ('令和4年度', '令和4年度')
    """
    year = to_western_year(text)
    return fiscal_year_label(year) if year is not None else None


def previous_fiscal_year(label: str) -> str:
    """The fiscal year before `label` ("令和4年度" → "令和3年度", "令和2年度" → "令和元年度").

    Example:
        >>> previous_fiscal_year("令和4年度")
        '令和3年度'
    """
    year = to_western_year(label)
    if year is None:
        raise ValueError(f"{label!r} is not a fiscal year; write it like '令和4年度', 'R4' or '2022年度'")
    return fiscal_year_label(year - 1)


def resolve_relative_year(word: str, reference: str) -> str | None:
    """A relative year word (前年度, 昨年度, 今年度, 本年度, 翌年度 …) as a label, relative to `reference`.

    Example:
        >>> resolve_relative_year("前年度", "令和4年度")
        '令和3年度'
    """
    offset = _RELATIVE.get(word)
    year = to_western_year(reference)
    if offset is None or year is None:
        return None
    return fiscal_year_label(year + offset)


# -- budget statements ------------------------------------------------------------------------------------
_FY_WORD = (
    r"(?:(?:令和|平成|昭和)\s*(?:[0-9０-９]{1,2}|元)\s*年度|[RHＲＨ]\s*[0-9０-９]{1,2}\s*年度|[0-9０-９]{4}\s*年度"
    r"|前々年度|前年度|昨年度|今年度|本年度|当年度)"
)
_NO_AMOUNT = r"[ー\-－−―‐–—ｰ]+(?![0-9０-９])"
# Words that join a label to its figure in running text: "予算額(案)は777百万円", "予算として5億円を計上".
_CONNECTOR = r"(?:は|が|では|として|において|で)[、,]?"
BUDGET_PATTERN = (
    rf"(?P<label>(?:(?P<year>{_FY_WORD})\s*の?)?\s*(?P<kind>当初|補正)?\s*(?P<what>予算額|概算要求額|要求額|予算)"
    rf"\s*(?:[(（]\s*(?P<note>案|見込み?|概算|要求)\s*[)）])?)"
    rf"\s*(?:[:：]|(?P<connector>{_CONNECTOR}))?\s*(?P<value>{MONEY_PATTERN}|{_NO_AMOUNT})"
)
"""A budget figure with its label: "令和4年度予算額(案):1,160百万円", "(前年度予算額 ー)", "令和3年度補正予算額(案) 110億円",
and in running text "令和4年度予算額(案)は777百万円"."""
_BUDGET_RE = re.compile(BUDGET_PATTERN)
# The prior year's figure with the label cut to its year word, inside parentheses after a budget figure:
# "777百万円(前年度 700百万円)", "(前年度:700百万円)". Not "(前年度比…)".
_SHORT_PRIOR_RE = re.compile(
    rf"[(（]\s*(?P<label>(?P<year>前年度|昨年度))(?:は|[:：])?\s*(?P<value>{MONEY_PATTERN}|{_NO_AMOUNT})"
)
# A figure stated as appropriated: "777百万円を計上", "総額5億円が計上されている", "10億円を措置".
_APPROPRIATION_RE = re.compile(rf"(?P<value>{MONEY_PATTERN})\s*(?:を|が)?\s*(?:予算)?(?:計上|措置)")
# In the same sentence before such a figure, the year it is for: "令和4年度予算(案)において", "令和4年度は".
_APPROPRIATION_YEAR_RE = re.compile(
    rf"(?P<year>{_FY_WORD})\s*(?:(?P<kind>当初|補正)?\s*予算(?:額)?\s*(?:[(（]\s*(?P<note>案)\s*[)）])?"
    rf"|(?=\s*(?:は|には|において|では|に(?=[、,\s]*(?:総額|約)?[0-9０-９]))))"
)


@dataclass(frozen=True)
class BudgetStatement:
    """One budget label and its figure as found in a line.

    `label` is the label as written without spaces ("令和4年度予算額(案)"); `year` the year word as written
    ("令和4年度", "前年度") or None; `money` is None when the figure is a dash (no budget that year).

    Example:
        >>> s = find_budget_statements("令和4年度予算額(案) ： 2,422百万円（前年度予算額：2,422百万円）")
        >>> [(b.label, b.year, b.value) for b in s]
        [('令和4年度予算額(案)', '令和4年度', '2,422百万円'), ('前年度予算額', '前年度', '2,422百万円')]
    """

    label: str
    year: str | None
    kind: str | None
    value: str
    money: Money | None
    start: int
    end: int
    value_start: int
    value_end: int
    connector: str | None = None
    composed: bool = False

    @property
    def supplementary(self) -> bool:
        """True for a supplementary budget (補正予算)."""
        return self.kind == "補正"


def _statement(text: str, label: str, year: str | None, kind: str | None, start: int, end: int,
               value_start: int, value_end: int, connector: str | None = None, composed: bool = False) -> BudgetStatement:
    while value_start < value_end and text[value_start].isspace():
        value_start += 1
    value = text[value_start:value_end]
    money = parse_money(value)
    if money is not None:
        money = Money(
            money.text,
            money.start + value_start,
            money.end + value_start,
            money.yen,
            money.yen_min,
            money.yen_max,
            money.unit,
            money.qualifier,
            money.per,
        )
    return BudgetStatement(label, year, kind, value, money, start, end, value_start, value_end, connector, composed)


def find_budget_statements(text: str) -> list[BudgetStatement]:
    """Every budget label followed by its figure in `text`, in order.

    Besides labelled figures ("令和4年度予算額(案):1,160百万円", "予算額(案)は777百万円"), two forms of running
    text are read, with a label composed from the words written (`composed=True`):
    - the prior year's figure whose label is cut to its year word, in parentheses right after a budget
      figure: "777百万円(前年度 700百万円)" → label "前年度予算額";
    - a figure stated as appropriated: "令和4年度予算(案)において…を計上" is read by the label pattern; "令和4年度は
      5億円を計上" → label "令和4年度予算額" (the year only when written right before 予算 or a topic particle).

    Example:
        >>> [(s.label, s.value, s.composed) for s in find_budget_statements("本事業の令和4年度予算額は5億円(前年度 4億円)である。")]
        [('令和4年度予算額', '5億円', False), ('前年度予算額', '4億円', True)]
    """
    out: list[BudgetStatement] = []
    whats: list[str] = []
    # Most lines hold no budget word: skip the patterns (this runs on every line of every document).
    has_label = "予算" in text or "要求額" in text
    if not has_label and "計上" not in text and "措置" not in text:
        return out
    for m in _BUDGET_RE.finditer(text) if has_label else ():
        label = re.sub(r"\s+", "", m.group("label"))
        year = re.sub(r"\s+", "", m.group("year")) if m.group("year") else None
        if year is None and m.group("what") == "予算":
            continue  # "予算" alone, without a year, is too loose to be a label
        out.append(
            _statement(text, label, year, m.group("kind"), m.start(), m.end(), m.start("value"), m.end("value"),
                       m.group("connector"))
        )
        whats.append(m.group("what"))
    for m in _SHORT_PRIOR_RE.finditer(text) if out and ("前年度" in text or "昨年度" in text) else ():
        before = [i for i, s in enumerate(out) if s.end <= m.start()]
        if not before or any(s.start < m.end() and m.start() < s.end for s in out):
            continue
        previous = out[before[-1]]
        if text[previous.end : m.start()].strip() or previous.year in {"前年度", "昨年度"}:
            continue  # only right after this year's figure
        what = whats[before[-1]]
        word = "予算額" if what == "予算" else what
        label = f"{m.group('year')}{previous.kind if previous.kind == '補正' else ''}{word}"
        out.append(
            _statement(text, label, m.group("year"), None, m.start("label"), m.end(), m.start("value"), m.end("value"),
                       composed=True)
        )
        whats.append(what)
    for m in _APPROPRIATION_RE.finditer(text) if "計上" in text or "措置" in text else ():
        value_start, value_end = m.start("value"), m.end("value")
        if any(s.start < value_end and value_start < s.end for s in out):
            continue
        sentence_start = text.rfind("。", 0, value_start) + 1
        years = [y for y in _APPROPRIATION_YEAR_RE.finditer(text, sentence_start) if y.end() <= value_start]
        found = years[-1] if years else None
        year = re.sub(r"\s+", "", found.group("year")) if found else None
        kind = "補正" if found and "補正" in text[found.start() : value_start] else None
        note = "(案)" if found and found.group("note") else ""
        label = f"{year or ''}{kind or ''}予算額{note}"
        start = found.start() if found else value_start
        out.append(_statement(text, label, year, kind, start, m.end(), value_start, value_end, composed=True))
    out.sort(key=lambda s: s.start)
    return out
