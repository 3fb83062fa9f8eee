"""The table home page's first load, gzip-compressed with a cold cache, stays under 100 KB."""

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

BUDGET = 100_000  # bytes


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (
            tag == "link"
            and a.get("href")
            and ("stylesheet" in a.get("rel", "") or "icon" in a.get("rel", ""))
        ):
            self.urls.append(a["href"])
        elif tag in ("script", "img", "source") and a.get("src"):
            self.urls.append(a["src"])
        for name in ("data-geojson",):
            if a.get(name):
                self.urls.append(a[name])


def static_bytes(url: str) -> bytes:
    path = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
    assert path, f"{url} is referenced but not found"
    return Path(path).read_bytes()


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def test_it_keeps_the_table_home_under_budget(db):
    client = Client()
    response = client.get("/t/morona-santiago/", headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    sizes = {"page": len(response.content)}
    html = gzip.decompress(response.content).decode()
    parser = References()
    parser.feed(html)
    pending = list(parser.urls)
    seen = set()
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        if url.startswith(settings.STATIC_URL):
            body = static_bytes(url)
            if url.endswith(".css"):
                base = PurePosixPath(url).parent
                for ref in re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", body.decode()):
                    if not ref.startswith(("data:", "#")):
                        pending.append(str(base / ref))
        else:
            body = client.get(url).content  # e.g. the territory GeoJSON the map fetches
        sizes[url] = gz(body)
    total = sum(sizes.values())
    print(
        "\n".join(f"{size:>8}  {url}" for url, size in sorted(sizes.items(), key=lambda i: -i[1]))
    )
    print(f"{total:>8}  total (gzip -9)")
    assert any(u.endswith("leaflet.js") for u in sizes), "the map library is part of the load"
    assert total <= BUDGET
