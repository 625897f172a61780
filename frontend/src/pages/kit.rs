//! Small helpers shared by the dashboard, annonces, search and settings screens: the current role,
//! loading/error/empty blocks, French labels of the enums and server messages they show.

use atlas_shared_types::annonce::{AnnonceStatus, PropertyType, TransactionType};
use atlas_shared_types::{FieldError, Role};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::auth::{use_session, use_session_expiry};

/// The role of the signed-in user in the current organisation (from `/me`), reactive; `None`
/// while loading or when not a member.
#[derive(Clone, Copy)]
pub struct CurrentRole(pub Signal<Option<Role>>);

impl CurrentRole {
    pub fn get(&self) -> Option<Role> {
        self.0.get()
    }

    /// AGENT and above may write annonces, dossiers…
    pub fn can_write(&self) -> bool {
        self.get().is_some_and(|r| r >= Role::Agent)
    }

}

/// Reads `/me` once per component and follows the current organisation.
pub fn use_current_role() -> CurrentRole {
    if let Some(role) = use_context::<CurrentRole>() {
        return role;
    }
    let session = use_session();
    let me = LocalResource::new(api::me);
    let role = Signal::derive(move || {
        let org = session.org_id()?;
        me.get()?.ok()?.memberships.into_iter().find(|m| m.org_id == org).map(|m| m.role)
    });
    CurrentRole(role)
}

/// Sends the user to the login page when `error` is a 401; returns the error unchanged.
pub fn use_expiry_guard() -> impl Fn(&ApiError) + Clone + 'static {
    let expire = use_session_expiry();
    move |e: &ApiError| {
        if e.is_unauthorized() {
            expire();
        }
    }
}

#[component]
pub fn Loading(#[prop(into, optional)] testid: String) -> impl IntoView {
    view! {
        <p class="loading" role="status" data-testid=if testid.is_empty() { "loading".to_owned() } else { testid }>
            <span class="spinner" aria-hidden="true"></span>
            "Chargement…"
        </p>
    }
}

/// An error with a retry button.
#[component]
pub fn ErrorBox(
    #[prop(into)] message: String,
    #[prop(optional)] retry: Option<Callback<()>>,
    #[prop(into, optional)] testid: String,
) -> impl IntoView {
    view! {
        <div class="alert alert--error" role="alert" data-testid=if testid.is_empty() { "error".to_owned() } else { testid }>
            <p>{message}</p>
            {retry.map(|r| view! {
                <button type="button" class="button" data-testid="retry" on:click=move |_| r.run(())>"Réessayer"</button>
            })}
        </div>
    }
}

#[component]
pub fn Empty(#[prop(into)] message: String, #[prop(into, optional)] testid: String) -> impl IntoView {
    view! {
        <p class="empty-state" data-testid=if testid.is_empty() { "empty".to_owned() } else { testid }>{message}</p>
    }
}

pub fn status_label(s: AnnonceStatus) -> &'static str {
    match s {
        AnnonceStatus::Draft => "Brouillon",
        AnnonceStatus::Published => "Publiée",
        AnnonceStatus::Paused => "En pause",
        AnnonceStatus::Archived => "Archivée",
    }
}

pub fn status_code(s: AnnonceStatus) -> &'static str {
    match s {
        AnnonceStatus::Draft => "DRAFT",
        AnnonceStatus::Published => "PUBLISHED",
        AnnonceStatus::Paused => "PAUSED",
        AnnonceStatus::Archived => "ARCHIVED",
    }
}

pub const STATUSES: [AnnonceStatus; 4] =
    [AnnonceStatus::Draft, AnnonceStatus::Published, AnnonceStatus::Paused, AnnonceStatus::Archived];

pub fn transaction_label(t: TransactionType) -> &'static str {
    match t {
        TransactionType::Sale => "Vente",
        TransactionType::Rent => "Location",
    }
}

pub fn transaction_code(t: TransactionType) -> &'static str {
    match t {
        TransactionType::Sale => "SALE",
        TransactionType::Rent => "RENT",
    }
}

pub const TRANSACTIONS: [TransactionType; 2] = [TransactionType::Sale, TransactionType::Rent];

pub fn property_label(p: PropertyType) -> &'static str {
    match p {
        PropertyType::Apartment => "Appartement",
        PropertyType::House => "Maison",
        PropertyType::Land => "Terrain",
        PropertyType::Commercial => "Local commercial",
        PropertyType::Office => "Bureau",
        PropertyType::Parking => "Parking",
        PropertyType::Other => "Autre",
    }
}

pub fn property_code(p: PropertyType) -> &'static str {
    match p {
        PropertyType::Apartment => "APARTMENT",
        PropertyType::House => "HOUSE",
        PropertyType::Land => "LAND",
        PropertyType::Commercial => "COMMERCIAL",
        PropertyType::Office => "OFFICE",
        PropertyType::Parking => "PARKING",
        PropertyType::Other => "OTHER",
    }
}

pub const PROPERTY_TYPES: [PropertyType; 7] = [
    PropertyType::Apartment,
    PropertyType::House,
    PropertyType::Land,
    PropertyType::Commercial,
    PropertyType::Office,
    PropertyType::Parking,
    PropertyType::Other,
];

