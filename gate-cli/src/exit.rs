//! Exit codes. Scripts rely on them; see `docs/cli.md`.

/// How `gate` exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Exit {
    /// The gate passed (or passed with warnings), or the command succeeded.
    Pass = 0,
    /// The gate failed: a `block` rule did not hold.
    Fail = 1,
    /// The gate could not decide: errors in the policy, the evidence or the
    /// command line, or a `block` rule that could not be evaluated.
    Error = 2,
}
