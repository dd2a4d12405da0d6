//! Kinds of work and compliance on the day of the work, on both databases: a kind judges only
//! its certificates; giving a kind requests what it needs; a certificate that will have lapsed by
//! the due date blocks as red does (override with a reason); the task page warns the agent and
//! the office; a lapse with open tasks tells both parties once, naming the tasks. Another
//! agency's ids are refused.

use crate::support::{certificate_type, first_property};
use app::db::now_ms;
use app::db_test;
use app::domain::dates::DateFormat;
use app::domain::records::InstructOutcome;
use app::services::compliance;
use app::services::tasks::{self, NewTask};
use app::services::work_kinds::{self, KindOfWork};
use app::services::Context;
use app::services::ServiceError;
use app::testing::{actor, contractor_id as contractor, seed_demo as seeded, OtherAgency};
use chrono::{Days, NaiveDate};

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const AGENT: &str = "priya.shah@harbour-lettings.example";
const READ_ONLY: &str = "sam.reid@harbour-lettings.example";
const NORTHGATE_OFFICE: &str = "desk@northgate-gas.example";
const DAY_MS: i64 = 86_400_000;

fn today() -> NaiveDate {
    app::domain::dates::local_today("Europe/London", now_ms())
}

fn in_days(days: u64) -> NaiveDate {
    today().checked_add_days(Days::new(days)).unwrap()
}

fn works(property_id: i64, contractor_id: i64, title: &str) -> NewTask {
    NewTask {
        property_id,
        contractor_id,
        title: title.into(),
        priority: "normal".into(),
        ..Default::default()
    }
}

async fn emails_to(cx: &Context, to: &str, like: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT body_text FROM outbox_emails WHERE to_address = $1 AND subject LIKE $2 ORDER BY id",
    )
    .bind(to)
    .bind(like)
    .fetch_all(cx.db.pool())
    .await
    .unwrap()
}

db_test!(a_kind_of_work_judges_only_its_certificates, |cx| {
    seeded(&cx).await;
    let now = now_ms();
    let admin = actor(&cx, ADMIN).await;
    let agent = actor(&cx, AGENT).await;
    // Greenleaf is red (asbestos awareness missing) but its PAT testing is in order.
    let greenleaf = contractor(&cx, "Greenleaf Grounds").await;
    let pat = certificate_type(&cx, "PAT testing").await;
    let kind = work_kinds::save(
        &cx,
        &admin,
        None,
        &KindOfWork {
            name: "Portable appliances".into(),
            certificate_type_ids: vec![pat],
        },
        now,
    )
    .await
    .unwrap();
    let property = first_property(&cx).await;
    let any_kind = works(property, greenleaf, "Test the kettles");
    assert!(matches!(
        tasks::instruct(&cx, &agent, any_kind.clone(), now)
            .await
            .unwrap(),
        InstructOutcome::Blocked {
            can_override: false,
            ..
        }
    ));
    let of_the_kind = NewTask {
        work_kind_id: Some(kind),
        ..any_kind
    };
    let task_id = match tasks::instruct(&cx, &agent, of_the_kind.clone(), now)
        .await
        .unwrap()
    {
        InstructOutcome::Instructed {
            task_id,
            overridden,
            ..
        } => {
            assert!(!overridden);
            task_id
        }
        other => panic!("the kind's certificates are in order: {other:?}"),
    };
    let detail = tasks::task_detail(&cx, &agent, task_id, now).await.unwrap();
    assert_eq!(detail.work_kind.as_deref(), Some("Portable appliances"));
    assert!(detail.compliance_on_the_day.is_empty());

    // A kind whose type the contractor was never asked for: missing, so red.
    let gas = certificate_type(&cx, "Gas safety").await;
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
    match tasks::instruct(
        &cx,
        &admin,
        NewTask {
            work_kind_id: Some(gas_work),
            ..of_the_kind.clone()
        },
        now,
    )
    .await
    .unwrap()
    {
        InstructOutcome::Blocked { problems, .. } => {
            assert_eq!(problems, ["Gas safety: missing"]);
        }
        other => panic!("gas safety was never asked of Greenleaf: {other:?}"),
    }
    // Another agency's kind does not exist here, and nothing is written.
    let other = OtherAgency::create(&cx).await;
    let theirs = work_kinds::save(
        &cx,
        &other.admin(&cx).await,
        None,
        &KindOfWork {
            name: "Their work".into(),
            certificate_type_ids: vec![other.certificate_type_id],
        },
        now,
    )
    .await
    .unwrap();
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    assert!(matches!(
        tasks::instruct(
            &cx,
            &admin,
            NewTask {
                work_kind_id: Some(theirs),
                ..of_the_kind
            },
            now
        )
        .await,
        Err(ServiceError::Invalid {
            field: "work_kind",
            ..
        })
    ));
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    assert_eq!(before, after);
});

