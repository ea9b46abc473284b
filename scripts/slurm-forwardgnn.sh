#!/usr/bin/env bash
# One task of a Slurm job array: runs line $SLURM_ARRAY_TASK_ID of a `bpfree repro forwardgnn --jobs` list and
# saves its stdout for `--merge` (docs/scale-out.md):
#   bpfree repro forwardgnn --jobs > jobs.txt
#   sbatch --array=1-$(wc -l < jobs.txt) scripts/slurm-forwardgnn.sh jobs.txt out
#   bpfree repro forwardgnn --merge out/job-*.jsonl --markdown      # once every task has finished
# Run it from the repository's root (the data is read from www/data unless BPFREE_DATA names another folder),
# with `bpfree` on PATH (e.g. PATH=$PWD/target/release:$PATH after `cargo build --release`).
#SBATCH --job-name=bpfree-forwardgnn
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=12:00:00
#SBATCH --output=slurm-%A_%a.log
set -euo pipefail
jobs="${1:?usage: sbatch --array=1-N scripts/slurm-forwardgnn.sh JOBS_FILE [OUT_DIR]}"
out="${2:-out}"
task="${SLURM_ARRAY_TASK_ID:?not a Slurm array task (SLURM_ARRAY_TASK_ID is not set)}"
line=$(sed -n "${task}p" "$jobs")
case "$line" in
  "bpfree repro forwardgnn "*) ;;
  *) echo "line $task of $jobs is not a 'bpfree repro forwardgnn' job: '$line'" >&2; exit 1 ;;
esac
mkdir -p "$out"
# shellcheck disable=SC2086 # the line is a plain list of words (no quotes, no expansions)
$line > "$out/job-$task.jsonl.part"
mv "$out/job-$task.jsonl.part" "$out/job-$task.jsonl"   # a task that failed leaves no output for --merge
