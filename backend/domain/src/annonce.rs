//! Annonces (listings), PRODUCT.md §2: status workflow, field validation and the publishing
//! requirements, including the French DPE rules for dwellings.

use crate::error::FieldViolation;
use crate::money::Money;
use crate::validation::{check_len, check_opt_len, is_blank};
use crate::wire_enum::wire_enum;

wire_enum! {
    pub enum AnnonceStatus {
        Draft => "DRAFT",
        Published => "PUBLISHED",
        Paused => "PAUSED",
        Archived => "ARCHIVED",
    }
}

wire_enum! {
    pub enum TransactionType {
        Sale => "SALE",
        Rent => "RENT",
    }
}

wire_enum! {
    pub enum PropertyType {
        Apartment => "APARTMENT",
        House => "HOUSE",
        Land => "LAND",
        Commercial => "COMMERCIAL",
        Office => "OFFICE",
        Parking => "PARKING",
        Other => "OTHER",
    }
}

wire_enum! {
    /// DPE label (energy or climate scale).
    pub enum EnergyClass {
        A => "A",
        B => "B",
        C => "C",
        D => "D",
        E => "E",
        F => "F",
        G => "G",
        NotSubject => "NOT_SUBJECT",
    }
}

/// The legal mention for listings of energy class F or G.
pub const ENERGY_WARNING_MENTION: &str = "Logement à consommation énergétique excessive";

impl AnnonceStatus {
    /// Targets reachable from `self` (the `allowed` of a 409).
    pub fn allowed_targets(self) -> &'static [AnnonceStatus] {
        use AnnonceStatus::*;
        match self {
            Draft => &[Published, Archived],
            Published => &[Paused, Archived],
            Paused => &[Published, Archived],
            Archived => &[],
        }
    }

    /// Whether a new dossier may be linked to an annonce in this status (§3).
    pub fn accepts_new_dossier(self) -> bool {
        matches!(self, AnnonceStatus::Published | AnnonceStatus::Paused)
    }
}

/// `DRAFT → PUBLISHED`, `PUBLISHED ↔ PAUSED`, `DRAFT|PUBLISHED|PAUSED → ARCHIVED`; same status and
/// anything out of `ARCHIVED` refused.
pub fn can_transition(from: AnnonceStatus, to: AnnonceStatus) -> bool {
    from.allowed_targets().contains(&to)
}

/// DELETE is only for a draft nobody refers to; anything else is archived instead.
pub fn can_delete(status: AnnonceStatus, has_dossiers: bool) -> bool {
    status == AnnonceStatus::Draft && !has_dossiers
}

impl EnergyClass {
    /// F and G are "passoires énergétiques".
    pub fn is_excessive(self) -> bool {
        matches!(self, EnergyClass::F | EnergyClass::G)
    }
}

/// The read-only `energyWarning`: true for energy class F or G. The mention follows the energy
/// label, not the climate one (the DPE class shown to buyers).
pub fn energy_warning(energy_class: Option<EnergyClass>) -> bool {
    energy_class.is_some_and(EnergyClass::is_excessive)
}

/// `format_reference("ANN", 42)` → `ANN-000042`; wider numbers keep all their digits.
pub fn format_reference(prefix: &str, n: i64) -> String {
    format!("{prefix}-{n:06}")
}

pub const TITLE_MIN: usize = 3;
pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const PUBLISH_DESCRIPTION_MIN: usize = 30;
pub const FEATURES_MAX: usize = 50;
pub const FEATURE_MAX_LEN: usize = 50;
pub const ENERGY_YEAR_MIN: i32 = 2000;
pub const ENERGY_YEAR_MAX: i32 = 2100;

