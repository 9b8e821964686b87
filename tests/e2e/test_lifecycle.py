"""Lifecycle policies run for real: preview, execution, archive, in-use protection, and the bytes
coming back on disk after garbage collection."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.support.db import backdate
from tests.support.lifecycle import ISSUE_POLICY_RULES, any_older_than
from tests.support.oci import OCI_MANIFEST, digest_of, push_blob, put_manifest
from tests.support.server import RunningServer

ISSUE_POLICY = {"rules": ISSUE_POLICY_RULES}


def blob_bytes_on_disk(server: RunningServer) -> int:
    root = Path(server.data_dir) / "blobs" / "sha256"
    return sum(f.stat().st_size for d in root.iterdir() for f in d.iterdir())


def push_image(server: RunningServer, repo: str, tags: list[str], layer_size: int, seed: str) -> tuple[str, int]:
    """An image with its own random layer; returns (digest, unique bytes: layer + config + manifest)."""
    with server.client() as client:
        layer = os.urandom(layer_size)
        config = json.dumps({"os": "linux", "seed": seed}).encode()
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": push_blob(client, repo, config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": push_blob(client, repo, layer),
                    "size": len(layer),
                }
            ],
        }
        body = json.dumps(document).encode()
        for tag in tags or [digest_of(body)]:
            assert put_manifest(client, repo, tag, body).status_code == 201
    return digest_of(body), len(layer) + len(config)


def test_issue_policy_preview_execution_and_bytes_back(server: RunningServer, repo: str) -> None:
    ecr = server.ecr()
    now = datetime.now(UTC)
    scenario = {  # name: (tags, age in days, expected action)
        "untagged-old": ([], 3, "expire"),
        "untagged-fresh": ([], 0, None),
        "all-prefixes-old": (["dev-1", "staging-1", "pr-1"], 45, "expire"),
        "all-prefixes-new": (["dev-2", "staging-2", "pr-2"], 10, None),
        "dev-only-old": (["dev-9"], 60, None),  # ECR: every prefix of the list must match a tag
        "prod-old": (["prod-1"], 400, None),
        "prod-new": (["prod-2"], 1, None),
    }
    images = {}
    for name, (tags, age, _) in scenario.items():
        digest, unique = push_image(server, repo, tags, 200_000 + len(images) * 1000, name)
        backdate(server, digest, now - timedelta(days=age, hours=1))
        images[name] = (digest, unique)
    ecr.put_lifecycle_policy(repositoryName=repo, lifecyclePolicyText=json.dumps(ISSUE_POLICY))
    expected = {images[n][0] for n, (_, _, action) in scenario.items() if action == "expire"}

    assert ecr.start_lifecycle_policy_preview(repositoryName=repo)["status"] == "COMPLETE"
    ecr.get_waiter("lifecycle_policy_preview_complete").wait(repositoryName=repo)
    preview = ecr.get_lifecycle_policy_preview(repositoryName=repo)
    assert {r["imageDigest"] for r in preview["previewResults"]} == expected
    assert preview["summary"]["expiringImageTotalCount"] == 2
    assert {r["appliedRulePriority"] for r in preview["previewResults"]} == {1, 2}
    assert all(r["action"] == {"type": "EXPIRE"} for r in preview["previewResults"])

    cli = server.cli("lifecycle", "preview", repo, "--json").stdout.splitlines()
    summary = json.loads(cli[-1])["summary"]
    expected_bytes = sum(images[n][1] for n, (_, _, a) in scenario.items() if a == "expire")
    assert summary["expire"] == 2 and summary["bytesFreed"] >= expected_bytes
    assert "selects only images whose tags match every entry" in summary["warnings"][0]
    assert summary["usdPerMonthSaved"] == pytest.approx(summary["bytesFreed"] / 1024**3 * 0.10, abs=1e-4)
    kept = {json.loads(line)["digest"]: json.loads(line)["reason"] for line in cli[:-1]}
    assert kept[images["dev-only-old"][0]] == "kept: no rule selects it"
    assert kept[images["prod-old"][0]] == "kept: no rule selects it"

    before = blob_bytes_on_disk(server)
    run = server.cli("lifecycle", "run", repo)
    assert "expired 2" in run.stdout
    remaining = {d["imageDigest"] for d in ecr.describe_images(repositoryName=repo)["imageDetails"]}
    assert remaining == {digest for digest, _ in images.values()} - expected
    assert ecr.get_lifecycle_policy(repositoryName=repo)["lastEvaluatedAt"] is not None
    server.cli("gc", "run", "--grace-seconds", "0")
    assert before - blob_bytes_on_disk(server) == expected_bytes
    status = json.loads(server.cli("gc", "status", "--json").stdout)
    assert status["unreferenced_blobs"] == 0


def test_as_of_preview_answers_what_will_go_by_then(server: RunningServer, repo: str) -> None:
    ecr = server.ecr()
    digest, _ = push_image(server, repo, ["dev-a", "staging-a", "pr-a"], 1000, "future")
    ecr.put_lifecycle_policy(repositoryName=repo, lifecyclePolicyText=json.dumps(ISSUE_POLICY))
    today = json.loads(server.cli("lifecycle", "preview", repo, "--json").stdout.splitlines()[-1])["summary"]
    later = (datetime.now(UTC) + timedelta(days=45)).date().isoformat()
    then = server.cli("lifecycle", "preview", repo, "--json", "--as-of", later).stdout.splitlines()
    assert today["expire"] == 0
    assert json.loads(then[-1])["summary"]["expire"] == 1
    assert json.loads(then[0])["digest"] == digest


def test_validation_wording(server: RunningServer, repo: str) -> None:
    ecr = server.ecr()
    bad = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 0},
                "action": {"type": "expire"},
            }
        ]
    }
    with pytest.raises(ClientError) as info:
        ecr.put_lifecycle_policy(repositoryName=repo, lifecyclePolicyText=json.dumps(bad) + " " * 40)
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    assert info.value.response["Error"]["Message"].startswith(
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation "
        "failure: "
    )
    assert "minimum: 1, found: 0" in info.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as info:
        ecr.get_lifecycle_policy(repositoryName=repo)
    assert info.value.response["Error"]["Code"] == "LifecyclePolicyNotFoundException"
    with pytest.raises(ClientError) as info:
        ecr.get_lifecycle_policy_preview(repositoryName=repo)
    assert info.value.response["Error"]["Code"] == "LifecyclePolicyPreviewNotFoundException"


def test_archive_and_restore(server: RunningServer, repo: str) -> None:
    ecr = server.ecr()
    digest, _ = push_image(server, repo, ["old"], 1000, "archive")
    backdate(server, digest, datetime.now(UTC) - timedelta(days=100))
    policy = any_older_than(90, "transition")
    ecr.put_lifecycle_policy(repositoryName=repo, lifecyclePolicyText=json.dumps(policy))
    ecr.start_lifecycle_policy_preview(repositoryName=repo)
    preview = ecr.get_lifecycle_policy_preview(repositoryName=repo)
    assert preview["previewResults"][0]["action"] == {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}
    assert preview["summary"]["transitioningImageTotalCounts"] == [
        {"targetStorageClass": "ARCHIVE", "imageTotalCount": 1}
    ]
    assert "archived 1" in server.cli("lifecycle", "run", repo).stdout
    with server.client() as client:
        assert client.get(f"/v2/{repo}/manifests/old").status_code == 404
    assert ecr.describe_images(repositoryName=repo)["imageDetails"] == []
    archived = ecr.describe_images(repositoryName=repo, filter={"imageStatus": "ARCHIVED"})["imageDetails"]
    assert [d["imageStatus"] for d in archived] == ["ARCHIVED"]
    assert "lastArchivedAt" in archived[0]
    restored = ecr.update_image_storage_class(
        repositoryName=repo, imageId={"imageTag": "old"}, targetStorageClass="STANDARD"
    )
    assert restored["imageStatus"] == "ACTIVE"
    with server.client() as client:
        assert client.get(f"/v2/{repo}/manifests/old").status_code == 200


def test_in_use_images_are_kept(server: RunningServer, repo: str, tmp_path: Path) -> None:
    ecr = server.ecr()
    used, _ = push_image(server, repo, ["v1"], 1000, "used")
    unused, _ = push_image(server, repo, ["v0"], 1000, "unused")
    for digest in (used, unused):
        backdate(server, digest, datetime.now(UTC) - timedelta(days=100))
    task = tmp_path / "task.json"
    task.write_text(
        json.dumps(
            {
                "family": "web",
                "revision": 7,
                "containerDefinitions": [
                    {"name": "web", "image": f"000000000000.dkr.ecr.us-east-1.amazonaws.com/{repo}:v1"}
                ],
            }
        )
    )
    server.cli("deployments", "register", str(task), "--cluster", "prod", "--service", "web")
    policy = any_older_than(30)
    ecr.put_lifecycle_policy(repositoryName=repo, lifecyclePolicyText=json.dumps(policy))
    lines = server.cli("lifecycle", "preview", repo, "--json").stdout.splitlines()[:-1]
    reasons = {json.loads(line)["digest"]: json.loads(line) for line in lines}
    assert reasons[used]["action"] is None
    assert reasons[used]["reason"] == "kept: in use by service web (cluster prod)"
    assert reasons[unused]["action"] == "expire"


def test_pull_time_update_exclusions(server: RunningServer, repo: str) -> None:
    ecr = server.ecr()
    me = server.credentials()
    arn = "arn:aws:iam::000000000000:user/admin"
    assert me
    ecr.register_pull_time_update_exclusion(principalArn=arn)
    with pytest.raises(ClientError) as info:
        ecr.register_pull_time_update_exclusion(principalArn=arn)
    assert info.value.response["Error"]["Code"] == "ExclusionAlreadyExistsException"
    assert arn in ecr.list_pull_time_update_exclusions()["pullTimeUpdateExclusions"]
    push_image(server, repo, ["x"], 100, "excluded")
    with server.client() as client:
        assert client.get(f"/v2/{repo}/manifests/x").status_code == 200
    time.sleep(3)  # pull times are flushed every 2 s
    assert "lastRecordedPullTime" not in ecr.describe_images(repositoryName=repo)["imageDetails"][0]
    ecr.deregister_pull_time_update_exclusion(principalArn=arn)
    with pytest.raises(ClientError) as info:
        ecr.deregister_pull_time_update_exclusion(principalArn=arn)
    assert info.value.response["Error"]["Code"] == "ExclusionNotFoundException"


def test_pulled_within_protection_and_audit(server: RunningServer, repo: str) -> None:
    ecr = server.ecr()
    hot, _ = push_image(server, repo, ["hot"], 500, "hot")
    cold, _ = push_image(server, repo, ["cold"], 500, "cold")
    now = datetime.now(UTC)
    backdate(server, hot, now - timedelta(days=200), now - timedelta(days=2))
    backdate(server, cold, now - timedelta(days=200))
    server.cli("repo", "protect", repo, "--pulled-within-days", "7")
    policy = any_older_than(90)
    ecr.put_lifecycle_policy(repositoryName=repo, lifecyclePolicyText=json.dumps(policy))
    assert "expired 1" in server.cli("lifecycle", "run", repo).stdout
    assert [d["imageTags"] for d in ecr.describe_images(repositoryName=repo)["imageDetails"]] == [["hot"]]
    events = server.cli("audit", "lookup", "--resource", cold, "--json").stdout.splitlines()
    assert json.loads(events[0])["action"] == "ecr:BatchDeleteImage"
    assert json.loads(events[0])["face"] == "lifecycle"
