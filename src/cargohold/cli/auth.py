"""`cargohold login-password` and `cargohold admin credentials`."""

from __future__ import annotations

import typer

from cargohold.cli.common import DatabaseOption, DataDirOption, settings_from
from cargohold.iam.bootstrap import bootstrap_admin, token_key
from cargohold.iam.tokens import TokenSigner
from cargohold.server.app import prepare_storage
from cargohold.storage.meta.db import create_sync_engine

admin_app = typer.Typer(help="Administration of the bootstrap admin.", no_args_is_help=True)


def login_password(data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """Print a registry password for the bootstrap admin (valid 12 hours).

    cargohold login-password | skopeo login --username AWS --password-stdin localhost:5000
    """
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    prepare_storage(settings)
    engine = create_sync_engine(settings.sync_database_url)
    try:
        admin = bootstrap_admin(engine, settings)
        issued = TokenSigner(token_key(engine)).issue(admin.principal, settings.token_ttl_seconds)
    finally:
        engine.dispose()
    typer.echo(issued.token)


@admin_app.command("credentials")
def credentials(
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
    shell: bool = typer.Option(False, "--shell", help="Print export lines for a shell"),
) -> None:
    """Show the bootstrap admin's access key pair (for AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)."""
    settings = settings_from(data_dir=data_dir, database_url=database_url)
    prepare_storage(settings)
    engine = create_sync_engine(settings.sync_database_url)
    try:
        admin = bootstrap_admin(engine, settings)
    finally:
        engine.dispose()
    if shell:
        typer.echo(f"export AWS_ACCESS_KEY_ID={admin.access_key_id}")
        typer.echo(f"export AWS_SECRET_ACCESS_KEY={admin.secret_access_key}")
        typer.echo(f"export AWS_DEFAULT_REGION={settings.region}")
    else:
        typer.echo(f"principal:             {admin.principal.arn}")
        typer.echo(f"aws_access_key_id:     {admin.access_key_id}")
        typer.echo(f"aws_secret_access_key: {admin.secret_access_key}")
        typer.echo(f"region:                {settings.region}")
