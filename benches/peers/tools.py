"""The peers' side of the comparison (see peers.py): the same tasks in SymPy, SymEngine, Symbolica
and jax, with the same inputs, timing method and result fingerprints as nabla's task runner
(examples/peer_tasks.rs). `python peers.py worker TOOL TASK SIZE REPEATS` runs one measurement.
"""

import json
import math
import sys
import time
from fractions import Fraction

ALPHA_POINT = 0.6180339887498949  # Weyl step of the point values (frac of the golden ratio)
ALPHA_WEIGHT = 0.4142135623730951  # Weyl step of the checksum weights (frac of √2)
REPEAT_BUDGET_S = 10.0  # stop repeating once the repeats took this long
PARTIAL = {}  # set by the worker: the fields of its timing-only line
TIMING = {}  # the worker's timing, once measured
RECURSION_LIMIT = 20000


# ---------------------------------------------------------------- shared inputs and checksums

def weyl(k, alpha):
    x = k * alpha
    return x - math.floor(x)


def point_value(i):
    return 0.25 + 1.5 * weyl(i + 1, ALPHA_POINT)


def fingerprint(values):
    s = a = 0.0
    for i, v in enumerate(values):
        w = 0.5 + weyl(i + 1, ALPHA_WEIGHT)
        s += w * v
        a += w * abs(v)
    return {"entries": len(values), "nnz": sum(1 for v in values if v != 0.0),
            "checksum": s, "abs_checksum": a, "head": list(values[:4])}


def splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return state, z ^ (z >> 31)


def rational_point(k):
    state, out = 8, []
    for _ in range(k):
        state, r = splitmix(state)
        out.append(Fraction(r % 19 - 9, 2 + (r >> 32) % 7))
    return out


def median(ts):
    t = sorted(ts)
    m = len(t) // 2
    return t[m] if len(t) % 2 else (t[m - 1] + t[m]) / 2


def timed(op, repeats, prepare=lambda r: ()):
    """Runs op(*prepare(r)) for r = 0, 1, … up to `repeats` times (fewer once the budget is
    spent), timing only op; returns (last inputs, last result, times). `prepare` builds a fresh
    input each repeat (fresh symbol names), so no tool can answer a repeat from a cache."""
    times, total = [], 0.0
    r = 0
    while True:
        args = prepare(r)
        start = time.perf_counter()
        res = op(*args)
        t = time.perf_counter() - start
        times.append(t)
        total += t
        r += 1
        if r >= repeats or total > REPEAT_BUDGET_S:
            if PARTIAL:  # the timing survives even if the check below fails or runs out of time
                TIMING.update(times_s=times, repeats=len(times), median_s=median(times))
                print(json.dumps(dict(PARTIAL, partial=True, **TIMING)), flush=True)
            return args, res, times


def tag(k):
    """The suffix of repeat k's symbol names (none for the first)."""
    return "" if k == 0 else "r%d" % k


def dag_size(roots, children, budget=2_000_000):
    seen, stack = set(), list(roots)
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if len(seen) > budget:
            return None
        stack.extend(children(e))
    return len(seen)


# ---------------------------------------------------------------- the tools

