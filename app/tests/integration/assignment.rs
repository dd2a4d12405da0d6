//! Technicians on both databases: the office's team, accreditation gaps shown and recorded,
//! bulk assignment all or nothing with one email per technician, and no reach into another
//! contractor's technicians or tasks, whatever ids are sent.

use crate::support::{count, first_property, user_id};
use app::db::now_ms;
use app::db_test;
use app::domain::records::{InstructOutcome, TechnicianDetails};
use app::services::compliance::Upload;
use app::services::tasks::assignment::{assign, preview, technician_choices, Assignment};
use app::services::tasks::{accept, instruct, task_detail, NewTask};
use app::services::team::{
    add_technician, team, update_technician, upload_accreditation, NewAccreditation,
};
use app::services::Context;
use app::services::ServiceError;
use app::testing::{actor, contractor_id, seed_demo, OtherAgency};
use chrono::{Duration, NaiveDate, Utc};

const AGENT: &str = "priya.shah@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";
const OTHER_OFFICE: &str = "desk@northgate-gas.example";
const TOM: &str = "tom.baker@brightspark.example";
const JESS: &str = "jess.lee@brightspark.example";
const OMAR: &str = "omar.haddad@brightspark.example";
const NINA: &str = "nina.kowalski@northgate-gas.example";

