//! Importing contractor certification from CSV or XLSX (docs/product.md, "Importing certification"), and the files that go with
//! it: the template, the contractor export, and the error report. Preview changes nothing;
//! commit applies the valid rows in one transaction (or nothing, when asked for all or nothing).

use super::auth::Actor;
use super::heavy::{self, Work};
use super::ServiceError;
use crate::db::{audit, Db};
use crate::domain::csv::{self, Encoding};
use crate::domain::dates::DateFormat;
use crate::domain::dates::{from_storage, to_storage};
use crate::domain::identity::Permission;
use crate::domain::import::{
    month_swapped, plan, read_date, read_row, type_key, unmistakable, Cell, Columns, ImportRow,
    Known, Outcome, Planned, CERTIFICATE_NAME, COLUMNS, COMPANY_NAME, CONTRACTOR_ID, END_DATE,
    START_DATE, TEMPLATE_SHEET,
};
use crate::domain::records::{ImportPreview, ImportResult, PreviewRow};
use crate::domain::sheet::IMPORT_LIMITS;
use crate::events::{Change, Topic};
use crate::files::spreadsheet;
use crate::services::Context;
use std::collections::BTreeSet;

/// Spreadsheets of certification are small; this keeps a mistaken upload from eating memory.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;
/// Rows written by one multi-row INSERT. Measured with bench/import.sh on SQLite: 50 rows a
/// statement commits 10,000 rows in about 200 ms, 1,000 rows a statement in 1.4 s (larger
/// statements cost more to prepare than the round trips they save).
const ROWS_PER_STATEMENT: usize = 50;
/// Rows of data a single import takes.
pub const MAX_IMPORT_ROWS: usize = IMPORT_LIMITS.rows - 1;

pub use crate::files::spreadsheet::SheetRows;

/// The sheet's rows, and how its text was read (`None` for a spreadsheet). Every limit of
/// `IMPORT_LIMITS` is checked while reading. CPU-bound: [`planned`] runs it as heavy work.
pub fn read_sheet(bytes: &[u8]) -> Result<(SheetRows, Option<Encoding>), ServiceError> {
    let refused = |message: String| ServiceError::invalid("file", message);
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(refused(format!(
            "The file is larger than {} MB. Split it into several imports.",
            MAX_IMPORT_BYTES / 1_048_576
        )));
    }
    if spreadsheet::is_zip(bytes) {
        let is_header = |header: &[Cell]| Columns::match_header(header).is_ok();
        return spreadsheet::read_xlsx(bytes, &IMPORT_LIMITS, is_header)
            .map(|rows| (rows, None))
            .map_err(|e| refused(e.to_string()));
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(refused(
            "This is an old Excel file (.xls). Save it as Excel Workbook (.xlsx) or CSV UTF-8 and import that."
                .into(),
        ));
    }
    let (text, encoding) = csv::decode(bytes).map_err(|e| refused(e.to_string()))?;
    let records = csv::records(&text, &IMPORT_LIMITS).map_err(|e| refused(e.to_string()))?;
    let rows = records
        .into_iter()
        .map(|(line, fields)| (line, fields.into_iter().map(Cell::Text).collect()))
        .collect();
    Ok((rows, Some(encoding)))
}

async fn known(db: &Db, agency_id: i64) -> Result<Known, ServiceError> {
    let mut known = Known::default();
    let contractors: Vec<(i64, Option<String>, String)> = sqlx::query_as(
        "SELECT id, external_ref, company_name FROM contractors WHERE agency_id = $1",
    )
    .bind(agency_id)
    .fetch_all(db.pool())
    .await?;
    for (id, reference, company) in contractors {
        known.contractors.insert(id, (reference, company));
    }
    let types: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM certificate_types WHERE agency_id = $1")
            .bind(agency_id)
            .fetch_all(db.pool())
            .await?;
    for (id, name) in types {
        known.types.insert(type_key(&name), (id, name));
    }
    let requirements: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT contractor_id, certificate_type_id FROM certificate_requirements WHERE agency_id = $1",
    )
    .bind(agency_id)
    .fetch_all(db.pool())
    .await?;
    known.requirements.extend(requirements);
    let kinds: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM work_kinds WHERE agency_id = $1")
            .bind(agency_id)
            .fetch_all(db.pool())
            .await?;
    for (id, name) in kinds {
        known.work_kinds.insert(type_key(&name), id);
    }
    #[derive(sqlx::FromRow)]
    struct DocumentRow {
        contractor_id: i64,
        certificate_type_id: i64,
        start_date: Option<String>,
        end_date: Option<String>,
    }
    let documents: Vec<DocumentRow> = sqlx::query_as(
        "SELECT contractor_id, certificate_type_id, start_date, end_date FROM certificate_documents \
         WHERE agency_id = $1",
    )
    .bind(agency_id)
    .fetch_all(db.pool())
    .await?;
    known.documents.extend(documents.into_iter().map(|d| {
        (
            d.contractor_id,
            d.certificate_type_id,
            d.start_date.as_deref().and_then(from_storage),
            d.end_date.as_deref().and_then(from_storage),
        )
    }));
    Ok(known)
}

