"""The caseworkers' page as served: labelled, bilingual, self-contained."""

from __future__ import annotations

import re

import pytest

from tests.service.conftest import Service


@pytest.mark.parametrize("db_urls", ["sqlite"], indirect=True)
def test_the_page_is_self_contained_and_labelled(service: Service) -> None:
    r = service.client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert 'name="viewport"' in html and 'lang="fa"' in html
    for ident in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{ident}"' in html, f"input {ident} has no label"
    assets = [service.client.get(p) for p in ("/static/app.js", "/static/app.css")]
    assert all(a.status_code == 200 for a in assets)
    for text in (html, *(a.text for a in assets)):
        assert not re.search(r"(src|href)=\"(https?:)?//", text)
        assert "http://" not in text and "https://" not in text
    assert service.client.get("/static/../app.py").status_code == 404
    assert service.client.get("/static/secrets.txt").status_code == 404
