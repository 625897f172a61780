//! The annonce form as text fields, and its client-side validation mirroring the server's
//! (`atlas_domain::annonce::AnnonceDraft::validate_fields` and `parse_input`): pure, unit-tested.

use atlas_shared_types::annonce::{
    AnnonceDto, CreateAnnonceRequest, EnergyClass, PropertyType, TransactionType, UpdateAnnonceRequest,
};
use atlas_shared_types::FieldError;

use crate::format::{from_wire, wire};

pub const TITLE_MIN: usize = 3;
pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const PUBLISH_DESCRIPTION_MIN: usize = 30;
pub const FEATURES_MAX: usize = 50;
pub const FEATURE_MAX_LEN: usize = 50;

/// Every input of the form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnnonceFormValues {
    pub title: String,
    pub description: String,
    pub transaction_type: String,
    pub property_type: String,
    pub price: String,
    pub surface_m2: String,
    pub rooms: String,
    pub bedrooms: String,
    pub bathrooms: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub latitude: String,
    pub longitude: String,
    /// One per line or comma-separated.
    pub features: String,
    pub energy_class: String,
    pub climate_class: String,
    pub energy_cost_min: String,
    pub energy_cost_max: String,
    pub energy_cost_year: String,
}

/// A number as the server sends it, for an input: `450000`, `64.5` → `64,5`.
fn num_text(v: Option<f64>) -> String {
    v.map(|v| {
        let s = format!("{v}");
        s.replace('.', ",")
    })
    .unwrap_or_default()
}

fn int_text(v: Option<i32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl AnnonceFormValues {
    /// The form filled with an existing annonce (edit).
    pub fn from_dto(a: &AnnonceDto) -> Self {
        AnnonceFormValues {
            title: a.title.clone(),
            description: a.description.clone().unwrap_or_default(),
            transaction_type: wire(&a.transaction_type),
            property_type: wire(&a.property_type),
            price: num_text(a.price),
            surface_m2: num_text(a.surface_m2),
            rooms: int_text(a.rooms),
            bedrooms: int_text(a.bedrooms),
            bathrooms: int_text(a.bathrooms),
            address: a.address.clone().unwrap_or_default(),
            postal_code: a.postal_code.clone().unwrap_or_default(),
            city: a.city.clone().unwrap_or_default(),
            latitude: num_text(a.latitude),
            longitude: num_text(a.longitude),
            features: a.features.join("\n"),
            energy_class: a.energy_class.as_ref().map(wire).unwrap_or_default(),
            climate_class: a.climate_class.as_ref().map(wire).unwrap_or_default(),
            energy_cost_min: num_text(a.energy_cost_min),
            energy_cost_max: num_text(a.energy_cost_max),
            energy_cost_year: int_text(a.energy_cost_year),
        }
    }
}

struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn err(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.to_owned(), message: message.into() });
    }

    /// `1 250,50` → 1250.5; the count of decimals is checked against `max_decimals`.
    fn decimal(&mut self, field: &str, raw: &str, max_decimals: usize) -> Option<f64> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '\u{a0}').collect();
        if s.is_empty() {
            return None;
        }
        let s = s.replace(',', ".");
        let valid_chars = s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
        match s.parse::<f64>() {
            Ok(v) if valid_chars && v.is_finite() => {
                let decimals = s.split_once('.').map_or(0, |(_, f)| f.len());
                if decimals > max_decimals {
                    if max_decimals == 0 {
                        self.err(field, "doit être un nombre entier");
                    } else {
                        self.err(field, format!("au plus {max_decimals} décimales"));
                    }
                    return None;
                }
                Some(v)
            }
            _ => {
                self.err(field, "doit être un nombre");
                None
            }
        }
    }

    fn int(&mut self, field: &str, raw: &str) -> Option<i32> {
        let s = raw.trim();
        if s.is_empty() {
            return None;
        }
        match s.parse::<i32>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.err(field, "doit être un nombre entier");
                None
            }
        }
    }
}

