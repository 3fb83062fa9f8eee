"""The witness alone (C2SP tlog-witness): what it cosigns, what it refuses with which status, and
that nothing it refused is kept. No database: the witness needs none."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from minga.ledger import merkle, note, witness

ORIGIN = "log.example/minga"
LEAVES = [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(64)]


@pytest.fixture
def log_keys():
    return note.generate(ORIGIN)


@pytest.fixture
def w(tmp_path, log_keys):
    witness.init(tmp_path, "witness.example/w1")
    found = witness.Witness(tmp_path, clock=lambda: 1_700_000_000)
    found.trust(log_keys[1])
    return found


def checkpoint(skey, size, root=None):
    root = merkle.root_hash(LEAVES[:size]) if root is None else root
    return note.sign(note.Checkpoint(ORIGIN, size, root).text(), skey)


def add(w, skey, old, size, proof=None, root=None):
    if proof is None:
        proof = merkle.consistency_proof(LEAVES, old, size) if 0 < old < size else []
    return w.add_checkpoint(witness.request_body(old, proof, checkpoint(skey, size, root)))


def held(w):
    return {origin: size for origin, _, size in w.logs()}[ORIGIN]


def test_it_cosigns_a_consistent_checkpoint_and_the_cosignature_verifies(w, log_keys):
    answer = add(w, log_keys[0], 0, 5)
    assert answer.status == 200
    assert answer.body.startswith("\u2014 witness.example/w1 ") and answer.body.endswith("\n")
    signed = checkpoint(log_keys[0], 5)
    assert note.verify_cosignature(signed + answer.body, w.verifier_key) == 1_700_000_000
    # the message is cosignature/v1 over the checkpoint's body: another body does not verify
    assert note.verify_cosignature(checkpoint(log_keys[0], 6) + answer.body, w.verifier_key) is None
    other = note.generate_cosigner("witness.example/w1")[1]
    assert note.verify_cosignature(signed + answer.body, other) is None
    assert add(w, log_keys[0], 5, 9).status == 200
    assert held(w) == 9
    # the same tree again is cosigned again (a log that lost the answer may ask twice)
    assert add(w, log_keys[0], 9, 9).status == 200


def test_refusals_carry_the_protocols_status_codes_and_change_nothing(w, log_keys, tmp_path):
    assert add(w, log_keys[0], 0, 8).status == 200
    stranger = note.generate("another.example/log")
    stranger_checkpoint = note.sign(
        note.Checkpoint("another.example/log", 3, LEAVES[0]).text(), stranger[0]
    )
    forger = note.generate(ORIGIN)  # the same origin, another key
    cases = [
        # an unknown log
        (404, witness.request_body(0, [], stranger_checkpoint)),
        # a known origin without a signature by its key
        (
            403,
            witness.request_body(
                8, merkle.consistency_proof(LEAVES, 8, 12), checkpoint(forger[0], 12)
            ),
        ),
        # older than what it cosigned, or a replay of an accepted request
        (409, witness.request_body(0, [], checkpoint(log_keys[0], 4))),
        (409, witness.request_body(0, [], checkpoint(log_keys[0], 8))),
        # same size, another root: a fork
        (409, witness.request_body(8, [], checkpoint(log_keys[0], 8, root=b"\x01" * 32))),
        # a consistency proof that does not hold (a fork that grew)
        (
            422,
            witness.request_body(
                8, merkle.consistency_proof(LEAVES, 7, 12), checkpoint(log_keys[0], 12)
            ),
        ),
        (
            422,
            witness.request_body(
                8,
                merkle.consistency_proof(LEAVES, 8, 12),
                checkpoint(log_keys[0], 12, b"\x02" * 32),
            ),
        ),
        # malformed
        (400, b"old 12\n\n" + checkpoint(log_keys[0], 8).encode()),  # old above the size
        (400, b"old 08\n\n" + checkpoint(log_keys[0], 8).encode()),
        (400, b"old 0\nAAAA\n\n" + checkpoint(log_keys[0], 8).encode()),
        (400, witness.request_body(0, [LEAVES[0]], checkpoint(log_keys[0], 9))),  # proof from 0
        (400, witness.request_body(8, [LEAVES[0]], checkpoint(log_keys[0], 8))),  # to itself
        (400, b"old 8\n" + b"AAAA\n" * 64 + b"\n" + checkpoint(log_keys[0], 9).encode()),
        (400, b"old 8\n" + checkpoint(log_keys[0], 9).encode()),
        (400, b"old 8\n\nnot a checkpoint\n"),
        (400, b"\xff\xfe"),
        (413, b"old 8\n\n" + b"x" * witness.MAX_BODY),
    ]
    for status, body in cases:
        answer = w.add_checkpoint(body)
        assert answer.status == status, (status, answer, body[:60])
        assert held(w) == 8
    answer = w.add_checkpoint(witness.request_body(0, [], checkpoint(log_keys[0], 10)))
    assert answer.content_type == "text/x.tlog.size" and answer.body == "8\n"
    # a fork is a plain 409: a size to retry from would send a standard client in a loop
    fork = w.add_checkpoint(
        witness.request_body(8, [], checkpoint(log_keys[0], 8, root=b"\x01" * 32))
    )
    assert fork.status == 409 and fork.content_type.startswith("text/plain")


def test_a_restarted_witness_keeps_what_it_cosigned(w, log_keys, tmp_path):
    assert add(w, log_keys[0], 0, 16).status == 200
    again = witness.Witness(tmp_path)  # a new process reads the same folder
    assert held(again) == 16
    assert add(again, log_keys[0], 0, 20).status == 409
    assert add(again, log_keys[0], 16, 16, root=b"\x03" * 32).status == 409
    assert add(again, log_keys[0], 16, 20).status == 200


def test_concurrent_requests_never_roll_the_witness_back(w, log_keys):
    """The spec's race: two requests from the same old size, one to a larger tree. Whatever the
    order, the witness ends on the larger size or refuses the smaller one, never rolls back."""
    assert add(w, log_keys[0], 0, 10).status == 200
    bodies = [
        witness.request_body(
            10, merkle.consistency_proof(LEAVES, 10, n), checkpoint(log_keys[0], n)
        )
        for n in (20, 30, 40, 50)
    ]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(w.add_checkpoint, bodies))
    assert sorted(a.status for a in answers) == [200, 409, 409, 409]
    winner = next(n for n, a in zip((20, 30, 40, 50), answers, strict=True) if a.status == 200)
    assert held(w) == winner


def test_the_http_server_refuses_oversized_and_unknown_requests(w, tmp_path, log_keys):
    httpd = witness.server(tmp_path, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address

        def post(path, body, headers=None):
            connection = http.client.HTTPConnection(host, port, timeout=10)
            connection.request("POST", path, body=body, headers=headers or {})
            answer = connection.getresponse()
            result = answer.status, answer.getheader("Content-Type"), answer.read()
            connection.close()
            return result

        ok = post("/add-checkpoint", witness.request_body(0, [], checkpoint(log_keys[0], 3)))
        assert ok[0] == 200 and ok[2].startswith("\u2014 witness.example/w1".encode())
        assert post("/other", b"")[0] == 404
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().read().endswith(f"{w.verifier_key}\n".encode())
        connection.request("GET", "/elsewhere")
        assert connection.getresponse().status == 404
        connection.close()
        assert (
            post("/add-checkpoint", b"x", {"Content-Length": str(witness.MAX_BODY + 1)})[0] == 413
        )
        conflict = post("/add-checkpoint", witness.request_body(0, [], checkpoint(log_keys[0], 4)))
        assert conflict == (409, "text/x.tlog.size", b"3\n")
        assert held(w) == 3
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_policy_is_read_and_counts_valid_cosignatures(w, log_keys):
    signed = checkpoint(log_keys[0], 6)
    line = add(w, log_keys[0], 0, 6).body
    other_key = note.generate_cosigner("witness.example/w2")[1]
    text = (
        f"log {log_keys[1]}\n# the table's witnesses\n"
        f"witness witness.example/w1 {w.verifier_key} http://127.0.0.1:1\n"
        f"witness witness.example/w2 {other_key} http://127.0.0.1:2\nquorum 2\n"
    )
    policy = witness.parse_policy(text)
    assert policy.log_key == log_keys[1] and policy.quorum == 2
    assert policy.cosigners(signed + line) == ["witness.example/w1"]
    twice = f"witness witness.example/w1 {w.verifier_key}\n" * 2 + "quorum 1\n"
    for bad in [
        "quorum 3\n",
        f"witness someone {w.verifier_key}\nquorum 1\n",
        "log x\nquorum 0\n",
        twice,
        "witness\n",
    ]:
        with pytest.raises(witness.WitnessError):
            witness.parse_policy(bad)
