"""Stand-in base images for `python:*-slim-*`, `node:*-slim` and the uv image, built without a registry.

No registry but PyPI, Debian and npm is reachable where the suite runs, so the official images
cannot be pulled. A stand-in is a debootstrap'ed Debian made to look like the official image
(`python`, `python3`, `pip` in /usr/local/bin, no EXTERNALLY-MANAGED marker, no compiler) and
tagged with the exact name a generated Dockerfile's FROM line asks for, so podman never pulls.

Rootfs tarballs are cached under $E2E_CACHE (default /var/tmp/django-dockerfile-e2e); a rerun only
re-imports them. Run `python tests/e2e/standin.py [bookworm] [trixie] [node]` to build them ahead.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("E2E_CACHE", "/var/tmp/django-dockerfile-e2e"))
MIRROR = os.environ.get("E2E_DEBIAN_MIRROR", "http://deb.debian.org/debian")
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HOST_EXTRA_CAS = Path("/usr/local/share/ca-certificates")
# The Debian release whose python3 gives each minor version (bookworm 3.11.2, trixie 3.13.5).
CODENAME_BY_PYTHON = {"3.11": "bookworm", "3.13": "trixie"}
PYTHON_BY_CODENAME = {codename: minor for minor, codename in CODENAME_BY_PYTHON.items()}
# python3-dev: the official image keeps CPython's headers, which source builds (psycopg2) need;
# it pulls libc6-dev but no compiler, so a Dockerfile that forgets build-essential still fails.
# netbase: /etc/services and /etc/protocols, present in the official slim images.
PACKAGES = "python3,python3-venv,python3-pip,python3-dev,ca-certificates,netbase"
IMAGE_PREFIX = "localhost/django-dockerfile-standin"
# The official Debian images ship this file; generated Dockerfiles that use apt cache mounts
# remove it, so it must be there for the stand-in to behave the same.
DOCKER_CLEAN = """\
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
"""


class StandinError(RuntimeError):
    """A stand-in base image could not be built or chosen; the message says what to do."""


@dataclass(frozen=True)
class FromImage:
    """One image a Dockerfile's FROM (or COPY --from) names, after ARG defaults are substituted."""

    ref: str  # e.g. python:3.11.14-slim-bookworm
    line: int


def _run(cmd: list[str], *, retries: int = 1, input_bytes: bytes | None = None) -> str:
    """Run a command, retrying network-bound ones; raise with the output tail on failure."""
    last = ""
    for attempt in range(1, retries + 1):
        proc = subprocess.run(cmd, input=input_bytes, capture_output=True, check=False)
        if proc.returncode == 0:
            return proc.stdout.decode(errors="replace")
        out = (proc.stdout + proc.stderr).decode(errors="replace")
        last = "\n".join(out.splitlines()[-40:])
        if attempt < retries:
            time.sleep(5 * attempt)
    raise StandinError(f"{' '.join(cmd[:3])} ... failed ({retries} attempt(s)):\n{last}")


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    """Serialise builds of one stand-in across parallel test processes."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def image_exists(ref: str) -> bool:
    """True when podman's local storage has an image under this name."""
    return subprocess.run(["podman", "image", "exists", ref], check=False).returncode == 0


def _make_official_looking(rootfs: Path) -> None:
    """Rearrange a debootstrap'ed tree into the shape of the official python image."""
    for marker in rootfs.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
        marker.unlink()
    local_bin = rootfs / "usr/local/bin"
    local_bin.mkdir(parents=True, exist_ok=True)
    for name, target in (
        ("python", "/usr/bin/python3"),
        ("python3", "/usr/bin/python3"),
        ("pip", "/usr/bin/pip3"),
        ("pip3", "/usr/bin/pip3"),
    ):
        link = local_bin / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    # This network's TLS goes through its own CA: put it in the bundle, and where
    # update-ca-certificates (run by later apt installs) will find it again.
    shutil.copyfile(HOST_CA_BUNDLE, rootfs / "etc/ssl/certs/ca-certificates.crt")
    extra = rootfs / "usr/local/share/ca-certificates"
    extra.mkdir(parents=True, exist_ok=True)
    for crt in HOST_EXTRA_CAS.glob("*.crt"):
        shutil.copyfile(crt, extra / crt.name)
    (rootfs / "etc/apt/apt.conf.d/docker-clean").write_text(DOCKER_CLEAN)
    for junk in ("var/lib/apt/lists", "var/cache/apt/archives"):
        for path in (rootfs / junk).glob("*"):
            if path.is_file():
                path.unlink()


