#!/bin/bash
# Runs `hybridplan run --replications` as a Slurm job array: task K runs shard K of SHARDS and
# writes OUT/replications.shard-K-of-SHARDS.json; a dependent job merges the partial results:
#
#   jobid=$(sbatch --parsable deploy/slurm-array.sh)
#   sbatch --dependency=afterok:$jobid --kill-on-invalid-dep=yes --wrap \
#     "hybridplan merge results/replications.shard-*-of-8.json --out results"
#
# Other settings come from the environment, which sbatch passes to the tasks; the array's range
# must be 1-SHARDS:
#
#   sbatch --parsable --array=1-4 \
#     --export=ALL,SHARDS=4,SCENARIO=scenarios/example-hybrid.toml,REPLICATIONS=40 \
#     deploy/slurm-array.sh
#
# Submit from the repository root (the tasks start in the folder sbatch was run from) on a
# filesystem all nodes share, with hybridplan on the PATH (`cargo install --path .`).
# .ci/slurm.sh runs this on a one-node cluster in CI.
#SBATCH --job-name=hybridplan-replications
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=01:00:00
set -euo pipefail
SHARDS=${SHARDS:-8}
SCENARIO=${SCENARIO:-scenarios/synthetic-growth.toml}
REPLICATIONS=${REPLICATIONS:-10000}
OUT=${OUT:-results}

task=${SLURM_ARRAY_TASK_ID:?"not a Slurm array task: submit with sbatch --array=1-$SHARDS"}
if [ "$task" -lt 1 ] || [ "$task" -gt "$SHARDS" ]; then
    echo "slurm-array.sh: array task $task is outside 1-$SHARDS; submit with --array=1-$SHARDS" >&2
    exit 2
fi

export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-2}
hybridplan run "$SCENARIO" --replications "$REPLICATIONS" \
    --shard "$task/$SHARDS" --out "$OUT" --quiet
