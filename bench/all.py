"""Every benchmark of the project in one run: prints one summary table and writes it, with the
detailed tables, to bench/RESULTS.md."""

import contextlib
import datetime as dt
import io
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (  # noqa: E402
    quiz,
    sandbox,
    sandbox_coldstart,
    sandbox_cpu,
    sandbox_hosts,
    sandbox_service,
    search,
    topic_page,
)

RESULTS = Path(__file__).with_name("RESULTS.md")


def main() -> None:
    rows, details = [], []
    for module in (
        topic_page,
        search,
        sandbox,
        sandbox_coldstart,
        sandbox_cpu,
        sandbox_service,
        sandbox_hosts,
        quiz,
    ):
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            rows += module.main()
        print(captured.getvalue())
        details.append(captured.getvalue().strip())
    table = ["| measure | value | target | |", "|---|---|---|---|"]
    table += [
        f"| {name} | {value} | {target} | {'OK' if ok else 'MISSED'} |" for name, value, target, ok in rows
    ]
    print("\nAll benchmarks, one run\n" + "\n".join(table))
    RESULTS.write_text(
        f"# Benchmark results\n\nOne run of `make bench` on {dt.date.today()}, "
        f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}.\n\n"
        + "\n".join(table)
        + "\n\n## Details\n\n```\n"
        + "\n\n".join(details)
        + "\n```\n"
    )
    print(
        f"\nWritten to {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}"
    )


if __name__ == "__main__":
    main()
