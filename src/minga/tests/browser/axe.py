"""axe-core, the accessibility engine, fetched from the npm registry at a pinned version and
integrity the first time the browser tests need it, and kept under `.tools/` (not committed)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import urllib.request
from pathlib import Path

import pytest

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# the registry's `dist.integrity` for that version: the download must match it byte for byte
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
CACHE = Path(__file__).resolve().parents[4] / ".tools" / f"axe-core-{VERSION}" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: the rules axe tags with these
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def _fetch() -> bytes:
    with urllib.request.urlopen(TARBALL, timeout=60) as answer:
        tarball = answer.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != INTEGRITY:
        raise RuntimeError(f"axe-core {VERSION} from the registry does not match its integrity")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        return member.read()


def axe_source() -> str:
    if not CACHE.exists():
        try:
            script = _fetch()
        except OSError as exc:
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"axe-core could not be fetched from the npm registry ({exc})")
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        partial = CACHE.with_suffix(".part")
        partial.write_bytes(script)
        partial.replace(CACHE)
    return CACHE.read_text(encoding="utf-8")


# Run in the page: the violations of the WCAG A/AA rules, each with the first few elements.
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""
