"""A job that does not fit in its timeout, to see what a Lambda timeout looks like.

Meant to run with a 3-second timeout: the simulated work needs about 10 seconds, so Lambda stops
it after 3 s and logs "Task timed out after 3.00 seconds". No exception is raised inside the
function, no finally block or cleanup code runs, and whatever was half done stays half done.
Raise the timeout to 15 s and the same code completes.
"""

import logging
import os
import time

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

STEP_S = 0.5
STEPS = 20  # 20 x 0.5 s = 10 s of "work"


def lambda_handler(event, context):
    for step in range(1, STEPS + 1):
        # The remaining time drops towards zero; nothing stops the code when it gets there except
        # Lambda itself. See remaining_time.py for a handler that watches this value and stops early.
        logger.info("step %d/%d, %d ms remaining", step, STEPS, context.get_remaining_time_in_millis())
        time.sleep(STEP_S)
    logger.info("finished all %d steps", STEPS)
    return {"steps": STEPS, "finished": True}
