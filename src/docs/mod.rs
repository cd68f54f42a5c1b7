//! The documents a desk prints: which ones fit an application at its status, what each one is
//! filled with (the template context, built from the store's record), and rendering them to
//! plain text and HTML through the cooperative's templates (`assets/templates/`).
//!
//! A document whose data does not exist yet is not offered: the receipt orders only once the
//! fees are paid, the contract, its agreements and the issue order only once the loan is
//! issued. Before that, at `authorized`, the contract is offered as a draft (ПРОЕКТ) for the
//! borrower to read the terms and the schedule — it carries no number and says so.

pub mod output;
pub mod print;
pub mod render;

use crate::domain::calculator::{self, ScheduleKind};
use crate::domain::validate::{passport_display, phone_display};
use crate::domain::{Money, Status};
use crate::rules::Rules;
use crate::store::applications::ApplicationRecord;
use crate::store::prints::DocumentFacts;
use chrono::{Months, NaiveDate};
use serde::Serialize;

pub use render::{DocError, Rendered, Templates};

/// Every document coopdesk prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// Заявление-анкета на получение займа.
    Application,
    /// Заявление о вступлении в члены кооператива.
    Membership,
    /// ПКО: вступительный взнос.
    EntranceFee,
    /// ПКО: обязательный паевой взнос.
    Share,
    /// Проект договора займа с графиком (before the issue: no number yet).
    ContractDraft,
    /// Договор займа с графиком платежей.
    Contract,
    /// Договор поручительства.
    Guarantee,
    /// Договор залога.
    Collateral,
    /// РКО: выдача займа.
    IssueOrder,
}

impl DocKind {
    pub const ALL: [DocKind; 9] = [
        DocKind::Application,
        DocKind::Membership,
        DocKind::EntranceFee,
        DocKind::Share,
        DocKind::ContractDraft,
        DocKind::Contract,
        DocKind::Guarantee,
        DocKind::Collateral,
        DocKind::IssueOrder,
    ];

    /// The name used on the command line, in file names and in the print history.
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Application => "application",
            DocKind::Membership => "membership",
            DocKind::EntranceFee => "entrance_fee",
            DocKind::Share => "share",
            DocKind::ContractDraft => "contract_draft",
            DocKind::Contract => "contract",
            DocKind::Guarantee => "guarantee",
            DocKind::Collateral => "collateral",
            DocKind::IssueOrder => "issue_order",
        }
    }

    pub fn from_code(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The template file under `templates/`.
    pub fn template(self) -> &'static str {
        match self {
            DocKind::Application => "application.txt",
            DocKind::Membership => "membership.txt",
            DocKind::EntranceFee | DocKind::Share => "receipt_order.txt",
            DocKind::ContractDraft | DocKind::Contract => "contract.txt",
            DocKind::Guarantee => "guarantee.txt",
            DocKind::Collateral => "collateral.txt",
            DocKind::IssueOrder => "issue_order.txt",
        }
    }

    /// Catalog key of the document's name.
    pub fn title_key(self) -> String {
        format!("doc.kind.{}", self.code())
    }
}

/// The documents that fit `app` now, in the order a desk hands them over.
pub fn offered(status: Status, facts: &DocumentFacts) -> Vec<DocKind> {
    let paid = |kind: &str| facts.fees.iter().any(|f| f.kind == kind);
    let agreement = |kind: &str| facts.agreements.iter().any(|a| a.kind == kind);
    let mut out = vec![DocKind::Application];
    let joining = match status {
        Status::Checked => !facts.applicant_is_member,
        Status::Candidate => true,
        _ => false,
    };
    if joining || !facts.fees.is_empty() {
        out.push(DocKind::Membership);
    }
    if paid("entrance_fee") {
        out.push(DocKind::EntranceFee);
    }
    if paid("mandatory_share") {
        out.push(DocKind::Share);
    }
    if status == Status::Authorized && facts.loan.is_none() {
        out.push(DocKind::ContractDraft);
    }
    if facts.loan.is_some() {
        out.push(DocKind::Contract);
        if agreement("guarantee") {
            out.push(DocKind::Guarantee);
        }
        if agreement("collateral") {
            out.push(DocKind::Collateral);
        }
        if facts.issue_order.is_some() {
            out.push(DocKind::IssueOrder);
        }
    }
    out
}

