"""Amendments, the acts: propose (a seat's amendment, a sub-amendment, the chair's editorial
proposal), support, withdraw, re-base an outdated one, comment, and the chair's decisions:
a batch of acceptances (possibly with an editorial change) and refusals makes one revision;
a merge of several amendments on one paragraph makes one too. The rules are in
workspaces.amending; who may do what is in can()."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from council import audit
from council.database import serialise, upsert
from council.errors import Conflict, Invalid, NotAllowed, NotFound, RateLimited
from council.i18n import gettext as _
from council.i18n import pgettext
from council.models import Person
from council.permissions import Actor, Proposed, can
from workspaces import amending, comments, drafts, notices
from workspaces.amending import DELETE, INSERT, REPLACE, Change, Proposal
from workspaces.amendment_models import (
    Amendment,
    AmendmentChange,
    AmendmentComment,
    AmendmentKind,
    AmendmentStatus,
    AmendmentSupport,
)
from workspaces.models import Draft, DraftStatus, Revision
from workspaces.paragraphs import (
    build_paragraphs,
    build_with_ids,
    join_blocks,
    new_paragraph_id,
    split_blocks,
)

MAX_JUSTIFICATION = 2000
MAX_CHANGES = 20
MAX_REASON = 1000
PROPOSALS_PER_WINDOW = 20
PROPOSAL_WINDOW = timedelta(hours=1)
OPEN_DRAFT = (DraftStatus.DRAFTING, DraftStatus.IN_ROUND, DraftStatus.NOT_ADOPTED)
_LIVE = (AmendmentStatus.OPEN, AmendmentStatus.OUTDATED)

ACCEPT, ACCEPT_EDITED, REFUSE, LEAVE = "accept", "edit", "refuse", "leave"


@dataclass
class ChangeForm:
    """One change as typed: the paragraph (its stable id), the action and the text."""

    paragraph_id: str = ""
    action: str = REPLACE
    text: str = ""


@dataclass
class Decision:
    """The chair's decision on one amendment in a batch."""

    amendment_id: int
    verdict: str = LEAVE
    reason: str = ""
    texts: dict[int, str] = field(default_factory=dict)
    """Change position -> the text as edited (ACCEPT_EDITED)."""


class DecidedMeanwhile(Conflict):
    """An amendment of the batch is no longer open (another tab, another chair decided it)."""


# reading


def get_amendment(session: Session, amendment_id: int) -> Amendment:
    amendment = session.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound()
    return amendment


def changes_of(session: Session, amendment_ids: Sequence[int]) -> dict[int, list[AmendmentChange]]:
    found: dict[int, list[AmendmentChange]] = {i: [] for i in amendment_ids}
    if amendment_ids:
        for row in session.exec(
            select(AmendmentChange)
            .where(AmendmentChange.amendment_id.in_(list(amendment_ids)))
            .order_by(AmendmentChange.amendment_id, AmendmentChange.position)
        ).all():
            found[row.amendment_id].append(row)
    return found


def proposed(amendment: Amendment, draft: Draft) -> Proposed:
    """The amendment as can() sees it (a seat's, or the chair's)."""
    seat = amendment.seat_id if amendment.kind == AmendmentKind.AMENDMENT else None
    return Proposed(draft.id, draft.working_group_id, seat)


def open_children(session: Session, amendment: Amendment) -> list[Amendment]:
    return list(
        session.exec(
            select(Amendment)
            .where(Amendment.parent_id == amendment.id, Amendment.status == AmendmentStatus.OPEN)
            .order_by(Amendment.number)
        ).all()
    )


def refusal_to_decide(draft: Draft, frozen: bool) -> str | None:
    """Why no amendment of `draft` can be decided now, if so."""
    if draft.status not in (DraftStatus.DRAFTING, DraftStatus.NOT_ADOPTED, DraftStatus.IN_ROUND):
        return _("This draft is closed: its amendments can no longer be decided.")
    if frozen:
        return _(
            "A decision round is open on this draft: the text is frozen, and no amendment "
            "is decided until the round closes."
        )
    return None


# proposing


