"""Citations of the evidence library: `[@doc:12]` in a draft's text is a numbered citation with
the list of sources at the end; a published recommendation keeps its citations, and one to a
members-only document never shows that document's title or link to a reader of the public page.
"""

from __future__ import annotations

from sqlmodel import select

from council.database import utcnow
from tests.conftest import post_form, sign_in
from tests.workspaces.publishing import adopt, make_public
from tests.workspaces.test_documents import FIELDS, add
from tests.workspaces.test_drafts import build_group, start
from workspaces import citations, documents, recommendations
from workspaces.document_models import Document, DocumentCitation

NOT_PUBLIC = "A document held by the council that is not public."


def test_marks_are_numbered_in_the_order_of_first_citation():
    html = (
        "<p>See [@doc:7] and [@doc:3, p. 4], again [@doc:7].</p>"
        '<p><code>[@doc:9]</code> <a href="https://example.org">[@doc:8]</a> [@doc:x]</p>'
    )
    assert citations.cited_ids([html, "<p>[@doc:5]</p>"]) == [7, 3, 5]
    shown = citations.Citations(
        [citations.Source(1, 7, shown=True), citations.Source(2, 3, shown=False)]
    ).mark(html)
    assert shown.count('href="#source-1"') == 2
    assert '<span class="visually-hidden" lang="en">Source </span>[2, p. 4]</a>' in shown
    # code and the text of links are left as written; so is what is not a citation
    assert "<code>[@doc:9]</code>" in shown and ">[@doc:8]</a>" in shown
    assert "[@doc:x]" in shown


def _text(public: int, private: int) -> str:
    return "\n\n".join(
        [
            "# Recommendation",
            f"The member states should open labour pathways [@doc:{public}].",
            f"Workers never pay recruitment fees [@doc:{private}, p. 4]; "
            f"`[@doc:{private}]` is code.",
            f"As the first study shows [@doc:{public}].",
        ]
    )


def test_a_draft_shows_each_reader_the_sources_they_may_read(client, db, settings):
    world = build_group(db, observers_read_deliberations=True)
    public = add(db, settings, world.member, title="Open pathways study", visibility="public")
    private = add(db, settings, world.member, title="Confidential fee survey")
    draft = start(db, world, text=_text(public.id, private.id))
    db.commit()
    sign_in(client, world.colleague)
    page = client.get(f"/drafts/{draft.id}").text
    assert page.count('href="#source-1"') == 2 and "[2, p. 4]</a>" in page
    assert f"<code>[@doc:{private.id}]</code>" in page
    assert 'id="source-1"' in page and 'id="source-2"' in page
    assert f'href="/documents/{public.id}"' in page and f'href="/documents/{private.id}"' in page
    assert "Confidential fee survey" in page and NOT_PUBLIC not in page
    client.cookies.clear()
    sign_in(client, world.observer)  # reads the group's drafts, not members-only documents
    page = client.get(f"/drafts/{draft.id}").text
    assert "Open pathways study" in page and f'href="/documents/{public.id}"' in page
    assert "Confidential fee survey" not in page and f"/documents/{private.id}" not in page
    assert NOT_PUBLIC in page


def test_the_editing_hint_says_how_to_cite(client, db):
    world = build_group(db)
    db.commit()
    sign_in(client, world.member)
    page = client.get(f"/groups/{world.group.slug}/drafts/new").text
    assert "Cite a document of the library by its number: [@doc:12]" in page


def test_a_published_recommendation_keeps_its_citations_without_leaking_members_only_ones(
    client, db, settings
):
    world = build_group(db)
    public = add(db, settings, world.member, title="Open pathways study", visibility="public")
    private = add(db, settings, world.member, title="Confidential fee survey")
    item = adopt(db, world, text=_text(public.id, private.id))
    db.commit()
    make_public(db)
    data = recommendations.record(item)
    assert set(data["citations"]) == {str(public.id), str(private.id)}
    assert data["citations"][str(private.id)]["title"] == "Confidential fee survey"
    assert set(
        db.exec(
            select(DocumentCitation.document_id).where(
                DocumentCitation.recommendation_id == item.id
            )
        ).all()
    ) == {public.id, private.id}

    page = client.get(f"/recommendations/{item.number}").text
    assert "Open pathways study" in page and f'href="/documents/{public.id}"' in page
    assert page.count('href="#source-1"') == 2 and "[2, p. 4]</a>" in page
    assert "Confidential fee survey" not in page and f"/documents/{private.id}" not in page
    assert NOT_PUBLIC in page
    assert (
        "Confidential fee survey" not in client.get(f"/api/v1/recommendations/{item.number}").text
    )
    library = client.get("/documents").text  # the public library: the public document only
    assert "Open pathways study" in library and item.number in library
    assert "Confidential fee survey" not in library

    sign_in(client, world.colleague)
    listed = client.get("/documents").text
    assert listed.count(f"/recommendations/{item.number}") == 2  # each document, its citation
    assert item.number in client.get(f"/documents/{private.id}").text

    # made public by the secretariat: the stored page is made again, and now names it
    client.cookies.clear()
    sign_in(client, world.secretariat)
    before = item.updated_at
    answer = post_form(
        client,
        f"/documents/{private.id}/edit",
        {**FIELDS, "title": "Fee survey", "visibility": "public"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    client.cookies.clear()
    page = client.get(f"/recommendations/{item.number}").text
    assert "Confidential fee survey" in page  # as the text cited it at adoption
    assert f'href="/documents/{private.id}"' in page and NOT_PUBLIC not in page
    db.expire_all()
    assert recommendations.get(db, item.number).updated_at > before

    # the public document withdrawn: the public page no longer names it
    documents.withdraw(
        db,
        db.get(Document, public.id),
        by=world.secretariat,
        reason="Retracted by its authors.",
        now=utcnow(),
    )
    db.commit()
    page = client.get(f"/recommendations/{item.number}").text
    assert "Open pathways study" not in page and f'href="/documents/{public.id}"' not in page
