"""Sets of document numbers as Python integers (bit d set: document d is in), and the best
documents by a weighted sum of such sets, found with whole-set operations only.

A set of 100,000 documents is a 12.5 KB integer; union, intersection and difference are
one C-level pass over it, so a query combines hundreds of them in about a millisecond
and never loops over documents in Python. Scores are small integers (weights in half
points) kept bit-sliced: `planes[i]` holds bit i of every document's score, and adding a
weighted set is a ripple-carry addition of whole planes. The best `limit` documents are
then read off the planes from the most significant one down (O'Neil and Quass's top-k
over a bit-sliced index), ties going to the lowest document number.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from functools import reduce
from itertools import repeat
from operator import or_

_FEW = 64
_FLAG_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_DIGIT_FLAGS = bytes.maketrans(b"01", b"\x00\x01")


def from_members(members: Iterable[int], size: int) -> int:
    """The set of the given document numbers (each below `size`; repeats are fine)."""
    if size > _FEW * 64:
        members = list(members)
        if len(members) <= _FEW:  # a few: cheaper than a pass over `size` flags
            return reduce(or_, map((1).__lshift__, members), 0)
    flags = bytearray(size)
    deque(map(flags.__setitem__, members, repeat(1)), maxlen=0)
    return from_flags(flags)


def from_flags(flags: bytes | bytearray) -> int:
    """The set of the positions whose byte is 1 (every byte must be 0 or 1)."""
    if not flags:
        return 0
    return int(flags.translate(_FLAG_DIGITS)[::-1], 2)


def to_flags(bitmap: int, size: int) -> bytes:
    """One byte per position below `size`: 1 where the set holds it, else 0."""
    digits = format(bitmap, "b")[::-1].ljust(size, "0")[:size]
    return digits.encode("ascii").translate(_DIGIT_FLAGS)


def members(bitmap: int) -> list[int]:
    """The document numbers in the set, ascending."""
    digits = format(bitmap, "b")[::-1]
    found: list[int] = []
    position = digits.find("1")
    while position >= 0:
        found.append(position)
        position = digits.find("1", position + 1)
    return found


def lowest(bitmap: int, count: int) -> list[int]:
    """The `count` lowest document numbers in the set (fewer if it holds fewer)."""
    found: list[int] = []
    while bitmap and len(found) < count:
        low = bitmap & -bitmap
        found.append(low.bit_length() - 1)
        bitmap ^= low
    return found


def spread(bitmap: int, counts: Sequence[int]) -> int:
    """Each member g of a set of groups, as all `counts[g]` members of that group, where
    group g's members follow those of group g - 1 (briefings to their sections)."""
    if not bitmap:
        return 0
    digits = format(bitmap, "b")[::-1].ljust(len(counts), "0")
    return int("".join(map(str.__mul__, digits, counts))[::-1] or "0", 2)


def add_weighted(planes: list[int], weight: int, bitmap: int) -> None:
    """Add `weight` to the score of every document in the set (bit-sliced, in place)."""
    bit = 0
    while weight and bitmap:
        if weight & 1:
            carry, index = bitmap, bit
            while carry:
                while index >= len(planes):
                    planes.append(0)
                plane = planes[index]
                planes[index] = plane ^ carry
                carry &= plane
                index += 1
        weight >>= 1
        bit += 1


def score_of(planes: Sequence[int], document: int) -> int:
    """One document's score."""
    return sum(((plane >> document) & 1) << index for index, plane in enumerate(planes))


def best(planes: Sequence[int], candidates: int, limit: int) -> list[tuple[int, int]]:
    """The `limit` best candidates as (score, document), best first, ties by document.

    Every candidate must have a score above zero in `planes`.
    """
    if limit <= 0 or not candidates:
        return []
    chosen, tied = 0, candidates
    room = limit
    for plane in reversed(planes):
        above = tied & plane
        count = above.bit_count()
        if count > room:
            tied = above
        else:
            chosen |= above
            room -= count
            tied = 0 if room == 0 else tied & ~plane
            if not tied:
                break
    found = [(score_of(planes, d), d) for d in members(chosen)]
    rest = lowest(tied, room)
    if rest:
        score = score_of(planes, rest[0])  # every document still tied scores the same
        found.extend((score, d) for d in rest)
    found.sort(key=lambda item: (-item[0], item[1]))
    return found


def at_least(planes: Sequence[int], value: int, candidates: int) -> int:
    """The candidates whose score in `planes` is `value` or more."""
    if value <= 0:
        return candidates
    if value >> len(planes):
        return 0
    above, equal = 0, candidates
    for index in range(len(planes) - 1, -1, -1):
        plane = planes[index]
        if value >> index & 1:
            equal &= plane
        else:
            above |= equal & plane
            equal &= ~plane
        if not equal:
            break
    return above | equal


def spread_flags(bitmap: int, counts: Sequence[int], size: int) -> bytes:
    """`to_flags(spread(bitmap, counts), size)`, without the set in between."""
    digits = format(bitmap, "b")[::-1].ljust(len(counts), "0")[: len(counts)]
    spread_digits = "".join(map(str.__mul__, digits, counts)).ljust(size, "0")
    return spread_digits.encode("ascii").translate(_DIGIT_FLAGS)
