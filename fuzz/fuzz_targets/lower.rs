//! Parsing, lowering and shape inference (see `nabla_fuzz::lower_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nabla_fuzz::lower_target(data);
});
