"""Composing an Answer: the direct answer first, then a short supporting quote, then numbered citations.

Three paths, in order:
1. a figure question the facts answer → the exact value as written (plus a requested conversion),
   cited to the line that states it;
2. a figure question the facts cannot answer (another year, an attribute the documents do not give)
   → an honest "not in the documents", with what the documents do say nearby;
3. anything else → the best-matching sentence of the retrieved passages, if the passages contain
   what was asked for; otherwise "not in the documents".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from assistant.answer import Answer, detect_lang
from assistant.facts import (
    FUNDING_AGENCIES, FactOperation, asks_a_share, asks_for_a_name, asks_share, asks_what_figure_is, cued_attribute, format_amount,
    later_is_numerator, share_text, split_note, times_text, where_named,
)
from assistant.retrieve import Hit, to_citation
from assistant.words import compound_parts, focus_terms, written_as
from index.fusion import Ranker
from ingest.facts import canonical_attribute
from ingest.gazetteer import respellings
from ingest.models import Citation, Fact
from ingest.units import find_money, find_years, parse_quantity

if TYPE_CHECKING:
    from assistant.conversation import Resolution
    from assistant.core import Assistant
    from assistant.facts import FactQuery, FactResult
    from assistant.gloss import Gloss

NOT_FOUND = {"ja": "資料には記載がありません。", "en": "The documents do not say."}
PASSAGES_K = 5
DASHES = {"ー", "-", "－", "―", "−", "ｰ", "—"}
QUOTE_CHARS = 160
DESCRIBED_SUBJECT_WORDS = 3  # glossed words a program's name must hold to stand for an English description


def compose_answer(bot: "Assistant", question: str, resolution: "Resolution", *, ranker: Ranker) -> Answer:
    """The Answer to `question`, from facts first, passages second."""
    query = resolution.query
    lang = detect_lang(resolution.question)
    hits = bot.hits(resolution.question, k=PASSAGES_K, ranker=ranker)
    # What the Japanese-reading rules below read: the question itself, or its Japanese gloss.
    reading, topics = resolution.question, None
    if lang == "en":
        gloss = _gloss(resolution)
        reading, topics = gloss.text, _english_topics(gloss)
        hits = _with_glossed_hits(bot, hits, reading, ranker)
        described = _described_subject(bot, gloss) if query is not None and not query.subjects else None
        if described is not None:  # "the JSPS program that invites foreign researchers to Japan"
            query = query.model_copy(update={"subjects": (described,), "subject_surfaces": ()})
    passages = [to_citation(hit, resolution.question) for hit in hits]
    base = {"question": question, "resolved_question": resolution.question}
    if query is not None and query.is_figure_question and not query.subjects:
        unknown = _unknown_program(bot, resolution.question)
        if unknown:
            text = (f"「{escape_markdown(unknown)}」は資料に見当たりません。{NOT_FOUND['ja']}" if lang == "ja"
                    else f"The documents do not mention {unknown}.")
            return Answer(text=text, answerable=False, citations=passages[:3], **base)
    whose = _whose_figure_answer(bot, resolution.question, passages, lang, base, query) if lang == "ja" else None
    if whose is not None:  # "「1,160百万円」ってなんの予算？": the program and attribute of the fact stating it
        return whose
    product = _product_answer(bot, resolution.question, passages, lang, base, query) if lang == "ja" else None
    if product is not None:  # "「2百万円程度/件」で「20件程度」支援すると合計いくら？": an amount per item times a count
        return product
    quoted = _quoted_figure_answer(bot, resolution.question, passages, lang, base, query) if lang == "ja" else None
    if quoted is not None:  # "「最大5億円」は直接経費？": the question is about a figure it quotes
        return quoted
    if (query is not None and query.is_figure_question and len(query.subjects) == 1 and len(query.fiscal_years) < 2
            and (_needs_two(resolution.question) or _share_of_budget(resolution.question, query))):
        one = lookup_facts(bot, query, hits)
        part = _named_part(bot, resolution.question, one, lang, passages, base) if one.answerable and lang == "ja" else None
        if part is not None:  # "Aの事務経費は事業経費の何%？": a part of A's own breakdown, not a second program
            return part
        if one.answerable and one.listing and len(one.facts) == 2:  # two types of one program ("コアチーム型と加速型")
            return _fact_answer(one, passages, lang, base)
        sole = one.facts[0] if one.answerable and len(one.facts) == 1 else None
        ends = _range_ends_answer(resolution.question, sole, passages, lang, base) if sole is not None else None
        if ends is not None:  # "支援額の上限は下限の何倍？": the two ends of one range
            return ends
        two_lines = _two_figures_answer(bot, resolution.question, passages, lang, base, query, fact=sole)
        if two_lines is not None:  # "WPI拠点の総勢はPIの何倍？", "WPIの予算は寄附の何倍？": two figures of one program
            return two_lines
        # "AとB、どちらが多い？" with only A recognized: one program's figure would not answer it
        text = (f"もう一方の事業を資料の事業名として特定できませんでした（特定できたのは「{escape_markdown(query.subjects[0])}」のみ）。"
                "事業名を資料の表記で指定してください。" if lang == "ja"
                else f"Only one of the programs to compare could be identified ({query.subjects[0]}); please name the other as the documents do.")
        return Answer(text=text + "\n\n" + _references(passages[:3], lang), answerable=False, citations=passages[:3], **base)
    per_head = _per_head_answer(bot, resolution.question, passages, lang, base, query) if lang == "ja" else None
    if per_head is not None:  # "招へい事業の予算を新規採用人数で割ると1人あたり？": both cited, one divided by the other
        return per_head
    stated = _stated_count(resolution.question)
    if (query is not None and query.is_figure_question and stated is not None and 2 <= len(query.subjects) < stated
            and not query.every_program):
        # "海特と外特、それにサトレップス、3つの合計": a sum or compare over fewer programs than it names is another figure
        found = "」「".join(escape_markdown(s) for s in query.subjects)
        text = (f"{stated}つのうち一部の事業を資料の事業名として特定できませんでした（特定できたのは「{found}」）。事業名を資料の表記で指定してください。"
                if lang == "ja" else f"Only some of the {stated} programs could be identified ({', '.join(query.subjects)}); please name the others as the documents do.")
        return Answer(text=text + "\n\n" + _references(passages[:3], lang), answerable=False, citations=passages[:3], **base)
    if query is not None and query.is_figure_question:
        result = lookup_facts(bot, query, hits)
        # (an English question describes its program in words a Japanese fact line never has: only the
        # words that say which quantity is meant count there)
        if lang == "ja":
            unexplained = _unexplained_focus(bot, resolution.question, result, query=query) if result.answerable else []
        else:
            evidence = " ".join(f"{f.attribute} {f.citation.text}" for f in result.facts)
            unexplained = [t for t in topics or [] if _defines_quantity(t) and not _covered(t, evidence)] if result.answerable else []
        if result.answerable and not unexplained and lang == "ja" and _names_another_key(bot, resolution.question, query, result):
            unexplained = ["key"]  # the question names a `key:` line of this program the fact is not
        if result.answerable and not unexplained:
            part = _named_part(bot, resolution.question, result, lang, passages, base) if lang == "ja" else None
            over_years = _over_years_answer(resolution.question, result, passages, lang, base) if lang == "ja" else None
            return part or over_years or _fact_answer(result, passages, lang, base)
        if result.missing_subject and len(query.subjects) >= 2:
            # "AとB、どちらが長い？" with no figure for B: one passage about A would not answer it
            return _abstain_with_nearby(bot, result, passages, lang, base)
        # The facts have no such figure (or answer a different attribute than the words asked for):
        # a passage may still state it in a sentence ("PIが7～10人程度以上") -- for one program; a line
        # with one figure does not answer "AはBの何倍" (two programs' key lines side by side may)
        two_lines = _two_figures_answer(bot, resolution.question, passages, lang, base, query)
        if two_lines is not None:  # "WPI拠点の総勢はPIより何人多い？": two figures its lines state
            return two_lines
        figure = (_passage_figure_answer(bot, reading, passages, lang, base, query, topics=topics)
                  if len(query.subjects) < 2 else None)
        if figure is not None:
            return figure
        key_value = _key_line_answer(bot, reading, passages, lang, base, query, topics=topics)
        if key_value is not None:
            return key_value
        if result.answerable and unexplained != ["key"] and _only_describes(bot, resolution.question, result, unexplained):
            # "博士号を持つ若手を海外に送り出す〇〇はいつ始まった": the words describe the program (its pages
            # say them), no line answers them with a figure of their own, and the attribute was asked by name.
            return _fact_answer(result, passages, lang, base)
        if result.answerable:  # a fact that does not match what was asked is not an answer
            result = result.model_copy(update={"answerable": False, "missing": "attribute"})
        if result.missing in {"fiscal_year", "attribute", "prior_year"} or query.subjects:
            looked_for = [t for t in unexplained if t != "key"]
            return _abstain_with_nearby(bot, result, passages, lang, base, looked_for=looked_for)
    if _asked_units(reading) and not asks_for_a_name(unicodedata.normalize("NFKC", reading)):
        two_lines = _two_figures_answer(bot, resolution.question, passages, lang, base, query)
        if two_lines is not None:  # "WPIの拠点要件、PIは総勢の何割？": two figures its lines state
            return two_lines
        figure = _passage_figure_answer(bot, reading, passages, lang, base, query, topics=topics)
        if figure is not None:
            return figure
        # A figure of a kind was asked for ("何か国", "何人") and no passage states one: say so, quote nothing.
        label = _wanted_label(query, lang) if query is not None else ("数値" if lang == "ja" else "figure")
        label = label if label.endswith("数値") else f"{label}の数値"
        text = f"{escape_markdown(label)}は資料に記載がありません。" if lang == "ja" else f"The documents give no {label}."
        return Answer(text=text + "\n\n" + _references(passages[:3], lang), answerable=False, citations=passages[:3], **base)
    if query is not None and query.subjects:
        two_lines = _two_figures_answer(bot, resolution.question, passages, lang, base, query)
        if two_lines is not None:
            return two_lines
        key_value = _key_line_answer(bot, reading, passages, lang, base, query, topics=topics)
        if key_value is not None:
            return key_value
    return _passage_answer(bot, resolution.question, passages, lang, base, query, topics)


_TWO_CUES = re.compile(
    r"どちら|どっち|何倍|何分の|の比(?:は|を)|の何%|の何パーセント|に占める|を占め|上回|下回|より(?:何[^、。?？]{0,5})?(?:多|少|大き|小さ|早|遅|新し|古)|"
    r"[と、].{0,30}(?:多い|少ない|大きい|小さい|早い|遅い|新しい|古い)のは|"
    r"[^\d年度]と.{0,40}(?:合わせ|合計|足す|足し|総額)|"
    r"\bwhich (?:is|has|one|program)\b|\bthan\b|\bcompared (?:to|with)\b",
    re.IGNORECASE,
)


def _share_of_budget(question: str, query: "FactQuery") -> bool:
    """"138億円のうち、…6事業の分は何%？": a share of one program's budget needs the part too (a change over the
    year, "前年度比で何%", is the program's own)."""
    q = unicodedata.normalize("NFKC", question)
    shares = asks_a_share(q)
    budget = query.attribute == "予算額" and bool(re.search(r"予算|金額|億円|百万円|経費", q))  # said, not carried over
    return budget and shares and not re.search(r"前年|去年|昨年|伸び|増|減|率", q)


