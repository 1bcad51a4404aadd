"""What detection found: frozen dataclasses, each fact traceable to its evidence.

`ProjectFacts.to_json()` is a contract read by other tools: keep the key names stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """Why a fact is believed: the file and line it came from, and the reasoning."""

    fact: str
    file: str | None
    line: int | None
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"fact": self.fact, "file": self.file, "line": self.line, "why": self.why}


def location(file: str, line: int | None) -> str:
    """ "file:line", or just the file when the line is not known."""
    return f"{file}:{line}" if line else file


@dataclass(frozen=True)
class Diagnostic:
    """A warning about the input: a file that could not be read, a conflict between sources."""

    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return f"{location(self.file, self.line)}: {self.message}" if self.file else self.message


class Diagnostics:
    """Collects warnings while detection runs; the only mutable object detection passes around."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()  # a hostile file can give 100,000 warnings: no scan

    def warn(self, message: str, file: str | None = None, line: int | None = None) -> None:
        diag = Diagnostic(message, file, line)
        if diag not in self._seen:
            self._seen.add(diag)
            self.items.append(diag)


@dataclass(frozen=True)
class Requirement:
    """One declared dependency, as read from a manifest (never resolved by running anything)."""

    name: str  # canonical name (packaging.utils.canonicalize_name)
    specifier: str = ""  # e.g. ">=4.2,<5.0"; "" when unconstrained
    extras: tuple[str, ...] = ()
    marker: str | None = None
    url: str | None = None  # direct reference: VCS or archive URL, or local path
    file: str | None = None
    line: int | None = None
    resolved: str | None = None  # exact version from a lockfile or an == pin

    @property
    def is_vcs(self) -> bool:
        return bool(self.url) and self.url.split("+", 1)[0] in {"git", "hg", "svn", "bzr"}

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "specifier": self.specifier,
            "extras": list(self.extras),
            "marker": self.marker,
            "url": self.url,
            "file": self.file,
            "line": self.line,
            "resolved": self.resolved,
        }


@dataclass(frozen=True)
class WheelSupport:
    """For one exactly pinned package with compiled code (or without any wheel): the Python
    minors pip installs it on from a wheel, and which source said so."""

    name: str  # canonical name
    version: str
    minors: tuple[str, ...]  # Python minors with a wheel for CPython on Linux x86_64 (glibc)
    compiled: bool  # ships platform-specific wheels: it has compiled code
    sdist: bool  # a source distribution exists: pip builds it when no wheel fits
    linux: bool  # any file installs on Linux at all (else the install fails there)
    source: str  # "poetry.lock", "the PyPI simple index", "generator/data/wheels.toml (...)"
    file: str | None = None  # where the pin is (the lockfile or requirements file)
    line: int | None = None
    # The Python minors its environment markers install it on (python_version < "3.9"); () = all.
    only_for: tuple[str, ...] = ()
    # Only wheels for other platforms (Windows, macOS) were published: no Linux file of any
    # architecture or glibc and no sdist, judged from the release's file list.
    other_platforms_only: bool = False
    # Python minors with a wheel for CPython on Linux aarch64 (glibc); None when not judged
    # (the recorded table knows x86_64 only): then linux/arm64 is taken to match linux/amd64.
    minors_arm64: tuple[str, ...] | None = None

    def installed_on(self, minor: str | None) -> bool:
        """Whether the installer installs this pin at all on Python `minor`."""
        return not self.only_for or minor is None or minor in self.only_for

    def without_wheel(self, minor: str | None) -> tuple[str, ...]:
        """The platforms ("linux/amd64", "linux/arm64") on which pip finds no wheel of this pin
        for Python `minor` and so compiles it; () when both install a wheel."""
        arm64 = self.minors if self.minors_arm64 is None else self.minors_arm64
        return tuple(
            platform
            for platform, minors in (("linux/amd64", self.minors), ("linux/arm64", arm64))
            if minor not in minors
        )

    def span_arm64(self) -> str:
        """span() for linux/arm64."""
        return replace(self, minors=self.minors_arm64 or ()).span()

    def span(self) -> str:
        """ "3.8-3.10", or "no Python" when no wheel installs on Linux."""
        if not self.minors:
            return "no Python"
        first, last = self.minors[0], self.minors[-1]
        return first if first == last else f"{first}-{last}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "wheels_for": list(self.minors),
            "wheels_for_arm64": None if self.minors_arm64 is None else list(self.minors_arm64),
            "compiled": self.compiled,
            "sdist": self.sdist,
            "only_for": list(self.only_for),
            "source": self.source,
        }


