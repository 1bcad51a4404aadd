"""Build and run images with podman the way this machine allows (facts.md §5), for tests and bench.

No Docker engine here: builds use `podman build --isolation=chroot`, containers run with `runc` and
explicit ulimits on the host network. Each container gets a free port through $PORT, which every
generated CMD honours, so containers never clash.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

LOG_TAIL = 60
# Steps print as they go; a compile can be quiet for a while, but not this long.
BUILD_IDLE_SECONDS = int(os.environ.get("E2E_BUILD_IDLE_SECONDS", "240"))
RUN_FLAGS = (
    "--runtime",
    "runc",
    "--ulimit",
    "nofile=20000:20000",
    "--ulimit",
    "nproc=4096:4096",
    "--network=host",
)


class HarnessError(AssertionError):
    """A build, a start or a probe failed; the message carries the log tail to read first."""


@dataclass(frozen=True)
class BuildResult:
    tag: str
    seconds: float
    log: str


@dataclass(frozen=True)
class Container:
    id: str
    tag: str
    port: int

    def url(self, path: str = "/") -> str:
        """The address of PATH on this container's server."""
        return f"http://127.0.0.1:{self.port}{path}"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str]


def podman_available() -> str | None:
    """None when podman can build and run here, else the reason it cannot."""
    if shutil.which("podman") is None:
        return "podman is not installed (apt-get install -y podman buildah runc debootstrap)"
    if shutil.which("runc") is None:
        return "runc is not installed (apt-get install -y runc)"
    proc = subprocess.run(["podman", "info"], capture_output=True, check=False)
    if proc.returncode != 0:
        return f"podman info failed: {proc.stderr.decode(errors='replace').strip()[-300:]}"
    return None


def _tail(text: str, lines: int = LOG_TAIL) -> str:
    return "\n".join(text.splitlines()[-lines:])


