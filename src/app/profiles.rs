//! The profile list: rows grouped by account, the fuzzy filter and the selection.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

use crate::domain::profile::Key;
use crate::domain::summary::{Kind, Summary};
use crate::domain::text::display_safe;
use crate::domain::ProfileSet;

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
    /// `xrole_env = prod`.
    pub prod: bool,
    /// Why the profile cannot be used.
    pub invalid: Option<String>,
}

/// The list and its state.
#[derive(Debug, Default)]
pub struct ProfileList {
    rows: Vec<Row>,
    /// What the filter searches, built on the first filter keystroke rather than before the
    /// first frame (with 50,000 profiles that is most of the start-up cost).
    search: Option<SearchIndex>,
    visible: Vec<usize>,
    selected: usize,
    /// The filter text.
    pub filter: String,
    /// True while keys go to the filter.
    pub filtering: bool,
}

impl ProfileList {
    /// Builds the rows from every profile of `set`, grouped by account.
    pub fn new(set: &ProfileSet) -> Self {
        let mut rows: Vec<Row> = (0..set.len()).map(|i| row(set, i)).collect();
        // Stable: profiles keep their file order inside a group.
        rows.sort_by(|a, b| {
            group_order(a)
                .cmp(&group_order(b))
                .then(a.group.cmp(&b.group))
        });
        let visible = (0..rows.len()).collect();
        Self {
            rows,
            search: None,
            visible,
            selected: 0,
            filter: String::new(),
            filtering: false,
        }
    }

    /// The rows shown, in order.
    pub fn visible(&self) -> impl ExactSizeIterator<Item = &Row> + '_ {
        self.visible.iter().map(|&i| &self.rows[i])
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
        self.rows.len()
    }

    /// Position of the selection among the shown rows.
    pub fn selected_position(&self) -> usize {
        self.selected
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&Row> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
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
        let found = self.visible().position(|r| r.name == name);
        match found {
            Some(p) => {
                self.selected = p;
                true
            }
            None => false,
        }
    }

    /// Sets the filter and recomputes the shown rows (fuzzy, keeping the grouping). Typing one
    /// more character only re-checks the rows already shown: a fuzzy match of the longer text
    /// is also a match of the shorter one.
    pub fn set_filter(&mut self, filter: String) {
        let keep = self.selected().map(|r| r.index);
        let narrowing = !self.filter.is_empty() && filter.starts_with(self.filter.as_str());
        self.filter = filter;
        if self.filter.is_empty() {
            self.visible = (0..self.rows.len()).collect();
        } else {
            let candidates: Vec<usize> = if narrowing {
                std::mem::take(&mut self.visible)
            } else {
                (0..self.rows.len()).collect()
            };
            let pattern = Pattern::parse(&self.filter, CaseMatching::Smart, Normalization::Smart);
            // A plain lower-case word matches fuzzily exactly when its characters appear in order
            // in an ASCII row (any case): a byte scan decides those rows, the matcher the rest
            // (upper case, several words, `^` `'` `!` `$` operators, accents).
            let plain = self
                .filter
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.@/:".contains(&b));
            let needle = self.filter.to_ascii_lowercase().into_bytes();
            let mut matcher = Matcher::new(Config::DEFAULT);
            let rows = &self.rows;
            let search = self.search.get_or_insert_with(|| SearchIndex::new(rows));
            self.visible = candidates
                .into_iter()
                .filter(|&i| match search.spans[i] {
                    Some((a, b)) if plain => {
                        is_subsequence(&needle, &search.lower[a as usize..b as usize])
                    }
                    _ => {
                        let hay = search.haystacks[i].get_or_insert_with(|| {
                            let r = &rows[i];
                            Utf32String::from(search_text(&r.name, &r.group, &r.role).as_str())
                        });
                        pattern.score(hay.slice(..), &mut matcher).is_some()
                    }
                })
                .collect();
        }
        self.selected = keep
            .and_then(|k| self.visible.iter().position(|&i| self.rows[i].index == k))
            .unwrap_or(0);
    }
}

/// The filter's view of the rows.
#[derive(Debug, Default)]
struct SearchIndex {
    /// Every row's text lower-cased, end to end, for the quick filter: one sequential scan
    /// instead of a pointer chase per row (`spans[i]` is row i's part; `None` when not ASCII).
    lower: Vec<u8>,
    spans: Vec<Option<(u32, u32)>>,
    /// The matcher's text of a row, made the first time the matcher needs that row.
    haystacks: Vec<Option<Utf32String>>,
}

impl SearchIndex {
    fn new(rows: &[Row]) -> Self {
        let mut lower = Vec::new();
        let spans = rows
            .iter()
            .map(|r| {
                let text = search_text(&r.name, &r.group, &r.role);
                text.is_ascii().then(|| {
                    let start = lower.len();
                    lower.extend(text.bytes().map(|b| b.to_ascii_lowercase()));
                    (
                        u32::try_from(start).unwrap_or(u32::MAX),
                        u32::try_from(lower.len()).unwrap_or(u32::MAX),
                    )
                })
            })
            .collect();
        Self {
            lower,
            spans,
            haystacks: vec![None; rows.len()],
        }
    }
}

/// What the filter searches: name, account and role, ASCII when they are (the group's " · "
/// separator would make every row non-ASCII and send it down the matcher's slow path).
fn search_text(name: &str, group: &str, role: &str) -> String {
    format!("{name} {} {role}", group.replace(" · ", " "))
}

fn is_subsequence(needle: &[u8], hay: &[u8]) -> bool {
    let mut want = needle.iter().peekable();
    for &b in hay {
        match want.peek() {
            Some(&&n) if n == b => {
                want.next();
            }
            Some(_) => {}
            None => break,
        }
    }
    want.peek().is_none()
}

fn group_order(r: &Row) -> u8 {
    match r.kind {
        Kind::Invalid => 2,
        _ if r.group.starts_with('(') => 1,
        _ => 0,
    }
}

fn row(set: &ProfileSet, i: usize) -> Row {
    let s = Summary::new(set, i);
    let p = s.profile;
    let name = display_safe(&p.name).into_owned();
    let group = match (s.account, p.get(Key::XroleAccountName)) {
        (Some(id), Some(n)) => format!("{} · {id}", display_safe(n)),
        (Some(id), None) => id.to_owned(),
        (None, Some(n)) => display_safe(n).into_owned(),
        (None, None) => format!("({})", s.kind.as_str()),
    };
    let role = p
        .get(Key::RoleArn)
        .map(|a| display_safe(a.rsplit('/').next().unwrap_or(a)).into_owned())
        .unwrap_or_default();
    let chained = s.plan.as_ref().is_ok_and(|plan| {
        plan.steps
            .iter()
            .filter(|st| matches!(st, crate::domain::Step::AssumeRole { .. }))
            .count()
            > 1
    });
    Row {
        index: i,
        mfa: s.mfa_serial().is_some(),
        prod: p
            .get(Key::XroleEnv)
            .is_some_and(|e| e.eq_ignore_ascii_case("prod")),
        invalid: s.error().map(|e| display_safe(&e).into_owned()),
        kind: s.kind,
        name,
        group,
        role,
        chained,
    }
}
