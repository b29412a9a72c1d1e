"""HTML → PDF: embedded Chinese fonts, rare characters, and a fetcher that loads nothing outside.

Speed is measured by ``benchmarks/pdf_cjk.py``, never asserted here. The first test of a fresh
machine builds the small fonts into the user's font cache (about 35 s, once).
"""

from __future__ import annotations

import base64
import io
import re
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from cases.documents import pdf as pdf_module
from cases.documents.pdf import (
    FONT_STACK,
    LocalOnlyURLFetcher,
    PdfResourceError,
    build_fonts,
    charset,
    html_to_pdf,
)

RARE = "堃喆镕罍"
PARAGRAPH = (
    "债务人浙江嘉禾物流有限公司于二〇二三年三月十五日向债权人借款人民币壹佰贰拾万元整，"
    "约定年利率百分之四点三五，借款到期后仅归还部分利息，经多次催收仍未履行还款义务；"
    "保证人对上述债务承担连带保证责任。"
)


def page(body: str, style: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>'
        f"@page {{ size: A4; margin: 20mm }} body {{ font-size: 12pt }} {style}"
        f"</style></head><body>{body}</body></html>"
    )


def two_page_summary(debtor_rep: str = "王建国", guarantor: str = "李志强") -> str:
    rows = "".join(
        f"<tr><td>JK-2023-{n:04d}</td><td>流动资金借款</td><td>{n * 100_000:,}.00</td></tr>"
        for n in range(1, 9)
    )
    paragraphs = "".join(f"<p>{PARAGRAPH}</p>" for _ in range(14))
    return page(
        f"<h1>案件摘要 QS-2026-000123</h1>"
        f"<p>法定代表人：{debtor_rep}；保证人：{guarantor}</p>"
        f"<table>{rows}</table>{paragraphs}",
        style="td { border: 0.5pt solid black; padding: 2pt }",
    )


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def text_of(reader: PdfReader) -> str:
    return re.sub(r"\s", "", "".join(p.extract_text() for p in reader.pages))


def fonts_of(reader: PdfReader) -> dict[str, dict]:
    """Base font name without its subset tag (``ABCDEF+``) → font descriptor."""
    fonts = {}
    for pdf_page in reader.pages:
        for ref in pdf_page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"].split("+", 1)[1]] = descriptor.get_object()
    return fonts


def assert_embedded(fonts: dict[str, dict]) -> None:
    for name, descriptor in fonts.items():
        files = [key for key in ("/FontFile2", "/FontFile3") if key in descriptor]
        assert files, f"{name} is not embedded"
        assert len(descriptor[files[0]].get_object().get_data()) > 1000, name


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


# --- fonts ----------------------------------------------------------------------------------


def test_two_page_summary_embeds_the_small_font_and_its_text_is_extractable():
    reader = read(html_to_pdf(two_page_summary()))

    assert len(reader.pages) == 2
    fonts = fonts_of(reader)
    assert set(fonts) == {"Qingshou-Serif", "Qingshou-Serif-Bold"}  # no system font needed
    assert_embedded(fonts)
    text = text_of(reader)
    assert "案件摘要QS-2026-000123" in text
    assert "法定代表人：王建国；保证人：李志强" in text
    assert text.count(PARAGRAPH) == 14


def test_characters_outside_the_small_font_come_from_the_full_system_font():
    assert not any(ord(char) in charset() for char in RARE)  # the premise of this test
    html = page(
        f"<h1>罍城{RARE}</h1><p>法定代表人王堃，保证人李喆、朱镕，承办人陈罍。</p>",
        style=f"h1 {{ font-family: {FONT_STACK} }}",
    )

    reader = read(html_to_pdf(html))

    text = text_of(reader)
    assert f"罍城{RARE}" in text  # bold
    assert "法定代表人王堃，保证人李喆、朱镕，承办人陈罍。" in text  # regular
    fonts = fonts_of(reader)
    assert {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"} <= set(fonts)
    assert "Qingshou-Serif" in fonts
    assert_embedded(fonts)


def test_fonts_are_built_once_atomically_even_when_threads_race(tmp_path, monkeypatch):
    cache = tmp_path / "fonts"
    monkeypatch.setenv("QINGSHOU_FONT_CACHE", str(cache))
    monkeypatch.setattr(pdf_module, "charset", lambda: frozenset(range(0x20, 0x7F)) | {0x6CD5})
    monkeypatch.setattr(pdf_module, "_recipe_digest", lambda: "tiny-test-charset")

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: build_fonts(), range(2))

    assert first == second
    assert set(first) == {"normal", "bold"}
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [".build.lock", *(p.name for p in first.values())]
    )
    for path in first.values():
        assert path.stat().st_mode & 0o777 == 0o644
        cmap = TTFont(path)["cmap"].getBestCmap()
        assert ord("法") in cmap
        assert ord("债") not in cmap
    mtimes = {path: path.stat().st_mtime_ns for path in first.values()}
    assert build_fonts() == first
    assert {path: path.stat().st_mtime_ns for path in first.values()} == mtimes