async fn electrical_type(cx: &Context) -> i64 {
    sqlx::query_scalar("SELECT id FROM certificate_types WHERE name = 'Electrical installation'")
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

/// `n` new tasks for Brightspark that require the electrical accreditation.
async fn new_tasks(cx: &Context, n: usize) -> Vec<i64> {
    let agent = actor(cx, AGENT).await;
    let property = first_property(cx).await;
    let electrical = electrical_type(cx).await;
    let brightspark = contractor_id(cx, "Brightspark Electrical Ltd").await;
    let mut ids = Vec::new();
    for i in 0..n {
        let task = NewTask {
            property_id: property,
            contractor_id: brightspark,
            title: format!("Rewire flat {i}"),
            priority: "normal".into(),
            required_type_ids: vec![electrical],
            ..Default::default()
        };
        match instruct(cx, &agent, task, now_ms()).await.unwrap() {
            InstructOutcome::Instructed { task_id, .. } => ids.push(task_id),
            other => panic!("{other:?}"),
        }
    }
    ids
}

fn tomorrow() -> NaiveDate {
    (Utc::now() + Duration::days(2)).date_naive()
}

db_test!(
    gaps_are_shown_before_picking_and_recorded_when_assigned_anyway,
    |cx| {
        seed_demo(&cx).await;
        let office = actor(&cx, OFFICE).await;
        let tasks = new_tasks(&cx, 2).await;
        let choices = technician_choices(&cx, &office, &tasks, now_ms())
            .await
            .unwrap();
        let by_name = |name: &str| choices.iter().find(|c| c.name == name).unwrap().clone();
        assert!(by_name("Tom Baker").gaps.is_empty(), "in date");
        let jess = by_name("Jess Lee");
        assert_eq!(jess.tasks_with_gaps, 2);
        assert_eq!(jess.gaps.len(), 1);
        assert!(
            jess.gaps[0].starts_with("Electrical installation (expired "),
            "{jess:?}"
        );
        assert_eq!(
            by_name("Omar Haddad").gaps,
            ["Electrical installation (missing)"]
        );
        assert!(
            choices.iter().all(|c| c.name != "Nina Kowalski"),
            "only the office's own technicians"
        );

        let summary = preview(
            &cx,
            &office,
            &Assignment {
                task_ids: tasks.clone(),
                technician_ids: vec![user_id(&cx, OMAR).await],
                scheduled_date: None,
            },
            now_ms(),
        )
        .await
        .unwrap();
        assert_eq!(summary.new_assignments, 2);
        assert_eq!(summary.emails, 0, "a preview sends nothing");
        assert_eq!(
            summary.warnings,
            ["Omar Haddad lacks Electrical installation (missing) on 2 of the 2 tasks"]
        );
        assert_eq!(
            count(
                &cx,
                "SELECT COUNT(*) FROM task_technicians WHERE accreditation_gaps IS NOT NULL"
            )
            .await,
            0,
            "a preview writes nothing"
        );

        // Assigning anyway is allowed, and the agency sees what was missing on the task.
        let tom_and_omar = vec![user_id(&cx, TOM).await, user_id(&cx, OMAR).await];
        assign(
            &cx,
            &office,
            &Assignment {
                task_ids: vec![tasks[0]],
                technician_ids: tom_and_omar,
                scheduled_date: None,
            },
            now_ms(),
        )
        .await
        .unwrap();
        let agent = actor(&cx, AGENT).await;
        let seen = task_detail(&cx, &agent, tasks[0], now_ms()).await.unwrap();
        assert_eq!(seen.required_types, ["Electrical installation"]);
        let gaps: Vec<_> = seen
            .technicians
            .iter()
            .map(|t| (t.name.as_str(), t.accreditation_gaps.as_deref()))
            .collect();
        assert_eq!(
            gaps,
            [
                ("Omar Haddad", Some("Electrical installation (missing)")),
                ("Tom Baker", None)
            ]
        );
        assert!(seen.timeline.iter().any(|e| e.what == "Assign"
            && e.reason.as_deref()
                == Some("Omar Haddad (lacks Electrical installation (missing)), Tom Baker")));
    }
);

db_test!(
    a_bulk_assignment_is_all_or_nothing_with_one_email_per_technician,
    |cx| {
        seed_demo(&cx).await;
        let office = actor(&cx, OFFICE).await;
        let mut tasks = new_tasks(&cx, 25).await;
        let technicians = vec![user_id(&cx, TOM).await, user_id(&cx, JESS).await];
        let emails_before = count(&cx, "SELECT COUNT(*) FROM outbox_emails").await;

        // One completed task in the selection refuses the whole of it.
        let completed: i64 = count(
            &cx,
            "SELECT MIN(t.id) FROM tasks t JOIN contractors c ON c.id = t.contractor_id \
         WHERE t.status = 'completed' AND c.company_name = 'Brightspark Electrical Ltd'",
        )
        .await;
        let mut with_completed = tasks.clone();
        with_completed.push(completed);
        let refused = assign(
            &cx,
            &office,
            &Assignment {
                task_ids: with_completed,
                technician_ids: technicians.clone(),
                scheduled_date: Some(tomorrow()),
            },
            now_ms(),
        )
        .await;
        assert!(
            matches!(refused, Err(ServiceError::Refused(ref m)) if m.contains("not yet performed")),
            "{refused:?}"
        );
        let list = tasks
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            count(
                &cx,
                &format!("SELECT COUNT(*) FROM task_technicians WHERE task_id IN ({list})")
            )
            .await,
            0
        );
        assert_eq!(
        count(
            &cx,
            &format!("SELECT COUNT(*) FROM tasks WHERE scheduled_date IS NOT NULL AND id IN ({list})")
        )
        .await,
        0
    );
        assert_eq!(
            count(&cx, "SELECT COUNT(*) FROM outbox_emails").await,
            emails_before
        );

        // Tom is already on one of them: he is not assigned twice nor told twice.
        assign(
            &cx,
            &office,
            &Assignment {
                task_ids: vec![tasks[0]],
                technician_ids: vec![technicians[0]],
                scheduled_date: None,
            },
            now_ms(),
        )
        .await
        .unwrap();
        let emails_before = count(&cx, "SELECT COUNT(*) FROM outbox_emails").await;
        tasks.push(tasks[3]); // a duplicate id in the selection counts once
        let done = assign(
            &cx,
            &office,
            &Assignment {
                task_ids: tasks.clone(),
                technician_ids: technicians.clone(),
                scheduled_date: Some(tomorrow()),
            },
            now_ms(),
        )
        .await
        .unwrap();
        assert_eq!(done.tasks, 25);
        assert_eq!(done.new_assignments, 49);
        assert_eq!(done.rescheduled, 25);
        assert_eq!(done.emails, 2);
        assert_eq!(
        count(
            &cx,
            &format!("SELECT COUNT(*) FROM tasks WHERE scheduled_date = '{tomorrow}' AND id IN ({list})", tomorrow = tomorrow())
        )
        .await,
        25
    );
        let sent: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT to_address, subject, body_text FROM outbox_emails ORDER BY id DESC LIMIT 2",
        )
        .fetch_all(cx.db.pool())
        .await
        .unwrap();
        assert_eq!(
            count(&cx, "SELECT COUNT(*) FROM outbox_emails").await,
            emails_before + 2
        );
        let to_tom = sent.iter().find(|(to, ..)| to == TOM).unwrap();
        assert_eq!(to_tom.1, "24 new tasks from Brightspark Electrical Ltd");
        let to_jess = sent.iter().find(|(to, ..)| to == JESS).unwrap();
        assert_eq!(to_jess.1, "25 new tasks from Brightspark Electrical Ltd");
        assert_eq!(to_jess.2.matches("Rewire flat").count(), 25);
        assert_eq!(
            to_jess.2.matches("/auth/link/").count(),
            1,
            "one sign-in link"
        );
    }
);