/// A file read and planned: its header, its data rows as read, and each row's outcome.
struct PlannedFile {
    header: Vec<Cell>,
    columns: Columns,
    rows: SheetRows,
    plans: Vec<Planned>,
    encoding: Option<Encoding>,
}

/// The file read and checked as a whole: its header, its columns, its data rows.
type ReadFile = (Vec<Cell>, Columns, SheetRows, Option<Encoding>);

fn read_file(bytes: &[u8], format: DateFormat) -> Result<ReadFile, ServiceError> {
    let (mut rows, encoding) = read_sheet(bytes)?;
    if rows.is_empty() {
        return Err(ServiceError::invalid("file", "The file has no rows."));
    }
    let (_, header) = rows.remove(0);
    let columns = Columns::match_header(&header)
        .map_err(|problem| ServiceError::invalid("file", problem.to_string()))?;
    if let Some(swapped) = month_swapped(&columns, &rows, format) {
        return Err(ServiceError::invalid("file", swapped.to_string()));
    }
    Ok((header, columns, rows, encoding))
}

async fn planned(db: &Db, actor: &Actor, bytes: &[u8]) -> Result<PlannedFile, ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let format = actor.date_format;
    let owned = bytes.to_vec();
    let (header, columns, rows, encoding, read) = heavy::run(Work::Spreadsheet, move || {
        let (header, columns, rows, encoding) = read_file(&owned, format)?;
        let read: Vec<(usize, Result<ImportRow, _>)> = rows
            .iter()
            .map(|(line, cells)| (*line, read_row(&columns, cells, format)))
            .collect();
        Ok::<_, ServiceError>((header, columns, rows, encoding, read))
    })
    .await??;
    let known = known(db, actor.agency_id).await?;
    Ok(PlannedFile {
        plans: plan(read, &known),
        header,
        columns,
        rows,
        encoding,
    })
}

/// What the file would do, changing nothing.
pub async fn preview(
    cx: &Context,
    actor: &Actor,
    bytes: &[u8],
) -> Result<ImportPreview, ServiceError> {
    let file = planned(&cx.db, actor, bytes).await?;
    let mut notes = Vec::new();
    if file.encoding == Some(Encoding::Windows1252) {
        notes.push("The file was not UTF-8; it was read as Windows-1252 (Excel's \"CSV\"). Check that names with accents look right.".to_string());
    }
    if !file.columns.ignored.is_empty() {
        let quoted: Vec<String> = file
            .columns
            .ignored
            .iter()
            .map(|name| format!("\"{name}\""))
            .collect();
        notes.push(format!(
            "Not columns of the template, so left out: {}.",
            quoted.join(", ")
        ));
    }
    let mut preview = ImportPreview {
        note: (!notes.is_empty()).then(|| notes.join(" ")),
        ..Default::default()
    };
    let columns = &file.columns;
    for (plan, (_, cells)) in file.plans.into_iter().zip(file.rows.iter()) {
        match &plan.outcome {
            Outcome::Create => preview.creates += 1,
            Outcome::Update => preview.updates += 1,
            Outcome::Unchanged => preview.unchanged += 1,
            Outcome::Duplicate { .. } => preview.duplicates += 1,
            Outcome::Error(_) => preview.errors += 1,
        }
        let company = columns.text(cells, COMPANY_NAME);
        let contractor = if company.is_empty() {
            columns.text(cells, CONTRACTOR_ID)
        } else {
            company
        };
        let as_read =
            |column| read_date(columns, cells, column, actor.date_format).map(unmistakable);
        preview.rows.push(PreviewRow {
            line: plan.line,
            contractor,
            certificate: columns.text(cells, CERTIFICATE_NAME),
            start: as_read(START_DATE),
            end: as_read(END_DATE),
            outcome: plan.outcome,
        });
    }
    Ok(preview)
}