@dataclass(frozen=True)
class Dependencies:
    """The package manager chosen for the project and its production dependency set."""

    manager: str  # pip | pipenv | poetry | uv | pdm | hatch | setuptools | none
    files: tuple[str, ...] = ()  # every dependency manifest considered, relative paths
    lockfile: str | None = None
    requirements: tuple[Requirement, ...] = ()  # the production install set
    # pip: the requirements file the image installs (it may `-r` others).
    install_file: str | None = None
    # Files the install step needs before the source is copied (manifests, lockfile, -r includes).
    install_inputs: tuple[str, ...] = ()
    # The npm/Yarn/pnpm workspace root holding the lockfile, when the build is one of its members.
    workspace_root: str | None = None
    # Where the installer runs: the directory holding the chosen manifest ("." is the root).
    directory: str = "."
    # Tools building the project as a package runs (data/build_tools.toml), e.g. ("node",).
    build_tools: tuple[str, ...] = ()
    # Every dependency group and extra the manifest declares (what may be asked for by name);
    # None when the manifest has no such names to check against (requirements files, Pipfile).
    declared_groups: tuple[str, ...] | None = None
    declared_extras: tuple[str, ...] | None = None
    groups: tuple[str, ...] = ()  # dependency groups included for production (e.g. "prod")
    extras: tuple[str, ...] = ()  # extras of the project itself included for production
    hashes: bool = False  # requirement files carry --hash (pip must use --require-hashes)
    installs_project: bool = False  # the project itself is a package to install (pip install .)
    manager_version: str | None = None  # e.g. "1" for legacy Poetry layouts, "2" for PEP 621 Poetry
    # Poetry: production requirements declared only in PEP 621 [project], which Poetry 1 does not
    # read (it reads [tool.poetry.dependencies]); a Poetry 1 install would leave them out.
    poetry1_unread: tuple[Requirement, ...] = ()
    # Exact pins (the lockfile's whole production set, or == pins) judged by their wheels.
    wheels: tuple[WheelSupport, ...] = ()
    # The lockfile's production set (dependencies of dependencies included), as the installer
    # follows it from the declared requirements; () without a lockfile.
    locked: tuple[Requirement, ...] = ()
    # Packages of the lock (any group) installed from a direct reference: git, a path, a URL
    # (`url` says which); an exported requirements file has no hashes for them.
    lock_direct: tuple[Requirement, ...] = ()
    # The lockfile's own format version (poetry.lock lock-version "2.0", pdm.lock lock_version
    # "4.5.0", uv.lock version.revision "1.3"), and the release that wrote it when the lock names
    # it ("Poetry 1.8.5"): which installer release reads it as written.
    lock_format: str | None = None
    lock_writer: str | None = None
    # Installed with pip after the manager's set: requirements the project declares elsewhere
    # (a per-database requirements file, an extra) that the image needs, e.g. the driver of the
    # database the settings default to. Each keeps the file and line that declares it.
    added: tuple[Requirement, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def find(self, name: str) -> Requirement | None:
        for req in self.requirements:
            if req.name == name:
                return req
        return None

    def names(self) -> set[str]:
        return {req.name for req in self.requirements}


@dataclass(frozen=True)
class PythonSource:
    """One place that states a Python version or range."""

    file: str
    line: int | None
    value: str  # as written, e.g. "3.12.4", ">=3.10,<3.13", "^3.11"
    specifier: str  # normalised PEP 440 specifier, e.g. "==3.12.4", ">=3.10,<3.13"
    exact: bool  # names one release or one minor (a pin), rather than a range

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "value": self.value,
            "specifier": self.specifier,
            "exact": self.exact,
        }


@dataclass(frozen=True)
class PythonChoice:
    version: str  # the image version chosen, "3.12" (minor) or "3.12.7" (patch) when pinned exactly
    source: str  # human-readable: "runtime.txt:1", "Django 5.2 support table", ...
    candidates: tuple[PythonSource, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": self.source,
            "candidates": [c.to_json() for c in self.candidates],
        }


@dataclass(frozen=True)
class DjangoVersion:
    spec: str  # as declared, e.g. ">=5.2,<6" or "*" or ""
    resolved: str | None  # exact version when a lockfile or == pin says so
    source: str | None  # "requirements/base.txt:3"

    def to_json(self) -> dict[str, Any]:
        return {"spec": self.spec, "resolved": self.resolved, "source": self.source}


