"""The runtime inside a sandbox: the part of Lambda's Python runtime a handler can observe.

Runs under bubblewrap as `python -I -S -u bootstrap.py CMD_FD RESULT_FD`, standard library
only. It forks at once: this process (the supervisor) keeps the engine's channel and relays;
the child (the worker) gets a channel of its own to the supervisor, never the engine's. The
worker waits for an `init` message (handler and environment variables), imports the learner's
module the way the AWS runtime interface client does, then answers `invoke` messages one at a
time. Messages are JSON lines; stdout and stderr are the function's log.

The learner's code runs in the worker, so it can write lines on the worker's channel, but it
cannot reach the engine's: the supervisor is not dumpable (its /proc entries and descriptors
are closed to the worker), it relays only the answer that is due and measures the worker's
memory itself. Nothing here is trusted by the engine either: durations, limits and kills are
measured and enforced from outside.
"""

import gc
import importlib
import json
import logging
import os
import resource
import sys
import time
import traceback
from pathlib import Path

# Logged at WARNING before an unhandled error at init, in the runtime client's words.
UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with a change in the "
    "runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)
ERROR_LOG_LINE_TERMINATE = "\r"
ERROR_LOG_INDENT = "\u00a0"  # the runtime indents stack traces with no-break spaces
_request_id = ""
aws_mock = None  # the in-sandbox AWS, when this environment has the libraries


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


class Channel:
    def __init__(self, read_fd: int, write_fd: int):
        self._reader = os.fdopen(read_fd, "rb", buffering=1 << 16)
        self._write_fd = write_fd

    def receive_line(self) -> bytes:
        line = self._reader.readline()
        if not line:
            os._exit(0)  # the other side went away
        return line

    def receive(self) -> dict:
        return json.loads(self.receive_line())

    def send(self, message: dict) -> None:
        self.send_line((json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass"))

    def send_line(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._write_fd, view)
            view = view[written:]


class Unbuffered:
    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        self.stream.write(msg)
        self.stream.flush()

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


class LambdaLoggerHandler(logging.Handler):
    def emit(self, record):
        sys.stdout.write(self.format(record))


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


def json_logs() -> bool:
    return os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


class JsonFormatter(logging.Formatter):
    """A logging record as the runtime writes it with the JSON log format: one object a line."""

    # LogRecord's own attributes; any other attribute (from `extra=`) becomes a key of its own.
    RESERVED = frozenset(
        [
            "name",
            "msg",
            "args",
            "levelname",
            "levelno",
            "pathname",
            "filename",
            "module",
            "exc_info",
            "exc_text",
            "stack_info",
            "lineno",
            "funcName",
            "created",
            "msecs",
            "relativeCreated",
            "thread",
            "threadName",
            "processName",
            "process",
            "aws_request_id",
            "tenant_id",
            "_frame_type",
        ]
    )

    def formatTime(self, record, datefmt=None):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"

    def format(self, record):
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        failure = record.exc_info
        fields = {
            "timestamp": self.formatTime(record),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(failure[2]) if failure else None,
            "errorType": failure[0].__name__ if failure else None,
            "errorMessage": str(failure[1]) if failure else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if failure else None,
        }
        for key, value in record.__dict__.items():
            if key not in self.RESERVED and key not in fields:
                fields[key] = value
        return json.dumps({k: v for k, v in fields.items() if v is not None}, ensure_ascii=False) + "\n"


def setup_logging() -> None:
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    if json_logs():
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                "%Y-%m-%dT%H:%M:%S",
            )
        )
    handler.addFilter(LambdaLoggerFilter())
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    level = {"TRACE": "DEBUG"}.get(level, level)  # Python's logging has no TRACE
    if level in logging._nameToLevel:
        logging.getLogger().setLevel(level)
    logging.getLogger().addHandler(handler)


def get_handler(handler: str):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as error:
        raise FaultException(
            FaultException.MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {error}"
        ) from None
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                f"Cannot use built-in module {module_name} as a handler module",
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise FaultException(
            FaultException.IMPORT_MODULE_ERROR, f"Unable to import module '{module_name}': {error}"
        ) from None
    except SyntaxError as error:
        trace = [f'  File "{error.filename}" Line {error.lineno}\n    {error.text}']
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR,
            f"Syntax error in module '{module_name}': {error}",
            trace,
        ) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND,
            f"Handler '{function_name}' missing on module '{module_name}'",
        ) from None


def make_error(message, error_type, stack_trace, request_id=None) -> dict:
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace or [],
    }


