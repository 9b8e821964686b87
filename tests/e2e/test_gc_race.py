"""Garbage collection racing pushes: for 60 seconds clients push images that share layers and delete
some, while the server collects continuously with a two-second grace. Afterwards every image still
tagged pulls back complete, and no blob remains that nothing references."""

from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.oci import OCI_MANIFEST, digest_of
from tests.support.server import RunningServer

DURATION = float(os.environ.get("CARGOHOLD_GC_RACE_SECONDS", "60"))
SHARED = [os.urandom(50_000) for _ in range(6)]


def _push(client: httpx.Client, repo: str, layers: list[bytes]) -> bytes:
    descriptors = []
    for layer in layers:
        digest = digest_of(layer)
        # Clients skip uploads the registry already has; that HEAD-then-reference is the racy path.
        if client.head(f"/v2/{repo}/blobs/{digest}").status_code != 200:
            response = client.post(f"/v2/{repo}/blobs/uploads/", params={"digest": digest}, content=layer)
            assert response.status_code == 201, response.text
        descriptors.append(
            {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": len(layer)}
        )
    config = json.dumps({"os": "linux", "n": random.random()}).encode()
    client.post(f"/v2/{repo}/blobs/uploads/", params={"digest": digest_of(config)}, content=config)
    body = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": digest_of(config),
                "size": len(config),
            },
            "layers": descriptors,
        }
    ).encode()
    return body


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_pushes_survive_continuous_collection(server_factory, backend: str) -> None:  # type: ignore[no-untyped-def]
    server: RunningServer = server_factory(
        backend, extra_env={"CARGOHOLD_GC_GRACE_SECONDS": "2", "CARGOHOLD_GC_INTERVAL_SECONDS": "0.2"}
    )
    repo = "race/app"
    server.ecr().create_repository(repositoryName=repo)
    auth = {"Authorization": server.basic_auth()}
    kept: dict[str, bytes] = {}
    lock = threading.Lock()
    errors: list[str] = []
    deadline = time.monotonic() + DURATION

    def worker(index: int) -> None:
        rng = random.Random(index)
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                layers = [*rng.sample(SHARED, 2), os.urandom(rng.randint(1, 20000))]
                body = _push(client, repo, layers)
                tag = f"w{index}-{n}"
                response = client.put(
                    f"/v2/{repo}/manifests/{tag}", content=body, headers={"Content-Type": OCI_MANIFEST}
                )
                if response.status_code != 201:
                    errors.append(f"{tag}: {response.status_code} {response.text}")
                    continue
                with lock:
                    kept[tag] = body
                if rng.random() < 0.5:  # delete half: their unique layers become garbage
                    victim = rng.choice(sorted(kept))
                    with lock:
                        victim_body = kept.pop(victim, None)
                    if victim_body is not None:
                        client.delete(f"/v2/{repo}/manifests/{digest_of(victim_body)}")
                        # a manifest shared by two tags is gone for both
                        with lock:
                            for other in [t for t, b in kept.items() if b == victim_body]:
                                kept.pop(other)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:5]
    assert len(kept) > 20

    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
        for tag, body in kept.items():
            got = client.get(f"/v2/{repo}/manifests/{tag}")
            assert got.status_code == 200 and got.content == body, tag
            document = json.loads(body)
            for descriptor in [document["config"], *document["layers"]]:
                blob = client.get(f"/v2/{repo}/blobs/{descriptor['digest']}")
                assert blob.status_code == 200, (tag, descriptor["digest"])
                assert "sha256:" + hashlib.sha256(blob.content).hexdigest() == descriptor["digest"]

    server.cli("gc", "run", "--grace-seconds", "0")
    status = json.loads(server.cli("gc", "status", "--json").stdout)
    assert status["unreferenced_links"] == 0 and status["unreferenced_blobs"] == 0
    referenced: set[str] = set()
    for body in kept.values():
        document = json.loads(body)
        referenced |= {d["digest"] for d in [document["config"], *document["layers"]]}
    on_disk = {"sha256:" + f.name for d in (Path(server.data_dir) / "blobs" / "sha256").iterdir() for f in d.iterdir()}
    assert on_disk == referenced
