"""Full-text search of recommendations: SQLite FTS5 or PostgreSQL text search, one interface.

The index tables are made by the migration with each database's own SQL and are not part of
the models (migrations/env.py leaves them out of the comparison):

- SQLite: the FTS5 table `recommendation_fts(title, body)`, rowid = the recommendation's id;
- PostgreSQL: `recommendation_search(recommendation_id, document tsvector)` with a GIN index.

Texts are in English, Spanish or French and readers search in any of them, so both sides use
no stemming: words are folded (case and accents: "migracion" finds "migración") here, in
Python, before they are indexed or searched for, and each searched word matches as a prefix
("migra" finds "migrants" and "migración"). Every word must match, in the title or the text.
A recommendation is indexed with every version of its text (workspaces.recommendations.index),
and a list shows the version that holds the searched words (`matches`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, column, text
from sqlmodel import Session

MAX_WORDS = 12
MAX_WORD = 40
_WORD = re.compile(r"[^\W_]+")  # letters and digits: both databases split on the rest


def fold(value: str) -> str:
    """Lower case without accents: what is indexed and what is searched for."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(query: str) -> list[str]:
    """The searchable words of what a reader typed (punctuation and operators dropped)."""
    found = [word[:MAX_WORD] for word in _WORD.findall(fold(query))]
    return list(dict.fromkeys(found))[:MAX_WORDS]


def matches(text: str, wanted: list[str]) -> bool:
    """Whether `text` holds every one of the searched `wanted` words (from `words`) as the
    index matches them, as a prefix of one of its words: which version of a recommendation the
    index found it by."""
    found = set(_WORD.findall(fold(text)))
    return all(any(word.startswith(prefix) for word in found) for prefix in wanted)


@dataclass(frozen=True)
class SearchIndex:
    """One kind of record's index tables, named after it: `<kind>_fts(title, body)` (FTS5,
    rowid = the record's id) on SQLite, `<kind>_search(<kind>_id, document)` on PostgreSQL.
    The names are made from `kind`, a fixed word of the code, never from input."""

    kind: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z]+", self.kind):
            raise ValueError(f"not a kind of record: {self.kind!r}")

    @property
    def names(self) -> tuple[str, str, str]:
        """The SQLite table, the PostgreSQL table and its id column."""
        return f"{self.kind}_fts", f"{self.kind}_search", f"{self.kind}_id"

    def store(self, session: Session, record_id: int, *, title: str, body: str) -> None:
        """(Re)index one record, in the caller's transaction; the title weighs more."""
        values = {"id": record_id, "title": fold(title), "body": fold(body)}
        fts, table, key = self.names
        if _is_sqlite(session):
            session.execute(text(f"DELETE FROM {fts} WHERE rowid = :id"), values)  # noqa: S608
            insert = f"INSERT INTO {fts} (rowid, title, body) VALUES (:id, :title, :body)"  # noqa: S608
            session.execute(text(insert), values)
            return
        upsert = (
            f"INSERT INTO {table} ({key}, document) VALUES "  # noqa: S608
            "(:id, setweight(to_tsvector('simple', :title), 'A') "
            "|| to_tsvector('simple', :body)) "
            f"ON CONFLICT ({key}) DO UPDATE SET document = excluded.document"
        )
        session.execute(text(upsert), values)

    def matching(
        self, session: Session, id_column: ColumnElement, query: str
    ) -> ColumnElement | None:
        """A condition on `id_column` (the record's id) that keeps the records whose title or
        text contain every word of `query`; None when the query has no word."""
        found = words(query)
        if not found:
            return None
        fts, table, key = self.names
        if _is_sqlite(session):
            # each word quoted (so FTS5 reads no operator in it) and matched as a prefix
            expression = " AND ".join(f'"{word}"*' for word in found)
            ids = text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :fts")  # noqa: S608
            return id_column.in_(ids.bindparams(fts=expression).columns(column("rowid", Integer)))
        expression = " & ".join(f"{word}:*" for word in found)
        select_ids = f"SELECT {key} FROM {table} WHERE document @@ to_tsquery('simple', :tsq)"  # noqa: S608
        ids = text(select_ids).bindparams(tsq=expression)
        return id_column.in_(ids.columns(column(key, Integer)))


RECOMMENDATIONS = SearchIndex("recommendation")
index = RECOMMENDATIONS.store
"""(Re)index one recommendation (the titles and texts of all its versions)."""
matching = RECOMMENDATIONS.matching


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"
