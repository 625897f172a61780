//! `/settings` (ADMIN): users and roles, WhatsApp configuration (secrets write-only), WhatsApp
//! templates. Other roles see a read-only notice. (Retention has no endpoint yet.)

use atlas_shared_types::whatsapp_config::{WhatsappSettingsDto, WhatsappSettingsRequest, WhatsappTemplateDto, WhatsappTemplateRequest};
use atlas_shared_types::{CreateUserRequest, FieldError, MemberDto, Page, Role, UpdateUserRequest};
use leptos::prelude::*;

use crate::api::{self, ApiError, Method};
use crate::auth::use_session;
use crate::components::{EmptyState, ErrorBox, Loading};
use crate::format::date_time;
use crate::labels::{field_error_line, role_label};
use crate::layout::use_role;

const ROLES: [Role; 4] = [Role::Admin, Role::Manager, Role::Agent, Role::Viewer];

fn role_from_code(s: &str) -> Option<Role> {
    ROLES.iter().copied().find(|r| r.as_str() == s)
}

/// Number of distinct `{{n}}` placeholders in a template body (what a send must give).
pub fn placeholder_count(body: &str) -> u32 {
    let mut max = 0u32;
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                if let Ok(n) = after[..end].trim().parse::<u32>() {
                    max = max.max(n);
                }
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    max
}

