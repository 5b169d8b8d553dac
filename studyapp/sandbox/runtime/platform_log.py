"""Lambda's own log records around a handler (INIT_START, START, END, REPORT, INIT_REPORT) in the
function's log format: text lines, or with the JSON format the platform records CloudWatch shows
(platform.initStart, platform.start, platform.report, platform.initReport), dropped below the
function's system log level."""

from __future__ import annotations

import json

from studyapp.sandbox.runtime import lambda_format as fmt
from studyapp.sandbox.runtime.config import FunctionConfig

LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "ERROR": 40, "FATAL": 50}
LEVELS |= {"WARNING": 30, "CRITICAL": 50}  # Python's names, in records the runtime writes
RECORD_LEVEL = "INFO"  # the level of every platform record below: SystemLogLevel WARN hides them


class PlatformLog:
    def __init__(self, config: FunctionConfig, function_arn: str, runtime_name: str = fmt.RUNTIME_NAME):
        self.config, self.function_arn, self.runtime_name = config, function_arn, runtime_name
        self.json = config.json_logs
        self.shown = not self.json or LEVELS[config.effective_system_log_level] <= LEVELS[RECORD_LEVEL]

    def _record(self, kind: str, record: dict) -> list[str]:
        if not self.shown:
            return []
        line = {"time": fmt.iso_now(), "type": f"platform.{kind}", "record": record}
        return [json.dumps(line, separators=(",", ":"))]

    def init_start(self) -> list[str]:
        if not self.json:
            return [fmt.init_start_line(self.config.region, self.runtime_name)]
        return self._record(
            "initStart",
            {
                "initializationType": "on-demand",
                "phase": "init",
                "runtimeVersion": fmt.runtime_version(self.runtime_name),
                "runtimeVersionArn": fmt.runtime_version_arn(self.config.region, self.runtime_name),
                "functionName": self.config.function_name,
                "functionVersion": "$LATEST",
            },
        )

    def init_report(self, duration_ms: float, status: str, error_type: str) -> list[str]:
        if not self.json:
            return [
                f"INIT_REPORT Init Duration: {duration_ms:.2f} ms\tPhase: init\t"
                f"Status: {status}\tError Type: {error_type}"
            ]
        return self._record(
            "initReport",
            {
                "initializationType": "on-demand",
                "phase": "init",
                "status": status,
                "errorType": error_type,
                "metrics": {"durationMs": round(duration_ms, 3)},
            },
        )

    def start(self, request_id: str) -> list[str]:
        if not self.json:
            return [fmt.start_line(request_id)]
        record = {"requestId": request_id, "functionArn": self.function_arn, "version": "$LATEST"}
        return self._record("start", record)

    def end_and_report(self, report: fmt.Report) -> list[str]:
        if not self.json:
            return [fmt.end_line(report.request_id), report.line()]
        metrics = {
            "durationMs": round(report.duration_ms, 3),
            "billedDurationMs": report.billed_duration_ms,
            "memorySizeMB": report.memory_size_mb,
            "maxMemoryUsedMB": report.max_memory_used_mb,
        }
        if report.init_duration_ms is not None:
            metrics["initDurationMs"] = round(report.init_duration_ms, 3)
        record = {"requestId": report.request_id, "metrics": metrics, "status": report.status}
        if report.error_type:
            record["errorType"] = report.error_type
        return self._record("report", record)


def application_lines(config: FunctionConfig, text: str) -> str:
    """The function's own output as Lambda keeps it. With the JSON format, each line below the
    application log level is dropped: a JSON record by its "level", any other line (print) as
    INFO, as Lambda treats a line without a level."""
    if not config.json_logs or LEVELS[config.effective_application_log_level] <= LEVELS["INFO"]:
        return text
    threshold = LEVELS[config.effective_application_log_level]
    kept = [line for line in text.split("\n") if _line_level(line) >= threshold]
    return "\n".join(kept)


def _line_level(line: str) -> int:
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return LEVELS["INFO"]
        if isinstance(record, dict) and isinstance(record.get("level"), str):
            return LEVELS.get(record["level"].upper(), LEVELS["INFO"])
    return LEVELS["INFO"]
