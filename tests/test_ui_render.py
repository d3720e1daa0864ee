"""The UI's pure builders: escaped passages with <mark>/<strong>, safe chat Markdown, the tables.

Passages here are handmade Citations; several carry hostile HTML/Markdown a document could contain.
"""

import html
import re

import pytest

from assistant.answer import Answer
from assistant.ui_render import (
    FACT_COLUMNS,
    answer_markdown,
    citation_card_html,
    document_rows,
    fact_rows,
    figure_spans,
    ingest_message,
    markdown_literal,
    passage_html,
    resolution_note,
    safe_markdown,
    sources_html,
)
from ingest.models import Citation, Fact

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "![](https://example.com/pixel.png)",
    "<iframe src=https://example.com></iframe>",
    "&lt;script&gt; already escaped",
    "\"' quotes & ampersands",
]


def _citation(text, hl=None, *, title="令和4年度 文部科学省予算（案）", page=2, source="docs/mext.txt"):
    start, end = hl if hl else (None, None)
    return Citation(source=source, title=title, page=page, text=text, start=0, end=len(text),
                    score=1.0, highlight_start=start, highlight_end=end)


def _tags(markup: str) -> set[str]:
    """Every HTML tag name in `markup` (what a browser would parse as elements)."""
    return {m.lower() for m in re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)", markup)}


OUR_TAGS = {"div", "span", "mark", "strong", "p"}


# -- figures ---------------------------------------------------------------------------
FIGURES = [
    ("令和4年度予算額(案)：1,160百万円", ["1,160百万円"]),
    ("(前年度予算額 1,078百万円)", ["1,078百万円"]),
    ("令和4年度予算額(案) 138億円", ["138億円"]),
    ("総額1億2,000万円を計上", ["1億2,000万円"]),
    ("約11.6億円の増", ["約11.6億円"]),
    ("新規採用 30人、継続 120人", ["30人", "120人"]),
    ("全角の１，１６０百万円", ["１，１６０百万円"]),
    ("令和4年度の事業", []),  # a year is not a figure
    ("第6期科学技術・イノベーション基本計画", []),
]


@pytest.mark.parametrize("text, expected", FIGURES)
def test_figures_are_found_as_written(text, expected):
    assert [text[s:e] for s, e in figure_spans(text)] == expected


def test_extra_figures_are_bolded_even_without_a_unit_pattern():
    text = "採択件数は十二件"
    assert [text[s:e] for s, e in figure_spans(text, ["十二件"])] == ["十二件"]


# -- passages --------------------------------------------------------------------------
PASSAGES = [
    # (text, highlight, expected HTML)
    ("予算額は1,160百万円。", (0, 13), "<mark>予算額は<strong>1,160百万円</strong>。</mark>"),
    ("前文。予算額は1,160百万円。後文。", (3, 16), "前文。<mark>予算額は<strong>1,160百万円</strong>。</mark>後文。"),
    ("前文。本文。", None, "前文。本文。"),
    ("前文。本文。", (3, 3), "前文。本文。"),  # empty span: nothing marked
    ("前文。本文。", (5, 2), "前文。本文。"),  # inverted span: nothing marked
    ("前文。本文。", (-4, 99), "<mark>前文。本文。</mark>"),  # out of range: clipped
    ("<b>予算</b>", (3, 5), "&lt;b&gt;<mark>予算</mark>&lt;/b&gt;"),
    ("a<b>1,160百万円</b>c", (1, 4), "a<mark>&lt;b&gt;</mark><strong>1,160百万円</strong>&lt;/b&gt;c"),
    # a figure that crosses the highlight's end is bold on both sides, never broken markup
    ("額1,160百万円", (0, 4), "<mark>額<strong>1,1</strong></mark><strong>60百万円</strong>"),
]


