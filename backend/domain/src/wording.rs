//! French wording of the automatic timeline (activity `content`): the agency's staff read these
//! texts, so wire codes (`PHONE`, `REVOKED`, `QUALIFIED`…) are shown by their French names. The
//! codes themselves stay in each activity's `metadata` for programs.

/// The French name of a wire code of a dossier status, source, loss/won reason, consent channel,
/// purpose or status, message channel or party role; an unknown code is returned as it is.
pub fn fr(code: &str) -> &str {
    match code {
        // Dossier statuses
        "NEW" => "Nouveau",
        "QUALIFYING" => "En qualification",
        "QUALIFIED" => "Qualifié",
        "APPOINTMENT" => "Rendez-vous",
        "WON" => "Gagné",
        "LOST" => "Perdu",
        // Sources and channels (PHONE, EMAIL, WHATSAPP serve both)
        "WEB" => "site web",
        "PHONE" => "téléphone",
        "WHATSAPP" => "WhatsApp",
        "EMAIL" => "email",
        "WALK_IN" => "passage en agence",
        "PORTAL" => "portail",
        "REFERRAL" => "recommandation",
        "IMPORT" => "import",
        "SMS" => "SMS",
        "IN_PERSON" => "en personne",
        // Reasons (OTHER is also a source and a party role)
        "PRICE" => "prix",
        "NO_RESPONSE" => "sans réponse",
        "CHOSE_COMPETITOR" => "concurrent choisi",
        "NOT_ELIGIBLE" => "non éligible",
        "PROJECT_ABANDONED" => "projet abandonné",
        "SIGNED" => "signé",
        "OFFER_ACCEPTED" => "offre acceptée",
        "OTHER" => "autre",
        // Consents
        "CONTACT" => "contact",
        "MARKETING" => "marketing",
        "GRANTED" => "accordé",
        "DENIED" => "refusé",
        "REVOKED" => "révoqué",
        // Party roles
        "BUYER" => "acquéreur",
        "SELLER" => "vendeur",
        "TENANT" => "locataire",
        "LANDLORD" => "bailleur",
        "CO_BORROWER" => "co-emprunteur",
        "NOTARY" => "notaire",
        "BANK" => "banque",
        "LAWYER" => "avocat",
        "AGENT" => "agent",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{ConsentChannel, ConsentPurpose, ConsentStatus};
    use crate::dossier::{DossierStatus, Source as DossierSource};
    use crate::party::PartyRole;

    #[test]
    fn every_code_of_the_timeline_has_a_french_name() {
        let codes = DossierStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(DossierSource::ALL.iter().map(|s| s.as_str()))
            .chain(ConsentChannel::ALL.iter().map(|s| s.as_str()))
            .chain(ConsentPurpose::ALL.iter().map(|s| s.as_str()))
            .chain(ConsentStatus::ALL.iter().map(|s| s.as_str()))
            .chain(PartyRole::ALL.iter().map(|s| s.as_str()));
        // SMS is said the same way in French.
        for code in codes.filter(|c| *c != "SMS") {
            assert_ne!(fr(code), code, "{code} has no French name");
        }
        assert_eq!(fr("UNKNOWN_CODE"), "UNKNOWN_CODE");
    }
}
