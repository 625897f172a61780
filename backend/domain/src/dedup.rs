//! Dossier deduplication, PRODUCT.md §3: the match rule as pure functions, and the keys that let
//! the database enforce it under concurrency.
//!
//! Rule: a new dossier is a duplicate of an OPEN dossier of the same org with the same `annonceId`
//! (null = null) and the same `leadPhone`; when no open dossier matches by phone, one with the same
//! `leadEmail` (case-insensitive) is the duplicate. Phone matches win over email matches when both
//! exist and point to different dossiers.
//!
//! ## Enforcing it in the database
//!
//! Each open dossier owns the keys of [`dedup_keys`]: `p:<E.164>|a:<annonce uuid or ->` for its
//! phone and `e:<email>|a:<annonce uuid or ->` for its email. The server stores them in a table
//! with `UNIQUE (org_id, key)` (rows deleted when the dossier becomes WON/LOST or is deleted, and
//! recomputed when phone, email or annonce change), inserted in the same transaction as the
//! dossier. "The new dossier shares a key with an open one" is exactly "the rule finds a duplicate":
//! - a phone match is a shared `p:` key;
//! - an email match is a shared `e:` key, and the rule only falls back to email when no `p:` key is
//!   shared, which is the precedence below.
//!
//! So on create the server inserts the keys (`ON CONFLICT DO NOTHING`, which also waits for a
//! concurrent insert of the same key to commit); if any key is taken, it rolls the new dossier back
//! and answers with the holder of the `p:` key if there is one, else the holder of the `e:` key.
//! Two simultaneous identical creates thus end with one dossier. An update that would make two open
//! dossiers share a key (B's email changed to A's) hits the same index: 409 `CONFLICT`. A dossier
//! with neither phone nor email (a BSUID-only WhatsApp sender) has no key: WhatsApp inbound attaches
//! those by stored BSUID.

use uuid::Uuid;

/// The identity fields the rule looks at, for an existing dossier or a submitted one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DedupProbe<'a> {
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub annonce: Option<Uuid>,
}

/// How an existing dossier matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    Phone,
    Email,
}

/// Pairwise rule: `Some(kind)` when the candidate could be the duplicate of the new submission.
/// Which candidate wins among several is [`find_duplicate`]'s job.
pub fn match_kind(candidate_open: bool, candidate: &DedupProbe<'_>, new: &DedupProbe<'_>) -> Option<MatchKind> {
    if !candidate_open || candidate.annonce != new.annonce {
        return None;
    }
    if same_phone(candidate.phone, new.phone) {
        Some(MatchKind::Phone)
    } else if same_email(candidate.email, new.email) {
        Some(MatchKind::Email)
    } else {
        None
    }
}

/// The pairwise rule as a bool (candidate open, same annonce with null = null, same phone or same
/// email). The "email only when no phone match" precedence needs the whole candidate set: see
/// [`find_duplicate`].
pub fn dedup_matches(
    candidate_open: bool,
    cand_phone: Option<&str>,
    cand_email: Option<&str>,
    cand_annonce: Option<Uuid>,
    new_phone: Option<&str>,
    new_email: Option<&str>,
    new_annonce: Option<Uuid>,
) -> bool {
    let cand = DedupProbe { phone: cand_phone, email: cand_email, annonce: cand_annonce };
    let new = DedupProbe { phone: new_phone, email: new_email, annonce: new_annonce };
    match_kind(candidate_open, &cand, &new).is_some()
}

/// The duplicate among `candidates` (each with its open flag), if any: the first phone match, else
/// the first email match. Pass candidates oldest first so the oldest dossier is the one kept.
pub fn find_duplicate<'c, T>(
    candidates: &'c [(T, bool, DedupProbe<'_>)],
    new: &DedupProbe<'_>,
) -> Option<(&'c T, MatchKind)> {
    let kind_of = |(_, open, probe): &(T, bool, DedupProbe<'_>)| match_kind(*open, probe, new);
    let by = |wanted: MatchKind| candidates.iter().find(|c| kind_of(c) == Some(wanted)).map(|(t, _, _)| (t, wanted));
    by(MatchKind::Phone).or_else(|| by(MatchKind::Email))
}

/// Uniqueness keys of an open dossier (see the module doc), phone key first. Blank values give no
/// key; emails are compared trimmed and lower-cased, phones as given (already E.164).
pub fn dedup_keys(phone: Option<&str>, email: Option<&str>, annonce: Option<Uuid>) -> Vec<String> {
    let annonce = annonce.map_or_else(|| "-".to_string(), |a| a.hyphenated().to_string());
    let mut keys = Vec::with_capacity(2);
    if let Some(p) = clean_phone(phone) {
        keys.push(format!("p:{p}|a:{annonce}"));
    }
    if let Some(e) = clean_email(email) {
        keys.push(format!("e:{e}|a:{annonce}"));
    }
    keys
}

fn clean_phone(p: Option<&str>) -> Option<&str> {
    p.map(str::trim).filter(|p| !p.is_empty())
}

fn clean_email(e: Option<&str>) -> Option<String> {
    e.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty())
}

