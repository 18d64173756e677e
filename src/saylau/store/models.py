"""Tables of the store (SQLAlchemy 2 typed declarative).

The Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares
the two. An election definition is kept whole (``elections.definition``, the JSON document as
submitted) and also unpacked into commissions, stations and contests so that queries can join
on them.

Protocol lines are one nullable column each, named after :class:`saylau.core.protocol.Line`
(``NULL``: the form lacks the line); votes are a JSON list of ints in the contest's choice
order. ``content_sha256`` is the hash of the canonical protocol content, so a repeated
submission is recognised without comparing column by column; ``version`` counts the changes.

Times are UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from saylau.core.protocol import Line

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LINE_COLUMNS: tuple[str, ...] = tuple(line.value for line in Line)
"""Protocol columns holding the lines of the form, in form order."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A time stored in UTC and read back with its time zone, on SQLite too (which keeps
    no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a stored time needs a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (read by SQLAlchemy once, never mutated)
        str: Text(),
        int: Integer(),
        bool: Boolean(),
        date: Date(),
        datetime: UtcDateTime(),
        list[Any]: JSON(),
    }


class ElectionRecord(Base):
    __tablename__ = "elections"

    id: Mapped[str] = mapped_column(primary_key=True)
    title_kk: Mapped[str]
    title_ru: Mapped[str]
    title_en: Mapped[str]
    date: Mapped[date]
    ruleset: Mapped[str]
    definition: Mapped[str]
    definition_sha256: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class CommissionRecord(Base):
    __tablename__ = "commissions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["election_id", "parent_id"], ["commissions.election_id", "commissions.id"]
        ),
    )

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    id: Mapped[str] = mapped_column(primary_key=True)
    level: Mapped[str]
    parent_id: Mapped[str | None]
    name_kk: Mapped[str]
    name_ru: Mapped[str]
    name_en: Mapped[str]


class StationRecord(Base):
    __tablename__ = "stations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["election_id", "commission_id"], ["commissions.election_id", "commissions.id"]
        ),
    )

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    id: Mapped[str] = mapped_column(primary_key=True)
    commission_id: Mapped[str]
    number: Mapped[str]
    voters: Mapped[int]
    abroad: Mapped[bool]


class ContestRecord(Base):
    __tablename__ = "contests"
    __table_args__ = (
        ForeignKeyConstraint(
            ["election_id", "commission_id"], ["commissions.election_id", "commissions.id"]
        ),
    )

    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    id: Mapped[str] = mapped_column(primary_key=True)
    rule: Mapped[str]
    commission_id: Mapped[str]
    seats: Mapped[int]
    title_kk: Mapped[str]
    title_ru: Mapped[str]
    title_en: Mapped[str]
    choices: Mapped[list[Any]]
    """``[{"id", "party", "name": {"kk", "ru", "en"}}]`` in ballot order."""


