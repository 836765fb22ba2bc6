//! One module per subcommand.

pub mod check;
pub mod completions;
pub mod input;
pub mod keygen;
pub mod verify;
