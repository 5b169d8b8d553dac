"""Process queued print orders, but stop before the timeout instead of being cut off.

context.get_remaining_time_in_millis() says how long the invocation has left. Before starting each
item the handler checks that an item's worth of time plus a safety margin is still available; if
not, it stops and hands the unstarted messages back to SQS as batch item failures, so they are
retried later instead of being lost to a timeout (which would fail the whole batch).

With the 3 s default timeout and ~0.9 s per item, two of the three sample messages fit.
"""

import json
import logging
import os
import time

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

ITEM_COST_MS = 900  # expected time for one item, rounded up
SAFETY_MARGIN_MS = 500  # room to log and return after the last item


def lambda_handler(event, context):
    records = event.get("Records", [])
    done, failed = [], []
    for index, record in enumerate(records):
        remaining = context.get_remaining_time_in_millis()
        if remaining < ITEM_COST_MS + SAFETY_MARGIN_MS:
            left = [r["messageId"] for r in records[index:]]
            logger.warning(
                "Only %d ms left; returning %d unstarted message(s) to the queue", remaining, len(left)
            )
            failed.extend(left)
            break
        try:
            render_print_file(record)
            done.append(record["messageId"])
        except ValueError as exc:
            logger.error("Message %s failed: %s", record["messageId"], exc)
            failed.append(record["messageId"])

    logger.info(
        "Processed %d, returning %d; %d ms to spare",
        len(done),
        len(failed),
        context.get_remaining_time_in_millis(),
    )
    # Only this list matters to SQS (with ReportBatchItemFailures enabled on the trigger).
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def render_print_file(record):
    order = json.loads(record["body"])  # raises ValueError (JSONDecodeError) on a bad body
    logger.info("Rendering %s for order %s", order.get("product"), order.get("orderId"))
    time.sleep(ITEM_COST_MS / 1000 * 0.95)  # stands in for the real work