db_test!(
    no_reach_into_another_contractor_s_technicians_or_tasks,
    |cx| {
        seed_demo(&cx).await;
        let office = actor(&cx, OFFICE).await;
        let tasks = new_tasks(&cx, 2).await;
        let tom = user_id(&cx, TOM).await;
        let nina = user_id(&cx, NINA).await;
        let northgate_task = count(
            &cx,
            "SELECT MIN(t.id) FROM tasks t JOIN contractors c ON c.id = t.contractor_id \
         WHERE c.company_name = 'Northgate Gas & Heating'",
        )
        .await;
        let other = OtherAgency::create(&cx).await;
        let other_task: i64 = sqlx::query_scalar(
            "INSERT INTO tasks (agency_id, reference, property_id, contractor_id, title, status, \
         priority, created_at, updated_at) VALUES ($1, 'X-1', $2, $3, 'Theirs', 'assigned', \
         'normal', 0, 0) RETURNING id",
        )
        .bind(other.agency_id)
        .bind(other.property_id)
        .bind(other.contractor_id)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        for (task_ids, technician_ids, what) in [
            (tasks.clone(), vec![tom, nina], "technician"),
            (vec![tasks[0], northgate_task], vec![tom], "task"),
            (vec![tasks[0], other_task], vec![tom], "task"),
        ] {
            let attempt = Assignment {
                task_ids: task_ids.clone(),
                technician_ids,
                scheduled_date: Some(tomorrow()),
            };
            assert!(
                matches!(
                    assign(&cx, &office, &attempt, now_ms()).await,
                    Err(ServiceError::NotFound(w)) if w == what
                ),
                "{attempt:?}"
            );
            assert!(preview(&cx, &office, &attempt, now_ms()).await.is_err());
        }
        assert!(matches!(
            technician_choices(&cx, &office, &[northgate_task], now_ms()).await,
            Err(ServiceError::NotFound("task"))
        ));
        assert_eq!(
            count(
                &cx,
                "SELECT COUNT(*) FROM task_events WHERE action = 'Assign'"
            )
            .await,
            0
        );
        // Agents and technicians do not assign.
        let agent = actor(&cx, AGENT).await;
        let technician = actor(&cx, TOM).await;
        let fair = Assignment {
            task_ids: vec![tasks[0]],
            technician_ids: vec![tom],
            scheduled_date: None,
        };
        assert!(assign(&cx, &agent, &fair, now_ms()).await.is_err());
        assert!(assign(&cx, &technician, &fair, now_ms()).await.is_err());
        // Northgate's office cannot reach Brightspark's tasks nor its technician.
        let northgate = actor(&cx, OTHER_OFFICE).await;
        assert!(matches!(
            assign(&cx, &northgate, &fair, now_ms()).await,
            Err(ServiceError::NotFound(_))
        ));
    }
);

