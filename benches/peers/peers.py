#!/usr/bin/env python3
"""The peer comparison of issue 8: the same tasks in nabla, SymPy, SymEngine, Symbolica and jax.

    python peers.py run --nabla PATH [--out RESULTS.md] [--quick]
    python peers.py worker TOOL TASK SIZE REPEATS      (one measurement, prints one JSON line)

`run` starts one worker process per (tool, task, size) with a hard time limit, so a slow or
crashing tool costs one cell, never the run; a tool whose cell takes more than SKIP_AFTER_S
seconds is not run at the larger sizes of that task ("skipped"). Every result is evaluated at the
same point (Weyl sequences: frac(k·α), computed with the same float operations as nabla's task
runner) and compared with nabla's to 1e-9 relative; expansions are compared by their number of
terms and their exact value at a rational point. See README.md for the columns.
"""

import json
import math
import os
import platform
import subprocess
import sys
import time
from fractions import Fraction

from tools import TOOLS, worker

SKIP_AFTER_S = 10.0  # larger sizes of a task are skipped once a tool took this long
REPEATS = 11  # repeats per cell, for every tool (a median of several, not a cold first run)
# Tasks of tens of microseconds: a median of 11 moved by a third between runs on a shared
# machine, enough to flip the comparison with SymEngine; more repeats (same for every tool).
REPEATS_FOR = {"grad_composition": 101}
HARD_LIMIT_S = 45.0  # a worker is killed after this long: "timeout"
REL_TOL = 1e-9

# task -> (sizes, tools that can do it)
SYMBOLIC = ["sympy", "symengine", "symbolica"]
TASKS = [
    ("grad_rosenbrock", ["10", "100", "1000", "10000"], SYMBOLIC),
    ("hess_rosenbrock", ["10", "100", "300", "1000"], SYMBOLIC),
    ("grad_composition", ["10", "50", "200"], SYMBOLIC),
    ("expand", ["5,10", "10,6", "10,10"], SYMBOLIC),
    ("matrix_grad_quadratic", ["symbolic"], ["sympy", "symengine", "symbolica"]),
    ("matrix_hess_least_squares", ["symbolic"], ["sympy", "symengine", "symbolica"]),
    ("eval_rosenbrock_grad", ["1000,10000"], ["jax", "symengine"]),
]
DESCRIPTIONS = {
    "grad_rosenbrock": "∇ Rosenbrock, n",
    "hess_rosenbrock": "∇² Rosenbrock (full n×n), n",
    "grad_composition": "d/dx deep sin/cos/exp/log/√ composition, depth",
    "expand": "expand (x₁+…+x_k)^p, k,p",
    "matrix_grad_quadratic": "∇ₓ xᵀAx (A: n×n, n symbolic)",
    "matrix_hess_least_squares": "∇ₓ² ½‖Ax − b‖² (A: m×n, symbolic)",
    "eval_rosenbrock_grad": "evaluate ∇ Rosenbrock at 10,000 points, n = 1000",
}
SCALING = [("grad_rosenbrock", [10, 100, 1000, 3000, 10000, 30000, 100000, 300000, 1000000,
                                 2000000, 3000000]),
           ("hess_rosenbrock", [10, 100, 300, 1000, 2000, 3000, 5000, 10000])]
QUICK_SIZES = {"grad_rosenbrock": ["10", "100"], "hess_rosenbrock": ["10"],
               "grad_composition": ["10"], "expand": ["5,10"],
               "eval_rosenbrock_grad": ["100,100"]}


# ---------------------------------------------------------------- the driver

def run_one(cmd, limit=HARD_LIMIT_S):
    start = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired as e:
        partial = e.output.decode() if isinstance(e.output, bytes) else (e.output or "")
        lines = [ln for ln in partial.splitlines() if ln.startswith("{")]
        if lines:  # timed, but the check did not finish
            out = json.loads(lines[-1])
            out["notes"] = ["numeric check did not finish within %g s" % limit]
            return out
        return {"timeout": limit}
    wall = time.perf_counter() - start
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        err = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": "exit %d: %s" % (p.returncode, err[:300]), "wall_s": wall}
    try:
        out = json.loads(lines[-1])
    except json.JSONDecodeError as e:
        return {"error": "bad JSON: %s" % e}
    out["wall_s"] = wall
    return out


