"""HTML → PDF with an embedded Chinese serif font, loading nothing from outside.

``html_to_pdf(html)`` renders with WeasyPrint and two rules:

**Fonts.** Text is set in ``Qingshou Serif`` (``FONT_FAMILY``): the Simplified Chinese face
of the system's Noto Serif CJK (regular and bold), cut down to GB 2312 (its 6,763 hanzi and
symbols) plus ASCII, Latin-1, CJK and general punctuation, full-width forms and the common
symbol blocks: 8,600 characters, 2.8 MB per weight instead of the 26 MB collection.
WeasyPrint subsets the font it embeds for every document, and a small source font makes
that, and loading it, cheap. A character outside the small font (names such as
堃 喆 镕 罍) falls back, glyph by glyph, to the full system face, the next family of
``FONT_STACK``; such a document embeds both fonts and costs a little more. Every font is
embedded (subset) in the PDF.

The small fonts are built once (about 10 s per weight with fontTools) and cached in
``font_cache_dir()``: ``$QINGSHOU_FONT_CACHE`` if set, else ``$XDG_CACHE_HOME/qingshou/fonts``,
else ``~/.cache/qingshou/fonts``. The first PDF of a machine builds them unless set-up did it
(``python -m cases.documents.pdf``). The build holds a lock file and writes through a
temporary file renamed into place, so concurrent processes never see half a font. The file
name carries a digest of the source font (path, size, mtime) and the character set: an
upgraded system font or a changed character set builds new files (old ones are left for
processes still running the old code; delete them by hand).

``html_to_pdf`` adds a user stylesheet that declares the font and sets ``FONT_STACK`` on
``html``; a template that sets ``font-family`` itself must name ``FONT_STACK`` too, or it
falls to the slower system fonts.

**Resources.** The URL fetcher (``LocalOnlyURLFetcher``) serves ``data:`` URLs and files
under ``ASSETS_DIR`` (``cases/documents/assets/``, also the default base URL for relative
references) and the font cache. Any other URL — http, https, ftp, ``file:`` elsewhere,
``..`` or a symlink leading out — is refused without being opened, and the rendering stops:
``html_to_pdf`` raises ``PdfResourceError`` naming the URL. A document never renders with
a resource silently missing.

Each thread keeps one WeasyPrint font configuration with the fonts registered, so the
fonts are read and scanned once per thread, not once per document (about 35 ms saved per
document). An ``@font-face`` a document declares itself stays registered there too.

Speed needs WeasyPrint to subset with HarfBuzz (libharfbuzz-subset ≥ 4.1, Debian package
libharfbuzz-subset0). Without it WeasyPrint falls back to fontTools and warns; a two-page
document then takes seconds even with the small font (``benchmarks/pdf_cjk.py --fonttools``).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit
from urllib.request import url2pathname

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: concurrent builds just duplicate work
    fcntl = None

FONT_FAMILY = "Qingshou Serif"
SYSTEM_FAMILY = "Noto Serif CJK SC"
FONT_STACK = f'"{FONT_FAMILY}", "{SYSTEM_FAMILY}", serif'
WEIGHTS = {"normal": "Regular", "bold": "Bold"}  # CSS font-weight → name table style
ASSETS_DIR = Path(__file__).resolve().parent / "assets"

# Where the system font is usually found when fontconfig's fc-list is not there.
_KNOWN_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-{style}.ttc",  # Debian, Ubuntu
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-{style}.ttc",  # Arch
    "/usr/share/fonts/google-noto-serif-cjk-fonts/NotoSerifCJK-{style}.ttc",  # Fedora
)
_BUILD_VERSION = "2"  # bump when the subsetting options change
# OpenType features left out of the small font: other languages' glyph forms (the SC face's
# cmap already gives the Simplified ones) and vertical writing, which documents do not use.
# Without them the font has 8,600 glyphs instead of 14,500: 2.8 MB, built in 10 s.
_DROPPED_FEATURES = frozenset(
    {"locl", "vert", "vrt2", "valt", "vhal", "vkrn", "vpal", "vchw", "vjmo"}
)


class PdfResourceError(Exception):
    """The HTML refers to a resource a PDF may not load, or that could not be loaded."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"PDF resource {url[:200]!r}: {reason}")


