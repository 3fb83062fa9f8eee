"""The load test: the scale dataset on PostgreSQL, `minga serve`, locust headless on loopback.

    make bench-load                       # a throwaway PostgreSQL, generation, 50 users × 5 min
    DATABASE_URL=postgres://… .venv/bin/python bench/load.py [--reuse] [--users 50] [--duration 300]

1. creates the database if missing, migrates, and (unless it already holds the scale data)
   runs `minga load_demo --scale network`, timing it and measuring the database's size;
2. starts `minga serve` with production settings (MINGA_DEBUG=0) on 127.0.0.1;
3. runs bench/locustfile.py: 50 users, each waiting 1 s between requests, for 5 minutes;
4. prints p50, p95 and the error rate of every route beside /healthz (the trivial endpoint
   served by the same process in the same run) and writes them to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- load:start -->", "<!-- load:end -->"
TRIVIAL = "/healthz (trivial)"
# Logging in hashes the password on purpose slowly (PBKDF2, Django's default work factor): it is
# reported, not held to the page goal.
NOT_PAGES = ("/accounts/login/ (POST)",)
GOAL_P95_MS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MINGA_DEBUG": "0",
        "MINGA_SECRET_KEY": secrets.token_urlsafe(64),
        "MINGA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MINGA_SSL_REDIRECT": "0",  # loopback HTTP: TLS is the proxy's job in production
        "MINGA_SECURE_COOKIES": "0",
        "MINGA_HSTS_SECONDS": "0",
        "MINGA_DB_CONN_MAX_AGE": "60",
        "MINGA_EMAIL": "file",
        "MINGA_DATA_DIR": str(data_dir),
        "MINGA_LOGIN_FAILURE_LIMIT": "1000",
    }


def minga(env: dict[str, str], *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minga", *args], env=env, text=True, check=True, **kwargs
    )  # type: ignore[call-overload]


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def scale_loaded(env: dict[str, str]) -> bool:
    out = minga(
        env,
        "shell",
        "-c",
        "from minga.demo.scale import already_loaded; print(already_loaded())",
        capture_output=True,
    ).stdout
    return int(out.strip().splitlines()[-1]) > 0


def database_size(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
    return str(row[0]) if row else "?"


def targets(env: dict[str, str], path: Path) -> dict[str, object]:
    code = (
        "import json\n"
        "from minga.tables.models import Table, Region\n"
        "from minga.ledger.models import LogState\n"
        "from minga.demo.data import DEMO_PASSWORD\n"
        "print(json.dumps({"
        "'tables': list(Table.objects.order_by('?').values_list('slug', flat=True)[:300]),"
        "'regions': list(Region.objects.values_list('slug', flat=True)),"
        "'log_size': LogState.objects.get(pk=1).size,"
        "'member_table': 'morona-santiago', 'member_user': 'secretariat',"
        "'member_password': DEMO_PASSWORD}))"
    )
    out = minga(env, "shell", "-c", code, capture_output=True).stdout.strip().splitlines()[-1]
    path.write_text(out)
    return dict(json.loads(out))


def wait_up(base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("minga serve did not answer /healthz")


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with Path(f"{prefix}_stats.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def render(rows: list[dict[str, str]], meta: dict[str, str]) -> str:
    floor = next((r for r in rows if r["Name"] == TRIVIAL), None)
    floor95 = float(floor["95%"]) if floor else 0.0
    lines = [
        START,
        f"Run of {meta['date']} on {meta['machine']}: `{meta['command']}`",
        "",
        f"Scale dataset: {meta['dataset']}",
        "",
        f"Server: `minga serve` ({meta['server']}), PostgreSQL {meta['pg']} on the same machine; "
        f"locust {meta['locust']} on the same 2 cores: {meta['users']} users, each waiting 1 s "
        f"between requests, {meta['duration']} s after a 30 s warm-up that is not counted.",
        "",
        "| route | requests | errors | p50 ms | p95 ms | p95 ÷ trivial p95 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["Name"] == "Aggregated":
            continue
        p95 = float(r["95%"])
        ratio = f"{p95 / floor95:.1f}×" if floor95 else "—"
        lines.append(
            f"| `{r['Type']} {r['Name']}` | {r['Request Count']} | {r['Failure Count']} | "
            f"{r['50%']} | {r['95%']} | {ratio} |"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    errors = int(total["Failure Count"])
    count = int(total["Request Count"])
    worst = max(
        (float(r["95%"]) for r in rows if r["Name"] not in ("Aggregated", *NOT_PAGES)),
        default=0,
    )
    lines += [
        f"| **all** | {count} | {errors} | {total['50%']} | {total['95%']} | |",
        "",
        f"Error rate {100 * errors / max(count, 1):.2f} %; {float(total['Requests/s']):.1f} "
        f"requests/s. Goal: p95 ≤ {GOAL_P95_MS} ms on every page and API route (the login POST "
        "hashes a password on purpose slowly and is shown, not judged), no errors — "
        + (
            "**met**."
            if worst <= GOAL_P95_MS and errors == 0
            else f"**not met** (worst p95 {worst:.0f} ms, {errors} errors)."
        ),
        END,
    ]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if START in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n## Load: the scale dataset under 50 users\n\n" + section + "\n"
    DOCS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=300, help="seconds")
    parser.add_argument("--factor", type=float, default=1.0, help="scale dataset fraction")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--reuse", action="store_true", help="keep a database already loaded")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("the load test runs on PostgreSQL: set DATABASE_URL (or make bench-load)")
    data_dir = ROOT / "var" / "bench-load"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = production_env(data_dir)
    ensure_database(url)
    minga(env, "migrate", "-v", "0")
    dataset = ""
    if not (args.reuse and scale_loaded(env)):
        if scale_loaded(env):
            raise SystemExit("the database already holds the scale data: pass --reuse")
        started = time.monotonic()
        out = minga(
            env,
            "load_demo",
            "--scale",
            "network",
            "--factor",
            str(args.factor),
            capture_output=True,
        ).stdout
        seconds = time.monotonic() - started
        lines = out.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("Scale dataset"))
        end = next(i for i, line in enumerate(lines) if line.startswith("Elapsed"))
        counts = ", ".join(" ".join(line.split()) for line in lines[start + 1 : end])
        summary = f"Rows: {counts}. {lines[end]}."
        dataset = (
            f"`minga load_demo --scale network` took {seconds / 60:.1f} min "
            f"(demo included); database {database_size(url)}. {summary}"
        )
        print(dataset, flush=True)
    else:
        dataset = f"reused (database {database_size(url)}); see the generator's figures above"
    minga(env, "collectstatic", "--noinput", "-v", "0")
    target_file = data_dir / "targets.json"
    targets(env, target_file)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "minga", "serve", "--no-collectstatic", "--bind",
         f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads)],
        env=env,
    )  # fmt: skip
    try:
        wait_up(base)
        prefix = data_dir / "locust"
        locust = Path(sys.executable).with_name("locust")
        # Warm-up (not measured): every process loads its templates and opens its connections.
        subprocess.run(
            [str(locust), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", "25", "-t", "30s", "--host", base,
             "--only-summary", "--loglevel", "ERROR"],
            env={**env, "MINGA_LOAD_TARGETS": str(target_file)},
            check=False, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [str(locust), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", "10", "-t", f"{args.duration}s", "--host", base,
             "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            env={**env, "MINGA_LOAD_TARGETS": str(target_file)},
            check=False,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=60)
    rows = read_stats(prefix)
    import locust as locust_module
    import psycopg

    with psycopg.connect(url) as conn:
        pg = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    meta = {
        "date": dt.date.today().isoformat(),  # noqa: DTZ011
        "machine": f"{os.cpu_count()} cores",
        "command": "make bench-load",
        "dataset": dataset,
        "server": f"{args.workers} processes × {args.threads} threads, gthread",
        "pg": pg,
        "locust": locust_module.__version__,
        "users": str(args.users),
        "duration": str(args.duration),
    }
    section = render(rows, meta)
    print(section)
    if not args.no_docs:
        write_docs(section)


if __name__ == "__main__":
    main()