_DIVIDED = re.compile(r"(?P<by>[^、。?？を]{2,24}?)で(?:単純に)?割(?:ると|った|れば|って)")
_PER_ONE = re.compile(r"1\s*(?P<what>人|件|拠点|課題|か国)\s*(?:当たり|あたり)|一人当たり|一人あたり")


def _per_head_answer(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict, query: "FactQuery | None",
) -> Answer | None:
    """"外国人研究者招へい事業の予算を新規採用人数で割ると1人あたり？": one program's budget over one of its
    counts, both facts cited; None for any other question (or when either figure is missing)."""

    text = unicodedata.normalize("NFKC", question)
    divided = _DIVIDED.search(text)
    if query is None or len(query.subjects) != 1 or divided is None or not re.search(r"予算|経費", text[: divided.start()]):
        return None
    count_attribute = cued_attribute(divided.group("by"))
    if count_attribute is None or not count_attribute.endswith(("人数", "件数")):
        return None  # a budget is divided by a count of people or projects, not by a period or another amount
    index = bot.facts_index
    # each figure looked up by its own words: the budget by those before the count's ("…の令和4年度予算を")
    budget = index.lookup(query.model_copy(update={"attribute": "予算額", "operation": FactOperation.LOOKUP, "attribute_detail": None,
                                                   "question": text[: divided.start()]}))
    counted = index.lookup(query.model_copy(update={
        "attribute": count_attribute, "operation": FactOperation.LOOKUP, "attribute_detail": None,
        "fiscal_year": None, "year_offset": None, "question": divided.group("by")}))
    # (the same figure stated on two pages is one figure)
    if not (budget.answerable and counted.answerable and len({f.amount_yen for f in budget.facts}) == 1
            and len({f.value for f in counted.facts}) == 1):
        return None
    money, count = budget.facts[0], counted.facts[0]
    found = canonical_attribute(count.attribute)
    if found != count_attribute and not (found.endswith("件数") and count_attribute.endswith("件数")):
        return None  # the facts hold another count than the one named (受入人数 asked, 新規採用人数 found)
    per = _PER_ONE.search(text)
    counter = per.group("what") if per and per.group("what") else "人"
    number = re.search(r"([\d,]+(?:\.\d+)?)\s*" + ("[人名]" if counter == "人" else re.escape(counter)),
                       unicodedata.normalize("NFKC", count.value))
    if money.amount_yen is None or number is None or not float(number.group(1).replace(",", "")):
        return None
    each = money.amount_yen / float(number.group(1).replace(",", ""))
    unit = query.wants_unit if query.wants_unit in _YEN_PER_UNIT else "万円"  # "百万円単位で"; else 万円
    scaled = each / _YEN_PER_UNIT[unit]
    digits = 0 if unit == "万円" and scaled >= 100 else 1 if unit == "万円" else 2
    shown_value = round(scaled, digits)
    shown = (f"{shown_value:,.{digits}f}" if digits else f"{int(shown_value):,}") + unit
    approx = "" if abs(scaled - shown_value) < 1e-9 else "約"
    citations = merge_citations([_fact_citation(money), _fact_citation(count)], passages)
    lead = (f"1{counter}当たり{approx}{shown}です。（{escape_markdown(money.attribute)} {escape_markdown(money.value)} ÷ "
            f"{escape_markdown(count.attribute)} {escape_markdown(count.value)}、資料の数値から計算） [1][2]")
    return Answer(text="\n".join([lead, "", _references(citations[:4], lang)]), answerable=True, citations=citations, **base)


_YEN_PER_UNIT = {"万円": 10_000, "百万円": 1_000_000, "億円": 100_000_000, "円": 1}


_STATED_COUNT = re.compile(r"(?<![\d,.])([2-5二三四五])(?:つ|事業|プログラム|制度)(?:の|を|と|で|すべて|全部|とも)")
_KANJI_DIGITS = {"二": 2, "三": 3, "四": 4, "五": 5}


def _stated_count(question: str) -> int | None:
    """How many programs a question says it names ("3つの前年度予算を合計", "この2事業の"), or None."""
    found = _STATED_COUNT.search(unicodedata.normalize("NFKC", question))
    if found is None:
        return None
    digit = found.group(1)
    return _KANJI_DIGITS.get(digit) or int(digit)


def _needs_two(question: str) -> bool:
    """Whether the question compares two named things ("AとB、どちらが多い？", "AはBの何倍？") — as
    opposed to a change over the year, which needs one ("前年度より多い？")."""
    q = unicodedata.normalize("NFKC", question)
    if re.search(r"前年度?(?:より|と比べ|から|比|の何倍|の何%)|去年より|昨年より|伸び率|増加率|減少率|対前年|previous year|last year",
                 q, re.IGNORECASE):
        return False
    return bool(_TWO_CUES.search(q))


def _gloss(resolution: "Resolution") -> "Gloss":
    """The Japanese gloss of an English question (see assistant/gloss.py)."""
    from assistant.gloss import gloss_english

    query = resolution.query
    subjects = tuple(query.subjects) if query is not None else ()
    year = query.fiscal_year if query is not None else None
    text = unicodedata.normalize("NFKC", resolution.question)
    for surface in (query.subject_surfaces if query is not None else ()):
        text = text.replace(surface, " , ")  # the program's English name is not a topic of the question
    return gloss_english(text, subjects=subjects, year=year)


def _described_subject(bot: "Assistant", gloss: "Gloss") -> str | None:
    """The one subject whose Japanese name holds at least three of an English question's glossed
    words, more than any other name does ("invites foreign researchers" → 外国人研究者招へい事業)."""
    scores: dict[str, int] = {}
    for entry in bot.facts_index.gazetteer.entries:
        scores[entry.name] = sum(1 for group in gloss.groups if any(w in entry.name for w in group if len(w) >= 2))
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < DESCRIBED_SUBJECT_WORDS or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


def _english_topics(gloss: "Gloss") -> list[str]:
    """The gloss's topic groups, without those that only name an attribute (予算額, 期間 …)."""
    attribute_words = _attribute_words()
    return [t for t in gloss.topics if not all(w in attribute_words for w in t.split("|"))]


def _with_glossed_hits(bot: "Assistant", hits: list[Hit], gloss: str, ranker: Ranker) -> list[Hit]:
    """The encoder's hits for an English question interleaved with BM25's hits for its Japanese gloss."""
    if not gloss or ranker == Ranker.DENSE:
        return hits
    lexical = bot.hits(gloss, k=PASSAGES_K, ranker=Ranker.BM25)
    merged: list[Hit] = []
    seen: set[int] = set()
    for pair in zip(hits, lexical):
        for hit in pair:
            if hit.row not in seen:
                seen.add(hit.row)
                merged.append(hit)
    for hit in [*hits, *lexical]:
        if hit.row not in seen:
            seen.add(hit.row)
            merged.append(hit)
    return merged[: max(len(hits), PASSAGES_K)]


# -- path 1: facts ---------------------------------------------------------------------
def lookup_facts(bot: "Assistant", query: "FactQuery", hits: list[Hit]) -> "FactResult":
    """The facts answering a figure question; a question naming no known subject takes it from the passages."""
    result = bot.facts_index.lookup(query)
    if not result.answerable and not query.subjects:
        result = _lookup_with_retrieved_subject(bot, query, hits) or result
    return result




def fact_citations(bot: "Assistant", resolution: "Resolution", hits: list[Hit]) -> list[Citation]:
    """Citations of the facts that answer the question, value marked; none for other questions."""
    query = resolution.query
    if query is None or not query.is_figure_question:
        return []
    result = lookup_facts(bot, query, hits)
    if not result.answerable:
        return []
    return merge_citations([_fact_citation(f) for f in result.facts], [])


def _lookup_with_retrieved_subject(bot: "Assistant", query: "FactQuery", hits: list[Hit]) -> "FactResult | None":
    """A figure question that names no known subject ("博士号を持つ若手を海外に送る制度の予算は？"):
    take the subject from the sentence of the top passage that best matches the question, when that
    sentence names a program. Partial name matches never count: a wrong subject would be a wrong figure."""
    from assistant.retrieve import best_span

    facts = bot.facts_index
    for hit in hits[:1]:
        text = hit.chunk.text
        start, end = best_span(text, query.question)
        english = detect_lang(query.question) == "en"
        for window in ((hit.sentence or "") if english else text[start:end],):
            for match in facts.gazetteer.match(window):
                if match.kind == "partial":
                    continue
                candidate = query.model_copy(update={"subjects": (match.name,), "subject_surfaces": ()})
                result = facts.lookup(candidate)
                if result.answerable:
                    return result
    return None


_PART_AMOUNT = r"\s*[:：]?\s*(?P<amount>(?:約|最大)?\d[\d,.]*(?:兆|億|千万|百万|万|千)?円)"


def _named_part(bot: "Assistant", question: str, result: "FactResult", lang: str, passages: list[Citation], base: dict) -> Answer | None:
    """A breakdown inside the value ("50百万円 (内訳)…+事務経費10百万円") holds the part the question
    names ("事務経費はいくら？"): answer with that part's amount, as written."""
    if result.query.operation.value != "lookup":
        return None
    for fact, term in ((f, t) for f in result.facts for t in _question_topics(bot, question) + focus_terms(question)):
        if len(term) < 3 or term in fact.attribute:
            continue
        match = re.search(re.escape(term) + _PART_AMOUNT, unicodedata.normalize("NFKC", fact.value))
        if match:
            cited = _fact_citation(fact)
            subject = result.query.subject_surfaces[0] if result.query.subject_surfaces else fact.subject
            text = f"{escape_markdown(subject)}の{term}は{match.group('amount')}です（{escape_markdown(fact.attribute)}の内訳）。 [1]"
            share = _share_of_whole(question, match.group("amount"), fact)
            if share is not None:  # "事業経費50百万円のうち、事務経費は何割？": the part over the whole, both cited
                text = f"{escape_markdown(subject)}の{term}は{escape_markdown(fact.attribute)}の{share}です（{match.group('amount')} / {find_money(fact.value)[0].text}）。 [1]"
            citations = merge_citations([cited], passages)
            lines = [text, "", _quote(cited, lang) + " [1]", "", _references(citations, lang)]
            return Answer(text="\n".join(lines), answerable=True, citations=citations, facts=[fact], **base)
    return None


