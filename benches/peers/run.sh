#!/usr/bin/env bash
# The peer comparison of issue 8, in one run: nabla against SymPy, SymEngine, Symbolica and jax.
# Creates (or reuses) a virtual environment under target/peers-venv, builds nabla's task runner in
# release, runs every task in every tool, writes benches/peers/RESULTS.md (and RESULTS.json, the
# raw measurements) and prints the table. `run.sh --quick` runs only the small sizes (a smoke test).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
venv="$root/target/peers-venv"
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
fi
# Each package on its own: one that does not install is recorded as "not available", not fatal.
for pkg in sympy symengine numpy "jax[cpu]" symbolica; do
    "$venv/bin/pip" install --quiet "$pkg" || echo "warning: could not install $pkg" >&2
done

cargo build --release --example peer_tasks
runner="$root/target/release/examples/peer_tasks"

out="$root/benches/peers/RESULTS.md"
if [ "${1:-}" = "--quick" ]; then
    out="$root/target/peers-quick.md"
fi
"$venv/bin/python" "$root/benches/peers/peers.py" run --nabla "$runner" --out "$out" \
    --rustc "$(rustc --version)" "$@"