def propose(
    session: Session,
    *,
    actor: Actor,
    draft: Draft,
    changes: Sequence[ChangeForm],
    justification: str,
    now: datetime,
    editorial: bool = False,
    parent: Amendment | None = None,
) -> Amendment:
    """A seat's amendment (or sub-amendment of `parent`), or with `editorial` the chair's
    proposal, on the draft's latest revision."""
    if draft.status not in OPEN_DRAFT:
        raise Conflict(_("This draft is closed: no amendment can be proposed."))
    if editorial:
        if not can(actor, "amendment.decide", draft):
            raise NotAllowed(_("Only the acting chair proposes editorial changes."))
    elif not can(actor, "amendment.propose", draft):
        raise NotAllowed(
            _(
                "Amendments are proposed by the seats sitting in the working "
                "group, through their head or delegates."
            )
        )
    if parent is not None and parent.parent_id is not None:
        raise Conflict(
            _(
                "A sub-amendment cannot be amended in turn: amend amendment %(number)s instead.",
                number=parent.number,
            )
        )
    if parent is not None and parent.status != AmendmentStatus.OPEN:
        raise Conflict(
            _("Amendment %(number)s is no longer open: it cannot be amended.", number=parent.number)
        )
    _check_rate(session, actor.person, now)
    errors: dict[str, str] = {}
    justification = _justification(errors, justification)
    if parent is None:
        base = drafts.latest_revision(session, draft)
        against = {p.paragraph_id: p.source for p in drafts.paragraphs(session, base)}
        revision_number = base.number
    else:
        against = {
            c.key: c.text
            for c in map(drafts.change_of, changes_of(session, [parent.id])[parent.id])
            if c.action != DELETE
        }
        revision_number = parent.revision_number
    checked = check_changes(errors, changes, against, sub=parent is not None)
    if errors:
        raise Invalid(errors)
    amendment = Amendment(
        draft_id=draft.id,
        number=_next_number(session, draft),
        kind=AmendmentKind.EDITORIAL if editorial else AmendmentKind.AMENDMENT,
        parent_id=parent.id if parent else None,
        revision_number=revision_number,
        seat_id=actor.seat.id if actor.seat else None,
        proposed_by_id=actor.person.id,
        justification=justification,
        created_at=now,
        updated_at=now,
    )
    session.add(amendment)
    session.flush()
    _store_changes(session, amendment, checked)
    audit.record(
        session,
        by=actor.person,
        action="amendment.proposed",
        target=amendment,
        draft=draft.id,
        number=amendment.number,
        kind=amendment.kind,
        parent=parent.number if parent else None,
        seat=amendment.seat_id,
        revision=revision_number,
        changes=[[c.action, c.paragraph_id, audit.fingerprint(c.text)] for c in checked],
    )
    notices.amendment_proposed(
        session, amendment=amendment, draft=draft, seat=actor.seat, by=actor.person, now=now
    )
    return amendment


def _justification(errors: dict[str, str], typed: str) -> str:
    """The justification as kept, its error (missing, too long, unreadable) beside it."""
    justification = drafts.normalise(typed)
    drafts.check_line(
        errors,
        "justification",
        justification.replace("\n", " "),
        MAX_JUSTIFICATION,
        required=True,
        missing=_("Say why: a short justification is required."),
    )
    return justification


