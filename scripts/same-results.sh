#!/usr/bin/env bash
# Proves that a change which should not change results did not: runs a fixed set of short training runs on the
# CPU backend (every algorithm of every family, on each task it learns) and keeps every logged number except
# wall-clock times. Run it before and after the change and compare:
#
#   scripts/same-results.sh /tmp/before            # on the old commit (builds target/release/bpfree)
#   scripts/same-results.sh /tmp/after             # on the new one
#   diff -r /tmp/before /tmp/after && echo "bit-identical"
#
# BPFREE_BIN=path/to/bpfree skips the build and runs that binary instead. About 4 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:?usage: scripts/same-results.sh OUT_DIR}"
mkdir -p "$out"
bin="${BPFREE_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --bin bpfree >&2
  bin=target/release/bpfree
fi

runs=(
  "plane-backprop    --algo backprop --dataset moons --epochs 5"
  "plane-ccl         --algo ccl --dataset spiral --epochs 5"
  "plane-fa          --algo feedback-alignment --dataset circles --epochs 5"
  "mlp-backprop      --algo backprop --dataset mnist --epochs 1 --limit 2000"
  "mlp-ccl           --algo ccl --dataset mnist --epochs 1 --limit 2000"
  "mlp-fa            --algo feedback-alignment --dataset mnist --epochs 1 --limit 2000"
  "cnn-backprop      --algo backprop --dataset cifar10-subset --model cnn --epochs 1 --limit 256"
  "cnn-ccl           --algo ccl --dataset cifar10-subset --model cnn --epochs 1 --limit 256"
  "ae-backprop       --algo backprop --dataset mnist --model autoencoder --epochs 1 --limit 256"
  "ae-ccl            --algo ccl --dataset mnist --model autoencoder --epochs 1 --limit 256"
  "noprop-backprop   --algo backprop --dataset mnist --model noprop --width 0.25 --epochs 1 --limit 1000"
  "noprop-dt         --algo noprop-dt --dataset mnist --width 0.25 --epochs 1 --limit 1000 --embedding prototype"
  "noprop-ct         --algo noprop-ct --dataset mnist --width 0.25 --epochs 1 --limit 1000 --inference-steps 10"
  "noprop-fm         --algo noprop-fm --dataset mnist --width 0.25 --epochs 1 --limit 1000 --inference-steps 10 --embedding learned"
  "node-backprop     --algo backprop --dataset cora --layers 2 --epochs 20"
  "node-sf           --algo forwardgnn-sf --dataset cora --layers 2 --epochs 20"
  "node-sf-top-input --algo forwardgnn-sf-top-input --dataset cora --layers 2 --epochs 20 --model sage"
  "node-sf-top-loss  --algo forwardgnn-sf-top-loss --dataset cora --layers 2 --epochs 20 --model gat"
  "node-ff-la        --algo forwardgnn-ff-la --dataset cora --layers 2 --epochs 20"
  "node-ff-vn        --algo forwardgnn-ff-vn --dataset karate --layers 2 --epochs 20"
  "link-backprop     --algo backprop --dataset cora --task link --layers 2 --epochs 20"
  "link-ce           --algo forwardgnn-lp-ce --dataset cora --layers 2 --epochs 20"
  "link-ff           --algo forwardgnn-lp-ff --dataset cora --layers 2 --epochs 20"
  "link-ce-top-input --algo forwardgnn-lp-ce-top-input --dataset cora --layers 2 --epochs 20"
)

# Every number but the wall-clock ones.
strip='import json, sys
for line in sys.stdin:
    try:
        o = json.loads(line)
    except ValueError:
        print(line, end=""); continue
    def drop(v):
        if isinstance(v, dict):
            return {k: drop(x) for k, x in v.items() if not (k == "seconds" or k.startswith("seconds_") or k.endswith("_seconds"))}
        if isinstance(v, list):
            return [drop(x) for x in v]
        return v
    print(json.dumps(drop(o), sort_keys=True))'

"$bin" list > "$out/list.jsonl"
for r in "${runs[@]}"; do
  read -r name args <<<"$r"
  printf '%-18s' "$name" >&2
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$bin" train $args --seed 3 --backend cpu | python3 -c "$strip" > "$out/$name.jsonl"
  echo " $(( $(date +%s) - start )) s" >&2
done
echo "wrote $(ls "$out" | wc -l) files to $out" >&2