def user_stack(tb) -> list[str]:
    """The frames as the runtime formats them: from plain (file, line, function, text) tuples, so
    Python 3.11's caret lines (~~~^^^) never appear; the runtime's own frames cut off."""
    frames = [(frame.filename, frame.lineno, frame.name, frame.line) for frame in traceback.extract_tb(tb)]
    for index, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0]:
            frames = frames[index:]
            break
    return traceback.format_list(frames)


def log_error(error: dict) -> None:
    if json_logs():  # the runtime's own ERROR record: seconds only, then the error's fields
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        sys.stdout.write(marshal({"timestamp": stamp, "level": "ERROR", **error}) + "\n")
        return
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        description += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [description]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append(ERROR_LOG_INDENT * (len(line) - len(stripped)) + stripped)
    sys.stdout.write(ERROR_LOG_LINE_TERMINATE.join(lines) + "\n")


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


class ClientContext:
    __slots__ = ("custom", "env", "client")


def _from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name))
    return obj


class LambdaContext:
    def __init__(self, request_id, client_context, identity, deadline_ms, function_arn):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = function_arn
        self.client_context = _from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = _from_dict(CognitoIdentity, {})
        if identity is not None:
            self.identity.cognito_identity_id = identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity}])"
        )


_encoder = []  # made at init, once the runtime's libraries are on the path


def make_encoder():
    """The runtime's JSON encoder: simplejson (the runtime client's serializer, shipped with the
    runtime), with a Decimal written with its own digits and a NaN Decimal as NaN. The python3.12+
    runtimes keep non-ASCII characters as they are; python3.11 escapes them (\\u00e9).
    Without the runtime's libraries: the standard library's encoder, the same but for Decimal."""
    import decimal
    import math

    try:
        import simplejson as json_library

        raw = json_library.RawJSON
    except ImportError:
        json_library, raw = json, None
    keep_unicode = os.environ.get("AWS_EXECUTION_ENV") in {
        f"AWS_Lambda_python3.{minor}" for minor in (12, 13, 14, 15)
    }
    options = {"ensure_ascii": False, "allow_nan": True} if keep_unicode else {"allow_nan": True}
    if raw is not None:
        options["use_decimal"] = False

    class Encoder(json_library.JSONEncoder):
        def default(self, obj):
            if isinstance(obj, decimal.Decimal):
                if obj.is_nan():
                    return math.nan
                return raw(str(obj)) if raw is not None else float(obj)
            return super().default(obj)

    return Encoder(**options)


def marshal(response) -> str:
    if isinstance(response, bytes):
        return response.decode("utf-8", "replace")
    try:
        return _encoder[0].encode(response)
    except Exception as error:
        raise FaultException(FaultException.MARSHAL_ERROR, f"Unable to marshal response: {error}") from None


def handle_invoke(channel: Channel, handler, message: dict) -> None:
    global _request_id
    _request_id = message["request_id"]
    if aws_mock is not None:
        aws_mock.calls.clear()
    os.environ["_X_AMZN_TRACE_ID"] = message.get("trace_id", "")
    try:
        context = LambdaContext(
            _request_id,
            message.get("client_context"),
            message.get("identity"),
            message["deadline_ms"],
            message["function_arn"],
        )
        try:
            event = json.loads(message["event"])
        except ValueError as error:
            raise FaultException(
                FaultException.UNMARSHAL_ERROR, f"Unable to unmarshal input: {error}"
            ) from None
        payload = marshal(handler(event, context))
    except FaultException as fault:
        error = make_error(fault.msg, fault.exception_type, fault.trace, _request_id)
    except Exception:
        error_type, value, tb = sys.exc_info()
        error = make_error(str(value), error_type.__name__, user_stack(tb), _request_id)
    else:
        channel.send(
            {
                "op": "result",
                "ok": True,
                "request_id": _request_id,
                "payload": payload,
                "aws_calls": _aws_calls(),
            }
        )
        return
    log_error(error)
    channel.send(
        {"op": "result", "ok": False, "request_id": _request_id, "error": error, "aws_calls": _aws_calls()}
    )


def _aws_calls() -> list:
    return list(aws_mock.calls) if aws_mock is not None else []


def handle_seed(channel: Channel, message: dict) -> None:
    try:
        import botocore.handlers  # noqa: F401  (its first import routes botocore to the emulator)

        created = aws_mock.seed(message["plan"])
    except Exception as error:
        channel.send({"op": "seeded", "ok": False, "error": f"{type(error).__name__}: {error}"})
        return
    channel.send({"op": "seeded", "ok": True, "created": created})


