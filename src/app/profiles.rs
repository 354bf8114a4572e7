//! The profile list: rows grouped by account, the fuzzy filter and the selection.

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::frecency;
use crate::domain::summary::{account_of, kind_of, Facts, Kind, Summary};
use crate::domain::text::display_safe;
use crate::domain::ProfileSet;

mod filter;

use filter::SearchIndex;

/// One profile as the list shows it (every text already safe to draw).
#[derive(Debug, Clone)]
pub struct Row {
    /// Position in [`ProfileSet::profiles`].
    pub index: usize,
    /// Profile name.
    pub name: String,
    /// The group: account name and id, or the kind of credentials when no account is known.
    pub group: String,
    /// The kind.
    pub kind: Kind,
    /// Role name, if a role.
    pub role: String,
    /// A code is needed.
    pub mfa: bool,
    /// More than one role hop.
    pub chained: bool,
    /// The chain starts at long-term keys kept in a key store.
    pub stored: bool,
    /// `xrole_env = prod`.
    pub prod: bool,
    /// Why the profile cannot be used.
    pub invalid: Option<String>,
}

/// The list and its state. Only what grouping needs is computed up front (each profile's
/// group); a row's badges and texts are made when it is drawn or selected, so the first frame
/// costs the rows it shows, not all of them.
#[derive(Debug, Default)]
pub struct ProfileList {
    set: Arc<ProfileSet>,
    /// Profile indices in the order shown: grouped, file order inside a group.
    order: Vec<u32>,
    /// Each profile's group, by profile index, into `groups`.
    group_of: Vec<u32>,
    /// The groups: where they sort (see [`group_order`]) and their headings, each once.
    groups: Vec<(u8, String)>,
    /// What the filter searches, built on the first filter keystroke rather than before the
    /// first frame (with 50,000 profiles that is most of the start-up cost).
    search: Option<SearchIndex>,
    /// Profile indices shown, in order.
    visible: Vec<u32>,
    selected: usize,
    /// The filter text.
    pub filter: String,
    /// True while keys go to the filter.
    pub filtering: bool,
    /// The grouped order (by account); `order` is this, or the recent profiles then this.
    grouped: Vec<u32>,
    /// The most used profiles lately, best first (at most [`frecency::SHOWN`]).
    recent: Vec<u32>,
    /// Whether each profile (by index) is in `recent`.
    is_recent: Vec<bool>,
    /// The recent profiles come first, under their own heading (`t` toggles).
    pub recent_first: bool,
}

/// The heading of the recent profiles.
pub const RECENT: &str = "recent";

impl ProfileList {
    /// Groups every profile of `set` by account.
    pub fn new(set: Arc<ProfileSet>) -> Self {
        let mut groups: Vec<(u8, String)> = Vec::new();
        // One map per place in the order: an invalid profile keeps its heading but is shown
        // apart, after the usable ones.
        let mut ids: [HashMap<String, u32>; 3] = Default::default();
        let mut group_of = Vec::with_capacity(set.len());
        let mut label = String::new();
        for i in 0..set.len() {
            let facts = Facts::of(&set.profiles()[i]);
            let plan = set.plan_at(i);
            let kind = kind_of(&plan);
            group_label(&mut label, &facts, account_of(&facts, &plan), kind);
            let place = group_order(kind, &label);
            let id = match ids[usize::from(place)].get(label.as_str()) {
                Some(&id) => id,
                None => {
                    let id = u32::try_from(groups.len()).unwrap_or(u32::MAX);
                    ids[usize::from(place)].insert(label.clone(), id);
                    groups.push((place, label.clone()));
                    id
                }
            };
            group_of.push(id);
        }
        // Groups sorted once; then rows by their group's rank (stable: file order inside).
        let mut by_name: Vec<u32> = (0..u32::try_from(groups.len()).unwrap_or(u32::MAX)).collect();
        by_name.sort_by(|&a, &b| groups[a as usize].cmp(&groups[b as usize]));
        let mut rank = vec![0u32; groups.len()];
        for (r, &g) in by_name.iter().enumerate() {
            rank[g as usize] = u32::try_from(r).unwrap_or(u32::MAX);
        }
        let mut order: Vec<u32> = (0..u32::try_from(set.len()).unwrap_or(u32::MAX)).collect();
        order.sort_by_key(|&i| rank[group_of[i as usize] as usize]);
        Self {
            visible: order.clone(),
            grouped: order.clone(),
            recent: Vec::new(),
            is_recent: Vec::new(),
            recent_first: false,
            order,
            group_of,
            groups,
            set,
            search: None,
            selected: 0,
            filter: String::new(),
            filtering: false,
        }
    }

