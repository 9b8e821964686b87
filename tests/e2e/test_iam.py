"""IAM end to end on a bootstrap file with two accounts: boto3, the aws CLI and skopeo, with AWS's
decisions and wording on both faces."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.images import make_image
from tests.support.server import RunningServer

A, B = "111111111111", "222222222222"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "two-accounts.yaml"
DEPLOYER = ("AKIAAAAAAAAAAAAAAAA1", "deployer-secret-key-of-account-a-000")
NOBODY = ("AKIAAAAAAAAAAAAAAAA2", "nobody-secret-key-of-account-a-00000")
RUNNER = ("AKIABBBBBBBBBBBBBBB1", "runner-secret-key-of-account-b-00000")
REPO = "team/api"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def iam_server(request: pytest.FixtureRequest, server_factory, tmp_path_factory) -> RunningServer:  # type: ignore[no-untyped-def]
    server: RunningServer = server_factory(
        request.param,
        extra_env={
            "CARGOHOLD_BOOTSTRAP_FILE": str(FIXTURE),
            "CARGOHOLD_ACCOUNT_ID": A,
            "CARGOHOLD_REGISTRY_DOMAIN": "registry.test",
        },
    )
    ecr = client(server, "ecr", DEPLOYER)
    ecr.create_repository(repositoryName=REPO)
    image = make_image(tmp_path_factory.mktemp("img") / "img", "v1", (3000, 4000))
    token = login_password(ecr)
    subprocess.run(
        [
            "skopeo",
            "copy",
            "--dest-tls-verify=false",
            "--dest-creds",
            f"AWS:{token}",
            image.ref("v1"),
            f"docker://localhost:{server.port}/{REPO}:v1",
        ],
        check=True,
        capture_output=True,
    )
    return server


def host_a(server: RunningServer) -> str:
    return f"{A}.dkr.ecr.us-east-1.registry.test:{server.port}"


def client(server: RunningServer, service: str, creds: tuple[str, ...]):  # type: ignore[no-untyped-def]
    session_token = creds[2] if len(creds) > 2 else None
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1],
        aws_session_token=session_token,
    )


def login_password(ecr) -> str:  # type: ignore[no-untyped-def]
    data = ecr.get_authorization_token()["authorizationData"][0]
    return base64.b64decode(data["authorizationToken"]).decode().split(":", 1)[1]


def assume(server: RunningServer, role: str, creds: tuple[str, str] = DEPLOYER) -> tuple[str, str, str]:
    result = client(server, "sts", creds).assume_role(RoleArn=f"arn:aws:iam::{A}:role/{role}", RoleSessionName="task-1")
    c = result["Credentials"]
    return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]


def v2_get(server: RunningServer, token: str, path: str, host: str) -> httpx.Response:
    auth = "Basic " + base64.b64encode(f"AWS:{token}".encode()).decode()
    return httpx.get(
        server.url + path,
        headers={"Authorization": auth, "Host": host, "Accept": "application/vnd.oci.image.manifest.v1+json"},
    )


def skopeo_inspect(server: RunningServer, token: str) -> subprocess.CompletedProcess[str]:
    # skopeo cannot reach registry.test, so it talks to 127.0.0.1 with the default account's host mapping.
    return subprocess.run(
        [
            "skopeo",
            "inspect",
            "--tls-verify=false",
            "--creds",
            f"AWS:{token}",
            f"docker://localhost:{server.port}/{REPO}:v1",
        ],
        capture_output=True,
        text=True,
    )


def error(call, *args, **kwargs) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_caller_identity_and_session_principal(iam_server: RunningServer) -> None:
    me = client(iam_server, "sts", DEPLOYER).get_caller_identity()
    assert me["Arn"] == f"arn:aws:iam::{A}:user/deployer" and me["Account"] == A
    session = assume(iam_server, "ecsTaskExecutionRole")
    who = client(iam_server, "sts", session).get_caller_identity()
    assert who["Arn"] == f"arn:aws:sts::{A}:assumed-role/ecsTaskExecutionRole/task-1"
    assert who["UserId"].endswith(":task-1")


def test_execution_role_assumes_and_pulls(iam_server: RunningServer) -> None:
    session = assume(iam_server, "ecsTaskExecutionRole")
    token = login_password(client(iam_server, "ecr", session))
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert claims["sub"] == f"arn:aws:sts::{A}:assumed-role/ecsTaskExecutionRole/task-1"
    inspected = skopeo_inspect(iam_server, token)
    assert inspected.returncode == 0, inspected.stderr
    # The execution role policy pulls, but does not push or list.
    ecr = client(iam_server, "ecr", session)
    code, message = error(ecr.describe_repositories)
    assert code == "AccessDeniedException"
    assert message.startswith(
        f"User: arn:aws:sts::{A}:assumed-role/ecsTaskExecutionRole/task-1 is not authorized "
        "to perform: ecr:DescribeRepositories"
    )


def test_execution_role_without_ecr_permissions_cannot_pull(iam_server: RunningServer) -> None:
    session = assume(iam_server, "bareExecutionRole")
    ecr = client(iam_server, "ecr", session)
    code, message = error(ecr.get_authorization_token)
    assert code == "AccessDeniedException"
    assert "because no identity-based policy allows the ecr:GetAuthorizationToken action" in message
    # Another role of the same task (the task role) can pull; that does not help the execution role,
    # which is the one ECS pulls with.
    task_session = assume(iam_server, "appTaskRole")
    assert skopeo_inspect(iam_server, login_password(client(iam_server, "ecr", task_session))).returncode == 0
    forged = v2_get(iam_server, "not-a-token", f"/v2/{REPO}/manifests/v1", host_a(iam_server))
    assert forged.status_code == 401


def test_cross_account_pull_follows_the_repository_policy(iam_server: RunningServer) -> None:
    owner = client(iam_server, "ecr", DEPLOYER)
    runner = client(iam_server, "ecr", RUNNER)
    token_b = login_password(runner)
    path = f"/v2/{REPO}/manifests/v1"
    denied = v2_get(iam_server, token_b, path, host_a(iam_server))
    assert denied.status_code == 403
    body = denied.json()["errors"][0]
    assert body["code"] == "DENIED"
    assert body["message"] == (
        f"User: arn:aws:iam::{B}:user/runner is not authorized to perform: ecr:BatchGetImage on resource: "
        f"arn:aws:ecr:us-east-1:{A}:repository/{REPO} because no resource-based policy allows the "
        "ecr:BatchGetImage action"
    )
    code, _ = error(runner.batch_get_image, registryId=A, repositoryName=REPO, imageIds=[{"imageTag": "v1"}])
    assert code == "AccessDeniedException"

    allow_b = {
        "Sid": "PullFromB",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
    }
    owner.set_repository_policy(
        repositoryName=REPO, policyText=json.dumps({"Version": "2012-10-17", "Statement": [allow_b]})
    )
    time.sleep(1.1)  # resource facts are cached for a second
    assert v2_get(iam_server, token_b, path, host_a(iam_server)).status_code == 200
    images = runner.batch_get_image(registryId=A, repositoryName=REPO, imageIds=[{"imageTag": "v1"}])["images"]
    assert len(images) == 1

    deny_b = {
        "Sid": "DenyB",
        "Effect": "Deny",
        "Principal": {"AWS": f"arn:aws:iam::{B}:user/runner"},
        "Action": "ecr:*",
    }
    owner.set_repository_policy(
        repositoryName=REPO, policyText=json.dumps({"Version": "2012-10-17", "Statement": [allow_b, deny_b]})
    )
    time.sleep(1.1)
    again = v2_get(iam_server, token_b, path, host_a(iam_server))
    assert again.status_code == 403
    assert again.json()["errors"][0]["message"].endswith("with an explicit deny in a resource-based policy")
    owner.delete_repository_policy(repositoryName=REPO)


def test_expired_and_tampered_tokens(server_factory) -> None:  # type: ignore[no-untyped-def]
    server: RunningServer = server_factory("sqlite", extra_env={"CARGOHOLD_TOKEN_TTL_SECONDS": "2"})
    token = server.cli("login-password").stdout.strip()
    auth = "Basic " + base64.b64encode(f"AWS:{token}".encode()).decode()
    assert httpx.get(server.url + "/v2/", headers={"Authorization": auth}).status_code == 200
    payload, mac = token.split(".")
    forged_claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged_claims["exp"] += 3600
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged_claims).encode()).decode().rstrip("=")
    forged = "Basic " + base64.b64encode(f"AWS:{forged_payload}.{mac}".encode()).decode()
    assert httpx.get(server.url + "/v2/", headers={"Authorization": forged}).status_code == 401
    time.sleep(3)
    expired = httpx.get(server.url + "/v2/", headers={"Authorization": auth})
    assert expired.status_code == 401
    assert "expired" in expired.json()["errors"][0]["message"]


def test_iam_api_with_the_aws_cli(iam_server: RunningServer, tmp_path: Path) -> None:
    env = iam_server.env() | {
        "AWS_ACCESS_KEY_ID": DEPLOYER[0],
        "AWS_SECRET_ACCESS_KEY": DEPLOYER[1],
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    aws = [str(Path(sys.executable).parent / "aws"), "--endpoint-url", iam_server.url]

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*aws, *args], env=env, capture_output=True, text=True, check=check)

    # The deployer has ECR full access only: IAM calls are denied.
    denied = run("iam", "create-user", "--user-name", "x", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    # The bootstrap admin of account A does not exist (the default account is A, admin is created there).
    admin = iam_server.credentials()
    env.update(admin)
    run("iam", "create-user", "--user-name", "ci-bot")
    key = json.loads(run("iam", "create-access-key", "--user-name", "ci-bot").stdout)["AccessKey"]
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["ecr:DescribeRepositories"], "Resource": "*"}],
        }
    )
    arn = json.loads(run("iam", "create-policy", "--policy-name", "describe", "--policy-document", policy).stdout)[
        "Policy"
    ]["Arn"]
    assert arn == f"arn:aws:iam::{A}:policy/describe"
    run("iam", "attach-user-policy", "--user-name", "ci-bot", "--policy-arn", arn)
    run("iam", "put-user-policy", "--user-name", "ci-bot", "--policy-name", "inline", "--policy-document", policy)
    assert json.loads(run("iam", "list-user-policies", "--user-name", "ci-bot").stdout)["PolicyNames"] == ["inline"]
    attached = json.loads(run("iam", "list-attached-user-policies", "--user-name", "ci-bot").stdout)
    assert attached["AttachedPolicies"] == [{"PolicyName": "describe", "PolicyArn": arn}]
    bot = client(iam_server, "ecr", (key["AccessKeyId"], key["SecretAccessKey"]))
    assert bot.describe_repositories()["repositories"]
    assert error(bot.list_images, repositoryName=REPO)[0] == "AccessDeniedException"
    conflict = run("iam", "delete-user", "--user-name", "ci-bot", check=False)
    assert conflict.returncode != 0 and "DeleteConflict" in conflict.stderr
    bad = run(
        "iam",
        "put-user-policy",
        "--user-name",
        "ci-bot",
        "--policy-name",
        "bad",
        "--policy-document",
        '{"Statement": [{"Effect": "Allow"}]}',
        check=False,
    )
    assert bad.returncode != 0 and "MalformedPolicyDocument" in bad.stderr
    run("iam", "detach-user-policy", "--user-name", "ci-bot", "--policy-arn", arn)
    run("iam", "delete-user-policy", "--user-name", "ci-bot", "--policy-name", "inline")
    run("iam", "delete-access-key", "--user-name", "ci-bot", "--access-key-id", key["AccessKeyId"])
    run("iam", "delete-user", "--user-name", "ci-bot")
    run("iam", "delete-policy", "--policy-arn", arn)
    missing = run("iam", "get-user", "--user-name", "ci-bot", check=False)
    assert missing.returncode != 0 and "NoSuchEntity" in missing.stderr
    role = json.loads(run("iam", "get-role", "--role-name", "ecsTaskExecutionRole").stdout)["Role"]
    assert role["Arn"] == f"arn:aws:iam::{A}:role/ecsTaskExecutionRole"
    assert "ecs-tasks.amazonaws.com" in json.dumps(role["AssumeRolePolicyDocument"])


def test_audit_and_lint_from_the_cli(iam_server: RunningServer) -> None:
    nobody = client(iam_server, "ecr", NOBODY)
    error(nobody.describe_repositories)
    deadline = time.time() + 15  # the audit log is flushed every second
    while True:
        lookup = iam_server.cli("audit", "lookup", "--principal", "user/nobody", "--decision", "Deny", "--json")
        events = [json.loads(line) for line in lookup.stdout.splitlines()]
        if events or time.time() > deadline:
            break
        time.sleep(0.5)
    assert events and events[0]["action"] == "ecr:DescribeRepositories"
    assert events[0]["reason"] == "implicit-deny" and events[0]["source_ip"] == "127.0.0.1"
    allowed = iam_server.cli("audit", "lookup", "--action", "ecr:CreateRepository", "--decision", "Allow", "--json")
    assert any(json.loads(line)["principal_arn"].endswith("user/deployer") for line in allowed.stdout.splitlines())
    lint = iam_server.cli("iam", "lint", "--fail-on", "never", "--json")
    findings = [json.loads(line) for line in lint.stdout.splitlines()]
    assert any(
        "appTaskRole can pull from ECR but execution role bareExecutionRole cannot" in f["finding"]
        and f["severity"] == "high"
        for f in findings
    )
    failing = iam_server.cli("iam", "lint", check=False)
    assert failing.returncode == 1


def test_session_tokens_do_not_outlive_the_session(iam_server: RunningServer) -> None:
    session = assume(iam_server, "ecsTaskExecutionRole")
    data = client(iam_server, "ecr", session).get_authorization_token()["authorizationData"][0]
    remaining = data["expiresAt"].timestamp() - time.time()
    assert remaining <= 3600 + 5  # the session lasts an hour; a user's token lasts 12


def test_request_tags_in_conditions(iam_server: RunningServer) -> None:
    admin = iam_server.credentials()
    iam = client(iam_server, "iam", (admin["AWS_ACCESS_KEY_ID"], admin["AWS_SECRET_ACCESS_KEY"]))
    iam.create_user(UserName="tagger")
    iam.put_user_policy(
        UserName="tagger",
        PolicyName="tagged-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "ecr:CreateRepository",
                        "Resource": "*",
                        "Condition": {
                            "StringEquals": {"aws:RequestTag/cost-center": "42"},
                            "ForAllValues:StringEquals": {"aws:TagKeys": ["cost-center"]},
                        },
                    }
                ],
            }
        ),
    )
    key = iam.create_access_key(UserName="tagger")["AccessKey"]
    ecr = client(iam_server, "ecr", (key["AccessKeyId"], key["SecretAccessKey"]))
    assert error(ecr.create_repository, repositoryName="tagged/none")[0] == "AccessDeniedException"
    assert (
        error(ecr.create_repository, repositoryName="tagged/wrong", tags=[{"Key": "cost-center", "Value": "7"}])[0]
        == "AccessDeniedException"
    )
    assert (
        error(
            ecr.create_repository,
            repositoryName="tagged/extra",
            tags=[{"Key": "cost-center", "Value": "42"}, {"Key": "x", "Value": "y"}],
        )[0]
        == "AccessDeniedException"
    )
    created = ecr.create_repository(repositoryName="tagged/ok", tags=[{"Key": "cost-center", "Value": "42"}])
    assert created["repository"]["repositoryName"] == "tagged/ok"
