//! Realistic demo data for `atlas seed-demo` (PRODUCT.md §1): annonces, dossiers across every
//! status with a consistent status history, parties, messages, appointments, consents, timeline and
//! audit. Deterministic (seeded RNG) and written only into an org that has no annonce yet, so a
//! second run changes nothing.

use atlas_domain::wording::fr;
use chrono::{DateTime, Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use uuid::Uuid;

use crate::db::schema::{
    activity, annonce, appointment, audit_event, consent, dossier, dossier_status_history, message, party,
    reference_counter,
};

const FIRST: [&str; 24] = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Emma", "Sarah", "Juliette", "Zoé", "Alice", "Lucas",
    "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Nathan", "Raphaël", "Théo", "Maxime", "Antoine", "Éric",
];
const LAST: [&str; 24] = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèbvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
];

pub struct OrgProfile {
    pub cities: &'static [(&'static str, &'static str)],
    pub streets: &'static [&'static str],
    pub annonces: usize,
    pub dossiers: usize,
    pub seed: u64,
    /// Prefix of the generated phone numbers, so that two orgs never share a lead.
    pub phone_block: u32,
}

pub const PARIS: OrgProfile = OrgProfile {
    cities: &[
        ("Paris", "75011"),
        ("Paris", "75015"),
        ("Paris", "75018"),
        ("Boulogne-Billancourt", "92100"),
        ("Vincennes", "94300"),
        ("Montreuil", "93100"),
    ],
    streets: &[
        "rue Oberkampf",
        "rue de la Convention",
        "rue Ordener",
        "avenue Jean-Baptiste Clément",
        "rue de Fontenay",
        "rue de Paris",
    ],
    annonces: 40,
    dossiers: 300,
    seed: 75,
    phone_block: 10,
};

pub const LYON: OrgProfile = OrgProfile {
    cities: &[("Lyon", "69003"), ("Lyon", "69006"), ("Villeurbanne", "69100"), ("Caluire-et-Cuire", "69300")],
    streets: &["cours Lafayette", "boulevard des Belges", "cours Émile Zola", "montée des Soldats"],
    annonces: 15,
    dossiers: 80,
    seed: 69,
    phone_block: 20,
};

struct Ctx<'a> {
    org: Uuid,
    rng: StdRng,
    now: DateTime<Utc>,
    agents: &'a [Uuid],
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Inserts the data set into `org` unless it already holds annonces. Returns whether it wrote.
pub fn seed_org(conn: &mut PgConnection, org: Uuid, profile: &OrgProfile, agents: &[Uuid]) -> QueryResult<bool> {
    let existing: i64 = annonce::table.filter(annonce::org_id.eq(org)).count().get_result(conn)?;
    if existing > 0 || agents.is_empty() {
        return Ok(false);
    }
    let mut c = Ctx { org, rng: StdRng::seed_from_u64(profile.seed), now: Utc::now(), agents };
    let annonces = seed_annonces(conn, &mut c, profile)?;
    seed_dossiers(conn, &mut c, profile, &annonces)?;
    Ok(true)
}

