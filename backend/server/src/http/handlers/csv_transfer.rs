//! CSV export of dossiers and annonces, CSV import of dossiers (PRODUCT.md §11), MANAGER+.
//!
//! Exports are streamed: each chunk is one keyset-paginated read of `EXPORT_CHUNK` rows on the
//! blocking pool (its own short transaction), encoded there, and sent before the next one is read;
//! the body stream only asks for the next chunk when the client has taken the previous one, so a
//! slow client holds neither a database connection nor the whole result. Rows come newest first
//! (createdAt, id), whatever `sort` says; paging parameters are ignored. Chunks are separate reads,
//! not one snapshot: a row changed during a long export shows its state at the time of its chunk.
//!
//! The import reads the multipart part `file` (at most [`MAX_IMPORT_BYTES`]), then imports the
//! lines in batches of [`IMPORT_BATCH`] per transaction, each line inside its own savepoint, so a
//! bad line is rolled back alone and never aborts the others. An infrastructure failure stops the
//! import with a 500; batches committed before it stay (a re-import deduplicates them).

use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use diesel::pg::PgConnection;
use diesel::Connection;
use futures_util::{Stream, StreamExt};

use atlas_domain::error::{DomainError, DomainResult, FieldViolation};
use atlas_domain::identity::{Actor, Capability};
use atlas_domain::money::Money;
use atlas_domain::phone::PhoneE164;
use atlas_domain::usecases::annonces::export as annonce_export;
use atlas_domain::usecases::annonces::Annonce;
use atlas_domain::usecases::dossiers::transfer::{self, ImportCounts, ImportLine, LineOutcome, IMPORT_COLUMNS};
use atlas_domain::usecases::dossiers::Dossier;
use atlas_shared_types::dossier::{DossierImportResult, ImportRejectedLine};
use atlas_shared_types::FieldError;

use super::{annonces, dossiers};
use crate::db::{in_tx, Db, TxError};
use crate::http::context::RequestContext;
use crate::http::problem::ApiError;
use crate::http::query::Query;
use crate::http::state::{AppState, State};

/// Largest import file (the JSON limit of the rest of the API is 1 MiB).
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;
/// Import lines per transaction (each in its own savepoint): one commit per line costs more than
/// the lines themselves on a 10,000-line file.
pub const IMPORT_BATCH: usize = 100;
/// Multipart framing around the file, tolerated above [`MAX_IMPORT_BYTES`] in `Content-Length`.
const MULTIPART_SLACK: usize = 64 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

type Cursor = (DateTime<Utc>, uuid::Uuid);
/// One chunk of an export: its CSV bytes, the keyset position of its last row, its row count.
type Chunk = (Vec<u8>, Option<Cursor>, usize);
type FetchChunk = dyn Fn(&mut PgConnection, Option<Cursor>) -> DomainResult<Chunk> + Send + Sync;

// ---- export -----------------------------------------------------------------------------------

const DOSSIER_COLUMNS: [&str; 21] = [
    "id",
    "reference",
    "annonceId",
    "leadName",
    "leadPhone",
    "leadEmail",
    "whatsappUserId",
    "source",
    "type",
    "status",
    "assignedToUserId",
    "budgetMin",
    "budgetMax",
    "notes",
    "lossReason",
    "wonReason",
    "statusComment",
    "lastActivityAt",
    "createdAt",
    "updatedAt",
    "version",
];

const ANNONCE_COLUMNS: [&str; 30] = [
    "id",
    "reference",
    "title",
    "description",
    "transactionType",
    "propertyType",
    "status",
    "price",
    "currency",
    "surfaceM2",
    "rooms",
    "bedrooms",
    "bathrooms",
    "address",
    "postalCode",
    "city",
    "latitude",
    "longitude",
    "features",
    "energyClass",
    "climateClass",
    "energyCostMin",
    "energyCostMax",
    "energyCostYear",
    "energyWarning",
    "energyWarningText",
    "createdAt",
    "updatedAt",
    "publishedAt",
    "version",
];

pub async fn export_dossiers(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let mut q = Query::parse(req.query_string())?;
    let (text, filter) = dossiers::parse_filter(&mut q);
    let bom = q.bool("bom").unwrap_or(false);
    q.finish()?;
    let corr = ctx.correlation_id();
    let filter =
        st.with_conn(move |conn, _| in_tx(conn, |db| transfer::start_export(db, &actor, text, filter, corr))).await?;
    let fetch: Arc<FetchChunk> = Arc::new(move |conn, after| {
        let rows = in_tx(conn, |db| transfer::export_chunk(db, &actor, &filter, after))?;
        let last = rows.last().map(|d| (d.created_at, d.id));
        Ok((encode(rows.iter().map(dossier_record))?, last, rows.len()))
    });
    Ok(csv_response("dossiers", export_stream(Arc::clone(st.get_ref()), bom, &DOSSIER_COLUMNS, fetch)))
}

