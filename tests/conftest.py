"""Shared fixtures: a real server per metadata backend (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import PostgresProvider
from tests.support.server import RunningServer

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresProvider]:
    provider = PostgresProvider()
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def server_factory(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    started: list[RunningServer] = []

    def make(backend: str, extra_env: dict[str, str] | None = None, start: bool = True) -> RunningServer:
        database_url = None
        if backend == "postgres":
            database_url = request.getfixturevalue("postgres").new_database()
        root = tmp_path_factory.mktemp(f"cargohold-{backend}")
        server = RunningServer(data_dir=root / "data", database_url=database_url, extra_env=extra_env or {})
        started.append(server)
        return server.start() if start else server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, server_factory) -> RunningServer:  # type: ignore[no-untyped-def]
    return server_factory(request.param)


@pytest.fixture
def repo(server: RunningServer, request: pytest.FixtureRequest) -> str:
    """A fresh repository named after the test."""
    import re
    import uuid

    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    name = f"t/{base}-{uuid.uuid4().hex[:6]}"
    server.ecr().create_repository(repositoryName=name)
    return name


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.e2e)
