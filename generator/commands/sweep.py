"""`django-dockerfile sweep OWNER`: propose Dockerfiles across an organisation's (or user's) repositories.

The token comes from GITHUB_TOKEN (never a flag: it would land in shell history and process
lists). Progress goes to stderr, the report (markdown table, or JSON with --json) to stdout.
Exit status: 0 swept (per-repository problems are in the report), 1 bad input or no token.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_ERROR = 0, 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="propose Dockerfiles across an organisation's repositories (GITHUB_TOKEN)",
        description=(
            "List OWNER's repositories (an organisation or a user), read each matching one through "
            "the GitHub API without cloning, and open or update the Dockerfile pull request where "
            "the repository is Django. The token is read from GITHUB_TOKEN."
        ),
    )
    p.add_argument("owner", help="organisation or user whose repositories are swept")
    p.add_argument(
        "--repositories", nargs="*", default=["*"], metavar="GLOB",
        help="names (or owner/name) to include, shell globs (default: all)",
    )  # fmt: skip
    p.add_argument("--exclude", nargs="*", default=[], metavar="GLOB", help="names to leave out")
    p.add_argument("--include-archived", action="store_true", help="sweep archived repositories")
    p.add_argument("--include-forks", action="store_true", help="sweep forks")
    p.add_argument(
        "--created-since", metavar="AGE|DATE", default="",
        help="only repositories created in the last AGE (7d, 12h, 2w) or since DATE",
    )  # fmt: skip
    p.add_argument("--shard", default="1/1", metavar="I/N", help="this job's share (matrix)")
    p.add_argument(
        "--dry-run", action="store_true", help="report what would be done, write nothing"
    )
    p.add_argument(
        "--state", metavar="FILE",
        help="JSON kept between runs: skips repositories nobody pushed to, resumes after a stop",
    )  # fmt: skip
    p.add_argument(
        "--branch", default=None, metavar="NAME", help="the pull request branch in each repository"
    )
    p.add_argument(
        "--min-remaining", type=int, default=100, metavar="N",
        help="stop cleanly when fewer API calls than N remain this hour (default 100)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--api-url", default=os.environ.get("GITHUB_API_URL") or None,
        help="GitHub Enterprise API URL (default: GITHUB_API_URL or api.github.com)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from generator.publish import publish
    from generator.sweep import (
        SweepConfig,
        SweepError,
        parse_shard,
        parse_since,
        progress_line,
        run_with_token,
        summary_table,
    )

    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        return _error("GITHUB_TOKEN is not set: export a token that can read the repositories "
                      "(and, without --dry-run, write contents and pull requests)")  # fmt: skip
    try:
        config = SweepConfig(
            owner=args.owner,
            include=tuple(args.repositories) or ("*",),
            exclude=tuple(args.exclude),
            include_archived=args.include_archived,
            include_forks=args.include_forks,
            created_since=parse_since(args.created_since),
            shard=parse_shard(args.shard),
            dry_run=args.dry_run,
            min_remaining=args.min_remaining,
            **({"branch": args.branch} if args.branch else {}),
        )
    except SweepError as exc:
        return _error(str(exc))
    report = run_with_token(
        token,
        args.api_url,
        config,
        publish,
        Path(args.state) if args.state else None,
        progress=lambda result: print(progress_line(result), file=sys.stderr),
        warn=lambda message: print(f"django-dockerfile: warning: {message}", file=sys.stderr),
    )
    if args.json:
        out = {
            "counts": report.counts(),
            "stopped": report.stopped,
            "results": [asdict(r) for r in report.results],
        }
        json.dump(out, sys.stdout, indent=2)
        print()
    else:
        sys.stdout.write(summary_table(report))
    if report.stopped:
        print(f"django-dockerfile: {report.stopped}", file=sys.stderr)
    return EXIT_OK


def _error(message: str) -> int:
    print(f"django-dockerfile: error: {message}", file=sys.stderr)
    return EXIT_ERROR
