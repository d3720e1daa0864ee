"""Pure metric functions of the gold-set evaluation: no model, no index, no I/O.

Definitions (each is unit-tested on hand-computed cases in tests/test_metrics.py):

- **Normalization**: NFKC, then every whitespace character removed. PDF text exports break lines
  in the middle of Japanese sentences, so a gold evidence string must match across those breaks.
- **Hit**: a citation whose normalized text contains the normalized `evidence` string.
- **Recall@k**: 1 when a hit is among the first k citations, else 0 (averaged over questions).
- **MRR@k**: 1 / rank of the *first* hit within the first k citations, 0 without one.
- **nDCG@k**: binary gains, DCG@k = sum over hits at rank i <= k of 1 / log2(i + 1). The gold set
  names one evidence passage, so the ideal DCG is one relevant citation at rank 1, i.e. 1. Overlapping
  chunks can repeat the evidence, so DCG may exceed 1; the score is clipped to 1.
- **Amounts** (`find_amounts`): numbers with a yen unit (円, 千円, 万円, 百万円, 億円, 兆円, and compounds
  such as 1億2,000万円), English yen ("1,160 million yen", "¥1.16 billion"), or a head count / case count
  (人, 名, 件, optionally with 万/千/百). English counts ("178 people") are not detected. A per-unit
  denominator (支援額/1件, 1人当たり, 1件につき) is part of a rate's unit, not an amount. Years (年) are
  not amounts: 令和4年度 and 2022年 are dates, and counting them would flag every dated answer. Amounts
  compare by value within a unit kind (1,160百万円 == 11.6億円 == 1160000000円; 人 == 名), ignoring
  sign (budget tables write a decrease as ▲50百万円 while answers say "50百万円減").
- **Wrong amount**: for an answerable row, the answer's first sentence (up to the first "。", newline, or
  English full stop) states an amount whose value is not the value of an amount in any accepted answer
  (so a compare answer must lead with the difference, not the two figures it came from); for an
  unanswerable row, the first sentence states any amount at all.
- **Faithful**: every amount anywhere in the answer equals (by value) an amount in a cited passage,
  or the sum or difference of two such amounts.
- **Abstention**: positive = the assistant abstained (answerable=False); relevant = unanswerable rows.
- **Percentile**: linear interpolation between closest ranks (numpy's default).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import combinations
from typing import NamedTuple

_WHITESPACE = re.compile(r"\s+")
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
# Longer multipliers first so 百万 is not read as 百 followed by garbage.
_YEN_MULTIPLIERS = {"兆": 10**12, "億": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4, "千": 10**3, "百": 10**2}
_COUNT_MULTIPLIERS = {"万": 10**4, "千": 10**3, "百": 10**2}
_YEN_PIECE = rf"{_NUMBER}(?:兆|億|千万|百万|万|千|百)?"
_COUNT_PIECE = rf"{_NUMBER}(?:万|千|百)?"
_SCALE = r"(?:\s?(?:thousand|million|billion|trillion))"
_ENGLISH_YEN = rf"(?:¥|JPY\s?){_NUMBER}{_SCALE}?(?:\s?yen)?|{_NUMBER}{_SCALE}?\s?yen\b"
_AMOUNT = re.compile(rf"(?:{_YEN_PIECE})+円|(?:{_COUNT_PIECE})+(?:人|名|件)|{_ENGLISH_YEN}", re.IGNORECASE)
_ENGLISH_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_PIECE = re.compile(rf"({_NUMBER})(兆|億|千万|百万|万|千|百)?")
_UNIT_KIND = {"円": "円", "人": "人", "名": "人", "件": "件"}
_PER = ("あたり", "当たり", "につき")
_SENTENCE_END = re.compile(r"[。\n]|\.(?=\s|$)")  # an English full stop, not the one in "1.16"


class AmountValue(NamedTuple):
    """An amount's unit kind ("円", "人" or "件") and its magnitude in that unit.

    Example:
        >>> parse_amount("11.6億円")
        AmountValue(unit='円', value=Decimal('1160000000'))
    """

    unit: str
    value: Decimal


def normalize(text: str) -> str:
    """NFKC, every whitespace character removed.

    Example:
        >>> normalize("ＳＩＣＯＲＰ の\\n予算")
        'SICORPの予算'
    """
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def is_hit(passage: str, evidence: str) -> bool:
    """True when the normalized passage contains the normalized evidence.

    Example:
        >>> is_hit("令和4年度予算額(案)\\n1,160百万円", "予算額（案） 1,160百万円")
        True
    """
    needle = normalize(evidence)
    if not needle:
        raise ValueError(f"evidence must contain a non-space character. Currently, the evidence is {evidence!r}")
    return needle in normalize(passage)


def relevance(passages: Iterable[str], evidence: str) -> list[bool]:
    """Binary relevance of a ranking: for each passage, whether it holds the evidence.

    Example:
        >>> relevance(["前年度", "1,160百万円"], "1,160百万円")
        [False, True]
    """
    return [is_hit(p, evidence) for p in passages]


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1. Currently, k is {k}")


def recall_at_k(rels: Sequence[bool], k: int) -> float:
    """1.0 when a relevant item is among the first k, else 0.0.

    Example:
        >>> recall_at_k([False, False, True], 3), recall_at_k([False, False, True], 2)
        (1.0, 0.0)
    """
    _check_k(k)
    return 1.0 if any(rels[:k]) else 0.0


def reciprocal_rank(rels: Sequence[bool], k: int = 10) -> float:
    """1 / rank of the first relevant item within the first k, else 0.0.

    Example:
        >>> reciprocal_rank([False, True, True])
        0.5
    """
    _check_k(k)
    for rank, rel in enumerate(rels[:k], start=1):
        if rel:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(rels: Sequence[bool], k: int = 10) -> float:
    """nDCG@k with binary gains and an ideal DCG of one relevant item at rank 1 (= 1), clipped to 1.

    Example:
        >>> round(ndcg_at_k([False, True]), 4)
        0.6309
    """
    _check_k(k)
    dcg = sum(1.0 / math.log2(rank + 1) for rank, rel in enumerate(rels[:k], start=1) if rel)
    return min(1.0, dcg)


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None for no values (a metric that was not measured).

    Example:
        >>> mean([1.0, 0.0, 0.5]), mean([])
        (0.5, None)
    """
    return sum(values) / len(values) if values else None


