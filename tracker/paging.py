"""Long lists shown a page at a time (the admin lists, the team dashboard's people): one rule for
which page is shown and which rows are on it."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    number: int  # from 1, never past the last page
    count: int  # how many pages there are; 1 for an empty list

    def rows(self, query: Select) -> Select:
        """The query narrowed to this page's rows (it must already be ordered)."""
        return query.limit(PAGE_SIZE).offset((self.number - 1) * PAGE_SIZE)


def page_of(asked: int | None, total: int) -> Page:
    """The page asked for in the address, moved onto the first or the last page when it lies outside them."""
    count = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return Page(min(max(asked or 1, 1), count), count)