pub async fn export_annonces(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let mut q = Query::parse(req.query_string())?;
    let (filter, money_errors) = annonces::parse_filter(&mut q);
    let bom = q.bool("bom").unwrap_or(false);
    annonces::finish(q, money_errors)?;
    let corr = ctx.correlation_id();
    let filter = st
        .with_conn(move |conn, _| {
            in_tx(conn, |db| annonce_export::start_export(db, &actor, &filter, corr))?;
            Ok(filter)
        })
        .await?;
    let fetch: Arc<FetchChunk> = Arc::new(move |conn, after| {
        let rows = in_tx(conn, |db| annonce_export::export_chunk(db, &actor, &filter, after))?;
        let last = rows.last().map(|a| (a.created_at, a.id));
        Ok((encode(rows.iter().map(annonce_record))?, last, rows.len()))
    });
    Ok(csv_response("annonces", export_stream(Arc::clone(st.get_ref()), bom, &ANNONCE_COLUMNS, fetch)))
}

fn csv_response<S>(name: &str, body: S) -> HttpResponse
where
    S: Stream<Item = Result<Bytes, std::io::Error>> + 'static,
{
    let filename = format!("{name}-{}.csv", Utc::now().format("%Y%m%d"));
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .streaming(body)
}

enum Step {
    First,
    After(Cursor),
    Done,
}

/// The body: the header row (after the BOM if asked), then one chunk per read until a short one.
fn export_stream(
    app: Arc<AppState>,
    bom: bool,
    columns: &'static [&'static str],
    fetch: Arc<FetchChunk>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::try_unfold(Step::First, move |step| {
        let app = Arc::clone(&app);
        let fetch = Arc::clone(&fetch);
        async move {
            let after = match step {
                Step::Done => return Ok(None),
                Step::First => None,
                Step::After(c) => Some(c),
            };
            let (rows, last, n) = app.with_conn(move |conn, _| fetch(conn, after)).await.map_err(|e| {
                // The status line is long gone: all the client sees is a cut-off body.
                tracing::error!(code = e.code, detail = ?e.detail, "CSV export failed mid-stream");
                std::io::Error::other("export failed")
            })?;
            let full = u32::try_from(n).is_ok_and(|n| n >= transfer::EXPORT_CHUNK);
            let next = match last {
                Some(c) if full => Step::After(c),
                _ => Step::Done,
            };
            let mut out = Vec::new();
            if after.is_none() {
                if bom {
                    out.extend_from_slice(UTF8_BOM);
                }
                let header = encode(std::iter::once(columns.iter().map(|c| (*c).to_string()).collect()))
                    .map_err(|_| std::io::Error::other("export failed"))?;
                out.extend_from_slice(&header);
            } else if rows.is_empty() {
                return Ok(None);
            }
            out.extend_from_slice(&rows);
            Ok(Some((Bytes::from(out), next)))
        }
    })
}

/// RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma, a quote or a
/// line break (quotes doubled).
fn encode(records: impl Iterator<Item = Vec<String>>) -> DomainResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for r in records {
        w.write_record(&r).map_err(|e| DomainError::Infra(format!("csv: {e}")))?;
    }
    w.into_inner().map_err(|e| DomainError::Infra(format!("csv: {e}")))
}

