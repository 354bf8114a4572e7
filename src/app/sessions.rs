//! The app's side of sessions that outlive it and of files that change under it: the live
//! sessions found in the cache, forgetting them, and the profiles read again.

use std::sync::Arc;

use super::{App, Current, Effect, Modal, ProfileList, Status};
use crate::domain::{ProfileSet, Target};

impl App {
    /// The cache's live sessions replace the badges. When no identity is shown yet, the
    /// selected profile's session is, else the one opened last.
    pub(super) fn cached_sessions(&mut self, found: Vec<crate::aws::broker::LiveSession>) {
        self.sessions.clear();
        self.mfa_ready.clear();
        let selected = self
            .list
            .selected()
            .map(|r| self.set.profiles()[r.index].name.clone());
        let mut shown: Option<&crate::aws::broker::LiveSession> = None;
        for s in &found {
            if !s.own {
                self.mfa_ready.insert(s.profile.clone(), s.expiration);
                continue;
            }
            self.sessions.insert(s.profile.clone(), s.expiration);
            // `pick` shows the calling shell's profile, or nothing.
            if self.picking && self.shell_profile.as_deref() != Some(s.profile.as_str()) {
                continue;
            }
            let better = match shown {
                None => true,
                Some(b) => {
                    let sel = |x: &crate::aws::broker::LiveSession| {
                        selected.as_deref() == Some(x.profile.as_str())
                    };
                    (sel(s), s.written) > (sel(b), b.written)
                }
            };
            if better {
                shown = Some(s);
            }
        }
        if let Some(c) = &self.current {
            // A role the portal offers that is not a profile (`A`) has no scan to be found by.
            let in_files = self.set.index_of(&c.profile).is_some();
            if in_files && !self.sessions.contains_key(&c.profile) {
                self.current = None; // forgotten
            }
        }
        if self.current.is_none() {
            self.current = shown.map(|s| Current {
                profile: s.profile.clone(),
                identity: s.identity.clone(),
                expiration: s.expiration,
            });
        }
    }

    /// The usage history read again: the recent group follows it, while the order the user
    /// chose (`t`) and the selected profile stay.
    pub(super) fn usage_loaded(&mut self, ranked: &[String]) {
        let selected = self
            .list
            .selected()
            .map(|r| self.set.profiles()[r.index].name.clone());
        let order = self.list.recent_first;
        let had_recent = !self.list.recent_names().is_empty();
        self.list.set_recent(ranked.iter().map(String::as_str));
        if had_recent && self.list.recent_first != order {
            self.list.toggle_order();
        }
        if let Some(name) = selected {
            self.list.select_name(&name);
        }
    }

    /// New profiles from the changed files: the list is rebuilt, keeping the selected profile,
    /// the filter, the recent profiles and the order; badges of profiles still there stay.
    pub(super) fn reload(&mut self, set: Arc<ProfileSet>) {
        let selected = self
            .list
            .selected()
            .map(|r| self.set.profiles()[r.index].name.clone());
        let recent = self.list.recent_names();
        let (recent_first, filter) = (self.list.recent_first, self.list.filter.clone());
        let mut list = ProfileList::new(Arc::clone(&set));
        list.set_recent(recent.iter().map(String::as_str));
        if list.recent_first != recent_first {
            list.toggle_order();
        }
        if !filter.is_empty() {
            list.set_filter(filter);
        }
        if let Some(name) = selected {
            list.select_name(&name);
        }
        let count = set.len();
        self.sessions.retain(|p, _| set.index_of(p).is_some());
        self.mfa_ready.retain(|p, _| set.index_of(p).is_some());
        self.set = set;
        self.list = list;
        self.status = Some(Status::Info(format!(
            "the AWS files changed: {count} profile{} read again",
            if count == 1 { "" } else { "s" }
        )));
    }

    /// `x`: forgets the selected profile's cached sessions.
    pub(crate) fn forget_selected(&mut self) -> Vec<Effect> {
        let Some(target) = self.selected_target() else {
            return Vec::new();
        };
        if let Some(serial) = target.plan.mfa_session() {
            let others = self.sharing(&target, serial);
            if !others.is_empty() {
                self.modal = Some(Modal::ConfirmForget {
                    serial: serial.to_owned(),
                    target,
                    others,
                });
                return Vec::new();
            }
        }
        self.forget(target)
    }

    /// Forgets `target`'s sessions, saying what goes.
    pub(super) fn forget(&mut self, target: Arc<Target>) -> Vec<Effect> {
        let name = crate::domain::text::display_safe(&target.name);
        let text = match target.plan.mfa_session() {
            Some(serial) => format!(
                "forgetting the sessions of {name}, its MFA session of {} included…",
                crate::domain::text::display_safe(serial)
            ),
            None => format!("forgetting the sessions of {name}…"),
        };
        self.status = Some(Status::Info(text));
        vec![Effect::Forget(Some(target))]
    }

    /// The other profiles with a live session (their own, or an MFA session under them) that
    /// rest on `target`'s MFA session of `serial`: the same root and device.
    fn sharing(&self, target: &Target, serial: &str) -> Vec<String> {
        let mut names: Vec<&String> = self.sessions.keys().chain(self.mfa_ready.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter(|n| **n != target.name)
            .filter_map(|n| self.set.target(n).ok())
            .filter(|t| {
                t.root_profile() == target.root_profile() && t.plan.mfa_session() == Some(serial)
            })
            .map(|t| t.name)
            .collect()
    }
}
