//! CSV import of dossiers (MANAGER+): the expected header, the upload, and the result line by line
//! (created, merged into an open dossier, rejected with the reasons).

use atlas_shared_types::dossier::DossierImportResult;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::{use_toasts, ErrorBox, Modal};

/// The header row the server expects (PRODUCT.md §11).
pub const IMPORT_HEADER: &str = "leadName,leadPhone,leadEmail,source,type,annonceReference,notes";
/// The server's limit for this route.
const MAX_BYTES: f64 = 20.0 * 1024.0 * 1024.0;

/// « Importer un CSV » and its dialog; `on_imported` runs after an import that created or merged.
#[component]
pub fn ImportButton(#[prop(into)] on_imported: Callback<()>) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button type="button" class="button" data-testid="dossier-import" on:click=move |_| open.set(true)>
            "Importer un CSV"
        </button>
        <Show when=move || open.get()>
            <ImportDialog on_close=move |_| open.set(false) on_imported />
        </Show>
    }
}

#[component]
fn ImportDialog(#[prop(into)] on_close: Callback<()>, on_imported: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let input = NodeRef::<leptos::html::Input>::new();
    let busy = RwSignal::new(false);
    let choice_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let result = RwSignal::new(None::<DossierImportResult>);

    let upload = move |_| {
        let file = input.get_untracked().and_then(|i| i.files()).and_then(|f| f.get(0));
        let Some(file) = file else {
            choice_error.set(Some("Choisissez un fichier CSV.".to_owned()));
            return;
        };
        if file.size() > MAX_BYTES {
            choice_error.set(Some("Fichier trop volumineux (20 Mo au plus).".to_owned()));
            return;
        }
        choice_error.set(None);
        error.set(None);
        result.set(None);
        let Ok(form) = web_sys::FormData::new() else { return };
        if form.append_with_blob_and_filename("file", file.unchecked_ref(), &file.name()).is_err() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api::post_form::<DossierImportResult>("/dossiers/import", &form).await;
            busy.set(false);
            match answer {
                Ok(r) => {
                    toasts.success(format!(
                        "Import terminé : {} créé(s), {} fusionné(s), {} rejeté(s).",
                        r.created,
                        r.deduplicated,
                        r.rejected.len()
                    ));
                    if r.created + r.deduplicated > 0 {
                        on_imported.run(());
                    }
                    result.set(Some(r));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <Modal title="Importer des dossiers (CSV)" on_close testid="import-dialog">
            <p class="muted small">
                "Première ligne : "<code>{IMPORT_HEADER}</code>". Une cellule vide vaut « non renseigné ». "
                "Un contact déjà suivi par un dossier ouvert y est ajouté au lieu de créer un doublon ; "
                "une ligne invalide est rejetée sans bloquer les autres."
            </p>
            <div class="field" class:field--invalid=move || choice_error.with(Option::is_some)>
                <label for="import-file">"Fichier CSV (UTF-8, 20 Mo au plus)"</label>
                <input id="import-file" type="file" accept=".csv,text/csv" node_ref=input data-testid="import-file" />
                <p class="field-error" data-testid="import-file-error" aria-live="polite">{move || choice_error.get()}</p>
            </div>
            {move || error.get().map(|error| view! { <ErrorBox error /> })}
            {move || result.get().map(|r| view! { <ImportReport result=r /> })}
            <div class="actions">
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Fermer"</button>
                <button type="button" class="button button--primary" data-testid="import-submit" disabled=move || busy.get() on:click=upload>
                    {move || if busy.get() { "Import en cours…" } else { "Importer" }}
                </button>
            </div>
        </Modal>
    }
}

#[component]
fn ImportReport(result: DossierImportResult) -> impl IntoView {
    let rejected = result.rejected.len();
    let tone = if rejected > 0 { "alert alert--warning" } else { "alert alert--success" };
    view! {
        <div class=tone role="status" data-testid="import-result">
            <p>
                <strong data-testid="import-created">{result.created}</strong>" créé(s) · "
                <strong data-testid="import-deduplicated">{result.deduplicated}</strong>" ajouté(s) à un dossier existant · "
                <strong data-testid="import-rejected">{rejected}</strong>" rejeté(s)"
            </p>
            {(rejected > 0).then(|| view! {
                <ul class="field-errors" data-testid="import-rejections">
                    {result.rejected.into_iter().map(|line| {
                        let reasons = line.errors.iter().map(|e| format!("{} : {}", e.field, e.message)).collect::<Vec<_>>().join(" ; ");
                        view! { <li data-testid="import-rejection" data-line=line.line>{format!("Ligne {} — {reasons}", line.line)}</li> }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}