class Tool:
    """One peer: builds the inputs and evaluates results; subclasses differ only in API."""

    name = "?"

    def rosenbrock(self, n, tag=""):
        xs = self.symbols(["x%s_%d" % (tag, i) for i in range(1, n + 1)])
        terms = []
        for i in range(n - 1):
            terms.append(100 * (xs[i + 1] - xs[i] ** 2) ** 2)
            terms.append((1 - xs[i]) ** 2)
        return self.add(terms), xs

    def composition(self, depth, tag=""):
        x = self.symbols(["x%s" % tag])[0]
        e = x
        for level in range(depth):
            k = level % 5
            if k == 0:
                e = self.sin(e)
            elif k == 1:
                e = self.cos(e)
            elif k == 2:
                e = self.exp(e)
            elif k == 3:
                e = self.log(e ** 2 + 1)
            else:
                e = self.sqrt(e ** 2 + x)
        return e, x

    def values_at(self, entries, xs, value=point_value):
        vals = {self.key(x): value(i) for i, x in enumerate(xs)}
        return [self.eval_entry(e, vals) for e in entries]

    def run(self, task, size, repeats):
        if task in ("grad_rosenbrock", "hess_rosenbrock"):
            op = self.gradient if task == "grad_rosenbrock" else self.hessian
            (f, xs), r, times = timed(op, repeats, lambda k: self.rosenbrock(int(size), tag(k)))
            entries = self.entries(r)
            return self.report(times, entries, f, fingerprint(self.values_at(entries, xs)))
        if task == "grad_composition":
            (f, xs), r, times = timed(self.gradient, repeats, lambda k: (
                lambda e, x: (e, [x]))(*self.composition(int(size), tag(k))))
            entries = self.entries(r)
            return self.report(times, entries, f, fingerprint(self.values_at(entries, xs)))
        if task == "expand":
            k, p = (int(v) for v in size.split(","))

            def prepare(rep):
                xs = self.symbols(["x%s_%d" % (tag(rep), i) for i in range(1, k + 1)])
                return self.add(xs) ** p, xs

            (e, xs), r, times = timed(lambda e, xs: self.expand(e), repeats, prepare)
            value = self.exact_value(r, xs, rational_point(k))
            terms = self.terms(r)
            out = self.report(times, [r], e, {"terms": terms, "value": {
                "exact": "%d/%d" % (value.numerator, value.denominator), "f64": float(value)}})
            out["terms"] = terms
            return out
        if task.startswith("matrix_"):
            return self.matrix(task, repeats)
        if task == "eval_rosenbrock_grad":
            n, points = (int(v) for v in size.split(","))
            return self.evaluate_many(n, points, repeats)
        raise NotImplementedError(task)

    def report(self, times, entries, f, fp):
        return {"times_s": times if len(times) <= 10 else None, "repeats": len(times),
                "median_s": median(times), "nodes": self.nodes(entries),
                "input_nodes": self.nodes([f]), "fingerprint": fp, "notes": []}

    def nodes(self, roots):
        return dag_size(roots, lambda e: e.args)

    def matrix(self, task, repeats):
        raise NotImplementedError("no matrix calculus (no matrix symbols with symbolic size)")

    def evaluate_many(self, n, points, repeats):
        raise NotImplementedError("no compiled evaluator in this comparison")


class SymPy(Tool):
    name = "sympy"

    def __init__(self):
        import sympy
        self.sp = sympy
        self.version = sympy.__version__

    def symbols(self, names):
        return [self.sp.Symbol(n) for n in names]

    def add(self, terms):
        return self.sp.Add(*terms)

    sin = property(lambda self: self.sp.sin)
    cos = property(lambda self: self.sp.cos)
    exp = property(lambda self: self.sp.exp)
    log = property(lambda self: self.sp.log)
    sqrt = property(lambda self: self.sp.sqrt)

    def gradient(self, f, xs):
        return [self.sp.diff(f, x) for x in xs]

    def hessian(self, f, xs):
        return self.sp.hessian(f, xs)

    def entries(self, r):
        return list(r) if not isinstance(r, list) else r

    def key(self, x):
        return x

    def eval_entry(self, e, vals):
        if e == 0:
            return 0.0
        sub = {s: self.sp.Float(vals[s]) for s in e.free_symbols}
        return float(e.xreplace(sub))

    def expand(self, e):
        return self.sp.expand(e)

    def terms(self, r):
        return len(r.args) if isinstance(r, self.sp.Add) else 1

    def exact_value(self, r, xs, point):
        v = r.xreplace({x: self.sp.Rational(p.numerator, p.denominator) for x, p in zip(xs, point)})
        return Fraction(int(v.p), int(v.q))

    def matrix(self, task, repeats):
        sp = self.sp
        m, n = sp.symbols("m n", integer=True, positive=True)
        if task == "matrix_grad_quadratic":
            shapes = [("A", 4, 4), ("x", 4, 1)]
            dims = {n: 4}

            def prepare(rep):
                A = sp.MatrixSymbol("A" + tag(rep), n, n)
                x = sp.MatrixSymbol("x" + tag(rep), n, 1)
                return x.T * A * x, x, 1
        else:
            shapes = [("A", 5, 3), ("x", 3, 1), ("b", 5, 1)]
            dims = {m: 5, n: 3}

            def prepare(rep):
                A = sp.MatrixSymbol("A" + tag(rep), m, n)
                x = sp.MatrixSymbol("x" + tag(rep), n, 1)
                b = sp.MatrixSymbol("b" + tag(rep), m, 1)
                r = A * x - b
                return (r.T * r) / 2, x, 2
        _, res, times = timed(lambda f, x, k: sp.diff(f, x, k), max(repeats, 1) * 100, prepare)
        f = prepare(0)[0]
        last = tag(len(times) - 1)  # the result is in the last repeat's symbols
        concrete = res.xreplace(dims)
        k, subs = 0, {}
        for name, rows, cols in shapes:
            vals = []
            for _ in range(rows * cols):
                vals.append(point_value(k))
                k += 1
            subs[sp.MatrixSymbol(name + last, rows, cols)] = sp.ImmutableMatrix(rows, cols, vals)
        value = concrete.xreplace(subs).doit()
        out = self.report(times, [res], f, fingerprint([float(v) for v in value]))
        out["result"] = str(sp.diff(*prepare(0)))  # in the first repeat's names
        out["notes"] = ["result: %s" % out["result"]]
        return out


