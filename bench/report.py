"""Print bench/run.sh's results as a Markdown table, each page as a ratio to the bare view.

Each page's best of run.sh's rounds counts. Two bare views are measured: a guest's, the
yardstick of every ratio, and a signed-in person's (the same view with a session cookie:
Django reads the session and the user before any view runs). A signed-in page's ratio to
the latter is printed too: what the page costs beyond what any signed-in request costs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

results = Path(sys.argv[1])
runs = [json.loads(line) for line in (results / "pages.jsonl").read_text().splitlines()]


def rate(page: dict) -> float:
    return page["result"]["requests"] / page["result"]["seconds"]


# Each page's best round (run.sh runs every page, the bare views too, in each round): noise on
# a shared machine only ever slows a run down. In the order the pages were first run.
best: dict[str, dict] = {}
for run in runs:
    if run["page"] not in best or rate(run) > rate(best[run["page"]]):
        best[run["page"]] = run
pages = list(best.values())
rounds = max(run.get("round", 1) for run in runs)


bare = rate(pages[0])
signed_in_bare = next((rate(p) for p in pages if p.get("signed_in")), None)
print(f"Each page's best of {rounds} rounds.\n")
print("| page | req/s | ratio to bare | to signed-in bare | p50 ms | p95 ms | p99 ms | errors |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for page in pages:
    r = page["result"]
    rps = rate(page)
    mine = f"{rps / signed_in_bare:.2f}" if page.get("signed_in") and signed_in_bare else ""
    print(
        f"| {page['page']} | {rps:.0f} | {rps / bare:.2f} | {mine} | {r['p50']:.1f} "
        f"| {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} |"
    )
if not (results / "journey.json").exists():  # BENCH_JOURNEY_SECONDS=0
    sys.exit()
journey = json.loads((results / "journey.json").read_text())
print(
    f"\nMixed journey, 50 people: {journey['requests']} requests in {journey['seconds']:.0f} s, "
    f"p50 {journey['p50']:.1f} ms, p95 {journey['p95']:.1f} ms, p99 {journey['p99']:.1f} ms, "
    f"{journey['errors']} errors ({journey.get('timeouts', 0)} timeouts, "
    f"{journey.get('status_errors', 0)} answers other than 2xx or 3xx)."
)
