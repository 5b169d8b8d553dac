"""HTTP front doors, with the handler really running in the sandbox: the event API Gateway (REST
and HTTP API) and function URLs build from a request, and what the client gets back, failure
answers included. Sources: set-up-lambda-proxy-integrations.html, services-apigateway-errors.html,
http-api-develop-integrations-lambda.html and urls-invocation.html (checked 2026-12-04)."""

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from studyapp.sandbox.callers import front_door
from studyapp.sandbox.callers.http_events import FUNCTION_URL, HTTP_API, REST, build_event
from studyapp.sandbox.callers.http_request import RequestError, parse_request
from studyapp.sandbox.callers.http_responses import ClientResponse
from tests.sandbox.conftest import function

SHARED_TOOL = Path(settings.BASE_DIR).parent / "shared" / "tools" / "event_paths.py"
REQUEST = parse_request(
    "POST",
    "/orders/7?expand=items&expand=customer",
    "accept: application/json\nX-Trace: a\nX-Trace: b\nCookie: theme=dark; ab=b",
    '{"qty": 2}',
    False,
)


def through(engine, kind: str, returns: str, request=REQUEST, **settings) -> tuple[object, ClientResponse]:
    code = f"import json, time\ndef handler(event, context):\n    return {returns}\n"
    result, shown = front_door.send(engine.invoke, function(code, **settings), kind, request)
    return result, ClientResponse.from_dict(shown["response"])


def raising(engine, kind: str) -> ClientResponse:
    code = "def handler(event, context):\n    raise ValueError('db down')\n"
    return ClientResponse.from_dict(
        front_door.send(engine.invoke, function(code), kind, REQUEST)[1]["response"]
    )


# -- the events -----------------------------------------------------------------------------------


def test_the_rest_event_keeps_every_value_and_the_last_in_the_single_maps():
    event = build_event(REST, REQUEST)
    assert event["resource"] == "/{proxy+}" and event["pathParameters"] == {"proxy": "orders/7"}
    assert event["path"] == "/orders/7" and event["httpMethod"] == "POST"
    assert event["headers"]["X-Trace"] == "b" and event["multiValueHeaders"]["X-Trace"] == ["a", "b"]
    assert event["headers"]["Cookie"] == "theme=dark; ab=b"  # payload 1.0 has no cookies list
    assert event["queryStringParameters"] == {"expand": "customer"}
    assert event["multiValueQueryStringParameters"] == {"expand": ["items", "customer"]}
    assert event["body"] == '{"qty": 2}' and event["isBase64Encoded"] is False
    assert event["requestContext"]["path"] == "/prod/orders/7"
    bare = build_event(REST, parse_request("GET", "/", "", "", False))
    assert bare["queryStringParameters"] is None and bare["multiValueQueryStringParameters"] is None
    assert bare["body"] is None and bare["pathParameters"] is None and bare["resource"] == "/"


def test_payload_2_joins_repeats_and_takes_cookies_out():
    for kind in (HTTP_API, FUNCTION_URL):
        event = build_event(kind, REQUEST)
        assert event["version"] == "2.0" and event["routeKey"] == "$default"
        assert event["rawPath"] == "/orders/7" and event["rawQueryString"] == "expand=items&expand=customer"
        assert event["headers"]["x-trace"] == "a,b" and "cookie" not in event["headers"]
        assert event["cookies"] == ["theme=dark", "ab=b"]
        assert event["queryStringParameters"] == {"expand": "items,customer"}
        assert event["requestContext"]["http"]["method"] == "POST"
    url = build_event(FUNCTION_URL, REQUEST)
    assert url["requestContext"]["domainName"].endswith(".lambda-url.us-east-1.on.aws")
    assert url["pathParameters"] is None and url["stageVariables"] is None