/// Free text that a spreadsheet would run as a formula (`=`, `@`, or `+`/`-` not followed by a
/// number) gets a leading apostrophe (OWASP "CSV injection"); phones and amounts stay as they are.
fn text(s: &str) -> String {
    let formula = match s.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !s.chars().skip(1).all(|c| c.is_ascii_digit() || c == '.' || c == ' '),
        _ => false,
    };
    if formula {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn opt_text(s: Option<&str>) -> String {
    s.map(text).unwrap_or_default()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn dossier_record(d: &Dossier) -> Vec<String> {
    vec![
        d.id.to_string(),
        d.reference.clone(),
        opt(d.annonce_id),
        text(&d.lead_name),
        opt(d.lead_phone.as_ref().map(PhoneE164::as_str)),
        opt_text(d.lead_email.as_deref()),
        opt_text(d.whatsapp_user_id.as_deref()),
        d.source.as_str().to_string(),
        d.dossier_type.as_str().to_string(),
        d.status.as_str().to_string(),
        opt(d.assigned_to.map(|u| u.0)),
        opt(d.budget_min.map(|m: Money| m.to_string())),
        opt(d.budget_max.map(|m: Money| m.to_string())),
        opt_text(d.notes.as_deref()),
        opt_text(d.loss_reason.as_deref()),
        opt_text(d.won_reason.as_deref()),
        opt_text(d.status_comment.as_deref()),
        time(d.last_activity_at),
        time(d.created_at),
        time(d.updated_at),
        d.version.to_string(),
    ]
}

fn annonce_record(a: &Annonce) -> Vec<String> {
    let d = &a.data;
    vec![
        a.id.to_string(),
        a.reference.clone(),
        text(&d.title),
        opt_text(d.description.as_deref()),
        d.transaction_type.as_str().to_string(),
        d.property_type.as_str().to_string(),
        a.status.as_str().to_string(),
        opt(d.price),
        d.currency.clone(),
        opt(d.surface_m2),
        opt(d.rooms),
        opt(d.bedrooms),
        opt(d.bathrooms),
        opt_text(d.address.as_deref()),
        opt_text(d.postal_code.as_deref()),
        opt_text(d.city.as_deref()),
        opt(d.latitude),
        opt(d.longitude),
        // A JSON array: unambiguous whatever the features contain.
        serde_json::to_string(&d.features).unwrap_or_default(),
        opt(d.energy_class.map(|c| c.as_str())),
        opt(d.climate_class.map(|c| c.as_str())),
        opt(d.energy_cost_min),
        opt(d.energy_cost_max),
        opt(d.energy_cost_year),
        a.energy_warning().to_string(),
        opt(a.energy_warning_text()),
        time(a.created_at),
        time(a.updated_at),
        opt(a.published_at.map(time)),
        a.version.to_string(),
    ]
}

// ---- import -----------------------------------------------------------------------------------

fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", "the import file is larger than the 20 MiB limit")
}

fn bad_multipart(e: actix_multipart::MultipartError) -> ApiError {
    ApiError::field("file", &format!("the body must be multipart/form-data with the CSV in a part named `file` ({e})"))
}

pub async fn import_dossiers(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let declared =
        req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_IMPORT_BYTES + MULTIPART_SLACK) {
        return Err(too_large());
    }
    let mut parts = Multipart::new(req.headers(), payload);
    let mut file: Option<Vec<u8>> = None;
    let mut total = 0usize;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(bad_multipart)?;
        let is_file = file.is_none() && part.name() == Some("file");
        let mut buf = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(bad_multipart)?;
            total += chunk.len();
            if total > MAX_IMPORT_BYTES {
                return Err(too_large());
            }
            if is_file {
                buf.extend_from_slice(&chunk);
            }
        }
        if is_file {
            file = Some(buf);
        }
    }
    let file =
        file.ok_or_else(|| ApiError::field("file", "a multipart part named `file` holding the CSV is required"))?;
    let corr = ctx.correlation_id();
    let result = st.with_conn(move |conn, _| import(conn, &actor, &file, corr)).await?;
    Ok(HttpResponse::Ok().json(result))
}

fn file_error(message: String) -> DomainError {
    DomainError::Validation(vec![FieldViolation::new("file", message)])
}

