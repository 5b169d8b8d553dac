"""Topic page vs a static file of similar size, same server, one run; plus content load time.

Target: topic page p50 <= 3x the static file's p50; all content loaded in < 300 ms.
"""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PRODUCTION_ENV, ROOT, print_table, production_server, summary, timed_ms  # noqa: E402

REQUESTS = 400
TOPIC = "/topics/execution-environment-lifecycle/"
LOAD_CODE = """
import json, time, django
django.setup()
from studyapp.content.topics import catalog
from studyapp.content.limits import limit_sheet
from studyapp.content.pricing import price_list
started = time.perf_counter()
catalog(); limit_sheet(); price_list()
print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "topics": len(catalog().topics)}))
"""


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def closest_static_file(base: str, size: int) -> str:
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"]
    candidates = [
        (abs((ROOT / "staticfiles" / hashed).stat().st_size - size), hashed)
        for name, hashed in manifest.items()
        if name.endswith((".css", ".js"))
    ]
    return "/static/" + min(candidates)[1]


def content_load_ms() -> tuple[float, int]:
    env = dict(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "-c", LOAD_CODE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return data["ms"], data["topics"]


def main() -> list[tuple]:
    """Runs the benchmark, prints its tables, returns summary rows (measure, value, target, ok)."""
    with production_server() as base:
        page_size = len(fetch(base + TOPIC))
        static_path = closest_static_file(base, page_size)
        static_size = len(fetch(base + static_path))
        for _ in range(30):  # warm both paths
            fetch(base + TOPIC)
            fetch(base + static_path)
        page_ms, static_ms = [], []
        for _ in range(REQUESTS):  # interleaved, so both see the same machine load
            page_ms.append(timed_ms(lambda: fetch(base + TOPIC)))
            static_ms.append(timed_ms(lambda: fetch(base + static_path)))
    page_p50, page_p95 = summary(page_ms)
    static_p50, static_p95 = summary(static_ms)
    load_ms, topic_count = content_load_ms()
    print_table(
        f"Topic page vs static file through WhiteNoise ({REQUESTS} requests each, one run)",
        [
            (f"topic page {TOPIC}", f"{page_size:,} B", f"{page_p50:.2f}", f"{page_p95:.2f}"),
            (f"static file {static_path}", f"{static_size:,} B", f"{static_p50:.2f}", f"{static_p95:.2f}"),
            ("ratio page/static", "", f"{page_p50 / static_p50:.2f}x", f"{page_p95 / static_p95:.2f}x"),
        ],
        ("what", "size", "p50 ms", "p95 ms"),
    )
    print(f"\nTarget: page p50 <= 3x static p50 -> {'OK' if page_p50 <= 3 * static_p50 else 'MISSED'}")
    print(
        f"Content load at startup ({topic_count} topics + limits + pricing): {load_ms:.1f} ms "
        f"(target < 300 ms) -> {'OK' if load_ms < 300 else 'MISSED'}"
    )
    return [
        (
            "topic page p50 / static file p50",
            f"{page_p50 / static_p50:.2f}x",
            "<= 3x",
            page_p50 <= 3 * static_p50,
        ),
        ("content load at startup", f"{load_ms:.1f} ms", "< 300 ms", load_ms < 300),
    ]


if __name__ == "__main__":
    main()
