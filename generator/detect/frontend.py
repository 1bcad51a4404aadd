"""Frontend builds: every package.json whose build script writes assets the Django pages need.

A repository may keep its JavaScript anywhere (`frontend/`, `src-ui/`, an app's `static/src/`), and
several of them. For each package.json with an asset-producing script this module reads, from files
alone, which tools the script runs, where they write (script flags, `vite.config.*`,
`webpack.config.*`, `angular.json`, gulpfiles...) and whether Django serves that place
(STATICFILES_DIRS, an app's `static/`, django-vite's manifest, django-webpack-loader's stats file,
a template that loads it). A build nothing serves is reported and skipped. Nothing is executed.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from generator import data
from generator.detect._jsvalues import (
    closing,
    expression_at,
    inside,
    js_key,
    js_path,
    line_at,
    literal,
)
from generator.detect._read import join, load_json, parent_dirs
from generator.detect.node_toolchain import (
    INSTALL_FILES,
    lockfile,
    node_version,
    pnpm_for_lockfile,
    workspace,
    yarn_berry,
)
from generator.facts import Diagnostics, Evidence, Frontend, SettingsFacts
from generator.source import SourceTree

# Scripts that produce assets, in order of preference; lint/format/test scripts do not.
BUILD_SCRIPTS = ("build", "build:prod", "build:production", "prod", "production", "compile")
# Directories whose package.json is not the project's own frontend: tests, vendored copies,
# examples. (node_modules, virtualenvs and build output are already skipped by the tree walk.)
SKIP_PARTS = frozenset(
    {
        "test",
        "tests",
        "__tests__",
        "testing",
        "fixtures",
        "e2e",
        "vendor",
        "vendors",
        "vendored",
        "third_party",
        "third-party",
        "thirdparty",
        "external",
        "example",
        "examples",
    }
)
MAX_PACKAGES = 32  # more package.json files than this is a monorepo of libraries: read the first
MAX_SCRIPT_DEPTH = 8  # `npm run a` -> `npm run b` -> ...: deeper is a loop or hostile
MAX_TEMPLATES = 400
_OUTPUT_FLAGS = frozenset(
    {
        "--outdir",
        "--out-dir",
        "--outDir",
        "--output-path",
        "--outputPath",
        "--output",
        "-o",
        "--dist-dir",
        "--outfile",
        "--dest",
        "--dir",
    }
)
_SAFE_PATH = re.compile(r"[\w@+.,=-][\w@+.,=/-]*")
_FILE_SUFFIX = re.compile(r"\.(?:js|mjs|cjs|css|map|json|html|txt)$")
_STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")


# An Angular configuration name passed to `ng build --configuration` on a RUN line.
_CONFIG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass
class _Build:
    """One package.json's build, while it is being read."""

    package_json: str
    directory: str
    scripts: dict[str, str]
    script: str
    tools: list[str] = field(default_factory=list)
    outputs: list[tuple[str, Evidence]] = field(default_factory=list)  # directories
    stats_files: list[tuple[str, Evidence]] = field(default_factory=list)  # bundle-tracker output
    unread: list[str] = field(default_factory=list)  # tools whose output could not be read
    # Arguments the build script can be given to write elsewhere, with what it then writes:
    # `ng build --configuration production` when only that configuration's outputPath is served.
    alternatives: list[tuple[tuple[str, ...], str, Evidence]] = field(default_factory=list)
    args: tuple[str, ...] = ()  # the arguments chosen from `alternatives`


def detect_frontends(
    tree: SourceTree,
    project_dir: str,
    settings: SettingsFacts,
    diags: Diagnostics,
    *,
    committed_static: str | None = None,
) -> tuple[tuple[Frontend, ...], tuple[Evidence, ...]]:
    """Every frontend build the production pages need, and evidence for the builds skipped.

    `committed_static` is the STATIC_ROOT the repository commits with its manifest: the pages are
    served from it as it is, so no build runs (each one is reported as skipped, with that reason).
    """
    kept: list[Frontend] = []
    skipped: list[Evidence] = []
    templates = _template_refs(tree, project_dir)
    committed = (
        f"; STATIC_ROOT {committed_static}/ is committed with its manifest, the project's own "
        "built and collected assets, and is served as it is"
        if committed_static
        else ""
    )
    for path in _package_files(tree):
        build = _read_build(tree, path, diags, skipped)
        if build is None:
            gulp = _unscripted_gulp(tree, path)
            if gulp:
                skipped.append(
                    Evidence(
                        "frontend",
                        gulp,
                        None,
                        f"{gulp} defines gulp tasks but no script in {path} runs them (`npx gulp "
                        "build` would): skipped"
                        + (committed or ", the tool builds what the project scripts"),
                    )
                )
            continue
        served, why = _served(tree, project_dir, settings, build, templates)
        if not served:
            build, served, why = _alternative(tree, project_dir, settings, build, templates, why)
        line = _line_of(tree, path, f'"{build.script}"')
        if not served:
            skipped.append(Evidence("frontend", path, line, why))
            continue
        if committed:
            skipped.append(
                Evidence("frontend", path, line, f"script '{build.script}': skipped{committed}")
            )
            continue
        kept.append(_frontend(tree, build, served, why, diags))
    if not committed:
        kept.extend(_node_modules_installs(tree, settings, diags))
    _missing_static_dirs(tree, settings, kept, diags)
    return tuple(kept), tuple(skipped)


