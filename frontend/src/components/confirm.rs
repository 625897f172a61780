use leptos::prelude::*;

use crate::components::Modal;

/// « Are you sure? » before a destructive action: the consequence in plain words, Cancel first.
#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] confirm_label: String,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into, default = "confirm-dialog".to_owned())] testid: String,
) -> impl IntoView {
    view! {
        <Modal title on_close=on_cancel testid>
            <p>{message}</p>
            <div class="actions">
                <button type="button" class="button" data-testid="confirm-cancel" on:click=move |_| on_cancel.run(())>
                    "Annuler"
                </button>
                <button
                    type="button"
                    class="button button--danger"
                    data-testid="confirm-ok"
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || if busy.get() { "Patientez…".to_owned() } else { confirm_label.clone() }}
                </button>
            </div>
        </Modal>
    }
}
