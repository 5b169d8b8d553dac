import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from studyapp.content.library import library
from studyapp.sandbox import prefill, service
from studyapp.sandbox.forms import SandboxForm
from studyapp.sandbox.models import SandboxRun, SharedRun
from studyapp.sandbox.runtime import IsolationUnavailable

ASYNC_WAIT_SLACK_S = 10


def _page_context(request, values: dict, form: SandboxForm | None = None, **extra) -> dict:
    lib = library()
    return {
        "values": values,
        "form": form or SandboxForm(),
        "events_by_service": lib.events_by_service(),
        "events_json": {slug: event.json_text for slug, event in lib.events.items()},
        "templates": list(lib.handlers.values()),
        "memory_cap_mb": service.settings.SANDBOX_MAX_MEMORY_MB,
        "timeout_cap_s": service.settings.SANDBOX_MAX_TIMEOUT_S,
        "history": service.history(request),
        **extra,
    }


def _values_from_form(form: SandboxForm) -> dict:
    """What the learner submitted, to redisplay it exactly (nothing typed is ever lost)."""
    data = form.data
    return prefill.default_values() | {
        "files": form.files_data or prefill.default_values()["files"],
        "handler": data.get("handler", ""),
        "memory_mb": data.get("memory_mb", ""),
        "timeout_s": data.get("timeout_s", ""),
        "invocation_type": data.get("invocation_type", "RequestResponse"),
        "architecture": data.get("architecture", "x86_64"),
        "environment": form.env_rows,
        "event_slug": data.get("event_slug", ""),
        "event_json": data.get("event_json", ""),
        "seed_resources": bool(data.get("seed_resources")),
    }


@require_GET
def sandbox_home(request):
    values = None
    if "template" in request.GET:
        values = prefill.from_template(request.GET["template"])
    elif "run" in request.GET:
        try:
            run = SandboxRun.objects.get(pk=int(request.GET["run"]), **service.owner_filter(request))
        except (ValueError, SandboxRun.DoesNotExist):
            raise Http404("No such run in your history.") from None
        values = prefill.from_saved(run)
    elif "topic" in request.GET:
        try:
            values = prefill.from_topic_block(request.GET["topic"], int(request.GET.get("block", "")))
        except ValueError:
            values = None
    if values is None:
        if {"template", "topic"} & set(request.GET):
            messages.warning(request, "That example could not be found; here is the default handler.")
        values = prefill.default_values()
        if request.GET.get("event"):
            prefill.with_event(values, request.GET["event"])
    return render(request, "sandbox/page.html", _page_context(request, values))


@require_GET
def sandbox_shared(request, token):
    shared = SharedRun.objects.filter(token=token).first()
    if shared is None:
        raise Http404("This sandbox link does not exist (or was mistyped).")
    return render(
        request, "sandbox/page.html", _page_context(request, prefill.from_saved(shared), shared=shared)
    )


def _invalid(request, form):
    if request.htmx:
        return render(request, "sandbox/_form_errors.html", {"form": form}, status=422)
    context = _page_context(request, _values_from_form(form), form)
    return render(request, "sandbox/page.html", context, status=422)


def _throttled(request, form, message: str, retry_after_s: int):
    context = {"throttle_message": message, "retry_after_s": retry_after_s}
    template = "sandbox/_throttled.html"
    if not request.htmx:
        context = _page_context(request, _values_from_form(form), form, **context)
        template = "sandbox/page.html"
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(retry_after_s)
    return response


@require_POST
@vary_on_headers("HX-Request")
def sandbox_run(request):
    form = SandboxForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    decision = service.check_rate(request)
    if not decision.allowed:
        return _throttled(
            request,
            form,
            "You are running code faster than the sandbox allows. Take a breath and try again shortly.",
            decision.retry_after_s,
        )
    if form.cleaned_data["event_json"] == "{}" and form.cleaned_data.get("event_slug"):
        prefill.with_event(form.cleaned_data, form.cleaned_data["event_slug"])
    config = form.function_config()
    try:
        result = service.engine().invoke(
            config,
            form.cleaned_data["event_json"],
            form.cleaned_data["invocation_type"],
            seed_resources=form.cleaned_data["seed_resources"],
        )
    except IsolationUnavailable as error:
        return render(request, "sandbox/_unavailable.html", {"message": str(error)}, status=503)
    if result.status == "throttled":
        return _throttled(
            request,
            form,
            "The sandbox is running as many functions as it can right now. "
            "Your code is safe here: run it again in a moment.",
            2,
        )
    if result.async_invocation is not None:
        attempts = result.async_invocation.maximum_retry_attempts + 1
        result.async_invocation.wait(attempts * (config.timeout_s + 1) + ASYNC_WAIT_SLACK_S)
    run = service.record_run(request, form, result)
    context = {
        "result": result,
        "run": run,
        "config": config,
        "cost": service.invoke_cost(result, config.memory_mb, config.architecture),
        "payload_pretty": _pretty(result.payload_json),
    }
    if request.htmx:
        return render(request, "sandbox/_result.html", context)
    page = _page_context(request, _values_from_form(form), form, **context)
    return render(request, "sandbox/page.html", page)


def _pretty(payload_json: str | None) -> str:
    if payload_json is None:
        return ""
    try:
        return json.dumps(json.loads(payload_json), indent=2, ensure_ascii=False)
    except ValueError:
        return payload_json


@require_POST
def sandbox_reset(request):
    form = SandboxForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    destroyed = service.engine().reset(form.function_config())
    message = (
        "Environment reset: the next run is a cold start."
        if destroyed
        else "No warm environment for this code yet: the next run is a cold start anyway."
    )
    if request.htmx:
        return render(request, "sandbox/_notice.html", {"message": message})
    messages.info(request, message)
    return render(request, "sandbox/page.html", _page_context(request, _values_from_form(form), form))


@require_POST
def sandbox_share(request):
    form = SandboxForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    shared = SharedRun.objects.create(**form.run_settings())
    url = reverse("sandbox_shared", args=[shared.token])
    if request.htmx:
        return render(request, "sandbox/_shared.html", {"url": request.build_absolute_uri(url)})
    return redirect(url)


@require_GET
def sandbox_history(request):
    return render(request, "sandbox/history.html", {"runs": service.history(request)})


def sandbox_event(request, slug):
    event = library().events.get(slug)
    if event is None:
        raise Http404("No such sample event.")
    return HttpResponse(event.json_text, content_type="application/json")
