//! The Markdown report: machine, versions, one table per measurement and the
//! performance targets with whether they are met.

use crate::measure::Stats;
use crate::workload::{Size, Variant};
use crate::Results;
use std::fmt::Write;

const GATE: &str = "gate";
const VALUE: &str = "Rust over Value";
const TYPED: &str = "Rust over derived structs";
const OPA: &str = "OPA";
const PEERS: &[&str] = &[
    "regorus (RVM)",
    "regorus (interpreter)",
    OPA,
    "CEL (cel)",
    "jq (jaq)",
];

/// A duration, three significant digits.
pub fn dur(s: f64) -> String {
    if !s.is_finite() {
        return "–".into();
    }
    let (v, unit) = if s < 1e-6 {
        (s * 1e9, "ns")
    } else if s < 1e-3 {
        (s * 1e6, "µs")
    } else if s < 1.0 {
        (s * 1e3, "ms")
    } else {
        (s, "s")
    };
    format!("{} {unit}", sig3(v))
}

fn sig3(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn ratio(a: f64, b: f64) -> String {
    if !a.is_finite() || !b.is_finite() || b == 0.0 {
        return "–".into();
    }
    format!("{}×", sig3(a / b))
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", sig3(bytes as f64 / (1024.0 * 1024.0)))
}

fn rate(per_second: f64) -> String {
    if per_second >= 1e6 {
        format!("{}M/s", sig3(per_second / 1e6))
    } else if per_second >= 1e3 {
        format!("{}k/s", sig3(per_second / 1e3))
    } else {
        format!("{}/s", sig3(per_second))
    }
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into())
}

fn memory() -> String {
    let info = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    info.lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{:.0} GiB", kb as f64 / (1024.0 * 1024.0)))
        .unwrap_or_else(|| "unknown".into())
}

fn git_commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn yes(b: bool) -> &'static str {
    if b {
        "**yes**"
    } else {
        "**no**"
    }
}

struct Get<'a>(&'a Results);

impl Get<'_> {
    fn eval(&self, e: &str, s: Size, v: Variant) -> f64 {
        self.0
            .eval
            .iter()
            .find(|((n, sz, va), _)| *n == e && *sz == s && *va == v)
            .map_or(f64::NAN, |(_, st)| st.median)
    }
    fn load(&self, e: &str, s: Size) -> f64 {
        self.0
            .load
            .iter()
            .find(|((n, sz), _)| *n == e && *sz == s)
            .map_or(f64::NAN, |(_, st)| st.median)
    }
    fn oneshot(&self, e: &str, s: Size, v: Variant) -> (f64, u64) {
        self.0
            .oneshot
            .iter()
            .find(|((n, sz, va), _)| *n == e && *sz == s && *va == v)
            .map_or((f64::NAN, 0), |(_, (st, rss))| (st.median, *rss))
    }
    fn compile(&self, e: &str) -> f64 {
        self.0.compile.get(e).map_or(f64::NAN, |s| s.median)
    }
    fn bytes(&self, s: Size, v: Variant) -> f64 {
        self.0
            .workloads
            .iter()
            .find(|w| w.0 == s && w.1 == v)
            .map_or(f64::NAN, |w| w.2 as f64)
    }
}

fn samples(s: &Stats) -> String {
    if s.batch > 1 {
        format!("{}×{}", s.samples, s.batch)
    } else {
        s.samples.to_string()
    }
}

