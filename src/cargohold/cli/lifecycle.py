"""`cargohold lifecycle ...`: preview (with bytes and dollars), run now, and register deployments."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cargohold.cli.common import DatabaseOption, DataDirOption, fail, human_bytes, settings_from
from cargohold.cli.local import with_registry
from cargohold.lifecycle.advice import advice
from cargohold.lifecycle.policy import LifecyclePolicyInvalid, parse_lifecycle_policy
from cargohold.registry.errors import RegistryError
from cargohold.registry.scope import Scope
from cargohold.registry.service import Registry

app = typer.Typer(
    help="Lifecycle policies: preview what they delete and what that saves, run them now.", no_args_is_help=True
)
out = Console()
GIB = 1024**3


def _as_of(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--as-of {value!r} is not a date; use ISO 8601 such as 2027-03-01")
        raise
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("preview")
def preview(
    repository: Annotated[str, typer.Argument(help="Repository name")],
    policy_file: Annotated[Path | None, typer.Option(help="Preview this policy instead of the saved one")] = None,
    as_of: Annotated[str | None, typer.Option(help="Evaluate as of this moment, e.g. 2027-03-01")] = None,
    show_kept: Annotated[bool, typer.Option(help="List kept images too, with the reason")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per image")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """What the policy would expire or archive, why, and what it saves per month."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    scope = Scope(settings.account_id, settings.region)
    moment = _as_of(as_of)

    async def work(registry: Registry):  # type: ignore[no-untyped-def]
        repo = await registry.repositories.get(scope, repository)
        text: str | None = (
            policy_file.read_text() if policy_file else await registry.repositories.lifecycle_policy(scope, repository)
        )
        if text is None:
            fail(
                f"{repository} has no lifecycle policy; pass --policy-file or put one with aws ecr put-lifecycle-policy"
            )
            raise AssertionError("unreachable")
        notes = advice(parse_lifecycle_policy(text))
        decisions = await registry.lifecycle.preview(repo, text, moment)
        freed = await registry.lifecycle.freed_bytes(repo, {d.digest for d in decisions if d.action == "expire"})
        return decisions, freed, notes

    try:
        decisions, freed, notes = with_registry(settings, work)
    except (RegistryError, LifecyclePolicyInvalid) as exc:
        fail(getattr(exc, "message", str(exc)))
        return
    saving = freed / GIB * settings.storage_price_gb_month
    if as_json:
        for d in decisions:
            typer.echo(
                json.dumps(
                    {
                        "digest": d.digest,
                        "tags": list(d.image.tags),
                        "action": d.action,
                        "rule": d.rule.priority if d.rule else None,
                        "reason": d.reason,
                        "pushedAt": d.image.pushed_at.isoformat(),
                        "size": d.image.size,
                    }
                )
            )
        typer.echo(
            json.dumps(
                {
                    "summary": {
                        "expire": sum(1 for d in decisions if d.action == "expire"),
                        "transition": sum(1 for d in decisions if d.action == "transition"),
                        "kept": sum(1 for d in decisions if d.action is None),
                        "bytesFreed": freed,
                        "usdPerMonthSaved": round(saving, 4),
                        "warnings": notes,
                    }
                }
            )
        )
        return
    table = Table(
        "action",
        "image",
        "tags",
        "pushed",
        "size",
        "reason",
        title=f"{repository}: lifecycle preview as of {moment:%Y-%m-%d %H:%M} UTC",
    )
    for d in sorted(decisions, key=lambda d: (d.action is None, d.image.pushed_at)):
        if d.action is None and not show_kept:
            continue
        table.add_row(
            d.action or "keep",
            d.digest[:19],
            ", ".join(d.image.tags) or "<untagged>",
            f"{d.image.pushed_at:%Y-%m-%d}",
            human_bytes(d.image.size),
            d.reason,
        )
    out.print(table)
    expired = sum(1 for d in decisions if d.action == "expire")
    archived = sum(1 for d in decisions if d.action == "transition")
    for note in notes:
        out.print(f"[yellow]warning:[/yellow] {note}")
    out.print(
        f"{expired} to expire, {archived} to archive, {len(decisions) - expired - archived} kept; "
        f"frees {human_bytes(freed)}, saving ${saving:,.2f}/month at ${settings.storage_price_gb_month}/GB-month"
    )


@app.command("run")
def run(
    repository: Annotated[str | None, typer.Argument(help="Repository name (omit with --all)")] = None,
    all_repositories: Annotated[bool, typer.Option("--all", help="Every repository with a policy")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Apply lifecycle policies now (the server also runs them on schedule)."""
    if (repository is None) == (not all_repositories):
        fail("name a repository or pass --all")
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    scope = Scope(settings.account_id, settings.region)

    async def work(registry: Registry):  # type: ignore[no-untyped-def]
        if repository:
            return [await registry.lifecycle.run(await registry.repositories.get(scope, repository))]
        return await registry.lifecycle.run_due(0)

    try:
        results = with_registry(settings, work)
    except RegistryError as exc:
        fail(exc.message)
        return
    for result in results:
        if result is None:
            fail(f"{repository} has no lifecycle policy")
        out.print(
            f"{result.repository}: expired {result.expired}, archived {result.transitioned}, "
            f"freed {human_bytes(result.bytes_expired)} (bytes return to disk after the GC grace delay)"
        )


deployments_app = typer.Typer(help="Deployments whose images lifecycle runs keep.", no_args_is_help=True)


@deployments_app.command("register")
def register(
    task_definition: Annotated[
        Path,
        typer.Argument(
            help="ECS task definition JSON (as describe-task-definition prints it, or the registration input)"
        ),
    ],
    cluster: Annotated[str, typer.Option(help="ECS cluster")],
    service: Annotated[str, typer.Option(help="ECS service that runs it")],
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Record that a service runs a task definition: its images are kept by lifecycle policies."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    try:
        document = json.loads(task_definition.read_text())
    except (OSError, ValueError) as exc:
        fail(f"{task_definition}: {exc}")
        return
    scope = Scope(settings.account_id, settings.region)
    try:
        images = with_registry(settings, lambda r: r.deployments.register(scope, cluster, service, document))
    except ValueError as exc:
        fail(f"{task_definition}: {exc}")
        return
    out.print(f"service {service} (cluster {cluster}) runs {', '.join(images)}")


@deployments_app.command("deregister")
def deregister(
    cluster: Annotated[str, typer.Option(help="ECS cluster")],
    service: Annotated[str, typer.Option(help="ECS service")],
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Forget a service's deployment."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    scope = Scope(settings.account_id, settings.region)
    if not with_registry(settings, lambda r: r.deployments.deregister(scope, cluster, service)):
        fail(f"no deployment for service {service} in cluster {cluster}")