@pytest.mark.parametrize("text, highlight, expected", PASSAGES)
def test_passage_is_escaped_marked_and_bolded(text, highlight, expected):
    assert passage_html(text, highlight) == expected


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_passage_text_never_becomes_markup(payload):
    text = f"SICORPの予算額は1,160百万円。{payload}。以上。"
    start = text.index(payload)
    for highlight in (None, (0, len(text)), (start, start + len(payload)), (start + 3, start + 8)):
        out = passage_html(text, highlight)
        assert _tags(out) <= {"mark", "strong"}, out
        # unescaping our output gives back the document text exactly, minus our own tags
        assert html.unescape(re.sub(r"</?(mark|strong)>", "", out)) == text


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_title_source_and_passage_in_a_card_stay_text(payload):
    card = citation_card_html(1, _citation(f"本文{payload}", (0, 2), title=f"題{payload}", source=f"/tmp/{payload}.txt"))
    assert _tags(card) <= OUR_TAGS, card
    assert "<script" not in card and "<img" not in card and "<iframe" not in card and "<a " not in card


def test_card_shows_number_title_page_and_path():
    card = citation_card_html(3, _citation("1,160百万円", (0, 9)))
    assert "[3]" in card
    assert "令和4年度 文部科学省予算（案）" in card
    assert 'data-page="2"' in card and "p.2" in card
    assert "docs/mext.txt" in card
    assert "<mark><strong>1,160百万円</strong></mark>" in card


def test_card_of_an_unpaged_document_has_no_page():
    assert "kotae-page" not in citation_card_html(1, _citation("本文", page=None))


# -- the sources panel -------------------------------------------------------------------
def _answer(**kw):
    base = dict(text="1,160百万円 [1]", answerable=True, question="SICORPの令和4年度予算額は？",
                resolved_question="SICORPの令和4年度予算額は？")
    base.update(kw)
    return Answer(**base)


def test_sources_panel_lists_every_citation_in_order():
    cites = [_citation("一の本文", page=2), _citation("二の本文", page=1), _citation("三の本文", page=None)]
    panel = sources_html(_answer(citations=cites))
    assert panel.index("[1]") < panel.index("一の本文") < panel.index("[2]") < panel.index("二の本文") < panel.index("[3]")
    assert panel.count('class="kotae-source"') == 3


def test_sources_panel_bolds_the_answer_facts_values():
    cite = _citation("採択件数は十二件", (0, 8))
    fact = Fact(subject="SICORP", attribute="採択件数", value="十二件", citation=cite)
    assert "<strong>十二件</strong>" in sources_html(_answer(citations=[cite], facts=[fact]))


RESOLUTIONS = [
    ("では前年度は？", "SICORP の前年度予算額", "「SICORP の前年度予算額」として検索しました"),
    ("SICORPの令和4年度予算額は？", "SICORPの令和4年度予算額は？", None),
    ("SICORPの令和4年度予算額は？", None, None),
]


@pytest.mark.parametrize("question, resolved, note", RESOLUTIONS)
def test_a_note_says_how_a_follow_up_was_searched(question, resolved, note):
    answer = _answer(question=question, resolved_question=resolved)
    got = resolution_note(answer)
    assert (got is None) if note is None else got.startswith(note)
    panel = sources_html(answer)
    assert ("kotae-resolved" in panel) == (note is not None)


def test_hostile_resolved_question_is_escaped():
    panel = sources_html(_answer(question="では？", resolved_question="<img src=x onerror=alert(1)> の予算"))
    assert _tags(panel) <= OUR_TAGS


def test_panel_says_so_when_nothing_was_found_and_before_any_question():
    assert "見つかりませんでした" in sources_html(_answer(text="資料には記載がありません。", answerable=False))
    assert "ここに表示されます" in sources_html(None)


# -- the chat's Markdown ---------------------------------------------------------------
MARKDOWN = [
    ("> 令和4年度予算額(案)：1,160百万円 [1]", "> 令和4年度予算額(案)：1,160百万円 [1]"),
    ("> <script>alert(1)</script> [1]", "> &lt;script>alert(1)&lt;/script> [1]"),
    ("> <img src=x onerror=alert(1)>", "> &lt;img src=x onerror=alert(1)>"),
    ("> ![](https://example.com/p.png)", "> !\\[](https://example.com/p.png)"),
    ("> &lt;b&gt;", "> &lt;b&gt;"),  # compose's escaping is kept, not escaped twice
    ("> \\!\\[\\](https://e/p.png)", "> \\!\\[\\](https://e/p.png)"),
    ("A & B", "A & B"),
]


