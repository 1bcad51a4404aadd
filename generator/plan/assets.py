"""The assets stages: each frontend built with Node; only its output reaches the image.

One `node:<major>-slim` stage per frontend build, with the project's own package manager and
lockfile (npm, Yarn classic or Berry, pnpm through corepack) and its devDependencies; the runtime
stage copies each output to the path the settings expect, before collectstatic.
"""

from __future__ import annotations

from generator.facts import Frontend
from generator.plan.context import _clean_dir, _clean_path, _Context
from generator.plan.model import APP, Instruction, Stage, _run
from generator.plan.tools import _tools

SRC = "/src"  # the repository root inside an assets stage


def _stage_names(ctx: _Context) -> list[str]:
    """`assets` for one frontend; `assets-<directory>` for each of several (`node-modules-
    <directory>` for an install with no build script, often beside a build of the same directory).
    """
    frontends = ctx.facts.frontends
    if len(frontends) == 1:
        return ["assets"]
    names: list[str] = []
    for fe in frontends:
        slug = f"{'assets' if fe.build_script else 'node-modules'}-{_slug(fe.directory)}"
        name, n = slug, 2
        while name in names:
            name, n = f"{slug}-{n}", n + 1
        names.append(name)
    return names


def _slug(directory: str) -> str:
    text = "".join(c if c.isalnum() else "-" for c in _clean_dir(directory).lower()).strip("-")
    return "-".join(filter(None, text.split("-"))) or "root"


def _assets_stages(ctx: _Context) -> list[Stage]:
    """One Node stage per frontend the production pages need."""
    return [
        _assets_stage(ctx, fe, name)
        for fe, name in zip(ctx.facts.frontends, _stage_names(ctx), strict=True)
    ]


def _install(fe: Frontend, major: str) -> tuple[list[str], str, bool]:
    """(setup and install commands, cache mount, uses corepack) for the frontend's manager."""
    node = _tools()["node"]
    setup: list[str] = []
    if fe.manager in ("yarn", "pnpm"):
        if int(major) > int(node["corepack_bundled_until"]):
            setup.append(f"npm install -g corepack@{node['corepack']}")
        setup.append("corepack enable")
        # With packageManager, corepack itself runs the release it names; otherwise pin one.
        if fe.manager_pinned_by in ("volta", None) and fe.manager_version:
            setup.append(f"corepack install -g {fe.manager}@{fe.manager_version}")
        elif fe.manager == "pnpm" and fe.manager_pinned_by != "packageManager":
            # The newest release of the major the lockfile's format belongs to (else pnpm 9).
            major = fe.manager_version if fe.manager_pinned_by == "lockfile" else None
            version = node["pnpm"].get(major or "9", node["pnpm"]["9"])
            setup.append(f"corepack install -g pnpm@{version}")
        elif fe.manager == "yarn" and fe.yarn_berry and fe.manager_pinned_by is None:
            setup.append(f"corepack install -g yarn@{node['yarn_berry']}")
    prod = fe.production_only
    if fe.manager == "pnpm":
        return (
            [*setup, "pnpm install --frozen-lockfile" + (" --prod" if prod else "")],
            "--mount=type=cache,target=/root/.local/share/pnpm/store",
            True,
        )
    if fe.manager == "yarn" and fe.yarn_berry:
        # Berry installs every dependency (`workspaces focus --production` needs a plugin
        # before Yarn 4). With no build script the settings read node_modules itself, which
        # only the node-modules linker writes (Plug'n'Play writes none).
        linker = "" if fe.build_script else "YARN_NODE_LINKER=node-modules "
        return (
            [*setup, f"{linker}yarn install --immutable"],
            "--mount=type=cache,target=/root/.yarn/berry/cache",
            True,
        )
    if fe.manager == "yarn":
        frozen = " --frozen-lockfile" if fe.lockfile else ""
        return (
            [*setup, f"yarn install{frozen} --production={'true' if prod else 'false'}"],
            "--mount=type=cache,target=/usr/local/share/.cache/yarn",
            True,
        )
    command = "npm ci" if fe.lockfile else "npm install"
    return (
        [f"{command} {'--omit=dev' if prod else '--include=dev'}"],
        "--mount=type=cache,target=/root/.npm",
        False,
    )


