"""Tool pins per Python minor: the Dockerfile installs only releases that install on its Python,
and `python -m generator.data.refresh_tools` chooses them from PyPI's simple index (PEP 691)."""

from __future__ import annotations

import io
import tomllib
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from packaging.version import Version
from plan_facts import deps, facts

from generator.data import refresh_tools
from generator.facts import DjangoVersion, PythonChoice
from generator.options import Options
from generator.plan import PlanError, plan
from generator.render import render_dockerfile

DATA = Path(__file__).resolve().parents[1] / "generator" / "data"


def on_python(minor: str, manager: str = "pip", **kw):
    f = facts(
        dependencies=deps(manager),
        python=PythonChoice(version=minor, source=".python-version:1"),
        django_version=DjangoVersion(spec="==4.2.16", resolved="4.2.16", source="x:1"),
        **kw,
    )
    p = plan(f, Options())
    return render_dockerfile(p), [d.why for d in p.decisions if d.fact == "tools"]


# --- the plan -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("manager", "minor", "expected"),
    [
        # Python 3.8: the last releases that still install there (their successors need >=3.9/3.10).
        ("pip", "3.8", "gunicorn==23.0.0"),
        ("pdm", "3.8", "pip install pdm==2.20.1 hishel==0.0.33"),
        ("pipenv", "3.8", "pip install pipenv==2024.4.1"),
        ("poetry", "3.8", "pip install poetry==1.8.5"),
        ("pipenv", "3.9", "pip install pipenv==2025.0.4"),
        ("pdm", "3.9", "pip install pdm==2.26.9 hishel==1.1.8"),
    ],
)
def test_tools_are_pinned_to_a_release_that_installs_on_the_images_python(manager, minor, expected):
    text, why = on_python(minor, manager)
    assert f"ARG PYTHON_VERSION={minor}." in text
    assert expected in text
    tool = expected.split()[-1].split("==")[0] if manager == "pip" else manager
    assert any(w.startswith(f"{tool}==") and f"installs on Python {minor}" in w for w in why)


def test_newest_python_gets_the_newest_releases_from_the_table():
    table = tomllib.loads((DATA / "tool_releases.toml").read_text())["tool"]
    text, why = on_python("3.12", "pdm")
    pdm = table["pdm"]["3.12"]
    assert f"pip install pdm=={pdm['version']} {' '.join(pdm['with'])}" in text
    assert f"gunicorn=={table['gunicorn']['3.12']['version']}" in text
    assert any(f"made {pdm['date']}" in w and "hishel" in w for w in why)


def test_asgi_worker_is_pinned_for_the_images_python():
    f = facts(
        python=PythonChoice(version="3.8", source=".python-version:1"),
        django_version=DjangoVersion(spec="==4.2.16", resolved="4.2.16", source="x:1"),
        asgi_required=True,
    )
    text = render_dockerfile(plan(f, Options()))
    assert "gunicorn==23.0.0 uvicorn-worker==0.2.0" in text


def test_a_python_no_release_installs_on_is_refused_with_advice(monkeypatch):
    from generator.plan import tools

    table = tomllib.loads((DATA / "tool_releases.toml").read_text())
    del table["tool"]["pipenv"]["3.13"]
    monkeypatch.setattr(tools, "_releases", lambda: table)
    f = replace(facts(dependencies=deps("pipenv")), python=PythonChoice("3.13", "runtime.txt:1"))
    with pytest.raises(PlanError, match=r"no release of pipenv installs on Python 3\.13"):
        plan(f, Options())


def test_every_tool_has_a_release_for_every_python_the_image_may_run():
    tools = tomllib.loads((DATA / "tools.toml").read_text())
    table = tomllib.loads((DATA / "tool_releases.toml").read_text())
    minors = [
        r["minor"] for r in tomllib.loads((DATA / "python_releases.toml").read_text())["python"]
    ]
    assert table["refreshed"]
    assert set(table["tool"]) == set(tools["tools"])
    for name, pins in table["tool"].items():
        assert list(pins) == minors, name
        versions = [Version(p["version"]) for p in pins.values()]
        assert versions == sorted(versions), f"{name}: a newer Python never gets an older release"
        for pin in pins.values():
            assert len(pin["date"]) == 10
    for row in tools["tools"].values():
        assert row["source"]


# --- the refresh script -----------------------------------------------------------------------------


def _file(name: str, requires: str | None = None, uploaded: str = "2025-01-02", yanked=False):
    return {
        "filename": name,
        "url": f"https://files.example/{name}",
        "requires-python": requires,
        "upload-time": f"{uploaded}T10:00:00Z",
        "yanked": yanked,
    }


