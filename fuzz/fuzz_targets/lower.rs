//! Parsing, lowering and shape inference on any text, with and without declarations.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nabla::document::{Document, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Document::read(&text, &ReadOptions::default());
    let _ = Document::read(&text, &nabla_fuzz::options());
});
