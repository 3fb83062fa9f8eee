"""The transparency log: minga against pymerkle and hashlib's ceiling, same leaves, same run.

    python bench/ledger.py [--appends 200000] [--sizes 1000000 10000000] [--out docs/benchmarks.md]

* **Appends**: events already recorded (queued) are integrated by ``minga.ledger.services.
  integrate`` into the stored tree — leaf canonicalisation, hashing and the database writes of the
  leaves and every completed subtree included — on a throwaway SQLite database.
* **Inclusion proofs** at 1 M and 10 M leaves through ``minga.ledger.queries.inclusion``, the code
  path of ``/api/v1/log/proof/inclusion`` (one query for the nodes a proof needs, a node cache):
  cold (random leaves, empty cache) and warm (the same leaves again).
* **Verification**: ``minga.ledger.merkle.verify_inclusion`` on those proofs.
* **pymerkle** (``InmemoryTree``, SHA-256, RFC 6962 mode): appends and proofs on the same leaves
  (in memory, no database: a generous peer) at 1 M leaves.
* **hashlib ceiling**: SHA-256 of 65-byte inputs (a node), per second, in the same run.

The 10 M-leaf tree is built straight into the node table (its construction is not timed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def django_setup(folder: Path) -> None:
    os.environ["MINGA_DATA_DIR"] = str(folder)
    url = os.environ.get("DATABASE_URL", "")
    if url.endswith("/minga"):  # scripts/with-postgres: a throwaway cluster; use its own database
        os.environ["DATABASE_URL"] = url.removesuffix("/minga") + "/postgres"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minga.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_appends(n: int) -> dict:
    from django.db import connection, transaction

    from minga.ledger import services

    now = dt.datetime.now(dt.UTC).isoformat()
    rows = [
        (
            "credits.credits_transferred",
            now,
            "system",
            "morona-santiago",
            f"credits.transfer:{i}",
            json.dumps(
                {
                    "batch": "BJ01-001-20240101-20241231-001",
                    "amount": i % 97 + 1,
                    "from": "a",
                    "to": "b",
                }
            ),
            0,
        )
        for i in range(n)
    ]
    payload = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO core_event (type, occurred_at, actor_label, table_slug, subject, payload, sensitivity) "
            f"VALUES (%s, %s, %s, %s, %s, {payload}, %s)",
            rows,
        )
    start = time.perf_counter()
    added = services.integrate(batch=20000)
    seconds = time.perf_counter() - start
    return {"appends": added, "seconds": seconds, "per_s": added / seconds}


def build_tree(size: int) -> None:
    """Leaves and every perfect subtree of a ``size``-leaf tree, straight into the node table."""
    from django.db import connection, transaction

    from minga.ledger.models import LEVEL_SHIFT, LogState

    sha = hashlib.sha256
    level = [sha(b"\x00" + i.to_bytes(8, "big")).digest() for i in range(size)]
    depth = 0
    with transaction.atomic(), connection.cursor() as cursor:
        while level:
            cursor.executemany(
                "INSERT INTO ledger_treenode (id, hash) VALUES (%s, %s)",
                (((depth << LEVEL_SHIFT) | i, h) for i, h in enumerate(level)),
            )
            if len(level) == 1:
                break
            level = [
                sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
            ]
            depth += 1
        LogState.objects.update_or_create(pk=1, defaults={"size": size})


def bench_proofs(size: int, count: int) -> dict:
    from minga.ledger import merkle, queries

    queries.forget_cache()
    rng = random.Random(size)
    picks = [rng.randrange(size) for _ in range(count)]
    start = time.perf_counter()
    proofs = [queries.inclusion(i, size) for i in picks]
    cold = (time.perf_counter() - start) / count
    start = time.perf_counter()
    for i in picks:
        queries.inclusion(i, size)
    warm = (time.perf_counter() - start) / count
    start = time.perf_counter()
    ok = all(
        merkle.verify_inclusion(p["leaf_hash"], p["index"], size, p["proof"], p["root"])
        for p in proofs
    )
    verify = count / (time.perf_counter() - start)
    assert ok
    return {"size": size, "cold_us": cold * 1e6, "warm_us": warm * 1e6, "verify_per_s": verify}


def bench_tiles(size: int, count: int) -> dict:
    """C2SP tiles as a client without a cache fetches them for one inclusion proof: the tile that
    holds the leaf's path at every level (``minga.ledger.tiles``, the code of /log/tile/…),
    beside the proof API's JSON answer for the same leaves."""
    import base64

    from minga.ledger import queries, tiles

    rng = random.Random(size + 1)
    picks = [rng.randrange(size) for _ in range(count)]
    fetched = sent = 0
    start = time.perf_counter()
    for i in picks:
        for level in range(8):
            n = i >> (tiles.HEIGHT * (level + 1))
            width = tiles.width_at(level, n, size)
            if width == 0:
                break
            sent += len(tiles.hashes(level, n, None if width == tiles.WIDTH else width, size))
            fetched += 1
    seconds = time.perf_counter() - start
    api = 0
    for i in picks[:200]:
        proof = queries.inclusion(i, size)
        b64 = base64.b64encode
        api += len(
            json.dumps(
                {
                    "index": i,
                    "size": size,
                    "leaf_hash": b64(proof["leaf_hash"]).decode(),
                    "proof": [b64(p).decode() for p in proof["proof"]],
                    "root": b64(proof["root"]).decode(),
                }
            )
        )
    return {
        "tiles_per_s": fetched / seconds,
        "tiles_per_proof": fetched / count,
        "tile_bytes_per_proof": sent / count,
        "api_bytes_per_proof": api / min(200, count),
    }


