//! `/pipeline`: one column per status; cards move by drag and drop (or the keyboard "Déplacer"
//! button) onto the statuses `available-transitions` allows; WON/LOST ask for a reason. Moves are
//! optimistic and rolled back with an error toast when the server refuses.

use std::collections::HashMap;

use atlas_shared_types::dossier::{AvailableTransitionDto, DossierDto, DossierStatus};
use atlas_shared_types::Page;
use leptos::ev::DragEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use uuid::Uuid;

use super::transition::{available_transitions, change_status, Reason, ReasonDialog};
use crate::api::{self, ApiError};
use crate::components::error_box::error_message;
use crate::components::{use_toasts, ErrorBox, Loading, Modal};
use crate::format::{money, wire};
use crate::labels::{dossier_source_label, dossier_status_label, DOSSIER_STATUSES};
use crate::layout::use_role;
use crate::roles::can_write;

const COLUMN_SIZE: u32 = 50;

#[derive(Debug, Clone, PartialEq)]
struct Board {
    cards: Vec<DossierDto>,
    totals: HashMap<DossierStatus, u64>,
}

async fn load_board() -> Result<Board, ApiError> {
    let mut cards = Vec::new();
    let mut totals = HashMap::new();
    for status in DOSSIER_STATUSES {
        let page: Page<DossierDto> =
            api::get(&format!("/dossiers?status={}&size={COLUMN_SIZE}&sort=lastActivityAt,desc", wire(&status)))
                .await?;
        totals.insert(status, page.total_items);
        cards.extend(page.items);
    }
    Ok(Board { cards, totals })
}

/// The card being dragged and what it may become.
#[derive(Debug, Clone, PartialEq)]
struct Drag {
    id: Uuid,
    from: DossierStatus,
    /// `None` while `available-transitions` is loading.
    allowed: Option<Vec<AvailableTransitionDto>>,
}

/// A move waiting for its reason (WON/LOST).
#[derive(Debug, Clone, PartialEq)]
struct PendingMove {
    id: Uuid,
    transition: AvailableTransitionDto,
}

