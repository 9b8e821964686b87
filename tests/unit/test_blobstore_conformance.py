"""The conformance suite every BlobStore driver must pass (fs today; S3 joins the parametrisation)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from cargohold.registry.errors import BlobUploadUnknown, DigestInvalid, RangeInvalid
from cargohold.storage.blobs.base import BlobStore
from cargohold.storage.blobs.fs import FilesystemBlobStore

DRIVERS: dict[str, Callable[[Path], BlobStore]] = {"fs": FilesystemBlobStore}


@pytest.fixture(params=sorted(DRIVERS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    return DRIVERS[request.param](tmp_path / "blobs")


async def chunks_of(data: bytes, size: int = 65536) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_upload_commit_read_delete(store: BlobStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)

    async def scenario() -> None:
        upload = str(uuid.uuid4())
        await store.start_upload(upload)
        assert await store.upload_size(upload) == 0
        assert await store.append(upload, chunks_of(data[:1000])) == 1000
        assert await store.append(upload, chunks_of(data[1000:]), expected_offset=1000) == len(data)
        assert await store.stat(digest(data)) is None
        assert await store.commit_upload(upload, digest(data)) == len(data)
        assert await store.stat(digest(data)) == len(data)
        assert b"".join([c async for c in store.read(digest(data))]) == data
        assert b"".join([c async for c in store.read(digest(data), 5, 10)]) == data[5:15]
        assert [d async for d in store.iter_digests()] == [digest(data)]
        with pytest.raises(BlobUploadUnknown):
            await store.upload_size(upload)
        assert await store.delete(digest(data)) is True
        assert await store.delete(digest(data)) is False
        assert await store.stat(digest(data)) is None

    run(scenario())


def test_out_of_order_chunk_is_refused(store: BlobStore) -> None:
    async def scenario() -> None:
        upload = str(uuid.uuid4())
        await store.start_upload(upload)
        await store.append(upload, chunks_of(b"abc"))
        with pytest.raises(RangeInvalid):
            await store.append(upload, chunks_of(b"def"), expected_offset=10)
        assert await store.upload_size(upload) == 3

    run(scenario())


def test_wrong_digest_discards_upload_and_publishes_nothing(store: BlobStore) -> None:
    async def scenario() -> None:
        upload = str(uuid.uuid4())
        await store.start_upload(upload)
        await store.append(upload, chunks_of(b"payload"))
        with pytest.raises(DigestInvalid):
            await store.commit_upload(upload, digest(b"something else"))
        assert await store.stat(digest(b"something else")) is None
        assert await store.stat(digest(b"payload")) is None
        with pytest.raises(BlobUploadUnknown):
            await store.upload_size(upload)

    run(scenario())


def test_commit_after_restart_rehashes_from_storage(store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(100_000)

    async def scenario() -> None:
        upload = str(uuid.uuid4())
        await store.start_upload(upload)
        await store.append(upload, chunks_of(data))
        fresh = type(store)(tmp_path / "blobs")  # another node / a restarted process
        assert await fresh.upload_size(upload) == len(data)
        assert await fresh.commit_upload(upload, digest(data)) == len(data)
        assert await fresh.stat(digest(data)) == len(data)

    run(scenario())


def test_same_content_twice_is_one_blob(store: BlobStore) -> None:
    async def scenario() -> None:
        for _ in range(2):
            upload = str(uuid.uuid4())
            await store.start_upload(upload)
            await store.append(upload, chunks_of(b"dup"))
            await store.commit_upload(upload, digest(b"dup"))
        assert [d async for d in store.iter_digests()] == [digest(b"dup")]

    run(scenario())


def test_empty_blob(store: BlobStore) -> None:
    async def scenario() -> None:
        upload = str(uuid.uuid4())
        await store.start_upload(upload)
        assert await store.commit_upload(upload, digest(b"")) == 0
        assert await store.stat(digest(b"")) == 0

    run(scenario())


def test_unknown_and_malicious_upload_ids(store: BlobStore) -> None:
    async def scenario() -> None:
        for bad in ("../../etc/passwd", "nope", str(uuid.uuid4())):
            with pytest.raises(BlobUploadUnknown):
                await store.upload_size(bad)
            with pytest.raises(BlobUploadUnknown):
                await store.append(bad, chunks_of(b"x"))
        with pytest.raises(DigestInvalid):
            await store.stat("sha256:../../etc")

    run(scenario())


def test_cancel_and_list_uploads(store: BlobStore) -> None:
    async def scenario() -> None:
        upload = str(uuid.uuid4())
        await store.start_upload(upload)
        assert [u async for u, _ in store.iter_uploads()] == [upload]
        await store.cancel_upload(upload)
        await store.cancel_upload(upload)
        assert [u async for u, _ in store.iter_uploads()] == []

    run(scenario())