def drive(nabla, quick):
    here = os.path.abspath(__file__)
    results = {}  # (task, size, tool) -> dict
    for task, sizes, peers in TASKS:
        if quick:
            sizes = QUICK_SIZES.get(task, sizes)
        slow = set()
        for size in sizes:
            reps = "1" if task == "eval_rosenbrock_grad" else str(REPEATS_FOR.get(task, REPEATS))
            for tool in ["nabla"] + peers:
                if tool in slow:
                    results[(task, size, tool)] = {"skipped": True}
                    continue
                if tool == "nabla":
                    cmd = [nabla, task, size, reps]
                else:
                    cmd = [sys.executable, here, "worker", tool, task, size, reps]
                log("%-26s %-10s %-10s" % (task, size, tool))
                r = run_one(cmd)
                results[(task, size, tool)] = r
                log("   -> %s" % short(r))
                t = r.get("median_s")
                if "timeout" in r or (t is not None and t > SKIP_AFTER_S):
                    slow.add(tool)
    scaling = {}
    for task, sizes in SCALING:
        if quick:
            sizes = sizes[:3]
        for n in sizes:
            log("scaling %-18s %d" % (task, n))
            r = run_one([nabla, task, str(n), str(REPEATS), "--no-check"], limit=90)
            scaling[(task, n)] = r
            log("   -> %s" % short(r))
            if "median_s" not in r or r["median_s"] > 10.0:
                break
    return results, scaling


def short(r):
    if "median_s" in r:
        return "%s  nodes=%s" % (fmt_time(r["median_s"]), r.get("nodes"))
    return {k: v for k, v in r.items() if k in ("error", "timeout", "unsupported", "skipped")}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def fmt_time(t):
    if t is None:
        return "—"
    if t >= 1:
        return "%.2f s" % t
    if t >= 1e-3:
        return "%.3g ms" % (t * 1e3)
    return "%.3g µs" % (t * 1e6)


def fmt_ratio(x):
    if x >= 100:
        return "%.0f×" % x
    return "%.3g×" % x if x >= 0.01 else "1/%.0f×" % (1 / x)


def close(a, b, scale):
    return abs(a - b) <= REL_TOL * max(scale, 1e-300)


def compare(ref, other, task):
    """None when they agree, else a short description of the difference."""
    if ref is None or other is None:
        return "no fingerprint"
    if task == "expand":
        if ref["terms"] != other["terms"]:
            return "terms %s vs %s" % (other["terms"], ref["terms"])
        if ref.get("value") and other.get("value") and \
                Fraction(ref["value"]["exact"]) != Fraction(other["value"]["exact"]):
            return "value %s vs %s" % (other["value"]["exact"], ref["value"]["exact"])
        return None
    if ref["entries"] != other["entries"]:
        return "%d entries vs %d" % (other["entries"], ref["entries"])
    scale = max(ref["abs_checksum"], other["abs_checksum"])
    bad = []
    if not close(ref["checksum"], other["checksum"], scale):
        bad.append("checksum rel. diff %.1e" % (abs(ref["checksum"] - other["checksum"]) / scale))
    if not close(ref["abs_checksum"], other["abs_checksum"], scale):
        bad.append("|checksum| rel. diff %.1e"
                   % (abs(ref["abs_checksum"] - other["abs_checksum"]) / scale))
    if ref["nnz"] != other["nnz"]:
        bad.append("non-zeros %d vs %d" % (other["nnz"], ref["nnz"]))
    if "points_evaluated" in ref and "per_point_sum" in other:
        k = ref["points_evaluated"]
        s = sum(other["per_point_sum"][:k])
        a = sum(other["per_point_abs"][:k])
        if not close(ref["total_sum"], s, max(a, ref["total_abs_sum"])):
            bad.append("sum over %d points rel. diff %.1e" % (k, abs(ref["total_sum"] - s) / a))
    return "; ".join(bad) or None


def cell(r):
    if r is None:
        return "—"
    if r.get("skipped"):
        return "skipped (slower than %g s at a smaller size)" % SKIP_AFTER_S
    if "timeout" in r:
        return "timeout (> %g s)" % r["timeout"]
    if "unsupported" in r:
        return "not supported"
    if "error" in r:
        return "error: " + r["error"].replace("|", "/")[:120]
    return fmt_time(r["median_s"])