def _share_of_whole(question: str, part: str, whole: Fact) -> str | None:
    """"何割" / "何%" of a part inside a breakdown against the whole value: "2割（20.0%）", or None when
    the question asks no share or an amount cannot be read."""
    if not asks_share(question) or whole.amount_yen in (None, 0):
        return None
    money = find_money(part)
    if not money or money[0].yen is None:
        return None
    return share_text(money[0].yen / whole.amount_yen, question)


def _fact_citation(fact: Fact) -> Citation:
    """The fact's own citation with the value marked."""
    c = fact.citation
    where = c.text.find(fact.value)
    if where < 0:
        where = unicodedata.normalize("NFKC", c.text).find(unicodedata.normalize("NFKC", fact.value))
    if where < 0:
        return c.model_copy(update={"score": 1.0})
    return c.model_copy(update={"score": 1.0, "highlight_start": where, "highlight_end": where + len(fact.value)})


def merge_citations(first: list[Citation], rest: list[Citation]) -> list[Citation]:
    """Fact citations first, then passages that do not repeat them (same source and overlapping span)."""
    merged: list[Citation] = []
    for c in [*first, *rest]:
        if any(m.source == c.source and m.start == c.start and m.end == c.end for m in merged):
            continue
        merged.append(c)
    return merged


def _fact_answer(result: "FactResult", passages: list[Citation], lang: str, base: dict) -> Answer:
    from assistant.facts import describe_fact_result

    facts = list(result.facts)
    fact_citations = merge_citations([_fact_citation(f) for f in facts], [])
    citations = merge_citations(fact_citations, passages)
    direct = describe_fact_result(result, lang)
    if result.skipped_subjects:  # programs left out of a ranking: say which state no such figure
        names = ("、" if lang == "ja" else ", ").join(result.skipped_subjects)
        direct += f"（記載のない事業: {names}）" if lang == "ja" else f" (not stated for: {names})"
    elif not result.query.every_program and not result.query.subject_surfaces and result.query.subjects:
        note = "（質問の対象を資料の「{}」と解しました）" if lang == "ja" else " (read as the documents' {})"
        direct += note.format("」「".join(result.query.subjects) if lang == "ja" else ", ".join(result.query.subjects))
    refs = [citations.index(c) + 1 for c in fact_citations]
    direct += " " + "".join(f"[{n}]" for n in refs[:3])
    lines = [direct, "", _quote(fact_citations[0], lang) + " [1]", "", _references(citations, lang)]
    # A dash where a figure would stand ("前年度予算額 ー": a new program) states that there is no figure.
    answerable = not (len(facts) == 1 and facts[0].value.strip() in DASHES)
    return Answer(text="\n".join(lines), answerable=answerable, citations=citations, facts=facts, **base)


# -- path 2: honest abstention ----------------------------------------------------------
def _abstain_with_nearby(
    bot: "Assistant", result: "FactResult", passages: list[Citation], lang: str, base: dict, *, looked_for: list[str] = ()
) -> Answer:
    """Say what was looked for (the question's words no fact explains, if any), and what the documents
    state nearby (with its citation)."""
    from assistant.facts import _attribute_label  # the same labels the answers use

    query = result.query
    subject = result.missing_subject or (query.subjects[0] if query.subjects else None)
    if result.missing_subject:  # "AとBはどっちが古い？" with no start date for B: say it is B's that is missing
        surface = next((s for s, n in zip(query.subject_surfaces, query.subjects) if n == subject), subject)
        query = query.model_copy(update={"subjects": (subject,), "subject_surfaces": (surface,)})
    nearby = _nearby_facts(bot.facts_index.by_subject.get(subject, []) if subject else [], subject, query.attribute)
    wanted = _wanted_label(query, lang)
    if looked_for and lang == "ja":
        surface = query.subject_surfaces[0] if query.subject_surfaces else (subject or "")
        wanted = f"{surface}の「{escape_markdown('・'.join(looked_for))}」" if surface else f"「{escape_markdown('・'.join(looked_for))}」"
    ja = lang == "ja"
    text = f"{wanted}は資料に記載がありません。" if ja else f"The documents do not state {wanted}."
    citations: list[Citation] = []
    facts: list[Fact] = []
    others = [f for f in result.facts if result.missing_subject and f.subject != result.missing_subject]
    if others and query.attribute:  # "AとB、どちらが先？" with no date for A: B's figure, so nothing is lost
        stated = ("、" if ja else "; ").join(f"{f.subject}は{f.value}" if ja else f"{f.subject}: {f.value}" for f in others)
        refs = "".join(f"[{i + 1}]" for i in range(len(others)))
        text += (f"{_attribute_label(others[0], lang)}は、{stated}です。{refs}" if ja
                 else f" The {_attribute_label(others[0], lang)} stated: {stated}. {refs}")
        citations = [_fact_citation(f) for f in others]
        facts = others
    elif nearby:
        fact = nearby[0]
        label = _attribute_label(fact, lang)
        text += (f"資料にあるのは{label} {fact.value}です。[1]" if ja else f" What they do state is the {label}: {fact.value}. [1]")
        citations = [_fact_citation(fact)]
        facts = [fact]
    citations = merge_citations(citations, passages[:3])
    text += "\n\n" + _references(citations, lang) if citations else ""
    return Answer(text=text, answerable=False, citations=citations, facts=facts, **base)


def _nearby_facts(facts: list[Fact], subject: str | None, attribute: str | None) -> list[Fact]:
    if subject is None:
        return []
    own = [f for f in facts if f.subject == subject]
    same_attribute = [f for f in own if attribute and attribute in f.attribute]
    return sorted(same_attribute or own, key=lambda f: (-f.confidence, f.subject_assignment != "explicit"))


def _wanted_label(query: "FactQuery", lang: str) -> str:
    subject = query.subject_surfaces[0] if query.subject_surfaces else (query.subjects[0] if query.subjects else "")
    attribute = query.attribute or ("数値" if lang == "ja" else "figure")
    year = query.fiscal_year or ("前年度" if query.year_offset == -1 and "前年度" not in (query.attribute or "") else "")
    if lang == "en" and year == "前年度":
        year = "previous-year"
    if lang == "ja":
        return f"{subject}の{year}{attribute}" if subject else f"{year}{attribute}"
    return " ".join(p for p in (subject, year, attribute) if p)


# -- path 3: passages -------------------------------------------------------------------
def _passage_answer(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict,
    query: "FactQuery | None" = None, topics: list[str] | None = None,
) -> Answer:
    if not passages:
        return Answer(text=NOT_FOUND[lang], answerable=False, **base)
    if lang == "ja":
        missing = _missing_focus(bot, question, passages[:3])
    else:  # the glossed topics of an English question ("acceptance rate" → 採択率)
        text = "\n".join(p.text for p in passages[:3])
        missing = [t.split("|")[0] for t in topics or [] if not _covered(t, text)]
    if missing:
        looked_for = "・".join(missing)
        text = (f"「{escape_markdown(looked_for)}」について資料には記載がありません。" if lang == "ja"
                else f"The documents say nothing about {escape_markdown(looked_for)}.")
        text += "\n\n" + _references(passages[:3], lang)
        return Answer(text=text, answerable=False, citations=passages[:3], **base)
    topics = _question_topics(bot, question) if topics is None else topics
    pages = _subject_pages(bot, query)
    candidates = _with_subject_chunks(bot, passages[:PASSAGES_K], pages, question)
    if pages:  # a line on a page about another program does not answer for this one
        candidates = [c for c in candidates if (c.source, c.page) in pages] or candidates
    line = _best_line(candidates, topics, question)
    if line is not None:
        n, start, end = line
        cited = candidates[n].model_copy(update={"highlight_start": start, "highlight_end": end})
        return _quoted_answer(cited, merge_citations([cited], passages), lang, base, answerable=True)
    return _quoted_answer(passages[0], passages, lang, base, answerable=True)


_HEADING_LINE = re.compile(r"^\s*[【\[■◆◇●○<〈《].{0,40}[】\]>〉》]\s*$")


def _best_line(candidates: list[Citation], topics: list[str], question: str) -> tuple[int, int, int] | None:
    """(candidate, start, end) of the line that covers most of the question's topics (at least half),
    headings aside (a heading names a section, it answers nothing); ties go to the better-ranked
    passage, then to the line sharing more character bigrams with the question."""
    if not topics:
        return None
    wanted = {question[i : i + 2] for i in range(len(question) - 1)}
    lines = [(n, start, line) for n, c in enumerate(candidates) for start, line in _lines_with_offsets(c.text)
             if line.strip() and not (_HEADING_LINE.match(line) and not re.search(r"\d", line))]
    # a bare heading names a section; one with a date or figure states something
    covered = {(n, start): [t for t in topics if _covered(t, line)] for n, start, line in lines}
    # a topic many lines mention ("拠点" on WPI's page) tells them apart less than a rare one ("言語" ~ 英語)
    rarity = {t: 1.0 / max(1, sum(1 for ts in covered.values() if t in ts)) for t in topics}
    best: tuple[float, float, int, int, int, int] | None = None  # (share, rare share, -rank, overlap, start, end)
    for n, start, line in lines:
        held = covered[(n, start)]
        share = len(held) / len(topics)
        if share < 0.5:
            continue
        rare = sum(rarity[t] for t in held)
        overlap = sum(1 for i in range(len(line) - 1) if line[i : i + 2] in wanted)
        key = (share, rare, -n, overlap, start, start + len(line))
        if best is None or key[:4] > best[:4]:
            best = key
    if best is None:
        return None
    _, _, rank, _, start, end = best
    return -rank, start, end


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    """(offset, line) for each line of `text`."""
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


