"""A tiny reader of the JavaScript expressions build configs use for paths (never executed).

It follows string literals joined by `path.resolve`/`path.join`, `__dirname`, `import.meta.url` and
`+`, and constants defined in the same file; anything else is unknown, never guessed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

_STRING = re.compile(r"""'([^'\\\n]*)'|"([^"\\\n]*)"|`([^`\\\n]*)`""")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_ANCHORS = ("__dirname", "import.meta")  # paths relative to the config file's own directory
# Names a path expression may use besides string literals (`path.resolve(__dirname, "dist")`).
_PATH_NAMES = frozenset(
    {
        "path.resolve",
        "path.join",
        "path.posix.join",
        "path.posix.resolve",
        "resolve",
        "join",
        "__dirname",
        "import.meta.url",
        "import.meta.dirname",
        "fileURLToPath",
        "url.fileURLToPath",
        "new",
        "URL",
        "process.cwd",
    }
)


def js_key(text: str, key: str) -> tuple[str, int] | None:
    """The expression after the first `key:` in `text`, and its line."""
    match = re.search(rf"(?<![\w$.]){re.escape(key)}['\"]?\s*:(?!:)", text)
    if not match:
        return None
    return expression_at(text, match.end()), line_at(text, match.start())


def expression_at(text: str, start: int) -> str:
    """The expression from `start` up to the `,` `;` or closing bracket that ends it."""
    stop = min(len(text), start + 400)
    for index, char, depth in _unquoted(text, start, stop):
        if depth == 0 and (char in ")]},;" or (char == "\n" and text[start:index].strip())):
            stop = index
            break
    return text[start:stop].strip()


def closing(text: str, open_at: int) -> int:
    """Index of the bracket closing the one at `open_at` (or the end of the text)."""
    for index, char, depth in _unquoted(text, open_at, len(text)):
        if depth == 1 and char in ")]}":
            return index
    return len(text)


def _unquoted(text: str, start: int, stop: int) -> Iterator[tuple[int, str, int]]:
    """Each character of text[start:stop] outside string literals, with the depth of brackets
    opened since `start` and not yet closed before it."""
    depth, quote, index = 0, "", start
    while index < stop:
        char = text[index]
        if quote:
            if char == "\\":
                index += 1  # an escaped character never ends the string
            elif char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        else:
            yield index, char, depth
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
        index += 1


def literal(expr: str) -> str | None:
    match = _STRING.fullmatch(expr.strip())
    return next((g for g in match.groups() if g is not None), None) if match else None


def js_path(expr: str, text: str, anchor: str, relative_to: str, depth: int = 0) -> str | None:
    """The repository path a JS path expression names, or None when it cannot be read.

    Only string literals joined by path.resolve/join, `__dirname`, `import.meta.url` and `+` are
    followed, plus constants defined in the same file; anything else is not guessed.
    """
    if depth > 3:
        return None
    expr = expr.strip()
    strings = [next(g for g in m.groups() if g is not None) for m in _STRING.finditer(expr)]
    rest = _STRING.sub(" ", expr)
    names = set(_IDENT.findall(rest))
    for name in names - _PATH_NAMES:
        # A constant of the same file: `const outDir = path.resolve(__dirname, "dist")`.
        match = re.search(rf"\b(?:const|let|var)\s+{re.escape(name)}\s*=", text)
        if not match or len(names) > 1:
            return None
        return js_path(expression_at(text, match.end()), text, anchor, relative_to, depth + 1)
    if not strings or any("${" in s for s in strings):
        return None
    anchored = any(name.startswith(_ANCHORS) for name in names)
    base = anchor if anchored else relative_to
    if "process.cwd" in names:
        base = relative_to
    parts = [s.lstrip("/") if anchored else s for s in strings]
    if parts[0].startswith(("/", "~")):
        return None
    return inside(base, posixpath.join(*parts))


def inside(directory: str, path: str) -> str | None:
    """`path` relative to `directory`, as a repository path; None when it leaves the repository."""
    if not path or path.startswith(("/", "~", "$")) or "\x00" in path:
        return None
    joined = posixpath.normpath(posixpath.join(directory, path))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def line_at(text: str, index: int) -> int:
    """The 1-based line of `text` holding `index`."""
    return text.count("\n", 0, index) + 1
