"""Nightly sales report, run by an EventBridge schedule (cron(0 2 * * ? *), 02:00 UTC).

The date being reported comes from the event's "time" field, not from the clock: if the run is
retried an hour later, or replayed days later, it still reports the same day. The CSV is built in
/tmp (512 MB by default, private to this execution environment); a real job would then upload it
to S3 with boto3.
"""

import csv
import logging
import os
from collections import defaultdict
from datetime import UTC, datetime, timedelta

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

REPORT_BUCKET = os.environ.get("REPORT_BUCKET", "snapnest-reports")

# Stand-in for a query of yesterday's paid orders: (order id, placed at, sku, quantity, unit cents).
SAMPLE_ORDERS = [
    ("ord_8K2M4R2D", "2026-11-24T11:02:17Z", "print-a4-matte", 3, 830),
    ("ord_8K2M4R2D", "2026-11-24T11:02:17Z", "frame-oak-a4", 1, 2490),
    ("ord_8K2M4S0P", "2026-11-24T18:41:08Z", "canvas-30x40", 1, 4990),
    ("ord_8K2M4S0P", "2026-11-24T18:41:08Z", "print-a4-matte", 3, 830),
    ("ord_8K2M4T6C", "2026-11-24T22:15:40Z", "print-a3-gloss", 2, 1450),
    ("ord_8K2M4Q7T", "2026-11-21T16:19:58Z", "print-a4-matte", 2, 830),  # another day: excluded
]


def lambda_handler(event, context):
    if event.get("detail-type") != "Scheduled Event":
        logger.warning("Not a scheduled event (%s); running anyway", event.get("detail-type"))
    if "time" in event:
        fired_at = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    else:  # invoked by hand with a test event that has no time
        fired_at = datetime.now(UTC)
    report_day = (fired_at - timedelta(days=1)).date()
    rule = (event.get("resources") or ["?"])[0]
    logger.info("Rule %s fired at %s; reporting %s", rule, fired_at, report_day)

    revenue_by_sku = defaultdict(int)
    units_by_sku = defaultdict(int)
    orders = set()
    for order_id, placed_at, sku, quantity, unit_cents in SAMPLE_ORDERS:
        if placed_at[:10] != report_day.isoformat():
            continue
        orders.add(order_id)
        units_by_sku[sku] += quantity
        revenue_by_sku[sku] += quantity * unit_cents

    path = f"/tmp/sales-{report_day.isoformat()}.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "units", "revenue_cents"])
        for sku in sorted(revenue_by_sku):
            writer.writerow([sku, units_by_sku[sku], revenue_by_sku[sku]])

    total = sum(revenue_by_sku.values())
    logger.info("%d orders, %d cents; wrote %s (%d bytes)", len(orders), total, path, os.path.getsize(path))
    return {
        "reportDate": report_day.isoformat(),
        "orders": len(orders),
        "revenueCents": total,
        "file": path,
        "wouldUploadTo": f"s3://{REPORT_BUCKET}/daily/{report_day.isoformat()}.csv",
        "remainingMs": context.get_remaining_time_in_millis(),
    }
