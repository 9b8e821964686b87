"""cargohold vs the CNCF Distribution registry, side by side on this machine (issue #2's bench).

Run: .venv/bin/python -m bench.registry_bench [--quick]
Writes bench/RESULTS.md. Needs skopeo, wrk, ab (apache2-utils), curl and the docker-registry Debian package.
Every client and server runs on loopback; each step runs against both registries in the same run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.images import make_layout
from bench.registries import Registry, create_repo, start_cargohold, start_distribution
from bench.results import write_section

MiB = 1024 * 1024


@dataclass
class Row:
    metric: str
    unit: str
    cargohold: float
    distribution: float
    higher_is_better: bool
    target: float  # ratio cargohold/distribution (or distribution/cargohold for times) to reach
    cpu: tuple[float, float] | None = None

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.cargohold / self.distribution if self.distribution else float("inf")
        return self.distribution / self.cargohold if self.cargohold else float("inf")


def timed(reg: Registry, fn: Callable[[], None]) -> tuple[float, float]:
    cpu0 = reg.cpu_seconds()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start, reg.cpu_seconds() - cpu0


def skopeo_copy(src: str, dst: str, reg: Registry, push: bool) -> None:
    args = ["skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false"]
    if reg.creds():
        args += ["--dest-creds" if push else "--src-creds", reg.creds()[0]]
    subprocess.run([*args, src, dst], check=True, capture_output=True)


def raw_upload(reg: Registry, repo: str, path: Path, digest: str) -> None:
    with httpx.Client(headers=reg.headers(), timeout=600) as client:
        start = client.post(f"{reg.url}/v2/{repo}/blobs/uploads/")
        start.raise_for_status()
        location = start.headers["Location"]
    if location.startswith("/"):
        location = reg.url + location
    sep = "&" if "?" in location else "?"
    cmd = [
        "curl",
        "-sf",
        "-o",
        "/dev/null",
        "-X",
        "PUT",
        "-T",
        str(path),
        "-H",
        "Content-Type: application/octet-stream",
        f"{location}{sep}digest={digest}",
    ]
    if reg.auth_header:
        cmd[1:1] = ["-H", f"Authorization: {reg.auth_header}"]
    subprocess.run(cmd, check=True)


def raw_download(reg: Registry, repo: str, digest: str) -> None:
    cmd = ["curl", "-sf", "-o", "/dev/null", f"{reg.url}/v2/{repo}/blobs/{digest}"]
    if reg.auth_header:
        cmd[1:1] = ["-H", f"Authorization: {reg.auth_header}"]
    subprocess.run(cmd, check=True)


def wrk_rps(reg: Registry, path: str, method: str, seconds: int) -> float:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    headers = dict(reg.headers())
    headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"
    lines = [f'wrk.method = "{method}"'] + [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", "32", "-d", f"{seconds}s", "-s", str(script), reg.url + path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    script.unlink()
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors against {reg.name}: {out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match[1])


def ab_head_rps(reg: Registry, path: str, seconds: int) -> float:
    """HEAD requests per second with ApacheBench (wrk waits for a body a HEAD response never sends)."""
    cmd = ["ab", "-q", "-i", "-k", "-c", "32", "-t", str(seconds), "-n", "10000000"]
    if reg.auth_header:
        cmd += ["-H", f"Authorization: {reg.auth_header}"]
    out = subprocess.run([*cmd, reg.url + path], check=True, capture_output=True, text=True).stdout
    failed = re.search(r"Non-2xx responses:\s+(\d+)", out)
    if failed:
        raise RuntimeError(f"ab saw errors against {reg.name}: {out}")
    match = re.search(r"Requests per second:\s+([\d.]+)", out)
    assert match, out
    return float(match[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--workers", type=int, default=2, help="cargohold worker processes")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "work")
    args = parser.parse_args()
    scale = 16 if args.quick else 1
    work: Path = args.workdir
    shutil.rmtree(work / "run", ignore_errors=True)
    (work / "run").mkdir(parents=True)
    images = work / "images"
    big = make_layout(images / f"big-{scale}", "v1", [128 * MiB // scale] * 8)
    small = make_layout(images / "small200", "v1", [4096 + i for i in range(200)])
    mid = make_layout(images / f"mid-{scale}", "v1", [50 * MiB // scale] * 4)
    raw_blob = images / f"raw-{scale}.bin"
    if not raw_blob.exists():
        with open(raw_blob, "wb") as handle:
            for _ in range(1024 // scale):
                handle.write(os.urandom(MiB))
    raw_digest = "sha256:" + hashlib.file_digest(open(raw_blob, "rb"), "sha256").hexdigest()
    pulls_dir = Path("/dev/shm") if Path("/dev/shm").is_dir() else work / "run"

    registries = [start_cargohold(work / "run", args.workers), start_distribution(work / "run")]
    results: dict[str, dict[str, tuple[float, float]]] = {}
    try:
        for reg in registries:
            r = results.setdefault(reg.name, {})
            for repo in ("bench/raw", "bench/big", "bench/small", "bench/mid"):
                create_repo(reg, repo)
            r["raw_upload"] = timed(reg, lambda reg=reg: raw_upload(reg, "bench/raw", raw_blob, raw_digest))
            r["raw_download"] = timed(reg, lambda reg=reg: raw_download(reg, "bench/raw", raw_digest))
            r["push_big"] = timed(
                reg, lambda reg=reg: skopeo_copy(f"oci:{big}:v1", f"docker://{reg.host}/bench/big:v1", reg, True)
            )
            dest = pulls_dir / f"pull-{reg.name}"
            shutil.rmtree(dest, ignore_errors=True)
            r["pull_big"] = timed(
                reg,
                lambda reg=reg, dest=dest: skopeo_copy(
                    f"docker://{reg.host}/bench/big:v1", f"oci:{dest}:v1", reg, False
                ),
            )
            shutil.rmtree(dest, ignore_errors=True)
            r["push_small"] = timed(
                reg, lambda reg=reg: skopeo_copy(f"oci:{small}:v1", f"docker://{reg.host}/bench/small:v1", reg, True)
            )
            skopeo_copy(f"oci:{mid}:v1", f"docker://{reg.host}/bench/mid:v1", reg, True)

            def concurrent_pulls(reg: Registry = reg) -> None:
                dests = [pulls_dir / f"c-{reg.name}-{i}" for i in range(20)]
                with concurrent.futures.ThreadPoolExecutor(20) as pool:
                    list(
                        pool.map(
                            lambda d: skopeo_copy(f"docker://{reg.host}/bench/mid:v1", f"oci:{d}:v1", reg, False), dests
                        )
                    )
                for d in dests:
                    shutil.rmtree(d, ignore_errors=True)

            r["pulls20"] = timed(reg, concurrent_pulls)
            seconds = 3 if args.quick else 10
            r["manifest_rps"] = (wrk_rps(reg, "/v2/bench/big/manifests/v1", "GET", seconds), 0.0)
            r["head_rps"] = (ab_head_rps(reg, f"/v2/bench/raw/blobs/{raw_digest}", seconds), 0.0)
    finally:
        for reg in registries:
            reg.stop()

    c, d = results["cargohold"], results["distribution"]
    size_mib = raw_blob.stat().st_size / MiB
    big_mib = 8 * 128 / scale
    rows = [
        Row(
            "raw blob upload (curl, 1 PUT)",
            "MiB/s",
            size_mib / c["raw_upload"][0],
            size_mib / d["raw_upload"][0],
            True,
            3.0,
            (c["raw_upload"][1], d["raw_upload"][1]),
        ),
        Row(
            "raw blob download (curl)",
            "MiB/s",
            size_mib / c["raw_download"][0],
            size_mib / d["raw_download"][0],
            True,
            0.9,
            (c["raw_download"][1], d["raw_download"][1]),
        ),
        Row(
            f"skopeo push {big_mib:.0f} MiB image (8 layers)",
            "s",
            c["push_big"][0],
            d["push_big"][0],
            False,
            1.0,
            (c["push_big"][1], d["push_big"][1]),
        ),
        Row(
            f"skopeo pull {big_mib:.0f} MiB image",
            "s",
            c["pull_big"][0],
            d["pull_big"][0],
            False,
            1.0,
            (c["pull_big"][1], d["pull_big"][1]),
        ),
        Row(
            "skopeo push 200 small layers",
            "s",
            c["push_small"][0],
            d["push_small"][0],
            False,
            1.0,
            (c["push_small"][1], d["push_small"][1]),
        ),
        Row(
            f"20 concurrent pulls of a {200 / scale:.0f} MiB image",
            "s",
            c["pulls20"][0],
            d["pulls20"][0],
            False,
            1.0,
            (c["pulls20"][1], d["pulls20"][1]),
        ),
        Row("manifest GET (wrk, 32 connections)", "req/s", c["manifest_rps"][0], d["manifest_rps"][0], True, 2.0),
        Row("blob HEAD (ab -k, 32 connections)", "req/s", c["head_rps"][0], d["head_rps"][0], True, 2.0),
    ]
    write_results(rows, args, scale)


def write_results(rows: list[Row], args: argparse.Namespace, scale: int) -> None:
    lines = [
        "## Registry data path: cargohold vs CNCF Distribution",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} cores, by `python -m bench.registry_bench{' --quick' if args.quick else ''}` "
        f"(cargohold with {args.workers} worker processes, SQLite; Distribution 2.8 from Debian, filesystem driver; "
        "both on the same disk, clients on loopback)."
        + (f" Sizes divided by {scale} (quick run)." if scale > 1 else ""),
        "",
        "Ratio is cargohold's advantage: >1 means cargohold is better (faster, or more requests per second).",
        "",
        "| metric | cargohold | Distribution | ratio | target | met | server CPU-s (cargohold / Distribution) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cpu = f"{row.cpu[0]:.1f} / {row.cpu[1]:.1f}" if row.cpu else ""
        lines.append(
            f"| {row.metric} | {row.cargohold:,.1f} {row.unit} | {row.distribution:,.1f} {row.unit} | "
            f"{row.ratio:.2f}x | >= {row.target}x | {'yes' if row.ratio >= row.target else 'no'} | {cpu} |"
        )
    notes = Path(__file__).parent / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    write_section("registry", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
