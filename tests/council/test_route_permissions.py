"""Every route of the application against every role, generated from the route table.

A new route fails here until it has an entry in EXAMPLES: the path parameters that reach a
real object of the world below, and the target its permission is checked against. The expected
answer comes from the route's declared `permission` and `can(...)`, the same function the
handlers and templates use, so a hidden button and a refused request never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from starlette.routing import Mount, Route

from council import sessions
from council.database import utcnow
from council.middleware import session_cookie_name
from council.models import Person, SeatKind, SeatRole, WorkingGroup
from council.permissions import ANONYMOUS, can, load_actor
from tests.conftest import csrf_from
from tests.factories import (
    make_chair,
    make_council,
    make_group,
    make_person,
    make_seat,
    make_secretariat,
)

ROLES = ("anonymous", "secretariat", "chair", "member", "outsider", "observer")


@dataclass
class World:
    group: WorkingGroup
    other_group: WorkingGroup
    people: dict[str, Person]
    extra: dict = field(default_factory=dict)


def build_world(db) -> World:
    council = make_council(db)
    chair_state = make_seat(db, name="Costa Rica")
    member_state = make_seat(db, name="Belize")
    participant = make_seat(db, SeatKind.PARTICIPANT, name="Migrant Network")
    observer_seat = make_seat(db, SeatKind.OBSERVER, name="Observer Org")
    outsider_state = make_seat(db, name="Panama")
    group = make_group(
        db,
        seats=[chair_state, member_state, participant, observer_seat],
        name="Humanitarian protection",
        slug="protection",
    )
    other = make_group(db, seats=[outsider_state], name="Narratives", slug="narratives")
    people = {
        "secretariat": make_secretariat(db),
        "chair": make_person(db, seat=chair_state, role=SeatRole.DELEGATE),
        "member": make_person(db, seat=member_state, role=SeatRole.DELEGATE),
        "outsider": make_person(db, seat=outsider_state, role=SeatRole.HEAD),
        "observer": make_person(db, seat=observer_seat, role=SeatRole.HEAD),
    }
    make_chair(db, group, chair_state, people["chair"])
    world = World(group, other, people, extra={"council": council})
    for extend in WORLD_EXTENSIONS:
        extend(db, world)
    return world


# Later areas add objects to the world (a draft, a round...) by appending here.
WORLD_EXTENSIONS: list = []


def _with_draft(db, world: World) -> None:
    """A draft of the group sponsored by the member's seat, so every writer may withdraw it."""
    from workspaces import drafts

    member = world.people["member"]
    world.extra["draft"] = drafts.start_draft(
        db,
        by=member,
        group=world.group,
        title="Labour pathways",
        purpose="",
        sponsor_seat_ids=[member.seat_id],
        text="First paragraph.\n\nSecond paragraph.",
        language="en",
    )


WORLD_EXTENSIONS.append(_with_draft)


def _with_invitation_reset_and_identity(db, world: World) -> None:
    """An open invitation and a reset link (their tokens), and an identity of the member."""
    from council import accounts, invitations
    from council.models import Identity

    now = utcnow()
    world.extra["invitation"], world.extra["invitation_token"] = invitations.invite(
        db,
        by=world.people["secretariat"],
        languages=("en",),
        now=now,
        form=invitations.InvitationForm(email="invited@example.org", name="Invited Person"),
    )
    _, world.extra["reset_token"] = accounts.request_reset(
        db, email=world.people["member"].email, now=now
    )
    identity = Identity(
        person_id=world.people["member"].id,
        provider="gov",
        issuer="https://id.example.org",
        subject="member-subject",
    )
    db.add(identity)
    db.flush()
    world.extra["identity"] = identity


WORLD_EXTENSIONS.append(_with_invitation_reset_and_identity)


def _with_comment(db, world: World) -> None:
    """The member's comment on the draft's first paragraph (just posted: still editable)."""
    from workspaces import comments

    draft = world.extra["draft"]
    world.extra["comment"] = comments.post_comment(
        db,
        by=world.people["member"],
        draft=draft,
        body="A first comment.",
        paragraph_id=None,
        revision_number=1,
    )