def rootfs_tarball(codename: str) -> Path:
    """Return the cached rootfs tarball for a Debian release, building it with debootstrap."""
    tarball = CACHE / f"rootfs-{codename}.tar"
    if tarball.exists():
        return tarball
    if shutil.which("debootstrap") is None:
        raise StandinError("debootstrap is not installed: apt-get install -y debootstrap")
    debs = CACHE / "debs" / codename
    debs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix=f"rootfs-{codename}-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        for attempt in range(1, 4):
            shutil.rmtree(rootfs, ignore_errors=True)
            proc = subprocess.run(
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--include={PACKAGES}",
                    f"--cache-dir={debs}",
                    codename,
                    str(rootfs),
                    MIRROR,
                ],
                capture_output=True,
                check=False,
            )
            if proc.returncode == 0:
                break
            if attempt == 3:
                tail = (proc.stdout + proc.stderr).decode(errors="replace").splitlines()[-30:]
                raise StandinError(
                    f"debootstrap {codename} failed 3 times (mirror {MIRROR}; set "
                    "E2E_DEBIAN_MIRROR to use another):\n" + "\n".join(tail)
                )
            time.sleep(10 * attempt)
        _make_official_looking(rootfs)
        partial = tarball.with_suffix(".partial")
        _run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(partial), "."])
        partial.rename(tarball)
    return tarball