/// Applies the file's valid rows in one transaction. With `all_or_nothing`, a file with any
/// error changes nothing. Each imported certificate is in its contractor's history as imported
/// by the agent.
pub async fn commit(
    cx: &Context,
    actor: &Actor,
    bytes: &[u8],
    all_or_nothing: bool,
    now: i64,
) -> Result<ImportResult, ServiceError> {
    let plans = planned(&cx.db, actor, bytes).await?.plans;
    let errors = plans
        .iter()
        .filter(|p| matches!(p.outcome, Outcome::Error(_)))
        .count() as u32;
    if all_or_nothing && errors > 0 {
        return Err(ServiceError::Refused(format!(
            "{errors} row{} have errors, and you chose all or nothing: nothing was imported. Download the error report, fix those rows and import again.",
            if errors == 1 { "" } else { "s" }
        )));
    }
    let total = plans.len() as u32;
    let work_kinds: BTreeSet<(i64, i64)> = plans
        .iter()
        .flat_map(|p| p.work_kinds.iter().copied())
        .collect();
    let rows: Vec<(ImportRow, i64)> = plans.into_iter().filter_map(|p| p.row).collect();
    tracing::info!(rows = rows.len(), "applying an import in one transaction");
    let mut tx = cx.db.begin_write().await?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        insert_requirements(&mut tx, actor, chunk, now).await?;
        insert_documents(&mut tx, actor, chunk, now).await?;
    }
    // After the rows' own requirements, so a kind asks only for what the file did not bring.
    for (contractor_id, kind_id) in &work_kinds {
        super::work_kinds::add_kind_in(
            &mut tx,
            actor,
            *contractor_id,
            *kind_id,
            &cx.public_url,
            now,
        )
        .await?;
    }
    let names: std::collections::HashMap<i64, String> =
        sqlx::query_as("SELECT id, name FROM certificate_types WHERE agency_id = $1")
            .bind(actor.agency_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from(
            "INSERT INTO audit_log (agency_id, actor_user_id, action, subject_user_id, contractor_id, detail, at) VALUES ",
        );
        sql.push_str(&value_rows(
            chunk.len(),
            3,
            "($1, $2, 'certificate_imported', NULL, ?, ?, ?)",
        ));
        let mut query = sqlx::query(&sql).bind(actor.agency_id).bind(actor.user_id);
        for (row, type_id) in chunk {
            let name = names.get(type_id).cloned().unwrap_or_default();
            let dates = match (row.start, row.end) {
                (_, Some(end)) => format!("{name}, until {}", actor.date_format.format(end)),
                _ => name,
            };
            query = query.bind(row.contractor_id).bind(dates).bind(now);
        }
        query.execute(&mut *tx).await?;
    }
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "certification_imported",
        None,
        &format!(
            "{} certificates imported, {} rows left out",
            rows.len(),
            total as usize - rows.len()
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    let contractors: BTreeSet<i64> = rows
        .iter()
        .map(|(r, _)| r.contractor_id)
        .chain(work_kinds.iter().map(|(contractor_id, _)| *contractor_id))
        .collect();
    for contractor_id in contractors {
        cx.db
            .publish(Change {
                agency_id: actor.agency_id,
                contractor_id: Some(contractor_id),
                topic: Topic::Certification,
                task_id: None,
            })
            .await;
    }
    Ok(ImportResult {
        imported: rows.len() as u32,
        skipped: total - rows.len() as u32,
        errors,
    })
}