fn opt_text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Splits the features input (lines or commas).
pub fn parse_features(raw: &str) -> Vec<String> {
    raw.split(['\n', ',']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Checks every field as the server would and builds the request body; all problems at once.
pub fn validate(v: &AnnonceFormValues) -> Result<CreateAnnonceRequest, Vec<FieldError>> {
    let mut c = Checker { errors: Vec::new() };
    let title = v.title.trim();
    let title_len = title.chars().count();
    if title_len == 0 {
        c.err("title", "obligatoire");
    } else if !(TITLE_MIN..=TITLE_MAX).contains(&title_len) {
        c.err("title", format!("entre {TITLE_MIN} et {TITLE_MAX} caractères"));
    }
    let description = opt_text(&v.description);
    if description.as_deref().is_some_and(|d| d.chars().count() > DESCRIPTION_MAX) {
        c.err(
            "description",
            format!("au plus {} caractères", crate::components::charts::geometry::fr_int(DESCRIPTION_MAX as i64)),
        );
    }
    let transaction_type = from_wire::<TransactionType>(&v.transaction_type);
    if transaction_type.is_none() {
        c.err("transactionType", "obligatoire");
    }
    let property_type = from_wire::<PropertyType>(&v.property_type);
    if property_type.is_none() {
        c.err("propertyType", "obligatoire");
    }
    let price = c.decimal("price", &v.price, 2);
    if price.is_some_and(|p| p < 0.0) {
        c.err("price", "doit être positif ou nul");
    }
    let surface_m2 = c.decimal("surfaceM2", &v.surface_m2, 2);
    if surface_m2.is_some_and(|s| s <= 0.0) {
        c.err("surfaceM2", "doit être supérieure à 0");
    }
    let count = |c: &mut Checker, field: &str, raw: &str| {
        let n = c.int(field, raw);
        if n.is_some_and(|n| n < 0) {
            c.err(field, "doit être positif ou nul");
        }
        n
    };
    let rooms = count(&mut c, "rooms", &v.rooms);
    let bedrooms = count(&mut c, "bedrooms", &v.bedrooms);
    let bathrooms = count(&mut c, "bathrooms", &v.bathrooms);
    let address = opt_text(&v.address);
    if address.as_deref().is_some_and(|a| a.chars().count() > 300) {
        c.err("address", "au plus 300 caractères");
    }
    let postal_code = opt_text(&v.postal_code);
    if postal_code.as_deref().is_some_and(|a| a.chars().count() > 20) {
        c.err("postalCode", "au plus 20 caractères");
    }
    let city = opt_text(&v.city);
    if city.as_deref().is_some_and(|a| a.chars().count() > 100) {
        c.err("city", "au plus 100 caractères");
    }
    let latitude = c.decimal("latitude", &v.latitude, 12);
    if latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l)) {
        c.err("latitude", "doit être comprise entre -90 et 90");
    }
    let longitude = c.decimal("longitude", &v.longitude, 12);
    if longitude.is_some_and(|l| !(-180.0..=180.0).contains(&l)) {
        c.err("longitude", "doit être comprise entre -180 et 180");
    }
    let features = parse_features(&v.features);
    if features.len() > FEATURES_MAX {
        c.err("features", format!("au plus {FEATURES_MAX} atouts"));
    }
    if features.iter().any(|f| f.chars().count() > FEATURE_MAX_LEN) {
        c.err("features", format!("chaque atout fait au plus {FEATURE_MAX_LEN} caractères"));
    }
    let energy_class = from_wire::<EnergyClass>(&v.energy_class);
    let climate_class = from_wire::<EnergyClass>(&v.climate_class);
    let energy_cost_min = c.decimal("energyCostMin", &v.energy_cost_min, 0);
    let energy_cost_max = c.decimal("energyCostMax", &v.energy_cost_max, 0);
    for (field, value) in [("energyCostMin", energy_cost_min), ("energyCostMax", energy_cost_max)] {
        if value.is_some_and(|x| x < 0.0) {
            c.err(field, "doit être positif ou nul");
        }
    }
    if let (Some(min), Some(max)) = (energy_cost_min, energy_cost_max) {
        if min > max {
            c.err("energyCostMin", "doit être inférieur ou égal au maximum");
        }
    }
    let energy_cost_year = c.int("energyCostYear", &v.energy_cost_year);
    if energy_cost_year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        c.err("energyCostYear", "doit être comprise entre 2000 et 2100");
    }
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    Ok(CreateAnnonceRequest {
        title: Some(title.to_owned()),
        description,
        transaction_type,
        property_type,
        price,
        currency: None,
        surface_m2,
        rooms,
        bedrooms,
        bathrooms,
        address,
        postal_code,
        city,
        latitude,
        longitude,
        features: Some(features),
        energy_class,
        climate_class,
        energy_cost_min,
        energy_cost_max,
        energy_cost_year,
    })
}

/// The PUT body of an edit: the same fields, the currency kept, the expected version.
pub fn update_request(r: CreateAnnonceRequest, currency: String, version: i32) -> UpdateAnnonceRequest {
    UpdateAnnonceRequest {
        title: r.title,
        description: r.description,
        transaction_type: r.transaction_type,
        property_type: r.property_type,
        price: r.price,
        currency: Some(currency),
        surface_m2: r.surface_m2,
        rooms: r.rooms,
        bedrooms: r.bedrooms,
        bathrooms: r.bathrooms,
        address: r.address,
        postal_code: r.postal_code,
        city: r.city,
        latitude: r.latitude,
        longitude: r.longitude,
        features: r.features,
        energy_class: r.energy_class,
        climate_class: r.climate_class,
        energy_cost_min: r.energy_cost_min,
        energy_cost_max: r.energy_cost_max,
        energy_cost_year: r.energy_cost_year,
        version: Some(version),
    }
}

