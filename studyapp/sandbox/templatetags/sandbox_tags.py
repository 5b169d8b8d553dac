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


@register.filter
def log_lines(log: str) -> list[LogLine]:
    """Split a log for display; the runtime joins a traceback's lines with \\r, shown as lines."""
    lines = []
    for raw in log.replace("\r", "\n").splitlines():
        if raw.startswith(PLATFORM_PREFIXES):
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
