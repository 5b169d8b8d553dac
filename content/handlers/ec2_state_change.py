"""Log EC2 instance state changes delivered by EventBridge.

The handler function is called on_state_change, not lambda_handler: the handler setting
("ec2_state_change.on_state_change") can name any function in the module.

EC2 emits one event per transition (pending, running, stopping, stopped, shutting-down,
terminated); a rule like {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change
Notification"], "detail": {"state": ["stopped", "terminated"]}} keeps the uninteresting ones out.
"""

import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

ALERT_STATES = {"stopped", "terminated"}


def on_state_change(event, context):
    detail = event["detail"]
    # The detail keys use hyphens, so attribute-style access or ** unpacking will not work.
    instance_id, state = detail["instance-id"], detail["state"]
    alert = state in ALERT_STATES
    log = logger.warning if alert else logger.info
    log(
        "Instance %s in %s is now %s (event %s at %s)",
        instance_id,
        event["region"],
        state,
        event["id"],
        event["time"],
    )
    return {"instanceId": instance_id, "state": state, "alert": alert, "account": event["account"]}
