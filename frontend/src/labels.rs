//! French labels of API enums.

use atlas_shared_types::activity::ActivityType;
use atlas_shared_types::appointment::AppointmentStatus;
use atlas_shared_types::consent::{ConsentChannel, ConsentPurpose, ConsentSource, ConsentStatus};
use atlas_shared_types::dossier::{DossierSource, DossierStatus, DossierType};
use atlas_shared_types::message::{MessageChannel, MessageDirection};
use atlas_shared_types::party::PartyRole;
use atlas_shared_types::Role;

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrateur",
        Role::Manager => "Manager",
        Role::Agent => "Agent",
        Role::Viewer => "Lecteur",
    }
}

/// The statuses in workflow order (the pipeline's columns).
pub const DOSSIER_STATUSES: [DossierStatus; 6] = [
    DossierStatus::New,
    DossierStatus::Qualifying,
    DossierStatus::Qualified,
    DossierStatus::Appointment,
    DossierStatus::Won,
    DossierStatus::Lost,
];

pub fn dossier_status_label(s: DossierStatus) -> &'static str {
    match s {
        DossierStatus::New => "Nouveau",
        DossierStatus::Qualifying => "En qualification",
        DossierStatus::Qualified => "Qualifié",
        DossierStatus::Appointment => "Rendez-vous",
        DossierStatus::Won => "Gagné",
        DossierStatus::Lost => "Perdu",
    }
}

/// Tone of a status badge (a CSS modifier).
pub fn dossier_status_tone(s: DossierStatus) -> &'static str {
    match s {
        DossierStatus::New => "info",
        DossierStatus::Qualifying | DossierStatus::Qualified => "progress",
        DossierStatus::Appointment => "warning",
        DossierStatus::Won => "success",
        DossierStatus::Lost => "danger",
    }
}

pub const DOSSIER_SOURCES: [DossierSource; 9] = [
    DossierSource::Web,
    DossierSource::Phone,
    DossierSource::Whatsapp,
    DossierSource::Email,
    DossierSource::WalkIn,
    DossierSource::Portal,
    DossierSource::Referral,
    DossierSource::Import,
    DossierSource::Other,
];

pub fn dossier_source_label(s: DossierSource) -> &'static str {
    match s {
        DossierSource::Web => "Site web",
        DossierSource::Phone => "Téléphone",
        DossierSource::Whatsapp => "WhatsApp",
        DossierSource::Email => "Email",
        DossierSource::WalkIn => "Passage en agence",
        DossierSource::Portal => "Portail",
        DossierSource::Referral => "Recommandation",
        DossierSource::Import => "Import",
        DossierSource::Other => "Autre",
    }
}

pub const DOSSIER_TYPES: [DossierType; 4] = [DossierType::Buy, DossierType::Rent, DossierType::Sell, DossierType::Let];

pub fn dossier_type_label(t: DossierType) -> &'static str {
    match t {
        DossierType::Buy => "Achat",
        DossierType::Rent => "Location (locataire)",
        DossierType::Sell => "Vente",
        DossierType::Let => "Mise en location",
    }
}

/// Reasons of LOST and WON transitions (`lossReason`, `wonReason`).
pub fn reason_label(reason: &str) -> &str {
    match reason {
        "PRICE" => "Prix",
        "NO_RESPONSE" => "Sans réponse",
        "CHOSE_COMPETITOR" => "A choisi un concurrent",
        "NOT_ELIGIBLE" => "Non éligible",
        "PROJECT_ABANDONED" => "Projet abandonné",
        "SIGNED" => "Signé",
        "OFFER_ACCEPTED" => "Offre acceptée",
        "OTHER" => "Autre",
        other => other,
    }
}

pub fn activity_type_label(t: ActivityType) -> &'static str {
    match t {
        ActivityType::Note => "Note",
        ActivityType::StatusChange => "Changement de statut",
        ActivityType::Message => "Message",
        ActivityType::Appointment => "Rendez-vous",
        ActivityType::Consent => "Consentement",
        ActivityType::Party => "Partie prenante",
        ActivityType::DossierCreated => "Création du dossier",
        ActivityType::DuplicateMerged => "Doublon fusionné",
        ActivityType::OutboundStatus => "Statut d'envoi",
        ActivityType::System => "Système",
    }
}

