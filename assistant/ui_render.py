"""Pure builders of what the chat UI shows: the sources panel's HTML, the chat's Markdown, the tables.

Document text is untrusted. `gr.HTML` does not sanitize, so every string that came from a document
(passage, title, source path, file name) is `html.escape`d here before any markup of ours is added;
the markup around it (`<mark>`, `<strong>`, the cards) is the only HTML that reaches the page.
Nothing here imports gradio, so these functions are tested without a server.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from assistant.answer import Answer
from ingest.models import Citation, Fact

_NUM = r"[0-9０-９]+(?:[,，][0-9０-９]{3})*(?:[.．][0-9０-９]+)?"
FIGURE_PATTERN = re.compile(
    rf"(?:約|最大)?{_NUM}(?:兆(?:{_NUM})?)?(?:億(?:{_NUM})?)?(?:千万|百万|万|千)?円"
    rf"|{_NUM}(?:人|名|件|か国|カ国|ヶ国|拠点|機関|課題|か月|ヶ月|年間|%|％)"
)
"""Figures shown in bold inside a passage: amounts (1,160百万円, 138億円, 1億2,000万円) and counts (30人, 50％)."""

EMPTY_SOURCES_JA = "質問すると、回答の根拠になった資料の箇所がここに表示されます。"
NO_SOURCES_JA = "該当する資料の箇所は見つかりませんでした。"

FACT_COLUMNS = ["項目（主体）", "属性", "値", "円換算", "年度", "ページ", "資料"]
DOCUMENT_COLUMNS = ["タイトル", "パス", "ページ数", "チャンク数", "事実数", "取り込み日時"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


# -- passages --------------------------------------------------------------------------
def figure_spans(text: str, figures: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Character spans of figures in `text`: pattern matches plus every occurrence of `figures`.

    Overlapping spans are merged, so the result is sorted and disjoint.

    Example:
        >>> figure_spans("令和4年度予算額(案)：1,160百万円（前年度：1,078百万円）")
        [(12, 20), (25, 33)]
    """
    spans = [m.span() for m in FIGURE_PATTERN.finditer(text)]
    for figure in figures:
        if not figure:
            continue
        start = text.find(figure)
        while start != -1:
            spans.append((start, start + len(figure)))
            start = text.find(figure, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _escaped_with_figures(text: str, offset: int, end: int, spans: Sequence[tuple[int, int]]) -> str:
    """`text[offset:end]` escaped, figure spans (clipped to the range) wrapped in <strong>."""
    out: list[str] = []
    cursor = offset
    for f_start, f_end in spans:
        f_start, f_end = max(f_start, offset), min(f_end, end)
        if f_start >= f_end:
            continue
        out.append(html.escape(text[cursor:f_start]))
        out.append(f"<strong>{html.escape(text[f_start:f_end])}</strong>")
        cursor = f_end
    out.append(html.escape(text[cursor:end]))
    return "".join(out)


def passage_html(text: str, highlight: tuple[int, int] | None = None, figures: Iterable[str] = ()) -> str:
    """A passage as safe HTML: escaped, the answering span in <mark>, figures in <strong>.

    `highlight` indexes the raw (unescaped) text, so the three parts before, inside and after it are
    escaped separately; offsets outside the text are clipped, an empty or inverted span marks nothing.

    Example:
        >>> passage_html("予算<b>は1,160百万円。", (2, 14))
        '予算<mark>&lt;b&gt;は<strong>1,160百万円</strong></mark>。'
    """
    spans = figure_spans(text, figures)
    n = len(text)
    if highlight is None:
        return _escaped_with_figures(text, 0, n, spans)
    start = min(max(highlight[0], 0), n)
    end = min(max(highlight[1], 0), n)
    if start >= end:
        return _escaped_with_figures(text, 0, n, spans)
    return (
        _escaped_with_figures(text, 0, start, spans)
        + "<mark>"
        + _escaped_with_figures(text, start, end, spans)
        + "</mark>"
        + _escaped_with_figures(text, end, n, spans)
    )


def citation_highlight(citation: Citation) -> tuple[int, int] | None:
    """The citation's answering span, or None when it has none."""
    if citation.highlight_start is None or citation.highlight_end is None:
        return None
    return citation.highlight_start, citation.highlight_end


def page_label(page: int | None) -> str:
    """'p.2', or '' for an unpaged document.

    Example:
        >>> page_label(2), page_label(None)
        ('p.2', '')
    """
    return f"p.{page}" if page is not None else ""


def citation_card_html(number: int, citation: Citation, figures: Iterable[str] = ()) -> str:
    """One source card: [n], escaped title and page, the passage with its highlight.

    Example:
        >>> c = Citation(source="a.txt", title="<i>t</i>", page=2, text="1,160百万円", start=0, end=9)
        >>> "&lt;i&gt;t&lt;/i&gt;" in citation_card_html(1, c)
        True
    """
    page = page_label(citation.page)
    page_html = f'<span class="kotae-page" data-page="{citation.page}">{page}</span>' if page else ""
    return (
        f'<div class="kotae-source" data-n="{int(number)}">'
        f'<div class="kotae-source-head"><span class="kotae-n">[{int(number)}]</span> '
        f'<span class="kotae-title">{html.escape(citation.title)}</span> {page_html}</div>'
        f'<div class="kotae-passage">{passage_html(citation.text, citation_highlight(citation), figures)}</div>'
        f'<div class="kotae-path">{html.escape(citation.source)}</div>'
        "</div>"
    )


def resolution_note(answer: Answer) -> str | None:
    """The question as searched, when the follow-up was completed from the history.

    Example:
        >>> resolution_note(Answer(text="", answerable=True, question="では前年度は？",
        ...                        resolved_question="SICORP の前年度予算額"))
        '「SICORP の前年度予算額」として検索しました（前の質問から補完）'
    """
    resolved = (answer.resolved_question or "").strip()
    if not resolved or resolved == answer.question.strip():
        return None
    return f"「{resolved}」として検索しました（前の質問から補完）"


def sources_html(answer: Answer | None) -> str:
    """The whole sources panel for one answer (or its empty state before any question).

    Example:
        >>> sources_html(None).startswith('<div class="kotae-sources">')
        True
    """
    parts = ['<div class="kotae-sources">']
    if answer is None:
        parts.append(f'<p class="kotae-empty">{EMPTY_SOURCES_JA}</p>')
    else:
        note = resolution_note(answer)
        if note:
            parts.append(f'<p class="kotae-resolved">{html.escape(note)}</p>')
        if not answer.citations:
            parts.append(f'<p class="kotae-empty">{NO_SOURCES_JA}</p>')
        figures = [f.value for f in answer.facts if f.value]
        for number, citation in enumerate(answer.citations, 1):
            parts.append(citation_card_html(number, citation, figures))
    parts.append("</div>")
    return "".join(parts)


def message_html(text: str) -> str:
    """A plain message (an error or a notice) for the sources panel, escaped."""
    return f'<div class="kotae-sources"><p class="kotae-empty">{html.escape(text)}</p></div>'


# -- the chat's Markdown ----------------------------------------------------------------
def answer_markdown(answer: Answer) -> str:
    """The answer's Markdown, made safe to render: no raw HTML, no images.

    kotae's answer quotes the documents, and a quote may hold `<script>` or `![](https://…)`.
    `compose` already escapes the quotes it writes; this is the UI's own second layer, and it is
    idempotent on composed text: any `<` left becomes `&lt;` (the chat also sanitizes HTML) and
    `![` becomes `!\\[`, so nothing quoted can become a tag or an image that loads from elsewhere.
    Entities are left alone: `&lt;` from compose must still show as `<`.

    Example:
        >>> answer_markdown(Answer(text="> <img src=x> ![](https://e/x.png) [1]", answerable=True))
        '> &lt;img src=x> !\\\\[](https://e/x.png) [1]'
    """
    return safe_markdown(answer.text)


def safe_markdown(text: str) -> str:
    """Markdown text with raw HTML tags and images neutralised.

    Example:
        >>> safe_markdown("a<b & ![x](y) &lt;i&gt;")
        'a&lt;b & !\\\\[x](y) &lt;i&gt;'
    """
    text = text.replace("<", "&lt;")
    return text.replace("![", "!\\[")


def markdown_literal(text: str) -> str:
    """Text shown verbatim inside Markdown (file names, error reasons): every special character escaped.

    Example:
        >>> markdown_literal("a_b![x](y)<z>")
        'a\\\\_b\\\\!\\\\[x\\\\]\\\\(y\\\\)&lt;z\\\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))


# -- tables ---------------------------------------------------------------------------
def fact_rows(facts: Iterable[Fact]) -> list[list]:
    """Rows for the facts table, in FACT_COLUMNS order (円換算 as an integer for numeric sorting).

    Example:
        >>> c = Citation(source="a.txt", title="a", page=2, text="", start=0, end=0)
        >>> fact_rows([Fact(subject="SICORP", attribute="予算額", value="1,160百万円",
        ...                 amount_yen=1_160_000_000, fiscal_year="令和4年度", citation=c)])
        [['SICORP', '予算額', '1,160百万円', 1160000000, '令和4年度', 2, 'a']]
    """
    return [
        [
            f.subject or "（不明）",
            f.attribute,
            f.value,
            f.amount_yen,
            f.fiscal_year or "",
            f.citation.page,
            f.citation.title,
        ]
        for f in facts
    ]


def document_rows(records: Iterable) -> list[list]:
    """Rows for the documents table from the index's DocumentRecords, in DOCUMENT_COLUMNS order."""
    rows = []
    for record in records:
        doc = record.document
        rows.append(
            [doc.title, doc.source, len(doc.pages) if doc.paged else None, record.chunks, record.facts,
             readable_time(record.ingested_at)]
        )
    return rows


def readable_time(iso: str) -> str:
    """An ingest time as stored (ISO 8601, UTC) in a form that reads at a glance and still sorts.

    Example:
        >>> readable_time("2025-04-01T09:30:00+00:00")
        '2025-04-01 09:30:00 UTC'
    """
    return iso.replace("T", " ", 1).replace("+00:00", " UTC")


def ingest_message(report) -> str:
    """A Japanese Markdown summary of an IngestReport: what was added, what failed and why."""
    lines = []
    counts = (
        f"追加 {len(report.added)} 件、更新 {len(report.replaced)} 件、変更なし {len(report.unchanged)} 件、"
        f"失敗 {len(report.failed)} 件（チャンク {report.chunks_added}、事実 {report.facts_added} を追加）"
    )
    ok = bool(report.added or report.replaced)
    lines.append(("取り込みました。" if ok else "新しく取り込んだ文書はありません。") + counts)
    for failure in report.failed:
        name = failure.path.rsplit("/", 1)[-1]
        lines.append(f"- 失敗: {markdown_literal(name)}: {markdown_literal(failure.reason)}")
    return "\n".join(lines)
