"""Deny by default: every /v2 route and every ECR operation, anonymous and as a principal with no
policies, is refused, and every authenticated refusal is a recorded decision."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import boto3
import httpx
import pytest
import sqlalchemy
from botocore import xform_name
from botocore.exceptions import ClientError

from cargohold.faces.ecr.operations import HANDLERS, action_for
from cargohold.faces.oci.routes import ROUTES
from cargohold.iam.principal import Principal
from cargohold.iam.tokens import TokenSigner
from tests.support.server import RunningServer

A = "111111111111"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "two-accounts.yaml"
NOBODY = ("AKIAAAAAAAAAAAAAAAA2", "nobody-secret-key-of-account-a-00000")
REPO = "team/api"
DIGEST = "sha256:" + "a" * 64

# Minimal valid values for every required member of the ECR operations we serve.
VALUES = {
    "repositoryName": REPO,
    "registryId": A,
    "imageIds": [{"imageTag": "v1"}],
    "layerDigests": [DIGEST],
    "uploadId": "3f2a4c9e-0000-4000-8000-000000000000",
    "partFirstByte": 0,
    "partLastByte": 0,
    "layerPartBlob": b"x",
    "imageManifest": "{}",
    "policyText": "{}",
    "layerDigest": DIGEST,
    "resourceArn": f"arn:aws:ecr:us-east-1:{A}:repository/{REPO}",
    "tags": [{"Key": "k", "Value": "v"}],
    "tagKeys": ["k"],
    "name": "BASIC_SCAN_TYPE_VERSION",
    "value": "AWS_NATIVE",
    "imageTagMutability": "MUTABLE",
    "imageScanningConfiguration": {"scanOnPush": True},
    "repositoryNames": [REPO],
    "subjectId": {"imageDigest": DIGEST},
    "principalArn": f"arn:aws:iam::{A}:user/scanner",
    "imageId": {"imageTag": "v1"},
    "targetStorageClass": "STANDARD",
    "lifecyclePolicyText": '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", '
    '"countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]}',
}


@pytest.fixture(scope="module")
def server(server_factory) -> RunningServer:  # type: ignore[no-untyped-def]
    server: RunningServer = server_factory(
        "sqlite", extra_env={"CARGOHOLD_BOOTSTRAP_FILE": str(FIXTURE), "CARGOHOLD_ACCOUNT_ID": A}
    )
    return server


def _v2_paths() -> list[tuple[str, str]]:
    samples = {"uuid": "3f2a4c9e-0000-4000-8000-000000000000", "digest": DIGEST, "reference": "v1"}
    paths = [("GET", "/v2/"), ("GET", "/v2/_catalog")]
    for route in ROUTES:
        path = route.pattern.pattern.strip("^$").replace("/?", "/")
        path = path.replace("(?P<name>[^?#]+?)", REPO)
        for key, value in samples.items():
            path = path.replace(f"(?P<{key}>[^/]+)", value)
        paths += [(method, path) for method in route.methods]
    return paths


@pytest.mark.parametrize("method,path", _v2_paths())
def test_v2_routes_refuse_anonymous_and_unprivileged(server: RunningServer, method: str, path: str) -> None:
    anonymous = httpx.request(method, server.url + path)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic realm=")
    if method != "HEAD":
        assert anonymous.json()["errors"][0]["code"] == "UNAUTHORIZED"


def test_v2_routes_as_principal_without_policies(server: RunningServer) -> None:
    # Sign a token for `nobody` with the server's key, as GetAuthorizationToken would if it were allowed.
    engine = sqlalchemy.create_engine(f"sqlite:///{server.data_dir / 'cargohold.db'}")
    with engine.connect() as conn:
        key = conn.execute(sqlalchemy.text("select value from server_secrets")).scalar_one()
        uid = conn.execute(sqlalchemy.text("select unique_id from principals where name='nobody'")).scalar_one()
    engine.dispose()
    token = TokenSigner(bytes(key)).issue(Principal(f"arn:aws:iam::{A}:user/nobody", A, uid), 600).token
    auth = {"Authorization": "Basic " + base64.b64encode(f"AWS:{token}".encode()).decode()}
    for method, path in _v2_paths():
        response = httpx.request(method, server.url + path, headers=auth)
        if path == "/v2/":
            assert response.status_code == 200  # authentication only, no resource touched
            continue
        assert response.status_code == 403, (method, path, response.text)
        if method != "HEAD":
            assert response.json()["errors"][0]["code"] == "DENIED"
            assert "is not authorized to perform" in response.json()["errors"][0]["message"]


def test_every_ecr_operation_is_denied_without_policies(server: RunningServer) -> None:
    ecr = boto3.client(
        "ecr",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=NOBODY[0],
        aws_secret_access_key=NOBODY[1],
    )
    model = ecr.meta.service_model
    for operation in sorted(HANDLERS):
        shape = model.operation_model(operation).input_shape
        params = {name: VALUES[name] for name in (shape.required_members if shape else [])}
        with pytest.raises(ClientError) as info:
            getattr(ecr, xform_name(operation))(**params)
        assert info.value.response["Error"]["Code"] == "AccessDeniedException", operation
        assert f"perform: {action_for(operation)}" in info.value.response["Error"]["Message"]
        anonymous = httpx.post(
            server.url + "/",
            content=b"{}",
            headers={
                "X-Amz-Target": f"AmazonEC2ContainerRegistry_V20150921.{operation}",
                "Content-Type": "application/x-amz-json-1.1",
            },
        )
        assert anonymous.status_code == 403
        assert anonymous.json()["__type"] == "MissingAuthenticationTokenException"
    wanted = {action_for(op) for op in HANDLERS}
    deadline = time.time() + 15  # the audit log is flushed every second
    while True:
        events = server.cli(
            "audit", "lookup", "--principal", "user/nobody", "--decision", "Deny", "--json", "--limit", "500"
        ).stdout.splitlines()
        denied_actions = {json.loads(line)["action"] for line in events}
        if wanted <= denied_actions or time.time() > deadline:
            break
        time.sleep(0.5)
    assert wanted <= denied_actions