@dataclass(frozen=True)
class EnvNeed:
    """An environment variable the project cannot import its settings without (no default).

    The build gives it a placeholder on the management-command RUN lines only; the running
    container needs the real value: together these are the image's runtime contract.
    """

    name: str  # validated: [A-Za-z_][A-Za-z0-9_]*
    kind: str  # str | bool | int | float | list | dict | json | url | path | db | cache | email
    #            | search | log_level | choice | db_server (a default naming a database server)
    #            | db_part / db_runtime (a part of the default database, form name | user |
    #              password | host | port | url | switch; db_runtime: the settings import without it)
    file: str
    line: int | None
    why: str
    form: str | None = None  # the URL scheme the code expects ("postgres"); a choice's value;
    #                          a database part's part

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "form": self.form,
            "file": self.file,
            "line": self.line,
            "why": self.why,
        }


@dataclass(frozen=True)
class ExampleModule:
    """A module the settings import that the repository ships only as an example to copy."""

    path: str  # the module file the settings need, absent from the repository
    example: str  # the example shipped instead (configuration_example.py ...)
    file: str  # the settings file importing it
    line: int | None
    # (NAME, kind "str"/"list"): top-level names the example leaves empty ('' or []) that the
    # settings cannot import with empty (a secret key; a value they test and raise on). The
    # build's copy of the example gets a placeholder for each; the real file gives the value.
    blanks: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "example": self.example,
            "file": self.file,
            "line": self.line,
            "blanks": [name for name, _ in self.blanks],
        }


