//! The checker on any text (read as a derivation file), with few trials for speed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nabla::check::{check_program, CheckOptions};
use nabla::check::compare::CompareOptions;
use nabla::document::Document;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = CheckOptions {
        compare: CompareOptions {
            trials: 3,
            min_valid: 1,
            max_attempts: 8,
            ..CompareOptions::default()
        },
        max_terms: 500,
        time_limit: Some(Duration::from_secs(2)),
        ..CheckOptions::default()
    };
    for read in [nabla::document::ReadOptions::default(), nabla_fuzz::options()] {
        if let Ok(mut doc) = Document::read(&text, &read) {
            let _ = check_program(&mut doc.lowered, &options);
        }
    }
});
