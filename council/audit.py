"""The append-only, hash-chained record of governance acts, and what anchors it.

The chain alone shows a record altered, inserted or removed in the middle, but not a log cut
short, emptied, or rewritten from some record on with every hash recomputed: anyone who can
write the table can do that. Two anchors catch them:

- signed checkpoints: the worker signs (HMAC-SHA256) the chain's head and its length every
  minute with a key that is not in the database (COUNCIL_AUDIT_KEY, else one derived from
  COUNCIL_SECRET_KEY), and stores the checkpoint both in `audit_checkpoint` and as a line of
  an append-only file under COUNCIL_VAR_DIR. `verify` requires every checkpoint to carry a
  valid signature and the record it names to be in the chain at the position it counted;
- published heads: each recommendation carries the hash of its `recommendation.published`
  record in its adoption record (page, Atom entry, API), where outsiders keep copies; `verify`
  can be given those digests and requires each to be in the chain.

What is appended after the latest checkpoint can still be cut unseen, for at most a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from council.database import utcnow
from council.i18n import gettext as _
from council.models import AuditCheckpoint, AuditRecord, Person

GENESIS = "0" * 64
CHECKPOINT_FILE = "audit-checkpoints.jsonl"
PER_PAGE = 50


def _digest(record: AuditRecord) -> str:
    payload = json.dumps(
        [
            record.prev_hash,
            record.at.isoformat(),
            record.actor_id,
            record.actor_label,
            record.action,
            record.target_type,
            record.target_id,
            record.details,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _tail_hash(session: Session) -> str:
    last = session.exec(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)).first()
    return last or GENESIS


def fingerprint(text: str) -> str:
    """A text's SHA-256, for details: the record proves what was said without copying it."""
    return hashlib.sha256(text.encode()).hexdigest()


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


# checkpoints


def signing_key(secret_key: str, audit_key: str = "") -> bytes:
    """The checkpoints' key: COUNCIL_AUDIT_KEY when set, else COUNCIL_SECRET_KEY, each made
    into a key of its own use (so it signs nothing else). After changing COUNCIL_SECRET_KEY,
    set COUNCIL_AUDIT_KEY to its former value to keep the earlier checkpoints verifiable."""
    material = audit_key or secret_key
    return hmac.new(material.encode(), b"council audit checkpoints", hashlib.sha256).digest()


def settings_key(settings) -> bytes:
    return signing_key(settings.secret_key, settings.audit_key)


def checkpoint_path(settings) -> Path:
    return settings.var_dir / CHECKPOINT_FILE


def key_id(key: bytes) -> str:
    return hmac.new(key, b"key id", hashlib.sha256).hexdigest()[:16]


def _signature(key: bytes, record_id: int, record_hash: str, count: int, at: str) -> str:
    payload = json.dumps([record_id, record_hash, count, at], separators=(",", ":"))
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


class ChainBroken(RuntimeError):
    """The records since the last checkpoint do not extend it: nothing is signed."""


def checkpoint(
    session: Session, *, key: bytes, path: Path | None, now: datetime | None = None
) -> int:
    """Sign the chain's head when it moved since the last checkpoint (1), else nothing (0).
    Only records that extend the last checkpoint through intact links are signed, so a
    checkpoint never vouches for a log tampered with since the previous one."""
    last = next(
        (
            c
            for c in session.exec(
                select(AuditCheckpoint)
                .order_by(col(AuditCheckpoint.id).desc())
                .execution_options(yield_per=10)
            )
            if _anchor(c).signed_by(key)
        ),
        None,
    )  # a row planted without the key is passed over
    after, prev, count = (last.record_id, last.record_hash, last.count) if last else (0, GENESIS, 0)
    head = None
    rows = session.exec(
        select(AuditRecord)
        .where(AuditRecord.id > after)
        .order_by(AuditRecord.id)
        .execution_options(yield_per=500)
    )
    for row in rows:
        if row.prev_hash != prev or _digest(row) != row.hash:
            raise ChainBroken(
                f"audit record {row.id} does not extend the last checkpoint "
                f"(record {after}): run `council audit verify`"
            )
        prev, count, head = row.hash, count + 1, (row.id, row.hash)
    if head is None:
        return 0
    at = (now or utcnow()).astimezone(UTC).replace(microsecond=0)
    entry = AuditCheckpoint(
        at=at,
        record_id=head[0],
        record_hash=head[1],
        count=count,
        key_id=key_id(key),
        signature=_signature(key, head[0], head[1], count, _instant(at)),
    )
    session.add(entry)
    session.flush()
    if path is not None:
        _append(path, entry)
    return 1


