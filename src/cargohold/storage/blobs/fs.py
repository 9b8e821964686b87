"""Filesystem BlobStore: content-addressed files under <root>/sha256/<2 hex>/<hex>.

Uploads live in <root>/_uploads/<uuid>. Writing and hashing run on a worker thread while the event
loop keeps reading the socket, so one upload uses both cores: the loop parses HTTP, the thread hashes
(hashlib releases the GIL on large buffers) and writes. A commit fsyncs the file, renames it into
place atomically and fsyncs the directory, so a crash leaves either no blob or a whole one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
from collections.abc import AsyncIterable, AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cargohold.registry.errors import BlobUploadUnknown, DigestInvalid, RangeInvalid

_UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_WRITE_BATCH = 1 << 20
_READ_CHUNK = 1 << 20


@dataclass
class _HashState:
    """Running sha256 of an upload, valid while `offset` equals the file's size."""

    hasher: Any = field(default_factory=hashlib.sha256)
    offset: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class FilesystemBlobStore:
    def __init__(self, root: Path, executor: ThreadPoolExecutor | None = None) -> None:
        self.root = root
        self.uploads_dir = root / "_uploads"
        self.blobs_dir = root / "sha256"
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        self.blobs_dir.mkdir(parents=True, exist_ok=True)
        self._executor = executor or ThreadPoolExecutor(max_workers=8, thread_name_prefix="blobio")
        self._states: dict[str, _HashState] = {}

    # -- paths -------------------------------------------------------------------------------------
    def _blob_path(self, digest: str) -> Path:
        algorithm, _, hexpart = digest.partition(":")
        if algorithm != "sha256" or not re.fullmatch(r"[a-f0-9]{64}", hexpart):
            raise DigestInvalid("invalid digest", {"digest": digest})
        return self.blobs_dir / hexpart[:2] / hexpart

    def _upload_path(self, upload_id: str) -> Path:
        if not _UPLOAD_ID_RE.match(upload_id):
            raise BlobUploadUnknown("blob upload unknown to registry", {"uuid": upload_id})
        return self.uploads_dir / upload_id

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # -- committed blobs ---------------------------------------------------------------------------
    async def stat(self, digest: str) -> int | None:
        try:
            return self._blob_path(digest).stat().st_size
        except FileNotFoundError:
            return None

    async def delete(self, digest: str) -> bool:
        try:
            self._blob_path(digest).unlink()
            return True
        except FileNotFoundError:
            return False

    async def iter_digests(self) -> AsyncIterator[str]:
        for prefix in sorted(os.listdir(self.blobs_dir)):
            prefix_dir = self.blobs_dir / prefix
            if not prefix_dir.is_dir():
                continue
            for name in sorted(os.listdir(prefix_dir)):
                if re.fullmatch(r"[a-f0-9]{64}", name):
                    yield "sha256:" + name

    async def read(self, digest: str, offset: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        path = self._blob_path(digest)
        handle = await self._run(open, path, "rb")
        try:
            await self._run(handle.seek, offset)
            remaining = length
            while remaining is None or remaining > 0:
                size = _READ_CHUNK if remaining is None else min(_READ_CHUNK, remaining)
                chunk = await self._run(handle.read, size)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            handle.close()

    def local_path(self, digest: str) -> Path | None:
        return self._blob_path(digest)

    # -- uploads -----------------------------------------------------------------------------------
    async def start_upload(self, upload_id: str) -> None:
        path = self._upload_path(upload_id)
        path.touch(exist_ok=False)
        self._states[upload_id] = _HashState()

    async def upload_size(self, upload_id: str) -> int:
        try:
            return self._upload_path(upload_id).stat().st_size
        except FileNotFoundError:
            raise BlobUploadUnknown("blob upload unknown to registry", {"uuid": upload_id}) from None

    def _state(self, upload_id: str) -> _HashState:
        state = self._states.get(upload_id)
        if state is None:
            # Another node or an earlier process started this upload: hash from disk at commit.
            state = self._states[upload_id] = _HashState(offset=-1)
        return state

    async def append(self, upload_id: str, chunks: AsyncIterable[bytes], expected_offset: int | None = None) -> int:
        path = self._upload_path(upload_id)
        state = self._state(upload_id)
        async with state.lock:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            except FileNotFoundError:
                raise BlobUploadUnknown("blob upload unknown to registry", {"uuid": upload_id}) from None
            try:
                size = os.fstat(fd).st_size
                if expected_offset is not None and expected_offset != size:
                    raise RangeInvalid(
                        f"chunk starts at byte {expected_offset} but the upload holds {size} bytes",
                        {"uuid": upload_id, "size": size},
                    )
                hashing = state.offset == size
                if not hashing:
                    state.offset = -1
                pending: asyncio.Future[None] | None = None
                batch: list[bytes] = []
                batched = 0
                loop = asyncio.get_running_loop()
                try:
                    async for chunk in chunks:
                        batch.append(chunk)
                        batched += len(chunk)
                        if batched >= _WRITE_BATCH:
                            data = b"".join(batch)
                            batch, batched = [], 0
                            if pending is not None:
                                await pending
                            pending = loop.run_in_executor(
                                self._executor, _write_and_hash, fd, data, state if hashing else None
                            )
                finally:
                    if pending is not None:
                        await pending
                    if batch:
                        await self._run(_write_and_hash, fd, b"".join(batch), state if hashing else None)
                return os.fstat(fd).st_size
            finally:
                os.close(fd)

    async def seal_upload(self, upload_id: str, expected_digest: str) -> int:
        path = self._upload_path(upload_id)
        self._blob_path(expected_digest)  # validates the digest before any work
        state = self._state(upload_id)
        async with state.lock:
            if not path.exists():
                raise BlobUploadUnknown("blob upload unknown to registry", {"uuid": upload_id})
            size, actual = await self._run(_seal, path, state)
            if actual != expected_digest:
                await self.cancel_upload(upload_id)
                raise DigestInvalid(
                    "provided digest did not match uploaded content",
                    {"expected": expected_digest, "actual": actual},
                )
            return int(size)

    async def publish_upload(self, upload_id: str, digest: str) -> None:
        path = self._upload_path(upload_id)
        target = self._blob_path(digest)
        try:
            await self._run(_publish, path, target)
        except FileNotFoundError:
            raise BlobUploadUnknown("blob upload unknown to registry", {"uuid": upload_id}) from None
        self._states.pop(upload_id, None)

    async def commit_upload(self, upload_id: str, expected_digest: str) -> int:
        size = await self.seal_upload(upload_id, expected_digest)
        await self.publish_upload(upload_id, expected_digest)
        return size

    async def modified_at(self, digest: str) -> float | None:
        try:
            return self._blob_path(digest).stat().st_mtime
        except FileNotFoundError:
            return None

    async def cancel_upload(self, upload_id: str) -> None:
        self._states.pop(upload_id, None)
        with contextlib.suppress(FileNotFoundError):
            self._upload_path(upload_id).unlink()

    async def iter_uploads(self) -> AsyncIterator[tuple[str, float]]:
        for name in os.listdir(self.uploads_dir):
            if _UPLOAD_ID_RE.match(name):
                try:
                    yield name, (self.uploads_dir / name).stat().st_mtime
                except FileNotFoundError:
                    continue

    def wipe(self) -> None:
        """Remove everything (tests only)."""
        shutil.rmtree(self.root, ignore_errors=True)


def _write_and_hash(fd: int, data: bytes, state: _HashState | None) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    if state is not None:
        state.hasher.update(data)
        state.offset += len(data)


def _seal(path: Path, state: _HashState) -> tuple[int, str]:
    """fsync the upload and return (size, digest), rehashing from disk when the running hash is stale."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
        size = os.fstat(handle.fileno()).st_size
        if state.offset == size:
            return size, "sha256:" + state.hasher.hexdigest()
        hasher = hashlib.sha256()
        while chunk := handle.read(4 << 20):
            hasher.update(chunk)
        return size, "sha256:" + hasher.hexdigest()


def _publish(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.utime(path)  # a fresh mtime: the orphan sweep leaves files younger than the grace delay alone
    os.replace(path, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
