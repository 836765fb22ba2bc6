//! The public surface of `gate-eval`, item by item, against a committed
//! snapshot (`public-surface.txt`): a change to what embedders can name —
//! an item added, removed, or a signature changed — shows in review as a
//! change to that file (`GATE_BLESS=1` writes it).
//!
//! The items are read from the crate's sources with `syn`: everything
//! declared `pub` in a module reachable through `pub mod` from `lib.rs`,
//! the `pub use` re-exports, the `pub` methods of inherent impls and the
//! trait impls of public types. Items marked `#[doc(hidden)]` are listed
//! as hidden.

// Test code: panicking on a broken expectation is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use quote::ToTokens;
use std::path::{Path, PathBuf};

fn tokens(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

fn is_pub(v: &syn::Visibility) -> bool {
    matches!(v, syn::Visibility::Public(_))
}

fn has_attr(attrs: &[syn::Attribute], name: &str, arg: Option<&str>) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident(name) && arg.is_none_or(|arg| tokens(&a.meta).contains(arg)))
}

fn marks(attrs: &[syn::Attribute]) -> String {
    let mut out = String::new();
    if has_attr(attrs, "doc", Some("hidden")) {
        out.push_str("#[doc(hidden)] ");
    }
    if has_attr(attrs, "non_exhaustive", None) {
        out.push_str("#[non_exhaustive] ");
    }
    if has_attr(attrs, "must_use", None) {
        out.push_str("#[must_use] ");
    }
    out
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    has_attr(attrs, "cfg", Some("test"))
}

fn signature(path: &str, sig: &syn::Signature) -> String {
    let generics = tokens(&sig.generics);
    let inputs: Vec<String> = sig.inputs.iter().map(tokens).collect();
    let output = tokens(&sig.output);
    let wher = sig
        .generics
        .where_clause
        .as_ref()
        .map(|w| format!(" {}", tokens(w)))
        .unwrap_or_default();
    format!(
        "fn {path}::{}{generics}({}) {output}{wher}",
        sig.ident,
        inputs.join(", ")
    )
    .trim_end()
    .to_string()
}

/// The file of module `name` declared in `file`.
fn module_file(file: &Path, name: &str) -> PathBuf {
    let dir = if file.ends_with("lib.rs") || file.ends_with("mod.rs") {
        file.parent().unwrap().to_path_buf()
    } else {
        file.with_extension("")
    };
    let flat = dir.join(format!("{name}.rs"));
    if flat.exists() {
        flat
    } else {
        dir.join(name).join("mod.rs")
    }
}

fn walk(path: &str, file: &Path, items: &[syn::Item], out: &mut Vec<String>) {
    for item in items {
        match item {
            syn::Item::Mod(m) if is_pub(&m.vis) && !is_test(&m.attrs) => {
                let inner = format!("{path}::{}", m.ident);
                out.push(format!("{}mod {inner}", marks(&m.attrs)));
                match &m.content {
                    Some((_, content)) => walk(&inner, file, content, out),
                    None => {
                        let f = module_file(file, &m.ident.to_string());
                        let text = std::fs::read_to_string(&f).unwrap();
                        let parsed = syn::parse_file(&text).unwrap();
                        walk(&inner, &f, &parsed.items, out);
                    }
                }
            }
            syn::Item::Use(u) if is_pub(&u.vis) => {
                out.push(format!("use {} (in {path})", tokens(&u.tree)));
            }
            syn::Item::Fn(f) if is_pub(&f.vis) => {
                out.push(format!("{}{}", marks(&f.attrs), signature(path, &f.sig)));
            }
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                let name = format!("{path}::{}{}", s.ident, tokens(&s.generics));
                out.push(format!("{}struct {name}", marks(&s.attrs)));
                for f in s.fields.iter().filter(|f| is_pub(&f.vis)) {
                    let field = f
                        .ident
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    out.push(format!("    {name}.{field}: {}", tokens(&f.ty)));
                }
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                let name = format!("{path}::{}{}", e.ident, tokens(&e.generics));
                out.push(format!("{}enum {name}", marks(&e.attrs)));
                for v in &e.variants {
                    out.push(format!("    {name}::{}{}", v.ident, tokens(&v.fields)));
                }
            }
            syn::Item::Type(t) if is_pub(&t.vis) => {
                out.push(format!("type {path}::{} = {}", t.ident, tokens(&t.ty)));
            }
            syn::Item::Const(c) if is_pub(&c.vis) => {
                out.push(format!("const {path}::{}: {}", c.ident, tokens(&c.ty)));
            }
            syn::Item::Trait(t) if is_pub(&t.vis) => {
                out.push(format!("trait {path}::{}", t.ident));
            }
            syn::Item::Impl(i) if !is_test(&i.attrs) => {
                let ty = tokens(&i.self_ty);
                match &i.trait_ {
                    Some((_, tr, _)) => {
                        out.push(format!("impl {} for {ty} ({path})", tokens(tr)));
                    }
                    None => {
                        for it in &i.items {
                            if let syn::ImplItem::Fn(f) = it {
                                if is_pub(&f.vis) {
                                    out.push(format!(
                                        "{}{}",
                                        marks(&f.attrs),
                                        signature(&format!("{path}::{ty}"), &f.sig)
                                    ));
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_public_surface_is_the_committed_one() {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gate-eval/src/lib.rs");
    let parsed = syn::parse_file(&std::fs::read_to_string(&lib).unwrap()).unwrap();
    let mut out = Vec::new();
    walk("gate_eval", &lib, &parsed.items, &mut out);
    // Trait impls of types that are not public say nothing to embedders.
    let text = out.join("\n") + "\n";
    assert!(text.contains("fn gate_eval::Policy::evaluate"), "{text}");
    gate_tests::golden(Path::new("public-surface.txt"), &text).unwrap();
}