def checkpoint_job(settings):
    """The worker's job (council.worker.core_jobs): run(session, now)."""
    key, path = settings_key(settings), checkpoint_path(settings)

    def run(session: Session, now: datetime) -> int:
        return checkpoint(session, key=key, path=path, now=now)

    return run


def _line(entry: AuditCheckpoint) -> str:
    return json.dumps(
        {
            "record_id": entry.record_id,
            "record_hash": entry.record_hash,
            "count": entry.count,
            "at": _instant(entry.at),
            "key_id": entry.key_id,
            "signature": entry.signature,
        },
        separators=(",", ":"),
    )


def _append(path: Path, entry: AuditCheckpoint) -> None:
    """One line at the end of the file, on disk before the transaction commits (a checkpoint
    of a transaction that then fails still names records that were committed before)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as file:
        file.write(_line(entry) + "\n")
        file.flush()
        os.fsync(file.fileno())


@dataclass(frozen=True)
class Anchor:
    """A checkpoint (from the table or the file) or a published head: something the chain
    must still contain."""

    record_hash: str
    record_id: int | None = None
    count: int | None = None
    at: str = ""
    key_id: str = ""
    signature: str = ""
    label: str = ""
    """For a published head: where it was published (a recommendation's number)."""

    def signed_by(self, key: bytes) -> bool:
        expected = _signature(key, self.record_id, self.record_hash, self.count, self.at)
        return hmac.compare_digest(expected, self.signature)


def _anchor(checkpoint: AuditCheckpoint) -> Anchor:
    return Anchor(
        record_hash=checkpoint.record_hash,
        record_id=checkpoint.record_id,
        count=checkpoint.count,
        at=_instant(checkpoint.at),
        key_id=checkpoint.key_id,
        signature=checkpoint.signature,
    )


def _stored_checkpoints(session: Session) -> list[Anchor]:
    return [
        _anchor(c) for c in session.exec(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()
    ]


def _filed_checkpoints(path: Path) -> tuple[list[Anchor], str]:
    """The checkpoints in the file, and what is wrong with it ("" when nothing)."""
    if not path.exists():
        return [], ""
    found = []
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            try:
                entry = json.loads(line)
                found.append(
                    Anchor(
                        record_hash=str(entry["record_hash"]),
                        record_id=int(entry["record_id"]),
                        count=int(entry["count"]),
                        at=str(entry["at"]),
                        key_id=str(entry["key_id"]),
                        signature=str(entry["signature"]),
                    )
                )
            except (ValueError, KeyError, TypeError):
                return found, _(
                    "line %(line)s of the checkpoint file %(file)s cannot be read",
                    line=number,
                    file=str(path),
                )
    return found, ""


FEED_NAMESPACE = "urn:x-council-workspace:audit"


def heads_in_feed(content: bytes, *, source: str = "") -> list[tuple[str, str]]:
    """(label, digest) of every entry of a saved Atom feed that carries a digest."""
    from xml.etree import ElementTree

    atom = "{http://www.w3.org/2005/Atom}"
    # a copy the operator saved; expat resolves no external entity and limits expansion
    root = ElementTree.fromstring(content)  # noqa: S314
    found = []
    for entry in root.iter(f"{atom}entry"):
        head = entry.find(f"{{{FEED_NAMESPACE}}}auditHead")
        if head is not None and head.text:
            label = entry.findtext(f"{atom}title") or entry.findtext(f"{atom}id") or source
            found.append((label.strip(), head.text.strip()))
    return found


# verification


@dataclass(frozen=True)
class Verification:
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    checkpoints: int = 0
    """Signed checkpoints that agree with the chain."""
    latest_checkpoint: Anchor | None = None
    heads: int = 0
    """Published heads found in the chain."""

    @property
    def ok(self) -> bool:
        return not self.problem


def verify(
    session: Session,
    *,
    key: bytes | None = None,
    checkpoint_file: Path | None = None,
    heads: Iterable[tuple[str, str]] = (),
) -> Verification:
    """Recompute the chain (an altered, inserted or removed row breaks it) and hold it to its
    anchors: every checkpoint (stored, and in `checkpoint_file`) must be signed with `key` and
    name a record still in the chain at the position it counted; every published head
    ((label, digest) pairs) must be in the chain. Without `key` the signatures are not
    checked (the chain and the checkpoints' positions still are)."""
    checkpoints = _stored_checkpoints(session)
    file_problem = ""
    if checkpoint_file is not None:
        filed, file_problem = _filed_checkpoints(checkpoint_file)
        known = {(c.record_hash, c.signature) for c in checkpoints}
        checkpoints += [c for c in filed if (c.record_hash, c.signature) not in known]
    forged = None
    if key is not None:
        forged = next((c for c in checkpoints if not c.signed_by(key)), None)
        checkpoints = [c for c in checkpoints if c.signed_by(key)]
    waiting: dict[str, list[Anchor]] = {}
    for anchor in checkpoints:
        waiting.setdefault(anchor.record_hash, []).append(anchor)
    published: dict[str, list[Anchor]] = {}
    for label, digest in heads:
        published.setdefault(digest.strip().lower(), []).append(
            Anchor(record_hash=digest.strip().lower(), label=label)
        )
    latest = max(checkpoints, key=lambda c: c.count, default=None)

    heads_given = sum(len(anchors) for anchors in published.values())

    def result(checked: int, first_bad_id: int | None = None, problem: str = "") -> Verification:
        missing = sum(len(anchors) for anchors in published.values())
        return Verification(
            checked,
            first_bad_id,
            problem,
            checkpoints=len(checkpoints),
            latest_checkpoint=latest,
            heads=heads_given - missing,
        )

    expected_prev = GENESIS
    checked = 0
    rows = session.exec(
        select(AuditRecord).order_by(AuditRecord.id).execution_options(yield_per=500)
    )
    for row in rows:
        checked += 1
        if row.prev_hash != expected_prev:
            return result(
                checked,
                row.id,
                _(
                    "it does not follow the previous record (a record was inserted or removed "
                    "before it)"
                ),
            )
        if _digest(row) != row.hash:
            return result(
                checked,
                row.id,
                _("its content no longer matches its hash (the record was altered)"),
            )
        for anchor in waiting.pop(row.hash, ()):
            if anchor.count != checked:
                return result(
                    checked,
                    row.id,
                    _(
                        "the checkpoint signed at %(time)s counted %(count)s records up to it, "
                        "the log now has %(now)s (records before it were removed or added)",
                        time=anchor.at,
                        count=anchor.count,
                        now=checked,
                    ),
                )
        published.pop(row.hash, None)
        expected_prev = row.hash
    if waiting:
        anchor = min((a for anchors in waiting.values() for a in anchors), key=lambda a: a.count)
        return result(
            checked,
            anchor.record_id,
            _(
                "the checkpoint signed at %(time)s names it as record number %(count)s, but it is "
                "no longer in the log (records were removed from the end of the log, or the log "
                "was rewritten from this record or an earlier one)",
                time=anchor.at,
                count=anchor.count,
            ),
        )
    if forged is not None:
        return result(
            checked,
            None,
            _(
                "the checkpoint of record %(id)s dated %(time)s is not signed with this council's "
                "key (it was forged or altered, or the key changed: see COUNCIL_AUDIT_KEY)",
                id=forged.record_id,
                time=forged.at,
            ),
        )
    if file_problem:
        return result(checked, None, file_problem)
    if published:
        anchor = next(a for anchors in published.values() for a in anchors)
        return result(
            checked,
            None,
            _(
                "the digest %(digest)s published with %(label)s is not in the log (the log was "
                "cut short or rewritten after it was published)",
                digest=anchor.record_hash,
                label=anchor.label,
            ),
        )
    return result(checked)


# reading


@dataclass(frozen=True)
class Filters:
    action: str = ""
    """The start of an action: "security." finds every security event."""
    actor: str = ""
    """Part of the actor's name or email."""
    since: datetime | None = None
    until: datetime | None = None
    """Records before this instant."""

    @property
    def active(self) -> bool:
        return bool(self.action or self.actor or self.since or self.until)


@dataclass(frozen=True)
class Page:
    records: list[AuditRecord]
    next_before: int | None
    """The id to pass as `before` for the next (older) page; None on the last page."""


def search(
    session: Session, filters: Filters, *, before: int | None = None, per_page: int = PER_PAGE
) -> Page:
    """The records matching `filters`, newest first, one page of them after `before` (keyset
    pagination: a page is as quick at the end of a long log as at its start)."""
    conditions = []
    if filters.action:
        conditions.append(col(AuditRecord.action).startswith(filters.action, autoescape=True))
    if filters.actor:
        conditions.append(
            func.lower(AuditRecord.actor_label).contains(filters.actor.lower(), autoescape=True)
        )
    if filters.since is not None:
        conditions.append(AuditRecord.at >= filters.since)
    if filters.until is not None:
        conditions.append(AuditRecord.at < filters.until)
    if before is not None:
        conditions.append(AuditRecord.id < before)
    found = list(
        session.exec(
            select(AuditRecord)
            .where(*conditions)
            .order_by(col(AuditRecord.id).desc())
            .limit(per_page + 1)
        ).all()
    )
    more = len(found) > per_page
    found = found[:per_page]
    return Page(found, found[-1].id if more else None)


def actions(session: Session) -> list[str]:
    """Every action the log holds, for the filter's suggestions."""
    return list(
        session.exec(select(AuditRecord.action).distinct().order_by(AuditRecord.action)).all()
    )
