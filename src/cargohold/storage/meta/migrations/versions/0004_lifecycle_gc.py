"""lifecycle and GC: previews, events, deployments, pull-time exclusions, archive and GC timestamps

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("repositories") as batch:
        batch.add_column(sa.Column("protect_pulled_within_days", sa.Integer()))
    with op.batch_alter_table("manifests") as batch:
        batch.add_column(sa.Column("transitioned_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("blobs") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("repository_blobs") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True)))
    op.create_table(
        "lifecycle_previews",
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("policy_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            ondelete="CASCADE",
            name=op.f("fk_lifecycle_previews_repository_id_repositories"),
        ),
        sa.PrimaryKeyConstraint("repository_id", name=op.f("pk_lifecycle_previews")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("detail_type", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_time", "events", ["time"])
    op.create_table(
        "deployments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("cluster", sa.String(length=255), nullable=False),
        sa.Column("service", sa.String(length=255), nullable=False),
        sa.Column("task_definition", sa.String(length=512), nullable=False),
        sa.Column("images", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
        sa.UniqueConstraint("account_id", "region", "cluster", "service", name="uq_deployments_service"),
    )
    op.create_table(
        "pull_time_exclusions",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("principal_arn", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region", "principal_arn", name=op.f("pk_pull_time_exclusions")),
    )


def downgrade() -> None:
    for table in ("pull_time_exclusions", "deployments", "events", "lifecycle_previews"):
        op.drop_table(table)
