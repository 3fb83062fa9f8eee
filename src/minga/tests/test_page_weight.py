"""Every public page's first load, gzip-compressed with a cold cache, stays under 100 KB: the
HTML plus every stylesheet, script, font and image it references (and the GeoJSON its map
fetches, grouped or not), map tiles aside, and the service worker with the manifest, the script
it imports and the files it keeps when it is installed. The pages are every route the public may GET, from the URLconf."""

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

from minga.offline.views import PRECACHE
from minga.tests.routes import EXPECTED, _url

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
            and any(kind in a.get("rel", "") for kind in ("stylesheet", "icon", "manifest"))
        ):
            self.urls.append(a["href"])
        elif tag in ("script", "img", "source") and a.get("src"):
            self.urls.append(a["src"])
        if a.get("data-geojson"):
            self.urls.append(a["data-geojson"])
        if a.get("data-clusters"):  # the grouped map's first answer (map.js asks at zoom 6)
            self.urls.append(a["data-clusters"] + "?z=6")
        if a.get("data-sw"):  # the service worker, what it imports and what it keeps at once
            self.urls.append(a["data-sw"])
            self.urls += [static(f"offline/{name}") for name in ("store.js", "offline.js")]
            self.urls += [static(name) for name in PRECACHE]


def static_bytes(url: str) -> bytes:
    path = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
    assert path, f"{url} is referenced but not found"
    return Path(path).read_bytes()


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def first_load(client: Client, url: str) -> dict[str, int]:
    """Gzip-compressed bytes of the page and of everything it makes the browser fetch."""
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    if response.get("Content-Encoding") == "gzip":
        sizes = {"page": len(response.content)}
        html = gzip.decompress(response.content).decode()
    else:  # too small for the server to bother compressing
        sizes = {"page": gz(response.content)}
        html = response.content.decode()
    parser = References()
    parser.feed(html)
    pending = list(parser.urls)
    seen = set()
    while pending:
        ref = pending.pop()
        if ref in seen or ref.startswith("data:"):
            continue
        seen.add(ref)
        if ref.startswith(settings.STATIC_URL):
            body = static_bytes(ref)
            if ref.endswith(".css"):
                base = PurePosixPath(ref).parent
                for inner in re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", body.decode()):
                    if not inner.startswith(("data:", "#")):
                        pending.append(str(base / inner))
        else:
            body = client.get(ref).content  # e.g. the GeoJSON a map fetches
        sizes[ref] = gz(body)
    return sizes


def test_it_keeps_the_table_home_under_budget(db):
    sizes = first_load(Client(), "/t/morona-santiago/")
    total = sum(sizes.values())
    print(
        "\n".join(f"{size:>8}  {url}" for url, size in sorted(sizes.items(), key=lambda i: -i[1]))
    )
    print(f"{total:>8}  total (gzip -9)")
    assert any(u.endswith("leaflet.js") for u in sizes), "the map library is part of the load"
    assert total <= BUDGET


def test_every_public_page_loads_light(world):
    """Each public HTML page of the URLconf (the permission matrix's routes the public may GET)."""
    client = Client()
    weights = {}
    for route, (method, answers) in sorted(EXPECTED.items()):
        if method != "GET" or answers["public"] != 200 or route.startswith("GET /"):
            continue
        if route == "api-1.0.0:openapi-view":
            continue  # Swagger UI for developers (1.4 MB of its own); the schema is the contract
        url, _body = _url(route, world, "public")
        head = client.get(url)
        if "text/html" not in head.get("Content-Type", ""):
            continue  # downloads: CSV, GeoJSON, PDF, ZIP, XML, JSON
        weights[url] = sum(first_load(client, url).values())
    print("\n".join(f"{w:>8}  {u}" for u, w in sorted(weights.items(), key=lambda i: -i[1])))
    assert len(weights) >= 40, sorted(weights)
    heavy = {u: w for u, w in weights.items() if w > BUDGET}
    assert heavy == {}