class StartAwsOnImport:
    """When botocore loads its handlers (every client needs them), add the one that sends
    requests to the emulator process. Nothing is loaded before that, so handlers that never
    touch AWS pay nothing for it."""

    starts_aws = True

    def __init__(self, address: str):
        self.address = address

    def find_spec(self, name, path=None, target=None):
        if name != "botocore.handlers" or aws_mock is not None:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None:
            spec.loader = RouteToEmulator(spec.loader, self.address)
        return spec


class RouteToEmulator:
    """botocore.handlers' own loader, then the emulator's handlers appended to its list."""

    def __init__(self, loader, address: str):
        self.loader, self.address = loader, address

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        self.loader.exec_module(module)
        load_runtime_module("aws_mock").start(self.address, module.BUILTIN_HANDLERS)


def load_runtime_module(name: str):
    """A module of the runtime's folder, which -I keeps off sys.path: loaded from its file."""
    global aws_mock
    import types

    path = Path(__file__).with_name(f"{name}.py")
    module = types.ModuleType(f"_coldstart_{name}")
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    if name == "aws_mock":
        aws_mock = module
    return module


def apply_limits(limits: dict) -> None:
    """Lower this process's limits before any learner code runs (they cannot be raised back)."""
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


WORKER_SAYS = ("init_done", "result", "seeded")


class WorkerLink:
    """The supervisor's end of the worker's channel. Raw reads, so the supervisor knows whether
    the worker wrote anything before it was asked (a forged line)."""

    def __init__(self, read_fd: int, write_fd: int):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.pending = bytearray()
        self.scanned = 0  # how much of `pending` is known to hold no newline

    def spoke_out_of_turn(self) -> bool:
        import select

        return bool(self.pending) or bool(select.select([self.read_fd], [], [], 0)[0])

    def read_line(self) -> bytes | None:
        while True:
            newline = self.pending.find(b"\n", self.scanned)  # a big answer: each byte searched once
            if newline >= 0:
                if newline == len(self.pending) - 1:  # the usual case: no copy of a big answer
                    line, self.pending = self.pending, bytearray()
                else:
                    line = self.pending[: newline + 1]
                    del self.pending[: newline + 1]
                self.scanned = 0
                return bytes(line) if len(line) <= DECODED_MAX_BYTES else line
            self.scanned = len(self.pending)
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                return None
            self.pending += chunk