# ---------------------------------------------------------------- finding the builds


def _package_files(tree: SourceTree) -> list[str]:
    found: list[str] = []
    for path in tree.walk_files():
        parts = path.split("/")
        if parts[-1] != "package.json" or any(p in SKIP_PARTS for p in parts[:-1]):
            continue
        found.append(path)
        if len(found) >= MAX_PACKAGES:
            break
    return found


def _unscripted_gulp(tree: SourceTree, package_json: str) -> str | None:
    """The gulpfile beside a package.json that depends on gulp but has no script that runs it."""
    package = load_json(tree, package_json, Diagnostics())  # already read (and warned about)
    if not isinstance(package, dict):
        return None
    declared: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        if isinstance(package.get(key), dict):
            declared.update(package[key])
    scripts = package.get("scripts")
    texts = [v for v in scripts.values() if isinstance(v, str)] if isinstance(scripts, dict) else []
    if "gulp" not in declared or any(re.search(r"\bgulp\b", text) for text in texts):
        return None
    directory = posixpath.dirname(package_json) or "."
    names = data.load("frontend_tools.toml")["tool"]["gulp"]["configs"]
    return _config_file(tree, directory, names)


def _read_build(
    tree: SourceTree, path: str, diags: Diagnostics, skipped: list[Evidence]
) -> _Build | None:
    package = load_json(tree, path, diags)
    if not isinstance(package, dict):
        return None
    scripts = package.get("scripts")
    if not isinstance(scripts, dict):
        return None
    scripts = {k: v for k, v in scripts.items() if isinstance(k, str) and isinstance(v, str)}
    script = next((s for s in BUILD_SCRIPTS if s in scripts), None)
    if script is None:
        return None
    directory = posixpath.dirname(path) or "."
    parts = directory.split("/")
    if "static" in parts and not package.get("private") and not lockfile(tree, directory):
        # A library vendored into a static directory (it ships its own built files).
        return None
    build = _Build(path, directory, scripts, script)
    kinds: set[str] = set()
    tools = data.load("frontend_tools.toml")["tool"]
    for tokens in script_commands(scripts, script):
        name = _tool_name(tokens)
        row = tools.get(name, {"kind": "bundler", "output": "", "configs": []})
        kind = row["kind"]
        if kind == "bundler" and not _builds(name, tokens):
            kind = "check"  # a dev server or watcher: `vite`, `ng serve`, `webpack serve`
        kinds.add(kind)
        if kind != "bundler":
            continue
        build.tools.append(name)
        before = len(build.outputs)
        _outputs(tree, build, name, tokens, row)
        if len(build.outputs) == before and name not in build.unread:
            build.unread.append(name)
    line = _line_of(tree, path, f'"{script}"')
    if "bundler" not in kinds:
        if kinds & {"docs", "server"}:
            what = "a documentation site" if "docs" in kinds else "a Node server application"
            skipped.append(
                Evidence("frontend", path, line, f"script '{script}' builds {what}: skipped")
            )
        return None
    return build


def script_commands(
    scripts: dict[str, str], name: str, depth: int = 0, seen: set[str] | None = None
) -> list[list[str]]:
    """The commands `npm run NAME` runs, with `npm run X`, run-s/run-p and pre/post followed;
    each as its words, under cross-env, npx and env assignments."""
    # Each script is read once per call, wherever else it is referenced: what matters is which
    # commands run, and `run-s "*"` in every script would otherwise cost scripts**depth.
    seen = set() if seen is None else seen
    if depth > MAX_SCRIPT_DEPTH or name in seen:
        return []
    seen.add(name)
    out: list[list[str]] = []
    for hook in (f"pre{name}", name, f"post{name}"):
        text = scripts.get(hook)
        if text is None:
            continue
        for tokens in split_commands(text):
            if tokens and tokens[0] == "concurrently":
                for arg in tokens[1:]:
                    if not arg.startswith("-"):
                        out.extend(_follow(scripts, split_commands(arg), depth, seen))
                continue
            out.extend(_follow(scripts, [tokens], depth, seen))
    return out


