"""Private Redis servers for fault and cluster tests: started on free loopback ports with the machine's
``redis-server`` (Debian's package; ``.ci/run`` installs it), killed with SIGKILL, restarted on the same
data directory (AOF, as production runs it) or empty, and a three-master Redis Cluster.

Nothing here touches the shared Redis on 6379: every server lives in its own temporary directory and
answers on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port(*, cluster: bool = False) -> int:
    """A port nobody listens on. A cluster node also needs port + 10000 (its bus), so <= 55535."""
    if not cluster:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 55000)
        if _bindable(port) and _bindable(port + 10000):
            return port
    raise RuntimeError("no free port pair for a cluster node")


def wait_until(condition, *, timeout: float = 10.0, interval: float = 0.02, what: str = "condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class RedisServer:
    """One redis-server process on 127.0.0.1:<port> with its data in ``directory``."""

    def __init__(self, directory: Path, *, port: int | None = None, aof: bool = True, cluster: bool = False):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port(cluster=cluster)
        self.aof = aof
        self.cluster = cluster
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        args = [
            REDIS_SERVER,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--protected-mode", "no",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "yes" if self.aof else "no",
            "--appendfsync", "everysec",  # docker-compose.yml's production setting
            "--logfile", str(self.directory / "redis.log"),
            "--daemonize", "no",
        ]  # fmt: skip
        if self.cluster:
            args += [
                "--cluster-enabled", "yes",
                "--cluster-config-file", str(self.directory / "nodes.conf"),
                "--cluster-node-timeout", "5000",
            ]  # fmt: skip
        return args

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1", port=self.port, socket_timeout=2, decode_responses=True, **kwargs
        )

    def start(self, *, timeout: float = 10.0) -> RedisServer:
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )

        def answers() -> bool:
            if self.process.poll() is not None:
                log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server on port {self.port} exited: {log}")
            try:
                with contextlib.closing(self.client()) as c:
                    return c.ping()  # answers LOADING until the AOF is read back
            except redis.RedisError:
                return False

        wait_until(answers, timeout=timeout, what=f"redis-server on port {self.port}")
        return self

    def kill9(self) -> None:
        """SIGKILL: no shutdown, no final AOF rewrite, exactly like a crash."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def wipe(self) -> None:
        """Forget every byte on disk (a restart after this comes back empty)."""
        for path in self.directory.iterdir():
            if path.name != "redis.log":
                shutil.rmtree(path) if path.is_dir() else path.unlink()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()


class RedisCluster3:
    """A three-master Redis Cluster (no replicas) on free loopback ports, created with redis-cli."""

    def __init__(self, directory: Path):
        self.nodes = [RedisServer(Path(directory) / f"node{i}", aof=False, cluster=True) for i in range(3)]

    @property
    def url(self) -> str:
        return self.nodes[0].url

    def start(self, *, timeout: float = 30.0) -> RedisCluster3:
        for node in self.nodes:
            node.start()
        subprocess.run(
            [REDIS_CLI, "--cluster", "create", *[f"127.0.0.1:{n.port}" for n in self.nodes],
             "--cluster-replicas", "0", "--cluster-yes"],
            check=True, capture_output=True, timeout=timeout,
        )  # fmt: skip

        def healthy() -> bool:
            for node in self.nodes:
                with contextlib.closing(node.client()) as c:
                    info = c.execute_command("CLUSTER", "INFO")
                    if isinstance(info, bytes | str):
                        info = dict(line.split(":", 1) for line in str(info).splitlines() if ":" in line)
                    if info.get("cluster_state") != "ok" or int(info.get("cluster_known_nodes", 0)) != 3:
                        return False
            return True

        wait_until(healthy, timeout=timeout, interval=0.1, what="the cluster to agree on its slots")
        return self

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
