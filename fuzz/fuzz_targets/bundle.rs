//! Policy bundles: any bytes must read as a bundle or give an error, never
//! panic; a bundle that reads holds exactly the files its manifest lists,
//! with their digests, and its gate compiles or fails with an error.
#![no_main]

use gate_eval::bundle::Bundle;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = Bundle::read(data) else {
        return;
    };
    assert_eq!(bundle.digest(), gate_eval::sha256_hex(data));
    let manifest = bundle.manifest();
    assert_eq!(manifest.files.len(), bundle.files().len());
    for f in &manifest.files {
        let bytes = &bundle.files()[&f.path];
        assert_eq!(gate_eval::sha256_hex(bytes), f.digest);
        assert!(!f
            .path
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == ".."));
    }
    assert!(bundle.files().contains_key(&manifest.gate));
    let _ = bundle.policy(gate_eval::Policy::builder());
});
