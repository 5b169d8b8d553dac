from dataclasses import dataclass
from decimal import Decimal

from django import template

from studyapp.sandbox import jsontext

register = template.Library()


@dataclass(frozen=True)
class LogLine:
    text: str
    kind: str  # CSS class: platform, error, warning, info, debug, output


PLATFORM_PREFIXES = ("INIT_START", "INIT_REPORT", "START RequestId", "END RequestId", "REPORT RequestId")


JSON_LEVEL_KINDS = {
    "ERROR": "error",
    "CRITICAL": "error",
    "WARNING": "warning",
    "INFO": "info",
    "DEBUG": "debug",
}


def _json_kind(raw: str) -> str | None:
    """The kind of a line of the JSON log format (a platform record or a logging record)."""
    if raw.startswith('{"time":') and '"type":"platform.' in raw:
        return "platform"
    if raw.startswith('{"timestamp": '):
        for level, kind in JSON_LEVEL_KINDS.items():
            if f'"level": "{level}"' in raw:
                return kind
    return None


@register.filter
def log_lines(log: str) -> list[LogLine]:
    """Split a log for display; the runtime joins a traceback's lines with \\r, shown as lines."""
    lines = []
    for raw in log.replace("\r", "\n").splitlines():
        json_kind = _json_kind(raw)
        if json_kind:
            kind = json_kind
        elif raw.startswith(PLATFORM_PREFIXES):
            kind = "platform"
        elif raw.startswith("[ERROR]") or "Task timed out" in raw or raw.startswith("RequestId:"):
            kind = "error"
        elif raw.startswith("[WARNING]"):
            kind = "warning"
        elif raw.startswith("[INFO]"):
            kind = "info"
        elif raw.startswith("[DEBUG]"):
            kind = "debug"
        else:
            kind = "output"
        lines.append(LogLine(raw, kind))
    return lines


@register.filter
def pretty_json(value) -> str:
    return jsontext.pretty_value(value)


@register.filter
def dollars(value: Decimal, places: int = 10) -> str:
    return f"{Decimal(value):.{int(places)}f}"
