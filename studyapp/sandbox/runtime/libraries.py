"""Where the sandbox's libraries live: on the host (`make sandbox-libs` fills both folders) and
inside an environment.

The handler sees only what Lambda's Python runtime ships (boto3, botocore and their
dependencies, and the runtime client's simplejson), where Lambda keeps it. The AWS emulator's
libraries (moto and everything it pulls in: requests, werkzeug, cryptography, ...) are bound
where no import of the handler looks, for the emulator's process alone, so `import requests`
fails as it does on Lambda.
"""

import sys

RUNTIME_PACKAGES = "runtime"  # below the libraries folder (SANDBOX_LIBRARIES_DIR)
EMULATOR_PACKAGES = "emulator"
EMULATOR_PACKAGES_INSIDE = "/var/runtime/emulator"


def runtime_packages_inside(minor: str) -> str:
    """Where Lambda's Python runtime keeps boto3 and friends, for a runtime such as "3.12"."""
    return f"/var/lang/lib/python{minor}/site-packages"


RUNTIME_PACKAGES_INSIDE = runtime_packages_inside(f"{sys.version_info.major}.{sys.version_info.minor}")


def library_binds(libraries, minor: str) -> tuple:
    """(host folder, folder inside) pairs for an environment of the runtime `minor`."""
    return (
        (libraries / RUNTIME_PACKAGES, runtime_packages_inside(minor)),
        (libraries / EMULATOR_PACKAGES, EMULATOR_PACKAGES_INSIDE),
    )


# The top-level modules the runtime's libraries add to the standard library
# (sandbox-runtime-requirements.txt, with the source: Lambda's Python page, "Runtime-included SDK
# versions", checked 2026-12-04). Lambda's own runtime client (awslambdaric) is not among them:
# the sandbox runs a runtime of its own.
RUNTIME_MODULES = frozenset(
    {"boto3", "botocore", "dateutil", "jmespath", "s3transfer", "six", "urllib3", "simplejson"}
)