@pytest.mark.skipif(not SHARED_TOOL.exists(), reason="../shared (AWS reference events) is not present")
def test_built_events_have_the_shape_of_aws_samples(tmp_path):
    for kind, name in (
        (REST, "apigateway-rest-proxy"),
        (HTTP_API, "apigateway-http-v2"),
        (FUNCTION_URL, "function-url"),
    ):
        (tmp_path / f"{name}.json").write_text(json.dumps(build_event(kind, REQUEST)))
    result = subprocess.run(
        [sys.executable, str(SHARED_TOOL), str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_request_is_refused_with_the_field():
    with pytest.raises(RequestError) as refused:
        parse_request("GET", "orders", "", "", False)
    assert refused.value.field == "http_target"
    with pytest.raises(RequestError) as refused:
        parse_request("GET", "/", "no colon here", "", False)
    assert refused.value.field == "http_headers" and "Line 1" in str(refused.value)
    with pytest.raises(RequestError):
        parse_request("GET", "/", "", "not base64!", True)


# -- REST API (payload 1.0) -------------------------------------------------------------------------


def test_rest_turns_a_proxy_response_into_the_clients_response(engine):
    returns = (
        "{'statusCode': 201, 'headers': {'content-type': 'application/json', 'x-one': 'a'}, "
        "'multiValueHeaders': {'Set-Cookie': ['a=1', 'b=2']}, 'body': json.dumps({'got': event['path']})}"
    )
    _, response = through(engine, REST, returns)
    assert response.status == 201 and response.verdict == "ok"
    assert response.body == b'{"got": "/orders/7"}'
    assert ("Set-Cookie", "a=1") in response.headers and ("Set-Cookie", "b=2") in response.headers
    assert ("x-one", "a") in response.headers


@pytest.mark.parametrize(
    ("returns", "reason"),
    [
        ("{'statusCode': 200, 'body': {'ok': True}}", "body must be a string, not a dict"),
        (
            "{'statusCode': 200, 'body': 'x', 'cookies': ['a=1']}",
            "keys a proxy response cannot have: cookies",
        ),
        ("'just a string'", "returned a str, not an object"),
        ("{'statusCode': 'ok'}", "statusCode must be an HTTP status"),
        ("{'statusCode': 200, 'multiValueHeaders': {'a': 'b'}}", "multiValueHeaders must map"),
    ],
)
def test_rest_answers_502_to_a_malformed_proxy_response(engine, returns, reason):
    result, response = through(engine, REST, returns)
    assert result.status == "success"  # Lambda itself was happy: the caller was not
    assert response.status == 502 and response.body == b'{"message": "Internal server error"}'
    assert response.verdict == "malformed" and reason in response.explanation
    assert (
        response.service_log == "Execution failed due to configuration error: Malformed Lambda proxy response"
    )


def test_rest_accepts_a_numeric_string_status_and_a_missing_one(engine):
    assert through(engine, REST, "{'statusCode': '201', 'body': ''}")[1].status == 201
    assert through(engine, REST, "{'headers': {'a': 'b'}}")[1].status == 200


def test_rest_answers_502_to_a_function_error_and_504_past_its_timeout(engine):
    failed = raising(engine, REST)
    assert failed.status == 502 and failed.verdict == "function_error"
    assert failed.service_log.startswith(
        "Lambda execution failed with status 200 due to customer function error: db down"
    )
    _, timed_out = through(engine, REST, "time.sleep(5)", timeout_s=1)
    assert timed_out.status == 504 and timed_out.body == b'{"message": "Endpoint request timed out"}'


def test_rest_decodes_a_base64_body(engine):
    png = base64.b64encode(b"\x89PNG\r\n").decode()
    _, response = through(engine, REST, f"{{'statusCode': 200, 'body': '{png}', 'isBase64Encoded': True}}")
    assert response.body == b"\x89PNG\r\n" and response.body_text is None


# -- HTTP API and function URLs (payload 2.0) ---------------------------------------------------


def test_payload_2_infers_a_response_from_a_bare_return(engine):
    _, http_dict = through(engine, HTTP_API, "{'ok': True}")
    assert http_dict.status == 200 and http_dict.body == b'{"ok": true}'
    assert ("content-type", "application/json") in http_dict.headers
    _, http_string = through(engine, HTTP_API, "'Hello from Lambda!'")
    assert http_string.body == b"Hello from Lambda!"  # the HTTP API sends a string as it is
    _, url_string = through(engine, FUNCTION_URL, "'Hello, world!'")
    assert url_string.body == b'"Hello, world!"'  # a function URL sends the JSON text
    _, rest_same = through(engine, REST, "{'ok': True}")
    assert rest_same.status == 502 and rest_same.verdict == "malformed"  # payload 1.0 never infers


def test_payload_2_sends_cookies_as_set_cookie_headers(engine):
    returns = (
        "{'statusCode': 200, 'cookies': ['a=1', 'b=2'], 'headers': {'x-one': 'a'}, 'body': 'hi', 'extra': 1}"
    )
    for kind in (HTTP_API, FUNCTION_URL):
        _, response = through(engine, kind, returns)
        assert response.status == 200 and response.body == b"hi"
        assert [value for name, value in response.headers if name == "set-cookie"] == ["a=1", "b=2"]
        assert "extra" in response.notes[0]


def test_payload_2_failure_answers(engine):
    assert raising(engine, HTTP_API).status == 500
    assert raising(engine, HTTP_API).body == b'{"message": "Internal Server Error"}'
    assert raising(engine, FUNCTION_URL).status == 502
    assert raising(engine, FUNCTION_URL).body == b"Internal Server Error"
    _, bad_status = through(engine, HTTP_API, "{'statusCode': 'test'}")
    assert bad_status.status == 500 and bad_status.verdict == "malformed"
    _, bad_cookies = through(engine, HTTP_API, "{'statusCode': 200, 'cookies': {'a': 1}}")
    assert bad_cookies.status == 500
    _, timed_out = through(engine, HTTP_API, "time.sleep(5)", timeout_s=1)
    assert timed_out.status == 503 and timed_out.body == b'{"message": "Service Unavailable"}'


def test_rest_answers_504_after_29_seconds_even_when_the_function_succeeds_later():
    from studyapp.sandbox.callers.http_responses import client_response
    from studyapp.sandbox.runtime.lambda_format import Report
    from studyapp.sandbox.runtime.results import InvokeResult

    report = Report("r", 29_500.0, 29_501, 128, 30)
    late = InvokeResult("r", "RequestResponse", "success", 200, '{"statusCode": 200}', None, "", report)
    assert client_response(REST, late, 29.5).status == 504
    assert client_response(HTTP_API, late, 29.5).status == 200  # an HTTP API waits 30 s


# -- through the page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_what_the_client_got_and_keeps_the_caller_in_permalinks(client):
    from django.urls import reverse

    from studyapp.sandbox.models import SharedRun
    from tests.support.sandbox_client import form

    code = ["def lambda_handler(event, context):\n    return {'statusCode': 200, 'body': {'id': 7}}\n"]
    fields = {
        "caller": "rest",
        "http_method": "GET",
        "http_target": "/orders/7",
        "http_headers": "accept: application/json",
        "http_body": "",
    }
    page = client.post(reverse("sandbox_run"), form(file_code=code, **fields), HTTP_HX_REQUEST="true").text
    assert 'data-testid="client-response" data-status="502"' in page
    assert "HTTP/1.1 502 Bad Gateway" in page and "body must be a string, not a dict" in page
    assert 'data-status="success"' in page  # Lambda's own result: the invoke succeeded
    client.post(reverse("sandbox_share"), form(file_code=code, **fields))
    shared = SharedRun.objects.get()
    assert shared.caller["kind"] == "rest" and shared.caller["request"]["path"] == "/orders/7"
    opened = client.get(reverse("sandbox_shared", args=[shared.token])).text
    assert '<option value="rest" selected>' in opened and 'value="/orders/7"' in opened
    bad = client.post(
        reverse("sandbox_run"),
        form(file_code=code, **fields | {"http_target": "orders"}),
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422 and "The path starts with /" in bad.text


def test_a_request_that_makes_the_event_too_big_never_reaches_the_function(engine):
    big = parse_request("POST", "/upload", "content-type: text/plain", "x" * (6 * 1024 * 1024 + 10), False)
    result, response = through(engine, REST, "'never runs'", request=big)
    assert result.status == "rejected" and result.status_code == 413
    assert response.status == 500 and response.verdict == "not_invoked"
    assert "at most 6 MB of event" in response.explanation
