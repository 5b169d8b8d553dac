import redis
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from studyapp.content.library import library
from studyapp.core.learner import function_owner, owner_fields, owner_filter
from studyapp.core.ratelimit import rate_limited
from studyapp.sandbox import jobs, jsontext, prefill, service, tuner
from studyapp.sandbox.callers.charges import invokes_at_most
from studyapp.sandbox.callers.http_events import FRONT_DOORS
from studyapp.sandbox.callers.http_request import HttpRequest
from studyapp.sandbox.callers.http_responses import ClientResponse
from studyapp.sandbox.forms import SandboxForm, TuneForm
from studyapp.sandbox.models import SandboxJob, SandboxRun, SharedRun
from studyapp.sandbox.runtime import IsolationUnavailable

QUEUE_AWAY = (
    "The sandbox's queue did not answer (it may be restarting), so nothing was queued. "
    "Your code is safe here: run it again in a few seconds."
)
NO_HOST = "No sandbox host is running right now, so nothing can run. Your code is safe here: try again later."


SHARED_EVENT_MAX_BYTES = 256 * 1024


def _page(request, form: SandboxForm, status: int = 200, **extra):
    """The whole sandbox page, its inputs rendered from `form` (bound: exactly as sent)."""
    lib = library()
    context = {
        "form": form,
        "tune_form": extra.pop("tune_form", None) or TuneForm(),
        "events_json": {slug: event.json_text for slug, event in lib.events.items()},
        "templates": list(lib.handlers.values()),
        "history": service.history(request),
        "missing_guarantees": service.missing_guarantees(),
        **extra,
    }
    return render(request, "sandbox/page.html", context, status=status)


def _respond(request, form: SandboxForm, partial: str, context: dict, status: int = 200):
    """The fragment for htmx; without JavaScript the whole page, the fragment in its place."""
    if request.htmx:
        return render(request, partial, {"form": form, **context}, status=status)
    return _page(request, form, status=status, **context)


def _starting_values(request) -> dict:
    values = None
    if "template" in request.GET:
        values = prefill.from_template(request.GET["template"])
        if values is not None and request.GET.get("caller") in FRONT_DOORS:
            values["caller"] = request.GET["caller"]
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
    return values


@require_GET
def sandbox_home(request):
    values = _starting_values(request)
    return _page(
        request,
        SandboxForm(initial=values),
        from_topic=values.get("from_topic"),
        selected_template=values.get("template", ""),
        open_tuner="tune" in request.GET,
    )


@require_GET
def sandbox_shared(request, token):
    shared = SharedRun.objects.filter(token=token).first()
    if shared is None:
        raise Http404("This sandbox link does not exist (or was mistyped).")
    return _page(request, SandboxForm(initial=prefill.from_saved(shared)), shared=shared)


def _invalid(request, form: SandboxForm):
    return _respond(request, form, "sandbox/_form_errors.html", {}, status=422)


def _throttled(request, form: SandboxForm, message: str, retry_after_s: int):
    context = {"throttle_message": message, "retry_after_s": retry_after_s}
    response = _respond(request, form, "sandbox/_throttled.html", context, status=429)
    response["Retry-After"] = str(retry_after_s)
    return response


@require_POST
@vary_on_headers("HX-Request")
def sandbox_run(request):
    form = SandboxForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    # A caller may invoke many times (a queue's retries, an S3 loop): charged up front, capped
    # at one minute's allowance so every kind of run stays possible.
    runs = max(1, min(invokes_at_most(form.caller_settings()), settings.SANDBOX_RUNS_PER_MINUTE))
    return _submit_safely(request, form, runs)


def _submit_safely(request, form: SandboxForm, runs: int = 1, **job_fields):
    try:
        return _submit_run(request, form, runs, job_fields)
    except (redis.RedisError, jobs.QueueUnavailable):
        context = {"unavailable_message": QUEUE_AWAY}
        response = _respond(request, form, "sandbox/_unavailable.html", context, status=503)
        response["Retry-After"] = "5"
        return response


@require_POST
@vary_on_headers("HX-Request")
def sandbox_tune(request):
    """The memory tuner: the form's function at several memory sizes, as one job."""
    form, tune_form = SandboxForm(request.POST), TuneForm(request.POST)
    if not (form.is_valid() & tune_form.is_valid()):
        for errors in tune_form.errors.values():  # shown with the form's own problems
            for error in errors:
                form.add_error(None, f"Tuner: {error}")
        return _tune_invalid(request, form, tune_form)
    memories, invokes = tune_form.cleaned_data["tune_memories"], tune_form.cleaned_data["tune_invokes"]
    runs = tuner.runs_needed(memories, invokes)
    if runs > settings.SANDBOX_RUNS_PER_MINUTE:
        form.add_error(
            None,
            f"Tuner: these settings need {runs} invokes and your allowance is "
            f"{settings.SANDBOX_RUNS_PER_MINUTE} a minute. Choose fewer memory sizes or invokes.",
        )
        return _tune_invalid(request, form, tune_form)
    return _submit_safely(
        request, form, runs, kind=SandboxJob.TUNE, tune_memories=memories, tune_invokes=invokes
    )


def _tune_invalid(request, form: SandboxForm, tune_form: TuneForm):
    context = {"tune_form": tune_form, "open_tuner": True}
    return _respond(request, form, "sandbox/_form_errors.html", context, status=422)


