//! Service tasks, results and defects on both databases: listed when instructing, recorded by
//! the contractor's office and assigned technicians only between accepting and performing, photos
//! kept as a thumbnail and a viewable size, and nobody outside the task reads or writes any of it.

use crate::support::{assign, brightspark_task};
use app::db::now_ms;
use app::db_test;
use app::domain::service_tasks::{Outcome, Severity};
use app::domain::task_status::{TaskAction, TaskStatus};
use app::files::FileStore;
use app::services::compliance::Upload;
use app::services::tasks::perform::perform_on_site;
use app::services::tasks::service_work::{
    defect_photo, record_result, report_defect, NewDefect, PhotoSize,
};
use app::services::tasks::{accept, act, task_detail};
use app::services::Context;
use app::services::ServiceError;
use app::testing::{actor, seed_demo, signed_work, OtherAgency};
use std::io::Cursor;

const AGENT: &str = "priya.shah@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";
const OTHER_OFFICE: &str = "desk@northgate-gas.example";
const TECHNICIAN: &str = "tom.baker@brightspark.example";
const OTHER_TECHNICIAN: &str = "jess.lee@brightspark.example";

/// A task for Brightspark with two service tasks, Tom Baker assigned; ids of the service tasks.
async fn new_task(cx: &Context) -> (i64, i64, i64) {
    let task_id = brightspark_task(
        cx,
        "Annual safety visit",
        "Test smoke alarms\nCheck boiler pressure (reading)",
    )
    .await;
    assign(cx, task_id, TECHNICIAN).await;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM service_tasks WHERE task_id = $1 ORDER BY position")
            .bind(task_id)
            .fetch_all(cx.db.pool())
            .await
            .unwrap();
    (task_id, ids[0], ids[1])
}

fn png(width: u32, height: u32) -> Upload {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 250) as u8, (y % 250) as u8, 120])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    Upload {
        file_name: "alarm.png".into(),
        bytes,
    }
}

fn defect(photos: Vec<Upload>) -> NewDefect {
    NewDefect {
        service_task_id: None,
        description: "Smoke alarm in the hallway does not sound".into(),
        severity: Severity::Critical,
        photos,
    }
}

fn stored_files(dir: &std::path::Path) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(dir)
}

db_test!(
    results_are_recorded_by_the_contractor_between_accepting_and_signing,
    |cx| {
        seed_demo(&cx).await;
        let (task, alarms, pressure) = new_task(&cx).await;
        let now = now_ms();
        let (agent, office, tom) = (
            actor(&cx, AGENT).await,
            actor(&cx, OFFICE).await,
            actor(&cx, TECHNICIAN).await,
        );
        let detail = task_detail(&cx, &office, task, now_ms()).await.unwrap();
        let names: Vec<(&str, bool)> = detail
            .service_tasks
            .iter()
            .map(|s| (s.name.as_str(), s.reading_expected))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Test smoke alarms", false),
                ("Check boiler pressure", true)
            ]
        );
        assert!(!detail.can_record_work, "not before accepting");
        assert!(matches!(
            record_result(&cx, &office, alarms, Outcome::Pass, None, now).await,
            Err(ServiceError::Refused(_))
        ));

        accept(&cx, &office, task, None, &[], now).await.unwrap();
        assert!(
            task_detail(&cx, &office, task, now_ms())
                .await
                .unwrap()
                .can_record_work
        );
        assert!(
            !task_detail(&cx, &agent, task, now_ms())
                .await
                .unwrap()
                .can_record_work
        );
        assert!(matches!(
            record_result(&cx, &agent, alarms, Outcome::Pass, None, now).await,
            Err(ServiceError::Forbidden(_))
        ));
        record_result(&cx, &office, alarms, Outcome::Fail, None, now)
            .await
            .unwrap();
        assert!(matches!(
            record_result(&cx, &tom, pressure, Outcome::Pass, Some("  "), now).await,
            Err(ServiceError::Invalid {
                field: "reading",
                ..
            })
        ));
        record_result(&cx, &tom, pressure, Outcome::Pass, Some(" 1.5 bar "), now)
            .await
            .unwrap();

        let seen = task_detail(&cx, &agent, task, now_ms()).await.unwrap();
        let results: Vec<(Option<Outcome>, Option<&str>)> = seen
            .service_tasks
            .iter()
            .map(|s| (s.outcome, s.reading.as_deref()))
            .collect();
        assert_eq!(
            results,
            vec![
                (Some(Outcome::Fail), None),
                (Some(Outcome::Pass), Some("1.5 bar"))
            ]
        );
        assert!(seen.service_tasks[1]
            .recorded
            .as_deref()
            .unwrap()
            .starts_with("Tom Baker, "));
        let timeline: Vec<String> = seen
            .timeline
            .iter()
            .map(|e| format!("{}: {}", e.what, e.reason.clone().unwrap_or_default()))
            .collect();
        assert!(
            timeline.contains(&"Result recorded: Test smoke alarms: Fail".to_string()),
            "{timeline:?}"
        );
        assert!(timeline
            .contains(&"Result recorded: Check boiler pressure: Pass (1.5 bar)".to_string()));

        // Strangers find no service task; once performed, results are closed.
        let other = OtherAgency::create(&cx).await;
        for stranger in [
            actor(&cx, OTHER_OFFICE).await,
            actor(&cx, OTHER_TECHNICIAN).await,
            other.admin(&cx).await,
        ] {
            assert!(matches!(
                record_result(&cx, &stranger, alarms, Outcome::Pass, None, now).await,
                Err(ServiceError::NotFound(_))
            ));
        }
        act(&cx, &tom, task, TaskAction::OnSite, None, now)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::local(dir.path());
        let cx = cx.clone().with_files(files.clone());
        // Only with a signature: the plain status change is refused.
        assert!(matches!(
            act(&cx, &tom, task, TaskAction::PerformedOnSite, None, now).await,
            Err(ServiceError::Refused(_))
        ));
        perform_on_site(&cx, &tom, task, signed_work("Tom Baker"), now)
            .await
            .unwrap();
        assert_eq!(
            task_detail(&cx, &office, task, now_ms())
                .await
                .unwrap()
                .summary
                .status,
            TaskStatus::PerformedNeedDocs
        );
        // Signed: the record is read-only, for the office too, until it reopens it.
        let signed = record_result(&cx, &office, alarms, Outcome::Pass, None, now).await;
        assert!(
            matches!(&signed, Err(ServiceError::Refused(m)) if m.contains("reopen")),
            "{signed:?}"
        );
        let done: Option<i64> =
            sqlx::query_scalar("UPDATE tasks SET status = 'performed' WHERE id = $1 RETURNING id")
                .bind(task)
                .fetch_optional(cx.db.pool())
                .await
                .unwrap();
        assert!(done.is_some());
        assert!(matches!(
            record_result(&cx, &office, alarms, Outcome::Fail, None, now).await,
            Err(ServiceError::Refused(_))
        ));
    }
);

