//! Certification services on both databases: statuses from demo data, requesting, uploading,
//! validating, the audit trail, and another tenant's ids refused.
#![cfg(feature = "ssr")]

use app::db::{now_ms, Db};
use app::db_test;
use app::domain::compliance::{ComplianceStatus, TrafficLight};
use app::domain::identity::Permission;
use app::services::auth::{self, Actor};
use app::services::compliance::{self, NewDocument};
use app::services::{demo, ServiceError};
use chrono::NaiveDate;

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const READ_ONLY: &str = "sam.reid@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";

async fn seeded(db: &Db) {
    // Demo dates count from the agency's today, so the statuses hold whenever the test runs.
    let today = compliance::agency_today("Europe/London", now_ms());
    demo::seed_if_empty(db, today).await.unwrap().unwrap();
}

async fn actor(db: &Db, email: &str) -> Actor {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(db.pool())
        .await
        .unwrap();
    auth::load_actor(db, id).await.unwrap().unwrap()
}

async fn contractor(db: &Db, company: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM contractors WHERE company_name = $1")
        .bind(company)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn certificate_type(db: &Db, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM certificate_types WHERE name = $1")
        .bind(name)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

fn light_of(rows: &[app::domain::records::ContractorRow], company: &str) -> TrafficLight {
    rows.iter()
        .find(|r| r.company_name == company)
        .unwrap()
        .light
}

db_test!(demo_data_shows_every_status_and_light, |db| {
    seeded(&db).await;
    let admin = actor(&db, ADMIN).await;
    let rows = compliance::contractor_list(&db, &admin, None, now_ms())
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
        for r in compliance::contractor_requirements(&db, &admin, row.id, now_ms())
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
    let red = compliance::contractor_list(&db, &admin, Some(TrafficLight::Red), now_ms())
        .await
        .unwrap();
    assert!(!red.is_empty());
    assert!(red.iter().all(|r| r.light == TrafficLight::Red));
    // A renewal waiting for validation shows on the expired type.
    let clearflow = contractor(&db, "Clearflow Plumbing").await;
    let statuses = compliance::contractor_requirements(&db, &admin, clearflow, now_ms())
        .await
        .unwrap();
    let liability = statuses
        .iter()
        .find(|r| r.certificate_type == "Public liability insurance")
        .unwrap();
    assert_eq!(liability.status.status, ComplianceStatus::Expired);
    assert!(liability.status.awaiting_validation);
});

db_test!(an_upload_waits_for_an_agent_then_counts, |db| {
    seeded(&db).await;
    let admin = actor(&db, ADMIN).await;
    let office = actor(&db, OFFICE).await;
    let brightspark = office.contractor_id.unwrap();
    let gas = certificate_type(&db, "Gas safety").await;
    let now = now_ms();
    assert!(
        compliance::request_certificate(&db, &admin, brightspark, gas, now)
            .await
            .unwrap()
    );
    assert!(
        !compliance::request_certificate(&db, &admin, brightspark, gas, now)
            .await
            .unwrap(),
        "asked twice, required once"
    );
    let rows = compliance::contractor_list(&db, &admin, None, now)
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
        compliance::add_document(&db, &office, own_valid, now).await,
        Err(ServiceError::Forbidden(_))
    ));
    let document = compliance::add_document(&db, &office, upload, now)
        .await
        .unwrap();
    let rows = compliance::contractor_list(&db, &admin, None, now)
        .await
        .unwrap();
    assert_eq!(
        light_of(&rows, "Brightspark Electrical Ltd"),
        TrafficLight::Orange,
        "needs validation"
    );

    let read_only = actor(&db, READ_ONLY).await;
    let r = compliance::validate_document(&db, &read_only, document, now).await;
    assert!(matches!(
        r,
        Err(ServiceError::MissingPermission(
            Permission::ManageCertification
        ))
    ));
    assert!(matches!(
        compliance::validate_document(&db, &office, document, now).await,
        Err(ServiceError::Forbidden(_))
    ));
    compliance::validate_document(&db, &admin, document, now)
        .await
        .unwrap();
    compliance::validate_document(&db, &admin, document, now)
        .await
        .unwrap();
    let rows = compliance::contractor_list(&db, &admin, None, now)
        .await
        .unwrap();
    assert_eq!(
        light_of(&rows, "Brightspark Electrical Ltd"),
        TrafficLight::Green
    );

    let trail: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'certificate%' ORDER BY id",
    )
    .fetch_all(db.pool())
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
        compliance::add_document(&db, &office, backwards, now).await,
        Err(ServiceError::Invalid {
            field: "end_date",
            ..
        })
    ));
});

