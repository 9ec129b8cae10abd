//! Print → read back gives the same expression in every dialect (see
//! `nabla_fuzz::roundtrip_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(message) = nabla_fuzz::roundtrip_target(data) {
        panic!("{message}");
    }
});