fn seed_annonces(conn: &mut PgConnection, c: &mut Ctx<'_>, p: &OrgProfile) -> QueryResult<Vec<(Uuid, &'static str)>> {
    let kinds = [
        ("APARTMENT", "Appartement"),
        ("HOUSE", "Maison"),
        ("APARTMENT", "Studio"),
        ("PARKING", "Parking"),
        ("COMMERCIAL", "Local commercial"),
    ];
    let classes = ["A", "B", "C", "D", "D", "E", "F", "G"];
    let mut out = Vec::new();
    for i in 0..p.annonces {
        let id = Uuid::now_v7();
        let (ptype, label) = *pick(&mut c.rng, &kinds);
        let (city, postal) = *pick(&mut c.rng, p.cities);
        let rent = c.rng.random_bool(0.3);
        let rooms: i32 = if ptype == "PARKING" { 0 } else { c.rng.random_range(1..6) };
        let surface = if ptype == "PARKING" { 12.0 } else { f64::from(rooms) * c.rng.random_range(14.0..24.0_f64) };
        let surface = (surface * 10.0).round() / 10.0;
        let price: i64 =
            if rent { c.rng.random_range(600..2800) * 100 } else { c.rng.random_range(150..1200) * 100_000 };
        let status = match i % 10 {
            0 => "DRAFT",
            1 => "PAUSED",
            2 => "ARCHIVED",
            _ => "PUBLISHED",
        };
        let dwelling = ptype == "APARTMENT" || ptype == "HOUSE";
        let class = dwelling.then(|| *pick(&mut c.rng, &classes));
        let climate = dwelling.then(|| *pick(&mut c.rng, &classes));
        let created = c.now - Duration::days(c.rng.random_range(30..200));
        let title = if rooms > 0 {
            format!("{label} {rooms} pièce{} – {city}", if rooms > 1 { "s" } else { "" })
        } else {
            format!("{label} – {city}")
        };
        let street = pick(&mut c.rng, p.streets);
        diesel::insert_into(annonce::table)
            .values((
                annonce::org_id.eq(c.org),
                annonce::id.eq(id),
                annonce::reference.eq(format!("ANN-{:06}", i + 1)),
                annonce::title.eq(&title),
                annonce::description.eq(format!(
                    "{title}, {surface} m², proche des commerces et des transports. Lumineux, calme, bon état général."
                )),
                annonce::transaction_type.eq(if rent { "RENT" } else { "SALE" }),
                annonce::property_type.eq(ptype),
                annonce::status.eq(status),
                annonce::price_cents.eq(price),
                annonce::surface_m2.eq(surface),
                annonce::rooms.eq(rooms),
                annonce::bedrooms.eq((rooms - 1).max(0)),
                annonce::bathrooms.eq(i32::from(rooms > 0)),
                annonce::address.eq(format!("{} {street}", c.rng.random_range(1..120))),
                annonce::postal_code.eq(postal),
                annonce::city.eq(city),
                annonce::features.eq(json!(["balcon", "cave", "ascenseur"]
                    .iter()
                    .take(c.rng.random_range(0..4))
                    .collect::<Vec<_>>())),
                annonce::energy_class.eq(class),
                annonce::climate_class.eq(climate),
                annonce::energy_cost_min.eq(class.map(|_| 600)),
                annonce::energy_cost_max.eq(class.map(|_| 1200)),
                annonce::energy_cost_year.eq(class.map(|_| 2025)),
                annonce::created_at.eq(created),
                annonce::updated_at.eq(created),
                annonce::published_at.eq((status != "DRAFT").then_some(created + Duration::days(1))),
            ))
            .execute(conn)?;
        audit(
            conn,
            c,
            "ANNONCE",
            id,
            json!({"reference": format!("ANN-{:06}", i + 1), "title": title, "status": status}),
            created,
        )?;
        out.push((id, status));
    }
    set_counter(conn, c.org, "ANN", p.annonces)?;
    Ok(out)
}

/// The path through the workflow that ends in `target` (PRODUCT.md §3).
fn path_to(target: &str, rng: &mut StdRng) -> Vec<&'static str> {
    let qualify: Vec<&'static str> =
        if rng.random_bool(0.5) { vec!["QUALIFYING", "QUALIFIED"] } else { vec!["QUALIFIED"] };
    match target {
        "NEW" => vec![],
        "QUALIFYING" => vec!["QUALIFYING"],
        "QUALIFIED" => qualify,
        "APPOINTMENT" => [qualify, vec!["APPOINTMENT"]].concat(),
        "WON" => [qualify, vec!["APPOINTMENT", "WON"]].concat(),
        _ => {
            let stop = rng.random_range(0..=qualify.len());
            [qualify[..stop].to_vec(), vec!["LOST"]].concat()
        }
    }
}

