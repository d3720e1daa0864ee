"""CLI error exits: one line on stderr, exit status 2, no traceback."""

import subprocess
import sys

import pytest


def run_kotae(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_help_does_not_import_torch_or_gradio():
    code = (
        "import sys; from assistant.cli import build_parser; build_parser();"
        "print(sorted(m for m in ('torch','gradio','sentence_transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["search", "予算", "--index", "/nonexistent/kotae-index"], ["does not exist", "kotae ingest"]),
        (["ask", "予算", "--index", "/nonexistent/kotae-index"], ["does not exist"]),
        (["ls", "--index", "/nonexistent/kotae-index"], ["does not exist"]),
        (["search", "予算", "--ranker", "tfidf"], ["invalid choice"]),
        (["frobnicate"], ["invalid choice"]),
    ],
)
def test_bad_arguments_and_missing_indexes_exit_2_with_one_line(args, fragments):
    assert_one_line_error(run_kotae(*args), *fragments)


def test_empty_question_is_refused(tmp_path):
    index = tmp_path / "idx"
    index.mkdir()
    assert_one_line_error(run_kotae("ask", "   ", "--index", str(index)), "empty")
    assert_one_line_error(run_kotae("search", "予算", "-k", "0", "--index", str(index)), "-k must be greater than 0")


def test_ingest_of_a_missing_path_exits_2_and_writes_no_index(tmp_path):
    result = run_kotae("ingest", str(tmp_path / "missing.txt"), "--index", str(tmp_path / "idx"), "-q")
    assert result.returncode == 2
    assert "missing.txt" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "idx" / "CURRENT").exists()
