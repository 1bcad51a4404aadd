"""Markdown for people: the job summary of an action run and the body of its pull request.

Pure functions over what the run produced; nothing here decides what goes in a Dockerfile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator import markdown as md
from generator.facts import Diagnostic, Evidence, ProjectFacts
from generator.publish import PublishResult

# GitHub rejects job summaries over 1 MiB and PR bodies over 65,536 characters.
MAX_DIFF_CHARS = 60_000
MAX_BODY_CHARS = 60_000

# (file, line) -> URL of that line in the repository, or None when it cannot be linked.
Linker = Callable[[str, int | None], str | None]


@dataclass(frozen=True)
class FileReport:
    path: str  # relative to the repository
    status: str  # created | updated | unchanged | skipped | outdated
    reason: str = ""
    diff: str = ""


@dataclass(frozen=True)
class RunReport:
    """Everything an action run tells the user."""

    mode: str  # generate | refresh | check
    project: str  # project directory relative to the repository, "." for the root
    facts: ProjectFacts | None
    decisions: tuple[Evidence, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()  # file paths relative to the repository
    files: tuple[FileReport, ...] = ()
    notes: tuple[str, ...] = ()  # markdown: producers escape repository text (generator.markdown)
    pull: PublishResult | None = None


def inline(text: object) -> str:
    """Repository-derived text made inert in markdown (generator.markdown.text): no HTML, links,
    images, @mentions or references, one line.

    Values come from a stranger's repository when the action runs as a PR bot; a setting such
    as "@org/everyone" must not notify anybody, nor raw HTML render.
    """
    return md.text(text)


def cell(text: object) -> str:
    """Text safe inside a markdown table cell (`|` is escaped by generator.markdown.text)."""
    return md.text(text)


def _where(file: str | None, line: int | None, link: Linker | None, table: bool = False) -> str:
    if not file:
        return ""
    label = f"{file}:{line}" if line else file
    return md.link(md.code(label, table), link(file, line) if link else None)


def facts_table(facts: ProjectFacts, project: str) -> str:
    """What was detected, one row per fact a user would check first."""
    s = facts.settings
    d = facts.dependencies
    # Each row's value is markdown: repository strings through md.text() or md.code().
    rows: list[tuple[str, str]] = [("Project directory", md.code(project, table=True))]
    if facts.django_version:
        dv = facts.django_version
        version = dv.resolved or dv.spec or "any"
        rows.append(("Django", md.text(f"{version} ({dv.source})" if dv.source else version)))
    if facts.python:
        rows.append(("Python", md.text(f"{facts.python.version} ({facts.python.source})")))
    manager = md.text(d.manager) + (
        f", lockfile {md.code(d.lockfile, table=True)}" if d.lockfile else ""
    )
    rows.append(("Dependencies", manager))
    if s.settings_module or s.production_settings_module:
        rows.append(("Settings", md.text(s.production_settings_module or s.settings_module or "")))
    app = s.asgi_application if facts.asgi_required else s.wsgi_application
    if facts.server:
        declared = "declared" if facts.server_declared else "added"
        rows.append(
            (
                "Server",
                f"{md.text(facts.server)} ({declared}) serving {md.code(app or '?', table=True)}",
            )
        )
    for stage in ("build", "runtime"):
        packages = facts.packages(stage)
        if packages:
            rows.append((f"System packages ({stage})", md.text(", ".join(packages))))
    if facts.collectstatic and facts.committed_static:
        rows.append(
            (
                "Static files",
                md.text(f"committed {facts.committed_static.manifest}, served as it is")
                + (" + WhiteNoise" if facts.whitenoise else ""),
            )
        )
    elif facts.collectstatic:
        rows.append(
            ("Static files", "collectstatic" + (" + WhiteNoise" if facts.whitenoise else ""))
        )
    for fe in facts.frontends:
        rows.append(
            (
                "Frontend",
                f"{md.text(fe.label)} in {md.code(fe.directory, table=True)}",
            )
        )
    if s.database:
        rows.append(("Database", md.text(s.database)))
    lines = ["| | |", "|---|---|"]
    lines += [f"| {md.text(k)} | {v} |" for k, v in rows]
    return "\n".join(lines)


def decision_log(decisions: Sequence[Evidence], link: Linker | None = None) -> str:
    """Why each line of the Dockerfile is there, with the file and line that caused it."""
    if not decisions:
        return "_No decisions recorded._"
    lines = ["| Decision | Why | Because of |", "|---|---|---|"]
    for e in decisions:
        lines.append(
            f"| {cell(e.fact)} | {cell(e.why)} | {_where(e.file, e.line, link, table=True)} |"
        )
    return "\n".join(lines)


def runtime_contract(facts: ProjectFacts, image: str = "IMAGE") -> str:
    """What the container needs at start (variables with no default, files shipped only as
    examples), each with its reason and file:line, then a `docker run` line that gives them."""
    from generator.plan.contract import contract, kind_label, run_command

    s = facts.settings
    hosts = contract(facts).hosts
    if not s.env_needs and not s.example_modules and not hosts:
        return "The settings need no environment variable to start."
    lines = ["| Variable | Kind | Why | Where |", "|---|---|---|---|"]
    for n in s.env_needs:
        where = _where(n.file or None, n.line, None, table=True)
        lines.append(
            f"| {md.code(n.name, table=True)} | {cell(kind_label(n.kind, n.form))} | {cell(n.why)} "
            f"| {where} |"
        )
    for m in s.example_modules:
        why = f"the settings import it; the repository ships only {m.example}: mount your own"
        where = _where(m.file, m.line, None, table=True)
        lines.append(f"| {md.code(m.path, table=True)} (file) | module | {cell(why)} | {where} |")
    for h in hosts:
        why = f"the settings connect to {h.what} named {h.host}: it must resolve in the container"
        where = _where(h.file, h.line, None, table=True)
        lines.append(f"| {md.code(h.host, table=True)} (host) | host | {cell(why)} | {where} |")
    command = run_command(facts, image)
    lines += ["", "Start the image with:", "", md.fenced(command, "sh")]
    return "\n".join(lines)


def _warning_item(w: Diagnostic, link: Linker | None) -> str:
    where = _where(w.file, w.line, link)
    return f"- {where}: {inline(w.message)}" if where else f"- {inline(w.message)}"


def _diff_block(diff: str) -> str:
    if len(diff) > MAX_DIFF_CHARS:
        diff = diff[:MAX_DIFF_CHARS] + "\n… (diff truncated)"
    # A fence longer than any run of backticks inside, so the diff cannot close it.
    return md.fenced(diff, "diff")


def pull_line(pull: PublishResult | None) -> str | None:
    """One sentence on what happened to the pull request, or None when none was asked for."""
    if pull is None:
        return None
    if pull.declined is not None:
        number, url, title = pull.declined
        return (
            # The title may have been edited by anyone on GitHub: text like any other.
            f"Pull request: not proposed again; {md.link(f'#{number}', url)} ({md.text(title)}) "
            "proposed these same files and was closed without merging. A different change will "
            "be proposed."
        )
    if pull.operation == "none" and pull.number is None:
        return "Pull request: none needed, the base branch already has these files."
    if pull.operation == "none":
        return f"Pull request [#{pull.number}]({pull.url}) is already up to date."
    if pull.operation == "closed":
        return (
            f"Pull request [#{pull.number}]({pull.url}) closed: the base branch already has "
            "these files."
        )
    return f"Pull request [#{pull.number}]({pull.url}) {pull.operation}."


def signature_line(pull: PublishResult | None) -> str | None:
    """Whether the branch's commit is verified, and why not when it is not."""
    if pull is None or pull.verified is None:
        return None
    if pull.verified:
        return "The commit is verified: GitHub signed it for the workflow's token."
    return (
        "The commit is not verified: it carries the `author` input, which GitHub cannot sign, so "
        'branches protected by "Require signed commits" refuse to merge it. Leave `author` empty '
        "for a signed commit."
    )


