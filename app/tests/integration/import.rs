//! Importing certification on both databases: preview changes nothing, commit applies valid rows
//! in one transaction (or nothing, all or nothing), re-importing doubles nothing, XLSX and
//! Windows-1252 CSV read like UTF-8 CSV, and another agency's ids are errors.

use app::db::now_ms;
use app::db_test;
use app::domain::import::Outcome;
use app::services::Context;
use app::services::{compliance, import, ServiceError};

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const READ_ONLY: &str = "sam.reid@harbour-lettings.example";
/// The template's header row.
const HEADER: &str = "ContractorUserTypeID,ExternalContractorRef,ContractorCompanyName,ContractorCertificateName,StartDate,EndDate,ContractorCertificateReminder,ContractorCertificateReminderRelatesTo,ContractorCertificateValid";

use app::testing::{actor, contractor_id as contractor, seed_demo as seeded, OtherAgency};

async fn rows_in(cx: &Context, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

/// A file with good and bad rows for Fixright (no requirements in the demo).
async fn mixed_file(cx: &Context) -> String {
    let fixright = contractor(cx, "Fixright Handyman").await;
    format!(
        "\u{feff}ContractorUserTypeID,ExternalContractorRef,ContractorCompanyName,ContractorCertificateName,StartDate,EndDate,ContractorCertificateReminder,ContractorCertificateReminderRelatesTo,ContractorCertificateValid\r\n\
         {fixright},FRH-006,Fixright Handyman,Public liability insurance,01/01/2026,31/12/2099,Month1,EndDate,Yes\r\n\
         {fixright},FRH-006,Fixright Handyman,DBS check,01/01/2026,31/12/2099,,,\r\n\
         {fixright},FRH-006,Fixright Handyman,Public liability insurance,01/01/2026,31/12/2099,Month1,EndDate,Yes\r\n\
         {fixright},FRH-006,Fixright Handyman,Gas safety,31/02/2026,31/12/2099,Month4,,Yes\r\n\
         999999,,Nobody,Gas safety,01/01/2026,31/12/2026,,,\r\n\
         \r\n"
    )
}

db_test!(
    preview_changes_nothing_and_commit_applies_the_valid_rows,
    |cx| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let file = mixed_file(&cx).await;
        let before = (
            rows_in(&cx, "certificate_documents").await,
            rows_in(&cx, "certificate_requirements").await,
        );
        let preview = import::preview(&cx, &admin, file.as_bytes()).await.unwrap();
        let outcomes: Vec<&Outcome> = preview.rows.iter().map(|r| &r.outcome).collect();
        assert!(matches!(outcomes[0], Outcome::Create));
        assert!(matches!(outcomes[1], Outcome::Create));
        assert_eq!(outcomes[2], &Outcome::Duplicate { of_line: 2 });
        match outcomes[3] {
            Outcome::Error(problems) => {
                let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
                assert_eq!(columns, ["StartDate", "ContractorCertificateReminder"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(outcomes[4], Outcome::Error(_)));
        assert_eq!(
            preview.rows[3].line, 5,
            "rows are numbered as the spreadsheet shows them"
        );
        assert_eq!(
            (preview.creates, preview.duplicates, preview.errors),
            (2, 1, 2)
        );
        assert_eq!(
            (
                rows_in(&cx, "certificate_documents").await,
                rows_in(&cx, "certificate_requirements").await
            ),
            before,
            "a preview writes nothing"
        );

        // All or nothing refuses a file with errors, and writes nothing.
        let refused = import::commit(&cx, &admin, file.as_bytes(), true, now_ms()).await;
        assert!(
            matches!(&refused, Err(ServiceError::Refused(m)) if m.contains("2 rows have errors")),
            "{refused:?}"
        );
        assert_eq!(rows_in(&cx, "certificate_documents").await, before.0);

        let result = import::commit(&cx, &admin, file.as_bytes(), false, now_ms())
            .await
            .unwrap();
        assert_eq!((result.imported, result.skipped, result.errors), (2, 3, 2));
        assert_eq!(rows_in(&cx, "certificate_documents").await, before.0 + 2);
        assert_eq!(rows_in(&cx, "certificate_requirements").await, before.1 + 2);
        let fixright = contractor(&cx, "Fixright Handyman").await;
        let statuses = compliance::contractor_requirements(&cx, &admin, fixright, now_ms())
            .await
            .unwrap();
        let status_of = |name: &str| {
            statuses
                .iter()
                .find(|r| r.certificate_type == name)
                .unwrap()
                .status
                .status
        };
        use app::domain::compliance::ComplianceStatus;
        assert_eq!(
            status_of("Public liability insurance"),
            ComplianceStatus::Valid
        );
        assert_eq!(
            status_of("DBS check"),
            ComplianceStatus::NeedsValidation,
            "blank Valid waits for an agent"
        );
        let history = compliance::contractor_certification(&cx, &admin, fixright, now_ms())
            .await
            .unwrap()
            .history;
        assert!(
            history.iter().any(|h| h.who == "Alex Morgan"
                && h.what == "Imported: Public liability insurance, until 31/12/2099"),
            "{history:?}"
        );

        // Importing the same file again doubles nothing.
        let again = import::preview(&cx, &admin, file.as_bytes()).await.unwrap();
        assert_eq!((again.creates, again.updates, again.unchanged), (0, 0, 2));
        let result = import::commit(&cx, &admin, file.as_bytes(), false, now_ms())
            .await
            .unwrap();
        assert_eq!(result.imported, 0);
        assert_eq!(rows_in(&cx, "certificate_documents").await, before.0 + 2);

        // The error report lists the rejected rows with their reasons, ready to fix.
        let report = import::error_report(&cx, &admin, file.as_bytes())
            .await
            .unwrap();
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines.len(), 3, "{report}");
        assert!(lines[0].ends_with(",Reason"));
        assert!(
            lines[1].contains("31/02/2026") && lines[1].contains("not a real calendar date"),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains("No contractor of your agency has the id 999999"));
        // …and it imports back: fixed, its rows are good.
        let fixed = report
            .replace("31/02/2026", "28/02/2026")
            .replace("Month4", "Month3");
        let fixed: String = fixed
            .lines()
            .filter(|l| !l.starts_with("999999"))
            .map(|l| format!("{l}\r\n"))
            .collect();
        let preview = import::preview(&cx, &admin, fixed.as_bytes())
            .await
            .unwrap();
        assert_eq!((preview.creates, preview.errors), (1, 0), "{preview:?}");
    }
);

db_test!(
    missing_headers_empty_files_and_permissions_are_refused,
    |cx| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let missing = import::preview(&cx, &admin, b"ExternalContractorRef,StartDate,ContractorCertificateReminder,ContractorCertificateReminderRelatesTo,ContractorCertificateValid\r\nx,01/01/2026,,,\r\n")
        .await;
        assert!(
            matches!(&missing, Err(ServiceError::Invalid { field: "file", message }) if message.contains("missing: ContractorUserTypeID, ContractorCompanyName, ContractorCertificateName, EndDate")),
            "{missing:?}"
        );
        assert!(matches!(
            import::preview(&cx, &admin, b"").await,
            Err(ServiceError::Invalid { .. })
        ));
        assert!(matches!(
            import::preview(&cx, &admin, b"\x00\x01\x02binary").await,
            Err(ServiceError::Invalid { .. })
        ));
        let read_only = actor(&cx, READ_ONLY).await;
        let file = mixed_file(&cx).await;
        assert!(matches!(
            import::commit(&cx, &read_only, file.as_bytes(), false, now_ms()).await,
            Err(ServiceError::MissingPermission(_))
        ));
        let office = actor(&cx, "office@brightspark.example").await;
        assert!(matches!(
            import::preview(&cx, &office, file.as_bytes()).await,
            Err(ServiceError::Forbidden(_) | ServiceError::MissingPermission(_))
        ));
        assert!(matches!(
            import::contractor_export(&cx, &office).await,
            Err(ServiceError::Forbidden(_))
        ));
    }
);

db_test!(another_agencys_contractors_and_types_are_errors, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let now = now_ms();
    let other = OtherAgency::create(&cx).await;
    let (theirs, their_type) = (other.contractor_id, OtherAgency::TYPE_NAME);
    let fixright = contractor(&cx, "Fixright Handyman").await;
    let file = format!("{HEADER}\n{theirs},,,Gas safety,,,,,\n{fixright},,,{their_type},,,,,\n");
    let preview = import::preview(&cx, &admin, file.as_bytes()).await.unwrap();
    assert_eq!(preview.errors, 2);
    let before = rows_in(&cx, "certificate_documents").await;
    let result = import::commit(&cx, &admin, file.as_bytes(), false, now)
        .await
        .unwrap();
    assert_eq!(result.imported, 0);
    assert_eq!(rows_in(&cx, "certificate_documents").await, before);
});

