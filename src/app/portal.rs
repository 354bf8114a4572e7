//! `A`: the accounts and roles an IAM Identity Center session offers, browsed in a window even
//! before they are profiles (Enter opens one through the session, `i` shows who it is, `p`
//! writes them all as profiles).

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Effect, Modal, Purpose, RequestId, Status};
use crate::aws::error::AuthError;
use crate::domain::profile::Key;
use crate::domain::sso_populate::Offered;
use crate::domain::text::display_safe;
use crate::domain::Target;

/// One account and role of the window.
#[derive(Debug, Clone)]
pub struct PortalItem {
    /// What the portal offers.
    pub offered: Offered,
    /// The profile that opens it already, if one does.
    pub profile: Option<String>,
}

/// The window's state.
#[derive(Debug, Clone)]
pub struct PortalView {
    /// The profile whose session is browsed.
    pub target: Arc<Target>,
    /// The `[sso-session]`.
    pub session: String,
    /// Accounts and roles, as the portal lists them (sorted by account name).
    pub items: Vec<PortalItem>,
    /// The selected row, among the visible ones.
    pub selected: usize,
    /// `/`: the filter being typed.
    pub typing: Option<super::input::LineInput>,
    /// The filter in force: rows whose account, id, role or profile contain it (any case).
    pub query: String,
}

impl PortalView {
    /// The rows the filter lets through, in order.
    pub fn visible(&self) -> Vec<&PortalItem> {
        let q = self.query.to_lowercase();
        self.items
            .iter()
            .filter(|i| {
                q.is_empty() || {
                    let o = &i.offered;
                    let hay = format!(
                        "{} {} {} {}",
                        o.account_name,
                        o.account_id,
                        o.role,
                        i.profile.as_deref().unwrap_or_default()
                    );
                    hay.to_lowercase().contains(&q)
                }
            })
            .collect()
    }
}

impl App {
    /// `A`: lists what the selected profile's IAM Identity Center session offers.
    pub(crate) fn ask_portal(&mut self) -> Vec<Effect> {
        let Some(target) = self.selected_target() else {
            return Vec::new();
        };
        if target
            .sso
            .as_ref()
            .and_then(|s| s.session.as_ref())
            .is_none()
        {
            self.status = Some(Status::Error(format!(
                "{} has no [sso-session] at the root of its chain: no portal to browse",
                display_safe(&target.name)
            )));
            return Vec::new();
        }
        let effects = self.authenticate(target, Purpose::Portal, None);
        self.status = Some(Status::Info("asking the portal what it offers…".into()));
        effects
    }

    /// The portal answered: the window opens on its accounts and roles.
    pub(super) fn portal_listed(
        &mut self,
        req: RequestId,
        result: Result<Vec<Offered>, AuthError>,
    ) -> Vec<Effect> {
        let Some(pending) = self.pending.take_if(|p| p.req == req) else {
            return Vec::new();
        };
        self.dirty = true;
        let offered = match result {
            Ok(o) => o,
            Err(e) => {
                self.status = Some(Status::Error(display_safe(&e.to_string()).into_owned()));
                return Vec::new();
            }
        };
        let session = pending
            .target
            .sso
            .as_ref()
            .and_then(|s| s.session.clone())
            .unwrap_or_default();
        let items = offered
            .into_iter()
            .map(|o| PortalItem {
                profile: self.profile_for(&session, &o),
                offered: o,
            })
            .collect::<Vec<_>>();
        self.status = Some(Status::Info(format!(
            "{} account roles offered by [sso-session {}]",
            items.len(),
            display_safe(&session)
        )));
        self.modal = Some(Modal::Portal(PortalView {
            target: pending.target,
            session,
            items,
            selected: 0,
            typing: None,
            query: String::new(),
        }));
        Vec::new()
    }

    /// The profile of the files that opens `o` through `session`, if there is one.
    fn profile_for(&self, session: &str, o: &Offered) -> Option<String> {
        self.set
            .profiles()
            .iter()
            .find(|p| {
                p.get(Key::SsoSession) == Some(session)
                    && p.get(Key::SsoAccountId) == Some(o.account_id.as_str())
                    && p.get(Key::SsoRoleName) == Some(o.role.as_str())
            })
            .map(|p| p.name.clone())
    }
}

/// A key in the portal's window.
pub(super) fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(Modal::Portal(view)) = &mut app.modal else {
        return Vec::new();
    };
    if let Some(input) = &mut view.typing {
        match input.key(key) {
            super::input::Edit::Changed => {
                view.query = input.text().to_owned();
                view.selected = 0;
            }
            super::input::Edit::Submit => view.typing = None,
            super::input::Edit::Cancel => {
                view.typing = None;
                view.query.clear();
                view.selected = 0;
            }
            super::input::Edit::Refused | super::input::Edit::Other => {}
        }
        return Vec::new();
    }
    let last = view.visible().len().saturating_sub(1);
    match key.code {
        KeyCode::Char('/') => view.typing = Some(super::input::LineInput::new()),
        KeyCode::Up | KeyCode::Char('k') => view.selected = view.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => view.selected = (view.selected + 1).min(last),
        KeyCode::Enter | KeyCode::Char('i') => {
            let purpose = if key.code == KeyCode::Enter {
                Purpose::Shell
            } else {
                Purpose::Identify
            };
            let Some(item) = view.visible().get(view.selected).copied().cloned() else {
                return Vec::new();
            };
            let o = &item.offered;
            let name = item
                .profile
                .clone()
                .unwrap_or_else(|| format!("{}/{}", o.account_name, o.role));
            let Some(target) =
                view.target
                    .portal_role(&name, &o.account_id, &o.account_name, &o.role)
            else {
                return Vec::new();
            };
            app.modal = None;
            return app.authenticate(Arc::new(target), purpose, None);
        }
        KeyCode::Char('p') => {
            let (target, session) = (Arc::clone(&view.target), view.session.clone());
            app.modal = Some(Modal::ConfirmPopulate { target, session });
        }
        KeyCode::Esc | KeyCode::Char('q') => app.modal = None,
        _ => {}
    }
    Vec::new()
}