db_test!(
    kinds_are_checked_and_giving_one_requests_what_it_needs,
    |cx| {
        seeded(&cx).await;
        let now = now_ms();
        let admin = actor(&cx, ADMIN).await;
        let gas = certificate_type(&cx, "Gas safety").await;
        let liability = certificate_type(&cx, "Public liability insurance").await;
        let asbestos = certificate_type(&cx, "Asbestos awareness").await;
        let kind = |name: &str, types: Vec<i64>| KindOfWork {
            name: name.into(),
            certificate_type_ids: types,
        };
        for (bad, field) in [
            (kind(" ", vec![gas]), "name"),
            (kind("Gas work", vec![]), "certificate_types"),
        ] {
            match work_kinds::save(&cx, &admin, None, &bad, now).await {
                Err(ServiceError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{bad:?} must be refused: {other:?}"),
            }
        }
        let other = OtherAgency::create(&cx).await;
        assert!(matches!(
            work_kinds::save(
                &cx,
                &admin,
                None,
                &kind("Gas work", vec![gas, other.certificate_type_id]),
                now
            )
            .await,
            Err(ServiceError::Invalid {
                field: "certificate_types",
                ..
            })
        ));
        let read_only = actor(&cx, READ_ONLY).await;
        assert!(matches!(
            work_kinds::save(&cx, &read_only, None, &kind("Gas work", vec![gas]), now).await,
            Err(ServiceError::MissingPermission(_))
        ));
        let gas_work = work_kinds::save(
            &cx,
            &admin,
            None,
            &kind("Gas work", vec![gas, liability]),
            now,
        )
        .await
        .unwrap();
        assert!(matches!(
            work_kinds::save(&cx, &admin, None, &kind("GAS  WORK", vec![gas]), now).await,
            Err(ServiceError::Invalid { field: "name", .. })
        ));

        // Brightspark holds public liability but was never asked for gas safety.
        let brightspark = contractor(&cx, "Brightspark Electrical Ltd").await;
        let asked = || async {
            sqlx::query_scalar::<_, i64>(
            "SELECT certificate_type_id FROM certificate_requirements WHERE contractor_id = $1 \
             ORDER BY certificate_type_id",
        )
        .bind(brightspark)
        .fetch_all(cx.db.pool())
        .await
        .unwrap()
        };
        assert!(!asked().await.contains(&gas));
        work_kinds::set_contractor_kinds(&cx, &admin, brightspark, &[gas_work], now)
            .await
            .unwrap();
        assert!(asked().await.contains(&gas));
        let requests = emails_to(&cx, "office@brightspark.example", "%Gas safety%").await;
        assert_eq!(requests.len(), 1, "{requests:?}");
        // Saving the same kinds again asks for nothing more.
        work_kinds::set_contractor_kinds(&cx, &admin, brightspark, &[gas_work], now)
            .await
            .unwrap();
        assert_eq!(
            emails_to(&cx, "office@brightspark.example", "%Gas safety%")
                .await
                .len(),
            1
        );
        assert_eq!(
            work_kinds::contractor_kinds(&cx, &admin, brightspark)
                .await
                .unwrap(),
            [gas_work]
        );
        let history = compliance::contractor_certification(&cx, &admin, brightspark, now)
            .await
            .unwrap();
        assert!(history
            .history
            .iter()
            .any(|h| h.what == "Kinds of work: Gas work"));
        assert!(history
            .work_kinds
            .iter()
            .any(|k| k.id == gas_work && k.held));

        // A type added to the kind is asked of the contractors who have it.
        work_kinds::save(
            &cx,
            &admin,
            Some(gas_work),
            &kind("Gas work", vec![gas, liability, asbestos]),
            now,
        )
        .await
        .unwrap();
        assert!(asked().await.contains(&asbestos));

        // The matrix and the contractor list filter by kind: its contractors, its types as columns.
        let matrix = compliance::matrix(
            &cx,
            &admin,
            compliance::MatrixFilter {
                work_kind_id: Some(gas_work),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(
            matrix
                .rows
                .iter()
                .map(|r| r.contractor_id)
                .collect::<Vec<_>>(),
            [brightspark]
        );
        assert_eq!(
            matrix
                .types
                .iter()
                .map(|(id, _)| *id)
                .collect::<std::collections::BTreeSet<_>>(),
            [gas, liability, asbestos].into_iter().collect()
        );
        assert_eq!(matrix.work_kinds, [(gas_work, "Gas work".to_string())]);
        let list = compliance::contractor_page(
            &cx,
            &admin,
            compliance::ContractorQuery {
                work_kind_id: Some(gas_work),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(list.total, 1);
        assert_eq!(list.rows[0].id, brightspark);

        // The office sees its kinds, cannot set them; another agency's ids are refused.
        let office = actor(&cx, "office@brightspark.example").await;
        assert!(matches!(
            work_kinds::set_contractor_kinds(&cx, &office, brightspark, &[], now).await,
            Err(ServiceError::Forbidden(_) | ServiceError::MissingPermission(_))
        ));
        let own = compliance::contractor_certification(&cx, &office, brightspark, now)
            .await
            .unwrap();
        assert_eq!(
            own.work_kinds
                .iter()
                .map(|k| k.name.as_str())
                .collect::<Vec<_>>(),
            ["Gas work"]
        );
        let theirs = work_kinds::save(
            &cx,
            &other.admin(&cx).await,
            None,
            &kind("Their work", vec![other.certificate_type_id]),
            now,
        )
        .await
        .unwrap();
        // Who asks is checked before what they ask for: the office learns nothing of kinds.
        assert!(matches!(
            compliance::contractor_page(
                &cx,
                &office,
                compliance::ContractorQuery {
                    work_kind_id: Some(theirs),
                    ..Default::default()
                },
                now
            )
            .await,
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            work_kinds::set_contractor_kinds(&cx, &admin, brightspark, &[theirs], now).await,
            Err(ServiceError::Invalid {
                field: "work_kind",
                ..
            })
        ));
        assert_eq!(
            work_kinds::contractor_kinds(&cx, &admin, brightspark)
                .await
                .unwrap(),
            [gas_work],
            "a refused change keeps what was there"
        );
        assert!(matches!(
            work_kinds::set_contractor_kinds(&cx, &admin, other.contractor_id, &[gas_work], now)
                .await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            work_kinds::delete(&cx, &admin, theirs, now).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            work_kinds::save(&cx, &admin, Some(theirs), &kind("Mine now", vec![gas]), now).await,
            Err(ServiceError::NotFound(_))
        ));

        // A kind a task names stays; one no task names can go.
        let property = first_property(&cx).await;
        // Brightspark has not provided gas safety yet: the administrator overrides.
        let task = NewTask {
            work_kind_id: Some(gas_work),
            override_reason: Some("Emergency, no one else free".into()),
            ..works(property, brightspark, "Boiler service")
        };
        assert!(matches!(
            tasks::instruct(&cx, &admin, task, now).await.unwrap(),
            InstructOutcome::Instructed {
                overridden: true,
                ..
            }
        ));
        assert!(matches!(
            work_kinds::delete(&cx, &admin, gas_work, now).await,
            Err(ServiceError::Invalid {
                field: "work_kind",
                ..
            })
        ));
        let spare = work_kinds::save(&cx, &admin, None, &kind("Spare", vec![gas]), now)
            .await
            .unwrap();
        work_kinds::delete(&cx, &admin, spare, now).await.unwrap();
        let names: Vec<String> = work_kinds::list(&cx, &admin)
            .await
            .unwrap()
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(names, ["Gas work"]);
    }
);

db_test!(work_due_after_an_expiry_is_judged_on_that_day, |cx| {
    seeded(&cx).await;
    let now = now_ms();
    let admin = actor(&cx, ADMIN).await;
    let agent = actor(&cx, AGENT).await;
    // Northgate's gas safety certificate ends in 12 days.
    let northgate = contractor(&cx, "Northgate Gas & Heating").await;
    let property = first_property(&cx).await;
    let format = DateFormat::default();
    let due = |days: u64| NewTask {
        due_date: Some(in_days(days)),
        ..works(property, northgate, "Annual boiler service")
    };
    let expected = format!(
        "Gas safety: expires {}, before the work on {}",
        format.format(in_days(12)),
        format.format(in_days(20))
    );
    // The form's verdict says the same before anything is sent, and writes nothing.
    let audit_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    let judged = |days: Option<u64>| compliance::WorkToJudge {
        work_kind_id: None,
        day: days.map(in_days),
    };
    let check = tasks::instruct_check(&cx, &admin, northgate, judged(Some(20)), now)
        .await
        .unwrap();
    assert_eq!(check.problems, std::slice::from_ref(&expected));
    assert_eq!(check.light, app::domain::compliance::TrafficLight::Red);
    assert!(check.can_override);
    assert!(
        !tasks::instruct_check(&cx, &agent, northgate, judged(Some(20)), now)
            .await
            .unwrap()
            .can_override
    );
    let in_time = tasks::instruct_check(&cx, &agent, northgate, judged(Some(5)), now)
        .await
        .unwrap();
    assert!(in_time.problems.is_empty());
    assert_eq!(in_time.light, app::domain::compliance::TrafficLight::Orange);
    let other = OtherAgency::create(&cx).await;
    assert!(matches!(
        tasks::instruct_check(&cx, &admin, other.contractor_id, judged(None), now).await,
        Err(ServiceError::NotFound(_))
    ));
    let office = actor(&cx, NORTHGATE_OFFICE).await;
    assert!(matches!(
        tasks::instruct_check(&cx, &office, northgate, judged(None), now).await,
        Err(ServiceError::Forbidden(_) | ServiceError::MissingPermission(_))
    ));
    let audit_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    assert_eq!(audit_before, audit_after);

    match tasks::instruct(&cx, &admin, due(20), now).await.unwrap() {
        InstructOutcome::Blocked {
            problems,
            can_override,
            ..
        } => {
            assert_eq!(problems, std::slice::from_ref(&expected));
            assert!(can_override);
        }
        other => panic!("the certificate lapses before the work: {other:?}"),
    }
    assert!(matches!(
        tasks::instruct(&cx, &agent, due(20), now).await.unwrap(),
        InstructOutcome::Blocked {
            can_override: false,
            ..
        }
    ));
    // Work on its last day in date, or with no date, goes as before.
    for task in [due(12), works(property, northgate, "Bleed radiators")] {
        assert!(matches!(
            tasks::instruct(&cx, &agent, task, now).await.unwrap(),
            InstructOutcome::Instructed {
                overridden: false,
                ..
            }
        ));
    }
    let overridden = match tasks::instruct(
        &cx,
        &admin,
        NewTask {
            override_reason: Some("Renewal booked for next week".into()),
            ..due(20)
        },
        now,
    )
    .await
    .unwrap()
    {
        InstructOutcome::Instructed {
            task_id,
            overridden: true,
            ..
        } => task_id,
        other => panic!("the override goes through: {other:?}"),
    };
    let history = compliance::contractor_certification(&cx, &admin, northgate, now)
        .await
        .unwrap()
        .history;
    assert!(
        history
            .iter()
            .any(|h| h.what.contains(&expected) && h.what.contains("Renewal booked")),
        "{history:?}"
    );

    // The task page warns the agent and the office; a technician's view carries no such list.
    let office = actor(&cx, NORTHGATE_OFFICE).await;
    for who in [&admin, &office] {
        let detail = tasks::task_detail(&cx, who, overridden, now).await.unwrap();
        assert_eq!(
            detail.compliance_on_the_day,
            std::slice::from_ref(&expected)
        );
    }
    // The office accepts work due in 5 days but plans it for day 15: now it lapses first.
    let soon = match tasks::instruct(&cx, &agent, due(5), now).await.unwrap() {
        InstructOutcome::Instructed { task_id, .. } => task_id,
        other => panic!("{other:?}"),
    };
    assert!(tasks::task_detail(&cx, &office, soon, now)
        .await
        .unwrap()
        .compliance_on_the_day
        .is_empty());
    tasks::accept(&cx, &office, soon, Some(in_days(15)), &[], now)
        .await
        .unwrap();
    let planned = format!(
        "Gas safety: expires {}, before the work on {}",
        format.format(in_days(12)),
        format.format(in_days(15))
    );
    for who in [&agent, &office] {
        let detail = tasks::task_detail(&cx, who, soon, now).await.unwrap();
        assert_eq!(detail.compliance_on_the_day, std::slice::from_ref(&planned));
        // The agent also reads it in the timeline, as of the day the office planned.
        assert!(
            detail
                .timeline
                .iter()
                .any(|e| e.what == "Planned after a certificate ends"
                    && e.reason.as_deref() == Some(planned.as_str())),
            "{:?}",
            detail.timeline
        );
    }
});

db_test!(a_lapse_with_open_tasks_tells_both_parties_once, |cx| {
    seeded(&cx).await;
    let now = now_ms();
    let admin = actor(&cx, ADMIN).await;
    let northgate = contractor(&cx, "Northgate Gas & Heating").await;
    let property = first_property(&cx).await;
    let liability = certificate_type(&cx, "Public liability insurance").await;
    let insured_only = work_kinds::save(
        &cx,
        &admin,
        None,
        &KindOfWork {
            name: "Clearing gutters".into(),
            certificate_type_ids: vec![liability],
        },
        now,
    )
    .await
    .unwrap();
    let mut references = Vec::new();
    for (title, kind) in [
        ("Boiler service", None),
        ("Gas hob check", None),
        ("Gutters", Some(insured_only)),
    ] {
        let task = NewTask {
            work_kind_id: kind,
            due_date: Some(in_days(5)),
            ..works(property, northgate, title)
        };
        match tasks::instruct(&cx, &admin, task, now).await.unwrap() {
            InstructOutcome::Instructed { reference, .. } => references.push(reference),
            other => panic!("{other:?}"),
        }
    }
    // Nothing of Northgate's has lapsed yet.
    app::services::reminders::queue_due(&cx, now).await.unwrap();
    assert!(emails_to(&cx, NORTHGATE_OFFICE, "%expired%")
        .await
        .is_empty());

    // Thirteen days on, its gas safety certificate (ending on day 12) has lapsed.
    let later = now + 13 * DAY_MS;
    let pass = app::services::reminders::queue_due(&cx, later)
        .await
        .unwrap();
    assert_eq!(pass.lapse_notices, 1, "Northgate's one office user");
    let office = emails_to(&cx, NORTHGATE_OFFICE, "%expired%").await;
    assert_eq!(office.len(), 1);
    for needed in &references[..2] {
        assert!(office[0].contains(needed.as_str()), "{}", office[0]);
    }
    assert!(
        !office[0].contains(references[2].as_str()),
        "gutter clearing does not need gas safety: {}",
        office[0]
    );
    let agents = emails_to(&cx, ADMIN, "%Gas safety certificate expired%").await;
    assert_eq!(agents.len(), 1);
    assert!(agents[0].contains(&references[0]) && agents[0].contains(&references[1]));
    // A second pass, a restart or another instance sends nothing more.
    let again = app::services::reminders::queue_due(&cx, later)
        .await
        .unwrap();
    assert_eq!(again, Default::default());
    assert_eq!(emails_to(&cx, NORTHGATE_OFFICE, "%expired%").await.len(), 1);
});
