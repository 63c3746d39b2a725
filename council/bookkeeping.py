"""Facts that reads learn about their reader, written in batches rather than by each read.

A page view learns small things worth keeping: the session is still in use (its idle timeout
moves), the person has now seen revision 7 of a draft ("changes since your last visit"). Writing
them from the read itself would take SQLite's write lock on every page view, or a second
connection while the request holds one. Instead a read notes them here, in the process's
memory (the latest value per key wins), and a background task of the application writes the
batch every few seconds in one short transaction of its own, outside any request, and once
more when the process stops. Several processes each flush their own notes; the writers keep
the later value, so the order of flushes does not matter. What a crash loses is a few seconds
of such bookkeeping, never an act of the council. Readers in the same process see their own
pending notes through `pending()`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

log = logging.getLogger(__name__)

Writer = Callable[[Session, dict[Hashable, Any]], None]
"""writer(session, {key: value}): store a batch of one kind of note."""


class Bookkeeping:
    def __init__(self, writers: dict[str, Writer] | None = None):
        self.writers: dict[str, Writer] = dict(writers or {})
        self._pending: dict[str, dict[Hashable, Any]] = {}
        self._lock = threading.Lock()

    def register(self, kind: str, writer: Writer) -> None:
        self.writers[kind] = writer

    def note(self, kind: str, key: Hashable, value: Any) -> None:
        if kind not in self.writers:
            raise KeyError(f"no bookkeeping writer for {kind!r}")
        with self._lock:
            self._pending.setdefault(kind, {})[key] = value

    def pending(self, kind: str, key: Hashable) -> Any | None:
        with self._lock:
            return self._pending.get(kind, {}).get(key)

    def flush(self, database) -> int:
        """Write every pending note in one transaction. A kind whose writer fails is dropped
        (logged: these are conveniences, and a note that cannot be written never will be);
        when the database cannot be reached at all, the notes wait for the next flush."""
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return 0
        written = 0
        try:
            with database.transaction() as session:
                for kind, notes in batch.items():
                    try:
                        with session.begin_nested():
                            self.writers[kind](session, notes)
                        written += len(notes)
                    except DBAPIError:
                        log.exception("%s %s notes could not be written: dropped", len(notes), kind)
        except DBAPIError:
            log.exception("bookkeeping could not be written; kept for the next flush")
            with self._lock:
                for kind, notes in batch.items():
                    self._pending[kind] = {**notes, **self._pending.get(kind, {})}
            return 0
        return written