def bench_pymerkle(size: int, count: int) -> dict:
    from pymerkle import InmemoryTree, verify_inclusion

    tree = InmemoryTree(algorithm="sha256")
    data = [i.to_bytes(8, "big") for i in range(size)]
    start = time.perf_counter()
    for d in data:
        tree.append_entry(d)
    appends = size / (time.perf_counter() - start)
    rng = random.Random(size)
    picks = [rng.randrange(size) + 1 for _ in range(count)]
    start = time.perf_counter()
    proofs = [tree.prove_inclusion(i, size) for i in picks]
    per_proof = (time.perf_counter() - start) / count
    root = tree.get_state(size)
    start = time.perf_counter()
    for i, proof in zip(picks, proofs, strict=True):
        verify_inclusion(tree.get_leaf(i), root, proof)
    verify = count / (time.perf_counter() - start)
    return {
        "size": size,
        "appends_per_s": appends,
        "proof_us": per_proof * 1e6,
        "verify_per_s": verify,
    }


def hash_ceiling() -> float:
    sha = hashlib.sha256
    block = b"\x01" + b"\x00" * 64
    n = 500_000
    start = time.perf_counter()
    for _ in range(n):
        sha(block).digest()
    return n / (time.perf_counter() - start)


def child(kind: str, arg: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="minga-bench-ledger-"))
    if kind == "appends":
        django_setup(folder)
        result = bench_appends(arg)
    elif kind == "proofs":
        django_setup(folder)
        start = time.perf_counter()
        build_tree(arg)
        result = bench_proofs(arg, 2000)
        result["build_s"] = time.perf_counter() - start
        result.update(bench_tiles(arg, 2000))
    elif kind == "pymerkle":
        result = bench_pymerkle(arg, 2000)
    else:
        result = {"per_s": hash_ceiling()}
    print(json.dumps(result))


def run(kind: str, arg: int, *, postgres: bool = False) -> dict:
    """One measure in a fresh process (on a throwaway PostgreSQL cluster with ``postgres``)."""
    prefix = [str(ROOT.parent / "scripts" / "with-postgres")] if postgres else []
    out = subprocess.run(
        [*prefix, sys.executable, __file__, "--child", kind, str(arg)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appends", type=int, default=200_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--pymerkle-size", type=int, default=1_000_000)
    parser.add_argument("--out", default=str(ROOT.parent / "docs" / "benchmarks.md"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    print("appends …", file=sys.stderr)
    appends = run("appends", args.appends)
    print("appends on PostgreSQL …", file=sys.stderr)
    appends_pg = run("appends", args.appends, postgres=True)
    proofs = []
    for size in args.sizes:
        print(f"proofs at {size:,} …", file=sys.stderr)
        proofs.append(run("proofs", size))
    print("pymerkle …", file=sys.stderr)
    peer = run("pymerkle", args.pymerkle_size)
    ceiling = run("ceiling", 0)["per_s"]
    lines = [
        f"Machine: {os.cpu_count()} cores; SQLite; one process. SHA-256 ceiling (hashlib, 65-byte node "
        f"inputs): {ceiling:,.0f} hashes/s.",
        "",
        "| measure | minga | pymerkle (in memory) | goal |",
        "| --- | ---: | ---: | ---: |",
        f"| appends/s (integrating {appends['appends']:,} queued events, database writes included) | "
        f"{appends['per_s']:,.0f} ({appends['per_s'] / peer['appends_per_s']:.2f}×) | "
        f"{peer['appends_per_s']:,.0f} | ≥ 1.0× pymerkle |",
        f"| appends/s on PostgreSQL (the same, on a throwaway cluster) | "
        f"{appends_pg['per_s']:,.0f} ({appends_pg['per_s'] / peer['appends_per_s']:.2f}×) | "
        f"{peer['appends_per_s']:,.0f} | ≥ 1.0× pymerkle |",
    ]
    for p in proofs:
        theirs = f"{peer['proof_us']:,.0f} µs" if p["size"] == peer["size"] else "—"
        lines.append(
            f"| inclusion proof at {p['size']:,} leaves, cold / warm cache | "
            f"{p['cold_us']:,.0f} / {p['warm_us']:,.0f} µs | {theirs} | ≤ 200 µs warm at 10 M |"
        )
    for p in proofs:
        lines.append(
            f"| C2SP tiles at {p['size']:,} leaves: tiles/s served (the leaf's tile at each "
            f"level, {p['tiles_per_proof']:.0f} per proof) | {p['tiles_per_s']:,.0f} | — | — |"
        )
        lines.append(
            f"| bytes a cold client fetches per inclusion proof at {p['size']:,} leaves: "
            f"tiles / proof API (JSON) | {p['tile_bytes_per_proof']:,.0f} / "
            f"{p['api_bytes_per_proof']:,.0f} | — | — |"
        )
    last = proofs[-1]
    lines.append(
        f"| verifications/s at {last['size']:,} leaves | {last['verify_per_s']:,.0f} | "
        f"{peer['verify_per_s']:,.0f} (at {peer['size']:,}) | ≥ 20,000 |"
    )
    report = "\n".join(lines)
    print(report)
    if args.out:
        write_report(Path(args.out), report)


def write_report(path: Path, report: str) -> None:
    start, end = "<!-- bench/ledger:start -->", "<!-- bench/ledger:end -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\nLatest run: {dt.datetime.now(dt.UTC).date().isoformat()} (`make bench`).\n\n{report}\n{end}"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Transparency log (`bench/ledger.py`)\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
