"""`django-dockerfile detect PATH [--json]`: print what detection found, with evidence."""

from __future__ import annotations

import argparse
import json
import sys

from generator.detect import detect_path
from generator.facts import ProjectFacts
from generator.options import add_offline_flag
from generator.wheels import Index

EXIT_NOT_DJANGO = 2


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "detect",
        help="show what was detected in a repository, with the file and line behind each fact",
        description="Read the repository at PATH (nothing in it is executed) and report the Django "
        f"project found. Exit 0 when it is a Django project, {EXIT_NOT_DJANGO} when it is not.",
    )
    p.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    p.add_argument(
        "--json", action="store_true", help="print the facts as JSON (a stable contract)"
    )
    p.add_argument(
        "--run-command",
        action="store_true",
        help="print only a `docker run` line with the runtime contract (the variables the "
        "settings cannot start without)",
    )
    p.add_argument("--image", default="IMAGE", help="the image name in --run-command's line")
    p.add_argument(
        "--project-dir",
        metavar="DIR",
        help="the directory holding manage.py, when the repository has several Django projects",
    )
    add_offline_flag(p)


def run(args: argparse.Namespace) -> int:
    try:
        facts = detect_path(args.path, args.project_dir, index=Index(offline=bool(args.offline)))
    except NotADirectoryError as exc:
        print(f"django-dockerfile: {exc}", file=sys.stderr)
        return 1
    if args.run_command:
        if not facts.django:
            print(f"django-dockerfile: not a Django project: {facts.reason}", file=sys.stderr)
            return EXIT_NOT_DJANGO
        from generator.plan.contract import run_command

        print(run_command(facts, args.image))
        return 0
    if args.json:
        json.dump(facts.to_json(), sys.stdout, indent=2)
        print()
    else:
        print(format_facts(facts))
    return 0 if facts.django else EXIT_NOT_DJANGO


def format_facts(facts: ProjectFacts) -> str:
    """A short human summary: the facts, then the evidence, then warnings."""
    if not facts.django:
        lines = [f"Not a Django project: {facts.reason}"]
    else:
        s, d = facts.settings, facts.dependencies
        py = facts.python
        dj = facts.django_version
        rows = [
            ("project dir", facts.project_dir),
            ("manage.py", facts.manage_py),
            ("settings", s.settings_module),
            ("production settings", s.production_settings_module),
            ("WSGI", s.wsgi_application),
            ("ASGI", s.asgi_application),
            ("package manager", f"{d.manager} ({', '.join(d.files) or 'no manifest'})"),
            ("lockfile", d.lockfile),
            ("Python", f"{py.version} from {py.source}" if py else None),
            ("Django", f"{dj.resolved or dj.spec} from {dj.source}" if dj else None),
            (
                "server",
                f"{facts.server}{'' if facts.server_declared else ' (added)'}"
                f"{', ASGI required' if facts.asgi_required else ''}",
            ),
            ("build packages", " ".join(facts.packages("build")) or "none"),
            ("runtime packages", " ".join(facts.packages("runtime")) or "none"),
            (
                "collectstatic",
                (
                    f"no: STATIC_ROOT {facts.committed_static.root}/ is committed with its "
                    "manifest, served as it is"
                )
                if facts.collectstatic and facts.committed_static
                else f"yes (STATIC_ROOT {s.static_root})"
                if facts.collectstatic
                else "no",
            ),
            ("translations", "compilemessages" if facts.compilemessages else "no"),
            (
                "frontend",
                "; ".join(
                    f"{fe.label} in {fe.directory}"
                    + (f" -> {', '.join(fe.outputs)}" if fe.outputs else "")
                    for fe in facts.frontends
                )
                or "no",
            ),
            ("database", s.database),
            ("celery", s.celery_app),
            ("runtime env", " ".join(n.name for n in s.env_needs) or "none required"),
            ("runtime files", " ".join(m.path for m in s.example_modules)),
        ]
        lines = [f"Django project: {facts.reason}"]
        lines += [f"  {k:<20} {v}" for k, v in rows if v]
    if facts.evidence:
        lines.append("Evidence:")
        for e in facts.evidence:
            where = f"{e.file}:{e.line}" if e.file and e.line else (e.file or "-")
            lines.append(f"  [{e.fact}] {where}: {e.why}")
    if facts.warnings:
        lines.append("Warnings:")
        lines += [f"  {w}" for w in facts.warnings]
    return "\n".join(lines)