/// What publishing will still ask (shown as a hint on the form; the server decides).
pub fn publish_missing(r: &CreateAnnonceRequest) -> Vec<&'static str> {
    let mut out = Vec::new();
    if r.description.as_deref().map_or(0, |d| d.chars().count()) < PUBLISH_DESCRIPTION_MIN {
        out.push("description");
    }
    if r.price.is_none() {
        out.push("price");
    }
    if r.surface_m2.is_none() {
        out.push("surfaceM2");
    }
    if r.city.is_none() {
        out.push("city");
    }
    if matches!(r.property_type, Some(PropertyType::Apartment | PropertyType::House)) {
        if r.energy_class.is_none() {
            out.push("energyClass");
        }
        if r.climate_class.is_none() {
            out.push("climateClass");
        }
        if r.energy_class != Some(EnergyClass::NotSubject) {
            if r.energy_cost_min.is_none() {
                out.push("energyCostMin");
            }
            if r.energy_cost_max.is_none() {
                out.push("energyCostMax");
            }
            if r.energy_cost_year.is_none() {
                out.push("energyCostYear");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> AnnonceFormValues {
        AnnonceFormValues {
            title: "T3 lumineux".into(),
            transaction_type: "SALE".into(),
            property_type: "APARTMENT".into(),
            ..Default::default()
        }
    }

    fn fields(r: Result<CreateAnnonceRequest, Vec<FieldError>>) -> Vec<String> {
        r.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn minimal_draft_is_valid() {
        let r = validate(&valid());
        assert!(r.is_ok());
        let r = r.unwrap_or_default();
        assert_eq!(r.title.as_deref(), Some("T3 lumineux"));
        assert_eq!(r.price, None);
        assert_eq!(r.features, Some(vec![]));
    }

    #[test]
    fn required_and_lengths() {
        let v = AnnonceFormValues { title: "ab".into(), ..Default::default() };
        assert_eq!(fields(validate(&v)), vec!["title", "transactionType", "propertyType"]);
        let v = AnnonceFormValues { title: "x".repeat(201), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["title"]);
        let v = AnnonceFormValues { description: "d".repeat(10_001), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["description"]);
        let v = AnnonceFormValues { description: "d".repeat(10_000), ..valid() };
        assert!(validate(&v).is_ok());
    }

    #[test]
    fn money_and_numbers() {
        let v = AnnonceFormValues { price: "450 000,50".into(), surface_m2: "64,5".into(), ..valid() };
        let r = validate(&v).unwrap_or_default();
        assert_eq!(r.price, Some(450_000.5));
        assert_eq!(r.surface_m2, Some(64.5));
        let v = AnnonceFormValues { price: "12.345".into(), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["price"]);
        let v = AnnonceFormValues { price: "-1".into(), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["price"]);
        let v = AnnonceFormValues { price: "abc".into(), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["price"]);
        let v = AnnonceFormValues { surface_m2: "0".into(), rooms: "-2".into(), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["surfaceM2", "rooms"]);
        let v = AnnonceFormValues { latitude: "91".into(), longitude: "-180.5".into(), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["latitude", "longitude"]);
        let v = AnnonceFormValues { latitude: "48,8566".into(), longitude: "2.3522".into(), ..valid() };
        assert!(validate(&v).is_ok());
    }

    #[test]
    fn energy_costs() {
        let v = AnnonceFormValues { energy_cost_min: "2000".into(), energy_cost_max: "1500".into(), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["energyCostMin"]);
        let v = AnnonceFormValues { energy_cost_min: "1500,5".into(), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["energyCostMin"]);
        let v = AnnonceFormValues { energy_cost_year: "1999".into(), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["energyCostYear"]);
        let v = AnnonceFormValues {
            energy_class: "G".into(),
            climate_class: "F".into(),
            energy_cost_min: "1500".into(),
            energy_cost_max: "2000".into(),
            energy_cost_year: "2023".into(),
            ..valid()
        };
        let r = validate(&v).unwrap_or_default();
        assert_eq!(r.energy_class, Some(EnergyClass::G));
        assert_eq!(r.energy_cost_max, Some(2000.0));
    }

    #[test]
    fn features_split_on_lines_and_commas() {
        assert_eq!(parse_features("Balcon, Cave\n\n Parking "), vec!["Balcon", "Cave", "Parking"]);
        let v = AnnonceFormValues { features: "x".repeat(51), ..valid() };
        assert_eq!(fields(validate(&v)), vec!["features"]);
    }

    #[test]
    fn publish_hints_follow_the_dpe_rule() {
        let r = validate(&valid()).unwrap_or_default();
        assert_eq!(
            publish_missing(&r),
            vec![
                "description",
                "price",
                "surfaceM2",
                "city",
                "energyClass",
                "climateClass",
                "energyCostMin",
                "energyCostMax",
                "energyCostYear"
            ]
        );
        let v = AnnonceFormValues { property_type: "LAND".into(), ..valid() };
        let r = validate(&v).unwrap_or_default();
        assert_eq!(publish_missing(&r), vec!["description", "price", "surfaceM2", "city"]);
        let v =
            AnnonceFormValues { energy_class: "NOT_SUBJECT".into(), climate_class: "NOT_SUBJECT".into(), ..valid() };
        let r = validate(&v).unwrap_or_default();
        assert_eq!(publish_missing(&r), vec!["description", "price", "surfaceM2", "city"]);
    }
}
