//! One answer for one refusal: a multipart route and a server function refusing for the same
//! reason answer with the same status and the same JSON (the page reads both one way), on both
//! databases. Downloads, which a person opens in a tab, say the same in text.

use crate::support::{browser, call, number, post_form, seeded, sign_in, start};
use app::db_test;
use app::domain::form_fields::NOT_A_DATE;
use reqwest::multipart::{Form, Part};
use serde_json::json;

const READ_ONLY_AGENT: &str = "sam.reid@harbour-lettings.example";
const AGENT: &str = "priya.shah@harbour-lettings.example";

fn certificate(contractor: i64, certificate_type: i64, end_date: &str) -> Form {
    Form::new()
        .text("contractor_id", contractor.to_string())
        .text("certificate_type_id", certificate_type.to_string())
        .text("start_date", "2026-01-01")
        .text("end_date", end_date.to_string())
        .part(
            "file",
            Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("gas.pdf"),
        )
}

db_test!(routes_and_server_functions_refuse_in_one_voice, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let contractor = number(&cx.db, "SELECT MIN(id) FROM contractors").await;
    let gas = number(&cx.db, "SELECT MIN(id) FROM certificate_types").await;
    let document = number(&cx.db, "SELECT MIN(id) FROM certificate_documents").await;
    let upload = |client: reqwest::Client, end_date: &'static str| {
        let base = base.clone();
        async move {
            post_form(
                &client,
                &base,
                "/files/certificates",
                certificate(contractor, gas, end_date),
            )
            .await
        }
    };

    // Not signed in.
    let stranger = browser();
    let route = upload(stranger.clone(), "2027-01-01").await;
    let function = call(
        &stranger,
        &base,
        "contractors/validate_document",
        &[("document_id", &document.to_string())],
    )
    .await;
    assert_eq!(route, (401, json!("NotSignedIn")));
    assert_eq!(route, function);

    // Forbidden: a read-only agent may not manage certification, either way.
    let reader = browser();
    sign_in(&reader, &base, READ_ONLY_AGENT).await;
    let route = upload(reader.clone(), "2027-01-01").await;
    let function = call(
        &reader,
        &base,
        "contractors/validate_document",
        &[("document_id", &document.to_string())],
    )
    .await;
    assert_eq!(route.0, 403, "{route:?}");
    assert!(route.1["Forbidden"].is_string(), "{route:?}");
    assert_eq!(route, function);

    // Not found: a task that does not exist (or is another agency's) is no task at all.
    let agent = browser();
    sign_in(&agent, &base, AGENT).await;
    let route = post_form(
        &agent,
        &base,
        "/files/tasks/999999/documents",
        Form::new().part(
            "file",
            Part::bytes(b"%PDF-1.4\n".to_vec()).file_name("a.pdf"),
        ),
    )
    .await;
    let function = call(&agent, &base, "tasks/detail", &[("task_id", "999999")]).await;
    assert_eq!(route, (404, json!({ "NotFound": "task" })));
    assert_eq!(route, function);
    // A download says the same to the person who opened it.
    let download = agent
        .get(format!("{base}/files/task-documents/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 404);
    assert_eq!(
        download.text().await.unwrap(),
        "That document was not found."
    );

    // A field the person can correct: beside the field, with the one message for a date.
    let route = upload(agent.clone(), "2027-02-30").await;
    assert_eq!(
        route,
        (
            422,
            json!({ "Invalid": { "field": "end_date", "message": NOT_A_DATE } })
        )
    );
    let function = call(
        &agent,
        &base,
        "tasks/instruct_check",
        &[
            ("contractor_id", &contractor.to_string()),
            ("due_date", "2027-02-30"),
        ],
    )
    .await;
    assert_eq!(
        function,
        (
            422,
            json!({ "Invalid": { "field": "due_date", "message": NOT_A_DATE } })
        )
    );
});