def _follow(
    scripts: dict[str, str], commands: list[list[str]], depth: int, seen: set[str]
) -> list[list[str]]:
    out: list[list[str]] = []
    for tokens in commands:
        refs = _script_refs(tokens, scripts)
        if refs is None:
            out.append(tokens)
        else:
            for ref in refs:
                out.extend(script_commands(scripts, ref, depth + 1, seen))
    return out


def split_commands(text: str) -> list[list[str]]:
    """The commands of one shell line (split at &&, ||, ; and |), each as its words."""
    commands: list[list[str]] = []
    for segment in re.split(r"&&|\|\||;|\|", text[:4000]):
        try:
            tokens = shlex.split(segment)
        except ValueError:
            tokens = segment.split()
        tokens = _unwrap(tokens)
        if tokens:
            commands.append(tokens)
    return commands


def _unwrap(tokens: list[str]) -> list[str]:
    """The command under cross-env, env assignments, npx and `pnpm exec`."""
    while tokens:
        head = tokens[0]
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", head) or head in (
            "cross-env",
            "cross-env-shell",
            "env",
            "npx",
            "pnpx",
            "bunx",
            "time",
            "nice",
        ):
            tokens = tokens[1:]
        elif (
            head in ("pnpm", "yarn", "npm", "bun")
            and len(tokens) > 1
            and tokens[1]
            in (
                "exec",
                "dlx",
                "x",
            )
        ):
            tokens = tokens[2:]
        elif head == "shx" and len(tokens) > 1:
            tokens = tokens[1:]  # `shx cp a b`: the shell command shx runs portably
        elif head == "dotenv" and "--" in tokens:
            tokens = tokens[tokens.index("--") + 1 :]
        elif head == "node" and len(tokens) > 1 and "node_modules/" in tokens[1]:
            # `node node_modules/.bin/webpack` or `node node_modules/webpack/bin/webpack.js`
            rest = tokens[1].split("node_modules/", 1)[1]
            tool = rest.split("/", 2)[1] if rest.startswith(".bin/") else rest.split("/", 1)[0]
            tokens = [tool, *tokens[2:]]
        else:
            break
    return tokens


def _script_refs(tokens: list[str], scripts: dict[str, str]) -> list[str] | None:
    """Scripts a command runs (`npm run X`, `yarn X`, run-s a b), or None for another command."""
    head, args = tokens[0], tokens[1:]
    if head in ("npm", "pnpm", "yarn", "bun") and args:
        if args[0] in ("run", "run-script"):
            return args[1:2]
        if head != "npm" and args[0] in scripts:
            return args[:1]
        if head == "npm" and args[0] in ("install", "ci", "i"):
            return []
        if args[0] in ("install", "i", "ci"):
            return []
    if head in ("run-s", "run-p", "npm-run-all", "npm-run-all2"):
        names: list[str] = []
        for pattern in (a for a in args if not a.startswith("-")):
            names.extend(n for n in scripts if fnmatch.fnmatchcase(n, pattern))
        return names
    return None


def _tool_name(tokens: list[str]) -> str:
    return posixpath.basename(tokens[0])


def _builds(name: str, tokens: list[str]) -> bool:
    """False for the dev-server and watch forms of build tools."""
    args = tokens[1:]
    if name in ("vite", "ng", "vue-cli-service", "parcel", "next", "nuxt", "nuxi"):
        return "build" in args
    if name in ("webpack", "webpack-cli"):
        return not ({"serve", "watch", "--watch", "-w"} & set(args))
    return name != "webpack-dev-server"


# ---------------------------------------------------------------- where each tool writes


def _flag_value(tokens: list[str], names: frozenset[str] | set[str]) -> str | None:
    for index, token in enumerate(tokens):
        flag, eq, value = token.partition("=")
        if flag in names:
            if eq:
                return value
            if index + 1 < len(tokens) and not tokens[index + 1].startswith("-"):
                return tokens[index + 1]
    return None


