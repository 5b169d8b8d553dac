"""An S3-triggered function that writes its output back into the bucket that triggers it.

Each upload makes a "processed" copy. The copy lands in the same bucket, under a key the
trigger also watches, so S3 notifies the function again, which makes a copy of the copy, and
so on: an infinite loop that costs an invocation (and a PUT) each round. Lambda's recursive
loop detection stops the chain after 16 invocations and tells you; with RecursiveLoop set to
Allow nothing stops it.

Run it through the S3 caller and read the timeline. Then fix it: write to another bucket, or
give the trigger a prefix (uploads/) and write the output under another one (processed/).
"""

from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")


def lambda_handler(event, context):
    record = event["Records"][0]["s3"]
    bucket, key = record["bucket"]["name"], unquote_plus(record["object"]["key"])
    output = "processed/" + key.rsplit("/", 1)[-1]  # the bug: same bucket, watched by the trigger
    s3.put_object(Bucket=bucket, Key=output, Body=b"thumbnail bytes")
    print(f"{key} -> {output}")
    return {"wrote": output}