db_test!(xlsx_and_windows_1252_files_read_like_csv, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let fixright = contractor(&cx, "Fixright Handyman").await;
    // The agency's own template, filled in the way a spreadsheet would: a real date cell.
    let template = import::xlsx_template(&cx, &admin).await.unwrap();
    assert!(template.starts_with(b"PK"), "an xlsx is a zip");
    let filled = {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (i, name) in app::domain::import::COLUMNS.iter().enumerate() {
            sheet.write_string(0, i as u16, *name).unwrap();
        }
        sheet.write_number(1, 0, fixright as f64).unwrap();
        sheet
            .write_string(1, 3, "Public liability insurance")
            .unwrap();
        let date = ExcelDateTime::from_ymd(2099, 12, 31).unwrap();
        sheet
            .write_datetime_with_format(1, 5, &date, &Format::new().set_num_format("dd/mm/yyyy"))
            .unwrap();
        sheet.write_string(1, 8, "Yes").unwrap();
        workbook.save_to_buffer().unwrap()
    };
    let preview = import::preview(&cx, &admin, &filled).await.unwrap();
    assert_eq!((preview.creates, preview.errors), (1, 0), "{preview:?}");
    import::commit(&cx, &admin, &filled, true, now_ms())
        .await
        .unwrap();
    let end: String = sqlx::query_scalar(
        "SELECT end_date FROM certificate_documents WHERE contractor_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(fixright)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    assert_eq!(
        end, "2099-12-31",
        "a date cell is taken as it is, never shifted"
    );

    // Excel's plain "CSV" on Windows: the company name with an accent, in Windows-1252.
    sqlx::query("UPDATE contractors SET company_name = 'Fixright Handyman Café' WHERE id = $1")
        .bind(fixright)
        .execute(cx.db.pool())
        .await
        .unwrap();
    let mut bytes = format!("{HEADER}\r\n{fixright},,Fixright Handyman Caf").into_bytes();
    bytes.push(0xE9);
    bytes.extend_from_slice(b",DBS check,,,,,\r\n");
    let preview = import::preview(&cx, &admin, &bytes).await.unwrap();
    assert_eq!((preview.creates, preview.errors), (1, 0), "{preview:?}");
    assert!(preview.note.unwrap().contains("Windows-1252"));
});

