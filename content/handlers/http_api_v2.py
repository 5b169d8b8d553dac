"""Print-lab partner API behind an API Gateway HTTP API (payload format 2.0).

Partner labs call this over mutual TLS to report progress on print jobs. Payload 2.0 differs from
the REST API's 1.0: the method lives in requestContext.http.method, the path in rawPath, cookies in
their own list, and repeated query values are joined with commas instead of multiValue* maps.

It also shows the 2.0 response shortcut: return a plain dict *without* statusCode and API Gateway
answers 200 with that dict serialised as the JSON body. For anything other than 200 the full
{statusCode, headers, body} form is still needed.
"""

import json
import logging
import os
import re

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

JOB_STATUS_PATH = re.compile(r"^/print-jobs/(?P<job_id>pj_[0-9]{8}_[0-9]{4})/status$")
JOB_PATH = re.compile(r"^/print-jobs/(?P<job_id>pj_[0-9]{8}_[0-9]{4})$")
ALLOWED_STATUSES = {"RECEIVED", "PRINTING", "PRINTED", "PACKED", "FAILED"}

# Stand-in for the print-jobs table (see api_json.py for why module state is not a database).
JOBS = {
    "pj_20261124_0193": {
        "jobId": "pj_20261124_0193",
        "orderId": "ord_8K2M4Q7T",
        "partnerId": "lumen-print-lab",
        "status": "PRINTING",
    }
}


def lambda_handler(event, context):
    http = event["requestContext"]["http"]
    method, path = http["method"], event["rawPath"]
    partner = partner_id(event)
    logger.info("%s %s from partner %s (%s)", method, path, partner, http["sourceIp"])

    match = JOB_STATUS_PATH.match(path)
    if match and method == "POST":
        return update_status(match["job_id"], partner, event)
    match = JOB_PATH.match(path)
    if match and method == "GET":
        job = JOBS.get(match["job_id"])
        if job is None or job["partnerId"] != partner:
            return error(404, "No such print job")
        return job  # simplified response: 200 + JSON body
    return error(404, f"No route for {method} {path}")


def partner_id(event):
    authorizer = event["requestContext"].get("authorizer") or {}
    # The Lambda authorizer put the partner id in its context; fall back to the certificate's CN,
    # which API Gateway has already validated against our truststore during the TLS handshake.
    if authorizer.get("lambda", {}).get("partnerId"):
        return authorizer["lambda"]["partnerId"]
    cert = (event["requestContext"].get("authentication") or {}).get("clientCert") or {}
    for part in cert.get("subjectDN", "").split(","):
        if part.startswith("CN="):
            return part[3:].split(".")[0]
    return "unknown"


def update_status(job_id, partner, event):
    job = JOBS.get(job_id)
    # Answer 404 rather than 403 for another partner's job so ids cannot be probed.
    if job is None or job["partnerId"] != partner:
        return error(404, "No such print job")
    try:
        update = json.loads(event.get("body") or "")
    except json.JSONDecodeError:
        return error(400, "Body must be JSON")
    status = update.get("status")
    if status not in ALLOWED_STATUSES:
        return error(400, f"status must be one of {sorted(ALLOWED_STATUSES)}")

    previous = job["status"]
    job["status"] = status
    # Query values arrive as strings; "true" has to be compared, not truth-tested.
    notify = (event.get("queryStringParameters") or {}).get("notifyCustomer") == "true"
    logger.info("Job %s: %s -> %s (notify customer: %s)", job_id, previous, status, notify)
    return {
        "accepted": True,
        "jobId": job_id,
        "orderId": job["orderId"],
        "previousStatus": previous,
        "status": status,
        "customerNotified": notify,
    }


def error(status, message):
    # Errors need the full response shape: the shortcut above can only produce a 200.
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"error": message}),
    }
