"""content/limits.yaml is the one source of Lambda's limits the learner sees. The engine keeps
constants of its own (it must not read YAML or Django); these tests tie each one to limits.yaml,
and check that forms and templates take their bounds and help text from there, never typed."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

from studyapp.content.limits import function_bounds, limit_bytes, limit_sheet
from studyapp.sandbox.runtime import config as engine_config
from studyapp.topics.forms import CalculatorForm

SHEET = limit_sheet()


@pytest.mark.parametrize(
    ("constant", "expected"),
    [
        ("MEMORY_MIN_MB", SHEET["memory_min"].value),
        ("MEMORY_MAX_MB", SHEET["memory_max"].value),
        ("TIMEOUT_MIN_S", SHEET["timeout"].minimum),
        ("TIMEOUT_MAX_S", SHEET["timeout"].value),
        ("INIT_TIMEOUT_S", SHEET["init_duration"].value),
        ("ENV_VARS_MAX_BYTES", limit_bytes("env_vars_total")),
        ("SYNC_PAYLOAD_MAX_BYTES", limit_bytes("payload_sync_request")),
        ("ASYNC_PAYLOAD_MAX_BYTES", limit_bytes("payload_async")),
        ("HANDLER_MAX_LENGTH", SHEET["handler_length"].value),
    ],
)
def test_every_engine_limit_is_the_one_in_limits_yaml(constant, expected):
    assert getattr(engine_config, constant) == expected


def test_a_new_function_gets_lambdas_defaults():
    function = engine_config.FunctionConfig(files={"app.py": "x = 1"})
    assert function.memory_mb == SHEET["memory_max"].default == SHEET["memory_min"].value
    assert function.timeout_s == SHEET["timeout"].default


def test_the_engine_keeps_no_other_limit_constant():
    """A new constant in the engine's config needs its line in the test above."""
    tied = {
        "MEMORY_MIN_MB",
        "MEMORY_MAX_MB",
        "TIMEOUT_MIN_S",
        "TIMEOUT_MAX_S",
        "INIT_TIMEOUT_S",
        "ENV_VARS_MAX_BYTES",
        "SYNC_PAYLOAD_MAX_BYTES",
        "ASYNC_PAYLOAD_MAX_BYTES",
        "HANDLER_MAX_LENGTH",
    }
    numbers = {
        name for name, value in vars(engine_config).items() if name.isupper() and isinstance(value, int)
    }
    assert numbers == tied


def test_the_calculator_takes_its_bounds_from_limits_yaml():
    bounds = function_bounds()
    fields = CalculatorForm().fields
    memory = fields["memory_mb"]
    assert (memory.widget.attrs["min"], memory.widget.attrs["max"]) == (
        bounds.memory_min_mb,
        bounds.memory_max_mb,
    )
    assert f"{bounds.memory_max_mb:,} MB" in memory.help_text
    duration = fields["average_duration_ms"]
    assert duration.widget.attrs["max"] == bounds.timeout_max_s * 1000
    storage = fields["ephemeral_storage_mb"]
    assert (storage.widget.attrs["min"], storage.widget.attrs["max"]) == (
        bounds.ephemeral_storage_min_mb,
        bounds.ephemeral_storage_max_mb,
    )


def test_the_calculator_refuses_memory_past_the_limit_in_limits_yaml():
    too_much = function_bounds().memory_max_mb + 1
    form = CalculatorForm(
        {
            "requests_per_month": "1",
            "average_duration_ms": "1",
            "memory_mb": str(too_much),
            "architecture": "x86_64",
            "ephemeral_storage_mb": "512",
        }
    )
    assert not form.is_valid()
    assert "memory_mb" in form.errors


def test_a_changed_limit_changes_the_calculator(content_dir):
    limits = content_dir / "limits.yaml"
    text = limits.read_text()
    start = text.index("id: memory_max")
    at = text.index("value: 10240", start)
    limits.write_text(text[:at] + "value: 4096" + text[at + len("value: 10240") :])
    assert CalculatorForm().fields["memory_mb"].widget.attrs["max"] == 4096


# The main limits, as a template or a form would type them.
TYPED_LIMIT = re.compile(r"10,?240|\b900 ?(s|sec|seconds)\b|\b[46] ?KB\b|\b(6|1) ?MB\b|\b128 ?MB\b")


def quoted_strings(path: Path) -> str:
    """Only the string literals of a Python file: comments may name a limit."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return "\n".join(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def test_no_template_or_form_types_a_limit():
    base = Path(settings.BASE_DIR)
    found = []
    for path in sorted((base / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if TYPED_LIMIT.search(line):
                found.append(f"{path.relative_to(base)}:{number}: {line.strip()}")
    for path in sorted((base / "studyapp").glob("*/forms.py")):
        for line in quoted_strings(path).splitlines():
            if TYPED_LIMIT.search(line):
                found.append(f"{path.relative_to(base)}: {line.strip()}")
    assert not found, "limits typed instead of taken from limits.yaml or the engine:\n" + "\n".join(found)
