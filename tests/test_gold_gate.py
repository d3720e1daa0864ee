"""The CI gate: the gold eval on the dev split must meet eval/thresholds.json.

Runs every dev question through the real assistant over the bundled corpus (the session's
`bundled_bot`), with each ranker named in the thresholds. The report is written next to the test's
temporary files so a failure can be read in report.md.
"""

from __future__ import annotations

import pytest

from eval.report import gate_failures, load_thresholds, write_report
from eval.runner import load_gold, run_gold

pytestmark = pytest.mark.slow


def test_the_dev_split_meets_the_thresholds(bundled_bot, tmp_path):
    thresholds = load_thresholds()
    items = load_gold(split=thresholds.split)
    report = run_gold(bundled_bot, items, list(thresholds.rankers), gold="eval/gold/gold.jsonl",
                      split=thresholds.split)
    files = write_report(report, tmp_path)
    failures = gate_failures(report, thresholds)
    assert not failures, f"{len(failures)} threshold(s) missed (details in {files.markdown_path}):\n" + "\n".join(failures)
