from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from studyapp.content.topics import catalog
from studyapp.core.ratelimit import rate_limited
from studyapp.topics import progress


@require_GET
def home(request):
    topics = catalog()
    read = progress.read_slugs(request)
    first_unread = next((t for t in topics.topics.values() if t.slug not in read), None)
    context = {
        "topic_count": len(topics.topics),
        "read_count": len(read & set(topics.topics)),
        "next_topic": first_unread,
        "sections": topics.by_section(),
    }
    return render(request, "core/home.html", context)


@require_GET
@never_cache
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "topics": len(catalog().topics)})


login_view = rate_limited(
    "login", "LOGIN_ATTEMPTS_PER_MINUTE", "Too many log in attempts from here.", by_address=True
)(auth_views.LoginView.as_view())


@require_http_methods(["GET", "POST"])
@rate_limited("signup", "SIGNUPS_PER_MINUTE", "Too many sign ups from here.", by_address=True)
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)  # the login signal merges anonymous progress
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})
