from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def quiz_home(request):
    return render(
        request,
        "core/coming_soon.html",
        {
            "section": "Quiz",
            "description": "Practice questions, timed interview exams, interview mode with model "
            "answers and a spaced-repetition review queue.",
        },
    )
