"""`kotae eval`: argparse wiring only; the work is in runner.py, report.py and jsquad.py.

This module is imported whenever `kotae` builds its parser, so it imports nothing heavy at the top.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_EVAL_DIR = Path(__file__).resolve().parent
EXIT_GATE = 1
EXIT_USAGE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the `kotae eval` options to `parser`.

    Example:
        >>> p = argparse.ArgumentParser(); add_arguments(p); p.parse_args(["--ranker", "all"]).ranker
        'all'
    """
    parser.add_argument("--gold", type=Path, metavar="FILE", default=_EVAL_DIR / "gold" / "gold.jsonl",
                        help="gold questions, one JSON object a line (default: the bundled eval/gold/gold.jsonl)")
    parser.add_argument("--index", type=Path, metavar="DIR", help="index directory (default: KOTAE_INDEX or the bundled corpus)")
    parser.add_argument("--out", type=Path, metavar="DIR", default=Path("eval-report"),
                        help="where report.json, report.md and report.png go (default: ./eval-report)")
    parser.add_argument("--ranker", choices=["bm25", "dense", "hybrid", "all"], default="hybrid",
                        help="ranker to evaluate; 'all' runs the three side by side (default: hybrid)")
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="dev",
                        help="gold rows to run (default: dev). Held-out rows are for reporting only: "
                             "never tune on them, and the CI gate uses dev")
    parser.add_argument("--bench", choices=["jsquad"],
                        help="run a public retrieval benchmark instead of the gold set (jsquad: JSQuAD-valid, "
                             "indexed into a temporary directory)")
    parser.add_argument("--limit", type=int, metavar="N",
                        help="--bench only: score this many questions, evenly spread (default: all 4,442)")
    parser.add_argument("--gate", action="store_true",
                        help="exit with status 1 when a threshold in --thresholds is missed (the CI gate)")
    parser.add_argument("--ratchet", action="store_true",
                        help="after the run, tighten the bounds in --thresholds to what this run measured (minus one "
                             "question's worth); never loosens one. Use on the dev split when the system improved")
    parser.add_argument("--thresholds", type=Path, metavar="FILE", default=_EVAL_DIR / "thresholds.json",
                        help="the gate's thresholds (default: eval/thresholds.json)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar on stderr")


def run(args: argparse.Namespace, bot=None) -> int:
    """Runs the evaluation `args` ask for; returns the exit status.

    0: done (and the gate passed, with --gate); 1: --gate and a threshold missed; 2: bad input
    (a one-line message on stderr). `bot` replaces the assistant (tests pass a fake).

    Example:
        >>> p = argparse.ArgumentParser(); add_arguments(p)
        >>> run(p.parse_args(["--index", "idx", "--ranker", "all", "--out", "out"]))  # doctest: +SKIP
        0
    """
    from ingest.errors import KotaeError

    try:
        if args.limit is not None and args.limit < 1:
            raise KotaeError(f"--limit must be at least 1. Currently, it is {args.limit}")
        if args.limit is not None and args.bench is None:
            raise KotaeError("--limit applies to --bench only (the gold set always runs in full)")
        if args.bench == "jsquad":
            return _run_bench(args)
        return _run_gold(args, bot)
    except KotaeError as exc:
        sys.stderr.write(f"kotae: {exc}\n")
        return EXIT_USAGE


def _rankers(choice: str) -> list[str]:
    return ["bm25", "dense", "hybrid"] if choice == "all" else [choice]


def _run_gold(args: argparse.Namespace, bot) -> int:
    from eval.report import format_table, gate_failures, load_thresholds, ratchet_thresholds, write_report
    from eval.runner import load_gold, run_gold

    thresholds = load_thresholds(args.thresholds) if args.gate or args.ratchet else None  # fail fast
    items = load_gold(args.gold, args.split)
    if bot is None:
        from assistant import Assistant

        bot = Assistant.load(args.index) if args.index is not None else Assistant.default()
    report = run_gold(bot, items, _rankers(args.ranker), gold=str(args.gold), split=args.split,
                      progress=not args.quiet)
    print(format_table(report))
    files = write_report(report, args.out)
    print(f"\nreport: {files.json_path}, {files.markdown_path}, {files.plot_path}")
    if args.ratchet:
        changes = ratchet_thresholds(args.thresholds, report)
        for change in changes:
            print(f"ratchet: {change}")
        print(f"ratchet: {len(changes)} bound(s) tightened in {args.thresholds}")
    if not args.gate:
        return 0
    failures = gate_failures(report, thresholds)
    for failure in failures:
        sys.stderr.write(f"kotae: gate: {failure}\n")
    if failures:
        return EXIT_GATE
    print(f"gate: all thresholds in {args.thresholds} met")
    return 0


def _run_bench(args: argparse.Namespace) -> int:
    from eval.jsquad import format_bench, run_jsquad, write_bench
    from ingest.errors import KotaeError

    if args.gate or args.ratchet:
        raise KotaeError("--gate and --ratchet apply to the gold set, not to --bench (drop one of them)")
    if args.index is not None:
        raise KotaeError("--index does not apply to --bench: the benchmark builds its own temporary index")
    report = run_jsquad(_rankers(args.ranker), limit=args.limit, progress=not args.quiet)
    print(format_bench(report))
    paths = write_bench(report, args.out)
    print(f"\nreport: {', '.join(str(p) for p in paths)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m eval.command …`: the same as `kotae eval …`."""
    parser = argparse.ArgumentParser(prog="kotae eval", description="Run the gold Q&A set or a benchmark.")
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except BrokenPipeError:  # `… | head`: the reader has what it wanted
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
