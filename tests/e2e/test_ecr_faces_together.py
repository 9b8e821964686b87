"""The ECR API and /v2 over one registry service: URIs, registry hostnames, pre-signed requests, and
the aws CLI's view of errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support.oci import manifest_for
from tests.support.server import RunningServer


def test_put_image_pulls_with_skopeo(server: RunningServer, repo: str, tmp_path: Path) -> None:
    with server.client() as client:
        body = manifest_for(client, repo, [b"layer for skopeo"])
    server.ecr().put_image(repositoryName=repo, imageManifest=body.decode(), imageTag="from-api")
    done = subprocess.run(
        [
            "skopeo",
            "copy",
            "--src-tls-verify=false",
            "--src-creds",
            f"AWS:{server.token()}",
            f"docker://{server.host}/{repo}:from-api",
            f"oci:{tmp_path / 'out'}:x",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    raw = subprocess.run(
        [
            "skopeo",
            "inspect",
            "--raw",
            "--tls-verify=false",
            "--creds",
            f"AWS:{server.token()}",
            f"docker://{server.host}/{repo}:from-api",
        ],
        capture_output=True,
        check=True,
    )
    assert raw.stdout == body  # byte for byte what PutImage stored


def test_presigned_query_form_request(server: RunningServer) -> None:
    creds = server.credentials()
    body = json.dumps({}).encode()
    request = AWSRequest(
        method="POST",
        url=server.url + "/",
        data=body,
        headers={
            "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.DescribeRegistry",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    SigV4QueryAuth(
        Credentials(creds["AWS_ACCESS_KEY_ID"], creds["AWS_SECRET_ACCESS_KEY"]), "ecr", "us-east-1", expires=60
    ).add_auth(request)
    assert "X-Amz-Signature=" in request.url
    headers = {k: v for k, v in request.headers.items()}
    assert request.body in (b"", "")  # botocore moves the (empty) parameters into the query string
    body = b""
    ok = httpx.post(request.url, headers=headers, content=body)
    assert ok.status_code == 200, ok.text
    assert ok.json()["registryId"] == "000000000000"
    tampered = httpx.post(request.url.replace("X-Amz-Expires=60", "X-Amz-Expires=6000"), headers=headers, content=body)
    assert tampered.status_code == 403 and tampered.json()["__type"] == "InvalidSignatureException"


def test_aws_cli_errors_and_pagination(server: RunningServer, repo: str) -> None:
    env = server.env() | server.credentials() | {"AWS_DEFAULT_REGION": "us-east-1"}
    aws = [str(Path(sys.executable).parent / "aws"), "--endpoint-url", server.url, "ecr"]
    missing = subprocess.run(
        [*aws, "describe-repositories", "--repository-names", "no-such-repo"], env=env, capture_output=True, text=True
    )
    assert missing.returncode != 0
    assert "RepositoryNotFoundException" in missing.stderr
    assert "does not exist in the registry with id '000000000000'" in missing.stderr
    for i in range(3):
        subprocess.run(
            [*aws, "create-repository", "--repository-name", f"{repo}-cli{i}"], env=env, check=True, capture_output=True
        )
    listed = subprocess.run(
        [
            *aws,
            "describe-repositories",
            "--page-size",
            "1",
            "--query",
            "repositories[].repositoryName",
            "--output",
            "json",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    names = json.loads(listed.stdout)
    assert {f"{repo}-cli{i}" for i in range(3)} <= set(names)
    immutable = subprocess.run(
        [*aws, "put-image-tag-mutability", "--repository-name", f"{repo}-cli0", "--image-tag-mutability", "IMMUTABLE"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert immutable.returncode == 0 and '"imageTagMutability": "IMMUTABLE"' in immutable.stdout


@pytest.fixture(scope="module")
def domain_server(server_factory):  # type: ignore[no-untyped-def]
    return server_factory("sqlite", extra_env={"CARGOHOLD_REGISTRY_DOMAIN": "registry.test"})


def test_registry_domain_hosts(domain_server: RunningServer) -> None:
    host = f"000000000000.dkr.ecr.us-east-1.registry.test:{domain_server.port}"
    ecr = domain_server.ecr()
    created = ecr.create_repository(repositoryName="domain/app")["repository"]
    assert created["repositoryUri"] == f"{host}/domain/app"
    token = ecr.get_authorization_token()["authorizationData"][0]
    assert token["proxyEndpoint"] == f"http://{host}"
    with domain_server.client() as client:
        # The same registry through its ECR-style hostname ...
        listed = client.get("/v2/domain/app/tags/list", headers={"Host": host})
        assert listed.status_code == 200
        # ... and another account's hostname names another registry, which this principal may not use.
        other = client.get(
            "/v2/domain/app/tags/list",
            headers={"Host": f"111111111111.dkr.ecr.us-east-1.registry.test:{domain_server.port}"},
        )
        assert other.status_code == 403 and other.json()["errors"][0]["code"] == "DENIED"
        region = client.get(
            "/v2/domain/app/tags/list",
            headers={"Host": f"000000000000.dkr.ecr.eu-west-1.registry.test:{domain_server.port}"},
        )
        assert region.status_code == 404 and region.json()["errors"][0]["code"] == "NAME_UNKNOWN"
