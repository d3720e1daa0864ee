"""Shared fixtures: the bundled corpus's index, built once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory):
    """A fresh index of the bundled corpus with the default (offline) encoder."""
    from assistant.indexer import Indexer
    from assistant.settings import KotaeSettings, bundled_corpus_dir

    directory = tmp_path_factory.mktemp("bundled") / "index"
    report = Indexer(directory, KotaeSettings()).add_paths(sorted(bundled_corpus_dir().glob("*.txt")))
    assert report.added and not report.failed
    return directory


@pytest.fixture(scope="session")
def bundled_bot(bundled_index):
    from assistant import Assistant

    return Assistant.load(bundled_index)
