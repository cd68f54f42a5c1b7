//! The one table of keys: what each key does where, and the words for the hint bar and the
//! `?` overlay. F-keys and letters both work, for terminals (and people) that lack one or the other.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Pane(usize),
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Open,
    New,
    Step,
    Reject,
    Take,
    Search,
    Filter,
    Mine,
    StatusFilter,
    Sort,
    Reverse,
    Refresh,
    ClearFilter,
    Save,
    Close,
    NextTab,
    PrevTab,
    Schedule,
    PrevDay,
    NextDay,
    RatingView,
    Totals,
    SetPlan,
    SetScores,
    /// Client base: the pool, the requests, back to the managers.
    CbPool,
    CbRequests,
    CbBack,
    CbAttach,
    CbDetach,
    CbTransfer,
    CbCoAssign,
    CbHistory,
    CbApprove,
    CbOverride,
    CbRejectRequest,
    CbUnassignIdle,
    CbGroupFilter,
    CbPotentialFilter,
    CbProfile,
    Print,
    LogCall,
    LogMeeting,
    LogComment,
    Edit,
    Reveal,
    Share,
    MemberExit,
    /// A sale of savings or a service, from the member card.
    Sale,
    /// The audit trail of the open application or member (heads).
    Audit,
}

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// The main screen, whichever pane.
    Global,
    Queue,
    /// The application dialog (text is typed there: only F-keys and Ctrl combinations).
    Dialog,
    /// The client-base pane.
    ClientBase,
    /// Member lookup: letters go into the search box, so only other keys are bound.
    Members,
    /// The member card.
    MemberCard,
    /// The daily sales rating.
    Rating,
}

pub struct Binding {
    pub ctx: Ctx,
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in hints and help.
    pub label: &'static str,
    pub action: Action,
    /// Catalog key of what it does.
    pub hint: &'static str,
    /// Shown in the one-line hint bar (the rest only in `?`).
    pub bar: bool,
}

const N: KeyModifiers = KeyModifiers::NONE;
const S: KeyModifiers = KeyModifiers::SHIFT;
const C: KeyModifiers = KeyModifiers::CONTROL;

macro_rules! b {
    ($ctx:ident, [$($k:expr),+], $label:expr, $action:expr, $hint:expr, $bar:expr) => {
        Binding { ctx: Ctx::$ctx, keys: &[$($k),+], label: $label, action: $action, hint: $hint, bar: $bar }
    };
}

use Action as A;
use KeyCode as K;

