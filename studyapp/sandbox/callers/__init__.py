"""Callers: what invokes a handler and what it does with the answer (API Gateway, function URLs,
SQS event source mappings, S3 notifications). Each builds the event its service would send,
invokes the function through the engine like any invoke, and reports what the service's own
client (an HTTP client, the queue, the bucket) sees. No Django here: pure functions over the
engine's results, unit-testable without a web request."""
