from tests.sandbox.conftest import engine  # noqa: F401  (the sandbox engine fixture)
