//! Certification services on both databases: statuses from demo data, requesting, uploading,
//! validating, the audit trail, and another tenant's ids refused.

use app::db::{now_ms, Db};
use app::db_test;
use app::domain::compliance::{ComplianceStatus, TrafficLight};
use app::domain::identity::Permission;
use app::services::auth::Actor;
use app::services::compliance::{self, NewDocument, Upload};
use app::services::Context;
use app::services::ServiceError;
use chrono::NaiveDate;

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const READ_ONLY: &str = "sam.reid@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";

use crate::support::{certificate_type, first_property};
use app::testing::{actor, contractor_id as contractor, seed_demo as seeded, OtherAgency};

fn light_of(rows: &[app::domain::records::ContractorRow], company: &str) -> TrafficLight {
    rows.iter()
        .find(|r| r.company_name == company)
        .unwrap()
        .light
}

/// The contractor's office uploads a gas safety record valid until 2099; its id.
async fn gas_record(cx: &Context, office: &Actor, gas: i64, now: i64) -> i64 {
    let upload = NewDocument {
        contractor_id: office.contractor_id.unwrap(),
        certificate_type_id: gas,
        end_date: NaiveDate::from_ymd_opt(2099, 1, 1),
        ..Default::default()
    };
    compliance::add_document(cx, office, upload, now)
        .await
        .unwrap()
}

db_test!(demo_data_shows_every_status_and_light, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let rows = compliance::contractor_list(&cx, &admin, None, now_ms())
        .await
        .unwrap();
    assert_eq!(
        light_of(&rows, "Brightspark Electrical Ltd"),
        TrafficLight::Green
    );
    assert_eq!(
        light_of(&rows, "Northgate Gas & Heating"),
        TrafficLight::Orange
    );
    assert_eq!(light_of(&rows, "Clearflow Plumbing"), TrafficLight::Red);
    let mut seen = std::collections::HashSet::new();
    for row in &rows {
        for r in compliance::contractor_requirements(&cx, &admin, row.id, now_ms())
            .await
            .unwrap()
        {
            seen.insert(r.status.status);
        }
    }
    for status in [
        ComplianceStatus::Valid,
        ComplianceStatus::ExpiringSoon,
        ComplianceStatus::Expired,
        ComplianceStatus::Missing,
        ComplianceStatus::NeedsValidation,
    ] {
        assert!(seen.contains(&status), "demo data lacks {status:?}");
    }
    let red = compliance::contractor_list(&cx, &admin, Some(TrafficLight::Red), now_ms())
        .await
        .unwrap();
    assert!(!red.is_empty());
    assert!(red.iter().all(|r| r.light == TrafficLight::Red));
    // A renewal waiting for validation shows on the expired type.
    let clearflow = contractor(&cx, "Clearflow Plumbing").await;
    let statuses = compliance::contractor_requirements(&cx, &admin, clearflow, now_ms())
        .await
        .unwrap();
    let liability = statuses
        .iter()
        .find(|r| r.certificate_type == "Public liability insurance")
        .unwrap();
    assert_eq!(liability.status.status, ComplianceStatus::Expired);
    assert!(liability.status.awaiting_validation);
});

db_test!(an_upload_waits_for_an_agent_then_counts, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let office = actor(&cx, OFFICE).await;
    let brightspark = office.contractor_id.unwrap();
    let gas = certificate_type(&cx, "Gas safety").await;
    let now = now_ms();
    assert!(
        compliance::request_certificate(&cx, &admin, brightspark, gas, now)
            .await
            .unwrap()
    );
    assert!(
        !compliance::request_certificate(&cx, &admin, brightspark, gas, now)
            .await
            .unwrap(),
        "asked twice, required once"
    );
    let rows = compliance::contractor_list(&cx, &admin, None, now)
        .await
        .unwrap();
    assert_eq!(
        light_of(&rows, "Brightspark Electrical Ltd"),
        TrafficLight::Red,
        "a missing certificate"
    );

    let end = NaiveDate::from_ymd_opt(2099, 1, 1);
    let upload = NewDocument {
        contractor_id: brightspark,
        certificate_type_id: gas,
        end_date: end,
        ..Default::default()
    };
    // The contractor cannot validate its own upload.
    let own_valid = NewDocument {
        validated: true,
        ..upload.clone()
    };
    assert!(matches!(
        compliance::add_document(&cx, &office, own_valid, now).await,
        Err(ServiceError::Forbidden(_))
    ));
    let document = compliance::add_document(&cx, &office, upload, now)
        .await
        .unwrap();
    let rows = compliance::contractor_list(&cx, &admin, None, now)
        .await
        .unwrap();
    assert_eq!(
        light_of(&rows, "Brightspark Electrical Ltd"),
        TrafficLight::Orange,
        "needs validation"
    );

    let read_only = actor(&cx, READ_ONLY).await;
    let r = compliance::validate_document(&cx, &read_only, document, now).await;
    assert!(matches!(
        r,
        Err(ServiceError::MissingPermission(
            Permission::ManageCertification
        ))
    ));
    assert!(matches!(
        compliance::validate_document(&cx, &office, document, now).await,
        Err(ServiceError::Forbidden(_))
    ));
    compliance::validate_document(&cx, &admin, document, now)
        .await
        .unwrap();
    compliance::validate_document(&cx, &admin, document, now)
        .await
        .unwrap();
    let rows = compliance::contractor_list(&cx, &admin, None, now)
        .await
        .unwrap();
    assert_eq!(
        light_of(&rows, "Brightspark Electrical Ltd"),
        TrafficLight::Green
    );

    let trail: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'certificate%' ORDER BY id",
    )
    .fetch_all(cx.db.pool())
    .await
    .unwrap();
    assert_eq!(
        trail,
        [
            "certificate_requested",
            "certificate_uploaded",
            "certificate_validated"
        ]
    );

    let backwards = NewDocument {
        contractor_id: brightspark,
        certificate_type_id: gas,
        start_date: NaiveDate::from_ymd_opt(2026, 5, 1),
        end_date: NaiveDate::from_ymd_opt(2026, 4, 30),
        ..Default::default()
    };
    assert!(matches!(
        compliance::add_document(&cx, &office, backwards, now).await,
        Err(ServiceError::Invalid {
            field: "end_date",
            ..
        })
    ));
});

