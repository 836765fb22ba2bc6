//! Timing: medians over repetitions, and one-shot child processes with their
//! peak memory.

use anyhow::{anyhow, bail, Result};
use std::hint::black_box;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Timings of one measurement, in seconds per operation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// Median.
    pub median: f64,
    /// Fastest.
    pub min: f64,
    /// Samples taken.
    pub samples: usize,
    /// Operations per sample (more than one for fast operations).
    pub batch: usize,
}

/// How long to spend on one measurement.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// At least this many samples.
    pub min_samples: usize,
    /// At most this many.
    pub max_samples: usize,
    /// Stop taking samples after this long (once `min_samples` are taken).
    pub time: Duration,
}

impl Budget {
    /// A budget.
    pub const fn new(min_samples: usize, max_samples: usize, millis: u64) -> Budget {
        Budget {
            min_samples,
            max_samples,
            time: Duration::from_millis(millis),
        }
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    let mid = n / 2;
    if n % 2 == 1 {
        xs.get(mid).copied().unwrap_or(f64::NAN)
    } else {
        let a = xs.get(mid - 1).copied().unwrap_or(f64::NAN);
        let b = xs.get(mid).copied().unwrap_or(f64::NAN);
        (a + b) / 2.0
    }
}

/// Times `f` (its result is dropped inside the timed region). Operations
/// faster than a millisecond are timed in batches of about two milliseconds.
pub fn time<T>(budget: Budget, mut f: impl FnMut() -> Result<T>) -> Result<Stats> {
    let start = Instant::now();
    // The first call warms caches and tells how fast the operation is.
    let t0 = Instant::now();
    black_box(f()?);
    let first = t0.elapsed().as_secs_f64();
    let batch = if first < 1e-3 {
        // Calibrate: double the batch until it takes 2 ms.
        let mut k = 1usize;
        loop {
            let t = Instant::now();
            for _ in 0..k {
                black_box(f()?);
            }
            if t.elapsed().as_secs_f64() >= 2e-3 || k >= 1 << 24 {
                break k;
            }
            k *= 2;
        }
    } else {
        1
    };
    let mut samples = Vec::new();
    while samples.len() < budget.min_samples
        || (samples.len() < budget.max_samples && start.elapsed() < budget.time)
    {
        let t = Instant::now();
        for _ in 0..batch {
            black_box(f()?);
        }
        samples.push(t.elapsed().as_secs_f64() / batch as f64);
    }
    let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let n = samples.len();
    Ok(Stats {
        median: median(&mut samples),
        min,
        samples: n,
        batch,
    })
}

/// One run of a child process: wall time and what it printed.
pub struct ChildRun {
    /// Seconds from spawn to exit.
    pub wall: f64,
    /// Its standard output.
    pub stdout: String,
}

/// The peak resident set size of this process in bytes: `VmHWM` of
/// `/proc/self/status`, the high-water mark of the current address space.
pub fn own_peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs this program again with `args` and waits for it with `wait4`.
///
/// `ru_maxrss` from `wait4` (or `getrusage(RUSAGE_CHILDREN)`) is not the
/// child's own peak on Linux: `execve` folds the high-water mark of the
/// address space it replaces into it, and a child spawned with `vfork`
/// semantics (as `std::process::Command` does) replaces the parent's. So a
/// child started by a parent holding 700 MiB reports at least 700 MiB. The
/// one-shot child therefore reports its own `VmHWM`, which starts afresh at
/// `execve`.
pub fn run_child(args: &[&str]) -> Result<ChildRun> {
    let exe = std::env::current_exe()?;
    let t0 = Instant::now();
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)?;
    }
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data, valid when zeroed.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into the two locals above.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = t0.elapsed().as_secs_f64();
    if r != pid {
        return Err(anyhow!("wait4 failed: {}", std::io::Error::last_os_error()));
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!("child {args:?} failed (status {status})");
    }
    Ok(ChildRun { wall, stdout })
}