@cache
def _attribute_words() -> frozenset[str]:
    """Every word that asks for an attribute or frames a question (built once: several calls per question)."""
    from assistant.facts import _DIFF_CUES, _TIME_COMPARE_CUES, ATTRIBUTE_CUES

    words = {canonical for canonical, _, _ in ATTRIBUTE_CUES}
    for _, ja, _ in ATTRIBUTE_CUES:
        words.update(ja)
    asked_kinds = {cue for cues, _ in _ASKED_KIND for cue in cues if len(cue) >= 2}  # 割合, パーセント: the figure's kind
    english = {w for _, _, en in ATTRIBUTE_CUES for w in en if " " not in w}  # "budget" inside a Japanese question
    return frozenset(words | _GENERIC_QUESTION_WORDS | asked_kinds | english | set(_DIFF_CUES) | set(_TIME_COMPARE_CUES))


@cache
def _attribute_words_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_attribute_words(), key=lambda w: (-len(w), w)))  # longest first, in a fixed order


_GENERIC_QUESTION_WORDS = {
    # words that ask for a figure or frame the question, not what it is about
    "数", "額", "数字", "年度", "令和", "平成", "見込み", "予定", "前年度", "今年度", "去年", "昨年", "今年", "本年度", "ポイント",
    "円", "億円", "百万円", "計上", "支援", "実施", "必要", "事業", "制度", "プログラム", "一番", "最も", "合計",
    "全部", "増加額", "減少額", "増加", "減少", "増減", "比較", "前年", "規模感", "程度", "くらい", "ぐらい", "大体",
    "総額", "総計", "全体", "うち", "多く", "そもそも", "それぞれ", "各々", "両方", "課題", "措置", "だいたい", "ダメ", "だめ", "以上", "以下", "割以上", "予算措置", "西暦", "規模", "予算規模", "予算案", "施策", "施策全体", "なか", "中", "ほう", "方", "あたり", "当たり", "件あたり", "件当たり", "人あたり", "人当たり", "課題あたり", "課題当たり", "年間",
    "番目", "順番", "真ん中", "中間", "最多", "最少", "トップ", "いちばん", "もっとも", "者数", "円増", "円減", "人増", "人減", "最長", "最短", "まで", "資料", "記載",
    "確認", "質問", "念のため", "恐縮", "記事", "参考", "ざっくり", "ページ目", "ページ", "見出し", "個別",
    "会議資料", "報告書", "下書き", "説明", "ウエート", "ウェイト", "比重", "先輩格", "本当", "和暦", "括弧内", "空欄",
    # words that ask what something is called or which item it is, not about a topic of their own
    "名前", "名称", "項目", "引用", "表記", "文言", "言い方",
} | set(FUNDING_AGENCIES)


def _covered(term: str, text: str) -> bool:
    """Whether `text` holds `term`, or most of its character bigrams (外国人研究者 ~ 外国からの研究者);
    a term "海外|外国" is covered by either of its alternatives."""
    if "|" in term:
        return any(_covered(t, text) for t in term.split("|") if t)
    if any(form in text for form in written_as(term)[1:]):  # 我が国 for 日本, 博士後期課程 for 大学院生
        return True
    if any(form in text for form in respellings(term)[1:]):  # 招聘 for the documents' 招へい
        return True
    text = unicodedata.normalize("NFKC", text).lower()
    term = unicodedata.normalize("NFKC", term).lower()
    if term in text:
        return True
    bigrams = {term[i : i + 2] for i in range(len(term) - 1)}
    # the head of a Japanese compound stands last, what sets it apart first: 間接経費 is not 直接経費
    if bool(bigrams) and term[:2] in text and sum(1 for b in bigrams if b in text) / len(bigrams) >= 0.6:
        return True
    # a compound of the user's ("標準言語") is covered by a line holding each of its parts as the documents
    # write them ("英語が標準の環境")
    parts = compound_parts(term)
    return bool(parts) and any(all(any(form in line for form in written_as(p)) for p in parts) for line in text.split("\n"))


def _question_topics(bot: "Assistant", question: str) -> list[str]:
    """Content words of the question that are neither a program name nor an attribute word
    (attribute words are cut out of compounds: 前年度予算額 → nothing, 採用実績 → 実績)."""
    topics = []
    for term in focus_terms(_content_text(bot, question)):
        for word in _attribute_words_longest_first():
            if len(word) >= 2:
                term = term.replace(word, " ")
        # "第6期基本計画": the counter left of a number is not part of the topic word
        term = re.sub(r"(?:^|(?<=\s))[期回次号版](?=[\u4e00-\u9fff\u30a0-\u30ff]{2})", "", term)
        # "寄附額" asks for the amount of 寄附: the 額 is the figure's kind, 寄附 the topic
        topics.extend(t.removesuffix("額") if len(t) >= 3 else t for t in term.split() if len(t) >= 2 and t not in _attribute_words())
    return topics


_NEGATED = re.compile(r"[\u30a0-\u30ff\u4e00-\u9fffA-Za-z0-9]+(?:だけ|のみ)?(?:ではなく|でなく|じゃなく)")


def _content_text(bot: "Assistant", question: str) -> str:
    """The question with what is not its topic blanked out: program names (they pick the pages, not
    the line), years (they pick the fact), and what it says it does not want ("概算要求ではなく")."""

    q = unicodedata.normalize("NFKC", question)
    matches = bot.facts_index.gazetteer.match(q)
    spans = [(m.start, m.end) for m in matches]
    for m in matches:  # "SICORP（相手国との共同公募のやつ）": words in brackets right after a name describe it
        aside = re.match(r"\s*\([^()]{1,40}\)", q[m.end :])
        if aside:
            spans.append((m.end, m.end + aside.end()))
    spans += [(y.start, y.end) for y in find_years(q)]
    if all(m.kind == "partial" for m in matches):
        for term in focus_terms(q):  # a loose name ("流動モード促進") names the program, like an exact one
            if len(bot.facts_index.resembling(term)) == 1 and q.find(term) >= 0:
                spans.append((q.find(term), q.find(term) + len(term)))
    for clause, _ in bot.facts_index.described_names(q):  # "…を送り出す制度": it names the program, like its name
        spans.append((q.find(clause), q.find(clause) + len(clause)))
    spans += [(m.start(), m.end()) for m in _NEGATED.finditer(q)]
    # "前年度の時点では": the year picks the fact; 時点 only says it is a year (not "何月末時点", which asks a date)
    spans += [(m.start(), m.end()) for m in re.finditer(r"(?<=年度)の?時点|(?<=前年)の?時点|(?<=去年)の?時点", q)]
    for start, end in spans:
        q = q[:start] + "、" * (end - start) + q[end:]
    return q


_PROGRAM_NAME = re.compile(
    r"[\u4e00-\u9fff\u30a0-\u30ffA-Za-z0-9・-]{3,}(?:事業|プログラム|制度|イニシアティブ|基金|補助金)"
)


def _unknown_program(bot: "Assistant", question: str) -> str | None:
    """A program-like name in the question ("創発的研究支援事業") that no document contains."""
    corpus = bot.retriever.normalized_corpus
    for match in _PROGRAM_NAME.finditer(unicodedata.normalize("NFKC", question)):
        name = match.group()
        if name not in corpus and not _resembles_known_subject(bot, name):
            return name
    return None


def _resembles_known_subject(bot: "Assistant", name: str) -> bool:
    """Whether a program-like name is a loose form of a known subject ("流動モード促進事業" for
    "…新たな流動モードの促進"): most of its core's character bigrams lie in one subject's name."""
    return bool(bot.facts_index.resembling(name, 0.75))


def _subject_pages(bot: "Assistant", query: "FactQuery | None") -> set[tuple[str, int | None]] | None:
    """(source, page) where the question's program has facts; None when the question names none, or
    names one only by a fragment of its name ("トップレベル研究者" is not WPI)."""
    if query is None or not query.subjects:
        return None
    if query.subject_surfaces and _only_partial_names(bot, query.question):
        return None
    table = bot.facts_index.by_subject
    return {(f.citation.source, f.citation.page) for subject in query.subjects for f in table.get(subject, ())}


def _subject_page_text(bot: "Assistant", query: "FactQuery | None") -> str:
    """The text of every chunk on the pages where the question's program has facts ("" if none)."""
    pages = _subject_pages(bot, query)
    return "\n".join(chunk.text for _, chunk in bot.retriever.chunks_on(pages)) if pages else ""


def _only_partial_names(bot: "Assistant", question: str) -> bool:
    """Whether the question names its programs only by fragments of their names ("トップレベル研究者")."""
    matches = bot.facts_index.gazetteer.match(unicodedata.normalize("NFKC", question))
    return bool(matches) and all(m.kind == "partial" for m in matches)


def _unexplained_focus(bot: "Assistant", question: str, result: "FactResult", *, query: "FactQuery | None" = None) -> list[str]:
    """Question words the answering facts do not account for: "研究チームの規模" answered by a
    派遣人数 fact, or "令和3年度の採用実績" by a 見込み figure, is not an answer to what was asked.

    When the question names its attribute in so many words (予算, 支援期間 …), a word the program's
    pages never use ("予算措置額", "百万円単位で", "伸び率") only frames the question: it counts
    only if those pages do discuss it somewhere the fact is not."""
    # a group a program belongs to names it too ("育成等のうち海外特別研究員")
    groups = [e.name for e in bot.facts_index.gazetteer.entries if any(f.subject in e.members for f in result.facts)]
    evidence = " ".join([*(f"{f.subject} {f.attribute} {f.citation.text}" for f in result.facts), *groups])
    subjects = {f.subject for f in result.facts}
    # a word standing for the program ("海特", "外国人特別研究員") names it: it asks nothing of the facts
    unexplained = [t for t in _question_topics(bot, question)
                   if not _covered(t, evidence) and bot.facts_index.stands_for(t) not in subjects]
    if "実績" in unicodedata.normalize("NFKC", question) and any("見込" in f.attribute for f in result.facts):
        return [*unexplained, "実績"] if "実績" not in unexplained else unexplained  # an actual figure is not an expected one
    if not unexplained or query is None or not _names_attribute(question, query.attribute):
        return unexplained
    page_text = _subject_page_text(bot, query)
    if not page_text:
        return unexplained  # no program's pages to tell framing words from missing ones
    # a rate (採択率, 執行率) or a word that says which quantity is meant (応募, 月額) is never a frame
    return [t for t in unexplained if _covered(t, page_text) or _defines_quantity(t)]


# Words that say which quantity a figure is: an application count is not an award count, a monthly
# stipend is not a budget. A question with one of them is not answered by a fact that lacks it.
_QUANTITY_WORDS = ("応募", "申請", "実績", "平均", "累計", "月額", "年額", "日額", "単価", "支給", "給与", "人当たり", "人あたり",
                   "間接", "直接", "補助率", "自己負担")


