from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from studyapp.content.questions import bank
from studyapp.content.topics import catalog
from studyapp.core.learner import owner_fields, owner_filter
from studyapp.core.ratelimit import rate_limited
from studyapp.quiz import attempts, dashboard, review
from studyapp.quiz.forms import ExamForm, InterviewForm, PracticeForm
from studyapp.quiz.models import Attempt
from studyapp.quiz.scoring import AnswerShapeError
from studyapp.sandbox.service import code_runner

SELF_GRADE_LABELS = [("again", "Again: I missed it"), ("hard", "Hard"), ("good", "Good"), ("easy", "Easy")]

# Every way to start a quiz creates rows: one limit for them all.
limit_starts = rate_limited(
    "quiz-start", "QUIZ_STARTS_PER_MINUTE", "You are starting quizzes faster than anyone can take them."
)


def _attempt(request, public_id) -> Attempt:
    """The learner's own attempt, finished lazily if its deadline passed; else 404."""
    attempt = Attempt.objects.filter(public_id=public_id, **owner_filter(request)).first()
    if attempt is None:
        raise Http404("No such attempt.")
    attempts.finish_if_overdue(attempt, timezone.now())
    return attempt


def _home_context(request, **forms) -> dict:
    now = timezone.now()
    owner = owner_filter(request)
    return {
        "practice_form": forms.get("practice_form") or PracticeForm(),
        "exam_form": forms.get("exam_form") or ExamForm(),
        "interview_form": forms.get("interview_form") or InterviewForm(),
        "presets": attempts.EXAM_PRESETS,
        "due_count": len(review.due_cards(owner, now)),
        "question_count": len(bank().questions),
        "open_attempts": Attempt.objects.filter(**owner, status=Attempt.IN_PROGRESS)[:5],
    }


@require_GET
def quiz_home(request):
    return render(request, "quiz/home.html", _home_context(request))


def _start(request, mode, question_ids, **kwargs):
    if not question_ids:
        messages.warning(request, "There are no questions for that choice yet. Pick other topics.")
        return redirect("quiz_home")
    attempt = attempts.start_attempt(owner_fields(request), mode, question_ids, timezone.now(), **kwargs)
    return redirect("quiz_question", public_id=attempt.public_id, position=1)


@require_POST
@rate_limited(
    "quiz-start", "QUIZ_STARTS_PER_MINUTE", "You are starting quizzes faster than anyone can take them."
)
def start_practice(request):
    form = PracticeForm(request.POST)
    if not form.is_valid():
        return render(request, "quiz/home.html", _home_context(request, practice_form=form), status=422)
    topics = form.cleaned_data["topics"]
    ids = attempts.pick_questions(topics, form.cleaned_data["count"])
    return _start(request, Attempt.PRACTICE, ids, title="Practice", topics=topics)


@require_POST
@rate_limited(
    "quiz-start", "QUIZ_STARTS_PER_MINUTE", "You are starting quizzes faster than anyone can take them."
)
def start_exam(request):
    form = ExamForm(request.POST)
    if not form.is_valid():
        return render(request, "quiz/home.html", _home_context(request, exam_form=form), status=422)
    data = form.cleaned_data
    ids = attempts.pick_questions(
        data["topics"], data["count"], types=("single", "multi", "truefalse", "numeric", "short")
    )
    return _start(
        request,
        Attempt.EXAM,
        ids,
        title=data["title"],
        topics=data["topics"],
        time_limit_s=data["time_limit_s"],
    )


@require_POST
@rate_limited(
    "quiz-start", "QUIZ_STARTS_PER_MINUTE", "You are starting quizzes faster than anyone can take them."
)
def start_interview(request):
    form = InterviewForm(request.POST)
    if not form.is_valid():
        return render(request, "quiz/home.html", _home_context(request, interview_form=form), status=422)
    ids = attempts.pick_questions(form.cleaned_data["topics"], form.cleaned_data["count"], types=("open",))
    return _start(request, Attempt.INTERVIEW, ids, title="Interview", topics=form.cleaned_data["topics"])


@require_POST
@limit_starts
def quiz_topic(request, slug):
    if slug not in catalog().topics:
        raise Http404("No such topic.")
    return _start(
        request,
        Attempt.PRACTICE,
        attempts.pick_questions([slug], 10),
        title=f"Practice: {catalog().topics[slug].title}",
        topics=[slug],
    )


@require_http_methods(["GET", "POST"])
def review_queue(request):
    now = timezone.now()
    cards = review.due_cards(owner_filter(request), now)
    questions = bank().questions
    due = [(card, questions[card.question_id]) for card in cards if card.question_id in questions]
    if request.method == "POST":
        return _start(request, Attempt.REVIEW, [q.id for _, q in due][:30], title="Review")
    return render(request, "quiz/review.html", {"due": due})


@require_GET
def attempt_detail(request, public_id):
    attempt = _attempt(request, public_id)
    if attempt.is_finished:
        return redirect("quiz_results", public_id=public_id)
    unanswered = next((a.position for a in attempt.answers.all() if not a.answered), 1)
    return redirect("quiz_question", public_id=public_id, position=unanswered)


