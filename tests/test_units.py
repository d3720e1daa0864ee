"""Reading figures: money units, ranges and qualifiers, counts and durations, eras ↔ Western years.

Inputs are written as they appear in Japanese budget documents, raw (full-width) or NFKC-normalized.
"""

from __future__ import annotations

import pytest

from ingest.units import (
    find_budget_statements,
    find_money,
    find_quantities,
    find_years,
    fiscal_year_label,
    normalize_fiscal_year,
    parse_money,
    parse_quantity,
    previous_fiscal_year,
    resolve_relative_year,
    to_western_year,
)

# text, expected (text as written, yen, yen_min, yen_max, unit written, qualifier, per)
MONEY_TABLE = [
    ("1,160百万円", ("1,160百万円", 1_160_000_000, None, None, "百万円", None, None)),
    ("１，１６０百万円", ("１，１６０百万円", 1_160_000_000, None, None, "百万円", None, None)),
    ("138億円", ("138億円", 13_800_000_000, None, None, "億円", None, None)),
    ("25.3億円", ("25.3億円", 2_530_000_000, None, None, "億円", None, None)),
    ("12,345千円", ("12,345千円", 12_345_000, None, None, "千円", None, None)),
    ("4,500万円", ("4,500万円", 45_000_000, None, None, "万円", None, None)),
    ("2兆円", ("2兆円", 2_000_000_000_000, None, None, "兆円", None, None)),
    ("1億2,000万円", ("1億2,000万円", 120_000_000, None, None, "万円", None, None)),
    ("3億5千万円", ("3億5千万円", 350_000_000, None, None, "千万円", None, None)),
    ("500円", ("500円", 500, None, None, "円", None, None)),
    ("約14億円", ("約14億円", 1_400_000_000, None, None, "億円", "約", None)),
    ("最大５億円（直接経費）", ("最大５億円", 500_000_000, None, 500_000_000, "億円", "最大", None)),
    ("支援額:5百万円～1億円/年・課題", ("5百万円～1億円/年・課題", None, 5_000_000, 100_000_000, "億円", None, "年・課題")),
    ("30百万円～50百万円", ("30百万円～50百万円", None, 30_000_000, 50_000_000, "百万円", None, None)),
    ("3～5億円", ("3～5億円", None, 300_000_000, 500_000_000, "億円", None, None)),
    ("2百万円程度/件", ("2百万円程度/件", 2_000_000, None, None, "百万円", "程度", "件")),
    ("～14億円/年程度", ("～14億円/年程度", None, None, 1_400_000_000, "億円", "～・程度", "年")),
    ("1億円以上", ("1億円以上", 100_000_000, 100_000_000, None, "億円", "以上", None)),
]


@pytest.mark.parametrize("text, expected", MONEY_TABLE)
def test_money_is_read_exactly_as_written_and_as_yen(text, expected):
    m = parse_money(text)
    assert m is not None
    assert (m.text, m.yen, m.yen_min, m.yen_max, m.unit, m.qualifier, m.per) == expected


@pytest.mark.parametrize("text", ["深さ2600km", "2021年8月", "令和3年度", "第6期", "Top10%", "2.5円"])
def test_text_without_a_money_figure_yields_none(text):
    assert parse_money(text) is None


def test_several_amounts_on_one_line_are_found_in_order_with_offsets():
    line = "令和4年度予算額(案):1,160百万円(前年度予算額:1,078百万円)"
    found = find_money(line)
    assert [m.yen for m in found] == [1_160_000_000, 1_078_000_000]
    assert [line[m.start : m.end] for m in found] == ["1,160百万円", "1,078百万円"]


