"""check_content for the sandbox library: events parse and are indexed, handlers compile and
name a function and an event, and every topic they point to exists."""

from studyapp.content.checks import content_checker
from studyapp.content.files import Problem
from studyapp.content.library import build_library, events_dir, handlers_dir
from studyapp.content.topics import catalog


@content_checker
def check_sandbox_library():
    library = build_library()
    problems = list(library.problems)
    topics = catalog().topics
    for event in library.events.values():
        if event.topic not in topics:
            problems.append(
                Problem(events_dir() / "events.yaml", f"event '{event.slug}': unknown topic '{event.topic}'")
            )
    for handler in library.handlers.values():
        if handler.topic and handler.topic not in topics:
            problems.append(
                Problem(
                    handlers_dir() / "handlers.yaml",
                    f"handler '{handler.module}': unknown topic '{handler.topic}'",
                )
            )
    return problems


@content_checker
def check_topic_sandbox_events():
    """Events named by topic pages (front matter or a code block's data-event) must exist."""
    events = build_library().events
    problems = []
    for topic in catalog().topics.values():
        named = {topic.sandbox_event} | {
            b.attributes.get("data-event", "") for b in topic.rendered.code_blocks
        }
        for slug in sorted(named - {""}):
            if slug not in events:
                problems.append(
                    Problem(topic.path, f"sandbox event '{slug}' does not exist in content/events")
                )
    return problems
