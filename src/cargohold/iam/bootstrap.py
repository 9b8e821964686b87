"""First-start set-up: the token signing key and the bootstrap admin with its access key.

The admin is an ordinary IAM user with AdministratorAccess attached, not a bypass: detach the policy
and it can do nothing. Runs on a blocking engine so the CLI and the server share it; idempotent.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from cargohold.config import Settings
from cargohold.iam import directory
from cargohold.iam.errors import IamError
from cargohold.iam.managed_policies import managed_policy_arn
from cargohold.iam.principal import Principal
from cargohold.iam.secrets_box import SecretsBox
from cargohold.registry.models import utcnow
from cargohold.storage.meta.schema import access_keys, server_secrets

TOKEN_KEY_NAME = "registry-token-key"
ADMIN_NAME = "admin"


@dataclass(frozen=True)
class AdminCredentials:
    principal: Principal
    access_key_id: str
    secret_access_key: str


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
    box = SecretsBox.for_settings(settings)
    with engine.begin() as conn:
        try:
            info = directory.get_principal(conn, settings.account_id, "user", ADMIN_NAME)
        except IamError:
            try:
                with conn.begin_nested():
                    info = directory.create_principal(conn, settings.account_id, "user", ADMIN_NAME, admin=True)
                    directory.attach_policy(conn, info, managed_policy_arn("AdministratorAccess"))
                    directory.create_access_key(conn, box, info)
            except (IamError, IntegrityError):
                pass
            info = directory.get_principal(conn, settings.account_id, "user", ADMIN_NAME)
        key = conn.execute(
            select(access_keys).where(access_keys.c.principal_id == info.id).order_by(access_keys.c.created_at)
        ).first()
    if key is None:
        raise RuntimeError("the bootstrap admin has no access key; create one with `aws iam create-access-key`")
    principal = Principal(arn=info.arn, account_id=info.account_id, unique_id=info.unique_id, kind="user")
    return AdminCredentials(
        principal=principal, access_key_id=key.access_key_id, secret_access_key=box.open(key.secret)
    )