# text, unit filter, expected (text, value, value_max, unit, kind, qualifier)
QUANTITY_TABLE = [
    ("新規採用人数(見込み):178人", None, ("178人", 178.0, None, "人", "count", None)),
    ("受入人数:約2,760人", None, ("約2,760人", 2760.0, None, "人", "count", "約")),
    ("約８０名", None, ("約８０名", 80.0, None, "人", "count", "約")),
    ("支援件数:20件程度", None, ("20件程度", 20.0, None, "件", "count", "程度")),
    ("件数:26か国59件(令和3年度)", "件", ("59件", 59.0, None, "件", "count", None)),
    ("支援期間:2年間", None, ("2年間", 2.0, None, "年", "duration", None)),
    ("支援期間:2年以内", None, ("2年以内", 2.0, None, "年", "duration", "以内")),
    ("３～５年間", None, ("３～５年間", 3.0, 5.0, "年", "duration", None)),
    ("渡航期間:3か月～1年程度", None, ("3か月～1年程度", 3.0, 12.0, "か月", "duration", "程度")),
    ("受入期間:約1～3週間", None, ("約1～3週間", 1.0, 3.0, "週間", "duration", "約")),
    ("中期渡航(1～3ヶ月程度)", None, ("1～3ヶ月程度", 1.0, 3.0, "か月", "duration", "程度")),
    ("観測期間:約1年4か月", None, ("約1年4か月", 16.0, None, "か月", "duration", "約")),
    ("7年(最大10年まで延長可)", None, ("7年", 7.0, None, "年", "duration", None)),
]


@pytest.mark.parametrize("text, unit, expected", QUANTITY_TABLE)
def test_counts_and_durations_are_read_with_ranges_and_qualifiers(text, unit, expected):
    q = parse_quantity(text, unit=unit)
    assert q is not None
    assert (q.text, q.value, q.value_max, q.unit, q.kind, q.qualifier) == expected


@pytest.mark.parametrize("text", ["2021年の集計", "令和3年6月", "平成21年度～", "2004年5月科学誌", "2020 年に策定"])
def test_calendar_years_are_not_durations(text):
    assert [q for q in find_quantities(text) if q.kind == "duration"] == []


# written, Western year
ERA_TABLE = [
    ("令和4年度", 2022),
    ("令和４年度", 2022),
    ("令和元年度", 2019),
    ("平成31年度", 2019),
    ("平成元年", 1989),
    ("平成26年度", 2014),
    ("H26年度", 2014),
    ("Ｈ２６年度", 2014),
    ("R4", 2022),
    ("r4年度", 2022),
    ("昭和57年度", 1982),
    ("昭和63年度", 1988),
    ("2022年度", 2022),
    ("FY2022", 2022),
]


@pytest.mark.parametrize("text, year", ERA_TABLE)
def test_era_and_western_forms_name_the_same_year(text, year):
    assert to_western_year(text) == year


@pytest.mark.parametrize(
    "year, label",
    [(2022, "令和4年度"), (2019, "令和元年度"), (2020, "令和2年度"), (2018, "平成30年度"), (1989, "平成元年度"),
     (1988, "昭和63年度"), (1926, "大正15年度"), (1927, "昭和2年度")],
)
def test_western_fiscal_years_get_their_era_label(year, label):
    assert fiscal_year_label(year) == label


@pytest.mark.parametrize(
    "text, label", [("FY2022", "令和4年度"), ("R4", "令和4年度"), ("平成31年度", "令和元年度"), ("2014年度", "平成26年度")]
)
def test_any_fiscal_year_form_normalizes_to_the_era_label(text, label):
    assert normalize_fiscal_year(text) == label


@pytest.mark.parametrize(
    "label, previous", [("令和4年度", "令和3年度"), ("令和2年度", "令和元年度"), ("令和元年度", "平成30年度"), ("R5年度", "令和4年度")]
)
def test_the_prior_fiscal_year_crosses_era_boundaries(label, previous):
    assert previous_fiscal_year(label) == previous


@pytest.mark.parametrize(
    "word, reference, label",
    [("前年度", "令和4年度", "令和3年度"), ("昨年度", "令和5年度", "令和4年度"), ("今年度", "令和4年度", "令和4年度"),
     ("翌年度", "令和4年度", "令和5年度")],
)
def test_relative_year_words_resolve_against_a_reference_year(word, reference, label):
    assert resolve_relative_year(word, reference) == label


def test_a_non_year_is_rejected_with_the_rule_and_an_example():
    with pytest.raises(ValueError, match="令和4年度"):
        previous_fiscal_year("去年")


def test_years_in_running_text_are_all_found():
    assert [(y.text, y.year) for y in find_years("H19年度新規採用者、令和3年11月、2017年")] == [
        ("H19年度", 2007),
        ("令和3年", 2021),
        ("2017年", 2017),
    ]