def check_changes(
    errors: dict[str, str],
    forms: Sequence[ChangeForm],
    against: dict[str, str],
    *,
    sub: bool = False,
) -> list[Change]:
    """The typed changes, checked against the text they amend (paragraph id -> text); errors
    go beside each field (`changes-<i>-text`...). A sub-amendment only replaces texts."""
    typed = [f for f in forms if f.paragraph_id or f.text.strip()]
    if not typed:
        errors["changes"] = _("Choose at least one paragraph to amend.")
        return []
    if len(typed) > MAX_CHANGES:
        errors["changes"] = _("At most %(limit)s changes in one amendment.", limit=MAX_CHANGES)
        return []
    result: list[Change] = []
    rewritten: set[str] = set()
    for index, form in enumerate(forms):
        if not (form.paragraph_id or form.text.strip()):
            continue
        prefix = f"changes-{index}-"
        action = form.action if not sub else REPLACE
        text = drafts.normalise(form.text)
        if form.paragraph_id not in against:
            errors[prefix + "paragraph"] = _(
                "Choose a paragraph of the current text (it may have changed since you "
                "opened the form)."
            )
            continue
        if action not in (REPLACE, INSERT, DELETE):
            errors[prefix + "action"] = _("Choose whether to replace, insert or delete.")
            continue
        original = against[form.paragraph_id]
        if action != INSERT:
            if form.paragraph_id in rewritten:
                errors[prefix + "paragraph"] = _(
                    "This amendment already changes that paragraph: one change per paragraph."
                )
                continue
            rewritten.add(form.paragraph_id)
        if action == DELETE:
            result.append(Change(DELETE, form.paragraph_id, "", original))
            continue
        problem = _text_problem(text)
        if problem is None and action == REPLACE and text == original:
            problem = _(
                "The text is the same as the paragraph's: change it, or remove this change."
            )
        if problem:
            errors[prefix + "text"] = problem
            continue
        new_id = new_paragraph_id() if action == INSERT else None
        result.append(Change(action, form.paragraph_id, text, original, new_id))
    return result


def _text_problem(text: str) -> str | None:
    errors: dict[str, str] = {}
    drafts.check_line(
        errors,
        "text",
        text.replace("\n", " "),
        drafts.MAX_TEXT_BYTES // 4,
        required=True,
        missing=_("Write the proposed text."),
    )
    if errors:
        return errors["text"]
    if len(split_blocks(text)) != 1:
        return _(
            "One paragraph per change: to add several paragraphs, insert each after the "
            "one before it, in separate changes."
        )
    return None


def _store_changes(session: Session, amendment: Amendment, changes: Sequence[Change]) -> None:
    session.add_all(
        AmendmentChange(
            amendment_id=amendment.id,
            position=position,
            action=c.action,
            paragraph_id=c.paragraph_id,
            original=c.original,
            text=c.text,
            new_paragraph_id=c.new_paragraph_id,
        )
        for position, c in enumerate(changes, start=1)
    )
    session.flush()


def _next_number(session: Session, draft: Draft) -> int:
    serialise(session, f"amendments:{draft.id}")  # held until committed: numbers never clash
    last = session.exec(
        select(func.max(Amendment.number)).where(Amendment.draft_id == draft.id)
    ).one()
    return (last or 0) + 1


def _check_rate(session: Session, by: Person, now: datetime) -> None:
    serialise(session, f"amendment-proposals:{by.id}")
    recent = session.exec(
        select(func.count())
        .select_from(Amendment)
        .where(Amendment.proposed_by_id == by.id, Amendment.created_at > now - PROPOSAL_WINDOW)
    ).one()
    if recent >= PROPOSALS_PER_WINDOW:
        raise RateLimited(
            _(
                "You have proposed %(limit)s amendments in the last hour, the most allowed. Your "
                "text is kept below: propose it again later.",
                limit=PROPOSALS_PER_WINDOW,
            )
        )


# supporting, withdrawing, re-basing, commenting


def support(
    session: Session, *, actor: Actor, amendment: Amendment, draft: Draft, now: datetime
) -> None:
    """The actor's seat supports the amendment (once per seat; saying it twice is harmless)."""
    _check_supporter(actor, amendment, draft)
    table = AmendmentSupport.__table__
    session.execute(
        upsert(session, table)
        .values(
            amendment_id=amendment.id,
            seat_id=actor.seat.id,
            person_id=actor.person.id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[table.c.amendment_id, table.c.seat_id])
    )
    _count_supports(session, amendment)
    audit.record(
        session,
        by=actor.person,
        action="amendment.supported",
        target=amendment,
        draft=draft.id,
        number=amendment.number,
        seat=actor.seat.id,
    )


