"""The slice of the IAM API `aws iam` needs to manage users, keys, roles and policies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, unquote

from cargohold.faces.aws.call import QueryCall
from cargohold.iam import directory
from cargohold.iam.directory import PrincipalInfo

T = TypeVar("T")


def _account(call: QueryCall) -> str:
    return call.principal.account_id


def _user_shape(info: PrincipalInfo) -> dict[str, Any]:
    return {
        "Path": "/",
        "UserName": info.name,
        "UserId": info.unique_id,
        "Arn": info.arn,
        "CreateDate": info.created_at,
    }


def _role_shape(info: PrincipalInfo, trust: str, max_session: int) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": info.name,
        "RoleId": info.unique_id,
        "Arn": info.arn,
        "CreateDate": info.created_at,
        "AssumeRolePolicyDocument": quote(trust),
        "MaxSessionDuration": max_session,
    }


def _policy_shape(row: Any) -> dict[str, Any]:
    return {
        "PolicyName": row["name"],
        "PolicyId": row["policy_id"],
        "Arn": row["arn"],
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": row.get("attachment_count", 0),
        "IsAttachable": True,
        "CreateDate": row["created_at"],
        "UpdateDate": row["created_at"],
        "Description": row.get("description"),
    }


def _document(text: str) -> str:
    """Accept policy documents URL-encoded (as IAM returns them) or plain."""
    return unquote(text) if text.lstrip().startswith("%7B") else text


async def on_principal(call: QueryCall, kind: str, name: str, work: Callable[[Any, PrincipalInfo], T]) -> T:
    """Authorise the call on the named user or role, then run `work(connection, principal)` in one
    transaction (NoSuchEntity when the principal does not exist)."""
    await call.authorize(f"arn:aws:iam::{_account(call)}:{kind}/{name}")
    return await call.run(lambda c: work(c, directory.get_principal(c, _account(call), kind, name)))  # type: ignore[no-any-return]


async def _changed(call: QueryCall) -> None:
    call.services.authorizer.forget()
    call.services.access_keys.forget()


# -- users ---------------------------------------------------------------------------------------
async def create_user(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    arn = f"arn:aws:iam::{_account(call)}:user/{params['UserName']}"
    await call.authorize(arn)
    info = await call.run(lambda c: directory.create_principal(c, _account(call), "user", params["UserName"]))
    return {"User": _user_shape(info)}


async def get_user(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    info = await on_principal(call, "user", params.get("UserName") or call.principal.name, lambda c, p: p)
    return {"User": _user_shape(info)}


async def list_users(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await call.authorize(f"arn:aws:iam::{_account(call)}:user/*")
    users = await call.run(lambda c: directory.list_principals(c, _account(call), "user"))
    return {"Users": [_user_shape(u) for u in users], "IsTruncated": False}


async def delete_user(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await on_principal(call, "user", params["UserName"], directory.delete_principal)
    await _changed(call)
    return {}


# -- access keys ---------------------------------------------------------------------------------
async def create_access_key(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("UserName") or call.principal.name

    def create(c: Any, user: PrincipalInfo) -> tuple[str, str, PrincipalInfo]:
        key_id, secret = directory.create_access_key(c, call.services.box, user)
        return key_id, secret, user

    key_id, secret, user = await on_principal(call, "user", name, create)
    return {
        "AccessKey": {
            "UserName": user.name,
            "AccessKeyId": key_id,
            "Status": "Active",
            "SecretAccessKey": secret,
            "CreateDate": user.created_at,
        }
    }


async def list_access_keys(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("UserName") or call.principal.name
    rows = await on_principal(call, "user", name, directory.list_access_keys)
    return {
        "AccessKeyMetadata": [
            {"UserName": name, "AccessKeyId": r.access_key_id, "Status": r.status, "CreateDate": r.created_at}
            for r in rows
        ],
        "IsTruncated": False,
    }


async def delete_access_key(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("UserName") or call.principal.name
    await on_principal(call, "user", name, lambda c, p: directory.delete_access_key(c, p, params["AccessKeyId"]))
    await _changed(call)
    return {}


# -- roles ---------------------------------------------------------------------------------------
async def create_role(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await call.authorize(f"arn:aws:iam::{_account(call)}:role/{params['RoleName']}")
    trust = _document(params["AssumeRolePolicyDocument"])
    max_session = int(params.get("MaxSessionDuration") or 3600)
    info = await call.run(lambda c: directory.create_role(c, _account(call), params["RoleName"], trust, max_session))
    return {"Role": _role_shape(info, trust, max_session)}


async def get_role(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    role = await on_principal(
        call, "role", params["RoleName"], lambda c, info: _role_shape(info, *directory.trust_of(c, info))
    )
    return {"Role": role}


async def list_roles(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await call.authorize(f"arn:aws:iam::{_account(call)}:role/*")

    def load(c: Any) -> list[dict[str, Any]]:
        return [_role_shape(r, *directory.trust_of(c, r)) for r in directory.list_principals(c, _account(call), "role")]

    return {"Roles": await call.run(load), "IsTruncated": False}


async def delete_role(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await on_principal(call, "role", params["RoleName"], directory.delete_principal)
    await _changed(call)
    return {}


async def update_assume_role_policy(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    document = _document(params["PolicyDocument"])
    await on_principal(call, "role", params["RoleName"], lambda c, info: directory.update_trust(c, info, document))
    return {}


# -- inline policies -----------------------------------------------------------------------------
def _inline_ops(kind: str) -> dict[str, Any]:
    noun = "User" if kind == "user" else "Role"
    key = f"{noun}Name"

    async def put(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
        document = _document(params["PolicyDocument"])
        await on_principal(
            call, kind, params[key], lambda c, p: directory.put_inline_policy(c, p, params["PolicyName"], document)
        )
        await _changed(call)
        return {}

    async def get(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
        document = await on_principal(
            call, kind, params[key], lambda c, p: directory.get_inline_policy(c, p, params["PolicyName"])
        )
        return {key: params[key], "PolicyName": params["PolicyName"], "PolicyDocument": quote(document)}

    async def remove(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
        await on_principal(
            call, kind, params[key], lambda c, p: directory.delete_inline_policy(c, p, params["PolicyName"])
        )
        await _changed(call)
        return {}

    async def listing(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
        policies = await on_principal(call, kind, params[key], directory.list_inline_policies)
        return {"PolicyNames": [name for name, _ in policies], "IsTruncated": False}

    async def attach(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
        await on_principal(call, kind, params[key], lambda c, p: directory.attach_policy(c, p, params["PolicyArn"]))
        await _changed(call)
        return {}

    async def detach(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
        await on_principal(call, kind, params[key], lambda c, p: directory.detach_policy(c, p, params["PolicyArn"]))
        await _changed(call)
        return {}

    async def attached(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
        arns = await on_principal(call, kind, params[key], directory.attached_policies)
        return {
            "AttachedPolicies": [{"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn} for arn in arns],
            "IsTruncated": False,
        }

    return {
        f"Put{noun}Policy": put,
        f"Get{noun}Policy": get,
        f"Delete{noun}Policy": remove,
        f"List{noun}Policies": listing,
        f"Attach{noun}Policy": attach,
        f"Detach{noun}Policy": detach,
        f"ListAttached{noun}Policies": attached,
    }


# -- managed policies ----------------------------------------------------------------------------
async def create_policy(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await call.authorize(f"arn:aws:iam::{_account(call)}:policy/{params['PolicyName']}")
    row = await call.run(
        lambda c: directory.create_managed_policy(
            c, _account(call), params["PolicyName"], _document(params["PolicyDocument"]), params.get("Description")
        )
    )
    return {"Policy": _policy_shape(row)}


async def get_policy(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await call.authorize(params["PolicyArn"])

    def load(c: Any) -> dict[str, Any]:
        row = dict(directory.get_managed_policy(c, params["PolicyArn"]))
        row["attachment_count"] = directory.attachment_count(c, params["PolicyArn"])
        return row

    return {"Policy": _policy_shape(await call.run(load))}


async def get_policy_version(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await call.authorize(params["PolicyArn"])
    row = await call.run(lambda c: directory.get_managed_policy(c, params["PolicyArn"]))
    return {
        "PolicyVersion": {
            "Document": quote(row["document"]),
            "VersionId": "v1",
            "IsDefaultVersion": True,
            "CreateDate": row["created_at"],
        }
    }


async def list_policies(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await call.authorize(f"arn:aws:iam::{_account(call)}:policy/*")
    rows = await call.run(lambda c: directory.list_managed_policies(c, _account(call), params.get("Scope", "All")))
    return {"Policies": [_policy_shape(r) for r in rows], "IsTruncated": False}


async def delete_policy(call: QueryCall, params: dict[str, Any]) -> dict[str, Any]:
    await call.authorize(params["PolicyArn"])
    await call.run(lambda c: directory.delete_managed_policy(c, params["PolicyArn"]))
    return {}


OPERATIONS: dict[str, Any] = {
    "CreateUser": create_user,
    "GetUser": get_user,
    "ListUsers": list_users,
    "DeleteUser": delete_user,
    "CreateAccessKey": create_access_key,
    "ListAccessKeys": list_access_keys,
    "DeleteAccessKey": delete_access_key,
    "CreateRole": create_role,
    "GetRole": get_role,
    "ListRoles": list_roles,
    "DeleteRole": delete_role,
    "UpdateAssumeRolePolicy": update_assume_role_policy,
    "CreatePolicy": create_policy,
    "GetPolicy": get_policy,
    "GetPolicyVersion": get_policy_version,
    "ListPolicies": list_policies,
    "DeletePolicy": delete_policy,
    **_inline_ops("user"),
    **_inline_ops("role"),
}

__all__ = ["OPERATIONS", "json"]
