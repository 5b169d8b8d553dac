from django import forms

from studyapp.content.topics import catalog
from studyapp.quiz.attempts import EXAM_PRESETS


def topic_choices():
    return [(slug, topic.title) for slug, topic in catalog().topics.items()]


class TopicsField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=topic_choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="None ticked: every topic.",
            **kwargs,
        )


class StartForm(forms.Form):
    """The three start forms share the quiz page: each prefixes its element ids."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class PracticeForm(StartForm):
    id_prefix = "practice"

    topics = TopicsField()
    count = forms.IntegerField(label="Questions", min_value=1, max_value=50, initial=10)


class ExamForm(StartForm):
    id_prefix = "exam"

    preset = forms.ChoiceField(
        choices=[("", "Custom")]
        + [
            (key, f"{p['title']}: {p['count']} questions, {p['minutes']} minutes")
            for key, p in EXAM_PRESETS.items()
        ],
        required=False,
    )
    topics = TopicsField()
    count = forms.IntegerField(label="Questions", min_value=1, max_value=100, initial=20)
    minutes = forms.IntegerField(label="Time limit (minutes)", min_value=1, max_value=180, initial=25)
    # Custom exams only: a limit under a minute, for the browser test that watches one submit itself.
    seconds = forms.IntegerField(required=False, min_value=10, max_value=3600, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        preset = EXAM_PRESETS.get(data.get("preset") or "")
        if preset:
            # A preset is a fixed exam: nothing posted with it changes its size or its time limit.
            data.update(count=preset["count"], minutes=preset["minutes"], seconds=None, title=preset["title"])
            for name in ("count", "minutes", "seconds"):
                self.errors.pop(name, None)
        else:
            data["title"] = "Timed exam"
        if data.get("minutes"):
            data["time_limit_s"] = data.get("seconds") or data["minutes"] * 60
        return data


class InterviewForm(StartForm):
    id_prefix = "interview"

    topics = TopicsField()
    count = forms.IntegerField(label="Questions", min_value=1, max_value=30, initial=5)
