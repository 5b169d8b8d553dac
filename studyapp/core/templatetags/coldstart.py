from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def number(value) -> str:
    """1234567 -> 1,234,567; 0.50 -> 0.5; strings pass through."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    if value == int(value):
        return f"{int(value):,}"
    return f"{Decimal(str(value)):,f}".rstrip("0").rstrip(".")


@register.filter
def money(value) -> str:
    return f"${Decimal(value):,.2f}"


@register.simple_tag(takes_context=True)
def nav_class(context, prefix: str) -> str:
    """'current' when the request path is in a header section, for aria-current styling."""
    request = context.get("request")
    return "current" if request and request.path.startswith(prefix) else ""