db_test!(
    another_tenants_contractors_types_and_documents_are_refused,
    |cx| {
        seeded(&cx).await;
        let now = now_ms();
        let admin = actor(&cx, ADMIN).await;
        let office = actor(&cx, OFFICE).await;
        let other = OtherAgency::create(&cx).await;
        let (other_contractor, other_type, other_document) = (
            other.contractor_id,
            other.certificate_type_id,
            other.document_id,
        );
        let own_contractor = office.contractor_id.unwrap();
        let own_type = certificate_type(&cx, "Gas safety").await;
        let northgate = contractor(&cx, "Northgate Gas & Heating").await;

        let not_found = |r: Result<(), ServiceError>| {
            assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}")
        };
        not_found(
            compliance::request_certificate(&cx, &admin, other_contractor, own_type, now)
                .await
                .map(|_| ()),
        );
        not_found(
            compliance::request_certificate(&cx, &admin, own_contractor, other_type, now)
                .await
                .map(|_| ()),
        );
        not_found(compliance::validate_document(&cx, &admin, other_document, now).await);
        not_found(
            compliance::contractor_requirements(&cx, &admin, other_contractor, now)
                .await
                .map(|_| ()),
        );
        let doc = |contractor_id, certificate_type_id| NewDocument {
            contractor_id,
            certificate_type_id,
            ..Default::default()
        };
        not_found(
            compliance::add_document(&cx, &admin, doc(other_contractor, own_type), now)
                .await
                .map(|_| ()),
        );
        not_found(
            compliance::add_document(&cx, &admin, doc(own_contractor, other_type), now)
                .await
                .map(|_| ()),
        );
        // A contractor's office sees and uploads for its own company only.
        not_found(
            compliance::contractor_requirements(&cx, &office, northgate, now)
                .await
                .map(|_| ()),
        );
        not_found(
            compliance::add_document(&cx, &office, doc(northgate, own_type), now)
                .await
                .map(|_| ()),
        );
        compliance::contractor_requirements(&cx, &office, own_contractor, now)
            .await
            .unwrap();
        assert!(matches!(
            compliance::contractor_list(&cx, &office, None, now).await,
            Err(ServiceError::Forbidden(_))
        ));
        let listed = compliance::contractor_list(&cx, &admin, None, now)
            .await
            .unwrap();
        assert!(listed.iter().all(|r| r.id != other_contractor));
    }
);

db_test!(
    work_to_a_red_contractor_is_blocked_unless_overridden_with_a_reason,
    |cx| {
        use compliance::Instruction;
        seeded(&cx).await;
        let now = now_ms();
        let admin = actor(&cx, ADMIN).await;
        let agent = actor(&cx, "priya.shah@harbour-lettings.example").await;
        let read_only = actor(&cx, READ_ONLY).await;
        let clearflow = contractor(&cx, "Clearflow Plumbing").await;
        let brightspark = contractor(&cx, "Brightspark Electrical Ltd").await;
        let mut conn = cx.db.pool().acquire().await.unwrap();

        let check = |who: &Actor, id: i64, reason: Option<&'static str>| {
            let (cx, who) = (cx.clone(), who.clone());
            async move {
                let mut conn = cx.db.pool().acquire().await.unwrap();
                compliance::check_instruction(
                    &cx,
                    &mut conn,
                    &who,
                    id,
                    Default::default(),
                    reason,
                    now,
                )
                .await
            }
        };
        assert_eq!(
            check(&agent, brightspark, None).await.unwrap(),
            Instruction::Allowed
        );
        match check(&agent, clearflow, Some("please")).await.unwrap() {
            Instruction::Blocked {
                problems,
                can_override,
            } => {
                assert!(!can_override);
                assert_eq!(
                    problems,
                    [
                        "Legionella risk assessment: missing",
                        "Public liability insurance: expired"
                    ]
                );
            }
            other => panic!("expected a block, got {other:?}"),
        }
        assert!(matches!(
            check(&admin, clearflow, Some("  ")).await.unwrap(),
            Instruction::Blocked {
                can_override: true,
                ..
            }
        ));
        let overridden = compliance::check_instruction(
            &cx,
            &mut conn,
            &admin,
            clearflow,
            Default::default(),
            Some("Burst pipe, nobody else free"),
            now,
        )
        .await
        .unwrap();
        assert_eq!(overridden, Instruction::Overridden);
        drop(conn);
        let detail: String = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = 'compliance_overridden'",
        )
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        assert!(detail.contains("Burst pipe, nobody else free"), "{detail}");
        assert!(
            detail.contains("Public liability insurance: expired"),
            "{detail}"
        );

        assert!(matches!(
            check(&read_only, brightspark, None).await,
            Err(ServiceError::MissingPermission(Permission::InstructWork))
        ));
        let office = actor(&cx, OFFICE).await;
        assert!(matches!(
            check(&office, brightspark, None).await,
            Err(ServiceError::Forbidden(_))
        ));
    }
);

