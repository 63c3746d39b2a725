"""The audit chain's head at adoption is published with each recommendation (page, Atom entry,
API) and `verify` holds the log to it; comments are audited."""

from __future__ import annotations

import hashlib
import json

import feedparser
import pytest
from click.testing import CliRunner
from openapi_core import OpenAPI
from sqlmodel import col, delete, select

from council import audit
from council.cli import main
from council.database import Database
from council.extensions import published_heads
from council.models import AuditRecord
from tests.council.test_audit import cli_env
from tests.workspaces.publishing import adopt, days_ago, public_world
from tests.workspaces.test_comments import post
from tests.workspaces.test_drafts import build_group, start
from tests.workspaces.test_recommendation_api import checked
from workspaces import api, comments, recommendations
from workspaces.extension import extension
from workspaces.round_models import Round


@pytest.fixture
def world(db):
    return public_world(db, number=5)


def published_record(db, recommendation) -> AuditRecord:
    return db.exec(
        select(AuditRecord).where(
            AuditRecord.action == "recommendation.published",
            AuditRecord.target_id == str(recommendation.id),
        )
    ).one()


def test_the_head_at_adoption_is_the_publication_record(db, world):
    published = adopt(db, world, when=days_ago(3))
    head = recommendations.record(published)["adoption"]["audit_head"]
    assert head == published_record(db, published).hash
    last = db.exec(select(AuditRecord).order_by(col(AuditRecord.id).desc()).limit(1)).one()
    assert last.hash == head  # nothing was appended after it in the adopting transaction


def test_the_head_is_on_the_page_in_the_feed_and_in_the_api(client, db, world):
    published = adopt(db, world, when=days_ago(3))
    head = recommendations.record(published)["adoption"]["audit_head"]
    db.commit()

    page = client.get(f"/recommendations/{published.number}")
    assert page.status_code == 200
    assert head in page.text and "Audit log digest" in page.text

    feed = client.get("/recommendations.atom")
    assert not feedparser.parse(feed.content).bozo
    assert audit.heads_in_feed(feed.content) == [(f"{published.number} · Labour pathways", head)]

    body = checked(
        OpenAPI.from_dict(api.DOCUMENT),
        client.get(f"/api/v1/recommendations/{published.number}"),
        200,
    )
    assert body["adoption"]["audit_head"] == head


def test_a_recommendation_published_before_heads_reads_null_in_the_api(client, db, world):
    published = adopt(db, world, when=days_ago(3))
    stored = recommendations.record(published)
    del stored["adoption"]["audit_head"]
    published.record = json.dumps(stored)
    db.add(published)
    db.commit()
    body = checked(
        OpenAPI.from_dict(api.DOCUMENT),
        client.get(f"/api/v1/recommendations/{published.number}"),
        200,
    )
    assert body["adoption"]["audit_head"] is None
    assert recommendations.published_heads(db) == []


def test_a_later_chair_statement_keeps_the_head(db, world):
    published = adopt(db, world, when=days_ago(3))
    head = recommendations.record(published)["adoption"]["audit_head"]
    recommendations.refresh(db, db.get(Round, published.round_id))
    db.refresh(published)
    assert recommendations.record(published)["adoption"]["audit_head"] == head


def test_verify_finds_a_log_cut_short_before_a_publication(db, world):
    first = adopt(db, world, title="Labour pathways", when=days_ago(8))
    second = adopt(db, world, title="Fees", when=days_ago(4))
    heads = published_heads([extension()], db)
    assert [number for number, _ in heads] == [first.number, second.number]
    assert audit.verify(db, heads=heads).ok

    cut_from = published_record(db, second).id
    db.exec(delete(AuditRecord).where(col(AuditRecord.id) >= cut_from))
    db.expire_all()
    result = audit.verify(db, heads=heads)
    assert not result.ok
    assert second.number in result.problem
    assert result.heads == 1


def test_the_command_checks_every_published_head(fresh_databases, tmp_path):
    url = fresh_databases.create()
    env = cli_env(url, tmp_path)
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            published = adopt(session, build_group(session), when=days_ago(3))
            number, cut_from = published.number, published_record(session, published).id
        intact = CliRunner().invoke(main, ["audit", "verify", "--published"], env=env)
        assert intact.exit_code == 0, intact.output
        assert "1 published digest was found in the log" in intact.output

        with database.transaction() as session:
            session.exec(delete(AuditRecord).where(col(AuditRecord.id) >= cut_from))
        cut = CliRunner().invoke(main, ["audit", "verify", "--published"], env=env)
        assert cut.exit_code == 1
        assert number in cut.stderr
    finally:
        database.dispose()


def test_posting_editing_and_withdrawing_a_comment_are_audited(db):
    world = build_group(db)
    draft = start(db, world)
    comment = post(db, world, draft, "A first thought.")
    answer = comments.reply(db, by=world.colleague, to=comment, body="Agreed.", revision_number=1)
    comments.edit_comment(db, by=world.member, comment=comment, body="A better thought.")
    comments.withdraw_comment(db, by=world.member, comment=comment)

    rows = db.exec(
        select(AuditRecord)
        .where(col(AuditRecord.action).startswith("comment."))
        .order_by(AuditRecord.id)
    ).all()
    assert [(r.action, r.target_id, r.actor_id) for r in rows] == [
        ("comment.posted", str(comment.id), world.member.id),
        ("comment.posted", str(answer.id), world.colleague.id),
        ("comment.edited", str(comment.id), world.member.id),
        ("comment.withdrawn", str(comment.id), world.member.id),
    ]
    details = [json.loads(r.details) for r in rows]
    assert details[0]["body_sha256"] == hashlib.sha256(b"A first thought.").hexdigest()
    assert details[1]["reply_to"] == comment.id
    assert details[2]["body_sha256"] == hashlib.sha256(b"A better thought.").hexdigest()
    assert "A better thought." not in rows[2].details  # proved, not copied
