"""The chat UI in a real browser (Debian chromium through playwright): the acceptance test of issue 6.

Starts the app as a subprocess on a free loopback port over a copy of the bundled index, asks
"SICORPの令和4年度予算額は？" and the follow-up "では前年度は？", checks the sources card, the
facts and documents tabs, uploads a hostile document and asks about it (no dialog may fire, no
request may leave 127.0.0.1). Screenshots go to KOTAE_SCREENSHOT_DIR (default: a pytest tmp dir).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest_ui import app_server, copy_index, chromium_path

CHROMIUM = chromium_path()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (/usr/bin/chromium); `make browser-deps` installs it"),
]

REPLY_TIMEOUT_MS = 60_000

HOSTILE_MD = """# 危険な資料のテスト

ZETAプログラムの令和4年度予算額は777百万円です。<script>alert("script")</script>
ZETAプログラムの画像 <img src=x onerror="alert('img')"> を含む。
ZETAプログラムのリンク [クリック](javascript:alert('link')) と <a href="javascript:alert('a')">ここ</a>。
ZETAプログラムの外部画像 ![](https://example.com/pixel.png) と <img src="https://example.com/p2.png">。
ZETAプログラムの枠 <iframe src="https://example.com/frame"></iframe> と <svg onload="alert('svg')"></svg>。
"""


@pytest.fixture(scope="module")
def index_copy(bundled_index, tmp_path_factory):
    return copy_index(bundled_index, tmp_path_factory, "ui-browser")


@pytest.fixture(scope="module")
def url(index_copy):
    home, index = index_copy
    with app_server(home, index, home) as url:
        yield url


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("KOTAE_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


class Page:
    """A browser page on the app that records every request and dialog."""

    def __init__(self, browser, url):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ja-JP")
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.response = self.page.goto(url, wait_until="load")
        self.box = self.page.locator("#kotae-question textarea")
        self.box.wait_for(state="visible", timeout=30_000)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def bots(self):
        return self.page.locator("[data-testid=bot]")

    def users(self):
        return self.page.locator("[data-testid=user]")

    def ask(self, question: str) -> str:
        """Type a question, wait for the new reply and for the input to come back; the reply's text."""
        before = self.bots().count()
        self.box.fill(question)
        self.box.press("Enter")
        self.bots().nth(before).wait_for(state="visible", timeout=REPLY_TIMEOUT_MS)
        self.page.wait_for_function(
            "() => { const t = document.querySelector('#kotae-question textarea'); return t && !t.disabled; }",
            timeout=REPLY_TIMEOUT_MS,
        )
        self.page.wait_for_timeout(300)  # the sources panel is set by the same event; let it paint
        return self.bots().nth(before).inner_text()

    def sources(self):
        return self.page.locator("#kotae-sources")

    def close(self):
        self.page.close()


@pytest.fixture
def page(browser, url):
    page = Page(browser, url)
    yield page
    page.close()


def _external(requests: list[str]) -> list[str]:
    return [u for u in requests if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))]


def test_asks_and_follows_up_with_highlighted_sources(page, shots):
    reply = page.ask("SICORPの令和4年度予算額は？")
    assert "1,160百万円" in reply
    cards = page.sources().locator(".kotae-source")
    assert cards.count() >= 1
    figure_cards = page.sources().locator(".kotae-source:has(mark strong:text('1,160百万円'))")
    assert figure_cards.count() >= 1, page.sources().inner_html()[:2000]
    assert figure_cards.first.locator(".kotae-page").get_attribute("data-page") in ("1", "2")
    page.page.screenshot(path=str(shots / "ui-first-answer.png"))

    reply = page.ask("では前年度は？")
    assert "1,078百万円" in reply
    assert page.sources().locator(".kotae-resolved").count() == 1
    assert page.sources().locator("mark").count() >= 1
    page.page.screenshot(path=str(shots / "ui-follow-up.png"))
    assert page.dialogs == []
    assert _external(page.requests) == []


def test_an_example_question_runs_when_clicked(page):
    page.page.locator("#kotae-chat").get_by_text("SATREPSの令和4年度予算額はいくら？").click()
    page.bots().first.wait_for(state="visible", timeout=REPLY_TIMEOUT_MS)
    page.page.wait_for_timeout(300)
    assert "1,826百万円" in page.bots().first.inner_text()
    assert page.sources().locator(".kotae-source").count() >= 1


def test_clear_forgets_the_conversation(page):
    page.ask("SICORPの令和4年度予算額は？")
    page.page.locator("#kotae-clear").click()
    page.page.wait_for_function("() => document.querySelectorAll('[data-testid=user]').length === 0", timeout=10_000)
    assert page.sources().locator(".kotae-source").count() == 0
    page.ask("では前年度は？")
    assert page.users().count() == 1
    assert page.sources().locator(".kotae-resolved").count() == 0  # no history left to complete it from


def test_empty_and_huge_messages_are_stopped_with_a_hint(page):
    page.box.fill("")
    page.box.press("Enter")
    page.page.wait_for_timeout(1000)
    assert page.users().count() == 0
    started = time.monotonic()
    page.box.fill("あ" * 100_000)
    page.box.press("Enter")
    page.page.get_by_text("質問が長すぎます（100,000文字）").wait_for(timeout=10_000)
    assert time.monotonic() - started < 10
    assert page.users().count() == 0
    reply = page.ask("SICORPの令和4年度予算額は？")  # the session still works
    assert "1,160百万円" in reply


