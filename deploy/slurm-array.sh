#!/bin/bash
# Runs `hybridplan run --replications` as a Slurm job array: task i runs shard i of N; a
# dependent job merges the partial results:
#
#   jobid=$(sbatch --parsable deploy/slurm-array.sh)
#   sbatch --dependency=afterok:$jobid --wrap \
#     "hybridplan merge results/replications.shard-*-of-8.json --out results"
#
# Run from the repository root on a shared filesystem, with hybridplan on the PATH
# (`cargo install --path .`).
#SBATCH --job-name=hybridplan-replications
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=01:00:00
set -euo pipefail
export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-2}
hybridplan run scenarios/synthetic-growth.toml --replications 10000 \
  --shard "${SLURM_ARRAY_TASK_ID}/8" --out results --quiet