def _defines_quantity(term: str) -> bool:
    return any(w in term for w in _QUANTITY_WORDS) or (term.endswith("率") and term not in _RATE_OF_CHANGE)


_RATE_OF_CHANGE = {"伸び率", "増加率", "減少率", "増減率"}


def _only_describes(bot: "Assistant", question: str, result: "FactResult", unexplained: list[str]) -> bool:
    """Whether the words no fact explains merely describe the program: the question names its
    attribute, each word is said on the program's pages and is not a rate, and an actual figure
    (実績) is not answered by an expected one (見込み)."""
    query = result.query
    if not unexplained or not _names_attribute(question, query.attribute):
        return False
    if "実績" in unexplained:
        return False
    where = _subject_position(bot, question, query)
    if where is None:
        return False
    q = unicodedata.normalize("NFKC", question)
    if any(q.find(t) < 0 or q.find(t) > where for t in unexplained):
        return False  # a Japanese modifier stands before what it describes; words after the name are the topic
    if any(re.fullmatch(r"か国|カ国|件|人|名|拠点|年|年度", t) for t in unexplained):
        return False  # a figure the question quotes ("26か国59件") is context of its own, not a description
    page_text = _subject_page_text(bot, query)
    return all(_covered(t, page_text) and not _defines_quantity(t) for t in unexplained)


def _subject_position(bot: "Assistant", question: str, query: "FactQuery") -> int | None:
    """Where the question first names its program (NFKC offsets), or None."""
    q = unicodedata.normalize("NFKC", question)
    from assistant.facts import LOOSE_NAME_SHARE, name_bigram_share

    starts = [
        m.start for m in bot.facts_index.gazetteer.match(q)
        if m.name in query.subjects and (m.kind != "partial" or name_bigram_share(m.surface, m.name) >= LOOSE_NAME_SHARE)
    ]
    if not starts and query.subjects:  # a loose name: the word that resembles it
        starts = [q.find(t) for t in focus_terms(q) if bot.facts_index.resembling(t) == [query.subjects[0]]]
    if not starts and query.subjects:  # a description ("…を受け入れるJSTの交流事業"): its noun names the program
        starts = [q.find(clause) + len(clause) - 1 for clause, name in bot.facts_index.described_names(q) if name in query.subjects]
    starts = [i for i in starts if i >= 0]
    if len(query.subjects) >= 2:
        # "AとBの博士課程学生向けのC": a modifier may describe any of the programs, up to the last one named
        named = [where_named(q, s, query.subjects) for s in query.subjects]
        starts += named if all(at < len(q) for at in named) else []
        return max(starts) if starts else None
    return min(starts) if starts else None


def _names_attribute(question: str, attribute: str | None) -> bool:
    """Whether the question says its attribute in words (a cue of ATTRIBUTE_CUES), not by default."""
    from assistant.facts import ATTRIBUTE_CUES

    q = unicodedata.normalize("NFKC", question)
    return any(
        canonical == attribute and any(cue in q for cue in ja if not _ASKING_WORD.match(cue))
        for canonical, ja, _ in ATTRIBUTE_CUES
    )


# "いくら", "何人" ask for money or a head count of any kind: they name no attribute ("何年間" does: a period)
_ASKING_WORD = re.compile(r"^(?:いくら|何人|何名|金額|いつ)")


_FIGURE_IN_TEXT = re.compile(r"(?<![A-Za-z\d])(?:第)?\d[\d,.]*\s*(?:[～~]\s*\d[\d,.]*\s*)?(?:兆|億|千万|百万|万|千)?(?:円|人|名|件|%|割|か国|拠点|年|か月|ヶ月|週間|歳|チーム|機関|回|社|校|期|次|号|版)")
_DATE_CUES = ("いつ", "何月", "何日", "日付", "年月日", "決定日", "策定日", "発行年月", "策定時期", "決定時期", "公表時期", "時期")
_ASKED_KIND = (
    (_DATE_CUES, ("年",)),  # a time: a figure with a year (a date), not a count; before "何年" ("何年何月")
    (("何人", "何名", "人数", "人くらい", "人程度"), ("人", "名")),
    (("何件", "件数"), ("件",)),
    (("割合", "比率", "パーセント", "%", "何割"), ("%", "割")),
    (("いくら", "金額", "予算", "何円", "何億", "何百万", "経費"), ("円",)),
    (("何年", "期間", "何か月", "何ヶ月"), ("年", "か月", "ヶ月", "週間")),
    (("何歳", "年齢"), ("歳",)),
    (("いくつ", "何拠点", "拠点数", "何か国", "何カ国", "か国数", "国数"), ("拠点", "か国", "件")),
    (("何チーム",), ("チーム",)), (("何機関",), ("機関",)), (("何回",), ("回",)), (("何社",), ("社",)), (("何校",), ("校",)),
)


def _attribute_units(query: "FactQuery | None") -> tuple[str, ...]:
    """The units a figure of the query's attribute carries (a start is a 年度, not a 2年 duration); () if any."""
    attribute = (query.attribute or "") if query is not None else ""
    for ending, units in (("時期", ("年度",)), ("期間", ("年", "か月", "ヶ月", "週間")), ("人数", ("人", "名")),
                          ("件数", ("件",)), ("額", ("円",))):
        if attribute.endswith(ending):
            return units
    return ()


def _asked_units(question: str) -> tuple[str, ...]:
    """The units a figure answering the question would carry (人 for 何人, 円 for いくら, 期 for 第何期 …);
    () if unknown."""
    q = unicodedata.normalize("NFKC", question)
    ordinal = re.search(r"第?何(?P<counter>期|次|号|版)(?!間)", q)
    if ordinal:  # "第何期？": an ordinal ("第11期")
        return (ordinal.group("counter"),)
    for cues, units in _ASKED_KIND:
        if any(cue in q for cue in cues):
            return units
    if re.search(r"[\u4e00-\u9fff]額(?:は|を|って|$|[?？])", q):  # "寄附額は？": an amount of money
        return ("円",)
    return ()


_QUALIFIER_BEFORE = re.compile(r"(?:約|最大|最小|常に|のべ|概ね|おおむね)$")
_QUALIFIER_AFTER = re.compile(
    r"^(?:[～~]\s*\d[\d,.]*(?:兆|億|千万|百万|万|千)?(?:円|人|名|件|%|年|か月|ヶ月|週間|歳)?)?(?:程度)?(?:以上|以下|以内|未満)?(?:[～~])?"
)  # "10百万円～30百万円", "7～10人程度以上", "100人～"


def _in_parentheses(line: str, at: int) -> bool:
    before = line[:at]
    return before.count("(") + before.count("（") > before.count(")") + before.count("）")


def _figure_after_topic(line: str, units: tuple[str, ...], topics: list[str], *, date: bool = False) -> re.Match:
    """The figure of the asked kind in a line that a topic word stands right before ("事務経費10百万円"
    in a breakdown), else the first of that kind. A date asked for (`date`) is the one a topic word
    follows ("2020 年に策定された"), as a verb follows its time."""
    matches = [m for m in _FIGURE_IN_TEXT.finditer(line) if not units or m.group().endswith(units)]
    if not any(u in units for u in ("年", "年度")):  # a date is often written in parentheses: (令和3年6月18日閣議決定)
        outside = [m for m in matches if not _in_parentheses(line, m.start())]
        matches = outside or matches  # a note in parentheses ("(2007年度採択拠点は100人～)") qualifies the main figure
    if date:
        dated = [m for m in matches if re.match(r"\d{4}", m.group()) or line[max(0, m.start() - 2) : m.start()] in ("令和", "平成", "昭和")]
        matches = dated or matches  # "2021年" or "令和3年…", not "この10年"
        for m in matches:
            after = line[m.end() : m.end() + 10]
            if any(t and len(t) >= 2 and t in after for t in topics):
                return m
    for m in matches:
        before = line[max(0, m.start() - 12) : m.start()]
        if any(t and _covered(t, before) for t in topics):
            return m
    return matches[0]


_QUOTED_FIGURE = re.compile(r"(?:約|最大)?\d[\d,.]*(?:か国\d[\d,.]*)?(?:兆|億|千万|百万|万|千)?(?:円|件|人|名|か国)")


def _whose_figure_answer(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict, query: "FactQuery | None"
) -> Answer | None:
    """"「1,160百万円」ってなんの予算？", "「491人」はどの事業の数字？": say which program's which figure the
    quoted value is, citing the fact; None unless the question asks that of a figure some facts state."""
    if not asks_what_figure_is(question) or (query is not None and query.subject_surfaces):
        return None  # a question naming its program asks something else of the figure ("…の50百万円はどこに計上")
    for text, facts in bot.facts_index.quoted_facts(question):
        kinds = list(dict.fromkeys(f.attribute for f in facts))
        subject = facts[0].subject
        first = facts[0]
        cited = _fact_citation(first)
        label = "・".join(escape_markdown(k) for k in kinds)
        lead = f"{escape_markdown(subject)}の{label}です。 [1]"  # the figure itself is the user's, quoted below
        citations = merge_citations([cited], passages)
        body = "\n".join([lead, "", _quote(cited, lang) + " [1]", "", _references(citations, lang)])
        return Answer(text=body, answerable=True, citations=citations, facts=[first], **base)
    return None


_PRODUCT_CUE = re.compile(r"合計|全部で|合わせ|あわせ|総額|トータル|全体で")
_MONEY_WRITTEN = re.compile(r"(?:約|最大)?\d[\d,.]*(?:兆|億|千万|百万|万|千)?円(?:程度)?(?:/(?:件|年|課題|拠点))?")
_COUNT_WRITTEN = re.compile(r"(?:約)?\d[\d,]*\s*(?:件|拠点|課題|人|名|か国)(?:程度)?")


