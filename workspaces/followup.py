"""Follow-up of adopted recommendations: who is asked to carry one out, and how far they got.

The working group's acting chair chooses the seats a recommendation addresses (member states,
participants and observers alike), at any time after adoption. Each addressed seat reports for
itself (council.permissions "followup.report"): a status, a dated narrative in Markdown
(rendered and sanitised once, when written), links, and a reason when it does not pursue the
recommendation. Reports are never changed: the latest is the seat's current status, and the
history stays, each report with the seat that chaired the group when it came.

A review cycle asks again: the secretariat sets it (Council.follow_up_review_months), and the
worker's `followup.remind` job tells the people of every addressed seat whose last report (or,
without one, its addressing) is a cycle old, once per cycle (the notification's dedupe key).

Public pages show seats, never people: the author of a report is kept for the audit only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from babel.lists import format_list
from sqlalchemy import and_, func
from sqlalchemy.orm import aliased, defer
from sqlmodel import Session, select

from council import audit, chairs, i18n, names
from council.errors import Conflict, Invalid
from council.i18n import gettext as _
from council.i18n import lazy, pgettext
from council.models import Council, Delivery, Notification, Person, Seat, SeatKind, WorkingGroup
from council.names import Named
from council.notifications import Kind, notify, register
from council.permissions import Actor, Addressed, can
from council.rotation import add_months
from council.worker import Job
from workspaces.decisions import kind_order
from workspaces.followup_models import (
    STATUSES,
    FollowUpReport,
    FollowUpSeat,
    FollowUpStatus,
)
from workspaces.markdown import render_markdown
from workspaces.recommendation_models import Recommendation

NO_REPORT = "no_report"
"""The overview's category of addressed seats that have not reported yet."""
CATEGORIES = (*STATUSES, NO_REPORT)
MAX_NARRATIVE = 20_000
MAX_REASON = 2_000
MAX_LINKS = 10
MAX_URL = 500
MAX_LINK_TITLE = 200
LATEST_LIMIT = 20


def status_label(status: str) -> str:
    return {
        FollowUpStatus.NOT_STARTED: pgettext("follow-up status", "Not started"),
        FollowUpStatus.PLANNED: pgettext("follow-up status", "Planned"),
        FollowUpStatus.UNDER_WAY: pgettext("follow-up status", "Under way"),
        FollowUpStatus.IMPLEMENTED: pgettext("follow-up status", "Implemented"),
        FollowUpStatus.NOT_PURSUED: pgettext("follow-up status", "Not pursued"),
        NO_REPORT: pgettext("follow-up status", "No report yet"),
    }.get(status, status)


def status_options() -> list[tuple[str, str]]:
    return [(status.value, status_label(status)) for status in STATUSES]


# the seats a recommendation addresses


def addressed_ids(session: Session, recommendation: Recommendation) -> set[int]:
    """The seats the recommendation addresses now."""
    return set(
        session.exec(
            select(FollowUpSeat.seat_id).where(
                FollowUpSeat.recommendation_id == recommendation.id,
                FollowUpSeat.removed_at.is_(None),
            )
        ).all()
    )


def is_addressed(session: Session, recommendation: Recommendation, seat_id: int) -> bool:
    return (
        session.exec(
            select(FollowUpSeat.seat_id).where(
                FollowUpSeat.recommendation_id == recommendation.id,
                FollowUpSeat.seat_id == seat_id,
                FollowUpSeat.removed_at.is_(None),
            )
        ).first()
        is not None
    )


def may_report(actor: Actor, recommendation: Recommendation, addressed: set[int]) -> bool:
    """Whether the actor may report for their own seat on the recommendation (`addressed`:
    the seats it addresses)."""
    if actor.seat is None:
        return False
    return can(
        actor,
        "followup.report",
        Addressed(recommendation.working_group_id, actor.seat.id, actor.seat.id in addressed),
    )


def seat_choices(session: Session) -> list[Seat]:
    """Every seat the chair may address, member states first."""
    seats = session.exec(select(Seat)).all()
    return sorted(seats, key=lambda seat: (kind_order(seat.kind), seat.name.casefold()))


