"""Who the learner is: their account, or a random key kept in the anonymous session.

The key lives in the session data (not the session key, which Django changes at log in) so
the login signal can find and merge what the anonymous learner did."""

import secrets

LEARNER_KEY = "learner_key"


def learner_key(request) -> str:
    key = request.session.get(LEARNER_KEY)
    if not key:
        key = request.session[LEARNER_KEY] = secrets.token_urlsafe(16)
    return key


def owner_filter(request) -> dict:
    """Filter kwargs for rows owned by this learner (models with `user` and `learner_key`).
    Reading creates no learner: a visitor without a session gets no session row, and owns
    nothing yet (no row has an empty key without a user)."""
    if request.user.is_authenticated:
        return {"user": request.user}
    return {"learner_key": request.session.get(LEARNER_KEY, ""), "user": None}


def owner_fields(request) -> dict:
    """Values for a new row owned by this learner."""
    if request.user.is_authenticated:
        return {"user": request.user, "learner_key": ""}
    return {"user": None, "learner_key": learner_key(request)}


def function_owner(request) -> str:
    """Whose sandbox functions these are: two learners never share an execution environment
    (one could read what the other left in /tmp or in globals), as two AWS accounts do not."""
    fields = owner_fields(request)
    return owner_label(fields["user"].pk if fields["user"] else None, fields["learner_key"])


def owner_label(user_id: int | None, learner_key: str) -> str:
    return f"user:{user_id}" if user_id is not None else f"anonymous:{learner_key}"
