""".dockerignore: what stays out of the build context."""

from __future__ import annotations

from generator.plan.context import _Context, _settings_path
from generator.plan.model import APP


def _sqlite_file(ctx: _Context) -> tuple[str, ...]:
    """The SQLite database the settings name, with its -journal/-wal/-shm files, whatever its
    suffix: a developer's committed database must never reach the image (it starts empty).

    No bare wildcard after the name: a NAME of "app" must not drop `apps/`. A name without a suffix
    ("db", "data") may be a directory of the source as well, so only names with one are listed.
    """
    s = ctx.facts.settings
    path = _settings_path(s.sqlite_path, ctx.workdir) if s.sqlite else None
    if path is None or not path.startswith(f"{APP}/") or "." not in path.rsplit("/", 1)[-1]:
        return ()
    name = path.removeprefix(f"{APP}/")
    return (name, f"{name}-*")  # the file, and its -journal, -wal and -shm companions


def _dockerignore(ctx: _Context) -> tuple[tuple[str, tuple[str, ...]], ...]:
    facts = ctx.facts
    prefix = "" if ctx.project_dir == "." else f"{ctx.project_dir}/"
    sections: list[tuple[str, tuple[str, ...]]] = [
        ("Version control and CI", (".git", ".gitignore", ".github", ".gitlab-ci.yml")),
        (
            "This file and the Dockerfile: editing them must not invalidate the source layer",
            (
                ctx.options.dockerfile,
                ctx.options.dockerignore,
                "docker-compose*.yml",
                "compose*.yml",
            ),
        ),
        (
            "Virtualenvs and Python caches (the image builds its own)",
            (
                ".venv",
                "**/.venv",
                "venv",
                "**/venv",
                "**/__pycache__",
                "**/*.py[cod]",
                "*.egg-info",
                ".tox",
                ".nox",
                ".mypy_cache",
                ".pytest_cache",
                ".ruff_cache",
                ".coverage",
                "htmlcov",
            ),
        ),
        (
            "Secrets and local settings: configure the container with environment variables",
            (".env", ".env.*", "**/.env", "**/local_settings.py", "**/settings_local.py"),
        ),
        ("Local databases", ("*.sqlite3", "**/*.sqlite3", "*.db", *_sqlite_file(ctx))),
        (
            "Node packages: the assets stage installs its own"
            if facts.frontend
            else "Node packages",
            ("node_modules", "**/node_modules"),
        ),
        ("Editors and OS files", (".idea", ".vscode", "*.swp", ".DS_Store")),
    ]
    generated: list[str] = []
    media = _settings_path(facts.settings.media_root, ctx.workdir)
    if media and media.startswith(f"{APP}/"):
        generated.append(media.removeprefix(f"{APP}/"))
    elif facts.settings.media_root is not None:
        generated.append(f"{prefix}media")
    if facts.collectstatic and not facts.remote_storage and facts.committed_static is None:
        # A STATIC_ROOT committed with its manifest is served as it is: it stays in the context.
        static = _settings_path(facts.settings.static_root, ctx.workdir)
        if static and static.startswith(f"{APP}/") and static != ctx.workdir:
            generated.append(static.removeprefix(f"{APP}/"))
    if generated:
        sections.append(
            (
                "User uploads and collected static files (collectstatic runs in the image)",
                tuple(dict.fromkeys(generated)),
            )
        )
    ctx.decide(
        "dockerignore",
        None,
        None,
        "keeps .git, virtualenvs, caches, .env files, local databases and node_modules out of "
        "the build context",
    )
    return tuple(sections)
