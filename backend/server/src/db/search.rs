//! `SearchStore` over PostgreSQL (PRODUCT.md §11): one statement per search, over the generated
//! `search_tsv` / `*_digits` columns and the (org_id, …) GIN indexes of migration 000005.
//!
//! The SQL is assembled from fixed fragments: only the branches the plan needs are included (so
//! every index condition is planned with its real value, never a `$n IS NULL OR …` that defeats
//! the index); every value travels as a bind parameter, in a fixed order.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::usecases::search::{SearchHit, SearchPlan, SearchStore, SearchType, MARK_END, MARK_START};

use super::{infra, Db};

// Bind parameters, in this order: $1 org, $2 tsquery, $3 exact reference, $4 reference ILIKE,
// $5 name LIKE, $6 phone LIKE, $7 phone LIKE (trunk 0 dropped), $8 prose headline options, $9 limit,
// $10 offset, $11 record headline options. A fragment names only the ones it uses; unused ones are harmless (typed binds).

/// Score bonuses on top of `ts_rank` (which stays well below 1): an exact reference wins, then a
/// phone run, then partial reference and name matches.
const EXACT_REFERENCE_BONUS: &str = "10";
const PHONE_BONUS: &str = "2";
const REFERENCE_BONUS: &str = "1";
const NAME_BONUS: &str = "0.5";

struct Branch {
    condition: String,
    score: String,
}

fn branch(condition: impl Into<String>, score: impl Into<String>) -> Branch {
    Branch { condition: condition.into(), score: score.into() }
}

fn select(type_name: &str, table: &str, dossier_col: &str, branches: &[Branch]) -> Option<String> {
    if branches.is_empty() {
        return None;
    }
    let cond = branches.iter().map(|b| format!("({})", b.condition)).collect::<Vec<_>>().join(" OR ");
    let score = branches.iter().map(|b| b.score.as_str()).collect::<Vec<_>>().join(" + ");
    Some(format!(
        "SELECT '{type_name}'::text AS type, t.id, {dossier_col} AS dossier_id, ({score})::float8 AS score \
         FROM {table} t WHERE t.org_id = $1 AND ({cond})"
    ))
}

fn bonus(condition: &str, points: &str) -> String {
    format!("CASE WHEN {condition} THEN {points} ELSE 0 END")
}

/// The UNION ALL of the per-type selects the plan asks for.
fn hits_sql(plan: &SearchPlan, fts: bool) -> Option<String> {
    let phone = |col: &str| -> Option<Branch> {
        let c = match plan.phone_likes.len() {
            0 => return None,
            1 => format!("t.{col} LIKE $6"),
            _ => format!("t.{col} LIKE $6 OR t.{col} LIKE $7"),
        };
        let score = bonus(&format!("({c})"), PHONE_BONUS);
        Some(branch(c, score))
    };
    let fts_branch = || fts.then(|| branch("t.search_tsv @@ $2::tsquery", "ts_rank(t.search_tsv, $2::tsquery)"));
    let reference = || {
        let mut out = Vec::new();
        if plan.exact_reference.is_some() {
            let c = "t.reference = $3";
            out.push(branch(c, bonus(c, EXACT_REFERENCE_BONUS)));
        }
        if plan.reference_like.is_some() {
            let c = "t.reference ILIKE $4";
            out.push(branch(c, bonus(c, REFERENCE_BONUS)));
        }
        out
    };
    let name = |expr: &str| {
        plan.name_like.as_ref().map(|_| {
            let c = format!("lower(f_unaccent({expr})) LIKE f_unaccent($5)");
            let score = bonus(&c, NAME_BONUS);
            branch(c, score)
        })
    };

    let mut parts = Vec::new();
    for t in &plan.types {
        let sql = match t {
            SearchType::Annonce => {
                let mut b: Vec<Branch> = fts_branch().into_iter().collect();
                b.extend(reference());
                select("ANNONCE", "annonce", "NULL::uuid", &b)
            }
            SearchType::Dossier => {
                let mut b: Vec<Branch> = fts_branch().into_iter().collect();
                b.extend(reference());
                b.extend(name("t.lead_name"));
                b.extend(phone("lead_phone_digits"));
                select("DOSSIER", "dossier", "NULL::uuid", &b)
            }
            SearchType::Partie => {
                let mut b: Vec<Branch> = fts_branch().into_iter().collect();
                b.extend(name("coalesce(t.first_name, '') || ' ' || coalesce(t.last_name, '')"));
                b.extend(phone("phone_digits"));
                select("PARTIE", "party", "t.dossier_id", &b)
            }
            SearchType::Message => {
                let b: Vec<Branch> = fts_branch().into_iter().collect();
                select("MESSAGE", "message", "t.dossier_id", &b)
            }
        };
        parts.extend(sql);
    }
    (!parts.is_empty()).then(|| parts.join(" UNION ALL "))
}

/// Strips the highlight sentinels from user text before `ts_headline` adds its own.
const CLEAN: &str = "chr(57344) || chr(57345)";

