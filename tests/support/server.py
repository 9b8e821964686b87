"""Start the real cargohold server as a subprocess on a loopback port, as a user would."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    data_dir: Path
    database_url: str | None
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    _token: str | None = None
    _credentials: dict[str, str] | None = None

    @property
    def host(self) -> str:
        return f"localhost:{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["CARGOHOLD_DATA_DIR"] = str(self.data_dir)
        env["CARGOHOLD_PORT"] = str(self.port)
        env["CARGOHOLD_HOST"] = "127.0.0.1"
        if self.database_url:
            env["CARGOHOLD_DATABASE_URL"] = self.database_url
        else:
            env.pop("CARGOHOLD_DATABASE_URL", None)
        env.update(self.extra_env)
        return env

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cargohold", *args], env=self.env(), capture_output=True, text=True, check=check
        )

    def start(self) -> RunningServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cargohold", "serve"], env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start in 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def token(self) -> str:
        if self._token is None:
            self._token = self.cli("login-password").stdout.strip()
        return self._token

    def basic_auth(self) -> str:
        return "Basic " + base64.b64encode(f"AWS:{self.token()}".encode()).decode()

    def credentials(self) -> dict[str, str]:
        """The bootstrap admin's access key pair, as AWS_* environment variables."""
        if self._credentials is None:
            lines = self.cli("admin", "credentials", "--shell").stdout.split()
            pairs = [line.split("=", 1) for line in lines if "=" in line]
            self._credentials = {key: value for key, value in pairs}
        return self._credentials

    def ecr(self, **overrides: str):  # type: ignore[no-untyped-def]
        import boto3

        creds = self.credentials()
        return boto3.client(
            "ecr",
            endpoint_url=self.url.replace("127.0.0.1", "localhost"),
            region_name=overrides.pop("region_name", "us-east-1"),
            aws_access_key_id=overrides.pop("aws_access_key_id", creds["AWS_ACCESS_KEY_ID"]),
            aws_secret_access_key=overrides.pop("aws_secret_access_key", creds["AWS_SECRET_ACCESS_KEY"]),
        )

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": self.basic_auth()}, timeout=60)
