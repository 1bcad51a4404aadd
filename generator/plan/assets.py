"""The assets stage: the frontend built with Node; only its output reaches the image."""

from __future__ import annotations

from generator.plan.context import _clean_dir, _clean_path, _Context
from generator.plan.model import APP, Instruction, Stage, _run
from generator.plan.tools import _tools


def _assets_stage(ctx: _Context) -> Stage | None:
    fe = ctx.facts.frontend
    if fe is None:
        return None
    major = fe.node_version or _tools()["node"]["default_major"]
    directory = _clean_dir(fe.directory)
    workdir = "/src" if directory == "." else f"/src/{directory}"
    manifest = [f for f in ("package.json", fe.lockfile) if f]
    files = [
        _clean_path(p if p.startswith(directory + "/") or directory == "." else f"{directory}/{p}")
        for p in manifest
    ]
    if fe.manager == "yarn":
        install = "yarn install --frozen-lockfile"
        mount = "--mount=type=cache,target=/usr/local/share/.cache/yarn"
    elif fe.manager == "pnpm":
        install = "corepack enable pnpm && pnpm install --frozen-lockfile"
        mount = "--mount=type=cache,target=/root/.local/share/pnpm/store"
    else:
        install = "npm ci" if fe.lockfile else "npm install"
        mount = "--mount=type=cache,target=/root/.npm"
    build = (
        f"npm run {fe.build_script}"
        if fe.manager == "npm"
        else f"{fe.manager} run {fe.build_script}"
    )
    ctx.decide(
        "frontend",
        f"{directory}/package.json" if directory != "." else "package.json",
        None,
        f"node:{major}-slim stage: {install.split('&& ')[-1]} then {build}"
        + ("" if fe.node_version else f" (Node {major}: no version stated, the default LTS)"),
    )
    steps = [
        Instruction("WORKDIR", (workdir,)),
        Instruction(
            "COPY",
            (" ".join([*files, "./"]),),
            ("The package manifests first: a code change reuses the node_modules layer.",),
        ),
        _run(install, mounts=(mount,)),
        Instruction("COPY", (". /src",)),
    ]
    if fe.output_dir:
        steps.append(_run(build))
    else:
        # Unknown output: ship the whole frontend directory, minus the installed packages.
        steps.append(_run(build, "rm -rf node_modules"))
    return Stage(
        "assets",
        f"node:{major}-slim",
        ("assets: build the frontend with Node; only the output reaches the image",),
        tuple(steps),
    )


def _asset_paths(ctx: _Context) -> tuple[str, str]:
    fe = ctx.facts.frontend
    assert fe is not None
    path = _clean_path(fe.output_dir) if fe.output_dir else _clean_dir(fe.directory)
    if path in ("", "."):
        return "/src", APP
    return f"/src/{path}", f"{APP}/{path}"
