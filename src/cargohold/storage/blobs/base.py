"""The BlobStore contract every driver honours (fs now, S3 next).

Modelled on CNCF Distribution's small storage-driver interface: uploads are written to a temporary
place, hashed while written, made durable, and only then become a blob under their digest. A blob
that exists is always whole. The conformance suite in tests/unit/test_blobstore_conformance.py runs
against every driver.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Protocol


class BlobStore(Protocol):
    async def stat(self, digest: str) -> int | None:
        """Size of a committed blob, or None when absent."""

    async def delete(self, digest: str) -> bool:
        """Remove a committed blob; False when it was not there."""

    def iter_digests(self) -> AsyncIterator[str]:
        """Every committed blob's digest (for garbage collection and audits)."""

    def read(self, digest: str, offset: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        """Stream a committed blob's bytes."""

    def local_path(self, digest: str) -> Path | None:
        """A file the server may send with sendfile(2), when the driver keeps blobs on local disk."""

    async def start_upload(self, upload_id: str) -> None:
        """Create an empty upload."""

    async def upload_size(self, upload_id: str) -> int:
        """Bytes received so far; raises BlobUploadUnknown when there is no such upload."""

    async def append(self, upload_id: str, chunks: AsyncIterable[bytes], expected_offset: int | None = None) -> int:
        """Append a stream to an upload and return its new size.

        With expected_offset, the chunk must start exactly where the upload ends (RangeInvalid otherwise).
        """

    async def seal_upload(self, upload_id: str, expected_digest: str) -> int:
        """Verify the upload's digest and make its bytes durable (fsync); return its size.

        On a digest mismatch the upload is discarded and DigestInvalid raised. Nothing is visible yet.
        """

    async def publish_upload(self, upload_id: str, digest: str) -> None:
        """Make a sealed upload the blob `digest`, atomically. Callers hold the blob's database row
        (see registry/blobs.py) so garbage collection cannot remove the blob while it is published."""

    async def commit_upload(self, upload_id: str, expected_digest: str) -> int:
        """seal_upload then publish_upload, for callers with nothing to coordinate."""

    async def cancel_upload(self, upload_id: str) -> None:
        """Discard an upload; a no-op when it does not exist."""

    def iter_uploads(self) -> AsyncIterator[tuple[str, float]]:
        """(upload id, last modification time) of every upload in progress, for cleanup."""

    async def modified_at(self, digest: str) -> float | None:
        """When a committed blob was last written or published (epoch seconds), None when absent."""
