"""The evaluator table: each case is a request, the policies in force, and the decision and reason
AWS documents for it (IAM User Guide, "Policy evaluation logic" and "Cross-account policy evaluation")."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from cargohold.iam.managed_policies import AWS_MANAGED
from cargohold.iam.policy.evaluate import AccessRequest, Caller, evaluate
from cargohold.iam.policy.language import MalformedPolicy, parse_policy

A, B = "111111111111", "222222222222"
REPO_A = f"arn:aws:ecr:us-east-1:{A}:repository/team/app"
ALICE = Caller(arn=f"arn:aws:iam::{A}:user/alice", account_id=A, username="alice", userid="AIDAALICE", org_id="o-abc")
BOB_B = Caller(arn=f"arn:aws:iam::{B}:user/bob", account_id=B, username="bob", userid="AIDABOB", org_id="o-abc")
EXEC_A = Caller(arn=f"arn:aws:sts::{A}:assumed-role/exec/task-1", account_id=A, kind="assumed-role",
                role_arn=f"arn:aws:iam::{A}:role/exec", userid="AROAEXEC:task-1", org_id="o-abc")
EXEC_B = Caller(arn=f"arn:aws:sts::{B}:assumed-role/exec/task-9", account_id=B, kind="assumed-role",
                role_arn=f"arn:aws:iam::{B}:role/exec", userid="AROAEXECB:task-9", org_id="o-other")
ROOT_A = Caller(arn=f"arn:aws:iam::{A}:root", account_id=A, kind="root", userid=A)


def pol(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def allow(action: Any = "ecr:BatchGetImage", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "ecr:BatchGetImage", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def r_allow(principal: Any, action: Any = "ecr:BatchGetImage", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def r_deny(principal: Any, action: Any = "ecr:BatchGetImage", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": principal, "Action": action, **extra}


NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CASES: list[tuple[str, Caller, str, str, list[dict[str, Any]], dict[str, Any] | None, dict[str, Any], str]] = [
    # (name, caller, action, resource, identity policies, resource policy, context, expected reason)
    # -- the basics: implicit deny, allow, explicit deny ----------------------------------------
    ("no policies: implicit deny", ALICE, "ecr:BatchGetImage", REPO_A, [], None, {}, "implicit-deny"),
    ("identity allow", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow())], None, {}, "allowed"),
    ("identity allow other action", ALICE, "ecr:PutImage", REPO_A, [pol(allow())], None, {}, "implicit-deny"),
    ("explicit deny beats allow", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow(), deny())], None, {}, "explicit-deny"),
    ("deny in another policy beats allow", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow()), pol(deny())], None, {},
     "explicit-deny"),
    ("deny other action does not matter", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow(), deny("ecr:PutImage"))],
     None, {}, "allowed"),
    ("deny other resource does not matter", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(), deny(resource=f"arn:aws:ecr:us-east-1:{A}:repository/other"))], None, {}, "allowed"),
    # -- actions -------------------------------------------------------------------------------
    ("action wildcard ecr:*", ALICE, "ecr:PutImage", REPO_A, [pol(allow("ecr:*"))], None, {}, "allowed"),
    ("action wildcard *", ALICE, "ecr:PutImage", REPO_A, [pol(allow("*"))], None, {}, "allowed"),
    ("action prefix Batch*", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow("ecr:Batch*"))], None, {}, "allowed"),
    ("action prefix does not match", ALICE, "ecr:PutImage", REPO_A, [pol(allow("ecr:Batch*"))], None, {},
     "implicit-deny"),
    ("action case-insensitive", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow("ECR:batchgetimage"))], None, {},
     "allowed"),
    ("action ? wildcard", ALICE, "ecr:PutImage", REPO_A, [pol(allow("ecr:P?tImage"))], None, {}, "allowed"),
    ("action list", ALICE, "ecr:PutImage", REPO_A, [pol(allow(["ecr:BatchGetImage", "ecr:PutImage"]))], None, {},
     "allowed"),
    ("other service does not match", ALICE, "ecr:PutImage", REPO_A, [pol(allow("s3:*"))], None, {}, "implicit-deny"),
    ("NotAction allows the rest", ALICE, "ecr:PutImage", REPO_A,
     [pol({"Effect": "Allow", "NotAction": "ecr:DeleteRepository", "Resource": "*"})], None, {}, "allowed"),
    ("NotAction excludes the named", ALICE, "ecr:DeleteRepository", REPO_A,
     [pol({"Effect": "Allow", "NotAction": "ecr:DeleteRepository", "Resource": "*"})], None, {}, "implicit-deny"),
    ("Deny NotAction denies everything else", ALICE, "ecr:PutImage", REPO_A,
     [pol(allow("*"), {"Effect": "Deny", "NotAction": "ecr:BatchGetImage", "Resource": "*"})], None, {},
     "explicit-deny"),
    ("Deny NotAction leaves the named", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow("*"), {"Effect": "Deny", "NotAction": "ecr:BatchGetImage", "Resource": "*"})], None, {}, "allowed"),
    # -- resources -----------------------------------------------------------------------------
    ("exact resource", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow(resource=REPO_A))], None, {}, "allowed"),
    ("resource wildcard path", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/team/*"))], None, {}, "allowed"),
    ("resource other repo", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/other"))], None, {}, "implicit-deny"),
    ("resource is case-sensitive", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(resource=REPO_A.upper()))], None, {}, "implicit-deny"),
    ("resource other region", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(resource=f"arn:aws:ecr:eu-west-1:{A}:repository/team/app"))], None, {}, "implicit-deny"),
    ("resource region wildcard", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(resource=f"arn:aws:ecr:*:{A}:repository/team/app"))], None, {}, "allowed"),
    ("NotResource allows the rest", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol({"Effect": "Allow", "Action": "ecr:*", "NotResource": f"arn:aws:ecr:us-east-1:{A}:repository/secret"})],
     None, {}, "allowed"),
    ("NotResource excludes the named", ALICE, "ecr:BatchGetImage", f"arn:aws:ecr:us-east-1:{A}:repository/secret",
     [pol({"Effect": "Allow", "Action": "ecr:*", "NotResource": f"arn:aws:ecr:us-east-1:{A}:repository/secret"})],
     None, {}, "implicit-deny"),
    ("resource list", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(resource=["arn:aws:ecr:us-east-1:111111111111:repository/x", REPO_A]))], None, {}, "allowed"),
    # -- policy variables ----------------------------------------------------------------------
    ("aws:username variable", ALICE, "ecr:BatchGetImage", f"arn:aws:ecr:us-east-1:{A}:repository/home/alice",
     [pol(allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/home/${{aws:username}}"))], None, {}, "allowed"),
    ("aws:username variable other user", ALICE, "ecr:BatchGetImage", f"arn:aws:ecr:us-east-1:{A}:repository/home/bob",
     [pol(allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/home/${{aws:username}}"))], None, {},
     "implicit-deny"),
    ("variables ignored in 2008 version", ALICE, "ecr:BatchGetImage",
     f"arn:aws:ecr:us-east-1:{A}:repository/home/alice",
     [pol(allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/home/${{aws:username}}"), version="2008-10-17")],
     None, {}, "implicit-deny"),
    ("missing variable never matches", EXEC_A, "ecr:BatchGetImage", f"arn:aws:ecr:us-east-1:{A}:repository/home/",
     [pol(allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/home/${{aws:username}}"))], None, {},
     "implicit-deny"),
    ("variable with default", EXEC_A, "ecr:BatchGetImage", f"arn:aws:ecr:us-east-1:{A}:repository/home/shared",
     [pol(allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/home/${{aws:username, 'shared'}}"))], None, {},
     "allowed"),
    ("PrincipalAccount variable", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(resource="arn:aws:ecr:us-east-1:${aws:PrincipalAccount}:repository/*"))], None, {}, "allowed"),
    ("variable in condition", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"ecr:ResourceTag/owner": "${aws:username}"}}))], None,
     {"ecr:ResourceTag/owner": "alice"}, "allowed"),
    # -- conditions: strings -------------------------------------------------------------------
    ("StringEquals match", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:ResourceTag/env": "prod"}}))], None, {"aws:ResourceTag/env": "prod"},
     "allowed"),
    ("StringEquals mismatch", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:ResourceTag/env": "prod"}}))], None, {"aws:ResourceTag/env": "dev"},
     "implicit-deny"),
    ("StringEquals missing key", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:ResourceTag/env": "prod"}}))], None, {}, "implicit-deny"),
    ("StringEquals values are OR", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:ResourceTag/env": ["dev", "prod"]}}))], None,
     {"aws:ResourceTag/env": "prod"}, "allowed"),
    ("condition keys are AND", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:ResourceTag/env": "prod", "aws:ResourceTag/team": "a"}}))], None,
     {"aws:ResourceTag/env": "prod", "aws:ResourceTag/team": "b"}, "implicit-deny"),
    ("operators are AND", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:ResourceTag/env": "prod"}, "Bool": {"aws:SecureTransport": "true"}}))],
     None, {"aws:ResourceTag/env": "prod", "aws:SecureTransport": False}, "implicit-deny"),
    ("condition key names are case-insensitive", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"AWS:RESOURCETAG/env": "prod"}}))], None, {"aws:resourcetag/env": "prod"},
     "allowed"),
    ("StringNotEquals match", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringNotEquals": {"aws:ResourceTag/env": "prod"}}))], None, {"aws:ResourceTag/env": "dev"},
     "allowed"),
    ("StringNotEquals mismatch", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringNotEquals": {"aws:ResourceTag/env": "prod"}}))], None,
     {"aws:ResourceTag/env": "prod"}, "implicit-deny"),
    ("StringNotEquals missing key is true", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringNotEquals": {"aws:ResourceTag/env": "prod"}}))], None, {}, "allowed"),
    ("StringEqualsIgnoreCase", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEqualsIgnoreCase": {"aws:ResourceTag/env": "PROD"}}))], None,
     {"aws:ResourceTag/env": "prod"}, "allowed"),
    ("StringEquals is case-sensitive", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:ResourceTag/env": "PROD"}}))], None, {"aws:ResourceTag/env": "prod"},
     "implicit-deny"),
    ("StringNotEqualsIgnoreCase", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringNotEqualsIgnoreCase": {"aws:ResourceTag/env": "PROD"}}))], None,
     {"aws:ResourceTag/env": "prod"}, "implicit-deny"),
    ("StringLike wildcard", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/ali*"}}))], None, {}, "allowed"),
    ("StringLike no match", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}))], None, {},
     "implicit-deny"),
    ("StringNotLike", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}))], None, {}, "allowed"),
    ("StringLikeIfExists missing", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringLikeIfExists": {"aws:ResourceTag/env": "prod*"}}))], None, {}, "allowed"),
    ("StringLikeIfExists present mismatch", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringLikeIfExists": {"aws:ResourceTag/env": "prod*"}}))], None,
     {"aws:ResourceTag/env": "dev"}, "implicit-deny"),
    ("StringEqualsIfExists present match", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEqualsIfExists": {"aws:ResourceTag/env": "prod"}}))], None,
     {"aws:ResourceTag/env": "prod"}, "allowed"),
    # -- numeric, date, bool, ip, arn, null ----------------------------------------------------
    ("NumericLessThan", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"NumericLessThan": {"ecr:count": "10"}}))], None, {"ecr:count": "3"}, "allowed"),
    ("NumericLessThan false", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"NumericLessThan": {"ecr:count": "10"}}))], None, {"ecr:count": "10"}, "implicit-deny"),
    ("NumericLessThanEquals", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"NumericLessThanEquals": {"ecr:count": "10"}}))], None, {"ecr:count": "10"}, "allowed"),
    ("NumericGreaterThan", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"NumericGreaterThan": {"ecr:count": 5}}))], None, {"ecr:count": "6"}, "allowed"),
    ("NumericGreaterThanEquals false", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"NumericGreaterThanEquals": {"ecr:count": 5}}))], None, {"ecr:count": "4"},
     "implicit-deny"),
    ("NumericEquals", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"NumericEquals": {"ecr:count": "5"}}))], None, {"ecr:count": "5.0"}, "allowed"),
    ("NumericNotEquals", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"NumericNotEquals": {"ecr:count": "5"}}))], None, {"ecr:count": "5"}, "implicit-deny"),
    ("Numeric with junk is false", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"NumericEquals": {"ecr:count": "5"}}))], None, {"ecr:count": "five"}, "implicit-deny"),
    ("DateLessThan now", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}))], None,
     {"aws:CurrentTime": NOW}, "allowed"),
    ("DateLessThan expired", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}))], None,
     {"aws:CurrentTime": NOW}, "implicit-deny"),
    ("DateGreaterThan", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"DateGreaterThan": {"aws:CurrentTime": "2026-12-01"}}))], None, {"aws:CurrentTime": NOW},
     "allowed"),
    ("DateGreaterThanEquals epoch", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"DateGreaterThanEquals": {"aws:CurrentTime": str(int(NOW.timestamp()))}}))], None,
     {"aws:CurrentTime": NOW}, "allowed"),
    ("DateEquals", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"DateEquals": {"aws:CurrentTime": NOW.isoformat()}}))], None, {"aws:CurrentTime": NOW},
     "allowed"),
    ("DateNotEquals", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"DateNotEquals": {"aws:CurrentTime": NOW.isoformat()}}))], None, {"aws:CurrentTime": NOW},
     "implicit-deny"),
    ("DateLessThanEquals", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"DateLessThanEquals": {"aws:CurrentTime": NOW.isoformat()}}))], None,
     {"aws:CurrentTime": NOW}, "allowed"),
    ("Bool true", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"Bool": {"aws:SecureTransport": "true"}}))], None, {"aws:SecureTransport": True}, "allowed"),
    ("Bool false", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"Bool": {"aws:SecureTransport": "true"}}))], None, {"aws:SecureTransport": False},
     "implicit-deny"),
    ("deny insecure transport", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(), deny("*", Condition={"Bool": {"aws:SecureTransport": "false"}}))], None,
     {"aws:SecureTransport": False}, "explicit-deny"),
    ("IpAddress in range", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))], None, {"aws:SourceIp": "10.1.2.3"},
     "allowed"),
    ("IpAddress out of range", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))], None, {"aws:SourceIp": "192.168.1.1"},
     "implicit-deny"),
    ("IpAddress single host", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1"}}))], None, {"aws:SourceIp": "127.0.0.1"},
     "allowed"),
    ("IpAddress v6", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"IpAddress": {"aws:SourceIp": "::1/128"}}))], None, {"aws:SourceIp": "::1"}, "allowed"),
    ("NotIpAddress deny", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(), deny("*", Condition={"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8"]}}))], None,
     {"aws:SourceIp": "8.8.8.8"}, "explicit-deny"),
    ("NotIpAddress inside", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(), deny("*", Condition={"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8"]}}))], None,
     {"aws:SourceIp": "127.0.0.1"}, "allowed"),
    ("ArnLike principal", EXEC_A, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/ex*"}}))], None, {}, "allowed"),
    ("ArnEquals principal", EXEC_A, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/exec"}}))], None, {}, "allowed"),
    ("ArnNotLike principal", EXEC_A, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/ex*"}}))], None, {},
     "implicit-deny"),
    ("ArnNotEquals principal", EXEC_A, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/other"}}))], None, {},
     "allowed"),
    ("Null true means absent", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"Null": {"aws:ResourceTag/env": "true"}}))], None, {}, "allowed"),
    ("Null true but present", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"Null": {"aws:ResourceTag/env": "true"}}))], None, {"aws:ResourceTag/env": "x"},
     "implicit-deny"),
    ("Null false means present", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"Null": {"aws:ResourceTag/env": "false"}}))], None, {"aws:ResourceTag/env": "x"},
     "allowed"),
    # -- multi-valued keys ---------------------------------------------------------------------
    ("ForAnyValue match", ALICE, "ecr:TagResource", REPO_A,
     [pol(allow("ecr:TagResource", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}))], None,
     {"aws:TagKeys": ["env", "cost"]}, "allowed"),
    ("ForAnyValue none", ALICE, "ecr:TagResource", REPO_A,
     [pol(allow("ecr:TagResource", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}))], None,
     {"aws:TagKeys": ["cost"]}, "implicit-deny"),
    ("ForAnyValue empty", ALICE, "ecr:TagResource", REPO_A,
     [pol(allow("ecr:TagResource", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}))], None, {},
     "implicit-deny"),
    ("ForAllValues all allowed", ALICE, "ecr:TagResource", REPO_A,
     [pol(allow("ecr:TagResource", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}))], None,
     {"aws:TagKeys": ["env", "team"]}, "allowed"),
    ("ForAllValues one outside", ALICE, "ecr:TagResource", REPO_A,
     [pol(allow("ecr:TagResource", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}))], None,
     {"aws:TagKeys": ["env", "cost"]}, "implicit-deny"),
    ("ForAllValues empty is true", ALICE, "ecr:TagResource", REPO_A,
     [pol(allow("ecr:TagResource", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}))], None, {},
     "allowed"),
    ("ForAllValues StringLike", ALICE, "ecr:TagResource", REPO_A,
     [pol(allow("ecr:TagResource", Condition={"ForAllValues:StringLike": {"aws:TagKeys": ["team-*"]}}))], None,
     {"aws:TagKeys": ["team-a", "team-b"]}, "allowed"),
    ("RequestTag condition", ALICE, "ecr:CreateRepository", REPO_A,
     [pol(allow("ecr:CreateRepository", Condition={"StringEquals": {"aws:RequestTag/cost-center": "42"}}))], None,
     {"aws:RequestTag/cost-center": "42"}, "allowed"),
    ("ecr:ResourceTag condition", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"ecr:ResourceTag/team": "payments"}}))], None,
     {"ecr:ResourceTag/team": "payments"}, "allowed"),
    # -- principal keys ------------------------------------------------------------------------
    ("aws:PrincipalAccount", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:PrincipalAccount": A}}))], None, {}, "allowed"),
    ("aws:PrincipalOrgID", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}))], None, {}, "allowed"),
    ("aws:username", ALICE, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:username": "alice"}}))], None, {}, "allowed"),
    ("aws:userid of a role session", EXEC_A, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringLike": {"aws:userid": "AROAEXEC:*"}}))], None, {}, "allowed"),
    ("aws:PrincipalArn of a session is the role", EXEC_A, "ecr:BatchGetImage", REPO_A,
     [pol(allow(Condition={"StringEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/exec"}}))], None, {},
     "allowed"),
    # -- resource policies in the same account -------------------------------------------------
    ("same account: resource policy naming the user allows", ALICE, "ecr:BatchGetImage", REPO_A, [],
     pol(r_allow({"AWS": ALICE.arn})), {}, "allowed"),
    ("same account: resource policy naming the role allows its session", EXEC_A, "ecr:BatchGetImage", REPO_A, [],
     pol(r_allow({"AWS": EXEC_A.role_arn})), {}, "allowed"),
    ("same account: resource policy naming the account needs identity", ALICE, "ecr:BatchGetImage", REPO_A, [],
     pol(r_allow({"AWS": f"arn:aws:iam::{A}:root"})), {}, "implicit-deny"),
    ("same account: Principal * allows", ALICE, "ecr:BatchGetImage", REPO_A, [], pol(r_allow("*")), {}, "allowed"),
    ("same account: resource deny beats identity allow", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol(r_deny({"AWS": ALICE.arn})), {}, "explicit-deny"),
    ("same account: resource deny for others only", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol(r_deny({"AWS": BOB_B.arn})), {}, "allowed"),
    ("same account: resource allow other action", ALICE, "ecr:PutImage", REPO_A, [],
     pol(r_allow({"AWS": ALICE.arn})), {}, "implicit-deny"),
    ("same account: NotPrincipal deny spares the named", ALICE, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol({"Effect": "Deny", "NotPrincipal": {"AWS": ALICE.arn}, "Action": "ecr:*"}), {}, "allowed"),
    ("same account: NotPrincipal deny hits the others", EXEC_A, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol({"Effect": "Deny", "NotPrincipal": {"AWS": ALICE.arn}, "Action": "ecr:*"}), {}, "explicit-deny"),
    ("root of the account", ROOT_A, "ecr:DeleteRepository", REPO_A, [], None, {}, "allowed"),
    ("root still subject to explicit deny in resource policy", ROOT_A, "ecr:DeleteRepository", REPO_A, [],
     pol(r_deny("*", "ecr:DeleteRepository")), {}, "explicit-deny"),
    # -- cross-account -------------------------------------------------------------------------
    ("cross: nothing", BOB_B, "ecr:BatchGetImage", REPO_A, [], None, {}, "implicit-deny"),
    ("cross: identity only", BOB_B, "ecr:BatchGetImage", REPO_A, [pol(allow())], None, {}, "implicit-deny"),
    ("cross: resource only", BOB_B, "ecr:BatchGetImage", REPO_A, [], pol(r_allow({"AWS": B})), {}, "implicit-deny"),
    ("cross: both, account id", BOB_B, "ecr:BatchGetImage", REPO_A, [pol(allow())], pol(r_allow({"AWS": B})), {},
     "allowed"),
    ("cross: both, account root arn", BOB_B, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol(r_allow({"AWS": f"arn:aws:iam::{B}:root"})), {}, "allowed"),
    ("cross: both, user arn", BOB_B, "ecr:BatchGetImage", REPO_A, [pol(allow())], pol(r_allow({"AWS": BOB_B.arn})),
     {}, "allowed"),
    ("cross: resource names another account", BOB_B, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol(r_allow({"AWS": "333333333333"})), {}, "implicit-deny"),
    ("cross: role session via role arn", EXEC_B, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol(r_allow({"AWS": f"arn:aws:iam::{B}:role/exec"})), {}, "allowed"),
    ("cross: explicit deny in resource policy", BOB_B, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol(r_allow({"AWS": B}), r_deny({"AWS": B})), {}, "explicit-deny"),
    ("cross: explicit deny in identity policy", BOB_B, "ecr:BatchGetImage", REPO_A, [pol(allow(), deny())],
     pol(r_allow({"AWS": B})), {}, "explicit-deny"),
    ("cross: org-wide grant", BOB_B, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol(r_allow("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})), {}, "allowed"),
    ("cross: org-wide grant, other org", EXEC_B, "ecr:BatchGetImage", REPO_A, [pol(allow())],
     pol(r_allow("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})), {}, "implicit-deny"),
    ("cross: wildcard principal", BOB_B, "ecr:BatchGetImage", REPO_A, [pol(allow())], pol(r_allow({"AWS": "*"})), {},
     "allowed"),
    ("cross: resource allows other action", BOB_B, "ecr:PutImage", REPO_A, [pol(allow("ecr:*"))],
     pol(r_allow({"AWS": B})), {}, "implicit-deny"),
    # -- managed policies ----------------------------------------------------------------------
    ("task execution policy pulls", EXEC_A, "ecr:GetDownloadUrlForLayer", REPO_A,
     [json.loads(AWS_MANAGED["AmazonECSTaskExecutionRolePolicy"])], None, {}, "allowed"),
    ("task execution policy gets a token", EXEC_A, "ecr:GetAuthorizationToken", "*",
     [json.loads(AWS_MANAGED["AmazonECSTaskExecutionRolePolicy"])], None, {}, "allowed"),
    ("task execution policy cannot push", EXEC_A, "ecr:PutImage", REPO_A,
     [json.loads(AWS_MANAGED["AmazonECSTaskExecutionRolePolicy"])], None, {}, "implicit-deny"),
    ("read only cannot upload", ALICE, "ecr:InitiateLayerUpload", REPO_A,
     [json.loads(AWS_MANAGED["AmazonEC2ContainerRegistryReadOnly"])], None, {}, "implicit-deny"),
    ("read only describes", ALICE, "ecr:DescribeImages", REPO_A,
     [json.loads(AWS_MANAGED["AmazonEC2ContainerRegistryReadOnly"])], None, {}, "allowed"),
    ("power user pushes", ALICE, "ecr:PutImage", REPO_A,
     [json.loads(AWS_MANAGED["AmazonEC2ContainerRegistryPowerUser"])], None, {}, "allowed"),
    ("power user cannot delete repositories", ALICE, "ecr:DeleteRepository", REPO_A,
     [json.loads(AWS_MANAGED["AmazonEC2ContainerRegistryPowerUser"])], None, {}, "implicit-deny"),
    ("full access deletes", ALICE, "ecr:DeleteRepository", REPO_A,
     [json.loads(AWS_MANAGED["AmazonEC2ContainerRegistryFullAccess"])], None, {}, "allowed"),
    ("pull only cannot list", ALICE, "ecr:ListImages", REPO_A,
     [json.loads(AWS_MANAGED["AmazonEC2ContainerRegistryPullOnly"])], None, {}, "implicit-deny"),
    ("pull only pulls", ALICE, "ecr:BatchGetImage", REPO_A,
     [json.loads(AWS_MANAGED["AmazonEC2ContainerRegistryPullOnly"])], None, {}, "allowed"),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_evaluator(case: tuple[Any, ...]) -> None:
    name, caller, action, resource, identity, resource_policy, context, expected = case
    account = resource.split(":")[4] if resource.count(":") >= 5 else None
    decision = evaluate(
        AccessRequest(caller=caller, action=action, resource=resource, resource_account=account, context=context),
        [parse_policy(doc, kind="identity", name=f"identity{i}") for i, doc in enumerate(identity)],
        parse_policy(resource_policy, kind="resource", name="repository policy") if resource_policy else None,
    )
    assert decision.reason == expected, name
    if expected == "allowed":
        assert decision.allowed and decision.deciding
    else:
        assert not decision.allowed
        assert decision.message.startswith(f"User: {caller.arn} is not authorized to perform: {action} on resource: ")


def test_at_least_a_hundred_cases() -> None:
    assert len(CASES) >= 100


@pytest.mark.parametrize(
    "message,caller,identity,resource_policy",
    [
        ("because no identity-based policy allows the ecr:BatchGetImage action", ALICE, [], None),
        ("because no identity-based policy allows the ecr:BatchGetImage action", BOB_B, [], pol(r_allow({"AWS": B}))),
        ("because no resource-based policy allows the ecr:BatchGetImage action", BOB_B, [pol(allow())], None),
        ("with an explicit deny in an identity-based policy", ALICE, [pol(deny())], None),
        ("with an explicit deny in a resource-based policy", ALICE, [pol(allow())], pol(r_deny("*"))),
    ],
)
def test_denial_wording(message: str, caller: Caller, identity: list[Any], resource_policy: Any) -> None:
    decision = evaluate(
        AccessRequest(caller, "ecr:BatchGetImage", REPO_A, A),
        [parse_policy(d) for d in identity],
        parse_policy(resource_policy, kind="resource") if resource_policy else None,
    )
    assert decision.message == (
        f"User: {caller.arn} is not authorized to perform: ecr:BatchGetImage on resource: {REPO_A} {message}"
    )


@pytest.mark.parametrize(
    "document,kind,fragment",
    [
        ("{not json", "identity", "Syntax errors"),
        ({"Version": "2012-10-17"}, "identity", "at least one Statement"),
        ({"Version": "2010-01-01", "Statement": [allow()]}, "identity", "valid version"),
        (pol({"Effect": "Maybe", "Action": "ecr:*", "Resource": "*"}), "identity", "Effect"),
        (pol({"Effect": "Allow", "Resource": "*"}), "identity", "Action or NotAction"),
        (pol({"Effect": "Allow", "Action": "ecr:*"}), "identity", "Resource or NotResource"),
        (pol({"Effect": "Allow", "Action": "ecr:*", "Resource": "*", "Principal": "*"}), "identity",
         "should not specify a principal"),
        (pol({"Effect": "Allow", "Action": "ecr:*"}), "resource", "Principal"),
        (pol({"Effect": "Allow", "Action": "GetImage", "Resource": "*"}), "identity", "prefaced by a vendor"),
        (pol(allow(Condition={"StringEqualz": {"a:b": "c"}})), "identity", "Invalid Condition type"),
        (pol(r_allow({"AWS": "not-an-arn"})), "resource", "Invalid principal"),
        (pol({**allow(), "Sid": "x"}, {**allow(), "Sid": "x"}), "identity", "unique"),
        (pol({**allow(), "Extra": 1}), "identity", "unknown fields"),
    ],
)
def test_malformed_policies(document: Any, kind: str, fragment: str) -> None:
    with pytest.raises(MalformedPolicy, match=fragment):
        parse_policy(document if isinstance(document, str) else json.dumps(document), kind=kind)
