//! Rendering of numeric statements (`descend`, `classify`, `critical`): the human report
//! (iterates, final point, f, ‖∇f‖, eigenvalues, condition number, 2/λmax), JSON, and SVG plots.

use super::exit;
use super::values;
use nabla::check::numeric_statements::{
    ClaimedOutcome, ClaimedRun, ClassifyReport, CriticalReport, DescendReport, GradientSource,
    NumericError, NumericReport, Outcome, Variables,
};
use nabla::numeric::analysis::Analysis;
use nabla::numeric::critical::Critical;
use nabla::numeric::descent::{Method, Note, Run, Stop};
use nabla::numeric::plot;
use nabla::syntax::span::Span;

mod json;

pub use json::to_json;

/// Most rows of the iterate table.
const TABLE_ROWS: usize = 12;
/// Most entries of a point shown in full in the human report.
const SHOWN_ENTRIES: usize = 8;

/// A number with ten significant digits (at least ten decimals below 10), `−` for minus.
pub fn num(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if !x.is_finite() {
        return if x.is_nan() {
            "undefined".into()
        } else if x > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    let a = x.abs();
    if !(1e-6..1e12).contains(&a) {
        let s = format!("{x:.9e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}").replace('-', "−");
    }
    let magnitude = a.log10().floor() as i32;
    let decimals = if a < 10.0 {
        (9 - magnitude).max(10)
    } else {
        (9 - magnitude).max(0)
    } as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s.replace('-', "−")
    }
}

