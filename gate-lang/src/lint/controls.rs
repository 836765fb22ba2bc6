//! Control references: `controls "FRAMEWORK:ID", …` checked against the
//! identifier formats (and, where the list is closed, the identifiers) of the
//! frameworks release gates cite.
//!
//! * `OWASP-NHI` — OWASP Top 10 Non-Human Identities Risks 2025: `NHI1` …
//!   `NHI10` (optionally `NHI2:2025`; no hyphen, no zero padding).
//! * `NIST-CSF-2.0` — the 106 subcategories of the CSF 2.0 core, e.g.
//!   `PR.AA-05` (zero-padded; 1.1 identifiers such as `PR.AC-4` are mapped to
//!   their 2.0 successors in the suggestion).
//! * `NIST-AI-RMF` — the 72 subcategories of the AI RMF 1.0, e.g.
//!   `GOVERN 1.4`, `MANAGE 2.4`.
//! * `OWASP-AGENTIC` — OWASP Top 10 for Agentic Applications 2026: `ASI01` …
//!   `ASI10`.
//! * `OWASP-AGENTIC-THREATS` — the Feb 2025 "Agentic AI – Threats and
//!   Mitigations" taxonomy: `T1` … `T15`.
//!
//! More frameworks can be declared with a pattern (`gate-lint.toml`).

use crate::check::closest;

/// A framework declared by the user: its name and the pattern its
/// identifiers match.
#[derive(Clone, Debug)]
pub struct CustomFramework {
    /// The name before the `:`.
    pub name: String,
    /// The pattern identifiers must match (whole identifier).
    pub pattern: regex::Regex,
}

/// The frameworks this module knows.
pub const KNOWN: &[&str] = &[
    "OWASP-NHI",
    "NIST-CSF-2.0",
    "NIST-AI-RMF",
    "OWASP-AGENTIC",
    "OWASP-AGENTIC-THREATS",
];

