//! The application's life: seven statuses, the transitions between them, and who may take each.
//! This is the one place that answers "may a cashier admit a candidate?" (DOMAIN §2).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Checked,
    Candidate,
    Member,
    Authorized,
    Archived,
    Rejected,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::New,
        Status::Checked,
        Status::Candidate,
        Status::Member,
        Status::Authorized,
        Status::Archived,
        Status::Rejected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Checked => "checked",
            Status::Candidate => "candidate",
            Status::Member => "member",
            Status::Authorized => "authorized",
            Status::Archived => "archived",
            Status::Rejected => "rejected",
        }
    }

    /// Position in the process, for sorting the journal.
    pub fn rank(self) -> u8 {
        self as u8
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Archived | Status::Rejected)
    }

    /// The role that works applications in this status (and may reject them).
    pub fn owner(self) -> Option<Role> {
        match self {
            Status::New | Status::Member | Status::Authorized => Some(Role::Manager),
            Status::Checked => Some(Role::Inspector),
            Status::Candidate => Some(Role::Cashier),
            Status::Archived | Status::Rejected => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Status {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Status::ALL.into_iter().find(|st| st.code() == s).ok_or(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Consultant / credit manager.
    Manager,
    /// Credit inspector.
    Inspector,
    Cashier,
    /// Head of office.
    Head,
    Admin,
    /// Client-analysis manager: makes client-base changes on a memo (DOMAIN §6 rule 9).
    Analyst,
    /// Sales director: approves client-base changes.
    Director,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Manager,
        Role::Inspector,
        Role::Cashier,
        Role::Head,
        Role::Admin,
        Role::Analyst,
        Role::Director,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Inspector => "inspector",
            Role::Cashier => "cashier",
            Role::Head => "head",
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Director => "director",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or(())
    }
}

/// What a transition needs from the person taking it, beyond the application itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Borrower data valid, loan chosen, call-centre verification recorded.
    Verified,
    /// The inspector's decision (nothing more to type).
    Decision,
    /// Entrance fee and mandatory share contribution with receipt numbers.
    Fees,
    /// Final terms agreed.
    FinalTerms,
    /// Contract data.
    Contract,
    /// A reason, in words.
    Reason,
}

/// Why a transition is refused, before any data is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the application is closed")]
    Closed,
    #[error("no such step")]
    NoSuchStep,
    #[error("role {0} required")]
    RoleRequired(Role),
    #[error("the applicant is already a member")]
    AlreadyMember,
    #[error("the applicant is not a member yet")]
    NotAMember,
    #[error("checks are recorded only before the inspector's decision")]
    ChecksClosed,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::Closed => "refuse.closed",
            Refusal::NoSuchStep => "refuse.no_such_step",
            Refusal::RoleRequired(_) => "refuse.role_required",
            Refusal::AlreadyMember => "refuse.already_member",
            Refusal::NotAMember => "refuse.not_a_member",
            Refusal::ChecksClosed => "refuse.checks_closed",
        }
    }
}

/// The role that owns the step `from → to`, and what it requires; `None` if the step does not exist.
pub fn step(from: Status, to: Status) -> Option<(StepOwner, Requirement)> {
    use Status::*;
    match (from, to) {
        (New, Checked) => Some((StepOwner::Role(Role::Manager), Requirement::Verified)),
        (Checked, Candidate) => Some((StepOwner::Role(Role::Inspector), Requirement::Decision)),
        (Checked, Member) => Some((StepOwner::Role(Role::Inspector), Requirement::Decision)),
        (Candidate, Member) => Some((StepOwner::Role(Role::Cashier), Requirement::Fees)),
        (Member, Authorized) => Some((StepOwner::Role(Role::Manager), Requirement::FinalTerms)),
        (Authorized, Archived) => Some((StepOwner::Role(Role::Manager), Requirement::Contract)),
        (f, Rejected) if !f.is_final() => Some((StepOwner::StageOwnerOrHead, Requirement::Reason)),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepOwner {
    Role(Role),
    /// The role owning the current stage, or the head of office.
    StageOwnerOrHead,
}

/// May a person holding `roles` move an application from `from` to `to`?
/// `applicant_is_member` decides between `checked → candidate` and `checked → member`.
pub fn may_transition(
    from: Status,
    to: Status,
    roles: &[Role],
    applicant_is_member: bool,
) -> Result<Requirement, Refusal> {
    if from.is_final() {
        return Err(Refusal::Closed);
    }
    let (owner, req) = step(from, to).ok_or(Refusal::NoSuchStep)?;
    match owner {
        StepOwner::Role(role) => {
            if !roles.contains(&role) {
                return Err(Refusal::RoleRequired(role));
            }
        }
        StepOwner::StageOwnerOrHead => {
            let stage = from.owner().expect("open statuses have an owner");
            if !roles.contains(&stage) && !roles.contains(&Role::Head) {
                return Err(Refusal::RoleRequired(stage));
            }
        }
    }
    match (from, to) {
        (Status::Checked, Status::Candidate) if applicant_is_member => Err(Refusal::AlreadyMember),
        (Status::Checked, Status::Member) if !applicant_is_member => Err(Refusal::NotAMember),
        _ => Ok(req),
    }
}

/// The steps a person may take from `from`, in the order to offer them (forward first, reject last).
pub fn offered_steps(from: Status, roles: &[Role], applicant_is_member: bool) -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|to| may_transition(from, *to, roles, applicant_is_member).is_ok())
        .collect()
}