/// The document a desk most likely prints next at `status` — what the step into it produced —
/// if it is among `options`: the print menu starts on it.
pub fn suggested(status: Status, options: &[DocKind]) -> usize {
    let want = match status {
        Status::New => DocKind::Application,
        Status::Checked | Status::Candidate => DocKind::Membership,
        Status::Member => DocKind::EntranceFee,
        Status::Authorized => DocKind::ContractDraft,
        Status::Archived => DocKind::Contract,
        Status::Rejected => DocKind::Application,
    };
    options.iter().position(|k| *k == want).unwrap_or(0)
}

// ----- the template context --------------------------------------------------------------

/// Money for templates: a plain decimal (`150000.00`); the `money` and `words` filters write
/// it as figures or words.
fn m(x: Money) -> String {
    x.plain()
}

fn d(x: NaiveDate) -> String {
    x.to_string()
}

#[derive(Serialize)]
struct Person {
    login: String,
    name: String,
}

#[derive(Serialize)]
struct DocInfo {
    code: &'static str,
    title: String,
    date: String,
    place: String,
    /// 1 for the first print of this document of this application, 2 for the next…
    copy: u32,
}

#[derive(Serialize)]
struct OfficeCtx {
    code: String,
    name: String,
    city: String,
}

#[derive(Serialize)]
struct AppCtx {
    number: String,
    date: String,
    status: &'static str,
    product: String,
    product_name: String,
    amount: String,
    term_months: u32,
    rate: String,
    purpose: String,
    guarantor: String,
    collateral: String,
}

#[derive(Serialize)]
struct BorrowerCtx {
    full_name: String,
    short_name: String,
    last_name: String,
    first_name: String,
    patronymic: String,
    birth_date: String,
    passport: String,
    passport_issued_by: String,
    passport_issued_on: String,
    reg_address: String,
    fact_address: String,
    phone: String,
    email: String,
    income: String,
    expenses: String,
    payments: String,
    deductions: String,
}

#[derive(Serialize)]
struct MemberCtx {
    number: String,
    join_date: String,
}

#[derive(Serialize)]
struct FeeCtx {
    kind: String,
    amount: String,
    receipt_no: String,
    order_no: String,
    paid_on: String,
    cashier: Person,
}

#[derive(Serialize)]
struct RowCtx {
    no: u32,
    date: String,
    payment: String,
    principal: String,
    interest: String,
    balance: String,
}

#[derive(Serialize)]
struct LoanCtx {
    draft: bool,
    contract_no: String,
    issue_date: String,
    amount: String,
    term_months: u32,
    rate: String,
    schedule_kind: &'static str,
    monthly_payment: String,
    total_interest: String,
    total_paid: String,
    first_date: String,
    last_date: String,
    /// Numbers of the loan's agreements; empty in a draft or when there is none.
    guarantee_no: String,
    collateral_no: String,
    rows: Vec<RowCtx>,
}

#[derive(Serialize)]
struct AgreementCtx {
    number: String,
    description: String,
}

#[derive(Serialize)]
struct OrderCtx {
    number: String,
    amount: String,
    date: String,
    cashier: Person,
}

#[derive(Serialize)]
struct FeesDue {
    entrance_fee: String,
    mandatory_share: String,
}

#[derive(Serialize)]
struct Context {
    doc: DocInfo,
    office: OfficeCtx,
    app: AppCtx,
    borrower: BorrowerCtx,
    manager: Person,
    clerk: Person,
    #[serde(skip_serializing_if = "Option::is_none")]
    member: Option<MemberCtx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fees_due: Option<FeesDue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fee: Option<FeeCtx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    loan: Option<LoanCtx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agreement: Option<AgreementCtx>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<OrderCtx>,
}

/// Who prints, and when: the document's date and its place of signing.
pub struct Occasion<'a> {
    pub clerk: (&'a str, &'a str),
    pub today: NaiveDate,
    /// Which print of this document this is (1 = first).
    pub copy: u32,
}

