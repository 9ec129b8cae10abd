//! Unicode text for the terminal, and Markdown with `$$` display math.

use super::latex::align_rows;
use super::{declarations, relation_sign};
use crate::expr::Pool;
use crate::print::{print, print_name, Dialect, PrintOptions};
use crate::solve::{Block, Equation, Inline, Solution, Table};
use std::fmt::Write;

/// Row width of Markdown's display math.
const MARKDOWN_WIDTH: usize = 70;

/// Terminal text: headings underlined, equations indented, each rule stated beneath.
pub fn unicode(s: &Solution, pool: &Pool) -> String {
    let mut out = String::new();
    let title = inline(&s.title, pool);
    let _ = writeln!(out, "{title}\n{}", "=".repeat(title.chars().count()));
    if !s.symbols.is_empty() {
        let _ = writeln!(out, "where {}", declarations(s, pool, Dialect::Unicode));
    }
    for block in &s.blocks {
        match block {
            Block::Heading(h) => {
                let h = inline(h, pool);
                let _ = writeln!(out, "\n{h}\n{}", "-".repeat(h.chars().count()));
            }
            Block::Text(t) => {
                let _ = writeln!(out, "{}", inline(t, pool));
            }
            Block::Equation(eq) => {
                let _ = writeln!(out, "  {}", equation_unicode(eq, pool));
                if let Some(r) = &eq.reason {
                    let _ = writeln!(out, "      by {}: {}", r.name, r.statement);
                }
            }
            Block::Table(t) => out.push_str(&table_unicode(t)),
        }
    }
    out
}

/// `lhs = a = b (at x = 1)`, the result marked with ▸ … ◂; multi-line pieces (matrices) are
/// set side by side.
fn equation_unicode(eq: &Equation, pool: &Pool) -> String {
    let mut pieces = vec![print(pool, eq.lhs, &PrintOptions::unicode())];
    let last = eq.chain.len().saturating_sub(1);
    for (i, (relation, e)) in eq.chain.iter().enumerate() {
        let e = print(pool, *e, &PrintOptions::unicode());
        pieces.push(format!(" {} ", relation_sign(*relation).0));
        if eq.boxed && i == last {
            pieces.extend(["▸ ".to_string(), e, " ◂".to_string()]);
        } else {
            pieces.push(e);
        }
    }
    if !eq.at.is_empty() {
        pieces.push(format!("   at {}", at(eq, pool, Dialect::Unicode)));
    }
    side_by_side(&pieces).replace('\n', "\n  ")
}

/// Sets multi-line texts next to each other, each centred vertically.
fn side_by_side(pieces: &[String]) -> String {
    let blocks: Vec<Vec<&str>> = pieces.iter().map(|p| p.lines().collect()).collect();
    let height = blocks.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let mut rows = vec![String::new(); height];
    for block in &blocks {
        let width = block.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let top = (height - block.len().max(1)) / 2;
        for (r, row) in rows.iter_mut().enumerate() {
            let line = r
                .checked_sub(top)
                .and_then(|k| block.get(k))
                .copied()
                .unwrap_or("");
            row.push_str(line);
            row.push_str(&" ".repeat(width - line.chars().count()));
        }
    }
    let trimmed: Vec<&str> = rows.iter().map(|r| r.trim_end()).collect();
    trimmed.join("\n")
}

/// Markdown: `#` headings, paragraphs, `$$\begin{aligned}…\end{aligned}$$` equations with the
/// rule in italics above, pipe tables.
pub fn markdown(s: &Solution, pool: &Pool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", inline_markdown(&s.title, pool));
    if !s.symbols.is_empty() {
        let _ = writeln!(
            out,
            "Throughout, {}.\n",
            declarations(s, pool, Dialect::Latex)
        );
    }
    for block in &s.blocks {
        match block {
            Block::Heading(h) => {
                let _ = writeln!(out, "## {}\n", inline_markdown(h, pool));
            }
            Block::Text(t) => {
                let _ = writeln!(out, "{}\n", inline_markdown(t, pool));
            }
            Block::Equation(eq) => {
                if let Some(r) = &eq.reason {
                    let _ = writeln!(out, "*{}*: {}\n", r.name, r.statement);
                }
                let _ = writeln!(out, "$$\n\\begin{{aligned}}\n{}\n\\end{{aligned}}\n$$\n", {
                    align_rows(eq, pool, MARKDOWN_WIDTH, false)
                });
                if !eq.at.is_empty() {
                    let _ = writeln!(out, "at ${}$\n", at(eq, pool, Dialect::Latex));
                }
            }
            Block::Table(t) => out.push_str(&table_markdown(t)),
        }
    }
    out
}

fn at(eq: &Equation, pool: &Pool, dialect: Dialect) -> String {
    let options = PrintOptions::for_dialect(dialect);
    let parts: Vec<String> = eq
        .at
        .iter()
        .map(|(name, v)| {
            format!(
                "{} = {}",
                print_name(name, dialect),
                print(pool, *v, &options)
            )
        })
        .collect();
    parts.join(", ")
}

fn inline(parts: &[Inline], pool: &Pool) -> String {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => t.clone(),
            Inline::Math(id) => print(pool, *id, &PrintOptions::unicode()),
        })
        .collect()
}

fn inline_markdown(parts: &[Inline], pool: &Pool) -> String {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => t.clone(),
            Inline::Math(id) => format!("${}$", print(pool, *id, &PrintOptions::latex())),
        })
        .collect()
}

fn table_unicode(t: &Table) -> String {
    let cols = t.header.len();
    let mut widths: Vec<usize> = t.header.iter().map(|h| h.chars().count()).collect();
    for row in &t.rows {
        for (i, c) in row.iter().enumerate().take(cols) {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, &w)| format!("{}{c}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        format!("  {}\n", padded.join("  "))
    };
    let mut out = line(&t.header);
    let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
    out.push_str(&format!("  {}\n", rule.join("  ")));
    for row in &t.rows {
        out.push_str(&line(row));
    }
    out
}

fn table_markdown(t: &Table) -> String {
    let mut out = format!("| {} |\n", t.header.join(" | "));
    out.push_str(&format!("|{}\n", "---:|".repeat(t.header.len())));
    for row in &t.rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out.push('\n');
    out
}