class ProtocolRecord(Base):
    __tablename__ = "protocols"
    __table_args__ = (
        ForeignKeyConstraint(
            ["election_id", "station_id"], ["stations.election_id", "stations.id"]
        ),
        ForeignKeyConstraint(
            ["election_id", "contest_id"], ["contests.election_id", "contests.id"]
        ),
        UniqueConstraint("election_id", "station_id", "contest_id"),
        Index(None, "election_id", "contest_id", "station_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    election_id: Mapped[str]
    """No key of its own to ``elections``: the station and contest keys imply it."""
    station_id: Mapped[str]
    contest_id: Mapped[str]
    voters: Mapped[int | None] = mapped_column(BigInteger)
    ballots_received: Mapped[int | None] = mapped_column(BigInteger)
    ballots_issued: Mapped[int | None] = mapped_column(BigInteger)
    ballots_issued_outside: Mapped[int | None] = mapped_column(BigInteger)
    ballots_cancelled: Mapped[int | None] = mapped_column(BigInteger)
    ballots_found: Mapped[int | None] = mapped_column(BigInteger)
    ballots_invalid: Mapped[int | None] = mapped_column(BigInteger)
    ballots_valid: Mapped[int | None] = mapped_column(BigInteger)
    against_all: Mapped[int | None] = mapped_column(BigInteger)
    votes: Mapped[list[Any]]
    """Votes per choice, in the contest's choice order."""
    status: Mapped[str]
    """``accepted``, ``rejected``, or a later state of the review workflow."""
    findings: Mapped[list[Any]]
    """``[{"code", "key", "severity", "lines", "values"}]`` from the protocol controls."""
    version: Mapped[int]
    source: Mapped[str]
    """Where the content came from, e.g. an import file name and row."""
    content_sha256: Mapped[str]
    updated_at: Mapped[datetime]


class ImportRecord(Base):
    __tablename__ = "imports"
    __table_args__ = (UniqueConstraint("election_id", "file_sha256", "mapping_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"))
    file_name: Mapped[str]
    file_sha256: Mapped[str]
    mapping_sha256: Mapped[str]
    rows_total: Mapped[int]
    rows_stored: Mapped[int]
    rows_rejected: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class LedgerEventRecord(Base):
    """One event of the ledger: ``line`` is its canonical ledger line (body, hash and
    signatures, no newline), exactly as published; the other columns are read from it for
    queries. Rows are only ever appended."""

    __tablename__ = "ledger_events"
    __table_args__ = (Index(None, "subject", "contest"),)

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(unique=True)
    kind: Mapped[str]
    actor: Mapped[str]
    time: Mapped[str]
    """UTC, ``YYYY-MM-DDTHH:MM:SSZ`` as in the event."""
    line: Mapped[bytes] = mapped_column(LargeBinary)
    subject: Mapped[str | None]
    """The commission of a key event, the station of a protocol event, an action's subject."""
    contest: Mapped[str | None]
    """The contest of a protocol, lot or certification event."""


def table(record: type[Base]) -> Table:
    """The Core table of a record class, for bulk statements."""
    found = record.__table__
    assert isinstance(found, Table)
    return found


# -- The commission service: accounts, entries, approvals --------------------------------


class UserRecord(Base):
    """A person who signs in: ``id`` is the login name, ``password_hash`` an Argon2id hash."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    password_hash: Mapped[str]
    active: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class RoleAssignmentRecord(Base):
    """A role of a user in one commission (and its subtree) of one election."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "election_id", "commission_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"))
    commission_id: Mapped[str]
    """A commission of the election, or a station (its precinct commission)."""
    role: Mapped[str]
    granted_by: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class CredentialRecord(Base):
    """A browser session or a bearer token: only the SHA-256 of the secret is kept."""

    __tablename__ = "credentials"
    __table_args__ = (Index(None, "user_id"),)

    token_sha256: Mapped[str] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str]
    """``session`` (a browser cookie, with a CSRF token) or ``token`` (a bearer token)."""
    label: Mapped[str]
    csrf_token: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(default=False)


class SignInAttemptRecord(Base):
    """One attempt to sign in, for rate limiting."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index(None, "login", "at"), Index(None, "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    login: Mapped[str]
    address: Mapped[str]
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utc_now)


class ProtocolEntryRecord(Base):
    """The double-entry state of one protocol (``saylau.core.entry``): ``state`` is the
    state as plain data, ``stage`` and ``version`` are copied out of it for queries and for
    the conditional update that lets only one writer win each version."""

    __tablename__ = "protocol_entries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["election_id", "station_id"], ["stations.election_id", "stations.id"]
        ),
        ForeignKeyConstraint(
            ["election_id", "contest_id"], ["contests.election_id", "contests.id"]
        ),
        Index(None, "election_id", "contest_id", "stage"),
    )

    election_id: Mapped[str] = mapped_column(primary_key=True)
    station_id: Mapped[str] = mapped_column(primary_key=True)
    contest_id: Mapped[str] = mapped_column(primary_key=True)
    stage: Mapped[str]
    version: Mapped[int]
    state: Mapped[str]
    """The state as JSON text."""
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class SummaryRecord(Base):
    """A commission's summary protocol of one contest (``saylau.core.approval``)."""

    __tablename__ = "summaries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["election_id", "commission_id"], ["commissions.election_id", "commissions.id"]
        ),
        ForeignKeyConstraint(
            ["election_id", "contest_id"], ["contests.election_id", "contests.id"]
        ),
    )

    election_id: Mapped[str] = mapped_column(primary_key=True)
    commission_id: Mapped[str] = mapped_column(primary_key=True)
    contest_id: Mapped[str] = mapped_column(primary_key=True)
    stage: Mapped[str]
    version: Mapped[int]
    signed_by: Mapped[str | None]
    certified_by: Mapped[str | None]
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class IdempotencyRecord(Base):
    """The answer given to a submission with an idempotency key, stored in the submission's
    transaction: a retry with the same key and request gets the same answer."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(primary_key=True)
    request_sha256: Mapped[str]
    status: Mapped[int]
    response: Mapped[str]
    """The JSON body of the answer."""
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class WaitingActionRecord(Base):
    """An ``action-recorded`` event made while the store held no election (a user created,
    a sign-in): it waits here until the ledger starts, then is appended and removed."""

    __tablename__ = "waiting_actions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    user_id: Mapped[str]
    action: Mapped[str]
    subject: Mapped[str]
    details: Mapped[str]
    """The event's details as JSON text."""