def _outputs(
    tree: SourceTree, build: _Build, name: str, tokens: list[str], row: dict[str, Any]
) -> None:
    cwd = build.directory
    evidence_at = (build.package_json, _line_of(tree, build.package_json, "".join(tokens[:1])))
    flag = _flag_value(tokens, _OUTPUT_FLAGS)
    if row.get("copy"):
        # `cpx "node_modules/x/*" static/vendor`: the destination is the last argument.
        positional = [t for t in tokens[1:] if not t.startswith("-")]
        flag = positional[-1] if len(positional) >= 2 else None
    elif name == "sass" or name == "node-sass":
        # `sass src/main.scss:static/css/main.css` or `sass in.scss out.css`
        positional = [t for t in tokens[1:] if not t.startswith("-")]
        pairs = [t.split(":", 1)[1] for t in positional if ":" in t]
        flag = flag or (pairs[0] if pairs else positional[1] if len(positional) == 2 else None)
    if flag:
        if _FILE_SUFFIX.search(flag):
            flag = posixpath.dirname(flag) or "."
        _add(build, inside(cwd, flag), evidence_at, f"`{' '.join(tokens)[:120]}` writes {flag}")
        return
    config = _flag_value(tokens, {"--config", "-c"})
    if name == "vite":
        _vite(tree, build, config, tokens)
    elif name in ("webpack", "webpack-cli"):
        _webpack(tree, build, config)
    elif name == "vue-cli-service":
        _config_key(tree, build, row["configs"], "outputDir", row["output"])
    elif name == "ng":
        _angular(tree, build, tokens)
    elif name == "gulp":
        _gulp(tree, build, _flag_value(tokens, {"--gulpfile", "-f"}))
    elif name == "rollup":
        _config_key(tree, build, [config] if config else row["configs"], "dir", "", also="file")
    elif row.get("output"):
        where = inside(cwd, row["output"])
        _add(build, where, evidence_at, f"{name} writes {row['output']} by default")


def _add(build: _Build, path: str | None, where: tuple[str, int | None], why: str) -> None:
    # Only paths a Dockerfile COPY can name safely; a glob or odd characters stay unread.
    if path and _SAFE_PATH.fullmatch(path) and path not in (p for p, _ in build.outputs):
        build.outputs.append((path, Evidence("frontend", where[0], where[1], why)))


def _config_file(tree: SourceTree, directory: str, names: list[str]) -> str | None:
    for name in names:
        path = inside(directory, name)
        if path and tree.is_file(path):
            return path
    return None


def _vite(tree: SourceTree, build: _Build, config: str | None, tokens: list[str]) -> None:
    names = data.load("frontend_tools.toml")["tool"]["vite"]["configs"]
    path = _config_file(tree, build.directory, [config] if config else names)
    text = (tree.read_text(path) or "") if path else ""
    config_dir = posixpath.dirname(path) if path else build.directory
    root = build.directory
    positional = [t for t in tokens[2:] if not t.startswith("-")]
    if positional:  # `vite build frontend`: the root is the argument
        root = inside(build.directory, positional[0]) or root
    found = js_key(text, "root")
    if found:
        root = js_path(found[0], text, config_dir or ".", build.directory) or root
    found = js_key(text, "outDir")
    if found:
        out = js_path(found[0], text, config_dir or ".", root)
        if out is None:
            return
        _add(build, out, (path or build.package_json, found[1]), f"vite build.outDir is {out}")
    else:
        _add(
            build,
            inside(root, "dist"),
            (path or build.package_json, None),
            "vite writes dist/ under its root by default",
        )


def _webpack(tree: SourceTree, build: _Build, config: str | None) -> None:
    names = data.load("frontend_tools.toml")["tool"]["webpack"]["configs"]
    path = _config_file(tree, build.directory, [config] if config else names)
    text = (tree.read_text(path) or "") if path else ""
    config_dir = posixpath.dirname(path) if path else build.directory
    block = re.search(r"\boutput\s*:\s*\{", text)
    found = None
    if block:
        end = closing(text, block.end() - 1)
        inner = js_key(text[block.end() : end], "path")
        if inner:
            found = (inner[0], line_at(text, block.end()) + inner[1] - 1)
    if found:
        out = js_path(found[0], text, config_dir or ".", build.directory)
        if out:
            _add(
                build, out, (path or build.package_json, found[1]), f"webpack output.path is {out}"
            )
    elif not block:
        _add(
            build,
            inside(build.directory, "dist"),
            (path or build.package_json, None),
            "webpack writes dist/ by default",
        )
    tracker = re.search(r"\bBundleTracker\s*\(\s*\{", text)
    if tracker:
        end = closing(text, tracker.end() - 1)
        inner = text[tracker.end() : end]
        directory = build.directory
        where = js_key(inner, "path")
        if where:
            directory = js_path(where[0], text, config_dir or ".", build.directory) or directory
        name = js_key(inner, "filename")
        filename = literal(name[0]) if name else "webpack-stats.json"
        stats = inside(directory, filename) if filename else None
        if stats:
            line = line_at(text, tracker.start())
            build.stats_files.append(
                (stats, Evidence("frontend", path, line, f"BundleTracker writes {stats}"))
            )


