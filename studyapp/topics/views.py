from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from studyapp.content.glossary import glossary
from studyapp.content.limits import limit_sheet
from studyapp.content.pricing import Usage, estimate, price_list
from studyapp.content.questions import bank
from studyapp.content.topics import catalog
from studyapp.topics import progress
from studyapp.topics.forms import CalculatorForm, SearchForm
from studyapp.topics.search import Results, topic_search


def _section_progress(sections, read: set[str]) -> list[dict]:
    return [
        {
            "name": name,
            "topics": topics,
            "read_count": sum(topic.slug in read for topic in topics),
            "total": len(topics),
            "percent": round(100 * sum(topic.slug in read for topic in topics) / len(topics)),
        }
        for name, topics in sections
    ]


@require_GET
def topic_index(request):
    topics = catalog()
    read = progress.read_slugs(request)
    sections = _section_progress(topics.by_section(), read)
    return render(request, "topics/index.html", {"sections": sections, "read": read})


@require_GET
def topic_detail(request, slug):
    topics = catalog()
    topic = topics.topics.get(slug)
    if topic is None:
        raise Http404(f"No topic called “{slug}”.")
    previous, following = topics.neighbours(slug)
    context = {
        "topic": topic,
        "previous": previous,
        "next": following,
        "related": [topics.topics[s] for s in topic.related if s in topics.topics],
        "is_read": slug in progress.read_slugs(request),
        "nav_sections": topics.by_section(),
        "content_version": topics.version,
        "questions": bank().by_topic.get(slug, []),
        "questions_version": bank().version,
    }
    return render(request, "topics/detail.html", context)


@require_POST
@vary_on_headers("HX-Request")
def mark_read(request, slug):
    if slug not in catalog().topics:
        raise Http404(f"No topic called “{slug}”.")
    is_read = request.POST.get("read", "1") == "1"
    progress.set_read(request, slug, is_read)
    if request.htmx:
        return render(request, "topics/_read_toggle.html", {"slug": slug, "is_read": is_read})
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = f"/topics/{slug}/"
    return HttpResponseRedirect(target)  # a URL, never a view name (redirect() would try both)


@require_GET
@vary_on_headers("HX-Request")
def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = topic_search().search(query) if query else Results(query)
    context = {"form": form, "query": query, "results": results, "truncated": form.truncated}
    template = "topics/_search_results.html" if request.htmx else "topics/search.html"
    return render(request, template, context)


@require_GET
def glossary_page(request):
    terms = sorted(glossary().terms, key=lambda term: term.term.lower())
    letters: dict[str, list] = {}
    for term in terms:
        letter = term.term[0].upper() if term.term[0].isalpha() else "#"
        letters.setdefault(letter, []).append(term)
    return render(request, "topics/glossary.html", {"letters": letters, "count": len(terms)})


@require_GET
def cheat_sheet(request):
    sheet = limit_sheet()
    # Printed, each row points at a numbered source listed once at the end (URLs are long).
    sources: dict[str, int] = {}
    groups = [
        (group, [(limit, sources.setdefault(limit.source, len(sources) + 1)) for limit in group.limits])
        for group in sheet.groups
    ]
    return render(request, "topics/cheatsheet.html", {"sheet": sheet, "groups": groups, "sources": sources})


@require_GET
@vary_on_headers("HX-Request")
def pricing_calculator(request):
    prices = price_list()
    submitted = "requests_per_month" in request.GET
    form = CalculatorForm(request.GET if submitted else None, initial={"free_tier": False})
    usage = None
    if submitted and form.is_valid():
        usage = Usage(**form.cleaned_data)
    elif not submitted:
        usage = Usage(**{name: field.initial for name, field in form.fields.items()} | {"free_tier": False})
    result = estimate(usage, prices) if usage else None
    context = {"form": form, "estimate": result, "prices": prices}
    template = "topics/_estimate.html" if request.htmx else "topics/pricing.html"
    return render(request, template, context)
