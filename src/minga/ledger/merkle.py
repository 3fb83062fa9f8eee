"""RFC 6962 / RFC 9162 (section 2.1) Merkle trees: hashes, proofs and their verification. Pure.

Bytes in, bytes out. ``leaf_hash(d) = SHA-256(0x00 || d)``, an interior node is
``SHA-256(0x01 || left || right)``, the empty tree's root is ``SHA-256("")``, and a tree of ``n``
leaves splits at ``k``, the largest power of two smaller than ``n``.

Two ways to build proofs:

* from the list of leaf hashes (:func:`inclusion_proof`, :func:`consistency_proof`), the
  textbook recursion, O(n);
* from stored *perfect subtrees* (:class:`Subtrees`, any ``node(level, index)`` lookup): the hash
  of leaves ``[index·2^level, (index+1)·2^level)``. Every range a proof needs is perfect or splits
  into O(log n) perfect ones, so proofs cost O(log² n) lookups at worst and usually O(log n).

The verifiers follow RFC 9162 sections 2.1.3.2 and 2.1.4.2 and return ``False`` — never raise —
on any malformed input (wrong lengths, impossible sizes, garbage).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeLookup = Callable[[int, int], bytes]  # (level, index) -> hash of a perfect subtree


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the leaves whose hashes are given."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    # bottom-up, carrying an odd last node upwards: the same tree as the recursive definition
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def _mth(hashes: Sequence[bytes], start: int, end: int) -> bytes:
    return root_hash(hashes[start:end])


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) (RFC 6962 section 2.1.1)."""
    if not 0 <= index < size <= len(leaf_hashes):
        raise ValueError(f"no leaf {index} in a tree of size {size}")
    return _path(lambda a, b: _mth(leaf_hashes, a, b), index, 0, size)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) (RFC 6962 section 2.1.2); empty when the sizes are equal."""
    if not 0 < old_size <= new_size <= len(leaf_hashes):
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    return _subproof(lambda a, b: _mth(leaf_hashes, a, b), old_size, 0, new_size, True)


def _path(mth: Callable[[int, int], bytes], m: int, start: int, end: int) -> list[bytes]:
    proof: list[bytes] = []
    # iterative form of PATH: walk down, collecting siblings, then reverse (leaf-first order)
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            proof.append(mth(start + k, end))
            end = start + k
        else:
            proof.append(mth(start, start + k))
            start, m = start + k, m - k
    proof.reverse()
    return proof


def _subproof(
    mth: Callable[[int, int], bytes], m: int, start: int, end: int, complete: bool
) -> list[bytes]:
    proof: list[bytes] = []
    while True:
        n = end - start
        if m == n:
            if not complete:
                proof.append(mth(start, end))
            break
        k = _split(n)
        if m <= k:
            proof.append(mth(start + k, end))
            end = start + k
        else:
            proof.append(mth(start, start + k))
            start, m, complete = start + k, m - k, False
    proof.reverse()
    return proof


class Subtrees:
    """Proofs and roots from stored perfect subtrees: ``node(level, index)`` gives the hash of
    leaves ``[index·2^level, (index+1)·2^level)``."""

    def __init__(self, node: NodeLookup) -> None:
        self.node = node

    def range_hash(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            return self.node(n.bit_length() - 1, start // n)
        # the right edge of a tree: perfect pieces, largest first, folded from the right
        pieces = []
        while start < end:
            k = 1 << ((end - start).bit_length() - 1)
            while start % k:
                k >>= 1
            pieces.append(self.node(k.bit_length() - 1, start // k))
            start += k
        acc = pieces[-1]
        for piece in reversed(pieces[:-1]):
            acc = node_hash(piece, acc)
        return acc

    def root(self, size: int) -> bytes:
        return self.range_hash(0, size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        if not 0 <= index < size:
            raise ValueError(f"no leaf {index} in a tree of size {size}")
        return _path(self.range_hash, index, 0, size)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        if not 0 < old_size <= new_size:
            raise ValueError(f"no consistency proof from {old_size} to {new_size}")
        return _subproof(self.range_hash, old_size, 0, new_size, True)


def _ok(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2: does ``proof`` put ``leaf`` (a leaf hash) at ``index``?"""
    try:
        if not (_ok(leaf) and _ok(root)) or not isinstance(index, int) or not isinstance(size, int):
            return False
        if index < 0 or index >= size:
            return False
        if not all(_ok(p) for p in proof):
            return False
        fn, sn = index, size - 1
        r = bytes(leaf)
        for p in proof:
            if sn == 0:
                return False
            if fn & 1 or fn == sn:
                r = node_hash(bytes(p), r)
                if not fn & 1:
                    while fn and not fn & 1:
                        fn >>= 1
                        sn >>= 1
            else:
                r = node_hash(r, bytes(p))
            fn >>= 1
            sn >>= 1
        return sn == 0 and r == bytes(root)
    except (TypeError, ValueError):
        return False


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2: is the tree of ``new_size`` an append-only extension?"""
    try:
        if not isinstance(old_size, int) or not isinstance(new_size, int):
            return False
        if old_size <= 0 or new_size < old_size:  # from the empty tree it proves nothing
            return False
        if old_size == new_size:  # the same tree: no proof, the same root
            return len(proof) == 0 and bytes(old_root) == bytes(new_root)
        if not (_ok(old_root) and _ok(new_root)) or not all(_ok(p) for p in proof):
            return False
        if len(proof) == 0:
            return False
        path = [bytes(p) for p in proof]
        if old_size & (old_size - 1) == 0:  # a power of two: the old root starts the path
            path.insert(0, bytes(old_root))
        fn, sn = old_size - 1, new_size - 1
        while fn & 1:
            fn >>= 1
            sn >>= 1
        fr = sr = path[0]
        for c in path[1:]:
            if sn == 0:
                return False
            if fn & 1 or fn == sn:
                fr = node_hash(c, fr)
                sr = node_hash(c, sr)
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
            else:
                sr = node_hash(sr, c)
            fn >>= 1
            sn >>= 1
        return sn == 0 and fr == bytes(old_root) and sr == bytes(new_root)
    except (TypeError, ValueError):
        return False