def _product_answer(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict, query: "FactQuery | None",
) -> Answer | None:
    """"流動モードの「2百万円程度/件」で「20件程度」支援すると、合計いくら？": an amount per item the question
    writes times a count it writes, each as a line of the documents states it (both cited); None otherwise."""
    text = unicodedata.normalize("NFKC", question)
    if not _PRODUCT_CUE.search(text) or re.search(r"倍|差|割合|何%", text):
        return None
    money = list(_MONEY_WRITTEN.finditer(text))
    counts = [m for m in _COUNT_WRITTEN.finditer(text) if not any(x.start() <= m.start() < x.end() for x in money)
              and not re.match(r"\s*(?:あたり|当たり)", text[m.end():])]  # "1拠点あたり" is the unit, not the count
    if len({re.sub(r"\D", "", m.group()) for m in counts}) == 1:
        counts = counts[:1]  # "新規3拠点…3拠点合わせると": one count said twice
    if len(money) != 1 or len(counts) != 1:
        return None
    amount = find_money(money[0].group())
    number = re.search(r"\d[\d,]*", counts[0].group())
    if len(amount) != 1 or amount[0].yen is None or number is None:
        return None
    money_cite = _line_stating(bot, passages, query, money[0].group())
    count_cite = _line_stating(bot, passages, query, counts[0].group())
    if money_cite is None or count_cite is None:
        return None  # a figure the documents do not write is the user's, not one to compute with
    total = amount[0].yen * int(number.group().replace(",", ""))
    approx = "約" if re.search(r"約|程度", money[0].group() + counts[0].group()) else ""
    most = "最大で" if money[0].group().startswith("最大") else ""
    shown = format_amount(total, _written_money_unit(money[0].group()))
    lead = (f"{most}合計{approx}{shown}です。（{escape_markdown(money[0].group())} × {escape_markdown(counts[0].group())}、"
            f"資料の数値から計算） [1][2]")
    one_line = (money_cite.source, money_cite.page, money_cite.highlight_start) == (count_cite.source, count_cite.page, count_cite.highlight_start)
    if one_line:  # "新規3拠点(7億円程度×10年)": both figures on one line
        lead = lead.replace(" [1][2]", " [1]")
    citations = merge_citations([money_cite] if one_line else [money_cite, count_cite], passages)
    quotes = [_quote(money_cite, lang)] if one_line else [_quote(money_cite, lang), _quote(count_cite, lang)]
    body = "\n".join([lead, "", *quotes, "", _references(citations[:4], lang)])
    return Answer(text=body, answerable=True, citations=citations, **base)


_PER_YEAR_FOR_YEARS = re.compile(r"(?P<amount>(?:最大|約)?\d[\d,.]*(?:兆|億|千万|百万|万|千)?円(?:程度)?)/年\s*[×x]\s*(?P<years>\d+)年")


def _over_years_answer(question: str, result: "FactResult", passages: list[Citation], lang: str, base: dict) -> Answer | None:
    """"WPIの1拠点が10年間で受けられる最大の支援額は？": a yearly amount the fact gives for a number of years
    ("最大7億円/年×10年"), multiplied out when the question asks the whole period; None otherwise."""
    if len(result.facts) != 1:
        return None
    fact = result.facts[0]
    found = _PER_YEAR_FOR_YEARS.search(unicodedata.normalize("NFKC", fact.value))
    text = unicodedata.normalize("NFKC", question)
    if found is None or not re.search(rf"{found.group('years')}年間|{found.group('years')}年で|総額|合計|全部で|トータル|全期間", text):
        return None
    if re.search(r"/年|年額|1年(?:あたり|当たり|に)|毎年|年間(?:で)?(?:の)?(?:上限|最大)?(?:いくら|何億)", text):
        return None  # "最大＿＿億円/年を10年間": the yearly amount is what is asked
    money = find_money(found.group("amount"))
    if len(money) != 1 or money[0].yen is None:
        return None
    years = int(found.group("years"))
    total = format_amount(money[0].yen * years, _written_money_unit(found.group("amount")))
    most = "最大" if found.group("amount").startswith("最大") else "約" if re.search(r"約|程度", found.group("amount")) else ""
    cited = merge_citations([_fact_citation(fact)], passages)
    lead = (f"{years}年間で{most}{total}です。（{escape_markdown(fact.attribute)} {escape_markdown(found.group())}、"
            f"資料の数値から計算） [1]")
    return Answer(text="\n".join([lead, "", _references(cited[:4], lang)]), answerable=True, citations=cited, facts=[fact], **base)


def _line_stating(bot: "Assistant", passages: list[Citation], query: "FactQuery | None", figure: str) -> Citation | None:
    """The first passage line (on the question's program pages when it names one) holding `figure` as written
    (its "/件" and "程度" aside), highlighted; None when no line does."""
    core = re.sub(r"(?:程度)?(?:/(?:件|年|課題|拠点))?$", "", figure)
    candidates = _with_subject_chunks(bot, passages[:PASSAGES_K], _subject_pages(bot, query), figure)
    for c in candidates:
        offset = 0
        for line in c.text.split("\n"):
            start, offset = offset, offset + len(line) + 1
            if core and core in unicodedata.normalize("NFKC", line):
                return c.model_copy(update={"highlight_start": start, "highlight_end": start + len(line)})
    return None


def _quoted_figure_answer(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict, query: "FactQuery | None"
) -> Answer | None:
    """A question that quotes a figure ("「26か国59件」って、いつ時点？") asks about the line that
    states it: quote that line (on the program's pages when it names one)."""
    q = unicodedata.normalize("NFKC", question)
    figures = [  # quoted (「最大5億円」) or made the topic (26か国59件って, 〜とは, 〜は)
        m.group() for m in _QUOTED_FIGURE.finditer(q)
        if q[m.start() - 1 : m.start()] in ("「", "\"", "'") or re.match(r"[」\"']|って|とは|は", q[m.end():])
    ]
    if not figures or (query is not None and query.operation.value != "lookup"):
        return None  # a compare or sum with a figure in it is still a computation
    candidates = _with_subject_chunks(bot, passages[:PASSAGES_K], _subject_pages(bot, query), question)
    for n, c in enumerate(candidates):
        offset = 0
        for line in c.text.split("\n"):
            start, offset = offset, offset + len(line) + 1
            if any(f in unicodedata.normalize("NFKC", line) for f in figures):
                cited = c.model_copy(update={"highlight_start": start, "highlight_end": start + len(line)})
                return _quoted_answer(cited, merge_citations([cited], passages), lang, base, answerable=True)
    return None


_DATE_AROUND = re.compile(r"(?:令和|平成|昭和)?\d+年(?:度)?(?:\d+月(?:\d+日)?)?")


def _as_written(line: str, match: re.Match) -> str:
    """A figure of a line with the words that qualify it ("約", "程度以上", "～"), as written; a year
    inside a date is the whole date ("令和3年6月18日", not "3年")."""
    if match.group().endswith("年"):
        for date in _DATE_AROUND.finditer(line):
            if date.start() <= match.start() < date.end():
                return date.group()
    before = _QUALIFIER_BEFORE.search(line[: match.start()])
    after = _QUALIFIER_AFTER.match(line[match.end() :])
    return (before.group() if before else "") + match.group() + (after.group() if after else "")


def _year_words(query: "FactQuery | None") -> tuple[str, ...]:
    """Words a line must hold when the question names a year: a figure of another year is no answer."""
    if query is None:
        return ()
    if query.fiscal_year:
        from ingest.units import to_western_year

        western = to_western_year(query.fiscal_year)
        return tuple(w for w in (query.fiscal_year, query.fiscal_year.replace("年度", ""), f"{western}年") if w)
    if query.year_offset == -1:
        return ("前年度", "前年")
    return ()


def _passage_figure_answer(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict, query: "FactQuery | None" = None,
    *, topics: list[str] | None = None,
) -> Answer | None:
    """A line of a top passage that states a figure of the asked kind (and year) and covers the
    question's topic words (`topics`, default: those of `question`)."""
    found = _figure_line(bot, question, passages, query, topics=topics)
    if found is None:
        return None
    cited, figure = found
    lead = f"資料には「{figure}」とあります [1]:" if lang == "ja" else f"The documents give {figure} [1]:"
    return _quoted_answer(cited, merge_citations([cited], passages), lang, base, answerable=True, lead=lead)


def _figure_line(
    bot: "Assistant", question: str, passages: list[Citation], query: "FactQuery | None" = None,
    *, topics: list[str] | None = None, units: tuple[str, ...] | None = None,
) -> tuple[Citation, str] | None:
    """The passage (its line highlighted) and the figure as written of `_passage_figure_answer`, or None.
    `units`: the figure kinds a line may state (default: those the question asks for; () for any)."""
    topics = _question_topics(bot, question) if topics is None else topics
    units = (_asked_units(question) or _attribute_units(query)) if units is None else units
    when = any(w in unicodedata.normalize("NFKC", question) for w in _DATE_CUES)
    wants_total = bool(re.search(r"全部で|合計|総数|全体で|現在|in total|altogether", unicodedata.normalize("NFKC", question)))
    years = _year_words(query)
    budget_year = query is not None and query.fiscal_year is not None and query.fiscal_year == bot.facts_index.reference_year
    pages = _subject_pages(bot, query)
    if not topics:
        return None
    candidates = _with_subject_chunks(bot, passages[:PASSAGES_K], pages, question)
    best: tuple[tuple[float, int], int, int, int, str] | None = None
    for n, c in enumerate(candidates):
        if pages is not None and (c.source, c.page) not in pages:
            continue  # a figure on a page that is not about the program asked for
        offset = 0
        lines = c.text.split("\n")
        heading = _heading_before(bot, c)  # a section heading above the passage, on its page
        for i, line in enumerate(lines):
            start, offset = offset, offset + len(line) + 1
            if _HEADING_LINE.match(line):
                heading = line  # the section a line stands in ("【拠点が満たすべき要件】") is context too
            window = " ".join([heading, *lines[max(0, i - 1) : i + 1]])
            figures = [m.group() for m in _FIGURE_IN_TEXT.finditer(line)]
            if years and not any(y in window for y in years) and not (budget_year and not find_years(window)):
                continue  # a line of another year; a line naming none is of the documents' own budget year
            owners = bot.facts_index.line_owners(line) if query is not None and len(query.subjects) == 1 else frozenset()
            if owners and query.subjects[0] not in owners and bot.facts_index.has_profile(query.subjects[0]):
                continue  # a line the documents write about another program (a note under its budget on a shared page)
            if figures and (not units or any(f.endswith(units) for f in figures)):
                # the line itself must name a topic; the line before it may add context at half weight
                # (a line opening with "(" continues the one before it: "研究チーム" / "(20~40名程度…)")
                own = sum(1 for t in topics if _covered(t, _continued(lines, i, units) if line.lstrip().startswith("(") else line))
                context = sum(1 for t in topics if not _covered(t, line) and _covered(t, window))
                share = (own + 0.5 * context) / len(topics) if own else 0.0
                # between lines that cover as much, one naming the topics word for word wins
                # ("コアチーム共同研究タイプ" over "コンソーシアム共同研究タイプ")
                score = (share, sum(1 for t in topics if any(w in window for w in t.split("|"))))
                if share >= (0.5 if pages is not None else 0.66) and (best is None or score > best[0]):
                    found = _figure_after_topic(line, units, topics, date=when or bool(re.search(r"何年(?!間|分|度)", question)))
                    if wants_total and re.search(r"(?:新規|追加|うち|当初採択|当初)\s*$", line[max(0, found.start() - 4) : found.start()]):
                        continue  # "全部で何拠点": a count of new or first ones ("新規3拠点", "当初採択5拠点") is not the total
                    asked = _as_written(line, found)
                    if when and not re.match(r"(?:令和|平成|昭和)|\d{4}", asked):
                        continue  # "いつ": a date ("令和3年6月18日", "2007年度"), not a duration ("2年")
                    if asked in bot.facts_index.budget_values:
                        continue  # a budget the facts hold would have answered through them, if it were the one asked
                    best = (score, n, start, start + len(line), asked)
    if best is None:
        return None
    _, n, start, end, figure = best
    return candidates[n].model_copy(update={"highlight_start": start, "highlight_end": end}), figure