class SymEngine(Tool):
    name = "symengine"

    def __init__(self):
        import symengine
        self.se = symengine
        self.version = symengine.__version__

    def symbols(self, names):
        return [self.se.Symbol(n) for n in names]

    def add(self, terms):
        return self.se.Add(*terms)

    sin = property(lambda self: self.se.sin)
    cos = property(lambda self: self.se.cos)
    exp = property(lambda self: self.se.exp)
    log = property(lambda self: self.se.log)
    sqrt = property(lambda self: self.se.sqrt)

    def gradient(self, f, xs):
        return self.se.Matrix([f]).jacobian(self.se.Matrix(xs))

    def hessian(self, f, xs):
        X = self.se.Matrix(xs)
        return self.se.Matrix([f]).jacobian(X).T.jacobian(X)

    def entries(self, r):
        return list(r)

    def key(self, x):
        return x

    def eval_entry(self, e, vals):
        if e == 0:
            return 0.0
        sub = {s: vals[s] for s in e.free_symbols}
        return float(e.subs(sub))

    def expand(self, e):
        return self.se.expand(e)

    def terms(self, r):
        return len(r.args) if isinstance(r, self.se.Add) else 1

    def exact_value(self, r, xs, point):
        v = r.subs({x: self.se.Rational(p.numerator, p.denominator) for x, p in zip(xs, point)})
        return Fraction(str(v))

    def evaluate_many(self, n, points, repeats):
        """SymEngine's compiled evaluator (Lambdify, LLVM backend where built in)."""
        import numpy as np
        f, xs = self.rosenbrock(n)
        g = list(self.gradient(f, xs))
        start = time.perf_counter()
        try:
            fn = self.se.Lambdify(xs, g, backend="llvm", cse=True)
            backend = "llvm"
        except Exception:  # noqa: BLE001 - the lambda backend is the documented fallback
            fn = self.se.Lambdify(xs, g, backend="lambda", cse=True)
            backend = "lambda"
        compile_s = time.perf_counter() - start
        X = weyl_points(np, n, points)
        _, out, times = timed(fn, repeats, lambda r: (X,))
        out = np.asarray(out).reshape(points, n)
        rep = self.report(times, [], f, eval_fingerprint(out))
        rep["notes"] = ["Lambdify backend=%s, cse; compile %.2f s not included" % (backend, compile_s)]
        rep["nodes"] = None
        return rep