fn short_name(last: &str, first: &str, patronymic: &str) -> String {
    let initial = |s: &str| {
        s.chars()
            .next()
            .map(|c| format!("{c}."))
            .unwrap_or_default()
    };
    let mut s = format!("{last} {}", initial(first));
    if !patronymic.is_empty() {
        s.push_str(&format!(" {}", initial(patronymic)));
    }
    s
}

fn loan_ctx(
    app: &ApplicationRecord,
    facts: &DocumentFacts,
    rules: &Rules,
    draft: bool,
    today: NaiveDate,
) -> Result<LoanCtx, DocError> {
    let product = rules.product(&app.data.loan.product);
    let kind = product.map(|p| p.schedule).unwrap_or(ScheduleKind::Annuity);
    let (contract_no, issue_date, amount, term, rate) = match (&facts.loan, draft) {
        (Some(l), false) => (
            l.contract_no.clone(),
            l.issue_date,
            l.amount,
            l.term_months,
            l.rate,
        ),
        _ => {
            let p = product.ok_or_else(|| DocError::Data(app.data.loan.product.clone()))?;
            (
                String::new(),
                today,
                app.data.loan.amount,
                app.data.loan.term_months,
                p.rate,
            )
        }
    };
    let agreement_no = |kind: &str| {
        facts
            .agreements
            .iter()
            .find(|a| a.kind == kind && !draft)
            .map(|a| a.number.clone())
            .unwrap_or_default()
    };
    let schedule = calculator::schedule(amount, rate, term, kind)
        .map_err(|e| DocError::Data(e.to_string()))?;
    let date_of = |no: u32| {
        issue_date
            .checked_add_months(Months::new(no))
            .unwrap_or(issue_date)
    };
    let rows: Vec<RowCtx> = schedule
        .rows
        .iter()
        .map(|r| RowCtx {
            no: r.no,
            date: d(date_of(r.no)),
            payment: m(r.payment),
            principal: m(r.principal),
            interest: m(r.interest),
            balance: m(r.balance),
        })
        .collect();
    Ok(LoanCtx {
        draft,
        contract_no,
        issue_date: d(issue_date),
        amount: m(amount),
        term_months: term,
        rate: rate.normalize().to_string().replace('.', ","),
        schedule_kind: kind.code(),
        monthly_payment: m(schedule.monthly_payment()),
        total_interest: m(schedule.total_interest),
        total_paid: m(schedule.total_paid),
        first_date: d(date_of(1)),
        last_date: d(date_of(term)),
        guarantee_no: agreement_no("guarantee"),
        collateral_no: agreement_no("collateral"),
        rows,
    })
}