# --- resources ------------------------------------------------------------------------------


@pytest.fixture
def no_urllib(monkeypatch) -> list[str]:
    """Records any URL opened through urllib (http, https, ftp, file, data)."""
    opened: list[str] = []

    def spy(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        raise AssertionError(f"urllib asked to open {url}")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    return opened


@pytest.mark.parametrize(
    ("body", "url"),
    [
        ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
        ('<link rel="stylesheet" href="file:///etc/passwd">', "file:///etc/passwd"),
        ("<style>@import url(file:///etc/hosts);</style>", "file:///etc/hosts"),
        ('<img src="../../../../../../../../etc/passwd">', "file:///etc/passwd"),
        ('<img src="file://fileserver/share/seal.png">', "file://fileserver/share/seal.png"),
        ('<img src="https://example.com/seal.png">', "https://example.com/seal.png"),
        ('<p style="background: url(ftp://example.com/x.png)">甲</p>', "ftp://example.com/x.png"),
    ],
    ids=["file-img", "file-stylesheet", "css-import", "dotdot-from-assets", "unc", "https", "ftp"],
)
def test_outside_resources_are_refused_unopened_and_stop_the_rendering(body, url, no_urllib):
    with pytest.raises(PdfResourceError, match="refused") as refused:
        html_to_pdf(page(f"<p>债权人</p>{body}"))

    assert refused.value.url == url
    assert no_urllib == []


def test_http_to_localhost_makes_no_request(no_urllib):
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png_bytes())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/seal.png"
        with pytest.raises(PdfResourceError, match="refused"):
            html_to_pdf(page(f'<p>印章</p><img src="{url}">'))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

    assert hits == []
    assert no_urllib == []


def test_data_url_image_is_rendered():
    src = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()

    reader = read(html_to_pdf(page(f'<p>印章</p><img src="{src}" style="width: 2cm">')))

    assert len(reader.pages[0].images) == 1


def test_relative_urls_resolve_in_the_assets_directory_and_cannot_leave_it(tmp_path, monkeypatch):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "seal.png").write_bytes(png_bytes())
    (tmp_path / "secret.png").write_bytes(png_bytes())
    monkeypatch.setattr(pdf_module, "ASSETS_DIR", assets)

    reader = read(html_to_pdf(page('<p>印章</p><img src="seal.png">')))
    assert len(reader.pages[0].images) == 1

    with pytest.raises(PdfResourceError, match="refused"):
        html_to_pdf(page('<img src="../secret.png">'))
    with pytest.raises(PdfResourceError, match="no such file"):
        html_to_pdf(page('<img src="missing.png">'))


def test_fetcher_serves_files_under_its_roots_only(tmp_path: Path):
    root = tmp_path / "assets"
    root.mkdir()
    (root / "seal.png").write_bytes(png_bytes())
    outside = tmp_path / "outside.png"
    outside.write_bytes(png_bytes())
    (root / "link.png").symlink_to(outside)
    fetcher = LocalOnlyURLFetcher([root])

    response = fetcher.fetch((root / "seal.png").as_uri())
    assert response.read() == png_bytes()
    assert response.content_type == "image/png"
    for url in (
        (root / "link.png").as_uri(),  # a symlink leading out
        root.as_uri() + "/../outside.png",
        "http://127.0.0.1:9/seal.png",
    ):
        with pytest.raises(PdfResourceError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.refused == [
        (root / "link.png").as_uri(),
        root.as_uri() + "/../outside.png",
        "http://127.0.0.1:9/seal.png",
    ]