WORLD_EXTENSIONS.append(_with_comment)


def _with_chair_term(db, world: World) -> None:
    """The group's current chair term, whose acting person its seat's head may name."""
    from council.chairs import current_term

    world.extra["chair_term"] = current_term(db, world.group.id, utcnow())


WORLD_EXTENSIONS.append(_with_chair_term)


def _with_rounds(db, world: World) -> None:
    """A draft with an open decision round, and one whose round closed itself at its deadline
    (so it may receive a chair's statement, and a new round may be opened on it)."""
    from datetime import timedelta

    from workspaces import drafts, rounds

    member, chair = world.people["member"], world.people["chair"]
    now = utcnow()
    for key in ("round", "closed_round"):
        draft = drafts.start_draft(
            db,
            by=member,
            group=world.group,
            title=f"Draft with a {key}",
            purpose="",
            sponsor_seat_ids=[member.seat_id],
            text="One.\n\nTwo.",
            language="en",
        )
        opened_at = now if key == "round" else now - timedelta(days=3)
        world.extra[key] = rounds.open_round(
            db,
            by=chair,
            draft=draft,
            kind="decision",
            now=opened_at,
            deadline=opened_at + timedelta(days=1 if key == "closed_round" else 7),
        )
        world.extra[f"{key}_draft"] = draft
    rounds.settle_expired(db, now, draft=world.extra["closed_round_draft"])


WORLD_EXTENSIONS.append(_with_rounds)


def _with_recommendation(db, world: World) -> None:
    """A recommendation: a draft adopted by both member states in a closed decision round."""
    from datetime import timedelta

    from council.models import Seat
    from workspaces import drafts, recommendations, rounds
    from workspaces.rounds import PositionForm

    member, chair = world.people["member"], world.people["chair"]
    opened = utcnow() - timedelta(days=1)
    draft = drafts.start_draft(
        db,
        by=member,
        group=world.group,
        title="Adopted text",
        purpose="",
        sponsor_seat_ids=[member.seat_id],
        text="Adopted.\n\nText.",
        language="en",
    )
    round_ = rounds.open_round(
        db, by=chair, draft=draft, kind="decision", now=opened, deadline=opened + timedelta(days=7)
    )
    for person in (member, chair):
        rounds.cast_position(
            db,
            round_,
            by=person,
            seat=db.get(Seat, person.seat_id),
            form=PositionForm("support"),
            now=opened,
        )
    rounds.close_round(db, round_, by=chair, now=opened + timedelta(hours=1))
    world.extra["recommendation"] = recommendations.of_draft(db, draft)


WORLD_EXTENSIONS.append(_with_recommendation)


def _with_follow_up(db, world: World) -> None:
    """The recommendation addresses the member's seat and the observer seat."""
    from workspaces import followup

    seat_ids = [world.people["member"].seat_id, world.people["observer"].seat_id]
    followup.address(
        db,
        recommendation=world.extra["recommendation"],
        seat_ids=seat_ids,
        by=world.people["chair"],
        now=utcnow(),
    )


WORLD_EXTENSIONS.append(_with_follow_up)


def _addressed(world: World):
    """The member's seat, as the recommendation's follow-up sees it (addressed)."""
    from council.permissions import Addressed

    return Addressed(world.group.id, world.people["member"].seat_id, True)


def _with_published_statement(db, world: World) -> None:
    """A decision round the chair closed without quorum, whose chair's statement is published
    (its publish form then leads to the statement)."""
    from datetime import timedelta

    from workspaces import drafts, rounds, statements

    member, chair = world.people["member"], world.people["chair"]
    opened = utcnow() - timedelta(days=1)
    draft = drafts.start_draft(
        db,
        by=member,
        group=world.group,
        title="Failed text",
        purpose="",
        sponsor_seat_ids=[member.seat_id],
        text="Failed.\n\nText.",
        language="en",
    )
    round_ = rounds.open_round(
        db, by=chair, draft=draft, kind="decision", now=opened, deadline=opened + timedelta(days=7)
    )
    rounds.close_round(
        db, round_, by=chair, statement="No quorum today.", now=opened + timedelta(hours=1)
    )
    world.extra["failed_round"], world.extra["failed_round_draft"] = round_, draft
    world.extra["statement"] = statements.publish(db, round_, by=chair)