class Symbolica(Tool):
    name = "symbolica"

    def __init__(self):
        import symbolica
        self.sy = symbolica
        self.version = getattr(symbolica, "__version__", "?")

    def symbols(self, names):
        return [self.sy.S(n) for n in names]

    def add(self, terms):
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total

    def sin(self, e):
        return e.sin()

    def cos(self, e):
        return e.cos()

    def exp(self, e):
        return e.exp()

    def log(self, e):
        return e.log()

    def sqrt(self, e):
        return e.sqrt()

    def gradient(self, f, xs):
        return [f.derivative(x) for x in xs]

    def hessian(self, f, xs):
        g = [f.derivative(x) for x in xs]
        return [[gi.derivative(y) for y in xs] for gi in g]

    def entries(self, r):
        return [e for row in r for e in row] if r and isinstance(r[0], list) else r

    def key(self, x):
        return str(x)

    def eval_entry(self, e, vals):
        syms = [s for s in e.get_all_symbols(False) if str(s) in vals]
        if not syms and str(e) == "0":
            return 0.0
        v = e.evaluate({s: vals[str(s)] for s in syms})
        return float(v.real) if isinstance(v, complex) else float(v)

    def nodes(self, roots):
        return None  # the Python API exposes no subexpression walk

    def expand(self, e):
        return e.expand()

    def terms(self, r):
        return len(r)

    def exact_value(self, r, xs, point):
        v = r
        for x, p in zip(xs, point):
            v = v.replace(x, self.sy.Expression.num(p.numerator) / p.denominator)
        return Fraction(str(v))


class Jax(Tool):
    name = "jax"

    def __init__(self):
        import jax
        jax.config.update("jax_enable_x64", True)
        self.jax = jax
        self.version = jax.__version__

    def evaluate_many(self, n, points, repeats):
        import numpy as np
        jax, jnp = self.jax, self.jax.numpy

        def rosen(x):
            return jnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

        g = jax.jit(jax.vmap(jax.grad(rosen)))
        X = jnp.asarray(weyl_points(np, n, points))
        start = time.perf_counter()
        g(X).block_until_ready()
        compile_s = time.perf_counter() - start
        _, out, times = timed(lambda: g(X).block_until_ready(), max(repeats, 3))
        rep = {"times_s": times, "repeats": len(times), "median_s": median(times), "nodes": None,
               "input_nodes": None, "fingerprint": eval_fingerprint(np.asarray(out)),
               "notes": ["jax.jit(jax.vmap(jax.grad(f))) on a %d×%d float64 array; " % (points, n) +
                         "first call (trace + compile, %.2f s) not included" % compile_s]}
        return rep


def weyl_points(np, n, points):
    k = np.arange(1, n * points + 1, dtype=np.float64)
    x = k * ALPHA_POINT
    return (0.25 + 1.5 * (x - np.floor(x))).reshape(points, n)


def eval_fingerprint(out):
    fp = fingerprint([float(v) for v in out[0]])
    fp["per_point_sum"] = [float(v) for v in out.sum(axis=1)]
    fp["per_point_abs"] = [float(v) for v in np_abs_sum(out)]
    return fp


def np_abs_sum(out):
    return abs(out).sum(axis=1)


TOOLS = {"sympy": SymPy, "symengine": SymEngine, "symbolica": Symbolica, "jax": Jax}


def worker(tool_name, task, size, repeats):
    # Deep expressions (the depth-200 composition) exceed SymPy's recursion at Python's default
    # limit of 1000; a user would raise it, so the comparison does too.
    sys.setrecursionlimit(RECURSION_LIMIT)
    out = {"tool": tool_name, "task": task, "size": size}
    try:
        tool = TOOLS[tool_name]()
        out["version"] = tool.version
        PARTIAL.update(out)
        out.update(tool.run(task, size, repeats))
    except NotImplementedError as e:
        out["unsupported"] = str(e) or "not supported"
    except Exception as e:  # noqa: BLE001 - every failure is data for the table
        message = "%s: %s" % (type(e).__name__, str(e)[:300])
        if TIMING:  # the operation ran; only the check failed
            out.update(TIMING)
            out["notes"] = ["numeric check failed: " + message]
        else:
            out["error"] = message
    out["vmhwm_kb"] = vmhwm_kb()
    print(json.dumps(out))


def vmhwm_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