/// May this person edit the application's data in its current status?
pub fn may_edit(status: Status, roles: &[Role]) -> bool {
    match status.owner() {
        None => false,
        Some(owner) => roles.contains(&owner) || roles.contains(&Role::Head),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of DOMAIN §2, written out by hand as the expected answer for every
    /// status × single role × target × membership.
    fn expected(from: Status, to: Status, role: Role, member: bool) -> bool {
        use Role::*;
        use Status::*;
        match (from, to) {
            (New, Checked) => role == Manager,
            (Checked, Candidate) => role == Inspector && !member,
            (Checked, Member) => role == Inspector && member,
            (Candidate, Member) => role == Cashier,
            (Member, Authorized) => role == Manager,
            (Authorized, Archived) => role == Manager,
            (New | Member | Authorized, Rejected) => role == Manager || role == Head,
            (Checked, Rejected) => role == Inspector || role == Head,
            (Candidate, Rejected) => role == Cashier || role == Head,
            _ => false,
        }
    }

    #[test]
    fn every_status_role_and_target() {
        let mut allowed = 0;
        for from in Status::ALL {
            for to in Status::ALL {
                for role in Role::ALL {
                    for member in [false, true] {
                        let got = may_transition(from, to, &[role], member).is_ok();
                        assert_eq!(
                            got,
                            expected(from, to, role, member),
                            "{from} → {to} by {role}, member={member}"
                        );
                        allowed += got as usize;
                    }
                }
            }
        }
        // 6 forward steps (checked→candidate/member each for one membership state) ×2 membership
        // minus the two excluded, plus rejects: 5 open statuses × 2 roles × 2.
        assert_eq!(allowed, 10 + 20);
    }

    #[test]
    fn admin_alone_takes_no_step() {
        for from in Status::ALL {
            assert!(offered_steps(from, &[Role::Admin], false).is_empty());
            assert!(offered_steps(from, &[Role::Admin], true).is_empty());
        }
    }

    #[test]
    fn several_roles_combine() {
        let small_office = [Role::Manager, Role::Inspector, Role::Cashier];
        assert_eq!(
            offered_steps(Status::Checked, &small_office, false),
            vec![Status::Candidate, Status::Rejected]
        );
        assert_eq!(
            offered_steps(Status::Checked, &small_office, true),
            vec![Status::Member, Status::Rejected]
        );
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(
            may_transition(Status::Archived, Status::Rejected, &[Role::Head], false),
            Err(Refusal::Closed)
        );
        assert_eq!(
            may_transition(Status::New, Status::Member, &[Role::Manager], false),
            Err(Refusal::NoSuchStep)
        );
        assert_eq!(
            may_transition(Status::Checked, Status::New, &[Role::Inspector], false),
            Err(Refusal::NoSuchStep)
        );
        assert_eq!(
            may_transition(Status::Candidate, Status::Member, &[Role::Manager], false),
            Err(Refusal::RoleRequired(Role::Cashier))
        );
        assert_eq!(
            may_transition(Status::Checked, Status::Candidate, &[Role::Inspector], true),
            Err(Refusal::AlreadyMember)
        );
    }

    #[test]
    fn codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.code().parse::<Status>(), Ok(s));
        }
        for r in Role::ALL {
            assert_eq!(r.code().parse::<Role>(), Ok(r));
        }
    }

    #[test]
    fn editing_follows_the_stage_owner() {
        assert!(may_edit(Status::New, &[Role::Manager]));
        assert!(!may_edit(Status::New, &[Role::Cashier]));
        assert!(may_edit(Status::Checked, &[Role::Head]));
        assert!(!may_edit(Status::Archived, &[Role::Head]));
    }
}