WORLD_EXTENSIONS.append(_with_published_statement)


def _with_notification(db, world: World) -> None:
    """One of the member's notifications (the chair opened rounds in their group)."""
    from sqlmodel import select

    from council.models import Notification

    world.extra["notification"] = db.exec(
        select(Notification)
        .where(Notification.person_id == world.people["member"].id)
        .order_by(Notification.id)
    ).first()


WORLD_EXTENSIONS.append(_with_notification)


def _with_settings_link(db, world: World) -> None:
    """The link to the member's email choices, as an email carries it."""
    from council import notification_settings

    world.extra["settings_link_token"] = notification_settings.new_link(
        db, person_id=world.people["member"].id, kind=None, now=utcnow()
    )


WORLD_EXTENSIONS.append(_with_settings_link)


def _with_amendment(db, world: World) -> None:
    """The member's seat's amendment to a draft's first paragraph, outdated since by a
    whole-text revision (so its seat may re-base it, or withdraw it)."""
    from council.permissions import load_actor
    from workspaces import amendments, drafts

    member = world.people["member"]
    draft = drafts.start_draft(
        db,
        by=member,
        group=world.group,
        title="Amended draft",
        purpose="",
        sponsor_seat_ids=[member.seat_id],
        text="First.\n\nSecond.",
        language="en",
    )
    first = drafts.paragraphs(db, drafts.latest_revision(db, draft))[0].paragraph_id
    world.extra["amendment"] = amendments.propose(
        db,
        actor=load_actor(db, member, utcnow()),
        draft=draft,
        justification="Clearer.",
        changes=[amendments.ChangeForm(first, "replace", "First, amended.")],
        now=utcnow(),
    )
    drafts.revise(
        db,
        by=member,
        draft=draft,
        base_number=1,
        text="First, revised.\n\nSecond.",
        summary="Revised.",
    )
    world.extra["amended_draft"] = draft


WORLD_EXTENSIONS.append(_with_amendment)


def _sponsored(world: World):
    """The draft as whole-text revision sees it: sponsored by the member's seat."""
    from council.permissions import Sponsored

    draft = world.extra["draft"]
    return Sponsored(draft.id, draft.working_group_id, frozenset({world.people["member"].seat_id}))


def _proposed(world: World):
    from workspaces import amendments

    return amendments.proposed(world.extra["amendment"], world.extra["amended_draft"])


def _with_official_languages(db, world: World) -> None:
    """English and Spanish official, once the world's rounds are open: drafts then have a
    Spanish version to read and translate."""
    council = world.extra["council"]
    council.official_languages = "en,es"
    db.add(council)
    db.flush()
    from workspaces import drafts

    draft = world.extra["draft"]
    world.extra["first_paragraph"] = drafts.paragraphs(db, drafts.latest_revision(db, draft))[
        0
    ].paragraph_id


WORLD_EXTENSIONS.append(_with_official_languages)


def _with_document(db, world: World) -> None:
    """A public document of the evidence library, filed under the group by the member (so that
    every signed-in role may read it; its file is not on this world's disk)."""
    from datetime import date

    from workspaces.document_models import Document, Visibility

    document = Document(
        working_group_id=world.group.id,
        title="Labour pathways evidence",
        authors="Task force",
        issued_on=date(2025, 3, 14),
        language="en",
        visibility=Visibility.PUBLIC,
        file_name="evidence.pdf",
        sha256="0" * 64,
        size=100,
        pages=1,
        uploaded_by_id=world.people["member"].id,
    )
    db.add(document)
    db.flush()
    world.extra["document"] = document


WORLD_EXTENSIONS.append(_with_document)


def _filed(world: World):
    from workspaces import citations

    return citations.filed(world.extra["document"], world.extra["council"])


