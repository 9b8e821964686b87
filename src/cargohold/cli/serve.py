"""`cargohold serve`: run the registry."""

from __future__ import annotations

from typing import Annotated

import typer

from cargohold.cli.common import DatabaseOption, DataDirOption, settings_from
from cargohold.server.app import serve as run_server
from cargohold.server.logging import configure_logging


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on [env: CARGOHOLD_HOST; default 127.0.0.1]")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [env: CARGOHOLD_PORT; default 5000]")] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes sharing the port [env: CARGOHOLD_WORKERS; default 1]")
    ] = None,
) -> None:
    """Start the registry: the OCI Distribution API on /v2/ and the ECR API on /."""
    settings = settings_from(host=host, port=port, data_dir=data_dir, database_url=database_url, workers=workers)
    configure_logging(settings.log_level, settings.log_format)
    run_server(settings)
