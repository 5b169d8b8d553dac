"""Per-learner rate limits in Django's cache (shared by all workers when the cache is Redis or
Memcached): a fixed one-minute window per scope and learner (or client address)."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from studyapp.core.learner import learner_key


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: int = 0


def _who(request, by_address: bool) -> str:
    if request.user.is_authenticated:
        return f"user-{request.user.pk}"
    if by_address:  # before log in there is no learner yet: count per client address
        return "ip-" + request.META.get("REMOTE_ADDR", "unknown")
    return learner_key(request)


def check_rate(request, scope: str, per_minute: int, by_address: bool = False) -> RateDecision:
    window = int(time.time() // 60)
    key = f"rate:{scope}:{_who(request, by_address)}:{window}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=90)
        count = 1
    if count > per_minute:
        return RateDecision(False, retry_after_s=max(1, 60 - int(time.time() % 60)))
    return RateDecision(True)


def too_many(request, decision: RateDecision, message: str):
    template = "core/_rate_limited.html" if getattr(request, "htmx", False) else "core/rate_limited.html"
    response = render(
        request, template, {"message": message, "retry_after_s": decision.retry_after_s}, status=429
    )
    response["Retry-After"] = str(decision.retry_after_s)
    # The fragment and the page share a URL: a cache must not hand one to the other.
    patch_vary_headers(response, ["HX-Request"])
    return response


def rate_limited(scope: str, setting: str, message: str, by_address: bool = False):
    """Limit a view's POSTs to settings.<setting> a minute; past it: 429 with Retry-After."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                decision = check_rate(request, scope, getattr(settings, setting), by_address)
                if not decision.allowed:
                    return too_many(request, decision, message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