def versions():
    vs = {}
    for name, cls in TOOLS.items():
        try:
            vs[name] = cls().version
        except Exception as e:  # noqa: BLE001
            vs[name] = "not available (%s: %s)" % (type(e).__name__, str(e)[:200])
    return vs


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = "%.0f GB" % (int(f.readline().split()[1]) / 1e6)
    except (OSError, ValueError, IndexError):
        pass
    return "%s, %d cores, %s RAM, %s, Python %s" % (
        cpu, os.cpu_count() or 0, mem, platform.platform(), platform.python_version())


def render(results, scaling, vs, rustc):
    tools = ["sympy", "symengine", "symbolica", "jax"]
    label = {"sympy": "SymPy", "symengine": "SymEngine", "symbolica": "Symbolica", "jax": "jax"}
    out = []
    out.append("# Peer comparison — results\n")
    out.append("Generated by `benches/peers/run.sh` on %s UTC." % time.strftime(
        "%Y-%m-%d %H:%M", time.gmtime()))
    out.append("\n- machine: %s" % machine())
    out.append("- nabla 0.1.0 (`examples/peer_tasks.rs`, release build; %s)" % rustc)
    for t in tools:
        out.append("- %s: %s" % (label[t], vs.get(t)))
    out.append("\nMedian wall time of the operation alone (inputs built beforehand), medians of up "
               "to %d repeats (101 for the composition, 100× for the matrix tasks; fewer once they took 10 s), the same for "
               "every tool" % REPEATS + ", one process per cell. "
               "`peer/nabla` > 1 means nabla is faster; `nabla/peer` is its inverse. "
               "Check: every result evaluated at the same point and compared with nabla's "
               "(relative 1e-9; expansions: number of terms and exact value at a rational "
               "point).\n")
    out.append("| task | size | nabla | SymPy | SymEngine | Symbolica | fastest peer | "
               "peer/nabla | nabla/peer | nodes: nabla (input) / SymPy / SymEngine | check |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    mismatches = []
    targets = {}
    for task, _, peers in TASKS:
        sizes = []
        for (t, size, _) in results:
            if t == task and size not in sizes:
                sizes.append(size)
        for size in sizes:
            nb = results.get((task, size, "nabla"))
            row = [DESCRIPTIONS[task], size, cell(nb)]
            peer_cols = ["sympy", "symengine", "symbolica"]
            if task == "eval_rosenbrock_grad":
                row[2] += " (compiled)" if nb and "median_s" in nb else ""
            for t in peer_cols:
                if t in peers:
                    row.append(cell(results.get((task, size, t))))
                else:
                    row.append("n/a")
            if task == "eval_rosenbrock_grad":
                row[3] = "n/a"
                jr = results.get((task, size, "jax"))
                row[5] = "n/a; **jax.jit: %s**" % cell(jr)
            timed_peers = [(results[(task, size, t)]["median_s"], t) for t in peers
                           if "median_s" in results.get((task, size, t), {})]
            if timed_peers and nb and "median_s" in nb:
                best, who = min(timed_peers)
                row += ["%s (%s)" % (label[who], fmt_time(best)),
                        fmt_ratio(best / nb["median_s"]), fmt_ratio(nb["median_s"] / best)]
                targets[(task, size)] = (best, who, nb["median_s"])
            else:
                row += ["—", "—", "—"]
            sizes_cell = "%s (%s)" % (nb.get("nodes"), nb.get("input_nodes") or "—") if nb else "—"
            for t in ["sympy", "symengine"]:
                r = results.get((task, size, t), {})
                sizes_cell += " / %s" % (r.get("nodes") or "—" if "median_s" in r else "—")
            row.append(sizes_cell)
            checks = []
            ref = nb.get("fingerprint") if nb else None
            for t in peers:
                r = results.get((task, size, t), {})
                if "median_s" not in r:
                    continue
                d = compare(ref, r.get("fingerprint"), task)
                if d:
                    checks.append("**MISMATCH %s: %s**" % (label[t], d))
                    mismatches.append((task, size, t, d))
                else:
                    checks.append("%s ✓" % label[t])
            row.append(", ".join(checks) or "—")
            out.append("| " + " | ".join(str(c) for c in row) + " |")
    if mismatches:
        out.append("\n**%d MISMATCH(ES)** — see the check column." % len(mismatches))
    else:
        out.append("\nAll results that were computed agree with nabla's.")
    notes = []
    for (task, size, tool), r in sorted(results.items()):
        for n in r.get("notes") or []:
            if not n.startswith("result:"):
                notes.append("- %s %s, %s: %s" % (task, size, tool, n))
        if "error" in r:
            notes.append("- %s %s, %s: error: %s" % (task, size, tool, r["error"]))
        if "unsupported" in r:
            notes.append("- %s %s, %s: %s" % (task, size, tool, r["unsupported"]))
    for task in ("matrix_grad_quadratic", "matrix_hess_least_squares"):
        for tool in ("nabla", "sympy"):
            r = results.get((task, "symbolic", tool), {})
            if "result" in r:
                extra = ""
                if "parse_median_s" in r:
                    extra = "; reading the text (parse, lower, shapes) %s more" % fmt_time(
                        r["parse_median_s"])
                notes.append("- %s, %s result: `%s`%s" % (task, tool, r["result"], extra))
    if notes:
        out.append("\nNotes:\n")
        out.extend(notes)
    out.append("\n## Issue 8 targets, as measured in this run\n")
    out.extend(target_lines(results, targets, scaling))
    out.append("\n## Scaling of nabla (deliverable 4)\n")
    out.append("One process per size, median of up to %d repeats (fewer once they took 10 s)" % REPEATS + ", "
               "no numeric check; memory is the process's "
               "peak resident set (`VmHWM`, input construction included). Growth = fitted "
               "exponent log(t₂/t₁)/log(n₂/n₁) between successive sizes (1 = linear, 2 = quadratic). "
               "Sizes stop after the first one over 10 s, which is shown.\n")
    out.append("| task | n | time | peak memory | result nodes | growth (time) | growth (memory) |")
    out.append("|---|---|---|---|---|---|---|")
    for task, sizes in SCALING:
        prev = None
        for n in sizes:
            r = scaling.get((task, n))
            if r is None:
                break
            if "median_s" not in r:
                out.append("| %s | %d | %s | | | | |" % (task, n, cell(r)))
                break
            t, m = r["median_s"], r.get("vmhwm_kb") or 0
            gt = gm = ""
            if prev:
                pn, pt, pm = prev
                gt = "n^%.2f" % (math.log(t / pt) / math.log(n / pn)) if t > 0 and pt > 0 else ""
                gm = "n^%.2f" % (math.log(m / pm) / math.log(n / pn)) if m > 0 and pm > 0 else ""
            over = " (over 10 s)" if t > 10 else ""
            out.append("| %s | %d | %s%s | %.1f MB | %s | %s | %s |" % (
                task, n, fmt_time(t), over, m / 1024, r.get("nodes"), gt, gm))
            prev = (n, t, m)
    for task, _ in SCALING:
        within = scaling_points(scaling, task, "median_s")
        mem = scaling_points(scaling, task, "vmhwm_kb")
        if len(within) >= 2 and len(mem) >= 2:
            out.append("\n%s, fitted over n = %d … %d (the sizes within 10 s): time ∝ n^%.2f, "
                       "peak memory ∝ n^%.2f." % (task, within[0][0], within[-1][0],
                                                 fitted_exponent(within), fitted_exponent(mem)))
        every = scaling_points(scaling, task, "median_s", over_10_s=True)
        if len(every) > len(within) >= 2:
            out.append(" With the first size over 10 s (n = %d): time ∝ n^%.2f." % (
                every[-1][0], fitted_exponent(every)))
    return "\n".join(out) + "\n"


def scaling_points(scaling, task, field, over_10_s=False):
    """(n, value) of a task's scaling rows from n = 1000 on: the sizes that ran within 10 s, and
    with `over_10_s` also the first one over (the table shows it; it is not within the table's
    range, "up to the largest size that fits in 10 s")."""
    return [(n, r[field]) for (t, n), r in sorted(scaling.items())
            if t == task and r.get(field) and n >= 1000 and "median_s" in r
            and (over_10_s or r["median_s"] <= 10.0)]


def fitted_exponent(points):
    """The slope of the least-squares line through (log n, log t)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def target_lines(results, targets, scaling):
    lines = []

    def verdict(ok):
        return "**met**" if ok else "**not met**"

    g = targets.get(("grad_rosenbrock", "1000"))
    if g:
        best, who, nb = g
        lines.append("- ∇ Rosenbrock n = 1000 ≥ 50× faster than the fastest peer: %s× (%s) — %s"
                     % ("%.3g" % (best / nb), who, verdict(best / nb >= 50)))
    pts = scaling_points(scaling, "grad_rosenbrock", "median_s")
    if len(pts) >= 2:
        e = fitted_exponent(pts)
        every = scaling_points(scaling, "grad_rosenbrock", "median_s", over_10_s=True)
        beyond = ""
        if len(every) > len(pts):
            beyond = "; with the first size over 10 s, n = %d, %.2f" % (
                every[-1][0], fitted_exponent(every))
        lines.append("- ∇ Rosenbrock time linear in n: exponent %.2f (least-squares fit of log t "
                     "against log n over n = %d … %d, the sizes within 10 s%s; counted as linear "
                     "up to 1.10) — %s" % (e, pts[0][0], pts[-1][0], beyond, verdict(e <= 1.10)))
    h = targets.get(("hess_rosenbrock", "300"))
    if h:
        best, who, nb = h
        lines.append("- ∇² Rosenbrock n = 300 ≥ 20× faster than the fastest peer: %.3g× (%s) — %s"
                     % (best / nb, who, verdict(best / nb >= 20)))
    for size in ("10", "50", "200"):
        nb = results.get(("grad_composition", size, "nabla"), {})
        se = results.get(("grad_composition", size, "symengine"), {})
        if "median_s" in nb and "median_s" in se:
            dag = nb["nodes"] / nb["input_nodes"] if nb.get("input_nodes") else float("nan")
            lines.append("- composition depth %s no slower than SymEngine: %s vs %s — %s; result "
                         "DAG %.2f× the input's (≤ 3×) — %s" % (
                             size, fmt_time(nb["median_s"]), fmt_time(se["median_s"]),
                             verdict(nb["median_s"] <= se["median_s"]), dag, verdict(dag <= 3)))
    for task in ("matrix_grad_quadratic", "matrix_hess_least_squares"):
        nb = results.get((task, "symbolic", "nabla"), {})
        if "median_s" in nb:
            lines.append("- %s under 0.1 ms: %s (differentiation), %s with reading the text — %s"
                         % (task, fmt_time(nb["median_s"]),
                            fmt_time(nb["median_s"] + nb.get("parse_median_s", 0)),
                            verdict(nb["median_s"] + nb.get("parse_median_s", 0) < 1e-4)))
    nb = results.get(("eval_rosenbrock_grad", "1000,10000", "nabla"), {})
    jx = results.get(("eval_rosenbrock_grad", "1000,10000", "jax"), {})
    if "median_s" in nb and "median_s" in jx:
        r = nb["median_s"] / jx["median_s"]
        lines.append("- evaluation at 10,000 points within 1.5× of jax.jit: nabla %s vs jax %s "
                     "(%.3g× jax's time; nabla: numeric::compile, Program::run_batch) — %s"
                     % (fmt_time(nb["median_s"]), fmt_time(jx["median_s"]), r, verdict(r <= 1.5)))
    return lines or ["- (no targets measurable in this run)"]


def main(argv):
    if len(argv) >= 6 and argv[1] == "worker":
        worker(argv[2], argv[3], argv[4], int(argv[5]))
        return 0
    if len(argv) >= 2 and argv[1] == "run":
        args = argv[2:]
        nabla = args[args.index("--nabla") + 1] if "--nabla" in args else None
        out = args[args.index("--out") + 1] if "--out" in args else None
        rustc = args[args.index("--rustc") + 1] if "--rustc" in args else "rustc ?"
        if not nabla:
            log("run needs --nabla PATH (the peer_tasks binary)")
            return 2
        vs = versions()
        results, scaling = drive(nabla, "--quick" in args)
        text = render(results, scaling, vs, rustc)
        raw = {"%s|%s|%s" % k: v for k, v in results.items()}
        raw.update({"scaling|%s|%d" % k: v for k, v in scaling.items()})
        for v in raw.values():  # 10,000-entry lists: kept out of the committed file
            for key in ("per_point_sum", "per_point_abs"):
                (v.get("fingerprint") or {}).pop(key, None)
        if out:
            with open(out, "w") as f:
                f.write(text)
            with open(os.path.splitext(out)[0] + ".json", "w") as f:
                json.dump(raw, f, indent=1, sort_keys=True)
        print(text)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