/// CSF 2.0 subcategories: category and the numbers that exist.
const CSF: &[(&str, &[u8])] = &[
    ("GV.OC", &[1, 2, 3, 4, 5]),
    ("GV.RM", &[1, 2, 3, 4, 5, 6, 7]),
    ("GV.RR", &[1, 2, 3, 4]),
    ("GV.PO", &[1, 2]),
    ("GV.OV", &[1, 2, 3]),
    ("GV.SC", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ("ID.AM", &[1, 2, 3, 4, 5, 7, 8]),
    ("ID.RA", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ("ID.IM", &[1, 2, 3, 4]),
    ("PR.AA", &[1, 2, 3, 4, 5, 6]),
    ("PR.AT", &[1, 2]),
    ("PR.DS", &[1, 2, 10, 11]),
    ("PR.PS", &[1, 2, 3, 4, 5, 6]),
    ("PR.IR", &[1, 2, 3, 4]),
    ("DE.CM", &[1, 2, 3, 6, 9]),
    ("DE.AE", &[2, 3, 4, 6, 7, 8]),
    ("RS.MA", &[1, 2, 3, 4, 5]),
    ("RS.AN", &[3, 6, 7, 8]),
    ("RS.CO", &[2, 3]),
    ("RS.MI", &[1, 2]),
    ("RC.RP", &[1, 2, 3, 4, 5, 6]),
    ("RC.CO", &[3, 4]),
];

/// CSF 1.1 identifiers that citations still use, with their 2.0 successors.
const CSF_11: &[(&str, &str)] = &[
    ("PR.AC-1", "PR.AA-01, PR.AA-05"),
    ("PR.AC-2", "PR.AA-06"),
    ("PR.AC-3", "PR.AA-03, PR.AA-05, PR.IR-01"),
    ("PR.AC-4", "PR.AA-05"),
    ("PR.AC-5", "PR.IR-01"),
    ("PR.AC-6", "PR.AA-02"),
    ("PR.AC-7", "PR.AA-03"),
    ("PR.PT-1", "PR.PS-04"),
    ("DE.CM-4", "DE.CM-01, DE.CM-09"),
    ("DE.CM-5", "DE.CM-01, DE.CM-09"),
    ("DE.CM-7", "DE.CM-01, DE.CM-03, DE.CM-06, DE.CM-09"),
    ("DE.CM-8", "ID.RA-01"),
];

/// AI RMF 1.0 subcategories: function, category and how many subcategories.
const AI_RMF: &[(&str, u8, u8)] = &[
    ("GOVERN", 1, 7),
    ("GOVERN", 2, 3),
    ("GOVERN", 3, 2),
    ("GOVERN", 4, 3),
    ("GOVERN", 5, 2),
    ("GOVERN", 6, 2),
    ("MAP", 1, 6),
    ("MAP", 2, 3),
    ("MAP", 3, 5),
    ("MAP", 4, 2),
    ("MAP", 5, 2),
    ("MEASURE", 1, 3),
    ("MEASURE", 2, 13),
    ("MEASURE", 3, 3),
    ("MEASURE", 4, 3),
    ("MANAGE", 1, 4),
    ("MANAGE", 2, 4),
    ("MANAGE", 3, 2),
    ("MANAGE", 4, 3),
];

/// What is wrong with a control reference, with a suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

fn problem(message: String, help: Option<String>) -> Option<Problem> {
    Some(Problem { message, help })
}

/// Checks one control reference; `None` when it is well formed.
///
/// ```
/// use gate_lang::lint::controls::check_control;
/// assert!(check_control("NIST-CSF-2.0:PR.AA-05", &[]).is_none());
/// let p = check_control("NIST-CSF-2.0:PR.AC-4", &[]).unwrap();
/// assert!(p.help.unwrap().contains("PR.AA-05"));
/// ```
pub fn check_control(reference: &str, custom: &[CustomFramework]) -> Option<Problem> {
    let Some((framework, id)) = reference.split_once(':') else {
        return problem(
            format!("control `{reference}` does not name its framework"),
            Some(format!(
                "write `FRAMEWORK:ID`, e.g. `NIST-CSF-2.0:PR.AA-05`; known frameworks: {}",
                known_list(custom)
            )),
        );
    };
    if let Some(c) = custom.iter().find(|c| c.name == framework) {
        if c.pattern.is_match(id) {
            return None;
        }
        return problem(
            format!(
                "`{id}` is not an identifier of `{framework}` (expected to match `{}`)",
                c.pattern.as_str()
            ),
            None,
        );
    }
    match framework {
        "OWASP-NHI" => nhi(id),
        "NIST-CSF-2.0" => csf(id),
        "NIST-AI-RMF" => ai_rmf(id),
        "OWASP-AGENTIC" => agentic(id),
        "OWASP-AGENTIC-THREATS" => agentic_threats(id),
        _ => unknown_framework(framework, id, custom),
    }
}

/// Every control id of the frameworks whose ids can be listed (OWASP NHI,
/// NIST CSF 2.0, NIST AI RMF, OWASP Agentic), as `FRAMEWORK:ID`: what an
/// editor offers after `controls "`. Each passes [`check_control`].
///
/// ```
/// let ids = gate_lang::lint::controls::catalogue();
/// assert!(ids.iter().any(|i| i == "NIST-CSF-2.0:PR.AA-05"));
/// assert!(ids.iter().all(|i| gate_lang::lint::controls::check_control(i, &[]).is_none()));
/// ```
pub fn catalogue() -> Vec<String> {
    let nhi = (1..=10).map(|k| format!("OWASP-NHI:NHI{k}"));
    let csf = csf_ids().map(|i| format!("NIST-CSF-2.0:{i}"));
    let rmf = ai_rmf_ids().map(|i| format!("NIST-AI-RMF:{i}"));
    let asi = (1..=10).map(|k| format!("OWASP-AGENTIC:ASI{k:02}"));
    nhi.chain(csf).chain(rmf).chain(asi).collect()
}

fn known_list(custom: &[CustomFramework]) -> String {
    KNOWN
        .iter()
        .copied()
        .chain(custom.iter().map(|c| c.name.as_str()))
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unknown_framework(framework: &str, id: &str, custom: &[CustomFramework]) -> Option<Problem> {
    let names: Vec<&str> = KNOWN
        .iter()
        .copied()
        .chain(custom.iter().map(|c| c.name.as_str()))
        .collect();
    let upper = framework.to_ascii_uppercase();
    let guess = if upper.contains("CSF") {
        Some("NIST-CSF-2.0")
    } else if upper.contains("RMF") {
        Some("NIST-AI-RMF")
    } else if upper.contains("NHI") {
        Some("OWASP-NHI")
    } else if upper.contains("AGENTIC") || upper.contains("ASI") {
        Some("OWASP-AGENTIC")
    } else {
        closest(framework, names.iter().copied())
    };
    let help = match guess {
        Some(g) => format!("did you mean `{g}:{id}`?"),
        None => format!(
            "known frameworks: {}; declare others in `gate-lint.toml` under `[frameworks]`",
            known_list(custom)
        ),
    };
    problem(
        format!("`{framework}` is not a known control framework"),
        Some(help),
    )
}

fn nhi(id: &str) -> Option<Problem> {
    let bare = id.strip_suffix(":2025").unwrap_or(id);
    if let Some(n) = bare.strip_prefix("NHI") {
        if !n.starts_with('0') {
            if let Ok(k) = n.parse::<u8>() {
                if (1..=10).contains(&k) {
                    return None;
                }
            }
        }
    }
    // NHI-02, nhi2, NHI02 → NHI2
    let digits: String = id
        .trim_end_matches(":2025")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let help = match digits.parse::<u8>() {
        Ok(k) if (1..=10).contains(&k) && id.to_ascii_uppercase().contains("NHI") => Some(format!(
            "write `NHI{k}`: OWASP writes the ids without hyphen or zero padding"
        )),
        _ => Some("the OWASP NHI Top 10 (2025) ids are `NHI1` … `NHI10`".to_string()),
    };
    problem(format!("`{id}` is not an OWASP NHI Top 10 (2025) id"), help)
}

fn csf_ids() -> impl Iterator<Item = String> {
    CSF.iter()
        .flat_map(|(cat, nums)| nums.iter().map(move |n| format!("{cat}-{n:02}")))
}

fn csf(id: &str) -> Option<Problem> {
    if csf_ids().any(|k| k == id) {
        return None;
    }
    if let Some((_, to)) = CSF_11.iter().find(|(from, _)| {
        *from == id || normalise_csf(from).as_deref() == normalise_csf(id).as_deref()
    }) {
        return problem(
            format!("`{id}` is a NIST CSF 1.1 id; CSF 2.0 withdrew it"),
            Some(format!("its CSF 2.0 successor: {to}")),
        );
    }
    if let Some(norm) = normalise_csf(id) {
        if norm != id && csf_ids().any(|k| k == norm) {
            return problem(
                format!("`{id}` is not written as CSF 2.0 writes it"),
                Some(format!("write `{norm}`")),
            );
        }
        if let Some((cat, _)) = norm.split_once('-') {
            if let Some((_, nums)) = CSF.iter().find(|(c, _)| *c == cat) {
                let list: Vec<String> = nums.iter().map(|n| format!("{cat}-{n:02}")).collect();
                return problem(
                    format!("CSF 2.0 has no subcategory `{norm}` (withdrawn or never defined)"),
                    Some(format!("`{cat}` has {}", list.join(", "))),
                );
            }
        }
    }
    let all: Vec<String> = csf_ids().collect();
    let help = closest(id, all.iter().map(String::as_str))
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| Some("CSF 2.0 subcategories look like `PR.AA-05`".to_string()));
    problem(format!("`{id}` is not a NIST CSF 2.0 subcategory"), help)
}

/// `pr.aa-5` → `PR.AA-05`, if it has the shape of a CSF id.
fn normalise_csf(id: &str) -> Option<String> {
    let up = id.trim().to_ascii_uppercase();
    let (cat, num) = up.split_once('-')?;
    let (func, sub) = cat.split_once('.')?;
    if func.len() != 2
        || sub.len() != 2
        || !func
            .chars()
            .chain(sub.chars())
            .all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let n: u8 = num.parse().ok()?;
    Some(format!("{func}.{sub}-{n:02}"))
}

fn ai_rmf_ids() -> impl Iterator<Item = String> {
    AI_RMF
        .iter()
        .flat_map(|(f, c, n)| (1..=*n).map(move |k| format!("{f} {c}.{k}")))
}

fn ai_rmf(id: &str) -> Option<Problem> {
    if ai_rmf_ids().any(|k| k == id) {
        return None;
    }
    // `Govern 1.4`, `GOVERN-1.4`, `GV-1.4`, `GOVERN1.4` → `GOVERN 1.4`
    let up = id.trim().to_ascii_uppercase();
    let split = up.find(|c: char| c.is_ascii_digit()).unwrap_or(up.len());
    let (head, num) = up.split_at(split);
    let head = head.trim_matches(|c: char| c == ' ' || c == '-' || c == '_' || c == '.');
    let func = match head {
        "GOVERN" | "GV" | "GOV" => Some("GOVERN"),
        "MAP" | "MP" => Some("MAP"),
        "MEASURE" | "MS" | "MEA" => Some("MEASURE"),
        "MANAGE" | "MG" | "MAN" => Some("MANAGE"),
        _ => None,
    };
    if let Some(func) = func {
        let norm = format!("{func} {num}");
        if ai_rmf_ids().any(|k| k == norm) {
            return problem(
                format!("`{id}` is not written as the AI RMF writes it"),
                Some(format!("write `{norm}`")),
            );
        }
        let cats: Vec<String> = AI_RMF
            .iter()
            .filter(|(f, _, _)| *f == func)
            .map(|(f, c, n)| format!("{f} {c}.1–{c}.{n}"))
            .collect();
        return problem(
            format!("the NIST AI RMF has no subcategory `{norm}`"),
            Some(format!("{func} has {}", cats.join(", "))),
        );
    }
    problem(
        format!("`{id}` is not a NIST AI RMF subcategory"),
        Some(
            "AI RMF subcategories look like `GOVERN 1.4`, `MAP 4.1`, `MEASURE 2.7`, `MANAGE 2.4`"
                .into(),
        ),
    )
}

fn agentic(id: &str) -> Option<Problem> {
    if let Some(n) = id.strip_prefix("ASI") {
        if n.len() == 2 {
            if let Ok(k) = n.parse::<u8>() {
                if (1..=10).contains(&k) {
                    return None;
                }
            }
        }
    }
    let up = id.to_ascii_uppercase();
    if up.starts_with('T') && up.get(1..).is_some_and(|n| n.parse::<u8>().is_ok()) {
        return problem(
            format!("`{id}` is an id of the Feb 2025 \"Agentic AI – Threats and Mitigations\" taxonomy, not of the Top 10 for Agentic Applications 2026"),
            Some(format!("cite it as `OWASP-AGENTIC-THREATS:{up}`, or use the 2026 ids `ASI01` … `ASI10`")),
        );
    }
    let digits: String = up.chars().filter(char::is_ascii_digit).collect();
    let help = match digits.parse::<u8>() {
        Ok(k) if (1..=10).contains(&k) && up.contains("ASI") => format!("write `ASI{k:02}`"),
        _ => "the OWASP Top 10 for Agentic Applications 2026 ids are `ASI01` … `ASI10`".into(),
    };
    problem(
        format!("`{id}` is not an OWASP Top 10 for Agentic Applications (2026) id"),
        Some(help),
    )
}

fn agentic_threats(id: &str) -> Option<Problem> {
    if let Some(n) = id.strip_prefix('T') {
        if !n.starts_with('0') {
            if let Ok(k) = n.parse::<u8>() {
                if (1..=15).contains(&k) {
                    return None;
                }
            }
        }
    }
    problem(
        format!("`{id}` is not an id of the OWASP Agentic AI Threats and Mitigations taxonomy"),
        Some("its ids are `T1` … `T15`".into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> bool {
        check_control(s, &[]).is_none()
    }

    fn help(s: &str) -> String {
        check_control(s, &[])
            .and_then(|p| p.help)
            .unwrap_or_default()
    }

    #[test]
    fn catalogue_sizes_match_the_frameworks() {
        assert_eq!(csf_ids().count(), 106);
        assert_eq!(ai_rmf_ids().count(), 72);
    }

    #[test]
    fn accepts_real_ids() {
        for s in [
            "OWASP-NHI:NHI1",
            "OWASP-NHI:NHI10",
            "OWASP-NHI:NHI2:2025",
            "NIST-CSF-2.0:PR.AA-05",
            "NIST-CSF-2.0:DE.CM-09",
            "NIST-CSF-2.0:GV.SC-10",
            "NIST-AI-RMF:GOVERN 1.4",
            "NIST-AI-RMF:MEASURE 2.13",
            "OWASP-AGENTIC:ASI01",
            "OWASP-AGENTIC:ASI10",
            "OWASP-AGENTIC-THREATS:T15",
        ] {
            assert!(ok(s), "{s}");
        }
    }

    #[test]
    fn rejects_and_explains_wrong_ids() {
        assert!(help("OWASP-NHI:NHI-02").contains("`NHI2`"));
        assert!(help("OWASP-NHI:NHI02").contains("`NHI2`"));
        assert!(!ok("OWASP-NHI:NHI11"));
        assert!(help("NIST-CSF-2.0:PR.AC-4").contains("PR.AA-05"));
        assert!(help("NIST-CSF-2.0:PR.AA-5").contains("`PR.AA-05`"));
        assert!(help("NIST-CSF-2.0:DE.CM-04").contains("DE.CM-09"));
        assert!(!ok("NIST-CSF-2.0:PR.AC-05"));
        assert!(help("NIST-AI-RMF:Govern 1.4").contains("`GOVERN 1.4`"));
        assert!(help("NIST-AI-RMF:GOVERN 1.9").contains("GOVERN 1.1–1.7"));
        assert!(help("OWASP-AGENTIC:ASI1").contains("`ASI01`"));
        assert!(help("OWASP-AGENTIC:T3").contains("OWASP-AGENTIC-THREATS:T3"));
        assert!(help("NIST-CSF:PR.AA-05").contains("NIST-CSF-2.0:PR.AA-05"));
        assert!(help("PR.AA-05").contains("FRAMEWORK:ID"));
        assert!(!ok("ACME:SEC-001"));
    }

    #[test]
    fn custom_frameworks_use_their_pattern() {
        let custom = vec![CustomFramework {
            name: "ACME".into(),
            pattern: regex::Regex::new("^(?:SEC-[0-9]{3})$").unwrap(),
        }];
        assert!(check_control("ACME:SEC-001", &custom).is_none());
        assert!(check_control("ACME:SEC-1", &custom).is_some());
    }
}
