"""`cargohold repo ...`: manage repositories in the default account and region."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cargohold.cli.common import DatabaseOption, DataDirOption, fail, settings_from
from cargohold.cli.local import with_registry
from cargohold.registry.errors import RegistryError
from cargohold.registry.models import Repository
from cargohold.registry.scope import Scope

app = typer.Typer(help="Create, list and delete repositories.", no_args_is_help=True)
out = Console()


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Repository name, e.g. team/service")],
    immutable: Annotated[bool, typer.Option(help="Make tags immutable")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a repository."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    scope = Scope(settings.account_id, settings.region)
    try:
        repo: Repository = with_registry(
            settings,
            lambda r: r.repositories.create(scope, name, tag_mutability="IMMUTABLE" if immutable else "MUTABLE"),
        )
    except RegistryError as exc:
        fail(exc.message)
        return
    out.print(f"created {repo.name} ({repo.arn})")


@app.command("list")
def list_repositories(data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """List repositories."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    scope = Scope(settings.account_id, settings.region)

    async def collect(registry):  # type: ignore[no-untyped-def]
        names: list[str] = []
        last = None
        while True:
            page = await registry.repositories.list_names(scope, last=last, limit=1000)
            names.extend(page.items)
            if not page.has_more:
                return names
            last = page.items[-1]

    names = with_registry(settings, collect)
    table = Table("repository", title=f"{settings.account_id} / {settings.region}")
    for name in names:
        table.add_row(name)
    out.print(table)


@app.command("protect")
def protect(
    name: Annotated[str, typer.Argument(help="Repository name")],
    pulled_within_days: Annotated[
        int,
        typer.Option(
            help="Keep images pulled within this many days from any lifecycle expiry; 0 turns the protection off"
        ),
    ],
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Protect images in use from lifecycle expiry (beyond ECR: containers-roadmap #1078)."""
    if pulled_within_days < 0:
        fail("--pulled-within-days must be 0 or more")
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    scope = Scope(settings.account_id, settings.region)
    try:
        with_registry(
            settings,
            lambda r: r.repositories.update(scope, name, protect_pulled_within_days=pulled_within_days or None),
        )
    except RegistryError as exc:
        fail(exc.message)
        return
    out.print(
        f"{name}: images pulled within {pulled_within_days} days are kept"
        if pulled_within_days
        else f"{name}: pull-based protection off"
    )


@app.command("delete")
def delete(
    name: Annotated[str, typer.Argument(help="Repository name")],
    force: Annotated[bool, typer.Option(help="Delete even if it still holds images")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Delete a repository (with --force, including its images)."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    scope = Scope(settings.account_id, settings.region)
    try:
        with_registry(settings, lambda r: r.repositories.delete(scope, name, force=force))
    except RegistryError as exc:
        hint = " (use --force to delete its images too)" if "contains images" in exc.message else ""
        fail(exc.message + hint)
        return
    out.print(f"deleted {name}")
