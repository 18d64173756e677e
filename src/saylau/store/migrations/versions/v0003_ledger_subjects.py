"""Ledger events: what each event is about (subject, contest), indexed.

``subject`` is the commission of a key event, the station of a protocol event and the
subject of an action; ``contest`` the contest of protocol, lot and certification events.
They let a writer find one protocol's history or one commission's keys without reading the
whole ledger. Existing rows are filled from their lines.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_SUBJECT_KEYS = ("commission", "station", "subject")


def _about(line: bytes) -> tuple[str | None, str | None]:
    payload = json.loads(bytes(line))["body"]["payload"]
    subject = next((payload[k] for k in _SUBJECT_KEYS if isinstance(payload.get(k), str)), None)
    contest = payload.get("contest")
    return subject, contest if isinstance(contest, str) else None


def upgrade() -> None:
    with op.batch_alter_table("ledger_events") as batch:
        batch.add_column(sa.Column("subject", sa.Text(), nullable=True))
        batch.add_column(sa.Column("contest", sa.Text(), nullable=True))
    op.create_index("ix_ledger_events_subject_contest", "ledger_events", ["subject", "contest"])
    events = sa.table(
        "ledger_events",
        sa.column("sequence", sa.BigInteger()),
        sa.column("line", sa.LargeBinary()),
        sa.column("subject", sa.Text()),
        sa.column("contest", sa.Text()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(events.c.sequence, events.c.line)).all()
    updates = [
        {"at": sequence, "subject": subject, "contest": contest}
        for sequence, line in rows
        for subject, contest in [_about(line)]
    ]
    if updates:
        connection.execute(
            events.update()
            .where(events.c.sequence == sa.bindparam("at"))
            .values(subject=sa.bindparam("subject"), contest=sa.bindparam("contest")),
            updates,
        )


def downgrade() -> None:
    op.drop_index("ix_ledger_events_subject_contest", table_name="ledger_events")
    with op.batch_alter_table("ledger_events") as batch:
        batch.drop_column("contest")
        batch.drop_column("subject")
