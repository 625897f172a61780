//! Status transitions of a dossier: the reason dialog of WON/LOST and the PATCH call.

use atlas_shared_types::dossier::{AvailableTransitionDto, ChangeDossierStatusRequest, DossierDto, DossierStatus};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{Field, Modal};
use crate::labels::{dossier_status_label, reason_label};

/// A reason and a comment chosen in the dialog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reason {
    pub reason: Option<String>,
    pub comment: Option<String>,
}

/// `PATCH /dossiers/{id}/status`.
pub async fn change_status(id: Uuid, to: DossierStatus, reason: Reason) -> Result<DossierDto, ApiError> {
    let body = ChangeDossierStatusRequest {
        status: to,
        loss_reason: if to == DossierStatus::Lost { reason.reason.clone() } else { None },
        won_reason: if to == DossierStatus::Won { reason.reason.clone() } else { None },
        comment: reason.comment.filter(|c| !c.trim().is_empty()),
    };
    api::patch(&format!("/dossiers/{id}/status"), &body).await
}

/// `GET /dossiers/{id}/available-transitions`.
pub async fn available_transitions(id: Uuid) -> Result<Vec<AvailableTransitionDto>, ApiError> {
    api::get(&format!("/dossiers/{id}/available-transitions")).await
}

/// Client check mirroring the server's: a reason among the offered ones, and a comment for OTHER.
pub fn check_reason(
    reasons: &[String],
    reason: &str,
    comment: &str,
) -> Result<Reason, (Option<String>, Option<String>)> {
    if reason.is_empty() || !reasons.iter().any(|r| r == reason) {
        return Err((Some("Choisissez un motif.".to_owned()), None));
    }
    if reason == "OTHER" && comment.trim().is_empty() {
        return Err((None, Some("Précisez le motif « Autre » en commentaire.".to_owned())));
    }
    Ok(Reason { reason: Some(reason.to_owned()), comment: Some(comment.trim().to_owned()) })
}

/// The dialog asking the reason of a WON or LOST move.
#[component]
pub fn ReasonDialog(
    transition: AvailableTransitionDto,
    #[prop(into)] on_confirm: Callback<Reason>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let to = transition.to;
    let reasons = transition.reasons.clone();
    let reason = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let reason_error = RwSignal::new(None::<String>);
    let comment_error = RwSignal::new(None::<String>);
    let title = match to {
        DossierStatus::Lost => "Marquer le dossier comme perdu".to_owned(),
        DossierStatus::Won => "Marquer le dossier comme gagné".to_owned(),
        other => format!("Passer en « {} »", dossier_status_label(other)),
    };
    let checked_reasons = reasons.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match check_reason(&checked_reasons, &reason.get_untracked(), &comment.get_untracked()) {
            Ok(r) => on_confirm.run(r),
            Err((r, c)) => {
                reason_error.set(r);
                comment_error.set(c);
            }
        }
    };
    let options = reasons
        .into_iter()
        .map(|r| {
            let label = reason_label(&r).to_owned();
            view! { <option value=r>{label}</option> }
        })
        .collect_view();
    view! {
        <Modal title on_close=on_cancel testid="reason-dialog">
            <form class="form" on:submit=submit novalidate=true>
                <Field label="Motif" id="transition-reason" error=reason_error required=true>
                    <select id="transition-reason" data-testid="transition-reason" bind:value=reason>
                        <option value="">"Choisir un motif…"</option>
                        {options}
                    </select>
                </Field>
                <Field
                    label="Commentaire"
                    id="transition-comment"
                    error=comment_error
                    required=false
                    hint="Obligatoire pour le motif « Autre »."
                >
                    <textarea id="transition-comment" rows="3" data-testid="transition-comment" bind:value=comment></textarea>
                </Field>
                <div class="actions">
                    <button type="button" class="button" data-testid="transition-cancel" on:click=move |_| on_cancel.run(())>
                        "Annuler"
                    </button>
                    <button type="submit" class="button button--primary" data-testid="transition-confirm">
                        "Confirmer"
                    </button>
                </div>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_needs_a_comment() {
        let reasons = vec!["PRICE".to_owned(), "OTHER".to_owned()];
        assert!(check_reason(&reasons, "", "").is_err());
        assert!(check_reason(&reasons, "SIGNED", "").is_err());
        assert!(matches!(check_reason(&reasons, "OTHER", "  "), Err((None, Some(_)))));
        assert_eq!(check_reason(&reasons, "PRICE", "").map(|r| r.reason), Ok(Some("PRICE".to_owned())));
    }
}
