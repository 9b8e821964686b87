"""ECR API calls per second on a repository of 10,000 images: cargohold vs moto's server mode.

Run: .venv/bin/python -m bench.ecr_bench [--images N]   (needs wrk and `pip install 'moto[server]'`)
Both servers get the same PutImage load; then each call is signed once with botocore (a SigV4
signature stays valid for 15 minutes) and replayed by wrk, so the measurement is the server, not
boto3's client-side overhead. Writes the `ecr` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bench.registries import Registry, free_port, start_cargohold
from bench.results import write_section

REPO = "bench/ten-thousand"
TARGET = "AmazonEC2ContainerRegistry_V20150921."


def start_moto(workdir: Path) -> Registry:
    binary = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    if not binary:
        raise SystemExit("pip install 'moto[server]' to compare against moto")
    port = free_port()
    reg = Registry("moto", port, workdir)
    reg.process = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=open(workdir / "moto.log", "wb")
    )
    reg.wait_ready("/moto-api/")
    return reg


def credentials_for(reg: Registry) -> tuple[str, str]:
    if reg.name == "moto":
        return "testing", "testing"
    out = subprocess.run(
        [sys.executable, "-m", "cargohold", "admin", "credentials", "--shell"],
        env=reg.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines())
    return values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]


def client(reg: Registry):  # type: ignore[no-untyped-def]
    key, secret = credentials_for(reg)
    return boto3.client(
        "ecr", endpoint_url=reg.url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret
    )


def load(reg: Registry, count: int) -> float:
    ecr = client(reg)
    ecr.create_repository(repositoryName=REPO)
    config, layer = b'{"architecture":"amd64","os":"linux"}', b"layer-bytes" * 100
    digests = []
    for data in (config, layer):
        import hashlib

        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        digests.append(digest)
        if reg.name == "cargohold":
            with httpx.Client(headers=reg.headers()) as http:
                http.post(f"{reg.url}/v2/{REPO}/blobs/uploads/", params={"digest": digest}, content=data)

    def put(i: int) -> None:
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": digests[0],
                "size": len(config),
            },
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digests[1], "size": len(layer)}
            ],
            "annotations": {"build": str(i)},
        }
        local = client_pool[i % len(client_pool)]
        local.put_image(repositoryName=REPO, imageManifest=json.dumps(manifest), imageTag=f"build-{i:05d}")

    client_pool = [client(reg) for _ in range(8)]
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(count)))
    return time.perf_counter() - start


def signed(reg: Registry, operation: str, params: dict) -> tuple[dict[str, str], bytes]:  # type: ignore[type-arg]
    key, secret = credentials_for(reg)
    body = json.dumps(params).encode()
    request = AWSRequest(
        method="POST",
        url=reg.url + "/",
        data=body,
        headers={"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"},
    )
    SigV4Auth(Credentials(key, secret), "ecr", "us-east-1").add_auth(request)
    return dict(request.headers.items()), body


def token_for_page(reg: Registry, operation: str, page: int) -> str | None:
    ecr = client(reg)
    method = {"DescribeImages": ecr.describe_images, "ListImages": ecr.list_images}[operation]
    token = None
    for _ in range(page - 1):
        kwargs = {"repositoryName": REPO, "maxResults": 100}
        if token:
            kwargs["nextToken"] = token
        token = method(**kwargs).get("nextToken")
        if token is None:
            return None
    return token


def rps(reg: Registry, operation: str, params: dict, seconds: int) -> float:  # type: ignore[type-arg]
    headers, body = signed(reg, operation, params)
    # Check the call succeeds before measuring it.
    check = httpx.post(reg.url + "/", headers=headers, content=body)
    if check.status_code != 200:
        raise RuntimeError(f"{reg.name} {operation}: {check.status_code} {check.text[:300]}")
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body.decode())}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", "16", "-d", f"{seconds}s", "-s", str(script), reg.url + "/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    if "Non-2xx" in out:
        raise RuntimeError(f"{reg.name} {operation} answered errors under load: {out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    work = Path(__file__).parent / "work" / "ecr"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    registries = [start_cargohold(work, args.workers), start_moto(work)]
    rows: list[tuple[str, dict[str, float | None]]] = []
    load_times: dict[str, float] = {}
    try:
        for reg in registries:
            load_times[reg.name] = load(reg, args.images)
        cases: list[tuple[str, str, dict, int]] = [  # type: ignore[type-arg]
            ("DescribeImages, page 1 (100 images)", "DescribeImages", {"repositoryName": REPO, "maxResults": 100}, 1),
            ("DescribeImages, page 100", "DescribeImages", {"repositoryName": REPO, "maxResults": 100}, 100),
            ("ListImages, page 1 (100 ids)", "ListImages", {"repositoryName": REPO, "maxResults": 100}, 1),
            ("ListImages, page 100", "ListImages", {"repositoryName": REPO, "maxResults": 100}, 100),
            (
                "BatchGetImage, 1 tag",
                "BatchGetImage",
                {"repositoryName": REPO, "imageIds": [{"imageTag": "build-04242"}]},
                1,
            ),
            (
                "BatchGetImage, 10 tags",
                "BatchGetImage",
                {"repositoryName": REPO, "imageIds": [{"imageTag": f"build-{i:05d}"} for i in range(0, 10_000, 1000)]},
                1,
            ),
        ]
        for label, operation, params, page in cases:
            result: dict[str, float | None] = {}
            for reg in registries:
                call = dict(params)
                if page > 1:
                    token = token_for_page(reg, operation, page)
                    if token is None:
                        result[reg.name] = None  # the server does not paginate this call
                        continue
                    call["nextToken"] = token
                result[reg.name] = rps(reg, operation, call, args.seconds)
            rows.append((label, result))
    finally:
        for reg in registries:
            reg.stop()
    report(rows, load_times, args)


def report(rows, load_times, args) -> None:  # type: ignore[no-untyped-def]
    lines = [
        "## ECR API: cargohold vs moto (server mode)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python -m bench.ecr_bench` on "
        f"{os.cpu_count()} cores: one repository of {args.images:,} images loaded with PutImage into both "
        f"(cargohold: {load_times['cargohold']:.0f} s, {args.workers} workers, SQLite; moto: "
        f"{load_times['moto']:.0f} s), then each call signed once and replayed by wrk (2 threads, 16 "
        f"connections, {args.seconds} s).",
        "",
        "| call | cargohold calls/s | moto calls/s | cargohold / moto |",
        "|---|---|---|---|",
    ]
    for label, result in rows:
        ours, theirs = result.get("cargohold"), result.get("moto")
        ratio = f"{ours / theirs:.1f}x" if ours and theirs else "n/a"

        def cell(value: float | None) -> str:
            return f"{value:,.0f}" if value else "does not paginate"

        lines.append(f"| {label} | {cell(ours)} | {cell(theirs)} | {ratio} |")
    by_label = dict(rows)
    for op in ("DescribeImages", "ListImages"):
        first = by_label[next(label for label in by_label if label.startswith(op) and "page 1 " in label)]["cargohold"]
        last = by_label[f"{op}, page 100"]["cargohold"]
        if first and last:
            lines.append(f"\n{op}: page 100 runs at {last / first:.2f} of page 1's rate (target: at least 0.5).")
    write_section("ecr", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