def accuracy(correct: Sequence[bool]) -> float | None:
    """The fraction of True values, or None for no rows.

    Example:
        >>> accuracy([True, False, True, True])
        0.75
    """
    return mean([1.0 if c else 0.0 for c in correct])


def abstention_precision_recall(
    abstained: Sequence[bool], unanswerable: Sequence[bool]
) -> tuple[float | None, float | None]:
    """Precision and recall of abstaining: positive = abstained, relevant = unanswerable row.

    Precision is None when the assistant never abstained, recall is None when no row is
    unanswerable (the metric is undefined, not perfect).

    Example:
        >>> abstention_precision_recall([True, True, False, False], [True, False, True, False])
        (0.5, 0.5)
    """
    if len(abstained) != len(unanswerable):
        raise ValueError(
            f"abstained and unanswerable must have one value per row. Currently, they have "
            f"{len(abstained)} and {len(unanswerable)} values"
        )
    both = sum(1 for a, u in zip(abstained, unanswerable) if a and u)
    n_abstained = sum(1 for a in abstained if a)
    n_unanswerable = sum(1 for u in unanswerable if u)
    precision = both / n_abstained if n_abstained else None
    recall = both / n_unanswerable if n_unanswerable else None
    return precision, recall


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0 <= q <= 100), linear between closest ranks; None for no values.

    Example:
        >>> percentile([10.0, 20.0, 30.0, 40.0], 50)
        25.0
    """
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100. Currently, q is {q}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def is_correct(answer_text: str, accepted: Sequence[str], *, answerable: bool, unanswerable_row: bool) -> bool:
    """Whether an answer is right: an unanswerable row needs an abstention; an answerable row needs
    answerable=True and an accepted answer string inside the (normalized) answer text.

    Example:
        >>> is_correct("11.6億円（1,160百万円）です。", ["1,160百万円"], answerable=True, unanswerable_row=False)
        True
    """
    if unanswerable_row:
        return not answerable
    if not answerable:
        return False
    text = normalize(answer_text)
    return any(normalize(a) and normalize(a) in text for a in accepted)


def find_amounts(text: str) -> list[str]:
    """Amounts with a unit, as written after NFKC, in reading order.

    Units: 円 with 千/万/百万/億/兆 (and compounds like 1億2,000万円); counts with 人, 名, 件; English yen
    ("1,160 million yen", "¥1.16 billion", "JPY 500 million"). Years are not amounts (see the module docstring).

    Example:
        >>> find_amounts("令和4年度は１，１６０百万円（11.6億円）、採用は30人。")
        ['1,160百万円', '11.6億円', '30人']
    """
    text = unicodedata.normalize("NFKC", text)
    return [m.group() for m in _AMOUNT.finditer(text) if not _is_per_unit(text, m)]


def _is_per_unit(text: str, match: re.Match) -> bool:
    # "支援額/1件", "1人当たり": a per-unit denominator names the unit of a rate; it states no amount.
    if match.group() not in ("1人", "1名", "1件"):
        return False
    return text[max(0, match.start() - 1):match.start()] == "/" or text[match.end():].startswith(_PER)


def parse_amount(amount: str) -> AmountValue:
    """The unit kind and value of one amount as `find_amounts` returns it.

    Example:
        >>> parse_amount("1億2,000万円").value == parse_amount("120百万円").value
        True
    """
    surface = unicodedata.normalize("NFKC", amount).strip()
    if not _AMOUNT.fullmatch(surface):
        raise ValueError(f"not an amount with a unit (円, 人, 名, 件, yen): {amount!r}")
    total = Decimal(0)
    if surface[-1] in _UNIT_KIND:
        unit = _UNIT_KIND[surface[-1]]
        multipliers = _YEN_MULTIPLIERS if unit == "円" else _COUNT_MULTIPLIERS
        for number, multiplier in _PIECE.findall(surface[:-1]):
            total += Decimal(number.replace(",", "")) * multipliers.get(multiplier, 1)
    else:  # English: "1,160 million yen", "¥1.16 billion"
        unit = "円"
        number = re.search(_NUMBER, surface).group()
        scale = re.search(r"thousand|million|billion|trillion", surface, re.IGNORECASE)
        total = Decimal(number.replace(",", "")) * (_ENGLISH_SCALES[scale.group().lower()] if scale else 1)
    return AmountValue(unit, Decimal(int(total)) if total == total.to_integral_value() else total)


def amount_values(text: str) -> set[AmountValue]:
    """The values of every amount in `text`.

    Example:
        >>> amount_values("1,160百万円（11.6億円）") == {AmountValue("円", Decimal(1160000000))}
        True
    """
    # Equal Decimals hash equally whatever their exponent, so a set compares by value.
    return {parse_amount(a) for a in find_amounts(text)}


def first_sentence(text: str) -> str:
    """The direct answer: the text up to the first "。", newline, or English full stop, leading space skipped.

    Example:
        >>> first_sentence("  11.6億円です。前年度は10億円でした。")
        '11.6億円です'
    """
    return _SENTENCE_END.split(text.lstrip(), maxsplit=1)[0]


def states_wrong_amount(answer_text: str, accepted: Sequence[str], *, unanswerable_row: bool) -> bool:
    """Whether the answer's first sentence states an amount that is not an accepted one (by value).

    On an unanswerable row any amount in the first sentence is wrong.

    Example:
        >>> states_wrong_amount("11.6億円です。", ["1,160百万円"], unanswerable_row=False)
        False
        >>> states_wrong_amount("12億円です。", ["1,160百万円"], unanswerable_row=False)
        True
    """
    stated = amount_values(first_sentence(answer_text))
    if unanswerable_row:
        return bool(stated)
    allowed: set[AmountValue] = set()
    for answer in accepted:
        allowed |= amount_values(answer)
    return bool(stated - allowed)


MAX_SUMMED = 4  # a stated total may add up to this many cited amounts ("3事業の合計")
MAX_SUMMED_FROM = 40  # amounts of one unit considered for sums
MAX_CHANGES = 400  # signed differences of one unit considered for a total change


def is_faithful(answer_text: str, cited_passages: Iterable[str]) -> bool:
    """Whether every amount in the answer appears in a cited passage (by value), or is the difference
    of two amounts that do, the sum of up to `MAX_SUMMED` of them, the sum of two or three such differences
    (a total change over two or three programs), or one amount's distance from a sum of up to three others.

    Example:
        >>> is_faithful("差は160百万円です。", ["SICORP 1,160百万円", "前年度 1,000百万円"])
        True
        >>> is_faithful("合計は6百万円です。", ["A 1百万円", "B 2百万円", "C 3百万円"])
        True
        >>> is_faithful("12億円です。", ["SICORP 1,160百万円"])
        False
    """
    stated = amount_values(answer_text)
    if not stated:
        return True
    cited_passages_list = list(cited_passages)
    cited: set[AmountValue] = set()
    for passage in cited_passages_list:
        cited |= amount_values(passage)
    derivable = set(cited)
    changes: dict = {}  # signed differences of two cited amounts, by unit
    for a in cited:
        for b in cited:
            if a.unit == b.unit:
                derivable.add(AmountValue(a.unit, abs(a.value - b.value)))
                changes.setdefault(a.unit, set()).add(a.value - b.value)
    for unit, signed in changes.items():  # a total change: two programs' changes added up (+82 and -50 → 32)
        if len(signed) <= MAX_CHANGES:
            derivable.update(AmountValue(unit, abs(x + y)) for x in signed for y in signed)
    # Sums run over the amounts as the cited text states them, repeats included: a program whose
    # budget is 6,100百万円 this year and last has a two-year total of 12,200百万円.
    by_unit: dict = {}
    for passage in cited_passages_list:
        for a in (parse_amount(x) for x in find_amounts(passage)):
            by_unit.setdefault(a.unit, []).append(a.value)
    sums_of_three: dict = {}
    for unit, values in by_unit.items():
        values = sorted(values)[:MAX_SUMMED_FROM]  # bounded: an answer cites a few short passages
        for size in range(2, min(MAX_SUMMED, len(values)) + 1):
            totals = {sum(combo) for combo in combinations(values, size)}
            derivable.update(AmountValue(unit, t) for t in totals)
            if size <= 3:
                sums_of_three.setdefault(unit, set(values)).update(totals)
    missing = stated - derivable
    # Rarer derivations, tried only for what is still unexplained: one amount against the total of up to
    # three others ("AはB・Cの合計より564百万円少ない"), and a total change over three programs.
    local = [_signed_differences(amount_values(passage)) for passage in cited_passages_list] if missing else []
    return all(_against_a_total(m, cited, sums_of_three) or _three_changes(m, local) or _total_of_its_parts(m, answer_text, cited)
               for m in missing)


def _total_of_its_parts(amount: "AmountValue", answer_text: str, cited: set) -> bool:
    """Whether `amount` is the sum of every other amount the answer's first line states, each of them cited:
    a total with its whole breakdown (six programs' budgets added up), however many parts it has.

    Example:
        >>> from decimal import Decimal
        >>> total = parse_amount("10百万円")
        >>> _total_of_its_parts(total, "合計10百万円（内訳: 1百万円、2百万円、3百万円、4百万円）",
        ...                     amount_values("1百万円 2百万円 3百万円 4百万円"))
        True
    """
    lead = answer_text.lstrip().split("\n", 1)[0]  # the answer's own sentence, not the quotes under it
    parts = [a for a in (parse_amount(x) for x in find_amounts(lead)) if a.unit == amount.unit and a != amount]
    return len(parts) >= 2 and all(p in cited for p in parts) and sum(p.value for p in parts) == amount.value


def _against_a_total(amount: "AmountValue", cited: set, sums_of_three: dict) -> bool:
    """Whether `amount` is a cited amount's distance from a sum of up to three cited amounts."""
    totals = sums_of_three.get(amount.unit, set())
    return any(c.unit == amount.unit and (c.value + amount.value in totals or c.value - amount.value in totals) for c in cited)


def _signed_differences(values: set) -> set:
    """(unit, a - b) for the amounts of one passage: a program's change is stated in one place."""
    return {(a.unit, a.value - b.value) for a in values for b in values if a.unit == b.unit and a != b}


def _three_changes(amount: "AmountValue", local: list[set]) -> bool:
    """Whether `amount` is the total of three changes, each the difference of two amounts of one cited passage
    (three programs' changes added up: +82 - 50 + 104)."""
    passages = [{v for u, v in d if u == amount.unit} for d in local]
    passages = [p for p in passages if p][:MAX_SUMMED_FROM]
    for first, second, third in combinations(passages, 3):
        for x in first:
            for y in second:
                if amount.value - x - y in third or -amount.value - x - y in third:
                    return True
    return False
