"""Full-text search of the evidence library, the way workspaces.search searches
recommendations (the same folding of words and prefix matching, the same queries), in index
tables of its own made by the migration with each database's SQL (not modelled):

- SQLite: the FTS5 table `document_fts(title, body)`, rowid = the document's id;
- PostgreSQL: `document_search(document_id, document tsvector)` with a GIN index.

The title and authors are indexed as the title; the summary and the text of the PDF as the body.
"""

from __future__ import annotations

from workspaces.search import SearchIndex, words

DOCUMENTS = SearchIndex("document")
index = DOCUMENTS.store
matching = DOCUMENTS.matching

__all__ = ["DOCUMENTS", "index", "matching", "words"]
