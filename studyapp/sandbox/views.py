from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def sandbox_home(request):
    return render(
        request,
        "core/coming_soon.html",
        {
            "section": "Sandbox",
            "description": "Run a Python handler against realistic sample events and read exactly "
            "what Lambda would print.",
        },
    )