def withdraw_support(session: Session, *, actor: Actor, amendment: Amendment, draft: Draft) -> None:
    _check_supporter(actor, amendment, draft)
    row = session.get(AmendmentSupport, (amendment.id, actor.seat.id))
    if row is None:
        return
    session.delete(row)
    session.flush()
    _count_supports(session, amendment)
    audit.record(
        session,
        by=actor.person,
        action="amendment.support_withdrawn",
        target=amendment,
        draft=draft.id,
        number=amendment.number,
        seat=actor.seat.id,
    )


def _check_supporter(actor: Actor, amendment: Amendment, draft: Draft) -> None:
    if not can(actor, "amendment.support", draft):
        raise NotAllowed(_("Support is stated by the seats sitting in the working group."))
    if amendment.kind == AmendmentKind.AMENDMENT and amendment.seat_id == actor.seat.id:
        raise Conflict(_("Your seat proposed this amendment: support comes from other seats."))
    if amendment.status != AmendmentStatus.OPEN or draft.status not in OPEN_DRAFT:
        raise Conflict(_("Amendment %(number)s is no longer open.", number=amendment.number))


def _count_supports(session: Session, amendment: Amendment) -> None:
    amendment.support_count = session.exec(
        select(func.count())
        .select_from(AmendmentSupport)
        .where(AmendmentSupport.amendment_id == amendment.id)
    ).one()
    session.add(amendment)
    session.flush()


def withdraw(
    session: Session, *, actor: Actor, amendment: Amendment, draft: Draft, now: datetime
) -> None:
    """The proposing seat withdraws its amendment while it is open or outdated; its open
    sub-amendments lapse with it."""
    if not can(actor, "amendment.withdraw", proposed(amendment, draft)):
        raise NotAllowed(_("Only the proposing seat's people may withdraw this amendment."))
    if amendment.status not in _LIVE:
        raise Conflict(_("Amendment %(number)s is no longer open.", number=amendment.number))
    lapsed = [
        amendment,
        *session.exec(
            select(Amendment).where(
                Amendment.parent_id == amendment.id, Amendment.status.in_(_LIVE)
            )
        ).all(),
    ]
    for row in lapsed:
        row.status, row.updated_at = AmendmentStatus.WITHDRAWN, now
        session.add(row)
        audit.record(
            session,
            by=actor.person,
            action="amendment.withdrawn",
            target=row,
            draft=draft.id,
            number=row.number,
            lapsed_with=(amendment.number if row is not amendment else None),
        )
    session.flush()


def rebase(
    session: Session,
    *,
    actor: Actor,
    amendment: Amendment,
    draft: Draft,
    changes: Sequence[ChangeForm],
    justification: str,
    now: datetime,
) -> None:
    """An outdated amendment written again on the latest revision by its proposer's seat:
    open again, its supports cleared (they were for the old text)."""
    if not can(actor, "amendment.withdraw", proposed(amendment, draft)):
        raise NotAllowed(_("Only the proposing seat's people may re-base this amendment."))
    if amendment.status != AmendmentStatus.OUTDATED or amendment.parent_id is not None:
        raise Conflict(_("Only an outdated amendment can be re-based."))
    if draft.status not in OPEN_DRAFT:
        raise Conflict(_("This draft is closed: no amendment can be proposed."))
    errors: dict[str, str] = {}
    justification = _justification(errors, justification)
    base = drafts.latest_revision(session, draft)
    against = {p.paragraph_id: p.source for p in drafts.paragraphs(session, base)}
    checked = check_changes(errors, changes, against)
    if errors:
        raise Invalid(errors)
    for row in changes_of(session, [amendment.id])[amendment.id]:
        session.delete(row)
    for row in session.exec(
        select(AmendmentSupport).where(AmendmentSupport.amendment_id == amendment.id)
    ).all():
        session.delete(row)
    session.flush()
    _store_changes(session, amendment, checked)
    amendment.status, amendment.revision_number = AmendmentStatus.OPEN, base.number
    amendment.justification, amendment.support_count, amendment.updated_at = (justification, 0, now)
    session.add(amendment)
    session.flush()
    audit.record(
        session,
        by=actor.person,
        action="amendment.rebased",
        target=amendment,
        draft=draft.id,
        number=amendment.number,
        revision=base.number,
        changes=[[c.action, c.paragraph_id, audit.fingerprint(c.text)] for c in checked],
    )


