"""The whole metadata schema in one file (Quay's habit): tables only, queries live beside their users.

Timestamps are timezone-aware UTC. Manifest bytes are stored exactly as pushed, so a GET returns
them byte for byte and their digest stays true.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

principals = Table(
    "principals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("arn", String(512), nullable=False, unique=True),
    Column("account_id", String(12), nullable=False),
    Column("kind", String(16), nullable=False),  # user | role | root
    Column("name", String(128), nullable=False),
    Column("unique_id", String(32), nullable=False, unique=True),
    Column("is_bootstrap_admin", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key_id", String(32), primary_key=True),
    Column("principal_id", Integer, ForeignKey("principals.id", ondelete="CASCADE"), nullable=False),
    Column("secret", String(512), nullable=False),  # encrypted (iam/secrets_box.py)
    Column("status", String(16), nullable=False, default="Active"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
)

repositories = Table(
    "repositories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(256), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("tag_mutability", String(32), nullable=False, default="MUTABLE"),
    Column("tag_mutability_exclusions", Text, nullable=False, default="[]"),
    Column("scan_on_push", Boolean, nullable=False, default=False),
    Column("encryption_type", String(16), nullable=False, default="AES256"),
    Column("kms_key", String(2048)),
    Column("policy_text", Text),
    Column("lifecycle_policy_text", Text),
    Column("lifecycle_evaluated_at", DateTime(timezone=True)),
    Column("protect_pulled_within_days", Integer),
    UniqueConstraint("account_id", "region", "name", name="uq_repositories_scope_name"),
)

repository_tags = Table(
    "repository_tags",
    metadata,
    Column("repository_id", Integer, ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("value", String(256), nullable=False),
)

blobs = Table(
    "blobs",
    metadata,
    Column("digest", String(80), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True)),  # touched by every push that needs it (GC grace)
)

repository_blobs = Table(
    "repository_blobs",
    metadata,
    Column("repository_id", Integer, ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True),
    Column("digest", String(80), ForeignKey("blobs.digest"), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True)),
)
Index("ix_repository_blobs_digest", repository_blobs.c.digest)

manifests = Table(
    "manifests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repository_id", Integer, ForeignKey("repositories.id", ondelete="CASCADE"), nullable=False),
    Column("digest", String(80), nullable=False),
    Column("media_type", String(255), nullable=False),
    Column("artifact_type", String(255)),
    Column("config_media_type", String(255)),
    Column("subject_digest", String(80)),
    Column("annotations", Text),
    Column("content", LargeBinary, nullable=False),
    Column("total_size", BigInteger, nullable=False),
    Column("pushed_at", DateTime(timezone=True), nullable=False),
    Column("last_pulled_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False, default="ACTIVE"),
    Column("transitioned_at", DateTime(timezone=True)),
    UniqueConstraint("repository_id", "digest", name="uq_manifests_repository_digest"),
)
Index("ix_manifests_subject", manifests.c.repository_id, manifests.c.subject_digest)

manifest_blobs = Table(
    "manifest_blobs",
    metadata,
    Column("manifest_id", Integer, ForeignKey("manifests.id", ondelete="CASCADE"), primary_key=True),
    Column("digest", String(80), primary_key=True),
)
Index("ix_manifest_blobs_digest", manifest_blobs.c.digest)

manifest_children = Table(
    "manifest_children",
    metadata,
    Column("manifest_id", Integer, ForeignKey("manifests.id", ondelete="CASCADE"), primary_key=True),
    Column("child_digest", String(80), primary_key=True),
)
Index("ix_manifest_children_child", manifest_children.c.child_digest)

tags = Table(
    "tags",
    metadata,
    Column("repository_id", Integer, ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(300), primary_key=True),
    Column("manifest_id", Integer, ForeignKey("manifests.id", ondelete="CASCADE"), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_tags_manifest", tags.c.manifest_id)

uploads = Table(
    "uploads",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("repository_id", Integer, ForeignKey("repositories.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
)

registry_settings = Table(
    "registry_settings",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(32), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(12), primary_key=True),
    Column("name", String(128)),
    Column("org_id", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

role_trust = Table(
    "role_trust",
    metadata,
    Column("principal_id", Integer, ForeignKey("principals.id", ondelete="CASCADE"), primary_key=True),
    Column("document", Text, nullable=False),
    Column("max_session_seconds", Integer, nullable=False, default=3600),
)

inline_policies = Table(
    "inline_policies",
    metadata,
    Column("principal_id", Integer, ForeignKey("principals.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("document", Text, nullable=False),
)

managed_policies = Table(
    "managed_policies",
    metadata,
    Column("arn", String(512), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("name", String(128), nullable=False),
    Column("policy_id", String(32), nullable=False),
    Column("document", Text, nullable=False),
    Column("description", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

policy_attachments = Table(
    "policy_attachments",
    metadata,
    Column("principal_id", Integer, ForeignKey("principals.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_arn", String(512), primary_key=True),
)
Index("ix_policy_attachments_arn", policy_attachments.c.policy_arn)

sessions = Table(
    "sessions",
    metadata,
    Column("access_key_id", String(32), primary_key=True),
    Column("role_id", Integer, ForeignKey("principals.id", ondelete="CASCADE"), nullable=False),
    Column("session_name", String(64), nullable=False),
    Column("secret", String(512), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("principal_arn", String(512), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("action", String(128), nullable=False),
    Column("resource", String(1024), nullable=False),
    Column("source_ip", String(64)),
    Column("decision", String(8), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("deciding", String(512)),
    Column("face", String(16), nullable=False),
)
Index("ix_audit_events_time", audit_events.c.time)
Index("ix_audit_events_principal", audit_events.c.principal_arn)

lifecycle_previews = Table(
    "lifecycle_previews",
    metadata,
    Column("repository_id", Integer, ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("results", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("source", String(64), nullable=False),
    Column("detail_type", String(128), nullable=False),
    Column("detail", Text, nullable=False),
)
Index("ix_events_time", events.c.time)

deployments = Table(
    "deployments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("cluster", String(255), nullable=False),
    Column("service", String(255), nullable=False),
    Column("task_definition", String(512), nullable=False),
    Column("images", Text, nullable=False),  # JSON list of image references from containerDefinitions
    Column("registered_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("account_id", "region", "cluster", "service", name="uq_deployments_service"),
)

pull_time_exclusions = Table(
    "pull_time_exclusions",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(32), primary_key=True),
    Column("principal_arn", String(512), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