/// Renders the report.
pub fn render(r: &Results) -> String {
    let g = Get(r);
    let mut o = String::new();
    let now = jiff::Timestamp::now();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(o, "## Results of one run\n");
    let _ = writeln!(o, "- Date: {} (UTC)", now.strftime("%Y-%m-%d %H:%M"));
    let _ = writeln!(
        o,
        "- Machine: {}, {cores} cores, {} memory",
        cpu_model(),
        memory()
    );
    let _ = writeln!(
        o,
        "- Versions: {}; gate {} (commit {}); {}",
        env!("BENCH_RUSTC"),
        env!("CARGO_PKG_VERSION"),
        git_commit(),
        env!("BENCH_CRATES")
    );
    let _ = writeln!(
        o,
        "- Command: `cargo run --release --manifest-path bench/Cargo.toml -- all` (the run took {:.0} s)",
        r.total_seconds
    );
    for n in &r.notes {
        let _ = writeln!(o, "- {n}");
    }
    let _ = writeln!(o);

    // ---------------------------------------------------------------- workloads
    let _ = writeln!(o, "### Workloads\n");
    let _ = writeln!(
        o,
        "| document | bytes | secrets | service accounts | failing items |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|");
    for (size, variant, bytes, failing) in &r.workloads {
        let (s, a) = size.counts();
        let _ = writeln!(
            o,
            "| {} {} | {} | {s} | {a} | {failing} |",
            size.name(),
            variant.name(),
            bytes
        );
    }
    let _ = writeln!(o);

    // ---------------------------------------------------------------- targets
    let t_gate = g.oneshot(GATE, Size::Large, Variant::Clean);
    let t_typed = g.oneshot(TYPED, Size::Large, Variant::Clean);
    let t_gate_dirty = g.oneshot(GATE, Size::Large, Variant::Dirty);
    let t_typed_dirty = g.oneshot(TYPED, Size::Large, Variant::Dirty);
    let peer_best = PEERS
        .iter()
        .map(|p| (*p, g.oneshot(p, Size::Large, Variant::Clean).0))
        .filter(|(_, t)| t.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let rego = g.oneshot("regorus (RVM)", Size::Large, Variant::Clean).0;
    let e_gate_c = g.eval(GATE, Size::Large, Variant::Clean);
    let e_gate_d = g.eval(GATE, Size::Large, Variant::Dirty);
    let e_val_c = g.eval(VALUE, Size::Large, Variant::Clean);
    let e_val_d = g.eval(VALUE, Size::Large, Variant::Dirty);
    let tput = 1.0 / g.eval(GATE, Size::Small, Variant::Clean);
    let c8 = g.compile(GATE);
    let c1000 = r.compile_1000.map_or(f64::NAN, |s| s.median);
    let bytes_ratio = g.bytes(Size::Large, Variant::Clean) / g.bytes(Size::Medium, Variant::Clean);
    let lin = |e: &str| -> f64 {
        let m = g.load(e, Size::Medium) + g.eval(e, Size::Medium, Variant::Clean);
        let l = g.load(e, Size::Large) + g.eval(e, Size::Large, Variant::Clean);
        (l / m) / bytes_ratio
    };
    let lin_gate = lin(GATE);
    let flood_ratio = g.eval(GATE, Size::Large, Variant::Flood)
        / g.eval(GATE, Size::Medium, Variant::Flood)
        / (g.bytes(Size::Large, Variant::Flood) / g.bytes(Size::Medium, Variant::Flood));
    let (kept, counted) = r.flood_kept.get(&Size::Large).copied().unwrap_or((0, 0));

    let _ = writeln!(o, "### The targets\n");
    let _ = writeln!(o, "| target | measured | target | met |");
    let _ = writeln!(o, "|---|---|---|---|");
    let q = t_gate.0 / t_typed.0;
    let _ = writeln!(
        o,
        "| one-shot, large clean, vs derived structs | {} vs {} = {} | ≤ 1.5× | {} |",
        dur(t_gate.0),
        dur(t_typed.0),
        ratio(t_gate.0, t_typed.0),
        yes(q <= 1.5)
    );
    let q = t_gate_dirty.0 / t_typed_dirty.0;
    let _ = writeln!(
        o,
        "| one-shot, large dirty, vs derived structs | {} vs {} = {} | ≤ 1.5× | {} |",
        dur(t_gate_dirty.0),
        dur(t_typed_dirty.0),
        ratio(t_gate_dirty.0, t_typed_dirty.0),
        yes(q <= 1.5)
    );
    let q = t_gate.1 as f64 / t_typed.1 as f64;
    let _ = writeln!(
        o,
        "| one-shot peak memory, large clean, vs derived structs | {} vs {} = {} | ≤ 1.3× | {} |",
        mib(t_gate.1),
        mib(t_typed.1),
        ratio(t_gate.1 as f64, t_typed.1 as f64),
        yes(q <= 1.3)
    );
    if let Some((name, t)) = peer_best {
        let _ = writeln!(
            o,
            "| one-shot, large clean: faster than every peer | gate {}; fastest peer {name} {} | < fastest peer | {} |",
            dur(t_gate.0),
            dur(t),
            yes(t_gate.0 < t)
        );
    }
    let _ = writeln!(
        o,
        "| one-shot, large clean: regorus (RVM) / gate | {} | ≈ 4× | {} |",
        ratio(rego, t_gate.0),
        yes(rego / t_gate.0 >= 4.0)
    );
    let _ = writeln!(
        o,
        "| evaluation on loaded large evidence, clean, vs Rust over `Value` | {} vs {} = {} | ≤ 1× | {} |",
        dur(e_gate_c),
        dur(e_val_c),
        ratio(e_gate_c, e_val_c),
        yes(e_gate_c <= e_val_c)
    );
    let _ = writeln!(
        o,
        "| evaluation on loaded large evidence, dirty (with explanations), vs Rust over `Value` | {} vs {} = {} | ≤ 1× | {} |",
        dur(e_gate_d),
        dur(e_val_d),
        ratio(e_gate_d, e_val_d),
        yes(e_gate_d <= e_val_d)
    );
    let _ = writeln!(
        o,
        "| small gate, decisions/s on one core (clean) | {} | ≥ 300k/s | {} |",
        rate(tput),
        yes(tput >= 300e3)
    );
    let _ = writeln!(
        o,
        "| compile, 9-rule gate | {} | ≤ 100 µs | {} |",
        dur(c8),
        yes(c8 <= 100e-6)
    );
    let _ = writeln!(
        o,
        "| compile, 1,000-rule gate | {} | ≤ 20 ms | {} |",
        dur(c1000),
        yes(c1000 <= 20e-3)
    );
    let _ = writeln!(
        o,
        "| linear in evidence size: (load + eval) large / medium, per byte | {} | ≤ 1.25× | {} |",
        format_args!("{}×", sig3(lin_gate)),
        yes(lin_gate <= 1.25)
    );
    let _ = writeln!(
        o,
        "| 100,000 failing elements: eval flood large / medium, per byte | {}; {kept} failures kept of {counted} counted | ≤ 1.25×, capped | {} |",
        format_args!("{}×", sig3(flood_ratio)),
        yes(flood_ratio <= 1.25 && kept <= 100 * 9 && counted >= 100_000)
    );
    let _ = writeln!(o);

    // ---------------------------------------------------------------- compile
    let _ = writeln!(o, "### Policy compile\n");
    let _ = writeln!(o, "| engine | 9-rule gate | samples |");
    let _ = writeln!(o, "|---|---:|---:|");
    for e in &r.engines {
        if let Some(s) = r.compile.get(e) {
            let note = if *e == VALUE || *e == TYPED {
                " (nothing to compile)"
            } else {
                ""
            };
            let _ = writeln!(o, "| {e}{note} | {} | {} |", dur(s.median), samples(s));
        }
    }
    if let Some(s) = &r.compile_1000 {
        let _ = writeln!(
            o,
            "| gate, 1,000 rules | {} | {} |",
            dur(s.median),
            samples(s)
        );
    }
    let _ = writeln!(o);

    // ---------------------------------------------------------------- load
    let _ = writeln!(
        o,
        "### Evidence load (bytes in memory to the engine's input form)\n"
    );
    let _ = writeln!(
        o,
        "| engine | medium | large | large / medium (bytes ×{}) | large vs `Value` | large vs derived structs |",
        sig3(bytes_ratio)
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|");
    for e in &r.engines {
        let m = g.load(e, Size::Medium);
        let l = g.load(e, Size::Large);
        if !m.is_finite() && !l.is_finite() {
            continue;
        }
        let _ = writeln!(
            o,
            "| {e} | {} | {} | {} | {} | {} |",
            dur(m),
            dur(l),
            ratio(l, m),
            ratio(l, g.load(VALUE, Size::Large)),
            ratio(l, g.load(TYPED, Size::Large))
        );
    }
    let _ = writeln!(o);

    // ---------------------------------------------------------------- eval
    let _ = writeln!(o, "### Evaluation on loaded evidence\n");
    let _ = writeln!(
        o,
        "| engine | medium clean | medium dirty | large clean | large dirty | large clean vs `Value` | large dirty vs `Value` |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|");
    for e in &r.engines {
        let mc = g.eval(e, Size::Medium, Variant::Clean);
        let md = g.eval(e, Size::Medium, Variant::Dirty);
        let lc = g.eval(e, Size::Large, Variant::Clean);
        let ld = g.eval(e, Size::Large, Variant::Dirty);
        let _ = writeln!(
            o,
            "| {e} | {} | {} | {} | {} | {} | {} |",
            dur(mc),
            dur(md),
            dur(lc),
            dur(ld),
            ratio(lc, e_val_c),
            ratio(ld, e_val_d)
        );
    }
    let _ = writeln!(o);
    if r.engines.contains(&OPA) {
        let _ = writeln!(
            o,
            "OPA's C API takes the input as JSON text with each evaluation, so its evaluation includes parsing the evidence into OPA's values (what the others' load measures, which is why OPA has no row there), as an OPA server's does for each request.\n"
        );
    }
    let _ = writeln!(
        o,
        "Documents with 100,000 failing elements (half the secrets not vaulted):\n"
    );
    let _ = writeln!(
        o,
        "| engine | medium flood | large flood | large / medium |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|");
    for e in &r.engines {
        let m = g.eval(e, Size::Medium, Variant::Flood);
        let l = g.eval(e, Size::Large, Variant::Flood);
        if m.is_finite() {
            let _ = writeln!(o, "| {e} | {} | {} | {} |", dur(m), dur(l), ratio(l, m));
        }
    }
    let _ = writeln!(o);

    // ---------------------------------------------------------------- throughput
    let _ = writeln!(
        o,
        "### Small gate throughput (one thread, loaded evidence)\n"
    );
    let _ = writeln!(o, "| engine | clean | dirty | clean vs `Value` |");
    let _ = writeln!(o, "|---|---:|---:|---:|");
    let val_small = 1.0 / g.eval(VALUE, Size::Small, Variant::Clean);
    for e in &r.engines {
        let c = 1.0 / g.eval(e, Size::Small, Variant::Clean);
        let d = 1.0 / g.eval(e, Size::Small, Variant::Dirty);
        let _ = writeln!(
            o,
            "| {e} | {} | {} | {} |",
            rate(c),
            rate(d),
            ratio(c, val_small)
        );
    }
    let _ = writeln!(o);

    // ---------------------------------------------------------------- one-shot
    let _ = writeln!(
        o,
        "### One-shot process (read the file, parse, compile, evaluate: one CI run)\n"
    );
    let _ = writeln!(
        o,
        "| engine | medium clean | large clean | large dirty | peak RSS, large clean | large clean vs derived structs | memory vs derived structs |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|");
    for e in &r.engines {
        let m = g.oneshot(e, Size::Medium, Variant::Clean);
        let l = g.oneshot(e, Size::Large, Variant::Clean);
        let d = g.oneshot(e, Size::Large, Variant::Dirty);
        if !l.0.is_finite() {
            continue;
        }
        let _ = writeln!(
            o,
            "| {e} | {} | {} | {} | {} | {} | {} |",
            dur(m.0),
            dur(l.0),
            dur(d.0),
            mib(l.1),
            ratio(l.0, t_typed.0),
            ratio(l.1 as f64, t_typed.1 as f64)
        );
    }
    let _ = writeln!(o);

    // ---------------------------------------------------------------- linearity
    let _ = writeln!(
        o,
        "### Linearity: large / medium (the large document has {}× the bytes)\n",
        sig3(bytes_ratio)
    );
    let _ = writeln!(
        o,
        "| engine | load | eval clean | eval dirty | one-shot clean |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|");
    for e in &r.engines {
        let l = g.oneshot(e, Size::Large, Variant::Clean).0
            / g.oneshot(e, Size::Medium, Variant::Clean).0;
        let _ = writeln!(
            o,
            "| {e} | {} | {} | {} | {} |",
            ratio(g.load(e, Size::Large), g.load(e, Size::Medium)),
            ratio(
                g.eval(e, Size::Large, Variant::Clean),
                g.eval(e, Size::Medium, Variant::Clean)
            ),
            ratio(
                g.eval(e, Size::Large, Variant::Dirty),
                g.eval(e, Size::Medium, Variant::Dirty)
            ),
            if l.is_finite() {
                format!("{}×", sig3(l))
            } else {
                "–".into()
            }
        );
    }
    let _ = writeln!(o);
    o
}