def comment(
    session: Session, *, actor: Actor, amendment: Amendment, draft: Draft, body: str, now: datetime
) -> AmendmentComment:
    if not can(actor, "comment.write", draft):
        raise NotAllowed(_("Only the members of the working group may comment."))
    if draft.status not in OPEN_DRAFT:
        raise Conflict(_("This draft is closed: its discussions are kept as they were."))
    body = comments.checked_body(body)
    comments.check_rate(session, actor.person, now)  # with the comments on drafts
    row = AmendmentComment(
        amendment_id=amendment.id,
        author_id=actor.person.id,
        seat_id=actor.seat.id if actor.seat else None,
        body_source=body,
        body_html=comments.render_body(session, draft, body),
        created_at=now,
    )
    session.add(row)
    amendment.comment_count += 1
    session.add(amendment)
    session.flush()
    audit.record(
        session,
        by=actor.person,
        action="amendment.commented",
        target=amendment,
        draft=draft.id,
        number=amendment.number,
        comment=row.id,
        body_sha256=audit.fingerprint(body),
    )
    return row


# deciding


def decide(
    session: Session,
    *,
    actor: Actor,
    draft: Draft,
    base_number: int | None,
    decisions: Sequence[Decision],
    now: datetime,
) -> Revision | None:
    """The chair's batch: refusals, sub-amendments accepted into their parents, and the
    accepted amendments applied together to the latest revision as one new revision (None if
    nothing was accepted into the text)."""
    base = _check_deciding(session, actor, draft, base_number)
    chosen = [d for d in decisions if d.verdict != LEAVE]
    if not chosen:
        raise Invalid({"form": _("Choose a decision on at least one amendment.")})
    found = {
        a.id: a
        for a in session.exec(
            select(Amendment)
            .where(
                Amendment.id.in_([d.amendment_id for d in chosen]), Amendment.draft_id == draft.id
            )
            .with_for_update()
        ).all()
    }
    _check_still_open(chosen, found)
    rows = changes_of(session, list(found))
    errors: dict[str, str] = {}
    for d in chosen:
        amendment = found[d.amendment_id]
        prefix = f"decision-{amendment.id}-"
        d.reason = drafts.normalise(d.reason)
        if d.verdict == REFUSE:
            drafts.check_line(
                errors,
                prefix + "reason",
                d.reason.replace("\n", " "),
                MAX_REASON,
                required=True,
                missing=_(
                    "Give the reason for refusing amendment %(number)s.", number=amendment.number
                ),
            )
        elif d.verdict == ACCEPT_EDITED:
            for row in rows[amendment.id]:
                if row.action == DELETE:
                    continue
                text = drafts.normalise(d.texts.get(row.position, row.text))
                d.texts[row.position] = text
                if problem := _text_problem(text):
                    errors[f"{prefix}text-{row.position}"] = problem
        elif d.verdict != ACCEPT:
            errors[prefix + "verdict"] = _("Choose a decision.")
    accepting = {d.amendment_id for d in chosen if d.verdict in (ACCEPT, ACCEPT_EDITED)}
    for d in chosen:
        amendment = found[d.amendment_id]
        if d.verdict in (ACCEPT, ACCEPT_EDITED, REFUSE):
            waiting = [c.number for c in open_children(session, amendment) if c.id not in found]
            if waiting:
                errors[f"decision-{amendment.id}-verdict"] = _(
                    "Decide its sub-amendments first (%(numbers)s).",
                    numbers=", ".join(map(str, waiting)),
                )
        if amendment.parent_id is not None and amendment.parent_id in found:
            parent_choice = next(x for x in chosen if x.amendment_id == amendment.parent_id)
            if parent_choice.verdict == REFUSE and d.amendment_id in accepting:
                errors[f"decision-{amendment.id}-verdict"] = _(
                    "Amendment %(number)s is refused in this decision: its sub-amendment "
                    "cannot be accepted into it.",
                    number=found[amendment.parent_id].number,
                )
    if errors:
        raise Invalid(errors)

    by_id = {d.amendment_id: d for d in chosen}
    # sub-amendments first: accepted ones rewrite their parent's proposed texts
    for d in sorted(chosen, key=lambda x: found[x.amendment_id].number):
        amendment = found[d.amendment_id]
        if amendment.parent_id is None:
            continue
        if d.verdict == REFUSE:
            _mark(session, actor, amendment, AmendmentStatus.REFUSED, now, reason=d.reason)
            continue
        parent_rows = changes_of(session, [amendment.parent_id])[amendment.parent_id]
        edited = d.texts if d.verdict == ACCEPT_EDITED else {}
        texts = {row.position: edited.get(row.position, row.text) for row in rows[amendment.id]}
        sub = [
            Change(r.action, r.paragraph_id, texts[r.position], r.original)
            for r in rows[amendment.id]
        ]
        if amending.sub_amendment_outdated(sub, map(drafts.change_of, parent_rows)):
            raise Conflict(
                _(
                    "The text of amendment %(number)s has changed since its "
                    "sub-amendment was written.",
                    number=session.get(Amendment, amendment.parent_id).number,
                )
            )
        amended = amending.amend_parent([drafts.change_of(r) for r in parent_rows], sub)
        for row, change in zip(parent_rows, amended, strict=True):
            row.text = change.text
            session.add(row)
        _mark(
            session,
            actor,
            amendment,
            AmendmentStatus.ACCEPTED,
            now,
            edited=d.verdict == ACCEPT_EDITED,
        )
        rows[amendment.parent_id] = parent_rows
    session.flush()

    top = [found[i] for i in by_id if found[i].parent_id is None]
    accepted = [a for a in top if by_id[a.id].verdict in (ACCEPT, ACCEPT_EDITED)]
    for amendment in top:
        if by_id[amendment.id].verdict == REFUSE:
            _mark(
                session,
                actor,
                amendment,
                AmendmentStatus.REFUSED,
                now,
                reason=by_id[amendment.id].reason,
            )
    if not accepted:
        session.flush()
        return None
    for amendment in accepted:
        d = by_id[amendment.id]
        for row in rows[amendment.id]:
            if d.verdict == ACCEPT_EDITED and row.action != DELETE:
                edited = d.texts.get(row.position, row.text)
                row.accepted_text = edited if edited != row.text else None
                session.add(row)
    edited_ids = {a.id for a in accepted if any(r.accepted_text is not None for r in rows[a.id])}
    revision = _apply(
        session,
        actor,
        draft,
        base,
        accepted,
        rows,
        now,
        summary=_summary(
            accepted, edited_ids, [found[i] for i in by_id if by_id[i].verdict == REFUSE]
        ),
    )
    for amendment in accepted:
        _mark(
            session,
            actor,
            amendment,
            AmendmentStatus.ACCEPTED,
            now,
            edited=amendment.id in edited_ids,
            revision=revision.number,
        )
    return revision


