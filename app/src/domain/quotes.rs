//! Quotes: an agent asks contractors to price an issue at a property before instructing it. Each
//! contractor asked has one quote, which its office answers (an amount, a note, perhaps a
//! document) or declines; the agent accepts one quote, which instructs the works to that
//! contractor, and the others are closed as not chosen.

use super::compliance::TrafficLight;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where one contractor's quote stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuoteStatus {
    /// Asked, not answered yet.
    Requested,
    /// Answered with an amount.
    Quoted,
    Declined,
    /// Chosen: the works were instructed to this contractor.
    Accepted,
    /// Another quote was chosen, or the request was withdrawn.
    NotChosen,
}

impl QuoteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteStatus::Requested => "requested",
            QuoteStatus::Quoted => "quoted",
            QuoteStatus::Declined => "declined",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::NotChosen => "not_chosen",
        }
    }

    pub fn parse(text: &str) -> Option<QuoteStatus> {
        [
            QuoteStatus::Requested,
            QuoteStatus::Quoted,
            QuoteStatus::Declined,
            QuoteStatus::Accepted,
            QuoteStatus::NotChosen,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            QuoteStatus::Requested => "Waiting for a quote",
            QuoteStatus::Quoted => "Quoted",
            QuoteStatus::Declined => "Declined",
            QuoteStatus::Accepted => "Accepted",
            QuoteStatus::NotChosen => "Not chosen",
        }
    }
}

/// Where a request for quotes stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestState {
    /// Waiting for answers, or for the agent to choose.
    Open,
    /// One quote was accepted and the works instructed.
    Accepted,
    /// The agent withdrew it.
    Withdrawn,
}

impl RequestState {
    pub fn of(accepted: bool, withdrawn: bool) -> RequestState {
        match (accepted, withdrawn) {
            (true, _) => RequestState::Accepted,
            (false, true) => RequestState::Withdrawn,
            (false, false) => RequestState::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RequestState::Open => "Open",
            RequestState::Accepted => "Accepted",
            RequestState::Withdrawn => "Withdrawn",
        }
    }
}

/// Why the office may not answer (or decline) now; `None` when it may.
pub fn answer_refusal(state: RequestState, status: QuoteStatus) -> Option<&'static str> {
    match (state, status) {
        (RequestState::Withdrawn, _) => Some("The agency withdrew this request for quotes."),
        (RequestState::Accepted, _) | (_, QuoteStatus::Accepted | QuoteStatus::NotChosen) => {
            Some("The agency has already chosen a quote for this work.")
        }
        (RequestState::Open, _) => None,
    }
}

/// Why the agent may not accept this quote now; `None` when they may.
pub fn accept_refusal(state: RequestState, status: QuoteStatus) -> Option<&'static str> {
    match (state, status) {
        (RequestState::Accepted, _) => Some("A quote for this request was already accepted."),
        (RequestState::Withdrawn, _) => Some("This request for quotes was withdrawn."),
        (RequestState::Open, QuoteStatus::Quoted) => None,
        (RequestState::Open, QuoteStatus::Declined) => Some("This contractor declined to quote."),
        (RequestState::Open, _) => Some("This contractor has not quoted yet."),
    }
}

/// The most a quote may be: £10,000,000, in pence.
pub const MAX_AMOUNT_PENCE: i64 = 1_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountProblem {
    #[error("Give the amount of your quote.")]
    Missing,
    #[error("Write the amount in pounds, like 1250 or 1,250.50.")]
    NotAnAmount,
    #[error("The amount must be more than £0.")]
    NotPositive,
    #[error(
        "Quotes are up to £10,000,000; send larger works as several quotes or call the agency."
    )]
    TooLarge,
}

