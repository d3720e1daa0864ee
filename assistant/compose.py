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
from typing import TYPE_CHECKING

from assistant.answer import Answer
from assistant.retrieve import Hit, to_citation
from index.fusion import Ranker
from ingest.models import Citation, Fact

if TYPE_CHECKING:
    from assistant.conversation import Resolution
    from assistant.core import Assistant
    from assistant.facts import FactQuery, FactResult

NOT_FOUND = {"ja": "資料には記載がありません。", "en": "The documents do not say."}
PASSAGES_K = 5
DASHES = {"ー", "-", "－", "―", "−", "ｰ", "—"}
QUOTE_CHARS = 160


def detect_lang(text: str) -> str:
    """'ja' when the text has kana or kanji, else 'en'."""
    return "ja" if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) else "en"


def compose_answer(bot: "Assistant", question: str, resolution: "Resolution", *, ranker: Ranker) -> Answer:
    """The Answer to `question`, from facts first, passages second."""
    query = resolution.query
    lang = getattr(query, "lang", None) or detect_lang(question)
    hits = bot.hits(resolution.question, k=PASSAGES_K, ranker=ranker)
    passages = [to_citation(hit, resolution.question) for hit in hits]
    base = {"question": question, "resolved_question": resolution.question}
    if query is not None and query.is_figure_question:
        result = lookup_facts(bot, query, hits)
        if result.answerable:
            return _fact_answer(result, passages, lang, base)
        if result.missing in {"fiscal_year", "attribute", "prior_year"} or query.subjects:
            return _abstain_with_nearby(bot, result, passages, lang, base)
    return _passage_answer(bot, resolution.question, passages, lang, base)


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
    take the subject from the sentence that best matches the question in the top passages: a program
    named in that sentence, or on the line right above it. Partial name matches never count."""
    from assistant.retrieve import best_span

    facts = bot.facts_index
    for hit in hits[:3]:
        text = hit.chunk.text
        start, end = best_span(text, query.question)
        line_above_start = text.rfind("\n", 0, max(start - 1, 0)) + 1
        for window in (text[start:end], text[line_above_start:start]):
            for match in facts.gazetteer.match(window):
                if match.kind == "partial":
                    continue
                candidate = query.model_copy(update={"subjects": (match.name,), "subject_surfaces": ()})
                result = facts.lookup(candidate)
                if result.answerable:
                    return result
    return None


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
    if not result.query.subject_surfaces and result.query.subjects:
        note = "（質問の対象を資料の「{}」と解しました）" if lang == "ja" else " (read as the documents' {})"
        direct += note.format(result.query.subjects[0])
    refs = [citations.index(c) + 1 for c in fact_citations]
    direct += " " + "".join(f"[{n}]" for n in refs[:3])
    lines = [direct, "", _quote(fact_citations[0], lang) + " [1]", "", _references(citations, lang)]
    # A dash where a figure would stand ("前年度予算額 ー": a new program) states that there is no figure.
    answerable = not (len(facts) == 1 and facts[0].value.strip() in DASHES)
    return Answer(text="\n".join(lines), answerable=answerable, citations=citations, facts=facts, **base)


# -- path 2: honest abstention ----------------------------------------------------------
def _abstain_with_nearby(bot: "Assistant", result: "FactResult", passages: list[Citation], lang: str, base: dict) -> Answer:
    """Say what was looked for, and what the documents state nearby (with its citation)."""
    from assistant.facts import _attribute_label  # the same labels the answers use

    query = result.query
    subject = query.subjects[0] if query.subjects else None
    nearby = _nearby_facts(bot.facts_index.facts, subject, query.attribute)
    wanted = _wanted_label(query, lang)
    ja = lang == "ja"
    text = f"{wanted}は資料に記載がありません。" if ja else f"The documents do not state {wanted}."
    citations: list[Citation] = []
    facts: list[Fact] = []
    if nearby:
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
    year = query.fiscal_year or ""
    if lang == "ja":
        return f"{subject}の{year}{attribute}" if subject else f"{year}{attribute}"
    return " ".join(p for p in (subject, year, attribute) if p)


# -- path 3: passages -------------------------------------------------------------------
_QUESTION_NOISE = re.compile(
    r"(?:について|とは|って|教えて|ください|下さい|何|なに|なん|どんな|どのような|どういう|どこ|いつ|だれ|誰|ですか|ますか|"
    r"でしょうか|ありますか|いますか|ですか|か[?？]|[?？。、!！\s]|は|が|を|に|で|の|と|も|what|which|who|how|is|are|the|of|a|an|in|for|does|do)",
    re.IGNORECASE,
)


def focus_terms(question: str) -> list[str]:
    """The content words of a question (what a passage must mention to answer it), via fugashi nouns.

    Example:
        >>> focus_terms("SICORPの採択率は？")
        ['SICORP', '採択率']
    """
    from ingest.chunk import _PARSE_LOCK, tagger

    tagged = tagger()
    with _PARSE_LOCK:
        tokens = [(n.surface, n.feature.pos1, n.feature.pos2) for n in tagged(unicodedata.normalize("NFKC", question))]
    terms: list[str] = []
    current = ""
    for surface, pos in _noun_flags(tokens):
        if pos:
            current += surface
        else:
            if current:
                terms.append(current)
            current = ""
    if current:
        terms.append(current)
    return [t for t in terms if len(t) >= 2 and not _QUESTION_NOISE.fullmatch(t)]


def _noun_flags(tokens) -> list[tuple[str, bool]]:
    out = []
    for surface, pos1, pos2 in tokens:
        is_content = pos1 in {"名詞", "接頭辞"} or (pos1 == "接尾辞" and pos2 == "名詞的") or surface.isascii() and surface.isalnum()
        if pos2 in {"数詞"} or surface in {"何", "いくら", "どれ", "どこ", "いつ", "こと", "もの", "ため", "よう"}:
            is_content = False
        out.append((surface, is_content))
    return out


def _mentions(passages: list[Citation], term: str) -> bool:
    t = unicodedata.normalize("NFKC", term).lower()
    if any(t in unicodedata.normalize("NFKC", p.text).lower() for p in passages):
        return True
    # a compound (採択率) counts when its longest known piece appears (採択) only if it is long enough
    return False


def _passage_answer(bot: "Assistant", question: str, passages: list[Citation], lang: str, base: dict) -> Answer:
    if not passages:
        return Answer(text=NOT_FOUND[lang], answerable=False, **base)
    missing = _missing_focus(bot, question, passages[:3]) if lang == "ja" else []
    if missing:
        looked_for = "・".join(missing)
        text = f"「{escape_markdown(looked_for)}」について資料には記載がありません。"
        text += "\n\n" + _references(passages[:3], lang)
        return Answer(text=text, answerable=False, citations=passages[:3], **base)
    top = passages[0]
    sentence = top.text[top.highlight_start : top.highlight_end].strip()
    lead = "資料の該当箇所:" if lang == "ja" else "The documents say (in Japanese):"
    text = "\n".join([f"{lead} {escape_markdown(_excerpt(sentence))} [1]", "", _references(passages, lang)])
    return Answer(text=text, answerable=True, citations=passages, **base)


def _missing_focus(bot: "Assistant", question: str, passages: list[Citation]) -> list[str]:
    """The question's content words, other than program names, that no top passage mentions.

    Evidence, not a score: a question about SICORP's 採択率 retrieves SICORP passages with a high
    score, yet none of them says 採択率, so the documents do not answer it.
    """
    subjects = [m.surface for m in bot.facts_index.gazetteer.match(unicodedata.normalize("NFKC", question))]
    terms = [t for t in focus_terms(question) if not any(t in s or s in t for s in subjects)]
    return [t for t in terms if not _mentions(passages, t)]


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