db_test!(
    another_tenants_contractors_types_and_documents_are_refused,
    |db| {
        seeded(&db).await;
        let now = now_ms();
        let admin = actor(&db, ADMIN).await;
        let office = actor(&db, OFFICE).await;
        let other_agency: i64 = sqlx::query_scalar(
            "INSERT INTO agencies (name, created_at) VALUES ('Other Estates', $1) RETURNING id",
        )
        .bind(now)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let other_contractor: i64 = sqlx::query_scalar(
        "INSERT INTO contractors (agency_id, company_name, email, created_at) VALUES ($1, 'Other Sparks', 'o@x.example', $2) RETURNING id",
    )
    .bind(other_agency)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .unwrap();
        let other_type: i64 = sqlx::query_scalar(
        "INSERT INTO certificate_types (agency_id, name, created_at) VALUES ($1, 'Gas safety', $2) RETURNING id",
    )
    .bind(other_agency)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .unwrap();
        let other_document: i64 = sqlx::query_scalar(
        "INSERT INTO certificate_documents (agency_id, contractor_id, certificate_type_id, uploaded_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(other_agency)
    .bind(other_contractor)
    .bind(other_type)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .unwrap();
        let own_contractor = office.contractor_id.unwrap();
        let own_type = certificate_type(&db, "Gas safety").await;
        let northgate = contractor(&db, "Northgate Gas & Heating").await;

        let not_found = |r: Result<(), ServiceError>| {
            assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}")
        };
        not_found(
            compliance::request_certificate(&db, &admin, other_contractor, own_type, now)
                .await
                .map(|_| ()),
        );
        not_found(
            compliance::request_certificate(&db, &admin, own_contractor, other_type, now)
                .await
                .map(|_| ()),
        );
        not_found(compliance::validate_document(&db, &admin, other_document, now).await);
        not_found(
            compliance::contractor_requirements(&db, &admin, other_contractor, now)
                .await
                .map(|_| ()),
        );
        let doc = |contractor_id, certificate_type_id| NewDocument {
            contractor_id,
            certificate_type_id,
            ..Default::default()
        };
        not_found(
            compliance::add_document(&db, &admin, doc(other_contractor, own_type), now)
                .await
                .map(|_| ()),
        );
        not_found(
            compliance::add_document(&db, &admin, doc(own_contractor, other_type), now)
                .await
                .map(|_| ()),
        );
        // A contractor's office sees and uploads for its own company only.
        not_found(
            compliance::contractor_requirements(&db, &office, northgate, now)
                .await
                .map(|_| ()),
        );
        not_found(
            compliance::add_document(&db, &office, doc(northgate, own_type), now)
                .await
                .map(|_| ()),
        );
        compliance::contractor_requirements(&db, &office, own_contractor, now)
            .await
            .unwrap();
        assert!(matches!(
            compliance::contractor_list(&db, &office, None, now).await,
            Err(ServiceError::Forbidden(_))
        ));
        let listed = compliance::contractor_list(&db, &admin, None, now)
            .await
            .unwrap();
        assert!(listed.iter().all(|r| r.id != other_contractor));
    }
);

