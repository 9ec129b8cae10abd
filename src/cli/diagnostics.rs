//! Diagnostics rendered with the source line and an underline.

use annotate_snippets::{Level, Renderer, Snippet};
use nabla::document::SourceError;
use std::io::IsTerminal;

/// Should output be coloured? Only on a terminal, and never with `NO_COLOR` set.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Renders a diagnostic against the text its spans index into.
pub fn render(error: &SourceError, origin: &str) -> String {
    let d = &error.diagnostic;
    let source = error.source.as_str();
    // The renderer misplaces a span that starts at the very end of the text: point at the last
    // character instead.
    let content_end = source.trim_end().len();
    let clamp = |r: std::ops::Range<usize>| {
        let r = if r.start >= content_end && content_end > 0 {
            let last = source[..content_end]
                .char_indices()
                .next_back()
                .map_or(0, |(i, _)| i);
            last..content_end
        } else {
            r
        };
        let end = r.end.min(source.len());
        let mut start = r.start.min(end);
        while start > 0 && !source.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = end;
        while end < source.len() && !source.is_char_boundary(end) {
            end += 1;
        }
        start..end
    };
    let title = format!("{} [{}]", d.message, d.kind.code());
    let mut snippet = Snippet::source(source).origin(origin).fold(true);
    for (i, label) in d.labels.iter().enumerate() {
        let level = if i == 0 { Level::Error } else { Level::Info };
        snippet = snippet.annotation(level.span(clamp(label.span.range())).label(&label.message));
    }
    let mut message = Level::Error.title(&title).snippet(snippet);
    if let Some(hint) = &d.hint {
        message = message.footer(Level::Help.title(hint));
    }
    let renderer = if use_color() {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let rendered = renderer.render(message).to_string();
    rendered
}

/// The diagnostic as JSON (kind, message, hint, labelled places with line and column).
pub fn to_json(error: &SourceError) -> serde_json::Value {
    let d = &error.diagnostic;
    let labels: Vec<serde_json::Value> = d
        .labels
        .iter()
        .map(|l| {
            let (line, column) = l.span.line_col(&error.source);
            serde_json::json!({
                "start": l.span.start, "end": l.span.end,
                "line": line, "column": column, "message": l.message,
            })
        })
        .collect();
    serde_json::json!({
        "error": { "kind": d.kind.code(), "message": d.message, "hint": d.hint, "labels": labels }
    })
}
