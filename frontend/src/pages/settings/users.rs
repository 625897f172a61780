//! Users and roles of the organisation (ADMIN): list, add, change role, deactivate.

use atlas_shared_types::{CreateUserRequest, MemberDto, Page, Role, UpdateUserRequest};
use leptos::prelude::*;

use super::write_error;
use crate::api::{self};
use crate::auth::use_session;
use crate::components::{EmptyState, ErrorBox, Loading};
use crate::labels::role_label;

const ROLES: [Role; 4] = [Role::Admin, Role::Manager, Role::Agent, Role::Viewer];

fn role_from_code(s: &str) -> Option<Role> {
    ROLES.iter().copied().find(|r| r.as_str() == s)
}

#[component]
pub(super) fn UsersSection() -> impl IntoView {
    let session = use_session();
    // A 401 ends the session in the ErrorBox.
    let members = LocalResource::new(move || {
        let _org = session.org_id();
        api::get::<Page<MemberDto>>("/users?size=100")
    });
    let message = RwSignal::new(None::<(bool, String)>);

    let update = move |id: uuid::Uuid, body: UpdateUserRequest, done: String| {
        leptos::task::spawn_local(async move {
            match api::patch::<_, MemberDto>(&format!("/users/{id}"), &body).await {
                Ok(_) => {
                    message.set(Some((true, done)));
                    members.refetch();
                }
                Err(e) => message.set(Some((false, write_error(&e)))),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="users-title" data-testid="settings-users">
            <h2 id="users-title">"Utilisateurs et rôles"</h2>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "alert alert--success" } else { "alert alert--error" } role="status" data-testid="users-message">{m}</p>
            })}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Err(error) => view! { <ErrorBox error on_retry=move |_| members.refetch() /> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! { <EmptyState title="Aucun membre." /> }.into_any(),
                        Ok(p) => {
                            let rows = p.items.into_iter().map(|m| {
                                let id = m.id;
                                let active = m.active;
                                let name = m.display_name.clone();
                                let name2 = name.clone();
                                let options = ROLES.iter().map(|r| view! {
                                    <option value=r.as_str() selected=*r == m.role>{role_label(*r)}</option>
                                }).collect_view();
                                view! {
                                    <tr data-testid="user-row" data-email=m.email.clone() class:row--inactive=!active>
                                        <td data-label="Nom">{m.display_name.clone()}</td>
                                        <td data-label="E-mail">{m.email.clone()}</td>
                                        <td data-label="Rôle">
                                            <select data-testid="user-role" aria-label=format!("Rôle de {}", m.display_name)
                                                on:change=move |ev| {
                                                    if let Some(role) = role_from_code(&event_target_value(&ev)) {
                                                        update(id, UpdateUserRequest { role: Some(role), active: None },
                                                            format!("Rôle de {name} : {}.", role_label(role)));
                                                    }
                                                }>
                                                {options}
                                            </select>
                                        </td>
                                        <td data-label="État">{if active { "Actif" } else { "Désactivé" }}</td>
                                        <td data-label="Action">
                                            <button type="button" class="button" data-testid="user-toggle-active"
                                                on:click=move |_| update(id, UpdateUserRequest { role: None, active: Some(!active) },
                                                    format!("{name2} : compte {}.", if active { "désactivé" } else { "réactivé" }))>
                                                {if active { "Désactiver" } else { "Réactiver" }}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <div class="table-wrap">
                                    <table class="table table--stack" data-testid="users-table">
                                        <thead><tr><th>"Nom"</th><th>"E-mail"</th><th>"Rôle"</th><th>"État"</th><th><span class="visually-hidden">"Action"</span></th></tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <AddUserForm on_added=Callback::new(move |m: MemberDto| {
                message.set(Some((true, format!("{} a été ajouté(e) à l'agence.", m.display_name))));
                members.refetch();
            }) />
        </section>
    }
}

#[component]
fn AddUserForm(on_added: Callback<MemberDto>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new("AGENT".to_owned());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        if !email.get_untracked().contains('@') {
            problems.push("E-mail : adresse invalide");
        }
        if name.get_untracked().trim().is_empty() {
            problems.push("Nom : obligatoire");
        }
        if password.get_untracked().chars().count() < 8 {
            problems.push("Mot de passe : 8 caractères au moins");
        }
        if !problems.is_empty() {
            error.set(Some(problems.join(" ; ")));
            return;
        }
        let Some(r) = role_from_code(&role.get_untracked()) else { return };
        let body = CreateUserRequest {
            email: email.get_untracked().trim().to_owned(),
            display_name: name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            role: r,
        };
        saving.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let r = api::post::<_, MemberDto>("/users", &body).await;
            saving.set(false);
            match r {
                Ok(m) => {
                    email.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    on_added.run(m);
                }
                Err(e) => error.set(Some(write_error(&e))),
            }
        });
    };
    let options = ROLES.iter().map(|r| view! { <option value=r.as_str()>{role_label(*r)}</option> }).collect_view();
    view! {
        <form class="form inline-form" on:submit=submit data-testid="user-add-form">
            <h3>"Ajouter un membre"</h3>
            <p class="field-hint">"Crée le compte, ou ajoute à l'agence un utilisateur qui existe déjà (son mot de passe reste alors le sien)."</p>
            <div class="field-row field-row--4">
                <div class="field"><label for="user-email">"E-mail"</label>
                    <input id="user-email" type="email" data-testid="user-email" autocomplete="off"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="user-name">"Nom affiché"</label>
                    <input id="user-name" type="text" data-testid="user-name"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="user-password">"Mot de passe initial"</label>
                    <input id="user-password" type="password" data-testid="user-password" autocomplete="new-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="user-role">"Rôle"</label>
                    <select id="user-role" data-testid="user-new-role" prop:value=move || role.get()
                        on:change=move |ev| role.set(event_target_value(&ev))>{options}</select></div>
            </div>
            {move || error.get().map(|e| view! { <p class="alert alert--error" role="alert" data-testid="user-add-error">{e}</p> })}
            <div class="form-actions">
                <button type="submit" class="button button--primary" data-testid="user-add" disabled=move || saving.get()>"Ajouter"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_wire_names() {
        assert_eq!(role_from_code("MANAGER"), Some(Role::Manager));
        assert_eq!(role_from_code("nope"), None);
    }
}
