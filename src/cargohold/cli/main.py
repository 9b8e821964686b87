"""Entry point: `cargohold --help`."""

from __future__ import annotations

import typer

from cargohold import __version__
from cargohold.cli import repo
from cargohold.cli.auth import admin_app, login_password
from cargohold.cli.serve import serve

app = typer.Typer(
    help="cargohold: a container registry that does what Amazon ECR does.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve)
app.command("login-password")(login_password)
app.add_typer(repo.app, name="repo")
app.add_typer(admin_app, name="admin")


@app.command("version")
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