@pytest.mark.parametrize("text, expected", MARKDOWN)
def test_answer_markdown_has_no_raw_html_and_no_images(text, expected):
    assert safe_markdown(text) == expected
    assert answer_markdown(_answer(text=text)) == expected


def test_markdown_literal_escapes_every_markdown_construct():
    out = markdown_literal("evil_![x](https://e/p.png)<b>.txt")
    assert "![" not in out and "<" not in out and "](" not in out


# -- tables and messages --------------------------------------------------------------------
def test_fact_rows_follow_the_columns_and_keep_yen_numeric():
    cite = _citation("1,160百万円", page=2)
    facts = [
        Fact(subject="戦略的国際共同研究プログラム（SICORP）", attribute="令和4年度予算額(案)", value="1,160百万円",
             amount_yen=1_160_000_000, fiscal_year="令和4年度", citation=cite),
        Fact(subject="", attribute="採用人数", value="30人", citation=_citation("30人", page=None)),
    ]
    rows = fact_rows(facts)
    assert len(rows[0]) == len(FACT_COLUMNS)
    assert rows[0][:6] == ["戦略的国際共同研究プログラム（SICORP）", "令和4年度予算額(案)", "1,160百万円", 1_160_000_000, "令和4年度", 2]
    assert rows[1][0] == "（不明）" and rows[1][3] is None and rows[1][5] is None


def test_document_rows_count_pages_only_for_paged_documents():
    from index.store import DocumentRecord
    from ingest.models import Document, Page

    def record(paged):
        doc = Document(doc_id="d", source="/x/a.txt", title="資料A", text="一\f二", paged=paged, content_hash="h" * 64,
                       pages=(Page(number=1, start=0, end=1), Page(number=2, start=2, end=3)))
        return DocumentRecord(document=doc, ingested_at="2025-01-01T00:00:00+00:00", chunks=4, facts=2)

    assert document_rows([record(True)]) == [["資料A", "/x/a.txt", 2, 4, 2, "2025-01-01 00:00:00 UTC"]]
    assert document_rows([record(False)])[0][2] is None


def test_ingest_message_lists_failures_with_escaped_names():
    from assistant.indexer import IngestFailure, IngestReport

    report = IngestReport(added=["/u/a.txt"], chunks_added=3, facts_added=1,
                          failed=[IngestFailure(path="/u/![x](https:__e_p.png).exe", reason="unsupported file type .exe")])
    message = ingest_message(report)
    assert message.startswith("取り込みました")
    assert "追加 1 件" in message and "失敗 1 件" in message
    assert "unsupported file type" in message and "![" not in message


def test_ingest_message_when_nothing_was_added():
    from assistant.indexer import IngestReport

    assert ingest_message(IngestReport(unchanged=["/u/a.txt"])).startswith("新しく取り込んだ文書はありません")


# -- the chat handler (ChatApp.respond) with a fake assistant -------------------------------------
class _FakeBot:
    """Records what `ask` got; answers with a fixed citation (the handler, not retrieval, is under test)."""

    def __init__(self, error=None):
        self.calls = []
        self.error = error

    def ask(self, question, history=None):
        self.calls.append((question, history))
        if self.error:
            raise self.error
        cite = _citation("令和4年度予算額(案)：1,160百万円<script>x</script>", (0, 20))
        return Answer(text=f"> {cite.text} [1]", answerable=True, citations=[cite], question=question,
                      resolved_question=question)


def _chat_app(bot):
    from assistant.ui import ChatApp

    return ChatApp(bot)


def test_respond_returns_safe_markdown_and_the_sources_panel():
    bot = _FakeBot()
    reply, panel = _chat_app(bot).respond("SICORPの令和4年度予算額は？", [])
    assert "1,160百万円" in reply and "<script>" not in reply and "&lt;script>" in reply
    assert "<mark>令和4年度予算額(案)：<strong>1,160百万円</strong></mark>" in panel
    assert "<script>" not in panel
    assert bot.calls == [("SICORPの令和4年度予算額は？", [])]


