"""Loading files: the loader registry, content sniffing, and the plain-text and Markdown loaders.

`load_document` checks a path (exists, a regular file, readable, not empty, not over the size
limit), reads its bytes once, picks a loader by content (magic bytes first, then the extension)
and returns a `RawDocument`. PDF, HTML and DOCX loaders live in their own modules (`ingest.pdf`,
`ingest.html`, `ingest.word`), imported only when such a file is loaded.
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import importlib.util
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ingest.errors import IngestError
from ingest.models import RawDocument

Loader = Callable[[Path, bytes], RawDocument]
"""A loader reads one file's bytes: `load(path, data) -> RawDocument`."""

TEXT = "text/plain"
MARKDOWN = "text/markdown"
HTML = "text/html"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".txt": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".html": HTML,
    ".htm": HTML,
    ".pdf": PDF,
    ".docx": DOCX,
}
"""The extensions a folder walk picks up, and the media type each one implies."""

_HEAD_BYTES = 4096  # what sniffing looks at

# ---------------------------------------------------------------------------------------------
# Text decoding
# ---------------------------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_JAPANESE_LEGACY = ("cp932", "euc_jp")  # cp932 is Shift_JIS as Windows writes it (a superset)
_ISO2022_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b$(D")
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f\ufffd]")


def decode_text(data: bytes, path: str = "") -> str:
    """Decode a text file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Shift_JIS
    (CP932), EUC-JP or ISO-2022-JP, detected with charset_normalizer and checked to read as
    Japanese.

    Args:
        data: the file's bytes.
        path: the file's name, for error messages.

    Returns:
        The text, line ends as in the file.

    Raises:
        IngestError: the bytes are binary (NUL bytes, control characters) or decode as no
            known encoding.

    Example:
        >>> decode_text("予算額は1,160百万円".encode("cp932"))
        '予算額は1,160百万円'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as err:
                raise _undecodable(path, f"it starts with a {encoding} byte-order mark but is not valid {encoding} ({err.reason} at byte {err.start})") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _binary(path, f"it contains NUL bytes (the first at byte {nul:,})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if any(esc in data for esc in _ISO2022_ESCAPES):
            try:
                return data.decode("iso2022_jp_ext")
            except UnicodeDecodeError:
                pass
        if _control_share(text) > 0.01:
            raise _binary(path, "more than 1% of it are control characters")
        return text
    return _decode_legacy(data, path)


def _decode_legacy(data: bytes, path: str) -> str:
    """Shift_JIS/CP932 or EUC-JP, whichever reads as Japanese; else another legacy encoding
    charset_normalizer is confident of (e.g. cp1252 for a European text)."""
    best_japanese: tuple[float, str] | None = None
    for encoding in _JAPANESE_LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _control_share(text) > 0.01:
            continue
        score = _japanese_score(text)
        if best_japanese is None or score > best_japanese[0]:
            best_japanese = (score, text)
    if best_japanese is not None and best_japanese[0] >= _JAPANESE_MIN_SCORE:
        return best_japanese[1]
    from charset_normalizer import from_bytes  # only files that are not Japanese pay for the import

    guess = from_bytes(data).best()
    if guess is not None and guess.encoding.replace("-", "_").lower() not in _JAPANESE_NAMES:
        text = str(guess)
        if _control_share(text) <= 0.01:
            return text
    if best_japanese is not None:
        raise _undecodable(path, "it decodes as Shift_JIS or EUC-JP only into text that does not read as Japanese")
    raise _undecodable(path, "it is not valid UTF-8, Shift_JIS (CP932) or EUC-JP")


_JAPANESE_NAMES = {
    "cp932", "ms932", "mskanji", "shift_jis", "sjis", "shift_jis_2004", "shift_jisx0213",
    "euc_jp", "euc_jis_2004", "euc_jisx0213", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2",
    "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext",
}
_JAPANESE_MIN_SCORE = 0.6
_SCORE_CHARS = 20_000


def _japanese_score(text: str) -> float:
    """Share of the non-ASCII characters that are everyday Japanese: kana, Japanese punctuation
    and full-width forms, and JIS level-1 kanji (half-width katakana count half).

    Decoding with the wrong one of Shift_JIS/EUC-JP yields half-width katakana and rare kanji.
    """
    total = 0
    common = 0.0
    for ch in text[:_SCORE_CHARS]:
        if ch.isascii():
            continue
        total += 1
        if "\u3000" <= ch <= "\u30ff" or "\uff01" <= ch <= "\uff5e":
            common += 1
        elif "\uff61" <= ch <= "\uff9f":
            common += 0.5
        elif "\u4e00" <= ch <= "\u9fff" and _jis_level1(ch):
            common += 1
    return common / total if total else 1.0


def _jis_level1(ch: str) -> bool:
    """Whether a kanji is in JIS X 0208 level 1 (the 2,965 common kanji): Shift_JIS 0x889F-0x9872."""
    try:
        code = ch.encode("cp932")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0x889F <= (code[0] << 8 | code[1]) <= 0x9872


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    return len(_BAD_CONTROL.findall(text[:100_000])) / min(len(text), 100_000)


def _binary(path: str, why: str) -> IngestError:
    return IngestError(path, f"binary file, not text: {why}", "give a text, Markdown, HTML, PDF or DOCX file")


def _undecodable(path: str, why: str) -> IngestError:
    return IngestError(path, f"cannot read the text: {why}", "re-save the file as UTF-8")


# ---------------------------------------------------------------------------------------------
# Text and Markdown loaders
# ---------------------------------------------------------------------------------------------


def _pages(text: str) -> tuple[tuple[str, ...], bool]:
    """Split text into pages at form feeds (pdftotext's convention); a final form feed ends the
    last page rather than starting an empty one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" not in text:
        return (text,), False
    pages = text.split("\f")
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    return tuple(pages), True


def _check_has_text(path: Path, text: str) -> None:
    if not text.strip():
        raise IngestError(str(path), "the file contains no text (only spaces or line breaks)", "check that it is the file you meant")


def load_text(path: Path, data: bytes) -> RawDocument:
    """Load a plain-text file; form feeds split pages (`paged=True`), else one page.

    Example:
        >>> load_text(Path("予算.txt"), "1ページ\\f2ページ\\f".encode()).pages
        ('1ページ', '2ページ')
    """
    text = decode_text(data, str(path))
    _check_has_text(path, text)
    pages, paged = _pages(text)
    return RawDocument(
        source=str(path),
        title=Path(path).stem,
        pages=pages,
        paged=paged,
        content_hash=hashlib.sha256(data).hexdigest(),
        media_type=TEXT,
    )


_MARKDOWN_TITLE = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def load_markdown(path: Path, data: bytes) -> RawDocument:
    """Load a Markdown file as text; its title is the first "# " heading, else the file's stem.

    Example:
        >>> load_markdown(Path("a.md"), "前文\\n# 事業概要\\n本文".encode()).title
        '事業概要'
    """
    text = decode_text(data, str(path))
    _check_has_text(path, text)
    pages, paged = _pages(text)
    match = _MARKDOWN_TITLE.search(text)
    return RawDocument(
        source=str(path),
        title=match.group(1).strip() if match else Path(path).stem,
        pages=pages,
        paged=paged,
        content_hash=hashlib.sha256(data).hexdigest(),
        media_type=MARKDOWN,
    )


# ---------------------------------------------------------------------------------------------
# Registry and sniffing
# ---------------------------------------------------------------------------------------------

LOADERS: dict[str, Loader | str] = {
    TEXT: load_text,
    MARKDOWN: load_markdown,
    HTML: "ingest.html",
    PDF: "ingest.pdf",
    DOCX: "ingest.word",
}
"""Media type -> loader. A string names a module whose `load(path, data)` is the loader; it is
imported on first use, so a format whose module (or library) is missing fails only for its files."""

# Binary formats recognized by their first bytes, to say what a file is when it is refused.
_BINARY_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "a PNG image"),
    (b"\xff\xd8\xff", "image/jpeg", "a JPEG image"),
    (b"GIF87a", "image/gif", "a GIF image"),
    (b"GIF89a", "image/gif", "a GIF image"),
    (b"II*\x00", "image/tiff", "a TIFF image"),
    (b"MM\x00*", "image/tiff", "a TIFF image"),
    (b"\x1f\x8b", "application/gzip", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "application/vnd.rar", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage", "a legacy Office file (.doc/.xls/.ppt)"),
    (b"\x7fELF", "application/x-executable", "an executable"),
    (b"SQLite format 3\x00", "application/vnd.sqlite3", "an SQLite database"),
    (b"ID3", "audio/mpeg", "an MP3 file"),
)
_BINARY_LABELS = {media: label for _, media, label in _BINARY_MAGIC} | {
    "application/zip": "a ZIP archive (not a Word document)",
    "application/octet-stream": "binary data",
}
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_OCTET_STREAM = "application/octet-stream"


