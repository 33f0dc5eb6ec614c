"""What the Kubernetes schema cannot say about deploy/kubernetes-indexed-job.yaml.

kubernetes-validate (run first by .ci/kubernetes.sh) checks the manifest against the batch/v1
Job JSON schema: field names, types, required fields. The schema has no enums and knows nothing
of hybridplan, so this checks the rest: the values the API server accepts for a Job, and that
the shard count, the scenario and the merge command agree with one another and the repository.

    python3 .ci/kubernetes_check.py deploy/kubernetes-indexed-job.yaml
"""

import re
import subprocess
import sys
from pathlib import Path

import yaml


def kubernetes_expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' expansion of a container's command and args: `$$` is `$`, `$(NAME)` is the
    container's variable NAME, and any other `$(...)` stays as written."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("$(", i) and text.find(")", i) != -1:
            end = text.find(")", i)
            out.append(env.get(text[i + 2 : end], text[i : end + 1]))
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def shard_arguments(container: dict, index: int) -> str:
    """The --shard value pod `index` passes: the command as Kubernetes expands it, run by
    /bin/sh with JOB_COMPLETION_INDEX set, and a hybridplan that prints its arguments."""
    env = {"JOB_COMPLETION_INDEX": str(index)}
    argv = [kubernetes_expand(a, env) for a in container["command"] + container["args"]]
    if argv[:2] != ["/bin/sh", "-c"] or len(argv) != 3:
        raise ValueError(f"command is {argv!r}; expected /bin/sh -c SCRIPT")
    script = 'hybridplan() { echo "$@"; }\n' + argv[2]
    printed = subprocess.run(
        ["/bin/sh", "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"--shard (\S+)", printed)
    return found.group(1) if found else ""


def problems(path: Path, repo: Path) -> list[str]:
    text = path.read_text()
    job = yaml.safe_load(text)
    spec = job["spec"]
    pod = spec["template"]["spec"]
    out = []
    # The API server's rules for a Job (the schema states them only in prose).
    if spec.get("completionMode") != "Indexed":
        out.append(
            f"spec.completionMode is {spec.get('completionMode')!r}; expected 'Indexed' "
            "(JOB_COMPLETION_INDEX is set only for Indexed Jobs)"
        )
    if pod.get("restartPolicy") not in ("Never", "OnFailure"):
        out.append(
            f"spec.template.spec.restartPolicy is {pod.get('restartPolicy')!r}; "
            "a Job accepts 'Never' or 'OnFailure'"
        )
    shards = spec.get("completions")
    if not isinstance(shards, int) or shards < 1:
        return out + [f"spec.completions is {shards!r}; expected the shard count, 1 or more"]
    for container in pod["containers"]:
        where = f"container {container['name']!r}"
        line = " ".join(container.get("command", []) + container.get("args", []))
        shard = re.search(r"--shard .*?/(\d+)", line)
        if not shard:
            out.append(f"{where}: no '--shard K/N' in its command")
        elif int(shard.group(1)) != shards:
            out.append(
                f"{where}: runs shards of {shard.group(1)} but spec.completions is {shards}"
            )
        else:
            for index in range(shards):
                got = shard_arguments(container, index)
                if got != f"{index + 1}/{shards}":
                    out.append(
                        f"{where}: pod {index} runs --shard {got!r}; expected {index + 1}/{shards}"
                    )
        scenario = re.search(r"hybridplan run (\S+)", line)
        if not scenario:
            out.append(f"{where}: no 'hybridplan run SCENARIO' in its command")
        elif not (repo / scenario.group(1)).is_file():
            out.append(f"{where}: scenario {scenario.group(1)} is not in the repository")
    merge = re.search(r"hybridplan merge \S+-of-(\d+)\.json", text)
    if not merge:
        out.append("the comment shows no 'hybridplan merge ...-of-N.json' command")
    elif int(merge.group(1)) != shards:
        out.append(f"the merge command reads shards of {merge.group(1)}, not {shards}")
    return out


def main() -> int:
    path = Path(sys.argv[1])
    repo = Path(__file__).resolve().parent.parent
    found = problems(path, repo)
    for problem in found:
        print(f"{path}: {problem}", file=sys.stderr)
    if found:
        return 1
    print(f"{path}: Indexed Job, restart policy, shard count, scenario and merge agree; pods 0..N-1 run shards 1..N")
    return 0


if __name__ == "__main__":
    sys.exit(main())
