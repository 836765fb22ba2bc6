//! `gate-bench`: gate against regorus (Rego), OPA (Rego, when its library is
//! found: `bench/opa.sh`), CEL and jq on release-gate evidence, with two
//! hand-written Rust baselines.
//!
//! ```text
//! cargo run --release --manifest-path bench/Cargo.toml -- all [--out FILE]
//! cargo run --release --manifest-path bench/Cargo.toml -- check
//! gate-bench oneshot ENGINE FILE      read, parse, compile, evaluate (one CI run)
//! gate-bench gen SIZE VARIANT FILE    write a generated document
//! ```

mod engines;
mod measure;
mod report;
mod workload;

use anyhow::{anyhow, bail, Result};
use engines::{Engine, Found};
use measure::{Budget, Stats};
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use workload::{Size, Variant, Workload};

/// Engines by the key used on the command line.
const ENGINE_KEYS: &[&str] = &[
    "gate",
    "rego",
    "rego-interp",
    "opa",
    "cel",
    "jq",
    "value",
    "typed",
];

/// Everything one run measured.
#[derive(Default)]
pub struct Results {
    /// Engine names, in the order measured.
    pub engines: Vec<&'static str>,
    /// Policy compile time.
    pub compile: HashMap<&'static str, Stats>,
    /// Evidence load (parse into the engine's input form), clean documents.
    pub load: HashMap<(&'static str, Size), Stats>,
    /// Evaluation on loaded evidence.
    pub eval: HashMap<(&'static str, Size, Variant), Stats>,
    /// One-shot process: wall time and peak RSS (median of the runs).
    pub oneshot: HashMap<(&'static str, Size, Variant), (Stats, u64)>,
    /// gate: compile of a generated 1,000-rule gate.
    pub compile_1000: Option<Stats>,
    /// gate, flood documents: (failures kept in the record, failures counted).
    pub flood_kept: HashMap<Size, (usize, usize)>,
    /// The documents: size, variant, bytes, failing items.
    pub workloads: Vec<(Size, Variant, usize, usize)>,
    /// Seconds the whole run took.
    pub total_seconds: f64,
    /// Notes for the report's header (an engine's version, or why it was
    /// skipped).
    pub notes: Vec<String>,
}

struct Run {
    start: Instant,
    workloads: Vec<Workload>,
    dir: PathBuf,
    res: Results,
}

impl Run {
    fn progress(&self, what: &str) {
        eprintln!("[{:>6.1}s] {what}", self.start.elapsed().as_secs_f64());
    }

    fn workload(&self, size: Size, variant: Variant) -> Result<&Workload> {
        self.workloads
            .iter()
            .find(|w| w.size == size && w.variant == variant)
            .ok_or_else(|| anyhow!("no workload {size:?} {variant:?}"))
    }

    fn path(&self, size: Size, variant: Variant) -> PathBuf {
        self.dir
            .join(format!("{}-{}.json", size.name(), variant.name()))
    }
}

fn expected_rules(w: &Workload) -> String {
    let rules: BTreeSet<&str> = w.expected.iter().map(|(r, _)| r.as_str()).collect();
    rules.into_iter().collect::<Vec<_>>().join(",")
}

fn check_findings(name: &str, w: &Workload, found: &Found) -> Result<()> {
    let got = &found.items;
    let rules = found
        .rules
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(",");
    let ok = if found.complete {
        *got == w.expected
    } else {
        // An engine that keeps only the first failures of a rule: what it
        // kept must be right, and the same rules must fail.
        got.is_subset(&w.expected)
    };
    let ok = ok && rules == expected_rules(w);
    if !ok {
        let missing: Vec<_> = w.expected.difference(got).take(5).collect();
        let extra: Vec<_> = got.difference(&w.expected).take(5).collect();
        bail!(
            "{name} on {} {}: {} items (complete: {}), expected {}; missing {missing:?}, unexpected {extra:?}; failed rules {rules}",
            w.size.name(),
            w.variant.name(),
            got.len(),
            found.complete,
            w.expected.len()
        );
    }
    Ok(())
}

/// Evaluates `e` on every workload in `which` and compares its failing items
/// with the generator's.
fn verify<E: Engine>(e: &E, run: &Run, which: &[(Size, Variant)]) -> Result<()> {
    let policy = e.compile()?;
    for &(size, variant) in which {
        let w = run.workload(size, variant)?;
        let input = e.load(&policy, &w.json)?;
        // Twice: an engine that keeps state between evaluations must give the
        // same answer again.
        for _ in 0..2 {
            let out = e.eval(&policy, &input)?;
            check_findings(e.name(), w, &e.findings(&out)?)?;
        }
    }
    Ok(())
}

/// OPA if its library is found; why not if none is (the row is skipped);
/// an error if one was found or named but cannot be used.
fn find_opa() -> Result<std::result::Result<engines::Opa, String>> {
    match engines::Opa::find() {
        Ok(e) => Ok(Ok(e)),
        Err(why @ engines::OpaMissing::NotFound) => Ok(Err(why.to_string())),
        Err(why) => bail!("{why}"),
    }
}

/// Which measurements an engine takes part in.
struct Plan {
    sizes: &'static [Size],
    flood: bool,
    /// Whether loading is a step of its own (OPA parses the input inside
    /// each evaluation).
    load: bool,
}

fn bench_engine<E: Engine>(e: &E, run: &mut Run, plan: &Plan) -> Result<()> {
    let name = e.name();
    run.res.engines.push(name);
    run.progress(&format!("{name}: compile"));
    let compile = measure::time(Budget::new(5, 200, 300), || e.compile())?;
    run.res.compile.insert(name, compile);
    let policy = e.compile()?;

    for &size in plan.sizes {
        let mut variants = vec![Variant::Clean, Variant::Dirty];
        if plan.flood && size != Size::Small {
            variants.push(Variant::Flood);
        }
        for variant in variants {
            let bytes = run.workload(size, variant)?.json.clone();
            if plan.load && variant == Variant::Clean && size != Size::Small {
                run.progress(&format!("{name}: load {}", size.name()));
                let budget = match size {
                    Size::Large => Budget::new(3, 5, 2_000),
                    _ => Budget::new(5, 50, 600),
                };
                let s = measure::time(budget, || e.load(&policy, &bytes))?;
                run.res.load.insert((name, size), s);
            }
            run.progress(&format!("{name}: eval {} {}", size.name(), variant.name()));
            let input = e.load(&policy, &bytes)?;
            let out = e.eval(&policy, &input)?;
            check_findings(name, run.workload(size, variant)?, &e.findings(&out)?)?;
            drop(out);
            let budget = match size {
                Size::Large => Budget::new(3, 7, 2_000),
                Size::Medium => Budget::new(5, 50, 600),
                Size::Small => Budget::new(10, 200, 700),
            };
            let s = measure::time(budget, || e.eval(&policy, &input))?;
            run.res.eval.insert((name, size, variant), s);
        }
    }
    Ok(())
}

fn bench_oneshot(run: &mut Run, key: &str, name: &'static str) -> Result<()> {
    for (size, variant) in [
        (Size::Medium, Variant::Clean),
        (Size::Large, Variant::Clean),
        (Size::Large, Variant::Dirty),
    ] {
        run.progress(&format!(
            "{name}: one-shot {} {}",
            size.name(),
            variant.name()
        ));
        let path = run.path(size, variant);
        let path = path.to_string_lossy().into_owned();
        let expected = expected_rules(run.workload(size, variant)?);
        let mut walls = Vec::new();
        let mut rss = Vec::new();
        loop {
            let r = measure::run_child(&["oneshot", key, &path])?;
            let want = format!("failed={expected}\n");
            if !r.stdout.contains(&want) {
                bail!(
                    "{name} one-shot on {path}: printed {:?}, expected {want}",
                    r.stdout.trim()
                );
            }
            walls.push(r.wall);
            let hwm = r
                .stdout
                .lines()
                .find_map(|l| l.strip_prefix("vmhwm="))
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| anyhow!("{name} one-shot printed no peak memory"))?;
            rss.push(hwm);
            // Three runs, or two for runs longer than three seconds.
            let enough = walls.len() >= 3 || (walls.len() >= 2 && r.wall > 3.0);
            if enough {
                break;
            }
        }
        let min = walls.iter().copied().fold(f64::INFINITY, f64::min);
        let n = walls.len();
        walls.sort_by(f64::total_cmp);
        rss.sort_unstable();
        let med = |xs: &[f64]| -> f64 {
            let n = xs.len();
            match n % 2 {
                1 => xs.get(n / 2).copied().unwrap_or(0.0),
                _ => {
                    (xs.get(n / 2 - 1).copied().unwrap_or(0.0)
                        + xs.get(n / 2).copied().unwrap_or(0.0))
                        / 2.0
                }
            }
        };
        let stats = Stats {
            median: med(&walls),
            min,
            samples: n,
            batch: 1,
        };
        let rss_med = rss.get(rss.len() / 2).copied().unwrap_or(0);
        run.res
            .oneshot
            .insert((name, size, variant), (stats, rss_med));
    }
    Ok(())
}

/// A gate of `n` rules, variations of the benchmark's nine.
pub fn generated_gate(n: usize) -> String {
    let head = engines::GATE_POLICY
        .split("let MAX_AGE")
        .next()
        .unwrap_or_default()
        .replace("gate bench {", "gate bench_generated {");
    let mut s = head;
    s.push_str("let MAX_AGE = 90d\n\n");
    for i in 0..n {
        let days = 30 + i % 300;
        let rule = match i % 9 {
            0 => format!("require secrets.all(vaulted or rotated_at > evaluated_at - {days}d) else \"secret {{id}} ({i})\""),
            1 => format!("require secrets.all(evaluated_at - rotated_at <= {days}d) else \"secret {{id}} rotated {{rotated_at}}\""),
            2 => format!("require service_accounts.all(owner != null and owner != \"team-{i}\") else \"account {{id}}\""),
            3 => format!("require service_accounts.all(not privileged or last_review_at != null and evaluated_at - last_review_at <= {days}d)\n    else \"account {{id}} reviewed {{last_review_at}}\""),
            4 => "require approvals.includes(security, owner, ops)".to_string(),
            5 => format!("require approvals.all(artefact_digest == artefact.digest or role == qa) else \"{{role}} ({i})\""),
            6 => "require deployment.rollback.planned and deployment.rollback.tested".to_string(),
            7 => format!("require deployment.monitoring.destination in [\"siem\", \"siem-{i}\"]"),
            _ => format!("require deployment.oncall != null and deployment.oncall != \"oncall-{i}\""),
        };
        s.push_str(&format!(
            "rule r{i:04} \"Generated rule {i}\" {{\n  {rule}\n}}\n\n"
        ));
    }
    s
}

fn run_all(out: Option<&Path>) -> Result<()> {
    let start = Instant::now();
    let dir = std::env::temp_dir().join(format!("gate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut run = Run {
        start,
        workloads: Vec::new(),
        dir,
        res: Results::default(),
    };
    run.progress("generating the workloads");
    for size in [Size::Small, Size::Medium, Size::Large] {
        for variant in [Variant::Clean, Variant::Dirty, Variant::Flood] {
            if size == Size::Small && variant == Variant::Flood {
                continue;
            }
            let w = workload::generate(size, variant);
            std::fs::write(run.path(size, variant), &w.json)?;
            run.res
                .workloads
                .push((size, variant, w.json.len(), w.expected.len()));
            run.workloads.push(w);
        }
    }
    let all: Vec<(Size, Variant)> = run.workloads.iter().map(|w| (w.size, w.variant)).collect();

    run.progress("verifying: every engine must find the planted failures, and only them");
    verify(
        &engines::Gate {
            max_failures: usize::MAX,
        },
        &run,
        &all,
    )?;
    let small_medium: Vec<_> = all
        .iter()
        .copied()
        .filter(|(s, _)| *s != Size::Large)
        .collect();
    verify(&engines::RegoVm, &run, &small_medium)?;
    verify(&engines::RegoInterp, &run, &small_medium)?;
    let opa = find_opa()?;
    match &opa {
        Ok(e) => {
            verify(e, &run, &small_medium)?;
            run.res.notes.push(format!(
                "OPA: {}, from `{}` (the Go c-shared library of the PyPI wheel opa-golib-python-bindings, through its C API)",
                e.version(),
                e.path().display()
            ));
        }
        Err(why) => {
            run.progress(why);
            run.res.notes.push(why.clone());
        }
    }
    verify(&engines::Cel, &run, &small_medium)?;
    verify(&engines::Jq, &run, &small_medium)?;
    verify(&engines::RustValue, &run, &small_medium)?;
    verify(&engines::RustTyped, &run, &small_medium)?;

    const ALL: &[Size] = &[Size::Small, Size::Medium, Size::Large];
    bench_engine(
        &engines::Gate { max_failures: 100 },
        &mut run,
        &Plan {
            sizes: ALL,
            flood: true,
            load: true,
        },
    )?;
    bench_engine(
        &engines::RegoVm,
        &mut run,
        &Plan {
            sizes: ALL,
            flood: false,
            load: true,
        },
    )?;
    bench_engine(
        &engines::RegoInterp,
        &mut run,
        &Plan {
            sizes: ALL,
            flood: false,
            load: true,
        },
    )?;
    if let Ok(e) = &opa {
        bench_engine(
            e,
            &mut run,
            &Plan {
                sizes: ALL,
                flood: false,
                load: false,
            },
        )?;
    }
    bench_engine(
        &engines::Cel,
        &mut run,
        &Plan {
            sizes: ALL,
            flood: false,
            load: true,
        },
    )?;
    bench_engine(
        &engines::Jq,
        &mut run,
        &Plan {
            sizes: ALL,
            flood: false,
            load: true,
        },
    )?;
    bench_engine(
        &engines::RustValue,
        &mut run,
        &Plan {
            sizes: ALL,
            flood: true,
            load: true,
        },
    )?;
    bench_engine(
        &engines::RustTyped,
        &mut run,
        &Plan {
            sizes: ALL,
            flood: true,
            load: true,
        },
    )?;

    run.progress("gate: compile a 1,000-rule gate");
    let text = generated_gate(1000);
    engines::compile_gate(&text)?;
    run.res.compile_1000 = Some(measure::time(Budget::new(5, 30, 1_500), || {
        engines::compile_gate(&text)
    })?);

    for size in [Size::Medium, Size::Large] {
        let e = engines::Gate { max_failures: 100 };
        let w = run.workload(size, Variant::Flood)?;
        let d = {
            let policy = e.compile()?;
            e.eval(&policy, &e.load(&policy, &w.json)?)?
        };
        let kept = d.rules.iter().map(|r| r.failures.len()).sum();
        let total = d.rules.iter().map(|r| r.failures_total).sum();
        run.res.flood_kept.insert(size, (kept, total));
    }

    for (key, name) in [
        ("gate", "gate"),
        ("rego", "regorus (RVM)"),
        ("rego-interp", "regorus (interpreter)"),
        ("opa", "OPA"),
        ("cel", "CEL (cel)"),
        ("jq", "jq (jaq)"),
        ("value", "Rust over Value"),
        ("typed", "Rust over derived structs"),
    ] {
        if key == "opa" && opa.is_err() {
            continue;
        }
        bench_oneshot(&mut run, key, name)?;
    }

    run.res.total_seconds = start.elapsed().as_secs_f64();
    run.progress("done");
    let _ = std::fs::remove_dir_all(&run.dir);
    let md = report::render(&run.res);
    match out {
        Some(p) => {
            std::fs::write(p, &md)?;
            eprintln!("wrote {}", p.display());
        }
        None => print!("{md}"),
    }
    Ok(())
}

fn oneshot_engine<E: Engine>(e: &E, file: &str) -> Result<()> {
    let bytes = std::fs::read(file)?;
    let policy = e.compile()?;
    let input = e.load_owned(&policy, bytes)?;
    let out = e.eval(&policy, &input)?;
    let found = e.findings(&out)?;
    let decision = if found.rules.is_empty() {
        "pass"
    } else {
        "fail"
    };
    let rules = found
        .rules
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(",");
    println!("{} decision={decision} failed={rules}", e.name());
    // The peak resident memory of this process image (not inherited from
    // the parent, unlike `ru_maxrss`: see `measure::run_child`).
    println!("vmhwm={}", measure::own_peak_rss().unwrap_or(0));
    Ok(())
}

fn oneshot(key: &str, file: &str) -> Result<()> {
    match key {
        "gate" => oneshot_engine(&engines::Gate { max_failures: 100 }, file),
        "rego" => oneshot_engine(&engines::RegoVm, file),
        "rego-interp" => oneshot_engine(&engines::RegoInterp, file),
        "opa" => oneshot_engine(&engines::Opa::find().map_err(|e| anyhow!("{e}"))?, file),
        "cel" => oneshot_engine(&engines::Cel, file),
        "jq" => oneshot_engine(&engines::Jq, file),
        "value" => oneshot_engine(&engines::RustValue, file),
        "typed" => oneshot_engine(&engines::RustTyped, file),
        _ => bail!("unknown engine {key}: one of {}", ENGINE_KEYS.join(", ")),
    }
}

/// gate's one-shot, phase by phase (medians of five), for the profile in
/// docs/performance.md.
fn phases(file: &str) -> Result<()> {
    let budget = Budget::new(5, 5, 0);
    let bytes = std::fs::read(file)?;
    let limits = gate_eval::LoadLimits::default()
        .max_bytes(1 << 30)
        .max_depth(64);
    let e = engines::Gate { max_failures: 100 };
    let show = |what: &str, s: Stats| println!("{what:<58} {}", report::dur(s.median));
    show(
        "read the file",
        measure::time(budget, || Ok(std::fs::read(file)?))?,
    );
    show(
        "parse JSON to serde_json::Value (gate_eval::load::parse)",
        measure::time(budget, || {
            gate_eval::load::parse(gate_eval::Format::Json, &bytes, &limits)
                .map_err(|e| anyhow!("{e:?}"))
        })?,
    );
    show(
        "SHA-256 of the bytes (the evidence digest)",
        measure::time(budget, || Ok(gate_eval::sha256_hex(&bytes)))?,
    );
    show("compile the policy", measure::time(budget, || e.compile())?);
    let policy = e.compile()?;
    show(
        "Policy::evidence_builder ... build (schema-driven load + SHA-256)",
        measure::time(budget, || e.load(&policy, &bytes))?,
    );
    show(
        "Policy::digest (hashes the sources; once per evaluate)",
        measure::time(budget, || Ok(policy.digest()))?,
    );
    let input = e.load(&policy, &bytes)?;
    show(
        "Policy::evaluate (typing, rules, explanations, redaction)",
        measure::time(budget, || e.eval(&policy, &input))?,
    );
    Ok(())
}

fn parse_size(s: &str) -> Result<Size> {
    Ok(match s {
        "small" => Size::Small,
        "medium" => Size::Medium,
        "large" => Size::Large,
        _ => bail!("size: small, medium or large"),
    })
}

fn parse_variant(s: &str) -> Result<Variant> {
    Ok(match s {
        "clean" => Variant::Clean,
        "dirty" => Variant::Dirty,
        "flood" => Variant::Flood,
        _ => bail!("variant: clean, dirty or flood"),
    })
}

fn check_only() -> Result<()> {
    let mut run = Run {
        start: Instant::now(),
        workloads: Vec::new(),
        dir: std::env::temp_dir(),
        res: Results::default(),
    };
    for size in [Size::Small, Size::Medium] {
        for variant in [Variant::Clean, Variant::Dirty, Variant::Flood] {
            run.workloads.push(workload::generate(size, variant));
        }
    }
    let all: Vec<(Size, Variant)> = run.workloads.iter().map(|w| (w.size, w.variant)).collect();
    verify(
        &engines::Gate {
            max_failures: usize::MAX,
        },
        &run,
        &all,
    )?;
    run.progress("gate ok");
    verify(&engines::RegoVm, &run, &all)?;
    run.progress("regorus (RVM) ok");
    verify(&engines::RegoInterp, &run, &all)?;
    run.progress("regorus (interpreter) ok");
    match find_opa()? {
        Ok(e) => {
            verify(&e, &run, &all)?;
            run.progress(&format!("OPA ok: {}", e.version()));
        }
        Err(why) => run.progress(&why),
    }
    verify(&engines::Cel, &run, &all)?;
    run.progress("CEL ok");
    verify(&engines::Jq, &run, &all)?;
    run.progress("jq ok");
    verify(&engines::RustValue, &run, &all)?;
    verify(&engines::RustTyped, &run, &all)?;
    run.progress("baselines ok");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = match a.as_slice() {
        ["all"] => run_all(None),
        ["all", "--out", file] => run_all(Some(Path::new(file))),
        ["check"] => check_only(),
        ["oneshot", key, file] => oneshot(key, file),
        ["gen", size, variant, file] => (|| {
            let w = workload::generate(parse_size(size)?, parse_variant(variant)?);
            std::fs::write(file, &w.json)?;
            for (rule, item) in &w.expected {
                eprintln!("{rule} {item}");
            }
            Ok(())
        })(),
        ["decision", size, variant] => (|| {
            let w = workload::generate(parse_size(size)?, parse_variant(variant)?);
            let e = engines::Gate { max_failures: 100 };
            print!("{}", { let policy = e.compile()?; e.eval(&policy, &e.load(&policy, &w.json)?)? }.to_json());
            Ok(())
        })(),
        ["eval-loop", file, n] => (|| {
            // For profilers: load once, evaluate n times.
            let e = engines::Gate { max_failures: 100 };
            let policy = e.compile()?;
            let input = e.load(&policy, &std::fs::read(file)?)?;
            for _ in 0..n.parse::<usize>()? {
                let _decision = std::hint::black_box(e.eval(&policy, &input)?);
            }
            Ok(())
        })(),
        ["load-loop", file, n] => (|| {
            // For profilers: load the same bytes n times.
            let e = engines::Gate { max_failures: 100 };
            let policy = e.compile()?;
            let bytes = std::fs::read(file)?;
            for _ in 0..n.parse::<usize>()? {
                std::hint::black_box(e.load(&policy, &bytes)?);
            }
            Ok(())
        })(),
        ["phases", file] => phases(file),
        ["compile-loop", file, n] => (|| {
            // For profilers: compile a gate n times.
            let text = std::fs::read_to_string(file)?;
            for _ in 0..n.parse::<usize>()? {
                std::hint::black_box(engines::compile_gate(&text)?);
            }
            Ok(())
        })(),
        ["gate-policy", n] => (|| {
            print!("{}", generated_gate(n.parse()?));
            Ok(())
        })(),
        _ => Err(anyhow!(
            "usage: gate-bench all [--out FILE] | check | oneshot ENGINE FILE | gen SIZE VARIANT FILE | eval-loop FILE N | load-loop FILE N | compile-loop FILE N | phases FILE | decision SIZE VARIANT | gate-policy N"
        )),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gate-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}
