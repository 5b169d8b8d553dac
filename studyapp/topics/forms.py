from django import forms

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


class CalculatorForm(forms.Form):
    """Inputs of the pricing calculator, bounded to what Lambda allows (or a sane month)."""

    requests_per_month = forms.IntegerField(
        label="Requests per month", min_value=0, max_value=10**12, initial=3_000_000
    )
    average_duration_ms = forms.DecimalField(
        label="Average duration (ms)",
        min_value=1,
        max_value=900_000,
        decimal_places=3,
        max_digits=10,
        initial=120,
        help_text="Billed per 1 ms, up to the 900 s timeout.",
    )
    memory_mb = forms.IntegerField(
        label="Memory (MB)",
        min_value=128,
        max_value=10_240,
        initial=1536,
        help_text="128 to 10,240 MB in 1 MB steps.",
    )
    architecture = forms.ChoiceField(
        label="Architecture",
        choices=[("x86_64", "x86_64"), ("arm64", "arm64 (Graviton)")],
        initial="x86_64",
    )
    ephemeral_storage_mb = forms.IntegerField(
        label="Ephemeral storage /tmp (MB)",
        min_value=512,
        max_value=10_240,
        initial=512,
        help_text="512 MB is included; more is billed per GB-second.",
    )
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
        min_value=1,
        max_value=900_000,
        decimal_places=3,
        max_digits=10,
        required=False,
        help_text="Leave empty to use the average duration above.",
    )
    free_tier = forms.BooleanField(label="Apply the monthly free tier", required=False)

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
