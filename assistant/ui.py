"""The Gradio chat UI (`kotae serve`, `make run`): chat with cited sources, facts, documents, upload.

Safe by default: binds to 127.0.0.1, no share link, Gradio's analytics and version check off (so
nothing leaves the machine), and a Content-Security-Policy that blocks images and frames from
elsewhere. Document text reaches the page only escaped (see `assistant/ui_render.py`).

gradio is imported only inside the functions that build or launch the app.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core import MAX_QUESTION_CHARS, Assistant
from assistant.ui_render import (
    DOCUMENT_COLUMNS,
    FACT_COLUMNS,
    answer_markdown,
    document_rows,
    fact_rows,
    ingest_message,
    markdown_literal,
    message_html,
    sources_html,
)
from ingest.errors import KotaeError

if TYPE_CHECKING:
    import gradio as gr

    from assistant.indexer import IngestReport

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860

CONTENT_SECURITY_POLICY = (
    "img-src 'self' data: blob:; media-src 'self' data: blob:; frame-src 'none'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)
"""Blocks images, media and frames from other hosts (a quoted `![](https://…)` cannot call out)."""

EXAMPLES = [
    "SICORPの令和4年度予算額は？",
    "SATREPSの令和4年度予算額はいくら？",
    "海外特別研究員の新規採用人数は何人？",
    "WPIは何億円？",
    "外国人研究者招へい事業の開始時期を教えて",
]
"""Example questions over the bundled corpus (taken from the gold set, eval/gold/gold.jsonl)."""

UPLOAD_TYPES = [".txt", ".md", ".pdf", ".html", ".htm", ".docx"]
HISTORY_TURNS = 12
"""How many of the latest chat messages are passed to `ask()` to resolve a follow-up."""

CSS = """
.kotae-sources { font-size: 0.92rem; line-height: 1.6; max-height: 640px; overflow-y: auto; padding-right: 4px; }
.kotae-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin-bottom: 10px; background: var(--background-fill-secondary); }
.kotae-source-head { font-weight: 600; margin-bottom: 4px; }
.kotae-n { color: var(--color-accent); margin-right: 2px; }
.kotae-page { display: inline-block; border-radius: 4px; padding: 0 6px; margin-left: 4px; font-size: 0.85em;
  background: var(--color-accent-soft); }
.kotae-passage { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 16em; overflow-y: auto; }
.kotae-passage mark { background: #ffe58a; color: #111; padding: 0 1px; border-radius: 2px; }
.kotae-path { color: var(--body-text-color-subdued); font-size: 0.78em; margin-top: 4px; overflow-wrap: anywhere; }
.kotae-resolved { border-left: 3px solid var(--color-accent); padding: 4px 8px; margin: 0 0 10px 0;
  background: var(--background-fill-secondary); }
.kotae-empty { color: var(--body-text-color-subdued); }
"""

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


# -- safety helpers --------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    """True when `host` is only reachable from this machine.

    Example:
        >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
        (True, True, False)
    """
    if host.strip().lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def non_loopback_warning(host: str) -> str:
    """The warning printed when serving on an address other machines can reach."""
    return (
        f"kotae: warning: serving on {host}, which other machines can reach: anyone who can connect can read "
        "the indexed documents and add files. Use --host 127.0.0.1 to keep the UI local."
    )


class ContentSecurityPolicyMiddleware:
    """ASGI middleware that adds the Content-Security-Policy header to every HTTP response.

    Example:
        >>> ContentSecurityPolicyMiddleware(app=None).policy == CONTENT_SECURITY_POLICY
        True
    """

    def __init__(self, app, policy: str = CONTENT_SECURITY_POLICY) -> None:
        self.app = app
        self.policy = policy
        self._header = (b"content-security-policy", policy.encode("ascii"))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_header(message):
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"content-security-policy"]
                message = {**message, "headers": [*headers, self._header]}
            await send(message)

        return await self.app(scope, receive, send_with_header)


def stay_offline() -> None:
    """Switch off every phone-home this process could make: Gradio's analytics and version check,
    Hugging Face Hub telemetry. Call before gradio is imported (huggingface_hub reads its setting
    at import, so an already imported one is switched off in place)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        constants.HF_HUB_DISABLE_TELEMETRY = True


def _import_gradio():
    """gradio, imported with its analytics and online version check switched off."""
    stay_offline()
    import gradio as gr

    return gr


# -- the app's state and handlers (no gradio here) ---------------------------------------------
def message_text(content: Any) -> str:
    """The text of a chat message's content, whatever shape Gradio gave it.

    Example:
        >>> message_text([{"type": "text", "text": "SICORP"}]), message_text("では前年度は？")
        ('SICORP', 'では前年度は？')
    """
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "") if content.get("type", "text") == "text" else ""
    if isinstance(content, (list, tuple)):
        return "".join(message_text(part) for part in content)
    return ""


