"""A small, known question set written into a copy of content/, and helpers to start attempts."""

import datetime as dt
import textwrap

import pytest
from django.utils import timezone

FIXTURE_QUESTIONS = textwrap.dedent("""
- id: fx-single
  topics: [timeouts]
  section: key-facts
  type: single
  difficulty: easy
  tags: [interview]
  prompt: What is the longest timeout a Lambda function can have?
  choices:
    - {text: 900 seconds, correct: true, why: Fifteen minutes is the ceiling.}
    - {text: 300 seconds, correct: false, why: That was the limit before 2018.}
    - {text: 3 seconds, correct: false, why: That is the default, not the maximum.}
  explanation: The maximum is 900 seconds.
  sources: [https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html]
- id: fx-multi
  topics: [sync-vs-async-invocation]
  type: multi
  difficulty: medium
  prompt: Which services invoke Lambda asynchronously? Choose 2.
  choose: 2
  choices:
    - {text: Amazon S3, correct: true, why: S3 event notifications are asynchronous.}
    - {text: Amazon SNS, correct: true, why: SNS pushes asynchronously.}
    - {text: API Gateway, correct: false, why: API Gateway waits for the response.}
    - {text: Application Load Balancer, correct: false, why: ALB waits for the response.}
  explanation: S3 and SNS use asynchronous invocation.
  sources: [https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html]
- id: fx-truefalse
  topics: [environment-variables]
  type: truefalse
  difficulty: easy
  prompt: The 4 KB limit applies to each environment variable separately.
  choices:
    - {text: "True", correct: false, why: It is the total for all variables.}
    - {text: "False", correct: true, why: 4 KB is the aggregate limit.}
  explanation: 4 KB in total.
  sources: [https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html]
- id: fx-numeric
  topics: [memory-and-cpu]
  type: numeric
  difficulty: medium
  prompt: How many MB is the largest memory setting?
  answer: 10240
  unit: MB
  tolerance: 0
  explanation: 10,240 MB.
  sources: [https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html]
- id: fx-short
  topics: [handler-and-event]
  type: short
  difficulty: hard
  prompt: Which error type does Lambda report when the handler's module cannot be imported?
  accepted: [Runtime.ImportModuleError, ImportModuleError]
  explanation: Runtime.ImportModuleError.
  sources: [https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html]
- id: fx-open
  topics: [execution-environment-lifecycle]
  type: open
  difficulty: medium
  tags: [interview]
  prompt: What is a cold start?
  model_answer: A request that waits for a new execution environment to initialise.
  rubric: [New environment, Init phase, Mitigations]
  explanation: See the lifecycle page.
  sources: [https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html]
""")
FIXTURE_IDS = ["fx-single", "fx-multi", "fx-truefalse", "fx-numeric", "fx-short", "fx-open"]


@pytest.fixture
def question_bank(content_dir):
    """Only the fixture questions: the real bank moves as content is written."""
    for path in (content_dir / "questions").glob("*.yaml"):
        path.unlink()
    (content_dir / "questions" / "fixture.yaml").write_text(FIXTURE_QUESTIONS)
    return content_dir


class FixedClock:
    def __init__(self, start: dt.datetime):
        self.current = start

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += dt.timedelta(**delta)


@pytest.fixture
def clock():
    return FixedClock(timezone.now().replace(microsecond=0))
