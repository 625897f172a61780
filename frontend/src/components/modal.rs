use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

/// A modal dialog over the page: Escape or the backdrop closes it, focus goes to the dialog.
#[component]
pub fn Modal(
    #[prop(into)] title: String,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into, default = "modal".to_owned())] testid: String,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = dialog.get() {
            let _ = el.focus();
        }
    });
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            on_close.run(());
        }
    };
    view! {
        <div class="modal-backdrop" on:click=move |_| on_close.run(())>
            <div
                class="modal"
                role="dialog"
                aria-modal="true"
                aria-labelledby="modal-title"
                tabindex="-1"
                node_ref=dialog
                data-testid=testid
                on:keydown=on_key
                on:click=|ev| ev.stop_propagation()
            >
                <header class="modal__header">
                    <h2 id="modal-title">{title}</h2>
                    <button type="button" class="button button--ghost" aria-label="Fermer" data-testid="modal-close" on:click=move |_| on_close.run(())>
                        "×"
                    </button>
                </header>
                {children()}
            </div>
        </div>
    }
}
