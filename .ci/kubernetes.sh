#!/usr/bin/env bash
# CI: validates deploy/kubernetes-indexed-job.yaml against the Kubernetes batch/v1 Job schema.
#
# kubeconform is not in the registries CI reaches; kubernetes-validate (PyPI) ships the
# Kubernetes JSON schemas and checks a manifest offline. --strict rejects unknown fields, so a
# misspelt key fails. .ci/kubernetes_check.py then checks what the schema cannot: enum values
# and that the shard count, scenario and merge command agree.
#
#   bash .ci/kubernetes.sh
set -euo pipefail
cd "$(dirname "$0")/.."

manifest=deploy/kubernetes-indexed-job.yaml
# The schema's Kubernetes version; kubernetes-validate's own version is the newest it ships.
k8s_version=1.37
validator=kubernetes-validate==1.37.0

step="start"
fail() {
    echo "kubernetes CI: FAILED at step '$step': $*" >&2
    exit 1
}
trap 'fail "command failed (line $LINENO, exit $?)"' ERR

venv=$(mktemp -d /tmp/hybridplan-k8s.XXXXXX)
trap 'rm -rf "$venv"' EXIT

step="install $validator into a virtual environment"
python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
"$venv/bin/pip" install -q --disable-pip-version-check "$validator" \
    || fail "pip install $validator failed"

step="validate $manifest against the Kubernetes $k8s_version schema"
"$venv/bin/kubernetes-validate" --strict -k "$k8s_version" "$manifest" \
    || fail "$manifest does not match the batch/v1 Job schema (see above)"

step="check $manifest's values and shard count"
"$venv/bin/python" .ci/kubernetes_check.py "$manifest" \
    || fail "$manifest's values disagree (see above)"
echo "kubernetes CI: ok"
