"""Merge new, verified event rows into `data/events.csv`, keeping the file in date order.

Why a tool: several people add rows at once (a batch of fact checks each); hand-editing one CSV
in parallel loses rows. This takes a CSV with the same header, refuses duplicate ids or a wrong
header, inserts every row in date order under a file lock, refreshes the checksums and then
loads the record with the project's own validator, so a bad row is reported with its line.

    python tools/add_events.py my_new_rows.csv
"""

from __future__ import annotations

import csv
import fcntl
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "data" / "events.csv"


def main(paths: list[str]) -> int:
    with open(EVENTS, "rb") as lock:  # locking the file itself: nothing extra in data/
        fcntl.flock(lock, fcntl.LOCK_EX)
        with EVENTS.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            header = list(reader.fieldnames or [])
            rows = list(reader)
        known = {r["event_id"] for r in rows}
        added = 0
        for path in paths:
            with open(path, encoding="utf-8", newline="") as f:
                reader = csv.DictReader(f)
                if list(reader.fieldnames or []) != header:
                    expected = ", ".join(header)
                    print(f"{path}: header differs from events.csv: {expected}", file=sys.stderr)
                    return 2
                for line, row in enumerate(reader, start=2):
                    if row["event_id"] in known:
                        print(f"{path}, line {line}: {row['event_id']} already exists; skipped")
                        continue
                    known.add(row["event_id"])
                    rows.append(row)
                    added += 1
        rows.sort(key=lambda r: (r["date"], r["event_id"]))
        with EVENTS.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        python = sys.executable
        subprocess.run([python, str(ROOT / "tools" / "refresh_checksums.py")], check=True)
    check = subprocess.run(
        [python, "-c", "import lessons; print(len(lessons.load_events()), 'events load cleanly')"],
        capture_output=True,
        text=True,
    )
    print(f"added {added} rows; {check.stdout.strip() or check.stderr.strip()[-2000:]}")
    return check.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