def worker_peak_rss_kb(pid: int) -> int:
    """The worker's peak resident memory (a fallback for hosts without a memory cgroup),
    measured here so the worker cannot report a figure of its own."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def supervise(engine: Channel, link: WorkerLink, worker: int, emulator: int, emulator_setup: int) -> None:
    """Relay: each engine message to the worker, then the worker's answer back. A line written
    when nothing was asked ends the environment. The emulator's pid goes out with "ready",
    before any learner code runs, so the engine can give it a cgroup of its own."""
    engine.send({"op": "ready", "aws_pid": emulator})
    first = True
    while True:
        message = engine.receive_line()
        if first:  # the init message (from the engine, trusted): what the emulator needs
            first = False
            init = json.loads(message)
            setup = {"aws": bool(init.get("aws")), "libraries": init.get("emulator_libraries", [])}
            _write_all(emulator_setup, json.dumps(setup).encode() + b"\n")
            os.close(emulator_setup)
            if not setup["aws"]:
                os.waitpid(emulator, 0)  # it exits at once: reap it
        if link.spoke_out_of_turn():
            # Not passed on: the engine runs this request in a clean environment instead.
            engine.send({"op": "tainted"})
            end_like(worker, kill=True)
        _write_all(link.write_fd, message)
        line = link.read_line()
        if line is None:
            end_like(worker)
        if worker_op(line) is None:
            end_like(worker, kill=True)
        # The supervisor's own measure goes last: in JSON the last of two equal keys wins.
        end = line.rindex(b"}")  # the closing brace (searched from the end: no copy)
        engine.send_line(memoryview(line)[:end])
        engine.send_line(b', "max_rss_kb": %d}\n' % worker_peak_rss_kb(worker))


def start_emulator(address: str, engine_fds: tuple) -> tuple[int, int]:
    """Fork the AWS emulator's process (idle until the first request; exits at once when the
    function has no AWS). Its socket is bound here, so the worker can never connect too early.
    Returns its pid and the pipe on which it waits for its setup."""
    import socket

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(16)
    setup_r, setup_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        for fd in (*engine_fds, setup_w):
            os.close(fd)
        not_dumpable()  # the worker runs as the same uid: no way into this process either
        with os.fdopen(setup_r, "rb") as setup_pipe:
            setup = json.loads(setup_pipe.readline() or b"{}")
        if not setup.get("aws"):
            os._exit(0)
        load_runtime_module("aws_emulator").serve(listener, setup["libraries"])
        os._exit(0)
    listener.close()
    os.close(setup_r)
    return pid, setup_w


DECODED_MAX_BYTES = 4096  # lines up to this size are decoded here; longer ones can only be results


def worker_op(line: bytes) -> str | None:
    """The op of a worker's line, None when it is no message the worker sends. Long lines are
    answers (results can be megabytes): not decoded here, the engine checks every byte."""
    if len(line) > DECODED_MAX_BYTES:
        return "answer" if line.startswith(b"{") and line.endswith(b"}\n") else None
    body = line.rstrip()
    if not (body.startswith(b"{") and body.endswith(b"}")) or body == b"{}":
        return None
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        return None
    op = message.get("op") if isinstance(message, dict) else None
    return op if op in WORKER_SAYS else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def end_like(worker: int, kill: bool = False) -> None:
    """End the supervisor the way the worker ended, so the engine sees its exit status."""
    import signal

    if kill:
        os.kill(worker, signal.SIGKILL)
    _, status = os.waitpid(worker, 0)
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


_libc = []


def load_libc() -> None:
    """ctypes and the C library, loaded once before the forks (children share the pages)."""
    import ctypes

    _libc.append(ctypes.CDLL(None, use_errno=True))


def not_dumpable() -> None:
    """Close this process's /proc entries (fd, mem, environ) to the worker, which runs as the
    same uid: PR_SET_DUMPABLE 0, through the C library (the standard library has no prctl)."""
    if _libc[0].prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
        os._exit(70)


def preload_serializer() -> None:
    """The runtime client's serializer, loaded before the worker forks, as Lambda's runtime has
    it loaded before the handler's INIT: a cold start does not wait for it. (Where the runtime's
    libraries are elsewhere, unisolated, make_encoder imports it at init.) Its marshaller's
    decimal and math come first: without them a cold start waited about 3 ms for decimal."""
    import decimal  # noqa: F401
    import math  # noqa: F401

    folder = f"/var/lang/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
    if not os.path.isdir(folder):
        return
    sys.path.append(folder)
    try:
        import simplejson  # noqa: F401
    except ImportError:
        pass
    finally:
        sys.path.remove(folder)


def main() -> None:
    engine_fds = (int(sys.argv[1]), int(sys.argv[2]))
    del sys.argv[1:]  # the handler has no business with descriptor numbers
    load_libc()
    preload_serializer()
    # An abstract socket: no file to find or fill, and a name no other environment shares.
    address = f"\0coldstart-aws-{os.getpid()}-{os.urandom(8).hex()}"
    emulator, emulator_setup = start_emulator(address, engine_fds)
    to_worker_r, to_worker_w = os.pipe()
    from_worker_r, from_worker_w = os.pipe()
    # What is loaded so far moves out of the collector's sight: its passes would otherwise write
    # to every object's header in the worker, copying the pages it shares with this process.
    gc.freeze()
    worker = os.fork()
    if worker == 0:
        for fd in (*engine_fds, to_worker_w, from_worker_r, emulator_setup):
            os.close(fd)
        run_worker(Channel(to_worker_r, from_worker_w), address)
        os._exit(0)
    for fd in (to_worker_r, from_worker_w):
        os.close(fd)
    not_dumpable()
    supervise(Channel(*engine_fds), WorkerLink(from_worker_r, to_worker_w), worker, emulator, emulator_setup)


def run_worker(channel: Channel, aws_address: str) -> None:
    init = channel.receive()
    apply_limits(init.get("rlimits", {}))
    os.environ.clear()
    os.environ.update(init["env"])
    time.tzset()
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    sys.path[:0] = init.get("path", ["/var/task"])
    sys.path.extend(init.get("libraries", []))  # after the standard library: no cost to its imports
    os.chdir(os.environ.get("LAMBDA_TASK_ROOT", "/var/task"))
    setup_logging()
    if init.get("aws"):
        sys.meta_path.insert(0, StartAwsOnImport(aws_address))
    _encoder.append(make_encoder())
    try:
        handler = get_handler(init["handler"])
    except Exception as failure:
        if isinstance(failure, FaultException):
            error = make_error(failure.msg, failure.exception_type, failure.trace)
        else:
            error_type, value, tb = sys.exc_info()
            error = make_error(str(value), error_type.__name__, user_stack(tb))
        logging.warning(UNHANDLED_EXCEPTION_WARNING)
        log_error(error)
        channel.send({"op": "init_done", "ok": False, "error": error})
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)
    channel.send({"op": "init_done", "ok": True})
    while True:
        message = channel.receive()
        if message.get("op") == "seed" and init.get("aws"):
            handle_seed(channel, message)
        else:
            handle_invoke(channel, handler, message)


if __name__ == "__main__":
    main()