pub const BINDINGS: &[Binding] = &[
    b!(
        Global,
        [(K::F(1), N), (K::Char('?'), N)],
        "F1 ?",
        A::Help,
        "key.help",
        true
    ),
    b!(
        Global,
        [(K::F(10), N), (K::Char('q'), N)],
        "F10 q",
        A::Quit,
        "key.quit",
        true
    ),
    b!(
        Global,
        [(K::Tab, N)],
        "Tab",
        A::NextPane,
        "key.next_pane",
        false
    ),
    b!(
        Global,
        [(K::BackTab, S), (K::BackTab, N)],
        "S-Tab",
        A::PrevPane,
        "key.prev_pane",
        false
    ),
    b!(
        Global,
        [(K::Char('1'), N)],
        "1-4",
        A::Pane(0),
        "key.panes",
        false
    ),
    b!(
        Global,
        [(K::Char('2'), N)],
        "",
        A::Pane(1),
        "key.panes",
        false
    ),
    b!(
        Global,
        [(K::Char('3'), N)],
        "",
        A::Pane(2),
        "key.panes",
        false
    ),
    b!(
        Global,
        [(K::Char('4'), N)],
        "",
        A::Pane(3),
        "key.panes",
        false
    ),
    b!(
        Queue,
        [(K::Up, N), (K::Char('k'), N)],
        "↑↓",
        A::Up,
        "key.up_down",
        false
    ),
    b!(
        Queue,
        [(K::Down, N), (K::Char('j'), N)],
        "",
        A::Down,
        "key.up_down",
        false
    ),
    b!(
        Queue,
        [(K::PageUp, N)],
        "PgUp PgDn",
        A::PageUp,
        "key.page",
        false
    ),
    b!(
        Queue,
        [(K::PageDown, N)],
        "",
        A::PageDown,
        "key.page",
        false
    ),
    b!(
        Queue,
        [(K::Home, N)],
        "Home End",
        A::Home,
        "key.home_end",
        false
    ),
    b!(Queue, [(K::End, N)], "", A::End, "key.home_end", false),
    b!(
        Queue,
        [(K::Enter, N), (K::F(4), N)],
        "Enter F4",
        A::Open,
        "key.open",
        true
    ),
    b!(
        Queue,
        [(K::F(7), N), (K::Insert, N), (K::Char('n'), N)],
        "F7 n",
        A::New,
        "key.new",
        true
    ),
    b!(
        Queue,
        [(K::F(6), N), (K::Char('s'), N)],
        "F6 s",
        A::Step,
        "key.step",
        true
    ),
    b!(
        Queue,
        [(K::F(8), N), (K::Char('r'), N)],
        "F8 r",
        A::Reject,
        "key.reject",
        false
    ),
    b!(Queue, [(K::Char('t'), N)], "t", A::Take, "key.take", false),
    b!(
        Queue,
        [(K::Char('p'), N), (K::Char('p'), C)],
        "p C-p",
        A::Print,
        "doc.key_print",
        false
    ),
    b!(
        Queue,
        [(K::F(3), N), (K::Char('/'), N)],
        "F3 /",
        A::Search,
        "key.search",
        true
    ),
    b!(
        Queue,
        [(K::F(9), N), (K::Char('f'), N)],
        "F9 f",
        A::Filter,
        "key.filter",
        true
    ),
    b!(Queue, [(K::Char('m'), N)], "m", A::Mine, "key.mine", false),
    b!(
        Queue,
        [(K::Char('v'), N)],
        "v",
        A::StatusFilter,
        "key.status_filter",
        false
    ),
    b!(Queue, [(K::Char('o'), N)], "o", A::Sort, "key.sort", false),
    b!(
        Queue,
        [(K::Char('O'), S), (K::Char('O'), N)],
        "O",
        A::Reverse,
        "key.reverse",
        false
    ),
    b!(
        Queue,
        [(K::Char('x'), N)],
        "x",
        A::ClearFilter,
        "key.clear",
        false
    ),
    b!(
        Queue,
        [(K::F(5), N), (K::Char('r'), C)],
        "F5 C-r",
        A::Refresh,
        "key.refresh",
        false
    ),
    b!(
        Dialog,
        [(K::F(2), N), (K::Char('s'), C)],
        "F2 C-s",
        A::Save,
        "key.save",
        true
    ),
    b!(Dialog, [(K::F(6), N)], "F6", A::Step, "key.step", true),
    b!(Dialog, [(K::F(8), N)], "F8", A::Reject, "key.reject", false),
    b!(
        Dialog,
        [(K::PageDown, N), (K::Right, C)],
        "PgDn PgUp",
        A::NextTab,
        "key.tab",
        true
    ),
    b!(
        Dialog,
        [(K::PageUp, N), (K::Left, C)],
        "",
        A::PrevTab,
        "key.tab",
        false
    ),
    b!(
        Dialog,
        [(K::F(5), N)],
        "F5",
        A::Refresh,
        "key.refresh",
        false
    ),
    b!(
        Dialog,
        [(K::Char('p'), C)],
        "C-p",
        A::Print,
        "doc.key_print",
        false
    ),
    b!(Dialog, [(K::Esc, N)], "Esc", A::Close, "key.close", true),
    b!(Dialog, [(K::F(1), N)], "F1", A::Help, "key.help", false),
    b!(Dialog, [(K::F(10), N)], "F10", A::Quit, "key.quit", false),
    b!(
        Dialog,
        [(K::F(3), N)],
        "F3",
        A::Schedule,
        "key.schedule",
        false
    ),
    b!(
        Dialog,
        [(K::F(9), N)],
        "F9",
        A::Audit,
        "audit_view.key",
        false
    ),
    b!(
        ClientBase,
        [(K::Up, N), (K::Char('k'), N)],
        "↑↓",
        A::Up,
        "key.up_down",
        false
    ),
    b!(
        ClientBase,
        [(K::Down, N), (K::Char('j'), N)],
        "",
        A::Down,
        "key.up_down",
        false
    ),
    b!(
        ClientBase,
        [(K::PageUp, N)],
        "PgUp PgDn",
        A::PageUp,
        "key.page",
        false
    ),
    b!(
        ClientBase,
        [(K::PageDown, N)],
        "",
        A::PageDown,
        "key.page",
        false
    ),
    b!(
        ClientBase,
        [(K::Enter, N), (K::F(4), N)],
        "Enter F4",
        A::Open,
        "key.cb_open",
        true
    ),
    b!(
        ClientBase,
        [(K::Esc, N)],
        "Esc",
        A::CbBack,
        "key.cb_back",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('p'), N)],
        "p",
        A::CbPool,
        "key.cb_pool",
        true
    ),
    b!(
        ClientBase,
        [(K::Char('z'), N)],
        "z",
        A::CbRequests,
        "key.cb_requests",
        true
    ),
    b!(
        ClientBase,
        [(K::Char('a'), N)],
        "a",
        A::CbAttach,
        "key.cb_attach",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('d'), N)],
        "d",
        A::CbDetach,
        "key.cb_detach",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('t'), N)],
        "t",
        A::CbTransfer,
        "key.cb_transfer",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('m'), N)],
        "m",
        A::CbCoAssign,
        "key.cb_co_assign",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('h'), N)],
        "h",
        A::CbHistory,
        "key.cb_history",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('y'), N)],
        "y",
        A::CbApprove,
        "key.cb_approve",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('o'), N)],
        "o",
        A::CbOverride,
        "key.cb_override",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('x'), N)],
        "x",
        A::CbRejectRequest,
        "key.cb_reject",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('u'), N)],
        "u",
        A::CbUnassignIdle,
        "key.cb_unassign",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('e'), N)],
        "e",
        A::CbProfile,
        "key.cb_profile",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('g'), N)],
        "g",
        A::CbGroupFilter,
        "key.cb_group",
        false
    ),
    b!(
        ClientBase,
        [(K::Char('f'), N)],
        "f",
        A::CbPotentialFilter,
        "key.cb_potential",
        false
    ),
    b!(
        ClientBase,
        [(K::F(5), N), (K::Char('r'), C)],
        "F5 C-r",
        A::Refresh,
        "key.refresh",
        false
    ),
    b!(
        Members,
        [(K::Enter, N), (K::F(4), N)],
        "Enter",
        A::Open,
        "member.key.card",
        true
    ),
    b!(Members, [(K::Up, N)], "↑↓", A::Up, "key.up_down", false),
    b!(Members, [(K::Down, N)], "", A::Down, "key.up_down", false),
    b!(
        Members,
        [(K::PageUp, N)],
        "PgUp PgDn",
        A::PageUp,
        "key.page",
        false
    ),
    b!(
        Members,
        [(K::PageDown, N)],
        "",
        A::PageDown,
        "key.page",
        false
    ),
    b!(
        Members,
        [(K::Esc, N)],
        "Esc",
        A::Close,
        "member.key.clear",
        true
    ),
    b!(
        Members,
        [(K::F(5), N)],
        "F5",
        A::Refresh,
        "key.refresh",
        false
    ),
    b!(
        MemberCard,
        [(K::Char('c'), N), (K::F(6), N)],
        "c",
        A::LogCall,
        "member.key.call",
        true
    ),
    b!(
        MemberCard,
        [(K::Char('m'), N)],
        "m",
        A::LogMeeting,
        "member.key.meeting",
        true
    ),
    b!(
        MemberCard,
        [(K::Char('k'), N)],
        "k",
        A::LogComment,
        "member.key.comment",
        true
    ),
    b!(
        MemberCard,
        [(K::Char('e'), N), (K::F(4), N)],
        "e F4",
        A::Edit,
        "member.key.edit",
        true
    ),
    b!(
        MemberCard,
        [(K::Char('n'), N), (K::F(7), N)],
        "n F7",
        A::New,
        "member.key.new_application",
        false
    ),
    b!(
        MemberCard,
        [(K::Enter, N)],
        "Enter",
        A::Open,
        "member.key.open_application",
        false
    ),
    b!(
        MemberCard,
        [(K::Up, N)],
        "↑↓",
        A::Up,
        "member.key.applications",
        false
    ),
    b!(
        MemberCard,
        [(K::Down, N)],
        "",
        A::Down,
        "member.key.applications",
        false
    ),
    b!(
        MemberCard,
        [(K::PageUp, N)],
        "PgUp PgDn",
        A::PageUp,
        "member.key.timeline",
        false
    ),
    b!(
        MemberCard,
        [(K::PageDown, N)],
        "",
        A::PageDown,
        "member.key.timeline",
        false
    ),
    b!(
        MemberCard,
        [(K::Char('v'), N), (K::F(3), N)],
        "v F3",
        A::Reveal,
        "member.key.reveal",
        false
    ),
    b!(
        MemberCard,
        [(K::Char('p'), N)],
        "p",
        A::Share,
        "member.key.share",
        false
    ),
    b!(
        MemberCard,
        [(K::Char('s'), N)],
        "s",
        A::Sale,
        "member.key.sale",
        false
    ),
    b!(
        MemberCard,
        [(K::Char('x'), N)],
        "x",
        A::MemberExit,
        "member.key.exit",
        false
    ),
    b!(
        MemberCard,
        [(K::Char('a'), N), (K::F(9), N)],
        "a F9",
        A::Audit,
        "audit_view.key",
        false
    ),
    b!(
        MemberCard,
        [(K::F(5), N)],
        "F5",
        A::Refresh,
        "key.refresh",
        false
    ),
    b!(
        MemberCard,
        [(K::Esc, N)],
        "Esc",
        A::Close,
        "member.key.back",
        true
    ),
    b!(
        Rating,
        [(K::Left, N)],
        "← →",
        A::PrevDay,
        "rating.key_day",
        true
    ),
    b!(
        Rating,
        [(K::Right, N)],
        "",
        A::NextDay,
        "rating.key_day",
        false
    ),
    b!(
        Rating,
        [(K::PageUp, N)],
        "PgUp PgDn",
        A::PageUp,
        "rating.key_month",
        true
    ),
    b!(
        Rating,
        [(K::PageDown, N)],
        "",
        A::PageDown,
        "rating.key_month",
        false
    ),
    b!(
        Rating,
        [(K::Up, N), (K::Char('k'), N)],
        "↑↓",
        A::Up,
        "key.up_down",
        false
    ),
    b!(
        Rating,
        [(K::Down, N), (K::Char('j'), N)],
        "",
        A::Down,
        "key.up_down",
        false
    ),
    b!(
        Rating,
        [(K::Home, N)],
        "Home",
        A::Home,
        "rating.key_today",
        false
    ),
    b!(
        Rating,
        [(K::Char('v'), N)],
        "v",
        A::RatingView,
        "rating.key_view",
        true
    ),
    b!(
        Rating,
        [(K::Char('t'), N)],
        "t",
        A::Totals,
        "rating.key_total",
        false
    ),
    b!(
        Rating,
        [(K::F(7), N), (K::Char('n'), N)],
        "F7 n",
        A::New,
        "rating.key_sale",
        true
    ),
    b!(
        Rating,
        [(K::Char('p'), N)],
        "p",
        A::SetPlan,
        "rating.key_plan",
        true
    ),
    b!(
        Rating,
        [(K::Char('c'), N)],
        "c",
        A::SetScores,
        "rating.key_scores",
        true
    ),
    b!(
        Rating,
        [(K::F(5), N), (K::Char('r'), C)],
        "F5 C-r",
        A::Refresh,
        "key.refresh",
        false
    ),
];