def _config_key(
    tree: SourceTree,
    build: _Build,
    names: list[str],
    key: str,
    default: str,
    also: str | None = None,
) -> None:
    path = _config_file(tree, build.directory, names)
    text = (tree.read_text(path) or "") if path else ""
    config_dir = posixpath.dirname(path) if path else build.directory
    found = js_key(text, key)
    if found is None and also:
        found = js_key(text, also)
        if found:
            value = js_path(found[0], text, config_dir or ".", build.directory)
            found = (json.dumps(posixpath.dirname(value) or "."), found[1]) if value else None
    if found:
        out = js_path(found[0], text, config_dir or ".", build.directory)
        if out:
            _add(build, out, (path or build.package_json, found[1]), f"{key} is {out}")
    elif default:
        _add(build, inside(build.directory, default), (build.package_json, None), f"{default}/")


def _angular(tree: SourceTree, build: _Build, tokens: list[str]) -> None:
    path = join(build.directory, "angular.json")
    workspace = load_json(tree, path, Diagnostics())
    projects = workspace.get("projects") if isinstance(workspace, dict) else None
    if not isinstance(projects, dict):
        return
    # `ng build --configuration production` (or the target's defaultConfiguration) overrides the
    # options with that configuration's, outputPath included (angular.dev/reference/configs/
    # workspace-config#alternate-build-configurations).
    chosen = _flag_value(tokens, {"--configuration", "-c"})
    if chosen is None and "--prod" in tokens:
        chosen = "production"
    for name, project in projects.items():
        if not isinstance(project, dict) or project.get("projectType", "application") != (
            "application"
        ):
            continue
        targets = project.get("architect") or project.get("targets")
        target = targets.get("build") if isinstance(targets, dict) else None
        if not isinstance(target, dict):
            continue
        options = dict(target.get("options")) if isinstance(target.get("options"), dict) else {}
        configurations = target.get("configurations")
        names = chosen or target.get("defaultConfiguration")
        if isinstance(names, str) and isinstance(configurations, dict):
            for config in names.split(","):
                override = configurations.get(config.strip())
                if isinstance(override, dict):
                    options.update(override)
        builder = str(target.get("builder", ""))
        out, line = _angular_output(tree, path, builder, options, name, build.directory)
        _add(build, out, (path, line), f"angular.json project {name!r} writes {out}")
        if names or not isinstance(configurations, dict) or not _passes_args(build, tokens):
            continue
        # `ng build` with no configuration: one that writes elsewhere (into a directory Django
        # serves, say) is what `npm run build -- --configuration NAME` would build.
        for config, override in configurations.items():
            if not isinstance(override, dict) or "outputPath" not in override:
                continue
            alt, alt_line = _angular_output(
                tree, path, builder, {**options, **override}, name, build.directory
            )
            safe = isinstance(config, str) and _CONFIG_NAME.fullmatch(config)
            if alt and alt != out and _SAFE_PATH.fullmatch(alt) and safe:
                why = f"angular.json project {name!r} configuration {config!r} writes {alt}"
                args = ("--configuration", config)
                build.alternatives.append((args, alt, Evidence("frontend", path, alt_line, why)))


def _angular_output(
    tree: SourceTree,
    path: str,
    builder: str,
    options: dict[str, Any],
    name: str,
    directory: str,
) -> tuple[str | None, int | None]:
    """Where an Angular build target writes its browser bundle, and the angular.json line."""
    value = options.get("outputPath")
    # The application builder (Angular 17+) writes the browser bundle into <outputPath>/browser.
    browser = "browser" if builder.endswith(":application") else ""
    if isinstance(value, dict):
        browser = value["browser"] if isinstance(value.get("browser"), str) else "browser"
        value = value.get("base")
    if not isinstance(value, str):
        value = f"dist/{name}"
    out = inside(directory, posixpath.join(value, browser) if browser else value)
    line = _line_of(tree, path, json.dumps(value)) or _line_of(tree, path, '"outputPath"')
    return out, line


def _passes_args(build: _Build, tokens: list[str]) -> bool:
    """Whether arguments given to the build script reach this command: the script is this one
    command (`"build": "ng build"`), so `npm run build -- ARGS` appends to it."""
    own = split_commands(build.scripts.get(build.script, ""))
    pre_post = f"pre{build.script}" in build.scripts or f"post{build.script}" in build.scripts
    return len(own) == 1 and own[0] == tokens and not pre_post


def _alternative(
    tree: SourceTree,
    project_dir: str,
    settings: SettingsFacts,
    build: _Build,
    templates: list[tuple[str, int, str]],
    why: str,
) -> tuple[_Build, tuple[str, ...], str]:
    """The build with the first alternative arguments whose output Django serves, or the build
    unchanged (with `why` it is skipped) when none is."""
    for args, output, evidence in build.alternatives:
        candidate = replace(build, outputs=[(output, evidence)], stats_files=[], args=args)
        served, reason = _served(tree, project_dir, settings, candidate, templates)
        if served:
            return candidate, served, f"{reason} (built with {' '.join(args)}, {evidence.why})"
    return build, (), why


