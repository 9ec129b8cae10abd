#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 30 s each; FUZZ_SECONDS=… to change), on the
# committed corpora, and fails on the first crash. Needs cargo-fuzz (`cargo install cargo-fuzz`);
# on a stable toolchain RUSTC_BOOTSTRAP=1 lets it use the nightly-only flags it needs.
# The new inputs it finds go to fuzz/corpus/<target>/ (minimise with `cargo fuzz cmin <target>`
# before committing).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-30}"
export RUSTC_BOOTSTRAP=1
targets=(parse lower simplify diff check roundtrip)
cargo fuzz build -O
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    echo "fuzz: $t for ${seconds}s"
    cargo fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=4096 -timeout=20 \
        -print_final_stats=1 2>&1 | grep -E "stat::number_of_executed_units|ERROR|SUMMARY|panicked|Done" || true
    # cargo fuzz exits non-zero on a crash; grep above hides the status, so look for artifacts.
    if compgen -G "artifacts/$t/crash-*" > /dev/null || compgen -G "artifacts/$t/timeout-*" > /dev/null \
        || compgen -G "artifacts/$t/oom-*" > /dev/null; then
        echo "fuzz: $t found a failing input:"; ls "artifacts/$t"
        exit 1
    fi
done
echo "fuzz: no crash"