/// Reads an amount in pounds as a person writes it ("1250", "£1,250.50", "1250.5") into pence.
pub fn parse_amount(input: &str) -> Result<i64, AmountProblem> {
    let text = input.trim().trim_start_matches('£').trim();
    if text.is_empty() {
        return Err(AmountProblem::Missing);
    }
    if text.starts_with('-') {
        return Err(AmountProblem::NotPositive);
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let grouped_well = whole.split(',').enumerate().all(|(i, group)| {
        !group.is_empty()
            && group.chars().all(|c| c.is_ascii_digit())
            && (i == 0 || group.len() == 3)
    });
    if !grouped_well
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || (text.contains('.') && fraction.is_empty())
    {
        return Err(AmountProblem::NotAnAmount);
    }
    let digits: String = whole.chars().filter(|c| *c != ',').collect();
    // More digits than any allowed amount has: refuse before parsing.
    if digits.trim_start_matches('0').len() > 8 {
        return Err(AmountProblem::TooLarge);
    }
    let pounds: i64 = digits.parse().map_err(|_| AmountProblem::NotAnAmount)?;
    let pence: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().unwrap_or(0) * 10,
        _ => fraction.parse().unwrap_or(0),
    };
    let amount = pounds * 100 + pence;
    if amount <= 0 {
        return Err(AmountProblem::NotPositive);
    }
    if amount > MAX_AMOUNT_PENCE {
        return Err(AmountProblem::TooLarge);
    }
    Ok(amount)
}

/// An amount in pence as people read it: "£1,250.50", "£980.00".
pub fn format_amount(pence: i64) -> String {
    let pounds = super::certificate_reading::pounds(pence / 100);
    format!("{pounds}.{:02}", (pence % 100).abs())
}

/// The lowest amount among answered quotes, to mark it in the comparison.
pub fn lowest(quotes: &[QuoteLine]) -> Option<i64> {
    quotes
        .iter()
        .filter(|q| q.status == QuoteStatus::Quoted || q.status == QuoteStatus::Accepted)
        .filter_map(|q| q.amount_pence)
        .min()
}

/// A request for quotes in the agent's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRequestSummary {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub address: String,
    pub requested_on: NaiveDate,
    pub state: RequestState,
    /// Contractors asked, and how many have quoted.
    pub asked: u32,
    pub quoted: u32,
    pub lowest_pence: Option<i64>,
}

/// One contractor's quote as the agent compares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    pub id: i64,
    pub contractor_id: i64,
    pub company_name: String,
    pub light: TrafficLight,
    pub suspended: bool,
    pub status: QuoteStatus,
    pub amount_pence: Option<i64>,
    pub note: Option<String>,
    /// The document's file name, when one came with the quote.
    pub document: Option<String>,
    /// When it was answered, as the agency writes instants.
    pub answered: Option<String>,
}

/// A request for quotes with every contractor's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRequestDetail {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub description: Option<String>,
    pub address: String,
    pub due_date: Option<NaiveDate>,
    pub priority: String,
    pub work_kind: Option<String>,
    pub requested_by: Option<String>,
    pub requested: String,
    pub state: RequestState,
    /// The task the accepted quote instructed: (id, reference).
    pub task: Option<(i64, String)>,
    pub quotes: Vec<QuoteLine>,
    /// This agent may accept (and withdraw): they may instruct works.
    pub can_accept: bool,
    /// This agent may instruct a red contractor with a reason.
    pub can_override: bool,
}

/// A request for quotes as the contractor's office sees it in the Desk view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskQuote {
    /// The quote's id (this contractor's answer).
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub description: Option<String>,
    pub address: String,
    pub due_date: Option<NaiveDate>,
    pub priority: String,
    pub requested: String,
    pub state: RequestState,
    pub status: QuoteStatus,
    pub amount_pence: Option<i64>,
    pub note: Option<String>,
    pub document: Option<String>,
    /// The task made when this quote was accepted.
    pub task_id: Option<i64>,
}

impl DeskQuote {
    /// Still waiting for this office's answer (or open to revising it).
    pub fn answerable(&self) -> bool {
        answer_refusal(self.state, self.status).is_none()
    }
}

