"""System packages per stage come from the data table, keyed on requirements and Python."""

from __future__ import annotations

import pytest

from generator.core import generate
from generator.detect.system_packages import detect_system_packages
from generator.facts import Dependencies, Requirement, SettingsFacts


def packages(reqs: list[Requirement], python: str = "3.12", suite: str = "trixie", **settings):
    deps = Dependencies(manager="pip", requirements=tuple(reqs))
    pkgs, evidence = detect_system_packages(
        deps, SettingsFacts(**settings), python, suite, compilemessages=False
    )
    build = sorted({p.name for p in pkgs if p.stage == "build"})
    runtime = sorted({p.name for p in pkgs if p.stage == "runtime"})
    return build, runtime, evidence


def req(
    name: str, specifier: str = "", resolved: str | None = None, extras=(), **kw
) -> Requirement:
    return Requirement(
        name=name,
        specifier=specifier,
        resolved=resolved,
        extras=tuple(extras),
        file="requirements.txt",
        line=1,
        **kw,
    )


def test_pure_python_project_needs_nothing():
    assert packages([req("django", ">=5.2"), req("gunicorn")])[:2] == ([], [])


def test_psycopg2_source_package_needs_compiler_and_libpq():
    build, runtime, evidence = packages([req("psycopg2", "==2.9.11", resolved="2.9.11")])
    assert {"gcc", "libpq-dev"} <= set(build)
    assert runtime == ["libpq5"]
    assert evidence[0].file == "requirements.txt"


def test_psycopg2_binary_with_wheel_needs_nothing_but_old_pin_on_new_python_compiles():
    assert packages([req("psycopg2-binary", "==2.9.11", resolved="2.9.11")], "3.14")[:2] == ([], [])
    build, runtime, _ = packages([req("psycopg2-binary", "==2.9.2", resolved="2.9.2")], "3.12")
    assert "libpq-dev" in build and runtime == ["libpq5"]


@pytest.mark.parametrize(
    ("extras", "build", "runtime"),
    [
        ((), [], ["libpq5"]),
        (("binary",), [], []),
        (("c",), ["gcc", "libc6-dev", "libpq-dev"], ["libpq5"]),
    ],
)
def test_psycopg3_extras(extras, build, runtime):
    got_build, got_runtime, _ = packages([req("psycopg", ">=3.2", extras=extras)])
    assert (got_build, got_runtime) == (build, runtime)


def test_mysqlclient():
    build, runtime, _ = packages([req("mysqlclient")])
    assert {"default-libmysqlclient-dev", "pkg-config", "gcc"} <= set(build)
    assert runtime == ["libmariadb3"]


def test_suite_specific_runtime_names():
    assert "libldap2" in packages([req("python-ldap")], suite="trixie")[1]
    assert "libldap-2.5-0" in packages([req("python-ldap")], suite="bookworm")[1]


def test_pillow_only_without_wheel():
    assert packages([req("pillow", ">=10")], "3.13")[:2] == ([], [])
    build, runtime, _ = packages([req("pillow", "<10")], "3.13")
    assert "libjpeg62-turbo-dev" in build and "libjpeg62-turbo" in runtime


def test_marker_excluding_linux_is_ignored():
    assert packages([req("mysqlclient", marker='sys_platform == "win32"')])[:2] == ([], [])


def test_vcs_requirement_needs_git():
    build, _, _ = packages([req("django-push", url="git+https://github.com/x/django-push.git@abc")])
    assert build == ["git"]


def test_geodjango_needs_gdal_geos_proj_at_runtime_per_debian_release():
    _, runtime, _ = packages([], installed_apps=("django.contrib.gis",))
    assert runtime == ["libgdal36", "libgeos-c1t64", "libproj25"]
    _, runtime, _ = packages([], suite="bookworm", installed_apps=("django.contrib.gis",))
    assert runtime == ["libgdal32", "libgeos-c1v5", "libproj25"]


@pytest.mark.parametrize("engine", ["postgis", "mysqlgis", "spatialite"])
def test_spatial_engine_default_needs_geodjango_libraries(engine):
    _, runtime, evidence = packages([], database="from environment", database_default=engine)
    assert "libgdal36" in runtime
    assert engine in evidence[0].why


def test_geodjango_libraries_in_build_stage_when_compilemessages_runs_there():
    deps = Dependencies(manager="pip")
    settings = SettingsFacts(installed_apps=("django.contrib.gis",), locale_dirs=("locale",))
    pkgs, _ = detect_system_packages(deps, settings, "3.12", "trixie", True)
    build = {p.name for p in pkgs if p.stage == "build"}
    assert {"libgdal36", "libgeos-c1t64", "libproj25", "gettext"} <= build


