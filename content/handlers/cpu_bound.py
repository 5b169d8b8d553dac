"""A CPU-bound handler, for the memory and cost tuner: the same fixed amount of work every time.

Lambda allots CPU in proportion to memory (1,769 MB is one full vCPU), so this handler's
duration falls as memory rises, until one thread has a whole core; above that, extra memory
only costs more. Duration times memory is what you pay for: where the line flattens, the
cheapest setting is usually the smallest one that still runs fast.
"""

import hashlib


def lambda_handler(event, context):
    rounds = int(event.get("rounds", 100000))
    digest = b"coldstart"
    for _ in range(rounds):  # hashing in a loop: pure CPU, no I/O and little memory
        digest = hashlib.sha256(digest).digest()
    return {"rounds": rounds, "digest": digest.hex()[:16]}