db_test!(accepting_with_technicians_assigns_and_emails_them, |cx| {
    seed_demo(&cx).await;
    let office = actor(&cx, OFFICE).await;
    let task = new_tasks(&cx, 1).await[0];
    let tom = user_id(&cx, TOM).await;
    let nina = user_id(&cx, NINA).await;
    // Another contractor's technician refuses the acceptance too.
    assert!(accept(&cx, &office, task, None, &[nina], now_ms())
        .await
        .is_err());
    assert_eq!(
        count(
            &cx,
            &format!("SELECT COUNT(*) FROM tasks WHERE id = {task} AND status = 'assigned'")
        )
        .await,
        1,
        "still assigned"
    );
    accept(&cx, &office, task, Some(tomorrow()), &[tom], now_ms())
        .await
        .unwrap();
    let detail = task_detail(&cx, &office, task, now_ms()).await.unwrap();
    assert_eq!(detail.technicians.len(), 1);
    assert_eq!(detail.summary.scheduled_date, Some(tomorrow()));
    assert!(detail.can_assign);
    let subject: String = sqlx::query_scalar(
        "SELECT subject FROM outbox_emails WHERE to_address = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(TOM)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    assert_eq!(subject, "New task from Brightspark Electrical Ltd");
});

db_test!(the_office_manages_its_team_and_their_accreditations, |cx| {
    seed_demo(&cx).await;
    let office = actor(&cx, OFFICE).await;
    let details = TechnicianDetails {
        name: "Priya Patel".into(),
        email: " Priya.Patel@Brightspark.example ".into(),
        mobile: "07700 900999".into(),
    };
    let id = add_technician(&cx, &office, &details, now_ms())
        .await
        .unwrap();
    assert!(matches!(
        add_technician(&cx, &office, &details, now_ms()).await,
        Err(ServiceError::Invalid { field: "email", .. })
    ));
    let mut bad = details.clone();
    bad.email = "not an email".into();
    assert!(matches!(
        add_technician(&cx, &office, &bad, now_ms()).await,
        Err(ServiceError::Invalid { field: "email", .. })
    ));
    let members = team(&cx, &office, now_ms()).await.unwrap();
    let priya = members.members.iter().find(|m| m.id == id).unwrap();
    assert_eq!(priya.email, "priya.patel@brightspark.example");
    assert!(members
        .technician_types
        .iter()
        .any(|(_, name)| name == "Electrical installation"));

    // An accreditation with its file; an empty file or a type not asked of technicians is refused.
    let electrical = electrical_type(&cx).await;
    let pdf = Upload {
        file_name: "cert.pdf".into(),
        bytes: b"%PDF-1.4 accreditation".to_vec(),
    };
    let accreditation = |type_id| NewAccreditation {
        technician_id: id,
        certificate_type_id: type_id,
        start_date: None,
        end_date: Some(tomorrow()),
    };
    upload_accreditation(
        &cx,
        &office,
        accreditation(electrical),
        pdf.clone(),
        now_ms(),
    )
    .await
    .unwrap();
    let insurance: i64 = count(
        &cx,
        "SELECT id FROM certificate_types WHERE name = 'Public liability insurance'",
    )
    .await;
    assert!(matches!(
        upload_accreditation(
            &cx,
            &office,
            accreditation(insurance),
            pdf.clone(),
            now_ms()
        )
        .await,
        Err(ServiceError::Invalid {
            field: "certificate_type_id",
            ..
        })
    ));
    let task = new_tasks(&cx, 1).await;
    let choices = technician_choices(&cx, &office, &task, now_ms())
        .await
        .unwrap();
    assert!(choices.iter().find(|c| c.id == id).unwrap().gaps.is_empty());

    // Another contractor's office cannot touch this technician.
    let northgate = actor(&cx, OTHER_OFFICE).await;
    assert!(matches!(
        update_technician(&cx, &northgate, id, "X", "", false, now_ms()).await,
        Err(ServiceError::NotFound("technician"))
    ));
    assert!(matches!(
        upload_accreditation(&cx, &northgate, accreditation(electrical), pdf, now_ms()).await,
        Err(ServiceError::NotFound("technician"))
    ));

    // Inactive: off the pickers, and not assignable by a crafted request.
    update_technician(&cx, &office, id, "Priya Patel", "", false, now_ms())
        .await
        .unwrap();
    let choices = technician_choices(&cx, &office, &task, now_ms())
        .await
        .unwrap();
    assert!(choices.iter().all(|c| c.id != id));
    assert!(matches!(
        assign(
            &cx,
            &office,
            &Assignment {
                task_ids: task,
                technician_ids: vec![id],
                scheduled_date: None
            },
            now_ms()
        )
        .await,
        Err(ServiceError::NotFound("technician"))
    ));
});
