//! Import and export routes over a real socket, on both databases: downloads with the right
//! headers, preview then commit through multipart uploads, and strangers and contractors refused.

use crate::support::{browser, seeded, sign_in, start};
use app::db_test;
use reqwest::multipart::{Form, Part};

const ADMIN: &str = "alex.morgan@harbour-lettings.example";

async fn post_file(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    bytes: Vec<u8>,
    all_or_nothing: bool,
) -> reqwest::Response {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name("import.csv"));
    if all_or_nothing {
        form = form.text("all_or_nothing", "on");
    }
    client
        .post(format!("{base}{path}"))
        .header("origin", base)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

db_test!(
    templates_export_preview_commit_and_error_report_over_http,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let admin = browser();
        sign_in(&admin, &base, ADMIN).await;

        let r = admin
            .get(format!("{base}/imports/certifications/template.xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(
            r.headers()["content-disposition"],
            "attachment; filename=\"certification-import-template.xlsx\""
        );
        assert!(r.bytes().await.unwrap().starts_with(b"PK"));
        let r = admin
            .get(format!("{base}/imports/certifications/template.csv"))
            .send()
            .await
            .unwrap();
        let template = r.text().await.unwrap();
        assert!(template.starts_with("\u{feff}ContractorUserTypeID,ExternalContractorRef,ContractorCompanyName,ContractorCertificateName,StartDate,EndDate,ContractorCertificateReminder,ContractorCertificateReminderRelatesTo,ContractorCertificateValid,ContractorCertificateCover,ContractorKindsOfWork\r\n"), "{template}");

        let export = admin
            .get(format!("{base}/exports/contractors.csv"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let fixright_line = export
            .lines()
            .find(|l| l.contains("Fixright Handyman"))
            .unwrap()
            .to_string();
        let fixright_id = fixright_line
            .split(',')
            .next()
            .unwrap()
            .trim_start_matches('\u{feff}')
            .to_string();

        let file = format!(
        "ContractorUserTypeID,ExternalContractorRef,ContractorCompanyName,ContractorCertificateName,StartDate,EndDate,ContractorCertificateReminder,ContractorCertificateReminderRelatesTo,ContractorCertificateValid\r\n\
         {fixright_id},,Fixright Handyman,DBS check,,31/12/2099,,,Yes\r\n\
         {fixright_id},,Fixright Handyman,Boiler magic,,31/12/2099,,,Yes\r\n"
    );
        let r = post_file(
            &admin,
            &base,
            "/imports/certifications/preview",
            file.clone().into_bytes(),
            false,
        )
        .await;
        assert_eq!(r.status(), 200);
        let preview: serde_json::Value = r.json().await.unwrap();
        assert_eq!(
            (preview["creates"].as_u64(), preview["errors"].as_u64()),
            (Some(1), Some(1)),
            "{preview}"
        );

        let r = post_file(
            &admin,
            &base,
            "/imports/certifications/commit",
            file.clone().into_bytes(),
            true,
        )
        .await;
        assert_eq!(r.status(), 409, "all or nothing with an error");
        let r = post_file(
            &admin,
            &base,
            "/imports/certifications/errors",
            file.clone().into_bytes(),
            false,
        )
        .await;
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        let report = r.text().await.unwrap();
        assert!(
            report.contains("Boiler magic")
                && report.contains("create it first under Certificate types"),
            "{report}"
        );
        let r = post_file(
            &admin,
            &base,
            "/imports/certifications/commit",
            file.into_bytes(),
            false,
        )
        .await;
        assert_eq!(r.status(), 200);
        let result: serde_json::Value = r.json().await.unwrap();
        assert_eq!(result["imported"], 1);

        // A tick box that is neither ticked nor not is refused, naming the field, not read as no.
        let r = admin
            .post(format!("{base}/imports/certifications/commit"))
            .header("origin", &base)
            .multipart(
                Form::new()
                    .part("file", Part::bytes(b"x".to_vec()).file_name("import.csv"))
                    .text("all_or_nothing", "perhaps"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("all_or_nothing"));

        // No file, strangers and contractors' offices.
        let r = admin
            .post(format!("{base}/imports/certifications/preview"))
            .header("origin", &base)
            .multipart(Form::new().text("all_or_nothing", "on"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let stranger = reqwest::Client::new();
        for path in [
            "/imports/certifications/template.csv",
            "/imports/certifications/template.xlsx",
            "/exports/contractors.csv",
        ] {
            assert_eq!(
                stranger
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .unwrap()
                    .status(),
                401,
                "{path}"
            );
        }
        for path in [
            "/imports/certifications/preview",
            "/imports/certifications/commit",
            "/imports/certifications/errors",
        ] {
            assert_eq!(
                post_file(&stranger, &base, path, b"x".to_vec(), false)
                    .await
                    .status(),
                401,
                "{path}"
            );
        }
        let office = browser();
        sign_in(&office, &base, "office@brightspark.example").await;
        for path in [
            "/imports/certifications/template.csv",
            "/imports/certifications/template.xlsx",
            "/exports/contractors.csv",
        ] {
            assert_eq!(
                office
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .unwrap()
                    .status(),
                403,
                "{path}"
            );
        }
        assert_eq!(
            post_file(
                &office,
                &base,
                "/imports/certifications/commit",
                b"x".to_vec(),
                false
            )
            .await
            .status(),
            403
        );
    }
);
