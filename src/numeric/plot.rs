//! Plots as SVG text, written by hand: a contour plot of a function of two variables with a
//! descent path over it (marching squares on a grid), and a convergence plot of log₁₀‖∇f‖
//! against the iteration for any dimension.

use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 520.0;
const MARGIN: f64 = 56.0;
const LEVELS: usize = 18;
const COLORS: [&str; 3] = ["#c0392b", "#2471a3", "#7d3c98"];

/// Values of f on a regular grid: `values[j * xs.len() + i]` is `f(xs[i], ys[j])` (`None` where f
/// is undefined).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The x coordinates, ascending.
    pub xs: Vec<f64>,
    /// The y coordinates, ascending.
    pub ys: Vec<f64>,
    /// The values, row by row in y.
    pub values: Vec<Option<f64>>,
}

impl Grid {
    /// Samples `f` on an `n × n` grid over the box around `points`, enlarged by a margin.
    pub fn around(
        points: &[(f64, f64)],
        n: usize,
        f: &mut dyn FnMut(f64, f64) -> Option<f64>,
    ) -> Grid {
        let (mut x0, mut x1, mut y0, mut y1) = points.iter().fold(
            (
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ),
            |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
        );
        if !x0.is_finite() || !y0.is_finite() || !x1.is_finite() || !y1.is_finite() {
            (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
        }
        let span = (x1 - x0).max(y1 - y0).max(1e-6);
        let pad = 0.15 * span;
        let (wx, wy) = ((x1 - x0).max(0.3 * span), (y1 - y0).max(0.3 * span));
        let (cx, cy) = (0.5 * (x0 + x1), 0.5 * (y0 + y1));
        let (x0, x1) = (cx - 0.5 * wx - pad, cx + 0.5 * wx + pad);
        let (y0, y1) = (cy - 0.5 * wy - pad, cy + 0.5 * wy + pad);
        let n = n.max(2);
        let lin = |a: f64, b: f64| -> Vec<f64> {
            (0..n)
                .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
                .collect()
        };
        let (xs, ys) = (lin(x0, x1), lin(y0, y1));
        let mut values = Vec::with_capacity(n * n);
        for &y in &ys {
            for &x in &xs {
                values.push(f(x, y).filter(|v| v.is_finite()));
            }
        }
        Grid { xs, ys, values }
    }
}

fn header(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
        WIDTH / 2.0,
        escape(title)
    );
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A linear map from data coordinates to the plot area.
struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn px(&self, x: f64) -> f64 {
        MARGIN + (x - self.x0) / (self.x1 - self.x0).max(1e-300) * (WIDTH - 2.0 * MARGIN)
    }
    fn py(&self, y: f64) -> f64 {
        HEIGHT - MARGIN - (y - self.y0) / (self.y1 - self.y0).max(1e-300) * (HEIGHT - 2.0 * MARGIN)
    }

    fn axes(&self, out: &mut String, xlabel: &str, ylabel: &str) {
        let _ = writeln!(
            out,
            "<rect x=\"{MARGIN}\" y=\"{MARGIN}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>",
            WIDTH - 2.0 * MARGIN,
            HEIGHT - 2.0 * MARGIN
        );
        for t in 0..=4 {
            let fx = self.x0 + (self.x1 - self.x0) * t as f64 / 4.0;
            let fy = self.y0 + (self.y1 - self.y0) * t as f64 / 4.0;
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
                self.px(fx),
                HEIGHT - MARGIN + 16.0,
                tick(fx),
                MARGIN - 6.0,
                self.py(fy) + 4.0,
                tick(fy)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n<text x=\"16\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {})\">{}</text>\n",
            WIDTH / 2.0,
            HEIGHT - 14.0,
            escape(xlabel),
            HEIGHT / 2.0,
            HEIGHT / 2.0,
            escape(ylabel)
        );
    }
}

fn tick(v: f64) -> String {
    let s = if v.abs() >= 1e4 || (v != 0.0 && v.abs() < 1e-3) {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
    };
    let s = if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    s.replace('-', "−")
}

