#!/bin/sh
# The README's optimizer table: `hybridplan optimize S --validate` on every shipped scenario
# (scenarios/*.toml and scenarios/worked/*/*.toml, plan files left out), as Markdown: the
# planned and simulated totals of the plan, the best built-in policy that placed every VM (same
# trace and seed), the plan's simulated total over that policy's, and the model's optimality
# gap (planned total against the LP bound). Needs jq. Exits 1 if a run fails.
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
    jq -r '
        (.validation.policies | map(select(.unplaced_vms == 0)) | min_by(.simulated_total)) as $best
        | [.planned_total, .validation.simulated_total,
           ($best.policy // "none"), ($best.simulated_total // 0),
           (.validation.ratio_to_best_policy // 0), .optimality_gap * 100] | @tsv
    ' "$dir/optimize.json" | {
        IFS="$(printf '\t')" read -r planned simulated policy best ratio gap
        case "$name" in "${name%/*}/${name%/*}") name=${name%/*} ;; esac
        printf '| %s | %.2f | %.2f | %s %.2f | %.3f | %.1f %% |\n' \
            "$name" "$planned" "$simulated" "$policy" "$best" "$ratio" "$gap"
    }
done
