from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from studyapp.content.limits import function_bounds
from studyapp.topics.search import MAX_QUERY_CHARS


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True, label="Search")

    truncated = False

    def clean_q(self) -> str:
        query = self.cleaned_data["q"].replace("\x00", "")
        if len(query) > MAX_QUERY_CHARS:
            self.truncated = True
            query = query[:MAX_QUERY_CHARS]
        return query


def bound(field: forms.Field, low, high) -> None:
    """Set a number field's range after it was built: its validators and the input's min/max."""
    field.min_value, field.max_value = low, high
    field.validators = [
        v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
    ]
    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
    field.widget.attrs.update(min=low, max=high)


class CalculatorForm(forms.Form):
    """Inputs of the pricing calculator, bounded to what Lambda allows (limits.yaml) or a sane month."""

    requests_per_month = forms.IntegerField(
        label="Requests per month", min_value=0, max_value=10**12, initial=3_000_000
    )
    average_duration_ms = forms.DecimalField(
        label="Average duration (ms)", decimal_places=3, max_digits=10, initial=120
    )
    memory_mb = forms.IntegerField(label="Memory (MB)", initial=1536)
    architecture = forms.ChoiceField(
        label="Architecture",
        choices=[("x86_64", "x86_64"), ("arm64", "arm64 (Graviton)")],
        initial="x86_64",
    )
    ephemeral_storage_mb = forms.IntegerField(label="Ephemeral storage /tmp (MB)", initial=512)
    provisioned_concurrency = forms.IntegerField(
        label="Provisioned concurrency (environments)",
        min_value=0,
        max_value=100_000,
        initial=0,
        required=False,
    )
    provisioned_hours = forms.DecimalField(
        label="Hours provisioned concurrency is on",
        min_value=0,
        max_value=744,
        decimal_places=2,
        max_digits=6,
        initial=0,
        required=False,
        help_text="Up to 744 hours (a 31-day month).",
    )
    provisioned_requests = forms.IntegerField(
        label="Requests served by provisioned environments",
        min_value=0,
        max_value=10**12,
        initial=0,
        required=False,
    )
    provisioned_average_duration_ms = forms.DecimalField(
        label="Average duration on provisioned environments (ms)",
        decimal_places=3,
        max_digits=10,
        required=False,
        help_text="Leave empty to use the average duration above.",
    )
    free_tier = forms.BooleanField(label="Apply the monthly free tier", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = function_bounds()
        for name in ("average_duration_ms", "provisioned_average_duration_ms"):
            bound(self.fields[name], 1, limits.timeout_max_s * 1000)
        duration = self.fields["average_duration_ms"]
        duration.help_text = f"Billed per 1 ms, up to the {limits.timeout_max_s:,} s timeout."
        memory = self.fields["memory_mb"]
        bound(memory, limits.memory_min_mb, limits.memory_max_mb)
        memory.widget.attrs["step"] = limits.memory_step_mb
        memory.help_text = (
            f"{limits.memory_min_mb:,} to {limits.memory_max_mb:,} MB in {limits.memory_step_mb} MB steps."
        )
        storage = self.fields["ephemeral_storage_mb"]
        bound(storage, limits.ephemeral_storage_min_mb, limits.ephemeral_storage_max_mb)
        storage.initial = limits.ephemeral_storage_min_mb
        storage.help_text = (
            f"{limits.ephemeral_storage_min_mb:,} MB is included; more is billed per GB-second."
        )

    def clean(self):
        data = super().clean()
        for name in ("provisioned_concurrency", "provisioned_hours", "provisioned_requests"):
            if data.get(name) is None and name not in self.errors:
                data[name] = 0
        requests = data.get("requests_per_month")
        served = data.get("provisioned_requests")
        if requests is not None and served and served > requests:
            self.add_error("provisioned_requests", "Cannot be more than the requests per month.")
        if data.get("provisioned_requests") and not (
            data.get("provisioned_concurrency") and data.get("provisioned_hours")
        ):
            self.add_error(
                "provisioned_requests",
                "Set provisioned concurrency and its hours first.",
            )
        return data
