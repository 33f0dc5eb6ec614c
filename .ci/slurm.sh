#!/usr/bin/env bash
# CI: sharded replications on a real Slurm scheduler.
#
# Installs Slurm and MUNGE from Debian's packages if they are missing, starts a private one-node
# cluster (its own munged, slurmctld and slurmd, on free ports, with all state in a temporary
# folder, so a Slurm already installed or running on the machine is left alone), submits
# deploy/slurm-array.sh as a 4-task job array and the merge as a dependent job, as
# deploy/README.md documents, and checks with cmp that the merged replications.json is
# byte-identical to an unsharded run. The daemons it started are stopped on exit.
#
#   bash .ci/slurm.sh [path/to/hybridplan]      (default: $CARGO_TARGET_DIR or target, release/hybridplan)
#
# Environment: SLURM_CI_TIMEOUT (seconds to wait for the jobs, default 300),
# SLURM_CI_REPLICATIONS (default 40), SLURM_CI_SHARDS (default 4).
set -euo pipefail
cd "$(dirname "$0")/.."

timeout_s=${SLURM_CI_TIMEOUT:-300}
replications=${SLURM_CI_REPLICATIONS:-40}
shards=${SLURM_CI_SHARDS:-4}
# example-hybrid is the README's scenario; synthetic-growth is deploy/'s own and the one with
# [uncertainty] parameters, so its replications differ from one another.
scenarios=(scenarios/example-hybrid.toml scenarios/synthetic-growth.toml)

step="start"
tmp=""
pids=()
jobs_submitted=()

say() { echo "slurm CI: $*"; }

