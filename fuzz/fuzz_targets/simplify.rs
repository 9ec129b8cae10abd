//! Construction, expansion and display form (see `nabla_fuzz::simplify_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nabla_fuzz::simplify_target(data);
});
