"""Version constraints as people write them, turned into PEP 440 (read by `packaging`).

Poetry's caret/tilde/wildcard/`||` syntax is not PEP 440, and version files hold bare pins such as
`python-3.12.4` or `3.13t`. Everything here is pure string work: nothing is resolved or installed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

# A pin as version files write it: "3.12", "3.12.4", "python-3.12.4", "cpython-3.12", "3.13t"
# (free-threaded build), "3.13-dev", "3.14.0rc1".
_PIN = re.compile(
    r"(?:c?python[-@]?)?(?P<version>[0-9]+\.[0-9]+(?:\.[0-9]+)?(?:(?:a|b|rc)[0-9]+)?)(?:t|-dev)?\Z",
    re.IGNORECASE,
)
_OPERATOR_SPACE = re.compile(r"(===|==|!=|<=|>=|~=|<|>|=|\^|~)\s+")
_BARE = re.compile(r"[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?\Z")


def parse_pin(text: str) -> Version | None:
    """The version a pin names (`python-3.12.4` -> 3.12.4), or None when it is not a pin."""
    match = _PIN.match(text.strip())
    if not match:
        return None
    try:
        return Version(match.group("version"))
    except InvalidVersion:  # pragma: no cover - the pattern only admits valid versions
        return None


def minor_of(version: Version) -> str:
    """ "3.12" for 3.12.4."""
    return f"{version.major}.{version.minor}"


def poetry_to_pep440(constraint: str) -> str:
    """A Poetry constraint in PEP 440 form; alternatives (`||`) are kept, joined by " || ".

    `^3.11` -> `>=3.11,<4.0`; `~3.11` -> `>=3.11,<3.12`; `3.11.*` -> `==3.11.*`; `3.11` ->
    `==3.11`. Raises ValueError with the offending part when the text is not a constraint.
    """
    alternatives = []
    for alternative in re.split(r"\|\|?", constraint):
        alternatives.append(_poetry_alternative(alternative))
    return " || ".join(alternatives)


def to_specifier(text: str) -> str:
    """`text` as PEP 440 if it is, else converted from Poetry syntax (ValueError if neither).

    The empty string and "*" mean "any version" and give "".
    """
    stripped = text.strip()
    if stripped in ("", "*"):
        return ""
    try:
        SpecifierSet(stripped)
    except InvalidSpecifier:
        return poetry_to_pep440(stripped)
    return stripped


def admits(specifier: str, version: Version) -> bool:
    """Whether a specifier from `to_specifier` (alternatives joined by " || ") allows `version`."""
    return any(part.contains(version, prereleases=True) for part in _alternatives(specifier))


@lru_cache(maxsize=256)
def _alternatives(specifier: str) -> tuple[SpecifierSet, ...]:
    # Cached: the same few specifiers are matched against hundreds of versions.
    return tuple(SpecifierSet(part) for part in specifier.split("||"))


def _poetry_alternative(text: str) -> str:
    text = _OPERATOR_SPACE.sub(r"\1", text.strip())
    if text in ("", "*"):
        return ""
    clauses: list[str] = []
    for token in re.split(r"[,\s]+", text):
        if token:
            clauses.extend(_poetry_clause(token))
    joined = ",".join(clauses)
    try:
        SpecifierSet(joined)
    except InvalidSpecifier as exc:
        raise ValueError(f"'{text}' is not a version constraint") from exc
    # Kept in the order written (SpecifierSet's str() sorts clauses, which reads oddly).
    return joined


def _poetry_clause(token: str) -> list[str]:
    if token == "*":
        return []
    if token.startswith("^"):
        return _caret(token[1:], token)
    if token.startswith("~") and not token.startswith("~="):
        return _tilde(token[1:], token)
    if token.startswith("=") and not token.startswith("=="):
        token = "=" + token  # Poetry accepts "=3.11" for "==3.11"
    if _BARE.match(token):
        return [f"=={token}"]
    if re.match(r"[0-9]+(\.[0-9]+)*\.\*\Z", token):
        return [f"=={token}"]
    return [token]


def _release(text: str, original: str) -> list[int]:
    if not re.match(r"[0-9]+(\.[0-9]+)*\Z", text):
        raise ValueError(f"'{original}' is not a version constraint")
    return [int(part) for part in text.split(".")]


def _caret(text: str, original: str) -> list[str]:
    # Poetry: bump the left-most non-zero part that was written (^0.2.3 -> <0.3.0, ^0.0 -> <0.1).
    parts = _release(text, original)
    index = next((i for i, part in enumerate(parts) if part != 0), len(parts) - 1)
    upper = [*parts[:index], parts[index] + 1]
    upper += [0] * (max(len(parts), 2) - len(upper))
    return [f">={text}", f"<{'.'.join(map(str, upper))}"]


def _tilde(text: str, original: str) -> list[str]:
    # Poetry: ~3 -> >=3,<4; ~3.11 and ~3.11.4 -> <3.12.
    parts = _release(text, original)
    upper = [parts[0] + 1, 0] if len(parts) == 1 else [parts[0], parts[1] + 1]
    return [f">={text}", f"<{'.'.join(map(str, upper))}"]


# Lower bounds read first, as people write them (">=6.0,<6.1"); packaging sorts alphabetically.
_OPERATOR_ORDER = {">=": 0, ">": 1, "~=": 2, "==": 3, "===": 4, "!=": 5, "<=": 6, "<": 7}


def readable(spec: SpecifierSet) -> str:
    """A specifier set as text with lower bounds first, for reports and JSON."""
    return ",".join(
        str(s) for s in sorted(spec, key=lambda s: (_OPERATOR_ORDER.get(s.operator, 9), s.version))
    )