GRADIO_HISTORIES = [
    # (history as Gradio passes it, history as ask() gets it)
    ([{"role": "user", "content": "SICORPの予算は？"}, {"role": "assistant", "content": "1,160百万円", "metadata": None}],
     [{"role": "user", "content": "SICORPの予算は？"}, {"role": "assistant", "content": "1,160百万円"}]),
    ([{"role": "user", "content": [{"type": "text", "text": "SICORPの予算は？"}]}],
     [{"role": "user", "content": "SICORPの予算は？"}]),
    ([{"role": "user", "content": "あ" * 100_000}, {"role": "assistant", "content": "質問が長すぎます"}],
     [{"role": "assistant", "content": "質問が長すぎます"}]),
    ([{"role": "system", "content": "x"}, {"role": "user", "content": {"path": "/tmp/a.png"}}, "junk"], []),
]


@pytest.mark.parametrize("history, expected", GRADIO_HISTORIES)
def test_the_chat_history_reaches_ask_as_text_turns(history, expected):
    bot = _FakeBot()
    _chat_app(bot).respond("では前年度は？", history)
    assert bot.calls == [("では前年度は？", expected)]


def test_only_the_latest_turns_are_passed_on():
    from assistant.ui import HISTORY_TURNS

    bot = _FakeBot()
    history = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"質問{i}"} for i in range(40)]
    _chat_app(bot).respond("では前年度は？", history)
    assert [t["content"] for t in bot.calls[0][1]] == [f"質問{i}" for i in range(40 - HISTORY_TURNS, 40)]


BAD_MESSAGES = [
    ("", "質問を入力してください。"),
    ("  \n　", "質問を入力してください。"),
    ("あ" * 100_000, "質問が長すぎます（100,000文字）"),
    ("a" * 2001, "質問が長すぎます（2,001文字）"),
]


@pytest.mark.parametrize("message, reply_starts", BAD_MESSAGES)
def test_empty_or_huge_messages_are_refused_without_asking(message, reply_starts):
    bot = _FakeBot()
    reply, panel = _chat_app(bot).respond(message, [])
    assert reply.startswith(reply_starts)
    assert bot.calls == []


def test_errors_reach_the_chat_as_one_line():
    from ingest.errors import KotaeError

    reply, panel = _chat_app(_FakeBot(error=KotaeError("the index is <corrupt>; re-ingest"))).respond("質問", [])
    assert reply.startswith("エラー: ") and "\n" not in reply and "<corrupt>" not in reply
    reply, panel = _chat_app(_FakeBot(error=RuntimeError("boom"))).respond("質問", [])
    assert "RuntimeError" in reply and "Traceback" not in reply


LOOPBACK = [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
            ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("example.com", False)]


@pytest.mark.parametrize("host, expected", LOOPBACK)
def test_loopback_hosts_are_recognised(host, expected):
    from assistant.ui import is_loopback

    assert is_loopback(host) is expected


def test_serve_warns_on_a_non_loopback_host_and_binds_where_asked(monkeypatch, capsys):
    import assistant.ui as ui

    launched = {}
    monkeypatch.setattr(ui.Assistant, "load", classmethod(lambda cls, d: _FakeLoaded()))
    monkeypatch.setattr(ui, "build_app", lambda bot: "demo")
    monkeypatch.setattr(ui, "launch", lambda demo, host, port: launched.update(host=host, port=port))
    assert ui.serve("idx", "0.0.0.0", 7999) == 0
    assert launched == {"host": "0.0.0.0", "port": 7999}
    assert "warning" in capsys.readouterr().err
    assert ui.serve("idx", "127.0.0.1", 7999) == 0
    assert capsys.readouterr().err == ""


class _FakeLoaded:
    """An Assistant stand-in: serve() only warms it up before building the app."""

    @staticmethod
    def warm_up():
        pass