def _assets_stage(ctx: _Context, fe: Frontend, name: str) -> Stage:
    node = _tools()["node"]
    major = fe.node_version or node["default_major"]
    directory = _clean_dir(fe.directory)
    workdir = SRC if directory == "." else f"{SRC}/{directory}"
    inputs = fe.install_inputs or tuple(
        f for f in (_in(directory, "package.json"), fe.lockfile) if f
    )
    files = [_clean_path(p) for p in inputs if not _is_dir_input(p)]
    dirs = [_clean_path(p) for p in inputs if _is_dir_input(p)]
    install, mount, corepack = _install(fe, major)
    build = fe.build_command
    package_json = _in(directory, "package.json")
    version_why = (
        f"Node {major} from {fe.node_version_source}"
        if fe.node_version
        else f"Node {major}: no version stated, the default LTS"
    )
    outputs = ", ".join(_outputs(fe)) or f"the whole {directory} directory"
    runs = f"{install[-1]} then {build}" if build else f"{install[-1]} (no build script)"
    ctx.decide(
        "frontend",
        package_json,
        None,
        f"{name}: node:{major}-slim runs {runs} ({version_why}); "
        f"copies {outputs} into the image: {fe.served_by or 'served by the project'}",
    )
    where = "at the repository root" if directory == "." else f"in {directory}/"
    steps: list[Instruction] = []
    if corepack:
        steps.append(
            Instruction(
                "ENV",
                ("COREPACK_ENABLE_DOWNLOAD_PROMPT=0",),
                (
                    f"corepack provides {fe.manager} at the release packageManager names."
                    if fe.manager_pinned_by == "packageManager"
                    else f"corepack provides {fe.manager} at the release installed below.",
                ),
            )
        )
    install_step = _run(
        *install,
        mounts=(mount,),
        comment=(
            ("devDependencies too: the build needs its bundlers and compilers.",)
            if build
            else ("Production dependencies only: the settings serve files from node_modules.",)
            if fe.production_only
            else ("devDependencies too: the settings serve a package declared only there.",)
        ),
    )
    whole = Instruction(
        "COPY",
        (f". {SRC}",),
        ("The whole repository: builds read templates and files outside their directory.",),
    )
    if fe.workspace_root is not None:
        # A workspace member: the install runs at the workspace root and needs every member's
        # package.json, so the sources come first (no separate manifests layer).
        root = _clean_dir(fe.workspace_root)
        steps.append(Instruction("WORKDIR", (SRC if root == "." else f"{SRC}/{root}",)))
        steps.append(
            Instruction(
                "COPY",
                (f". {SRC}",),
                (
                    "A workspace rooted at "
                    + ("the repository root" if root == "." else f"{root}/")
                    + ": the install reads every member's package.json.",
                ),
            )
        )
        steps.append(install_step)
        steps.append(Instruction("WORKDIR", (workdir,)))
    else:
        steps.append(Instruction("WORKDIR", (workdir,)))
        steps.append(
            Instruction(
                "COPY",
                (" ".join([*files, "./"]),),
                ("The package manifests first: a code change reuses the node_modules layer.",),
            )
        )
        for path in dirs:
            steps.append(Instruction("COPY", (f"{path} ./{_tail(directory, path)}",)))
        steps.append(install_step)
        if build:
            steps.append(whole)
    # With no build script (an install only) what the settings serve is already in node_modules.
    if build and _outputs(fe):
        steps.append(_run(build))
    elif build:
        # Unknown output: ship the whole frontend directory, minus the installed packages.
        steps.append(_run(build, "rm -rf node_modules"))
    title = (
        f"{name}: build the frontend {where} with Node; only its output reaches the image"
        if build
        else f"{name}: install the packages the settings serve from node_modules {where}"
    )
    return Stage(
        name,
        f"node:{major}-slim",
        (title,),
        tuple(steps),
    )


def _asset_copies(
    ctx: _Context,
    comment: str = "Frontend assets built by the assets stages, before collectstatic.",
) -> list[Instruction]:
    """The runtime stage's COPY of every build output, to the path the settings expect."""
    copies: list[Instruction] = []
    for fe, name in zip(ctx.facts.frontends, _stage_names(ctx), strict=True):
        paths = [_clean_path(p) for p in _outputs(fe)] or [_clean_dir(fe.directory)]
        for path in paths:
            src, dest = (SRC, APP) if path in ("", ".") else (f"{SRC}/{path}", f"{APP}/{path}")
            copies.append(Instruction("COPY", (f"--from={name} {src} {dest}",)))
    if copies:
        first = copies[0]
        copies[0] = Instruction(
            first.keyword,
            first.args,
            (comment,),
        )
    return copies


def _outputs(fe: Frontend) -> tuple[str, ...]:
    """What the image takes from the build; () when only the whole directory will do."""
    return fe.outputs or ((fe.output_dir,) if fe.output_dir else ())


def _in(directory: str, name: str) -> str:
    return name if directory == "." else f"{directory}/{name}"


def _tail(directory: str, path: str) -> str:
    """`path` relative to `directory` (both repository paths)."""
    return path if directory == "." else path.removeprefix(directory + "/")


def _is_dir_input(path: str) -> bool:
    # The install inputs that are directories (detect/frontend.py INSTALL_FILES).
    return path.endswith((".yarn/releases", ".yarn/plugins", ".yarn/patches")) or (
        path == "patches" or path.endswith("/patches")
    )
