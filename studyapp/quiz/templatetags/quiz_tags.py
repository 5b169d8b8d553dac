from django import template

from studyapp.quiz.scoring import rubric_index

register = template.Library()


@register.filter
def is_picked(index: int, response) -> bool:
    """Was choice `index` part of the saved response (a string or a list of strings)?"""
    if response is None or response == "":
        return False
    values = response if isinstance(response, list) else [response]
    return str(index) in {str(value) for value in values}


@register.filter
def is_point(index: int, response) -> bool:
    points = response.get("points", []) if isinstance(response, dict) else []
    return index in {rubric_index(point) for point in points}


@register.filter
def percent(value) -> str:
    return f"{round(100 * (value or 0))}%"


@register.filter
def seconds(milliseconds) -> str:
    return f"{(milliseconds or 0) / 1000:.0f} s"


@register.filter
def duration(total_seconds) -> str:
    """A time limit in words: 1500 is "25 min", 90 is "1 min 30 s", 10 is "10 s"."""
    minutes, seconds = divmod(int(total_seconds or 0), 60)
    parts = [f"{minutes} min"] if minutes else []
    if seconds or not minutes:
        parts.append(f"{seconds} s")
    return " ".join(parts)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def open_text(response) -> str:
    """An interview answer's text, saved with the grade or as a draft when revealing."""
    if not isinstance(response, dict):
        return ""
    return response.get("text") or response.get("draft") or ""
