"""Stand-in base images for `python:*-slim-*`, `node:*-slim` and the uv image, built without a registry.

No registry but PyPI, Debian and npm is reachable where the suite runs, so the official images
cannot be pulled. A stand-in is a debootstrap'ed Debian made to look like the official image
(`python`, `python3`, `pip` in /usr/local/bin, no EXTERNALLY-MANAGED marker, no compiler) and
tagged with the exact name a generated Dockerfile's FROM line asks for, so podman never pulls.

Two kinds of python stand-in (facts.md §5-6). Preferred: the look-alike of `python:X.Y-slim-bookworm`
for 3.8-3.13, this machine's pyenv CPython build laid out in /usr/local of one shared minbase bookworm
(CI machines carry the same builds). Fallback where no pyenv build exists: Debian's own python3
(3.11 bookworm, 3.13 trixie), whose Debian-installed packages have no RECORD, so pip cannot upgrade
them as it can in the official image.

Rootfs tarballs are cached under $E2E_CACHE (default /var/tmp/django-dockerfile-e2e); a rerun only
re-imports them. Run `python tests/e2e/standin.py [default] [3.8 ... 3.13] [bookworm] [trixie] [node] [uv]`
to build them ahead (`all-pythons` for every pyenv look-alike; `default` is the one node and uv are
built from: pyenv's 3.11, else Debian's bookworm).
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
from collections.abc import Callable, Iterator
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
# The shared base of every pyenv look-alike: what the official slim-bookworm image installs for
# CPython's shared libraries and extension modules (facts.md §6), nothing else.
MINBASE_PACKAGES = (
    "ca-certificates,netbase,tzdata,libssl3,libsqlite3-0,libffi8,liblzma5,libbz2-1.0,libreadline8,"
    "libuuid1,libncursesw6,zlib1g,libgdbm6,libgdbm-compat4,libnsl2,libtirpc3,libexpat1,libdb5.3,"
    "libcrypt1"
)
# The minor versions whose look-alikes were checked against the official images (facts.md §6).
PYENV_MINORS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
# What the newest 3.9/3.10 patch releases bundle in ensurepip (their official images carry it).
ENSUREPIP_SETUPTOOLS = {"3.9": "79.0.1", "3.10": "79.0.1"}
# The pyenv tree also holds whatever the host installed; the official image's site-packages has
# only what ensurepip put there.
SITE_PACKAGES_KEEP = re.compile(
    r"^(README\.txt|pip|pip-[^/]*\.dist-info|setuptools|setuptools-[^/]*\.dist-info|pkg_resources"
    r"|_distutils_hack|distutils-precedence\.pth|wheel|wheel-[^/]*\.dist-info)$"
)
TREE_EXCLUDES = ("test", "tests", "idlelib", "tkinter", "turtledemo", "__pycache__", "*.a")
ENV_PATH = "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"
# Not in the official image: tools that bring their own CA list (certifi in pip and Poetry's
# requests, npm) must trust this network's TLS proxy too.
CA_ENV = (
    "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    "ENV REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt",
    "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
    "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",
)
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


def _install_network_ca(rootfs: Path) -> None:
    """Put this network's CA in the bundle, and where update-ca-certificates (run by later apt
    installs) will find it again: its TLS goes through its own CA."""
    shutil.copyfile(HOST_CA_BUNDLE, rootfs / "etc/ssl/certs/ca-certificates.crt")
    extra = rootfs / "usr/local/share/ca-certificates"
    extra.mkdir(parents=True, exist_ok=True)
    for crt in HOST_EXTRA_CAS.glob("*.crt"):
        shutil.copyfile(crt, extra / crt.name)


def _apt_like_official(rootfs: Path) -> None:
    """The official images' docker-clean apt hook, and no package lists or .debs left behind."""
    (rootfs / "etc/apt/apt.conf.d/docker-clean").write_text(DOCKER_CLEAN)
    for junk in ("var/lib/apt/lists", "var/cache/apt/archives"):
        for path in (rootfs / junk).glob("*"):
            if path.is_file():
                path.unlink()


def _make_official_looking(rootfs: Path) -> None:
    """Rearrange a debootstrap'ed tree with Debian's python3 into the shape of the official image."""
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
        _symlink(local_bin / name, target)
    _install_network_ca(rootfs)
    _apt_like_official(rootfs)


def _symlink(link: Path, target: str) -> None:
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)