# line, expected [(label as written without spaces, year word, kind, value, yen)]
BUDGET_TABLE = [
    (
        "令和4年度予算額(案):1,160百万円(前年度予算額:1,078百万円)",
        [("令和4年度予算額(案)", "令和4年度", None, "1,160百万円", 1_160_000_000),
         ("前年度予算額", "前年度", None, "1,078百万円", 1_078_000_000)],
    ),
    (
        "令和４年度予算額（案）　：　2,422百万円（前年度予算額：2,422百万円）",
        [("令和４年度予算額（案）", "令和４年度", None, "2,422百万円", 2_422_000_000),
         ("前年度予算額", "前年度", None, "2,422百万円", 2_422_000_000)],
    ),
    ("(前年度予算額 ー)", [("前年度予算額", "前年度", None, "ー", None)]),
    ("（前年度予算額　ｰ）", [("前年度予算額", "前年度", None, "ｰ", None)]),
    ("令和3年度補正予算額(案) 110億円", [("令和3年度補正予算額(案)", "令和3年度", "補正", "110億円", 11_000_000_000)]),
    ("R5年度予算額 12,345千円", [("R5年度予算額", "R5年度", None, "12,345千円", 12_345_000)]),
    ("令和4年度予算(案)のポイント", []),
    # running text: a connector between label and figure, the year joined by の
    ("ALPHA事業の令和5年度予算額(案)は1,234百万円(前年度予算額 1,200百万円)である。",
     [("令和5年度予算額(案)", "令和5年度", None, "1,234百万円", 1_234_000_000),
      ("前年度予算額", "前年度", None, "1,200百万円", 1_200_000_000)]),
    ("本事業の令和6年度予算額は、3億円となっている。", [("令和6年度予算額", "令和6年度", None, "3億円", 300_000_000)]),
    ("B事業は、令和5年度予算(案)において890百万円を計上している。",
     [("令和5年度予算(案)", "令和5年度", None, "890百万円", 890_000_000)]),
    ("令和5年度の予算額は10億円である。", [("令和5年度の予算額", "令和5年度", None, "10億円", 1_000_000_000)]),
    ("C事業の令和4年度補正予算として20億円を措置した。", [("令和4年度補正予算", "令和4年度", "補正", "20億円", 2_000_000_000)]),
    ("(前年度比 10百万円増)", []),
    ("前年度予算額に比べて増額となった。", []),
]

# running text whose label is composed from the words written: line, [(label, year, value, yen, composed)]
COMPOSED_TABLE = [
    ("Gプログラムの令和5年度予算額は、75百万円(前年度 70百万円)となっている。",
     [("令和5年度予算額", "令和5年度", "75百万円", 75_000_000, False), ("前年度予算額", "前年度", "70百万円", 70_000_000, True)]),
    ("H事業の令和5年度補正予算額(案)は12億円(前年度:8億円)。",
     [("令和5年度補正予算額(案)", "令和5年度", "12億円", 1_200_000_000, False), ("前年度補正予算額", "前年度", "8億円", 800_000_000, True)]),
    ("J事業は令和5年度に95百万円を計上した。", [("令和5年度予算額", "令和5年度", "95百万円", 95_000_000, True)]),
    ("令和6年度には、総額1億2,000万円を計上する。", [("令和6年度予算額", "令和6年度", "総額1億2,000万円", 120_000_000, True)]),
    ("K事業は令和6年度予算(案)で4億円を計上", [("令和6年度予算(案)", "令和6年度", "4億円", 400_000_000, False)]),
    # a year that dates something else is not the budget's year
    ("令和3年度に開始したL事業には3億円を計上した。", [("予算額", None, "3億円", 300_000_000, True)]),
    ("M事業は500万円が計上されている。", [("予算額", None, "500万円", 5_000_000, True)]),
    # a prior-year figure only right after this year's figure
    ("N事業の概要(前年度 70百万円)", []),
]


@pytest.mark.parametrize("line, expected", BUDGET_TABLE)
def test_budget_labels_are_read_with_their_figures(line, expected):
    got = [
        (s.label, s.year, s.kind, s.value, s.money.yen if s.money else None) for s in find_budget_statements(line)
    ]
    assert got == expected


@pytest.mark.parametrize("line, expected", COMPOSED_TABLE)
def test_budget_figures_in_running_text_get_a_label_from_the_words_written(line, expected):
    got = [
        (s.label, s.year, s.value, s.money.yen if s.money else None, s.composed) for s in find_budget_statements(line)
    ]
    assert got == expected
