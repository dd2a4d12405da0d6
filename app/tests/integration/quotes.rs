//! Requests for quotes, on both databases: contractors answer from their office, the compliance
//! rule blocks a red contractor as instructing does (with the same override), accepting one quote
//! instructs exactly one task (also when two agents accept at once), and nobody reaches another
//! tenant's request or another contractor's quote.

use crate::support::{count, first_property, pdf};
use app::db::now_ms;
use app::db_test;
use app::domain::quotes::{QuoteRequestOutcome, QuoteStatus, RequestState};
use app::domain::records::InstructOutcome;
use app::files::FileStore;
use app::services::quotes::{self, NewQuoteRequest, QuoteAnswer};
use app::services::Context;
use app::services::ServiceError;
use app::testing::{actor, contractor_id as contractor, seed_demo as seeded, OtherAgency};

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const AGENT: &str = "priya.shah@harbour-lettings.example";
const READ_ONLY: &str = "sam.reid@harbour-lettings.example";
const BRIGHTSPARK_OFFICE: &str = "office@brightspark.example";
const NORTHGATE_OFFICE: &str = "desk@northgate-gas.example";
const TECHNICIAN: &str = "tom.baker@brightspark.example";

async fn ask(
    cx: &Context,
    who: &str,
    companies: &[&str],
    reason: Option<&str>,
) -> QuoteRequestOutcome {
    let agent = actor(cx, who).await;
    let mut contractor_ids = Vec::new();
    for company in companies {
        contractor_ids.push(contractor(cx, company).await);
    }
    let request = NewQuoteRequest {
        property_id: first_property(cx).await,
        title: "Rewire the kitchen".into(),
        description: Some("Sockets scorched behind the cooker.".into()),
        priority: "normal".into(),
        contractor_ids,
        override_reason: reason.map(str::to_string),
        ..Default::default()
    };
    quotes::request_quotes(cx, &agent, request, now_ms())
        .await
        .unwrap()
}

fn requested(outcome: QuoteRequestOutcome) -> i64 {
    match outcome {
        QuoteRequestOutcome::Requested { request_id, .. } => request_id,
        other => panic!("expected the request to be sent: {other:?}"),
    }
}

/// The quote of `office`'s company on the request.
async fn quote_of(cx: &Context, office: &str) -> i64 {
    let office = actor(cx, office).await;
    quotes::desk_quotes(cx, &office).await.unwrap()[0].id
}

async fn answer(cx: &Context, office: &str, amount: &str) -> Result<(), ServiceError> {
    let quote = quote_of(cx, office).await;
    let office = actor(cx, office).await;
    let answer = QuoteAnswer {
        amount: amount.into(),
        note: Some("Two days, parts included.".into()),
        document: Some(pdf("quote.pdf")),
    };
    quotes::answer(cx, &office, quote, answer, now_ms()).await
}

