"""The quick start on machines unlike this one: only an old Python, or no Pango for PDFs."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from minga.satellite.models import VerificationReport

REPO = Path(__file__).resolve().parents[3]
TOOLS = ("sh", "ls", "sort", "cat", "dirname", "env")


def _python_311() -> str:
    """A real Python 3.11 binary (pyenv's shims only run the active version)."""
    candidates = [
        *sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.11*/bin/python3.11")),
        *filter(None, [shutil.which("python3.11")]),
    ]
    for found in candidates:
        run = subprocess.run(
            [found, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.stdout.strip() == "True":
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("no Python 3.11 to play the old system Python (pyenv install 3.11)")
    pytest.skip("no Python 3.11 here to play the old system Python")


def _uv() -> str:
    found = shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.skip("no uv yet (make install bootstraps it)")
    return found


def _machine(tmp_path: Path, python: str) -> dict[str, str]:
    """A PATH that holds only ``python`` as python3, uv, and the few tools the script uses."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "python3").symlink_to(python)
    (bin_ / "uv").symlink_to(_uv())
    for tool in TOOLS:
        (bin_ / tool).symlink_to(shutil.which(tool) or f"/bin/{tool}")
    return {
        "PATH": str(bin_),
        "HOME": str(tmp_path),
        "UV_PYTHON_INSTALL_DIR": str(tmp_path / "managed"),
        "UV_CACHE_DIR": str(tmp_path / "cache"),
        # Downloads made impossible, whatever this machine's network: a port nobody listens on.
        "UV_PYTHON_INSTALL_MIRROR": "http://127.0.0.1:9/",
    }


def _find_python(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "scripts/find-python"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_with_only_python_3_11_uv_is_asked_for_a_managed_3_12_and_failing_that_we_say_what_to_install(
    tmp_path,
):
    result = _find_python(_machine(tmp_path, _python_311()))
    assert "asking uv for a managed Python 3.12" in result.stderr
    assert "Failed to install cpython-3.12" in result.stderr  # uv really tried
    assert result.returncode == 1 and result.stdout == ""
    for release in ("Debian 13, Ubuntu 24.04:", "Debian 12:", "Ubuntu 22.04:"):
        assert release in result.stderr


def _leave_out(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Keep the stand-in download small: no test suite, caches or installed packages."""
    skip = ("/test/", "__pycache__", "/site-packages/", "/idlelib/", "/tkinter/")
    return None if any(part in member.name for part in skip) else member


def _local_python_mirror(tmp_path: Path) -> str:
    """A download list for uv naming one CPython 3.12, packed from this machine's own pyenv
    3.12 the way python-build-standalone packs it and served from a local HTTP server."""
    found = sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))
    if not found:
        pytest.skip("no Python 3.12 in pyenv to pack as a stand-in download")
    prefix = found[-1].parents[1]
    version = prefix.name
    archive = tmp_path / "mirror" / f"cpython-{version}-local.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(prefix, arcname="python", filter=_leave_out)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0),
        functools.partial(http.server.SimpleHTTPRequestHandler, directory=archive.parent),
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    major, minor, patch = (int(n) for n in version.split(".")[:3])
    listing = tmp_path / "mirror" / "downloads.json"
    listing.write_text(
        json.dumps({
            f"cpython-{version}-linux-x86_64-gnu": {
                "name": "cpython", "arch": {"family": "x86_64", "variant": None}, "os": "linux",
                "libc": "gnu", "major": major, "minor": minor, "patch": patch,
                "prerelease": "", "variant": None, "build": "local",
                "url": f"http://127.0.0.1:{server.server_port}/{archive.name}",
                "sha256": hashlib.sha256(archive.read_bytes()).hexdigest(),
            }
        })
    )  # fmt: skip
    return listing.as_uri()


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the stand-in download is x86_64")
def test_with_only_python_3_11_uv_installs_a_managed_3_12_and_it_is_used(tmp_path):
    env = _machine(tmp_path, _python_311())
    del env["UV_PYTHON_INSTALL_MIRROR"]  # the download list names its own URL
    env["UV_PYTHON_DOWNLOADS_JSON_URL"] = _local_python_mirror(tmp_path)
    result = _find_python(env)
    assert "asking uv for a managed Python 3.12" in result.stderr
    assert result.returncode == 0, result.stderr
    managed = Path(result.stdout.strip())
    assert managed.is_relative_to(tmp_path / "managed")  # uv's own directory, not the system's
    version = subprocess.run(
        [managed, "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "(3, 12)"


def test_downloads_can_be_forbidden(tmp_path):
    env = {**_machine(tmp_path, _python_311()), "MINGA_PYTHON_DOWNLOADS": "never"}
    result = _find_python(env)
    assert result.returncode == 1 and "asking uv" not in result.stderr
    assert "minga needs Python 3.12 or newer" in result.stderr


def test_a_python_3_12_already_here_is_preferred(tmp_path):
    result = _find_python(_machine(tmp_path, sys.executable))
    assert result.returncode == 0 and "asking uv" not in result.stderr
    assert Path(result.stdout.strip()).resolve() == Path(sys.executable).resolve()


def test_a_pdf_link_without_pango_says_so_instead_of_failing(client_for, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now fails
    report = VerificationReport.objects.select_related("table").first()
    base = f"/t/{report.table.slug}/verifications/{report.public_id}"
    response = client_for("secretariat").get(f"{base}.pdf?lang=es")
    body = response.content.decode()
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in body
    assert "Los PDF no están disponibles" in body and f'href="{base}/"' in body
