"""Build the aiohttp application and run it, in one process or several sharing the port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator

import structlog
from aiohttp import web

from cargohold.config import Settings
from cargohold.faces.aws.dispatch import root as aws_root
from cargohold.faces.ecr.download import add_routes as add_download_routes
from cargohold.faces.oci.routes import add_routes as add_oci_routes
from cargohold.faces.services import SERVICES, Services
from cargohold.iam.access_keys import AccessKeys
from cargohold.iam.audit import AuditLog
from cargohold.iam.authorizer import Authorizer
from cargohold.iam.bootstrap import bootstrap_admin, token_key
from cargohold.iam.bootstrap_file import apply, read_file
from cargohold.iam.secrets_box import SecretsBox
from cargohold.iam.tokens import TokenSigner
from cargohold.iam.url_signing import UrlSigner
from cargohold.periodic import Periodic
from cargohold.registry.resource_facts import ResourceFactsLookup
from cargohold.registry.service import Registry
from cargohold.server.metrics import metrics_handler
from cargohold.server.middleware import on_prepare, request_context
from cargohold.storage.meta.db import create_sync_engine, migrate

log = structlog.get_logger("cargohold.server")


def prepare_storage(settings: Settings) -> bytes:
    """Migrate the schema and run first-start bootstrap; returns the token signing key."""
    settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.sync_database_url)
    engine = create_sync_engine(settings.sync_database_url)
    try:
        key = token_key(engine)
        bootstrap_admin(engine, settings)
        if settings.bootstrap_file:
            data = read_file(settings.bootstrap_file)
            with engine.begin() as conn:
                counts = apply(conn, SecretsBox.for_settings(settings), data)
            log.info("bootstrap file applied", file=str(settings.bootstrap_file), **counts)
    finally:
        engine.dispose()
    return key


def build_app(settings: Settings, key: bytes) -> web.Application:
    app = web.Application(middlewares=[request_context], client_max_size=64 * 1024 * 1024)
    app.on_response_prepare.append(on_prepare)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        registry = Registry.open(settings)
        await registry.start()
        box = SecretsBox.for_settings(settings)
        audit = AuditLog(registry.ctx.engine, settings.audit_flush_seconds)
        audit.start()
        facts = ResourceFactsLookup(registry.ctx)
        app[SERVICES] = Services(
            settings=settings,
            registry=registry,
            authorizer=Authorizer(registry.ctx.engine, facts, audit),
            tokens=TokenSigner(key),
            access_keys=AccessKeys(registry.ctx.engine, box),
            urls=UrlSigner(key),
            resource_facts=facts,
            box=box,
        )
        workers = [
            Periodic("gc", settings.gc_interval_seconds, registry.collector.run),
            Periodic(
                "lifecycle",
                min(settings.lifecycle_interval_seconds, 300.0),
                lambda: registry.lifecycle.run_due(settings.lifecycle_interval_seconds),
            ),
        ]
        for worker in workers:
            worker.start()
        yield
        for worker in workers:
            await worker.stop()
        await audit.stop()
        await registry.close()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/metrics", metrics_handler)
    app.router.add_get("/healthz", healthz)
    add_oci_routes(app)
    app.router.add_post("/", aws_root)
    app.router.add_get("/", aws_root)
    add_download_routes(app)
    return app


async def healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


def _bind(settings: Settings) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _serve_on(sock: socket.socket, settings: Settings, key: bytes) -> None:
    app = build_app(settings, key)
    web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True, shutdown_timeout=5)


def serve(settings: Settings) -> None:
    """Bind once, then serve from one process or fork workers that share the listening socket."""
    key = prepare_storage(settings)
    sock = _bind(settings)
    port = sock.getsockname()[1]
    log.info(
        "cargohold listening",
        url=f"http://{settings.host}:{port}",
        data_dir=str(settings.resolved_data_dir),
        database=settings.async_database_url.split("://")[0],
        workers=settings.workers,
    )
    if settings.workers == 1:
        _serve_on(sock, settings, key)
        return
    children: list[int] = []
    for _ in range(settings.workers):
        pid = os.fork()
        if pid == 0:
            try:
                asyncio.set_event_loop(asyncio.new_event_loop())
                _serve_on(sock, settings, key)
            finally:
                os._exit(0)
        children.append(pid)

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    status = 0
    for child in children:
        _, code = os.waitpid(child, 0)
        status = status or code
    sys.exit(1 if status else 0)