fn cell(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The header, checked exactly; the error names what differs.
fn check_header(record: &csv::ByteRecord) -> DomainResult<()> {
    let expected = IMPORT_COLUMNS.join(",");
    let found: Vec<String> = record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
    if found.iter().map(String::as_str).eq(IMPORT_COLUMNS.iter().copied()) {
        return Ok(());
    }
    let problem = match found.iter().zip(IMPORT_COLUMNS).position(|(f, e)| f != e) {
        Some(i) => format!(
            "column {} is `{}` where `{}` is expected",
            i + 1,
            found.get(i).map_or("", |s| s),
            IMPORT_COLUMNS.get(i).copied().unwrap_or_default()
        ),
        None => format!("{} columns found, {} expected", found.len(), IMPORT_COLUMNS.len()),
    };
    Err(file_error(format!("the header row must be exactly `{expected}`: {problem}")))
}

/// One data record → the use case's line, or the reasons it cannot be one.
fn parse_line(record: &csv::ByteRecord) -> Result<ImportLine, Vec<FieldViolation>> {
    if record.len() != IMPORT_COLUMNS.len() {
        return Err(vec![FieldViolation::new(
            "line",
            format!("{} columns found, {} expected", record.len(), IMPORT_COLUMNS.len()),
        )]);
    }
    let mut cells = Vec::with_capacity(IMPORT_COLUMNS.len());
    let mut errors = Vec::new();
    for (raw, name) in record.iter().zip(IMPORT_COLUMNS) {
        match std::str::from_utf8(raw) {
            Ok(s) => cells.push(cell(s)),
            Err(_) => {
                errors.push(FieldViolation::new(name, "is not valid UTF-8"));
                cells.push(None);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut it = cells.into_iter();
    let mut next = || it.next().flatten();
    Ok(ImportLine {
        lead_name: next(),
        lead_phone: next(),
        lead_email: next(),
        source: next(),
        dossier_type: next(),
        annonce_reference: next(),
        notes: next(),
    })
}

/// Why a line's savepoint is rolled back.
enum LineAbort {
    Rejected(Vec<FieldViolation>),
    Fatal(DomainError),
}

impl From<diesel::result::Error> for LineAbort {
    fn from(e: diesel::result::Error) -> Self {
        LineAbort::Fatal(DomainError::Infra(e.to_string()))
    }
}

fn rejected_line(line: u64, errors: Vec<FieldViolation>) -> ImportRejectedLine {
    ImportRejectedLine {
        line,
        errors: errors.into_iter().map(|v| FieldError { field: v.field, message: v.message }).collect(),
    }
}

fn import(
    conn: &mut PgConnection,
    actor: &Actor,
    file: &[u8],
    corr: Option<String>,
) -> DomainResult<DossierImportResult> {
    let body = file.strip_prefix(UTF8_BOM).unwrap_or(file);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut records = reader.byte_records();
    match records.next() {
        None => {
            return Err(file_error(format!("the file is empty; its first row must be `{}`", IMPORT_COLUMNS.join(","))))
        }
        Some(Err(e)) => return Err(file_error(format!("the header row cannot be read: {e}"))),
        Some(Ok(header)) => check_header(&header)?,
    }
    // `line` counts records, the header being line 1 (a quoted cell may span physical lines).
    let lines: Vec<(u64, Result<ImportLine, Vec<FieldViolation>>)> = records
        .zip(2u64..)
        .map(|(r, n)| match r {
            Ok(record) => (n, parse_line(&record)),
            Err(e) => (n, Err(vec![FieldViolation::new("line", format!("cannot be read as CSV: {e}"))])),
        })
        .collect();

    let mut result = DossierImportResult { created: 0, deduplicated: 0, rejected: Vec::new() };
    for batch in lines.chunks(IMPORT_BATCH) {
        let outcomes = conn
            .transaction::<_, TxError, _>(|tx| {
                let mut outcomes = Vec::with_capacity(batch.len());
                for (n, parsed) in batch {
                    let line = match parsed {
                        Ok(line) => line.clone(),
                        Err(errors) => {
                            outcomes.push((*n, LineOutcome::Rejected(errors.clone())));
                            continue;
                        }
                    };
                    let corr = corr.clone();
                    let outcome = tx.transaction::<_, LineAbort, _>(|sp| {
                        let mut db = Db { conn: sp };
                        match transfer::import_line(&mut db, actor, line, Utc::now(), corr) {
                            Ok(LineOutcome::Rejected(v)) => Err(LineAbort::Rejected(v)),
                            Ok(done) => Ok(done),
                            Err(e) => Err(LineAbort::Fatal(e)),
                        }
                    });
                    match outcome {
                        Ok(done) => outcomes.push((*n, done)),
                        Err(LineAbort::Rejected(v)) => outcomes.push((*n, LineOutcome::Rejected(v))),
                        Err(LineAbort::Fatal(e)) => return Err(TxError::Domain(e)),
                    }
                }
                Ok(outcomes)
            })
            .map_err(DomainError::from)?;
        for (n, outcome) in outcomes {
            match outcome {
                LineOutcome::Created => result.created += 1,
                LineOutcome::Deduplicated => result.deduplicated += 1,
                LineOutcome::Rejected(v) => result.rejected.push(rejected_line(n, v)),
            }
        }
    }
    let counts = ImportCounts {
        lines: lines.len() as u64,
        created: result.created,
        deduplicated: result.deduplicated,
        rejected: result.rejected.len() as u64,
    };
    in_tx(conn, |db| transfer::record_import(db, actor, counts, corr))?;
    Ok(result)
}
