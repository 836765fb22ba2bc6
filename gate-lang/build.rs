//! Generates the parser from `src/grammar.lalrpop` at build time.

fn main() {
    let result = lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .emit_rerun_directives(true)
        .process();
    if let Err(err) = result {
        eprintln!("failed to generate the parser: {err}");
        std::process::exit(1);
    }
}
