"""The council's structure: seats, people, working groups, chair terms, sessions, audit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from council.database import DERIVED, UNVERSIONED, UTCDateTime, utcnow


def timestamp(**kwargs) -> Field:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


class SeatKind(StrEnum):
    MEMBER_STATE = "member_state"
    PARTICIPANT = "participant"
    OBSERVER = "observer"


class SeatRole(StrEnum):
    HEAD = "head"
    DELEGATE = "delegate"


class DecisionRule(StrEnum):
    CONSENSUS = "consensus"
    MAJORITY = "majority"
    TWO_THIRDS = "two_thirds"


class Council(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    default_language: str = Field(default="en", max_length=8)
    official_languages: str = Field(
        default="en,es,fr", max_length=32, sa_column_kwargs={"server_default": "en,es,fr"}
    )
    """Comma-separated: the languages in which every adopted text is equally authentic (a
    decision round opens only when the draft has a current version in each)."""
    name_translations: str = Field(
        default="{}", sa_type=Text, sa_column_kwargs={"server_default": "{}"}
    )
    """JSON {language: name} in the languages other than the default one (council.names)."""
    public_recommendations: bool = False
    is_demo: bool = False
    chair_term_months: int = 24
    follow_up_review_months: int = Field(default=12, sa_column_kwargs={"server_default": "12"})
    """How often the seats a recommendation addresses are asked to report on its follow-up
    again (months after their last report); 0 asks none."""
    created_at: datetime = timestamp()


class Seat(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("kind IN ('member_state', 'participant', 'observer')", name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    name_translations: str = Field(
        default="{}", sa_type=Text, sa_column_kwargs={"server_default": "{}"}
    )
    """JSON {language: name} in the languages other than the council's default one."""
    kind: SeatKind = Field(sa_type=String(20))
    description: str = Field(default="", max_length=2000)
    council_rotation_position: int | None = None
    created_at: datetime = timestamp()


class Person(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("(seat_id IS NULL) = (seat_role IS NULL)", name="seat_has_role"),
        CheckConstraint(
            "NOT (is_secretariat AND seat_id IS NOT NULL)", name="secretariat_seatless"
        ),
        CheckConstraint("seat_role IS NULL OR seat_role IN ('head', 'delegate')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=200)
    is_secretariat: bool = False
    is_active: bool = True
    seat_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("seat.id"), index=True, nullable=True)
    )
    seat_role: SeatRole | None = Field(default=None, sa_type=String(20))
    language: str | None = Field(default=None, max_length=8)
    timezone: str = Field(default="UTC", max_length=64)
    digest_hour: int = Field(default=8, sa_column_kwargs={"server_default": "8"})
    """The hour, in the person's time zone, when their daily digest of notifications goes."""
    created_at: datetime = timestamp()


