//! Checker: arbitrary sources are parsed and checked (`compile_source`);
//! the diagnostics must point inside the source and render. A program that
//! compiles is linted and evaluated over empty evidence, with a small step
//! budget, and its decision must keep the decision invariants.
#![no_main]

use gate_eval::{Evidence, Limits, Options, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match gate_lang::compile_source("fuzz.gate", text) {
        Err(e) => {
            assert!(
                !e.errors.is_empty(),
                "compilation failed with no diagnostic"
            );
            gate_fuzz::assert_error_spans(&e.errors, &e.sources);
            let _ = e.render(false, 80);
        }
        Ok(program) => {
            gate_fuzz::assert_error_spans(&program.warnings, &program.sources);
            let findings = gate_lang::lint::lint(&program, &gate_lang::lint::Config::default());
            for f in &findings {
                gate_fuzz::assert_span(f.span, &program.sources, f.rule);
            }
            let _ = gate_lang::lint::render(&findings, &program.sources, false, 80);

            let Ok(policy) = Policy::from_source("fuzz.gate", text) else {
                panic!("compile_source accepted the gate but Policy::from_source did not");
            };
            // 2026-01-01T00:00:00Z
            let options = Options::default()
                .at(gate_eval::time::timestamp(1_767_225_600_000_000_000))
                .limits(Limits::default().max_steps(20_000).max_failures(10));
            for json in ["{}", "null"] {
                if let Ok(evidence) = Evidence::from_json_str("e.json", json) {
                    let decision = policy.evaluate(&evidence, &options);
                    gate_fuzz::assert_decision(&decision, options.limits.max_failures);
                }
            }
        }
    }
});
