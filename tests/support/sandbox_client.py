"""The sandbox page as a learner's browser uses it over HTTP: the Run form's fields, and a client
that presses Run and follows the job until its result is in. Tests and benchmarks share it."""

import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from tests.support.servers import browser_session

CODE = "def lambda_handler(event, context):\n    return {'got': event}\n"


def formset(prefix: str, rows: list[dict]) -> dict:
    """A formset's POST fields: its management form and one numbered group per row."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def form(**overrides) -> dict:
    """The page's POST; files and variables given as lists of names and texts, row by row."""
    fields = {
        "file_name": ["lambda_function.py"],
        "file_code": [CODE],
        "handler": "lambda_function.lambda_handler",
        "memory_mb": "128",
        "timeout_s": "3",
        "invocation_type": "RequestResponse",
        "event_json": '{"a": 1}',
        "env_key": [""],
        "env_value": [""],
    }
    fields.update(overrides)
    files = zip(fields.pop("file_name"), fields.pop("file_code"), strict=True)
    variables = zip(fields.pop("env_key"), fields.pop("env_value"), strict=True)
    return (
        fields
        | formset("files", [{"name": name, "code": code} for name, code in files])
        | formset("env", [{"key": key, "value": value} for key, value in variables])
    )


class Learner:
    """One learner's browser (cookies, CSRF token) on a running site, with htmx's requests."""

    def __init__(self, base: str):
        self.base = base
        self.opener, self.token = browser_session(base, "/sandbox/")

    def submit(self, code: str, **overrides) -> tuple[int, str]:
        """Press Run: the HTTP status and, when accepted, the job's public id."""
        data = form(file_code=[code], **overrides) | {"csrfmiddlewaretoken": self.token}
        request = urllib.request.Request(
            self.base + "/sandbox/run/",
            data=urllib.parse.urlencode(data, doseq=True).encode(),
            headers={"HX-Request": "true"},
        )
        try:
            page = self.opener.open(request, timeout=60).read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""
        return 200, re.search(r'data-job="([^"]+)"', page).group(1)

    def result(self, public_id: str, timeout_s: float = 60) -> str:
        """Poll the job as the page does until it is done; its last fragment."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            request = urllib.request.Request(
                f"{self.base}/sandbox/jobs/{public_id}/", headers={"HX-Request": "true"}
            )
            page = self.opener.open(request, timeout=60).read().decode()
            if "hx-get=" not in page:
                return page
            time.sleep(0.2)
        raise AssertionError(f"job {public_id} not done in {timeout_s} s")


def status_of(page: str) -> str:
    found = re.search(r'data-status="([a-z_]+)"', page)
    return found.group(1) if found else "none"


def press_at_once(base: str, codes: list[str], timeout_s: float = 300) -> tuple[float, list[str]]:
    """One learner per code presses Run at the same moment: seconds until the last result, and
    each run's status (or "refused <HTTP status>", or "lost" when no result came in time)."""
    learners = [Learner(base) for _ in codes]
    outcomes = [""] * len(codes)
    started = time.perf_counter()

    def press(n: int) -> None:
        status, public_id = learners[n].submit(codes[n], timeout_s="30")
        outcomes[n] = (
            status_of(learners[n].result(public_id, timeout_s)) if status == 200 else f"refused {status}"
        )

    threads = [threading.Thread(target=press, args=(n,)) for n in range(len(codes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, outcomes