def _debootstrap(rootfs: Path, codename: str, packages: str) -> None:
    """debootstrap a minbase Debian with PACKAGES into ROOTFS, retrying a flaky mirror."""
    if shutil.which("debootstrap") is None:
        raise StandinError("debootstrap is not installed: apt-get install -y debootstrap")
    debs = CACHE / "debs" / codename
    debs.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 4):
        shutil.rmtree(rootfs, ignore_errors=True)
        proc = subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={packages}",
                f"--cache-dir={debs}",
                codename,
                str(rootfs),
                MIRROR,
            ],
            capture_output=True,
            check=False,
        )
        if proc.returncode == 0:
            return
        if attempt == 3:
            tail = (proc.stdout + proc.stderr).decode(errors="replace").splitlines()[-30:]
            raise StandinError(
                f"debootstrap {codename} failed 3 times (mirror {MIRROR}; set "
                "E2E_DEBIAN_MIRROR to use another):\n" + "\n".join(tail)
            )
        time.sleep(10 * attempt)


def _cached_tarball(name: str, build: Callable[[Path], None]) -> Path:
    """Return CACHE/NAME.tar, made once by BUILD(rootfs) and written atomically."""
    tarball = CACHE / f"{name}.tar"
    if tarball.exists():
        return tarball
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix=f"{name}-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        build(rootfs)
        partial = tarball.with_suffix(".partial")
        _run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(partial), "."])
        partial.rename(tarball)
    return tarball


def rootfs_tarball(codename: str) -> Path:
    """Return the cached rootfs tarball of a Debian release with its own python3."""

    def build(rootfs: Path) -> None:
        _debootstrap(rootfs, codename, PACKAGES)
        _make_official_looking(rootfs)

    return _cached_tarball(f"rootfs-{codename}", build)


def minbase_tarball() -> Path:
    """Return the cached minbase bookworm every pyenv look-alike is laid on (built once)."""

    def build(rootfs: Path) -> None:
        _debootstrap(rootfs, "bookworm", MINBASE_PACKAGES)
        _install_network_ca(rootfs)
        _apt_like_official(rootfs)

    with _lock("minbase-bookworm"):
        return _cached_tarball("rootfs-bookworm-minbase", build)


def _pyenv_root() -> Path:
    if os.environ.get("PYENV_ROOT"):
        return Path(os.environ["PYENV_ROOT"])
    if shutil.which("pyenv"):
        proc = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
        if proc.returncode == 0 and proc.stdout.strip():
            return Path(proc.stdout.strip())
    return Path.home() / ".pyenv"


def pyenv_versions() -> dict[str, Path]:
    """The newest pyenv CPython build of each minor in PYENV_MINORS: {"3.12": .../3.12.1}."""
    found: dict[str, tuple[tuple[int, ...], Path]] = {}
    versions = _pyenv_root() / "versions"
    for path in versions.glob("3.*") if versions.is_dir() else ():
        if not re.fullmatch(r"3\.\d+\.\d+", path.name) or not (path / "bin/python3").exists():
            continue
        key = tuple(int(part) for part in path.name.split("."))
        minor = f"{key[0]}.{key[1]}"
        if minor in PYENV_MINORS and (minor not in found or key > found[minor][0]):
            found[minor] = (key, path)
    return {minor: path for minor, (_, path) in sorted(found.items())}


def _setuptools_wheel(version: str) -> Path:
    """setuptools VERSION's wheel from PyPI, cached (what newer ensurepips bundle)."""
    wheels = CACHE / "wheels"
    with _lock("wheels"):
        found = sorted(wheels.glob(f"setuptools-{version}-*.whl"))
        if not found:
            _run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                 "--only-binary=:all:", "-d", str(wheels), f"setuptools=={version}"],
                retries=3,
            )  # fmt: skip
            found = sorted(wheels.glob(f"setuptools-{version}-*.whl"))
    if not found:
        raise StandinError(f"pip download setuptools=={version} left no wheel in {wheels}")
    return found[0]