def _with_reports(db, world: World) -> None:
    """A draft report of the group (the chair's) and a published report of the council with
    the recommendation (the secretariat's)."""
    from workspaces import reports
    from workspaces.reports import Composition, SectionForm

    languages = ("en", "es", "fr")
    world.extra["report_draft"] = reports.start(
        db,
        by=world.people["chair"],
        group=world.group,
        kind="interim",
        titles={"en": "Draft report"},
        default_language="en",
        languages=languages,
    )
    secretariat = world.people["secretariat"]
    published = reports.start(
        db,
        by=secretariat,
        group=None,
        kind="annual",
        titles={"en": "Annual report"},
        default_language="en",
        languages=languages,
    )
    reports.save(
        db,
        published,
        Composition(
            kind="annual",
            titles={"en": "Annual report"},
            forewords={"en": "A year."},
            sections=[
                SectionForm(
                    headings={"en": "Adopted"}, items=[world.extra["recommendation"].number]
                )
            ],
        ),
        by=secretariat,
        default_language="en",
        languages=languages,
    )
    world.extra["report"] = reports.publish(db, published, by=secretariat)


WORLD_EXTENSIONS.append(_with_reports)


# route name -> world -> (path params, target of the permission check)
EXAMPLES = {
    "home": lambda w: ({}, None),
    "healthz": lambda w: ({}, None),
    "events": lambda w: ({}, None),
    "sign_in": lambda w: ({}, None),
    "sign_out": lambda w: ({}, None),
    "account": lambda w: ({}, None),
    "choose_language": lambda w: ({}, None),
    "working_group": lambda w: ({"slug": w.group.slug}, w.group),
    "admin_home": lambda w: ({}, None),
    "admin_council": lambda w: ({}, None),
    "admin_seats": lambda w: ({}, None),
    "admin_seat_new": lambda w: ({}, None),
    "admin_seat_edit": lambda w: ({"seat_id": w.people["member"].seat_id}, None),
    "admin_people": lambda w: ({}, None),
    "admin_person_new": lambda w: ({}, None),
    "admin_person_edit": lambda w: ({"person_id": w.people["member"].id}, None),
    "admin_groups": lambda w: ({}, None),
    "admin_group_new": lambda w: ({}, None),
    "admin_group_edit": lambda w: ({"slug": w.group.slug}, None),
    "admin_group_seats": lambda w: ({"slug": w.group.slug}, None),
    "group_drafts": lambda w: ({"slug": w.group.slug}, w.group),
    "draft_new": lambda w: ({"slug": w.group.slug}, w.group),
    "draft": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "draft_revise": lambda w: ({"draft_id": w.extra["draft"].id}, _sponsored(w)),
    "draft_revision": lambda w: ({"draft_id": w.extra["draft"].id, "number": 1}, w.group),
    "draft_history": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "draft_compare": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "draft_changes": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "draft_withdraw": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "draft_amendments": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "amendment_new": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "editorial_new": lambda w: ({"draft_id": w.extra["draft"].id}, w.extra["draft"]),
    "amendments_decide": lambda w: ({"draft_id": w.extra["draft"].id}, w.extra["draft"]),
    "amendments_merge": lambda w: ({"draft_id": w.extra["draft"].id}, w.extra["draft"]),
    "amendment": lambda w: ({"amendment_id": w.extra["amendment"].id}, w.group),
    "amendment_support": lambda w: ({"amendment_id": w.extra["amendment"].id}, w.group),
    "amendment_comment": lambda w: ({"amendment_id": w.extra["amendment"].id}, w.group),
    "amendment_withdraw": lambda w: ({"amendment_id": w.extra["amendment"].id}, _proposed(w)),
    "amendment_rebase": lambda w: ({"amendment_id": w.extra["amendment"].id}, _proposed(w)),
    "draft_versions": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "draft_version": lambda w: ({"draft_id": w.extra["draft"].id, "language": "es"}, w.group),
    "version_title": lambda w: ({"draft_id": w.extra["draft"].id, "language": "es"}, w.group),
    "version_paragraph": lambda w: (
        {
            "draft_id": w.extra["draft"].id,
            "language": "es",
            "paragraph_id": w.extra["first_paragraph"],
        },
        w.group,
    ),
    "draft_comments": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "comment_post": lambda w: ({"draft_id": w.extra["draft"].id}, w.group),
    "comment": lambda w: ({"comment_id": w.extra["comment"].id}, w.group),
    "comment_reply": lambda w: ({"comment_id": w.extra["comment"].id}, w.group),
    "comment_edit": lambda w: ({"comment_id": w.extra["comment"].id}, w.group),
    "comment_withdraw": lambda w: ({"comment_id": w.extra["comment"].id}, w.group),
    "comment_hide": lambda w: ({"comment_id": w.extra["comment"].id}, w.group),
    "comment_restore": lambda w: ({"comment_id": w.extra["comment"].id}, w.group),
    "comment_resolve": lambda w: ({"comment_id": w.extra["comment"].id}, w.group),
    "comment_reopen": lambda w: ({"comment_id": w.extra["comment"].id}, w.group),
    "person": lambda w: ({"person_id": w.people["member"].id}, None),
    "oidc_start": lambda w: ({"provider": "gov"}, None),
    "oidc_callback": lambda w: ({"provider": "gov"}, None),
    "password_reset_request": lambda w: ({}, None),
    "password_reset": lambda w: ({"token": w.extra["reset_token"]}, None),
    "invitation_accept": lambda w: ({"token": w.extra["invitation_token"]}, None),
    "account_password": lambda w: ({}, None),
    "account_identity_remove": lambda w: ({"identity_id": w.extra["identity"].id}, None),
    "admin_invitations": lambda w: ({}, None),
    "admin_audit": lambda w: ({}, None),
    "admin_audit_verify": lambda w: ({}, None),
    "admin_audit_verification": lambda w: ({}, None),
    "admin_invitation_new": lambda w: ({}, None),
    "admin_invitation_resend": lambda w: ({"invitation_id": w.extra["invitation"].id}, None),
    "admin_invitation_revoke": lambda w: ({"invitation_id": w.extra["invitation"].id}, None),
    "council_chairs": lambda w: ({}, None),
    "council_handover": lambda w: ({}, None),
    "council_rotation": lambda w: ({}, None),
    "group_chairs": lambda w: ({"slug": w.group.slug}, w.group),
    "group_handover": lambda w: ({"slug": w.group.slug}, w.group),
    "group_rotation": lambda w: ({"slug": w.group.slug}, w.group),
    "group_recusals": lambda w: ({"slug": w.group.slug}, w.group),
    "chair_acting": lambda w: ({"term_id": w.extra["chair_term"].id}, w.extra["chair_term"]),
    "needs_you": lambda w: ({}, None),
    "notifications": lambda w: ({}, None),
    "notifications_read_all": lambda w: ({}, None),
    # the member's notification (the rounds the chair opened): others are answered 404
    "notification_open": lambda w: ({"notification_id": w.extra["notification"].id}, None),
    "round_open": lambda w: (
        {"draft_id": w.extra["closed_round_draft"].id},
        w.extra["closed_round_draft"],
    ),
    "round": lambda w: ({"round_id": w.extra["round"].id}, w.group),
    "position_cast": lambda w: ({"round_id": w.extra["round"].id}, w.extra["round_draft"]),
    "statement_submit": lambda w: ({"round_id": w.extra["round"].id}, w.extra["round_draft"]),
    "round_extend": lambda w: ({"round_id": w.extra["round"].id}, w.extra["round_draft"]),
    "round_close": lambda w: ({"round_id": w.extra["round"].id}, w.extra["round_draft"]),
    "round_remind": lambda w: ({"round_id": w.extra["round"].id}, w.extra["round_draft"]),
    "round_chair_statement": lambda w: (
        {"round_id": w.extra["closed_round"].id},
        w.extra["closed_round_draft"],
    ),
    "round_statement_publish": lambda w: (
        {"round_id": w.extra["failed_round"].id},
        w.extra["failed_round_draft"],
    ),
    "statement": lambda w: ({"number": w.extra["statement"].number}, w.extra["council"]),
    "api_statements": lambda w: ({}, w.extra["council"]),
    "api_statement": lambda w: ({"number": w.extra["statement"].number}, w.extra["council"]),
    "recommendations": lambda w: ({}, w.extra["council"]),
    "recommendations_feed": lambda w: ({}, w.extra["council"]),
    "group_recommendations_feed": lambda w: ({"slug": w.group.slug}, w.extra["council"]),
    "recommendation": lambda w: ({"number": w.extra["recommendation"].number}, w.extra["council"]),
    "recommendation_pdf": lambda w: (
        {"number": w.extra["recommendation"].number},
        w.extra["council"],
    ),
    "recommendation_supersede": lambda w: ({"number": w.extra["recommendation"].number}, None),
    "notification_settings": lambda w: ({}, None),
    "notification_settings_link": lambda w: ({"token": w.extra["settings_link_token"]}, None),
    "followup_overview": lambda w: ({}, w.extra["council"]),
    "followup_group": lambda w: ({"slug": w.group.slug}, w.extra["council"]),
    "followup_seats": lambda w: (
        {"number": w.extra["recommendation"].number},
        w.extra["recommendation"],
    ),
    "followup_report": lambda w: (
        {"number": w.extra["recommendation"].number, "seat_id": w.people["member"].seat_id},
        _addressed(w),
    ),
    "documents": lambda w: ({}, w.extra["council"]),
    "document_new": lambda w: ({}, w.extra["council"]),
    "document": lambda w: ({"document_id": w.extra["document"].id}, w.extra["council"]),
    "document_file": lambda w: ({"document_id": w.extra["document"].id}, w.extra["council"]),
    "document_edit": lambda w: ({"document_id": w.extra["document"].id}, _filed(w)),
    "document_withdraw": lambda w: ({"document_id": w.extra["document"].id}, _filed(w)),
    "api_openapi": lambda w: ({}, None),
    "api_recommendations": lambda w: ({}, w.extra["council"]),
    "api_recommendation": lambda w: (
        {"number": w.extra["recommendation"].number},
        w.extra["council"],
    ),
    "open_data_recommendations": lambda w: ({}, w.extra["council"]),
    "open_data_statements": lambda w: ({}, w.extra["council"]),
    "open_data_followup": lambda w: ({}, w.extra["council"]),
    "open_data_reports": lambda w: ({}, w.extra["council"]),
    "reports": lambda w: ({}, w.extra["council"]),
    "report": lambda w: ({"number": w.extra["report"].number}, w.extra["council"]),
    "report_download": lambda w: ({"number": w.extra["report"].number}, w.extra["council"]),
    "report_new": lambda w: ({}, w.extra["council"]),
    "group_report_new": lambda w: ({"slug": w.group.slug}, w.group),
    "report_edit": lambda w: ({"report_id": w.extra["report_draft"].id}, w.extra["report_draft"]),
    "report_preview": lambda w: (
        {"report_id": w.extra["report_draft"].id},
        w.extra["report_draft"],
    ),
    "report_publish": lambda w: (
        {"report_id": w.extra["report_draft"].id},
        w.extra["report_draft"],
    ),
}

