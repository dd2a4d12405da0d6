//! On both databases: "I've performed this work" with signatures, the service report made from
//! the record, and a Desk user's saved signature; nobody else reaches any of them.
#![cfg(feature = "ssr")]

use app::db::testing::{actor, contractor_id, seed_demo, signed_work, OtherAgency};
use app::db::{now_ms, Db};
use app::db_test;
use app::domain::records::InstructOutcome;
use app::domain::service_tasks::{parse_service_tasks, Outcome};
use app::domain::signature::Drawing;
use app::domain::task_status::{TaskAction, TaskStatus};
use app::files::FileStore;
use app::services::perform::{perform_on_site, Signed};
use app::services::preferences::{self, SavedSignature};
use app::services::report::{service_report, signature_png};
use app::services::service_tasks::record_result;
use app::services::tasks::{accept, act, instruct, task_detail, NewTask};
use app::services::ServiceError;

const URL: &str = "http://certidesk.test";
const AGENT: &str = "priya.shah@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";
const OTHER_OFFICE: &str = "desk@northgate-gas.example";
const TOM: &str = "tom.baker@brightspark.example";
const JESS: &str = "jess.lee@brightspark.example";

/// A task for Brightspark with two service tasks, accepted with Tom, Tom on site.
async fn on_site(db: &Db) -> i64 {
    let agent = actor(db, AGENT).await;
    let property: i64 = sqlx::query_scalar("SELECT MIN(id) FROM properties")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let task = NewTask {
        property_id: property,
        contractor_id: contractor_id(db, "Brightspark Electrical Ltd").await,
        title: "Annual smoke alarm service".into(),
        priority: "normal".into(),
        service_tasks: parse_service_tasks("Test smoke alarms\nCheck battery voltage (reading)")
            .unwrap(),
        ..Default::default()
    };
    let task_id = match instruct(db, &agent, task, URL, now_ms()).await.unwrap() {
        InstructOutcome::Instructed { task_id, .. } => task_id,
        other => panic!("{other:?}"),
    };
    let office = actor(db, OFFICE).await;
    let tom: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(TOM)
        .fetch_one(db.pool())
        .await
        .unwrap();
    accept(db, &office, task_id, None, &[tom], URL, now_ms())
        .await
        .unwrap();
    let technician = actor(db, TOM).await;
    act(
        db,
        &technician,
        task_id,
        TaskAction::OnSite,
        None,
        URL,
        now_ms(),
    )
    .await
    .unwrap();
    task_id
}

fn with_client(name: &str) -> app::services::perform::PerformedWork {
    let mut work = signed_work("Tom Baker");
    work.client = Some(Signed {
        name: name.into(),
        drawing: work.signer.drawing.clone(),
    });
    work
}