/// The context a document's template is rendered with. Only the parts a document needs are
/// there, so a template that names something its document lacks fails (strict undefined)
/// rather than print a gap.
pub fn context(
    kind: DocKind,
    app: &ApplicationRecord,
    facts: &DocumentFacts,
    rules: &Rules,
    cat: &crate::i18n::Catalog,
    at: &Occasion,
) -> Result<minijinja::Value, DocError> {
    if !offered(app.status, facts).contains(&kind) {
        return Err(DocError::NotOffered(kind.code()));
    }
    let b = &app.data.borrower;
    let l = &app.data.loan;
    let product = rules.product(&l.product);
    let person = |p: &(String, String)| Person {
        login: p.0.clone(),
        name: p.1.clone(),
    };
    let fee_of = |code: &str| {
        facts.fees.iter().find(|f| f.kind == code).map(|f| FeeCtx {
            kind: f.kind.clone(),
            amount: m(f.amount),
            receipt_no: f.receipt_no.clone(),
            order_no: f.order_no.clone(),
            paid_on: d(f.paid_on),
            cashier: person(&f.cashier),
        })
    };
    let agreement_of = |code: &str| {
        facts
            .agreements
            .iter()
            .find(|a| a.kind == code)
            .map(|a| AgreementCtx {
                number: a.number.clone(),
                description: a.description.clone(),
            })
    };
    let loan = match kind {
        DocKind::ContractDraft => Some(loan_ctx(app, facts, rules, true, at.today)?),
        DocKind::Contract | DocKind::Guarantee | DocKind::Collateral | DocKind::IssueOrder => {
            Some(loan_ctx(app, facts, rules, false, at.today)?)
        }
        _ => None,
    };
    let ctx = Context {
        doc: DocInfo {
            code: kind.code(),
            title: cat.t(&kind.title_key()).to_string(),
            date: d(at.today),
            place: facts.office.city.clone(),
            copy: at.copy,
        },
        office: OfficeCtx {
            code: facts.office.code.clone(),
            name: facts.office.name.clone(),
            city: facts.office.city.clone(),
        },
        app: AppCtx {
            number: app.number.clone(),
            date: d(app.created_at.date()),
            status: app.status.code(),
            product: l.product.clone(),
            product_name: product
                .map(|p| p.name_ru.clone())
                .unwrap_or_else(|| l.product.clone()),
            amount: m(l.amount),
            term_months: l.term_months,
            rate: product
                .map(|p| p.rate.normalize().to_string().replace('.', ","))
                .unwrap_or_default(),
            purpose: l.purpose.clone(),
            guarantor: l.guarantor.clone(),
            collateral: l.collateral.clone(),
        },
        borrower: BorrowerCtx {
            full_name: b.full_name(),
            short_name: short_name(&b.last_name, &b.first_name, &b.patronymic),
            last_name: b.last_name.clone(),
            first_name: b.first_name.clone(),
            patronymic: b.patronymic.clone(),
            birth_date: d(b.birth_date),
            passport: passport_display(&b.passport),
            passport_issued_by: b.passport_issued_by.clone(),
            passport_issued_on: b.passport_issued_on.map(d).unwrap_or_default(),
            reg_address: b.reg_address.clone(),
            fact_address: b.fact_address.clone(),
            phone: phone_display(&b.phone),
            email: b.email.clone(),
            income: m(b.income),
            expenses: m(b.expenses),
            payments: m(b.payments),
            deductions: m(b.deductions),
        },
        // Nobody of the credit department has touched it yet: the person printing signs.
        manager: match &facts.manager {
            Some(m) => person(m),
            None => Person {
                login: at.clerk.0.to_string(),
                name: at.clerk.1.to_string(),
            },
        },
        clerk: Person {
            login: at.clerk.0.to_string(),
            name: at.clerk.1.to_string(),
        },
        member: facts
            .member
            .as_ref()
            .and_then(|mf| match (&mf.number, mf.join_date) {
                (Some(n), Some(j)) => Some(MemberCtx {
                    number: n.clone(),
                    join_date: d(j),
                }),
                _ => None,
            }),
        fees_due: (kind == DocKind::Membership).then(|| {
            // What was paid through this application, else what the rules ask for now.
            let paid = |code: &str| facts.fees.iter().find(|f| f.kind == code).map(|f| f.amount);
            FeesDue {
                entrance_fee: m(paid("entrance_fee").unwrap_or(rules.fees.entrance_fee)),
                mandatory_share: m(paid("mandatory_share").unwrap_or(rules.fees.mandatory_share)),
            }
        }),
        fee: match kind {
            DocKind::EntranceFee => fee_of("entrance_fee"),
            DocKind::Share => fee_of("mandatory_share"),
            _ => None,
        },
        loan,
        agreement: match kind {
            DocKind::Guarantee => agreement_of("guarantee"),
            DocKind::Collateral => agreement_of("collateral"),
            _ => None,
        },
        order: match (kind, &facts.issue_order) {
            (DocKind::IssueOrder, Some(o)) => Some(OrderCtx {
                number: o.number.clone(),
                amount: m(o.amount),
                date: d(o.at.date()),
                cashier: person(&o.actor),
            }),
            _ => None,
        },
    };
    Ok(minijinja::Value::from_serialize(&ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::prints::{AgreementFacts, CashOrderFacts, FeePaid, LoanFacts};
    use crate::store::staff::Office;
    use DocKind::*;

    fn facts() -> DocumentFacts {
        DocumentFacts {
            office: Office {
                id: 1,
                code: "TOM".into(),
                name: "Томский офис".into(),
                city: "Томск".into(),
            },
            manager: None,
            applicant_is_member: false,
            member: None,
            fees: vec![],
            loan: None,
            agreements: vec![],
            issue_order: None,
        }
    }

    fn paid(f: &mut DocumentFacts) {
        for kind in ["entrance_fee", "mandatory_share"] {
            f.fees.push(FeePaid {
                kind: kind.into(),
                amount: Money::from_rubles(500),
                receipt_no: "1".into(),
                paid_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                order_no: "000001".into(),
                cashier: ("kassa".into(), "Кузнецова".into()),
            });
        }
    }

    fn issued(f: &mut DocumentFacts, agreements: &[&str]) {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        f.loan = Some(LoanFacts {
            contract_no: "2026/000001".into(),
            product: "consumer".into(),
            amount: Money::from_rubles(150_000),
            term_months: 12,
            rate: rust_decimal::Decimal::from(19),
            issue_date: day,
        });
        f.issue_order = Some(CashOrderFacts {
            number: "000003".into(),
            amount: Money::from_rubles(150_000),
            at: day.and_hms_opt(12, 0, 0).unwrap(),
            actor: ("petrova".into(), "Петрова".into()),
        });
        for kind in agreements {
            f.agreements.push(AgreementFacts {
                kind: kind.to_string(),
                number: format!("2026/000001-{kind}"),
                description: "…".into(),
            });
        }
    }

    #[test]
    fn the_application_form_always_the_rest_once_their_data_exists() {
        let f = facts();
        for s in Status::ALL {
            assert_eq!(offered(s, &f)[0], Application, "{s:?}");
        }
        assert_eq!(offered(Status::New, &f), [Application]);
        assert_eq!(offered(Status::Checked, &f), [Application, Membership]);
        assert_eq!(offered(Status::Candidate, &f), [Application, Membership]);
        // Rejected before paying: only the form, for the file.
        assert_eq!(offered(Status::Rejected, &f), [Application]);
        // A member applying again signs no joining papers.
        let member = DocumentFacts {
            applicant_is_member: true,
            ..facts()
        };
        assert_eq!(offered(Status::Checked, &member), [Application]);
        assert_eq!(
            offered(Status::Authorized, &member),
            [Application, ContractDraft]
        );
    }

    #[test]
    fn receipts_once_paid_the_contract_set_once_issued() {
        let mut f = facts();
        paid(&mut f);
        let admitted = [Application, Membership, EntranceFee, Share];
        assert_eq!(offered(Status::Member, &f), admitted);
        // Rejected after paying: what was signed can still be reprinted.
        assert_eq!(offered(Status::Rejected, &f), admitted);
        let mut authorized = admitted.to_vec();
        authorized.push(ContractDraft);
        assert_eq!(offered(Status::Authorized, &f), authorized);
        issued(&mut f, &["collateral", "guarantee"]);
        let mut archived = admitted.to_vec();
        archived.extend([Contract, Guarantee, Collateral, IssueOrder]);
        assert_eq!(offered(Status::Archived, &f), archived);
        let mut f = facts();
        issued(&mut f, &[]);
        assert_eq!(
            offered(Status::Archived, &f),
            [Application, Contract, IssueOrder]
        );
    }

    #[test]
    fn the_menu_starts_on_the_papers_of_the_step_just_taken() {
        let mut f = facts();
        let at = |s: Status, f: &DocumentFacts| offered(s, f)[suggested(s, &offered(s, f))];
        assert_eq!(at(Status::New, &f), Application);
        assert_eq!(at(Status::Checked, &f), Membership);
        assert_eq!(at(Status::Candidate, &f), Membership);
        paid(&mut f);
        assert_eq!(at(Status::Member, &f), EntranceFee);
        assert_eq!(at(Status::Authorized, &f), ContractDraft);
        issued(&mut f, &[]);
        assert_eq!(at(Status::Archived, &f), Contract);
        // Not offered: the first.
        assert_eq!(suggested(Status::Archived, &[Application]), 0);
    }

    #[test]
    fn codes_and_templates() {
        for k in DocKind::ALL {
            assert_eq!(DocKind::from_code(k.code()), Some(k));
            assert!(
                render::BUILTIN.iter().any(|(n, _)| *n == k.template()),
                "{k:?}"
            );
            let cat = crate::i18n::Catalog::builtin("ru");
            assert!(cat.has(&k.title_key()), "{k:?}");
        }
        assert_eq!(DocKind::from_code("dogovor"), None);
    }
}
