//! Certificate files and live events over a real socket, on both databases: multipart upload by
//! the contractor's office, checks by content and size, downloads with safe headers only for
//! those allowed, and the event stream telling an agent's page about the upload.

use crate::support::{browser, call, number, post_form, seeded, sign_in, start};
use app::db::Db;
use app::db_test;
use futures_util::StreamExt;
use reqwest::multipart::{Form, Part};

const OFFICE: &str = "office@brightspark.example";
const ADMIN: &str = "alex.morgan@harbour-lettings.example";

/// What Chromium asks for when it sends a form itself.
const BROWSER_FORM: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// The first of Brightspark's accepted tasks in the demo data.
async fn accepted_brightspark_task(db: &Db) -> i64 {
    number(
        db,
        "SELECT MIN(t.id) FROM tasks t JOIN contractors c ON c.id = t.contractor_id \
         WHERE c.company_name = 'Brightspark Electrical Ltd' AND t.status = 'accepted'",
    )
    .await
}

/// The text of an answer that must be an HTML page (what a browser-sent form gets back).
async fn html_page(response: reqwest::Response) -> String {
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    response.text().await.unwrap()
}

fn form(type_id: i64, name: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("certificate_type_id", type_id.to_string())
        .text("start_date", "2026-01-01")
        .text("end_date", "2027-01-01")
        .text("reminder", "Month1")
        .part("file", Part::bytes(bytes).file_name(name.to_string()))
}

async fn upload(client: &reqwest::Client, base: &str, form: Form) -> (u16, serde_json::Value) {
    post_form(client, base, "/files/certificates", form).await
}

