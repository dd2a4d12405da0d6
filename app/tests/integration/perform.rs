//! On both databases: "I've performed this work" with signatures, the service report made from
//! the record, and a Desk user's saved signature; nobody else reaches any of them.

use crate::support::brightspark_task;
use app::db::now_ms;
use app::db_test;
use app::domain::service_tasks::Outcome;
use app::domain::signature::Drawing;
use app::domain::task_status::{TaskAction, TaskStatus};
use app::files::FileStore;
use app::services::preferences::{self, SavedSignature};
use app::services::tasks::perform::{perform_on_site, Signed};
use app::services::tasks::report::{
    check_file, current_report, report_versions, service_report, signature_png, verification,
    withdraw_code,
};
use app::services::tasks::service_work::record_result;
use app::services::tasks::{accept, act, task_detail};
use app::services::Context;
use app::services::ServiceError;
use app::testing::{
    actor, pdf_image_count, pdf_info, pdf_text, seed_demo, signed_work, OtherAgency,
};

const URL: &str = app::testing::PUBLIC_URL;
const AGENT: &str = "priya.shah@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";
const OTHER_OFFICE: &str = "desk@northgate-gas.example";
const TOM: &str = "tom.baker@brightspark.example";
const JESS: &str = "jess.lee@brightspark.example";

/// A task for Brightspark with two service tasks, accepted with Tom, Tom on site.
async fn on_site(cx: &Context) -> i64 {
    on_site_with(cx, "Test smoke alarms\nCheck battery voltage (reading)").await
}

/// A task for Brightspark with these service tasks (one a line), accepted with Tom, Tom on site.
async fn on_site_with(cx: &Context, service_tasks: &str) -> i64 {
    let task_id = brightspark_task(cx, "Annual smoke alarm service", service_tasks).await;
    let office = actor(cx, OFFICE).await;
    let tom: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(TOM)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    accept(cx, &office, task_id, None, &[tom], now_ms())
        .await
        .unwrap();
    let technician = actor(cx, TOM).await;
    act(cx, &technician, task_id, TaskAction::OnSite, None, now_ms())
        .await
        .unwrap();
    task_id
}

fn with_client(name: &str) -> app::services::tasks::perform::PerformedWork {
    let mut work = signed_work("Tom Baker");
    work.client = Some(Signed {
        name: name.into(),
        drawing: work.signer.drawing.clone(),
    });
    work
}

db_test!(performing_needs_a_real_signature_and_keeps_both, |cx| {
    seed_demo(&cx).await;
    let dir = tempfile::tempdir().unwrap();
    let files = FileStore::local(dir.path());
    let cx = cx.clone().with_files(files.clone());
    let task = on_site(&cx).await;
    let tom = actor(&cx, TOM).await;

    // An empty pad, or a client who signed nothing, is refused and changes nothing.
    let mut empty = signed_work("Tom Baker");
    empty.signer.drawing = Drawing::default();
    assert!(matches!(
        perform_on_site(&cx, &tom, task, empty, now_ms()).await,
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
        perform_on_site(&cx, &tom, task, blank_client, now_ms()).await,
        Err(ServiceError::Invalid {
            field: "client_signature",
            ..
        })
    ));
    let office = actor(&cx, OFFICE).await;
    assert_eq!(
        task_detail(&cx, &office, task, now_ms())
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
        perform_on_site(&cx, &tom, task, with_client("Jane Client"), now_ms())
            .await
            .unwrap(),
        TaskStatus::PerformedNeedDocs
    );
    let seen = task_detail(&cx, &office, task, now_ms()).await.unwrap();
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
    let png = signature_png(&cx, &office, seen.signatures[0].id)
        .await
        .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let strokes: String = sqlx::query_scalar("SELECT strokes FROM signatures WHERE id = $1")
        .bind(seen.signatures[0].id)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    assert!(
        serde_json::from_str::<Drawing>(&strokes).is_ok(),
        "the stroke data is kept"
    );
    // Signing twice is not a thing: the task has moved on.
    assert!(matches!(
        perform_on_site(&cx, &tom, task, signed_work("Tom Baker"), now_ms()).await,
        Err(ServiceError::Refused(_))
    ));
});