def job_summary(report: RunReport, link: Linker | None = None) -> str:
    """The markdown appended to GITHUB_STEP_SUMMARY."""
    out = [f"## django-dockerfile ({report.mode})", ""]
    facts = report.facts
    if facts is None or not facts.django:
        reason = facts.reason if facts else "nothing was detected"
        out += [f"No Django project found: {md.text(reason)}", ""]
    else:
        out += ["### Detected", "", facts_table(facts, report.project), ""]
    if report.files:
        out += ["### Files", ""]
        for f in report.files:
            why = f": {md.text(f.reason)}" if f.reason else ""
            out.append(f"- {md.code(f.path)}: {md.text(f.status)}{why}")
        out.append("")
    if facts is not None and facts.django:
        out += ["### Runtime contract", "", runtime_contract(facts), ""]
    if report.decisions:
        out += ["### Decisions", "", decision_log(report.decisions, link), ""]
    if report.warnings:
        out += ["### Warnings", ""]
        out += [_warning_item(w, link) for w in report.warnings]
        out.append("")
    for note in report.notes:
        out += [f"> {note}", ""]
    for f in report.files:
        if f.diff:
            out += [f"### Diff of {md.code(f.path)}", "", _diff_block(f.diff), ""]
    line = pull_line(report.pull)
    if line:
        out += ["### Pull request", "", line, ""]
    signed = signature_line(report.pull)
    if signed:
        out += [signed, ""]
    for warning in report.pull.warnings if report.pull else ():
        out.append(f"- {md.text(warning)}")
    return "\n".join(out).rstrip() + "\n"


def pr_body(intro: str, report: RunReport, link: Linker | None = None) -> str:
    """The pull request description: the user's (or our) intro, then the decision log."""
    parts = [intro.strip(), ""]
    if report.facts is not None and report.facts.django:
        parts += ["### What was detected", "", facts_table(report.facts, report.project), ""]
    for note in report.notes:
        parts += [f"- {note}"]
    if report.facts is not None and report.facts.django:
        parts += ["", "### What the container needs to start", ""]
        parts += [runtime_contract(report.facts), ""]
    if report.decisions:
        parts += ["", "### Why each line is there", "", decision_log(report.decisions, link), ""]
    if report.warnings:
        parts += ["### Warnings", ""]
        parts += [_warning_item(w, link) for w in report.warnings]
        parts.append("")
    parts += [
        "",
        "<sub>Generated by django-dockerfile. Rerunning it updates this pull request.</sub>",
    ]
    body = "\n".join(parts).strip() + "\n"
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS] + "\n\n… (truncated; the job summary has the full log)\n"
    return body
