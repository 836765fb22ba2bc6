//! "Did you mean" suggestions.

/// The candidate closest to `name`, if it is close enough to be a typo.
///
/// ```
/// use gate_lang::check::closest;
/// assert_eq!(closest("vaultd", ["vaulted", "store", "name"]), Some("vaulted"));
/// assert_eq!(closest("securty", ["security", "owner", "ops"]), Some("security"));
/// assert_eq!(closest("xyz", ["security", "owner"]), None);
/// ```
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = match name.chars().count() {
        0..=2 => 1,
        3..=5 => 2,
        n => (n / 3).max(2),
    };
    let lower = name.to_ascii_lowercase();
    let candidates: Vec<&'a str> = candidates.into_iter().filter(|c| *c != name).collect();
    let chars = name.chars().count();
    let by_edits = candidates
        .iter()
        // The distance is at least the difference in length.
        .filter(|c| c.chars().count().abs_diff(chars) <= limit)
        .map(|c| {
            (
                strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()),
                *c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by(|(da, a), (db, b)| da.cmp(db).then_with(|| a.cmp(b)))
        .map(|(_, c)| c);
    if by_edits.is_some() || lower.len() < 3 {
        return by_edits;
    }
    // `agent` for `agent_release`, `is_owned` for `owned`: one contains the other.
    candidates
        .iter()
        .filter(|c| {
            let c = c.to_ascii_lowercase();
            c.len() >= 3 && (c.contains(&lower) || lower.contains(&c))
        })
        .min_by_key(|c| (c.len().abs_diff(name.len()), **c))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_the_nearest() {
        assert_eq!(closest("ownr", ["owner", "ops", "order"]), Some("owner"));
        assert_eq!(closest("Vaulted", ["vaulted"]), Some("vaulted"));
        assert_eq!(closest("a", ["b", "cc"]), Some("b"));
        assert_eq!(
            closest("agent", ["model", "agent_release", "service"]),
            Some("agent_release")
        );
        assert_eq!(closest("is_owned", ["owned", "purpose"]), Some("owned"));
    }
}
