"""Exports: the .apkg is a real Anki collection (a zip holding a SQLite database) with one note
type per kind of question, tags by topic and section, highlighted code and ids that stay the
same from one export to the next; CSV and JSON of the bank and of a learner's own attempts."""

import csv
import io
import json
import sqlite3
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from studyapp.content.questions import bank
from studyapp.quiz.models import ReviewCard
from tests.quiz.conftest import FIXTURE_IDS, FIXTURE_QUESTIONS
from tests.quiz.test_views import question_url, start

pytestmark = pytest.mark.django_db

CODE_QUESTION = """
- id: fx-code
  topics: [handler-and-event]
  section: key-facts
  type: code
  difficulty: hard
  prompt: Return the event's `name` in upper case.
  handler: lambda_function.lambda_handler
  event_json: '{"name": "ada"}'
  starter: |
    def lambda_handler(event, context):
        return None
  solution: |
    def lambda_handler(event, context):
        return event["name"].upper()
  checks:
    status: success
    result: ADA
  explanation: Read the key from the event dictionary.
  sources: [https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html]
"""
ALL_IDS = [*FIXTURE_IDS, "fx-code"]


@pytest.fixture
def export_bank(content_dir):
    for path in (content_dir / "questions").glob("*.yaml"):
        path.unlink()
    (content_dir / "questions" / "fixture.yaml").write_text(FIXTURE_QUESTIONS + CODE_QUESTION)
    assert set(bank().questions) == set(ALL_IDS), bank().problems
    return content_dir


def open_collection(package: bytes, tmp_path) -> sqlite3.Connection:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert "collection.anki2" in archive.namelist()
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(tmp_path / "collection.anki2")


def notes(db: sqlite3.Connection) -> dict[str, dict]:
    """Each note by its Id field: guid, note type name, fields by name, tags."""
    models = json.loads(db.execute("select models from col").fetchone()[0])
    found = {}
    for guid, mid, flds, tags in db.execute("select guid, mid, flds, tags from notes"):
        model = models[str(mid)]
        values = dict(zip([field["name"] for field in model["flds"]], flds.split("\x1f"), strict=True))
        found[values["Id"]] = {"guid": guid, "model": model["name"], "fields": values, "tags": tags.split()}
    return found