def merge(
    session: Session,
    *,
    actor: Actor,
    draft: Draft,
    base_number: int | None,
    amendment_ids: Sequence[int],
    text: str,
    reason: str,
    now: datetime,
) -> Revision:
    """The chair merges open amendments that replace (or delete) the same paragraph into one
    text, accepted at once as the next revision; they are recorded as merged into it."""
    base = _check_deciding(session, actor, draft, base_number)
    found = list(
        session.exec(
            select(Amendment)
            .where(
                Amendment.id.in_(list(amendment_ids)),
                Amendment.draft_id == draft.id,
                Amendment.parent_id.is_(None),
            )
            .order_by(Amendment.number)
            .with_for_update()
        ).all()
    )
    errors: dict[str, str] = {}
    if len(found) < 2 or len(found) != len(set(amendment_ids)):
        errors["amendment_ids"] = _("Choose two or more amendments on the same paragraph.")
        raise Invalid(errors)
    _check_still_open([Decision(a.id) for a in found], {a.id: a for a in found})
    rows = changes_of(session, [a.id for a in found])
    target = amending.merged_paragraph([[drafts.change_of(r) for r in rows[a.id]] for a in found])
    if target is None:
        errors["amendment_ids"] = _(
            "Only amendments that each replace or delete the same one paragraph can be merged."
        )
    waiting = [c.number for a in found for c in open_children(session, a)]
    if waiting:
        errors["amendment_ids"] = _(
            "Decide their sub-amendments first (%(numbers)s).", numbers=", ".join(map(str, waiting))
        )
    text, reason = drafts.normalise(text), drafts.normalise(reason)
    if problem := _text_problem(text):
        errors["text"] = problem
    drafts.check_line(errors, "reason", reason.replace("\n", " "), MAX_JUSTIFICATION)
    if errors:
        raise Invalid(errors)
    current = {p.paragraph_id: p.source for p in drafts.paragraphs(session, base)}
    if target not in current:
        raise Conflict(_("That paragraph is no longer in the text."))
    numbers = ", ".join(str(a.number) for a in found)
    merged = Amendment(
        draft_id=draft.id,
        number=_next_number(session, draft),
        kind=AmendmentKind.MERGE,
        revision_number=base.number,
        seat_id=actor.seat.id if actor.seat else None,
        proposed_by_id=actor.person.id,
        justification=reason or _("Merged text of amendments %(numbers)s.", numbers=numbers),
        created_at=now,
        updated_at=now,
    )
    session.add(merged)
    session.flush()
    change = Change(REPLACE, target, text, current[target])
    _store_changes(session, merged, [change])
    audit.record(
        session,
        by=actor.person,
        action="amendment.proposed",
        target=merged,
        draft=draft.id,
        number=merged.number,
        kind=merged.kind,
        merging=numbers,
        revision=base.number,
        changes=[[REPLACE, target, audit.fingerprint(text)]],
    )
    merged_rows = changes_of(session, [merged.id])
    revision = _apply(
        session,
        actor,
        draft,
        base,
        [merged],
        merged_rows,
        now,
        summary=_(
            "Amendments %(numbers)s merged as amendment %(merged)s.",
            numbers=numbers,
            merged=merged.number,
        )[: drafts.MAX_SUMMARY],
    )
    for amendment in found:
        amendment.merged_into_id = merged.id
        _mark(session, actor, amendment, AmendmentStatus.MERGED, now, revision=revision.number)
    _mark(session, actor, merged, AmendmentStatus.ACCEPTED, now, revision=revision.number)
    return revision


