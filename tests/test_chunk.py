"""chunk_document and split_sentences on the bundled corpus and small Japanese inputs.

Morpheme boundaries come from MeCab with unidic-lite 1.0.8.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest.chunk import chunk_document, heading_of_line, morpheme_spans, split_sentences
from ingest.models import RawDocument
from ingest.normalize import normalize_document

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "mext_r4_international_sti.txt"


def _doc(*pages: str, paged: bool = True, source: str = "t.txt"):
    data = "\f".join(pages).encode("utf-8")
    raw = RawDocument(
        source=source, title="t", pages=pages, paged=paged,
        content_hash=hashlib.sha256(data).hexdigest(), media_type="text/plain",
    )
    return normalize_document(raw)


@pytest.fixture(scope="module")
def corpus_doc():
    return _doc(*CORPUS.read_text(encoding="utf-8").split("\f"), source=str(CORPUS))


@pytest.fixture(scope="module", params=[200, 300, 400])
def corpus_chunks(request, corpus_doc):
    return request.param, chunk_document(corpus_doc, max_chars=request.param, overlap=40)


# ---------------------------------------------------------------------------------------------
# Invariants on the corpus at three chunk sizes
# ---------------------------------------------------------------------------------------------


def test_chunk_text_is_the_span_of_the_document(corpus_doc, corpus_chunks):
    _, chunks = corpus_chunks
    assert chunks
    for chunk in chunks:
        assert corpus_doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()


def test_no_chunk_is_longer_than_max_chars(corpus_chunks):
    max_chars, chunks = corpus_chunks
    assert max(len(c.text) for c in chunks) <= max_chars


def test_chunks_never_cross_a_page_and_carry_its_number(corpus_doc, corpus_chunks):
    _, chunks = corpus_chunks
    for chunk in chunks:
        assert "\f" not in chunk.text
        assert chunk.page == corpus_doc.page_at(chunk.start) == corpus_doc.page_at(chunk.end)
    assert {c.page for c in chunks} == {1, 2, 3, 4, 5, 6}


def test_chunks_cover_every_sentence(corpus_doc, corpus_chunks):
    _, chunks = corpus_chunks
    for page in corpus_doc.pages:
        page_chunks = [c for c in chunks if c.page == page.number]
        for start, end in split_sentences(corpus_doc.text[page.start : page.end]):
            start, end = start + page.start, end + page.start
            covered = [c for c in page_chunks if c.start <= start and end <= c.end]
            pieces = [c for c in page_chunks if start <= c.start < end or start < c.end <= end]
            assert covered or pieces, corpus_doc.text[start:end]


def test_consecutive_chunks_overlap_by_at_most_the_overlap(corpus_chunks):
    _, chunks = corpus_chunks
    overlaps = []
    for before, after in zip(chunks, chunks[1:]):
        if before.page != after.page:
            continue
        assert after.start > before.start and after.end > before.end
        overlaps.append(max(0, before.end - after.start))
    assert max(overlaps) <= 40
    assert sum(1 for o in overlaps if o > 0) >= len(overlaps) // 4  # overlap does happen


def test_chunk_ids_number_the_chunks_of_the_document(corpus_doc, corpus_chunks):
    _, chunks = corpus_chunks
    assert [c.chunk_id for c in chunks] == [f"{corpus_doc.doc_id}:{n:05d}" for n in range(len(chunks))]
    assert {(c.doc_id, c.source) for c in chunks} == {(corpus_doc.doc_id, str(CORPUS))}


def test_smaller_chunks_make_more_chunks(corpus_doc):
    counts = [len(chunk_document(corpus_doc, max_chars=n)) for n in (200, 300, 400)]
    assert counts[0] > counts[1] > counts[2]


# ---------------------------------------------------------------------------------------------
# Where figures land: page numbers and headings (real corpus facts)
# ---------------------------------------------------------------------------------------------

PAGE_CASES = [
    ("プログラム(SICORP) 令和4年度予算額(案) 1,160百万円", 2),  # 1,160百万円 right after SICORP
    ("令和4年度予算額(案):1,160百万円(前年度予算額:1,078百万円)", 1),  # the page-1 list
    ("グローバルに活躍する若手研究者の育成等 令和4年度予算額(案) 7,471百万円", 4),
    ("新規採用人数(見込み):178人", 4),
    ("支援額:5百万円～1億円/年・課題", 2),
    ("受入人数:約2,760人", 4),
    ("令和3年度補正予算額(案) 110億円", 6),
]


@pytest.mark.parametrize(("needle", "page"), PAGE_CASES)
def test_chunks_holding_a_figure_are_on_its_page(corpus_doc, needle, page):
    chunks = [c for c in chunk_document(corpus_doc) if needle in c.text]
    assert chunks, needle
    assert {c.page for c in chunks} == {page}


HEADING_CASES = [
    ("科研費に新種目「国際先導研究」を創設し", "科学研究費助成事業「国際先導研究」の創設による国際共同研究の抜本的強化", 6),
    ("7,471百万円", "グローバルに活躍する若手研究者の育成等 令和4年度予算額(案) 7,471百万円", 4),
    ("世界トップレベル研究者になった研究者は若手", "背景・課題", 3),
]


@pytest.mark.parametrize(("needle", "heading", "page"), HEADING_CASES)
def test_chunk_heading_is_the_nearest_heading_above(corpus_doc, needle, heading, page):
    chunk = next(c for c in chunk_document(corpus_doc) if needle in c.text)
    assert (chunk.heading, chunk.page) == (heading, page)


def test_a_chunk_starting_at_a_bullet_title_takes_it_as_heading():
    doc = _doc("概要\n○海外特別研究員事業\n博士の学位を有する優れた若手研究者に対し所定の資金を支給する。")
    chunks = chunk_document(doc, max_chars=40, overlap=0)
    assert [(c.text, c.heading) for c in chunks] == [
        ("概要\n○海外特別研究員事業", "概要"),
        ("博士の学位を有する優れた若手研究者に対し所定の資金を支給する。", "海外特別研究員事業"),
    ]


HEADING_LINES = [
    ("# 戦略的国際共同研究プログラム", "戦略的国際共同研究プログラム"),
    ("## 事業概要 ##", "事業概要"),
    ("◇グローバルに活躍する若手研究者の育成等", "グローバルに活躍する若手研究者の育成等"),
    ("○海外特別研究員事業", "海外特別研究員事業"),
    ("■ 相応の基盤を有する研究の加速", "相応の基盤を有する研究の加速"),
    ("【事業スキーム】", "【事業スキーム】"),
    ("背景・課題", "背景・課題"),
    ("○新奇な機能性ハイブリッド型フォールダマー・ペプチドを創出。", None),  # a sentence
    ("○低コストな次世代型太陽電池の実用化に大きく前進し、SDGsへの貢献が期待される", None),
    ("支援額:2百万円程度/件", None),
    ("(イメージ図)", None),
    ("令和4年度予算額(案) 50百万円", None),
    ("国 JSPS", None),
]


@pytest.mark.parametrize(("line", "heading"), HEADING_LINES)
def test_heading_of_line(line, heading):
    assert heading_of_line(line) == heading


def test_markdown_headings_become_chunk_headings():
    doc = _doc("# 事業の手引き\n\n## 支援内容\n\n支援額は最大5億円。\n\n## 支援期間\n\n7年。", paged=False)
    chunks = chunk_document(doc, max_chars=20, overlap=0)
    assert [(c.heading, c.page) for c in chunks if "7年。" in c.text] == [("支援期間", None)]
    assert [c.heading for c in chunks if "5億円" in c.text] == ["支援内容"]


# ---------------------------------------------------------------------------------------------
# Long sentences, morphemes, overlap, arguments
# ---------------------------------------------------------------------------------------------

LONG_SENTENCE = (
    "国際頭脳循環への参画と研究ネットワークの構築を牽引すべく相手国との協働による国際共同研究の共同公募を"
    "強力に推進し我が国の国際共同研究の強化を着実に図るとともに若手研究者の海外派遣と交流を推進する"
) * 4


def test_a_sentence_longer_than_a_chunk_is_cut_between_morphemes():
    doc = _doc(LONG_SENTENCE, paged=False)
    chunks = chunk_document(doc, max_chars=60, overlap=0)
    assert len(chunks) >= len(LONG_SENTENCE) // 60
    bounds = {s for s, _ in morpheme_spans(LONG_SENTENCE)} | {e for _, e in morpheme_spans(LONG_SENTENCE)}
    for chunk in chunks:
        assert len(chunk.text) <= 60
        assert chunk.start in bounds and chunk.end in bounds
    assert "".join(c.text for c in chunks) == LONG_SENTENCE


def test_a_long_sentence_is_cut_after_a_comma_when_there_is_one():
    sentence = "研究者の海外派遣と交流を計画的かつ継続的に支援し、" + "国際共同研究を推進する" * 6 + "。"
    chunks = chunk_document(_doc(sentence, paged=False), max_chars=40, overlap=0)
    assert chunks[0].text == "研究者の海外派遣と交流を計画的かつ継続的に支援し、"
    assert all(len(c.text) <= 40 for c in chunks)


def test_overlap_repeats_whole_trailing_sentences():
    text = "一つ目の文です。二つ目の文です。三つ目の文です。四つ目の文です。五つ目の文です。"
    chunks = chunk_document(_doc(text, paged=False), max_chars=20, overlap=10)
    assert [c.text for c in chunks] == [
        "一つ目の文です。二つ目の文です。",
        "二つ目の文です。三つ目の文です。",
        "三つ目の文です。四つ目の文です。",
        "四つ目の文です。五つ目の文です。",
    ]
    no_overlap = chunk_document(_doc(text, paged=False), max_chars=20, overlap=0)
    assert [c.text for c in no_overlap] == ["一つ目の文です。二つ目の文です。", "三つ目の文です。四つ目の文です。", "五つ目の文です。"]


def test_no_overlap_when_the_last_sentence_is_longer_than_the_overlap():
    text = "これはとても長い一つ目の文章になっています。短い文。"
    chunks = chunk_document(_doc(text, paged=False), max_chars=25, overlap=5)
    assert [c.text for c in chunks] == ["これはとても長い一つ目の文章になっています。", "短い文。"]


def test_unpaged_documents_give_chunks_without_page():
    chunks = chunk_document(_doc("梅雨\n梅雨は雨季の一種である。", paged=False))
    assert [(c.page, c.heading, c.text) for c in chunks] == [(None, "梅雨", "梅雨\n梅雨は雨季の一種である。")]


def test_empty_pages_give_no_chunks_but_keep_later_page_numbers():
    chunks = chunk_document(_doc("一頁目の文。", "", "三頁目の文。"))
    assert [(c.page, c.text) for c in chunks] == [(1, "一頁目の文。"), (3, "三頁目の文。")]


@pytest.mark.parametrize(("max_chars", "overlap"), [(0, 0), (100, -1), (100, 100), (50, 80)])
def test_bad_sizes_are_refused_with_the_rule(max_chars, overlap):
    with pytest.raises(ValueError, match="max_chars|overlap"):
        chunk_document(_doc("本文。"), max_chars=max_chars, overlap=overlap)


# ---------------------------------------------------------------------------------------------
# split_sentences
# ---------------------------------------------------------------------------------------------

SENTENCE_CASES = [
    ("支援額は5百万円。事業期間は3年。", ["支援額は5百万円。", "事業期間は3年。"]),
    ("「採択された。」次に進む", ["「採択された。」", "次に進む"]),
    ("本当ですか？はい！", ["本当ですか?", "はい!"]),
    ("支援対象機関:大学\n(前年度予算額 1,078百万円)", ["支援対象機関:大学", "(前年度予算額 1,078百万円)"]),
    ("約1.5倍に増加。概ね20～25%", ["約1.5倍に増加。", "概ね20～25%"]),
    ("論文を発表した.次の段落", ["論文を発表した.", "次の段落"]),
    ("It was accepted. Then it grew.", ["It was accepted.", "Then it grew."]),
    ("Dr. Patryk Sofia LYKAWKA (平成19年度)", ["Dr. Patryk Sofia LYKAWKA (平成19年度)"]),
    ("一頁\f二頁", ["一頁", "二頁"]),
    ("  \n  ", []),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCE_CASES)
def test_split_sentences(text, expected):
    from ingest.normalize import normalize_text

    text = normalize_text(text)
    assert [text[s:e] for s, e in split_sentences(text)] == expected