/// The message of a failed write: field errors listed, else the problem's text.
fn write_error(e: &ApiError) -> String {
    match e {
        ApiError::Problem(p) if p.errors.as_ref().is_some_and(|v| !v.is_empty()) => p
            .errors
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(field_error_line)
            .collect::<Vec<_>>()
            .join(" ; "),
        ApiError::Problem(p) if p.code == "VERSION_CONFLICT" => {
            "Modifié entre-temps par quelqu'un d'autre : rechargez la page puis réessayez.".to_owned()
        }
        ApiError::Problem(p) if p.code == "CONFLICT" => format!("Conflit : {}", p.detail.clone().unwrap_or_else(|| p.title.clone())),
        _ => e.to_string(),
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let role = use_role();
    view! {
        <div class="page settings" data-testid="settings-page">
            <header class="page-header"><h1>"Paramètres"</h1></header>
            {move || match role.get() {
                Role::Admin => view! {
                    <UsersSection />
                    <WhatsappSection />
                    <TemplatesSection />
                }.into_any(),
                r => view! {
                    <p class="alert alert--info" data-testid="settings-read-only">
                        {format!("Les paramètres de l'agence (utilisateurs et rôles, WhatsApp, modèles de messages) sont réservés aux administrateurs. Votre rôle : {}.", role_label(r))}
                    </p>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn UsersSection() -> impl IntoView {
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

#[component]
fn WhatsappSection() -> impl IntoView {
    let settings = LocalResource::new(move || api::get::<WhatsappSettingsDto>("/settings/whatsapp"));
    let phone = RwSignal::new(String::new());
    let access = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let verify = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = WhatsappSettingsRequest {
            phone_number_id: phone.get_untracked().trim().to_owned(),
            access_token: access.get_untracked().trim().to_owned(),
            app_secret: secret.get_untracked().trim().to_owned(),
            verify_token: verify.get_untracked().trim().to_owned(),
        };
        if body.phone_number_id.is_empty() || body.access_token.is_empty() || body.app_secret.is_empty() || body.verify_token.is_empty() {
            message.set(Some((false, "Les quatre champs sont obligatoires (les secrets ne sont jamais réaffichés : saisissez-les à nouveau).".to_owned())));
            return;
        }
        saving.set(true);
        leptos::task::spawn_local(async move {
            let r = api::write::<_, WhatsappSettingsDto>(Method::Put, "/settings/whatsapp", &body, None).await;
            saving.set(false);
            match r {
                Ok(_) => {
                    access.set(String::new());
                    secret.set(String::new());
                    verify.set(String::new());
                    message.set(Some((true, "Configuration WhatsApp enregistrée.".to_owned())));
                    settings.refetch();
                }
                Err(e) => message.set(Some((false, write_error(&e)))),
            }
        });
    };
    let secret_field = move |id: &'static str, label: &'static str, sig: RwSignal<String>| {
        view! {
            <div class="field"><label for=id>{label}</label>
                <input id=id type="password" data-testid=id autocomplete="off" placeholder="••••••• (non réaffiché)"
                    prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) /></div>
        }
    };
    view! {
        <section class="card" aria-labelledby="wa-title" data-testid="settings-whatsapp">
            <h2 id="wa-title">"WhatsApp"</h2>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                        Ok(s) => {
                            if let Some(p) = &s.phone_number_id {
                                if phone.get_untracked().is_empty() { phone.set(p.clone()); }
                            }
                            view! {
                                <p data-testid="wa-state" class=if s.configured { "status status--published" } else { "status status--draft" }>
                                    {if s.configured { "Configuré" } else { "Non configuré" }}
                                </p>
                                {s.updated_at.map(|t| view! { <p class="muted">{format!("Dernière mise à jour : {}", date_time(&t))}</p> })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <form class="form" on:submit=submit data-testid="wa-form">
                <p class="field-hint">"Les secrets sont conservés chiffrés et ne sont jamais réaffichés ; pour modifier la configuration, saisissez les quatre valeurs."</p>
                <div class="field-row">
                    <div class="field"><label for="wa-phone">"Identifiant du numéro (phone_number_id)"</label>
                        <input id="wa-phone" type="text" data-testid="wa-phone" prop:value=move || phone.get()
                            on:input=move |ev| phone.set(event_target_value(&ev)) /></div>
                    {secret_field("wa-access-token", "Jeton d'accès", access)}
                </div>
                <div class="field-row">
                    {secret_field("wa-app-secret", "Secret de l'application", secret)}
                    {secret_field("wa-verify-token", "Jeton de vérification du webhook", verify)}
                </div>
                {move || message.get().map(|(ok, m)| view! {
                    <p class=if ok { "alert alert--success" } else { "alert alert--error" } role="status" data-testid="wa-message">{m}</p>
                })}
                <div class="form-actions">
                    <button type="submit" class="button button--primary" data-testid="wa-save" disabled=move || saving.get()>"Enregistrer"</button>
                </div>
            </form>
        </section>
    }
}

const CATEGORIES: [(&str, &str); 3] =
    [("UTILITY", "Utilitaire"), ("MARKETING", "Marketing"), ("AUTHENTICATION", "Authentification")];

fn category_label(c: &str) -> &str {
    CATEGORIES.iter().find(|(k, _)| *k == c).map(|(_, l)| *l).unwrap_or(c)
}

#[component]
fn TemplatesSection() -> impl IntoView {
    let templates =
        LocalResource::new(move || api::get::<Page<WhatsappTemplateDto>>("/whatsapp/templates?size=100&sort=code,asc"));
    // The template being edited (None = creating a new one).
    let editing = RwSignal::new(None::<WhatsappTemplateDto>);
    let form_key = RwSignal::new(0u32);
    let message = RwSignal::new(None::<(bool, String)>);

    let remove = move |code: String| {
        let ok = web_sys::window()
            .and_then(|w| w.confirm_with_message(&format!("Supprimer le modèle « {code} » ?")).ok())
            .unwrap_or(false);
        if !ok {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::delete(&format!("/whatsapp/templates/{}", js_sys::encode_uri_component(&code))).await {
                Ok(()) => {
                    message.set(Some((true, format!("Modèle « {code} » supprimé."))));
                    templates.refetch();
                }
                Err(e) => message.set(Some((false, write_error(&e)))),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="tpl-title" data-testid="settings-templates">
            <h2 id="tpl-title">"Modèles de messages WhatsApp"</h2>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "alert alert--success" } else { "alert alert--error" } role="status" data-testid="tpl-message">{m}</p>
            })}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match templates.await {
                        Err(error) => view! { <ErrorBox error on_retry=move |_| templates.refetch() /> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! {
                            <EmptyState title="Aucun modèle pour l'instant." attr:data-testid="tpl-empty" />
                        }.into_any(),
                        Ok(p) => {
                            let rows = p.items.into_iter().map(|t| {
                                let code = t.code.clone();
                                let t2 = t.clone();
                                view! {
                                    <tr data-testid="tpl-row" data-code=t.code.clone()>
                                        <td data-label="Code" class="mono">{t.code.clone()}</td>
                                        <td data-label="Langue">{t.language.clone()}</td>
                                        <td data-label="Catégorie">{category_label(&t.category).to_owned()}</td>
                                        <td data-label="Texte" class="prewrap">{t.body.clone()}</td>
                                        <td data-label="Paramètres" data-testid="tpl-params">{format!("{} paramètre{}", t.param_count, if t.param_count > 1 { "s" } else { "" })}</td>
                                        <td data-label="Actif">{if t.active { "Oui" } else { "Non" }}</td>
                                        <td data-label="Actions" class="row-actions">
                                            <button type="button" class="button" data-testid="tpl-edit"
                                                on:click=move |_| { editing.set(Some(t2.clone())); form_key.update(|k| *k += 1); }>"Modifier"</button>
                                            <button type="button" class="button button--danger" data-testid="tpl-delete"
                                                on:click=move |_| remove(code.clone())>"Supprimer"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <div class="table-wrap">
                                    <table class="table table--stack" data-testid="tpl-table">
                                        <thead><tr><th>"Code"</th><th>"Langue"</th><th>"Catégorie"</th><th>"Texte"</th><th>"Paramètres"</th><th>"Actif"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            {move || {
                let _ = form_key.get();
                view! {
                    <TemplateForm existing=editing.get_untracked()
                        on_saved=Callback::new(move |t: WhatsappTemplateDto| {
                            message.set(Some((true, format!("Modèle « {} » enregistré.", t.code))));
                            editing.set(None);
                            form_key.update(|k| *k += 1);
                            templates.refetch();
                        })
                        on_cancel=Callback::new(move |_| { editing.set(None); form_key.update(|k| *k += 1); }) />
                }
            }}
        </section>
    }
}

#[component]
fn TemplateForm(
    existing: Option<WhatsappTemplateDto>,
    on_saved: Callback<WhatsappTemplateDto>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let is_edit = existing.is_some();
    let version = existing.as_ref().map(|t| t.version);
    let code = RwSignal::new(existing.as_ref().map(|t| t.code.clone()).unwrap_or_default());
    let language = RwSignal::new(existing.as_ref().map(|t| t.language.clone()).unwrap_or_else(|| "fr".to_owned()));
    let category = RwSignal::new(existing.as_ref().map(|t| t.category.clone()).unwrap_or_else(|| "UTILITY".to_owned()));
    let body = RwSignal::new(existing.as_ref().map(|t| t.body.clone()).unwrap_or_default());
    let active = RwSignal::new(existing.as_ref().map(|t| t.active).unwrap_or(true));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = code.get_untracked().trim().to_owned();
        let b = body.get_untracked();
        if c.is_empty() || b.trim().is_empty() || language.get_untracked().trim().is_empty() {
            error.set(Some("Code, langue et texte sont obligatoires.".to_owned()));
            return;
        }
        let req = WhatsappTemplateRequest {
            code: Some(c.clone()),
            language: language.get_untracked().trim().to_owned(),
            category: category.get_untracked(),
            body: b,
            active: Some(active.get_untracked()),
            version: None,
        };
        saving.set(true);
        error.set(None);
        errors.set(Vec::new());
        leptos::task::spawn_local(async move {
            let r = if is_edit {
                api::write::<_, WhatsappTemplateDto>(
                    Method::Put,
                    &format!("/whatsapp/templates/{}", js_sys::encode_uri_component(&c)),
                    &req,
                    version,
                )
                .await
                .map(|w| w.body)
            } else {
                api::post::<_, WhatsappTemplateDto>("/whatsapp/templates", &req).await
            };
            saving.set(false);
            match r {
                Ok(t) => on_saved.run(t),
                Err(e) => error.set(Some(write_error(&e))),
            }
        });
    };
    let options = CATEGORIES
        .iter()
        .map(|(k, l)| view! { <option value=*k selected=move || category.get() == *k>{*l}</option> })
        .collect_view();
    view! {
        <form class="form inline-form" on:submit=submit data-testid="tpl-form">
            <h3>{if is_edit { "Modifier le modèle" } else { "Nouveau modèle" }}</h3>
            <div class="field-row field-row--3">
                <div class="field"><label for="tpl-code">"Code"</label>
                    <input id="tpl-code" type="text" data-testid="tpl-code" disabled=is_edit
                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="tpl-language">"Langue"</label>
                    <input id="tpl-language" type="text" data-testid="tpl-language"
                        prop:value=move || language.get() on:input=move |ev| language.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="tpl-category">"Catégorie"</label>
                    <select id="tpl-category" data-testid="tpl-category" prop:value=move || category.get()
                        on:change=move |ev| category.set(event_target_value(&ev))>{options}</select></div>
            </div>
            <div class="field"><label for="tpl-body">"Texte"</label>
                <textarea id="tpl-body" rows="3" data-testid="tpl-body" placeholder="Bonjour {{1}}, votre rendez-vous est confirmé le {{2}}."
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <p class="field-hint" data-testid="tpl-placeholder-count">
                    {move || { let n = placeholder_count(&body.get()); format!("{n} paramètre{} ({{{{1}}}} … {{{{n}}}})", if n > 1 { "s" } else { "" }) }}
                </p>
            </div>
            <label class="checkbox"><input type="checkbox" data-testid="tpl-active" prop:checked=move || active.get()
                on:change=move |ev| active.set(event_target_checked(&ev)) />" Actif"</label>
            {move || error.get().map(|e| view! { <p class="alert alert--error" role="alert" data-testid="tpl-error">{e}</p> })}
            <div class="form-actions">
                {is_edit.then(|| view! { <button type="button" class="button button--ghost" on:click=move |_| on_cancel.run(())>"Annuler"</button> })}
                <button type="submit" class="button button--primary" data-testid="tpl-save" disabled=move || saving.get()>"Enregistrer"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_counted_by_their_highest_number() {
        assert_eq!(placeholder_count("Bonjour"), 0);
        assert_eq!(placeholder_count("Bonjour {{1}}, rdv le {{2}} à {{3}}"), 3);
        assert_eq!(placeholder_count("{{1}} et encore {{1}}"), 1);
        assert_eq!(placeholder_count("{{2}} {{ 1 }} {{x}} {{"), 2);
    }

    #[test]
    fn roles_parse_from_wire_names() {
        assert_eq!(role_from_code("MANAGER"), Some(Role::Manager));
        assert_eq!(role_from_code("nope"), None);
    }
}