db_test!(
    work_to_a_red_contractor_is_blocked_unless_overridden_with_a_reason,
    |db| {
        use compliance::Instruction;
        seeded(&db).await;
        let now = now_ms();
        let admin = actor(&db, ADMIN).await;
        let agent = actor(&db, "priya.shah@harbour-lettings.example").await;
        let read_only = actor(&db, READ_ONLY).await;
        let clearflow = contractor(&db, "Clearflow Plumbing").await;
        let brightspark = contractor(&db, "Brightspark Electrical Ltd").await;
        let mut conn = db.pool().acquire().await.unwrap();

        let check = |who: &Actor, id: i64, reason: Option<&'static str>| {
            let (db, who) = (db.clone(), who.clone());
            async move {
                let mut conn = db.pool().acquire().await.unwrap();
                compliance::check_instruction(&db, &mut conn, &who, id, reason, now).await
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
            &db,
            &mut conn,
            &admin,
            clearflow,
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
        .fetch_one(db.pool())
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
        let office = actor(&db, OFFICE).await;
        assert!(matches!(
            check(&office, brightspark, None).await,
            Err(ServiceError::Forbidden(_))
        ));
    }
);

db_test!(the_dashboard_counts_lights_statuses_and_renewals, |db| {
    seeded(&db).await;
    let admin = actor(&db, ADMIN).await;
    let summary = compliance::summary(&db, &admin, now_ms()).await.unwrap();
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
    let office = actor(&db, OFFICE).await;
    assert!(matches!(
        compliance::summary(&db, &office, now_ms()).await,
        Err(ServiceError::Forbidden(_))
    ));
});

db_test!(the_matrix_filters_on_the_server_and_pages, |db| {
    use compliance::MatrixFilter;
    seeded(&db).await;
    let admin = actor(&db, ADMIN).await;
    let now = now_ms();
    let all = compliance::matrix(&db, &admin, MatrixFilter::default(), now)
        .await
        .unwrap();
    assert_eq!(all.types.len(), 9);
    assert_eq!(all.total, 6);
    assert!(all.rows.iter().all(|r| r.cells.len() == 9));
    let expired = MatrixFilter {
        status: Some(ComplianceStatus::Expired),
        ..Default::default()
    };
    let m = compliance::matrix(&db, &admin, expired, now).await.unwrap();
    assert_eq!(
        m.rows
            .iter()
            .map(|r| r.company_name.as_str())
            .collect::<Vec<_>>(),
        ["Clearflow Plumbing"]
    );
    let gas = certificate_type(&db, "Gas safety").await;
    let by_type = MatrixFilter {
        certificate_type_id: Some(gas),
        status: Some(ComplianceStatus::ExpiringSoon),
        ..Default::default()
    };
    let m = compliance::matrix(&db, &admin, by_type, now).await.unwrap();
    assert_eq!(m.types, vec![(gas, "Gas safety".to_string())]);
    assert_eq!(m.rows.len(), 1);
    assert_eq!(m.rows[0].company_name, "Northgate Gas & Heating");
    let named = MatrixFilter {
        name: Some(" ROOF ".into()),
        ..Default::default()
    };
    let m = compliance::matrix(&db, &admin, named, now).await.unwrap();
    assert_eq!(m.rows.len(), 1);
    assert_eq!(m.rows[0].company_name, "Ace Roofing Services");
    let past_the_end = MatrixFilter {
        page: 1,
        ..Default::default()
    };
    let m = compliance::matrix(&db, &admin, past_the_end, now)
        .await
        .unwrap();
    assert!(m.rows.is_empty());
    assert_eq!(m.total, 6);
    // Another agency's type is not a column here.
    let other: i64 = sqlx::query_scalar(
        "INSERT INTO agencies (name, created_at) VALUES ('Other', $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(db.pool())
    .await
    .unwrap();
    let other_type: i64 = sqlx::query_scalar("INSERT INTO certificate_types (agency_id, name, created_at) VALUES ($1, 'Secret', $2) RETURNING id")
        .bind(other)
        .bind(now)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let r = compliance::matrix(
        &db,
        &admin,
        MatrixFilter {
            certificate_type_id: Some(other_type),
            ..Default::default()
        },
        now,
    )
    .await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))));
    let office = actor(&db, OFFICE).await;
    assert!(matches!(
        compliance::matrix(&db, &office, MatrixFilter::default(), now).await,
        Err(ServiceError::Forbidden(_))
    ));
});
