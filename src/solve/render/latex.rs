//! LaTeX: a standalone article (amsmath) that pdflatex compiles, and a KaTeX-safe fragment.

use super::breaking::{rows, Piece};
use super::{declarations, relation_sign};
use crate::expr::Pool;
use crate::print::{print, print_name, Dialect, PrintOptions};
use crate::solve::{Block, Equation, Inline, Solution, Table};
use std::fmt::Write;

/// Row width (in characters) of an equation in the document: fits an 11pt article's text width.
const DOCUMENT_WIDTH: usize = 46;
/// Row width of the fragment, which has no page to fit but should stay readable.
const FRAGMENT_WIDTH: usize = 70;

/// A complete document.
pub fn document(s: &Solution, pool: &Pool) -> String {
    let mut out = String::new();
    out.push_str(
        "\\documentclass[11pt]{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage{graphicx}\n\
         \\setlength{\\parindent}{0pt}\n\\setlength{\\parskip}{0.6em}\n\\allowdisplaybreaks\n\\sloppy\n\\setlength{\\emergencystretch}{3em}\n\
         \\begin{document}\n",
    );
    let _ = writeln!(out, "\\section*{{{}}}", heading(&s.title, pool));
    if !s.symbols.is_empty() {
        let decls = declarations(s, pool, Dialect::Latex);
        let _ = writeln!(out, "Throughout, {decls}.\n");
    }
    for block in &s.blocks {
        match block {
            Block::Heading(h) => {
                let _ = writeln!(out, "\\subsection*{{{}}}\n", heading(h, pool));
            }
            Block::Text(t) => {
                let _ = writeln!(out, "{}\n", inline(t, pool));
            }
            Block::Equation(eq) => {
                if let Some(r) = &eq.reason {
                    let _ = writeln!(
                        out,
                        "\\textit{{{}}}: {}.",
                        text(&r.name),
                        text(&r.statement)
                    );
                }
                out.push_str("\\begin{align*}\n");
                out.push_str(&align_rows(eq, pool, DOCUMENT_WIDTH, true));
                out.push_str("\n\\end{align*}\n");
                if !eq.at.is_empty() {
                    let _ = writeln!(out, "at {}.\n", at_text(eq, pool));
                }
            }
            Block::Table(t) => out.push_str(&table(t)),
        }
    }
    out.push_str("\\end{document}\n");
    out
}

/// The math alone: every equation as rows of one `aligned` block, the rule's name beside it.
pub fn fragment(s: &Solution, pool: &Pool) -> String {
    let mut rows_out: Vec<String> = Vec::new();
    for block in &s.blocks {
        if let Block::Equation(eq) = block {
            let mut r = align_rows(eq, pool, FRAGMENT_WIDTH, false);
            if let Some(reason) = &eq.reason {
                // The rule's name beside the equation's first row.
                let note = format!(" && \\text{{{}}}", text(&reason.name));
                match r.find(" \\\\\n") {
                    Some(i) => r.insert_str(i, &note),
                    None => r.push_str(&note),
                }
            }
            if !eq.at.is_empty() {
                let _ = write!(r, " \\\\\n&\\quad \\text{{at }} {}", at_math(eq, pool));
            }
            rows_out.push(r);
        }
    }
    format!(
        "\\begin{{aligned}}\n{}\n\\end{{aligned}}\n",
        rows_out.join(" \\\\[4pt]\n")
    )
}

