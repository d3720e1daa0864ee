"""The name-reading scale script (eval/bench_names.py) runs on a small synthetic archive."""

from __future__ import annotations

from eval.bench_names import QUESTIONS, measure


def test_the_scale_script_times_the_profiles_and_every_question():
    timings = measure(40)
    assert timings[0].name.startswith("program profiles") and timings[0].again_ms is None
    assert len(timings) == 1 + 2 * len(QUESTIONS)
    assert all(t.first_ms >= 0 and (t.again_ms is None or t.again_ms >= 0) for t in timings)
