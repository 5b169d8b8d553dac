"""Anonymous sandbox history follows the learner into their account on log in."""

from studyapp.core.learner import LEARNER_KEY
from studyapp.core.progress import register_merger
from studyapp.sandbox.models import SandboxRun


@register_merger
def merge_sandbox_runs(session, user) -> None:
    key = session.get(LEARNER_KEY)
    if key:
        SandboxRun.objects.filter(learner_key=key, user=None).update(user=user, learner_key="")