db_test!(performing_needs_a_real_signature_and_keeps_both, |db| {
    seed_demo(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let files = FileStore::local(dir.path());
    let task = on_site(&db).await;
    let tom = actor(&db, TOM).await;

    // An empty pad, or a client who signed nothing, is refused and changes nothing.
    let mut empty = signed_work("Tom Baker");
    empty.signer.drawing = Drawing::default();
    assert!(matches!(
        perform_on_site(&db, &files, &tom, task, empty, now_ms()).await,
        Err(ServiceError::Invalid {
            field: "signature",
            ..
        })
    ));
    let mut blank_client = signed_work("Tom Baker");
    blank_client.client = Some(Signed {
        name: "Jane Client".into(),
        drawing: Drawing::default(),
    });
    assert!(matches!(
        perform_on_site(&db, &files, &tom, task, blank_client, now_ms()).await,
        Err(ServiceError::Invalid {
            field: "client_signature",
            ..
        })
    ));
    let office = actor(&db, OFFICE).await;
    assert_eq!(
        task_detail(&db, &office, task, now_ms())
            .await
            .unwrap()
            .summary
            .status,
        TaskStatus::InProgress
    );
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "no file left"
    );

    assert_eq!(
        perform_on_site(
            &db,
            &files,
            &tom,
            task,
            with_client("Jane Client"),
            now_ms()
        )
        .await
        .unwrap(),
        TaskStatus::PerformedNeedDocs
    );
    let seen = task_detail(&db, &office, task, now_ms()).await.unwrap();
    assert_eq!(
        seen.performed_notes.as_deref(),
        Some("Replaced the unit; tested.")
    );
    let signers: Vec<_> = seen
        .signatures
        .iter()
        .map(|s| (s.role.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(
        signers,
        [("Contractor", "Tom Baker"), ("Client", "Jane Client")]
    );
    let png = signature_png(&db, &files, &office, seen.signatures[0].id)
        .await
        .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let strokes: String = sqlx::query_scalar("SELECT strokes FROM signatures WHERE id = $1")
        .bind(seen.signatures[0].id)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(
        serde_json::from_str::<Drawing>(&strokes).is_ok(),
        "the stroke data is kept"
    );
    // Signing twice is not a thing: the task has moved on.
    assert!(matches!(
        perform_on_site(&db, &files, &tom, task, signed_work("Tom Baker"), now_ms()).await,
        Err(ServiceError::Refused(_))
    ));
});

db_test!(
    the_service_report_carries_the_record_and_only_its_readers_get_it,
    |db| {
        seed_demo(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::local(dir.path());
        let task = on_site(&db).await;
        let tom = actor(&db, TOM).await;
        let agent = actor(&db, AGENT).await;
        assert!(matches!(
            service_report(&db, &files, &agent, task, now_ms()).await,
            Err(ServiceError::Refused(_))
        ));
        let service_tasks: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM service_tasks WHERE task_id = $1 ORDER BY position")
                .bind(task)
                .fetch_all(db.pool())
                .await
                .unwrap();
        record_result(&db, &tom, service_tasks[0], Outcome::Fail, None, now_ms())
            .await
            .unwrap();
        record_result(
            &db,
            &tom,
            service_tasks[1],
            Outcome::Pass,
            Some("9.1 V"),
            now_ms(),
        )
        .await
        .unwrap();
        perform_on_site(
            &db,
            &files,
            &tom,
            task,
            with_client("Jane (Client)"),
            now_ms(),
        )
        .await
        .unwrap();
        let (name, pdf) = service_report(&db, &files, &agent, task, now_ms())
            .await
            .unwrap();
        assert!(name.starts_with("service-report-T-") && name.ends_with(".pdf"));
        assert!(pdf.starts_with(b"%PDF-1.4"));
        let text = String::from_utf8_lossy(&pdf);
        for expected in [
            "Annual smoke alarm service",
            "Test smoke alarms: Fail",
            "Check battery voltage: Pass \\(reading 9.1 V\\)",
            "Contractor: Tom Baker, signed",
            "Client: Jane \\(Client\\), signed",
            "Replaced the unit; tested.",
        ] {
            assert!(text.contains(expected), "{expected} in the report");
        }
        assert_eq!(
            text.matches("/Subtype /Image").count(),
            2,
            "both signatures drawn"
        );
        // The office and the assigned technician read it too; nobody else finds it.
        let office = actor(&db, OFFICE).await;
        assert!(service_report(&db, &files, &office, task, now_ms())
            .await
            .is_ok());
        assert!(service_report(&db, &files, &tom, task, now_ms())
            .await
            .is_ok());
        let other = OtherAgency::create(&db).await;
        for stranger in [
            actor(&db, OTHER_OFFICE).await,
            actor(&db, JESS).await,
            other.admin(&db).await,
        ] {
            assert!(matches!(
                service_report(&db, &files, &stranger, task, now_ms()).await,
                Err(ServiceError::NotFound(_))
            ));
            let signature: i64 =
                sqlx::query_scalar("SELECT MIN(id) FROM signatures WHERE task_id = $1")
                    .bind(task)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            assert!(signature_png(&db, &files, &stranger, signature)
                .await
                .is_err());
        }
    }
);

db_test!(a_saved_signature_is_the_owner_s_and_only_offered, |db| {
    seed_demo(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let files = FileStore::local(dir.path());
    let office = actor(&db, OFFICE).await;
    let drawing = signed_work("Rachel Green").signer.drawing;
    preferences::save(
        &db,
        &files,
        &office,
        "07700 900555",
        SavedSignature::Replace(drawing.clone()),
        now_ms(),
    )
    .await
    .unwrap();
    let loaded = preferences::load(&db, &office).await.unwrap();
    assert_eq!(loaded.mobile, "07700 900555");
    let saved: Drawing = serde_json::from_str(&loaded.saved_signature.unwrap()).unwrap();
    let points = |d: &Drawing| d.strokes.concat();
    assert_eq!(points(&saved).len(), points(&drawing).len());
    for (a, b) in points(&saved).iter().zip(points(&drawing)) {
        assert!((a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9);
    }
    // Keeping it, then forgetting it.
    preferences::save(&db, &files, &office, "", SavedSignature::Keep, now_ms())
        .await
        .unwrap();
    assert!(preferences::load(&db, &office)
        .await
        .unwrap()
        .saved_signature
        .is_some());
    let saved_id: i64 = sqlx::query_scalar("SELECT id FROM signatures WHERE role = 'saved'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(signature_png(&db, &files, &office, saved_id).await.is_ok());
    let northgate = actor(&db, OTHER_OFFICE).await;
    assert!(signature_png(&db, &files, &northgate, saved_id)
        .await
        .is_err());
    preferences::save(&db, &files, &office, "", SavedSignature::Forget, now_ms())
        .await
        .unwrap();
    assert!(preferences::load(&db, &office)
        .await
        .unwrap()
        .saved_signature
        .is_none());
    // Technicians and agents have no Desk preferences; bad numbers and empty pads are refused.
    assert!(preferences::load(&db, &actor(&db, TOM).await)
        .await
        .is_err());
    assert!(preferences::load(&db, &actor(&db, AGENT).await)
        .await
        .is_err());
    assert!(matches!(
        preferences::save(
            &db,
            &files,
            &office,
            "call me",
            SavedSignature::Keep,
            now_ms()
        )
        .await,
        Err(ServiceError::Invalid {
            field: "mobile",
            ..
        })
    ));
    assert!(matches!(
        preferences::save(
            &db,
            &files,
            &office,
            "",
            SavedSignature::Replace(Drawing::default()),
            now_ms()
        )
        .await,
        Err(ServiceError::Invalid {
            field: "signature",
            ..
        })
    ));
});
