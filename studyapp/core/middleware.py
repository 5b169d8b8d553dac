"""When the shared cache (Redis) is unreachable for a moment, a request that needed it gets a
clear 503 with Retry-After instead of a server error; pages that do not need it keep working."""

import redis
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

RETRY_AFTER_S = 5


def shared_service_unavailable(request):
    template = "core/_unavailable.html" if getattr(request, "htmx", False) else "core/unavailable.html"
    response = render(request, template, {"retry_after_s": RETRY_AFTER_S}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    patch_vary_headers(response, ["HX-Request"])
    return response


class SharedCacheUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, redis.RedisError):
            return shared_service_unavailable(request)
        return None
