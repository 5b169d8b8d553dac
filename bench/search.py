"""Search against a topic page on the same server, one run; the index's build time; and the same
searches on ten times the content.

Targets: search p50 <= 2x the topic page p50; index build < 300 ms; searching 10x synthetic
content <= 2x the time on today's content.
"""

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

from bench.common import PRODUCTION_ENV, ROOT, print_table, production_server, summary, timed_ms  # noqa: E402

REQUESTS = 300
TOPIC = "/topics/execution-environment-lifecycle/"
QUERIES = [
    case["query"] for case in yaml.safe_load((ROOT / "tests/topics/search_relevance.yaml").read_text())
]
BUILD_CODE = """
import json, time, django
django.setup()
from studyapp.content.topics import catalog
from studyapp.content.questions import bank
started = time.perf_counter()
topics = catalog(); [topic.html for topic in topics.topics.values()]; bank()
content_ms = (time.perf_counter() - started) * 1000
from studyapp.topics.search import TopicSearch
index = TopicSearch(topics)
print(json.dumps({"content_ms": content_ms, "index_ms": index.build_seconds * 1000,
                  "sections": len(index.sections)}))
"""
SCALE_CODE = """
import dataclasses, json, statistics, sys, time, django
django.setup()
from studyapp.content.topics import Catalog, catalog
from studyapp.topics.search import TopicSearch
queries = json.loads(sys.stdin.read())
real = catalog()
copies = {}
for copy in range(10):
    for slug, topic in real.topics.items():
        name = slug if copy == 0 else f"{slug}-copy-{copy}"
        copies[name] = dataclasses.replace(topic, slug=name)
timings = {}
for label, topics in (("1x", real), ("10x", Catalog(topics=copies, problems=()))):
    index = TopicSearch(topics)
    for query in queries:  # warm
        index._search(query)
    runs = []
    for _ in range(3):  # the engine's work: _search, not the recent-results cache
        started = time.perf_counter()
        for query in queries:
            index._search(query)
        runs.append((time.perf_counter() - started) * 1000 / len(queries))
    timings[label] = {"ms": min(runs), "sections": len(index.sections)}
print(json.dumps(timings))
"""


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def run_python(code: str, stdin: str = "") -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=PRODUCTION_ENV,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> list[tuple]:
    with production_server() as base:
        search_urls = [base + "/search/?" + urllib.parse.urlencode({"q": q}) for q in QUERIES]
        fetch(base + "/search/?q=warm+up")  # builds the index
        for _ in range(20):
            fetch(base + TOPIC)
        # Each query once (nothing remembered yet), each after a topic page fetched at that
        # moment: the two see the same machine load.
        first_ms, first_page_ms = [], []
        for url in search_urls:
            first_page_ms.append(timed_ms(lambda: fetch(base + TOPIC)))
            first_ms.append(timed_ms(lambda url=url: fetch(url)))
        page_ms, search_ms = [], []
        for number in range(REQUESTS):  # interleaved, so both see the same machine load
            page_ms.append(timed_ms(lambda: fetch(base + TOPIC)))
            url = search_urls[number % len(search_urls)]
            search_ms.append(timed_ms(lambda url=url: fetch(url)))
    page_p50, page_p95 = summary(page_ms)
    search_p50, search_p95 = summary(search_ms)
    first_p50, first_p95 = summary(first_ms)
    first_page_p50, first_page_p95 = summary(first_page_ms)
    build = run_python(BUILD_CODE)
    scale = run_python(SCALE_CODE, json.dumps(QUERIES))
    ratio = search_p50 / page_p50
    scale_ratio = scale["10x"]["ms"] / scale["1x"]["ms"]
    print_table(
        f"Search vs topic page, same server ({REQUESTS} requests each, {len(QUERIES)} queries, one run)",
        [
            (f"topic page {TOPIC}", f"{page_p50:.2f}", f"{page_p95:.2f}"),
            ("search, each query the first time", f"{first_p50:.2f}", f"{first_p95:.2f}"),
            ("topic page, fetched before each of those", f"{first_page_p50:.2f}", f"{first_page_p95:.2f}"),
            ("search, the set cycled (queries repeat)", f"{search_p50:.2f}", f"{search_p95:.2f}"),
            (
                "ratio search (first time)/page",
                f"{first_p50 / first_page_p50:.2f}x",
                f"{first_p95 / first_page_p95:.2f}x",
            ),
            ("ratio search (cycled)/page", f"{ratio:.2f}x", f"{search_p95 / page_p95:.2f}x"),
        ],
        ("what", "p50 ms", "p95 ms"),
    )
    print_table(
        "Index build and scale (in process)",
        [
            ("content load + render (shared with the pages)", f"{build['content_ms']:.0f} ms", ""),
            (
                f"index build ({build['sections']} sections, questions, limits)",
                f"{build['index_ms']:.0f} ms",
                "",
            ),
            (
                f"search, today's content ({scale['1x']['sections']} sections)",
                f"{scale['1x']['ms']:.2f} ms",
                "",
            ),
            (
                f"search, 10x content ({scale['10x']['sections']} sections)",
                f"{scale['10x']['ms']:.2f} ms",
                f"{scale_ratio:.2f}x",
            ),
        ],
        ("what", "time", "ratio"),
    )
    return [
        ("search p50 / topic page p50 (queries repeat)", f"{ratio:.2f}x", "<= 2x", ratio <= 2),
        (
            "search p50, first time / topic page p50",
            f"{first_p50 / first_page_p50:.2f}x",
            "<= 2x",
            first_p50 <= 2 * first_page_p50,
        ),
        ("search index build", f"{build['index_ms']:.0f} ms", "< 300 ms", build["index_ms"] < 300),
        ("search on 10x content / today's", f"{scale_ratio:.2f}x", "<= 2x", scale_ratio <= 2),
    ]


if __name__ == "__main__":
    main()