/// `lhs &= a \\ &= b …`, long expressions broken into rows that continue with `&\quad`; in a
/// document an unbreakable row that is still too wide is scaled to the line.
pub(super) fn align_rows(eq: &Equation, pool: &Pool, limit: usize, document: bool) -> String {
    let lhs = print(pool, eq.lhs, &PrintOptions::latex());
    let lhs_width = print(pool, eq.lhs, &PrintOptions::unicode())
        .chars()
        .count();
    let mut out: Vec<String> = Vec::new();
    let mut first_used = lhs_width + 3;
    let mut prefix = lhs.clone();
    if lhs_width > limit / 2 {
        out.push(fit(format!("& {lhs}"), lhs_width, limit, document));
        prefix = String::new();
        first_used = 3;
    }
    let last = eq.chain.len().saturating_sub(1);
    for (i, (relation, e)) in eq.chain.iter().enumerate() {
        let sign = relation_sign(*relation).1;
        let mut pieces: Vec<Piece> = rows(pool, *e, limit, first_used);
        let too_wide = pieces.first().is_some_and(|p| p.width > limit + limit / 4);
        if too_wide && !prefix.is_empty() {
            // An unbreakable first row: the left side goes on a row of its own.
            out.push(fit(format!("& {prefix}"), lhs_width, limit, document));
            prefix = String::new();
            pieces = rows(pool, *e, limit, 3);
        }
        let boxed = eq.boxed && i == last && pieces.len() == 1;
        for (k, p) in pieces.into_iter().enumerate() {
            let body = if boxed {
                format!("\\boxed{{{}}}", p.latex)
            } else {
                p.latex
            };
            let row = if k == 0 {
                format!("{prefix} &{sign} {body}")
            } else {
                format!("&\\quad {body}")
            };
            out.push(fit(row, p.width, limit, document));
        }
        prefix = String::new();
        first_used = 3;
    }
    out.join(" \\\\\n")
}

/// Scales a row that is wider than the line (a document only; KaTeX has no `\resizebox`).
fn fit(row: String, width: usize, limit: usize, document: bool) -> String {
    if !document || width <= limit + limit / 4 {
        return row;
    }
    // Keep the alignment point outside the box.
    match row.split_once('&') {
        Some((before, after)) => {
            let (sign, rest) = match after.split_once(' ') {
                Some((s, r)) => (s, r),
                None => ("", after),
            };
            format!(
                "{before}&{sign} \\resizebox{{0.85\\linewidth}}{{!}}{{$\\displaystyle {rest}$}}"
            )
        }
        None => row,
    }
}

fn at_text(eq: &Equation, pool: &Pool) -> String {
    format!("${}$", at_math(eq, pool))
}

fn at_math(eq: &Equation, pool: &Pool) -> String {
    let parts: Vec<String> = eq
        .at
        .iter()
        .map(|(name, v)| {
            format!(
                "{} = {}",
                print_name(name, Dialect::Latex),
                print(pool, *v, &PrintOptions::latex())
            )
        })
        .collect();
    parts.join(", ")
}

/// Widest expression (Unicode characters) written inside a heading; a wider one is named "the
/// expression" there (the equations below show it, broken over rows).
const HEADING_MATH_WIDTH: usize = 36;

fn heading(parts: &[Inline], pool: &Pool) -> String {
    parts
        .iter()
        .map(|p| match p {
            Inline::Math(id)
                if print(pool, *id, &PrintOptions::unicode()).chars().count()
                    > HEADING_MATH_WIDTH =>
            {
                "the expression".to_string()
            }
            p => inline(std::slice::from_ref(p), pool),
        })
        .collect()
}

fn inline(parts: &[Inline], pool: &Pool) -> String {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => text(t),
            Inline::Math(id) => format!("${}$", print(pool, *id, &PrintOptions::latex())),
        })
        .collect()
}

fn table(t: &Table) -> String {
    let cols = t.header.len().max(1);
    let mut out = format!(
        "\\begin{{center}}\n\\begin{{tabular}}{{{}}}\n",
        "r".repeat(cols)
    );
    let header: Vec<String> = t.header.iter().map(|h| text(h)).collect();
    let _ = writeln!(out, "{} \\\\\n\\hline", header.join(" & "));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| text(c)).collect();
        let _ = writeln!(out, "{} \\\\", cells.join(" & "));
    }
    out.push_str("\\end{tabular}\n\\end{center}\n");
    out
}