db_test!(
    defect_photos_are_resized_and_kept_for_the_task_people_only,
    |cx| {
        seed_demo(&cx).await;
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::local(dir.path());
        let cx = cx.clone().with_files(files.clone());
        let (task, alarms, _) = new_task(&cx).await;
        let now = now_ms();
        let (agent, office, tom) = (
            actor(&cx, AGENT).await,
            actor(&cx, OFFICE).await,
            actor(&cx, TECHNICIAN).await,
        );
        assert!(matches!(
            report_defect(&cx, &office, task, defect(vec![]), now).await,
            Err(ServiceError::Refused(_))
        ));
        accept(&cx, &office, task, None, &[], now).await.unwrap();

        // A bad photo refuses the whole defect and leaves nothing behind.
        let not_a_photo = Upload {
            file_name: "notes.pdf".into(),
            bytes: b"%PDF-1.4 not a photo".to_vec(),
        };
        match report_defect(&cx, &tom, task, defect(vec![png(40, 30), not_a_photo]), now).await {
            Err(ServiceError::Invalid {
                field: "photo",
                message,
            }) => {
                assert!(message.contains("notes.pdf"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        let mut on_other_task = defect(vec![]);
        on_other_task.service_task_id = Some(alarms + 1000);
        assert!(matches!(
            report_defect(&cx, &tom, task, on_other_task, now).await,
            Err(ServiceError::Invalid {
                field: "service_task_id",
                ..
            })
        ));
        assert!(matches!(
            report_defect(&cx, &agent, task, defect(vec![]), now).await,
            Err(ServiceError::Forbidden(_))
        ));
        let defects: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM defects")
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
        assert_eq!((defects, stored_files(dir.path())), (0, 0));

        let mut with_photo = defect(vec![png(2400, 1800)]);
        with_photo.service_task_id = Some(alarms);
        report_defect(&cx, &tom, task, with_photo, now)
            .await
            .unwrap();
        let seen = task_detail(&cx, &agent, task, now_ms()).await.unwrap();
        assert_eq!(seen.defects.len(), 1);
        let d = &seen.defects[0];
        assert_eq!(
            (
                d.severity,
                d.service_task.as_deref(),
                d.photos.len(),
                d.who.as_str()
            ),
            (
                Severity::Critical,
                Some("Test smoke alarms"),
                1,
                "Tom Baker"
            )
        );
        let photo = d.photos[0];
        for reader in [&agent, &office, &tom] {
            let thumbnail = defect_photo(&cx, reader, photo, PhotoSize::Thumbnail)
                .await
                .unwrap();
            let thumbnail = image::load_from_memory(&thumbnail).unwrap();
            assert_eq!((thumbnail.width(), thumbnail.height()), (320, 240));
            let view = defect_photo(&cx, reader, photo, PhotoSize::View)
                .await
                .unwrap();
            assert_eq!(&view[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
            let view = image::load_from_memory(&view).unwrap();
            assert_eq!((view.width(), view.height()), (1600, 1200));
        }
        assert!(seen
        .timeline
        .iter()
        .any(|e| e.what == "Defect reported"
            && e.reason.as_deref()
                == Some("Critical (Test smoke alarms): Smoke alarm in the hallway does not sound, 1 photo")));

        let other = OtherAgency::create(&cx).await;
        for stranger in [
            actor(&cx, OTHER_OFFICE).await,
            actor(&cx, OTHER_TECHNICIAN).await,
            other.admin(&cx).await,
        ] {
            assert!(matches!(
                defect_photo(&cx, &stranger, photo, PhotoSize::View).await,
                Err(ServiceError::NotFound(_))
            ));
            assert!(matches!(
                report_defect(&cx, &stranger, task, defect(vec![]), now).await,
                Err(ServiceError::NotFound(_))
            ));
            if let Ok(detail) = task_detail(&cx, &stranger, task, now_ms()).await {
                panic!("{} read the task's defects", detail.defects.len());
            }
        }
    }
);
