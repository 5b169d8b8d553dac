from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from studyapp.content.topics import catalog
from studyapp.core.ratelimit import check_failed_logins, rate_limited, record_failed_login, too_many
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


class LimitedLoginView(auth_views.LoginView):
    """Django's log in, refusing an account or an address after too many failures a minute."""

    def post(self, request, *args, **kwargs):
        decision = check_failed_logins(request, self._account())
        if not decision.allowed:
            return too_many(
                request, decision, "Too many failed log ins for this account or from here. Try again shortly."
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_failed_login(self.request, self._account())
        return super().form_invalid(form)

    def _account(self) -> str:
        return str(self.request.POST.get("username", "")).strip()


login_view = LimitedLoginView.as_view()


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