def _question_context(attempt, position, answer, **extra) -> dict:
    question = attempts.question_at(attempt, position)
    now = timezone.now()
    return {
        "attempt": attempt,
        "question": question,
        "position": position,
        "answer": answer,
        "total": len(attempt.question_ids),
        "answers": list(attempt.answers.all()),
        "remaining_s": attempts.remaining_seconds(attempt, now),
        "is_exam": attempt.mode == Attempt.EXAM,
        "topic": catalog().topics.get(question.topics[0]),
        "self_grades": SELF_GRADE_LABELS,
        **extra,
    }


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@rate_limited("answer", "ANSWERS_PER_MINUTE", "You are answering faster than anyone reads.")
def attempt_question(request, public_id, position):
    attempt = _attempt(request, public_id)
    question = attempts.question_at(attempt, position)
    if question is None:
        raise Http404("No such question in this attempt.")
    answer = attempt.answers.get(position=position)
    if request.method == "GET":
        if attempt.is_finished:
            return redirect("quiz_results", public_id=public_id)
        attempts.mark_shown(answer, timezone.now())
        return render(request, "quiz/question.html", _question_context(attempt, position, answer))
    raw = _raw_answer(request, question)
    template = "quiz/_answer_area.html" if request.htmx else "quiz/question.html"
    try:
        saved = attempts.save_answer(attempt, position, raw, timezone.now(), runner=_runner_for(question))
    except AnswerShapeError as error:
        context = _question_context(attempt, position, answer, error=str(error), draft=raw)
        return render(request, template, context, status=422)
    except attempts.DeadlinePassed:
        return _too_late(request, template, attempt, position, answer)
    context = _question_context(attempt, position, saved.answer, grade=saved.grade, saved=True)
    return render(request, template, context)


def _too_late(request, template, attempt, position, answer):
    """A write that arrived after the attempt ended: the page again, with why, and a 409."""
    attempt.refresh_from_db()
    if attempt.finished_by == "deadline":
        error = "Time is up: this exam was submitted with the answers saved before the deadline."
    else:
        error = "This attempt is finished: its answers can no longer change."
    context = _question_context(attempt, position, answer, error=error, too_late=True)
    return render(request, template, context, status=409)


def _runner_for(question):
    if question.type != "code":
        return None
    return code_runner()


def _raw_answer(request, question):
    if question.type == "multi":
        return request.POST.getlist("choice")
    if question.type in ("single", "truefalse"):
        picked = request.POST.getlist("choice")
        return picked if len(picked) > 1 else (picked[0] if picked else "")  # two picks: a shape error
    if question.type == "open":
        return {
            "rating": request.POST.get("rating"),
            "points": request.POST.getlist("point"),
            "text": request.POST.get("text", "")[:20_000],
        }
    if question.type == "code":
        return request.POST.get("code", "")
    return request.POST.get("value", "")


@require_POST
@vary_on_headers("HX-Request")
def flag_question(request, public_id, position):
    attempt = _attempt(request, public_id)
    if attempts.question_at(attempt, position) is None:
        raise Http404("No such question in this attempt.")
    try:
        flagged = attempts.toggle_flag(attempt, position, timezone.now())
    except attempts.DeadlinePassed:
        return render(request, "quiz/_late.html", {"attempt": attempt}, status=409)
    if request.htmx:
        attempt.refresh_from_db()
        return render(
            request, "quiz/_flag.html", {"attempt": attempt, "position": position, "flagged": flagged}
        )
    return redirect("quiz_question", public_id=public_id, position=position)


@require_POST
@vary_on_headers("HX-Request")
def reveal_model_answer(request, public_id, position):
    attempt = _attempt(request, public_id)
    question = attempts.question_at(attempt, position)
    # An exam shows no answers before it is submitted.
    if question is None or question.type != "open" or attempt.mode == Attempt.EXAM:
        raise Http404("No model answer here.")
    template = "quiz/_answer_area.html" if request.htmx else "quiz/question.html"
    text = request.POST.get("text", "")[:20_000]
    try:
        answer = attempts.reveal_model_answer(attempt, position, text, timezone.now())
    except attempts.DeadlinePassed:
        return _too_late(request, template, attempt, position, attempt.answers.get(position=position))
    return render(request, template, _question_context(attempt, position, answer))


@require_GET
def attempt_summary(request, public_id):
    attempt = _attempt(request, public_id)
    if attempt.is_finished:
        return redirect("quiz_results", public_id=public_id)
    answers = list(attempt.answers.all())
    return render(
        request,
        "quiz/summary.html",
        {
            "attempt": attempt,
            "answers": answers,
            "remaining_s": attempts.remaining_seconds(attempt, timezone.now()),
            "unanswered": sum(not a.answered for a in answers),
            "flagged": sum(a.flagged for a in answers),
        },
    )


@require_POST
def submit_attempt(request, public_id):
    attempt = _attempt(request, public_id)
    attempts.finish(attempt, timezone.now())  # a second submit is harmless
    return redirect("quiz_results", public_id=public_id)


@require_GET
def attempt_results(request, public_id):
    attempt = _attempt(request, public_id)
    if not attempt.is_finished:
        return redirect("quiz_summary", public_id=public_id)
    questions = bank().questions
    rows = [(answer, questions.get(answer.question_id)) for answer in attempt.answers.all()]
    return render(
        request,
        "quiz/results.html",
        {
            "attempt": attempt,
            "rows": rows,
            "breakdown": attempts.topic_breakdown(attempt),
            "missed": len(attempts.missed_question_ids(attempt)),
            "topics": catalog().topics,
        },
    )


@require_POST
def retry_missed(request, public_id):
    attempt = _attempt(request, public_id)
    if not attempt.is_finished:
        # Which questions are missed is the answer key of a running exam: only with the results.
        messages.error(request, "Finish the attempt first: what you missed is shown with your results.")
        return redirect("quiz_summary", public_id=public_id)
    return _start(
        request,
        Attempt.PRACTICE,
        attempts.missed_question_ids(attempt),
        title=f"Retry: {attempt.title or attempt.get_mode_display()}",
        topics=attempt.topics,
    )


@require_GET
def quiz_dashboard(request):
    return render(request, "quiz/dashboard.html", dashboard.context(owner_filter(request), timezone.now()))
