"""Build real OCI image layouts on disk (gzip tar layers, config, manifest, index) for skopeo to copy."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Layout:
    root: Path
    manifests: dict[str, str] = field(default_factory=dict)  # ref -> manifest digest

    def blob_path(self, digest: str) -> Path:
        return self.root / "blobs" / "sha256" / digest.split(":", 1)[1]

    def write_blob(self, data: bytes) -> str:
        digest = _digest(data)
        path = self.blob_path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_bytes(data)
        return digest

    def ref(self, tag: str) -> str:
        return f"oci:{self.root}:{tag}"


def layer_bytes(size: int, seed: int) -> bytes:
    """A gzip'd tar holding one file of `size` pseudo-random (incompressible) bytes."""
    payload = os.urandom(size) if seed < 0 else hashlib.sha256(str(seed).encode()).digest() * (size // 32 + 1)
    payload = payload[:size]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name=f"file-{seed}.bin")
        info.size = len(payload)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(payload))
    return gzip.compress(buffer.getvalue(), compresslevel=1, mtime=0)


def _write_index(layout: Layout, entries: list[dict[str, Any]]) -> None:
    (layout.root / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    (layout.root / "index.json").write_text(json.dumps(index))


def image_manifest(
    layout: Layout, layers: list[bytes], arch: str = "amd64", labels: dict[str, str] | None = None
) -> tuple[str, int]:
    layer_descs = []
    diff_ids = []
    for data in layers:
        layer_descs.append({"mediaType": OCI_LAYER, "digest": layout.write_blob(data), "size": len(data)})
        diff_ids.append(_digest(gzip.decompress(data)))
    config = {
        "architecture": arch,
        "os": "linux",
        "config": {"Labels": labels or {}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    config_bytes = json.dumps(config).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": OCI_CONFIG,
            "digest": layout.write_blob(config_bytes),
            "size": len(config_bytes),
        },
        "layers": layer_descs,
    }
    body = json.dumps(manifest).encode()
    return layout.write_blob(body), len(body)


def make_image(root: Path, tag: str = "latest", layer_sizes: tuple[int, ...] = (1024, 2048), seed: int = 0) -> Layout:
    layout = Layout(root)
    layers = [layer_bytes(size, seed * 1000 + i) for i, size in enumerate(layer_sizes)]
    digest, size = image_manifest(layout, layers)
    layout.manifests[tag] = digest
    _write_index(
        layout,
        [
            {
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": size,
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        ],
    )
    return layout


def make_multiarch(root: Path, tag: str = "multi", seed: int = 0) -> Layout:
    layout = Layout(root)
    children = []
    for i, arch in enumerate(("amd64", "arm64")):
        digest, size = image_manifest(layout, [layer_bytes(1500 + i, seed * 1000 + i)], arch=arch)
        children.append(
            {
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": size,
                "platform": {"architecture": arch, "os": "linux"},
            }
        )
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children}
    body = json.dumps(index).encode()
    digest = layout.write_blob(body)
    layout.manifests[tag] = digest
    _write_index(
        layout,
        [
            {
                "mediaType": OCI_INDEX,
                "digest": digest,
                "size": len(body),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        ],
    )
    return layout
