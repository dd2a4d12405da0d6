//! The compliance matrix's rows as one HTML string. The grid is a thousand plain links with
//! nothing reactive inside, and as a view tree it cost more than everything else on the page:
//! each cell made half a dozen strings, and the server built the whole tree twice (once while
//! the page's `Transition` walks its children for the resources they read, once to render). As
//! text it is one buffer, cheap to build twice; the browser keeps the server's copy when it
//! hydrates (an element's `inner_html` is not set again), and the router still follows the links.

use crate::domain::compliance::{next_step, ComplianceStatus, TypeStatus};
use crate::domain::records::MatrixPage;
use html_escape::{encode_double_quoted_attribute as attribute, encode_text as text};
use std::fmt::Write;

/// The icon of a status, in a cell and in the legend.
pub fn status_icon(status: ComplianceStatus) -> &'static str {
    match status {
        ComplianceStatus::Valid => "✓",
        ComplianceStatus::ExpiringSoon => "!",
        ComplianceStatus::Expired => "✕",
        ComplianceStatus::Missing => "?",
        ComplianceStatus::NeedsValidation => "●",
        ComplianceStatus::NotRequired => "–",
        ComplianceStatus::CoverTooLow => "£",
    }
}

/// What a cell says to a screen reader and, on hover or focus, to everyone: the contractor,
/// the certificate, its status (or its cover's shortfall) and the next step.
fn cell_label(company: &str, type_name: &str, cell: &TypeStatus) -> String {
    match cell.shortfall {
        Some(shortfall) => format!(
            "{company}, {}. Next: {}",
            shortfall.reason(type_name),
            next_step(cell)
        ),
        None => format!(
            "{company}, {type_name}: {}. Next: {}",
            cell.status.label(),
            next_step(cell)
        ),
    }
}

/// The `<tr>`s of the matrix's body: a row header with the light and the contractor's link,
/// then one cell per type linking to that certificate on the contractor's page.
pub fn rows_html(m: &MatrixPage) -> String {
    let mut html = String::with_capacity(m.rows.len() * (200 + m.types.len() * 220));
    for row in &m.rows {
        let href = format!("/agent/contractors/{}", row.contractor_id);
        let company = row.company_name.as_str();
        // write! into a String cannot fail.
        let _ = write!(
            html,
            "<tr><th scope=\"row\"><span class=\"light light-{}\"><span class=\"light-dot\" aria-hidden=\"true\"></span></span> <a href=\"{href}\">{}</a>{}</th>",
            row.light.slug(),
            text(company),
            if row.suspended {
                " <span class=\"suspended-tag\">Suspended</span>"
            } else {
                ""
            }
        );
        for (cell, (type_id, type_name)) in row.cells.iter().zip(&m.types) {
            let _ = write!(
                html,
                "<td class=\"cell status-{}\"><a href=\"{href}?certificate={type_id}\" aria-label=\"{}\">{}{}</a></td>",
                cell.status.slug(),
                attribute(&cell_label(company, type_name, cell)),
                status_icon(cell.status),
                if cell.awaiting_validation {
                    "<span class=\"awaiting-dot\" aria-hidden=\"true\">•</span>"
                } else {
                    ""
                }
            );
        }
        html.push_str("</tr>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::TrafficLight;
    use crate::domain::records::MatrixRow;

    fn page(company: &str, type_name: &str, status: ComplianceStatus) -> MatrixPage {
        MatrixPage {
            types: vec![(7, type_name.to_string())],
            rows: vec![MatrixRow {
                contractor_id: 3,
                company_name: company.to_string(),
                light: TrafficLight::Red,
                cells: vec![TypeStatus {
                    status,
                    awaiting_validation: true,
                    valid_until: None,
                    shortfall: None,
                }],
                suspended: true,
            }],
            total: 1,
            page: 0,
            page_size: 50,
            work_kinds: Vec::new(),
        }
    }

    #[test]
    fn a_row_links_the_contractor_and_each_certificate_with_its_next_step() {
        let html = rows_html(&page(
            "Greenleaf Grounds",
            "Asbestos awareness",
            ComplianceStatus::Missing,
        ));
        assert!(
            html.starts_with("<tr><th scope=\"row\"><span class=\"light light-red\">"),
            "{html}"
        );
        assert!(html.contains("<a href=\"/agent/contractors/3\">Greenleaf Grounds</a> <span class=\"suspended-tag\">Suspended</span></th>"), "{html}");
        assert!(html.contains("<td class=\"cell status-missing\"><a href=\"/agent/contractors/3?certificate=7\" aria-label=\"Greenleaf Grounds, Asbestos awareness: Missing. Next: validate the waiting document\">?<span class=\"awaiting-dot\""), "{html}");
        assert!(html.ends_with("</a></td></tr>"), "{html}");
    }

    #[test]
    fn names_people_typed_cannot_break_out_of_the_markup() {
        let html = rows_html(&page(
            "<script>alert(1)</script> & \"Sons\"",
            "Type\" onmouseover=\"x",
            ComplianceStatus::Valid,
        ));
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"Sons\"</a>"),
            "{html}"
        );
        assert!(!html.contains("\" onmouseover=\"x"), "{html}");
        assert!(
            html.contains("&quot;Sons&quot;, Type&quot; onmouseover=&quot;x: Valid"),
            "{html}"
        );
    }
}