def _continued(lines: Sequence[str], i: int, units: tuple[str, ...]) -> str:
    """A line opening with "(" continues the line before it, and its first figure counts that line's noun
    ("研究チーム" / "(20~40名程度、ポスドク・院生が約8割)": 20~40名 is the team, not the ポスドク・院生): the
    line before with this line up to its first figure of the asked kind."""
    line = lines[i]
    first = next((m for m in _FIGURE_IN_TEXT.finditer(line) if not units or m.group().endswith(units)), None)
    return " ".join([*lines[max(0, i - 1) : i], line[: first.start()] if first is not None else line])


def _two_figures_answer(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict, query: "FactQuery | None",
    fact: Fact | None = None,
) -> Answer | None:
    """"WPI拠点の総勢はPIの何倍？": two figures of one program, each found by its own topic word in a line
    (or one of them the program's `fact` for the attribute asked: "WPIの予算はカブリ財団からの寄附の何倍"),
    as a ratio, share, difference or sum derived from both cited figures (see `_derived_from_two`)."""
    if lang != "ja" or query is None or len(query.subjects) != 1:
        return None
    text = unicodedata.normalize("NFKC", question)
    operation = _two_figure_operation(text)
    if operation is None:
        return None
    sides = _two_figure_sides(bot, question, passages, query, fact, any_unit=operation in {"ratio", "share"})
    if sides is None:
        return None
    (a_at, a_cite, a_fig), (b_at, b_cite, b_fig) = sides
    if later_is_numerator(text, a_at, b_at):  # "総勢に占めるPI", "長期と比べて短期"
        (a_cite, a_fig), (b_cite, b_fig) = (b_cite, b_fig), (a_cite, a_fig)
    derived = _derived_from_two(operation, a_fig, b_fig, text)
    if derived is None:
        return None
    figures = f"「{escape_markdown(a_fig)}」、「{escape_markdown(b_fig)}」"
    lead = {"ratio": f"{derived}です。（「{escape_markdown(a_fig)}」は「{escape_markdown(b_fig)}」の{derived.removeprefix('約')}）",
            "share": f"{derived}です。（「{escape_markdown(a_fig)}」は「{escape_markdown(b_fig)}」の{derived}）",
            "difference": f"差は{derived}です。（{figures}の差）",
            "total": f"合計は{derived}です。（{figures}）"}[operation]
    citations = merge_citations([a_cite, b_cite], passages)
    text_out = "\n".join([lead + " [1][2]", "", _quote(a_cite, lang), _quote(b_cite, lang), "", _references(citations[:4], lang)])
    return Answer(text=text_out, answerable=True, citations=citations, **base)


def _two_figure_operation(text: str) -> str | None:
    """What a question asks of two figures: "share" (何割, 何%), "ratio" (何倍), "difference" (差, より何人多い),
    "total" (合わせると); None for none of them, or for a question asking both a ratio and a difference."""
    if asks_share(text):
        return "share"
    ratio = bool(re.search(r"何倍|何分の", text))
    difference = bool(re.search(r"差|より.{0,4}何(?:人|件|円|年|か国|拠点)|より.{0,4}(?:いくら|何百万|何億)", text))
    if ratio != difference:
        return "ratio" if ratio else "difference"
    return "total" if not ratio and re.search(r"合わせ|あわせ|合計|足す|足し", text) else None


def _two_figure_sides(
    bot: "Assistant", question: str, passages: list[Citation], query: "FactQuery", fact: Fact | None, *, any_unit: bool,
) -> tuple[tuple[int, Citation, str], tuple[int, Citation, str]] | None:
    """The two figures a question names, each as (where the question names it, its cited line, the figure as
    written), in the order the question names them; None unless exactly two distinct figures are found."""
    topics = [t for t in _question_topics(bot, question) if not re.fullmatch(r"何.*|差|倍", t)]
    content = unicodedata.normalize("NFKC", _content_text(bot, question))  # without the program's name ("WPI" holds "PI")
    found: list[tuple[int, Citation, str]] = []
    for topic in topics:
        # (a share or ratio is asked in its own units, 何割 or 何倍: its two figures may be of any kind)
        hit = _figure_line(bot, question, passages, query, topics=[topic], units=() if any_unit else None)
        if hit is None:
            continue
        at = content.find(topic.split("|")[0])
        same = [i for i, (_, _, figure) in enumerate(found) if figure == hit[1]]
        if same:  # a figure several words lead to stands where the last of them does ("拠点の…総勢")
            found[same[0]] = (max(found[same[0]][0], at), *found[same[0]][1:])
        else:
            found.append((at, *hit))
    if len(found) == 1 and fact is not None and split_note(fact.value)[0] != found[0][2]:
        # the other side is the fact the question's attribute word asks for, where that word stands
        asked_at = min((content.find(w) for w in _attribute_words_longest_first() if len(w) >= 2 and w in content), default=-1)
        found.append((asked_at, fact.citation, split_note(fact.value)[0]))
    if len(found) != 2:
        return None
    first, second = sorted(found, key=lambda f: f[0])
    if first[2] in second[2] or second[2] in first[2]:
        return None  # one figure found twice ("最大7億円" of "最大7億円/年×10年")
    return first, second


_COUNTER_ASKED = re.compile(r"(?:\d|何)\s*(拠点|人|名|件|か国|年|か月|週間)")


def _derived_from_two(operation: str, a_fig: str, b_fig: str, text: str) -> str | None:
    """The figure `operation` derives from two figures as written, or None when it cannot honestly: other
    units, another counter than the question's ("5拠点と3拠点の差" is not two amounts of money), one value
    found twice, or ranges whose ends disagree (70~100人 over 7~10人 is 10倍 at both ends; 63 or 90 apart is no one
    difference)."""
    a, b = _comparable_numbers(a_fig), _comparable_numbers(b_fig)
    if a is None or b is None or a[1] != b[1] or len(a[0]) != len(b[0]) or not all(b[0]) or a[0] == b[0]:
        return None
    counters = {c.replace("名", "人") for c in _COUNTER_ASKED.findall(text)}
    if counters and a[1] not in counters:
        return None
    approx = "約" if "約" in a_fig + b_fig else ""
    if operation in {"ratio", "share"}:
        ratios = [x / y for x, y in zip(a[0], b[0])]
        if max(ratios) - min(ratios) > 1e-9 * max(ratios):
            return None
        if operation == "share":
            return share_text(ratios[0], text)
        times, exact = times_text(ratios[0])
        return f"{'' if exact else '約'}{times}倍"
    if operation == "total" and a[1] == "円":
        return None  # money a program's lines state is seldom two parts of one whole
    values = [x + y for x, y in zip(a[0], b[0])] if operation == "total" else [abs(x - y) for x, y in zip(a[0], b[0])]
    if operation == "difference" and max(values) - min(values) > 1e-9:
        return None
    if a[1] == "円":
        return f"{approx}{format_amount(int(values[0]), _written_money_unit(a_fig))}"
    shown = "～".join(f"{int(v):,}" if float(v).is_integer() else f"{v:,}" for v in (values if operation == "total" else values[:1]))
    return f"{approx}{shown}{a[1]}"


def _range_ends_answer(question: str, fact: Fact, passages: list[Citation], lang: str, base: dict) -> Answer | None:
    """"SICORPの支援額、上限は下限の何倍？": the two ends of the range one fact states, as a ratio or a difference."""
    text = unicodedata.normalize("NFKC", question)
    top, bottom = re.search(r"上限|最大|最高", text), re.search(r"下限|最小|最低", text)
    if lang != "ja" or top is None or bottom is None or fact.amount_yen_min is None or fact.amount_yen_max is None:
        return None
    high, low = fact.amount_yen_max, fact.amount_yen_min
    first, second = sorted([(top.start(), high), (bottom.start(), low)])
    if later_is_numerator(text, first[0], second[0]):  # "下限に対して上限は何倍"
        first, second = second, first
    if re.search(r"何倍", text) and low:
        times, exact = times_text(first[1] / second[1])
        derived = f"{'' if exact else '約'}{times}倍"
    elif re.search(r"差|いくら違|何百万", text):
        derived = f"差は{format_amount(high - low, _written_money_unit(fact.value))}"
    else:
        return None
    cited = merge_citations([_fact_citation(fact)], passages)
    lead = f"{derived}です。（{escape_markdown(fact.attribute)} {escape_markdown(fact.value)}の上限と下限） [1]"
    return Answer(text="\n".join([lead, "", _references(cited[:4], lang)]), answerable=True, citations=cited, **base)


def _comparable_numbers(figure: str) -> tuple[list[float], str] | None:
    """A figure's numbers in one unit: money in yen ("約14億円" → [1.4e9], "円"; a range gives both ends),
    counts and durations as `ingest.units.parse_quantity` reads them ("70~100人程度以上" → [70, 100], "人"),
    a percentage; None for a date ("令和3年6月": a point in time, not a quantity to divide) or no figure."""
    text = unicodedata.normalize("NFKC", figure)
    money = find_money(text)
    if money:
        m = money[0]
        ends = [m.yen] if m.yen is not None and m.yen_max in (None, m.yen) else [m.yen_min, m.yen_max]
        return ([float(v) for v in ends], "円") if all(v is not None for v in ends) else None
    quantity = parse_quantity(text)
    if quantity is not None:
        return [quantity.value] + ([quantity.value_max] if quantity.value_max is not None else []), quantity.unit
    percent = re.match(r"\s*(?:約)?(\d[\d,]*(?:\.\d+)?)\s*%", text)
    return ([float(percent.group(1).replace(",", ""))], "%") if percent else None