db_test!(accepting_a_quote_instructs_exactly_one_task, |cx| {
    seeded(&cx).await;
    let tasks_before = count(&cx, "SELECT COUNT(*) FROM tasks").await;
    let request = requested(
        ask(
            &cx,
            AGENT,
            &["Brightspark Electrical Ltd", "Northgate Gas & Heating"],
            None,
        )
        .await,
    );
    // Each office was emailed once, and sees the request waiting for its answer.
    assert_eq!(
        count(
            &cx,
            "SELECT COUNT(*) FROM outbox_emails WHERE idempotency_key LIKE 'quote-requested:%'"
        )
        .await,
        2
    );
    let rachel = actor(&cx, BRIGHTSPARK_OFFICE).await;
    assert_eq!(quotes::to_answer(&cx, &rachel).await.unwrap(), 1);

    // A price is read as people write it; a bad one is refused beside the field.
    match answer(&cx, BRIGHTSPARK_OFFICE, "about a grand").await {
        Err(ServiceError::Invalid {
            field: "amount", ..
        }) => {}
        other => panic!("expected the amount to be refused: {other:?}"),
    }
    answer(&cx, BRIGHTSPARK_OFFICE, "£1,250.50").await.unwrap();
    answer(&cx, NORTHGATE_OFFICE, "980").await.unwrap();
    assert_eq!(quotes::to_answer(&cx, &rachel).await.unwrap(), 0);
    assert_eq!(
        count(&cx, "SELECT COUNT(*) FROM outbox_emails WHERE idempotency_key LIKE 'quote-answered:%' AND to_address = 'priya.shah@harbour-lettings.example'").await,
        2
    );

    let agent = actor(&cx, AGENT).await;
    let detail = quotes::request_detail(&cx, &agent, request, now_ms())
        .await
        .unwrap();
    assert_eq!(detail.state, RequestState::Open);
    // Cheapest first.
    let amounts: Vec<_> = detail.quotes.iter().map(|q| q.amount_pence).collect();
    assert_eq!(amounts, vec![Some(98_000), Some(125_050)]);
    let brightspark_quote = detail
        .quotes
        .iter()
        .find(|q| q.company_name == "Brightspark Electrical Ltd")
        .unwrap();
    assert_eq!(brightspark_quote.document.as_deref(), Some("quote.pdf"));

    let task_id = match quotes::accept(&cx, &agent, brightspark_quote.id, None, now_ms())
        .await
        .unwrap()
    {
        InstructOutcome::Instructed { task_id, .. } => task_id,
        other => panic!("expected the works instructed: {other:?}"),
    };
    assert_eq!(
        count(&cx, "SELECT COUNT(*) FROM tasks").await,
        tasks_before + 1
    );
    let (contractor_id, status): (i64, String) =
        sqlx::query_as("SELECT contractor_id, status FROM tasks WHERE id = $1")
            .bind(task_id)
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
    assert_eq!(
        contractor_id,
        contractor(&cx, "Brightspark Electrical Ltd").await
    );
    assert_eq!(status, "assigned");
    // The quote's document went with the task, and the task says what was accepted.
    let documents: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, file_name FROM task_documents WHERE task_id = $1")
            .bind(task_id)
            .fetch_all(cx.db.pool())
            .await
            .unwrap();
    assert_eq!(
        documents,
        vec![("quote".to_string(), "quote.pdf".to_string())]
    );
    let description: String = sqlx::query_scalar("SELECT description FROM tasks WHERE id = $1")
        .bind(task_id)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    assert!(description.contains("£1,250.50"), "{description}");

    let detail = quotes::request_detail(&cx, &agent, request, now_ms())
        .await
        .unwrap();
    assert_eq!(detail.state, RequestState::Accepted);
    assert_eq!(detail.task.as_ref().map(|t| t.0), Some(task_id));
    let northgate = detail
        .quotes
        .iter()
        .find(|q| q.company_name == "Northgate Gas & Heating")
        .unwrap();
    assert_eq!(northgate.status, QuoteStatus::NotChosen);
    assert_eq!(
        count(&cx, "SELECT COUNT(*) FROM outbox_emails WHERE idempotency_key LIKE 'quote-closed:%' AND to_address = 'desk@northgate-gas.example'").await,
        1
    );
    // The chosen office hears of its new task as for any instruction.
    assert_eq!(
        count(&cx, "SELECT COUNT(*) FROM outbox_emails WHERE idempotency_key LIKE 'task-assigned:%' AND to_address = 'office@brightspark.example'").await,
        1
    );
    // Closed: nothing more is answered or accepted.
    match answer(&cx, NORTHGATE_OFFICE, "900").await {
        Err(ServiceError::Refused(_)) => {}
        other => panic!("expected a closed request to refuse answers: {other:?}"),
    }
    match quotes::accept(&cx, &agent, northgate.id, None, now_ms()).await {
        Err(ServiceError::Refused(_)) => {}
        other => panic!("expected a second acceptance refused: {other:?}"),
    }
    assert_eq!(
        count(&cx, "SELECT COUNT(*) FROM tasks").await,
        tasks_before + 1
    );
    // The office reads its quote as accepted, with the way to its task.
    let desk = quotes::desk_quotes(&cx, &rachel).await.unwrap();
    assert_eq!(desk[0].status, QuoteStatus::Accepted);
    assert_eq!(desk[0].task_id, Some(task_id));
});

db_test!(two_acceptances_at_once_make_one_task, |cx| {
    seeded(&cx).await;
    let request = requested(
        ask(
            &cx,
            AGENT,
            &["Brightspark Electrical Ltd", "Northgate Gas & Heating"],
            None,
        )
        .await,
    );
    answer(&cx, BRIGHTSPARK_OFFICE, "1000").await.unwrap();
    answer(&cx, NORTHGATE_OFFICE, "1100").await.unwrap();
    let agent = actor(&cx, AGENT).await;
    let admin = actor(&cx, ADMIN).await;
    let detail = quotes::request_detail(&cx, &agent, request, now_ms())
        .await
        .unwrap();
    let (a, b) = (detail.quotes[0].id, detail.quotes[1].id);
    let tasks_before = count(&cx, "SELECT COUNT(*) FROM tasks").await;
    let (first, second) = tokio::join!(
        quotes::accept(&cx, &agent, a, None, now_ms()),
        quotes::accept(&cx, &admin, b, None, now_ms())
    );
    let instructed = [&first, &second]
        .iter()
        .filter(|r| matches!(r, Ok(InstructOutcome::Instructed { .. })))
        .count();
    let refused = [&first, &second]
        .iter()
        .filter(|r| matches!(r, Err(ServiceError::Refused(_))))
        .count();
    assert_eq!((instructed, refused), (1, 1), "{first:?} {second:?}");
    assert_eq!(
        count(&cx, "SELECT COUNT(*) FROM tasks").await,
        tasks_before + 1
    );
    assert_eq!(
        count(&cx, "SELECT COUNT(*) FROM quotes WHERE status = 'accepted'").await,
        1
    );
});

