"""content/coverage.yaml: every topic and interview question of the source notes, mapped to the
pages and questions that cover them. check_content fails when a mapped page or id is missing."""

from studyapp.content.files import ContentError, Problem, content_path, load_yaml
from studyapp.content.checks import content_checker
from studyapp.content.questions import build_bank
from studyapp.content.topics import catalog


def coverage_path():
    return content_path("coverage.yaml")


@content_checker
def check_coverage():
    path = coverage_path()
    if not path.exists():
        return [Problem(path, "missing: map every topic and interview question of the notes")]
    try:
        data = load_yaml(path)
    except ContentError as error:
        return [error.problem]
    if not isinstance(data, dict):
        return [Problem(path, "expected 'topics' and 'interview_questions' lists")]
    pages, questions = set(catalog().topics), set(build_bank().questions)
    problems = []
    for kind, needs_question in (("topics", False), ("interview_questions", True)):
        entries = data.get(kind)
        if not isinstance(entries, list) or not entries:
            problems.append(Problem(path, f"'{kind}' must be a non-empty list"))
            continue
        for entry in entries:
            label = f"{kind} entry {entry.get('seed', '?')!s} ({entry.get('topic') or entry.get('question')})"
            mapped_pages = entry.get("pages") or []
            mapped_questions = entry.get("questions") or []
            if not mapped_pages:
                problems.append(Problem(path, f"{label}: maps to no page"))
            if needs_question and not mapped_questions:
                problems.append(Problem(path, f"{label}: maps to no question"))
            for slug in mapped_pages:
                if slug not in pages:
                    problems.append(Problem(path, f"{label}: page '{slug}' does not exist"))
            for qid in mapped_questions:
                if qid not in questions:
                    problems.append(Problem(path, f"{label}: question '{qid}' does not exist"))
    return problems