def _submit_run(request, form: SandboxForm, runs: int, job_fields: dict):
    decision = service.check_rate(request, runs)
    if not decision.allowed:
        return _throttled(
            request,
            form,
            "You are running code faster than the sandbox allows. Take a breath and try again shortly.",
            decision.retry_after_s,
        )
    busy = jobs.in_flight(owner_filter(request))
    if busy is not None:
        return _throttled(
            request,
            form,
            "Your previous run is still going: its result appears here when it ends. "
            "One run at a time per learner keeps the sandbox fair for everyone.",
            2,
        )
    waiting = jobs.queued_count()
    if waiting >= settings.SANDBOX_QUEUE_LIMIT:
        return _throttled(
            request,
            form,
            f"The sandbox is busy: {waiting} runs are waiting. Your code is safe here: run it again shortly.",
            10,
        )
    if form.cleaned_data["event_json"] == "{}" and form.cleaned_data.get("event_slug"):
        prefill.with_event(form.cleaned_data, form.cleaned_data["event_slug"])
    if not jobs.hosts_alive():
        context = {"unavailable_message": NO_HOST}
        return _respond(request, form, "sandbox/_unavailable.html", context, status=503)
    try:
        if settings.SANDBOX_JOBS != "celery":  # web processes of the distributed mode run no code
            service.engine()  # a sandbox that cannot run says so now, before anything is queued
    except IsolationUnavailable as error:
        return _respond(
            request, form, "sandbox/_unavailable.html", {"unavailable_message": str(error)}, status=503
        )
    job = SandboxJob.objects.create(
        **owner_fields(request),
        **form.run_settings(),
        **job_fields,
        owner=function_owner(request),
    )
    jobs.submit(job)  # returns at once: an executor runs it ("immediate" in view tests)
    job.refresh_from_db()
    context = _job_context(job)
    if context.get("result") is not None and context["result"].status == "throttled":
        response = _respond(request, form, "sandbox/_job.html", context, status=429)
        response["Retry-After"] = "2"
        return response
    return _respond(request, form, "sandbox/_job.html", context)


def _job_context(job: SandboxJob) -> dict:
    context = {"job": job, "position": jobs.position(job) if job.state == SandboxJob.QUEUED else 0}
    if job.kind == SandboxJob.TUNE:
        points = job.timeline.get("points", [])
        context["tuning"] = {
            "points": points,
            "total": len(job.tune_memories),
            "invokes": job.tune_invokes,
            "verdict": tuner.verdict(points),
            "chart": tuner.chart(points),
        }
    if job.result is not None:
        result = jobs.from_json(job.result)
        context |= {
            "result": result,
            "cost": service.invoke_cost(result, job.memory_mb, job.architecture),
            "payload_pretty": jsontext.pretty(result.payload_json),
        }
    shown = job.timeline.get("caller")
    if shown and shown.get("kind") == "sqs":
        context["queue"] = {**shown, "mapping": job.caller.get("mapping", {})}
    elif shown and shown.get("kind") == "s3":
        context["bucket"] = {**shown, "trigger": job.caller.get("trigger", {})}
    elif shown and job.result is not None:
        context["caller"] = {
            "name": FRONT_DOORS.get(shown["front_door"], shown["front_door"]),
            "request": HttpRequest.from_dict(job.caller["request"]),
            "response": ClientResponse.from_dict(shown["response"]),
            "event_pretty": jsontext.pretty_value(shown["event"]),
        }
    if not job.done:
        context["refresh_s"] = 1  # without JavaScript the page reloads until the result is in
    return context


@require_GET
@vary_on_headers("HX-Request")
def sandbox_job(request, public_id):
    """A submitted run as it stands: the fragment htmx polls, or the whole page (no JavaScript)."""
    job = SandboxJob.objects.filter(public_id=public_id, **owner_filter(request)).first()
    if job is None:
        raise Http404("No such run of yours.")
    context = _job_context(jobs.notice_stopped_host(job))
    if request.htmx:
        return render(request, "sandbox/_job.html", context)
    form = SandboxForm(initial=prefill.from_saved(job))
    return _page(request, form, **context)


@require_POST
@vary_on_headers("HX-Request")
@rate_limited("sandbox-reset", "SANDBOX_RUNS_PER_MINUTE", "You are resetting faster than the sandbox allows.")
def sandbox_reset(request):
    form = SandboxForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    destroyed = service.engine().reset(form.function_config(owner=function_owner(request)))
    message = (
        "Environment reset: the next run is a cold start."
        if destroyed
        else "No warm environment for this code yet: the next run is a cold start anyway."
    )
    if request.htmx:
        return render(request, "sandbox/_notice.html", {"message": message})
    messages.info(request, message)
    return _page(request, form)


@require_POST
@vary_on_headers("HX-Request")
@rate_limited("sandbox-share", "SHARES_PER_MINUTE", "You are sharing faster than the sandbox allows.")
def sandbox_share(request):
    form = SandboxForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    if len(form.cleaned_data["event_json"].encode()) > SHARED_EVENT_MAX_BYTES:
        # A link anyone may open is kept for good: its event stays small.
        form.add_error(
            "event_json",
            f"To share a link, keep the event under {SHARED_EVENT_MAX_BYTES // 1024} KB "
            "(running it here allows up to 6 MB).",
        )
        return _invalid(request, form)
    shared = SharedRun.objects.create(**form.run_settings())
    url = reverse("sandbox_shared", args=[shared.token])
    if request.htmx:
        return render(request, "sandbox/_shared.html", {"url": request.build_absolute_uri(url)})
    return redirect(url)


@require_GET
def sandbox_history(request):
    return render(request, "sandbox/history.html", {"runs": service.history(request)})


@require_GET
def sandbox_event(request, slug):
    event = library().events.get(slug)
    if event is None:
        raise Http404("No such sample event.")
    return HttpResponse(event.json_text, content_type="application/json")
