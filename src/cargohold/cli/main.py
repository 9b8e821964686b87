"""Entry point: `cargohold --help`."""

from __future__ import annotations

import typer

from cargohold import __version__
from cargohold.cli import audit, gc, iam, lifecycle, repo
from cargohold.cli.auth import admin_app, login_password
from cargohold.cli.serve import serve
from cargohold.server.logging import configure_logging

app = typer.Typer(
    help="cargohold: a container registry that does what Amazon ECR does.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _logging() -> None:
    """Log to stderr, warnings only, for every command; `serve` reconfigures from its settings."""
    configure_logging("warning")


app.command("serve")(serve)
app.command("login-password")(login_password)
app.add_typer(repo.app, name="repo")
app.add_typer(admin_app, name="admin")
app.add_typer(iam.app, name="iam")
app.add_typer(audit.app, name="audit")
app.add_typer(lifecycle.app, name="lifecycle")
app.add_typer(lifecycle.deployments_app, name="deployments")
app.add_typer(gc.app, name="gc")


@app.command("version")
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
