//! Differentiation of random expressions (see `nabla_fuzz::diff_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nabla_fuzz::diff_target(data);
});