db_test!(a_red_contractor_is_blocked_as_when_instructing, |cx| {
    seeded(&cx).await;
    let dir = tempfile::tempdir().unwrap();
    let files = FileStore::local(dir.path());
    let cx = cx.clone().with_files(files.clone());
    // Clearflow is red in the demo: nothing is sent, and the refusal names it and its certificates.
    match ask(
        &cx,
        AGENT,
        &["Brightspark Electrical Ltd", "Clearflow Plumbing"],
        None,
    )
    .await
    {
        QuoteRequestOutcome::Blocked {
            blocked,
            can_override,
        } => {
            assert_eq!(blocked.len(), 1);
            assert_eq!(blocked[0].0, "Clearflow Plumbing");
            assert!(!blocked[0].1.is_empty());
            // Priya may not override; the administrator may.
            assert!(!can_override);
        }
        other => panic!("expected the red contractor to block the request: {other:?}"),
    }
    assert_eq!(count(&cx, "SELECT COUNT(*) FROM quote_requests").await, 0);
    assert_eq!(count(&cx, "SELECT COUNT(*) FROM quotes").await, 0);
    match ask(&cx, ADMIN, &["Clearflow Plumbing"], None).await {
        QuoteRequestOutcome::Blocked { can_override, .. } => assert!(can_override),
        other => panic!("expected a reason to be asked: {other:?}"),
    }
    let request = requested(
        ask(
            &cx,
            ADMIN,
            &["Clearflow Plumbing"],
            Some("Only plumber free this week"),
        )
        .await,
    );
    assert_eq!(
        count(
            &cx,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'compliance_overridden'"
        )
        .await,
        1
    );
    // Its request names what the agency still waits for from it, as a works email does.
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox_emails WHERE idempotency_key LIKE 'quote-requested:%' \
         AND to_address = 'jobs@clearflow.example'",
    )
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    assert!(body.contains("Rewire the kitchen"), "{body}");
    assert!(
        body.contains("still needs these certificates from you: ")
            && body.contains("Legionella risk assessment"),
        "{body}"
    );
    // Clearflow has no office users: its address was asked. Answered on its behalf here through
    // the database, since it has no one to sign in; accepting is judged again, and still needs
    // the reason.
    sqlx::query("UPDATE quotes SET status = 'quoted', amount_pence = 50000 WHERE request_id = $1")
        .bind(request)
        .execute(cx.db.pool())
        .await
        .unwrap();
    let admin = actor(&cx, ADMIN).await;
    let quote = quotes::request_detail(&cx, &admin, request, now_ms())
        .await
        .unwrap()
        .quotes[0]
        .id;
    match quotes::accept(&cx, &admin, quote, None, now_ms())
        .await
        .unwrap()
    {
        InstructOutcome::Blocked {
            can_override: true, ..
        } => {}
        other => panic!("expected acceptance blocked until a reason is given: {other:?}"),
    }
    // Blocked means nothing was kept: the request is still open.
    let detail = quotes::request_detail(&cx, &admin, request, now_ms())
        .await
        .unwrap();
    assert_eq!(detail.state, RequestState::Open);
    assert!(matches!(
        quotes::accept(&cx, &admin, quote, Some("Emergency leak"), now_ms()).await,
        Ok(InstructOutcome::Instructed {
            overridden: true,
            ..
        })
    ));
    let _ = files;
});

