"""Plan thumbnails for photos uploaded to S3 (ObjectCreated events).

A real version would download the original with boto3, resize it and upload the result; this one
stops at working out *what* it would do, so it runs without AWS access. The parts that trip people
up are all here: URL-encoded keys, skipping non-images, and not re-triggering itself.
"""

import logging
import os
from pathlib import PurePosixPath
from urllib.parse import unquote_plus

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

THUMB_PREFIX = os.environ.get("THUMBNAIL_PREFIX", "thumbnails/")
THUMB_SIZE = int(os.environ.get("THUMBNAIL_SIZE", "256"))
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".gif"}
MAX_SOURCE_BYTES = 50 * 1024 * 1024  # bigger files would not fit comfortably in 128 MB of memory


def lambda_handler(event, context):
    processed, skipped = [], []
    # S3 normally sends one record per event, but the format is a list, so loop anyway.
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        # Keys arrive URL-encoded with spaces as "+": "Harbour+at+dusk+%282%29.JPG".
        key = unquote_plus(record["s3"]["object"]["key"])
        size = record["s3"]["object"].get("size", 0)

        reason = skip_reason(key, size)
        if reason:
            logger.info("Skipping s3://%s/%s: %s", bucket, key, reason)
            skipped.append({"key": key, "reason": reason})
            continue

        thumb_key = thumbnail_key(key)
        logger.info(
            "Would resize s3://%s/%s (%d bytes) to %dpx -> %s", bucket, key, size, THUMB_SIZE, thumb_key
        )
        processed.append({"bucket": bucket, "source": key, "thumbnail": thumb_key, "sourceBytes": size})

    return {
        "processed": len(processed),
        "skipped": len(skipped),
        "thumbnails": processed,
        "skippedKeys": skipped,
    }


def skip_reason(key, size):
    # Writing thumbnails into the watched bucket would invoke this function again for each one.
    # The trigger's prefix filter should prevent that; this check is the second line of defence.
    if key.startswith(THUMB_PREFIX):
        return "already a thumbnail"
    if PurePosixPath(key).suffix.lower() not in IMAGE_EXTENSIONS:
        return "not an image"
    if size > MAX_SOURCE_BYTES:
        return f"too large ({size} bytes)"
    return None


def thumbnail_key(key):
    path = PurePosixPath(key)
    # Drop the top-level folder ("originals/") but keep user/year/month, so two users'
    # "IMG_0001.jpg" never map to the same thumbnail.
    folders = path.parent.parts[1:]
    return THUMB_PREFIX + "/".join([*folders, f"{path.stem}-{THUMB_SIZE}.jpg"])
