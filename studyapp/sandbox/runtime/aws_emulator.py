"""The in-sandbox AWS, in a process of its own: moto's in-memory services answer the requests the
function's botocore forwards over a unix socket.

Real AWS services do their work on AWS's machines, so the emulator is not the function's: the
engine moves this process into a cgroup beside the function's, with memory and CPU of its own,
and the function's memory and CPU stay the learner's. Started by the runtime's supervisor before
any learner code runs; moto is loaded on the first request (handlers that never call AWS pay
nothing). Runs inside the sandbox; standard library at import time only.

Framing, both ways: one JSON line (the header, with `body_length`), then that many body bytes.
"""

import json
import sys
import threading

_lock = threading.Lock()  # moto's backends are not built for concurrent requests
_stubber = []


def serve(listener, libraries: list[str]) -> None:
    sys.path.extend(libraries)
    while True:
        connection, _ = listener.accept()
        try:
            threading.Thread(target=_serve_connection, args=(connection,), daemon=True).start()
        except RuntimeError:  # at its pids limit (a function opening connections by the hundred)
            connection.close()


def _stubber_ready():
    if not _stubber:
        import moto
        from moto.core.models import botocore_stubber

        moto.mock_aws().start()
        _stubber.append(botocore_stubber)
    return _stubber[0]


def _serve_connection(connection) -> None:
    with connection, connection.makefile("rb") as reader:
        while True:
            header = reader.readline()
            if not header:
                return
            try:
                request = json.loads(header)
                body = reader.read(int(request["body_length"]))
                status, headers, answer = _answer(request, body)
            except Exception as error:  # a bad frame ends this connection, not the emulator
                status, headers, answer = 500, [], f"In-memory AWS: {type(error).__name__}: {error}".encode()
                connection.sendall(_frame(status, headers, answer))
                return
            connection.sendall(_frame(status, headers, answer))


def _answer(request: dict, body: bytes) -> tuple[int, list, bytes]:
    from botocore.awsrequest import AWSPreparedRequest, HTTPHeaders

    headers = HTTPHeaders()
    for key, value in request["headers"]:
        headers[key] = value
    prepared = AWSPreparedRequest(
        method=request["method"], url=request["url"], headers=headers, body=body, stream_output=False
    )
    with _lock:
        response = _stubber_ready().process_request(prepared)
    if response is None:
        return 501, [], f"The sandbox's in-memory AWS does not serve {request['url']}".encode()
    status, response_headers, answer = response
    if isinstance(answer, str):
        answer = answer.encode("utf-8")
    return status, [[str(k), str(v)] for k, v in (response_headers or {}).items()], answer or b""


def _frame(status: int, headers: list, body: bytes) -> bytes:
    header = json.dumps({"status": status, "headers": headers, "body_length": len(body)})
    return header.encode() + b"\n" + body
