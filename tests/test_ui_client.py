"""The UI's API through gradio_client: /chat with per-session history, 20 concurrent sessions,
bad input, uploads that fail or succeed, and no outbound connection from an in-process launch.

One app subprocess for the module, over its own copy of the bundled index (uploads change it).
Expected figures are those of the bundled corpus (corpus/mext_r4_international_sti.txt, pages 1-2).
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest_ui import app_server, copy_index, free_port

pytestmark = pytest.mark.slow

CALL_TIMEOUT = 60.0


@pytest.fixture(scope="module", autouse=True)
def client_stays_offline():
    """gradio_client reports each new Client to the Hugging Face Hub unless Hub telemetry is off;
    the test's own client must not call out either (and would confuse the no-outbound test)."""
    from assistant.ui import stay_offline

    stay_offline()


@pytest.fixture(scope="module")
def index_copy(bundled_index, tmp_path_factory):
    return copy_index(bundled_index, tmp_path_factory, "ui-client")


@pytest.fixture(scope="module")
def url(index_copy):
    home, index = index_copy
    with app_server(home, index, home) as url:
        yield url


def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False)


def _chat(client, message, timeout=CALL_TIMEOUT):
    """(reply Markdown, sources HTML) for one turn of this client's session."""
    reply, sources = client.submit(message=message, api_name="/chat").result(timeout=timeout)
    return reply, sources


# -- /chat --------------------------------------------------------------------------------
def test_chat_answers_with_the_figure_and_a_highlighted_source(url):
    reply, sources = _chat(_client(url), "SICORPの令和4年度予算額は？")
    assert "1,160百万円" in reply
    assert 'class="kotae-source"' in sources
    assert 'data-page="2"' in sources or 'data-page="1"' in sources
    assert "<mark>" in sources and "<strong>1,160百万円</strong>" in sources


def test_a_follow_up_uses_this_sessions_history(url):
    client = _client(url)
    _chat(client, "SICORPの令和4年度予算額は？")
    reply, sources = _chat(client, "では前年度は？")
    assert "1,078百万円" in reply
    assert "kotae-resolved" in sources  # the panel says what was searched


def test_a_new_session_starts_with_an_empty_history(url):
    first = _client(url)
    _chat(first, "SICORPの令和4年度予算額は？")
    reply, sources = _chat(_client(url), "では前年度は？")
    assert "kotae-resolved" not in sources  # nothing to complete the follow-up from


BAD_MESSAGES = [
    ("", "質問を入力してください。"),
    ("　\n ", "質問を入力してください。"),
    ("あ" * 100_000, "質問が長すぎます（100,000文字）"),
]


@pytest.mark.parametrize("message, reply_starts", BAD_MESSAGES)
def test_empty_and_huge_messages_get_a_clear_reply_at_once(url, message, reply_starts):
    started = time.monotonic()
    reply, sources = _chat(_client(url), message, timeout=20)
    assert reply.startswith(reply_starts)
    assert time.monotonic() - started < 20


# -- concurrency ----------------------------------------------------------------------------
# (subject as asked, 令和4年度予算額, 前年度予算額): every figure differs, so an answer that used
# another session's subject is caught.
SUBJECTS = [
    ("SICORP", "1,160百万円", "1,078百万円"),
    ("SATREPS", "1,826百万円", "1,876百万円"),
    ("国際青少年サイエンス交流事業", "1,371百万円", "1,267百万円"),
    ("グローバルに活躍する若手研究者の育成等", "7,471百万円", "7,367百万円"),
    ("科学技術イノベーションの戦略的国際展開", "138億円", "137億円"),
]
CLIENTS = 20
QUESTIONS_PER_CLIENT = 5