def sniff_media_type(path: Path, head: bytes) -> str:
    """The media type of a file: magic bytes first, then the extension, then a text check.

    Args:
        path: the file (its extension; a ZIP is opened to look for word/document.xml).
        head: the file's first bytes (4 KiB is plenty).

    Returns:
        A key of `LOADERS` for a readable format; otherwise the type it was recognized as
        ("image/png", "application/zip", …) or "application/octet-stream".

    Example:
        >>> sniff_media_type(Path("report.txt"), b"%PDF-1.7 ..."), sniff_media_type(Path("notes"), "メモ".encode())
        ('application/pdf', 'text/plain')
    """
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(path) else "application/zip"
    for magic, media, _ in _BINARY_MAGIC:
        if head.startswith(magic):
            return media
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    body = head
    if head.startswith(_BOMS[0][0]):
        body = head[3:]
    elif head.startswith((_BOMS[1][0], _BOMS[2][0])):  # UTF-16: look at it decoded
        body = head.decode("utf-16", errors="ignore").encode("utf-8")
    if _HTML_START.match(body):
        return HTML
    by_extension = SUPPORTED_EXTENSIONS.get(Path(path).suffix.lower())
    if by_extension is not None:
        return by_extension
    if head.startswith(tuple(bom for bom, _ in _BOMS)) or _looks_like_text(head):
        return TEXT
    return _OCTET_STREAM