fn page_sql(hits: &str) -> String {
    format!(
        "WITH hits AS MATERIALIZED ({hits}), \
         page AS (SELECT * FROM hits ORDER BY score DESC, type, id LIMIT $9 OFFSET $10) \
         SELECT c.total, p.type AS hit_type, p.id, p.dossier_id, p.score, \
                coalesce(a.title, d.title, pt.title, m.title) AS title, \
                coalesce(a.snippet, d.snippet, pt.snippet, m.snippet) AS snippet \
         FROM (SELECT count(*) AS total FROM hits) c \
         LEFT JOIN page p ON true \
         LEFT JOIN LATERAL (SELECT x.title, ts_headline('atlas_fr', \
                translate(concat_ws(' · ', x.reference, x.city, x.description), {CLEAN}, ''), $2::tsquery, $8) AS snippet \
              FROM annonce x WHERE p.type = 'ANNONCE' AND x.org_id = $1 AND x.id = p.id) a ON true \
         LEFT JOIN LATERAL (SELECT x.lead_name AS title, ts_headline('atlas_simple', \
                translate(concat_ws(' · ', x.reference, x.lead_name, x.lead_email, x.lead_phone), {CLEAN}, ''), $2::tsquery, $11) AS snippet \
              FROM dossier x WHERE p.type = 'DOSSIER' AND x.org_id = $1 AND x.id = p.id) d ON true \
         LEFT JOIN LATERAL (SELECT trim(concat_ws(' ', x.first_name, x.last_name)) AS title, ts_headline('atlas_simple', \
                translate(concat_ws(' · ', x.role, concat_ws(' ', x.first_name, x.last_name), x.email, x.phone), {CLEAN}, ''), $2::tsquery, $11) AS snippet \
              FROM party x WHERE p.type = 'PARTIE' AND x.org_id = $1 AND x.id = p.id) pt ON true \
         LEFT JOIN LATERAL (SELECT y.lead_name AS title, ts_headline('atlas_fr', \
                translate(x.content, {CLEAN}, ''), $2::tsquery, $8) AS snippet \
              FROM message x JOIN dossier y ON y.org_id = x.org_id AND y.id = x.dossier_id \
              WHERE p.type = 'MESSAGE' AND x.org_id = $1 AND x.id = p.id) m ON true \
         ORDER BY p.score DESC, p.type, p.id"
    )
}

#[derive(QueryableByName)]
struct QueryText {
    #[diesel(sql_type = Nullable<Text>)]
    q: Option<String>,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    total: i64,
    #[diesel(sql_type = Nullable<Text>)]
    hit_type: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    dossier_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Double>)]
    score: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    snippet: Option<String>,
}

/// Prose (annonce description, message): up to two fragments around the matches.
fn prose_headline() -> String {
    format!(
        "StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", MinWords=8, MaxWords=30, ShortWord=2, \
         MaxFragments=2, FragmentDelimiter=\" … \""
    )
}

/// Short records (dossier, party: reference · name · email · phone): shown whole.
fn record_headline() -> String {
    format!("StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", MinWords=20, MaxWords=40, ShortWord=2")
}

impl SearchStore for Db<'_> {
    fn search(&mut self, plan: &SearchPlan) -> DomainResult<(Vec<SearchHit>, u64)> {
        // The tsquery is built once, then travels as a constant: an index condition, and no
        // per-row rebuild inside ts_rank.
        let tsq: QueryText = diesel::sql_query("SELECT atlas_search_query($1)::text AS q")
            .bind::<Array<Text>, _>(&plan.tokens)
            .get_result(self.conn)
            .map_err(infra)?;
        let tsq = tsq.q.filter(|q| !q.is_empty());
        let Some(hits) = hits_sql(plan, tsq.is_some()) else {
            return Ok((Vec::new(), 0));
        };
        let sql = page_sql(&hits);
        let phone = |i: usize| plan.phone_likes.get(i).cloned();
        let rows: Vec<Row> = diesel::sql_query(sql)
            .bind::<SqlUuid, _>(plan.org_id.0)
            .bind::<Text, _>(tsq.unwrap_or_default())
            .bind::<Nullable<Text>, _>(plan.exact_reference.clone())
            .bind::<Nullable<Text>, _>(plan.reference_like.clone())
            .bind::<Nullable<Text>, _>(plan.name_like.clone())
            .bind::<Nullable<Text>, _>(phone(0))
            .bind::<Nullable<Text>, _>(phone(1))
            .bind::<Text, _>(prose_headline())
            .bind::<BigInt, _>(i64::from(plan.size))
            .bind::<BigInt, _>(i64::from(plan.page) * i64::from(plan.size))
            .bind::<Text, _>(record_headline())
            .load(self.conn)
            .map_err(infra)?;
        let total = rows.first().map(|r| r.total).unwrap_or(0);
        let mut hits = Vec::with_capacity(rows.len());
        for r in rows {
            let (Some(t), Some(id)) = (r.hit_type, r.id) else { continue };
            let hit_type =
                SearchType::parse(&t).ok_or_else(|| DomainError::Infra(format!("unknown search hit type {t}")))?;
            hits.push(SearchHit {
                hit_type,
                id,
                title: r.title.unwrap_or_default(),
                raw_snippet: r.snippet.unwrap_or_default(),
                dossier_id: r.dossier_id,
                score: r.score.unwrap_or(0.0),
            });
        }
        Ok((hits, u64::try_from(total).unwrap_or(0)))
    }
}
