"""The synthetic corpus generator behind the scale benchmark (eval/synth.py): sizes, determinism, facts."""

import random
import re

import pytest

from eval.synth import (
    PROGRAM_SLOT,
    SentenceBank,
    SyntheticCorpus,
    acronym,
    reroll_digits,
    split_sentences,
)

TINY_BANK = SentenceBank(
    mext_text="戦略的国際共同研究プログラム（SICORP）の予算を計上する。\n\n若手研究者の海外派遣を支援する。",
    wiki_bodies=["富士山は日本一高い山である。琵琶湖は日本最大の湖である。"],
)


@pytest.fixture(scope="module")
def corpus():
    return SyntheticCorpus(seed=7, pages_per_doc=10)


@pytest.mark.parametrize("n_pages, expected_docs", [(0, 0), (1, 1), (10, 1), (11, 2), (45, 5)])
def test_documents_hold_exactly_the_pages_asked_for(corpus, n_pages, expected_docs):
    docs = corpus.documents(n_pages)
    assert len(docs) == expected_docs
    assert sum(len(d.pages) for d in docs) == n_pages


def test_same_seed_gives_the_same_text_and_another_seed_other_text():
    a = SyntheticCorpus(seed=1).documents(60)
    b = SyntheticCorpus(seed=1).documents(60)
    c = SyntheticCorpus(seed=2).documents(60)
    assert a == b
    assert [d.pages for d in a] != [d.pages for d in c]


def test_a_smaller_corpus_is_the_beginning_of_a_larger_one(corpus):
    small = corpus.documents(25)
    large = corpus.documents(60)
    assert small[:2] == large[:2]
    assert small[2].pages == large[2].pages[:5]  # the truncated last document is a prefix


def test_pages_are_japanese_non_empty_and_below_the_chunk_size(corpus):
    for doc in corpus.documents(200):
        assert doc.paged and doc.source.startswith("synth/doc")
        for page in doc.pages:
            assert 0 < len(page) <= corpus.max_page_chars
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", page)


def test_content_hash_differs_between_documents(corpus):
    hashes = [d.content_hash for d in corpus.documents(200)]
    assert len(set(hashes)) == len(hashes)


def test_every_fact_is_written_on_its_page_with_program_and_acronym(corpus):
    docs = {d.source: d for d in corpus.documents(120)}
    facts = corpus.facts(120)
    per_program = corpus.pages_per_program
    assert len(facts) == sum(-(-len(d.pages) // per_program) for d in docs.values())  # one per program
    for fact in facts:
        page = docs[fact.source].pages[fact.page - 1]
        assert f"{fact.program}（{fact.acronym}）" in page
        assert f"{fact.fiscal_year}予算額(案) {fact.value}" in page


def test_questions_name_a_unique_acronym_and_point_at_the_answer_page(corpus):
    docs = {d.source: d for d in corpus.documents(120)}
    questions = corpus.questions(120, 20)
    assert len(questions) == 20
    for q in questions:
        assert q.question.endswith("予算額は？")
        acr = re.search(r"[A-Z]{5}", q.question).group(0)
        page = docs[q.source].pages[q.page - 1]
        assert acr in page and q.value in page
        mentions = [d.source for d in docs.values() if f"（{acr}）\n" in "\f".join(d.pages)]
        assert mentions == [q.source]


def test_acronyms_are_unique_over_many_programs():
    codes = [acronym(i) for i in range(50_000)]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z]{5}", c) for c in codes[:100])


def test_program_names_vary_across_the_corpus(corpus):
    names = {f.program for f in corpus.facts(400)}
    assert len(names) >= 50


@pytest.mark.parametrize(
    "text, shape",
    [
        ("1,160百万円", r"[1-9],\d{3}百万円"),
        ("令和4年度予算額", r"令和[1-9]年度予算額"),
        ("５百万円～1億円/年・課題", r"[1-9]百万円～[1-9]億円/年・課題"),
        ("支援期間：３年間", r"支援期間：[1-9]年間"),
        ("数字なし", r"数字なし"),
    ],
)
def test_reroll_digits_keeps_the_shape_of_a_figure(text, shape):
    out = reroll_digits(text, random.Random(0))
    assert re.fullmatch(shape, out)


def test_reroll_digits_changes_figures_between_draws():
    rng = random.Random(0)
    assert len({reroll_digits("1,160百万円", rng) for _ in range(20)}) > 10


@pytest.mark.parametrize(
    "text, expected",
    [
        ("予算を計上す\nる。研究者を支援する。", ["予算を計上する。", "研究者を支援する。"]),  # a line the export broke
        ("○海外特別研究員事業\n○外国人研究者招へい事業", ["○海外特別研究員事業", "○外国人研究者招へい事業"]),  # bullets stay apart
        ("第一頁に書かれた文。\f第二頁に書かれた文。", ["第一頁に書かれた文。", "第二頁に書かれた文。"]),
        ("English only.\n\n短い", []),  # no Japanese / shorter than 8 characters
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_bundled_program_names_become_the_program_slot():
    assert TINY_BANK.mext[0] == f"{PROGRAM_SLOT}の予算を計上する。"


def test_the_default_bank_has_both_sources_and_no_bundled_program_names():
    bank = SentenceBank()
    assert len(bank.mext) > 100 and len(bank.wiki) > 1000
    assert not any("SICORP" in s or "SATREPS" in s for s in bank.mext)


@pytest.mark.parametrize("share, present, absent", [(1.0, "計上する", "富士山"), (0.0, "富士山", "計上する")])
def test_mext_share_decides_where_sentences_come_from(share, present, absent):
    pages = [p for d in SyntheticCorpus(seed=0, mext_share=share, bank=TINY_BANK).documents(30) for p in d.pages]
    text = "\n".join(pages)
    assert present in text and absent not in text


def test_write_puts_pages_between_form_feeds(corpus, tmp_path):
    paths = corpus.write(tmp_path, 15)
    assert [p.name for p in paths] == ["doc000000.txt", "doc000001.txt"]
    assert paths[1].read_text(encoding="utf-8").count("\f") == 4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"pages_per_doc": 0}, "pages_per_doc must be at least 1"),
        ({"pages_per_program": 0}, "pages_per_program must be at least 1"),
        ({"mext_share": 1.5}, "mext_share must be in [0, 1]"),
        ({"min_page_chars": 300, "max_page_chars": 200}, "min_page_chars <= max_page_chars"),
    ],
)
def test_bad_settings_are_refused_with_the_rule(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        SyntheticCorpus(**kwargs)


def test_negative_page_count_is_refused(corpus):
    with pytest.raises(ValueError, match="n_pages must be >= 0"):
        corpus.documents(-1)