def podman(*args: str, check: bool = True, timeout: float | None = 120) -> str:
    """Run one podman command and return its stdout; raise with stderr when CHECK fails."""
    proc = subprocess.run(["podman", *args], capture_output=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise HarnessError(
            f"podman {' '.join(args[:4])} failed ({proc.returncode}):\n"
            + _tail((proc.stdout + proc.stderr).decode(errors="replace"))
        )
    return proc.stdout.decode(errors="replace")


def build(
    context: Path,
    tag: str,
    *,
    dockerfile: Path | None = None,
    no_cache: bool = False,
    timeout: float = 900,
) -> BuildResult:
    """Build CONTEXT into TAG; on failure raise with the last 60 lines of the build log.

    `--format docker` keeps HEALTHCHECK (the OCI image format has no field for it). A build that
    prints nothing for BUILD_IDLE_SECONDS is stopped and tried once more (see `_build_once`).
    """
    cmd = ["podman", "build", "--isolation=chroot", "--network=host", "--format", "docker"]
    # Docker's builders resolve their own hostname (/etc/hosts names it); podman's chroot RUN
    # steps get a random hostname that resolves nowhere, so settings doing
    # gethostbyname(gethostname()) would fail here only. The host's name, mapped, behaves alike.
    cmd += ["--uts=host", f"--add-host={socket.gethostname()}:127.0.0.1"]
    cmd += ["-t", tag]
    if dockerfile is not None:
        cmd += ["-f", str(dockerfile)]
    if no_cache:
        cmd.append("--no-cache")
    cmd.append(str(context))
    started = time.monotonic()
    returncode, log, hung = _build_once(cmd, timeout)
    if hung:
        # buildah 1.28 (Debian bookworm's) sometimes deadlocks on its own in-process lock when
        # setting up a `sharing=locked` cache mount (the goroutine dump shows
        # parse.GetCacheMount -> lockfile.Lock). The steps done so far are cached, so a second
        # build resumes where the first stopped.
        returncode, log2, hung = _build_once(cmd, timeout)
        log = f"{log}\n[harness: no output for {BUILD_IDLE_SECONDS}s; build restarted]\n{log2}"
    seconds = time.monotonic() - started
    if hung:
        raise HarnessError(f"podman build of {context} hung twice:\n{_tail(log)}")
    if returncode != 0:
        raise HarnessError(f"podman build of {context} failed after {seconds:.0f}s:\n{_tail(log)}")
    return BuildResult(tag=tag, seconds=seconds, log=log)


def _build_once(cmd: list[str], timeout: float) -> tuple[int, str, bool]:
    """Run one build; (returncode, log, hung), hung when it went silent or ran out of time."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    lines: list[str] = []
    last_output = [time.monotonic()]

    def read() -> None:
        for raw in proc.stdout:  # type: ignore[union-attr]
            lines.append(raw.decode(errors="replace"))
            last_output[0] = time.monotonic()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    hung = False
    while True:
        try:
            proc.wait(timeout=0.5)  # returns at once when the build ends: timings stay exact
            break
        except subprocess.TimeoutExpired:
            now = time.monotonic()
            if now - last_output[0] > BUILD_IDLE_SECONDS or now > deadline:
                hung = True
                proc.kill()
                proc.wait()
                break
    reader.join(timeout=10)
    return proc.returncode, "".join(lines), hung


def free_port() -> int:
    """A TCP port nothing listens on now (host network: each container needs its own)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(
    tag: str,
    env: dict[str, str] | None = None,
    *,
    port: int | None = None,
    hosts: tuple[str, ...] = (),
) -> Container:
    """Start TAG detached with ENV and PORT=<a free port>; return the running container.
    HOSTS (names a runtime contract says the settings connect to) resolve to this machine."""
    port = port or free_port()
    args = ["run", *RUN_FLAGS, "-d", "-e", f"PORT={port}"]
    for host in hosts:
        args += ["--add-host", f"{host}:127.0.0.1"]
    for key, value in (env or {}).items():
        args += ["-e", f"{key}={value}"]
    container_id = podman(*args, tag).strip()
    return Container(id=container_id, tag=tag, port=port)


def logs(container: Container) -> str:
    """The container's combined output, last 60 lines."""
    proc = subprocess.run(
        ["podman", "logs", container.id], capture_output=True, timeout=30, check=False
    )
    return _tail((proc.stdout + proc.stderr).decode(errors="replace"))


def is_running(container: Container) -> bool:
    """True while the container's main process is alive."""
    out = podman("inspect", "--format", "{{.State.Running}}", container.id, check=False)
    return out.strip() == "true"


def get(url: str, *, headers: dict[str, str] | None = None, timeout: float = 10) -> Response:
    """GET URL without following redirects; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as reply:
            return Response(reply.status, reply.read(), dict(reply.headers))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read(), dict(exc.headers or {}))


def wait_ready(container: Container, path: str = "/", timeout: float = 120) -> Response:
    """Poll PATH until the server answers (any HTTP status); raise with the logs if it never does."""
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        try:
            return get(container.url(path), timeout=5)
        except (OSError, urllib.error.URLError) as exc:
            last_error = str(exc)
        if not is_running(container):
            raise HarnessError(
                f"container {container.tag} exited before answering on port {container.port}:\n"
                + logs(container)
            )
        time.sleep(1)
    raise HarnessError(
        f"{container.url(path)} did not answer within {timeout:.0f}s ({last_error}):\n"
        + logs(container)
    )


def exec_(container: Container, *cmd: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run CMD inside the container (as the image's user) and return the finished process."""
    return subprocess.run(
        ["podman", "exec", container.id, *cmd],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def image_healthcheck(tag: str) -> list[str] | None:
    """The HEALTHCHECK test of an image as an argv-like list (["CMD", ...]), None when absent."""
    out = podman("image", "inspect", "--format", "{{json .Config.Healthcheck}}", tag)
    data = json.loads(out or "null")
    if not data or not data.get("Test"):
        return None
    return list(data["Test"])


def healthcheck(container: Container) -> tuple[bool, str]:
    """Run the image's HEALTHCHECK once; (passed, output).

    `podman healthcheck run` works with runc here; where it does not (no healthcheck support in
    the runtime setup), the HEALTHCHECK command itself is run with `podman exec`.
    """
    proc = subprocess.run(
        ["podman", "healthcheck", "run", container.id],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode == 0:
        return True, (proc.stdout + proc.stderr).strip()
    output = (proc.stdout + proc.stderr).strip()
    if "unhealthy" in output:
        return False, output
    test = image_healthcheck(container.tag)
    if not test:
        return False, f"image has no HEALTHCHECK ({output})"
    argv = test[1:] if test[0] == "CMD" else ["/bin/sh", "-c", " ".join(test[1:])]
    done = exec_(container, *argv)
    return done.returncode == 0, f"exec fallback ({output}): {done.stdout}{done.stderr}".strip()


def stop(container: Container, grace: int = 10) -> float:
    """`podman stop -t GRACE`; return the seconds it took (well under GRACE: signal handled)."""
    started = time.monotonic()
    podman("stop", "-t", str(grace), container.id, timeout=grace + 60)
    return time.monotonic() - started


def remove_container(container: Container) -> None:
    """Remove the container, running or not; never raises (cleanup path)."""
    subprocess.run(
        ["podman", "rm", "-f", "-t", "0", container.id], capture_output=True, check=False
    )


def remove_image(tag: str) -> None:
    """Remove an image tag; never raises (cleanup path)."""
    subprocess.run(["podman", "rmi", "-f", tag], capture_output=True, check=False)


def image_size(tag: str) -> int:
    """The image's size in bytes, as podman reports it."""
    return int(podman("image", "inspect", "--format", "{{.Size}}", tag).strip())
