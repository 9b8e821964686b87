"""`cargohold audit lookup`: every access decision, filtered like CloudTrail's LookupEvents."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cargohold.cli.common import DatabaseOption, DataDirOption, fail, settings_from
from cargohold.iam.audit import lookup_events
from cargohold.server.app import prepare_storage
from cargohold.storage.meta.db import create_sync_engine

app = typer.Typer(help="The audit log of access decisions.", no_args_is_help=True)
out = Console()


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{value!r} is not a date; use ISO 8601, e.g. 2026-12-04T10:00:00Z")
        raise


@app.command("lookup")
def lookup(
    principal: Annotated[str | None, typer.Option(help="Part of the principal ARN")] = None,
    action: Annotated[str | None, typer.Option(help="e.g. ecr:BatchGetImage")] = None,
    decision: Annotated[str | None, typer.Option(help="Allow or Deny")] = None,
    resource: Annotated[str | None, typer.Option(help="Part of the resource ARN")] = None,
    since: Annotated[str | None, typer.Option(help="ISO 8601 start time")] = None,
    until: Annotated[str | None, typer.Option(help="ISO 8601 end time")] = None,
    limit: Annotated[int, typer.Option(help="Most recent N events")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """List access decisions, newest first."""
    if decision is not None and decision not in ("Allow", "Deny"):
        fail("--decision takes Allow or Deny")
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    prepare_storage(settings)
    engine = create_sync_engine(settings.sync_database_url)
    try:
        with engine.connect() as conn:
            events = lookup_events(
                conn,
                principal=principal,
                action=action,
                decision=decision,
                resource=resource,
                since=_when(since),
                until=_when(until),
                limit=limit,
            )
    finally:
        engine.dispose()
    if as_json:
        for event in events:
            typer.echo(json.dumps(event, default=str))
        return
    table = Table("time", "principal", "action", "resource", "source ip", "decision", "decided by", "face")
    for event in events:
        table.add_row(
            str(event["time"])[:19],
            event["principal_arn"],
            event["action"],
            event["resource"],
            event["source_ip"] or "",
            event["decision"],
            event["deciding"] or event["reason"],
            event["face"],
        )
    out.print(table)
