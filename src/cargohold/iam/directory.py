"""The IAM directory: accounts, users, roles, access keys, policies and role sessions.

Written against a blocking SQLAlchemy Connection so that one implementation serves the bootstrap
(at start and from the CLI) and the server (through AsyncConnection.run_sync).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.exc import IntegrityError

from cargohold.iam.errors import IamError, already_exists, delete_conflict, malformed, no_such_entity
from cargohold.iam.managed_policies import ARN_TO_DOCUMENT
from cargohold.iam.policy.language import MalformedPolicy, parse_policy
from cargohold.iam.secrets_box import SecretsBox
from cargohold.storage.meta.schema import (
    access_keys,
    accounts,
    inline_policies,
    managed_policies,
    policy_attachments,
    principals,
    role_trust,
    sessions,
)

_ALPHABET = string.ascii_uppercase + string.digits
_NAME_RE = re.compile(r"^[\w+=,.@-]{1,128}$")
MAX_KEYS_PER_USER = 2


@dataclass(frozen=True)
class PrincipalInfo:
    id: int
    arn: str
    account_id: str
    kind: str  # user | role
    name: str
    unique_id: str
    created_at: datetime
    org_id: str | None = None


@dataclass(frozen=True)
class KeyMatch:
    """What an access key id resolves to: its secret, its principal, and for sessions the session."""

    secret: str
    principal: PrincipalInfo
    session_name: str | None = None
    token_hash: str | None = None
    expires_at: datetime | None = None


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _random(prefix: str, length: int = 16) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: Any) -> PrincipalInfo:
    return PrincipalInfo(
        id=row.id,
        arn=row.arn,
        account_id=row.account_id,
        kind=row.kind,
        name=row.name,
        unique_id=row.unique_id,
        created_at=_utc(row.created_at),
        org_id=getattr(row, "org_id", None),
    )


def _check_name(name: str, what: str) -> None:
    if not _NAME_RE.match(name or ""):
        raise IamError(
            "ValidationError",
            f"The specified value for {what} is invalid. It must contain only "
            "alphanumeric characters and/or the following: +=,.@_-",
        )


def validate_document(document: str, kind: str) -> str:
    try:
        parse_policy(document, kind=kind)
    except MalformedPolicy as exc:
        raise malformed(str(exc)) from None
    return document


# -- accounts ------------------------------------------------------------------------------------
def ensure_account(conn: Connection, account_id: str, name: str | None = None, org_id: str | None = None) -> None:
    row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
    if row is None:
        conn.execute(accounts.insert().values(id=account_id, name=name, org_id=org_id, created_at=datetime.now(UTC)))
    elif (name and row.name != name) or (org_id and row.org_id != org_id):
        conn.execute(
            accounts.update()
            .where(accounts.c.id == account_id)
            .values(name=name or row.name, org_id=org_id or row.org_id)
        )


def org_of(conn: Connection, account_id: str) -> str | None:
    return conn.execute(select(accounts.c.org_id).where(accounts.c.id == account_id)).scalar()


# -- principals ----------------------------------------------------------------------------------
def _principal_query() -> Any:
    return select(principals, accounts.c.org_id).select_from(
        principals.outerjoin(accounts, accounts.c.id == principals.c.account_id)
    )


def find_principal(conn: Connection, arn: str) -> PrincipalInfo | None:
    row = conn.execute(_principal_query().where(principals.c.arn == arn)).first()
    return _info(row) if row else None


def get_principal(conn: Connection, account_id: str, kind: str, name: str) -> PrincipalInfo:
    row = conn.execute(
        _principal_query().where(
            principals.c.account_id == account_id, principals.c.kind == kind, principals.c.name == name
        )
    ).first()
    if row is None:
        noun = "user" if kind == "user" else "role"
        raise no_such_entity(f"The {noun} with name {name} cannot be found.")
    return _info(row)


def list_principals(conn: Connection, account_id: str, kind: str) -> list[PrincipalInfo]:
    rows = conn.execute(
        _principal_query()
        .where(principals.c.account_id == account_id, principals.c.kind == kind)
        .order_by(principals.c.name)
    )
    return [_info(row) for row in rows]


def create_principal(conn: Connection, account_id: str, kind: str, name: str, *, admin: bool = False) -> PrincipalInfo:
    _check_name(name, "userName" if kind == "user" else "roleName")
    ensure_account(conn, account_id)
    arn = f"arn:aws:iam::{account_id}:{kind}/{name}"
    try:
        with conn.begin_nested():
            conn.execute(
                principals.insert().values(
                    arn=arn,
                    account_id=account_id,
                    kind=kind,
                    name=name,
                    unique_id=_random("AIDA" if kind == "user" else "AROA", 17),
                    is_bootstrap_admin=admin,
                    created_at=datetime.now(UTC),
                )
            )
    except IntegrityError:
        noun = "User" if kind == "user" else "Role"
        raise already_exists(f"{noun} with name {name} already exists.") from None
    return get_principal(conn, account_id, kind, name)


def delete_principal(conn: Connection, info: PrincipalInfo) -> None:
    for table, what in (
        (access_keys, "access keys"),
        (inline_policies, "inline policies"),
        (policy_attachments, "attached policies"),
    ):
        column = table.c.principal_id
        if conn.execute(select(func.count()).select_from(table).where(column == info.id)).scalar_one():
            raise delete_conflict(f"Cannot delete entity, must delete {what} first.")
    conn.execute(delete(sessions).where(sessions.c.role_id == info.id))
    conn.execute(delete(role_trust).where(role_trust.c.principal_id == info.id))
    conn.execute(delete(principals).where(principals.c.id == info.id))


def create_role(
    conn: Connection, account_id: str, name: str, trust_document: str, max_session: int = 3600
) -> PrincipalInfo:
    validate_document(trust_document, "trust")
    info = create_principal(conn, account_id, "role", name)
    conn.execute(
        role_trust.insert().values(principal_id=info.id, document=trust_document, max_session_seconds=max_session)
    )
    return info


def trust_of(conn: Connection, role: PrincipalInfo) -> tuple[str, int]:
    row = conn.execute(select(role_trust).where(role_trust.c.principal_id == role.id)).first()
    if row is None:
        return json.dumps({"Version": "2012-10-17", "Statement": []}), 3600
    return row.document, int(row.max_session_seconds)


def update_trust(conn: Connection, role: PrincipalInfo, document: str) -> None:
    validate_document(document, "trust")
    conn.execute(delete(role_trust).where(role_trust.c.principal_id == role.id))
    conn.execute(role_trust.insert().values(principal_id=role.id, document=document, max_session_seconds=3600))


# -- access keys ---------------------------------------------------------------------------------
def create_access_key(
    conn: Connection, box: SecretsBox, user: PrincipalInfo, access_key_id: str | None = None, secret: str | None = None
) -> tuple[str, str]:
    count = conn.execute(
        select(func.count()).select_from(access_keys).where(access_keys.c.principal_id == user.id)
    ).scalar_one()
    if count >= MAX_KEYS_PER_USER and access_key_id is None:
        raise IamError("LimitExceeded", f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}", 409)
    key_id = access_key_id or _random("AKIA")
    secret_value = secret or secrets.token_urlsafe(30)[:40]
    conn.execute(
        access_keys.insert().values(
            access_key_id=key_id,
            principal_id=user.id,
            secret=box.seal(secret_value),
            status="Active",
            created_at=datetime.now(UTC),
        )
    )
    return key_id, secret_value


def list_access_keys(conn: Connection, user: PrincipalInfo) -> list[Any]:
    return list(
        conn.execute(
            select(access_keys).where(access_keys.c.principal_id == user.id).order_by(access_keys.c.created_at)
        )
    )


def delete_access_key(conn: Connection, user: PrincipalInfo, access_key_id: str) -> None:
    result = conn.execute(
        delete(access_keys).where(access_keys.c.principal_id == user.id, access_keys.c.access_key_id == access_key_id)
    )
    if not result.rowcount:
        raise no_such_entity(f"The Access Key with id {access_key_id} cannot be found.")


def find_key(conn: Connection, box: SecretsBox, access_key_id: str, now: datetime | None = None) -> KeyMatch | None:
    row = conn.execute(
        select(access_keys).where(access_keys.c.access_key_id == access_key_id, access_keys.c.status == "Active")
    ).first()
    if row is not None:
        info = conn.execute(_principal_query().where(principals.c.id == row.principal_id)).first()
        return KeyMatch(box.open(row.secret), _info(info)) if info else None
    session = conn.execute(select(sessions).where(sessions.c.access_key_id == access_key_id)).first()
    if session is None or _utc(session.expires_at) <= (now or datetime.now(UTC)):
        return None
    info = conn.execute(_principal_query().where(principals.c.id == session.role_id)).first()
    if info is None:
        return None
    return KeyMatch(
        box.open(session.secret), _info(info), session.session_name, session.token_hash, _utc(session.expires_at)
    )


def token_matches(match: KeyMatch, token: str | None) -> bool:
    if match.token_hash is None:
        return token is None or token == ""
    return token is not None and hmac.compare_digest(match.token_hash, hash_token(token))


# -- sessions ------------------------------------------------------------------------------------
def create_session(
    conn: Connection, box: SecretsBox, role: PrincipalInfo, session_name: str, duration: int
) -> dict[str, Any]:
    access_key_id = _random("ASIA")
    secret = secrets.token_urlsafe(30)[:40]
    token = secrets.token_urlsafe(96)
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=duration)
    conn.execute(
        sessions.insert().values(
            access_key_id=access_key_id,
            role_id=role.id,
            session_name=session_name,
            secret=box.seal(secret),
            token_hash=hash_token(token),
            expires_at=expires,
            created_at=datetime.now(UTC),
        )
    )
    conn.execute(delete(sessions).where(sessions.c.expires_at < datetime.now(UTC) - timedelta(days=1)))
    return {"AccessKeyId": access_key_id, "SecretAccessKey": secret, "SessionToken": token, "Expiration": expires}


# -- policies ------------------------------------------------------------------------------------
def put_inline_policy(conn: Connection, principal: PrincipalInfo, name: str, document: str) -> None:
    _check_name(name, "policyName")
    validate_document(document, "identity")
    conn.execute(
        delete(inline_policies).where(inline_policies.c.principal_id == principal.id, inline_policies.c.name == name)
    )
    conn.execute(inline_policies.insert().values(principal_id=principal.id, name=name, document=document))


def get_inline_policy(conn: Connection, principal: PrincipalInfo, name: str) -> str:
    document = conn.execute(
        select(inline_policies.c.document).where(
            inline_policies.c.principal_id == principal.id, inline_policies.c.name == name
        )
    ).scalar()
    if document is None:
        noun = "user" if principal.kind == "user" else "role"
        raise no_such_entity(f"The {noun} policy with name {name} cannot be found.")
    return str(document)


def delete_inline_policy(conn: Connection, principal: PrincipalInfo, name: str) -> None:
    get_inline_policy(conn, principal, name)
    conn.execute(
        delete(inline_policies).where(inline_policies.c.principal_id == principal.id, inline_policies.c.name == name)
    )


def list_inline_policies(conn: Connection, principal: PrincipalInfo) -> list[tuple[str, str]]:
    rows = conn.execute(
        select(inline_policies.c.name, inline_policies.c.document)
        .where(inline_policies.c.principal_id == principal.id)
        .order_by(inline_policies.c.name)
    )
    return [(row.name, row.document) for row in rows]


def create_managed_policy(
    conn: Connection, account_id: str, name: str, document: str, description: str | None = None
) -> Any:
    _check_name(name, "policyName")
    validate_document(document, "identity")
    arn = f"arn:aws:iam::{account_id}:policy/{name}"
    try:
        with conn.begin_nested():
            conn.execute(
                managed_policies.insert().values(
                    arn=arn,
                    account_id=account_id,
                    name=name,
                    policy_id=_random("ANPA", 17),
                    document=document,
                    description=description,
                    created_at=datetime.now(UTC),
                )
            )
    except IntegrityError:
        raise already_exists(f"A policy called {name} already exists. Duplicate names are not allowed.") from None
    return get_managed_policy(conn, arn)


def get_managed_policy(conn: Connection, arn: str) -> Any:
    if arn in ARN_TO_DOCUMENT:
        name = arn.rsplit("/", 1)[1]
        return {
            "arn": arn,
            "name": name,
            "policy_id": "ANPA" + hashlib.sha256(arn.encode()).hexdigest()[:17].upper(),
            "document": ARN_TO_DOCUMENT[arn],
            "description": f"AWS managed policy {name}",
            "created_at": datetime(2015, 4, 9, tzinfo=UTC),
            "account_id": "aws",
        }
    row = conn.execute(select(managed_policies).where(managed_policies.c.arn == arn)).first()
    if row is None:
        raise no_such_entity(f"Policy {arn} does not exist or is not attachable.")
    return {**row._mapping, "created_at": _utc(row.created_at)}


def list_managed_policies(conn: Connection, account_id: str, scope: str = "All") -> list[Any]:
    found: list[Any] = []
    if scope in ("All", "AWS"):
        found += [get_managed_policy(conn, arn) for arn in sorted(ARN_TO_DOCUMENT)]
    if scope in ("All", "Local"):
        rows = conn.execute(
            select(managed_policies)
            .where(managed_policies.c.account_id == account_id)
            .order_by(managed_policies.c.name)
        )
        found += [{**row._mapping, "created_at": _utc(row.created_at)} for row in rows]
    return found


def attachment_count(conn: Connection, arn: str) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(policy_attachments).where(policy_attachments.c.policy_arn == arn)
        ).scalar_one()
    )


def delete_managed_policy(conn: Connection, arn: str) -> None:
    get_managed_policy(conn, arn)
    if arn in ARN_TO_DOCUMENT:
        raise IamError("InvalidInput", "AWS managed policies cannot be deleted.")
    if attachment_count(conn, arn):
        raise delete_conflict("Cannot delete a policy attached to entities.")
    conn.execute(delete(managed_policies).where(managed_policies.c.arn == arn))


def attach_policy(conn: Connection, principal: PrincipalInfo, arn: str) -> None:
    get_managed_policy(conn, arn)
    exists = conn.execute(
        select(policy_attachments).where(
            policy_attachments.c.principal_id == principal.id, policy_attachments.c.policy_arn == arn
        )
    ).first()
    if exists is None:
        conn.execute(policy_attachments.insert().values(principal_id=principal.id, policy_arn=arn))


def detach_policy(conn: Connection, principal: PrincipalInfo, arn: str) -> None:
    result = conn.execute(
        delete(policy_attachments).where(
            policy_attachments.c.principal_id == principal.id, policy_attachments.c.policy_arn == arn
        )
    )
    if not result.rowcount:
        raise no_such_entity(f"Policy {arn} was not found.")


def attached_policies(conn: Connection, principal: PrincipalInfo) -> list[str]:
    rows = conn.execute(
        select(policy_attachments.c.policy_arn)
        .where(policy_attachments.c.principal_id == principal.id)
        .order_by(policy_attachments.c.policy_arn)
    )
    return [row.policy_arn for row in rows]


def identity_documents(conn: Connection, principal: PrincipalInfo) -> list[tuple[str, str]]:
    """(name, document) of every identity policy in force for a user or role."""
    documents = [(f"inline:{name}", doc) for name, doc in list_inline_policies(conn, principal)]
    for arn in attached_policies(conn, principal):
        try:
            documents.append((arn, get_managed_policy(conn, arn)["document"]))
        except Exception:  # a detached-in-flight policy: skip it, it no longer grants anything
            continue
    return documents