def chat_history(history: Sequence[dict] | None) -> list[dict]:
    """The chat history as `ask()` takes it: text turns only, refused (over-long) turns left out.

    Example:
        >>> chat_history([{"role": "user", "content": "SICORPの予算は？", "metadata": None}])
        [{'role': 'user', 'content': 'SICORPの予算は？'}]
    """
    turns = []
    for item in history or []:
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant"):
            continue
        text = message_text(item.get("content")).strip()
        if text and len(text) <= MAX_QUESTION_CHARS:
            turns.append({"role": item["role"], "content": text})
    return turns[-HISTORY_TURNS:]


def too_long_message(length: int) -> str:
    """What the chat says to a message over the limit.

    Example:
        >>> too_long_message(100_000)
        '質問が長すぎます（100,000文字）。2,000文字以内で入力してください。'
    """
    return f"質問が長すぎます（{length:,}文字）。{MAX_QUESTION_CHARS:,}文字以内で入力してください。"


EMPTY_MESSAGE_JA = "質問を入力してください。"


def message_problem(message: Any) -> str | None:
    """Why a chat message cannot be asked (empty, too long), or None when it can.

    Example:
        >>> message_problem("   "), message_problem("SICORPの予算は？")
        ('質問を入力してください。', None)
    """
    text = message_text(message)
    if not text.strip():
        return EMPTY_MESSAGE_JA
    if len(text) > MAX_QUESTION_CHARS:
        return too_long_message(len(text))
    return None


class ChatApp:
    """The UI's state: the current Assistant (swapped atomically after an upload) and the handlers.

    Handlers take and return plain values, so they are tested without a server.

    Example:
        >>> app = ChatApp(Assistant.load("path/to/index"))         # doctest: +SKIP
        >>> reply, panel = app.respond("SICORPの令和4年度予算額は？", [])  # doctest: +SKIP
    """

    def __init__(self, bot: Assistant, *, uploads_dir: str | Path | None = None, lock_timeout: float = 120.0) -> None:
        self._bot = bot
        self.uploads_dir = Path(uploads_dir) if uploads_dir is not None else None
        self.lock_timeout = lock_timeout
        self._ingest_lock = threading.Lock()

    @property
    def bot(self) -> Assistant:
        """The assistant questions go to now. Reading it is atomic; a question keeps the one it read."""
        return self._bot

    # -- chat ----------------------------------------------------------------------------
    def respond(self, message: Any, history: Sequence[dict] | None) -> tuple[str, str]:
        """One chat turn: (Markdown reply, sources panel HTML)."""
        text = message_text(message)
        problem = message_problem(text)
        if problem is not None:
            return problem, message_html(problem)
        bot = self.bot
        try:
            answer = bot.ask(text, history=chat_history(history))
        except KotaeError as exc:
            notice = f"エラー: {exc}"
            return markdown_literal(notice), message_html(notice)
        except Exception as exc:  # a bug must not kill the session: log it, tell the user in one line
            traceback.print_exc(file=sys.stderr)
            notice = f"エラー: 内部エラーで回答できませんでした（{type(exc).__name__}）。"
            return notice, message_html(notice)
        return answer_markdown(answer), sources_html(answer)

    # -- tables --------------------------------------------------------------------------
    def fact_table(self) -> list[list]:
        return fact_rows(self.bot.data.facts)

    def document_table(self) -> list[list]:
        return document_rows(self.bot.data.documents.values())

    # -- upload --------------------------------------------------------------------------
    def _uploads_dir(self) -> Path:
        if self.uploads_dir is None:
            from assistant.settings import KotaeSettings

            self.uploads_dir = Path(KotaeSettings().home) / "uploads"
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        return self.uploads_dir

    def _stage(self, files: Sequence[str | Path]) -> list[Path]:
        """Copy uploads to a stable folder under their own names: the path is the document's identity,
        so uploading an edited file again replaces it (Gradio's temporary paths change every time)."""
        folder = self._uploads_dir()
        staged = []
        for file in files:
            source = Path(file)
            target = folder / source.name
            if source.resolve() != target.resolve():
                shutil.copyfile(source, target)
            staged.append(target)
        return staged

    def ingest(self, files: Sequence[str | Path] | None, progress=None) -> str:
        """Ingest uploaded files into the current index, then swap in the reloaded assistant.

        Runs in a Gradio worker thread; questions keep using the old assistant until the swap.
        Returns a Markdown message; a failure leaves the index as it was.
        """
        files = [f for f in (files or []) if f]
        if not files:
            return "ファイルを選んでください（" + " ".join(UPLOAD_TYPES) + "）。"
        step = progress or (lambda *args, **kwargs: None)
        with self._ingest_lock:
            try:
                step(0.0, desc="ファイルを準備中…")
                staged = self._stage(files)
                report = self._add(staged, step)
                if report.changed:
                    step(0.9, desc="索引を再読み込み中…")
                    self._reload()
            except KotaeError as exc:
                return f"エラー: 取り込めませんでした。{markdown_literal(str(exc))}"
            except OSError as exc:
                return f"エラー: ファイルを保存できませんでした。{markdown_literal(str(exc))}"
            except Exception as exc:  # a bug in a loader must not kill the app; the index is unchanged
                traceback.print_exc(file=sys.stderr)
                return f"エラー: 取り込み中に内部エラーが起きました（{type(exc).__name__}）。索引は変更されていません。"
        step(1.0, desc="完了")
        return ingest_message(report)

    def _add(self, paths: list[Path], step) -> "IngestReport":
        from assistant.indexer import Indexer

        step(0.1, desc=f"{len(paths)} 件を取り込み中…")
        return Indexer(self.bot.directory, lock_timeout=self.lock_timeout).add_paths(paths, progress=True)

    def _reload(self) -> None:
        fresh = Assistant.load(self.bot.directory)
        fresh.warm_up()  # load the encoder and build the lookup tables here, not in the next user's question
        self._bot = fresh


