"""A big XLSX sheet read in a process of its own, while this one checks the rows already read.

Picking a sheet's cells out of its XML (``xlsx.rows``) is half of a big XLSX preview's time, and the
checks on each row (``passes``) the other half; one after the other, they used one of the machine's
cores. ``rows(path, title, here)`` starts ``python`` on this module: it opens the workbook itself, reads
the sheet with ``xlsx.rows`` exactly as this process would, and sends the rows back a few thousand at a
time, pickled, through a pipe, while this process works on the ones before. The pipe's buffer holds what
is sent and not yet taken, so the other process waits when it is ahead, and memory holds flat in both.

The other process decides how fast, never what is read. If it cannot start, stops or sends anything
else (a damaged sheet, a killed process), this process reads the sheet itself from the start (``here``),
skipping the rows already yielded, and so meets the real error at its real place, as it would have.
Pickling costs little: a long table repeats its areas, lines and periods, and pickle sends each string
once per batch.
"""

import itertools
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROWS_SENT = 4096  # rows a batch
DONE = "done"  # sent after the last batch: anything short of it means the other process failed
PROJECT = Path(__file__).resolve().parents[2]
# The other process's own program: the project on its path, then ``send``.
PROGRAM = (
    "import sys; sys.path.insert(0, sys.argv[1]); from measures.importing.sheet_process import send; send()"
)


def rows(path: Path | str, title: str, here: Callable[[], Iterator]) -> Iterator[tuple]:
    """The rows of sheet ``title`` of the XLSX at ``path``, as ``xlsx.rows`` gives them (after
    ``reset_dimensions``), read by another process; ``here()`` gives the same rows read in this one, for
    when the other process fails."""
    received = 0
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", PROGRAM, str(PROJECT), str(path), title],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        yield from here()
        return
    try:
        while True:
            try:
                batch = pickle.load(process.stdout)
            except Exception:  # noqa: BLE001 - cut short (EOF) or garbled: read here instead
                break
            if batch == DONE:
                return
            if batch.__class__ is not list:
                break
            received += len(batch)
            yield from batch
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.wait()
    yield from itertools.islice(here(), received, None)


def send():
    """The other process: read the sheet (``sys.argv`` 2 and 3: path, title) and send its rows."""
    from openpyxl import load_workbook

    from measures.importing import readers, xlsx  # noqa: F401 - readers: openpyxl's parser lets rows go

    path, title = sys.argv[2], sys.argv[3]
    out = sys.stdout.buffer
    with open(path, "rb") as file:
        book = load_workbook(file, read_only=True, data_only=True)
        worksheet = book[title]
        worksheet.reset_dimensions()
        batch = []
        for row in xlsx.rows(worksheet):
            batch.append(row)
            if len(batch) == ROWS_SENT:
                pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(DONE, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        book.close()