/// Prose with Unicode math characters, as LaTeX text: specials escaped, math characters set as
/// `$…$` (so it works in pdflatex, inside `\text{}` and in KaTeX alike).
pub fn text(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(script) = superscript(c) {
            let mut run = String::from(script);
            while let Some(n) = chars.peek().and_then(|&n| superscript(n)) {
                run.push_str(n);
                chars.next();
            }
            let _ = write!(out, "$^{{{run}}}$");
            continue;
        }
        if let Some(script) = subscript(c) {
            let mut run = String::from(script);
            while let Some(n) = chars.peek().and_then(|&n| subscript(n)) {
                run.push_str(n);
                chars.next();
            }
            let _ = write!(out, "$_{{{run}}}$");
            continue;
        }
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '−' => out.push('-'),
            '–' => out.push_str("--"),
            '—' => out.push_str("---"),
            '′' => out.push('\''),
            '‘' => out.push('`'),
            '’' => out.push('\''),
            '“' => out.push_str("``"),
            '”' => out.push_str("''"),
            '…' => out.push_str("\\ldots{}"),
            '½' => out.push_str("$\\tfrac{1}{2}$"),
            c if c.is_ascii() => out.push(c),
            c => match math_symbol(c) {
                Some(m) => {
                    let _ = write!(out, "${m}$");
                }
                None => out.push('?'),
            },
        }
    }
    out
}

fn math_symbol(c: char) -> Option<&'static str> {
    Some(match c {
        '·' => "\\cdot",
        '×' => "\\times",
        '‖' => "\\|",
        '⊙' => "\\odot",
        '⊗' => "\\otimes",
        '∑' => "\\sum",
        '∇' => "\\nabla",
        '∂' => "\\partial",
        '⇔' => "\\Leftrightarrow",
        '⇒' => "\\Rightarrow",
        '→' => "\\to",
        '≠' => "\\neq",
        '≈' => "\\approx",
        '≤' => "\\le",
        '≥' => "\\ge",
        '∈' => "\\in",
        '√' => "\\surd",
        '⟨' => "\\langle",
        '⟩' => "\\rangle",
        'ℝ' => "\\mathbb{R}",
        '✓' => "\\checkmark",
        '✗' => "\\times",
        '∞' => "\\infty",
        'α' => "\\alpha",
        'β' => "\\beta",
        'γ' => "\\gamma",
        'δ' => "\\delta",
        'ε' => "\\varepsilon",
        'η' => "\\eta",
        'θ' => "\\theta",
        'λ' => "\\lambda",
        'μ' => "\\mu",
        'π' => "\\pi",
        'ρ' => "\\rho",
        'σ' => "\\sigma",
        'τ' => "\\tau",
        'φ' => "\\varphi",
        'ω' => "\\omega",
        'Δ' => "\\Delta",
        'Σ' => "\\Sigma",
        'Λ' => "\\Lambda",
        _ => return None,
    })
}

fn superscript(c: char) -> Option<&'static str> {
    Some(match c {
        '⁰' => "0",
        '¹' => "1",
        '²' => "2",
        '³' => "3",
        '⁴' => "4",
        '⁵' => "5",
        '⁶' => "6",
        '⁷' => "7",
        '⁸' => "8",
        '⁹' => "9",
        '⁻' => "-",
        '⁺' => "+",
        'ᵀ' => "\\top",
        'ⁿ' => "n",
        'ᵏ' => "k",
        'ʲ' => "j",
        'ᵃ' => "a",
        'ᵇ' => "b",
        'ᵘ' => "u",
        'ᵛ' => "v",
        'ᵐ' => "m",
        'ⁱ' => "i",
        _ => return None,
    })
}

fn subscript(c: char) -> Option<&'static str> {
    Some(match c {
        '₀' => "0",
        '₁' => "1",
        '₂' => "2",
        '₃' => "3",
        '₄' => "4",
        '₅' => "5",
        '₆' => "6",
        '₇' => "7",
        '₈' => "8",
        '₉' => "9",
        'ᵢ' => "i",
        'ⱼ' => "j",
        'ₖ' => "k",
        'ₓ' => "x",
        'ₙ' => "n",
        'ₘ' => "m",
        _ => return None,
    })
}