# -- the Gradio app ----------------------------------------------------------------------------
def build_app(bot: Assistant, *, uploads_dir: str | Path | None = None) -> "gr.Blocks":
    """The Gradio Blocks app over `bot`. `app.chat_app` is its ChatApp (for tests).

    Example:
        >>> demo = build_app(Assistant.load("path/to/index"))   # doctest: +SKIP
        >>> launch(demo, port=7861, prevent_thread_lock=True)  # doctest: +SKIP
    """
    gr = _import_gradio()
    app = ChatApp(bot, uploads_dir=uploads_dir)

    def chat(message: str, history: list[dict]):
        return app.respond(message, history)

    def check(message: str):
        # Runs in the browser's submit path before the message joins the chat: an empty or
        # over-long message is stopped here with a hint; `respond` checks again for API callers.
        problem = message_problem(message)
        return gr.validate(problem is None, problem or "")

    def refresh_tables():
        return app.fact_table(), app.document_table()

    def upload(files, progress=gr.Progress(track_tqdm=True)):
        message = app.ingest(files, progress)
        return message, app.fact_table(), app.document_table()

    with gr.Blocks(title="kotae 答え", analytics_enabled=False, fill_height=True) as demo:
        gr.Markdown("## kotae（答え）: 資料に基づく回答と出典", elem_id="kotae-header")
        with gr.Tabs():
            with gr.Tab("チャット", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=360):
                        sources = gr.HTML(sources_html(None), render=False, elem_id="kotae-sources", padding=False)
                        chatbot = gr.Chatbot(
                            elem_id="kotae-chat",
                            label="チャット",
                            height=560,
                            sanitize_html=True,
                            latex_delimiters=[],
                            placeholder="資料について質問してください。例をクリックしても試せます。",
                        )
                        textbox = gr.Textbox(
                            elem_id="kotae-question",
                            placeholder="質問を入力（例: SICORPの令和4年度予算額は？）",
                            label="質問",
                            show_label=False,
                            submit_btn=True,
                            stop_btn=False,
                            lines=1,
                            max_lines=6,
                            scale=7,
                        )
                        chat_interface = gr.ChatInterface(
                            chat,
                            chatbot=chatbot,
                            textbox=textbox,
                            additional_outputs=[sources],
                            examples=EXAMPLES,
                            api_name="chat",
                            concurrency_limit=4,
                            fill_height=False,
                            autofocus=True,
                            validator=check,
                        )
                        clear = gr.Button("会話をクリア", elem_id="kotae-clear", variant="secondary", size="sm")
                    with gr.Column(scale=2, min_width=300):
                        gr.Markdown("#### 出典")
                        sources.render()
            with gr.Tab("事実", id="facts") as facts_tab:
                gr.Markdown("資料から抽出した数値や日付。列見出しの ⋮ で並べ替え、右上の検索欄で絞り込めます。")
                facts_table = gr.Dataframe(
                    headers=FACT_COLUMNS,
                    datatype=["str", "str", "str", "number", "str", "number", "str"],
                    interactive=False,
                    show_search="filter",
                    wrap=True,
                    max_height=640,
                    column_widths=["27%", "17%", "12%", "13%", "9%", "6%", "16%"],
                    elem_id="kotae-facts",
                )
            with gr.Tab("文書", id="documents") as docs_tab:
                gr.Markdown("ファイルを置くと、いまの索引に追加されます（取り込み中も質問できます）。下の表は索引に入っている文書です。")
                files = gr.File(
                    label="文書を追加（" + " ".join(UPLOAD_TYPES) + "）",
                    file_count="multiple",
                    file_types=UPLOAD_TYPES,
                    type="filepath",
                    elem_id="kotae-upload",
                )
                status = gr.Markdown(elem_id="kotae-upload-status", min_height=60)
                docs_table = gr.Dataframe(
                    headers=DOCUMENT_COLUMNS,
                    datatype=["str", "str", "number", "number", "number", "str"],
                    interactive=False,
                    wrap=True,
                    column_widths=["22%", "38%", "8%", "9%", "8%", "15%"],
                    elem_id="kotae-documents",
                )

        # ChatInterface passes its own history state to the chat function, not the visible chatbot: reset both.
        clear.click(
            lambda: ([], [], sources_html(None)),
            None,
            [chat_interface.chatbot, chat_interface.chatbot_state, sources],
            api_visibility="undocumented",
            queue=False,
        )
        chatbot.clear(lambda: sources_html(None), None, [sources], api_visibility="undocumented", queue=False)
        files.upload(
            upload,
            [files],
            [status, facts_table, docs_table],
            api_name="upload",
            concurrency_limit=1,  # one ingest at a time (the index lock would serialize them anyway)
            show_progress="full",
            show_progress_on=[status],  # the table stays readable while the bar runs
        )
        for tab in (facts_tab, docs_tab):
            tab.select(refresh_tables, None, [facts_table, docs_table], api_visibility="undocumented", queue=False)
        demo.load(refresh_tables, None, [facts_table, docs_table], api_visibility="undocumented", queue=False)
    demo.chat_app = app
    return demo


