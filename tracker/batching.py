"""Long lists written or read in slices: an IN list or a multi-row VALUES has to stay under each
database's bound-parameter limit (SQLite 32,766, PostgreSQL 65,535), and a progress bar moves
once a slice."""
from __future__ import annotations

from typing import Iterator, Sequence, TypeVar

T = TypeVar("T")


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size`, in order (itertools.batched from Python 3.12)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
