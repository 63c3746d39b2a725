"""Full-text search of the evidence library, the way workspaces.search searches
recommendations (the same folding of words and prefix matching), in index tables of its own
made by the migration with each database's SQL (not modelled):

- SQLite: the FTS5 table `document_fts(title, body)`, rowid = the document's id;
- PostgreSQL: `document_search(document_id, document tsvector)` with a GIN index.

The title and authors are indexed as the title; the summary and the text of the PDF as the body.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, column, text
from sqlmodel import Session

from workspaces.search import fold, words


def index(session: Session, document_id: int, *, title: str, body: str) -> None:
    """(Re)index one document, in the caller's transaction."""
    title, body = fold(title), fold(body)
    if _is_sqlite(session):
        session.execute(text("DELETE FROM document_fts WHERE rowid = :id"), {"id": document_id})
        session.execute(
            text("INSERT INTO document_fts (rowid, title, body) VALUES (:id, :title, :body)"),
            {"id": document_id, "title": title, "body": body},
        )
    else:
        session.execute(
            text(
                "INSERT INTO document_search (document_id, document) VALUES "
                "(:id, setweight(to_tsvector('simple', :title), 'A') "
                "|| to_tsvector('simple', :body)) "
                "ON CONFLICT (document_id) DO UPDATE SET document = excluded.document"
            ),
            {"id": document_id, "title": title, "body": body},
        )


def matching(session: Session, id_column: ColumnElement, query: str) -> ColumnElement | None:
    """A condition on `id_column` (a document id) that keeps the documents holding every word
    of `query` in their title, authors, summary or text; None when the query has no word."""
    found = words(query)
    if not found:
        return None
    if _is_sqlite(session):
        expression = " AND ".join(f'"{word}"*' for word in found)
        ids = text("SELECT rowid FROM document_fts WHERE document_fts MATCH :fts")
        return id_column.in_(ids.bindparams(fts=expression).columns(column("rowid", Integer)))
    expression = " & ".join(f"{word}:*" for word in found)
    ids = text(
        "SELECT document_id FROM document_search WHERE document @@ to_tsquery('simple', :tsq)"
    )
    return id_column.in_(ids.bindparams(tsq=expression).columns(column("document_id", Integer)))


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"