def address(
    session: Session,
    *,
    recommendation: Recommendation,
    seat_ids: Iterable[int],
    by: Person,
    now: datetime,
) -> tuple[list[int], list[int]]:
    """Make `seat_ids` the seats the recommendation addresses (the caller checked
    followup.address): newly addressed seats are told; a seat no longer addressed keeps its
    reports in the history. Recorded. The ids of the seats (added, removed)."""
    wanted = set(seat_ids)
    known = (
        {seat.id: seat for seat in session.exec(select(Seat).where(Seat.id.in_(wanted))).all()}
        if wanted
        else {}
    )
    if wanted - set(known):
        raise Invalid({"seats": _("Choose among the council's seats.")})
    # one chair's choice at a time (PostgreSQL; SQLite's writers queue anyway)
    session.exec(
        select(Recommendation.id).where(Recommendation.id == recommendation.id).with_for_update()
    ).one()
    rows = {
        row.seat_id: row
        for row in session.exec(
            select(FollowUpSeat).where(FollowUpSeat.recommendation_id == recommendation.id)
        ).all()
    }
    current = {seat_id for seat_id, row in rows.items() if row.removed_at is None}
    added = sorted(wanted - current)
    removed = sorted(current - wanted)
    if not added and not removed:
        return [], []
    for seat_id in added:
        row = rows.get(seat_id) or FollowUpSeat(
            recommendation_id=recommendation.id, seat_id=seat_id, addressed_at=now
        )
        row.addressed_at, row.addressed_by_id = now, by.id
        row.removed_at = row.removed_by_id = None
        session.add(row)
    removed_seats = names.names_by_id(session, Seat, removed)
    for seat_id in removed:
        row = rows[seat_id]
        row.removed_at, row.removed_by_id = now, by.id
        session.add(row)
    session.flush()
    audit.record(
        session,
        by=by,
        action="followup.seats_addressed",
        target=recommendation,
        number=recommendation.number,
        added=[known[i].name for i in added],
        removed=[removed_seats[i].name for i in removed],
    )
    group = session.get(WorkingGroup, recommendation.working_group_id)
    for seat_id in added:
        _tell(
            session,
            recommendation,
            known[seat_id],
            group=group,
            now=now,
            reason="addressed",
            skip=[by.id],
        )
    return added, removed


# reports


@dataclass
class ReportForm:
    status: str = ""
    narrative: str = ""
    reason: str = ""
    links: str = ""
    """One address a line, optionally followed by a space and its title."""


def parse_links(text: str) -> tuple[list[dict[str, str]], str | None]:
    """The links typed one a line ("https://example.org/plan National plan"), and the
    error to show beside the field, if any: only http and https addresses, at most MAX_LINKS."""
    links = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        url, _space, title = line.partition(" ")
        title = " ".join(title.split())
        parts = urlsplit(url)
        if (
            parts.scheme.lower() not in ("http", "https")
            or not parts.netloc
            or len(url) > MAX_URL
            or any(c in url for c in "<>\"'`")
        ):
            return [], _(
                "“%(link)s” is not a web address: give each link as an address "
                "beginning with https:// or http://, one a line.",
                link=url[:80],
            )
        if len(title) > MAX_LINK_TITLE:
            return [], _("A link's title has at most %(limit)s characters.", limit=MAX_LINK_TITLE)
        links.append({"url": url, "title": title})
    if len(links) > MAX_LINKS:
        return [], _("At most %(limit)s links.", limit=MAX_LINKS)
    return links, None


def check(form: ReportForm) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The report's links, and an error beside each field that breaks a rule."""
    errors: dict[str, str] = {}
    if form.status not in set(STATUSES):
        errors["status"] = _("Choose the status of the implementation.")
    if not form.narrative.strip():
        errors["narrative"] = _("Say what your seat has done, or plans to do.")
    elif len(form.narrative) > MAX_NARRATIVE:
        errors["narrative"] = _("At most %(limit)s characters.", limit=MAX_NARRATIVE)
    if form.status == FollowUpStatus.NOT_PURSUED and not form.reason.strip():
        errors["reason"] = _("Give the reasons why your seat does not pursue the recommendation.")
    elif len(form.reason) > MAX_REASON:
        errors["reason"] = _("At most %(limit)s characters.", limit=MAX_REASON)
    links, link_error = parse_links(form.links)
    if link_error:
        errors["links"] = link_error
    return links, errors