impl Binding {
    /// The first key of the label: the hint bar has room for one.
    pub fn bar_label(&self) -> &'static str {
        self.label.split(' ').next().unwrap_or(self.label)
    }
}

/// The action bound to `key` in `ctx`.
pub fn lookup(ctx: Ctx, key: &KeyEvent) -> Option<Action> {
    let mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::SHIFT | KeyModifiers::ALT);
    BINDINGS.iter().filter(|b| b.ctx == ctx).find_map(|b| {
        b.keys
            .iter()
            .any(|(code, m)| {
                *code == key.code
                    && (*m == mods
                        || (matches!(code, KeyCode::Char(_))
                            && *m == N
                            && mods == KeyModifiers::SHIFT))
            })
            .then_some(b.action)
    })
}

/// Bindings to show for a context, in table order, one per distinct label.
pub fn shown(ctx: Ctx, bar_only: bool) -> impl Iterator<Item = &'static Binding> {
    BINDINGS
        .iter()
        .filter(move |b| b.ctx == ctx && !b.label.is_empty() && (!bar_only || b.bar))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_fkeys_and_letters_work() {
        let k = |c, m| KeyEvent::new(c, m);
        assert_eq!(lookup(Ctx::Global, &k(K::F(10), N)), Some(A::Quit));
        assert_eq!(lookup(Ctx::Global, &k(K::Char('q'), N)), Some(A::Quit));
        assert_eq!(lookup(Ctx::Queue, &k(K::F(6), N)), Some(A::Step));
        assert_eq!(lookup(Ctx::Queue, &k(K::Char('s'), N)), Some(A::Step));
        assert_eq!(lookup(Ctx::Queue, &k(K::Char('O'), S)), Some(A::Reverse));
        assert_eq!(lookup(Ctx::Queue, &k(K::Char('?'), S)), None);
        assert_eq!(lookup(Ctx::Global, &k(K::Char('?'), S)), Some(A::Help));
        assert_eq!(lookup(Ctx::Dialog, &k(K::Char('s'), C)), Some(A::Save));
        assert_eq!(lookup(Ctx::Queue, &k(K::Char('p'), N)), Some(A::Print));
        assert_eq!(lookup(Ctx::Dialog, &k(K::Char('p'), C)), Some(A::Print));
        assert_eq!(lookup(Ctx::Dialog, &k(K::Char('p'), N)), None);
        assert_eq!(
            lookup(Ctx::Dialog, &k(K::Char('s'), N)),
            None,
            "letters are typed in the dialog"
        );
    }

    #[test]
    fn every_binding_has_words() {
        let cat = crate::i18n::Catalog::builtin("ru");
        for b in BINDINGS {
            assert!(cat.has(b.hint), "{}", b.hint);
        }
    }
}
