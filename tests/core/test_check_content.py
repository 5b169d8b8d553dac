"""check_content: passes on the real content, names the file and problem for each failure kind.

The command runs end to end twice (real content passes; a broken file fails it); every other
case calls the one checker it is about, which is what the command runs for that file.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from studyapp.topics.checks import check_limits, check_pricing, check_quoted_rates, check_topics
from tests.conftest import write_topic
from tests.support.checks import reported


def run_check(capsys) -> tuple[bool, str]:
    try:
        call_command("check_content")
    except CommandError:
        return False, capsys.readouterr().err
    return True, capsys.readouterr().out


def test_real_content_passes(capsys):
    ok, output = run_check(capsys)
    assert ok, output
    assert "Content OK" in output


def test_the_command_fails_and_names_the_file_and_line(content_dir, capsys):
    (content_dir / "topics" / "bare.md").write_text("Just text\n")
    ok, output = run_check(capsys)
    assert not ok
    assert "bare.md:1: missing front matter" in output


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": None}, "missing required key(s): title"),
        ({"sources": "[]"}, "missing required key(s): sources"),
        ({"section": "Misc"}, "unknown section 'Misc'"),
        ({"order": "first"}, "'order' must be an integer"),
        ({"last_verified": "2026-13-45"}, "invalid front matter value: month must be in 1..12"),
        ({"last_verified": "soon"}, "'last_verified' must be a date"),
        ({"last_verified": "2999-01-01"}, "is in the future"),
        ({"sources": "[http://example.com/x]"}, "sources must be https URLs"),
        ({"related": "[no-such-topic]"}, "related topic 'no-such-topic' does not exist"),
        ({"slug": "Not A Slug"}, "must be lowercase words joined by -"),
        ({"summary": "[unclosed"}, "invalid front matter"),
        (
            {"body": "See [this](/topics/missing-page/).\n"},
            "link to unknown topic '/topics/missing-page/'",
        ),
    ],
)
def test_each_topic_problem_is_reported_with_its_file(content_dir, overrides, message):
    write_topic(content_dir, "broken", **overrides)
    output = reported(check_topics)
    assert "broken.md" in output
    assert message in output


def test_duplicate_slug_is_reported(content_dir):
    write_topic(content_dir, "timeouts-copy", slug="timeouts")
    output = reported(check_topics)
    assert "duplicate slug 'timeouts'" in output


def test_invalid_yaml_in_limits_is_reported_with_line(content_dir):
    (content_dir / "limits.yaml").write_text("last_verified: 2026-01-01\ngroups: [\n  - a: b\n")
    output = reported(check_limits)
    assert "limits.yaml:" in output and "invalid YAML" in output


def test_missing_required_limit_is_reported(content_dir):
    path = content_dir / "limits.yaml"
    path.write_text(path.read_text().replace("id: payload_async", "id: payload_async_old"))
    output = reported(check_limits)
    assert "required limit 'payload_async' is missing" in output


def test_pricing_example_that_no_longer_reproduces_is_reported(content_dir):
    path = content_dir / "pricing.yaml"
    path.write_text(path.read_text().replace("total: 2.73", "total: 2.74"))
    output = reported(check_pricing)
    assert "example 'mobile-backend': total is 2.73, AWS prints 2.74" in output


def test_a_rate_that_is_not_in_pricing_yaml_is_reported(content_dir):
    write_topic(content_dir, "stale-rate", body="## Cost\n\nDuration costs $0.0000199999 per GB-second.\n")
    output = reported(check_quoted_rates)
    assert "stale-rate.md: rate $0.0000199999 is not a rate in content/pricing.yaml" in output


def test_a_rate_from_pricing_yaml_is_accepted(content_dir):
    write_topic(content_dir, "good-rate", body="## Cost\n\nx86 duration: $0.0000166667 per GB-second.\n")
    output = reported(check_quoted_rates)
    assert output == ""