    /// Puts the profiles of `ranked` (best first; unknown names are skipped) in the recent
    /// group, at most [`frecency::SHOWN`], and shows them first when there are any.
    pub fn set_recent<'a>(&mut self, ranked: impl IntoIterator<Item = &'a str>) {
        let mut is_recent = vec![false; self.group_of.len()];
        let mut recent = Vec::with_capacity(frecency::SHOWN);
        for index in ranked.into_iter().filter_map(|n| self.set.index_of(n)) {
            if recent.len() == frecency::SHOWN {
                break;
            }
            if !std::mem::replace(&mut is_recent[index], true) {
                recent.extend(u32::try_from(index).ok());
            }
        }
        self.recent = recent;
        self.is_recent = is_recent;
        self.recent_first = !self.recent.is_empty();
        self.rebuild();
    }

    /// The names of the recent profiles, best first.
    pub fn recent_names(&self) -> Vec<String> {
        self.recent
            .iter()
            .map(|&i| self.set.profiles()[i as usize].name.clone())
            .collect()
    }

    /// `t`: recent first, or grouped only. False (and nothing changes) with no recent profile.
    pub fn toggle_order(&mut self) -> bool {
        if self.recent.is_empty() {
            return false;
        }
        self.recent_first = !self.recent_first;
        self.rebuild();
        true
    }

    /// The order after a change of mode, the filter applied again and the selection kept.
    fn rebuild(&mut self) {
        let keep = self.visible.get(self.selected).copied();
        self.order = if self.recent_first {
            let rest = self
                .grouped
                .iter()
                .filter(|&&i| !self.is_recent[i as usize]);
            self.recent.iter().chain(rest).copied().collect()
        } else {
            self.grouped.clone()
        };
        let filter = std::mem::take(&mut self.filter);
        self.visible = self.order.clone();
        if !filter.is_empty() {
            self.set_filter(filter);
        }
        self.selected = keep
            .and_then(|k| self.visible.iter().position(|&i| i == k))
            .unwrap_or(0);
    }

    /// The rows shown, in order (each made on the way: for a window, use [`Self::row_at`]).
    pub fn visible(&self) -> impl ExactSizeIterator<Item = Row> + '_ {
        self.visible.iter().map(|&i| self.row(i as usize))
    }

    /// The row shown at `pos`.
    pub fn row_at(&self, pos: usize) -> Option<Row> {
        self.visible.get(pos).map(|&i| self.row(i as usize))
    }

    /// The group heading of the row shown at `pos` (cheap: no row is made).
    pub fn group_at(&self, pos: usize) -> Option<&str> {
        self.visible.get(pos).map(|&i| {
            let i = i as usize;
            if self.recent_first && self.is_recent.get(i).copied().unwrap_or(false) {
                RECENT
            } else {
                self.group(i)
            }
        })
    }

    /// Number of rows shown.
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    /// True when nothing is shown.
    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    /// Number of profiles in all.
    pub fn total(&self) -> usize {
        self.order.len()
    }

    /// Position of the selection among the shown rows.
    pub fn selected_position(&self) -> usize {
        self.selected
    }

    /// The selected row.
    pub fn selected(&self) -> Option<Row> {
        self.row_at(self.selected)
    }

    /// Moves the selection by `delta` rows, staying in bounds.
    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            self.selected = 0;
            return;
        }
        let last = self.visible.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Selects the profile called `name`, if shown.
    pub fn select_name(&mut self, name: &str) -> bool {
        let Some(index) = self.set.index_of(name) else {
            return false;
        };
        match self.visible.iter().position(|&i| i as usize == index) {
            Some(p) => {
                self.selected = p;
                true
            }
            None => false,
        }
    }

    fn group(&self, index: usize) -> &str {
        self.group_of
            .get(index)
            .and_then(|&g| self.groups.get(g as usize))
            .map_or("", |(_, label)| label.as_str())
    }

    /// What the filter searches: name, account and role, ASCII when they are (the group's
    /// " · " separator would make every row non-ASCII and send it down the matcher's slow path).
    fn search_text(&self, index: usize) -> String {
        let facts = Facts::of(&self.set.profiles()[index]);
        format!(
            "{} {} {}",
            display_safe(facts.name),
            self.group(index).replace(" · ", " "),
            display_safe(facts.role_name().unwrap_or_default())
        )
    }

    /// Makes the row of profile `index`.
    fn row(&self, index: usize) -> Row {
        let s = Summary::new(&self.set, index);
        Row {
            index,
            name: display_safe(s.facts.name).into_owned(),
            group: self.group(index).to_owned(),
            kind: s.kind,
            role: display_safe(s.facts.role_name().unwrap_or_default()).into_owned(),
            mfa: s.mfa_serial().is_some(),
            chained: s.chained(),
            stored: s
                .plan
                .as_ref()
                .is_ok_and(|p| matches!(p.source, crate::domain::Source::Stored { .. })),
            prod: s.facts.is_prod(),
            invalid: s.error().map(|e| display_safe(&e).into_owned()),
        }
    }
}

/// Named accounts first, then kinds without an account ("(static)"), invalid profiles last.
fn group_order(kind: Kind, label: &str) -> u8 {
    if kind == Kind::Invalid {
        2
    } else if label.starts_with('(') {
        1
    } else {
        0
    }
}

/// Writes a profile's group heading into `out`: account name and id, or the kind of its
/// credentials when no account is known.
fn group_label(out: &mut String, facts: &Facts<'_>, account: Option<&str>, kind: Kind) {
    use std::fmt::Write;
    out.clear();
    let _ = match (account, facts.account_name) {
        (Some(id), Some(n)) => write!(out, "{} · {}", display_safe(n), display_safe(id)),
        (Some(id), None) => write!(out, "{}", display_safe(id)),
        (None, Some(n)) => write!(out, "{}", display_safe(n)),
        (None, None) => write!(out, "({})", kind.as_str()),
    };
}