def _written_money_unit(figure: str) -> str:
    """The unit a money figure is written in ("6,100百万円" → 百万円)."""
    found = re.search(r"(?:兆|億|千万|百万|万|千)?円", unicodedata.normalize("NFKC", figure))
    return found.group() if found else "円"


def _heading_before(bot: "Assistant", passage: Citation, reach: int = 600) -> str:
    """The last section heading line ("【拠点が満たすべき要件】") above a passage on its page, within `reach`
    characters of it, or ""."""
    record = bot.data.documents.get(passage.source)
    if record is None or passage.start is None:
        return ""
    text = record.document.text
    start = max(text.rfind("\f", 0, passage.start) + 1, passage.start - reach)
    for line in reversed(text[start : passage.start].split("\n")):
        if _HEADING_LINE.match(line):
            return line
    return ""


def _with_subject_chunks(
    bot: "Assistant", passages: list[Citation], pages: set[tuple[str, int | None]] | None, question: str
) -> list[Citation]:
    """The retrieved passages, then the other chunks on the asked program's pages (a requirement
    list the ranker placed lower still belongs to the program)."""
    if not pages:
        return list(passages)
    from assistant.retrieve import Hit as _Hit

    seen = {(c.source, c.start) for c in passages}
    extra = [
        to_citation(_Hit(row, chunk, 0.0), question)
        for row, chunk in bot.retriever.chunks_on(pages)
        if (chunk.source, chunk.start) not in seen
    ]
    return [*passages, *extra]


def _names_another_key(bot: "Assistant", question: str, query: "FactQuery", result: "FactResult") -> bool:
    """Whether the question names, word for word, a `key:` line on the program's pages that the
    answering fact's attribute is not ("支援経費" asked, a 予算額 fact found)."""
    pages = _subject_pages(bot, query)
    if not pages:
        return False
    terms = {t for t in focus_terms(question) if len(t) >= 3}
    attributes = " ".join(f.attribute for f in result.facts)
    for _, chunk in bot.retriever.chunks_on(pages):
        for line in chunk.text.split("\n"):
            key, sep, _ = line.partition(":")
            key = key.strip(" •・○▷■")
            if sep and key in terms and key not in attributes:
                return True
    return False


def _key_value_answer(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict, query: "FactQuery | None",
    *, topics: list[str] | None = None,
) -> Answer | None:
    """A `key: value` line on the asked program's pages whose key names what the question asks
    ("WPIの支援対象経費は？" → "支援対象経費:人件費、事業推進費、旅費、設備備品費等")."""
    pages = _subject_pages(bot, query)
    years = _year_words(query)
    topics = _key_topics(bot, question, query) if topics is None else topics
    if not pages or not topics:
        return None
    from assistant.retrieve import to_citation
    from assistant.retrieve import Hit as _Hit

    best: tuple[float, Citation, int, int] | None = None
    asked = set(query.subjects) if query is not None else set()
    # "何か月？": a key line without such a figure does not answer it (a key named by a noun, "支援対象経費", may list words)
    units = _asked_units(question) if re.search(r"何(?:か月|ヶ月|年|人|名|件|週間|日|円|億|百万|万)|いくら", unicodedata.normalize("NFKC", question)) else ()
    for row, chunk in bot.retriever.chunks_on(pages):
        owners = _block_owners(bot, chunk)
        for i, (offset, line) in enumerate(_lines_with_offsets(chunk.text)):
            key, sep, value = line.partition(":")
            key = key.strip(" •・○▷■")
            if years and not any(y in line for y in years):
                continue  # a figure of another year is no answer
            if units and not any(m.group().endswith(units) for m in _FIGURE_IN_TEXT.finditer(value)):
                continue
            if sep and value.strip() and 0 < len(key) <= 20:
                share = sum(1 for t in topics if _covered(t, key)) / len(topics)
                # between keys that cover the topic, the one the question names most fully wins
                share += 0.01 * len(key) * (key in unicodedata.normalize("NFKC", question))
                if share >= 0.5 and owners.get(i) is not None:
                    # a block of key:value lines whose figures the facts give to a program is that program's
                    share += 0.5 if owners[i] & asked else -0.5
                if share >= 0.5 and (best is None or share > best[0]):
                    cited = to_citation(_Hit(row, chunk, 1.0), question)
                    best = (share, cited, offset, offset + len(line))
    if best is None:
        return None
    _, cited, start, end = best
    cited = cited.model_copy(update={"highlight_start": start, "highlight_end": end})
    citations = merge_citations([cited], passages)
    return _quoted_answer(cited, citations, lang, base, answerable=True)


def _key_topics(bot: "Assistant", question: str, query: "FactQuery | None") -> list[str]:
    """The words a `key:` line must name: the question's topics, else its longer words that are not its names."""
    subjects = set(query.subject_surfaces) if query is not None else set()
    return _question_topics(bot, question) or [
        t for t in focus_terms(question) if len(t) >= 3 and not any(t in s or s in t for s in subjects)
    ]


def _key_line_answer(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict, query: "FactQuery | None",
    *, topics: list[str] | None = None,
) -> Answer | None:
    """The `key: value` line(s) answering the question: each named program's side by side, or the one program's."""
    return (_key_values_of_each(bot, question, passages, lang, base, query, topics=topics)
            or _key_value_answer(bot, question, passages, lang, base, query, topics=topics))


def _key_values_of_each(
    bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict, query: "FactQuery | None",
    *, topics: list[str] | None = None,
) -> Answer | None:
    """"AとBの支援対象者は同じ？": each named program's own `key: value` line, side by side (and whether
    the values are the same); a program whose pages have no such line is said to have none. None unless
    the question names two or more programs and at least one has the line."""
    if query is None or len(query.subjects) < 2 or lang != "ja":
        return None
    found: list[tuple[str, Citation | None]] = []
    topics = _key_topics(bot, question, query) if topics is None else topics  # the same words for every program
    for subject in query.subjects:
        one = query.model_copy(update={"subjects": (subject,)})  # all the names stay: none of them is the key
        answer = _key_value_answer(bot, question, passages, lang, base, one, topics=topics)
        found.append((subject, answer.citations[0] if answer is not None else None))
    stated = [(s, c) for s, c in found if c is not None]
    if not stated:
        return None
    lines = {s: c.text[c.highlight_start : c.highlight_end].strip(" •・○▷■") for s, c in stated}
    key = next(iter(lines.values())).partition(":")[0]
    parts, refs = [], []
    for subject, cited in found:
        if cited is None:
            parts.append(f"{escape_markdown(subject)}の{escape_markdown(key)}は資料に記載がありません。")
            continue
        refs.append(cited)
        value = lines[subject].partition(":")[2].strip()
        parts.append(f"{escape_markdown(subject)}の{escape_markdown(key)}は{escape_markdown(value)}です。[{len(refs)}]")
    values = {lines[s].partition(":")[2].strip() for s, _ in stated}
    same = "（いずれも同じです）" if len(stated) == len(found) and len(values) == 1 else ""
    text = "".join(parts) + same
    citations = merge_citations(refs, passages)
    quotes = [_quote(c, lang) + f" [{i}]" for i, c in enumerate(refs, 1)]
    body = "\n".join([text, "", *quotes, "", _references(citations, lang)])
    return Answer(text=body, answerable=len(stated) == len(found), citations=citations, **base)


def _block_owners(bot: "Assistant", chunk) -> dict[int, set[str]]:
    """Line index → the subjects whose facts stand in the same run of `key: value` lines of `chunk`
    (page 4 has three programs' blocks in a row: each block belongs to the program of its figures)."""
    lines = chunk.text.split("\n")
    fact_lines: dict[int, set[str]] = {}
    for fact in bot.facts_index.facts_on(chunk.source, chunk.page):
        text = unicodedata.normalize("NFKC", fact.citation.text).strip()
        for i, line in enumerate(lines):
            if text and text == unicodedata.normalize("NFKC", line).strip(" •・○▷■"):
                fact_lines.setdefault(i, set()).add(fact.subject)
    owners: dict[int, set[str]] = {}
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        if ":" in line and line.partition(":")[2].strip():
            run.append(i)
            continue
        found = set().union(*(fact_lines.get(j, set()) for j in run)) if run else set()
        for j in run:
            if found:
                owners[j] = found
        run = []
    return owners


def _quoted_answer(
    top: Citation, citations: list[Citation], lang: str, base: dict, *, answerable: bool, lead: str | None = None
) -> Answer:
    """The cited sentence quoted under a one-line lead (default: "資料の該当箇所"; a figure answer names
    the figure it quotes): the quote is the document's words, set apart."""
    lead = lead or ("資料の該当箇所 [1]:" if lang == "ja" else "The documents say (in Japanese) [1]:")
    text = "\n".join([lead, "", _quote(top, lang), "", _references(citations[:4], lang)])
    return Answer(text=text, answerable=answerable, citations=citations, **base)


def _missing_focus(bot: "Assistant", question: str, passages: list[Citation]) -> list[str]:
    """The question's content words, other than program names, that no top passage mentions.

    Evidence, not a score: a question about SICORP's 採択率 retrieves SICORP passages with a high
    score, yet none of them says 採択率, so the documents do not answer it.
    """
    terms = [t.removesuffix("額") if len(t) >= 3 else t for t in focus_terms(_content_text(bot, question))
             if t not in _GENERIC_QUESTION_WORDS]  # "どんな人を支援する制度": 制度 frames the question
    text = "\n".join(p.text for p in passages)
    return [t for t in terms if not _covered(t, text)]


# -- shared pieces -------------------------------------------------------------------------
def _excerpt(text: str, limit: int = QUOTE_CHARS) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(c: Citation, lang: str) -> str:
    """A short Markdown quote of the cited span (escaped: document text is untrusted)."""
    start = c.highlight_start if c.highlight_start is not None else 0
    end = c.highlight_end if c.highlight_end is not None else len(c.text)
    line_start = c.text.rfind("\n", 0, start) + 1
    line_end = c.text.find("\n", end)
    span = c.text[line_start : line_end if line_end >= 0 else len(c.text)]
    return "> " + escape_markdown(_excerpt(span))


def escape_markdown(text: str) -> str:
    """Neutralize Markdown and HTML in document text shown inside an answer."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*\[\]!|#])", r"\\\1", text)


def _references(citations: list[Citation], lang: str) -> str:
    page = "p." if lang == "en" else "p."
    return "\n".join(
        f"[{i}] {escape_markdown(c.title)}" + (f" {page}{c.page}" if c.page is not None else "")
        for i, c in enumerate(citations, 1)
    )
