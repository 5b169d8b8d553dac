"""Rate limits in Django's cache (shared by all workers and hosts when the cache is Redis): a
fixed one-minute window per scope, counted per account, or for anonymous learners per session
and per client address together, so dropping the session cookie does not reset them."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
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


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy, then the right-most
    address in X-Forwarded-For that is not one (what a client writes there itself is ignored)."""
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    if not _trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([part for part in forwarded if part]):
        if not _trusted_proxy(address):
            return address if _is_address(address) else remote
    return remote


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in settings.TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _counters(request, per_minute: int, by_address: bool) -> list[tuple[str, int]]:
    """(who, limit) pairs a request counts against: all must have room."""
    address = "ip-" + client_address(request)
    if request.user.is_authenticated:
        return [(f"user-{request.user.pk}", per_minute)]
    if by_address:  # before log in there is no learner yet: count per client address
        return [(address, per_minute)]
    # A new session per request (no cookie) starts a learner counter afresh, not the address's.
    return [(learner_key(request), per_minute), (address, per_minute * settings.ANONYMOUS_ADDRESS_FACTOR)]


def _window() -> int:
    return int(time.time() // 60)


def _hit(key: str, cost: int = 1) -> int:
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key, cost)
    except ValueError:  # evicted between add and incr
        cache.set(key, cost, timeout=90)
        return cost


def _retry_after() -> int:
    return max(1, 60 - int(time.time() % 60))


def check_rate(request, scope: str, per_minute: int, by_address: bool = False, cost: int = 1) -> RateDecision:
    """`cost`: how many of the minute's allowance this request takes (a batch of runs)."""
    window = _window()
    counters = _counters(request, per_minute, by_address)
    counts = [(_hit(f"rate:{scope}:{who}:{window}", cost), limit) for who, limit in counters]
    if any(count > limit for count, limit in counts):
        return RateDecision(False, retry_after_s=_retry_after())
    return RateDecision(True)


def failed_login_keys(request, account: str) -> list[tuple[str, int]]:
    """Failed log ins count per account (whoever tries it, from anywhere) and per address (with
    a higher limit: one address may be a whole school behind a proxy)."""
    window = _window()
    return [
        (f"rate:login-account:{_digest(account.casefold())}:{window}", settings.FAILED_LOGINS_PER_ACCOUNT),
        (f"rate:login-address:{client_address(request)}:{window}", settings.FAILED_LOGINS_PER_ADDRESS),
    ]


def _digest(text: str) -> str:
    """A typed name as a cache key: any characters, any length, safe for every cache backend."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def check_failed_logins(request, account: str) -> RateDecision:
    """Refuse a log in attempt once this account or this address failed too often this minute."""
    if any((cache.get(key) or 0) >= limit for key, limit in failed_login_keys(request, account)):
        return RateDecision(False, retry_after_s=_retry_after())
    return RateDecision(True)


def record_failed_login(request, account: str) -> None:
    for key, _ in failed_login_keys(request, account):
        _hit(key)


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
