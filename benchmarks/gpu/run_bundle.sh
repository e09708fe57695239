#!/usr/bin/env bash
# Build and run the GeNN projects of a bundle made by benchmarks/gpu/make_bundle.py.
#
#   bash run.sh [--cpu] [--genn DIR] OUTDIR
#
# Needs only bash, make, a C++ compiler and, for the default CUDA backend, nvcc (CUDA_PATH, or
# the directory above nvcc on the PATH). --cpu: GeNN's single-threaded CPU backend (projects/cpu).
# --genn DIR: use an already built GeNN tree instead of building the bundle's copy from source.
# Works in a scratch copy (WORK, default a new temporary directory), so the bundle stays clean:
#   1. GeNN's libraries (libgenn + the backend) from the bundle's patched copy, with make -j JOBS;
#   2. every project, in parallel (JOBS, default nproc): genn-buildmodel.sh [-c] -s c++17, make;
#   3. every project, one after another: ./main test DURATION;
# and writes OUTDIR/timings.tsv (seconds per phase), OUTDIR/run.log and OUTDIR/genn_results.tar.gz
# (per project: params.json, timings and Brian2GeNN's results/; read it with
# neurodyn.genn.compare_bundle_results). Exit status 1 if any project failed.
set -euo pipefail

BUNDLE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BACKEND=cuda
GENN=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --cpu) BACKEND=cpu; shift ;;
        --genn) GENN=$(cd "$2" && pwd); shift 2 ;;
        -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[[ $# -eq 1 ]] || { echo "usage: bash run.sh [--cpu] [--genn DIR] OUTDIR" >&2; exit 2; }
mkdir -p "$1"
OUTDIR=$(cd "$1" && pwd)
JOBS=${JOBS:-$(nproc)}
WORK=${WORK:-$(mktemp -d /tmp/neurodyn-genn-run.XXXXXX)}
LOG="$OUTDIR/run.log"
: > "$LOG"
say() { echo "$*" | tee -a "$LOG"; }
DURATION=$(sed -n 's/.*"duration_s": *\([0-9.eE+-]*\).*/\1/p' "$BUNDLE/manifest.json")

if [[ $BACKEND == cuda ]]; then
    BUILD_FLAGS=()
    BACKEND_DIR=cuda
    if [[ -z "${CUDA_PATH:-}" ]]; then
        NVCC=$(command -v nvcc) || { echo "run.sh: no nvcc on the PATH and CUDA_PATH unset (use --cpu without a GPU)" >&2; exit 2; }
        CUDA_PATH=$(dirname "$(dirname "$(readlink -f "$NVCC")")")
    fi
    export CUDA_PATH
    export PATH="$CUDA_PATH/bin:$PATH"
    # GeNN links -lcuda; where the driver ships only libcuda.so.1, the toolkit's stub links instead
    export LIBRARY_PATH="${LIBRARY_PATH:+$LIBRARY_PATH:}$CUDA_PATH/lib64:$CUDA_PATH/lib64/stubs"
    export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$CUDA_PATH/lib64"
    say "CUDA_PATH=$CUDA_PATH; $(nvcc --version | tail -1)"
    command -v nvidia-smi > /dev/null && say "$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
else
    BUILD_FLAGS=(-c)
    BACKEND_DIR=single_threaded_cpu
fi
say "backend $BACKEND, jobs $JOBS, work $WORK, duration ${DURATION} s, $(${CXX:-c++} --version | head -1)"

elapsed() { echo "$(( $(date +%s%N) - $1 ))" | awk '{printf "%.2f", $1 / 1e9}'; }
printf "project\tphase\tseconds\tstatus\n" > "$OUTDIR/timings.tsv"
record() { printf "%s\t%s\t%s\t%s\n" "$1" "$2" "$3" "$4" >> "$OUTDIR/timings.tsv"; }

if [[ -z "$GENN" ]]; then
    cp -r "$BUNDLE/genn" "$WORK/genn"
    GENN="$WORK/genn"
    mkdir -p "$GENN/lib"
    start=$(date +%s%N)
    if make -j "$JOBS" -C "$GENN/src/genn/genn" >> "$LOG" 2>&1 && \
       make -j "$JOBS" -C "$GENN/src/genn/backends/$BACKEND_DIR" >> "$LOG" 2>&1; then
        record genn libraries "$(elapsed "$start")" ok
    else
        record genn libraries "$(elapsed "$start")" failed
        say "building GeNN's libraries failed (see $LOG)"; exit 1
    fi
    say "GeNN libraries built in $(elapsed "$start") s"
fi
export GENN_PATH="$GENN"

mkdir -p "$WORK/projects"
PROJECTS=()
for source in "$BUNDLE"/projects/"$BACKEND"/*/; do
    name=$(basename "$source")
    cp -r "$source" "$WORK/projects/$name"
    PROJECTS+=("$name")
done

build() {  # one project: GeNN's code generation + compilation, then the Brian2GeNN runner
    local dir="$WORK/projects/$1" start
    start=$(date +%s%N)
    if (cd "$dir" && "$GENN/bin/genn-buildmodel.sh" "${BUILD_FLAGS[@]}" -s c++17 -i "$dir:$dir/brianlib/randomkit" \
            magicnetwork_model.cpp && make) > "$dir/build.log" 2>&1; then
        echo "$(elapsed "$start") ok" > "$dir/build.status"
    else
        echo "$(elapsed "$start") failed" > "$dir/build.status"
    fi
}

start=$(date +%s%N)
running=0
for name in "${PROJECTS[@]}"; do
    build "$name" &
    running=$((running + 1))
    if [[ $running -ge $JOBS ]]; then wait -n || true; running=$((running - 1)); fi
done
wait
say "built ${#PROJECTS[@]} projects in $(elapsed "$start") s"

failed=0
for name in "${PROJECTS[@]}"; do
    dir="$WORK/projects/$name"
    read -r seconds status < "$dir/build.status"
    record "$name" build "$seconds" "$status"
    if [[ $status != ok ]]; then
        failed=1; say "$name: build failed; last lines of its log:"; tail -20 "$dir/build.log" | tee -a "$LOG"; continue
    fi
    start=$(date +%s%N)
    if (cd "$dir" && ./main test "$DURATION") > "$dir/run.log" 2>&1; then
        record "$name" run "$(elapsed "$start")" ok
        record "$name" loop "$(awk '{print $1}' "$dir/results/last_run_info.txt")" ok
        say "$name: built in $seconds s, ran in $(elapsed "$start") s"
    else
        record "$name" run "$(elapsed "$start")" failed
        failed=1; say "$name: run failed"; tail -20 "$dir/run.log" | tee -a "$LOG"
    fi
done

cp "$OUTDIR/timings.tsv" "$WORK/projects/timings.tsv"
(cd "$WORK/projects" && tar czf "$OUTDIR/genn_results.tar.gz" timings.tsv \
    $(for name in "${PROJECTS[@]}"; do [[ -d $name/results ]] && echo "$name/params.json $name/results $name/build.log $name/run.log"; done))
say "wrote $OUTDIR/genn_results.tar.gz ($(du -h "$OUTDIR/genn_results.tar.gz" | cut -f1)); failed=$failed"
exit $failed
