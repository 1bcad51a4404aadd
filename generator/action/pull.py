"""The pull request a mode proposes: its title, the opening of its body, the publish call."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from generator.action.inputs import ActionInputs
from generator.action.modes import Outcome
from generator.action.report import linker
from generator.publish import PublishError, PublishResult
from generator.summary import RunReport, pr_body

# Check mode proposes nothing (it fails on drift; mode: generate brings the files up to date).
TITLES = {
    "generate": "Add a production Dockerfile for the Django project",
    "refresh": "Refresh the Python base image",
}
INTROS = {
    "generate": (
        "This pull request adds a Dockerfile and .dockerignore for the Django project, written "
        "by django-dockerfile from the repository's own files. Each line is explained below."
    ),
    "refresh": "This pull request moves the Python base image to the newest matching release.",
}


def open_pull_request(
    inputs: ActionInputs,
    outcome: Outcome,
    report: RunReport,
    publish: Callable[..., PublishResult] | None,
    env: Mapping[str, str],
) -> tuple[PublishResult | None, str | None]:
    """Publish the outcome's files as a pull request; (result, None) or (None, why it failed)."""
    if publish is None:
        from generator.publish import publish
    title = inputs.pr_title or outcome.title or TITLES[inputs.mode]
    link = linker(inputs, env, ref=inputs.branch)
    try:
        result = publish(
            repo_full_name=inputs.repository,
            files=outcome.proposed,
            base=inputs.base,
            branch=inputs.branch,
            commit_message=inputs.commit_message or title,
            title=title,
            body=pr_body(inputs.pr_body or INTROS[inputs.mode], report, link),
            labels=inputs.labels,
            assignees=inputs.assignees,
            reviewers=inputs.reviewers,
            draft=inputs.draft,
            token=inputs.token,
            api_url=env.get("GITHUB_API_URL") or None,
            author=inputs.author or None,
            delete_branch=inputs.delete_branch,
        )
    except PublishError as exc:
        return None, str(exc)
    return result, None
