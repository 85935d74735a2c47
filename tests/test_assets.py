"""Government intranets have no internet: nothing the browser loads may point outside the app."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "crm"
URL = re.compile(r"https?://", re.I)
ALLOWED = re.compile(r"xmlns(:\w+)?=\"http://www\.w3\.org|http://www\.w3\.org/2000/svg")


def _files():
    for sub in ("templates", "static"):
        for path in (ROOT / sub).rglob("*"):
            if path.is_file() and path.suffix in {".html", ".css", ".js", ".svg", ".json"}:
                yield path


def _strip_comments(text: str, suffix: str) -> str:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    if suffix in {".css", ".js"}:
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    if suffix == ".js":
        text = re.sub(r"(^|\s)//[^\n]*", "", text)
    return text


@pytest.mark.parametrize("path", list(_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_external_url(path):
    text = _strip_comments(path.read_text(encoding="utf-8"), path.suffix)
    for line in text.splitlines():
        if URL.search(ALLOWED.sub("", line)):
            pytest.fail(f"external URL in {path.name}: {line.strip()[:120]}")


def test_rendered_pages_load_bootstrap_from_the_app(client):
    page = client.get("/login").get_data(as_text=True)
    assert "/bootstrap/static/" in page
    assert "cdn" not in page.lower()
    assert not URL.search(page)


def test_bootstrap_assets_are_served(client):
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/bootstrap/static/[^"]+\.css)"', page).group(1)
    response = client.get(css)
    response.close()  # a file response: close it, or its handle leaks
    assert response.status_code == 200


def test_security_headers(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
