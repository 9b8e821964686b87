"""kill -9 during 20 concurrent uploads: afterwards no partial blob is visible and every push that
completed before the kill pulls back byte-identical."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.oci import digest_of
from tests.support.server import RunningServer

UPLOADS = 20
BLOB_SIZE = 8 * 1024 * 1024


def _upload(server: RunningServer, auth: str, repo: str, data: bytes, results: dict[str, str]) -> None:
    digest = digest_of(data)
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": auth}, timeout=30) as client:
            location = client.post(f"/v2/{repo}/blobs/uploads/").headers["Location"]

            def slow():  # type: ignore[no-untyped-def]
                for i in range(0, len(data), 256 * 1024):
                    yield data[i : i + 256 * 1024]
                    time.sleep(0.05)

            location = client.patch(location, content=slow()).headers["Location"]
            done = client.put(location, params={"digest": digest})
            if done.status_code == 201:
                results[digest] = "done"
    except httpx.HTTPError:
        results.setdefault(digest, "interrupted")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_kill_during_concurrent_uploads(server_factory, backend: str) -> None:  # type: ignore[no-untyped-def]
    server: RunningServer = server_factory(backend)
    repo = "crash/test"
    server.cli("repo", "create", repo)
    auth = server.basic_auth()
    payloads = [os.urandom(BLOB_SIZE // (1 + i % 4)) for i in range(UPLOADS)]
    results: dict[str, str] = {}
    threads = [threading.Thread(target=_upload, args=(server, auth, repo, p, results)) for p in payloads]
    for thread in threads:
        thread.start()
    # Kill as soon as the first (small) uploads have completed, while the large ones still stream.
    deadline = time.monotonic() + 30
    while not any(state == "done" for state in list(results.values())) and time.monotonic() < deadline:
        time.sleep(0.02)
    server.kill()
    for thread in threads:
        thread.join(60)

    completed = [d for d, state in results.items() if state == "done"]
    print(f"{len(completed)} of {UPLOADS} uploads completed before the kill")
    assert 0 < len(completed) < UPLOADS, "the kill must land while some uploads are still streaming"
    server.start()
    with httpx.Client(base_url=server.url, headers={"Authorization": server.basic_auth()}, timeout=30) as client:
        for data in payloads:
            digest = digest_of(data)
            response = client.get(f"/v2/{repo}/blobs/{digest}")
            if digest in completed:
                assert response.status_code == 200, digest
                assert response.content == data
            else:
                # Never visible half-written: either absent, or (it finished just as we killed) whole.
                assert response.status_code in (200, 404)
                if response.status_code == 200:
                    assert response.content == data
    # At the storage level too: every committed file's name is the hash of its bytes.
    blob_root = Path(server.data_dir) / "blobs" / "sha256"
    for prefix in blob_root.iterdir():
        for blob in prefix.iterdir():
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name
    server.stop()