def _is_docx(path: Path) -> bool:
    """A ZIP holding word/document.xml; or any ZIP named .docx (its loader says what is broken)."""
    if Path(path).suffix.lower() == ".docx":
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 3:  # not just a character cut at the end of the head
            try:
                text = head.decode("cp932")
            except UnicodeDecodeError:
                try:
                    text = head.decode("euc_jp")
                except UnicodeDecodeError:
                    return False
        else:
            text = head[: err.start].decode("utf-8")
    return _control_share(text) <= 0.01


def _supported_list() -> str:
    available = [ext for ext, media in SUPPORTED_EXTENSIONS.items() if _available(media)]
    return " ".join(available)


def _available(media_type: str) -> bool:
    loader = LOADERS.get(media_type)
    if loader is None:
        return False
    if not isinstance(loader, str):
        return True
    try:
        return importlib.util.find_spec(loader) is not None
    except (ImportError, ValueError):
        return False


def get_loader(media_type: str, path: str = "") -> Loader:
    """The loader for a media type, importing its module on first use.

    Raises:
        IngestError: the type has no loader, or its module or a library it needs is missing.

    Example:
        >>> get_loader("text/plain").__name__
        'load_text'
    """
    loader = LOADERS.get(media_type)
    if loader is None:
        label = _BINARY_LABELS.get(media_type, media_type)
        raise IngestError(
            path,
            f"unsupported file type: {label} ({media_type}); supported: {_supported_list()}",
            "convert it to one of the supported formats",
        )
    if not isinstance(loader, str):
        return loader
    try:
        module = importlib.import_module(loader)
    except ModuleNotFoundError as err:
        if err.name == loader:
            raise IngestError(
                path,
                f"unsupported file type: {media_type} (this installation has no {loader} loader); supported: {_supported_list()}",
                "convert it to one of the supported formats",
            ) from None
        raise IngestError(
            path,
            f"reading {media_type} needs the Python package {err.name!r}, which is not installed",
            "reinstall kotae with `pip install -e .`",
        ) from None
    load = getattr(module, "load", None)
    if not callable(load):
        raise IngestError(path, f"the {loader} module has no load(path, data) function", "report this as a bug")
    return load


# ---------------------------------------------------------------------------------------------
# Loading one file
# ---------------------------------------------------------------------------------------------


def _stat(path: Path) -> os.stat_result:
    """stat() the path with a clear error for every way it can fail."""
    name = str(path)
    try:
        return os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            target = os.readlink(path)
            raise IngestError(name, f"a symbolic link to a missing file ({target})", "fix or remove the link") from None
        raise IngestError(name, "no such file", "check the path") from None
    except PermissionError:
        raise IngestError(name, "no permission to reach the file", "check the folder's permissions (or run as a user who can read it)") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise IngestError(name, "a symbolic link loop (the link points back to itself)", "fix the link so it ends at a real file") from None
        if err.errno == errno.ENAMETOOLONG:
            raise IngestError(name, "the path is too long", "move the file to a shorter path") from None
        raise IngestError(name, f"cannot read the file's metadata ({err.strerror})", "check the path") from None