class FontUnavailableError(RuntimeError):
    """The system has no Noto Serif CJK SC to build the embedded font from."""


# --- character set -----------------------------------------------------------------------


def _gb2312() -> set[int]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


@cache
def charset() -> frozenset[int]:
    """The code points of the small font: GB 2312 and the symbols legal documents use."""
    blocks = (
        (0x0020, 0x007F),  # ASCII
        (0x00A0, 0x0100),  # Latin-1: ¥ § ° ± × ÷ ·
        (0x2010, 0x2060),  # general punctuation: — ‘ ’ “ ” … ‰ ※
        (0x2100, 0x2200),  # letterlike, number forms, arrows: ℃ № Ⅰ Ⅻ →
        (0x2460, 0x2600),  # enclosed alphanumerics, box drawing, shapes: ① ⑴ ─ □ ■ ○ ●
        (0x2600, 0x2700),  # symbols: ★ ☆ ☑
        (0x3000, 0x3040),  # CJK punctuation: 、 。 〇 《 》 【 】 〔 〕
        (0x3200, 0x3400),  # enclosed CJK, CJK compatibility: ㈠ ㊣ ㎡ ㎏
        (0xFF00, 0xFFF0),  # full-width forms: ， ： （ ） ￥
    )
    chars = _gb2312()
    for start, stop in blocks:
        chars.update(range(start, stop))
    return frozenset(chars)


# --- the small fonts ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Face:
    path: Path
    index: int  # face number in a .ttc collection, 0 for a plain font file
    style: str