def report(
    session: Session,
    *,
    recommendation: Recommendation,
    seat: Seat,
    by: Person,
    form: ReportForm,
    now: datetime,
) -> FollowUpReport:
    """Add the seat's report (the caller checked followup.report): a new row, never a change
    to an earlier one, with the seat that chairs the group now. Recorded."""
    links, errors = check(form)
    if errors:
        raise Invalid(errors)
    if not is_addressed(session, recommendation, seat.id):
        raise Conflict(_("This recommendation no longer addresses your seat."))
    term = chairs.current_term(session, recommendation.working_group_id, now)
    status = FollowUpStatus(form.status)
    entry = FollowUpReport(
        recommendation_id=recommendation.id,
        seat_id=seat.id,
        status=status,
        narrative=form.narrative.strip(),
        narrative_html=render_markdown(form.narrative.strip()),
        reason=form.reason.strip() if status == FollowUpStatus.NOT_PURSUED else "",
        links=json.dumps(links, ensure_ascii=False),
        author_id=by.id,
        chair_seat_id=term.seat_id if term is not None else None,
        reported_at=now,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        by=by,
        action="followup.reported",
        target=entry,
        number=recommendation.number,
        seat=seat.name,
        status=status.value,
        chair_seat=entry.chair_seat_id,
        narrative=audit.fingerprint(entry.narrative),
        reason=entry.reason,
        links=[link["url"] for link in links],
    )
    return entry


# reading one recommendation's follow-up


@dataclass(frozen=True)
class Entry:
    """A report as pages show it: by seat, never by person."""

    report: FollowUpReport
    seat: Named
    chair: Named | None
    links: list[dict[str, str]]
    current: bool = False
    """The seat's latest report."""


@dataclass(frozen=True)
class SeatStatus:
    seat: Named
    kind: str
    seat_id: int
    latest: Entry | None


@dataclass(frozen=True)
class FollowUp:
    seats: list[SeatStatus]
    """The seats addressed now, member states first, with their current status."""
    timeline: list[Entry]
    """Every report, newest first (those of seats no longer addressed too)."""
    last_change: datetime | None

    @property
    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(CATEGORIES, 0)
        for item in self.seats:
            found[item.latest.report.status if item.latest else NO_REPORT] += 1
        return found


def _entries(rows) -> list[Entry]:
    """Reports with their seats' names, newest first; each seat's newest on a recommendation
    (among `rows`) is its current status."""
    latest: set[tuple[int, int]] = set()
    entries = []
    for report, *named in rows:
        seat = Named(named[0], named[1])
        chair = Named(named[2], named[3]) if named[2] is not None else None
        pair = (report.recommendation_id, report.seat_id)
        current = pair not in latest
        latest.add(pair)
        entries.append(Entry(report, seat, chair, json.loads(report.links or "[]"), current))
    return entries


def _report_rows(session: Session, *conditions, limit: int | None = None):
    chair = aliased(Seat)
    return session.exec(
        select(
            FollowUpReport, Seat.name, Seat.name_translations, chair.name, chair.name_translations
        )
        .join(Seat, Seat.id == FollowUpReport.seat_id)
        .join(chair, chair.id == FollowUpReport.chair_seat_id, isouter=True)
        .where(*conditions)
        .order_by(FollowUpReport.id.desc())
        .limit(limit)
    ).all()


def of_recommendation(session: Session, recommendation: Recommendation) -> FollowUp:
    """The recommendation's follow-up: two queries, whatever the number of seats and reports."""
    addressed = session.exec(
        select(FollowUpSeat, Seat.name, Seat.name_translations, Seat.kind)
        .join(Seat, Seat.id == FollowUpSeat.seat_id)
        .where(FollowUpSeat.recommendation_id == recommendation.id)
    ).all()
    timeline = _entries(
        _report_rows(session, FollowUpReport.recommendation_id == recommendation.id)
    )
    current = {entry.report.seat_id: entry for entry in timeline if entry.current}
    seats = sorted(
        (
            SeatStatus(Named(name, translations), kind, row.seat_id, current.get(row.seat_id))
            for row, name, translations, kind in addressed
            if row.removed_at is None
        ),
        key=lambda item: (kind_order(item.kind), item.seat.casefold()),
    )
    moments = [
        moment
        for row, *_rest in addressed
        for moment in (row.addressed_at, row.removed_at)
        if moment is not None
    ]
    moments += [entry.report.reported_at for entry in timeline[:1]]
    return FollowUp(seats, timeline, max(moments, default=None))


