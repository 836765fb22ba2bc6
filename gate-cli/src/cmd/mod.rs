//! One module per subcommand.

pub mod bundle;
pub mod check;
pub mod completions;
pub mod controls;
pub mod diff;
pub mod fmt;
pub mod input;
pub mod keygen;
pub mod lint;
pub mod repl;
pub mod schema;
pub mod spec;
pub mod test;
pub mod verify;
