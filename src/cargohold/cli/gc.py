"""`cargohold gc status|run`: what garbage collection would reclaim, and a pass now."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cargohold.cli.common import DatabaseOption, DataDirOption, human_bytes, settings_from
from cargohold.cli.local import with_registry

app = typer.Typer(help="Online garbage collection.", no_args_is_help=True)
out = Console()


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The queue (unreferenced links and blobs) and the bytes each repository stores."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    result = with_registry(settings, lambda r: r.collector.status())
    if as_json:
        typer.echo(json.dumps(asdict(result)))
        return
    out.print(f"unreferenced repository links: {result.unreferenced_links}")
    out.print(
        f"unreferenced blobs: {result.unreferenced_blobs} ({human_bytes(result.unreferenced_bytes)}), removed once "
        f"unreferenced for {settings.gc_grace_seconds:.0f} s"
    )
    out.print(f"stored: {human_bytes(result.stored_bytes)} (every blob once)")
    table = Table("repository", "account", "region", "stored (deduplicated within the repository)")
    for repo in result.repositories:
        table.add_row(repo.name, repo.account_id, repo.region, human_bytes(repo.stored_bytes))
    out.print(table)


@app.command("run")
def run(
    grace_seconds: Annotated[float | None, typer.Option(help="Override the grace delay for this pass")] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Run one collection pass now (safe while the server runs and clients push)."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)

    async def work(registry):  # type: ignore[no-untyped-def]
        if grace_seconds is not None:
            registry.collector.grace = timedelta(seconds=grace_seconds)
        return await registry.collector.run()

    report = with_registry(settings, work)
    out.print(
        f"removed {report.links_removed} links, {report.blobs_removed} blobs ({human_bytes(report.bytes_freed)}), "
        f"{report.orphan_files_removed} orphan files, {report.uploads_removed} abandoned uploads "
        f"in {report.seconds:.2f} s"
    )
