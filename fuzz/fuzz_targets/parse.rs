//! The parser on any text, read as it is, as one expression, and as LaTeX inside `$…$`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nabla::syntax::{parse_expression, parse_program};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_program(&text);
    let _ = parse_expression(&text);
    let _ = parse_program(&format!("${text}$"));
    let _ = parse_program(&format!("claim ${text}$ = 0"));
});
