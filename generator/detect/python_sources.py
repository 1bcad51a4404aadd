"""Every place a repository states its Python version, read statically into `PythonSource`s.

Files are parsed (TOML, JSON, INI, `ast`), never executed. Anything unreadable or not a version
becomes a warning naming the file and line, and the search goes on.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from generator.detect._read import join, load_ini, load_json, load_toml, parent_dirs, parse_python
from generator.detect.constraints import minor_of, parse_pin, to_specifier
from generator.facts import Diagnostics, PythonSource
from generator.source import SourceTree

# Pins, most specific first: when two disagree, the earlier file in this list wins (after
# nearness to the project directory). Tools read them in this order too (pyenv, asdf, mise, pipenv).
PIN_FILES = (
    ".python-version",
    "runtime.txt",
    ".tool-versions",
    "mise.toml",
    ".mise.toml",
    "Pipfile",
    "Pipfile.lock",
)
RANGE_FILES = ("pyproject.toml", "uv.lock", "setup.cfg", "setup.py")


def find_python_sources(
    tree: SourceTree, project_dir: str, diags: Diagnostics, extra_files: tuple[str, ...] = ()
) -> list[PythonSource]:
    """Python sources in `project_dir` and each parent up to the root, nearest first.

    `extra_files` are manifests found elsewhere (e.g. the dependency files detection chose); those
    with a known name are read too, after the others.
    """
    paths: list[str] = []
    for directory in parent_dirs(project_dir or "."):
        for name in (*PIN_FILES, *RANGE_FILES):
            paths.append(join(directory, name))
    for path in extra_files:
        if base_name(path) in READERS and path not in paths:
            paths.append(path)
    sources: list[PythonSource] = []
    for path in paths:
        if tree.is_file(path):
            sources.extend(READERS[base_name(path)](tree, path, diags))
    return sources


def base_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def pin_rank(source: PythonSource) -> int:
    """Precedence of a pin by its file: .python-version first; ranges written as `==` last."""
    name = base_name(source.file)
    return PIN_FILES.index(name) if name in PIN_FILES else len(PIN_FILES)


# --- plain-text version files -------------------------------------------------------------------


def _read_python_version(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    # pyenv: one version per line, the first one is the default; '#' starts a comment line.
    for number, token in _tokens(tree, path):
        found = _pin_token(token, path, number, diags)
        if found:
            return [found]
    return []


def _read_runtime_txt(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    # Heroku: a single line "python-3.12.4".
    for number, token in _tokens(tree, path):
        found = _pin_token(token, path, number, diags)
        return [found] if found else []
    return []


def _read_tool_versions(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    # asdf/mise: "python 3.11.9 3.10.1"; the first version is the default.
    text = tree.read_text(path) or ""
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if len(words) < 2 or words[0] != "python":
            continue
        for word in words[1:]:
            found = _pin_token(word, path, number, diags)
            if found:
                return [found]
    return []


def _tokens(tree: SourceTree, path: str) -> list[tuple[int, str]]:
    text = tree.read_text(path) or ""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if words:
            out.append((number, words[0]))
    return out


def _pin_token(token: str, path: str, line: int | None, diags: Diagnostics) -> PythonSource | None:
    lowered = token.lower()
    if lowered in ("system", "latest") or lowered.startswith(("ref:", "path:")):
        return None  # defers to whatever is installed: states no version
    if lowered.startswith("pypy"):
        diags.warn(
            f"asks for PyPy ({token}); the official python image is CPython, so this line is "
            "ignored",
            path,
            line,
        )
        return None
    version = parse_pin(token)
    if version is None:
        diags.warn(f"'{_short(token)}' is not a Python version; ignored", path, line)
        return None
    return _pin_source(path, line, token, version)


def _pin_source(path: str, line: int | None, value: str, version: Version) -> PythonSource:
    # "3.12" pins the minor; "3.12.4" a release (the image still uses the newest 3.12 patch).
    specifier = f"=={version}" if len(version.release) >= 3 else f"=={minor_of(version)}.*"
    return PythonSource(path, line, value, specifier, exact=True)


# --- TOML and JSON manifests --------------------------------------------------------------------


def _read_mise(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    data = load_toml(tree, path, diags)
    tools = data.get("tools") if isinstance(data, dict) else None
    if not isinstance(tools, dict) or "python" not in tools:
        return []
    value = tools["python"]
    # mise accepts "3.12", ["3.12", "3.11"] (first is the default) and { version = "3.12" }.
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("version")
    line = _line_of(tree, path, r"^\s*\[tools\.python\]", r"^\s*[\"']?python[\"']?\s*=")
    if not isinstance(value, str):
        diags.warn("[tools] python is not a version string; ignored", path, line)
        return []
    value = value.removeprefix("prefix:")
    found = _pin_token(value, path, line, diags)
    return [found] if found else []


def _read_pipfile(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    data = load_toml(tree, path, diags)
    requires = data.get("requires") if isinstance(data, dict) else None
    if not isinstance(requires, dict):
        return []
    for key in ("python_full_version", "python_version"):
        if key in requires:
            line = _line_of(tree, path, rf"^\s*{key}\s*=", section="requires")
            return _pipenv_version(requires[key], path, line, key, diags)
    return []


def _read_pipfile_lock(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    data = load_json(tree, path, diags)
    meta = data.get("_meta") if isinstance(data, dict) else None
    requires = meta.get("requires") if isinstance(meta, dict) else None
    if not isinstance(requires, dict):
        return []
    for key in ("python_full_version", "python_version"):
        if key in requires:
            line = _line_of(tree, path, rf"\"{key}\"")
            return _pipenv_version(requires[key], path, line, key, diags)
    return []


def _pipenv_version(
    value: Any, path: str, line: int | None, key: str, diags: Diagnostics
) -> list[PythonSource]:
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        # python_version = "3": any Python 3, a range rather than a pin.
        return [PythonSource(path, line, value, f"=={value.strip()}.*", exact=False)]
    version = parse_pin(value) if isinstance(value, str) else None
    if version is None:
        diags.warn(f"{key} {_short(str(value))!r} is not a Python version; ignored", path, line)
        return []
    return [_pin_source(path, line, value, version)]


def _read_pyproject(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    data = load_toml(tree, path, diags)
    if not isinstance(data, dict):
        return []
    out: list[PythonSource] = []
    project = data.get("project")
    if isinstance(project, dict) and "requires-python" in project:
        line = _line_of(tree, path, r"^\s*[\"']?requires-python[\"']?\s*=", section="project")
        out += _range(project["requires-python"], path, line, "requires-python", diags)
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(deps, dict) and "python" in deps:
        value = deps["python"]
        if isinstance(value, dict):
            value = value.get("version")
        line = _line_of(
            tree, path, r"^\s*[\"']?python[\"']?\s*=", section="tool.poetry.dependencies"
        )
        out += _range(value, path, line, "[tool.poetry.dependencies] python", diags)
    return out


def _read_uv_lock(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    data = load_toml(tree, path, diags)
    if not isinstance(data, dict) or "requires-python" not in data:
        return []
    line = _line_of(tree, path, r"^requires-python\s*=")
    return _range(data["requires-python"], path, line, "requires-python", diags)


# --- setuptools ---------------------------------------------------------------------------------


def _read_setup_cfg(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    parser = load_ini(tree, path, diags)
    if parser is None:
        return []
    value = parser.get("options", "python_requires", fallback=None)
    if value is None:
        return []
    line = _line_of(tree, path, r"^\s*python_requires\s*=", section="options")
    return _range(value.strip(), path, line, "python_requires", diags)


def _read_setup_py(tree: SourceTree, path: str, diags: Diagnostics) -> list[PythonSource]:
    module = parse_python(tree, path, diags)
    if module is None:
        return []
    for node in ast.walk(module):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg != "python_requires":
                continue
            value = keyword.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return _range(value.value, path, value.lineno, "python_requires", diags)
            # Computed at run time: we never run setup.py, so there is nothing to read.
            return []
    return []


# --- helpers ------------------------------------------------------------------------------------


def _range(
    value: Any, path: str, line: int | None, what: str, diags: Diagnostics
) -> list[PythonSource]:
    if not isinstance(value, str):
        diags.warn(f"{what} is not a string; ignored", path, line)
        return []
    try:
        specifier = to_specifier(value)
    except ValueError:
        diags.warn(
            f"{what} {_short(value)!r} is not a version range (PEP 440 or Poetry syntax); ignored",
            path,
            line,
        )
        return []
    if not specifier:
        return []  # "*": any version, states nothing
    return [PythonSource(path, line, value, specifier, exact=_is_exact(specifier))]


def _is_exact(specifier: str) -> bool:
    # "==3.12.*" or "==3.12.4" name one minor or release: a pin, like .python-version.
    if "||" in specifier:
        return False
    clauses = list(SpecifierSet(specifier))
    return len(clauses) == 1 and clauses[0].operator in ("==", "===") and "." in clauses[0].version


def _line_of(tree: SourceTree, path: str, *patterns: str, section: str | None = None) -> int | None:
    """The first line matching one of `patterns` (inside the TOML/INI `section` when given)."""
    text = tree.read_text(path) or ""
    compiled = [re.compile(p) for p in patterns]
    inside = section is None
    for number, line in enumerate(text.splitlines(), 1):
        if section is not None and line.lstrip().startswith("["):
            inside = line.strip() == f"[{section}]"
            continue
        if inside and any(p.search(line) for p in compiled):
            return number
    return None


def _short(text: str, limit: int = 60) -> str:
    # Hostile files may hold megabytes on one line: keep warnings readable.
    return text if len(text) <= limit else text[:limit] + "..."


Reader = Callable[[SourceTree, str, Diagnostics], list[PythonSource]]
READERS: dict[str, Reader] = {
    ".python-version": _read_python_version,
    "runtime.txt": _read_runtime_txt,
    ".tool-versions": _read_tool_versions,
    "mise.toml": _read_mise,
    ".mise.toml": _read_mise,
    "Pipfile": _read_pipfile,
    "Pipfile.lock": _read_pipfile_lock,
    "pyproject.toml": _read_pyproject,
    "uv.lock": _read_uv_lock,
    "setup.cfg": _read_setup_cfg,
    "setup.py": _read_setup_py,
}
