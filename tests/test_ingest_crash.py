"""Crash safety and the writer lock, with real `kotae ingest` processes.

kill -9 at seeded random moments (and once exactly while the new version is being written)
leaves the previous index loadable with all its documents, and the next ingest succeeds; two
concurrent ingests on one index: one fails with a one-line "being written by another `kotae
ingest`" error (exit 2), neither corrupts the index.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.indexer import Indexer
from index.store import IndexStore

ROOT = Path(__file__).resolve().parent.parent
SEED = 20240401
KILL_RUNS = 3
PROGRAMS = ["国際共同研究", "研究拠点形成", "海外特別研究員", "若手研究者派遣", "留学生支援", "地球環境研究", "科学技術外交", "産学連携"]


def _generate(folder: Path, count: int, seed: int) -> list[Path]:
    """`count` one-sentence Japanese budget notes, each with distinct content."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        program = rng.choice(PROGRAMS)
        text = f"資料{i}号：{program}事業の令和{rng.randint(1, 6)}年度予算額は{rng.randint(10, 9999):,}百万円である。"
        path = folder / f"note{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _start_ingest(folder: Path, index: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", str(folder), "--index", str(index), "-q"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)


def _assert_loadable_and_consistent(index: Path):
    data = IndexStore(index).read()
    assert data.manifest.documents == len(data.documents)
    assert data.manifest.chunks == len(data.chunks) == len(data.lexical)
    assert data.manifest.facts == len(data.facts)
    assert sorted(data.dense.rows.tolist()) == sorted(sc.row for sc in data.chunks)
    assert {sc.chunk.doc_id for sc in data.chunks} == {r.document.doc_id for r in data.documents.values()}
    return data


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """An index of 2 documents, and a folder of 200 new ones to ingest into copies of it."""
    root = tmp_path_factory.mktemp("crash")
    previous = _generate(root / "previous", 2, seed=SEED + 1)
    index = root / "base_index"
    report = Indexer(index).add_paths(previous)
    assert len(report.added) == 2
    new = root / "new"
    _generate(new, 200, seed=SEED)
    return {"root": root, "index": index, "previous": [str(p) for p in previous], "new": new}


def _copy_index(base, name: str) -> Path:
    target = base["root"] / name
    shutil.copytree(base["index"], target)
    return target


def test_kill_9_at_random_moments_leaves_the_previous_index_loadable(base):
    rng = random.Random(SEED)
    delays = [round(rng.uniform(0.5, 9.0), 2) for _ in range(KILL_RUNS)]
    crashed = []
    for run, delay in enumerate(delays):
        index = _copy_index(base, f"killed_{run}")
        process = _start_ingest(base["new"], index)
        time.sleep(delay)
        _kill(process)
        data = _assert_loadable_and_consistent(index)
        assert set(base["previous"]) <= set(data.documents), f"run {run}, killed after {delay} s"
        # all or nothing: the old version or the whole new one (if the run finished first) is live
        assert len(data.documents) in (2, 202), f"run {run}, killed after {delay} s: {len(data.documents)} documents"
        crashed.append(index)

    # The next ingest into a killed index takes the lock (the kernel released it) and completes.
    report = Indexer(crashed[-1]).add_paths([base["new"]])
    assert not report.failed
    data = _assert_loadable_and_consistent(crashed[-1])
    assert len(data.documents) == 202
    leftovers = [p.name for p in crashed[-1].iterdir() if p.name.startswith((".staging", "v"))]
    assert len(leftovers) == 1  # the live version only: the crash's partial output was cleaned up


def test_kill_9_while_the_new_version_is_being_written_leaves_the_previous_one_live(base):
    index = _copy_index(base, "killed_in_write")
    before = set(os.listdir(index))
    process = _start_ingest(base["new"], index)
    deadline = time.monotonic() + 120
    appeared: set[str] = set()
    while time.monotonic() < deadline and process.poll() is None and not appeared:
        appeared = set(os.listdir(index)) - before - {".lock", "CURRENT.tmp"}  # .staging-v…, then v…
        time.sleep(0.002)
    was_running = process.poll() is None
    _kill(process)
    assert appeared and was_running, "the ingest finished before its new version was seen being written"
    data = _assert_loadable_and_consistent(index)
    assert set(base["previous"]) <= set(data.documents)
    assert len(data.documents) in (2, 202)


def test_an_ingest_while_another_holds_the_lock_fails_with_one_line(base):
    index = _copy_index(base, "locked")
    version = (index / "CURRENT").read_text()
    held = IndexStore(index).lock()
    try:
        process = _start_ingest(base["new"], index)
        _, stderr = process.communicate(timeout=120)
    finally:
        held.release()
    assert process.returncode == 2
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "being written by another `kotae ingest`" in lines[0], stderr
    assert (index / "CURRENT").read_text() == version
    assert len(_assert_loadable_and_consistent(index).documents) == 2


def test_two_concurrent_ingests_one_fails_clearly_neither_corrupts(base):
    index = _copy_index(base, "concurrent")
    first = _generate(base["root"] / "first", 3, seed=SEED + 2)
    second = _generate(base["root"] / "second", 3, seed=SEED + 3)
    runs = [_start_ingest(first[0].parent, index), _start_ingest(second[0].parent, index)]
    results = [(p, *p.communicate(timeout=180)) for p in runs]
    codes = sorted(p.returncode for p, _, _ in results)
    assert codes in ([0, 0], [0, 2]), [(p.returncode, err) for p, _, err in results]
    expected = set(base["previous"])
    for (process, _, stderr), files in zip(results, (first, second)):
        if process.returncode == 0:
            expected |= {str(f) for f in files}
        else:
            lines = [line for line in stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and "being written by another `kotae ingest`" in lines[0], stderr
    data = _assert_loadable_and_consistent(index)
    assert set(data.documents) == expected
