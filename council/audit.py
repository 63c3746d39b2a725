"""The append-only, hash-chained record of governance acts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from council.database import utcnow
from council.i18n import gettext as _
from council.models import AuditRecord, Person

GENESIS = "0" * 64


def _digest(record: AuditRecord) -> str:
    payload = json.dumps(
        [record.prev_hash, record.at.isoformat(), record.actor_id, record.actor_label,
         record.action, record.target_type, record.target_id, record.details],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _tail_hash(session: Session) -> str:
    last = session.exec(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)).first()
    return last or GENESIS


def actor_label(person: Person | None) -> str:
    return f"{person.name} <{person.email}>" if person else "system"


def record(
    session: Session,
    *,
    by: Person | None,
    action: str,
    target: Any,
    **details: Any,
) -> AuditRecord:
    """Append one act. Two writers racing for the same tail collide on the unique prev_hash,
    and the loser re-reads the tail and tries again, so the chain never forks."""
    target_type = type(target).__name__ if not isinstance(target, tuple) else target[0]
    target_id = str(target.id if not isinstance(target, tuple) else target[1])
    for _attempt in range(50):
        entry = AuditRecord(
            at=utcnow(),
            actor_id=by.id if by else None,
            actor_label=actor_label(by),
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
            prev_hash=_tail_hash(session),
        )
        entry.hash = _digest(entry)
        try:
            with session.begin_nested():
                session.add(entry)
            return entry
        except IntegrityError:
            continue
    raise RuntimeError("could not append to the audit log")


@dataclass(frozen=True)
class Verification:
    checked: int
    first_bad_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify(session: Session) -> Verification:
    """Recompute the chain: an altered, inserted or removed row breaks it."""
    expected_prev = GENESIS
    checked = 0
    rows = session.exec(select(AuditRecord).order_by(AuditRecord.id).execution_options(
        yield_per=500))
    for row in rows:
        checked += 1
        if row.prev_hash != expected_prev:
            return Verification(checked, row.id, _(
                "it does not follow the previous record (a record was inserted or removed "
                "before it)"))
        if _digest(row) != row.hash:
            return Verification(checked, row.id, _(
                "its content no longer matches its hash (the record was altered)"))
        expected_prev = row.hash
    return Verification(checked)