fn seed_dossiers(
    conn: &mut PgConnection,
    c: &mut Ctx<'_>,
    p: &OrgProfile,
    annonces: &[(Uuid, &str)],
) -> QueryResult<()> {
    let linkable: Vec<Uuid> =
        annonces.iter().filter(|(_, s)| *s == "PUBLISHED" || *s == "PAUSED").map(|(id, _)| *id).collect();
    let statuses = ["NEW", "NEW", "QUALIFYING", "QUALIFIED", "APPOINTMENT", "WON", "LOST", "LOST"];
    let sources = ["WEB", "PHONE", "WHATSAPP", "EMAIL", "WALK_IN", "PORTAL", "PORTAL", "REFERRAL"];
    let types = ["BUY", "BUY", "RENT", "SELL", "LET"];
    let losses = ["PRICE", "NO_RESPONSE", "CHOSE_COMPETITOR", "NOT_ELIGIBLE", "PROJECT_ABANDONED"];
    for i in 0..p.dossiers {
        let id = Uuid::now_v7();
        let first = *pick(&mut c.rng, &FIRST);
        let last = *pick(&mut c.rng, &LAST);
        let name = format!("{first} {last}");
        let phone = format!("+336{:02}{:06}", p.phone_block, i);
        let email = format!("{}.{}{}@exemple.fr", ascii(first), ascii(last), i);
        let target = *pick(&mut c.rng, &statuses);
        let path = path_to(target, &mut c.rng);
        let created = c.now - Duration::hours(c.rng.random_range(2..24 * 90));
        let assignee = *pick(&mut c.rng, c.agents);
        let annonce_id = (!linkable.is_empty() && c.rng.random_bool(0.8)).then(|| *pick(&mut c.rng, &linkable));
        let loss = (target == "LOST").then(|| *pick(&mut c.rng, &losses));
        let won = (target == "WON").then_some("SIGNED");
        let reference = format!("DOS-{:06}", i + 1);
        let budget: i64 = c.rng.random_range(150..900) * 100_000;
        diesel::insert_into(dossier::table)
            .values((
                dossier::org_id.eq(c.org),
                dossier::id.eq(id),
                dossier::reference.eq(&reference),
                dossier::annonce_id.eq(annonce_id),
                dossier::lead_name.eq(&name),
                dossier::lead_phone.eq(&phone),
                dossier::lead_email.eq(&email),
                dossier::source.eq(*pick(&mut c.rng, &sources)),
                dossier::dossier_type.eq(*pick(&mut c.rng, &types)),
                dossier::status.eq(target),
                dossier::assigned_to_user_id.eq(assignee),
                dossier::budget_min_cents.eq(budget * 8 / 10),
                dossier::budget_max_cents.eq(budget),
                dossier::loss_reason.eq(loss),
                dossier::won_reason.eq(won),
                dossier::created_at.eq(created),
                dossier::updated_at.eq(created),
                dossier::last_activity_at.eq(created),
            ))
            .execute(conn)?;
        audit(conn, c, "DOSSIER", id, json!({"reference": reference, "leadName": name, "status": "NEW"}), created)?;
        act(conn, c, id, "DOSSIER_CREATED", format!("Dossier {reference} créé"), created)?;

        let mut at = created;
        let mut from = "NEW";
        for to in &path {
            at += Duration::hours(c.rng.random_range(4..96));
            let reason = match *to {
                "LOST" => loss,
                "WON" => won,
                _ => None,
            };
            diesel::insert_into(dossier_status_history::table)
                .values((
                    dossier_status_history::org_id.eq(c.org),
                    dossier_status_history::id.eq(Uuid::now_v7()),
                    dossier_status_history::dossier_id.eq(id),
                    dossier_status_history::from_status.eq(from),
                    dossier_status_history::to_status.eq(*to),
                    dossier_status_history::reason.eq(reason),
                    dossier_status_history::changed_by_user_id.eq(assignee),
                    dossier_status_history::changed_at.eq(at),
                ))
                .execute(conn)?;
            act(conn, c, id, "STATUS_CHANGE", format!("Statut : {} → {}", fr(from), fr(to)), at)?;
            if *to == "APPOINTMENT" {
                seed_appointment(conn, c, id, annonce_id, assignee, at)?;
            }
            from = to;
        }
        seed_conversation(conn, c, id, created)?;
        if c.rng.random_bool(0.3) {
            seed_party(conn, c, id, i)?;
        }
    }
    set_counter(conn, c.org, "DOS", p.dossiers)?;
    Ok(())
}

fn seed_appointment(
    conn: &mut PgConnection,
    c: &mut Ctx<'_>,
    dossier_id: Uuid,
    annonce_id: Option<Uuid>,
    assignee: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    // Half of them in the next two weeks, at office hours.
    let start = if c.rng.random_bool(0.5) {
        c.now + Duration::hours(c.rng.random_range(24..24 * 14))
    } else {
        at + Duration::days(2)
    };
    let start = start.date_naive().and_hms_opt(c.rng.random_range(9..18), 0, 0).map(|t| t.and_utc()).unwrap_or(start);
    let status = if start < c.now { "DONE" } else { "SCHEDULED" };
    diesel::insert_into(appointment::table)
        .values((
            appointment::org_id.eq(c.org),
            appointment::id.eq(Uuid::now_v7()),
            appointment::dossier_id.eq(dossier_id),
            appointment::annonce_id.eq(annonce_id),
            appointment::title.eq("Visite du bien"),
            appointment::starts_at.eq(start),
            appointment::ends_at.eq(start + Duration::minutes(45)),
            appointment::location.eq("Sur place"),
            appointment::assigned_to_user_id.eq(assignee),
            appointment::status.eq(status),
        ))
        .execute(conn)?;
    act(conn, c, dossier_id, "APPOINTMENT", "Visite planifiée".to_string(), at)
}