// After a change every page of the agency needs its statuses again, and computing them reads
// every requirement and document of the agency: readers that come together share one
// computation, and none is given statuses older than a change made before it asked.
db_test!(readers_after_a_change_share_one_computation, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let office = actor(&cx, OFFICE).await;
    let brightspark = office.contractor_id.unwrap();
    let gas = certificate_type(&cx, "Gas safety").await;
    let now = now_ms();
    let list = |cx: &Context| {
        let (cx, admin) = (cx.clone(), admin.clone());
        async move {
            let rows = compliance::contractor_list(&cx, &admin, None, now)
                .await
                .unwrap();
            light_of(&rows, "Brightspark Electrical Ltd")
        }
    };
    assert_eq!(list(&cx).await, TrafficLight::Green);
    compliance::request_certificate(&cx, &admin, brightspark, gas, now)
        .await
        .unwrap();
    let before = cx.statuses_computed();
    let readers: Vec<_> = (0..24).map(|_| tokio::spawn(list(&cx))).collect();
    for reader in readers {
        assert_eq!(reader.await.unwrap(), TrafficLight::Red);
    }
    let after = cx.statuses_computed();
    assert_eq!(
        (after.0 - before.0, after.1 - before.1),
        (0, 1),
        "24 readers after one contractor's change: one computation, of that contractor alone"
    );

    // Readers are computing when the certificate is uploaded and validated: a reader that asks
    // after the validation sees it.
    let document = gas_record(&cx, &office, gas, now).await;
    let readers: Vec<_> = (0..8).map(|_| tokio::spawn(list(&cx))).collect();
    tokio::task::yield_now().await;
    compliance::validate_document(&cx, &admin, document, now)
        .await
        .unwrap();
    assert_eq!(list(&cx).await, TrafficLight::Green);
    for reader in readers {
        reader.await.unwrap();
    }
});

// Statuses kept in memory are brought up to date for the contractor a change names, and computed
// whole after a change to every contractor; either way they are what a whole computation on an
// instance that kept nothing gives.
db_test!(
    kept_statuses_brought_up_to_date_match_a_whole_computation,
    |cx, test_db| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let office = actor(&cx, OFFICE).await;
        let brightspark = office.contractor_id.unwrap();
        let gas = certificate_type(&cx, "Gas safety").await;
        let liability = certificate_type(&cx, "Public liability insurance").await;
        let now = now_ms();
        let matches_a_whole_computation = |what: &'static str| {
            let (cx, admin) = (cx.clone(), admin.clone());
            let test_db = &test_db;
            async move {
                let kept = compliance::contractor_list(&cx, &admin, None, now)
                    .await
                    .unwrap();
                let elsewhere = test_db.another_instance().await;
                let whole = compliance::contractor_list(&elsewhere, &admin, None, now)
                    .await
                    .unwrap();
                elsewhere.db.close().await;
                assert_eq!(kept, whole, "after {what}");
                cx.statuses_computed()
            }
        };
        let start = matches_a_whole_computation("nothing").await;
        compliance::request_certificate(&cx, &admin, brightspark, gas, now)
            .await
            .unwrap();
        let requested = matches_a_whole_computation("a request").await;
        let document = gas_record(&cx, &office, gas, now).await;
        compliance::validate_document(&cx, &admin, document, now)
            .await
            .unwrap();
        let validated = matches_a_whole_computation("an upload and its validation").await;
        assert_eq!(
            (requested.0, validated.0),
            (start.0, start.0),
            "one contractor's changes computed every contractor again"
        );
        assert!(validated.1 > requested.1 && requested.1 > start.1);
        // Two contractors changed between two readers: both read again in one update.
        let clearflow = contractor(&cx, "Clearflow Plumbing").await;
        compliance::request_certificate(&cx, &admin, clearflow, gas, now)
            .await
            .unwrap();
        compliance::request_certificate(&cx, &admin, brightspark, liability, now)
            .await
            .unwrap();
        let both = matches_a_whole_computation("requests to two contractors").await;
        assert_eq!(
            (both.0, both.1),
            (start.0, validated.1 + 1),
            "two contractors' changes: one update, no whole computation"
        );
        app::services::certificate_types::set_minimum_cover(
            &cx,
            &admin,
            liability,
            Some(900_000_000),
            now,
        )
        .await
        .unwrap();
        let raised = matches_a_whole_computation("a minimum cover raised").await;
        assert_eq!(
            raised.0,
            start.0 + 1,
            "a change to every contractor computes all"
        );
    }
);

db_test!(the_dashboard_counts_lights_statuses_and_renewals, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let summary = compliance::summary(&cx, &admin, now_ms()).await.unwrap();
    assert_eq!(summary.lights, [2, 2, 2], "red, orange, green");
    let count = |s: ComplianceStatus| summary.statuses.iter().find(|(x, _)| *x == s).unwrap().1;
    assert_eq!(count(ComplianceStatus::Missing), 2);
    assert_eq!(count(ComplianceStatus::Expired), 1);
    assert_eq!(count(ComplianceStatus::ExpiringSoon), 1);
    assert_eq!(count(ComplianceStatus::NeedsValidation), 1);
    assert_eq!(count(ComplianceStatus::Valid), 7);
    let first = &summary.renewals[0];
    assert_eq!(
        (first.1.as_str(), first.2.as_str()),
        ("Clearflow Plumbing", "Public liability insurance")
    );
    assert!(
        summary.renewals.windows(2).all(|w| w[0].3 <= w[1].3),
        "soonest first"
    );
    let office = actor(&cx, OFFICE).await;
    assert!(matches!(
        compliance::summary(&cx, &office, now_ms()).await,
        Err(ServiceError::Forbidden(_))
    ));
});

