"""Write an audit line for every object removed from the photo bucket (ObjectRemoved events).

Users can delete their photos, and support needs to answer "who removed this, and when?".
Each deletion becomes one JSON line in the function's log, where a metric filter or
Logs Insights query can find it later. No AWS calls are needed: the event already says what
was removed, by whom and from where.
"""

import json
from urllib.parse import unquote_plus

# What each ObjectRemoved variant means for the audit trail.
KINDS = {
    "ObjectRemoved:Delete": "deleted",  # gone for good (unversioned bucket, or a version id was given)
    "ObjectRemoved:DeleteMarkerCreated": "hidden",  # versioned bucket: a delete marker now hides it
    "LifecycleExpiration:Delete": "expired",
    "LifecycleExpiration:DeleteMarkerCreated": "expired-hidden",
}


def lambda_handler(event, context):
    entries = []
    for record in event.get("Records", []):
        name = record.get("eventName", "")
        if not name.startswith(("ObjectRemoved:", "LifecycleExpiration:")):
            continue  # tolerate a trigger configured with more event types than we need
        obj = record["s3"]["object"]
        entry = {
            "audit": "s3-object-removed",
            "kind": KINDS.get(name, name),
            "bucket": record["s3"]["bucket"]["name"],
            "key": unquote_plus(obj["key"]),
            "versionId": obj.get("versionId"),
            "at": record["eventTime"],
            "by": record.get("userIdentity", {}).get("principalId"),
            "sourceIp": record.get("requestParameters", {}).get("sourceIPAddress"),
            # S3 may deliver events late or twice; the sequencer orders events for the same key,
            # and the request id lets support match the S3 server access log.
            "sequencer": obj.get("sequencer"),
            "s3RequestId": record.get("responseElements", {}).get("x-amz-request-id"),
            "lambdaRequestId": context.aws_request_id,
        }
        # print() writes one line to CloudWatch Logs; JSON keeps it queryable field by field.
        print(json.dumps(entry))
        entries.append(entry)
    return {"audited": len(entries), "entries": entries}
