//! Reading certificates for the user: the generated corpus through the real reader (a child
//! process running pdf-extract), what an upload stores, cover minimums on both databases.

use app::domain::certificate_reading::{has_text, read_certificate, Reading};
use app::files::certificate_corpus::{corpus, scanned_certificate};
use app::files::certificate_text::{pdf_text, use_reader, TextReader};
use std::time::Duration;

fn reader() {
    use_reader(TextReader {
        program: env!("CARGO_BIN_EXE_certidesk-read-pdf").into(),
        args: vec![],
        deadline: Duration::from_secs(20),
    });
}

#[derive(Default)]
struct Tally {
    found: u32,
    missed: u32,
    wrong: u32,
}

impl Tally {
    fn count<T: PartialEq + std::fmt::Debug>(
        &mut self,
        got: &Option<T>,
        want: &Option<T>,
        what: &str,
    ) {
        match (got, want) {
            (Some(g), Some(w)) if g == w => self.found += 1,
            (None, Some(_)) => self.missed += 1,
            (None, None) => {}
            (Some(g), w) => {
                self.wrong += 1;
                println!("    wrong {what}: read {g:?}, expected {w:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_corpus_is_read_with_no_wrong_dates() {
    reader();
    let mut tallies: [(&str, Tally); 5] = [
        ("start date", Tally::default()),
        ("end date", Tally::default()),
        ("issuer", Tally::default()),
        ("reference", Tally::default()),
        ("cover", Tally::default()),
    ];
    let specimens = corpus();
    assert!(
        specimens.len() >= 12,
        "the corpus keeps at least 12 certificates"
    );
    for s in &specimens {
        let text = pdf_text(&s.pdf).await.expect("a corpus PDF reads");
        let r: Reading = read_certificate(&text, s.certificate_type);
        println!("{}:", s.name);
        let e = &s.expected;
        tallies[0]
            .1
            .count(&r.start_date, &e.start_date, "start date");
        tallies[1].1.count(&r.end_date, &e.end_date, "end date");
        tallies[2].1.count(&r.issuer, &e.issuer, "issuer");
        tallies[3].1.count(&r.reference, &e.reference, "reference");
        tallies[4].1.count(&r.cover, &e.cover, "cover");
        if r != *e {
            println!("    text read:\n{}", text.trim());
        }
    }
    println!(
        "\n{:<12} {:>6} {:>7} {:>6}",
        "field", "found", "missed", "wrong"
    );
    for (name, t) in &tallies {
        println!("{name:<12} {:>6} {:>7} {:>6}", t.found, t.missed, t.wrong);
    }
    let (start, end, cover) = (&tallies[0].1, &tallies[1].1, &tallies[4].1);
    assert_eq!(
        start.wrong + end.wrong,
        0,
        "a wrong date is worse than none"
    );
    assert_eq!(cover.wrong, 0, "a wrong cover is worse than none");
    // Most of what the corpus states is found.
    assert!(
        start.found >= 11 && end.found >= 10,
        "dates found: {} / {}",
        start.found,
        end.found
    );
    assert!(cover.found >= 5, "covers found: {}", cover.found);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_has_no_text() {
    reader();
    let text = pdf_text(&scanned_certificate())
        .await
        .expect("a scan is a readable PDF");
    // Only the page number the writer stamps on every page.
    assert!(!has_text(&text), "{text:?}");
}

mod services {
    use super::reader;
    use app::db::now_ms;
    use app::db_test;
    use app::domain::certificate_reading::{DocumentCheck, Value};
    use app::domain::compliance::ComplianceStatus;
    use app::files::certificate_corpus::gas_safety_record;

    use app::services::compliance::{self, Instruction, NewDocument, Upload};
    use app::services::{certificate_reading, certificate_types, Context, ServiceError};
    use app::testing::{actor, contractor_id, seed_demo, OtherAgency};
    use chrono::NaiveDate;

    const ADMIN: &str = "alex.morgan@harbour-lettings.example";
    const READ_ONLY: &str = "sam.reid@harbour-lettings.example";
    const OFFICE: &str = "office@brightspark.example";

    async fn type_id(cx: &Context, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM certificate_types WHERE name = $1 ORDER BY id")
            .bind(name)
            .fetch_one(cx.db.pool())
            .await
            .unwrap()
    }

    db_test!(
        a_low_cover_document_leaves_the_requirement_red_with_its_reason,
        |cx| {
            seed_demo(&cx).await;
            let now = now_ms();
            let admin = actor(&cx, ADMIN).await;
            let office = actor(&cx, OFFICE).await;
            let brightspark = contractor_id(&cx, "Brightspark Electrical Ltd").await;
            let liability = type_id(&cx, "Public liability insurance").await;
            compliance::request_certificate(&cx, &admin, brightspark, liability, now)
                .await
                .unwrap();

            // Only agents who manage certification set minimums, and only on their own types.
            assert!(matches!(
                certificate_types::set_minimum_cover(
                    &cx,
                    &actor(&cx, READ_ONLY).await,
                    liability,
                    Some(5_000_000),
                    now
                )
                .await,
                Err(ServiceError::MissingPermission(_))
            ));
            let other = OtherAgency::create(&cx).await;
            assert!(matches!(
                certificate_types::set_minimum_cover(
                    &cx,
                    &other.admin(&cx).await,
                    liability,
                    Some(1),
                    now
                )
                .await,
                Err(ServiceError::NotFound(_))
            ));
            assert!(matches!(
                certificate_types::set_minimum_cover(&cx, &admin, liability, Some(0), now).await,
                Err(ServiceError::Invalid { .. })
            ));
            certificate_types::set_minimum_cover(&cx, &admin, liability, Some(5_000_000), now)
                .await
                .unwrap();

            let low = NewDocument {
                contractor_id: brightspark,
                certificate_type_id: liability,
                end_date: NaiveDate::from_ymd_opt(2099, 1, 1),
                cover: Some(2_000_000),
                ..Default::default()
            };
            let id = compliance::add_document(&cx, &office, low.clone(), now)
                .await
                .unwrap();
            compliance::validate_document(&cx, &admin, id, now)
                .await
                .unwrap();
            let requirement = compliance::contractor_requirements(&cx, &admin, brightspark, now)
                .await
                .unwrap()
                .into_iter()
                .find(|r| r.certificate_type_id == liability)
                .unwrap();
            assert_eq!(requirement.status.status, ComplianceStatus::CoverTooLow);
            let reason = "Public liability insurance £2,000,000, below the £5,000,000 required";
            assert_eq!(
                requirement.status.problem("Public liability insurance"),
                reason
            );
            // The instruct check names the reason.
            let mut conn = cx.db.pool().acquire().await.unwrap();
            match compliance::check_instruction(
                &cx,
                &mut conn,
                &admin,
                brightspark,
                Default::default(),
                None,
                now,
            )
            .await
            .unwrap()
            {
                Instruction::Blocked { problems, .. } => {
                    assert!(problems.iter().any(|p| p == reason), "{problems:?}")
                }
                other => panic!("a low cover must block: {other:?}"),
            }
            drop(conn);

            // A renewal with enough cover, validated, makes it valid again.
            let enough = NewDocument {
                cover: Some(5_000_000),
                ..low
            };
            let id = compliance::add_document(&cx, &office, enough, now + 1)
                .await
                .unwrap();
            compliance::validate_document(&cx, &admin, id, now + 1)
                .await
                .unwrap();
            let status = compliance::contractor_requirements(&cx, &admin, brightspark, now + 2)
                .await
                .unwrap()
                .into_iter()
                .find(|r| r.certificate_type_id == liability)
                .unwrap()
                .status;
            assert_eq!(status.status, ComplianceStatus::Valid);
            assert_eq!(status.shortfall, None);
        }
    );

    db_test!(an_upload_keeps_what_the_document_says_for_the_agent, |cx| {
        reader();
        seed_demo(&cx).await;
        let now = now_ms();
        let admin = actor(&cx, ADMIN).await;
        let office = actor(&cx, OFFICE).await;
        let brightspark = office.contractor_id.unwrap();
        let gas = type_id(&cx, "Gas safety").await;
        compliance::request_certificate(&cx, &admin, brightspark, gas, now)
            .await
            .unwrap();
        let upload = Upload {
            file_name: "cp12.pdf".into(),
            bytes: gas_safety_record(),
        };

        // The form's proposal: read, nothing stored.
        let proposal = certificate_reading::propose(&cx, &office, gas, &upload)
            .await
            .unwrap();
        assert_eq!(
            proposal.reading.end_date,
            NaiveDate::from_ymd_opt(2027, 3, 13)
        );
        assert_eq!(proposal.reading.reference.as_deref(), Some("547812"));
        // Another agency's type is not found; a technician may not ask.
        let other = OtherAgency::create(&cx).await;
        assert!(matches!(
            certificate_reading::propose(&cx, &other.admin(&cx).await, gas, &upload).await,
            Err(ServiceError::NotFound(_))
        ));

        let typed = |end| NewDocument {
            contractor_id: brightspark,
            certificate_type_id: gas,
            start_date: NaiveDate::from_ymd_opt(2026, 3, 14),
            end_date: end,
            ..Default::default()
        };
        compliance::upload_document(
            &cx,
            &office,
            typed(NaiveDate::from_ymd_opt(2027, 3, 13)),
            upload.clone(),
            now,
        )
        .await
        .unwrap();
        compliance::upload_document(
            &cx,
            &office,
            typed(NaiveDate::from_ymd_opt(2028, 3, 13)),
            upload,
            now + 1,
        )
        .await
        .unwrap();
        let tab = compliance::contractor_certification(&cx, &admin, brightspark, now + 2)
            .await
            .unwrap();
        let documents = &tab
            .requirements
            .iter()
            .find(|r| r.certificate_type_id == gas)
            .unwrap()
            .documents;
        // Newest first: the mistyped expiry, then the matching one.
        match &documents[0].check {
            Some(DocumentCheck::Differs(d)) => {
                assert_eq!(d.len(), 1);
                assert_eq!(d[0].field, "expiry date");
                assert_eq!(
                    d[0].document,
                    Value::Date(NaiveDate::from_ymd_opt(2027, 3, 13).unwrap())
                );
            }
            other => panic!("a mistyped expiry must show: {other:?}"),
        }
        assert_eq!(documents[1].check, Some(DocumentCheck::Matches));
    });
}
