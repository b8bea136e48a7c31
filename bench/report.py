"""Print bench/run.sh's results as a Markdown table, each page as a ratio to the bare view."""

from __future__ import annotations

import json
import sys
from pathlib import Path

results = Path(sys.argv[1])
pages = [json.loads(line) for line in (results / "pages.jsonl").read_text().splitlines()]
bare = pages[0]["result"]["requests"] / pages[0]["result"]["seconds"]
print("| page | req/s | ratio to bare | p50 ms | p95 ms | p99 ms | errors |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for page in pages:
    r = page["result"]
    rps = r["requests"] / r["seconds"]
    print(
        f"| {page['page']} | {rps:.0f} | {rps / bare:.2f} | {r['p50']:.1f} | {r['p95']:.1f} "
        f"| {r['p99']:.1f} | {r['errors']} |"
    )
journey = json.loads((results / "journey.json").read_text())
print(
    f"\nMixed journey, 50 people: {journey['requests']} requests in {journey['seconds']:.0f} s, "
    f"p50 {journey['p50']:.1f} ms, p95 {journey['p95']:.1f} ms, p99 {journey['p99']:.1f} ms, "
    f"{journey['errors']} errors ({journey.get('timeouts', 0)} timeouts, "
    f"{journey.get('status_errors', 0)} answers other than 2xx or 3xx)."
)