class WorkingGroup(SQLModel, table=True):
    __tablename__ = "working_group"
    __table_args__ = (
        CheckConstraint(
            "decision_rule IN ('consensus', 'majority', 'two_thirds')", name="decision_rule"
        ),
        CheckConstraint(
            "quorum_numerator > 0 AND quorum_numerator <= quorum_denominator", name="quorum"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200, unique=True)
    number: int = Field(unique=True)
    mandate: str = Field(default="", max_length=5000)
    name_translations: str = Field(
        default="{}", sa_type=Text, sa_column_kwargs={"server_default": "{}"}
    )
    mandate_translations: str = Field(
        default="{}", sa_type=Text, sa_column_kwargs={"server_default": "{}"}
    )
    """JSON {language: text} in the languages other than the council's default one."""
    decision_rule: DecisionRule = Field(default=DecisionRule.CONSENSUS, sa_type=String(20))
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    participants_block: bool = False
    observers_read_deliberations: bool = False
    chair_term_months: int = 6
    created_at: datetime = timestamp()


class WorkingGroupSeat(SQLModel, table=True):
    """A seat sitting in a working group (observer seats follow it)."""

    __tablename__ = "working_group_seat"

    working_group_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("working_group.id", ondelete="CASCADE"), primary_key=True
        )
    )
    seat_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("seat.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    rotation_position: int | None = None
    joined_at: datetime = timestamp()


class ChairTerm(SQLModel, table=True):
    """Which seat chairs a body from when to when; working_group_id None is the council.

    A body's terms never share a start (the unique constraint for working groups, the partial
    index for the council, whose NULL would otherwise make every start distinct): two workers
    settling the same missed turnover cannot both record it.
    """

    __tablename__ = "chair_term"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="ordered"),
        CheckConstraint("ended_early_at IS NULL OR ended_early_at = ends_at", name="ended_early"),
        Index("ix_chair_term_body", "working_group_id", "starts_at"),
        UniqueConstraint("working_group_id", "starts_at"),
        Index(
            "uq_chair_term_council_start",
            "starts_at",
            unique=True,
            sqlite_where=text("working_group_id IS NULL"),
            postgresql_where=text("working_group_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    working_group_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("working_group.id", ondelete="CASCADE"), nullable=True
        ),
    )
    seat_id: int = Field(foreign_key="seat.id")
    acting_person_id: int | None = Field(default=None, foreign_key="person.id")
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    handover_reason: str = Field(default="", max_length=1000)
    automatic: bool = False
    """Recorded by the rotation when the previous term ran out without a handover."""
    ended_early_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Set when a handover ended the term before its planned end (then equal to ends_at)."""
    created_at: datetime = timestamp()


class ChairRecusal(SQLModel, table=True):
    """A chair's seat stands aside from chairing one subject of a working group (e.g. the rounds
    of "draft:42", a draft it sponsors): the vice chair acts for it while that seat chairs."""

    __tablename__ = "chair_recusal"
    __table_args__ = (UniqueConstraint("working_group_id", "seat_id", "subject_key"),)

    id: int | None = Field(default=None, primary_key=True)
    working_group_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("working_group.id", ondelete="CASCADE"), nullable=False
        )
    )
    seat_id: int = Field(
        sa_column=Column(Integer, ForeignKey("seat.id", ondelete="CASCADE"), nullable=False)
    )
    subject_key: str = Field(max_length=80)
    reason: str = Field(default="", max_length=1000)
    by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = timestamp()


class AuthSession(SQLModel, table=True):
    """A signed-in browser; the cookie holds a token, the row holds only its hash."""

    __tablename__ = "auth_session"
    __table_args__ = (
        {"info": {UNVERSIONED: True}},
    )  # its use is noted, not an act (council.database)

    id: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    created_at: datetime = timestamp()
    last_seen_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=300)


class SignInAttempt(SQLModel, table=True):
    """Failed sign-ins, per account and per address, shared by every worker."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        Index("ix_sign_in_attempt_key_at", "key", "at"),
        {"info": {UNVERSIONED: True}},
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400)
    at: datetime = timestamp()


class AuditRecord(SQLModel, table=True):
    """One governance act, chained to the previous record by hash."""

    __tablename__ = "audit_record"
    __table_args__ = (UniqueConstraint("prev_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp()
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_label: str = Field(max_length=400)
    action: str = Field(max_length=80, index=True)
    target_type: str = Field(max_length=80)
    target_id: str = Field(max_length=80)
    details: str = Field(default="{}")
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditCheckpoint(SQLModel, table=True):
    """A signed statement that the audit chain held `count` records up to the one whose hash is
    `record_hash`. The key is not in the database (council.audit), so a log cut short or
    rewritten with a recomputed chain no longer agrees with its checkpoints. No foreign key:
    a checkpoint outlives the record it names, which is the point."""

    __tablename__ = "audit_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    record_id: int
    record_hash: str = Field(max_length=64)
    count: int
    key_id: str = Field(max_length=16)
    """Which key signed it (a digest of the key), to tell a changed key from a forgery."""
    signature: str = Field(max_length=64)


class Identity(SQLModel, table=True):
    """An account at an OpenID provider, linked to a person: found again by issuer and subject."""

    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    provider: str = Field(max_length=40)
    issuer: str = Field(max_length=400)
    subject: str = Field(max_length=255)
    email: str = Field(default="", max_length=320)
    linked_at: datetime = timestamp()
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Invitation(SQLModel, table=True):
    """The secretariat's single-use invitation into a seat (or the secretariat); the emailed
    link holds a token, the row only its hash."""

    __table_args__ = (
        CheckConstraint("(seat_id IS NULL) = (seat_role IS NULL)", name="seat_has_role"),
        CheckConstraint(
            "NOT (is_secretariat AND seat_id IS NOT NULL)", name="secretariat_seatless"
        ),
        CheckConstraint("seat_role IS NULL OR seat_role IN ('head', 'delegate')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(max_length=320, index=True)
    name: str = Field(max_length=200)
    seat_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("seat.id", ondelete="CASCADE"), nullable=True),
    )
    seat_role: SeatRole | None = Field(default=None, sa_type=String(20))
    is_secretariat: bool = False
    language: str = Field(default="en", max_length=8)
    invited_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="SET NULL"), nullable=True),
    )
    person_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PasswordReset(SQLModel, table=True):
    """A single-use, short-lived password reset link; the row holds only the token's hash."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignInFlow(SQLModel, table=True):
    """One OpenID Connect sign-in under way: what Authlib keeps between the redirect to the
    provider and the callback (state, nonce, PKCE verifier), kept server-side (see oidc.py)."""

    __tablename__ = "sign_in_flow"
    __table_args__ = ({"info": {UNVERSIONED: True}},)

    id: str = Field(primary_key=True, max_length=64)
    provider: str = Field(max_length=40)
    browser_hash: str = Field(max_length=64)
    data: str = Field(default="{}")
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class JobRun(SQLModel, table=True):
    """The last run of one of the worker's jobs (council.worker), shown to the secretariat."""

    __tablename__ = "job_run"
    __table_args__ = (
        {"info": {UNVERSIONED: True}},
    )  # each run is noted; what a job does is written as any act

    name: str = Field(primary_key=True, max_length=80)
    last_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_done: int = 0
    last_error: str = Field(default="", max_length=2000)
    runs: int = 0
    failures: int = 0