def test_python_magic_runtime_only_with_each_debian_releases_name():
    assert packages([req("python-magic")])[:2] == ([], ["libmagic1t64"])
    assert packages([req("python-magic")], suite="bookworm")[:2] == ([], ["libmagic1"])


def test_compilemessages_needs_gettext_at_build():
    deps = Dependencies(manager="pip")
    pkgs, _ = detect_system_packages(
        deps, SettingsFacts(locale_dirs=("locale",)), "3.12", "trixie", True
    )
    assert [(p.name, p.stage) for p in pkgs] == [("gettext", "build")]


def test_xmlsec_compiles_only_before_its_first_wheel_with_each_releases_libraries():
    # xmlsec ships manylinux wheels (libraries bundled) since 1.3.14 (data/wheels.toml).
    assert packages([req("xmlsec", "==1.3.14", resolved="1.3.14")], "3.12")[:2] == ([], [])
    build, runtime, _ = packages([req("xmlsec", "==1.3.13", resolved="1.3.13")], "3.12")
    assert {"libxmlsec1-dev", "pkg-config", "gcc"} <= set(build)
    assert {"libxmlsec1t64", "libxmlsec1t64-openssl"} <= set(runtime)
    _, runtime, _ = packages(
        [req("xmlsec", "==1.3.13", resolved="1.3.13")], "3.12", suite="bookworm"
    )
    assert {"libxmlsec1", "libxmlsec1-openssl"} <= set(runtime)


def test_python_ldap_and_cairo_build_and_runtime():
    build, runtime, _ = packages(
        [req("python-ldap", "==3.4.4", resolved="3.4.4")], suite="bookworm"
    )
    assert {"libldap2-dev", "libsasl2-dev", "gcc"} <= set(build)
    assert {"libldap-2.5-0", "libsasl2-2"} <= set(runtime)
    build, runtime, _ = packages([req("pycairo")])
    assert {"libcairo2-dev", "pkg-config"} <= set(build) and runtime == ["libcairo2"]
    assert packages([req("cairosvg")])[:2] == ([], ["libcairo2"])
    assert "libpango-1.0-0" in packages([req("weasyprint")])[1]


def test_bullseye_names_for_renamed_libraries():
    _, runtime, _ = packages([], suite="bullseye", installed_apps=("django.contrib.gis",))
    assert runtime == ["libgdal28", "libgeos-c1v5", "libproj19"]
    assert "libldap-2.4-2" in packages([req("python-ldap")], suite="bullseye")[1]


def test_ctypes_libraries_also_in_build_stage_when_compilemessages_runs_there():
    deps = Dependencies(
        manager="pip", requirements=(req("psycopg", "==3.2.10", resolved="3.2.10"),)
    )
    pkgs, _ = detect_system_packages(
        deps, SettingsFacts(locale_dirs=("locale",)), "3.12", "trixie", True
    )
    assert {(p.name, p.stage) for p in pkgs} >= {("libpq5", "build"), ("libpq5", "runtime")}
    pkgs, _ = detect_system_packages(deps, SettingsFacts(), "3.12", "trixie", False)
    assert {(p.name, p.stage) for p in pkgs} == {("libpq5", "runtime")}


GIS_SITE = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
    "mysite/__init__.py": "",
    "mysite/settings.py": 'INSTALLED_APPS = ["django.contrib.staticfiles", "places"]\n'
    'WSGI_APPLICATION = "mysite.wsgi.application"\n',
    "mysite/wsgi.py": "application = None\n",
    "requirements.txt": "django==5.2.1\n",
    "places/__init__.py": "",
    "places/tests/test_geo.py": "from django.contrib.gis.geos import Point\n",
}


def test_app_code_importing_geodjango_needs_its_libraries(make_tree):
    """django.contrib.gis not installed, a plain engine, yet an app module imports GEOS:
    collectstatic imports the app and failed 'Could not find the GDAL library' (akarpov)."""
    tree = make_tree(
        {**GIS_SITE, "places/tasks.py": "import os\n\nfrom django.contrib.gis.geos import Point\n"}
    )
    result = generate(tree)
    assert result.facts.settings.gis_import == "places/tasks.py:3"
    runtime = result.files["Dockerfile"].split(" AS runtime")[1]
    assert "libgdal36 libgeos-c1t64 libproj25" in runtime
    assert any(
        "places/tasks.py:3 imports django.contrib.gis" in e.why for e in result.facts.evidence
    )


def test_geodjango_imported_only_by_tests_needs_nothing(make_tree):
    result = generate(make_tree(GIS_SITE))
    assert result.facts.settings.gis_import is None
    assert "libgdal" not in result.files["Dockerfile"]
