"""The assistant: a loaded index that answers questions with cited passages and exact facts."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from assistant.answer import Answer
from assistant.retrieve import Hit, Retriever, to_citation
from assistant.settings import KotaeSettings, bundled_corpus_dir
from index.fusion import Ranker
from index.store import IndexStore
from ingest.errors import KotaeError
from ingest.models import Citation

MAX_QUESTION_CHARS = 2000


def check_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise KotaeError("the question is empty; ask something, e.g. 'SICORPの令和4年度予算額は？'")
    if len(question) > MAX_QUESTION_CHARS:
        raise KotaeError(
            f"the question has {len(question)} characters, more than the {MAX_QUESTION_CHARS} allowed; shorten it"
        )
    return question.strip()


class Assistant:
    """Answers questions over one index.

    Example:
        >>> bot = Assistant.load("path/to/index")            # doctest: +SKIP
        >>> bot.search("海外特別研究員の採用人数", k=3)[0].page  # doctest: +SKIP
        4
    """

    def __init__(self, directory: Path, retriever: Retriever) -> None:
        self.directory = directory
        self.retriever = retriever
        self._facts_index = None

    @property
    def data(self):
        return self.retriever.data

    @classmethod
    def load(cls, index_dir: str | Path) -> "Assistant":
        """Load the index made by `kotae ingest` at `index_dir`."""
        directory = Path(index_dir)
        data = IndexStore(directory).read()
        return cls(directory, Retriever(data))

    @classmethod
    def default(cls, settings: KotaeSettings | None = None) -> "Assistant":
        """`KOTAE_INDEX` if set, else the bundled corpus's index (built into KOTAE_HOME on first use)."""
        settings = settings or KotaeSettings()
        if settings.index is not None:
            return cls.load(settings.index)
        return cls.load(ensure_bundled_index(settings))

    # -- retrieval ----------------------------------------------------------------
    def hits(self, query: str, k: int = 10, *, ranker: Ranker | str = Ranker.HYBRID) -> list[Hit]:
        return self.retriever.search(query, k, ranker)

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        ranker: Ranker | str = Ranker.HYBRID,
        history: list[dict] | None = None,
    ) -> list[Citation]:
        """Ranked passages for `query`, best first; for a figure question, the passages stating the
        figure first (from the structured facts), then the ranker's.

        Args:
            query: the question or keywords.
            k: how many passages (> 0).
            ranker: "bm25", "dense" or "hybrid".
            history: earlier chat turns; a follow-up is resolved against them first.
        """
        query = check_question(query)
        if k <= 0:
            raise KotaeError(f"k must be greater than 0. Currently, k is {k}")
        from assistant.compose import fact_citations, merge_citations

        resolution = self._resolve(query, history)
        hits = self.hits(resolution.question, k, ranker=ranker)
        passages = [to_citation(hit, resolution.question) for hit in hits]
        # The line stating an asked-for figure comes first: facts know which program a figure
        # belongs to even where the page layout puts the program's name far from it.
        return merge_citations(fact_citations(self, resolution, hits), passages)[:k]

    # -- answering ----------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None, *, ranker: Ranker | str = Ranker.HYBRID) -> Answer:
        """Answer `question` from the documents, citing the passages and facts it rests on."""
        from assistant.compose import compose_answer

        question = check_question(question)
        resolution = self._resolve(question, history)
        return compose_answer(self, question, resolution, ranker=Ranker.parse(ranker))

    def warm_up(self) -> None:
        """Build now what the first questions would otherwise each build once: the encoder, the facts
        index with its gazetteer's match tables, and the corpus text that names are checked against (at
        100k chunks these took 0.3–3.5 s each, on whichever question first needed them)."""
        self.retriever.warm_up()
        self.facts_index.warm_up()
        _ = self.retriever.normalized_corpus
        self.retriever.chunks_on(set())

    def _resolve(self, question: str, history: list[dict] | None):
        from assistant.conversation import resolve_followup

        return resolve_followup(question, history or [], self.facts_index)

    @property
    def facts_index(self):
        """The facts of this index with their subject gazetteer, built once."""
        if self._facts_index is None:
            from assistant.facts import FactsIndex

            documents = [record.document for record in self.data.documents.values()]
            self._facts_index = FactsIndex.build(self.data.facts, documents)
        return self._facts_index


# -- the default index -------------------------------------------------------------
_default_lock = threading.Lock()
_default: dict[str, Assistant] = {}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "model"


def ensure_bundled_index(settings: KotaeSettings) -> Path:
    """Build the bundled corpus's index in KOTAE_HOME on first use (or when kotae's ingest code changed)."""
    import shutil

    from assistant.indexer import Indexer, pipeline_fingerprint

    directory = Path(settings.home) / "indexes" / f"bundled-{_slug(settings.model)}"
    store = IndexStore(directory)
    corpus_files = sorted(str(p) for p in bundled_corpus_dir().glob("*.txt"))
    if store.exists():
        try:
            manifest = store.read_manifest()
            documents = set(store.read(with_dense=False).documents)
            if manifest.pipeline == pipeline_fingerprint() and set(corpus_files) == documents:
                return directory
        except KotaeError:
            pass
        lock = store.lock(timeout=600)
        try:
            for version in directory.glob("v[0-9]*"):
                shutil.rmtree(version, ignore_errors=True)
            (directory / "CURRENT").unlink(missing_ok=True)
        finally:
            lock.release()
    Indexer(directory, settings, lock_timeout=600).add_paths([Path(p) for p in corpus_files])
    return directory


def default_assistant() -> Assistant:
    """The process-wide assistant behind `ask()`: loaded once, reused."""
    settings = KotaeSettings()
    key = str(settings.index) if settings.index else f"bundled:{settings.home}:{settings.model}"
    with _default_lock:
        if key not in _default:
            _default[key] = Assistant.default(settings)
        return _default[key]


def ask(question: str, history: list[dict] | None = None) -> Answer:
    """Answer a question over the default index (KOTAE_INDEX, or the bundled corpus).

    Example:
        >>> ask("SICORPの令和4年度予算額は？").citations[0].page   # doctest: +SKIP
        2
    """
    return default_assistant().ask(question, history)
