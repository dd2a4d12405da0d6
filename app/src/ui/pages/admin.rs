//! Administrators' page of the agency's people: invite, change role, disable and enable.

use crate::api::users::{list_users, ChangeUserRole, InviteUser, SetRolePermission, SetUserActive};
use crate::domain::identity::{Permission, UserKind};
use crate::domain::records::{Directory, RoleSummary, UserSummary};
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::resource::resource;
use crate::ui::session::confirm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let invite = ServerAction::<InviteUser>::new();
    let change_role = ServerAction::<ChangeUserRole>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let set_permission = ServerAction::<SetRolePermission>::new();
    // Every change reloads the list.
    let directory = resource(
        move || {
            (
                invite.version().get(),
                change_role.version().get(),
                set_active.version().get(),
                set_permission.version().get(),
            )
        },
        |_| list_users(),
    );
    let invite_error = action_error(invite);
    let change_error = Signal::derive(move || {
        change_role
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| set_active.value().get().and_then(|r| r.err()))
            .or_else(|| set_permission.value().get().and_then(|r| r.err()))
    });
    let invited = move || invite.value().get().and_then(|r| r.ok());

    // Awaited, not read: one resource read from two boundaries can stall server rendering.
    let content = move || {
        Suspend::new(async move {
            match directory.await {
                Ok(d) => view! { <DirectoryTable directory=d change_role set_active/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    let roles = move || {
        Suspend::new(async move {
            directory
                .await
                .ok()
                .map(|d| view! { <RolesTable roles=d.roles set_permission/> })
        })
    };
    let role_options = move || {
        Suspend::new(async move {
            directory
                .await
                .map(|d| d.roles)
                .unwrap_or_default()
                .into_iter()
                .map(|r| view! { <option value=r.id.to_string()>{r.name}</option> })
                .collect_view()
        })
    };

    view! {
        <Title text="Users"/>
        <h1>"Users"</h1>
        <FormError error=change_error/>
        <Transition fallback=|| view! { <p role="status">"Loading users…"</p> }>{content}</Transition>
        <section class="panel" aria-labelledby="roles-heading">
            <h2 id="roles-heading">"Roles"</h2>
            <p class="hint">"What each role allows. Changes apply to everyone with the role at once."</p>
            <Transition fallback=|| ()>{roles}</Transition>
        </section>
        <section class="panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite a colleague"</h2>
            <ActionForm action=invite attr:class="stack-form">
                <label for="invite-name">"Name"</label>
                <input id="invite-name" name="name" required aria-describedby="invite-name-error"/>
                <FieldError id="invite-name-error" field="name" error=invite_error/>
                <label for="invite-email">"Email"</label>
                <input id="invite-email" name="email" type="email" required aria-describedby="invite-email-error"/>
                <FieldError id="invite-email-error" field="email" error=invite_error/>
                <label for="invite-role">"Role"</label>
                <select id="invite-role" name="role_id">
                    <Transition fallback=|| ()>{role_options}</Transition>
                </select>
                <FormError error=invite_error/>
                <button type="submit" class="primary" disabled=move || invite.pending().get()>
                    {move || if invite.pending().get() { "Sending…" } else { "Send invitation" }}
                </button>
            </ActionForm>
            <Show when=move || invited().is_some()>
                <p class="form-success" role="status">{invited}</p>
            </Show>
        </section>
    }
}

fn kind_label(user: &UserSummary) -> String {
    match user.kind {
        UserKind::Agent => user.role_name.clone().unwrap_or_default(),
        UserKind::Contractor => format!(
            "Contractor office · {}",
            user.company_name.clone().unwrap_or_default()
        ),
        UserKind::Technician => format!(
            "Technician · {}",
            user.company_name.clone().unwrap_or_default()
        ),
    }
}

#[component]
fn DirectoryTable(
    directory: Directory,
    change_role: ServerAction<ChangeUserRole>,
    set_active: ServerAction<SetUserActive>,
) -> impl IntoView {
    if directory.users.is_empty() {
        return view! { <div class="empty-state"><p>"Nobody yet. Invite a colleague below."</p></div> }
            .into_any();
    }
    let roles = directory.roles.clone();
    let rows = directory
        .users
        .into_iter()
        .map(|user| {
            let role_cell = if user.kind == UserKind::Agent {
                role_select(&user, &roles, change_role).into_any()
            } else {
                view! { <span>{kind_label(&user)}</span> }.into_any()
            };
            let (id, name, active) = (user.id, user.name.clone(), user.active);
            let label = if active { "Disable" } else { "Enable" };
            view! {
                <tr class:inactive=!active>
                    <td>{user.name.clone()}</td>
                    <td>{user.email.clone()}</td>
                    <td>{role_cell}</td>
                    <td>{if active { "Active" } else { "Disabled" }}</td>
                    <td>
                        <button
                            type="button"
                            class:danger=active
                            aria-label=format!("{label} {name}")
                            on:click=move |_| {
                                let question = if active {
                                    format!("Disable {name}? They are signed out at once and cannot sign in until enabled again.")
                                } else {
                                    format!("Enable {name} again?")
                                };
                                if confirm(&question) {
                                    set_active.dispatch(SetUserActive { user_id: id, active: !active });
                                }
                            }
                        >
                            {label}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"People of the agency and its contractors"</caption>
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col">"Action"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn role_select(
    user: &UserSummary,
    roles: &[RoleSummary],
    change_role: ServerAction<ChangeUserRole>,
) -> impl IntoView {
    let user_id = user.id;
    let current = user.role_id;
    let options = roles
        .iter()
        .map(|r| {
            view! { <option value=r.id.to_string() selected=current == Some(r.id)>{r.name.clone()}</option> }
        })
        .collect_view();
    view! {
        <select
            aria-label=format!("Role of {}", user.name)
            on:change=move |ev| {
                if let Ok(role_id) = event_target_value(&ev).parse::<i64>() {
                    change_role.dispatch(ChangeUserRole { user_id, role_id });
                }
            }
        >
            {options}
        </select>
    }
}

fn permission_title(p: Permission) -> &'static str {
    match p {
        Permission::ManageUsers => "Manage users and settings",
        Permission::ManageCertification => "Manage contractor certification",
        Permission::InstructWork => "Instruct work",
        Permission::OverrideCompliance => "Instruct non-compliant contractors",
    }
}

#[component]
fn RolesTable(
    roles: Vec<RoleSummary>,
    set_permission: ServerAction<SetRolePermission>,
) -> impl IntoView {
    let header = Permission::ALL
        .iter()
        .map(|p| view! { <th scope="col">{permission_title(*p)}</th> })
        .collect_view();
    let rows = roles
        .into_iter()
        .map(|role| {
            let cells = Permission::ALL
                .iter()
                .map(|&permission| {
                    let allowed = role.permissions.allows(permission);
                    let (role_id, role_name) = (role.id, role.name.clone());
                    view! {
                        <td>
                            <input
                                type="checkbox"
                                prop:checked=allowed
                                aria-label=format!("{role_name}: {}", permission_title(permission))
                                on:change=move |ev| {
                                    set_permission.dispatch(SetRolePermission {
                                        role_id,
                                        permission,
                                        allowed: event_target_checked(&ev),
                                    });
                                }
                            />
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{role.name.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead><tr><th scope="col">"Role"</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
