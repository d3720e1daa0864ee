"""Value types that cross stage borders: what ingest produces and an index stores.

Every model is frozen: stages pass values, never mutate them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RawDocument(_Frozen):
    """A file as a loader read it: text per page, before normalization.

    Example:
        >>> RawDocument(source="a.txt", title="a", pages=("本文",), paged=False, content_hash="0" * 64, media_type="text/plain").pages
        ('本文',)
    """

    source: str
    title: str
    pages: tuple[str, ...]
    paged: bool = Field(description="True when the file has real pages (PDF, or text with form feeds)")
    content_hash: str = Field(description="sha256 of the file's bytes")
    media_type: str

    @classmethod
    def unpaged(cls, path: object, title: str, text: str, data: bytes, media_type: str) -> "RawDocument":
        """A document with no page structure (HTML, DOCX): one page, hashed from the file's bytes.

        Example:
            >>> RawDocument.unpaged("a.html", "a", "本文", b"<p>x</p>", "text/html").paged
            False
        """
        import hashlib

        return cls(
            source=str(path),
            title=title,
            pages=(text,),
            paged=False,
            content_hash=hashlib.sha256(data).hexdigest(),
            media_type=media_type,
        )


class Page(_Frozen):
    """One page's span in a document's normalized text."""

    number: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Document(_Frozen):
    """A normalized document.

    `text` is the normalized text of all pages, each page's span given by `pages`
    (pages are separated by a single form feed). `source_offsets` maps normalized
    offsets back to offsets in the loader's page text: sorted anchor pairs
    (normalized offset, raw offset), one at least at every kept line start.
    """

    doc_id: str
    source: str
    title: str
    text: str
    pages: tuple[Page, ...]
    paged: bool
    content_hash: str
    media_type: str = "text/plain"
    source_offsets: tuple[tuple[int, int], ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding `offset`, or None for an unpaged document."""
        if not self.paged:
            return None
        for page in self.pages:
            if page.start <= offset <= page.end:
                return page.number
        return self.pages[-1].number if self.pages else None


class Chunk(_Frozen):
    """A bounded span of one page of a document: the unit that is indexed and cited."""

    chunk_id: str
    doc_id: str
    source: str
    title: str
    page: int | None
    start: int = Field(ge=0, description="offset of the chunk in the document's normalized text")
    end: int = Field(ge=0)
    text: str
    heading: str = ""


class Citation(_Frozen):
    """A passage an answer rests on (public contract)."""

    source: str
    title: str
    page: int | None
    text: str
    start: int
    end: int
    score: float = 0.0
    highlight_start: int | None = Field(
        default=None, description="offset, within `text`, of the span that answers the question"
    )
    highlight_end: int | None = None


class Fact(_Frozen):
    """A figure-bearing statement extracted from a document (public contract).

    Example:
        >>> Fact(subject="SICORP", attribute="令和4年度予算額(案)", value="1,160百万円",
        ...      amount_yen=1_160_000_000, fiscal_year="令和4年度",
        ...      citation=Citation(source="a.txt", title="a", page=2, text="…", start=0, end=1)).amount_yen
        1160000000
    """

    subject: str
    attribute: str
    value: str
    amount_yen: int | None = None
    fiscal_year: str | None = None
    citation: Citation
    # Extensions beyond the contract (issue 4): how the figure reads as numbers and how sure the subject is.
    amount_yen_min: int | None = None
    amount_yen_max: int | None = None
    quantity: float | None = Field(default=None, description="a count or duration as a number (人, 件, 年 …)")
    quantity_max: float | None = None
    unit: str | None = Field(default=None, description="unit of `quantity` (人, 件, 年, か月, 週間 …) or 円")
    per: str | None = Field(default=None, description="what the figure is per, e.g. '年・課題', '件'")
    qualifier: str | None = Field(default=None, description="約 / 最大 / 程度 / 以上 … as written")
    subject_assignment: str = Field(default="explicit", description="explicit | inferred | unassigned")
    confidence: float = 1.0
    doc_id: str = ""
