"""`django-dockerfile refresh`: move the Dockerfile's python base image to the newest patch release."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from generator.guard import UnsafePath, inside
from generator.refresh import RefreshResult, refresh_dockerfile
from generator.registry import DOCKER_HUB, DOCKER_REGISTRY, RegistryClient, RegistryError

EPILOG = """\
registries that need a login: set REGISTRY_USERNAME and REGISTRY_PASSWORD (or REGISTRY_TOKEN)
in the environment.
exit status: 0 when the Dockerfile is up to date or was updated (or would be, with --dry-run);
1 when the registry cannot be reached, or the Dockerfile is missing, leaves PATH or is not a
regular file.
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "refresh",
        help="move the python base image to the newest patch release (tag and digest)",
        description=(
            "Rewrite the python base images of a Dockerfile to the newest tag with the same "
            "precision and variant (3.12.7-slim -> 3.12.8-slim), keeping every other byte."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", nargs="?", default=".", help="the repository (default: .)")
    p.add_argument(
        "--dockerfile", default="Dockerfile", help="path relative to PATH (default: Dockerfile)"
    )
    p.add_argument(
        "--registry",
        default=None,
        help=f"registry v2 base URL, e.g. a mirror (default: {DOCKER_REGISTRY}); "
        "tags are then listed through it too",
    )
    p.add_argument(
        "--hub", default=None, help=f"Docker Hub API base URL for tag lists (default: {DOCKER_HUB})"
    )
    p.add_argument(
        "--allow-minor",
        action="store_true",
        help="move to a newer Python minor when the project allows it (requires-python, Django)",
    )
    p.add_argument("--pin-digest", action="store_true", help="add the @sha256 digest to the tag")
    p.add_argument(
        "--min-age-days",
        type=int,
        default=0,
        metavar="N",
        help="hold back tags and digests pushed less than N days ago (Docker Hub dates)",
    )
    p.add_argument("--dry-run", action="store_true", help="print the changes, do not write")


def client_from_args(
    args: argparse.Namespace, env: Mapping[str, str] = os.environ
) -> RegistryClient:
    """Docker Hub by default; a --registry alone (a mirror) also lists the tags.

    A login comes from the environment, never from flags (they end up in shell history and
    process lists): REGISTRY_USERNAME with REGISTRY_PASSWORD, or REGISTRY_TOKEN.
    """
    hub = args.hub or (None if args.registry else DOCKER_HUB)
    return RegistryClient(
        registry=args.registry or DOCKER_REGISTRY,
        hub=hub,
        username=env.get("REGISTRY_USERNAME") or None,
        password=env.get("REGISTRY_PASSWORD") or None,
        bearer=env.get("REGISTRY_TOKEN") or None,
    )


def run(args: argparse.Namespace, client: RegistryClient | None = None) -> int:
    root = Path(args.path)
    try:
        result = refresh_dockerfile(
            root,
            args.dockerfile,
            client or client_from_args(args),
            allow_minor=args.allow_minor,
            pin_digest=args.pin_digest,
            min_age_days=max(args.min_age_days, 0),
        )
    except (RegistryError, FileNotFoundError, UnsafePath) as exc:
        print(f"django-dockerfile refresh: {exc}", file=sys.stderr)
        return 1
    for line in report(result, args.dockerfile, written=not args.dry_run):
        print(line)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.changed and not args.dry_run:
        path = inside(root, args.dockerfile, "dockerfile")
        path.write_bytes(result.new_text.encode("utf-8", "surrogateescape"))
    return 0


def report(result: RefreshResult, dockerfile: str, written: bool) -> list[str]:
    """Lines for the terminal: each change with its changelog, notes, then what happened."""
    lines: list[str] = []
    for change in result.changes:
        line = f"{dockerfile}:{change.line}: {change.image_old} -> {change.image_new}"
        if change.kind == "arg":
            line += f" (ARG default {change.old} -> {change.new})"
        lines.append(line)
        if change.changelog:
            lines.append(f"    changelog: {change.changelog}")
    lines.extend(f"note: {note}" for note in result.notes)
    count = len(result.changes)
    plural = "s" if count != 1 else ""
    if not result.changed:
        lines.append(f"{dockerfile} is up to date")
    elif written:
        lines.append(f"updated {dockerfile} ({count} change{plural})")
    else:
        lines.append(f"{dockerfile} would change ({count} change{plural}); --dry-run: not written")
    return lines
