use std::time::Duration;

use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    id: u64,
    message: String,
    error: bool,
}

/// The feedback area: short messages after each action (success or error).
#[derive(Debug, Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    pub fn new() -> Self {
        Toasts { items: RwSignal::new(Vec::new()), next: StoredValue::new(0) }
    }

    fn push(&self, message: String, error: bool) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items.update(|v| v.push(Toast { id, message, error }));
        let items = self.items;
        // Errors stay longer: they usually need reading.
        let delay = if error { 8000 } else { 4000 };
        set_timeout(move || items.update(|v| v.retain(|t| t.id != id)), Duration::from_millis(delay));
    }

    pub fn success(&self, message: impl Into<String>) {
        self.push(message.into(), false);
    }

    pub fn error(&self, message: impl Into<String>) {
        self.push(message.into(), true);
    }

    fn dismiss(&self, id: u64) {
        self.items.update(|v| v.retain(|t| t.id != id));
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_else(|| {
        let t = Toasts::new();
        provide_context(t);
        t
    })
}

#[component]
pub fn ToastArea() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" aria-live="polite" data-testid="toasts">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div
                    class="toast"
                    class:toast--error=toast.error
                    role=if toast.error { "alert" } else { "status" }
                    data-testid=if toast.error { "toast-error" } else { "toast-success" }
                >
                    <span data-testid="toast-text">{toast.message.clone()}</span>
                    <button
                        type="button"
                        class="toast__close"
                        aria-label="Fermer"
                        on:click=move |_| toasts.dismiss(toast.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
