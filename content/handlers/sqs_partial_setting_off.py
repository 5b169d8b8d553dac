"""A correct partial batch response that the event source mapping ignores.

The handler reports the message that failed in batchItemFailures, exactly as the docs show.
But Lambda reads that list only when the mapping has ReportBatchItemFailures turned on
(FunctionResponseTypes). Here it is off: Lambda sees a successful invoke, deletes the whole
batch, and the failed order is gone for good, with no retry and no dead-letter queue.

Run it through the SQS caller, read the timeline, then tick "Report batch item failures".
"""

import json


def lambda_handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            if order.get("fail"):
                raise ValueError("the order asked to fail")
            print(f"order {order.get('orderId')} printed")
        except ValueError as error:  # bad JSON too (json.JSONDecodeError is a ValueError)
            print(f"message {record['messageId']} failed ({error}): reporting it")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
