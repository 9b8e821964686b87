"""The ECR JSON API through boto3 against the real server: every operation of issue #3, its success
path and its documented errors."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.oci import OCI_INDEX, OCI_MANIFEST, digest_of, manifest_for, put_manifest
from tests.support.server import RunningServer


@pytest.fixture
def ecr(server: RunningServer):  # type: ignore[no-untyped-def]
    return server.ecr()


def error_of(call, *args, **kwargs) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def image_manifest(server: RunningServer, repo: str, layers: list[bytes]) -> bytes:
    with server.client() as client:
        return manifest_for(client, repo, layers)


# -- repositories --------------------------------------------------------------------------------
def test_create_describe_delete_repository(ecr, server: RunningServer, repo: str) -> None:  # type: ignore[no-untyped-def]
    name = repo + "-full"
    created = ecr.create_repository(
        repositoryName=name,
        tags=[{"Key": "team", "Value": "payments"}],
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "latest*"}],
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS"},
    )["repository"]
    assert created["repositoryArn"] == f"arn:aws:ecr:us-east-1:000000000000:repository/{name}"
    assert created["repositoryUri"] == f"{server.host}/{name}"
    assert created["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert created["imageScanningConfiguration"] == {"scanOnPush": True}
    assert created["encryptionConfiguration"]["encryptionType"] == "KMS"
    assert created["encryptionConfiguration"]["kmsKey"].startswith("arn:aws:kms:us-east-1:000000000000:key/")
    assert isinstance(created["createdAt"], datetime)
    described = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    assert described[0]["repositoryName"] == name
    assert ecr.list_tags_for_resource(resourceArn=created["repositoryArn"])["tags"] == [
        {"Key": "team", "Value": "payments"}
    ]
    assert error_of(ecr.create_repository, repositoryName=name)[0] == "RepositoryAlreadyExistsException"
    deleted = ecr.delete_repository(repositoryName=name)["repository"]
    assert deleted["repositoryName"] == name
    code, message = error_of(ecr.describe_repositories, repositoryNames=[name])
    assert code == "RepositoryNotFoundException"
    assert message == f"The repository with name '{name}' does not exist in the registry with id '000000000000'"


def test_repository_parameter_validation(ecr) -> None:  # type: ignore[no-untyped-def]
    code, message = error_of(ecr.create_repository, repositoryName="Not_Valid")
    assert code == "InvalidParameterException"
    assert message.startswith(
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must "
        "satisfy regular expression pattern"
    )
    code, message = error_of(ecr.create_repository, repositoryName="x" * 257)
    assert "Member must have length less than or equal to 256" in message
    code, _ = error_of(ecr.create_repository, repositoryName="ok-name", imageTagMutability="IMMUTABLE_WITH_EXCLUSION")
    assert code == "InvalidParameterException"
    code, _ = error_of(ecr.create_repository, repositoryName="ok-name", imageTagMutability="SOMETIMES")
    assert code == "InvalidParameterException"
    code, _ = error_of(ecr.create_repository, repositoryName="ok-name", tags=[{"Key": "aws:x", "Value": "y"}])
    assert code == "InvalidTagParameterException"
    code, message = error_of(ecr.describe_repositories, maxResults=1001)
    assert code == "InvalidParameterException" and "less than or equal to 1000" in message


def test_describe_repositories_pagination(ecr, repo: str) -> None:  # type: ignore[no-untyped-def]
    names = [f"{repo}-p{i}" for i in range(5)]
    for name in names:
        ecr.create_repository(repositoryName=name)
    seen: list[str] = []
    kwargs: dict[str, object] = {"maxResults": 2}
    while True:
        page = ecr.describe_repositories(**kwargs)
        assert len(page["repositories"]) <= 2
        seen += [r["repositoryName"] for r in page["repositories"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert set(names) <= set(seen) and len(seen) == len(set(seen))
    paginated = [
        r["repositoryName"]
        for p in ecr.get_paginator("describe_repositories").paginate(PaginationConfig={"PageSize": 3})
        for r in p["repositories"]
    ]
    assert paginated == seen
    assert error_of(ecr.describe_repositories, nextToken="garbage")[0] == "InvalidParameterException"


def test_delete_non_empty_repository_needs_force(ecr, server: RunningServer, repo: str) -> None:  # type: ignore[no-untyped-def]
    body = image_manifest(server, repo, [b"layer"])
    ecr.put_image(repositoryName=repo, imageManifest=body.decode(), imageTag="v1")
    code, _ = error_of(ecr.delete_repository, repositoryName=repo)
    assert code == "RepositoryNotEmptyException"
    assert ecr.delete_repository(repositoryName=repo, force=True)["repository"]["repositoryName"] == repo


def test_mutability_and_scanning_settings(ecr, repo: str) -> None:  # type: ignore[no-untyped-def]
    result = ecr.put_image_tag_mutability(repositoryName=repo, imageTagMutability="IMMUTABLE")
    assert result["imageTagMutability"] == "IMMUTABLE"
    result = ecr.put_image_scanning_configuration(repositoryName=repo, imageScanningConfiguration={"scanOnPush": True})
    assert result["imageScanningConfiguration"] == {"scanOnPush": True}
    batch = ecr.batch_get_repository_scanning_configuration(repositoryNames=[repo, "no-such-repo"])
    assert batch["scanningConfigurations"][0]["scanOnPush"] is True
    assert batch["failures"][0]["repositoryName"] == "no-such-repo"
    assert batch["failures"][0]["failureCode"] == "REPOSITORY_NOT_FOUND"
    assert (
        error_of(ecr.put_image_tag_mutability, repositoryName="no-such-repo", imageTagMutability="MUTABLE")[0]
        == "RepositoryNotFoundException"
    )


# -- images --------------------------------------------------------------------------------------
def test_put_image_and_pull_with_oci_client(ecr, server: RunningServer, repo: str) -> None:  # type: ignore[no-untyped-def]
    body = image_manifest(server, repo, [b"one", b"two"])
    image = ecr.put_image(repositoryName=repo, imageManifest=body.decode(), imageTag="v1")["image"]
    assert image["imageId"] == {"imageDigest": digest_of(body), "imageTag": "v1"}
    assert image["imageManifestMediaType"] == OCI_MANIFEST
    with server.client() as client:
        got = client.get(f"/v2/{repo}/manifests/v1")
        assert got.content == body and got.headers["Docker-Content-Digest"] == digest_of(body)
    code, _ = error_of(ecr.put_image, repositoryName=repo, imageManifest=body.decode(), imageTag="v1")
    assert code == "ImageAlreadyExistsException"
    code, _ = error_of(
        ecr.put_image, repositoryName=repo, imageManifest=body.decode(), imageTag="v2", imageDigest=digest_of(b"other")
    )
    assert code == "ImageDigestDoesNotMatchException"
    missing = json.loads(body)
    missing["layers"][0]["digest"] = digest_of(b"absent")
    code, _ = error_of(ecr.put_image, repositoryName=repo, imageManifest=json.dumps(missing), imageTag="v3")
    assert code == "LayersNotFoundException"
    index = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": digest_of(b"nothing"), "size": 7}],
    }
    code, _ = error_of(ecr.put_image, repositoryName=repo, imageManifest=json.dumps(index), imageTag="idx")
    assert code == "ReferencedImagesNotFoundException"
    code, _ = error_of(ecr.put_image, repositoryName=repo, imageManifest="{not json", imageTag="bad")
    assert code == "InvalidParameterException"


def test_tag_immutability_on_both_faces(ecr, server: RunningServer, repo: str) -> None:  # type: ignore[no-untyped-def]
    ecr.put_image_tag_mutability(
        repositoryName=repo,
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "dev-*"}],
    )
    first = image_manifest(server, repo, [b"a"])
    second = image_manifest(server, repo, [b"b"])
    ecr.put_image(repositoryName=repo, imageManifest=first.decode(), imageTag="release")
    code, message = error_of(ecr.put_image, repositoryName=repo, imageManifest=second.decode(), imageTag="release")
    assert code == "ImageTagAlreadyExistsException"
    assert message == (
        f"The image tag 'release' already exists in the '{repo}' repository and cannot be overwritten "
        "because the repository is immutable."
    )
    with server.client() as client:
        refused = put_manifest(client, repo, "release", second)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["code"] == "TAG_INVALID"
        assert "cannot be overwritten because the repository is immutable" in refused.json()["errors"][0]["message"]
        assert put_manifest(client, repo, "dev-1", first).status_code == 201
        assert put_manifest(client, repo, "dev-1", second).status_code == 201  # excluded: mutable


def test_batch_get_image(ecr, server: RunningServer, repo: str) -> None:  # type: ignore[no-untyped-def]
    body = image_manifest(server, repo, [b"bgi"])
    ecr.put_image(repositoryName=repo, imageManifest=body.decode(), imageTag="v1")
    result = ecr.batch_get_image(
        repositoryName=repo,
        imageIds=[
            {"imageTag": "v1"},
            {"imageDigest": digest_of(body)},
            {"imageTag": "missing"},
            {"imageDigest": digest_of(body), "imageTag": "v1"},
            {"imageDigest": digest_of(b"x"), "imageTag": "v1"},
        ],
    )
    assert [i["imageManifest"].encode() for i in result["images"]] == [body, body, body]
    codes = sorted(f["failureCode"] for f in result["failures"])
    assert codes == ["ImageNotFound", "ImageTagDoesNotMatchDigest"]
    filtered = ecr.batch_get_image(
        repositoryName=repo,
        imageIds=[{"imageTag": "v1"}],
        acceptedMediaTypes=["application/vnd.docker.distribution.manifest.v2+json"],
    )
    assert filtered["images"] == [] and filtered["failures"][0]["failureCode"] == "ImageNotFound"
    code, message = error_of(ecr.batch_get_image, repositoryName=repo, imageIds=[{"imageTag": "a"}] * 101)
    assert code == "InvalidParameterException"
    assert message == (
        "Invalid parameter at 'imageIds' failed to satisfy constraint: "
        "'Member must have length less than or equal to 100'"
    )


def test_list_describe_and_delete_images(ecr, server: RunningServer, repo: str) -> None:  # type: ignore[no-untyped-def]
    bodies = [image_manifest(server, repo, [f"img{i}".encode()]) for i in range(4)]
    ecr.put_image(repositoryName=repo, imageManifest=bodies[0].decode(), imageTag="a")
    ecr.put_image(repositoryName=repo, imageManifest=bodies[0].decode(), imageTag="b")
    ecr.put_image(repositoryName=repo, imageManifest=bodies[1].decode(), imageTag="c")
    ecr.put_image(repositoryName=repo, imageManifest=bodies[2].decode())  # untagged
    ecr.put_image(repositoryName=repo, imageManifest=bodies[3].decode(), imageTag="d")
    listed = ecr.list_images(repositoryName=repo)["imageIds"]
    assert len(listed) == 5  # one per tag, one for the untagged image
    untagged = ecr.list_images(repositoryName=repo, filter={"tagStatus": "UNTAGGED"})["imageIds"]
    assert untagged == [{"imageDigest": digest_of(bodies[2])}]
    tagged = ecr.list_images(repositoryName=repo, filter={"tagStatus": "TAGGED"})["imageIds"]
    assert sorted(i["imageTag"] for i in tagged) == ["a", "b", "c", "d"]
    pages = list(ecr.get_paginator("list_images").paginate(repositoryName=repo, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3 and sum(len(p["imageIds"]) for p in pages) == 5

    details = ecr.describe_images(repositoryName=repo)["imageDetails"]
    assert len(details) == 4
    first = next(d for d in details if d["imageDigest"] == digest_of(bodies[0]))
    assert first["imageTags"] == ["a", "b"]
    assert first["imageSizeInBytes"] > len(bodies[0])
    assert first["imageManifestMediaType"] == OCI_MANIFEST
    assert first["artifactMediaType"] == "application/vnd.oci.image.config.v1+json"
    assert first["imageStatus"] == "ACTIVE"
    assert "imageTags" not in next(d for d in details if d["imageDigest"] == digest_of(bodies[2]))
    assert (
        error_of(ecr.describe_images, repositoryName=repo, imageIds=[{"imageTag": "zzz"}])[0]
        == "ImageNotFoundException"
    )

    deleted = ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageTag": "a"}])
    assert deleted["imageIds"] == [{"imageDigest": digest_of(bodies[0]), "imageTag": "a"}]
    assert [
        d["imageTags"] for d in ecr.describe_images(repositoryName=repo, imageIds=[{"imageTag": "b"}])["imageDetails"]
    ] == [["b"]]
    deleted = ecr.batch_delete_image(
        repositoryName=repo,
        imageIds=[{"imageTag": "b"}, {"imageDigest": digest_of(bodies[1])}, {"imageTag": "nope"}, {}],
    )
    assert {(i["imageDigest"], i.get("imageTag")) for i in deleted["imageIds"]} == {
        (digest_of(bodies[0]), "b"),
        (digest_of(bodies[1]), "c"),
    }
    assert sorted(f["failureCode"] for f in deleted["failures"]) == ["ImageNotFound", "MissingDigestAndTag"]
    remaining = {i["imageDigest"] for i in ecr.list_images(repositoryName=repo)["imageIds"]}
    assert remaining == {digest_of(bodies[2]), digest_of(bodies[3])}


def test_pulls_update_last_recorded_pull_time(ecr, server: RunningServer, repo: str) -> None:  # type: ignore[no-untyped-def]
    body = image_manifest(server, repo, [b"pull-me"])
    ecr.put_image(repositoryName=repo, imageManifest=body.decode(), imageTag="v1")
    assert "lastRecordedPullTime" not in ecr.describe_images(repositoryName=repo)["imageDetails"][0]
    with server.client() as client:
        assert client.get(f"/v2/{repo}/manifests/v1").status_code == 200
    deadline = time.time() + 10
    while time.time() < deadline:
        detail = ecr.describe_images(repositoryName=repo)["imageDetails"][0]
        if "lastRecordedPullTime" in detail:
            assert detail["lastRecordedPullTime"] >= detail["imagePushedAt"]
            return
        time.sleep(0.5)
    pytest.fail("a /v2 pull did not update lastRecordedPullTime")


def test_list_image_referrers(ecr, server: RunningServer, repo: str) -> None:  # type: ignore[no-untyped-def]
    with server.client() as client:
        subject = manifest_for(client, repo, [b"subject"])
        put_manifest(client, repo, "app", subject)
        sbom = manifest_for(
            client,
            repo,
            [b"sbom"],
            artifactType="application/spdx+json",
            subject={"mediaType": OCI_MANIFEST, "digest": digest_of(subject), "size": len(subject)},
        )
        assert put_manifest(client, repo, digest_of(sbom), sbom).status_code == 201
    referrers = ecr.list_image_referrers(repositoryName=repo, subjectId={"imageDigest": digest_of(subject)})
    assert [(r["digest"], r["artifactType"]) for r in referrers["referrers"]] == [
        (digest_of(sbom), "application/spdx+json")
    ]
    none = ecr.list_image_referrers(
        repositoryName=repo,
        subjectId={"imageDigest": digest_of(subject)},
        filter={"artifactTypes": ["application/other"]},
    )
    assert none["referrers"] == []


# -- layers --------------------------------------------------------------------------------------
def test_layer_upload_parts_and_download_url(ecr, repo: str) -> None:  # type: ignore[no-untyped-def]
    data = b"0123456789" * 100_000
    upload = ecr.initiate_layer_upload(repositoryName=repo)
    assert upload["partSize"] > 0
    uid = upload["uploadId"]
    first = ecr.upload_layer_part(
        repositoryName=repo, uploadId=uid, partFirstByte=0, partLastByte=499_999, layerPartBlob=data[:500_000]
    )
    assert first["lastByteReceived"] == 499_999
    code, _ = error_of(
        ecr.upload_layer_part,
        repositoryName=repo,
        uploadId=uid,
        partFirstByte=600_000,
        partLastByte=600_009,
        layerPartBlob=b"x" * 10,
    )
    assert code == "InvalidLayerPartException"
    ecr.upload_layer_part(
        repositoryName=repo,
        uploadId=uid,
        partFirstByte=500_000,
        partLastByte=len(data) - 1,
        layerPartBlob=data[500_000:],
    )
    done = ecr.complete_layer_upload(repositoryName=repo, uploadId=uid, layerDigests=[digest_of(data)])
    assert done["layerDigest"] == digest_of(data)
    again = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    ecr.upload_layer_part(
        repositoryName=repo, uploadId=again, partFirstByte=0, partLastByte=len(data) - 1, layerPartBlob=data
    )
    code, _ = error_of(ecr.complete_layer_upload, repositoryName=repo, uploadId=again, layerDigests=[digest_of(data)])
    assert code == "LayerAlreadyExistsException"

    check = ecr.batch_check_layer_availability(repositoryName=repo, layerDigests=[digest_of(data), digest_of(b"no")])
    assert check["layers"] == [
        {
            "layerDigest": digest_of(data),
            "layerAvailability": "AVAILABLE",
            "layerSize": len(data),
            "mediaType": check["layers"][0]["mediaType"],
        }
    ]
    assert check["failures"][0]["failureCode"] == "MissingLayerDigest"

    url = ecr.get_download_url_for_layer(repositoryName=repo, layerDigest=digest_of(data))["downloadUrl"]
    assert httpx.get(url).content == data  # pre-signed: no credentials needed
    assert httpx.get(url.replace("Signature=", "Signature=0")).status_code == 403
    code, _ = error_of(ecr.get_download_url_for_layer, repositoryName=repo, layerDigest=digest_of(b"absent"))
    assert code == "LayersNotFoundException"


def test_upload_errors(ecr, repo: str) -> None:  # type: ignore[no-untyped-def]
    bogus = "3f2a4c9e-0000-4000-8000-000000000000"
    code, _ = error_of(
        ecr.upload_layer_part, repositoryName=repo, uploadId=bogus, partFirstByte=0, partLastByte=0, layerPartBlob=b"x"
    )
    assert code == "UploadNotFoundException"
    uid = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    assert (
        error_of(ecr.complete_layer_upload, repositoryName=repo, uploadId=uid, layerDigests=[digest_of(b"")])[0]
        == "EmptyUploadException"
    )
    ecr.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=0, partLastByte=2, layerPartBlob=b"abc")
    assert (
        error_of(ecr.complete_layer_upload, repositoryName=repo, uploadId=uid, layerDigests=[digest_of(b"xyz")])[0]
        == "InvalidLayerException"
    )


# -- auth, policies, tags, registry --------------------------------------------------------------
def test_get_authorization_token(ecr, server: RunningServer) -> None:  # type: ignore[no-untyped-def]
    data = ecr.get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(data["authorizationToken"]).decode().split(":")
    assert user == "AWS"
    assert data["proxyEndpoint"] == f"http://{server.host}"
    remaining = data["expiresAt"] - datetime.now(UTC)
    assert timedelta(hours=11, minutes=59) < remaining <= timedelta(hours=12)
    auth = "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()
    assert httpx.get(server.url + "/v2/", headers={"Authorization": auth}).status_code == 200


def test_repository_policy(ecr, repo: str) -> None:  # type: ignore[no-untyped-def]
    assert error_of(ecr.get_repository_policy, repositoryName=repo)[0] == "RepositoryPolicyNotFoundException"
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "pull",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                }
            ],
        }
    )
    assert ecr.set_repository_policy(repositoryName=repo, policyText=policy)["policyText"] == policy
    assert ecr.get_repository_policy(repositoryName=repo)["policyText"] == policy
    assert ecr.delete_repository_policy(repositoryName=repo)["policyText"] == policy
    assert error_of(ecr.delete_repository_policy, repositoryName=repo)[0] == "RepositoryPolicyNotFoundException"
    for bad in (
        "{nope",
        json.dumps({"Statement": []}),
        json.dumps({"Statement": [{"Effect": "Maybe", "Action": "ecr:*"}]}),
    ):
        assert (
            error_of(ecr.set_repository_policy, repositoryName=repo, policyText=bad)[0] == "InvalidParameterException"
        )


def test_registry_policy(ecr) -> None:  # type: ignore[no-untyped-def]
    ecr.delete_registry_policy() if _has_registry_policy(ecr) else None
    assert error_of(ecr.get_registry_policy)[0] == "RegistryPolicyNotFoundException"
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                    "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                    "Resource": "*",
                }
            ],
        }
    )
    assert ecr.put_registry_policy(policyText=policy)["registryId"] == "000000000000"
    assert ecr.get_registry_policy()["policyText"] == policy
    wrong = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage", "Resource": "*"}]}
    )
    assert error_of(ecr.put_registry_policy, policyText=wrong)[0] == "InvalidParameterException"
    assert ecr.delete_registry_policy()["policyText"] == policy


def _has_registry_policy(ecr) -> bool:  # type: ignore[no-untyped-def]
    try:
        ecr.get_registry_policy()
        return True
    except ClientError:
        return False


def test_resource_tags(ecr, repo: str) -> None:  # type: ignore[no-untyped-def]
    arn = f"arn:aws:ecr:us-east-1:000000000000:repository/{repo}"
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a"}])
    ecr.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "env", "Value": "prod"}]
    assert error_of(ecr.list_tags_for_resource, resourceArn="arn:aws:s3:::bucket")[0] == "InvalidParameterException"
    assert error_of(ecr.list_tags_for_resource, resourceArn=arn + "-gone")[0] == "RepositoryNotFoundException"
    assert (
        error_of(ecr.tag_resource, resourceArn=arn, tags=[{"Key": "aws:x", "Value": "y"}])[0]
        == "InvalidTagParameterException"
    )


def test_registry_and_account_settings(ecr) -> None:  # type: ignore[no-untyped-def]
    assert ecr.describe_registry()["registryId"] == "000000000000"
    assert ecr.get_account_setting(name="BASIC_SCAN_TYPE_VERSION")["value"] == "AWS_NATIVE"
    assert ecr.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")["value"] == "ENABLED"
    assert ecr.get_account_setting(name="BLOB_MOUNTING")["value"] == "ENABLED"
    assert error_of(ecr.get_account_setting, name="NOPE")[0] == "ValidationException"
    assert error_of(ecr.put_account_setting, name="BLOB_MOUNTING", value="MAYBE")[0] == "ValidationException"


# -- protocol and signatures ---------------------------------------------------------------------
def test_bad_credentials_and_signatures(server: RunningServer) -> None:
    unknown = server.ecr(aws_access_key_id="AKIAUNKNOWNUNKNOWN00", aws_secret_access_key="x" * 40)
    assert error_of(unknown.describe_repositories)[0] == "UnrecognizedClientException"
    wrong = server.ecr(aws_secret_access_key="not-the-secret")
    code, message = error_of(wrong.describe_repositories)
    assert code == "InvalidSignatureException"
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    ecr = server.ecr()
    skewed = datetime.now(UTC) - timedelta(minutes=20)
    with mock.patch("botocore.auth.get_current_datetime", return_value=skewed.replace(tzinfo=None)):
        code, message = error_of(ecr.describe_repositories)
    assert code == "InvalidSignatureException" and message.startswith("Signature expired:")


def test_protocol_errors(server: RunningServer) -> None:
    headers = {
        "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
        "Content-Type": "application/x-amz-json-1.1",
    }
    anonymous = httpx.post(server.url + "/", headers=headers, content=b"{}")
    assert anonymous.status_code == 403
    assert anonymous.json()["__type"] == "MissingAuthenticationTokenException"
    assert anonymous.headers["x-amzn-RequestId"]
    ecr = server.ecr()
    # An unknown operation, signed correctly, answers UnknownOperationException.
    ecr.meta.events.register(
        "before-sign.ecr.DescribeRegistry",
        lambda request, **_: request.headers.replace_header(
            "X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.Nope"
        ),
    )
    assert error_of(ecr.describe_registry)[0] == "UnknownOperationException"