def seat_history(session: Session, recommendation: Recommendation, seat_id: int) -> list[Entry]:
    """One seat's reports on the recommendation, newest first (one query)."""
    return _entries(
        _report_rows(
            session,
            FollowUpReport.recommendation_id == recommendation.id,
            FollowUpReport.seat_id == seat_id,
        )
    )


# overviews: the council's and each working group's


@dataclass(frozen=True)
class Row:
    """A line of an overview's table: a working group or a recommendation, and its counts."""

    key: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]
    """Addressed seats by the status of their latest report (NO_REPORT: none yet)."""
    rows: list[Row]
    """By working group (the council's overview) or by recommendation (a group's)."""
    groups: dict[int, WorkingGroup]
    recommendations: dict[int, Recommendation] = field(default_factory=dict)
    latest: list[tuple[Entry, Recommendation]] = field(default_factory=list)
    """The latest reports (a group's overview)."""
    by_chair: list[tuple[Named | None, int]] = field(default_factory=list)
    """How many reports came under each chairing seat (a group's overview)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _pair_counts(session: Session, group: WorkingGroup | None) -> list[tuple[int, int, str, int]]:
    """(recommendation id, group id, current status or NO_REPORT, seats): one query."""
    latest = (
        select(
            FollowUpReport.recommendation_id,
            FollowUpReport.seat_id,
            func.max(FollowUpReport.id).label("id"),
        )
        .group_by(FollowUpReport.recommendation_id, FollowUpReport.seat_id)
        .subquery()
    )
    query = (
        select(
            Recommendation.id, Recommendation.working_group_id, FollowUpReport.status, func.count()
        )
        .select_from(FollowUpSeat)
        .join(Recommendation, Recommendation.id == FollowUpSeat.recommendation_id)
        .join(
            latest,
            and_(
                latest.c.recommendation_id == FollowUpSeat.recommendation_id,
                latest.c.seat_id == FollowUpSeat.seat_id,
            ),
            isouter=True,
        )
        .join(FollowUpReport, FollowUpReport.id == latest.c.id, isouter=True)
        .where(FollowUpSeat.removed_at.is_(None))
        .group_by(Recommendation.id, Recommendation.working_group_id, FollowUpReport.status)
    )
    if group is not None:
        query = query.where(Recommendation.working_group_id == group.id)
    return [
        (rec_id, group_id, status or NO_REPORT, count)
        for rec_id, group_id, status, count in session.exec(query).all()
    ]


def overview(session: Session, group: WorkingGroup | None = None) -> Overview:
    """The council's overview (by working group: three queries) or a group's (by
    recommendation, with its latest reports and the chairs they came under: five queries)."""
    pairs = _pair_counts(session, group)
    counts = dict.fromkeys(CATEGORIES, 0)
    per: dict[int, dict[str, int]] = {}
    for rec_id, group_id, status, count in pairs:
        counts[status] += count
        key = group_id if group is None else rec_id
        per.setdefault(key, dict.fromkeys(CATEGORIES, 0))[status] += count
    groups = {g.id: g for g in session.exec(select(WorkingGroup).order_by(WorkingGroup.number))}
    if group is None:
        rows = [Row(g.id, per.get(g.id, dict.fromkeys(CATEGORIES, 0))) for g in groups.values()]
        return Overview(counts, rows, groups)
    items = {
        item.id: item
        for item in session.exec(
            select(Recommendation)
            .where(Recommendation.working_group_id == group.id)
            .order_by(Recommendation.adopted_at.desc(), Recommendation.id.desc())
        )
    }
    rows = [Row(rec_id, per.get(rec_id, dict.fromkeys(CATEGORIES, 0))) for rec_id in items]
    latest = [
        (entry, items[entry.report.recommendation_id])
        for entry in _entries(
            _report_rows(
                session,
                FollowUpReport.recommendation_id.in_(list(items) or [0]),
                limit=LATEST_LIMIT,
            )
        )
    ]
    chair = aliased(Seat)
    by_chair = [
        (Named(name, translations) if seat_id is not None else None, count)
        for seat_id, name, translations, count in session.exec(
            select(FollowUpReport.chair_seat_id, chair.name, chair.name_translations, func.count())
            .join(Recommendation, Recommendation.id == FollowUpReport.recommendation_id)
            .join(chair, chair.id == FollowUpReport.chair_seat_id, isouter=True)
            .where(Recommendation.working_group_id == group.id)
            .group_by(FollowUpReport.chair_seat_id, chair.name, chair.name_translations)
            .order_by(func.min(FollowUpReport.id))
        ).all()
    ]
    return Overview(counts, rows, groups, items, latest, by_chair)


def summaries(session: Session, recommendation_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Each recommendation's addressed seats by current status (for reports that compile
    follow-up): one query."""
    found = {rec_id: dict.fromkeys(CATEGORIES, 0) for rec_id in recommendation_ids}
    for rec_id, _group_id, status, count in _pair_counts(session, None):
        if rec_id in found:
            found[rec_id][status] += count
    return found