db_test!(
    the_service_report_carries_the_record_and_only_its_readers_get_it,
    |cx| {
        seed_demo(&cx).await;
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::local(dir.path());
        let cx = cx.clone().with_files(files.clone());
        let task = on_site(&cx).await;
        let tom = actor(&cx, TOM).await;
        let agent = actor(&cx, AGENT).await;
        assert!(matches!(
            service_report(&cx, &agent, task, now_ms()).await,
            Err(ServiceError::Refused(_))
        ));
        let service_tasks: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM service_tasks WHERE task_id = $1 ORDER BY position")
                .bind(task)
                .fetch_all(cx.db.pool())
                .await
                .unwrap();
        record_result(&cx, &tom, service_tasks[0], Outcome::Fail, None, now_ms())
            .await
            .unwrap();
        record_result(
            &cx,
            &tom,
            service_tasks[1],
            Outcome::Pass,
            Some("9.1 V"),
            now_ms(),
        )
        .await
        .unwrap();
        perform_on_site(&cx, &tom, task, with_client("Jane (Client)"), now_ms())
            .await
            .unwrap();
        let (name, pdf) = service_report(&cx, &agent, task, now_ms()).await.unwrap();
        assert!(name.starts_with("service-report-T-") && name.ends_with("-v1.pdf"));
        assert!(pdf.starts_with(b"%PDF-"));
        let text = pdf_text(&pdf);
        let line_with = |parts: &[&str]| {
            text.lines()
                .any(|line| parts.iter().all(|p| line.contains(p)))
        };
        for row in [
            &["Test smoke alarms", "Fail", "Tom Baker"][..],
            &["Check battery voltage", "Pass (reading 9.1 V)"],
            &["Contractor: Tom Baker, signed"],
            &["Client: Jane (Client), signed"],
            &["Replaced the unit; tested."],
            &["Annual smoke alarm service"],
            &["Harbour Lettings", "T-"],
            &["Page 1 of 2"],
            &["Version 1, issued", "http://certidesk.test/verify/"],
        ] {
            assert!(line_with(row), "{row:?} in the report:\n{text}");
        }
        assert_eq!(pdf_image_count(&pdf), 2, "both signatures drawn");
        // The office and the assigned technician read it too; nobody else finds it.
        let office = actor(&cx, OFFICE).await;
        assert!(service_report(&cx, &office, task, now_ms()).await.is_ok());
        assert!(service_report(&cx, &tom, task, now_ms()).await.is_ok());
        let other = OtherAgency::create(&cx).await;
        for stranger in [
            actor(&cx, OTHER_OFFICE).await,
            actor(&cx, JESS).await,
            other.admin(&cx).await,
        ] {
            assert!(matches!(
                service_report(&cx, &stranger, task, now_ms()).await,
                Err(ServiceError::NotFound(_))
            ));
            let signature: i64 =
                sqlx::query_scalar("SELECT MIN(id) FROM signatures WHERE task_id = $1")
                    .bind(task)
                    .fetch_one(cx.db.pool())
                    .await
                    .unwrap();
            assert!(signature_png(&cx, &stranger, signature).await.is_err());
        }
    }
);