@dataclass(frozen=True)
class SettingsFacts:
    """What the settings modules of the project declare (read with ast, never imported)."""

    settings_module: str | None = None  # default module from manage.py (or found otherwise)
    production_settings_module: str | None = None
    settings_files: tuple[str, ...] = ()  # relative paths of settings modules read
    settings_from_env: bool = (
        False  # manage.py reads the module from the environment with no default
    )
    # When manage.py names no module: the settings module found nearby, which the facts come from.
    settings_guess: str | None = None
    wsgi_application: str | None = None  # "proj.wsgi:application"
    asgi_application: str | None = None
    installed_apps: tuple[str, ...] = ()
    static_root: str | None = None  # as written, or "from environment"
    static_url: str | None = None
    storage: str | None = None  # staticfiles storage backend dotted path
    media_root: str | None = None
    database: str | None = None  # engine ("postgresql", "sqlite3", ...), "from environment"
    # The engine used when nothing is configured: the literal ENGINE, or the default URL scheme
    # / ENGINE a read from the environment falls back to ("postgresql", "mysql", "postgis", ...).
    database_default: str | None = None
    # A database server the settings name by a bare host name ("db": a Compose service), as
    # {"host", "port", "name", "user", "password"} literals: the container must reach that name.
    database_server: dict[str, str] | None = None
    sqlite: bool = False
    sqlite_path: str | None = None  # NAME of the SQLite database, relative to the project dir
    locale_dirs: tuple[str, ...] = ()  # directories holding .po files (relative)
    celery_app: str | None = None  # module holding the Celery app, e.g. "proj.celery"
    channels_consumers: bool = False  # websocket consumers / routing found
    # "path:line" of app code importing django.contrib.gis (GDAL/GEOS loaded at import)
    gis_import: str | None = None
    env_vars: tuple[str, ...] = ()  # environment variables the settings read at import time
    # Static sources and bundle files, relative to the repository root (never leaving it).
    staticfiles_dirs: tuple[str, ...] = ()  # STATICFILES_DIRS entries that could be read
    staticfiles_dirs_unread: bool = False  # some STATICFILES_DIRS entry could not be followed
    # Files a template tag reads at run time: django-vite's manifest, django-webpack-loader's stats.
    bundle_files: tuple[str, ...] = ()
    # django-npm's NpmFinder: the directory (relative to the repository root) whose node_modules
    # it serves, from NPM_ROOT_PATH or the project directory it defaults to.
    npm_finder_root: str | None = None
    compress_offline: bool = False  # django-compressor: COMPRESS_OFFLINE = True
    env_needs: tuple[EnvNeed, ...] = ()  # of those, the ones read with no default
    example_modules: tuple[ExampleModule, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def cited(self, *facts: str) -> tuple[str | None, int | None]:
        """(file, line) of the first evidence of the first of `facts` that has any, to cite in a
        warning or decision; (None, None) when none has."""
        for fact in facts:
            found = next((e for e in self.evidence if e.fact == fact), None)
            if found is not None:
                return found.file, found.line
        return None, None


@dataclass(frozen=True)
class Frontend:
    """A Node build whose output collectstatic picks up."""

    directory: str  # where package.json lives, relative
    manager: str  # npm | yarn | pnpm
    lockfile: str | None
    build_script: str  # the package.json script name, normally "build"
    node_version: str | None  # from .nvmrc / .node-version / engines.node
    node_version_source: str | None  # the file that states it
    output_dir: str | None  # where the build writes, when it can be read
    # Every path the image needs from the build (directories, and files such as a stats file),
    # relative to the repository root; () means the whole directory (output not read).
    outputs: tuple[str, ...] = ()
    # The manager release the project pins (packageManager or volta: an exact release), or the
    # major a lockfile's format belongs to; `manager_pinned_by` says which.
    manager_version: str | None = None
    manager_pinned_by: str | None = None  # packageManager | volta | lockfile
    yarn_berry: bool = False  # Yarn 2+ (.yarnrc.yml, a Berry lockfile, packageManager yarn@2+)
    # What the install step needs before the sources are copied (package.json, lockfile, .npmrc,
    # .yarnrc.yml, .yarn/releases...), relative to the repository root.
    install_inputs: tuple[str, ...] = ()
    # The npm/Yarn/pnpm workspace root holding the lockfile, when the build is one of its members.
    workspace_root: str | None = None
    served_by: str | None = None  # why Django needs the output
    # Arguments the build script is run with (`--configuration production`), chosen because the
    # output Django serves is written only with them.
    build_args: tuple[str, ...] = ()
    # Install only the production dependencies (an install with no build script, whose
    # node_modules the settings serve); a build needs its devDependencies.
    production_only: bool = False
    evidence: tuple[Evidence, ...] = ()

    @property
    def build_command(self) -> str:
        """`npm run build -- --configuration production`: npm hands arguments on after `--`,
        Yarn and pnpm take them directly; "" for an install with no build script."""
        if not self.build_script:
            return ""
        command = f"{self.manager} run {self.build_script}"
        if not self.build_args:
            return command
        return " ".join((command, *(("--",) if self.manager == "npm" else ()), *self.build_args))

    @property
    def label(self) -> str:
        """What the Node stage does, for summaries: the build command, or the install."""
        return self.build_command or f"{self.manager} install (no build script)"

    def to_json(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "manager": self.manager,
            "lockfile": self.lockfile,
            "build_script": self.build_script,
            "build_args": list(self.build_args),
            "production_only": self.production_only,
            "node_version": self.node_version,
            "node_version_source": self.node_version_source,
            "output_dir": self.output_dir,
            "outputs": list(self.outputs),
            "manager_version": self.manager_version,
            "manager_pinned_by": self.manager_pinned_by,
            "yarn_berry": self.yarn_berry,
            "install_inputs": list(self.install_inputs),
            "workspace_root": self.workspace_root,
            "served_by": self.served_by,
        }


@dataclass(frozen=True)
class DocumentedCommand:
    """A management command the project's own scripts run beside collectstatic: a Procfile line,
    a Makefile target, a package.json script or a build script (the plan decides whether the
    image runs it at build)."""

    name: str  # "compilescss", checked: a Python module name
    args: tuple[str, ...]  # as written, each a plain word
    when: str  # before | after: its side of collectstatic in the sequence
    file: str  # where the sequence is written
    line: int | None
    source: str  # "Procfile process 'release'", "Makefile target 'static'", ...
    defined_in: str | None = None  # the repository's management/commands/<name>.py
    # From that file's source: why it needs a database or a service (None: no sign of either),
    # and why it builds static files (None: no sign it does).
    needs: str | None = None
    writes: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "args": list(self.args),
            "when": self.when,
            "file": self.file,
            "line": self.line,
            "source": self.source,
            "defined_in": self.defined_in,
            "needs": self.needs,
            "writes": self.writes,
        }


@dataclass(frozen=True)
class CommittedStatic:
    """A collected STATIC_ROOT committed to the repository with the manifest its storage reads."""

    root: str  # STATIC_ROOT, relative to the repository root
    manifest: str  # the manifest file (staticfiles.json), relative to the repository root
    entries: int  # paths the manifest maps
    storage: str  # the staticfiles storage that reads it
    # Platform configurations that tell the platform not to run collectstatic (file, line).
    disabled_by: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "manifest": self.manifest,
            "entries": self.entries,
            "storage": self.storage,
            "disabled_by": [e.to_json() for e in self.disabled_by],
        }