def _gulp(tree: SourceTree, build: _Build, gulpfile: str | None) -> None:
    names = data.load("frontend_tools.toml")["tool"]["gulp"]["configs"]
    path = _config_file(tree, build.directory, [gulpfile] if gulpfile else names)
    text = (tree.read_text(path) or "") if path else ""
    for match in re.finditer(r"\bdest\s*\(", text):
        found = expression_at(text, match.end())
        out = js_path(found, text, posixpath.dirname(path or "") or ".", build.directory)
        if out:
            line = line_at(text, match.start())
            _add(build, out, (path or build.package_json, line), f"gulp.dest({found.strip()})")


# ---------------------------------------------------------------- is it served?


def _served(
    tree: SourceTree,
    project_dir: str,
    settings: SettingsFacts,
    build: _Build,
    templates: list[tuple[str, int, str]],
) -> tuple[tuple[str, ...], str]:
    """(outputs Django serves, why), or ((), why it is skipped)."""
    served: list[str] = []
    reasons: list[str] = []
    settings_at = _settings_where(settings, "staticfiles_dirs")
    for output, _ in build.outputs:
        reason = _serves(tree, project_dir, settings, build, output, templates)
        if reason:
            served.append(output)
            reasons.append(reason)
    for stats, _ in build.stats_files:
        if stats in settings.bundle_files or "webpack_loader" in settings.installed_apps:
            served.append(stats)
            reasons.append(
                f"django-webpack-loader reads {stats}{_settings_where(settings, 'bundle_files')}"
            )
    if served:
        return tuple(served), "; ".join(dict.fromkeys(reasons))
    if not build.outputs:
        # Output not read: a STATICFILES_DIRS entry inside the frontend is what it must produce.
        inside = tuple(
            d
            for d in settings.staticfiles_dirs
            if _under(d, build.directory) and d != build.directory
        )
        if inside:
            return inside, (
                f"its output could not be read ({', '.join(build.unread)}); STATICFILES_DIRS"
                f"{settings_at} lists {', '.join(inside)} inside {build.directory}"
            )
        if build.directory in parent_dirs(project_dir):
            # The old rule: the build sits beside or above manage.py, so what it writes lands in
            # the project; the whole directory is copied (without node_modules).
            return ("",), (
                f"its output could not be read ({', '.join(build.unread)}); it sits at the "
                "project's root, so the whole directory is copied after the build"
            )
        return (), (
            f"script '{build.script}' builds with {', '.join(build.unread) or 'unknown tools'}, "
            "but where it writes could not be read and no STATICFILES_DIRS entry lies inside "
            f"{build.directory}: skipped"
        )
    outs = ", ".join(p for p, _ in build.outputs)
    return (), (
        f"script '{build.script}' writes {outs}, which nothing serves: not in STATICFILES_DIRS"
        f"{' (' + ', '.join(settings.staticfiles_dirs) + ')' if settings.staticfiles_dirs else ''}"
        ", not an installed app's static/ directory, not read by django-vite or "
        "django-webpack-loader: skipped"
    )


def _serves(
    tree: SourceTree,
    project_dir: str,
    settings: SettingsFacts,
    build: _Build,
    output: str,
    templates: list[tuple[str, int, str]],
) -> str | None:
    for directory in settings.staticfiles_dirs:
        if _under(output, directory) or _under(directory, output):
            return (
                f"STATICFILES_DIRS{_settings_where(settings, 'staticfiles_dirs')} lists {directory}"
            )
    parts = output.split("/")
    for index, part in enumerate(parts):
        if part == "static" and index > 0:
            app = "/".join(parts[:index])
            label = parts[index - 1]
            installed = {p for a in settings.installed_apps for p in a.split(".")}
            if tree.is_file(join(app, "__init__.py")) and (
                not settings.installed_apps or label in installed
            ):
                return f"{app}/static/ is the static directory of the app {label!r}"
    for bundle in settings.bundle_files:
        if _under(bundle, output):
            return (
                f"{bundle}{_settings_where(settings, 'bundle_files')} is read from it at run time"
            )
    if "vite" in build.tools and "django_vite" in settings.installed_apps:
        return "django-vite (INSTALLED_APPS) loads the Vite manifest it writes"
    if settings.staticfiles_dirs_unread or not settings.settings_files:
        tail = posixpath.basename(output)
        for file, line, ref in templates:
            if ref.startswith(tail + "/"):
                return f"{file}:{line} loads {{% static '{ref}' %}} from it"
    return None


