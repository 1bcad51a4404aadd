"""The planning context (inputs plus the decision log) and the questions every module asks of it:
paths inside the image, the settings files, how to run manage.py."""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from generator.facts import Evidence, ProjectFacts
from generator.options import Options
from generator.plan.model import APP, PlanError


class _Context:
    """The inputs plus the decision log (the only mutable state while planning)."""

    def __init__(self, facts: ProjectFacts, options: Options) -> None:
        self.facts = facts
        self.options = options
        self.decisions: list[Evidence] = []
        self.project_dir = _clean_dir(facts.project_dir)
        self.workdir = _in_app(self.project_dir)
        # Installers run in the directory of their manifest (uv, Poetry, PDM and Pipenv look for
        # it in the working directory): the build stage's WORKDIR until the source is in place.
        self.install_dir = _clean_dir(facts.dependencies.directory)
        self.install_workdir = _in_app(self.install_dir)
        # Comment lines for the management-command steps a syntax error will break.
        self.broken: list[str] = []
        # The image's Python minor ("3.12"), set as soon as it is chosen: tool pins depend on it.
        self.minor = ""

    def decide(self, fact: str, file: str | None, line: int | None, why: str) -> None:
        evidence = Evidence(fact, file, line, why)
        if evidence not in self.decisions:
            self.decisions.append(evidence)


def _compiles_messages(ctx: _Context) -> bool:
    return ctx.facts.compilemessages and ctx.options.profile == "production"


def _manage(ctx: _Context) -> str:
    """How to run Django management commands from WORKDIR."""
    manage = ctx.facts.manage_py
    if manage and _clean_dir(str(PurePosixPath(manage).parent)) == ctx.project_dir:
        return f"python {PurePosixPath(manage).name}"
    if manage:
        return f"python {APP}/{_clean_path(manage)}"
    return "python -m django"


def _clean_dir(directory: str | None) -> str:
    if not directory or directory in (".", "./"):
        return "."
    return _clean_path(directory) or "."


def _clean_path(path: str | None) -> str:
    """A relative POSIX path safe to put in a Dockerfile (no spaces, no escape from the context)."""
    if not path:
        return ""
    pure = PurePosixPath(path.replace("\\", "/"))
    parts = [p for p in pure.parts if p not in (".", "")]
    if pure.is_absolute() or ".." in parts:
        raise PlanError(f"{path}: a path outside the repository cannot be copied into the image")
    text = "/".join(parts)
    if not re.fullmatch(r"[A-Za-z0-9_@+.,=-][A-Za-z0-9_@+.,=/-]*", text or "x", re.ASCII):
        raise PlanError(
            f"{path!r}: file names with spaces or special characters cannot be copied safely; "
            "rename it"
        )
    return text


def _in_app(directory: str) -> str:
    return APP if directory == "." else f"{APP}/{directory}"


def _from_install_dir(ctx: _Context, path: str) -> str:
    """`path` (relative to the repository) as the installer sees it from its working directory:
    relative inside that directory, absolute in the image outside it."""
    if ctx.install_dir == ".":
        return path
    if path == ctx.install_dir or path.startswith(f"{ctx.install_dir}/"):
        return path.removeprefix(ctx.install_dir).lstrip("/") or "."
    return f"{APP}/{path}" if path != "." else APP


def _module_file(module: str, files: tuple[str, ...]) -> str | None:
    tail = module.replace(".", "/")
    for path in files:
        if path.endswith(f"{tail}.py") or path.endswith(f"{tail}/__init__.py"):
            return path
    return None


def _split_where(source: str) -> tuple[str | None, int | None]:
    """ "runtime.txt:1" -> ("runtime.txt", 1); free text -> (None, None)."""
    match = re.fullmatch(r"([A-Za-z0-9_./-]+):([0-9]+)", source.strip())
    if match:
        return match.group(1), int(match.group(2))
    if re.fullmatch(r"[A-Za-z0-9_./-]+\.[A-Za-z0-9_]+", source.strip()):
        return source.strip(), None
    return None, None


def _settings_path(value: str | None, workdir: str) -> str | None:
    """An in-image absolute path for a settings value like BASE_DIR / "media", normalised
    (no `.`/`..` parts left), or None when it cannot be read as one."""
    if not value or value == "from environment":
        return None
    text = value.strip()
    path: str | None = None
    if _ABS_PATH.match(text):
        path = text
    elif _REL_PATH.match(text):
        path = f"{workdir}/{text}"
    elif "BASE_DIR" in text or "PROJECT_DIR" in text:
        parts = re.findall(r"[\"']([A-Za-z0-9_.-][A-Za-z0-9_./-]*)[\"']", text, re.ASCII)
        if parts:
            path = f"{workdir}/" + "/".join(p.strip("/") for p in parts)
    if path is None:
        return None
    # normpath folds "/app/../opt/venv/bin" to the "/opt/venv/bin" it really is.
    return posixpath.normpath(path).replace("//", "/")


# ASCII only (a Unicode `\w` admits look-alike letters and digits), anchored with \Z.
_ABS_PATH = re.compile(r"/[A-Za-z0-9_./-]*\Z", re.ASCII)
_REL_PATH = re.compile(r"[A-Za-z0-9_.-][A-Za-z0-9_./-]*\Z", re.ASCII)
# Top-level directories of the base image (FHS and Debian): never handed to the app user, nor
# any directory in them, except the conventional homes of served data below.
_SYSTEM_DIRS = frozenset(
    {
        *("bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media"),
        *("mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"),
    }
)
_DATA_PARENTS = ("/srv", "/var/www")


def writable_dir(path: str, workdir: str) -> bool:
    """May the app user own `path` (a normalised absolute path)?

    Only strictly inside the application directory, strictly inside a conventional data home
    (/srv, /var/www), or a dedicated top-level data directory of its own (/data, /uploads):
    never "/", /etc, /opt/venv/bin or the application directory itself.
    """
    if not path.startswith("/") or path != posixpath.normpath(path):
        return False
    for parent in (APP, workdir, *_DATA_PARENTS):
        if path.startswith(parent + "/"):
            return True
    top = path.strip("/").split("/")[0]
    return bool(top) and top not in _SYSTEM_DIRS and top != APP.strip("/")