pub fn appointment_status_label(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Scheduled => "Planifié",
        AppointmentStatus::Confirmed => "Confirmé",
        AppointmentStatus::Done => "Effectué",
        AppointmentStatus::NoShow => "Absent",
        AppointmentStatus::Cancelled => "Annulé",
    }
}

pub fn party_role_label(r: PartyRole) -> &'static str {
    match r {
        PartyRole::Buyer => "Acquéreur",
        PartyRole::Seller => "Vendeur",
        PartyRole::Tenant => "Locataire",
        PartyRole::Landlord => "Bailleur",
        PartyRole::CoBorrower => "Co-emprunteur",
        PartyRole::Notary => "Notaire",
        PartyRole::Bank => "Banque",
        PartyRole::Lawyer => "Avocat",
        PartyRole::Agent => "Agent",
        PartyRole::Other => "Autre",
    }
}

pub fn message_channel_label(c: MessageChannel) -> &'static str {
    match c {
        MessageChannel::Whatsapp => "WhatsApp",
        MessageChannel::Sms => "SMS",
        MessageChannel::Email => "Email",
        MessageChannel::Phone => "Téléphone",
        MessageChannel::InPerson => "En personne",
    }
}

pub fn message_direction_label(d: MessageDirection) -> &'static str {
    match d {
        // Not « Reçu / Envoyé »: « Envoyé » is also the status SENT of an outbound message.
        MessageDirection::Inbound => "Entrant",
        MessageDirection::Outbound => "Sortant",
    }
}

pub fn consent_channel_label(c: ConsentChannel) -> &'static str {
    match c {
        ConsentChannel::Whatsapp => "WhatsApp",
        ConsentChannel::Sms => "SMS",
        ConsentChannel::Email => "Email",
        ConsentChannel::Phone => "Téléphone",
    }
}

pub fn consent_purpose_label(p: ConsentPurpose) -> &'static str {
    match p {
        ConsentPurpose::Contact => "Contact",
        ConsentPurpose::Marketing => "Marketing",
    }
}

pub fn consent_status_label(s: ConsentStatus) -> &'static str {
    match s {
        ConsentStatus::Granted => "Accordé",
        ConsentStatus::Denied => "Refusé",
        ConsentStatus::Revoked => "Révoqué",
    }
}

pub fn consent_source_label(s: ConsentSource) -> &'static str {
    match s {
        ConsentSource::Ui => "Saisie manuelle",
        ConsentSource::WebForm => "Formulaire web",
        ConsentSource::WhatsappInbound => "Message WhatsApp reçu",
        ConsentSource::Import => "Import",
        ConsentSource::Api => "API",
    }
}

/// Outbound message statuses (`QUEUED`, `SENDING`, …).
pub const OUTBOUND_STATUSES: [&str; 7] = ["QUEUED", "SENDING", "SENT", "DELIVERED", "READ", "FAILED", "CANCELLED"];

pub fn outbound_status_label(s: &str) -> &str {
    match s {
        "QUEUED" => "En file",
        "SENDING" => "Envoi en cours",
        "SENT" => "Envoyé",
        "DELIVERED" => "Distribué",
        "READ" => "Lu",
        "FAILED" => "Échec",
        "CANCELLED" => "Annulé",
        other => other,
    }
}

pub fn outbound_status_tone(s: &str) -> &'static str {
    match s {
        "QUEUED" | "SENDING" => "progress",
        "SENT" => "info",
        "DELIVERED" | "READ" => "success",
        "FAILED" => "danger",
        _ => "neutral",
    }
}

pub const AUDIT_ACTIONS: [&str; 12] = [
    "CREATE",
    "UPDATE",
    "DELETE",
    "STATUS_CHANGE",
    "ASSIGN",
    "LOGIN",
    "BLOCKED_BY_POLICY",
    "SEND",
    "ERASE",
    "EXPORT",
    "IMPORT",
    "RETENTION_PURGE",
];