def _template_refs(tree: SourceTree, project_dir: str) -> list[tuple[str, int, str]]:
    refs: list[tuple[str, int, str]] = []
    prefix = "" if project_dir in ("", ".") else project_dir + "/"
    count = 0
    for path in tree.walk_files():
        if not path.startswith(prefix) or not path.endswith((".html", ".jinja", ".jinja2", ".j2")):
            continue
        count += 1
        if count > MAX_TEMPLATES:
            break
        text = tree.read_text(path) or ""
        for match in _STATIC_TAG.finditer(text):
            refs.append((path, line_at(text, match.start()), match.group(1)))
    return refs


def _missing_static_dirs(
    tree: SourceTree, settings: SettingsFacts, kept: list[Frontend], diags: Diagnostics
) -> None:
    """Warn where collectstatic would stop: a STATICFILES_DIRS entry nothing creates."""
    made = [o for fe in kept for o in fe.outputs]
    for directory in settings.staticfiles_dirs:
        if tree.is_dir(directory) or any(_under(directory, o) for o in made):
            continue
        file, line = settings.cited("staticfiles_dirs")
        diags.warn(
            f"STATICFILES_DIRS lists {directory}, which is not in the repository and no frontend "
            "build writes it: collectstatic stops with FileNotFoundError; commit the directory "
            "(with a .gitkeep) or drop the entry",
            file,
            line,
        )


def _settings_where(settings: SettingsFacts, fact: str) -> str:
    for evidence in settings.evidence:
        if evidence.fact == fact and evidence.file:
            return f" ({evidence.file}:{evidence.line})" if evidence.line else f" ({evidence.file})"
    return ""


def _under(path: str, directory: str) -> bool:
    return directory in ("", ".") or path == directory or path.startswith(directory + "/")


# ---------------------------------------------------------------- served from node_modules


def _node_modules_installs(
    tree: SourceTree, settings: SettingsFacts, diags: Diagnostics
) -> list[Frontend]:
    """Installs with no build: the settings serve files straight out of a `node_modules`
    (django-npm's NpmFinder, or a STATICFILES_DIRS entry inside node_modules), so the packages
    the package.json beside it lists must be installed where the settings read them."""
    wanted: dict[str, list[tuple[str, str]]] = {}  # package directory -> [(path served, why)]
    if settings.npm_finder_root is not None:
        path = join(settings.npm_finder_root, "node_modules")
        why = next(
            (
                f"{e.why}{_settings_where(settings, 'npm_finder_root')}"
                for e in settings.evidence
                if e.fact == "npm_finder_root"
            ),
            f"django-npm's NpmFinder serves {path}",
        )
        wanted.setdefault(settings.npm_finder_root, []).append((path, why))
    for directory in settings.staticfiles_dirs:
        parts = directory.split("/")
        if "node_modules" not in parts:
            continue
        root = "/".join(parts[: parts.index("node_modules")]) or "."
        where = _settings_where(settings, "staticfiles_dirs")
        wanted.setdefault(root, []).append(
            (directory, f"STATICFILES_DIRS{where} lists {directory}")
        )
    out: list[Frontend] = []
    for root, served in wanted.items():
        package_json = join(root, "package.json")
        if not tree.is_file(package_json):
            continue  # nothing to install from: _missing_static_dirs warns for STATICFILES_DIRS
        package = load_json(tree, package_json, diags)
        if not isinstance(package, dict):
            continue
        whole = join(root, "node_modules")
        if not _nameable(whole):
            diags.warn(
                f"the settings serve {whole}, a path a Dockerfile cannot name: it is not "
                "installed into the image",
                package_json,
                None,
            )
            continue
        # A path COPY cannot name (`node_modules/x/Inter (web)`): the whole node_modules instead.
        paths = tuple(dict.fromkeys(p if _nameable(p) else whole for p, _ in served))
        # Production dependencies only, unless a package served is declared only as a
        # devDependency (`npm ci --omit=dev` would leave it out).
        deps = package.get("dependencies") if isinstance(package.get("dependencies"), dict) else {}
        dev = package.get("devDependencies")
        dev = dev if isinstance(dev, dict) else {}
        dev_needed = sorted(
            name
            for name in (_package_named(p) for p, _ in served)
            if name and name in dev and name not in deps
        )
        why = "; ".join(dict.fromkeys(w for _, w in served))
        build = _Build(package_json, root, {}, "", outputs=[])
        fe = _frontend(tree, build, paths, why, diags)
        evidence = [
            Evidence(
                "frontend",
                package_json,
                _line_of(tree, package_json, '"dependencies"'),
                f"no build script: node_modules is installed from {package_json}"
                + (f" and {fe.lockfile}" if fe.lockfile else "")
                + (
                    f", devDependencies too ({', '.join(dev_needed)} is served)"
                    if dev_needed
                    else ", production dependencies only"
                ),
            ),
            *fe.evidence,
        ]
        out.append(replace(fe, production_only=not dev_needed, evidence=tuple(evidence)))
    return out