def _fact_rows(page) -> list[list[str]]:
    """The facts table's rendered rows (it is virtualized: the first screenful), cell texts."""
    return page.page.evaluate(
        """() => [...document.querySelectorAll('#kotae-facts div[role=row]')]
             .map(r => [...r.querySelectorAll('[role=gridcell]')].map(c => c.innerText.trim()))"""
    )


def _sort(page, column: str, menu_item: str) -> None:
    header = page.page.locator("#kotae-facts th", has_text=column).first
    header.hover()
    header.locator("button[aria-label='Open cell menu']").click()
    page.page.get_by_role("menuitem", name=menu_item).click()  # labels follow the ja-JP locale
    page.page.wait_for_timeout(500)


def test_facts_tab_sorts_and_filters_and_documents_tab_lists_the_corpus(page, shots, index_copy):
    from index.store import IndexStore
    from assistant.ui_render import FACT_COLUMNS

    facts_in_index = IndexStore(index_copy[1]).read(with_dense=False).facts
    yen_col, page_col = FACT_COLUMNS.index("円換算"), FACT_COLUMNS.index("ページ")
    page.page.get_by_role("tab", name="事実").click()
    facts = page.page.locator("#kotae-facts")
    facts.get_by_text("1,160百万円").filter(visible=True).first.wait_for(timeout=10_000)

    _sort(page, "ページ", "降順に並べ替え")
    assert _fact_rows(page)[0][page_col] == str(max(f.citation.page or 0 for f in facts_in_index))
    _sort(page, "ページ", "ソートをクリア")  # sorts stack up; start the next one from the table's order
    _sort(page, "円換算", "降順に並べ替え")
    amounts = [int(row[yen_col]) for row in _fact_rows(page) if row[yen_col]]
    assert amounts[0] == max(f.amount_yen or 0 for f in facts_in_index)
    assert amounts == sorted(amounts, reverse=True)

    search = facts.locator("input").first
    search.fill("SATREPS")
    page.page.wait_for_timeout(800)
    text = facts.inner_text()
    assert "1,826百万円" in text and "1,160百万円" not in text
    page.page.screenshot(path=str(shots / "ui-facts.png"))

    page.page.get_by_role("tab", name="文書").click()
    docs = page.page.locator("#kotae-documents")
    docs.get_by_text("mext_r4_international_sti", exact=False).filter(visible=True).first.wait_for(timeout=10_000)
    page.page.screenshot(path=str(shots / "ui-documents.png"))


def test_untrusted_document_is_shown_as_text_and_nothing_fires_or_calls_out(page, shots, tmp_path):
    assert "content-security-policy" in page.response.headers
    assert "img-src 'self'" in page.response.headers["content-security-policy"]

    hostile = tmp_path / "hostile_zeta.md"
    hostile.write_text(HOSTILE_MD, encoding="utf-8")
    page.page.get_by_role("tab", name="文書").click()
    page.page.locator("#kotae-upload input[type=file]").set_input_files(str(hostile))
    status = page.page.locator("#kotae-upload-status")
    status.get_by_text("取り込みました").wait_for(timeout=120_000)
    page.page.locator("#kotae-documents").get_by_text("hostile_zeta", exact=False).filter(visible=True).first.wait_for(
        timeout=10_000
    )

    page.page.get_by_role("tab", name="チャット").click()
    replies = [
        page.ask(question)
        for question in ("ZETAプログラムの画像は？", "ZETAプログラムのリンクは？", "ZETAプログラムの外部画像は？", "ZETAプログラムの枠は？")
    ]
    page.page.wait_for_timeout(1500)  # give any injected handler or image load its chance
    page.page.screenshot(path=str(shots / "ui-hostile.png"), full_page=True)

    assert page.dialogs == []
    assert _external(page.requests) == []
    danger = page.page.evaluate(
        """() => {
        const scope = [...document.querySelectorAll('#kotae-chat, #kotae-sources')];
        const found = [];
        for (const root of scope) {
          for (const el of root.querySelectorAll('*')) {
            for (const attr of el.getAttributeNames()) {
              if (attr.startsWith('on')) found.push(el.tagName + '[' + attr + ']');
            }
            const href = el.getAttribute('href') || '';
            if (href.trim().toLowerCase().startsWith('javascript:')) found.push(el.tagName + ' javascript: link');
            if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) found.push(el.tagName);
            if (el.tagName === 'IMG' && /^https?:/.test(el.getAttribute('src') || '')) found.push('external IMG');
          }
        }
        return found;
      }"""
    )
    assert danger == []
    panel = page.sources().inner_text()
    assert "<img src=x onerror=" in panel or "<iframe" in panel or "<svg onload" in panel  # shown as text
    chat = "\n".join(replies)
    assert "<iframe" in chat or "<img" in chat or "<svg" in chat  # quoted markup reads as written,
    assert "&lt;" not in chat and "&gt;" not in chat  # not escaped twice