db_test!(the_matrix_filters_on_the_server_and_pages, |cx| {
    use compliance::MatrixFilter;
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let now = now_ms();
    let all = compliance::matrix(&cx, &admin, MatrixFilter::default(), now)
        .await
        .unwrap();
    assert_eq!(all.types.len(), 9);
    assert_eq!(all.total, 6);
    assert!(all.rows.iter().all(|r| r.cells.len() == 9));
    let expired = MatrixFilter {
        status: Some(ComplianceStatus::Expired),
        ..Default::default()
    };
    let m = compliance::matrix(&cx, &admin, expired, now).await.unwrap();
    assert_eq!(
        m.rows
            .iter()
            .map(|r| r.company_name.as_str())
            .collect::<Vec<_>>(),
        ["Clearflow Plumbing"]
    );
    let gas = certificate_type(&cx, "Gas safety").await;
    let by_type = MatrixFilter {
        certificate_type_id: Some(gas),
        status: Some(ComplianceStatus::ExpiringSoon),
        ..Default::default()
    };
    let m = compliance::matrix(&cx, &admin, by_type, now).await.unwrap();
    assert_eq!(m.types, vec![(gas, "Gas safety".to_string())]);
    assert_eq!(m.rows.len(), 1);
    assert_eq!(m.rows[0].company_name, "Northgate Gas & Heating");
    let named = MatrixFilter {
        name: Some(" ROOF ".into()),
        ..Default::default()
    };
    let m = compliance::matrix(&cx, &admin, named, now).await.unwrap();
    assert_eq!(m.rows.len(), 1);
    assert_eq!(m.rows[0].company_name, "Ace Roofing Services");
    let past_the_end = MatrixFilter {
        page: 1,
        ..Default::default()
    };
    let m = compliance::matrix(&cx, &admin, past_the_end, now)
        .await
        .unwrap();
    assert!(m.rows.is_empty());
    assert_eq!(m.total, 6);
    // Another agency's type is not a column here.
    let other_type = OtherAgency::create(&cx).await.certificate_type_id;
    let r = compliance::matrix(
        &cx,
        &admin,
        MatrixFilter {
            certificate_type_id: Some(other_type),
            ..Default::default()
        },
        now,
    )
    .await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))));
    let office = actor(&cx, OFFICE).await;
    assert!(matches!(
        compliance::matrix(&cx, &office, MatrixFilter::default(), now).await,
        Err(ServiceError::Forbidden(_))
    ));
});

db_test!(
    a_request_emails_the_contractor_and_shows_in_its_history,
    |cx| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let office = actor(&cx, OFFICE).await;
        let brightspark = office.contractor_id.unwrap();
        let gas = certificate_type(&cx, "Gas safety").await;
        let now = now_ms();
        let before = compliance::outstanding_requests(&cx, &office, now)
            .await
            .unwrap();
        compliance::request_certificate(&cx, &admin, brightspark, gas, now)
            .await
            .unwrap();
        compliance::request_certificate(&cx, &admin, brightspark, gas, now)
            .await
            .unwrap();
        let mails: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT to_address, subject, body_text FROM outbox_emails WHERE subject LIKE '%Gas safety%'",
    )
    .fetch_all(cx.db.pool())
    .await
    .unwrap();
        assert_eq!(mails.len(), 1, "one email for one request: {mails:?}");
        assert_eq!(mails[0].0, OFFICE);
        assert!(mails[0]
            .2
            .contains(&format!("{}/desk/certificates", app::testing::PUBLIC_URL)));
        assert_eq!(
            compliance::outstanding_requests(&cx, &office, now)
                .await
                .unwrap(),
            before + 1,
            "the badge counts the new request"
        );
        assert!(matches!(
            compliance::outstanding_requests(&cx, &admin, now).await,
            Err(ServiceError::Forbidden(_))
        ));

        let seen_by_agent = compliance::contractor_certification(&cx, &admin, brightspark, now)
            .await
            .unwrap();
        let latest = &seen_by_agent.history[0];
        assert_eq!(latest.who, "Alex Morgan");
        assert_eq!(latest.what, "Requested: Gas safety");
        // The audit trail is the agency's: the contractor's own page does not show it.
        let seen_by_office = compliance::contractor_certification(&cx, &office, brightspark, now)
            .await
            .unwrap();
        assert!(seen_by_office.history.is_empty());
        assert!(seen_by_office.can_upload && !seen_by_office.can_manage);
    }
);

db_test!(
    uploaded_files_are_checked_stored_and_shown_only_to_those_allowed,
    |cx| {
        seeded(&cx).await;
        let dir = tempfile::tempdir().unwrap();
        let files = app::files::FileStore::local(dir.path());
        let cx = cx.clone().with_files(files.clone());
        let admin = actor(&cx, ADMIN).await;
        let office = actor(&cx, OFFICE).await;
        let brightspark = office.contractor_id.unwrap();
        let gas = certificate_type(&cx, "Gas safety").await;
        let now = now_ms();
        compliance::request_certificate(&cx, &admin, brightspark, gas, now)
            .await
            .unwrap();
        let document = NewDocument {
            contractor_id: brightspark,
            certificate_type_id: gas,
            end_date: NaiveDate::from_ymd_opt(2099, 1, 1),
            ..Default::default()
        };
        let pdf = Upload {
            file_name: "C:\\scans\\gas cert.pdf".into(),
            bytes: b"%PDF-1.4\n1 0 obj\n".to_vec(),
        };
        let id = compliance::upload_document(&cx, &office, document.clone(), pdf.clone(), now)
            .await
            .unwrap();
        let app::files::StoredFile {
            name,
            content_type,
            bytes,
        } = compliance::document_file(&cx, &admin, id).await.unwrap();
        assert_eq!(
            (name.as_str(), content_type.as_str()),
            ("gas cert.pdf", "application/pdf")
        );
        assert_eq!(bytes, pdf.bytes);
        compliance::document_file(&cx, &office, id).await.unwrap();

        // Another contractor's office cannot download it, nor can a technician.
        let northgate_office = actor(&cx, "desk@northgate-gas.example").await;
        assert!(matches!(
            compliance::document_file(&cx, &northgate_office, id).await,
            Err(ServiceError::NotFound(_))
        ));
        let technician = actor(&cx, "tom.baker@brightspark.example").await;
        assert!(matches!(
            compliance::document_file(&cx, &technician, id).await,
            Err(ServiceError::NotFound(_))
        ));

        // A program renamed .pdf is refused by its content, and nothing is recorded or stored.
        let count = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM certificate_documents")
                .fetch_one(cx.db.pool())
                .await
                .unwrap()
        };
        let documents_before = count().await;
        let exe = Upload {
            file_name: "gas.pdf".into(),
            bytes: b"MZ\x90\0\x03\0\0\0".to_vec(),
        };
        let refused = compliance::upload_document(&cx, &office, document.clone(), exe, now).await;
        assert!(
            matches!(&refused, Err(ServiceError::Invalid { field: "file", message }) if message.contains("not a PDF")),
            "{refused:?}"
        );
        let empty =
            compliance::upload_document(&cx, &office, document.clone(), Upload::default(), now)
                .await;
        assert!(matches!(
            empty,
            Err(ServiceError::Invalid { field: "file", .. })
        ));
        // Not allowed: refused before anything is stored.
        let elsewhere = NewDocument {
            contractor_id: contractor(&cx, "Northgate Gas & Heating").await,
            ..document.clone()
        };
        assert!(matches!(
            compliance::upload_document(&cx, &office, elsewhere, pdf, now).await,
            Err(ServiceError::NotFound(_))
        ));
        assert_eq!(count().await, documents_before);
        let stored = walk(dir.path());
        assert_eq!(
            stored.len(),
            1,
            "only the accepted file is on disk: {stored:?}"
        );

        let tab = compliance::contractor_certification(&cx, &admin, brightspark, now)
            .await
            .unwrap();
        let shown = tab
            .requirements
            .iter()
            .flat_map(|r| &r.documents)
            .find(|d| d.id == id)
            .unwrap();
        assert_eq!(shown.file_name.as_deref(), Some("gas cert.pdf"));
        assert_eq!(shown.uploaded_by.as_deref(), Some("Rachel Green"));
    }
);

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

