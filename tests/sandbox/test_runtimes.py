"""Runtime choice: newer interpreters found on the host are offered as python3.N runtimes, run
as themselves (bound at /var/lang, as Lambda keeps its interpreter), with their own INIT_START
runtime version and their own differences; nothing is offered that the host does not have."""

import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from studyapp.sandbox.process_engine import available_runtimes
from studyapp.sandbox.runtime.host import sandbox_python
from studyapp.sandbox.runtime.runtimes import discover, host_runtime
from tests.sandbox.conftest import function, make_engine
from tests.support.runtimes import build_runtimes_folder, newer_installation

NEWER = newer_installation()
needs_newer = pytest.mark.skipif(NEWER is None, reason="this machine has no Python newer than 3.11 installed")
REPORT = (
    "import os, sys\ndef handler(event, context):\n"
    "    return {'version': sys.version.split()[0], 'env': os.environ['AWS_EXECUTION_ENV'],"
    " 'text': 'h\\u00e9llo', 'python': sys.executable}\n"
)


@pytest.fixture(scope="module")
def runtimes_folder():
    folder = build_runtimes_folder(*NEWER)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def engine_with_runtimes(runtimes_folder):
    engine = make_engine(blank_environments=1, runtimes_dir=str(runtimes_folder))
    yield engine
    engine.close()


def test_a_runtime_is_named_by_what_its_interpreter_runs_never_by_its_file_name(tmp_path):
    default = host_runtime(sandbox_python())
    liar = tmp_path / "liar"
    (liar / "bin").mkdir(parents=True)
    (liar / "bin" / "python3.13").symlink_to(Path(sandbox_python()).resolve())  # 3.11 inside
    (liar / "lib" / "python3.13").mkdir(parents=True)
    (liar / "lib" / "python3.13" / "os.py").write_text("")
    (tmp_path / "empty").mkdir()
    assert discover(str(tmp_path), default) == {default.name: default}
    assert discover(None, default) == {default.name: default}


@pytest.mark.django_db
def test_without_newer_interpreters_only_the_servers_own_runtime_is_offered(client, settings):
    settings.SANDBOX_RUNTIMES_DIR = ""
    page = client.get(reverse("sandbox_home")).text
    offered = [name for name in available_runtimes()]
    assert offered == [host_runtime(sandbox_python()).name]
    assert f'<option value="{offered[0]}" selected>' in page


def test_a_runtime_the_server_lacks_is_refused(engine):
    result = engine.invoke(function(REPORT, runtime="python3.99"), {})
    assert result.status == "rejected"
    assert result.payload["errorMessage"].startswith("This server has no python3.99 interpreter: it offers")


@needs_newer
def test_a_newer_runtime_runs_its_own_interpreter_with_its_differences(engine_with_runtimes):
    _, minor = NEWER
    name = f"python{minor}"
    assert list(engine_with_runtimes.runtimes)[1] == name
    result = engine_with_runtimes.invoke(function(REPORT, runtime=name), {})
    assert result.status == "success", result.payload_json
    assert result.payload["version"].startswith(minor + ".")
    assert result.payload["python"] == f"/var/lang/bin/{name}"
    assert result.payload["env"] == f"AWS_Lambda_{name}"
    assert result.log_lines[0].startswith(f"INIT_START Runtime Version: python:{minor}.sandbox\t")
    # The python3.12+ runtimes keep non-ASCII characters in results; python3.11 escapes them.
    assert '"text": "h\u00e9llo"' in result.payload_json
    default = engine_with_runtimes.invoke(function(REPORT), {})
    assert default.payload["version"].startswith("3.11.") and '"h\\u00e9llo"' in default.payload_json


@needs_newer
def test_a_newer_runtime_has_the_runtimes_library_set(engine_with_runtimes):
    name = f"python{NEWER[1]}"
    boto3 = engine_with_runtimes.invoke(
        function("import boto3\ndef handler(e, c):\n    return 1\n", runtime=name), {}
    )
    assert boto3.status == "success", boto3.payload_json
    requests = engine_with_runtimes.invoke(
        function("import requests\ndef handler(e, c):\n    pass\n", runtime=name), {}
    )
    assert requests.payload["errorType"] == "Runtime.ImportModuleError"


@needs_newer
@pytest.mark.django_db
def test_the_form_offers_a_newer_runtime_the_host_has(client, settings, runtimes_folder):
    settings.SANDBOX_RUNTIMES_DIR = str(runtimes_folder)
    page = client.get(reverse("sandbox_home")).text
    name = f"python{NEWER[1]}"
    assert f'<option value="{name}">{name} (Python {NEWER[1]}.' in page


@needs_newer
def test_a_newer_runtime_is_bound_from_a_copy_that_names_no_host_folder(
    engine_with_runtimes, runtimes_folder
):
    _, minor = NEWER
    code = "def handler(event, context):\n    return open('/proc/self/mountinfo').read()\n"
    mounts = engine_with_runtimes.invoke(function(code, runtime=f"python{minor}"), {}).payload
    lang = next(line.split() for line in mounts.splitlines() if line.split()[4] == "/var/lang")
    assert "tmpfs" in lang and lang[3].startswith("/")
    assert str(runtimes_folder) not in mounts and "coldstart-" not in mounts