/// Dossier statuses (wire names) in French.
pub fn dossier_status_label(s: &str) -> String {
    match s {
        "NEW" => "Nouveau",
        "QUALIFYING" => "En qualification",
        "QUALIFIED" => "Qualifié",
        "APPOINTMENT" => "Rendez-vous",
        "WON" => "Gagné",
        "LOST" => "Perdu",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Dossier sources (wire names) in French.
pub fn source_label(s: &str) -> String {
    match s {
        "WEB" => "Site web",
        "PHONE" => "Téléphone",
        "WHATSAPP" => "WhatsApp",
        "EMAIL" => "E-mail",
        "WALK_IN" => "En agence",
        "PORTAL" => "Portail",
        "REFERRAL" => "Recommandation",
        "IMPORT" => "Import",
        "OTHER" => "Autre",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// French name of an API field, for error lists.
pub fn field_label(field: &str) -> String {
    match field {
        "title" => "Titre",
        "description" => "Description",
        "transactionType" => "Type de transaction",
        "propertyType" => "Type de bien",
        "price" => "Prix",
        "currency" => "Devise",
        "surfaceM2" => "Surface",
        "rooms" => "Pièces",
        "bedrooms" => "Chambres",
        "bathrooms" => "Salles de bain",
        "address" => "Adresse",
        "postalCode" => "Code postal",
        "city" => "Ville",
        "latitude" => "Latitude",
        "longitude" => "Longitude",
        "features" => "Atouts",
        "energyClass" => "Classe énergie (DPE)",
        "climateClass" => "Classe climat (GES)",
        "energyCostMin" => "Coût énergie annuel minimum",
        "energyCostMax" => "Coût énergie annuel maximum",
        "energyCostYear" => "Année de référence des prix de l'énergie",
        "email" => "E-mail",
        "displayName" => "Nom",
        "password" => "Mot de passe",
        "role" => "Rôle",
        "phoneNumberId" => "Identifiant du numéro",
        "accessToken" => "Jeton d'accès",
        "appSecret" => "Secret de l'application",
        "verifyToken" => "Jeton de vérification",
        "code" => "Code",
        "language" => "Langue",
        "category" => "Catégorie",
        "body" => "Texte",
        "q" => "Recherche",
        "from" => "Du",
        "to" => "Au",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// The server's (English) validation messages in French; unknown ones are kept as they are.
pub fn field_message(message: &str) -> String {
    let m = message.trim();
    if m == "is required to publish" {
        return "obligatoire pour publier".to_owned();
    }
    if m == "is required" || m == "must not be blank" || m == "must not be empty" {
        return "obligatoire".to_owned();
    }
    if let Some(n) = m.strip_prefix("must be at least ").and_then(|r| r.strip_suffix(" characters to publish")) {
        return format!("au moins {n} caractères pour publier");
    }
    if m == "must be greater than 0" {
        return "doit être supérieur à 0".to_owned();
    }
    if m == "must be greater than or equal to 0" {
        return "doit être positif ou nul".to_owned();
    }
    if m == "must be less than or equal to energyCostMax" {
        return "doit être inférieur ou égal au maximum".to_owned();
    }
    if m == "must be a whole number of euros" {
        return "doit être un nombre entier d'euros".to_owned();
    }
    if let Some(r) = m.strip_prefix("must be between ") {
        return format!("doit être compris entre {}", r.replace(" and ", " et "));
    }
    m.to_owned()
}

/// `Titre : obligatoire pour publier`.
pub fn field_error_line(e: &FieldError) -> String {
    format!("{} : {}", field_label(&e.field), field_message(&e.message))
}

/// Money amount in French: `450 000 €`, `1 250,50 €`.
pub fn fr_money(v: f64, currency: &str) -> String {
    let symbol = if currency == "EUR" { "€" } else { currency };
    format!("{}\u{a0}{symbol}", crate::components::charts::geometry::fr_decimal(v, 2))
}

/// A date-time as `23/11/2026 10:15` in the browser's time zone.
pub fn fr_datetime(t: chrono::DateTime<chrono::Utc>) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64));
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        d.get_date(),
        d.get_month() + 1,
        d.get_full_year(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// Today in the browser's time zone.
pub fn today_local() -> chrono::NaiveDate {
    let d = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_in_french() {
        assert_eq!(field_message("is required to publish"), "obligatoire pour publier");
        assert_eq!(field_message("must be at least 30 characters to publish"), "au moins 30 caractères pour publier");
        assert_eq!(field_message("must be between -90 and 90"), "doit être compris entre -90 et 90");
        assert_eq!(field_message("something else"), "something else");
        let e = FieldError { field: "energyClass".into(), message: "is required to publish".into() };
        assert_eq!(field_error_line(&e), "Classe énergie (DPE) : obligatoire pour publier");
    }

    #[test]
    fn labels() {
        assert_eq!(dossier_status_label("WON"), "Gagné");
        assert_eq!(source_label("WALK_IN"), "En agence");
        assert_eq!(source_label("NEW_SOURCE"), "NEW_SOURCE");
        assert_eq!(fr_money(450000.0, "EUR"), "450\u{202f}000\u{a0}€");
    }
}
