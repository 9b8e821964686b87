"""First-start set-up: the token signing key and the bootstrap admin with its access key.

Runs on a blocking engine so the CLI (login-password, admin credentials) and the server share it.
Idempotent: every node and every command may call it; the first one creates, the rest read.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from cargohold.config import Settings
from cargohold.iam.principal import Principal
from cargohold.registry.models import utcnow
from cargohold.storage.meta.schema import access_keys, principals, server_secrets

TOKEN_KEY_NAME = "registry-token-key"
ADMIN_NAME = "admin"
_KEY_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class AdminCredentials:
    principal: Principal
    access_key_id: str
    secret_access_key: str


def new_access_key_id() -> str:
    return "AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    return secrets.token_urlsafe(30)[:40]


def new_unique_id(prefix: str = "AIDA") -> str:
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(17))


def token_key(engine: Engine) -> bytes:
    with engine.begin() as conn:
        row = conn.execute(select(server_secrets.c.value).where(server_secrets.c.name == TOKEN_KEY_NAME)).first()
        if row is not None:
            return bytes(row.value)
    try:
        with engine.begin() as conn:
            conn.execute(
                server_secrets.insert().values(name=TOKEN_KEY_NAME, value=secrets.token_bytes(32), created_at=utcnow())
            )
    except IntegrityError:
        pass
    return token_key(engine)


def bootstrap_admin(engine: Engine, settings: Settings) -> AdminCredentials:
    arn = f"arn:aws:iam::{settings.account_id}:user/{ADMIN_NAME}"
    with engine.begin() as conn:
        row = conn.execute(select(principals).where(principals.c.arn == arn)).first()
        if row is None:
            try:
                with conn.begin_nested():
                    result = conn.execute(
                        principals.insert().values(
                            arn=arn,
                            account_id=settings.account_id,
                            kind="user",
                            name=ADMIN_NAME,
                            unique_id=new_unique_id(),
                            is_bootstrap_admin=True,
                            created_at=utcnow(),
                        )
                    )
                    principal_id = result.inserted_primary_key[0]  # type: ignore[index]
                    conn.execute(
                        access_keys.insert().values(
                            access_key_id=new_access_key_id(),
                            principal_id=principal_id,
                            secret=new_secret_access_key(),
                            status="Active",
                            created_at=utcnow(),
                        )
                    )
            except IntegrityError:
                pass
            row = conn.execute(select(principals).where(principals.c.arn == arn)).one()
        key = conn.execute(
            select(access_keys).where(access_keys.c.principal_id == row.id).order_by(access_keys.c.created_at)
        ).first()
    principal = Principal(
        arn=row.arn,
        account_id=row.account_id,
        unique_id=row.unique_id,
        kind=row.kind,
        is_bootstrap_admin=True,
    )
    assert key is not None
    return AdminCredentials(principal=principal, access_key_id=key.access_key_id, secret_access_key=key.secret)