def launch(demo: "gr.Blocks", host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, prevent_thread_lock: bool = False, quiet: bool = False):
    """Launch `demo` for local use: no share link, no SSR, the CSP header and meta tag, queue on."""
    demo.queue(default_concurrency_limit=4)
    from starlette.middleware import Middleware

    return demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        ssr_mode=False,
        inbrowser=False,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        show_error=False,
        footer_links=["api"],
        css=CSS,
        head=f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        app_kwargs={"middleware": [Middleware(ContentSecurityPolicyMiddleware)]},
    )


def serve(index: str | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serve the chat UI until interrupted (`kotae serve`). Returns the exit status.

    Args:
        index: an index directory, or None for the default one (KOTAE_INDEX, or the bundled corpus).
        host: the address to bind; anything but loopback prints a warning.
        port: the port to bind.

    Example:
        >>> serve(None, "127.0.0.1", 7860)   # doctest: +SKIP
    """
    stay_offline()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the encoder is local; never ask the Hub while serving
    if not is_loopback(host):
        sys.stderr.write(non_loopback_warning(host) + "\n")
    if not 0 < port < 65536:
        raise KotaeError(f"--port must be between 1 and 65535. Currently, it is {port}")
    from assistant.core import default_assistant

    bot = Assistant.load(index) if index else default_assistant()
    bot.warm_up()
    demo = build_app(bot)
    try:
        launch(demo, host, port)
    except OSError as exc:
        sys.stderr.write(f"kotae: cannot serve on {host}:{port} ({exc}); pass another --port or --host\n")
        return 2
    except KeyboardInterrupt:
        pass
    return 0
