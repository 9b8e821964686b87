"""IAM: accounts, role trust, inline and managed policies, attachments, sessions, audit events

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128)),
        sa.Column("org_id", sa.String(length=64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "role_trust",
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("max_session_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["principal_id"], ["principals.id"], ondelete="CASCADE", name=op.f("fk_role_trust_principal_id_principals")
        ),
        sa.PrimaryKeyConstraint("principal_id", name=op.f("pk_role_trust")),
    )
    op.create_table(
        "inline_policies",
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["principals.id"],
            ondelete="CASCADE",
            name=op.f("fk_inline_policies_principal_id_principals"),
        ),
        sa.PrimaryKeyConstraint("principal_id", "name", name=op.f("pk_inline_policies")),
    )
    op.create_table(
        "managed_policies",
        sa.Column("arn", sa.String(length=512), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("policy_id", sa.String(length=32), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_managed_policies")),
    )
    op.create_table(
        "policy_attachments",
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("policy_arn", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["principals.id"],
            ondelete="CASCADE",
            name=op.f("fk_policy_attachments_principal_id_principals"),
        ),
        sa.PrimaryKeyConstraint("principal_id", "policy_arn", name=op.f("pk_policy_attachments")),
    )
    op.create_index("ix_policy_attachments_arn", "policy_attachments", ["policy_arn"])
    op.create_table(
        "sessions",
        sa.Column("access_key_id", sa.String(length=32), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("session_name", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=512), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["principals.id"], ondelete="CASCADE", name=op.f("fk_sessions_role_id_principals")
        ),
        sa.PrimaryKeyConstraint("access_key_id", name=op.f("pk_sessions")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("principal_arn", sa.String(length=512), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("action", sa.String(length=128), nullable=False),
        sa.Column("resource", sa.String(length=1024), nullable=False),
        sa.Column("source_ip", sa.String(length=64)),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("deciding", sa.String(length=512)),
        sa.Column("face", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_time", "audit_events", ["time"])
    op.create_index("ix_audit_events_principal", "audit_events", ["principal_arn"])
    with op.batch_alter_table("access_keys") as batch:
        batch.alter_column("secret", type_=sa.String(length=512))


def downgrade() -> None:
    for table in (
        "audit_events",
        "sessions",
        "policy_attachments",
        "managed_policies",
        "inline_policies",
        "role_trust",
        "accounts",
    ):
        op.drop_table(table)