db_test!(
    certificate_files_go_up_checked_and_come_down_only_to_those_allowed,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let office = browser();
        sign_in(&office, &base, OFFICE).await;
        let admin = browser();
        sign_in(&admin, &base, ADMIN).await;
        let gas = number(
            &cx.db,
            "SELECT id FROM certificate_types WHERE name = 'Gas safety'",
        )
        .await;
        let brightspark = number(
            &cx.db,
            "SELECT id FROM contractors WHERE company_name = 'Brightspark Electrical Ltd'",
        )
        .await;
        let (status, _) = call(
            &admin,
            &base,
            "contractors/request_certificate",
            &[
                ("contractor_id", brightspark.to_string().as_str()),
                ("certificate_type_id", gas.to_string().as_str()),
            ],
        )
        .await;
        assert_eq!(status, 200);

        // The agent's page listens before the contractor uploads.
        let events = admin.get(format!("{base}/events")).send().await.unwrap();
        assert_eq!(events.status(), 200);
        assert_eq!(
            events.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        let mut stream = events.bytes_stream();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;

        let pdf = b"%PDF-1.4\n% certificate\n".to_vec();
        let (status, body) =
            upload(&office, &base, form(gas, "gas \"cert\".pdf", pdf.clone())).await;
        assert_eq!(status, 201, "{body}");
        let document = body["document_id"].as_i64().unwrap();

        let mut seen = String::new();
        let found = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while let Some(chunk) = stream.next().await {
                seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
                if seen.contains("event: certification") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(found, Ok(true), "event stream said: {seen:?}");
        assert!(seen.contains(&format!("data: {brightspark}")), "{seen}");

        for client in [&office, &admin] {
            let r = client
                .get(format!("{base}/files/certificates/{document}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "application/pdf");
            assert_eq!(
                r.headers()["content-disposition"],
                "attachment; filename=\"gas _cert_.pdf\""
            );
            assert_eq!(r.headers()["x-content-type-options"], "nosniff");
            assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
        }
        // Another contractor's office, and a stranger.
        let northgate = browser();
        sign_in(&northgate, &base, "desk@northgate-gas.example").await;
        let r = northgate
            .get(format!("{base}/files/certificates/{document}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let r = reqwest::get(format!("{base}/files/certificates/{document}"))
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = reqwest::get(format!("{base}/events")).await.unwrap();
        assert_eq!(r.status(), 401);

        // Refused by content, by size, and without a file; nothing is recorded.
        let before = number(&cx.db, "SELECT COUNT(*) FROM certificate_documents").await;
        let (status, body) = upload(
            &office,
            &base,
            form(gas, "gas.pdf", b"MZ\x90\0exe".to_vec()),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(body["Invalid"]["field"], "file");
        assert!(
            body["Invalid"]["message"]
                .as_str()
                .unwrap()
                .contains("not a PDF"),
            "{body}"
        );
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(10 * 1024 * 1024 + 1, b'x');
        let (status, body) = upload(&office, &base, form(gas, "big.pdf", big)).await;
        assert_eq!(status, 413, "{body}");
        let no_file = Form::new().text("certificate_type_id", gas.to_string());
        let (status, body) = upload(&office, &base, no_file).await;
        assert_eq!(
            (status, body["Invalid"]["field"].as_str()),
            (422, Some("file"))
        );
        let bad_date = form(gas, "gas.pdf", b"%PDF-1.4".to_vec()).text("end_date", "31/02/2027");
        let (status, _) = upload(&office, &base, bad_date).await;
        assert_eq!(status, 422);
        let stranger = reqwest::Client::new();
        let (status, _) =
            upload(&stranger, &base, form(gas, "gas.pdf", b"%PDF-1.4".to_vec())).await;
        assert_eq!(status, 401);
        assert_eq!(
            number(&cx.db, "SELECT COUNT(*) FROM certificate_documents").await,
            before
        );
        // A scan of a few megabytes goes through (not only small files).
        let mut scan = b"%PDF-1.4\n".to_vec();
        scan.resize(3 * 1024 * 1024, b'x');
        let (status, body) = upload(&office, &base, form(gas, "scan.pdf", scan)).await;
        assert_eq!(status, 201, "{body}");
    }
);

db_test!(
    completing_a_task_takes_its_documents_and_date_and_only_the_task_people_read_them,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let office = browser();
        sign_in(&office, &base, OFFICE).await;
        let admin = browser();
        sign_in(&admin, &base, ADMIN).await;
        let task = accepted_brightspark_task(&cx.db).await;
        let path = format!("/files/tasks/{task}/complete");
        let today = chrono::Utc::now().date_naive().to_string();
        let pdf = |name: &str| Part::bytes(b"%PDF-1.4 report".to_vec()).file_name(name.to_string());
        let documents = || {
            Form::new()
                .part("report", pdf("report.pdf"))
                .part("invoice", pdf("invoice.pdf"))
        };
        // No date, then a file in a field that is not a document kind.
        let (status, body) = post_form(&office, &base, &path, documents()).await;
        assert_eq!(
            (status, body["Invalid"]["field"].as_str()),
            (422, Some("on_site_date"))
        );
        let odd = documents()
            .text("on_site_date", today.clone())
            .part("photo", pdf("x.pdf"));
        assert_eq!(post_form(&office, &base, &path, odd).await.0, 422);
        // The agency cannot complete for the contractor; a stranger is not signed in.
        let (status, _) = post_form(
            &admin,
            &base,
            &path,
            documents().text("on_site_date", today.clone()),
        )
        .await;
        assert_eq!(status, 409);
        let (status, _) = post_form(
            &reqwest::Client::new(),
            &base,
            &path,
            documents().text("on_site_date", today.clone()),
        )
        .await;
        assert_eq!(status, 401);
        assert_eq!(
            number(&cx.db, "SELECT COUNT(*) FROM task_documents").await,
            0,
            "nothing recorded by refused attempts"
        );

        let (status, body) = post_form(
            &office,
            &base,
            &path,
            documents().text("on_site_date", today.clone()),
        )
        .await;
        assert_eq!(
            (status, body["status"].as_str()),
            (200, Some("performed")),
            "{body}"
        );
        // Completing twice is not a step of the lifecycle.
        let (status, _) = post_form(
            &office,
            &base,
            &path,
            documents().text("on_site_date", today.clone()),
        )
        .await;
        assert_eq!(status, 409);

        let document = number(&cx.db, "SELECT MIN(id) FROM task_documents").await;
        for client in [&office, &admin] {
            let r = client
                .get(format!("{base}/files/task-documents/{document}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "application/pdf");
            assert_eq!(
                r.headers()["content-disposition"],
                "attachment; filename=\"report.pdf\""
            );
        }
        let northgate = browser();
        sign_in(&northgate, &base, "desk@northgate-gas.example").await;
        let r = northgate
            .get(format!("{base}/files/task-documents/{document}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        // The agency adds a client's document; the other contractor cannot.
        let client_doc = |name: &str| Form::new().part("file", pdf(name));
        let docs = format!("/files/tasks/{task}/documents");
        assert_eq!(
            post_form(&admin, &base, &docs, client_doc("plan.pdf"))
                .await
                .0,
            201
        );
        assert_eq!(
            post_form(&northgate, &base, &docs, client_doc("x.pdf"))
                .await
                .0,
            404
        );
    }
);

/// A 1×1 PNG, as small as a real photo gets.
const PNG: [u8; 70] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0,
    0, 0, 31, 21, 196, 137, 0, 0, 0, 13, 73, 68, 65, 84, 120, 218, 99, 100, 96, 248, 95, 15, 0, 2,
    135, 1, 128, 235, 71, 186, 146, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

db_test!(
    defects_go_up_with_photos_and_the_photos_show_only_to_the_task_people,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let office = browser();
        sign_in(&office, &base, OFFICE).await;
        let admin = browser();
        sign_in(&admin, &base, ADMIN).await;
        let task = accepted_brightspark_task(&cx.db).await;
        let path = format!("/files/tasks/{task}/defects");
        let defect = |severity: &str| {
            Form::new()
                .text("severity", severity.to_string())
                .text("description", "Cracked socket in the kitchen")
                .part("photo", Part::bytes(PNG.to_vec()).file_name("socket.png"))
        };
        let (status, body) = post_form(&office, &base, &path, defect("fatal")).await;
        assert_eq!(
            (status, body["Invalid"]["field"].as_str()),
            (422, Some("severity"))
        );
        let (status, _) = post_form(&admin, &base, &path, defect("critical")).await;
        assert_eq!(
            status, 403,
            "the agency reads defects but does not report them"
        );
        let (status, body) = post_form(&office, &base, &path, defect("critical")).await;
        assert_eq!(status, 201, "{body}");

        let photo = number(&cx.db, "SELECT MIN(id) FROM defect_photos").await;
        for client in [&office, &admin] {
            let r = client
                .get(format!("{base}/files/defect-photos/{photo}/thumbnail"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "image/jpeg");
            assert!(r.headers().get("content-disposition").is_none());
            assert_eq!(&r.bytes().await.unwrap()[..3], &[0xFF, 0xD8, 0xFF]);
        }
        let northgate = browser();
        sign_in(&northgate, &base, "desk@northgate-gas.example").await;
        for url in [
            format!("{base}/files/defect-photos/{photo}/view"),
            format!("{base}/files/defect-photos/{photo}/original"),
        ] {
            assert_eq!(northgate.get(url).send().await.unwrap().status(), 404);
        }
        assert_eq!(
            post_form(&northgate, &base, &path, defect("critical"))
                .await
                .0,
            404
        );
    }
);

// A form with files sent by the browser itself (the page's script not yet running, as on a
// phone with a slow connection) gets pages back, not JSON: the task again once it is saved, or
// what to correct with a link back to the task.
db_test!(
    a_defect_sent_before_the_page_s_script_runs_comes_back_to_the_task,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let office = browser();
        sign_in(&office, &base, OFFICE).await;
        let task = accepted_brightspark_task(&cx.db).await;
        let send = |severity: &'static str| {
            let form = Form::new()
                .text("severity", severity)
                .text("description", "Loose socket in the hall")
                .part("photo", Part::bytes(PNG.to_vec()).file_name("socket.png"));
            office
                .post(format!("{base}/files/tasks/{task}/defects"))
                .header("origin", &base)
                .header("accept", BROWSER_FORM)
                .multipart(form)
                .send()
        };
        let refused = send("fatal").await.unwrap();
        assert_eq!(refused.status(), 422);
        let page = html_page(refused).await;
        assert!(page.contains("Choose how serious the defect is."), "{page}");
        assert!(
            page.contains(&format!("href=\"/desk/tasks/{task}\"")),
            "{page}"
        );
        let count = || async {
            number(
                &cx.db,
                &format!("SELECT COUNT(*) FROM defects WHERE task_id = {task}"),
            )
            .await
        };
        assert_eq!(count().await, 0);

        let sent = send("critical").await.unwrap();
        assert_eq!(sent.status(), 303);
        assert_eq!(sent.headers()["location"], format!("/desk/tasks/{task}"));
        assert_eq!(count().await, 1);
    }
);

db_test!(
    a_completion_sent_before_the_page_s_script_runs_comes_back_to_the_task,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let office = browser();
        sign_in(&office, &base, OFFICE).await;
        let task = accepted_brightspark_task(&cx.db).await;
        let send = |date: Option<String>| {
            let mut form = Form::new().part(
                "report",
                Part::bytes(b"%PDF-1.4 report".to_vec()).file_name("report.pdf"),
            );
            if let Some(date) = date {
                form = form.text("on_site_date", date);
            }
            office
                .post(format!("{base}/files/tasks/{task}/complete"))
                .header("origin", &base)
                .header("accept", BROWSER_FORM)
                .multipart(form)
                .send()
        };
        let refused = send(None).await.unwrap();
        assert_eq!(refused.status(), 422);
        let page = html_page(refused).await;
        assert!(
            page.contains(&format!("href=\"/desk/tasks/{task}\"")),
            "{page}"
        );
        let documents = || async {
            number(
                &cx.db,
                &format!("SELECT COUNT(*) FROM task_documents WHERE task_id = {task}"),
            )
            .await
        };
        assert_eq!(documents().await, 0);

        let today = chrono::Utc::now().date_naive().to_string();
        let sent = send(Some(today)).await.unwrap();
        assert_eq!(sent.status(), 303);
        assert_eq!(sent.headers()["location"], format!("/desk/tasks/{task}"));
        assert_eq!(documents().await, 1);
    }
);

db_test!(
    a_defect_sent_by_the_browser_after_the_session_ended_goes_to_sign_in_and_back,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let task = accepted_brightspark_task(&cx.db).await;
        // No session: it ended while the page was open.
        let phone = browser();
        let send = |accept: &'static str, referer: Option<String>| {
            let form = Form::new()
                .text("severity", "critical")
                .text("description", "Loose socket in the hall");
            let mut request = phone
                .post(format!("{base}/files/tasks/{task}/defects"))
                .header("origin", &base)
                .header("accept", accept)
                .multipart(form);
            if let Some(referer) = referer {
                request = request.header("referer", referer);
            }
            request.send()
        };
        let from_task = send(BROWSER_FORM, Some(format!("{base}/tech/tasks/{task}")))
            .await
            .unwrap();
        assert_eq!(from_task.status(), 303);
        assert_eq!(
            from_task.headers()["location"],
            format!("/sign-in?next=/tech/tasks/{task}")
        );
        // Only the Referer's path is kept: another site's address sends nobody there.
        let elsewhere = send(
            BROWSER_FORM,
            Some(format!("https://elsewhere.example/tech/tasks/{task}")),
        )
        .await
        .unwrap();
        assert_eq!(
            elsewhere.headers()["location"],
            format!("/sign-in?next=/tech/tasks/{task}")
        );
        let unknown = send(BROWSER_FORM, None).await.unwrap();
        assert_eq!(unknown.headers()["location"], "/sign-in?next=/");
        // The page's script and API clients still get the refusal itself.
        let script = send("application/json", None).await.unwrap();
        assert_eq!(script.status(), 401);
        let count = number(
            &cx.db,
            &format!("SELECT COUNT(*) FROM defects WHERE task_id = {task}"),
        )
        .await;
        assert_eq!(count, 0);
    }
);

db_test!(
    accreditations_go_up_for_the_office_s_own_technicians_only,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let office = browser();
        sign_in(&office, &base, OFFICE).await;
        let admin = browser();
        sign_in(&admin, &base, ADMIN).await;
        let northgate = browser();
        sign_in(&northgate, &base, "desk@northgate-gas.example").await;
        let electrical = number(
            &cx.db,
            "SELECT id FROM certificate_types WHERE name = 'Electrical installation'",
        )
        .await;
        let tom = number(
            &cx.db,
            "SELECT id FROM users WHERE email = 'tom.baker@brightspark.example'",
        )
        .await;
        let nina = number(
            &cx.db,
            "SELECT id FROM users WHERE email = 'nina.kowalski@northgate-gas.example'",
        )
        .await;
        let accreditation = |name: &str, bytes: &[u8]| {
            Form::new()
                .text("certificate_type_id", electrical.to_string())
                .text("start_date", "2026-01-01")
                .text("end_date", "2027-01-01")
                .part(
                    "file",
                    Part::bytes(bytes.to_vec()).file_name(name.to_string()),
                )
        };
        let path = |id: i64| format!("/files/technicians/{id}/accreditations");
        let pdf = b"%PDF-1.4 accreditation".as_slice();
        let (status, body) =
            post_form(&office, &base, &path(tom), accreditation("a.pdf", pdf)).await;
        assert_eq!(status, 201, "{body}");
        let id = body["accreditation_id"].as_i64().unwrap();
        // A file that is not what its name says, another company's technician, the agency.
        let (status, body) = post_form(
            &office,
            &base,
            &path(tom),
            accreditation("a.pdf", b"MZ not a pdf"),
        )
        .await;
        assert_eq!(
            (status, body["Invalid"]["field"].as_str()),
            (422, Some("file"))
        );
        assert_eq!(
            post_form(&office, &base, &path(nina), accreditation("a.pdf", pdf))
                .await
                .0,
            404
        );
        assert_eq!(
            post_form(&admin, &base, &path(tom), accreditation("a.pdf", pdf))
                .await
                .0,
            403
        );
        // Downloads: the office and the agency, not another contractor.
        let download = |client: reqwest::Client| {
            let url = format!("{base}/files/accreditations/{id}");
            async move { client.get(url).send().await.unwrap().status().as_u16() }
        };
        assert_eq!(download(office.clone()).await, 200);
        assert_eq!(download(admin.clone()).await, 200);
        assert_eq!(download(northgate.clone()).await, 404);
        assert_eq!(download(browser()).await, 401);
    }
);

db_test!(
    a_quote_goes_up_with_its_document_and_comes_down_to_the_agency_only,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let admin = browser();
        sign_in(&admin, &base, ADMIN).await;
        let office = browser();
        sign_in(&office, &base, OFFICE).await;
        let property = number(&cx.db, "SELECT MIN(id) FROM properties").await;
        let brightspark = number(
            &cx.db,
            "SELECT id FROM contractors WHERE company_name = 'Brightspark Electrical Ltd'",
        )
        .await;
        let (status, body) = call(
            &admin,
            &base,
            "quotes/request",
            &[
                ("request[property_id]", property.to_string().as_str()),
                ("request[title]", "Rewire the kitchen"),
                ("request[priority]", "normal"),
                ("request[contractors]", brightspark.to_string().as_str()),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, quotes) = call(&office, &base, "quotes/desk", &[]).await;
        assert_eq!(status, 200, "{quotes}");
        let quote = quotes[0]["id"].as_i64().unwrap();
        let path = format!("/files/quotes/{quote}/answer");
        let pdf = b"%PDF-1.4\n% the office's quote\n".to_vec();
        let answer = |amount: &str, note: String| {
            Form::new()
                .text("amount", amount.to_string())
                .text("note", note)
                .part("quote", Part::bytes(pdf.clone()).file_name("quote.pdf"))
        };

        // Answered beside the field at fault, and nothing is kept.
        let (status, body) = post_form(
            &office,
            &base,
            &path,
            answer("about a grand", String::new()),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["Invalid"]["field"], "amount");
        assert!(
            body["Invalid"]["message"]
                .as_str()
                .unwrap()
                .contains("pounds"),
            "{body}"
        );
        // 2,000 letters pass whatever their bytes (é is two); 2,001 are refused beside the note.
        let (status, body) =
            post_form(&office, &base, &path, answer("10", "é".repeat(2_001))).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["Invalid"]["field"], "note");
        assert!(
            body["Invalid"]["message"]
                .as_str()
                .unwrap()
                .contains("2,000"),
            "{body}"
        );
        let unanswered = number(
            &cx.db,
            "SELECT COUNT(*) FROM quotes WHERE status = 'requested' AND storage_key IS NULL",
        )
        .await;
        assert_eq!(unanswered, 1);

        let (status, body) =
            post_form(&office, &base, &path, answer("1,250.50", "é".repeat(2_000))).await;
        assert_eq!(status, 200, "{body}");
        let amount = number(&cx.db, "SELECT amount_pence FROM quotes").await;
        assert_eq!(amount, 125_050);

        // The agency and the office that sent it read the document; another office does not.
        let download = format!("{base}/files/quotes/{quote}/document");
        let response = admin.get(&download).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.unwrap().to_vec(), pdf);
        let northgate = browser();
        sign_in(&northgate, &base, "desk@northgate-gas.example").await;
        assert_eq!(northgate.get(&download).send().await.unwrap().status(), 404);
        assert_eq!(
            reqwest::get(&download).await.unwrap().status(),
            401,
            "not signed in"
        );
    }
);
