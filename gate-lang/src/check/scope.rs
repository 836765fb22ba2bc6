//! Bindings in scope and what is known not to be null.
//!
//! A [`Ctx`] is the checking context of one body (a rule, a `def`, a `let`
//! or a key condition): its bindings (parameters, rule `let`s, quantifier
//! elements), the frame slots they occupy, and the *facts*: places (a
//! variable or the evidence root followed by fields) known not to be null
//! because a guard such as `x != null and …` or `when present(x)` holds.

use crate::ir::{ExprId, Ir, ScopeId};
use crate::types::Type;

/// One binding.
#[derive(Clone, Debug)]
pub(super) struct Binding {
    /// The name, or `None` for the implicit element of a predicate argument
    /// (whose fields are in scope as bare names and which `it` denotes).
    pub name: Option<String>,
    /// The frame slot holding the value.
    pub slot: u32,
    /// The value's type.
    pub ty: Type,
    /// Where the name is declared (none for an implicit element).
    pub decl: Option<crate::span::Span>,
}

/// A place: a base and a chain of field slots.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum PlaceBase {
    Root,
    Local(u32),
    Global(u32),
}

/// A place expression, e.g. `deployment.rollback.last_tested_at`.
pub(super) type Place = (PlaceBase, Vec<u32>);

/// The checking context of one body.
#[derive(Clone, Debug)]
pub(super) struct Ctx {
    /// The module the body belongs to.
    pub module: usize,
    /// Whether evidence fields are in scope.
    pub allow_evidence: bool,
    /// Bindings, innermost last.
    pub bindings: Vec<Binding>,
    /// The next free slot.
    pub next_slot: u32,
    /// The frame size so far.
    pub max_slot: u32,
    /// Places known non-null, with the id of the guard that established
    /// them and whether it was `present(…)` (which also guards reads of
    /// places that are never null by type but may be missing evidence).
    pub facts: Vec<(Place, u32, bool)>,
    /// Guards whose facts were relied on.
    pub used: Vec<u32>,
    /// The next quantifier scope id (per `require`).
    pub next_scope: u32,
    /// Quantifier scopes created in the current `require`, with the bindings
    /// visible in them, for compiling message templates.
    pub scopes: Vec<(ScopeId, Vec<Binding>)>,
    /// Inside `present(…)`: `.` passes nulls on like `?.`.
    pub in_present: bool,
}

impl Ctx {
    pub fn new(module: usize, allow_evidence: bool) -> Self {
        Ctx {
            module,
            allow_evidence,
            bindings: Vec::new(),
            next_slot: 0,
            max_slot: 0,
            facts: Vec::new(),
            used: Vec::new(),
            next_scope: 1,
            scopes: Vec::new(),
            in_present: false,
        }
    }

    /// Binds a named variable in a new slot.
    pub fn bind_var(&mut self, name: &str, ty: Type, decl: crate::span::Span) -> u32 {
        let slot = self.alloc();
        self.bindings.push(Binding {
            name: Some(name.to_string()),
            slot,
            ty,
            decl: Some(decl),
        });
        slot
    }

    /// Allocates a slot.
    pub fn alloc(&mut self) -> u32 {
        let slot = self.next_slot;
        self.next_slot += 1;
        self.max_slot = self.max_slot.max(self.next_slot);
        slot
    }

    /// Opens a quantifier scope binding the element (named, or implicit).
    pub fn open_element(&mut self, name: Option<&crate::ast::Ident>, ty: Type) -> (u32, ScopeId) {
        let slot = self.alloc();
        let scope = ScopeId(self.next_scope);
        self.next_scope += 1;
        self.bindings.push(Binding {
            name: name.map(|n| n.name.clone()),
            slot,
            ty,
            decl: name.map(|n| n.span),
        });
        self.scopes.push((scope, self.bindings.clone()));
        (slot, scope)
    }

    /// Closes the innermost quantifier scope.
    pub fn close_element(&mut self) {
        if let Some(b) = self.bindings.pop() {
            self.next_slot = b.slot;
        }
    }

    /// The current fact stack height, to restore later.
    pub fn mark(&self) -> usize {
        self.facts.len()
    }

    /// Forgets facts added since `mark`.
    pub fn restore(&mut self, mark: usize) {
        self.facts.truncate(mark);
    }

    /// Whether `place` is known non-null; records the use. For a place whose
    /// type cannot be null only `present(…)` facts count.
    pub fn known(&mut self, place: &Place, optional: bool) -> bool {
        let found = self
            .facts
            .iter()
            .rev()
            .find(|(p, _, presence)| p == place && (optional || *presence))
            .map(|(_, o, _)| *o);
        match found {
            Some(origin) => {
                self.used.push(origin);
                true
            }
            None => false,
        }
    }
}

/// The place an IR expression denotes, if it is one.
pub(super) fn place_of(nodes: &[crate::ir::Node], id: ExprId) -> Option<Place> {
    let mut fields = Vec::new();
    let mut cur = id;
    loop {
        match &nodes.get(cur.0 as usize)?.ir {
            Ir::Field { base, slot, .. } => {
                fields.push(*slot);
                cur = *base;
            }
            Ir::Root => {
                fields.reverse();
                return Some((PlaceBase::Root, fields));
            }
            Ir::Local(s) => {
                fields.reverse();
                return Some((PlaceBase::Local(*s), fields));
            }
            Ir::Global(g) => {
                fields.reverse();
                return Some((PlaceBase::Global(g.0), fields));
            }
            _ => return None,
        }
    }
}

/// The place and all its non-empty prefixes.
pub(super) fn with_prefixes(place: Place) -> Vec<Place> {
    let (base, fields) = place;
    (0..=fields.len())
        .map(|n| {
            (
                base.clone(),
                fields.get(..n).map(<[u32]>::to_vec).unwrap_or_default(),
            )
        })
        .collect()
}