def _python_full_version(ref: str) -> str:
    # runc needs explicit ulimits here (facts.md §5), as in harness.RUN_FLAGS.
    flags = ["--runtime", "runc", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096"]
    code = "import platform; print(platform.python_version())"
    return _run(["podman", "run", "--rm", *flags, ref, "python3", "-c", code]).strip()


def python_base(codename: str) -> str:
    """Return the local image name of the python stand-in for a Debian release, importing it."""
    if codename not in PYTHON_BY_CODENAME:
        raise StandinError(f"no python stand-in for Debian {codename!r}; have bookworm, trixie")
    ref = f"{IMAGE_PREFIX}/python:{codename}"
    with _lock(f"python-{codename}"):
        if image_exists(ref):
            return ref
        tarball = rootfs_tarball(codename)
        changes = [
            "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
            "ENV LANG=C.UTF-8",
            # Not in the official image: tools that bring their own CA list (certifi in
            # Poetry's requests, npm) must trust this network's TLS proxy too.
            "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
            "ENV REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt",
            "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",
            'CMD ["python3"]',
        ]
        cmd = ["podman", "import"]
        for change in changes:
            cmd += ["--change", change]
        _run([*cmd, str(tarball), ref])
    return ref


def node_base(codename: str = "bookworm") -> str:
    """Return a `node:*-slim` stand-in: the Debian base plus Debian's nodejs and npm."""
    ref = f"{IMAGE_PREFIX}/node:{codename}"
    with _lock(f"node-{codename}"):
        if image_exists(ref):
            return ref
        archive = CACHE / f"image-node-{codename}.tar"
        if archive.exists():
            _run(["podman", "load", "-i", str(archive)])
            if image_exists(ref):
                return ref
        base = python_base(codename)
        with tempfile.TemporaryDirectory() as ctx:
            Path(ctx, "Containerfile").write_text(
                f"FROM {base}\n"
                "RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm"
                " && rm -rf /var/lib/apt/lists/*\n"
                'CMD ["node"]\n'
            )
            _run(["podman", "build", "--isolation=chroot", "--network=host", "-t", ref, ctx],
                 retries=3)  # fmt: skip
        partial = archive.with_suffix(".partial")
        _run(["podman", "save", "-o", str(partial), ref])
        partial.rename(archive)
    return ref


def uv_base() -> str:
    """Return a stand-in for ghcr.io/astral-sh/uv: /uv and /uvx from PyPI's uv wheel."""
    ref = f"{IMAGE_PREFIX}/uv:latest"
    with _lock("uv"):
        if image_exists(ref):
            return ref
        base = python_base("bookworm")
        with tempfile.TemporaryDirectory() as ctx:
            # The wheel carries the same static binaries the uv image holds at /uv and /uvx.
            Path(ctx, "Containerfile").write_text(
                f"FROM {base} AS wheel\n"
                "RUN pip install --no-cache-dir --target /w uv\n"
                "FROM scratch\n"
                "COPY --from=wheel /w/bin/uv /w/bin/uvx /\n"
            )
            _run(["podman", "build", "--isolation=chroot", "--network=host", "-t", ref, ctx],
                 retries=3)  # fmt: skip
    return ref


_ARG = re.compile(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*$", re.IGNORECASE)
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.IGNORECASE)
_COPY_FROM = re.compile(r"^\s*COPY\s+.*--from=(\S+)", re.IGNORECASE)
_STAGE = re.compile(r"\bAS\s+(\S+)\s*$", re.IGNORECASE)


def from_images(dockerfile_text: str) -> list[FromImage]:
    """List the external images a Dockerfile names, with global ARG defaults substituted."""
    args: dict[str, str] = {}
    stages: set[str] = set()
    found: list[FromImage] = []
    seen_from = False
    for number, line in enumerate(dockerfile_text.splitlines(), start=1):
        arg = _ARG.match(line)
        if arg and not seen_from:
            args[arg.group(1)] = arg.group(2).strip("\"'")
            continue
        match = _FROM.match(line) or _COPY_FROM.match(line)
        if not match:
            continue
        if _FROM.match(line):
            seen_from = True
            stage = _STAGE.search(line)
        else:
            stage = None
        ref = re.sub(
            r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: args.get(m.group(1), ""), match.group(1)
        )
        if ref.lower() not in stages and ref != "scratch" and not ref.isdigit():
            found.append(FromImage(ref=ref, line=number))
        if stage:
            stages.add(stage.group(1).lower())
    return found


def standin_for(ref: str) -> str:
    """Build (or reuse) the stand-in that answers for an official image reference."""
    name, _, tag = ref.partition("@")[0].rpartition(":") if ":" in ref else (ref, "", "latest")
    name = name.removeprefix("docker.io/").removeprefix("library/")
    if name == "python":
        codename = next((c for c in PYTHON_BY_CODENAME if c in tag), None)
        minor = ".".join(tag.split("-")[0].split(".")[:2])
        codename = codename or CODENAME_BY_PYTHON.get(minor)
        if codename is None or PYTHON_BY_CODENAME[codename] != minor:
            raise StandinError(
                f"no stand-in for {ref}: Debian gives Python 3.11 (bookworm) and 3.13 (trixie);"
                " generate with --python-version 3.11 --base-variant slim-bookworm"
            )
        return python_base(codename)
    if name == "node":
        return node_base("bookworm")
    if name == "ghcr.io/astral-sh/uv":
        return uv_base()
    raise StandinError(f"no stand-in for image {ref}; only python, node and uv are provided")


def provide_bases(dockerfile: Path) -> list[str]:
    """Tag stand-ins under every external image name the Dockerfile uses; return those names."""
    names: list[str] = []
    for image in from_images(dockerfile.read_text()):
        target = image.ref if "/" in image.ref.split(":")[0] else f"docker.io/library/{image.ref}"
        if ":" not in target.rsplit("/", 1)[-1]:
            target += ":latest"
        # Always (re)tag: another image under the official name would make results unrepeatable.
        _run(["podman", "tag", standin_for(image.ref), target])
        names.append(target)
    return names


def main(argv: list[str]) -> int:
    """Build the named stand-ins ahead of the suite (CI does this once per run)."""
    wanted = argv or ["bookworm"]
    for name in wanted:
        started = time.monotonic()
        ref = node_base() if name == "node" else uv_base() if name == "uv" else python_base(name)
        extra = "" if name in ("node", "uv") else f" (Python {_python_full_version(ref)})"
        print(f"{ref}{extra}: ready in {time.monotonic() - started:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except StandinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
