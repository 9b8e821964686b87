"""Options and helpers every command shares."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from cargohold.config import Settings, load_settings

err = Console(stderr=True)

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory [env: CARGOHOLD_DATA_DIR; default ./data]")
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="sqlite:///... or postgresql://... [env: CARGOHOLD_DATABASE_URL]"),
]


def settings_from(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            err.print(f"[red]error:[/red] setting {field}: {error['msg']} (check CARGOHOLD_{field.upper()})")
        sys.exit(2)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def human_bytes(n: float) -> str:
    """1536 -> '1.5 KiB'; whole bytes below a KiB."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"