# API routes answer an anonymous reader they refuse with 401 (JSON), not a sign-in redirect.
API_ROUTES = {
    "api_recommendations",
    "api_recommendation",
    "api_statements",
    "api_statement",
    "open_data_recommendations",
    "open_data_statements",
    "open_data_followup",
    "open_data_reports",
}

# Routes that also need the actor to be the author of the object (their comment): among the
# roles the permission allows, only this one may; the others are refused with 403.
AUTHOR_ONLY = {"comment_edit": "member", "comment_withdraw": "member"}

# Public routes that answer 404 in this world, where no OpenID provider is configured.
# (document_file: the world's document has no file on this test's disk)
NOT_FOUND_HERE = {"oidc_start", "oidc_callback", "document_file"}


def _routes():
    from council.app import core_routes
    from council.extensions import load_extensions

    routes = [r for e in load_extensions() for r in e.routes] + core_routes()
    for route in routes:
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route), route
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            yield route, method


ROUTE_CASES = [(route.name, method) for route, method in _routes()]


def test_every_route_declares_a_permission_and_has_an_example():
    missing_permission = [
        route.name for route, _ in _routes() if not hasattr(route.endpoint, "permission")
    ]
    missing_example = sorted({route.name for route, _ in _routes()} - set(EXAMPLES))
    assert not missing_permission, f"routes without @permission: {missing_permission}"
    assert not missing_example, f"routes without an entry in EXAMPLES: {missing_example}"