/// The answer to asking for quotes: sent, or refused by the compliance rule for some of the
/// contractors chosen (each with the certificates at fault).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuoteRequestOutcome {
    Requested {
        request_id: i64,
        reference: String,
    },
    Blocked {
        /// (company, certificates at fault) per contractor refused.
        blocked: Vec<(String, Vec<String>)>,
        can_override: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(parse_amount("1250"), Ok(125_000));
        assert_eq!(parse_amount("£1,250.50"), Ok(125_050));
        assert_eq!(parse_amount(" 980.5 "), Ok(98_050));
        assert_eq!(parse_amount("0.01"), Ok(1));
        assert_eq!(parse_amount("10,000,000"), Ok(MAX_AMOUNT_PENCE));
    }

    #[test]
    fn amounts_refused_say_why() {
        assert_eq!(parse_amount(""), Err(AmountProblem::Missing));
        assert_eq!(parse_amount("£"), Err(AmountProblem::Missing));
        assert_eq!(parse_amount("-5"), Err(AmountProblem::NotPositive));
        assert_eq!(parse_amount("0"), Err(AmountProblem::NotPositive));
        assert_eq!(parse_amount("0.00"), Err(AmountProblem::NotPositive));
        assert_eq!(parse_amount("12.345"), Err(AmountProblem::NotAnAmount));
        assert_eq!(parse_amount("12."), Err(AmountProblem::NotAnAmount));
        assert_eq!(parse_amount("1,25"), Err(AmountProblem::NotAnAmount));
        assert_eq!(parse_amount("ten"), Err(AmountProblem::NotAnAmount));
        assert_eq!(parse_amount("1e5"), Err(AmountProblem::NotAnAmount));
        assert_eq!(parse_amount("10,000,000.01"), Err(AmountProblem::TooLarge));
        assert_eq!(
            parse_amount("99999999999999999999999"),
            Err(AmountProblem::TooLarge)
        );
    }

    #[test]
    fn amounts_written_in_pounds_and_pence() {
        assert_eq!(format_amount(125_050), "£1,250.50");
        assert_eq!(format_amount(98_000), "£980.00");
        assert_eq!(format_amount(5), "£0.05");
    }

    #[test]
    fn only_an_open_request_is_answered_or_accepted() {
        use QuoteStatus::*;
        use RequestState::{Open, Withdrawn};
        assert_eq!(answer_refusal(Open, Requested), None);
        assert_eq!(answer_refusal(Open, Quoted), None);
        assert_eq!(answer_refusal(Open, Declined), None);
        assert!(answer_refusal(RequestState::Accepted, Quoted).is_some());
        assert!(answer_refusal(Withdrawn, Requested).is_some());
        assert!(answer_refusal(Open, NotChosen).is_some());
        assert_eq!(accept_refusal(Open, Quoted), None);
        assert!(accept_refusal(Open, Requested).is_some());
        assert!(accept_refusal(Open, Declined).is_some());
        assert!(accept_refusal(RequestState::Accepted, Quoted).is_some());
        assert!(accept_refusal(Withdrawn, Quoted).is_some());
    }

    #[test]
    fn the_lowest_counts_answered_quotes_only() {
        let line = |status, amount| QuoteLine {
            id: 1,
            contractor_id: 1,
            company_name: String::new(),
            light: TrafficLight::Green,
            suspended: false,
            status,
            amount_pence: amount,
            note: None,
            document: None,
            answered: None,
        };
        let lines = [
            line(QuoteStatus::Quoted, Some(50_000)),
            line(QuoteStatus::Quoted, Some(42_000)),
            line(QuoteStatus::Declined, Some(1)),
            line(QuoteStatus::Requested, None),
        ];
        assert_eq!(lowest(&lines), Some(42_000));
        assert_eq!(lowest(&[]), None);
    }
}
