"""The log read as C2SP tlog-tiles by a client written from the spec alone.

The client below imports nothing of the server's: it hashes with hashlib, encodes tile paths,
fetches tiles and entry bundles over HTTP (Django's test client), rebuilds the tree, checks the
root against the signed checkpoint, and computes RFC 6962 proofs that must equal the proof API's.
"""

import base64
import hashlib
import json
from functools import cache

import pytest
from django.db import transaction
from django.test import Client
from django.utils import translation

from minga.core.events import record_event
from minga.core.testing import declared_event_types
from minga.ledger import note, services, tiles


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _path(n: int) -> str:
    digits = str(n)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


class SpecClient:
    """Proofs from tiles, as the spec's section "Merkle Tree" describes them."""

    def __init__(self, client: Client, size: int) -> None:
        self.client = client
        self.size = size
        self.fetched: list[str] = []

    @cache  # noqa: B019 (one client per test)
    def tile(self, level: int, n: int) -> list[bytes]:
        width = min(256, self.size // 256**level - n * 256)
        assert width > 0
        url = f"/log/tile/{level}/{_path(n)}" + ("" if width == 256 else f".p/{width}")
        answer = self.client.get(url)
        assert answer.status_code == 200, url
        assert answer["Content-Type"] == "application/octet-stream"
        self.fetched.append(url)
        data = answer.content
        assert len(data) == 32 * width
        return [data[i : i + 32] for i in range(0, len(data), 32)]

    def subtree(self, height: int, index: int) -> bytes:
        """The hash of leaves [index·2^height, (index+1)·2^height), a perfect subtree."""
        level, rest = divmod(height, 8)
        first = index << rest  # in units of 256**level leaves
        hashes = [self.tile(level, i // 256)[i % 256] for i in range(first, first + (1 << rest))]
        while len(hashes) > 1:
            hashes = [_node(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    def mth(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n & (n - 1) == 0 and start % n == 0:
            return self.subtree(n.bit_length() - 1, start // n)
        k = 1 << ((n - 1).bit_length() - 1)
        return _node(self.mth(start, start + k), self.mth(start + k, end))

    def inclusion(self, m: int, start: int, end: int) -> list[bytes]:
        """PATH(m, D[start:end]), RFC 6962 section 2.1.1."""
        n = end - start
        if n == 1:
            return []
        k = 1 << ((n - 1).bit_length() - 1)
        if m < k:
            return [*self.inclusion(m, start, start + k), self.mth(start + k, end)]
        return [*self.inclusion(m - k, start + k, end), self.mth(start, start + k)]

    def consistency(self, m: int, start: int, end: int, complete: bool = True) -> list[bytes]:
        """SUBPROOF(m, D[start:end], b), RFC 6962 section 2.1.2."""
        n = end - start
        if m == n:
            return [] if complete else [self.mth(start, end)]
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            return [*self.consistency(m, start, start + k, complete), self.mth(start + k, end)]
        return [*self.consistency(m - k, start + k, end, False), self.mth(start, start + k)]


@pytest.fixture
def log(db):
    with translation.override("en"), declared_event_types("test.secret_kept"):
        with transaction.atomic():
            record_event(
                "test.secret_kept", actor=None, payload={"where": "sacred site"}, sensitivity=2
            )
        services.integrate()
        checkpoint = services.sign_checkpoint()
    return checkpoint


def test_a_client_from_the_spec_rebuilds_the_tree_and_its_proofs(log):
    client = Client()
    signed = client.get("/log/checkpoint").content.decode()
    key = client.get("/log/key").content.decode().strip()
    assert note.verify(signed, key)
    lines = signed.split("\n\n")[0].split("\n")
    size, root = int(lines[1]), base64.b64decode(lines[2])
    assert size > 256  # the demo's log: full and partial tiles at level 0, a partial at level 1
    spec = SpecClient(client, size)
    assert spec.mth(0, size) == root
    assert (
        any(".p/" in url for url in spec.fetched)
        and f"/log/tile/1/000.p/{size // 256}" in spec.fetched
    )

    # every entry bundle holds exactly the leaves the level-0 tiles hash
    for n in range((size + 255) // 256):
        width = min(256, size - n * 256)
        url = f"/log/tile/entries/{_path(n)}" + ("" if width == 256 else f".p/{width}")
        data = client.get(url).content
        entries, at = [], 0
        while at < len(data):
            length = int.from_bytes(data[at : at + 2], "big")
            entries.append(data[at + 2 : at + 2 + length])
            at += 2 + length
        assert at == len(data) and len(entries) == width
        assert [_leaf(e) for e in entries] == spec.tile(0, n)
        for i, entry in enumerate(entries):
            assert entry == client.get(f"/log/entries/{n * 256 + i}").content
    last = json.loads(entries[-1])
    assert last["type"] == "test.secret_kept"
    assert "payload" not in last and "payload_commitment" in last

    # proofs from tiles equal the proof API's, for any leaf in any tree size up to the checkpoint
    for index, at_size in [(0, size), (size - 1, size), (255, 256), (256, 300), (7, 13)]:
        answer = client.get(f"/api/v1/log/proof/inclusion?index={index}&size={at_size}").json()
        assert [base64.b64decode(p) for p in answer["proof"]] == spec.inclusion(index, 0, at_size)
        assert base64.b64decode(answer["root"]) == spec.mth(0, at_size)
    for first, second in [(1, size), (256, size), (300, size - 1), (13, 256)]:
        answer = client.get(f"/api/v1/log/proof/consistency?first={first}&second={second}").json()
        assert [base64.b64decode(p) for p in answer["proof"]] == spec.consistency(first, 0, second)


def test_full_tiles_are_immutable_partial_ones_short_lived_and_absent_ones_404(log):
    client = Client()
    size = log.size
    full = client.get("/log/tile/0/000")
    assert "immutable" in full["Cache-Control"] and "max-age=31536000" in full["Cache-Control"]
    assert full["Access-Control-Allow-Origin"] == "*"
    width = size % 256
    partial = client.get(f"/log/tile/0/{_path(size // 256)}.p/{width}")
    assert partial.status_code == 200 and "immutable" not in partial["Cache-Control"]
    beyond = [
        f"/log/tile/0/{_path(size // 256)}",  # not full yet
        f"/log/tile/0/{_path(size // 256)}.p/{width + 1}",  # wider than the tree
        f"/log/tile/0/{_path(size // 256 + 1)}.p/1",
        "/log/tile/1/000",  # a full level-1 tile needs 65,536 leaves
        "/log/tile/0/x000/000",  # a leading zero group
        "/log/tile/0/000.p/0",
        "/log/tile/0/000.p/256",
        "/log/tile/64/000",
        "/log/tile/entries/000.p/256",
    ]
    for url in beyond:
        assert client.get(url).status_code == 404, url


def test_tile_paths_and_widths_follow_the_spec():
    assert tiles.index_path(1234067) == "x001/x234/067"
    assert tiles.index_path(0) == "000" and tiles.index_path(999) == "999"
    assert tiles.index_path(1000) == "x001/000"
    assert tiles.parse_index("x001/x234/067") == 1234067
    with pytest.raises(tiles.TileError):
        tiles.parse_index("x000/067")
    # the spec's example: a tree of 70,000 leaves
    size = 70_000
    assert sum(tiles.width_at(0, n, size) == 256 for n in range(300)) == 273
    assert tiles.width_at(0, 273, size) == 112
    assert tiles.width_at(1, 0, size) == 256 and tiles.width_at(1, 1, size) == 17
    assert tiles.width_at(2, 0, size) == 1
    assert tiles.width_at(1, 0, 256) == 1