# the chart: bars drawn on the server (templates/workspaces/_followup_chart.html)


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: int
    y: int
    """Top of the bar's label line; the bar is below it."""
    width: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    bar_top: int
    """From a row's top to its bar's top (the label's line above it)."""
    bar_height: int
    description: str


CHART_WIDTH = 400
"""Narrow, so that its words stay readable when a phone shrinks it to the page's width."""
ROW_HEIGHT = 52
BAR_TOP = 21
BAR_HEIGHT = 20
VALUE_ROOM = 48


def chart(counts: dict[str, int]) -> Chart:
    """A horizontal bar per category, as long as its share of the largest; with the
    sentence that says the same figures (the SVG's description)."""
    largest = max(counts.values(), default=0)
    room = CHART_WIDTH - VALUE_ROOM
    bars = [
        Bar(
            key,
            status_label(key),
            value,
            index * ROW_HEIGHT,
            round(room * value / largest, 1) if largest else 0,
        )
        for index, (key, value) in enumerate(counts.items())
    ]
    figures = format_list(
        [
            _("%(status)s: %(count)s", status=bar.label, count=i18n.format_number(bar.value))
            for bar in bars
        ],
        locale=i18n.current_language(),
    )
    total = sum(counts.values())
    description = i18n.ngettext(
        "%(num)s addressed seat, by the status of its latest report: %(figures)s.",
        "%(num)s addressed seats, by the status of their latest report: %(figures)s.",
        total,
        figures=figures,
    )
    return Chart(bars, CHART_WIDTH, len(bars) * ROW_HEIGHT, BAR_TOP, BAR_HEIGHT, description)


# the review cycle and what people are told


FOLLOW_UP_REQUESTED = "followup.requested"


def _describe_requested(params: dict) -> str:
    values = {
        "seat": names.from_params(params, "seat"),
        "number": params["number"],
        "title": params["title"],
    }
    if params.get("reason") == "addressed":
        return _(
            "Recommendation %(number)s, “%(title)s”, addresses %(seat)s: please report "
            "on its implementation.",
            **values,
        )
    if params.get("last"):
        return _(
            "The follow-up report of %(seat)s on recommendation %(number)s, “%(title)s”, "
            "is due again: its latest report dates from %(date)s.",
            date=i18n.format_date(datetime.fromisoformat(params["last"]), params.get("timezone")),
            **values,
        )
    return _(
        "%(seat)s has not reported yet on the implementation of recommendation "
        "%(number)s, “%(title)s”: please report.",
        **values,
    )


KINDS = [
    Kind(
        FOLLOW_UP_REQUESTED,
        lazy("My seat is asked to report on the implementation of a recommendation"),
        _describe_requested,
        Delivery.DIGEST,
    )
]
register(*KINDS)


def report_url(recommendation: Recommendation, seat_id: int) -> str:
    return f"/recommendations/{recommendation.number}/follow-up/{seat_id}"


