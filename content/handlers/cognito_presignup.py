"""Cognito pre sign-up trigger: auto-confirm staff accounts, block throwaway addresses.

Cognito calls this synchronously during SignUp and waits for the answer. The function must return
the event it received, with changes only in event["response"]. Raising an exception rejects the
sign-up, and the exception message is shown to the user.
"""

import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# Comma-separated so the list can change without a code deploy.
_domains = os.environ.get("AUTO_CONFIRM_DOMAINS", "snapnest.example")
ALLOWED_DOMAINS = {d.strip().lower() for d in _domains.split(",") if d.strip()}
BLOCKED_DOMAINS = {"mailinator.com", "10minutemail.com", "guerrillamail.com"}


def lambda_handler(event, context):
    attributes = event["request"].get("userAttributes", {})
    email = attributes.get("email", "")
    domain = email.rpartition("@")[2].lower()

    if domain in BLOCKED_DOMAINS:
        raise Exception("Please sign up with a permanent email address.")

    # Only plain sign-ups: admin-created users and federated sign-ins use other trigger sources.
    if event.get("triggerSource") == "PreSignUp_SignUp" and domain in ALLOWED_DOMAINS:
        event["response"]["autoConfirmUser"] = True
        # Safe only because we trust who controls this domain; it skips the verification email.
        event["response"]["autoVerifyEmail"] = True
        logger.info("Auto-confirming %s (%s) in %s", event["userName"], domain, event["userPoolId"])
    else:
        logger.info("Normal sign-up for %s (%s): confirmation code required", event["userName"], domain)
    return event