db_test!(nobody_reaches_another_tenants_quotes, |cx| {
    seeded(&cx).await;
    let dir = tempfile::tempdir().unwrap();
    let files = FileStore::local(dir.path());
    let cx = cx.clone().with_files(files.clone());
    let request = requested(ask(&cx, AGENT, &["Brightspark Electrical Ltd"], None).await);
    answer(&cx, BRIGHTSPARK_OFFICE, "700").await.unwrap();
    let quote = quote_of(&cx, BRIGHTSPARK_OFFICE).await;

    // Another agency's administrator: the request and the quote do not exist.
    let other = OtherAgency::create(&cx).await;
    let boss = other.admin(&cx).await;
    assert!(matches!(
        quotes::request_detail(&cx, &boss, request, now_ms()).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        quotes::accept(&cx, &boss, quote, None, now_ms()).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        quotes::withdraw(&cx, &boss, request, now_ms()).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        quotes::quote_document(&cx, &boss, quote).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(quotes::requests(&cx, &boss).await.unwrap().is_empty());
    // Asking another agency's contractor for a quote: not found.
    let mut foreign = NewQuoteRequest {
        property_id: first_property(&cx).await,
        title: "Anything".into(),
        priority: "normal".into(),
        contractor_ids: vec![other.contractor_id],
        ..Default::default()
    };
    let agent = actor(&cx, AGENT).await;
    assert!(matches!(
        quotes::request_quotes(&cx, &agent, foreign.clone(), now_ms()).await,
        Err(ServiceError::NotFound(_))
    ));
    foreign.contractor_ids = vec![contractor(&cx, "Brightspark Electrical Ltd").await];
    foreign.property_id = other.property_id;
    assert!(matches!(
        quotes::request_quotes(&cx, &agent, foreign, now_ms()).await,
        Err(ServiceError::Invalid {
            field: "property_id",
            ..
        })
    ));

    // Another contractor's office: Brightspark's quote does not exist for Northgate.
    let mark = actor(&cx, NORTHGATE_OFFICE).await;
    assert!(quotes::desk_quotes(&cx, &mark).await.unwrap().is_empty());
    let answer = QuoteAnswer {
        amount: "1".into(),
        ..Default::default()
    };
    assert!(matches!(
        quotes::answer(&cx, &mark, quote, answer, now_ms()).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        quotes::decline(&cx, &mark, quote, None, now_ms()).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        quotes::quote_document(&cx, &mark, quote).await,
        Err(ServiceError::NotFound(_))
    ));
    // The office that sent it reads its document; a technician has no quotes.
    let rachel = actor(&cx, BRIGHTSPARK_OFFICE).await;
    let app::files::StoredFile { name, bytes, .. } =
        quotes::quote_document(&cx, &rachel, quote).await.unwrap();
    assert_eq!(name, "quote.pdf");
    assert!(bytes.starts_with(b"%PDF"));
    let tom = actor(&cx, TECHNICIAN).await;
    assert!(matches!(
        quotes::quote_document(&cx, &tom, quote).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(quotes::desk_quotes(&cx, &tom).await.is_err());
    // A read-only agent compares but neither asks nor accepts.
    let sam = actor(&cx, READ_ONLY).await;
    assert!(quotes::request_detail(&cx, &sam, request, now_ms())
        .await
        .is_ok());
    assert!(matches!(
        quotes::accept(&cx, &sam, quote, None, now_ms()).await,
        Err(ServiceError::MissingPermission(_))
    ));
    // Nothing changed through any of it.
    assert_eq!(
        count(&cx, "SELECT COUNT(*) FROM quotes WHERE status = 'quoted'").await,
        1
    );
});

db_test!(a_withdrawn_request_closes_every_quote, |cx| {
    seeded(&cx).await;
    let request = requested(
        ask(
            &cx,
            AGENT,
            &["Brightspark Electrical Ltd", "Northgate Gas & Heating"],
            None,
        )
        .await,
    );
    answer(&cx, BRIGHTSPARK_OFFICE, "700").await.unwrap();
    let agent = actor(&cx, AGENT).await;
    quotes::withdraw(&cx, &agent, request, now_ms())
        .await
        .unwrap();
    let detail = quotes::request_detail(&cx, &agent, request, now_ms())
        .await
        .unwrap();
    assert_eq!(detail.state, RequestState::Withdrawn);
    assert!(detail
        .quotes
        .iter()
        .all(|q| q.status == QuoteStatus::NotChosen));
    assert_eq!(
        count(
            &cx,
            "SELECT COUNT(*) FROM outbox_emails WHERE idempotency_key LIKE 'quote-closed:%'"
        )
        .await,
        2
    );
    assert!(matches!(
        answer(&cx, NORTHGATE_OFFICE, "800").await,
        Err(ServiceError::Refused(_))
    ));
    assert!(matches!(
        quotes::withdraw(&cx, &agent, request, now_ms()).await,
        Err(ServiceError::Refused(_))
    ));
});
