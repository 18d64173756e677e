"""The commission service: users, role assignments, sessions and tokens, sign-in attempts,
protocol entries (double entry), summaries (approval and certification), idempotency keys.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _in_election(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["election_id", column],
        [f"{referred}.election_id", f"{referred}.id"],
        name=f"fk_{table}_election_id_{column}_{referred}",
    )


def _user(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=f"fk_{table}_user_id_users")


def upgrade() -> None:
    op.create_table(
        "users",
        _text("id"),
        _text("name"),
        _text("password_hash"),
        sa.Column("active", sa.Boolean(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _text("user_id"),
        _text("election_id"),
        _text("commission_id"),
        _text("role"),
        _text("granted_by"),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_role_assignments"),
        _user("role_assignments"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_role_assignments_election_id_elections"
        ),
        sa.UniqueConstraint(
            "user_id",
            "election_id",
            "commission_id",
            "role",
            name="uq_role_assignments_user_id_election_id_commission_id_role",
        ),
    )
    op.create_table(
        "credentials",
        _text("token_sha256"),
        _text("user_id"),
        _text("kind"),
        _text("label"),
        _text("csrf_token", nullable=True),
        _time("created_at"),
        _time("expires_at"),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("token_sha256", name="pk_credentials"),
        _user("credentials"),
    )
    op.create_index("ix_credentials_user_id", "credentials", ["user_id"])
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _text("login"),
        _text("address"),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        _time("at"),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_attempts"),
    )
    op.create_index("ix_sign_in_attempts_login_at", "sign_in_attempts", ["login", "at"])
    op.create_index("ix_sign_in_attempts_address_at", "sign_in_attempts", ["address", "at"])
    op.create_table(
        "protocol_entries",
        _text("election_id"),
        _text("station_id"),
        _text("contest_id"),
        _text("stage"),
        sa.Column("version", sa.Integer(), nullable=False),
        _text("state"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint(
            "election_id", "station_id", "contest_id", name="pk_protocol_entries"
        ),
        _in_election("protocol_entries", "station_id", "stations"),
        _in_election("protocol_entries", "contest_id", "contests"),
    )
    op.create_index(
        "ix_protocol_entries_election_id_contest_id_stage",
        "protocol_entries",
        ["election_id", "contest_id", "stage"],
    )
    op.create_table(
        "summaries",
        _text("election_id"),
        _text("commission_id"),
        _text("contest_id"),
        _text("stage"),
        sa.Column("version", sa.Integer(), nullable=False),
        _text("signed_by", nullable=True),
        _text("certified_by", nullable=True),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("election_id", "commission_id", "contest_id", name="pk_summaries"),
        _in_election("summaries", "commission_id", "commissions"),
        _in_election("summaries", "contest_id", "contests"),
    )
    op.create_table(
        "idempotency_keys",
        _text("user_id"),
        _text("key"),
        _text("request_sha256"),
        sa.Column("status", sa.Integer(), nullable=False),
        _text("response"),
        _time("created_at"),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_keys"),
        _user("idempotency_keys"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("summaries")
    op.drop_index("ix_protocol_entries_election_id_contest_id_stage", "protocol_entries")
    op.drop_table("protocol_entries")
    op.drop_index("ix_sign_in_attempts_address_at", "sign_in_attempts")
    op.drop_index("ix_sign_in_attempts_login_at", "sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.drop_index("ix_credentials_user_id", "credentials")
    op.drop_table("credentials")
    op.drop_table("role_assignments")
    op.drop_table("users")