class Delivery(StrEnum):
    """How a person hears of one kind of notification, besides the workspace."""

    NOW = "now"
    DIGEST = "digest"
    WORKSPACE = "workspace"


class Notification(SQLModel, table=True):
    """Something a person is told: in the workspace, and by email at once or in a digest.

    It names what it is about (`subject`, e.g. "comment:12") and the right the person must
    still have when it is shown or sent (`requires` on `working_group_id`), so nobody hears
    of what they may no longer see. Its words are made in the reader's language when shown,
    from `kind` and `params`."""

    __table_args__ = (
        UniqueConstraint("person_id", "dedupe_key"),
        Index("ix_notification_person_read_at", "person_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=40)
    created_at: datetime = timestamp()
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    working_group_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("working_group.id", ondelete="CASCADE"), index=True, nullable=True
        ),
    )
    requires: str = Field(default="council.read", max_length=40)
    subject: str = Field(default="", max_length=80)
    url: str = Field(max_length=500)
    params: str = Field(default="{}")
    dedupe_key: str | None = Field(default=None, max_length=200)
    delivery: Delivery = Field(sa_type=String(10))
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """A person's choice for one kind of notification (otherwise the kind's default)."""

    __tablename__ = "notification_preference"

    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    )
    kind: str = Field(primary_key=True, max_length=40)
    delivery: Delivery = Field(sa_type=String(10))


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    """Not sent: the person may no longer see what it tells, or turned such emails off."""
    FAILED = "failed"
    """Given up after the last attempt."""


class OutboxMessage(SQLModel, table=True):
    """An email to send: one notification at once, or one daily digest. It is written in the
    transaction of what it tells (a transactional outbox) and sent by the worker
    (council.outbox), which claims it for a while, sends it outside any transaction, and
    records the result."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'cancelled', 'failed')", name="status"),
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_message_person_id_digest", "person_id", "is_digest", "created_at"),
        {"info": {UNVERSIONED: True}},  # its sending; the message is written with the act it tells
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, unique=True)
    """Random and fixed at creation: the email's Message-ID, the same on every attempt."""
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False)
    )
    notification_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("notification.id", ondelete="CASCADE"), unique=True, nullable=True
        ),
    )
    is_digest: bool = False
    digest: str = Field(default="[]")
    """A digest's notification ids (JSON)."""
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=String(10))
    created_at: datetime = timestamp()
    next_attempt_at: datetime = timestamp()
    attempts: int = 0
    claim_token: str | None = Field(default=None, max_length=32)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=2000)


class EmailSettingsLink(SQLModel, table=True):
    """The link in an email to its reader's notification choices, opened without signing in.
    It shows and saves those choices only, expires, and saves once; the row holds only the
    token's hash. `kind` is what the email's one-click unsubscribe turns off (None: the
    digest, i.e. every kind the person gets in it)."""

    __tablename__ = "email_settings_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    kind: str | None = Field(default=None, max_length=40)
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StateVersion(SQLModel, table=True):
    """One row naming the council's state as last committed: every transaction that writes
    the council's state stores a new random stamp in it (council.database), so a copy of a
    page made from a state is known to be current while the stamp is the same
    (council.web.reader_copy). Written by the first write, never by a migration: a migrated
    database stays empty for a restore."""

    __tablename__ = "state_version"
    __table_args__ = ({"info": {UNVERSIONED: True, DERIVED: True}},)

    id: int = Field(primary_key=True)
    stamp: str = Field(max_length=32)
    written_at: int = Field(sa_type=BigInteger)
    """When (microseconds since 1970, UTC): no act it names happened later."""