db_test!(reminders_and_expiry_notices_are_queued_once, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let brightspark = contractor(&cx, "Brightspark Electrical Ltd").await;
    let gas = certificate_type(&cx, "Gas safety").await;
    let asbestos = certificate_type(&cx, "Asbestos awareness").await;
    let now = now_ms();
    let today = app::domain::dates::local_today("Europe/London", now);
    // Drain whatever the demo data already has due.
    app::services::reminders::queue_due(&cx, now).await.unwrap();

    for t in [gas, asbestos] {
        compliance::request_certificate(&cx, &admin, brightspark, t, now)
            .await
            .unwrap();
    }
    let ends_in_a_week = NewDocument {
        contractor_id: brightspark,
        certificate_type_id: gas,
        end_date: today.checked_add_days(chrono::Days::new(7)),
        reminder: Some(app::domain::compliance::Reminder::Weeks(1)),
        validated: true,
        ..Default::default()
    };
    compliance::add_document(&cx, &admin, ends_in_a_week, now)
        .await
        .unwrap();
    let ended_yesterday = NewDocument {
        contractor_id: brightspark,
        certificate_type_id: asbestos,
        end_date: today.pred_opt(),
        validated: true,
        ..Default::default()
    };
    compliance::add_document(&cx, &admin, ended_yesterday, now)
        .await
        .unwrap();

    let pass = app::services::reminders::queue_due(&cx, now).await.unwrap();
    assert_eq!(pass.reminders, 1, "the office's one user");
    // Alex Morgan and Priya Shah manage certification in the demo agency.
    let managers: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u JOIN roles r ON r.id = u.role_id \
         WHERE u.active = 1 AND r.can_manage_certification = 1",
    )
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    assert_eq!(pass.expiry_notices as i64, managers);
    let again = app::services::reminders::queue_due(&cx, now).await.unwrap();
    assert_eq!(again, Default::default(), "never twice");

    let reminder: String = sqlx::query_scalar(
        "SELECT subject FROM outbox_emails WHERE subject LIKE 'Reminder:%Gas safety%'",
    )
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    let expected = app::domain::dates::DateFormat::default()
        .format(today.checked_add_days(chrono::Days::new(7)).unwrap());
    assert!(
        reminder.ends_with(&expected),
        "dates as the agency writes them: {reminder}"
    );
});

db_test!(instructing_works_respects_the_compliance_block, |cx| {
    use app::domain::records::InstructOutcome;
    use app::services::tasks::{self, NewTask};
    seeded(&cx).await;
    let now = now_ms();
    let admin = actor(&cx, ADMIN).await;
    let agent = actor(&cx, "priya.shah@harbour-lettings.example").await;
    let clearflow = contractor(&cx, "Clearflow Plumbing").await;
    let brightspark = contractor(&cx, "Brightspark Electrical Ltd").await;
    let property = first_property(&cx).await;
    let task = |contractor_id, reason: Option<&str>| NewTask {
        property_id: property,
        contractor_id,
        title: "Fix the leaking tap".into(),
        priority: "normal".into(),
        override_reason: reason.map(str::to_string),
        ..Default::default()
    };
    let tasks_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    match tasks::instruct(&cx, &agent, task(clearflow, Some("urgent")), now)
        .await
        .unwrap()
    {
        InstructOutcome::Blocked {
            company_name,
            problems,
            can_override,
            alternatives,
        } => {
            assert_eq!(company_name, "Clearflow Plumbing");
            assert!(!can_override);
            assert!(problems
                .iter()
                .any(|p| p == "Public liability insurance: expired"));
            assert!(alternatives
                .iter()
                .all(|c| c.light == TrafficLight::Green && c.id != clearflow));
        }
        other => panic!("expected a block: {other:?}"),
    }
    assert!(matches!(
        tasks::instruct(&cx, &admin, task(clearflow, None), now)
            .await
            .unwrap(),
        InstructOutcome::Blocked {
            can_override: true,
            ..
        }
    ));
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM tasks")
            .fetch_one(cx.db.pool())
            .await
            .unwrap()
    };
    assert_eq!(count().await, tasks_before, "a block writes nothing");
    match tasks::instruct(
        &cx,
        &admin,
        task(clearflow, Some("Flood, nobody else free")),
        now,
    )
    .await
    .unwrap()
    {
        InstructOutcome::Instructed {
            overridden,
            reference,
            ..
        } => {
            assert!(overridden);
            assert!(reference.starts_with("T-"));
        }
        other => panic!("expected the override to go through: {other:?}"),
    }
    assert!(matches!(
        tasks::instruct(&cx, &agent, task(brightspark, None), now)
            .await
            .unwrap(),
        InstructOutcome::Instructed {
            overridden: false,
            ..
        }
    ));
    assert_eq!(count().await, tasks_before + 2);
    let history = compliance::contractor_certification(&cx, &admin, clearflow, now)
        .await
        .unwrap()
        .history;
    assert!(
        history[0].what.starts_with("Instructed works: T-"),
        "{history:?}"
    );
    assert!(
        history[1].what.contains("Flood, nobody else free"),
        "{history:?}"
    );

    let blank = NewTask {
        title: "  ".into(),
        ..task(brightspark, None)
    };
    assert!(matches!(
        tasks::instruct(&cx, &agent, blank, now).await,
        Err(ServiceError::Invalid { field: "title", .. })
    ));
    // Another agency's property or contractor does not exist here.
    let other = OtherAgency::create(&cx).await;
    let (their_property, their_contractor) = (other.property_id, other.contractor_id);
    let elsewhere = NewTask {
        property_id: their_property,
        ..task(brightspark, None)
    };
    assert!(matches!(
        tasks::instruct(&cx, &agent, elsewhere, now).await,
        Err(ServiceError::Invalid {
            field: "property_id",
            ..
        })
    ));
    assert!(matches!(
        tasks::instruct(&cx, &agent, task(their_contractor, None), now).await,
        Err(ServiceError::NotFound(_))
    ));
    let office = actor(&cx, OFFICE).await;
    assert!(matches!(
        tasks::instruct(&cx, &office, task(brightspark, None), now).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert_eq!(count().await, tasks_before + 2);
});

db_test!(changes_reach_subscribers_after_commit, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let brightspark = contractor(&cx, "Brightspark Electrical Ltd").await;
    let gas = certificate_type(&cx, "Gas safety").await;
    let mut changes = cx.db.events().subscribe();
    // On PostgreSQL the listener connects in the background: give it a moment.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    compliance::request_certificate(&cx, &admin, brightspark, gas, now_ms())
        .await
        .unwrap();
    let change = tokio::time::timeout(std::time::Duration::from_secs(5), changes.recv())
        .await
        .expect("a change within 5 s")
        .unwrap();
    assert_eq!(change.contractor_id, Some(brightspark));
    assert_eq!(change.agency_id, admin.agency_id);
});