fn seed_conversation(
    conn: &mut PgConnection,
    c: &mut Ctx<'_>,
    dossier_id: Uuid,
    created: DateTime<Utc>,
) -> QueryResult<()> {
    let granted = c.rng.random_bool(0.7);
    diesel::insert_into(consent::table)
        .values((
            consent::org_id.eq(c.org),
            consent::id.eq(Uuid::now_v7()),
            consent::dossier_id.eq(dossier_id),
            consent::channel.eq("WHATSAPP"),
            consent::purpose.eq("CONTACT"),
            consent::status.eq(if granted { "GRANTED" } else { "DENIED" }),
            consent::source.eq("WEB_FORM"),
            consent::proof.eq("Case cochée sur le formulaire de contact du site, avec horodatage"),
            consent::captured_at.eq(created),
        ))
        .execute(conn)?;
    act(
        conn,
        c,
        dossier_id,
        "CONSENT",
        format!("Consentement WhatsApp : {}", if granted { "accordé" } else { "refusé" }),
        created,
    )?;
    let lines = [
        ("INBOUND", "Bonjour, le bien est-il toujours disponible ?"),
        ("OUTBOUND", "Bonjour, oui il l'est. Souhaitez-vous organiser une visite ?"),
        ("INBOUND", "Avec plaisir, plutôt en fin de semaine."),
        ("OUTBOUND", "C'est noté, je vous propose samedi à 10 h."),
    ];
    let n = c.rng.random_range(0..=lines.len());
    for (k, (direction, text)) in lines.iter().take(n).enumerate() {
        // An outbound WhatsApp message without consent would break the rule: log it as a call.
        let channel = if *direction == "OUTBOUND" && !granted { "PHONE" } else { "WHATSAPP" };
        let at = created + Duration::minutes(30 * (k as i64 + 1));
        diesel::insert_into(message::table)
            .values((
                message::org_id.eq(c.org),
                message::id.eq(Uuid::now_v7()),
                message::dossier_id.eq(dossier_id),
                message::channel.eq(channel),
                message::direction.eq(*direction),
                message::content.eq(*text),
                message::occurred_at.eq(at),
            ))
            .execute(conn)?;
        act(
            conn,
            c,
            dossier_id,
            "MESSAGE",
            format!("Message {} ({})", if *direction == "INBOUND" { "entrant" } else { "sortant" }, fr(channel)),
            at,
        )?;
    }
    Ok(())
}

fn seed_party(conn: &mut PgConnection, c: &mut Ctx<'_>, dossier_id: Uuid, i: usize) -> QueryResult<()> {
    let (role, first, last) = *pick(
        &mut c.rng,
        &[("NOTARY", "Maître", "Lambert"), ("BANK", "Crédit", "Mutuel"), ("CO_BORROWER", "Paul", "Marchand")],
    );
    diesel::insert_into(party::table)
        .values((
            party::org_id.eq(c.org),
            party::id.eq(Uuid::now_v7()),
            party::dossier_id.eq(dossier_id),
            party::role.eq(role),
            party::first_name.eq(first),
            party::last_name.eq(last),
            party::email.eq(format!("{}.{}{}@exemple.fr", ascii(first), ascii(last), i)),
        ))
        .execute(conn)?;
    let at = c.now - Duration::days(1);
    act(conn, c, dossier_id, "PARTY", format!("Partie prenante ajoutée : {first} {last}"), at)
}

fn act(
    conn: &mut PgConnection,
    c: &Ctx<'_>,
    dossier_id: Uuid,
    kind: &str,
    content: String,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(activity::table)
        .values((
            activity::org_id.eq(c.org),
            activity::id.eq(Uuid::now_v7()),
            activity::dossier_id.eq(dossier_id),
            activity::activity_type.eq(kind),
            activity::content.eq(content),
            activity::occurred_at.eq(at),
        ))
        .execute(conn)?;
    diesel::update(dossier::table.find((c.org, dossier_id)))
        .filter(dossier::last_activity_at.lt(at))
        .set(dossier::last_activity_at.eq(at))
        .execute(conn)?;
    Ok(())
}

fn audit(
    conn: &mut PgConnection,
    c: &Ctx<'_>,
    entity_type: &str,
    id: Uuid,
    after: serde_json::Value,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(audit_event::table)
        .values((
            audit_event::org_id.eq(c.org),
            audit_event::id.eq(Uuid::now_v7()),
            audit_event::action.eq("CREATE"),
            audit_event::entity_type.eq(entity_type),
            audit_event::entity_id.eq(id),
            audit_event::after.eq(after),
            audit_event::correlation_id.eq("seed-demo"),
            audit_event::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

fn set_counter(conn: &mut PgConnection, org: Uuid, kind: &str, n: usize) -> QueryResult<()> {
    let n = i64::try_from(n).unwrap_or(0);
    diesel::insert_into(reference_counter::table)
        .values((reference_counter::org_id.eq(org), reference_counter::kind.eq(kind), reference_counter::last.eq(n)))
        .on_conflict((reference_counter::org_id, reference_counter::kind))
        .do_update()
        .set(reference_counter::last.eq(n))
        .execute(conn)?;
    Ok(())
}

/// Lower-case ASCII for email local parts ("Léa" → "lea").
fn ascii(s: &str) -> String {
    s.chars()
        .map(|ch| match ch {
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'à' | 'â' => 'a',
            'ï' | 'î' => 'i',
            'ô' => 'o',
            'ù' | 'û' => 'u',
            'ç' => 'c',
            other => other.to_ascii_lowercase(),
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}
