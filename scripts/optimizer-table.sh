#!/bin/sh
# The README's optimizer table: `hybridplan optimize S --validate` on every shipped scenario
# (scenarios/*.toml and scenarios/worked/*/*.toml, plan files left out), as Markdown: the
# planned and simulated totals of the plan, the best built-in policy that placed every VM (same
# trace and seed), the plan's simulated total over that policy's, and the model's optimality
# gap (planned total against the LP bound). Exits 1 if a run fails.
#
#   scripts/optimizer-table.sh            # from the repository root
set -eu
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| scenario | planned | simulated | best policy | ratio | gap |"
echo "|---|---|---|---|---|---|"
for s in scenarios/*.toml scenarios/worked/*/*.toml; do
    case "$s" in *.plan.toml) continue ;; esac
    name=${s#scenarios/}
    name=${name#worked/}
    name=${name%.toml}
    dir="$out/$(echo "$name" | tr / -)"
    if ! ./target/release/hybridplan optimize "$s" --validate --out "$dir" >"$dir.log" 2>&1; then
        echo "optimize $s failed:" >&2
        cat "$dir.log" >&2
        exit 1
    fi
    python3 - "$name" "$dir/optimize.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
o = json.load(open(path))
v = o["validation"]
placed = [p for p in v["policies"] if p["unplaced_vms"] == 0]
best = min(placed, key=lambda p: p["simulated_total"]) if placed else None
head, _, tail = name.rpartition("/")
if head and head == tail:  # worked/x/x.toml is named x
    name = head
print("| %s | %.2f | %.2f | %s %.2f | %.3f | %.1f %% |" % (
    name, o["planned_total"], v["simulated_total"],
    best["policy"] if best else "none", best["simulated_total"] if best else 0,
    v.get("ratio_to_best_policy") or 0, o["optimality_gap"] * 100))
PY
done