db_test!(agencies_add_their_own_certificate_types, |cx| {
    use app::services::certificate_types;
    seeded(&cx).await;
    let now = now_ms();
    let admin = actor(&cx, ADMIN).await;
    let built_in = certificate_types::list(&cx, &admin).await.unwrap();
    assert_eq!(built_in.len(), 9);
    assert!(built_in.iter().all(|t| t.built_in));
    let id = certificate_types::create(&cx, &admin, "  Gas Safe   registration ", true, now)
        .await
        .unwrap();
    let types = certificate_types::list(&cx, &admin).await.unwrap();
    let custom = types.iter().find(|t| t.id == id).unwrap();
    assert_eq!(custom.name, "Gas Safe registration");
    assert!(!custom.built_in && custom.applies_to_technicians);
    // Names are unique whatever their case, and the message names the one that exists.
    let twice = certificate_types::create(&cx, &admin, "GAS SAFETY", false, now).await;
    assert!(
        matches!(&twice, Err(ServiceError::Invalid { field: "name", message }) if message == "\"Gas safety\" already exists."),
        "{twice:?}"
    );
    assert!(matches!(
        certificate_types::create(&cx, &admin, " ", false, now).await,
        Err(ServiceError::Invalid { field: "name", .. })
    ));
    certificate_types::set_applies_to_technicians(&cx, &admin, id, false)
        .await
        .unwrap();
    // The new type can be requested like a built-in one.
    let brightspark = contractor(&cx, "Brightspark Electrical Ltd").await;
    assert!(
        compliance::request_certificate(&cx, &admin, brightspark, id, now)
            .await
            .unwrap()
    );

    let read_only = actor(&cx, READ_ONLY).await;
    assert!(matches!(
        certificate_types::create(&cx, &read_only, "Boiler", false, now).await,
        Err(ServiceError::MissingPermission(
            Permission::ManageCertification
        ))
    ));
    certificate_types::list(&cx, &read_only).await.unwrap();
    let office = actor(&cx, OFFICE).await;
    assert!(matches!(
        certificate_types::list(&cx, &office).await,
        Err(ServiceError::Forbidden(_))
    ));
    // Another agency's type cannot be changed from here.
    let theirs = OtherAgency::create(&cx).await.certificate_type_id;
    assert!(matches!(
        certificate_types::set_applies_to_technicians(&cx, &admin, theirs, true).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(certificate_types::list(&cx, &admin)
        .await
        .unwrap()
        .iter()
        .all(|t| t.id != theirs));
});

/// Two instances on one PostgreSQL database: a change published by one reaches pages open on
/// the other (through LISTEN/NOTIFY), and nothing leaks to another schema.
#[tokio::test]
async fn changes_travel_between_instances_on_postgres() {
    use app::events::{Change, Topic};
    use app::testing::TestDb;
    let Some(first) = TestDb::postgres().await else {
        eprintln!("SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set");
        return;
    };
    let Some(elsewhere) = TestDb::postgres().await else {
        return;
    };
    let second = Db::connect(&first.url).await.unwrap();
    let mut on_first = first.db.events().subscribe();
    let mut on_elsewhere = elsewhere.db.events().subscribe();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let change = Change {
        agency_id: 1,
        contractor_id: Some(7),
        topic: Topic::Certification,
        task_id: None,
    };
    second.publish(change).await;
    let heard = tokio::time::timeout(std::time::Duration::from_secs(5), on_first.recv())
        .await
        .expect("the other instance hears the change within 5 s")
        .unwrap();
    assert_eq!(heard, change);
    let leaked =
        tokio::time::timeout(std::time::Duration::from_millis(500), on_elsewhere.recv()).await;
    assert!(leaked.is_err(), "another schema heard it: {leaked:?}");
}

/// Statuses are kept in memory per process; a change made through another instance (another
/// pool on the same database) must still show at once, because the version moves in the database.
async fn changes_through_another_instance_show_at_once(scratch: app::testing::TestDb) {
    let a = scratch.context();
    let b = scratch.another_instance().await;
    seeded(&a).await;
    let admin = actor(&a, ADMIN).await;
    let office = actor(&a, OFFICE).await;
    let brightspark = office.contractor_id.unwrap();
    let gas = certificate_type(&a, "Gas safety").await;
    let now = now_ms();
    let light = |cx: Context| {
        let admin = admin.clone();
        async move {
            let rows = compliance::contractor_list(&cx, &admin, None, now)
                .await
                .unwrap();
            light_of(&rows, "Brightspark Electrical Ltd")
        }
    };
    let gas_cell = |cx: Context| {
        let admin = admin.clone();
        async move {
            let page = compliance::matrix(
                &cx,
                &admin,
                compliance::MatrixFilter {
                    certificate_type_id: Some(gas),
                    name: Some("Brightspark".into()),
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap();
            page.rows[0].cells[0].status
        }
    };
    assert_eq!(light(a.clone()).await, TrafficLight::Green);
    assert_eq!(gas_cell(a.clone()).await, ComplianceStatus::NotRequired);

    compliance::request_certificate(&b, &admin, brightspark, gas, now)
        .await
        .unwrap();
    assert_eq!(light(a.clone()).await, TrafficLight::Red);
    assert_eq!(gas_cell(a.clone()).await, ComplianceStatus::Missing);

    let document = gas_record(&b, &office, gas, now).await;
    assert_eq!(gas_cell(a.clone()).await, ComplianceStatus::NeedsValidation);
    compliance::validate_document(&b, &admin, document, now)
        .await
        .unwrap();
    assert_eq!(gas_cell(a.clone()).await, ComplianceStatus::Valid);
    assert_eq!(light(a.clone()).await, TrafficLight::Green);
    let summary = compliance::summary(&a, &admin, now).await.unwrap();
    let summary_b = compliance::summary(&b, &admin, now).await.unwrap();
    assert_eq!(summary.lights, summary_b.lights);
    b.db.close().await;
}

#[tokio::test]
async fn changes_through_another_instance_show_at_once_sqlite() {
    changes_through_another_instance_show_at_once(app::testing::TestDb::sqlite().await).await;
}

#[tokio::test]
async fn changes_through_another_instance_show_at_once_postgres() {
    let Some(scratch) = app::testing::TestDb::postgres().await else {
        eprintln!("SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set");
        return;
    };
    changes_through_another_instance_show_at_once(scratch).await;
}

db_test!(
    the_contractor_list_pages_finds_by_name_and_counts_lights,
    |cx| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let now = now_ms();
        // Sixty more contractors with nothing required: green, named "Zeta 00".."Zeta 59".
        for i in 0..60 {
            sqlx::query(
                "INSERT INTO contractors (agency_id, company_name, external_ref, email, created_at) \
                 VALUES ($1, $2, $3, 'z@zeta.example', $4)",
            )
            .bind(admin.agency_id)
            .bind(format!("Zeta {i:02}"))
            .bind(format!("ZR-{i:02}"))
            .bind(now)
            .execute(cx.db.pool())
            .await
            .unwrap();
        }
        let page = |light: Option<TrafficLight>, name: Option<&str>, page: u32| {
            let (cx, admin) = (cx.clone(), admin.clone());
            let query = compliance::ContractorQuery {
                light,
                name: name.map(str::to_string),
                page,
                ..Default::default()
            };
            async move { compliance::contractor_page(&cx, &admin, query, now).await }
        };
        let everyone = compliance::contractor_list(&cx, &admin, None, now)
            .await
            .unwrap();
        let first = page(None, None, 1).await.unwrap();
        assert_eq!(first.total as usize, everyone.len());
        assert_eq!(first.rows.len(), 50);
        assert_eq!(first.lights.iter().sum::<u32>() as usize, everyone.len());
        let second = page(None, None, 2).await.unwrap();
        assert_eq!(second.rows.len(), everyone.len() - 50);
        assert_eq!(
            second.rows[0].id, everyone[50].id,
            "pages follow the list's order"
        );

        // A name or reference, in any case; the counts are of the contractors found.
        let zeta = page(None, Some("  zETa "), 2).await.unwrap();
        assert_eq!((zeta.total, zeta.rows.len(), zeta.page), (60, 10, 2));
        assert_eq!(zeta.lights, [0, 0, 60]);
        let by_reference = page(None, Some("zr-07"), 1).await.unwrap();
        assert_eq!(by_reference.rows.len(), 1);
        assert_eq!(by_reference.rows[0].company_name, "Zeta 07");
        let red_zeta = page(Some(TrafficLight::Red), Some("zeta"), 1)
            .await
            .unwrap();
        assert_eq!((red_zeta.total, red_zeta.rows.len()), (0, 0));
        let red = page(Some(TrafficLight::Red), None, 1).await.unwrap();
        assert_eq!(red.total, first.lights[0]);
        assert!(red.rows.iter().all(|r| r.light == TrafficLight::Red));
        // Past the end: an empty page, not an error; page 0 reads as the first.
        assert!(page(None, None, 9).await.unwrap().rows.is_empty());
        assert_eq!(page(None, None, 0).await.unwrap().page, 1);

        // Agents only, and only their own agency's contractors.
        let office = actor(&cx, OFFICE).await;
        assert!(matches!(
            compliance::contractor_page(&cx, &office, Default::default(), now).await,
            Err(ServiceError::Forbidden(_))
        ));
        let other = OtherAgency::create(&cx).await;
        let found = page(None, Some("Other Sparks"), 1).await.unwrap();
        assert_eq!(found.total, 0);
        let theirs =
            compliance::contractor_page(&cx, &other.admin(&cx).await, Default::default(), now)
                .await
                .unwrap();
        assert_eq!(theirs.total, 1);
    }
);

db_test!(
    a_contractor_added_or_renamed_shows_at_once_despite_the_lists_kept_in_memory,
    |cx| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let now = now_ms();
        let before = compliance::contractor_list(&cx, &admin, None, now)
            .await
            .unwrap();
        let renamed = before[0].id;
        // Straight to the database, as another instance or a script would: the triggers of
        // migration 0013 move the version the lists are kept under.
        sqlx::query("UPDATE contractors SET company_name = 'Zephyr Renamed Ltd' WHERE id = $1")
            .bind(renamed)
            .execute(cx.db.pool())
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO contractors (agency_id, company_name, email, created_at) \
             VALUES ($1, 'Brand New Contracting', 'new@brand.example', $2)",
        )
        .bind(admin.agency_id)
        .bind(now)
        .execute(cx.db.pool())
        .await
        .unwrap();
        let after = compliance::contractor_list(&cx, &admin, None, now)
            .await
            .unwrap();
        assert_eq!(after.len(), before.len() + 1);
        assert!(after
            .iter()
            .any(|r| r.id == renamed && r.company_name == "Zephyr Renamed Ltd"));
        assert_eq!(
            after.last().unwrap().company_name,
            "Zephyr Renamed Ltd",
            "the list stays in name order"
        );
        let found = compliance::matrix(
            &cx,
            &admin,
            compliance::MatrixFilter {
                name: Some("brand NEW".into()),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.rows[0].company_name, "Brand New Contracting");
        let summary = compliance::summary(&cx, &admin, now).await.unwrap();
        assert_eq!(summary.lights.iter().sum::<u32>() as usize, after.len());
    }
);

db_test!(
    a_tick_valid_can_be_undone_for_a_few_minutes_and_the_count_follows,
    |cx| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let now = now_ms();
        let ace = contractor(&cx, "Ace Roofing Services").await;
        let waiting: i64 = sqlx::query_scalar(
        "SELECT d.id FROM certificate_documents d JOIN certificate_types t \
         ON t.id = d.certificate_type_id WHERE d.contractor_id = $1 AND t.name = 'Working at height'",
    )
    .bind(ace)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
        let before = compliance::to_validate(&cx, &admin, now).await.unwrap();
        assert!(before >= 1);
        // Read-only agents have nothing to validate; offices have no such count.
        let read_only = actor(&cx, READ_ONLY).await;
        assert_eq!(
            compliance::to_validate(&cx, &read_only, now).await.unwrap(),
            0
        );
        assert!(matches!(
            compliance::to_validate(&cx, &actor(&cx, OFFICE).await, now).await,
            Err(ServiceError::Forbidden(_))
        ));

        compliance::validate_document(&cx, &admin, waiting, now)
            .await
            .unwrap();
        assert_eq!(
            compliance::to_validate(&cx, &admin, now).await.unwrap(),
            before - 1
        );
        let light = |rows: Vec<app::domain::records::ContractorRow>| {
            rows.into_iter()
                .find(|r| r.id == ace)
                .map(|r| r.light)
                .unwrap()
        };
        assert_eq!(
            light(
                compliance::contractor_list(&cx, &admin, None, now)
                    .await
                    .unwrap()
            ),
            TrafficLight::Green
        );
        // Another agency's administrator cannot reach it; a read-only agent may not undo.
        let other = OtherAgency::create(&cx).await;
        assert!(matches!(
            compliance::undo_validation(&cx, &other.admin(&cx).await, waiting, now).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            compliance::undo_validation(&cx, &read_only, waiting, now).await,
            Err(ServiceError::MissingPermission(
                Permission::ManageCertification
            ))
        ));
        // Within the window: back to awaiting validation, counted again, in the history.
        compliance::undo_validation(&cx, &admin, waiting, now + 60_000)
            .await
            .unwrap();
        assert_eq!(
            compliance::to_validate(&cx, &admin, now).await.unwrap(),
            before
        );
        assert_eq!(
            light(
                compliance::contractor_list(&cx, &admin, None, now)
                    .await
                    .unwrap()
            ),
            TrafficLight::Orange
        );
        let undone: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate_validation_undone'",
        )
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        assert_eq!(undone, 1);
        // Past it: refused with the reason, and it stays Valid.
        compliance::validate_document(&cx, &admin, waiting, now)
            .await
            .unwrap();
        let late = compliance::undo_validation(&cx, &admin, waiting, now + 11 * 60_000).await;
        assert!(
            matches!(&late, Err(ServiceError::Refused(m)) if m.contains("more than 10 minutes ago")),
            "{late:?}"
        );
        assert_eq!(
            light(
                compliance::contractor_list(&cx, &admin, None, now)
                    .await
                    .unwrap()
            ),
            TrafficLight::Green
        );
    }
);

db_test!(the_demos_uploads_have_a_file_to_check, |cx| {
    seeded(&cx).await;
    let dir = tempfile::tempdir().unwrap();
    let files = app::files::FileStore::local(dir.path());
    let cx = cx.clone().with_files(files.clone());
    let filled = app::services::demo::attach_files(&cx).await.unwrap();
    assert!(filled > 0);
    // Once only: a second start finds nothing left to fill.
    assert_eq!(app::services::demo::attach_files(&cx).await.unwrap(), 0);
    let awaiting: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM certificate_documents WHERE validated_at IS NULL ORDER BY id",
    )
    .fetch_all(cx.db.pool())
    .await
    .unwrap();
    assert!(!awaiting.is_empty());
    let admin = actor(&cx, "alex.morgan@harbour-lettings.example").await;
    for id in awaiting {
        let app::files::StoredFile {
            name,
            content_type,
            bytes,
        } = compliance::document_file(&cx, &admin, id).await.unwrap();
        assert!(name.ends_with(".pdf"), "{name}");
        assert_eq!(content_type, "application/pdf");
        let text = app::testing::pdf_text(&bytes);
        assert!(text.contains("Demo data"), "{text}");
    }
});