def _tell(
    session: Session,
    recommendation: Recommendation,
    seat: Seat,
    *,
    group: WorkingGroup,
    now: datetime,
    reason: str,
    last: datetime | None = None,
    dedupe_key: str | None = None,
    people: Iterable[int] | None = None,
    skip: Iterable[int] = (),
) -> list[Notification]:
    if people is None:
        people = session.exec(
            select(Person.id).where(Person.seat_id == seat.id, Person.is_active)
        ).all()
    return notify(
        session,
        people=people,
        kind=FOLLOW_UP_REQUESTED,
        url=report_url(recommendation, seat.id),
        now=now,
        group=group,
        requires="recommendations.read",
        subject=f"recommendation:{recommendation.id}",
        params={
            "number": recommendation.number,
            "title": recommendation.title,
            "reason": reason,
            "last": last.isoformat() if last else None,
            **names.param("seat", seat),
        },
        dedupe_key=dedupe_key,
        skip=skip,
    )


def cycles_passed(since: datetime, months: int, now: datetime) -> int:
    """How many whole review cycles of `months` have passed from `since` to `now` (0: none,
    or no review cycle)."""
    if months <= 0 or now < since:
        return 0
    passed = 0
    while add_months(since, (passed + 1) * months) <= now:
        passed += 1
    return passed


def remind_due(session: Session, now: datetime) -> int:
    """The worker's job: tell the people of each seat whose follow-up report is a review cycle
    old (counted from its latest report, else from when the recommendation addressed it) that
    it is due; once per cycle (the dedupe key names the cycle). Superseded recommendations ask
    no more. How many notifications it made."""
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    months = council.follow_up_review_months if council is not None else 0
    if months <= 0:
        return 0
    last = (
        select(
            FollowUpReport.recommendation_id,
            FollowUpReport.seat_id,
            func.max(FollowUpReport.reported_at).label("at"),
        )
        .group_by(FollowUpReport.recommendation_id, FollowUpReport.seat_id)
        .subquery()
    )
    rows = session.exec(
        select(FollowUpSeat, Recommendation, Seat, last.c.at)
        .options(defer(Recommendation.record))  # the number and title are enough here
        .join(Recommendation, Recommendation.id == FollowUpSeat.recommendation_id)
        .join(Seat, Seat.id == FollowUpSeat.seat_id)
        .join(
            last,
            and_(
                last.c.recommendation_id == FollowUpSeat.recommendation_id,
                last.c.seat_id == FollowUpSeat.seat_id,
            ),
            isouter=True,
        )
        .where(FollowUpSeat.removed_at.is_(None), Recommendation.superseded_by_id.is_(None))
        .order_by(Recommendation.id, Seat.id)
    ).all()
    due = []
    for row, recommendation, seat, reported_at in rows:
        since = _aware(reported_at) or row.addressed_at
        passed = cycles_passed(since, months, now)
        if passed:
            key = f"followup:{recommendation.id}:seat:{seat.id}:{int(since.timestamp())}:{passed}"
            due.append((recommendation, seat, _aware(reported_at), key))
    if not due:
        return 0
    people: dict[int, list[int]] = {}
    for person_id, seat_id in session.exec(
        select(Person.id, Person.seat_id).where(
            Person.seat_id.in_({seat.id for _r, seat, _l, _k in due}), Person.is_active
        )
    ):
        people.setdefault(seat_id, []).append(person_id)
    told = set(
        session.exec(
            select(Notification.person_id, Notification.dedupe_key).where(
                Notification.dedupe_key.in_([key for *_rest, key in due])
            )
        ).all()
    )
    groups = {g.id: g for g in session.exec(select(WorkingGroup))}
    made = 0
    for recommendation, seat, reported_at, key in due:
        waiting = [p for p in people.get(seat.id, []) if (p, key) not in told]
        if waiting:
            made += len(
                _tell(
                    session,
                    recommendation,
                    seat,
                    group=groups[recommendation.working_group_id],
                    now=now,
                    reason="due",
                    last=reported_at,
                    dedupe_key=key,
                    people=waiting,
                )
            )
    return made


def _aware(moment: datetime | None) -> datetime | None:
    """An aggregate's time: SQLite gives it back as text or without its zone."""
    if moment is None or isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


JOBS = [
    Job(
        "followup.remind",
        remind_due,
        every=timedelta(hours=1),
        label=lazy("Ask the seats whose follow-up report is a review cycle old to report again"),
    )
]


def seat_kinds() -> list[tuple[str, str]]:
    return [
        (SeatKind.MEMBER_STATE, _("Member states")),
        (SeatKind.PARTICIPANT, _("Participants")),
        (SeatKind.OBSERVER, _("Observers")),
    ]