db_test!(a_saved_signature_is_the_owner_s_and_only_offered, |cx| {
    seed_demo(&cx).await;
    let office = actor(&cx, OFFICE).await;
    let drawing = signed_work("Rachel Green").signer.drawing;
    preferences::save(
        &cx,
        &office,
        "07700 900555",
        SavedSignature::Replace(drawing.clone()),
        now_ms(),
    )
    .await
    .unwrap();
    let loaded = preferences::load(&cx, &office).await.unwrap();
    assert_eq!(loaded.mobile, "07700 900555");
    let saved: Drawing = serde_json::from_str(&loaded.saved_signature.unwrap()).unwrap();
    let points = |d: &Drawing| d.strokes.concat();
    assert_eq!(points(&saved).len(), points(&drawing).len());
    for (a, b) in points(&saved).iter().zip(points(&drawing)) {
        assert!((a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9);
    }
    // Keeping it, then forgetting it.
    preferences::save(&cx, &office, "", SavedSignature::Keep, now_ms())
        .await
        .unwrap();
    assert!(preferences::load(&cx, &office)
        .await
        .unwrap()
        .saved_signature
        .is_some());
    let saved_id: i64 = sqlx::query_scalar("SELECT id FROM signatures WHERE role = 'saved'")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    assert!(signature_png(&cx, &office, saved_id).await.is_ok());
    let northgate = actor(&cx, OTHER_OFFICE).await;
    assert!(signature_png(&cx, &northgate, saved_id).await.is_err());
    preferences::save(&cx, &office, "", SavedSignature::Forget, now_ms())
        .await
        .unwrap();
    assert!(preferences::load(&cx, &office)
        .await
        .unwrap()
        .saved_signature
        .is_none());
    // Technicians and agents have no Desk preferences; bad numbers and empty pads are refused.
    assert!(preferences::load(&cx, &actor(&cx, TOM).await)
        .await
        .is_err());
    assert!(preferences::load(&cx, &actor(&cx, AGENT).await)
        .await
        .is_err());
    assert!(matches!(
        preferences::save(&cx, &office, "call me", SavedSignature::Keep, now_ms()).await,
        Err(ServiceError::Invalid {
            field: "mobile",
            ..
        })
    ));
    assert!(matches!(
        preferences::save(
            &cx,
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

db_test!(the_report_prints_every_name_as_typed, |cx| {
    seed_demo(&cx).await;
    let task = on_site(&cx).await;
    sqlx::query("UPDATE users SET name = 'Łukasz Wiśniewski' WHERE email = $1")
        .bind(TOM)
        .execute(cx.db.pool())
        .await
        .unwrap();
    sqlx::query(
        "UPDATE properties SET address_line1 = '12 Łódź Road' \
         WHERE id = (SELECT property_id FROM tasks WHERE id = $1)",
    )
    .bind(task)
    .execute(cx.db.pool())
    .await
    .unwrap();
    let lukasz = actor(&cx, TOM).await;
    let mut work = with_client("Zoë Ó Súilleabháin");
    work.signer.name = "Łukasz Wiśniewski".into();
    work.notes = "Dŵr poeth yn y tŷ: wedi'i wirio.".into();
    perform_on_site(&cx, &lukasz, task, work, now_ms())
        .await
        .unwrap();
    let agent = actor(&cx, AGENT).await;
    let (_, pdf) = service_report(&cx, &agent, task, now_ms()).await.unwrap();
    // REPORT_SAMPLE=path keeps the file, to look at (pdftoppm -png -r 60 path page).
    if let Ok(path) = std::env::var("REPORT_SAMPLE") {
        std::fs::write(path, &pdf).unwrap();
    }
    let text = pdf_text(&pdf);
    for exact in [
        "Contractor: Łukasz Wiśniewski, signed",
        "Client: Zoë Ó Súilleabháin, signed",
        "12 Łódź Road",
        "Dŵr poeth yn y tŷ: wedi'i wirio.",
    ] {
        assert!(text.contains(exact), "{exact} in the report:\n{text}");
    }
    assert!(!text.contains('?'), "nothing printed as a question mark");
    // Its metadata names it, its author and when it was made; fonts are embedded subsets.
    let info = pdf_info(&pdf);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name).map(str::trim))
            .unwrap_or_default()
            .to_string()
    };
    assert!(field("Title:").starts_with("Service report T-"), "{info}");
    assert_eq!(field("Author:"), "Harbour Lettings");
    assert!(!field("CreationDate:").is_empty(), "{info}");
});

db_test!(a_long_report_numbers_its_pages, |cx| {
    seed_demo(&cx).await;
    let names: Vec<String> = (1..=50)
        .map(|i| format!("Emergency light in corridor {i}"))
        .collect();
    let task = on_site_with(&cx, &names.join("\n")).await;
    let tom = actor(&cx, TOM).await;
    let mut work = signed_work("Tom Baker");
    work.notes = "All fittings tested to BS 5266; see the table for each. ".repeat(20);
    perform_on_site(&cx, &tom, task, work, now_ms())
        .await
        .unwrap();
    let (_, issued) = current_report(&cx, &tom, task, now_ms()).await.unwrap();
    assert_eq!(issued.pages, 3);
    let (_, pdf) = service_report(&cx, &tom, task, now_ms()).await.unwrap();
    let text = pdf_text(&pdf);
    for n in 1..=3 {
        assert!(text.contains(&format!("Page {n} of 3")), "page {n}");
    }
    assert!(!text.contains("Page 4"));
    // The header is on every page.
    assert!(text.matches("Harbour Lettings").count() >= 3);
    assert!(text.contains("corridor 50"));
});

db_test!(
    reports_are_issued_once_per_change_and_anyone_with_the_code_can_verify_them,
    |cx| {
        seed_demo(&cx).await;
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::local(dir.path());
        let cx = cx.clone().with_files(files.clone());
        let task = on_site(&cx).await;
        let tom = actor(&cx, TOM).await;
        perform_on_site(&cx, &tom, task, with_client("Jane (Client)"), now_ms())
            .await
            .unwrap();
        let agent = actor(&cx, AGENT).await;
        // Issued once: asking again, by anyone, gives the same file.
        let (_, first) = service_report(&cx, &agent, task, now_ms()).await.unwrap();
        let (_, again) = service_report(&cx, &tom, task, now_ms() + 60_000)
            .await
            .unwrap();
        assert_eq!(first, again);
        let versions = report_versions(&cx, &agent, task).await.unwrap();
        assert_eq!(versions.len(), 1);
        let code_1 = versions[0].code.clone();
        assert!(pdf_text(&first).contains(&format!("{URL}/verify/{code_1}")));

        // What the code shows, without anyone signed in: only what proves the record.
        let v = verification(&cx, &code_1).await.unwrap();
        assert_eq!(v.agency, "Harbour Lettings");
        assert!(v.reference.starts_with("T-"));
        assert!(!v.postcode.is_empty());
        assert_eq!(v.version, 1);
        assert_eq!(v.latest_version, 1);
        assert_eq!(v.sha256, app::services::tasks::report::sha256_hex(&first));
        assert_eq!(v.signatures.len(), 2);
        assert!(v.signatures[0].starts_with("Contractor: Tom Baker, signed "));
        assert!(v.signatures[1].starts_with("Client: Jane (Client), signed "));

        // The file as issued is unaltered; one byte changed is not.
        assert!(
            check_file(&cx, &code_1, first.clone())
                .await
                .unwrap()
                .unaltered
        );
        let mut altered = first.clone();
        let middle = altered.len() / 2;
        altered[middle] ^= 1;
        let check = check_file(&cx, &code_1, altered).await.unwrap();
        assert!(!check.unaltered);
        assert!(check.message.starts_with("Altered"));

        // The Desk view completes the task: the record changed, so a second version.
        let office = actor(&cx, OFFICE).await;
        app::services::tasks::work::complete(
            &cx,
            &office,
            task,
            Some(chrono::Utc::now().date_naive()),
            vec![],
            now_ms(),
        )
        .await
        .unwrap();
        let (name, second) = service_report(&cx, &office, task, now_ms()).await.unwrap();
        assert!(name.ends_with("-v2.pdf"));
        assert_ne!(first, second);
        let versions = report_versions(&cx, &agent, task).await.unwrap();
        assert_eq!(
            versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            [2, 1]
        );
        assert_ne!(versions[0].code, code_1);
        assert_eq!(verification(&cx, &code_1).await.unwrap().latest_version, 2);
        // The first version's file still checks against its own code, not the second's.
        assert!(
            check_file(&cx, &code_1, first.clone())
                .await
                .unwrap()
                .unaltered
        );
        assert!(
            !check_file(&cx, &versions[0].code, first.clone())
                .await
                .unwrap()
                .unaltered
        );

        // Withdrawing: not by a read-only agent, not by another agency, nor a technician.
        let reader = actor(&cx, "sam.reid@harbour-lettings.example").await;
        assert!(matches!(
            withdraw_code(&cx, &reader, task, 1, now_ms()).await,
            Err(ServiceError::MissingPermission(_))
        ));
        let other = OtherAgency::create(&cx).await.admin(&cx).await;
        assert!(matches!(
            withdraw_code(&cx, &other, task, 1, now_ms()).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(withdraw_code(&cx, &tom, task, 1, now_ms()).await.is_err());
        assert!(report_versions(&cx, &other, task).await.is_err());
        withdraw_code(&cx, &agent, task, 1, now_ms()).await.unwrap();
        assert!(matches!(
            verification(&cx, &code_1).await,
            Err(ServiceError::Refused(_))
        ));
        assert!(check_file(&cx, &code_1, first).await.is_err());
        assert!(report_versions(&cx, &agent, task).await.unwrap()[1].withdrawn);
        // Unknown and malformed codes are simply not found.
        for code in ["abcdefghijkmnpqrstuv", "../../etc/passwd", ""] {
            assert!(matches!(
                verification(&cx, code).await,
                Err(ServiceError::NotFound(_))
            ));
        }
    }
);

db_test!(two_requests_at_once_issue_one_version, |cx| {
    seed_demo(&cx).await;
    let dir = tempfile::tempdir().unwrap();
    let files = FileStore::local(dir.path());
    let cx = cx.clone().with_files(files.clone());
    let task = on_site(&cx).await;
    let tom = actor(&cx, TOM).await;
    perform_on_site(&cx, &tom, task, signed_work("Tom Baker"), now_ms())
        .await
        .unwrap();
    let agent = actor(&cx, AGENT).await;
    let asks = (0..6).map(|_| {
        let (cx, agent) = (cx.clone(), agent.clone());
        tokio::spawn(async move { service_report(&cx, &agent, task, now_ms()).await.unwrap().1 })
    });
    let mut answers = Vec::new();
    for ask in asks.collect::<Vec<_>>() {
        answers.push(ask.await.unwrap());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "one file for all");
    assert_eq!(report_versions(&cx, &agent, task).await.unwrap().len(), 1);
    // The files of the versions that lost the race were removed.
    let stored = walk(dir.path().join("reports").as_path());
    assert_eq!(stored, 1, "one report file kept");
});

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| if p.is_dir() { walk(&p) } else { 1 })
                .sum()
        })
        .unwrap_or(0)
}

db_test!(
    a_signed_record_is_read_only_until_the_office_reopens_it,
    |cx| {
        seed_demo(&cx).await;
        let task = on_site(&cx).await;
        let tom = actor(&cx, TOM).await;
        let office = actor(&cx, OFFICE).await;
        perform_on_site(&cx, &tom, task, signed_work("Tom Baker"), now_ms())
            .await
            .unwrap();
        let signed = task_detail(&cx, &tom, task, now_ms()).await.unwrap();
        assert!(!signed.can_record_work, "signed means read-only");
        let first = signed.service_tasks[0].id;
        assert!(matches!(
            record_result(&cx, &tom, first, Outcome::Pass, None, now_ms()).await,
            Err(ServiceError::Refused(_))
        ));
        assert_eq!(
            task_detail(&cx, &office, task, now_ms())
                .await
                .unwrap()
                .signatures
                .len(),
            1
        );

        // Only the office, only with a reason; another contractor's office cannot reach it.
        assert!(matches!(
            act(&cx, &tom, task, TaskAction::Reopen, Some("x"), now_ms()).await,
            Err(ServiceError::Refused(_))
        ));
        assert!(matches!(
            act(&cx, &office, task, TaskAction::Reopen, Some("  "), now_ms()).await,
            Err(ServiceError::Invalid {
                field: "reason",
                ..
            })
        ));
        let other = actor(&cx, OTHER_OFFICE).await;
        assert!(matches!(
            act(
                &cx,
                &other,
                task,
                TaskAction::Reopen,
                Some("mine now"),
                now_ms()
            )
            .await,
            Err(ServiceError::NotFound(_))
        ));
        let reason = "The alarm result was recorded on the wrong service task";
        assert_eq!(
            act(
                &cx,
                &office,
                task,
                TaskAction::Reopen,
                Some(reason),
                now_ms()
            )
            .await
            .unwrap(),
            TaskStatus::InProgress
        );
        let reopened = task_detail(&cx, &office, task, now_ms()).await.unwrap();
        assert!(
            reopened.signatures.is_empty(),
            "the signature no longer stands"
        );
        let entry = reopened.timeline.first().unwrap();
        assert!(entry.what.contains("Reopen the signed record"), "{entry:?}");
        assert_eq!(entry.reason.as_deref(), Some(reason));
        let kept: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM signatures WHERE task_id = $1 AND withdrawn_at IS NOT NULL",
        )
        .bind(task)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        assert_eq!(kept, 1, "kept, marked withdrawn");

        // Recorded and signed again; the report then carries only the new signature.
        record_result(&cx, &tom, first, Outcome::Pass, None, now_ms())
            .await
            .unwrap();
        perform_on_site(&cx, &tom, task, with_client("Jane Client"), now_ms())
            .await
            .unwrap();
        let again = task_detail(&cx, &office, task, now_ms()).await.unwrap();
        let signers: Vec<_> = again.signatures.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(signers, ["Tom Baker", "Jane Client"]);
    }
);