def font_cache_dir() -> Path:
    """Where the small fonts live (see the module docstring)."""
    if explicit := os.environ.get("QINGSHOU_FONT_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "qingshou" / "fonts"


def _candidate_files(style: str) -> Iterator[Path]:
    fc_list = shutil.which("fc-list")
    if fc_list:
        out = subprocess.run(  # noqa: S603 - fixed arguments, absolute path
            [fc_list, "--format", "%{file}\n", f"{SYSTEM_FAMILY}:style={style}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
        yield from (Path(line) for line in out.splitlines() if line)
    yield from (Path(pattern.format(style=style)) for pattern in _KNOWN_FONT_FILES)


@cache
def _find_face(style: str) -> _Face:
    """The system's Noto Serif CJK SC face of ``style``; looked up once per process."""
    for path in _candidate_files(style):
        if not path.is_file():
            continue
        fonts = TTCollection(path, lazy=True).fonts if path.suffix == ".ttc" else [TTFont(path)]
        for index, font in enumerate(fonts):
            names = font["name"]
            if (names.getDebugName(1), names.getDebugName(2)) == (SYSTEM_FAMILY, style):
                return _Face(path.resolve(), index, style)
    raise FontUnavailableError(
        f"no {SYSTEM_FAMILY} {style} on this system: install the Debian package "
        "fonts-noto-cjk (scripts/bootstrap.sh --system)"
    )


@cache
def _recipe_digest() -> str:
    recipe = repr((sorted(charset()), _BUILD_VERSION))
    return hashlib.sha256(recipe.encode()).hexdigest()


def _target(face: _Face) -> Path:
    stat = face.path.stat()
    key = repr((str(face.path), face.index, stat.st_size, stat.st_mtime_ns, _recipe_digest()))
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return font_cache_dir() / f"QingshouSerif-{face.style}-{digest}.otf"


@contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover
        yield
        return
    with (directory / ".build.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _subset(face: _Face, target: Path) -> None:
    # recalcBBoxes=False keeps the full font's bounding boxes (a superset, harmless) and
    # saves two thirds of the build time, spent drawing every glyph to measure it.
    font = TTFont(
        face.path, fontNumber=face.index, lazy=True, recalcBBoxes=False, recalcTimestamp=False
    )
    options = subset.Options()
    options.layout_features = [
        tag for tag in options.layout_features if tag not in _DROPPED_FEATURES
    ]
    options.name_IDs = ["*"]  # keep copyright and licence (SIL OFL) records
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=charset())
    subsetter.subset(font)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            font.save(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the service may run as another user
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_fonts() -> dict[str, Path]:
    """Make sure the small fonts exist; return CSS weight → font file. Safe to run anywhere."""
    paths = {}
    for weight, style in WEIGHTS.items():
        face = _find_face(style)
        target = _target(face)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with _build_lock(target.parent):
                if not target.exists():  # another process may have built it meanwhile
                    _subset(face, target)
        paths[weight] = target
    return paths


# --- URL fetcher ---------------------------------------------------------------------------


class LocalOnlyURLFetcher(URLFetcher):
    """Serves ``data:`` URLs and files under ``roots``; refuses everything else unopened."""

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=True)
        self.roots = tuple(Path(root).resolve() for root in roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme not in ("data", "file"):
            self._refuse(url, "only data: URLs and Qingshou's own asset files may be loaded")
        try:
            if scheme == "data":
                return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler
            return self._file(url)
        except PdfResourceError:
            raise
        except Exception as exc:
            raise PdfResourceError(url, f"could not be loaded: {exc}") from exc

    def _file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, "file URL on another host")
        path = Path(url2pathname(parts.path)).resolve()  # follows ``..`` and symlinks
        if not any(path.is_relative_to(root) for root in self.roots):
            self._refuse(url, f"file outside {', '.join(map(str, self.roots))}")
        if not path.is_file():
            raise PdfResourceError(url, "no such file")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def _refuse(self, url: str, reason: str) -> NoReturn:
        self.refused.append(url)
        raise PdfResourceError(url, f"refused: {reason}")


# --- rendering -----------------------------------------------------------------------------


_local = threading.local()


def _font_css(fonts: dict[str, Path]) -> str:
    faces = "".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'src: url("{path.as_uri()}"); }}\n'
        for weight, path in fonts.items()
    )
    return f"{faces}html {{ font-family: {FONT_STACK}; }}\n"


def _font_setup(fonts: dict[str, Path]) -> tuple[FontConfiguration, CSS]:
    """This thread's font configuration with the small fonts registered, and its stylesheet.

    Pango font maps are not thread-safe, hence one per thread; reused across documents so
    that the 2.8 MB fonts are read, copied and scanned by fontconfig once, not per document.
    """
    state = getattr(_local, "state", None)
    if state is None or state[0] != fonts:
        font_config = FontConfiguration()
        css = CSS(
            string=_font_css(fonts),
            font_config=font_config,
            url_fetcher=LocalOnlyURLFetcher([font_cache_dir()]),
        )
        state = _local.state = (fonts, font_config, css)
    return state[1], state[2]


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render ``html`` to PDF bytes (see the module docstring for fonts and resources).

    Relative URLs resolve against ``base_url``, by default ``ASSETS_DIR``. Raises
    ``PdfResourceError`` when the document refers to anything but ``data:`` URLs and files
    under ``ASSETS_DIR``, and ``FontUnavailableError`` when the system has no Noto Serif CJK.
    """
    fonts = build_fonts()
    document = HTML(
        string=html,
        base_url=base_url if base_url is not None else ASSETS_DIR.as_uri() + "/",
        url_fetcher=LocalOnlyURLFetcher([ASSETS_DIR, font_cache_dir()]),
    )
    try:
        font_config, font_css = _font_setup(fonts)
        return document.write_pdf(stylesheets=[font_css], font_config=font_config)
    except FatalURLFetchingError as exc:  # a BaseException: never let it escape as such
        if isinstance(exc.__cause__, PdfResourceError):
            raise exc.__cause__ from None
        url = str(exc).removeprefix('Error fetching "').removesuffix('"')
        raise PdfResourceError(url, f"could not be loaded: {exc.__cause__}") from exc


if __name__ == "__main__":
    for weight, path in build_fonts().items():
        print(f"{weight}: {path} ({path.stat().st_size:,} bytes)")