/// A contour plot of `grid` with the descent `paths` drawn over it (one color per path, e.g.
/// the correct gradient and a claimed one), with axis labels.
pub fn contour(
    grid: &Grid,
    paths: &[(&str, &[(f64, f64)])],
    labels: (&str, &str),
    title: &str,
) -> String {
    let mut out = String::new();
    header(&mut out, title);
    let (nx, ny) = (grid.xs.len(), grid.ys.len());
    let frame = Frame {
        x0: grid.xs.first().copied().unwrap_or(0.0),
        x1: grid.xs.last().copied().unwrap_or(1.0),
        y0: grid.ys.first().copied().unwrap_or(0.0),
        y1: grid.ys.last().copied().unwrap_or(1.0),
    };
    let mut defined: Vec<f64> = grid.values.iter().flatten().copied().collect();
    defined.sort_by(f64::total_cmp);
    if let (Some(&lo), Some(&hi)) = (defined.first(), defined.last()) {
        // Levels spaced evenly in log(f − min) so both the valley floor and the walls show.
        let span = (hi - lo).max(1e-300);
        let levels: Vec<f64> = (1..=LEVELS)
            .map(|i| lo + span * (1e-4f64).powf(1.0 - i as f64 / LEVELS as f64) * 0.999)
            .collect();
        let _ = writeln!(out, "<g fill=\"none\" stroke-width=\"1\">");
        for (li, level) in levels.iter().enumerate() {
            let shade = 40 + (li * 170) / LEVELS;
            let mut d = String::new();
            for j in 0..ny.saturating_sub(1) {
                for i in 0..nx.saturating_sub(1) {
                    let at = |a: usize, b: usize| grid.values.get(b * nx + a).copied().flatten();
                    let (Some(v00), Some(v10), Some(v01), Some(v11)) =
                        (at(i, j), at(i + 1, j), at(i, j + 1), at(i + 1, j + 1))
                    else {
                        continue;
                    };
                    let corners = [
                        (grid.xs[i], grid.ys[j], v00),
                        (grid.xs[i + 1], grid.ys[j], v10),
                        (grid.xs[i + 1], grid.ys[j + 1], v11),
                        (grid.xs[i], grid.ys[j + 1], v01),
                    ];
                    let mut crossings = Vec::with_capacity(4);
                    for e in 0..4 {
                        let (xa, ya, va) = corners[e];
                        let (xb, yb, vb) = corners[(e + 1) % 4];
                        if (va < *level) != (vb < *level) {
                            let t = (level - va) / (vb - va);
                            crossings.push((xa + t * (xb - xa), ya + t * (yb - ya)));
                        }
                    }
                    for pair in crossings.chunks_exact(2) {
                        let _ = write!(
                            d,
                            "M{:.1} {:.1}L{:.1} {:.1}",
                            frame.px(pair[0].0),
                            frame.py(pair[0].1),
                            frame.px(pair[1].0),
                            frame.py(pair[1].1)
                        );
                    }
                }
            }
            if !d.is_empty() {
                let _ = writeln!(
                    out,
                    "<path stroke=\"rgb({shade},{shade},{})\" d=\"{d}\"/>",
                    255 - shade / 3
                );
            }
        }
        let _ = writeln!(out, "</g>");
    }
    frame.axes(&mut out, labels.0, labels.1);
    for (pi, (name, path)) in paths.iter().enumerate() {
        let color = COLORS[pi % COLORS.len()];
        let points: Vec<String> = path
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|&(x, y)| format!("{:.2},{:.2}", frame.px(x), frame.py(y)))
            .collect();
        let _ = writeln!(
            out,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\" points=\"{}\"/>",
            points.join(" ")
        );
        for p in points.iter().take(400) {
            if let Some((x, y)) = p.split_once(',') {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{x}\" cy=\"{y}\" r=\"2.2\" fill=\"{color}\"/>"
                );
            }
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"{color}\">{}</text>",
            MARGIN + 8.0,
            MARGIN + 16.0 + 16.0 * pi as f64,
            escape(name)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// A convergence plot: log₁₀‖∇f‖ against the iteration, one line per run.
pub fn convergence(runs: &[(&str, &[f64])], title: &str) -> String {
    let mut out = String::new();
    header(&mut out, title);
    let logs: Vec<Vec<f64>> = runs
        .iter()
        .map(|(_, g)| g.iter().map(|v| v.max(1e-300).log10()).collect())
        .collect();
    let finite = logs.iter().flatten().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = if lo.is_finite() {
        (lo.floor(), hi.ceil().max(lo.floor() + 1.0))
    } else {
        (0.0, 1.0)
    };
    let kmax = logs
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(1)
        .saturating_sub(1)
        .max(1);
    let frame = Frame {
        x0: 0.0,
        x1: kmax as f64,
        y0: lo,
        y1: hi,
    };
    frame.axes(&mut out, "iteration", "log₁₀ ‖∇f‖");
    for (ri, ((name, _), line)) in runs.iter().zip(&logs).enumerate() {
        let color = COLORS[ri % COLORS.len()];
        let points: Vec<String> = line
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(k, &v)| format!("{:.2},{:.2}", frame.px(k as f64), frame.py(v)))
            .collect();
        let _ = writeln!(
            out,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\" points=\"{}\"/>",
            points.join(" ")
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"{color}\">{}</text>",
            WIDTH - MARGIN - 8.0,
            MARGIN + 16.0 + 16.0 * ri as f64,
            escape(name)
        );
    }
    out.push_str("</svg>\n");
    out
}