def _wheel(name: str, version: str, requires: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
        archive.writestr(f"{name}-{version}.dist-info/METADATA", meta)
    return buffer.getvalue()


PY38, PY312 = Version("3.8.20"), Version("3.12.15")


def test_newest_release_respects_requires_python_yanked_and_prereleases():
    index = {
        "files": [
            _file("tool-1.0-py3-none-any.whl", ">=3.8", "2024-01-01"),
            _file("tool-1.0.tar.gz", ">=3.8", "2023-12-31"),
            _file("tool-1.1-py3-none-any.whl", ">=3.8", yanked="broken"),
            _file("tool-2.0-py3-none-any.whl", ">=3.10", "2025-06-01"),
            _file("tool-3.0b1-py3-none-any.whl", ">=3.10"),
        ]
    }
    releases = refresh_tools.releases(index)
    assert str(refresh_tools.newest(releases, PY38).version) == "1.0"
    assert refresh_tools.newest(releases, PY38).date == "2023-12-31"
    assert str(refresh_tools.newest(releases, PY312).version) == "2.0"


def test_a_compiled_release_without_a_wheel_for_that_python_is_skipped():
    index = {
        "files": [
            _file("srv-1.0-cp38-cp38-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", ">=3.8"),
            _file("srv-1.0.tar.gz", ">=3.8"),
            _file("srv-2.0-cp312-cp312-manylinux_2_17_x86_64.whl", ">=3.8"),
            _file("srv-2.0-cp38-cp38-win_amd64.whl", ">=3.8"),
            _file("srv-2.0.tar.gz", ">=3.8"),
            _file("only-1.0.tar.gz", ">=3.8"),  # sdist only: always built, so it counts
        ]
    }
    releases = refresh_tools.releases(index)
    assert str(refresh_tools.newest(releases, PY38).version) == "1.0"
    assert str(refresh_tools.newest(releases, PY312).version) == "2.0"
    only = refresh_tools.releases({"files": [_file("only-1.0.tar.gz", ">=3.8")]})
    assert str(refresh_tools.newest(only, PY38).version) == "1.0"


def test_build_pins_companions_only_where_the_tool_release_depends_on_them():
    pages = {
        "pdm": {
            "files": [
                _file("pdm-1.0-py3-none-any.whl", ">=3.8"),
                _file("pdm-2.0-py3-none-any.whl", ">=3.10"),
            ]
        },
        "hishel": {
            "files": [
                _file("hishel-0.5-py3-none-any.whl", ">=3.8"),
                _file("hishel-0.9-py3-none-any.whl", ">=3.8"),
                _file("hishel-1.4-py3-none-any.whl", ">=3.9"),
                _file("hishel-2.0-py3-none-any.whl", ">=3.10"),
            ]
        },
    }
    wheels = {
        "https://files.example/pdm-1.0-py3-none-any.whl": _wheel("pdm", "1.0", ["rich"]),
        "https://files.example/pdm-2.0-py3-none-any.whl": _wheel(
            "pdm", "2.0", ["hishel>=0.9", "pytest; extra == 'test'"]
        ),
    }
    tools = {
        "tools": {"pdm": {"source": "x"}, "pdm-1": {"source": "x", "package": "pdm", "spec": "<2"}},
        "companion": [{"tool": "pdm", "package": "hishel", "spec": "<2", "source": "x"}],
    }
    table = refresh_tools.build(
        tools, {"3.8": PY38, "3.12": PY312}, pages.__getitem__, wheels.__getitem__
    )
    assert table["pdm"]["3.8"].version == "1.0" and table["pdm"]["3.8"].companions == ()
    assert table["pdm"]["3.12"].version == "2.0"
    assert table["pdm"]["3.12"].companions == ("hishel==1.4",)
    assert table["pdm-1"]["3.12"].version == "1.0"
    text = refresh_tools.render(table, tools, "2026-11-30")
    parsed = tomllib.loads(text)
    assert parsed["refreshed"] == "2026-11-30"
    assert parsed["tool"]["pdm"]["3.12"] == {
        "version": "2.0",
        "date": "2025-01-02",
        "with": ["hishel==1.4"],
    }
    assert "pypi.org/simple/pdm/ (releases <2)" in text


def test_check_reports_a_change_and_writes_nothing(monkeypatch, tmp_path, capsys):
    table = tmp_path / "tool_releases.toml"
    table.write_text((DATA / "tool_releases.toml").read_text())
    before = table.read_text()

    def fetch(package: str) -> dict:  # every tool has a release 99.0 for every Python
        wheel = f"{package.replace('-', '_')}-99.0-py3-none-any.whl"  # names normalised
        return {"files": [_file(wheel, ">=3.8", "2026-12-01")]}

    monkeypatch.setattr(refresh_tools, "TABLE", table)
    monkeypatch.setattr(refresh_tools, "_fetch", fetch)
    monkeypatch.setattr(refresh_tools, "_read", lambda url: _wheel("x", "99.0", []))
    assert refresh_tools.main(["--check"]) == 1
    assert table.read_text() == before
    assert "gunicorn on Python 3.8: 23.0.0 -> 99.0 (2026-12-01)" in capsys.readouterr().out
    assert refresh_tools.main([]) == 0
    assert 'gunicorn]\n"3.8" = { version = "99.0", date = "2026-12-01" }' in table.read_text()