/// A point: one variable as `[a; b]` (or a scalar), several as `x = …, y = …`.
fn point(vars: &Variables, x: &[f64]) -> String {
    let parts = vars.split(x);
    let one = |block: &[f64], (r, c): (usize, usize)| -> String {
        if block.len() > SHOWN_ENTRIES {
            let head: Vec<String> = block.iter().take(4).map(|v| num(*v)).collect();
            return format!(
                "[{}; … ({} entries, ‖·‖ = {})]",
                head.join("; "),
                block.len(),
                num(norm(block))
            );
        }
        if r * c == 1 {
            return block.first().map_or_else(String::new, |v| num(*v));
        }
        let rows: Vec<String> = block
            .chunks(c.max(1))
            .map(|row| row.iter().map(|v| num(*v)).collect::<Vec<_>>().join(" "))
            .collect();
        format!("[{}]", rows.join("; "))
    };
    vars.names
        .iter()
        .zip(parts)
        .zip(&vars.shapes)
        .map(|((n, b), s)| format!("{} = {}", values_name(n), one(b, *s)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn values_name(n: &str) -> String {
    nabla::print::print_name(n, nabla::print::Dialect::Unicode)
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

fn line(text: &str, span: Span) -> usize {
    span.line_col(text).0
}

/// The exit code a numeric report asks for: bad input 2, not answerable or a failed run 3.
pub fn exit_code(r: &NumericReport) -> u8 {
    match &r.outcome {
        Err(NumericError::BadInput(_)) => exit::BAD_INPUT,
        Err(NumericError::CannotAnswer(_)) => exit::CANNOT_ANSWER,
        Ok(Outcome::Descend(d)) => match d.run.stop {
            Stop::Diverged { .. } | Stop::Failed { .. } => exit::CANNOT_ANSWER,
            _ => exit::OK,
        },
        Ok(_) => exit::OK,
    }
}

/// The human report of a numeric statement.
pub fn text(r: &NumericReport, source: &str, origin: &str) -> String {
    let header = source.get(r.span.range()).unwrap_or("").trim();
    let mut out = format!("{origin}:{}  {header}\n", line(source, r.span));
    match &r.outcome {
        Err(NumericError::BadInput(e)) => out.push_str(&format!("   error: {}\n", e.message)),
        Err(NumericError::CannotAnswer(m)) => out.push_str(&format!("   cannot run: {m}\n")),
        Ok(Outcome::Descend(d)) => descend_text(&mut out, d, &r.function, source),
        Ok(Outcome::Classify(c)) => classify_text(&mut out, c, &r.function),
        Ok(Outcome::Critical(c)) => critical_text(&mut out, c, &r.function),
    }
    out
}

fn method_text(run: &Run) -> String {
    let s = &run.settings;
    match s.method {
        Method::Gd { step } => format!("gd  step {}", num(step)),
        Method::LineSearch => "gd  Armijo line search".to_string(),
        Method::Exact => "exact  step gᵀg/gᵀHg".to_string(),
        Method::Momentum { step, gamma } => {
            format!("momentum  step {}  γ {}", num(step), num(gamma))
        }
        Method::Nesterov { step, gamma } => {
            format!("nesterov  step {}  γ {}", num(step), num(gamma))
        }
        Method::Newton => "newton".to_string(),
    }
}

fn stop_text(run: &Run) -> String {
    let tol = num(run.settings.tol);
    match &run.stop {
        Stop::Converged => format!(
            "converged: ‖∇f‖ ≤ {tol} after {} iterations",
            run.iterations()
        ),
        Stop::MaxIterations => format!(
            "stopped at the iteration limit {} (‖∇f‖ = {} > tol {tol})",
            run.settings.iters,
            run.last().map_or_else(String::new, |i| num(i.grad_norm))
        ),
        Stop::Diverged { iteration, reason } => {
            format!("DIVERGED at iteration {iteration}: {reason}")
        }
        Stop::Stalled { iteration, reason } => {
            format!("stalled at iteration {iteration}: {reason}")
        }
        Stop::Failed { iteration, error } => format!("failed at iteration {iteration}: {error}"),
    }
}

fn table(out: &mut String, run: &Run, vars: &Variables) {
    let n = run.iterates.len();
    let every = n.div_ceil(TABLE_ROWS).max(1);
    out.push_str("      k  f                    ‖∇f‖                 step\n");
    for (i, it) in run.iterates.iter().enumerate() {
        if !(i % every == 0 || i + 1 == n) {
            continue;
        }
        let step = it.step.map_or_else(String::new, num);
        let x = if vars.len() <= 4 && !it.x.is_empty() {
            format!("  {}", point(vars, &it.x))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "   {:>4}  {:<20} {:<20} {:<12}{x}\n",
            it.k,
            num(it.f),
            num(it.grad_norm),
            step
        ));
    }
}

fn analysis_text(out: &mut String, a: &Analysis, at: &str) {
    let eig = if a.eigenvalues.len() <= SHOWN_ENTRIES {
        let all: Vec<String> = a.eigenvalues.iter().map(|l| num(*l)).collect();
        all.join(", ")
    } else {
        format!(
            "from {} to {} ({} of them)",
            a.eigenvalues.first().map_or_else(String::new, |l| num(*l)),
            a.eigenvalues.last().map_or_else(String::new, |l| num(*l)),
            a.eigenvalues.len()
        )
    };
    let mut s = format!("   Hessian {at}: eigenvalues {eig}");
    match a.condition {
        Some(k) => s.push_str(&format!("; condition number {}", num(k))),
        None => s.push_str("; singular"),
    }
    if let Some(e) = a.stable_step {
        s.push_str(&format!("; largest stable step 2/λmax = {}", num(e)));
    }
    if let Some(e) = a.optimal_step {
        s.push_str(&format!("; optimal step for ∇f here gᵀg/gᵀHg = {}", num(e)));
    }
    out.push_str(&s);
    out.push('\n');
}

fn descend_text(out: &mut String, d: &DescendReport, f: &str, source: &str) {
    let used = match d.gradient {
        GradientSource::Verified(s) => format!("using the gradient claimed on line {}, which is verified", line(source, s)),
        GradientSource::Wrong(s) => format!(
            "the gradient claimed on line {} is WRONG: descending with the correct ∇{f} (nabla's own), and below with the claimed one",
            line(source, s)
        ),
        GradientSource::Unverified(s) => format!(
            "the gradient claimed on line {} could not be verified: using nabla's own ∇{f}",
            line(source, s)
        ),
        GradientSource::Own => format!("no claim of ∇{f} in the file: using nabla's own gradient"),
    };
    out.push_str(&format!("   {used}\n"));
    for note in &d.run.notes {
        out.push_str(&format!("   note: {}\n", note_text(note)));
    }
    if let (
        Method::Gd { step } | Method::Momentum { step, .. } | Method::Nesterov { step, .. },
        Some(a),
    ) = (d.run.settings.method, &d.start)
    {
        if let Some(limit) = a.stable_step.filter(|l| step > *l) {
            out.push_str(&format!(
                "   warning: the step {} exceeds 2/λmax = {} of the Hessian at the start: gradient descent is unstable there (1/λmax = {} is safe on a quadratic)\n",
                num(step),
                num(limit),
                num(limit / 2.0)
            ));
        }
    }
    table(out, &d.run, &d.variables);
    if let Some(last) = d.run.last() {
        out.push_str(&format!(
            "   {}  {} iterations   {}   f = {}   ‖∇f‖ = {}\n",
            method_text(&d.run),
            d.run.iterations(),
            point(&d.variables, &d.run.last_x),
            num(last.f),
            num(last.grad_norm)
        ));
    }
    out.push_str(&format!("   {}\n", stop_text(&d.run)));
    if let Some(a) = &d.end {
        analysis_text(out, a, "at the final point");
    } else if let Some(a) = &d.start {
        analysis_text(out, a, "at the start");
    }
    if let Some(c) = &d.claimed {
        claimed_text(out, c, &d.variables);
    }
}

fn note_text(n: &Note) -> String {
    match n {
        Note::NotQuadratic => "f is not quadratic: the step gᵀg/gᵀHg is exact only for its local quadratic model".to_string(),
        Note::IndefiniteHessian { iteration, min_eigenvalue } => format!(
            "the Hessian is not positive definite at iteration {iteration} (smallest eigenvalue {}): Newton steps use |λ| instead (modified Newton) with backtracking",
            num(*min_eigenvalue)
        ),
        Note::SingularHessian { iteration } => format!(
            "the Hessian is singular at iteration {iteration}: Newton steps replace its zero eigenvalues by a small positive one, with backtracking"
        ),
    }
}

fn claimed_text(out: &mut String, c: &ClaimedRun, vars: &Variables) {
    let what = match &c.outcome {
        ClaimedOutcome::Diverges { iteration } => format!("diverges (detected at iteration {iteration})"),
        ClaimedOutcome::Fails { reason } => format!("fails: {reason}"),
        ClaimedOutcome::SamePoint { iterations } => {
            format!("reaches the same point, in {iterations} iterations")
        }
        ClaimedOutcome::DifferentPoint { distance, grad_norm } => format!(
            "converges to a different point, at distance {} from the correct one, where the true ‖∇f‖ = {} (not a critical point)",
            num(*distance),
            num(*grad_norm)
        ),
        ClaimedOutcome::Stalls { distance, f, grad_norm } => format!(
            "stalls: it ends at distance {} from the correct run's point, with f = {} and true ‖∇f‖ = {}",
            num(*distance),
            num(*f),
            num(*grad_norm)
        ),
    };
    out.push_str(&format!(
        "   with the claimed gradient, {} {what}\n",
        method_text(&c.run)
    ));
    if let Some(last) = c.run.last() {
        out.push_str(&format!(
            "     after {} iterations: {}   f = {}\n",
            c.run.iterations(),
            point(vars, &c.run.last_x),
            num(last.f)
        ));
    }
}

fn classify_text(out: &mut String, c: &ClassifyReport, f: &str) {
    let kind = match c.analysis.kind.name() {
        "not-critical" => format!(
            "not a critical point (‖∇{f}‖ = {})",
            num(c.analysis.grad_norm)
        ),
        "inconclusive" => {
            "inconclusive: the Hessian is singular and semidefinite, second order cannot tell"
                .to_string()
        }
        k => format!("a {k}"),
    };
    out.push_str(&format!(
        "   {} is {kind};  f = {}\n",
        point(&c.variables, &c.x),
        num(c.f)
    ));
    analysis_text(out, &c.analysis, "there");
    let pairs = c.analysis.eigenvalues.iter().zip(&c.analysis.eigenvectors);
    // Eigenvectors of many variables are in the JSON output only.
    for (l, v) in pairs.take_while(|_| c.x.len() <= SHOWN_ENTRIES) {
        let v: Vec<String> = v.iter().map(|a| num(*a)).collect();
        out.push_str(&format!(
            "     λ = {}: eigenvector [{}]\n",
            num(*l),
            v.join("; ")
        ));
    }
}

fn critical_text(out: &mut String, c: &CriticalReport, f: &str) {
    match &c.result {
        Critical::Point { x, .. } => {
            let mut at = 0;
            let parts: Vec<String> = c
                .variables
                .names
                .iter()
                .zip(&c.variables.shapes)
                .map(|(n, (r, cols))| {
                    let block = x.get(at..at + r * cols).unwrap_or(&[]);
                    at += r * cols;
                    let entries: Vec<String> = block.iter().map(values::number).collect();
                    let v = if block.len() == 1 { entries.join("") } else { format!("[{}]", entries.join("; ")) };
                    format!("{} = {v}", values_name(n))
                })
                .collect();
            out.push_str(&format!("   ∇{f} = 0 exactly at {}", parts.join(", ")));
            if let Some(v) = &c.f {
                out.push_str(&format!(";  {f} = {}", values::number(v)));
            }
            out.push('\n');
            if let Some(a) = &c.analysis {
                out.push_str(&format!("   it is a {}\n", a.kind.name()));
                analysis_text(out, a, "(constant)");
            }
        }
        Critical::Singular { rank, consistent, .. } => out.push_str(&format!(
            "   the Hessian is singular (rank {rank}): ∇{f} = 0 has {}\n",
            if *consistent { "infinitely many solutions (no unique critical point)" } else { "no solution (no critical point)" }
        )),
        Critical::NotAffine { .. } => out.push_str(&format!(
            "   ∇{f} is not affine in the variables (its Hessian depends on them): no exact solve; use descend (e.g. newton) instead\n"
        )),
    }
}

/// The SVG plots of a descent: `(suffix, svg)` — a contour plot with the paths for two
/// variables (and its convergence plot), a convergence plot otherwise.
pub fn plots(r: &NumericReport) -> Vec<(&'static str, String)> {
    let Ok(Outcome::Descend(d)) = &r.outcome else {
        return Vec::new();
    };
    let title = format!(
        "{} on {}",
        method_text(&d.run).replace("  ", " "),
        r.function
    );
    let mut runs: Vec<(&str, Vec<f64>)> = vec![(
        "correct ∇f",
        d.run.iterates.iter().map(|i| i.grad_norm).collect(),
    )];
    if let Some(c) = &d.claimed {
        runs.push((
            "claimed ∇f (wrong)",
            c.run.iterates.iter().map(|i| i.grad_norm).collect(),
        ));
    }
    let series: Vec<(&str, &[f64])> = runs.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    let convergence = plot::convergence(&series, &format!("{title}: convergence"));
    let Some(grid) = &d.grid else {
        return vec![("", convergence)];
    };
    let path: Vec<(f64, f64)> = d.run.iter_points().collect();
    let inside = |&(x, y): &(f64, f64)| {
        grid.xs.first().is_some_and(|a| x >= *a)
            && grid.xs.last().is_some_and(|b| x <= *b)
            && grid.ys.first().is_some_and(|a| y >= *a)
            && grid.ys.last().is_some_and(|b| y <= *b)
    };
    let mut paths = vec![("descent path (correct ∇f)", path)];
    if let Some(c) = &d.claimed {
        paths.push((
            "claimed ∇f (wrong)",
            c.run.iter_points().take_while(inside).collect(),
        ));
    }
    let path_refs: Vec<(&str, &[(f64, f64)])> =
        paths.iter().map(|(n, p)| (*n, p.as_slice())).collect();
    let labels = match d.variables.names.as_slice() {
        [a, b] => (values_name(a), values_name(b)),
        [a] => (
            format!("{}₁", values_name(a)),
            format!("{}₂", values_name(a)),
        ),
        _ => ("x".to_string(), "y".to_string()),
    };
    vec![
        (
            "",
            plot::contour(grid, &path_refs, (&labels.0, &labels.1), &title),
        ),
        ("convergence", convergence),
    ]
}

/// Prints a progress bar on stderr for long runs (the caller checks that stderr is a terminal).
pub fn progress_bar() -> impl FnMut(usize, usize) {
    let mut last = usize::MAX;
    move |k, total| {
        if total < 2000 {
            return;
        }
        let width = 40;
        let filled = (k * width) / total.max(1);
        if filled == last && k != total {
            return;
        }
        last = filled;
        if k >= total {
            eprint!("\r{}\r", " ".repeat(width + 24));
        } else {
            eprint!(
                "\r[{}{}] {k}/{total}",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn ten_digits_and_real_minus_signs() {
        assert_eq!(num(0.8926258176000001), "0.8926258176");
        assert_eq!(num(-1.9999997952), "−1.9999997952");
        assert_eq!(num(0.01152921504606863), "0.01152921505");
        assert_eq!(num(16.0), "16");
        assert_eq!(num(-2.048e-7), "−2.048e−7");
        assert_eq!(num(1234567.891234), "1234567.891");
    }
}