def _check_deciding(
    session: Session, actor: Actor, draft: Draft, base_number: int | None
) -> Revision:
    if not can(actor, "amendment.decide", draft):
        raise NotAllowed(
            _(
                "Amendments are decided by the acting chair (the vice chair when "
                "the chair stood aside; the secretariat when there is no chair)."
            )
        )
    drafts.ensure_revisable(session, draft, lock=True)  # refused while a decision round runs
    base = drafts.latest_revision(session, draft)
    if base_number != base.number:
        raise DecidedMeanwhile(
            _(
                "The draft has a newer revision (%(number)s) than the one you decided on. Nothing "
                "was saved: read the amendments again and decide.",
                number=base.number,
            )
        )
    return base


def _check_still_open(chosen: Sequence[Decision], found: dict[int, Amendment]) -> None:
    for d in chosen:
        amendment = found.get(d.amendment_id)
        if amendment is None:
            raise NotFound()
        if amendment.status != AmendmentStatus.OPEN:
            raise DecidedMeanwhile(
                _(
                    "Amendment %(number)s is no longer open: someone decided, withdrew or changed "
                    "it meanwhile. Nothing was saved: read the amendments again and decide.",
                    number=amendment.number,
                )
            )


def _apply(
    session: Session,
    actor: Actor,
    draft: Draft,
    base: Revision,
    accepted: Sequence[Amendment],
    rows: dict[int, list[AmendmentChange]],
    now: datetime,
    *,
    summary: str,
) -> Revision:
    base_paragraphs = drafts.paragraphs(session, base)
    proposals = [
        Proposal(
            a.id,
            a.number,
            tuple(
                Change(
                    r.action,
                    r.paragraph_id,
                    r.accepted_text if r.accepted_text is not None else r.text,
                    r.original,
                    r.new_paragraph_id,
                )
                for r in rows[a.id]
            ),
        )
        for a in accepted
    ]
    current = {p.paragraph_id: p.source for p in base_paragraphs}
    for proposal in proposals:
        if amending.is_outdated(proposal.changes, current):
            raise Conflict(
                _(
                    "Amendment %(number)s was written on a text that has changed "
                    "since: it is outdated.",
                    number=proposal.number,
                )
            )
    try:
        result = amending.apply([(p.paragraph_id, p.source) for p in base_paragraphs], proposals)
    except amending.Clash as clash:
        raise Invalid(
            {
                "form": _(
                    "Amendments %(numbers)s change the same paragraph: accept one of them, or "
                    "merge them.",
                    numbers=", ".join(map(str, clash.numbers)),
                )
            }
        ) from None
    if not result:
        raise Invalid({"form": _("Accepting these amendments would leave the draft without text.")})
    text = join_blocks([source for _, source, _ in result])
    paragraphs = build_with_ids(text, [paragraph_id for paragraph_id, _, _ in result])
    if paragraphs is None:  # the texts joined differently (e.g. a list item joined a list)
        paragraphs = build_paragraphs(text, [(i, s) for i, s, _ in result])
    made = {
        paragraph_id: amendment_id
        for paragraph_id, _, amendment_id in result
        if amendment_id is not None
    }
    return drafts.append_revision(
        session,
        draft,
        by=actor.person,
        base=base,
        base_paragraphs=base_paragraphs,
        text=text,
        summary=summary,
        paragraphs=paragraphs,
        now=now,
        amended=made,
    )


