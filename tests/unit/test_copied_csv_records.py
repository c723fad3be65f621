"""COPY's CSV records turned into the csv module's: "\r\n" after each record, "\n" inside a cell kept."""
from __future__ import annotations

import csv
import io

from tracker.exports import RowCounter
from tracker.reports.copied_csv import crlf_records

ROWS = [
    ["1", "Ada", "Ward 7", "", "1.1; 2.1"],
    ["2", 'Ben "the nurse"', "Ward 7, Day unit", "two\nlines", ""],
    ["3", "Cat", '"', "\n", "end\n\nwith blanks"],
    ["4", "Zoë", "'=1+1", "", ""],
] * 300


def written(rows, ending):
    out = io.StringIO()
    csv.writer(out, lineterminator=ending).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_records_end_as_the_csv_module_ends_them_wherever_the_blocks_split():
    copied = written(ROWS, "\n")  # COPY quotes as the csv module does and ends records with "\n"
    for size in (1, 2, 3, 7, 64, 1000, len(copied)):
        progress = []
        counted = RowCounter((), progress.append)
        blocks = [copied[i:i + size] for i in range(0, len(copied), size)]
        assert b"".join(crlf_records(blocks, counted)) == written(ROWS, "\r\n"), size
        assert counted.count == len(ROWS) and sum(progress) == len(ROWS)


def test_progress_comes_in_thousands_and_the_rest_at_the_end():
    progress = []
    counted = RowCounter((), progress.append)
    list(crlf_records([b"a\n" * 2500], counted))
    assert progress == [2000, 500]