/// A row after the header of the template's sheet, as a script editing the downloaded workbook
/// writes it: inline text cells from column A.
fn fill_template(template: &[u8], rows: &[Vec<String>]) -> Vec<u8> {
    let xml_rows: String = rows
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            let line = i + 2;
            let cells: String = cells
                .iter()
                .enumerate()
                .filter(|(_, text)| !text.is_empty())
                .map(|(c, text)| {
                    format!(
                        "<c r=\"{}{line}\" t=\"inlineStr\"><is><t>{text}</t></is></c>",
                        app::domain::sheet::column_name(c)
                    )
                })
                .collect();
            format!("<row r=\"{line}\">{cells}</row>")
        })
        .collect();
    // The template's second sheet is the Certification sheet (the first lists the types).
    app::files::hostile::with_part(template, "xl/worksheets/sheet2.xml", |xml| {
        xml.replace("</sheetData>", &format!("{xml_rows}</sheetData>"))
    })
}

db_test!(the_templates_own_workbook_filled_in_imports, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let fixright = contractor(&cx, "Fixright Handyman").await;
    let template = import::xlsx_template(&cx, &admin).await.unwrap();
    let filled = fill_template(
        &template,
        &[vec![
            fixright.to_string(),
            String::new(),
            String::new(),
            "Public liability insurance".into(),
            "04/02/2026".into(),
            "31/12/2099".into(),
            "Month1".into(),
            "EndDate".into(),
            "Yes".into(),
        ]],
    );
    let preview = import::preview(&cx, &admin, &filled).await.unwrap();
    assert_eq!((preview.creates, preview.errors), (1, 0), "{preview:?}");
    assert_eq!(preview.rows[0].start.as_deref(), Some("4 Feb 2026"));
    assert_eq!(preview.rows[0].end.as_deref(), Some("31 Dec 2099"));
    let result = import::commit(&cx, &admin, &filled, true, now_ms())
        .await
        .unwrap();
    assert_eq!(result.imported, 1);
});

db_test!(
    a_file_without_a_template_column_is_refused_and_extra_columns_are_named,
    |cx| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let fixright = contractor(&cx, "Fixright Handyman").await;
        let before = rows_in(&cx, "certificate_documents").await;
        // "Expiry Date" instead of EndDate: the certificates would never expire.
        let misspelt = HEADER.replace("EndDate,", "Expiry Date,");
        let file = format!("{misspelt}\r\n{fixright},,,DBS check,01/01/2026,31/12/2099,,,\r\n");
        let refused = import::commit(&cx, &admin, file.as_bytes(), false, now_ms()).await;
        assert!(
            matches!(&refused, Err(ServiceError::Invalid { field: "file", message })
                if message.contains("missing: EndDate") && message.contains("\"Expiry Date\"")),
            "{refused:?}"
        );
        assert_eq!(rows_in(&cx, "certificate_documents").await, before);
        // A column the template does not have is left out, and the preview says so.
        let file = format!(
            "{HEADER},Notes\r\n{fixright},,,DBS check,01/01/2026,31/12/2099,,,,call first\r\n"
        );
        let preview = import::preview(&cx, &admin, file.as_bytes()).await.unwrap();
        assert_eq!((preview.creates, preview.errors), (1, 0), "{preview:?}");
        assert!(
            preview.note.as_deref().unwrap_or("").contains("\"Notes\""),
            "{preview:?}"
        );
    }
);