def _session_script(i: int) -> list[tuple[str, str]]:
    """Five (question, expected figure) turns; two follow-ups depend on this session's own history."""
    a = SUBJECTS[i % len(SUBJECTS)]
    b = SUBJECTS[(i + 1 + i // len(SUBJECTS)) % len(SUBJECTS)]
    return [
        (f"{a[0]}の令和4年度予算額は？", a[1]),
        ("では前年度は？", a[2]),
        (f"{b[0]}の令和4年度予算額は？", b[1]),
        ("では前年度は？", b[2]),
        (f"{a[0]}の前年度予算額は？", a[2]),
    ]


def test_twenty_concurrent_sessions_get_correct_independent_answers(url):
    def run(i):
        client = _client(url)
        return [(question, expected, _chat(client, question)[0]) for question, expected in _session_script(i)]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(run, i) for i in range(CLIENTS)]
        results = [f.result(timeout=240) for f in futures]
    elapsed = time.monotonic() - started
    wrong = [
        f"session {i} turn {t}: {question!r} wanted {expected}, got {reply[:80]!r}"
        for i, turns in enumerate(results)
        for t, (question, expected, reply) in enumerate(turns, 1)
        if expected not in reply
    ]
    assert sum(len(turns) for turns in results) == CLIENTS * QUESTIONS_PER_CLIENT
    assert not wrong, "\n".join(wrong)
    print(f"{CLIENTS} sessions x {QUESTIONS_PER_CLIENT} questions in {elapsed:.1f} s")


# -- upload ------------------------------------------------------------------------------------
def handle_file(path):
    from gradio_client import handle_file

    return handle_file(path)


def _upload(client, paths, timeout=CALL_TIMEOUT * 3):
    status, facts, docs = client.submit(files=[handle_file(str(p)) for p in paths], api_name="/upload").result(timeout=timeout)
    return status, facts, docs


def _document_count(docs) -> int:
    return len(docs["data"]) if isinstance(docs, dict) else len(docs)


BROKEN_FILES = [
    ("broken.pdf", b"%PDF-1.7\nthis is not really a pdf\n"),
    ("empty.txt", b""),
    ("binary.txt", b"\x00\x01\x02\xff\xfe" * 200),
    ("broken.docx", b"PK\x03\x04 not a zip"),
]


@pytest.mark.parametrize("name, content", BROKEN_FILES)
def test_a_broken_upload_is_reported_and_the_index_is_kept(url, tmp_path, name, content):
    client = _client(url)
    before = _upload(client, [])[2]
    path = tmp_path / name
    path.write_bytes(content)
    status, facts, docs = _upload(client, [path])
    assert "失敗: " in status and "失敗 1 件" in status
    assert name.split(".")[0] in status
    assert _document_count(docs) == _document_count(before)
    assert "1,160百万円" in _chat(client, "SICORPの令和4年度予算額は？")[0]


def test_an_unsupported_file_type_is_refused_with_a_message(url, tmp_path):
    from gradio_client.exceptions import AppError

    client = _client(url)
    before = _upload(client, [])[2]
    path = tmp_path / "report.exe"
    path.write_bytes(b"MZ\x90\x00 not a document")
    with pytest.raises(AppError, match=r"\.txt.*\.md.*\.pdf"):  # refused before it reaches kotae
        _upload(client, [path])
    assert _document_count(_upload(client, [])[2]) == _document_count(before)


def test_an_uploaded_document_can_be_asked_about_at_once(url, tmp_path):
    path = tmp_path / "zeta_program.md"
    path.write_text(  # a budget box laid out like the bundled corpus's
        "# ZETA国際共同研究プログラム\n\n◇ZETA国際共同研究プログラム\n"
        "令和4年度予算額(案)：777百万円（前年度予算額：700百万円）\n\n相手国との国際共同研究を推進する。\n",
        encoding="utf-8",
    )
    client = _client(url)
    before = _document_count(_upload(client, [])[2])
    status, facts, docs = _upload(client, [path])
    assert status.startswith("取り込みました"), status
    assert _document_count(docs) == before + 1
    reply, sources = _chat(client, "ZETA国際共同研究プログラムの令和4年度予算額は？")
    assert "777百万円" in reply
    assert "zeta_program.md" in sources


def test_questions_are_answered_while_an_upload_is_being_ingested(url, tmp_path):
    from pathlib import Path

    from assistant.settings import bundled_corpus_dir

    corpus = next(bundled_corpus_dir().glob("*.txt")).read_text(encoding="utf-8").replace("\f", "\n")
    path = tmp_path / "long_report.txt"  # a few hundred passages to embed: seconds of ingest
    path.write_text("\n".join(f"# 第{i}部\n{corpus}" for i in range(16)), encoding="utf-8")
    uploader, asker = _client(url), _client(url)
    _chat(asker, "SICORPの令和4年度予算額は？")  # a warm session
    upload = uploader.submit(files=[handle_file(str(Path(path)))], api_name="/upload")
    time.sleep(0.5)  # let the ingest start
    waits = []
    for _ in range(3):
        started = time.monotonic()
        reply, _ = _chat(asker, "SATREPSの令和4年度予算額はいくら？", timeout=30)
        waits.append(time.monotonic() - started)
        assert "1,826百万円" in reply
    assert not upload.done(), f"the upload finished before the questions; it cannot show they were not blocked ({waits})"
    status, facts, docs = upload.result(timeout=CALL_TIMEOUT * 3)
    assert status.startswith("取り込みました"), status
    print(f"answers during the upload took {', '.join(f'{w:.2f}' for w in waits)} s")


# -- nothing leaves the machine ------------------------------------------------------------------
def _is_local(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, (bytes, str)) and str(host).startswith("/"):
        return True  # a Unix socket
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return str(host) in {"localhost"}


def _raw_chat(base: str, message: str) -> str:
    """One /chat call through Gradio's HTTP API (POST the data, read the event stream)."""
    request = urllib.request.Request(
        f"{base}/gradio_api/call/chat",
        data=json.dumps({"data": [message]}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=CALL_TIMEOUT) as response:
        event_id = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{base}/gradio_api/call/chat/{event_id}", timeout=CALL_TIMEOUT) as response:
        stream = response.read().decode("utf-8")
    event, data = None, None
    for line in stream.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "complete":
            data = json.loads(line.split(":", 1)[1])
    assert data is not None, stream[:500]
    return data[0]


def test_an_in_process_launch_makes_no_outbound_connection(index_copy, monkeypatch):
    from assistant.core import Assistant
    from assistant.ui import build_app, launch

    home, index = index_copy
    seen: list = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(self, address):
        seen.append(("connect", address))
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        seen.append(("resolve", host))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("KOTAE_HOME", str(home))
    monkeypatch.delenv("GRADIO_ANALYTICS_ENABLED", raising=False)
    demo = build_app(Assistant.load(index), uploads_dir=home / "uploads-inproc")
    port = free_port()
    try:
        launch(demo, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
        # plain HTTP, not gradio_client: only the app's own traffic is under test here
        reply = _raw_chat(f"http://127.0.0.1:{port}", "SICORPの令和4年度予算額は？")
        time.sleep(1.0)  # let any background start-up request (version check, telemetry) happen
    finally:
        demo.close()

    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert seen, "the recorder saw no connection at all; it is not hooked in"
    outbound = [entry for entry in seen if not _is_local(entry[1])]
    assert not outbound, outbound
    assert "1,160百万円" in reply