/// The editable fields of an annonce, as a create/update carries them (amounts already converted
/// with [`Money::from_f64`]; energy costs are euros per year, as `Money`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnnonceDraft {
    pub title: String,
    pub description: Option<String>,
    pub transaction_type: Option<TransactionType>,
    pub property_type: Option<PropertyType>,
    pub price: Option<Money>,
    pub surface_m2: Option<f64>,
    pub rooms: Option<i32>,
    pub bedrooms: Option<i32>,
    pub bathrooms: Option<i32>,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub features: Vec<String>,
    pub energy_class: Option<EnergyClass>,
    pub climate_class: Option<EnergyClass>,
    pub energy_cost_min: Option<Money>,
    pub energy_cost_max: Option<Money>,
    pub energy_cost_year: Option<i32>,
}

impl AnnonceDraft {
    /// Every field-level violation (camelCase field names), for create and update alike. An empty
    /// list means the draft can be stored; publishing asks more ([`Self::publish_requirements`]).
    pub fn validate_fields(&self) -> Vec<FieldViolation> {
        let mut out = Vec::new();
        check_len(&mut out, "title", self.title.trim(), TITLE_MIN, TITLE_MAX);
        check_opt_len(&mut out, "description", self.description.as_deref(), DESCRIPTION_MAX);
        if let Some(s) = self.surface_m2 {
            if !(s.is_finite() && s > 0.0) {
                out.push(FieldViolation::new("surfaceM2", "must be greater than 0"));
            }
        }
        for (field, v) in [("rooms", self.rooms), ("bedrooms", self.bedrooms), ("bathrooms", self.bathrooms)] {
            if v.is_some_and(|n| n < 0) {
                out.push(FieldViolation::new(field, "must be greater than or equal to 0"));
            }
        }
        check_opt_len(&mut out, "address", self.address.as_deref(), 300);
        check_opt_len(&mut out, "postalCode", self.postal_code.as_deref(), 20);
        check_opt_len(&mut out, "city", self.city.as_deref(), 100);
        if self.latitude.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
            out.push(FieldViolation::new("latitude", "must be between -90 and 90"));
        }
        if self.longitude.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
            out.push(FieldViolation::new("longitude", "must be between -180 and 180"));
        }
        if self.features.len() > FEATURES_MAX {
            out.push(FieldViolation::new("features", format!("must have at most {FEATURES_MAX} items")));
        }
        for (i, f) in self.features.iter().enumerate() {
            check_len(&mut out, &format!("features[{i}]"), f.trim(), 1, FEATURE_MAX_LEN);
        }
        if let (Some(min), Some(max)) = (self.energy_cost_min, self.energy_cost_max) {
            if min > max {
                out.push(FieldViolation::new("energyCostMin", "must be less than or equal to energyCostMax"));
            }
        }
        if self.energy_cost_year.is_some_and(|y| !(ENERGY_YEAR_MIN..=ENERGY_YEAR_MAX).contains(&y)) {
            out.push(FieldViolation::new(
                "energyCostYear",
                format!("must be between {ENERGY_YEAR_MIN} and {ENERGY_YEAR_MAX}"),
            ));
        }
        out
    }

    /// What blocks `→ PUBLISHED`, one violation per missing item. The server runs this on top of
    /// [`Self::validate_fields`] when the target status is PUBLISHED.
    pub fn publish_requirements(&self) -> Vec<FieldViolation> {
        let mut out = Vec::new();
        let required = |out: &mut Vec<FieldViolation>, field: &str, missing: bool| {
            if missing {
                out.push(FieldViolation::new(field, "is required to publish"));
            }
        };
        required(&mut out, "title", self.title.trim().is_empty());
        let description_len = self.description.as_deref().map_or(0, |d| d.trim().chars().count());
        if description_len < PUBLISH_DESCRIPTION_MIN {
            out.push(FieldViolation::new(
                "description",
                format!("must be at least {PUBLISH_DESCRIPTION_MIN} characters to publish"),
            ));
        }
        required(&mut out, "price", self.price.is_none());
        required(&mut out, "surfaceM2", self.surface_m2.is_none());
        required(&mut out, "city", is_blank(self.city.as_deref()));
        if matches!(self.property_type, Some(PropertyType::Apartment | PropertyType::House)) {
            required(&mut out, "energyClass", self.energy_class.is_none());
            required(&mut out, "climateClass", self.climate_class.is_none());
            // A dwelling without a DPE yet (energyClass missing) also lacks its costs: list them
            // too, so one round trip shows everything to fill in.
            if self.energy_class != Some(EnergyClass::NotSubject) {
                required(&mut out, "energyCostMin", self.energy_cost_min.is_none());
                required(&mut out, "energyCostMax", self.energy_cost_max.is_none());
                required(&mut out, "energyCostYear", self.energy_cost_year.is_none());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire_enum::assert_wire_enum;

    fn fields(v: &[FieldViolation]) -> Vec<&str> {
        v.iter().map(|v| v.field.as_str()).collect()
    }

    fn publishable_flat() -> AnnonceDraft {
        AnnonceDraft {
            title: "T3 lumineux Canal Saint-Martin".into(),
            description: Some("Bel appartement traversant, parquet, cave, proche métro.".into()),
            transaction_type: Some(TransactionType::Sale),
            property_type: Some(PropertyType::Apartment),
            price: Some(Money::from_cents(45_000_000)),
            surface_m2: Some(64.5),
            rooms: Some(3),
            bedrooms: Some(2),
            bathrooms: Some(1),
            city: Some("Paris".into()),
            postal_code: Some("75010".into()),
            latitude: Some(48.87),
            longitude: Some(2.36),
            features: vec!["balcon".into(), "cave".into()],
            energy_class: Some(EnergyClass::D),
            climate_class: Some(EnergyClass::C),
            energy_cost_min: Some(Money::from_cents(123_000)),
            energy_cost_max: Some(Money::from_cents(171_000)),
            energy_cost_year: Some(2024),
            ..AnnonceDraft::default()
        }
    }

    #[test]
    fn enums_round_trip() {
        assert_wire_enum!(AnnonceStatus);
        assert_wire_enum!(TransactionType);
        assert_wire_enum!(PropertyType);
        assert_wire_enum!(EnergyClass);
        assert_eq!(EnergyClass::ALL.len(), 8);
    }

    #[test]
    fn status_matrix() {
        use AnnonceStatus::*;
        let allowed = [
            (Draft, Published),
            (Draft, Archived),
            (Published, Paused),
            (Published, Archived),
            (Paused, Published),
            (Paused, Archived),
        ];
        for &from in AnnonceStatus::ALL {
            for &to in AnnonceStatus::ALL {
                assert_eq!(can_transition(from, to), allowed.contains(&(from, to)), "{from} -> {to}");
            }
        }
        assert!(Published.accepts_new_dossier() && Paused.accepts_new_dossier());
        assert!(!Draft.accepts_new_dossier() && !Archived.accepts_new_dossier());
        assert!(can_delete(Draft, false));
        assert!(!can_delete(Draft, true) && !can_delete(Published, false) && !can_delete(Archived, false));
    }

    #[test]
    fn energy_warning_for_f_and_g_only() {
        for &c in EnergyClass::ALL {
            assert_eq!(energy_warning(Some(c)), matches!(c, EnergyClass::F | EnergyClass::G), "{c}");
        }
        assert!(!energy_warning(None));
        assert_eq!(ENERGY_WARNING_MENTION, "Logement à consommation énergétique excessive");
    }

    #[test]
    fn references() {
        assert_eq!(format_reference("ANN", 42), "ANN-000042");
        assert_eq!(format_reference("DOS", 123), "DOS-000123");
        assert_eq!(format_reference("ANN", 1_234_567), "ANN-1234567");
    }

    #[test]
    fn valid_draft_has_no_violation() {
        assert!(publishable_flat().validate_fields().is_empty());
        assert!(publishable_flat().publish_requirements().is_empty());
        let minimal = AnnonceDraft { title: "  Abc  ".into(), ..AnnonceDraft::default() };
        assert!(minimal.validate_fields().is_empty());
    }

    #[test]
    fn every_field_violation_is_reported() {
        let d = AnnonceDraft {
            title: "  ab ".into(),
            description: Some("x".repeat(10_001)),
            surface_m2: Some(0.0),
            rooms: Some(-1),
            bedrooms: Some(-2),
            bathrooms: Some(-3),
            postal_code: Some("1".repeat(21)),
            latitude: Some(90.5),
            longitude: Some(-180.1),
            features: vec!["ok".into(), " ".into(), "y".repeat(51)],
            energy_cost_min: Some(Money::from_cents(2)),
            energy_cost_max: Some(Money::from_cents(1)),
            energy_cost_year: Some(1999),
            ..publishable_flat()
        };
        assert_eq!(
            fields(&d.validate_fields()),
            [
                "title",
                "description",
                "surfaceM2",
                "rooms",
                "bedrooms",
                "bathrooms",
                "postalCode",
                "latitude",
                "longitude",
                "features[1]",
                "features[2]",
                "energyCostMin",
                "energyCostYear"
            ]
        );
        let long_title = AnnonceDraft { title: "t".repeat(201), ..publishable_flat() };
        assert_eq!(fields(&long_title.validate_fields()), ["title"]);
        let too_many = AnnonceDraft { features: vec!["f".into(); 51], ..publishable_flat() };
        assert_eq!(fields(&too_many.validate_fields()), ["features"]);
        let nan = AnnonceDraft { surface_m2: Some(f64::NAN), latitude: Some(f64::NAN), ..publishable_flat() };
        assert_eq!(fields(&nan.validate_fields()), ["surfaceM2", "latitude"]);
        let edges = AnnonceDraft {
            latitude: Some(-90.0),
            longitude: Some(180.0),
            energy_cost_year: Some(2100),
            energy_cost_min: Some(Money::from_cents(5)),
            energy_cost_max: Some(Money::from_cents(5)),
            features: vec!["f".repeat(50); 50],
            ..publishable_flat()
        };
        assert!(edges.validate_fields().is_empty());
    }

    #[test]
    fn publish_requirements_of_an_empty_dwelling() {
        let d = AnnonceDraft { property_type: Some(PropertyType::House), ..AnnonceDraft::default() };
        assert_eq!(
            fields(&d.publish_requirements()),
            [
                "title",
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
    }

    #[test]
    fn publish_requirements_details() {
        let short = AnnonceDraft {
            description: Some(format!("  {}  ", "x".repeat(29))),
            city: Some("  ".into()),
            ..publishable_flat()
        };
        assert_eq!(fields(&short.publish_requirements()), ["description", "city"]);
        let exactly_30 = AnnonceDraft { description: Some("é".repeat(30)), ..publishable_flat() };
        assert!(exactly_30.publish_requirements().is_empty());
        // Not subject to DPE: classes still stated, costs not needed.
        let exempt = AnnonceDraft {
            energy_class: Some(EnergyClass::NotSubject),
            climate_class: Some(EnergyClass::NotSubject),
            energy_cost_min: None,
            energy_cost_max: None,
            energy_cost_year: None,
            ..publishable_flat()
        };
        assert!(exempt.publish_requirements().is_empty());
        let no_costs = AnnonceDraft { energy_cost_max: None, energy_cost_year: None, ..publishable_flat() };
        assert_eq!(fields(&no_costs.publish_requirements()), ["energyCostMax", "energyCostYear"]);
        // Non-dwellings need no DPE at all.
        for pt in [
            PropertyType::Land,
            PropertyType::Commercial,
            PropertyType::Office,
            PropertyType::Parking,
            PropertyType::Other,
        ] {
            let d = AnnonceDraft {
                property_type: Some(pt),
                energy_class: None,
                climate_class: None,
                energy_cost_min: None,
                energy_cost_max: None,
                energy_cost_year: None,
                ..publishable_flat()
            };
            assert!(d.publish_requirements().is_empty(), "{pt}");
        }
        let free = AnnonceDraft { price: Some(Money::ZERO), ..publishable_flat() };
        assert!(free.publish_requirements().is_empty());
    }
}