#[component]
pub fn PipelinePage() -> impl IntoView {
    let board = LocalResource::new(load_board);
    view! {
        <div class="page-header">
            <h1 data-testid="page-title">"Pipeline"</h1>
            <A href="/dossiers" attr:class="button button--ghost">"Vue liste"</A>
        </div>
        <Suspense fallback=|| view! { <Loading label="Chargement du pipeline…" /> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => view! { <BoardView initial=b /> }.into_any(),
                    Err(error) => view! { <ErrorBox error on_retry=move |_| board.refetch() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BoardView(initial: Board) -> impl IntoView {
    let toasts = use_toasts();
    let role = use_role();
    let cards = RwSignal::new(initial.cards);
    let totals = RwSignal::new(initial.totals);
    let drag = RwSignal::new(None::<Drag>);
    let over = RwSignal::new(None::<DossierStatus>);
    let pending = RwSignal::new(None::<PendingMove>);
    let keyboard_move = RwSignal::new(None::<(Uuid, DossierStatus)>);

    // Optimistic move: the card changes column at once, and comes back if the server refuses.
    let apply = move |id: Uuid, to: DossierStatus, reason: Reason| {
        let Some(before) = cards.with_untracked(|c| c.iter().find(|d| d.id == id).cloned()) else { return };
        let from = before.status;
        cards.update(|c| {
            if let Some(d) = c.iter_mut().find(|d| d.id == id) {
                d.status = to;
            }
        });
        totals.update(|t| {
            *t.entry(from).or_default() = t.get(&from).copied().unwrap_or(1).saturating_sub(1);
            *t.entry(to).or_default() += 1;
        });
        spawn_local(async move {
            match change_status(id, to, reason).await {
                Ok(updated) => {
                    toasts.success(format!(
                        "{} passé en « {} ».",
                        updated.reference,
                        dossier_status_label(updated.status)
                    ));
                    cards.update(|c| {
                        if let Some(d) = c.iter_mut().find(|d| d.id == id) {
                            *d = updated;
                        }
                    });
                }
                Err(e) => {
                    cards.update(|c| {
                        if let Some(d) = c.iter_mut().find(|d| d.id == id) {
                            *d = before.clone();
                        }
                    });
                    totals.update(|t| {
                        *t.entry(to).or_default() = t.get(&to).copied().unwrap_or(1).saturating_sub(1);
                        *t.entry(from).or_default() += 1;
                    });
                    toasts.error(format!("Déplacement annulé : {}", error_message(&e)));
                }
            }
        });
    };

    // A chosen transition: straight away, or through the reason dialog.
    let choose = move |id: Uuid, transition: AvailableTransitionDto| {
        if transition.requires_reason {
            pending.set(Some(PendingMove { id, transition }));
        } else {
            apply(id, transition.to, Reason::default());
        }
    };

    let drop_on = move |to: DossierStatus| {
        let Some(d) = drag.get_untracked() else { return };
        drag.set(None);
        over.set(None);
        if d.from == to {
            return;
        }
        match d.allowed {
            Some(allowed) => match allowed.into_iter().find(|t| t.to == to) {
                Some(t) => choose(d.id, t),
                None => toasts.error(format!(
                    "Déplacement impossible de « {} » vers « {} ».",
                    dossier_status_label(d.from),
                    dossier_status_label(to)
                )),
            },
            // Dropped before the allowed moves arrived: ask, then decide.
            None => spawn_local(async move {
                match available_transitions(d.id).await {
                    Ok(allowed) => match allowed.into_iter().find(|t| t.to == to) {
                        Some(t) => choose(d.id, t),
                        None => toasts.error(format!(
                            "Déplacement impossible de « {} » vers « {} ».",
                            dossier_status_label(d.from),
                            dossier_status_label(to)
                        )),
                    },
                    Err(e) => toasts.error(error_message(&e)),
                }
            }),
        }
    };

    let columns = DOSSIER_STATUSES
        .iter()
        .map(|&status| {
            let allowed_here = move || {
                drag.with(|d| {
                    d.as_ref().and_then(|d| d.allowed.as_ref()).is_some_and(|a| a.iter().any(|t| t.to == status))
                })
            };
            let forbidden_here = move || {
                drag.with(|d| {
                    d.as_ref().is_some_and(|d| {
                        d.from != status && d.allowed.as_ref().is_some_and(|a| !a.iter().any(|t| t.to == status))
                    })
                })
            };
            let loading_here =
                move || drag.with(|d| d.as_ref().is_some_and(|d| d.allowed.is_none() && d.from != status));
            let on_dragover = move |ev: DragEvent| {
                // Accepting the drop = preventing the default; forbidden columns do not.
                if allowed_here() || loading_here() {
                    ev.prevent_default();
                    over.set(Some(status));
                }
            };
            let on_drop = move |ev: DragEvent| {
                ev.prevent_default();
                drop_on(status);
            };
            let column_cards =
                move || cards.with(|c| c.iter().filter(|d| d.status == status).cloned().collect::<Vec<_>>());
            view! {
                <section
                    class="column"
                    class:column--allowed=allowed_here
                    class:column--forbidden=forbidden_here
                    class:column--over=move || over.get() == Some(status) && allowed_here()
                    data-testid="pipeline-column"
                    data-status=wire(&status)
                    aria-label=dossier_status_label(status)
                    on:dragover=on_dragover
                    on:dragleave=move |_| if over.get_untracked() == Some(status) { over.set(None) }
                    on:drop=on_drop
                >
                    <header class="column__header">
                        <h2>{dossier_status_label(status)}</h2>
                        <span class="badge" data-testid="column-count">
                            {move || totals.with(|t| t.get(&status).copied().unwrap_or(0))}
                        </span>
                    </header>
                    <ul class="column__cards">
                        <For each=column_cards key=|d| (d.id, d.version, d.status) let:d>
                            <Card d drag keyboard_move editable=Signal::derive(move || can_write(role.get())) />
                        </For>
                    </ul>
                    <Show when=move || column_cards().is_empty()>
                        <p class="column__empty muted">"Aucun dossier"</p>
                    </Show>
                </section>
            }
        })
        .collect_view();

    view! {
        <p class="muted small pipeline-help">
            "Glissez une carte vers une colonne en surbrillance, ou utilisez « Déplacer ». Seules les étapes autorisées acceptent la carte."
        </p>
        <div class="board" data-testid="pipeline-board" class:board--dragging=move || drag.with(Option::is_some)>
            {columns}
        </div>
        {move || pending.get().map(|p| {
            let id = p.id;
            let to = p.transition.to;
            view! {
                <ReasonDialog
                    transition=p.transition
                    on_confirm=move |reason: Reason| {
                        pending.set(None);
                        apply(id, to, reason);
                    }
                    on_cancel=move |_| {
                        pending.set(None);
                        toasts.success("Déplacement annulé.");
                    }
                />
            }
        })}
        {move || keyboard_move.get().map(|(id, from)| view! {
            <MoveDialog
                id
                from
                on_pick=move |t: AvailableTransitionDto| {
                    keyboard_move.set(None);
                    choose(id, t);
                }
                on_cancel=move |_| keyboard_move.set(None)
            />
        })}
    }
}

#[component]
fn Card(
    d: DossierDto,
    drag: RwSignal<Option<Drag>>,
    keyboard_move: RwSignal<Option<(Uuid, DossierStatus)>>,
    editable: Signal<bool>,
) -> impl IntoView {
    let id = d.id;
    let from = d.status;
    let toasts = use_toasts();
    let on_dragstart = move |ev: DragEvent| {
        if let Some(dt) = ev.data_transfer() {
            let _ = dt.set_data("text/plain", &id.to_string());
            dt.set_effect_allowed("move");
        }
        drag.set(Some(Drag { id, from, allowed: None }));
        spawn_local(async move {
            match available_transitions(id).await {
                Ok(allowed) => drag.update(|d| {
                    if let Some(d) = d.as_mut().filter(|d| d.id == id) {
                        d.allowed = Some(allowed);
                    }
                }),
                Err(e) => toasts.error(error_message(&e)),
            }
        });
    };
    let budget = match (d.budget_min, d.budget_max) {
        (Some(a), Some(b)) => Some(format!("{} – {}", money(a), money(b))),
        (Some(a), None) => Some(format!("≥ {}", money(a))),
        (None, Some(b)) => Some(format!("≤ {}", money(b))),
        _ => None,
    };
    let terminal = matches!(from, DossierStatus::Won | DossierStatus::Lost);
    view! {
        <li
            class="pipeline-card"
            class:pipeline-card--dragging=move || drag.with(|x| x.as_ref().is_some_and(|x| x.id == id))
            draggable=move || if editable.get() && !terminal { "true" } else { "false" }
            data-testid="pipeline-card"
            data-dossier-id=id.to_string()
            on:dragstart=on_dragstart
            on:dragend=move |_| drag.set(None)
        >
            <A href=format!("/dossiers/{id}") attr:class="pipeline-card__title">{d.lead_name.clone()}</A>
            <span class="muted small">{format!("{} · {}", d.reference, dossier_source_label(d.source))}</span>
            {budget.map(|b| view! { <span class="small">{b}</span> })}
            {d.loss_reason.clone().or(d.won_reason.clone()).map(|r| view! {
                <span class="small muted">{format!("Motif : {}", crate::labels::reason_label(&r))}</span>
            })}
            <Show when=move || editable.get() && !terminal>
                <button
                    type="button"
                    class="button button--small"
                    data-testid="card-move"
                    on:click=move |_| keyboard_move.set(Some((id, from)))
                >
                    "Déplacer…"
                </button>
            </Show>
        </li>
    }
}

/// Keyboard alternative to drag and drop: the allowed statuses as buttons.
#[component]
fn MoveDialog(
    id: Uuid,
    from: DossierStatus,
    #[prop(into)] on_pick: Callback<AvailableTransitionDto>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let allowed = LocalResource::new(move || available_transitions(id));
    view! {
        <Modal title=format!("Déplacer depuis « {} »", dossier_status_label(from)) on_close=on_cancel testid="move-dialog">
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match allowed.await {
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"Aucun déplacement possible depuis cette étape."</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|t| {
                            let label = dossier_status_label(t.to);
                            let code = wire(&t.to);
                            view! {
                                <button type="button" class="button move-option" data-testid="move-option" data-status=code
                                    on:click=move |_| on_pick.run(t.clone())>
                                    {label}
                                </button>
                            }
                        }).collect_view().into_any(),
                    }
                })}
            </Suspense>
        </Modal>
    }
}