@dataclass(frozen=True)
class SystemPackage:
    name: str  # Debian package name
    stage: str  # build | runtime
    because: str  # the Python requirement (or feature) that needs it
    source: str  # where the fact comes from (data file row citation)


@dataclass(frozen=True)
class ProjectFacts:
    django: bool
    reason: str
    project_dir: str | None = None  # where manage.py lives, relative ("." for the root)
    manage_py: str | None = None
    settings: SettingsFacts = field(default_factory=SettingsFacts)
    dependencies: Dependencies = field(default_factory=lambda: Dependencies(manager="none"))
    python: PythonChoice | None = None
    django_version: DjangoVersion | None = None
    server: str | None = (
        None  # gunicorn | uvicorn | daphne | hypercorn | granian | uwsgi | waitress
    )
    server_declared: bool = False  # the project lists the server itself (else we add one)
    asgi_required: bool = False
    system_packages: tuple[SystemPackage, ...] = ()
    collectstatic: bool = False
    whitenoise: bool = False
    remote_storage: bool = False  # static files go to S3/GCS/...: collectstatic needs credentials
    # STATIC_ROOT committed with its manifest: the image serves it as is (no collectstatic).
    committed_static: CommittedStatic | None = None
    compilemessages: bool = False
    frontends: tuple[Frontend, ...] = ()  # every Node build the pages need, in path order
    documented_commands: tuple[DocumentedCommand, ...] = ()  # beside collectstatic in its scripts
    other_projects: tuple[str, ...] = ()  # other Django project dirs found, not chosen
    warnings: tuple[Diagnostic, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    @property
    def frontend(self) -> Frontend | None:
        """The first frontend build (most projects have one)."""
        return self.frontends[0] if self.frontends else None

    def packages(self, stage: str) -> list[str]:
        return sorted({p.name for p in self.system_packages if p.stage == stage})

    def to_json(self) -> dict[str, Any]:
        s = self.settings
        d = self.dependencies
        return {
            "django": self.django,
            "reason": self.reason,
            "project_dir": self.project_dir,
            "manage_py": self.manage_py,
            "settings_module": s.settings_module,
            "production_settings_module": s.production_settings_module,
            "wsgi_application": s.wsgi_application,
            "asgi_application": s.asgi_application,
            "asgi_required": self.asgi_required,
            "package_manager": d.manager,
            "dependency_files": list(d.files),
            "lockfile": d.lockfile,
            "install_file": d.install_file,
            "install_directory": d.directory,
            "build_tools": list(d.build_tools),
            "groups": list(d.groups),
            "extras": list(d.extras),
            "python": self.python.to_json() if self.python else None,
            "django_version": self.django_version.to_json() if self.django_version else None,
            "server": self.server,
            "server_declared": self.server_declared,
            "system_packages": {
                "build": self.packages("build"),
                "runtime": self.packages("runtime"),
            },
            "static": {
                # Whether the image runs collectstatic at build (not with remote storage, nor
                # over a collected tree the repository commits).
                "collectstatic": self.collectstatic
                and not self.remote_storage
                and self.committed_static is None,
                "committed": self.committed_static.to_json() if self.committed_static else None,
                "static_root": s.static_root,
                "whitenoise": self.whitenoise,
                "storage": s.storage,
                "remote_storage": self.remote_storage,
            },
            "compilemessages": self.compilemessages,
            "documented_commands": [c.to_json() for c in self.documented_commands],
            "locale_dirs": list(s.locale_dirs),
            "node": self.frontend.to_json() if self.frontend else None,
            "frontends": [f.to_json() for f in self.frontends],
            "celery": s.celery_app,
            "database": s.database,
            "database_default": s.database_default,
            "database_server": s.database_server,
            # What the container needs to start: variables read with no default, and modules
            # the repository ships only as examples.
            "runtime_env": [n.to_json() for n in s.env_needs],
            "example_modules": [m.to_json() for m in s.example_modules],
            "installed_apps": list(s.installed_apps),
            "other_projects": list(self.other_projects),
            "requirements": [r.to_json() for r in d.requirements],
            "wheels": [w.to_json() for w in d.wheels],
            "added_requirements": [r.to_json() for r in d.added],
            "warnings": [
                {"file": w.file, "line": w.line, "message": w.message} for w in self.warnings
            ],
            "evidence": [e.to_json() for e in self.evidence],
        }
