"""Read the object an S3 event announces, with boto3, and report its size and checksum.

In the sandbox, tick "Seed resources": the bucket and object named in the event are created in
the environment's in-memory AWS first. Keys arrive URL-encoded (spaces as '+'), so they are
decoded before use, or GetObject finds nothing.
"""

import hashlib
import logging
from urllib.parse import unquote_plus

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)
s3 = boto3.client("s3")  # created once per environment, reused while it is warm


def lambda_handler(event, context):
    results = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        logger.info("read s3://%s/%s (%d bytes)", bucket, key, len(body))
        results.append({"bucket": bucket, "key": key, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()})
    return {"objects": results}
