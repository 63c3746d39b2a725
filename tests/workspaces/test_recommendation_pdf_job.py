"""The worker makes a recommendation's PDFs once it is published (pdf.JOB), so the first
download is served from the store like the next ones; a change makes them again."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council.database import utcnow
from council.worker import run_job
from tests.workspaces.publishing import adopt, public_world
from workspaces import pdf, recommendations, rendering
from workspaces.recommendation_models import Recommendation, RecommendationPdf


@pytest.fixture
def world(db):
    return public_world(db)


@pytest.fixture
def client(app) -> TestClient:
    """Without the lifespan: nothing writes the downloads' notes behind the test's back."""
    return TestClient(app, base_url="http://testserver")


def recently() -> datetime:
    return utcnow() - timedelta(hours=3)


@pytest.fixture
def published(db, world):
    item = adopt(db, world, title="Labour pathways for seasonal work", when=recently())
    db.commit()
    return item


def stored(db, item) -> dict[str, RecommendationPdf]:
    db.expire_all()
    return {
        row.language: row
        for row in db.exec(
            select(RecommendationPdf).where(RecommendationPdf.recommendation_id == item.id)
        ).all()
    }


def test_the_job_makes_every_pdf_and_the_first_download_is_served_from_the_store(
    app, client, database, db, published
):
    item = db.get(Recommendation, published.id)
    keys = rendering.keys(item, recommendations.record(item))
    assert sorted(key for _id, key in pdf.missing(db, limit=99)) == sorted(keys)

    assert run_job(database, pdf.JOB, force=True) == len(keys)

    made = stored(db, item)
    assert set(made) == set(keys)
    assert all(row.version == pdf.version(item) for row in made.values())
    assert pdf.missing(db) == []
    first = client.get(f"/recommendations/{item.number}.pdf")
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    assert first.headers["etag"] == made["en"].etag and first.content == made["en"].data
    # not made by the download: nothing waits to be stored
    assert app.state.bookkeeping.pending(pdf.MADE, (item.id, "en")) is None
    assert run_job(database, pdf.JOB, force=True) == 0  # nothing left to do


def test_the_job_leaves_older_recommendations_to_their_first_download(database, db, world):
    older = adopt(db, world, title="Older pathways", when=utcnow() - pdf.RECENT * 2)
    db.commit()
    assert pdf.missing(db) == []
    assert run_job(database, pdf.JOB, force=True) == 0
    assert stored(db, older) == {}


def test_a_change_makes_the_pdfs_again_and_newer_ones_come_first(database, db, world, published):
    run_job(database, pdf.JOB, force=True)
    later = adopt(db, world, title="Later pathways", when=recently())
    db.commit()
    assert {rid for rid, _key in pdf.missing(db)} == {later.id}
    recommendations.supersede(
        db,
        db.get(Recommendation, published.id),
        by_number=later.number,
        reason="Replaced.",
        by=world.secretariat,
        now=utcnow(),
    )
    db.commit()
    waiting = pdf.missing(db, limit=99)
    # the newest recommendation first, then the one whose record changed
    assert [rid for rid, _key in waiting] == sorted((rid for rid, _key in waiting), reverse=True)
    assert {rid for rid, _key in waiting} == {later.id, published.id}
    while run_job(database, pdf.JOB, force=True):
        pass
    item = db.get(Recommendation, published.id)
    db.refresh(item)
    assert all(row.version == pdf.version(item) for row in stored(db, item).values())
    assert pdf.missing(db) == []
