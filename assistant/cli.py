"""The `kotae` command. Each handler imports what it needs only when its command runs,
so `kotae --help` stays fast (no torch, no gradio)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other kotae error
        sys.stderr.write(f"kotae: {message} (see `kotae --help`)\n")
        raise SystemExit(EXIT_USAGE)


def _settings(args):
    from assistant.settings import KotaeSettings

    overrides = {}
    if getattr(args, "model", None):
        overrides["model"] = args.model
    return KotaeSettings(**overrides)


def _assistant(args):
    from assistant.core import Assistant, default_assistant

    if getattr(args, "index", None):
        return Assistant.load(args.index)
    return default_assistant()


def _index_dir(args) -> Path:
    if getattr(args, "index", None):
        return Path(args.index)
    settings = _settings(args)
    if settings.index is not None:
        return Path(settings.index)
    raise _UsageError("give the index directory with --index DIR (or set KOTAE_INDEX)")


class _UsageError(Exception):
    pass


# -- handlers ------------------------------------------------------------------------
def cmd_ingest(args) -> int:
    from assistant.indexer import Indexer

    indexer = Indexer(_index_dir(args), _settings(args))
    report = indexer.add_paths([Path(p) for p in args.paths], prune=args.prune, progress=not args.quiet)
    for failure in report.failed:
        sys.stderr.write(f"kotae: {failure.path}: {failure.reason}\n")
    summary = (
        f"added {len(report.added)}, replaced {len(report.replaced)}, unchanged {len(report.unchanged)}, "
        f"removed {len(report.removed)}, failed {len(report.failed)}; {report.chunks_added} chunks, "
        f"{report.facts_added} facts added"
    )
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(summary)
    ingested = report.added or report.replaced or report.unchanged or report.removed
    return EXIT_USAGE if report.failed and not ingested else 0


def cmd_ask(args) -> int:
    from assistant.core import check_question
    from assistant.render import answer_to_terminal

    check_question(args.question)
    bot = _assistant(args)
    answer = bot.ask(args.question, ranker=args.ranker)
    print(answer.model_dump_json(indent=2) if args.json else answer_to_terminal(answer))
    return 0


def cmd_search(args) -> int:
    from assistant.core import check_question

    check_question(args.query)
    if args.k <= 0:
        raise _UsageError(f"-k must be greater than 0. Currently, it is {args.k}")
    bot = _assistant(args)
    citations = bot.search(args.query, k=args.k, ranker=args.ranker)
    if args.json:
        print(json.dumps([c.model_dump() for c in citations], ensure_ascii=False, indent=2))
        return 0
    for i, c in enumerate(citations, 1):
        page = f" p.{c.page}" if c.page is not None else ""
        print(f"[{i}] {c.score:.3f} {c.title}{page}  ({c.source} {c.start}-{c.end})")
        print("    " + c.text.replace("\n", "\n    "))
    return 0


def cmd_facts(args) -> int:
    bot = _assistant(args)
    facts = bot.data.facts
    if args.subject:
        facts = [f for f in facts if args.subject.lower() in f.subject.lower()]
    if args.json:
        print(json.dumps([f.model_dump() for f in facts], ensure_ascii=False, indent=2))
        return 0
    for f in facts:
        yen = f"{f.amount_yen:,}円" if f.amount_yen is not None else ""
        page = f"p.{f.citation.page}" if f.citation.page is not None else ""
        print("\t".join([f.subject or "(unassigned)", f.attribute, f.value, yen, f.fiscal_year or "", page]))
    return 0


def cmd_ls(args) -> int:
    from index.store import IndexStore

    data = IndexStore(_index_dir(args)).read(with_dense=False)
    rows = [
        {
            "path": r.source,
            "pages": len(r.document.pages) if r.document.paged else None,
            "chunks": r.chunks,
            "facts": r.facts,
            "hash": r.document.content_hash[:12],
            "ingested_at": r.ingested_at,
        }
        for r in data.documents.values()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(f"{row['path']}\tpages={row['pages']}\tchunks={row['chunks']}\tfacts={row['facts']}\t{row['hash']}\t{row['ingested_at']}")
    return 0


def cmd_rm(args) -> int:
    from assistant.indexer import Indexer

    report = Indexer(_index_dir(args), _settings(args)).remove(args.paths)
    for failure in report.failed:
        sys.stderr.write(f"kotae: {failure.path}: {failure.reason}\n")
    print(f"removed {len(report.removed)}")
    return EXIT_USAGE if report.failed and not report.removed else 0


def cmd_serve(args) -> int:
    from assistant.ui import serve

    return serve(index=args.index, host=args.host, port=args.port)


def cmd_eval(args) -> int:
    from eval.command import run

    return run(args)


# -- parser ----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kotae", description="kotae (答え): answers over Japanese documents, with cited passages.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("ingest", help="add files or folders to an index")
    p.add_argument("paths", nargs="+", help="files or folders (.txt .md .html .pdf .docx)")
    p.add_argument("--index", help="index directory (created if missing); default KOTAE_INDEX")
    p.add_argument("--model", help="embedding model for a new index (default: use-multilingual-v3)")
    p.add_argument("--prune", action="store_true", help="remove documents whose files are no longer under PATHS")
    p.add_argument("--json", action="store_true", help="print the ingest report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler=cmd_ingest)

    for name, fn, helptext in (("ask", cmd_ask, "answer a question"), ("search", cmd_search, "rank passages")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("question" if name == "ask" else "query")
        p.add_argument("--index", help="index directory (default: KOTAE_INDEX or the bundled corpus)")
        p.add_argument("--json", action="store_true", help="print JSON only")
        p.add_argument("--ranker", default="hybrid", choices=["bm25", "dense", "hybrid"])
        if name == "search":
            p.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
        p.set_defaults(handler=fn)

    p = sub.add_parser("facts", help="list the extracted facts")
    p.add_argument("--index")
    p.add_argument("--subject", help="only facts whose subject contains this")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_facts)

    p = sub.add_parser("ls", help="list the documents in an index")
    p.add_argument("--index")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_ls)

    p = sub.add_parser("rm", help="remove documents from an index")
    p.add_argument("paths", nargs="+", help="paths as listed by `kotae ls`")
    p.add_argument("--index")
    p.set_defaults(handler=cmd_rm)

    p = sub.add_parser("serve", help="the chat UI")
    p.add_argument("--index")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("eval", help="run the gold Q&A set (or --bench jsquad) and report metrics")
    try:
        from eval.command import add_arguments
    except ImportError:  # eval is part of the package; this only guards a broken install
        add_arguments = None
    if add_arguments is not None:
        add_arguments(p)
    p.set_defaults(handler=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    from ingest.errors import KotaeError

    try:
        return int(args.handler(args) or 0)
    except (KotaeError, _UsageError, ValueError) as exc:
        sys.stderr.write(f"kotae: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("kotae: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
