"""The Atom feeds of recommendations, read by a real feed parser."""

from __future__ import annotations

from email.utils import formatdate

import feedparser
import pytest

from council import seats
from tests.conftest import sign_in
from tests.workspaces.publishing import adopt, days_ago, make_public, other_group, public_world
from workspaces import feeds, recommendations


@pytest.fixture
def world(db):
    return public_world(db, number=5)


def parse(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_the_council_feed_is_atom_with_the_newest_recommendations_first(client, db, world):
    older = adopt(
        db, world, title="Labour pathways", when=days_ago(20), reservation="Subject to our budget."
    )
    newer = adopt(db, other_group(db, world), title="Fees & <visas>", when=days_ago(5))
    db.commit()

    response = client.get("/recommendations.atom")
    feed = parse(response)

    assert feed.feed.title == "Test Council on Migration · Recommendations"
    assert feed.feed.language == "en"
    assert feed.feed.id == "http://testserver/recommendations.atom"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": "http://testserver/recommendations.atom",
        "alternate": "http://testserver/recommendations",
    }
    assert [e.title for e in feed.entries] == [
        f"{newer.number} · Fees & <visas>",
        f"{older.number} · Labour pathways",
    ]
    first, second = feed.entries
    assert first.id == first.link == f"http://testserver/recommendations/{newer.number}"
    assert first.author == "Humanitarian protection"
    assert [(t.term, t.label) for t in first.tags] == [("protection", "Humanitarian protection")]
    assert second.author == "Alternative migration pathways"
    assert second.published_parsed[:6] == older.adopted_at.utctimetuple()[:6]
    assert second.updated_parsed[:6] == older.updated_at.utctimetuple()[:6]
    assert second.summary == older.summary
    content = second.content[0]
    assert content.type == "text/html" and content.language == "en"
    assert "<p>Workers must never pay recruitment fees.</p>" in content.value
    assert content.value.startswith("<h3>Recommendation</h3>")
    expected = formatdate(max(older.updated_at, newer.updated_at).timestamp(), usegmt=True)
    assert response.headers["last-modified"] == expected
    assert response.headers["cache-control"] == "public, max-age=60"


def test_the_feed_speaks_the_readers_language_and_keeps_the_text_in_its_own(client, db, world):
    adopt(db, world, title="Vías laborales", language="es")
    db.commit()

    feed = parse(client.get("/recommendations.atom", headers={"Accept-Language": "fr"}))

    assert feed.feed.language == "fr"
    entry = feed.entries[0]
    assert entry.content[0].language == "es"
    assert entry.title_detail.language == "es"


def test_a_group_feed_has_only_that_groups_recommendations(client, db, world):
    mine = adopt(db, world, when=days_ago(9))
    adopt(db, other_group(db, world), when=days_ago(3))
    db.commit()

    feed = parse(client.get("/groups/pathways/recommendations.atom"))

    assert [e.link for e in feed.entries] == [f"http://testserver/recommendations/{mine.number}"]
    assert feed.feed.title == "Alternative migration pathways · Recommendations"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": "http://testserver/groups/pathways/recommendations.atom",
        "alternate": "http://testserver/recommendations?group=pathways",
    }
    assert client.get("/groups/nowhere/recommendations.atom").status_code == 404


def test_an_empty_feed_is_still_valid(client, db, world):
    response = client.get("/groups/narratives/recommendations.atom")

    feed = parse(response)
    assert feed.entries == [] and feed.feed.updated
    assert "last-modified" not in response.headers


def test_a_feed_holds_at_most_its_limit_and_keeps_superseded_ones(client, db, world, monkeypatch):
    monkeypatch.setattr(feeds, "ENTRIES", 2)
    oldest = adopt(db, world, when=days_ago(30))
    middle = adopt(db, world, when=days_ago(20))
    newest = adopt(db, world, when=days_ago(10))
    recommendations.supersede(
        db, middle, by_number=newest.number, reason="Updated.", by=world.secretariat
    )
    db.commit()

    feed = parse(client.get("/recommendations.atom"))

    numbers = [e.link.rsplit("/", 1)[1] for e in feed.entries]
    assert numbers == [newest.number, middle.number]
    assert oldest.number not in numbers


def test_a_reader_whose_copy_is_current_gets_304(client, db, world):
    adopt(db, world)
    db.commit()
    first = client.get("/recommendations.atom")

    again = client.get("/recommendations.atom", headers={"If-None-Match": first.headers["etag"]})
    since = client.get(
        "/recommendations.atom", headers={"If-Modified-Since": first.headers["last-modified"]}
    )

    assert again.status_code == 304 and again.content == b""
    assert since.status_code == 304


def test_without_public_recommendations_anonymous_readers_are_sent_to_sign_in(client, db, world):
    adopt(db, world)
    make_public(db, False)

    for url in ("/recommendations.atom", "/groups/pathways/recommendations.atom"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("http://testserver/sign-in?next=")

    sign_in(client, world.observer)
    response = client.get("/recommendations.atom")
    assert len(parse(response).entries) == 1
    assert response.headers["cache-control"] == "private, no-store"


def test_a_current_feed_is_answered_early_in_one_statement(copying, db, world, queries):
    adopt(db, world)
    db.commit()
    for url in ("/recommendations.atom", "/groups/pathways/recommendations.atom?lang=es"):
        first = copying.get(url)
        queries.reset()
        again = copying.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, url
        # the audit log's head and the council's row (and the group): nothing rendered
        assert len(queries) == 1 and "audit_record" in queries.statements[0], queries.statements
        queries.reset()
        copy = copying.get(url)
        assert copy.content == first.content and len(queries) == 1


def test_every_act_a_feed_shows_changes_its_etag(copying, db, world):
    first = adopt(db, world, title="Safe pathways")
    db.commit()
    url = "/groups/pathways/recommendations.atom"
    before = copying.get(url)
    later = adopt(db, world, title="Regular pathways")
    db.commit()
    published = copying.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert published.status_code == 200 and later.number in published.text
    group = seats.get_group(db, "pathways")
    seats.save_group(
        db,
        by=world.secretariat,
        group=group,
        form=seats.GroupForm(name="Pathways, renamed", number=group.number),
    )
    db.commit()
    renamed = copying.get(url, headers={"If-None-Match": published.headers["etag"]})
    assert renamed.status_code == 200 and "Pathways, renamed" in renamed.text
    assert first.number in renamed.text


def test_an_unknown_group_or_language_is_404_whatever_is_kept(copying, db, world):
    adopt(db, world)
    db.commit()
    copying.get("/recommendations.atom")
    assert copying.get("/recommendations.atom?lang=xx").status_code == 404
    assert copying.get("/groups/nowhere/recommendations.atom").status_code == 404