/// `rows` copies of `template` joined for a multi-row VALUES, each `?` in it numbered on from
/// `$first` (the `$1`.. written in the template are values shared by every row).
fn value_rows(rows: usize, first: usize, template: &str) -> String {
    let mut next = first;
    (0..rows)
        .map(|_| {
            template
                .split('?')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part.to_string()
                    } else {
                        next += 1;
                        format!("${}{part}", next - 1)
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn insert_requirements(
    tx: &mut crate::db::WriteTx,
    actor: &Actor,
    chunk: &[(ImportRow, i64)],
    now: i64,
) -> Result<(), ServiceError> {
    let mut sql = String::from(
        "INSERT INTO certificate_requirements (agency_id, contractor_id, certificate_type_id, requested_by, requested_at) VALUES ",
    );
    sql.push_str(&value_rows(chunk.len(), 4, "($1, ?, ?, $2, $3)"));
    sql.push_str(" ON CONFLICT (contractor_id, certificate_type_id) DO NOTHING");
    let mut query = sqlx::query(&sql)
        .bind(actor.agency_id)
        .bind(actor.user_id)
        .bind(now);
    for (row, type_id) in chunk {
        query = query.bind(row.contractor_id).bind(*type_id);
    }
    query.execute(&mut **tx).await?;
    super::compliance::bump_certification_version(
        tx,
        actor.agency_id,
        super::compliance::Changed::Everyone,
    )
    .await?;
    Ok(())
}

async fn insert_documents(
    tx: &mut crate::db::WriteTx,
    actor: &Actor,
    chunk: &[(ImportRow, i64)],
    now: i64,
) -> Result<(), ServiceError> {
    let mut sql = String::from(
        "INSERT INTO certificate_documents (agency_id, contractor_id, certificate_type_id, start_date, \
         end_date, description, reminder, reminder_relates_to, uploaded_by, uploaded_at, validated_by, \
         validated_at, cover) VALUES ",
    );
    sql.push_str(&value_rows(
        chunk.len(),
        4,
        "($1, ?, ?, ?, ?, 'Imported', ?, ?, $2, $3, ?, ?, ?)",
    ));
    let mut query = sqlx::query(&sql)
        .bind(actor.agency_id)
        .bind(actor.user_id)
        .bind(now);
    for (row, type_id) in chunk {
        let valid = row.valid == Some(true);
        query = query
            .bind(row.contractor_id)
            .bind(*type_id)
            .bind(row.start.map(to_storage))
            .bind(row.end.map(to_storage))
            .bind(row.reminder.map(|r| r.name()))
            .bind(row.relates_to.name())
            .bind(valid.then_some(actor.user_id))
            .bind(valid.then_some(now))
            .bind(row.cover);
    }
    query.execute(&mut **tx).await?;
    super::compliance::bump_certification_version(
        tx,
        actor.agency_id,
        super::compliance::Changed::Everyone,
    )
    .await?;
    Ok(())
}

/// The rows that would not import, as CSV with the template's columns and a Reason column, to
/// fix and import again.
pub async fn error_report(
    cx: &Context,
    actor: &Actor,
    bytes: &[u8],
) -> Result<String, ServiceError> {
    let file = planned(&cx.db, actor, bytes).await?;
    let header_text: Vec<String> = file
        .header
        .iter()
        .map(|c| match c {
            Cell::Text(t) => t.trim().to_string(),
            Cell::Date(d) => d.to_string(),
        })
        .collect();
    let mut out = String::new();
    let mut first: Vec<&str> = header_text.iter().map(String::as_str).collect();
    first.push("Reason");
    csv::write_record(&mut out, &first);
    for (plan, (_, cells)) in file.plans.iter().zip(file.rows.iter()) {
        let Outcome::Error(problems) = &plan.outcome else {
            continue;
        };
        let mut fields: Vec<String> = (0..file.header.len())
            .map(|i| match cells.get(i) {
                Some(Cell::Text(t)) => t.clone(),
                Some(Cell::Date(d)) => actor.date_format.format(*d),
                None => String::new(),
            })
            .collect();
        fields.push(
            problems
                .iter()
                .map(|p| format!("{}: {}", p.column, p.reason))
                .collect::<Vec<_>>()
                .join(" | "),
        );
        csv::write_record(
            &mut out,
            &fields.iter().map(String::as_str).collect::<Vec<_>>(),
        );
    }
    Ok(out)
}

/// "Export as import CSV": one row per contractor, with what an import of contractors needs.
pub async fn contractor_export(cx: &Context, actor: &Actor) -> Result<String, ServiceError> {
    actor.require_agent()?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        external_ref: Option<String>,
        company_name: String,
        email: String,
        phone: Option<String>,
        trade: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, external_ref, company_name, email, phone, trade FROM contractors \
         WHERE agency_id = $1 ORDER BY lower(company_name), id",
    )
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    let mut out = String::new();
    csv::write_record(
        &mut out,
        &[
            "ContractorUserTypeID",
            "ExternalContractorRef",
            "ContractorCompanyName",
            "ContractorEmail",
            "ContractorPhone",
            "ContractorTrade",
        ],
    );
    for row in rows {
        let id = row.id.to_string();
        csv::write_record(
            &mut out,
            &[
                &id,
                row.external_ref.as_deref().unwrap_or(""),
                &row.company_name,
                &row.email,
                row.phone.as_deref().unwrap_or(""),
                row.trade.as_deref().unwrap_or(""),
            ],
        );
    }
    Ok(out)
}

/// The CSV template: the columns, and one example row.
pub fn csv_template(actor: &Actor) -> String {
    let mut out = String::new();
    csv::write_record(&mut out, &COLUMNS);
    let start = actor
        .date_format
        .format(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date"));
    let end = actor
        .date_format
        .format(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("a date"));
    csv::write_record(
        &mut out,
        &[
            "123",
            "REF-001",
            "Example Electrical Ltd",
            "Gas safety",
            &start,
            &end,
            "Month1",
            "EndDate",
            "Yes",
            "",
            "",
        ],
    );
    out
}

/// The XLSX template: the columns, drop-down lists for the certificate name (the agency's types),
/// the reminder, relates-to and valid columns, and the reminder's tooltip.
pub async fn xlsx_template(cx: &Context, actor: &Actor) -> Result<Vec<u8>, ServiceError> {
    use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook};
    actor.require_agent()?;
    let types: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM certificate_types WHERE agency_id = $1 ORDER BY lower(name)",
    )
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    let broken =
        |e: rust_xlsxwriter::XlsxError| ServiceError::Internal(format!("xlsx template: {e}"));
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    {
        // The certificate types live on a second sheet: a list written inline is limited to 255 characters.
        let lists = workbook.add_worksheet();
        lists.set_name("Certificate types").map_err(broken)?;
        for (i, name) in types.iter().enumerate() {
            lists.write_string(i as u32, 0, name).map_err(broken)?;
        }
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name(TEMPLATE_SHEET).map_err(broken)?;
    for (i, name) in COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, i as u16, *name, &bold)
            .map_err(broken)?;
        sheet.set_column_width(i as u16, 24).map_err(broken)?;
    }
    let last = 5_000;
    let date_hint = format!("Write dates as {}.", actor.date_format.pattern());
    let list = |items: &[&str]| DataValidation::new().allow_list_strings(items);
    let types_range = format!("='Certificate types'!$A$1:$A${}", types.len().max(1));
    let certificate = DataValidation::new()
        .allow_list_formula(Formula::new(types_range))
        .set_input_title("Certificate type")
        .map_err(broken)?
        .set_input_message("Choose one of your agency's certificate types. Create a custom type in Certidesk first if it is not listed.")
        .map_err(broken)?;
    sheet
        .add_data_validation(1, 3, last, 3, &certificate)
        .map_err(broken)?;
    // Date cells are text, so a typed 04/02/2026 reaches the import as written and is read in the
    // agency's order, instead of being turned into a date by the spreadsheet's own locale.
    let text = Format::new().set_num_format("@");
    for column in [4u16, 5] {
        sheet.set_column_format(column, &text).map_err(broken)?;
        let dates = DataValidation::new()
            .allow_any_value()
            .set_input_title("Date")
            .map_err(broken)?
            .set_input_message(&date_hint)
            .map_err(broken)?;
        sheet
            .add_data_validation(1, column, last, column, &dates)
            .map_err(broken)?;
    }
    let cover_hint = DataValidation::new()
        .allow_any_value()
        .set_input_title("Cover (optional)")
        .map_err(broken)?
        .set_input_message("Insurance only: the cover in pounds, e.g. 5000000 or £5m. A type with a minimum cover needs it.")
        .map_err(broken)?;
    sheet
        .add_data_validation(1, 9, last, 9, &cover_hint)
        .map_err(broken)?;
    let kinds_hint = DataValidation::new()
        .allow_any_value()
        .set_input_title("Kinds of work (optional)")
        .map_err(broken)?
        .set_input_message("Kinds of work the contractor does, e.g. Gas work; Electrical. Each must already exist under Kinds of work; the certificates it needs are requested.")
        .map_err(broken)?;
    sheet
        .add_data_validation(1, 10, last, 10, &kinds_hint)
        .map_err(broken)?;
    let reminder = list(&[
        "Week1", "Week2", "Week3", "Week4", "Month1", "Month2", "Month3",
    ])
    .map_err(broken)?
    .set_input_title("Reminder")
    .map_err(broken)?
    .set_input_message(crate::domain::import::REMINDER_HELP)
    .map_err(broken)?;
    sheet
        .add_data_validation(1, 6, last, 6, &reminder)
        .map_err(broken)?;
    let relates = list(&["EndDate", "StartDate"]).map_err(broken)?;
    sheet
        .add_data_validation(1, 7, last, 7, &relates)
        .map_err(broken)?;
    let valid = list(&["Yes", "No"])
        .map_err(broken)?
        .set_input_message(
            "Yes if you have checked the certificate; blank leaves it to validate in Certidesk.",
        )
        .map_err(broken)?;
    sheet
        .add_data_validation(1, 8, last, 8, &valid)
        .map_err(broken)?;
    sheet.set_active(true);
    workbook.save_to_buffer().map_err(broken)
}

#[cfg(test)]
mod tests {
    use super::value_rows;

    #[test]
    fn value_rows_number_each_rows_own_values() {
        assert_eq!(
            value_rows(2, 4, "($1, ?, ?, $2)"),
            "($1, $4, $5, $2), ($1, $6, $7, $2)"
        );
        assert_eq!(value_rows(1, 3, "(?)"), "($3)");
    }
}
