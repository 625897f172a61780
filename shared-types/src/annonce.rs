//! DTOs of annonces (listings), PRODUCT.md §2.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AnnonceStatus {
    Draft,
    Published,
    Paused,
    Archived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransactionType {
    Sale,
    Rent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PropertyType {
    Apartment,
    House,
    Land,
    Commercial,
    Office,
    Parking,
    Other,
}

/// DPE label (energy or climate scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EnergyClass {
    A,
    B,
    C,
    D,
    E,
    F,
    G,
    NotSubject,
}

/// An annonce as every endpoint returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnnonceDto {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    pub description: Option<String>,
    pub transaction_type: TransactionType,
    pub property_type: PropertyType,
    pub status: AnnonceStatus,
    pub price: Option<f64>,
    pub currency: String,
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
    pub energy_cost_min: Option<f64>,
    pub energy_cost_max: Option<f64>,
    pub energy_cost_year: Option<i32>,
    /// Read-only: true for energy class F or G.
    pub energy_warning: bool,
    /// Read-only: the legal mention to show with the listing (« Logement à consommation
    /// énergétique excessive ») when `energyWarning` is true, else null.
    pub energy_warning_text: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// Body of `POST /api/v1/annonces`. `transactionType`, `propertyType` and `title` are required;
/// they are optional here so that the server reports every missing field at once.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAnnonceRequest {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub transaction_type: Option<TransactionType>,
    #[serde(default)]
    pub property_type: Option<PropertyType>,
    #[serde(default)]
    pub price: Option<f64>,
    /// ISO 4217; the org's currency when absent.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub surface_m2: Option<f64>,
    #[serde(default)]
    pub rooms: Option<i32>,
    #[serde(default)]
    pub bedrooms: Option<i32>,
    #[serde(default)]
    pub bathrooms: Option<i32>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub features: Option<Vec<String>>,
    #[serde(default)]
    pub energy_class: Option<EnergyClass>,
    #[serde(default)]
    pub climate_class: Option<EnergyClass>,
    #[serde(default)]
    pub energy_cost_min: Option<f64>,
    #[serde(default)]
    pub energy_cost_max: Option<f64>,
    #[serde(default)]
    pub energy_cost_year: Option<i32>,
}

/// Body of `PUT /api/v1/annonces/{id}`: the full representation (absent = null) plus the optional
/// expected `version`. `status` is not accepted here (`PATCH .../status`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateAnnonceRequest {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub transaction_type: Option<TransactionType>,
    #[serde(default)]
    pub property_type: Option<PropertyType>,
    #[serde(default)]
    pub price: Option<f64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub surface_m2: Option<f64>,
    #[serde(default)]
    pub rooms: Option<i32>,
    #[serde(default)]
    pub bedrooms: Option<i32>,
    #[serde(default)]
    pub bathrooms: Option<i32>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub features: Option<Vec<String>>,
    #[serde(default)]
    pub energy_class: Option<EnergyClass>,
    #[serde(default)]
    pub climate_class: Option<EnergyClass>,
    #[serde(default)]
    pub energy_cost_min: Option<f64>,
    #[serde(default)]
    pub energy_cost_max: Option<f64>,
    #[serde(default)]
    pub energy_cost_year: Option<i32>,
    #[serde(default)]
    pub version: Option<i32>,
}

impl UpdateAnnonceRequest {
    /// The editable fields (same shape as a create) and the expected version.
    pub fn into_parts(self) -> (CreateAnnonceRequest, Option<i32>) {
        let fields = CreateAnnonceRequest {
            title: self.title,
            description: self.description,
            transaction_type: self.transaction_type,
            property_type: self.property_type,
            price: self.price,
            currency: self.currency,
            surface_m2: self.surface_m2,
            rooms: self.rooms,
            bedrooms: self.bedrooms,
            bathrooms: self.bathrooms,
            address: self.address,
            postal_code: self.postal_code,
            city: self.city,
            latitude: self.latitude,
            longitude: self.longitude,
            features: self.features,
            energy_class: self.energy_class,
            climate_class: self.climate_class,
            energy_cost_min: self.energy_cost_min,
            energy_cost_max: self.energy_cost_max,
            energy_cost_year: self.energy_cost_year,
        };
        (fields, self.version)
    }
}

/// Body of `PATCH /api/v1/annonces/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnnonceStatusRequest {
    pub status: AnnonceStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_rejects_status_and_unknown_fields() {
        let r: Result<UpdateAnnonceRequest, _> = serde_json::from_str(r#"{"title":"abc","status":"PUBLISHED"}"#);
        assert!(r.is_err());
        let r: Result<CreateAnnonceRequest, _> = serde_json::from_str(r#"{"title":"abc","version":2}"#);
        assert!(r.is_err());
        let r: Result<UpdateAnnonceRequest, _> = serde_json::from_str(r#"{"title":"abc","version":2}"#);
        assert_eq!(r.ok().map(|u| u.into_parts().1), Some(Some(2)));
    }

    #[test]
    fn enums_use_wire_names() {
        assert_eq!(serde_json::to_string(&EnergyClass::NotSubject).ok().as_deref(), Some("\"NOT_SUBJECT\""));
        assert_eq!(serde_json::to_string(&PropertyType::Apartment).ok().as_deref(), Some("\"APARTMENT\""));
        assert!(serde_json::from_str::<TransactionType>("\"sale\"").is_err());
    }
}