def _as(client, app, db, person: Person | None) -> None:
    if person is None:
        return
    token = sessions.start(db, person, settings=app.state.settings, now=utcnow())
    client.cookies.set(session_cookie_name("http"), token)


@pytest.mark.parametrize(("name", "method"), ROUTE_CASES)
def test_route_answers_as_the_permission_table_says(name, method, app, client, db, connection):
    """Each role in turn against one world: every role's request runs inside a savepoint that
    is rolled back afterwards, so each finds the world as built (and the world is built once
    per route, not once per role)."""
    world = build_world(db)
    db.commit()
    route = next(r for r, m in _routes() if r.name == name and m == method)
    params, target = EXAMPLES[name](world)
    url = app.url_path_for(name, **params)
    failures = []
    for role in ROLES:
        savepoint = connection.begin_nested()
        try:
            failure = _answer_for(role, world, route, method, url, target, app, client, db)
        finally:
            db.rollback()
            savepoint.rollback()
            db.expire_all()
            client.cookies.clear()
        if failure:
            failures.append(failure)
    assert not failures, "\n".join(failures)


def _answer_for(role, world, route, method, url, target, app, client, db) -> str | None:
    """What is wrong with the answer `role` gets, or None."""
    name = route.name
    person = world.people.get(role)
    _as(client, app, db, person)
    db.commit()
    action = route.endpoint.permission
    actor = load_actor(db, person, utcnow()) if person else ANONYMOUS
    allowed = action == "public" or can(actor, action, target)
    if name in AUTHOR_ONLY:
        allowed = allowed and role == AUTHOR_ONLY[name]

    if method == "GET":
        response = client.get(url, follow_redirects=False)
    else:
        token = csrf_from(client.get("/sign-in").text)
        response = client.post(url, data={"csrf_token": token}, follow_redirects=False)

    status = response.status_code
    if status >= 500:
        return f"{role} {method} {url}: {status}\n{response.text[:2000]}"
    if allowed:
        if status == 403:
            return f"{role} was refused {method} {url}"
        expected = (404,) if name in NOT_FOUND_HERE else (200, 303)
        if method == "GET" and status not in expected:
            return f"{role} {method} {url}: {status}, expected one of {expected}"
    elif person is None and name in API_ROUTES:
        if status != 401:
            return f"anonymous {method} {url}: {status}, expected 401"
    elif person is None:
        location = response.headers.get("location", "")
        if status != 303 or not location.startswith("http://testserver/sign-in"):
            return f"anonymous {method} {url}: {status} to {location!r}, expected the sign-in"
    elif status != 403:
        return f"{role} was not refused {method} {url}: {status}"
    return None


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "name",
    sorted(
        {
            name
            for name, _ in ROUTE_CASES
            if any(
                f"{{{p}:id}}" in route.path
                for route, _m in _routes()
                if route.name == name
                for p in route.param_convertors
            )
        }
    ),
)
def test_ids_beyond_the_integer_columns_are_not_found(name, app, client, db):
    """Every id or number in an address: one past the columns' range is a 404, not a crash."""
    world = build_world(db)
    _as(client, app, db, world.people["secretariat"])
    db.commit()
    params, _target = EXAMPLES[name](world)
    url = app.url_path_for(name, **params)
    route = next(r for r, _m in _routes() if r.name == name)
    for param in route.param_convertors:
        url = url.replace(f"/{params[param]}", f"/{HUGE}", 1)
    assert HUGE in url
    assert client.get(url, follow_redirects=False).status_code in (404, 405)
