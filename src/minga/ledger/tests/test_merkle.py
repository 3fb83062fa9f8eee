"""The Merkle functions against transparency-dev/merkle's vectors, and signed notes against C2SP's."""

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minga.core import testing
from minga.ledger import merkle, note

SHARED = testing.SHARED / "merkle"
VECTORS = SHARED / "transparency-dev-merkle"


@pytest.fixture
def needs_shared():
    testing.require_shared("merkle", "transparency-dev-merkle")


def b(value):
    return base64.b64decode(value) if value else b""


def files(kind):
    # Without the vectors one placeholder is collected, so the test fails under CI=true.
    return sorted(VECTORS.glob(f"{kind}/**/*.json")) if VECTORS.is_dir() else [VECTORS / "absent"]


@pytest.mark.usefixtures("needs_shared")
@pytest.mark.parametrize("path", files("inclusion"), ids=lambda p: str(p.relative_to(VECTORS)))
def test_inclusion_vectors(path):
    d = json.loads(path.read_text())
    ok = merkle.verify_inclusion(
        b(d["leafHash"]),
        d["leafIdx"],
        d["treeSize"],
        [b(p) for p in d["proof"] or []],
        b(d["root"]),
    )
    assert ok == (not d["wantErr"]), d["desc"]


@pytest.mark.usefixtures("needs_shared")
@pytest.mark.parametrize("path", files("consistency"), ids=lambda p: str(p.relative_to(VECTORS)))
def test_consistency_vectors(path):
    d = json.loads(path.read_text())
    ok = merkle.verify_consistency(
        d["size1"], d["size2"], b(d["root1"]), b(d["root2"]), [b(p) for p in d["proof"] or []]
    )
    assert ok == (not d["wantErr"]), d["desc"]


@pytest.mark.usefixtures("needs_shared")
def test_vector_counts():
    assert len(files("inclusion")) == 98 and len(files("consistency")) == 98


@pytest.mark.usefixtures("needs_shared")
def test_reference_tree_roots_and_proofs():
    ref = json.loads((VECTORS / "reference-tree.json").read_text())
    leaves = [merkle.leaf_hash(bytes.fromhex(x)) for x in ref["leaf_inputs_hex"]]
    assert [h.hex() for h in leaves] == ref["node_hashes_hex_by_level"][0]
    for size, want in enumerate(ref["root_hashes_hex_by_size"]):
        assert merkle.root_hash(leaves[:size]).hex() == want
    # the proofs we make verify, and match what stored subtrees give
    levels = [leaves]
    while len(levels[-1]) > 1:
        row = levels[-1]
        levels.append([merkle.node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)])
    stored = merkle.Subtrees(lambda level, index: levels[level][index])
    for size in range(1, len(leaves) + 1):
        root = merkle.root_hash(leaves[:size])
        assert stored.root(size) == root
        for index in range(size):
            proof = merkle.inclusion_proof(leaves, index, size)
            assert proof == stored.inclusion_proof(index, size)
            assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
        for old in range(1, size + 1):
            proof = merkle.consistency_proof(leaves, old, size)
            assert proof == stored.consistency_proof(old, size)
            assert merkle.verify_consistency(old, size, merkle.root_hash(leaves[:old]), root, proof)


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=70), st.data())
def test_proofs_verify_and_tampering_fails(data, draw):
    leaves = [merkle.leaf_hash(d) for d in data]
    size = len(leaves)
    index = draw.draw(st.integers(0, size - 1))
    root = merkle.root_hash(leaves)
    proof = merkle.inclusion_proof(leaves, index, size)
    assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
    if proof:
        bad = list(proof)
        bad[0] = bytes([bad[0][0] ^ 1]) + bad[0][1:]
        assert not merkle.verify_inclusion(leaves[index], index, size, bad, root)
    old = draw.draw(st.integers(1, size))
    cproof = merkle.consistency_proof(leaves, old, size)
    assert merkle.verify_consistency(old, size, merkle.root_hash(leaves[:old]), root, cproof)


def test_verifiers_never_raise_on_garbage():
    for args in [(None, 0, 1, [], None), (b"x", -1, 0, [b"y"], b"z"), (b"\0" * 32, 0, 1, ["a"], 5)]:
        assert merkle.verify_inclusion(*args) is False
    assert merkle.verify_consistency("a", 2, b"", b"", [None]) is False
    assert merkle.verify_consistency(1, 2, b"\0" * 32, b"\0" * 32, [object()]) is False


NOTES = SHARED / "signed-note-vectors.json"


def test_signed_note_vectors():
    testing.require_shared("merkle", "signed-note-vectors.json")
    vectors = json.loads(NOTES.read_text())
    for example in vectors["signed_note_examples"]:
        assert note.verify(example["signed_note"], example["verifier_key"])
        tampered = example["signed_note"].replace(example["note_text"][:5], "XXXXX", 1)
        assert not note.verify(tampered, example["verifier_key"])
        if "signer_key" in example:  # Ed25519 is deterministic: the same bytes again
            assert note.sign(example["note_text"], example["signer_key"]) == example["signed_note"]
    for example in vectors["checkpoint_body_examples"]:
        parsed = note.parse_checkpoint(example.get("formatted") or example["note"])
        assert parsed.size > 0 and len(parsed.root) == 32


def test_notes_we_sign_verify_and_nothing_else_does():
    signer, verifier = note.generate("minga.example/log")
    signed = note.sign(
        "minga.example/log\n3\n" + base64.b64encode(b"\1" * 32).decode() + "\n", signer
    )
    assert note.verify(signed, verifier)
    _, other = note.generate("minga.example/log")
    assert not note.verify(signed, other)
    for broken in ("", "no signature\n", signed[:-1], signed.replace("\n3\n", "\n4\n")):
        assert note.verify(broken, verifier) is False
    assert note.verify(signed, "not a key") is False
    with pytest.raises(note.NoteError):
        note.sign("two\n\nparagraphs\n", signer)