def load_document(path: Path, *, max_bytes: int | None = None) -> RawDocument:
    """Read one file into a `RawDocument`, choosing its loader by content.

    Checks before reading: the path exists and is a regular file (not a folder, a broken or
    looping link, a device), it is not empty, and it is not larger than `max_bytes`. Then the
    bytes are read once, the media type sniffed (`sniff_media_type`), and the loader for it run.
    `source` is the path as given, `content_hash` the sha256 of the bytes.

    Args:
        path: the file.
        max_bytes: refuse larger files (the setting `KOTAE_MAX_FILE_MB`); None for no limit.

    Returns:
        The loaded document.

    Raises:
        IngestError: with the file's path, what is wrong, and what to do.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "予算.txt").write_text("SICORP 1,160百万円", encoding="utf-8")
        >>> raw = load_document(folder / "予算.txt")
        >>> raw.title, raw.pages, raw.paged
        ('予算', ('SICORP 1,160百万円',), False)
    """
    name = str(path)
    path = Path(path)
    info = _stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise IngestError(name, "is a folder, not a file", "name the files, or pass the folder to `kotae ingest` to read every supported file in it")
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(name, "not a regular file (a device, pipe or socket)", "give a regular file")
    if info.st_size == 0:
        raise IngestError(name, "the file is empty (0 bytes)", "check that it is the file you meant")
    if max_bytes is not None and info.st_size > max_bytes:
        raise _too_large(name, info.st_size, max_bytes)
    try:
        with open(path, "rb") as handle:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except PermissionError:
        raise IngestError(name, "no read permission", f"allow reading it (e.g. `chmod u+r {name}`) or run as its owner") from None
    except IsADirectoryError:
        raise IngestError(name, "is a folder, not a file", "name the files inside it") from None
    except OSError as err:
        raise IngestError(name, f"cannot read the file ({err.strerror or err})", "check the file and the disk") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)  # the file grew while we looked
    if not data:
        raise IngestError(name, "the file is empty (0 bytes)", "check that it is the file you meant")
    media_type = sniff_media_type(path, data[:_HEAD_BYTES])
    if media_type not in LOADERS:
        label = _BINARY_LABELS.get(media_type, media_type)
        raise IngestError(
            name,
            f"unsupported file type: binary file ({label}); supported: {_supported_list()}",
            "convert it to one of the supported formats",
        )
    raw = get_loader(media_type, name)(path, data)
    # Whichever loader ran, the document names the path as given and hashes these exact bytes.
    return raw.model_copy(update={"source": name, "content_hash": hashlib.sha256(data).hexdigest()})


def _too_large(name: str, size: int, max_bytes: int) -> IngestError:
    mb = 1024 * 1024
    limit_mb = max_bytes / mb
    suggest = max(1, int(size / mb) + 1)
    return IngestError(
        name,
        f"the file is {size / mb:,.1f} MB, larger than the {limit_mb:g} MB limit",
        f"raise the limit with the setting KOTAE_MAX_FILE_MB (e.g. KOTAE_MAX_FILE_MB={suggest}) or split the file",
    )


# ---------------------------------------------------------------------------------------------
# Walking folders
# ---------------------------------------------------------------------------------------------


def iter_supported_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to ingest: named files as they are, and every supported file under named folders.

    Folders are walked in sorted order; hidden files and folders (".name") are skipped; symbolic
    links to folders are followed once (a folder already walked, e.g. through a link loop, is not
    walked again); only extensions in `SUPPORTED_EXTENSIONS` are picked up. A file named
    explicitly is yielded whatever its extension (or even if missing, so loading it reports why).
    Each file is yielded once.

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> for name in ("b.md", "a.txt", ".hidden.txt", "image.png"):
        ...     _ = (root / name).write_text("x")
        >>> [p.name for p in iter_supported_files([root])]
        ['a.txt', 'b.md']
    """
    seen_files: set[str] = set()
    seen_dirs: set[tuple[int, int]] = set()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _walk(path, seen_files, seen_dirs)
        else:
            key = os.path.realpath(path)
            if key not in seen_files:
                seen_files.add(key)
                yield path


def _walk(folder: Path, seen_files: set[str], seen_dirs: set[tuple[int, int]]) -> Iterator[Path]:
    try:
        info = os.stat(folder)
    except OSError:
        return
    key = (info.st_dev, info.st_ino)
    if key in seen_dirs:
        return
    seen_dirs.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as err:
        raise IngestError(str(folder), f"cannot list the folder ({err.strerror})", "check the folder's permissions") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = folder / entry.name
        try:
            is_dir = entry.is_dir()  # follows symbolic links; a loop or a broken link is neither
            is_file = not is_dir and entry.is_file()
        except OSError:
            continue
        if is_dir:
            yield from _walk(child, seen_files, seen_dirs)
        elif is_file and child.suffix.lower() in SUPPORTED_EXTENSIONS:
            real = os.path.realpath(child)
            if real not in seen_files:
                seen_files.add(real)
                yield child