fn same_phone(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((clean_phone(a), clean_phone(b)), (Some(a), Some(b)) if a == b)
}

fn same_email(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((clean_email(a), clean_email(b)), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: &str = "+33612345678";
    const P2: &str = "+33698765432";
    const E1: &str = "lea@example.fr";

    fn ann() -> Uuid {
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0042)
    }

    fn probe<'a>(phone: Option<&'a str>, email: Option<&'a str>, annonce: Option<Uuid>) -> DedupProbe<'a> {
        DedupProbe { phone, email, annonce }
    }

    #[test]
    fn pairwise_rule_table() {
        let a = Some(ann());
        // (candidate open, (phone, email, annonce) of candidate, same of the new one, expected)
        type Side<'a> = (Option<&'a str>, Option<&'a str>, Option<Uuid>);
        let table: [(bool, Side<'_>, Side<'_>, bool); 14] = [
            (true, (Some(P1), None, None), (Some(P1), None, None), true),
            (false, (Some(P1), None, None), (Some(P1), None, None), false),
            (true, (Some(P1), None, a), (Some(P1), None, a), true),
            (true, (Some(P1), None, a), (Some(P1), None, None), false),
            (true, (Some(P1), None, None), (Some(P1), None, a), false),
            (true, (Some(P1), Some(E1), None), (Some(P2), Some(E1), None), true),
            (true, (Some(P1), Some(E1), None), (Some(P2), Some("other@example.fr"), None), false),
            (true, (None, Some(E1), None), (None, Some(" LEA@Example.FR "), None), true),
            (true, (None, Some(E1), a), (None, Some(E1), None), false),
            (true, (None, None, None), (None, None, None), false),
            (true, (Some(""), Some(""), None), (Some(""), Some(""), None), false),
            (true, (Some(P1), None, None), (None, Some(E1), None), false),
            (true, (None, Some(E1), None), (Some(P1), Some(E1), None), true),
            (false, (None, Some(E1), None), (None, Some(E1), None), false),
        ];
        for (i, (open, (cp, ce, ca), (np, ne, na), expected)) in table.into_iter().enumerate() {
            assert_eq!(dedup_matches(open, cp, ce, ca, np, ne, na), expected, "row {i}");
        }
    }

    #[test]
    fn phone_match_takes_precedence_over_email_match() {
        let new = probe(Some(P1), Some(E1), None);
        let candidates = [
            ("email-only", true, probe(Some(P2), Some(E1), None)),
            ("closed-phone", false, probe(Some(P1), None, None)),
            ("phone", true, probe(Some(P1), Some("x@y.fr"), None)),
            ("phone-later", true, probe(Some(P1), None, None)),
        ];
        assert_eq!(find_duplicate(&candidates, &new), Some((&"phone", MatchKind::Phone)));
        let no_phone_match = &candidates[..2];
        assert_eq!(find_duplicate(no_phone_match, &new), Some((&"email-only", MatchKind::Email)));
        assert_eq!(find_duplicate(&candidates[1..2], &new), None);
        let other_annonce = probe(Some(P1), Some(E1), Some(ann()));
        assert_eq!(find_duplicate(&candidates, &other_annonce), None);
        let empty: [(u8, bool, DedupProbe<'_>); 0] = [];
        assert_eq!(find_duplicate(&empty, &new), None);
    }

    #[test]
    fn keys_format() {
        assert_eq!(
            dedup_keys(Some(P1), Some(" Lea@Example.fr "), None),
            ["p:+33612345678|a:-", "e:lea@example.fr|a:-"]
        );
        assert_eq!(dedup_keys(None, Some(E1), Some(ann())), [format!("e:lea@example.fr|a:{}", ann())]);
        assert_eq!(dedup_keys(Some(P1), None, Some(ann())), [format!("p:+33612345678|a:{}", ann())]);
        assert!(dedup_keys(None, None, None).is_empty());
        assert!(dedup_keys(Some(" "), Some(""), Some(ann())).is_empty());
    }

    /// The unique-key view and the rule agree: for every pair of identities, "the new one shares a
    /// key with an open dossier" iff "the rule finds that dossier (or another) a duplicate".
    #[test]
    fn keys_agree_with_the_rule() {
        let a = Some(ann());
        let phones = [None, Some(P1), Some(P2)];
        let emails = [None, Some(E1), Some("bob@example.fr")];
        let annonces = [None, a];
        let mut identities = Vec::new();
        for p in phones {
            for e in emails {
                for an in annonces {
                    identities.push(probe(p, e, an));
                }
            }
        }
        for existing in &identities {
            for new in &identities {
                let existing_keys = dedup_keys(existing.phone, existing.email, existing.annonce);
                let shares_key =
                    dedup_keys(new.phone, new.email, new.annonce).iter().any(|k| existing_keys.contains(k));
                assert_eq!(shares_key, match_kind(true, existing, new).is_some(), "{existing:?} vs {new:?}");
            }
        }
    }
}