def test_the_bank_as_an_anki_collection(client, export_bank, tmp_path):
    response = client.get(reverse("quiz_export_questions", args=["apkg"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="coldstart-questions.apkg"'
    db = open_collection(response.content, tmp_path)
    found = notes(db)
    assert set(found) == set(ALL_IDS)
    assert db.execute("select count(*) from cards").fetchone()[0] == len(ALL_IDS)
    kinds = {qid: note["model"] for qid, note in found.items()}
    assert kinds == {
        "fx-single": "Coldstart: choice",
        "fx-multi": "Coldstart: choice",
        "fx-truefalse": "Coldstart: choice",
        "fx-numeric": "Coldstart: numeric",
        "fx-short": "Coldstart: short",
        "fx-open": "Coldstart: open",
        "fx-code": "Coldstart: code",
    }
    single = found["fx-single"]
    assert "What is the longest timeout" in single["fields"]["Question"]
    assert "900 seconds" in single["fields"]["Choices"]
    assert '<li class="right">✔ A. 900 seconds' in single["fields"]["Answer"]
    assert "The maximum is 900 seconds." in single["fields"]["Explanation"]
    assert single["fields"]["Link"] == "http://testserver/topics/timeouts/#key-facts"
    assert {"coldstart", "topic::timeouts", "section::timeouts::key-facts", "tag::interview"} <= set(
        single["tags"]
    )
    assert "difficulty::easy" in single["tags"] and "type::single" in single["tags"]
    opened = found["fx-open"]["fields"]
    assert "initialise" in opened["Model answer"] and "<li>Init phase</li>" in opened["Rubric"]
    assert found["fx-numeric"]["fields"]["Answer"] == "10240 MB"
    assert "Runtime.ImportModuleError" in found["fx-short"]["fields"]["Answer"]
    code = found["fx-code"]["fields"]
    # Highlighted by Pygments, and the note type carries the colours.
    assert 'class="highlight"' in code["Solution"] and '<span class="n">upper</span>' in code["Solution"]
    models = json.loads(db.execute("select models from col").fetchone()[0])
    code_model = next(m for m in models.values() if m["name"] == "Coldstart: code")
    assert ".highlight" in code_model["css"] and "{{Solution}}" in code_model["tmpls"][0]["afmt"]
    choice_model = next(m for m in models.values() if m["name"] == "Coldstart: choice")
    assert "{{Choices}}" in choice_model["tmpls"][0]["qfmt"]
    assert "{{Explanation}}" in choice_model["tmpls"][0]["afmt"]


def test_a_newer_export_keeps_every_id(client, export_bank, tmp_path, content_dir):
    first = client.get(reverse("quiz_export_questions", args=["apkg"])).content
    (tmp_path / "a").mkdir()
    before = open_collection(first, tmp_path / "a")
    # The content changes (a wording fix): a new bank version, a rebuilt package.
    path = content_dir / "questions" / "fixture.yaml"
    path.write_text(path.read_text().replace("The maximum is 900 seconds.", "Fifteen minutes at most."))
    from tests.conftest import clear_content_caches

    clear_content_caches()
    second = client.get(reverse("quiz_export_questions", args=["apkg"])).content
    (tmp_path / "b").mkdir()
    after = open_collection(second, tmp_path / "b")
    old, new = notes(before), notes(after)
    assert "Fifteen minutes at most." in new["fx-single"]["fields"]["Explanation"]
    guids = [{qid: note["guid"] for qid, note in found.items()} for found in (old, new)]
    assert guids[0] == guids[1]
    ids = "select models, decks from col"
    (models_a, decks_a), (models_b, decks_b) = before.execute(ids).fetchone(), after.execute(ids).fetchone()
    assert set(json.loads(models_a)) == set(json.loads(models_b))
    assert set(json.loads(decks_a)) == set(json.loads(decks_b))
    assert len({note["guid"] for note in new.values()}) == len(ALL_IDS)


def test_one_topics_deck(client, export_bank, tmp_path):
    response = client.get(reverse("quiz_export_questions", args=["apkg"]), {"topic": "timeouts"})
    assert response["Content-Disposition"] == 'attachment; filename="coldstart-timeouts.apkg"'
    found = notes(open_collection(response.content, tmp_path))
    assert set(found) == {"fx-single"}
    unknown = client.get(reverse("quiz_export_questions", args=["apkg"]), {"topic": "<b>nope</b>"})
    assert unknown.status_code == 400 and "There is no topic with that name" in unknown.text
    assert "<b>nope</b>" not in unknown.text


def test_the_review_queue_is_the_learners_own(client, export_bank, tmp_path):
    attempt = start(client, "practice", ["fx-single", "fx-numeric"])
    client.post(question_url(attempt, 1), {"choice": "1"})
    client.post(question_url(attempt, 2), {"value": "10240"})
    assert ReviewCard.objects.count() == 2
    mine = client.get(reverse("quiz_export_review", args=["apkg"]))
    assert set(notes(open_collection(mine.content, tmp_path))) == {"fx-single", "fx-numeric"}
    stranger = Client()
    (tmp_path / "s").mkdir()
    theirs = stranger.get(reverse("quiz_export_review", args=["apkg"]))
    assert notes(open_collection(theirs.content, tmp_path / "s")) == {}
    assert json.loads(stranger.get(reverse("quiz_export_review", args=["json"])).content)["questions"] == []


def test_the_bank_as_csv_and_json(client, export_bank):
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("quiz_export_questions", args=["csv"])).text)))
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == set(ALL_IDS)
    assert by_id["fx-multi"]["correct"] == "A B" and by_id["fx-multi"]["topics"] == "sync-vs-async-invocation"
    assert by_id["fx-numeric"]["answer"] == "10240 MB"
    assert by_id["fx-open"]["rubric"].splitlines()[1] == "Init phase"
    data = json.loads(client.get(reverse("quiz_export_questions", args=["json"])).content)
    assert data["format"] == "coldstart-questions" and data["version"] == 1
    records = {q["id"]: q for q in data["questions"]}
    assert records["fx-single"]["choices"][0] == {
        "text": "900 seconds",
        "correct": True,
        "why": "Fifteen minutes is the ceiling.",
    }
    assert records["fx-short"]["accepted"] == ["Runtime.ImportModuleError", "ImportModuleError"]
    assert records["fx-code"]["solution"].startswith("def lambda_handler")


def test_attempts_go_only_to_their_learner(client, export_bank):
    attempt = start(client, "practice", ["fx-short", "fx-single"])
    client.post(question_url(attempt, 1), {"value": '=HYPERLINK("http://example.invalid")'})
    client.post(question_url(attempt, 2), {"choice": "0"})
    other = Client()
    theirs = start(other, "practice", ["fx-numeric"])
    other.post(question_url(theirs, 1), {"value": "1"})

    data = json.loads(client.get(reverse("quiz_export_attempts", args=["json"])).content)
    assert [a["attempt"] for a in data["attempts"]] == [attempt.public_id]
    answers = data["attempts"][0]["answers"]
    assert [(a["question_id"], a["correct"]) for a in answers] == [("fx-short", False), ("fx-single", True)]
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("quiz_export_attempts", args=["csv"])).text)))
    assert [row["question_id"] for row in rows] == ["fx-short", "fx-single"]
    assert rows[0]["response"].startswith("'=")  # a spreadsheet shows it, does not run it
    assert theirs.public_id not in client.get(reverse("quiz_export_attempts", args=["csv"])).text
    nobody = Client().get(reverse("quiz_export_attempts", args=["json"]))
    assert json.loads(nobody.content)["attempts"] == []


def test_the_export_page_links_every_download(client, export_bank):
    page = client.get(reverse("quiz_export"))
    assert page.status_code == 200
    for name, fmt in [("quiz_export_questions", "apkg"), ("quiz_export_questions", "csv")]:
        assert reverse(name, args=[fmt]) in page.text
    assert client.get("/quiz/export/questions.exe").status_code == 404
    assert client.get("/quiz/export/attempts.apkg").status_code == 404
