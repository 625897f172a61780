//! « Conservation des données » (ADMIN, PRODUCT.md §12): the three retention periods, validated
//! like the server does, saved with inline field errors.

use atlas_shared_types::retention::{
    RetentionSettingsDto, ANONYMISE_DAYS_MIN, AUDIT_DAYS_MIN, DAYS_MAX, MESSAGE_CONTENT_DAYS_MIN,
};
use leptos::prelude::*;

use crate::api::{self, ApiError, Method};
use crate::components::{use_toasts, ErrorBox, Field, Loading};
use crate::labels::{api_field_message as field_message, field_error_line};

/// (API field, input id / data-testid, label, minimum, hint)
const FIELDS: [(&str, &str, &str, i64, &str); 3] = [
    (
        "messageContentDays",
        "retention-message-days",
        "Contenu des messages (jours)",
        MESSAGE_CONTENT_DAYS_MIN,
        "Au-delà, le texte des messages est remplacé par « [contenu supprimé — conservation] » ; la trace du message (canal, sens, date) reste.",
    ),
    (
        "auditDays",
        "retention-audit-days",
        "Journal d'audit (jours)",
        AUDIT_DAYS_MIN,
        "Les événements d'audit plus anciens sont supprimés (30 jours minimum).",
    ),
    (
        "closedDossierAnonymiseDays",
        "retention-anonymise-days",
        "Anonymisation des dossiers clos (jours)",
        ANONYMISE_DAYS_MIN,
        "Dossiers gagnés ou perdus depuis plus longtemps : nom, téléphone, e-mail, notes, parties prenantes et messages effacés ; statuts et dates conservés.",
    ),
];

/// An input's value: empty = keep forever (`None`); otherwise a whole number of days within
/// the server's bounds (the same as `atlas-domain`'s).
pub fn parse_days(raw: &str, min: i64) -> Result<Option<i64>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(n) if (min..=DAYS_MAX).contains(&n) => Ok(Some(n)),
        _ => Err(format!("un nombre entier de jours entre {min} et {DAYS_MAX}, ou vide pour conserver indéfiniment")),
    }
}

fn shown(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

#[component]
pub fn RetentionSection() -> impl IntoView {
    let toasts = use_toasts();
    // A 401 here ends the session through the ErrorBox below.
    let settings = LocalResource::new(|| api::get::<RetentionSettingsDto>("/settings/retention"));
    // type="text" (not "number"): a browser gives "" for a malformed number, which would read as
    // "keep forever"; the raw text is validated here instead.
    let values: [RwSignal<String>; 3] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let errors: [RwSignal<Option<String>>; 3] = std::array::from_fn(|_| RwSignal::new(None));
    let general = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let fill = move |s: &RetentionSettingsDto| {
        values[0].set(shown(s.message_content_days));
        values[1].set(shown(s.audit_days));
        values[2].set(shown(s.closed_dossier_anonymise_days));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let mut parsed = [None; 3];
        let mut ok = true;
        for (i, (_, _, _, min, _)) in FIELDS.iter().enumerate() {
            match parse_days(&values[i].get_untracked(), *min) {
                Ok(v) => {
                    parsed[i] = v;
                    errors[i].set(None);
                }
                Err(m) => {
                    ok = false;
                    errors[i].set(Some(m));
                }
            }
        }
        if !ok {
            return;
        }
        let body = RetentionSettingsDto {
            message_content_days: parsed[0],
            audit_days: parsed[1],
            closed_dossier_anonymise_days: parsed[2],
        };
        saving.set(true);
        leptos::task::spawn_local(async move {
            let r = api::write::<_, RetentionSettingsDto>(Method::Put, "/settings/retention", &body, None).await;
            saving.set(false);
            match r {
                Ok(w) => {
                    fill(&w.body);
                    toasts.success("Règles de conservation enregistrées.");
                }
                Err(ApiError::Problem(p)) if p.errors.as_ref().is_some_and(|v| !v.is_empty()) => {
                    let mut other = Vec::new();
                    for e in p.errors.as_deref().unwrap_or_default() {
                        match FIELDS.iter().position(|f| f.0 == e.field) {
                            Some(i) => errors[i].set(Some(field_message(&e.message))),
                            None => other.push(field_error_line(e)),
                        }
                    }
                    if !other.is_empty() {
                        general.set(Some(other.join(" ; ")));
                    }
                    toasts.error("Règles de conservation non enregistrées : vérifiez les champs.");
                }
                Err(e) => {
                    general.set(Some(e.to_string()));
                    toasts.error(format!("Échec de l'enregistrement : {e}"));
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="retention-title" data-testid="settings-retention">
            <h2 id="retention-title">"Conservation des données"</h2>
            <p class="field-hint">
                "Appliquées chaque jour par le serveur. Laissez un champ vide pour conserver indéfiniment. \
                 Chaque purge est tracée dans le journal d'audit (RETENTION_PURGE)."
            </p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(error) => view! { <ErrorBox error on_retry=move |_| settings.refetch() /> }.into_any(),
                        Ok(s) => {
                            if !loaded.get_untracked() {
                                loaded.set(true);
                                fill(&s);
                            }
                            view! {
                                <form class="form" on:submit=submit data-testid="retention-form" novalidate=true>
                                    {FIELDS.iter().enumerate().map(|(i, (_, id, label, _, hint))| {
                                        let (value, error) = (values[i], errors[i]);
                                        view! {
                                            <Field label=*label id=*id error hint=*hint>
                                                <input id=*id type="text" inputmode="numeric" autocomplete="off"
                                                    data-testid=*id placeholder="Conserver indéfiniment"
                                                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                                                    prop:value=move || value.get()
                                                    on:input=move |ev| { value.set(event_target_value(&ev)); error.set(None); } />
                                            </Field>
                                        }
                                    }).collect_view()}
                                    {move || general.get().map(|m| view! {
                                        <p class="alert alert--error" role="alert" data-testid="retention-error">{m}</p>
                                    })}
                                    <div class="form-actions">
                                        <button type="submit" class="button button--primary" data-testid="retention-save"
                                            disabled=move || saving.get()>
                                            {move || if saving.get() { "Enregistrement…" } else { "Enregistrer" }}
                                        </button>
                                    </div>
                                </form>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_mirror_the_server_bounds() {
        assert_eq!(parse_days("", 1), Ok(None));
        assert_eq!(parse_days("  ", 30), Ok(None));
        assert_eq!(parse_days("30", 30), Ok(Some(30)));
        assert!(parse_days("29", 30).is_err());
        assert!(parse_days("0", 1).is_err());
        assert!(parse_days("-1", 1).is_err());
        assert!(parse_days("1.5", 1).is_err());
        assert!(parse_days("abc", 1).is_err());
        assert!(parse_days("36501", 1).is_err());
    }
}