pub fn audit_action_label(a: &str) -> &str {
    match a {
        "CREATE" => "Création",
        "UPDATE" => "Modification",
        "DELETE" => "Suppression",
        "STATUS_CHANGE" => "Changement de statut",
        "ASSIGN" => "Attribution",
        "LOGIN" => "Connexion",
        "BLOCKED_BY_POLICY" => "Bloqué par la politique",
        "SEND" => "Envoi",
        "ERASE" => "Effacement",
        "EXPORT" => "Export",
        "IMPORT" => "Import",
        "RETENTION_PURGE" => "Purge (rétention)",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_in_french() {
        assert_eq!(role_label(Role::Admin), "Administrateur");
        assert_eq!(role_label(Role::Viewer), "Lecteur");
    }

    #[test]
    fn statuses_and_reasons_in_french() {
        assert_eq!(dossier_status_label(DossierStatus::Lost), "Perdu");
        assert_eq!(reason_label("NO_RESPONSE"), "Sans réponse");
        assert_eq!(reason_label("UNKNOWN_X"), "UNKNOWN_X");
    }
}

// Annonces -----------------------------------------------------------------------------------------

use atlas_shared_types::annonce::{AnnonceStatus, PropertyType, TransactionType};
use atlas_shared_types::FieldError;

pub const ANNONCE_STATUSES: [AnnonceStatus; 4] =
    [AnnonceStatus::Draft, AnnonceStatus::Published, AnnonceStatus::Paused, AnnonceStatus::Archived];

pub fn annonce_status_label(s: AnnonceStatus) -> &'static str {
    match s {
        AnnonceStatus::Draft => "Brouillon",
        AnnonceStatus::Published => "Publiée",
        AnnonceStatus::Paused => "En pause",
        AnnonceStatus::Archived => "Archivée",
    }
}

/// Tone of an annonce's status badge (see [`dossier_status_tone`]).
pub fn annonce_status_tone(s: AnnonceStatus) -> &'static str {
    match s {
        AnnonceStatus::Published => "success",
        AnnonceStatus::Paused => "warning",
        AnnonceStatus::Draft | AnnonceStatus::Archived => "neutral",
    }
}

pub const TRANSACTION_TYPES: [TransactionType; 2] = [TransactionType::Sale, TransactionType::Rent];

pub fn transaction_type_label(t: TransactionType) -> &'static str {
    match t {
        TransactionType::Sale => "Vente",
        TransactionType::Rent => "Location",
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

pub fn property_type_label(p: PropertyType) -> &'static str {
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

// API field errors ---------------------------------------------------------------------------------

/// French name of an API field (`energyClass` → `Classe énergie (DPE)`); unknown ones as they are.
pub fn api_field_label(field: &str) -> &str {
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
        "leadName" => "Nom du contact",
        "leadPhone" => "Téléphone du contact",
        "leadEmail" => "Email du contact",
        "source" => "Source",
        "type" => "Type de projet",
        "budgetMin" => "Budget minimum",
        "budgetMax" => "Budget maximum",
        "annonceId" => "Annonce",
        "assignedToUserId" => "Conseiller",
        "notes" => "Notes",
        "startsAt" => "Début",
        "endsAt" => "Fin",
        "location" => "Lieu",
        "firstName" => "Prénom",
        "lastName" => "Nom",
        "phone" => "Téléphone",
        "content" => "Contenu",
        "channel" => "Canal",
        "purpose" => "Finalité",
        "status" => "Statut",
        "file" => "Fichier",
        other => other,
    }
}

/// The server's (English) validation messages in French; unknown ones are kept as they are.
pub fn api_field_message(message: &str) -> String {
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
    format!("{} : {}", api_field_label(&e.field), api_field_message(&e.message))
}

#[cfg(test)]
mod annonce_and_field_tests {
    use super::*;

    #[test]
    fn annonce_labels_and_tones() {
        assert_eq!(annonce_status_label(AnnonceStatus::Paused), "En pause");
        assert_eq!(annonce_status_tone(AnnonceStatus::Published), "success");
        assert_eq!(transaction_type_label(TransactionType::Rent), "Location");
        assert_eq!(property_type_label(PropertyType::Commercial), "Local commercial");
    }

    #[test]
    fn server_messages_in_french() {
        assert_eq!(api_field_message("is required to publish"), "obligatoire pour publier");
        assert_eq!(
            api_field_message("must be at least 30 characters to publish"),
            "au moins 30 caractères pour publier"
        );
        assert_eq!(api_field_message("must be between -90 and 90"), "doit être compris entre -90 et 90");
        assert_eq!(api_field_message("something else"), "something else");
        assert_eq!(api_field_label("unknownField"), "unknownField");
        let e = FieldError { field: "energyClass".into(), message: "is required to publish".into() };
        assert_eq!(field_error_line(&e), "Classe énergie (DPE) : obligatoire pour publier");
    }
}
