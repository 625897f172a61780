//! « Exporter en CSV »: fetches an export with the session's credentials (a plain link could not
//! send the token) and hands it to the browser as a file download.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self, Download};
use crate::components::error_box::error_message;
use crate::components::use_toasts;

/// A button that downloads `path` (an API path with its query string, the list's filters).
#[component]
pub fn ExportButton(
    /// `/dossiers/export.csv?status=NEW…`, read when clicked.
    #[prop(into)]
    path: Signal<String>,
    /// File name when the server does not suggest one.
    #[prop(into)]
    fallback_name: String,
    #[prop(into, default = "export".to_owned())] testid: String,
) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let on_click = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let path = path.get_untracked();
        let fallback = fallback_name.clone();
        spawn_local(async move {
            match api::download(&path).await {
                Ok(file) => match save(&file, &fallback) {
                    Ok(()) => toasts.success("Export CSV téléchargé."),
                    Err(()) => toasts.error("Le navigateur a refusé le téléchargement."),
                },
                Err(e) => toasts.error(format!("Export impossible : {}", error_message(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <button type="button" class="button" data-testid=testid disabled=move || busy.get() aria-busy=move || busy.get().to_string() on:click=on_click>
            {move || if busy.get() { "Export en cours…" } else { "Exporter en CSV" }}
        </button>
    }
}

/// Offers the bytes as a file: an object URL on a temporary `<a download>`.
fn save(file: &Download, fallback: &str) -> Result<(), ()> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(file.bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&file.content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|_| ())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ())?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or(())?;
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(|_| ())?.dyn_into().map_err(|_| ())?;
    anchor.set_href(&url);
    anchor.set_download(file.filename.as_deref().unwrap_or(fallback));
    anchor.click();
    // The click has started the download synchronously; the blob can go.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