def _mark(
    session: Session,
    actor: Actor,
    amendment: Amendment,
    status: AmendmentStatus,
    now: datetime,
    *,
    reason: str = "",
    edited: bool = False,
    revision: int | None = None,
) -> None:
    amendment.status, amendment.updated_at, amendment.decided_at = status, now, now
    amendment.decided_by_id = actor.person.id
    amendment.decided_by_seat_id = actor.seat.id if actor.seat else None
    amendment.decision_reason, amendment.edited, amendment.revision_made = reason, edited, revision
    session.add(amendment)
    session.flush()
    audit.record(
        session,
        by=actor.person,
        action=f"amendment.{status.value}",
        target=amendment,
        draft=amendment.draft_id,
        number=amendment.number,
        reason=reason or None,
        edited=edited,
        revision=revision,
        merged_into=amendment.merged_into_id,
    )
    notices.amendment_decided(
        session,
        amendment=amendment,
        draft=session.get(Draft, amendment.draft_id),
        by=actor.person,
        now=now,
    )


def _summary(accepted: Sequence[Amendment], edited: set[int], refused: Sequence[Amendment]) -> str:
    """The revision message: the amendments it accepted (and refused in the same batch)."""

    def listed(amendments: Sequence[Amendment]) -> str:
        return ", ".join(
            f"{a.number}" + (_(" (with an editorial change)") if a.id in edited else "")
            for a in sorted(amendments, key=lambda a: a.number)
        )

    text = _("Amendments accepted: %(accepted)s.", accepted=listed(accepted))
    if refused:
        text += " " + _("Refused: %(refused)s.", refused=listed(refused))
    if len(text) > drafts.MAX_SUMMARY:
        text = text[: drafts.MAX_SUMMARY - 1] + "…"
    return text


def status_label(status: str) -> str:
    return {
        AmendmentStatus.OPEN: pgettext("amendment status", "Open"),
        AmendmentStatus.ACCEPTED: pgettext("amendment status", "Accepted"),
        AmendmentStatus.REFUSED: pgettext("amendment status", "Refused"),
        AmendmentStatus.WITHDRAWN: pgettext("amendment status", "Withdrawn"),
        AmendmentStatus.OUTDATED: pgettext("amendment status", "Outdated"),
        AmendmentStatus.MERGED: pgettext("amendment status", "Merged"),
    }.get(status, status)
