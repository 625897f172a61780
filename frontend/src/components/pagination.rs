use leptos::prelude::*;

/// Previous/next over pages numbered from 0, with the total.
#[component]
pub fn Pagination(page: RwSignal<u32>, total_pages: u64, total_items: u64) -> impl IntoView {
    let at_end = move || u64::from(page.get()) + 1 >= total_pages;
    view! {
        <nav class="pagination" aria-label="Pagination" data-testid="pagination">
            <button
                type="button"
                class="button"
                data-testid="page-prev"
                disabled=move || page.get() == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))
            >
                "← Précédent"
            </button>
            <span class="muted" aria-live="polite">
                {move || format!(
                    "Page {} sur {} · {} résultat{}",
                    page.get() + 1,
                    total_pages.max(1),
                    total_items,
                    if total_items > 1 { "s" } else { "" },
                )}
            </span>
            <button
                type="button"
                class="button"
                data-testid="page-next"
                disabled=at_end
                on:click=move |_| page.update(|p| *p += 1)
            >
                "Suivant →"
            </button>
        </nav>
    }
}
