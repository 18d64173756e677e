"""Initial schema: elections, commissions, stations, contests, protocols, imports.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

LINES = (
    "voters",
    "ballots_received",
    "ballots_issued",
    "ballots_issued_outside",
    "ballots_cancelled",
    "ballots_found",
    "ballots_invalid",
    "ballots_valid",
    "against_all",
)


def _names(prefix: str) -> list[sa.Column[str]]:
    return [sa.Column(f"{prefix}_{lang}", sa.Text(), nullable=False) for lang in ("kk", "ru", "en")]


def _in_election(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["election_id", column],
        [f"{referred}.election_id", f"{referred}.id"],
        name=f"fk_{table}_election_id_{column}_{referred}",
    )


def _election(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["election_id"], ["elections.id"], name=f"fk_{table}_election_id_elections"
    )


def upgrade() -> None:
    op.create_table(
        "elections",
        sa.Column("id", sa.Text(), nullable=False),
        *_names("title"),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("ruleset", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("definition_sha256", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_elections"),
    )
    op.create_table(
        "commissions",
        sa.Column("election_id", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Text(), nullable=True),
        *_names("name"),
        sa.PrimaryKeyConstraint("election_id", "id", name="pk_commissions"),
        _election("commissions"),
        _in_election("commissions", "parent_id", "commissions"),
    )
    op.create_table(
        "stations",
        sa.Column("election_id", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("commission_id", sa.Text(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=False),
        sa.Column("abroad", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "id", name="pk_stations"),
        _election("stations"),
        _in_election("stations", "commission_id", "commissions"),
    )
    op.create_table(
        "contests",
        sa.Column("election_id", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("commission_id", sa.Text(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        *_names("title"),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "id", name="pk_contests"),
        _election("contests"),
        _in_election("contests", "commission_id", "commissions"),
    )
    op.create_table(
        "protocols",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("election_id", sa.Text(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("contest_id", sa.Text(), nullable=False),
        *[sa.Column(line, sa.BigInteger(), nullable=True) for line in LINES],
        sa.Column("votes", sa.JSON(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_protocols"),
        _in_election("protocols", "station_id", "stations"),
        _in_election("protocols", "contest_id", "contests"),
        sa.UniqueConstraint(
            "election_id",
            "station_id",
            "contest_id",
            name="uq_protocols_election_id_station_id_contest_id",
        ),
    )
    op.create_index(
        "ix_protocols_election_id_contest_id_station_id",
        "protocols",
        ["election_id", "contest_id", "station_id"],
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("election_id", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.Text(), nullable=False),
        sa.Column("mapping_sha256", sa.Text(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_imports"),
        _election("imports"),
        sa.UniqueConstraint(
            "election_id",
            "file_sha256",
            "mapping_sha256",
            name="uq_imports_election_id_file_sha256_mapping_sha256",
        ),
    )


def downgrade() -> None:
    op.drop_table("imports")
    op.drop_index("ix_protocols_election_id_contest_id_station_id", table_name="protocols")
    op.drop_table("protocols")
    op.drop_table("contests")
    op.drop_table("stations")
    op.drop_table("commissions")
    op.drop_table("elections")