def _nameable(path: str) -> bool:
    return path.isascii() and bool(_SAFE_PATH.fullmatch(path))


def _package_named(path: str) -> str | None:
    """The npm package a path inside node_modules belongs to (`@scope/name` or `name`)."""
    parts = path.split("/")
    rest = parts[parts.index("node_modules") + 1 :]
    if not rest:
        return None
    return "/".join(rest[:2]) if rest[0].startswith("@") and len(rest) > 1 else rest[0]


# ---------------------------------------------------------------- the fact


def _frontend(
    tree: SourceTree, build: _Build, served: tuple[str, ...], why: str, diags: Diagnostics
) -> Frontend:
    package = load_json(tree, build.package_json, Diagnostics()) or {}
    lock = lockfile(tree, build.directory)
    member_of = None if lock else workspace(tree, build.directory)
    if member_of:
        lock = member_of[1]
        root_package = load_json(tree, join(member_of[0], "package.json"), Diagnostics())
        if "packageManager" not in package and isinstance(root_package, dict):
            package = {**package, "packageManager": root_package.get("packageManager")}
    declared = package.get("packageManager")
    declared_name, _, declared_version = (
        declared.partition("@") if isinstance(declared, str) else ("", "", "")
    )
    declared_version = declared_version.split("+", 1)[0]
    if declared_name not in ("npm", "yarn", "pnpm"):
        declared_name, declared_version = "", ""
    manager = lock[1] if lock else declared_name or "npm"
    version, pinned_by = "", None
    if declared_name == manager and declared_version:
        version, pinned_by = declared_version, "packageManager"
    volta = package.get("volta") if isinstance(package.get("volta"), dict) else {}
    if not version and isinstance(volta.get(manager), str):
        version, pinned_by = volta[manager], "volta"
    if version and not re.fullmatch(r"\d+\.\d+\.\d+(?:-[\w.]+)?", version):
        version, pinned_by = "", None  # only an exact release is passed on to the Dockerfile
    if declared_name and lock and declared_name != manager:
        diags.warn(
            f"packageManager says {declared_name} but {lock[0]} is {manager}'s lockfile; "
            f"building with {manager}",
            build.package_json,
            _line_of(tree, build.package_json, '"packageManager"'),
        )
    berry = manager == "yarn" and yarn_berry(tree, build.directory, version)
    if manager == "pnpm" and not version and lock:
        version = pnpm_for_lockfile(tree.read_text(lock[0]) or "")
        pinned_by = "lockfile" if version else None
    node = node_version(tree, build.directory, package, diags)
    inputs = [build.package_json, *([lock[0]] if lock else [])]
    if member_of:
        inputs = []  # every member's package.json takes part: the install needs the whole tree
    inputs += [
        join(build.directory, name)
        for name in INSTALL_FILES
        if tree.is_file(join(build.directory, name)) or tree.is_dir(join(build.directory, name))
    ]
    evidence = [
        *(
            [
                Evidence(
                    "frontend",
                    build.package_json,
                    _line_of(tree, build.package_json, f'"{build.script}"'),
                    f"package.json script '{build.script}' builds assets: "
                    f"{build.scripts[build.script]}",
                )
            ]
            if build.script
            else []
        ),
        *(e for p, e in build.outputs if p in served),
        *(e for p, e in build.stats_files if p in served),
        Evidence("frontend", build.package_json, None, f"served: {why}"),
    ]
    outputs = tuple(o for o in served if o)
    return Frontend(
        directory=build.directory,
        manager=manager,
        lockfile=lock[0] if lock else None,
        build_script=build.script,
        build_args=build.args,
        node_version=node[0] if node else None,
        node_version_source=node[1] if node else None,
        output_dir=next((o for o in outputs if not _FILE_SUFFIX.search(o)), None),
        outputs=outputs,
        manager_version=version or None,
        manager_pinned_by=pinned_by,
        yarn_berry=berry,
        install_inputs=tuple(inputs),
        workspace_root=member_of[0] if member_of else None,
        served_by=why,
        evidence=tuple(evidence),
    )


def _line_of(tree: SourceTree, path: str, needle: str) -> int | None:
    text = tree.read_text(path) or ""
    index = text.find(needle) if needle else -1
    return text.count("\n", 0, index) + 1 if index >= 0 else None
