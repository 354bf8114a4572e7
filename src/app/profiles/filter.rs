//! The list's fuzzy filter: a quick byte scan for plain lower-case words, the matcher for the
//! rest, and narrowing from the rows already shown while the user types on.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

use super::ProfileList;

impl ProfileList {
    /// Sets the filter and recomputes the shown rows (fuzzy, keeping the grouping). Typing one
    /// more character only re-checks the rows already shown: a fuzzy match of the longer text
    /// is also a match of the shorter one.
    pub fn set_filter(&mut self, filter: String) {
        let keep = self.visible.get(self.selected).copied();
        let narrowing = !self.filter.is_empty() && filter.starts_with(self.filter.as_str());
        self.filter = filter;
        if self.filter.is_empty() {
            self.visible = self.order.clone();
        } else {
            let candidates: Vec<u32> = if narrowing {
                std::mem::take(&mut self.visible)
            } else {
                self.order.clone()
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
            let mut search = self.search.take().unwrap_or_else(|| SearchIndex::new(self));
            let this = &*self;
            let visible = candidates
                .into_iter()
                .filter(|&i| {
                    let i = i as usize;
                    match search.spans[i] {
                        Some((a, b)) if plain => {
                            is_subsequence(&needle, &search.lower[a as usize..b as usize])
                        }
                        _ => {
                            let hay = search.haystacks[i].get_or_insert_with(|| {
                                Utf32String::from(this.search_text(i).as_str())
                            });
                            pattern.score(hay.slice(..), &mut matcher).is_some()
                        }
                    }
                })
                .collect();
            self.visible = visible;
            self.search = Some(search);
        }
        self.selected = keep
            .and_then(|k| self.visible.iter().position(|&i| i == k))
            .unwrap_or(0);
    }
}

/// The filter's view of the rows.
#[derive(Debug, Default)]
pub(super) struct SearchIndex {
    /// Every row's text lower-cased, end to end, for the quick filter: one sequential scan
    /// instead of a pointer chase per row (`spans[i]` is row i's part; `None` when not ASCII).
    lower: Vec<u8>,
    spans: Vec<Option<(u32, u32)>>,
    /// The matcher's text of a row, made the first time the matcher needs that row.
    haystacks: Vec<Option<Utf32String>>,
}

impl SearchIndex {
    fn new(list: &ProfileList) -> Self {
        let mut lower = Vec::new();
        let spans = (0..list.total())
            .map(|i| {
                let text = list.search_text(i);
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
            haystacks: vec![None; list.total()],
        }
    }
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