db_test!(
    a_file_whose_dates_read_only_month_first_is_refused_whole,
    |cx| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let fixright = contractor(&cx, "Fixright Handyman").await;
        let before = rows_in(&cx, "certificate_documents").await;
        // Saved in a US locale: 04/02/2026 means 2 April, and would silently read 4 February.
        let file = format!(
            "{HEADER}\r\n{fixright},,,DBS check,04/02/2026,04/02/2027,,,\r\n{fixright},,,Public liability insurance,01/02/2026,03/31/2027,,,\r\n"
        );
        for result in [
            import::preview(&cx, &admin, file.as_bytes())
                .await
                .map(|_| ()),
            import::commit(&cx, &admin, file.as_bytes(), false, now_ms())
                .await
                .map(|_| ()),
        ] {
            assert!(
                matches!(&result, Err(ServiceError::Invalid { field: "file", message })
                    if message.contains("MM/DD/YYYY") && message.contains("\"03/31/2027\" (row 3, EndDate)")),
                "{result:?}"
            );
        }
        assert_eq!(rows_in(&cx, "certificate_documents").await, before);
    }
);

db_test!(bombs_and_other_formats_get_a_plain_message, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let far_corner = app::files::hostile::workbook(&[(0, 0, "x"), (1_048_575, 16_383, "y")]);
    for (bytes, expected) in [
        (far_corner, "Cell XFD1048576 has a value"),
        (
            app::files::hostile::long_shared_string(50_000_000, 40),
            "more than 1,000 characters",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 old excel".to_vec(),
            "(.xls)",
        ),
    ] {
        for result in [
            import::preview(&cx, &admin, &bytes).await.map(|_| ()),
            import::commit(&cx, &admin, &bytes, false, now_ms())
                .await
                .map(|_| ()),
            import::error_report(&cx, &admin, &bytes).await.map(|_| ()),
        ] {
            assert!(
                matches!(&result, Err(ServiceError::Invalid { field: "file", message }) if message.contains(expected)),
                "{expected}: {result:?}"
            );
        }
    }
});

db_test!(a_row_gives_its_contractor_kinds_of_work, |cx| {
    use app::services::work_kinds::{self, KindOfWork};
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let now = now_ms();
    let gas: i64 = sqlx::query_scalar("SELECT id FROM certificate_types WHERE name = 'Gas safety'")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    let gas_work = work_kinds::save(
        &cx,
        &admin,
        None,
        &KindOfWork {
            name: "Gas work".into(),
            certificate_type_ids: vec![gas],
        },
        now,
    )
    .await
    .unwrap();
    let fixright = contractor(&cx, "Fixright Handyman").await;
    let file = format!(
        "{HEADER},ContractorCertificateCover,ContractorKindsOfWork\n\
         {fixright},,,Public liability insurance,,31/12/2099,,,Yes,,gas WORK\n\
         {fixright},,,DBS check,,31/12/2099,,,Yes,,Gas work; Roofing\n"
    );
    let preview = import::preview(&cx, &admin, file.as_bytes()).await.unwrap();
    assert_eq!((preview.creates, preview.errors), (1, 1), "{preview:?}");
    match &preview.rows[1].outcome {
        Outcome::Error(problems) => {
            assert_eq!(problems[0].column, "ContractorKindsOfWork");
            assert!(problems[0]
                .reason
                .starts_with("\"Roofing\" is not a kind of work"));
        }
        other => panic!("an unknown kind is the row's error: {other:?}"),
    }
    let emails = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox_emails WHERE to_address = 'office@fixright.example' \
             AND subject LIKE '%Gas safety%'",
        )
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
    };
    assert_eq!(
        rows_in(&cx, "contractor_work_kinds").await,
        0,
        "a preview writes nothing"
    );
    import::commit(&cx, &admin, file.as_bytes(), false, now)
        .await
        .unwrap();
    assert_eq!(
        work_kinds::contractor_kinds(&cx, &admin, fixright)
            .await
            .unwrap(),
        [gas_work]
    );
    assert_eq!(
        emails().await,
        1,
        "the kind's gas safety certificate is requested"
    );
    // Importing the same file again adds nothing and asks nothing twice.
    import::commit(&cx, &admin, file.as_bytes(), false, now)
        .await
        .unwrap();
    assert_eq!(emails().await, 1);
    assert_eq!(rows_in(&cx, "contractor_work_kinds").await, 1);
});
