"""Start cargohold and the CNCF Distribution registry side by side on loopback, for the benchmarks."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Registry:
    name: str
    port: int
    workdir: Path
    auth_header: str | None = None
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": self.auth_header} if self.auth_header else {}

    def creds(self) -> list[str]:
        """skopeo credentials flags for this registry (copy takes --dest-creds/--src-creds)."""
        if not self.auth_header:
            return []
        user_pass = base64.b64decode(self.auth_header.split(" ", 1)[1]).decode()
        return [user_pass]

    def wait_ready(self, path: str) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                httpx.get(self.url + path, timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    def cpu_seconds(self) -> float:
        """User+system CPU of the server process tree so far (from /proc)."""
        assert self.process
        total = 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        pids = [self.process.pid]
        try:
            children = subprocess.run(
                ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
            ).stdout.split()
            pids += [int(p) for p in children]
        except OSError:
            pass
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / ticks
            except (OSError, IndexError):
                continue
        return total

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_distribution(workdir: Path) -> Registry:
    binary = shutil.which("docker-registry") or shutil.which("registry")
    if not binary:
        raise SystemExit("install the Debian package docker-registry to run the side-by-side benchmark")
    port = free_port()
    storage = workdir / "distribution"
    storage.mkdir(parents=True, exist_ok=True)
    config = workdir / "distribution.yml"
    config.write_text(
        f"""version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: {storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
"""
    )
    reg = Registry("distribution", port, workdir)
    reg.process = subprocess.Popen(
        [binary, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=open(workdir / "distribution.log", "wb")
    )
    reg.wait_ready("/v2/")
    return reg


def start_cargohold(workdir: Path, workers: int = 2) -> Registry:
    port = free_port()
    data = workdir / "cargohold"
    env = dict(os.environ)
    env.update(
        {
            "CARGOHOLD_DATA_DIR": str(data),
            "CARGOHOLD_PORT": str(port),
            "CARGOHOLD_WORKERS": str(workers),
            "CARGOHOLD_LOG_LEVEL": "warning",
        }
    )
    env.pop("CARGOHOLD_DATABASE_URL", None)
    cli = [sys.executable, "-m", "cargohold"]
    token = subprocess.run([*cli, "login-password"], env=env, capture_output=True, text=True, check=True).stdout
    reg = Registry("cargohold", port, workdir, env=env)
    reg.auth_header = "Basic " + base64.b64encode(f"AWS:{token.strip()}".encode()).decode()
    reg.process = subprocess.Popen(
        [*cli, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=open(workdir / "cargohold.log", "wb")
    )
    reg.wait_ready("/healthz")
    return reg


def create_repo(reg: Registry, name: str) -> None:
    """Distribution creates repositories on push; cargohold, like ECR, needs them created first."""
    if reg.name == "cargohold":
        subprocess.run(
            [sys.executable, "-m", "cargohold", "repo", "create", name], env=reg.env, check=True, capture_output=True
        )