def _lay_out_pyenv(rootfs: Path, prefix: Path) -> None:
    """Install the pyenv build at PREFIX into ROOTFS/usr/local as the official image lays it out."""
    version = prefix.name
    minor = ".".join(version.split(".")[:2])
    local = rootfs / "usr/local"
    stdlib = f"lib/python{minor}"
    excludes = [f"--exclude={pattern}" for pattern in TREE_EXCLUDES]
    # site-packages holds whatever the host installed since: only ensurepip's share is copied.
    pack = subprocess.Popen(
        ["tar", "-C", str(prefix), "-c", *excludes, f"--exclude=./{stdlib}/site-packages", "."],
        stdout=subprocess.PIPE,
    )
    unpack = subprocess.run(["tar", "-C", str(local), "-x"], stdin=pack.stdout, check=False)
    if pack.wait() != 0 or unpack.returncode != 0:
        raise StandinError(f"copying {prefix} into the look-alike failed")
    site = local / stdlib / "site-packages"
    site.mkdir(parents=True, exist_ok=True)
    for entry in (prefix / stdlib / "site-packages").iterdir():
        if not SITE_PACKAGES_KEEP.match(entry.name):
            continue
        if entry.is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(entry, site / entry.name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(entry, site / entry.name)
    # The build prefix is baked into scripts and build configuration: sdist builds would look
    # for Python.h under it ("Python.h: No such file"), scripts would name a missing python.
    rewrite = [p for p in (local / "bin").iterdir() if p.is_file() and not p.is_symlink()]
    rewrite += list((local / stdlib).glob("_sysconfigdata*.py"))
    rewrite += [p for p in (local / stdlib).glob("config-*/*") if p.is_file()]
    rewrite += list((local / "lib/pkgconfig").glob("*.pc"))
    for path in rewrite:
        data = path.read_bytes()
        if str(prefix).encode() in data and b"\0" not in data[:4096]:
            path.write_bytes(data.replace(str(prefix).encode(), b"/usr/local"))
    if minor in ENSUREPIP_SETUPTOOLS:
        wanted = ENSUREPIP_SETUPTOOLS[minor]
        bundled = local / stdlib / "ensurepip/_bundled"
        for old in bundled.glob("setuptools-*.whl"):
            old.unlink()
        shutil.copy2(_setuptools_wheel(wanted), bundled)
        init = local / stdlib / "ensurepip/__init__.py"
        init.write_text(
            re.sub(r'_SETUPTOOLS_VERSION = "[^"]*"', f'_SETUPTOOLS_VERSION = "{wanted}"',
                   init.read_text())
        )  # fmt: skip
    bin_dir = local / "bin"
    for name, target in (
        ("python3", f"python{minor}"),
        ("python", "python3"),
        ("pip3", f"pip{minor}"),
        ("pip", "pip3"),
    ):
        if not (bin_dir / name).exists():
            _symlink(bin_dir / name, target)
    _run(["chroot", str(rootfs), "ldconfig"])


def pyenv_tarball(minor: str) -> tuple[Path, str]:
    """Return the cached rootfs of the look-alike for MINOR and its full Python version."""
    prefix = pyenv_versions().get(minor)
    if prefix is None:
        raise StandinError(
            f"no pyenv CPython {minor} under {_pyenv_root()}/versions (have "
            f"{', '.join(pyenv_versions()) or 'none'}): `pyenv install {minor}`"
        )
    base = minbase_tarball()

    def build(rootfs: Path) -> None:
        rootfs.mkdir()
        _run(["tar", "-C", str(rootfs), "--numeric-owner", "-xf", str(base)])
        _lay_out_pyenv(rootfs, prefix)

    return _cached_tarball(f"rootfs-python{prefix.name}-bookworm", build), prefix.name


def _import(tarball: Path, ref: str, changes: list[str]) -> None:
    cmd = ["podman", "import"]
    for change in changes:
        cmd += ["--change", change]
    _run([*cmd, str(tarball), ref])


def _python_full_version(ref: str) -> str:
    # runc needs explicit ulimits here (facts.md §5), as in harness.RUN_FLAGS.
    flags = ["--runtime", "runc", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096"]
    code = "import platform; print(platform.python_version())"
    return _run(["podman", "run", "--rm", *flags, ref, "python3", "-c", code]).strip()


def python_base(codename: str) -> str:
    """Return the local image name of the Debian-python stand-in for a release, importing it."""
    if codename not in PYTHON_BY_CODENAME:
        raise StandinError(f"no python stand-in for Debian {codename!r}; have bookworm, trixie")
    ref = f"{IMAGE_PREFIX}/python:{codename}"
    with _lock(f"python-{codename}"):
        if not image_exists(ref):
            _import(rootfs_tarball(codename), ref,
                    [ENV_PATH, "ENV LANG=C.UTF-8", *CA_ENV, 'CMD ["python3"]'])  # fmt: skip
    return ref


def pyenv_base(minor: str) -> str:
    """Return the look-alike of python:MINOR-slim-bookworm (pyenv CPython build), importing it."""
    prefix = pyenv_versions().get(minor)
    ref = f"{IMAGE_PREFIX}/python:{prefix.name if prefix else minor}-pyenv-bookworm"
    with _lock(f"python-{minor}-pyenv"):
        if not image_exists(ref):
            tarball, version = pyenv_tarball(minor)
            changes = [ENV_PATH, "ENV LANG=C.UTF-8", f"ENV PYTHON_VERSION={version}", *CA_ENV,
                       'CMD ["python3"]']  # fmt: skip
            _import(tarball, ref, changes)
    return ref


def default_base() -> str:
    """The python stand-in other stand-ins are built from: pyenv's 3.11 look-alike when there."""
    return pyenv_base("3.11") if "3.11" in pyenv_versions() else python_base("bookworm")


# corepack: the official node images up to 24 bundle it; Debian's nodejs does not. 0.33 is the
# newest release that runs on Debian bookworm's Node 18 (`npm view corepack@0.33.0 engines`).
STANDIN_COREPACK = "0.33.0"
# Shims of this network only, like the CA variables: its npm registry serves package metadata
# without signatures (corepack stops with "No compatible signature found in package metadata"),
# and repo.yarnpkg.com, where corepack fetches Yarn Berry, is unreachable; with a registry set,
# corepack takes Yarn Berry from the npm registry's @yarnpkg/cli-dist instead.
COREPACK_NETWORK_SHIMS = (
    "ENV COREPACK_NPM_REGISTRY=https://registry.npmjs.org COREPACK_INTEGRITY_KEYS=0\n"
)


def node_base() -> str:
    """Return a `node:*-slim` stand-in: a bookworm stand-in plus Debian's nodejs, npm, corepack."""
    ref = f"{IMAGE_PREFIX}/node:bookworm-corepack"
    with _lock("node-bookworm"):
        if image_exists(ref):
            return ref
        archive = CACHE / "image-node-bookworm-corepack.tar"
        if archive.exists():
            _run(["podman", "load", "-i", str(archive)])
            if image_exists(ref):
                return ref
        base = default_base()
        with tempfile.TemporaryDirectory() as ctx:
            Path(ctx, "Containerfile").write_text(
                f"FROM {base}\n"
                "RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm"
                " && rm -rf /var/lib/apt/lists/*"
                f" && npm install -g corepack@{STANDIN_COREPACK} && npm cache clean --force\n"
                + COREPACK_NETWORK_SHIMS
                + 'CMD ["node"]\n'
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
        base = default_base()
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


def _python_standin(ref: str, tag: str) -> str:
    """The pyenv look-alike for a bookworm (or unnamed) Debian, else Debian's own python3."""
    codename = next((c for c in ("bookworm", "trixie", "bullseye") if c in tag), None)
    minor = ".".join(tag.split("-")[0].split(".")[:2])
    if codename in (None, "bookworm") and minor in pyenv_versions():
        return pyenv_base(minor)
    if minor in CODENAME_BY_PYTHON and codename in (None, CODENAME_BY_PYTHON[minor]):
        return python_base(CODENAME_BY_PYTHON[minor])
    have = ", ".join(f"{m} (bookworm)" for m in pyenv_versions())
    raise StandinError(
        f"no stand-in for {ref}: have pyenv look-alikes for {have or 'no minor (no pyenv builds)'};"
        " Debian's python3 gives 3.11 (bookworm) and 3.13 (trixie); generate with"
        " --python-version X.Y --base-variant slim-bookworm"
    )


def standin_for(ref: str) -> str:
    """Build (or reuse) the stand-in that answers for an official image reference."""
    name, _, tag = ref.partition("@")[0].rpartition(":") if ":" in ref else (ref, "", "latest")
    name = name.removeprefix("docker.io/").removeprefix("library/")
    if name == "python":
        return _python_standin(ref, tag)
    if name == "node":
        return node_base()
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
    wanted = argv or ["default"]
    if "all-pythons" in wanted:
        wanted = [w for w in wanted if w != "all-pythons"] + list(pyenv_versions())
    for name in wanted:
        started = time.monotonic()
        if name in ("node", "uv"):
            ref = node_base() if name == "node" else uv_base()
        elif name == "default":
            ref = default_base()
        elif re.fullmatch(r"3\.\d+", name):
            ref = pyenv_base(name)
        else:
            ref = python_base(name)
        extra = "" if name in ("node", "uv") else f" (Python {_python_full_version(ref)})"
        print(f"{ref}{extra}: ready in {time.monotonic() - started:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except StandinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