# Prints the tail of every log we wrote, to show why a step failed.
dump_logs() {
    [ -n "$tmp" ] || return 0
    local f
    for f in "$tmp"/log/* "$tmp"/out/*; do
        [ -s "$f" ] || continue
        # A daemon's stderr repeats its log file; it matters only if the log was never opened.
        case "$f" in *.stderr) [ -s "${f%.stderr}.log" ] && continue ;; esac
        echo "----- $f (last 40 lines)"
        tail -n 40 "$f"
    done
}

fail() {
    echo "slurm CI: FAILED at step '$step': $*" >&2
    dump_logs >&2
    exit 1
}
trap 'fail "command failed (line $LINENO, exit $?)"' ERR

# Stops, by their process ids, the daemons this script started; cancels our jobs first.
cleanup() {
    local rc=$? pid i
    trap - ERR
    set +e
    if [ ${#jobs_submitted[@]} -gt 0 ] && [ -n "${SLURM_CONF:-}" ]; then
        # Cancel what is still queued or running, and give slurmd 10 s to end the tasks.
        scancel "${jobs_submitted[@]}" >/dev/null 2>&1
        local ids
        ids=$(IFS=,; echo "${jobs_submitted[*]}")
        wait_for 10 jobs_done "$ids"
    fi
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pid=${pids[i]}
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [ -n "$tmp" ]; then
        if [ "$rc" -eq 0 ]; then rm -rf "$tmp"; else echo "slurm CI: files kept in $tmp" >&2; fi
    fi
    exit "$rc"
}
trap cleanup EXIT

# Waits until "$@" succeeds, at most $1 seconds.
wait_for() {
    local limit=$1 start=$SECONDS
    shift
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS - start >= limit)); then return 1; fi
        sleep 0.5
    done
}

# Slurm's clients read SLURM_*, SBATCH_* and SQUEUE_* variables: none from outside may steer ours.
for var in $(compgen -e | grep -E '^(SLURM|SBATCH|SQUEUE|SALLOC|SRUN|SCONTROL)_' || true); do
    unset "$var"
done

# True when none of the jobs "$1" (comma-separated ids) is pending or running.
jobs_done() { [ -z "$(squeue -h -j "$1" -o %i)" ]; }

step="find the hybridplan binary"
bin=${1:-${CARGO_TARGET_DIR:-target}/release/hybridplan}
[ -x "$bin" ] || fail "no executable at $bin (build it with 'cargo build --release' or pass its path)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

step="install Slurm and MUNGE"
need=()
for cmd in slurmctld slurmd sbatch squeue scontrol munged munge unmunge; do
    command -v "$cmd" >/dev/null || need+=("$cmd")
done
if [ ${#need[@]} -gt 0 ]; then
    say "installing slurm-wlm and munge (missing: ${need[*]})"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq -o DPkg::Lock::Timeout=120 \
        || say "warning: apt-get update failed; trying the package lists already here"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=120 slurm-wlm munge >/dev/null \
        || fail "apt-get install slurm-wlm munge failed"
    for cmd in "${need[@]}"; do
        command -v "$cmd" >/dev/null || fail "$cmd is still missing after installing slurm-wlm munge"
    done
fi
say "Slurm $(dpkg-query -W -f '${Version}' slurm-wlm 2>/dev/null || echo '(version unknown)')"

step="prepare the cluster's folder"
tmp=$(mktemp -d /tmp/hybridplan-slurm.XXXXXX)
chmod 700 "$tmp"
mkdir -p "$tmp"/{munge,state,spool,log,out,bin,results}
chmod 700 "$tmp/munge"
ln -s "$bin" "$tmp/bin/hybridplan"
export PATH="$tmp/bin:$PATH"

# Two free TCP ports for slurmctld and slurmd, so a running system Slurm does not clash.
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
[ -n "$slurmd_port" ] || fail "could not find two free TCP ports"

step="start munged"
key="$tmp/munge/munge.key"
dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
chmod 400 "$key"
socket="$tmp/munge/munge.socket"
munged --foreground --force --key-file="$key" --socket="$socket" \
    --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" \
    --log-file="$tmp/log/munged.log" >>"$tmp/log/munged.log" 2>&1 &
pids+=($!)
munge_ok() { munge -n -S "$socket" | unmunge -S "$socket"; }
wait_for 20 munge_ok || fail "munged did not answer on $socket within 20 s"

step="write slurm.conf"
host=$(uname -n | cut -d. -f1)   # the short host name slurmctld and slurmd compare with
# The node's real CPUs, sockets, cores and memory, as slurmd itself detects them.
hw=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]* //')
case "$hw" in *CPUs=*RealMemory=*) ;; *) fail "unexpected 'slurmd -C' output: $hw" ;; esac
cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
export SLURM_CONF="$tmp/slurm.conf"
cat >"$SLURM_CONF" <<EOF
# One-node cluster for hybridplan's CI (.ci/slurm.sh); everything lives in $tmp.
ClusterName=hybridplan-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
# No cgroups: CI may run in a container.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MailProg=/bin/true
# Keep finished jobs in slurmctld long enough to read their states.
MinJobAge=3600
NodeName=ci NodeAddr=127.0.0.1 NodeHostname=$host $hw State=UNKNOWN
PartitionName=ci Nodes=ci Default=YES MaxTime=INFINITE State=UP
EOF

step="start slurmctld"
slurmctld -D -c -f "$SLURM_CONF" >>"$tmp/log/slurmctld.stderr" 2>&1 &
pids+=($!)
wait_for 30 scontrol ping || fail "slurmctld did not answer 'scontrol ping' within 30 s"

step="start slurmd"
slurmd -D -N ci -f "$SLURM_CONF" >>"$tmp/log/slurmd.stderr" 2>&1 &
pids+=($!)
node_idle() { [ "$(sinfo -h -n ci -o %T)" = idle ]; }
wait_for 60 node_idle \
    || fail "node 'ci' is not idle after 60 s: $(sinfo -h -n ci -o '%T %E' 2>&1)"
say "cluster up: node ci ($hw), slurmctld port $ctld_port, slurmd port $slurmd_port"

# deploy/slurm-array.sh asks for 2 CPUs a task; a smaller machine gets what it has.
cpus_per_task=()
if [ "$cpus" -lt 2 ]; then cpus_per_task=(--cpus-per-task="$cpus"); fi

# Reads `scontrol -o show job` lines; prints "<id> <state> <exit code>" for each job.
job_states() {
    awk '{
        id = ""; task = ""; state = ""; code = ""
        for (i = 1; i <= NF; i++) {
            split($i, kv, "=")
            if (kv[1] == "JobId") id = kv[2]
            else if (kv[1] == "ArrayJobId") id = kv[2]
            else if (kv[1] == "ArrayTaskId") task = "_" kv[2]
            else if (kv[1] == "JobState") state = kv[2]
            else if (kv[1] == "ExitCode") code = kv[2]
        }
        print id task " " state " " code
    }'
}

for scenario in "${scenarios[@]}"; do
    name=$(basename "$scenario" .toml)
    results="$tmp/results/$name"

    step="$name: unsharded run"
    hybridplan run "$scenario" --replications "$replications" --out "$results/unsharded" --quiet

    step="$name: submit deploy/slurm-array.sh"
    array=$(sbatch --parsable --array=1-"$shards" "${cpus_per_task[@]}" \
        "--export=ALL,SHARDS=$shards,SCENARIO=$scenario,REPLICATIONS=$replications,OUT=$results/sharded" \
        --output="$tmp/out/$name-%A_%a.out" deploy/slurm-array.sh)
    jobs_submitted+=("$array")
    merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
        --job-name=hybridplan-merge --output="$tmp/out/$name-merge-%j.out" \
        --wrap "hybridplan merge '$results/sharded'/replications.shard-*-of-$shards.json --out '$results/sharded'")
    jobs_submitted+=("$merge")
    say "$name: array job $array ($shards tasks), merge job $merge"

    step="$name: wait for the jobs"
    if ! wait_for "$timeout_s" jobs_done "$array,$merge"; then
        squeue -j "$array,$merge" >&2 || true
        fail "jobs $array and $merge still queued or running after $timeout_s s"
    fi

    step="$name: check the jobs' states"
    # One line per job: "<array job>_<task> <state> <exit code>", or "<job> ..." for the merge.
    states=$(scontrol -o show job "$array"; scontrol -o show job "$merge")
    states=$(job_states <<<"$states")
    completed=$(grep -c ' COMPLETED ' <<<"$states" || true)
    if [ "$completed" -ne $((shards + 1)) ]; then
        fail "$completed of $shards array tasks and the merge completed: $(tr '\n' ';' <<<"$states")"
    fi
    say "$name: $shards array tasks and the merge completed"

    step="$name: compare the merged result with the unsharded run"
    for k in $(seq 1 "$shards"); do
        [ -s "$results/sharded/replications.shard-$k-of-$shards.json" ] \
            || fail "shard $k's partial result is missing"
    done
    [ -s "$results/sharded/replications.json" ] || fail "the merge wrote no replications.json"
    cmp "$results/unsharded/replications.json" "$results/sharded/replications.json" \
        || fail "merged replications.json differs from the unsharded run"
    say "$name: merged $shards shards of $replications replications: byte-identical to the unsharded run"
done

step="done"
say "ok"
