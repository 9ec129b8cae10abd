#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 30 s each; FUZZ_SECONDS=… to change), on the
# committed corpora, and fails on the first crash, timeout or out-of-memory input. Needs
# cargo-fuzz (`cargo install cargo-fuzz --locked`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets
# it use the nightly-only flags it needs.
#
# All targets are built once, in one `cargo fuzz build` (they share the instrumented `nabla`):
# release with overflow checks (`-O -a`: an overflowing size is a bug to find, not to wrap), no
# AddressSanitizer (`-s none`: nabla is safe Rust, and the sanitizer roughly doubles both the
# build and every execution; FUZZ_SANITIZER=address to use it) and 16 codegen units (cargo-fuzz
# defaults to 1, which leaves a core idle while `nabla` compiles).
#
# New inputs go to fuzz/corpus/<target>/ (minimise with `cargo fuzz cmin` before committing),
# or, with FUZZ_NEW_INPUTS=DIR, to DIR/<target>/ and the committed corpora are only read (CI).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-30}"
export RUSTC_BOOTSTRAP=1
flags=(-O -a -s "${FUZZ_SANITIZER:-none}" --codegen-units 16)
targets=(parse lower simplify diff check roundtrip)
cargo fuzz build "${flags[@]}"
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    dirs=("corpus/$t")
    if [ -n "${FUZZ_NEW_INPUTS:-}" ]; then
        mkdir -p "$FUZZ_NEW_INPUTS/$t"
        dirs=("$FUZZ_NEW_INPUTS/$t" "corpus/$t")
    fi
    log="target/fuzz-$t.log"
    echo "fuzz: $t for ${seconds}s"
    status=0
    cargo fuzz run "${flags[@]}" "$t" "${dirs[@]}" -- \
        -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=4096 -timeout=20 \
        -print_final_stats=1 > "$log" 2>&1 || status=$?
    grep -E "stat::number_of_executed_units|ERROR|SUMMARY|panicked|Done" "$log" || true
    # A crash, timeout or out-of-memory input leaves an artifact and a non-zero status.
    if [ "$status" -ne 0 ] || compgen -G "artifacts/$t/crash-*" > /dev/null \
        || compgen -G "artifacts/$t/timeout-*" > /dev/null \
        || compgen -G "artifacts/$t/oom-*" > /dev/null; then
        echo "fuzz: $t failed (status $status):"
        tail -n 40 "$log"
        ls "artifacts/$t" 2> /dev/null || true
        exit 1
    fi
done
echo "fuzz: no crash"
