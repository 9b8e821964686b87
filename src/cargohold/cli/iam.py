"""`cargohold iam ...`: load a bootstrap file, lint IAM and resource policies."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, select

from cargohold.cli.common import DatabaseOption, DataDirOption, fail, settings_from
from cargohold.iam import directory
from cargohold.iam.bootstrap_file import BootstrapError, apply, read_file
from cargohold.iam.errors import IamError
from cargohold.iam.lint import (
    Finding,
    KeyFact,
    ResourcePolicyFact,
    RoleFact,
    lint_keys,
    lint_resource_policies,
    lint_roles,
)
from cargohold.iam.policy.language import MalformedPolicy, parse_policy
from cargohold.iam.secrets_box import SecretsBox
from cargohold.server.app import prepare_storage
from cargohold.storage.meta.db import create_sync_engine
from cargohold.storage.meta.schema import access_keys, principals, registry_settings, repositories

app = typer.Typer(help="IAM: load declarative bootstrap files, lint policies.", no_args_is_help=True)
out = Console()
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="YAML bootstrap file (accounts, users, roles, policies, keys)")],
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create or update the accounts, users, roles, policies and access keys a bootstrap file names."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    prepare_storage(settings)
    engine = create_sync_engine(settings.sync_database_url)
    try:
        with engine.begin() as conn:
            counts = apply(conn, SecretsBox.for_settings(settings), read_file(file))
    except (BootstrapError, IamError) as exc:
        fail(f"{file}: {getattr(exc, 'message', exc)}")
        return
    finally:
        engine.dispose()
    out.print(", ".join(f"{value} {key}" for key, value in counts.items()) + f" loaded from {file}")


def _parsed(text: str, kind: str, name: str) -> Any:
    try:
        return parse_policy(text, kind=kind, name=name)
    except MalformedPolicy:
        return None


def gather(conn: Connection) -> tuple[list[ResourcePolicyFact], list[RoleFact], list[KeyFact]]:
    resources = []
    for row in conn.execute(select(repositories).where(repositories.c.policy_text.is_not(None))):
        policy = _parsed(row.policy_text, "resource", "repository policy")
        if policy:
            resources.append(
                ResourcePolicyFact(f"arn:aws:ecr:{row.region}:{row.account_id}:repository/{row.name}", policy)
            )
    for row in conn.execute(select(registry_settings).where(registry_settings.c.name == "registry_policy")):
        policy = _parsed(row.value, "resource", "registry policy")
        if policy:
            resources.append(ResourcePolicyFact(f"registry {row.account_id}/{row.region}", policy))
    roles = []
    for row in conn.execute(select(principals.c.account_id).where(principals.c.kind == "role").distinct()):
        for info in directory.list_principals(conn, row.account_id, "role"):
            trust, _ = directory.trust_of(conn, info)
            identity = [
                p for name, text in directory.identity_documents(conn, info) if (p := _parsed(text, "identity", name))
            ]
            roles.append(
                RoleFact(
                    info.arn,
                    info.account_id,
                    info.name,
                    _parsed(trust, "trust", "trust"),
                    identity,
                    directory.attached_policies(conn, info),
                )
            )
    keys = []
    for row in conn.execute(
        select(access_keys, principals.c.arn).select_from(
            access_keys.join(principals, principals.c.id == access_keys.c.principal_id)
        )
    ):
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        used = row.last_used_at
        if used is not None and used.tzinfo is None:
            used = used.replace(tzinfo=UTC)
        keys.append(KeyFact(row.access_key_id, row.arn, created, used))
    return resources, roles, keys


@app.command("lint")
def lint(
    unused_days: Annotated[int, typer.Option(help="Flag access keys unused for this many days")] = 90,
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 when a finding is at least this severe: high, medium, low, never")
    ] = "high",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per finding")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Flag what an auditor would circle: public or org-wide grants, execution roles that cannot pull,
    unused access keys."""
    if fail_on not in (*SEVERITY_ORDER, "never"):
        fail("--fail-on takes high, medium, low or never")
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    prepare_storage(settings)
    engine = create_sync_engine(settings.sync_database_url)
    try:
        with engine.connect() as conn:
            resources, roles, keys = gather(conn)
    finally:
        engine.dispose()
    findings: list[Finding] = (
        lint_resource_policies(resources)
        + lint_roles(roles, settings.region)
        + lint_keys(keys, datetime.now(UTC), unused_days)
    )
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.resource))
    if as_json:
        for finding in findings:
            typer.echo(json.dumps(asdict(finding)))
    elif not findings:
        out.print("no findings")
    else:
        table = Table("severity", "resource", "finding", "fix", title="cargohold iam lint")
        for finding in findings:
            table.add_row(finding.severity, finding.resource, finding.finding, finding.fix)
        out.print(table)
    if fail_on != "never" and any(SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[fail_on] for f in findings):
        raise typer.Exit(1)
