//! Demo data: one agency with agents, contractors and their technicians, certificate types,
//! properties and tasks in every status. The same content every time; dates are placed
//! relative to the day it is loaded, so the demo always looks current.

use super::ServiceError;
use crate::db::{flag, now_ms, Db};
use crate::domain::dates::to_storage;
use crate::domain::task_status::TaskStatus;
use crate::services::Context;
use chrono::{Days, NaiveDate};

/// The demo agency's name.
pub const AGENCY_NAME: &str = "Harbour Lettings";

/// The certificate types every agency starts with.
pub const BUILT_IN_CERTIFICATE_TYPES: [(&str, bool); 9] = [
    ("Gas safety", true),
    ("Electrical installation", true),
    ("Public liability insurance", false),
    ("Employer's liability insurance", false),
    ("PAT testing", true),
    ("Asbestos awareness", true),
    ("Legionella risk assessment", true),
    ("DBS check", true),
    ("Working at height", true),
];

const AGENTS: [(&str, &str, &str); 3] = [
    (
        "Alex Morgan",
        "alex.morgan@harbour-lettings.example",
        "Admin",
    ),
    ("Priya Shah", "priya.shah@harbour-lettings.example", "Agent"),
    ("Sam Reid", "sam.reid@harbour-lettings.example", "Read-only"),
];

// company, external ref, email, phone, trade
const CONTRACTORS: [(&str, &str, &str, &str, &str); 6] = [
    (
        "Brightspark Electrical Ltd",
        "BSE-001",
        "office@brightspark.example",
        "01632 960001",
        "Electrical",
    ),
    (
        "Northgate Gas & Heating",
        "NGH-002",
        "desk@northgate-gas.example",
        "01632 960002",
        "Gas",
    ),
    (
        "Clearflow Plumbing",
        "CFP-003",
        "jobs@clearflow.example",
        "01632 960003",
        "Plumbing",
    ),
    (
        "Ace Roofing Services",
        "ARS-004",
        "hello@aceroofing.example",
        "01632 960004",
        "Roofing",
    ),
    (
        "Greenleaf Grounds",
        "GLG-005",
        "team@greenleaf.example",
        "01632 960005",
        "Gardening",
    ),
    (
        "Fixright Handyman",
        "FRH-006",
        "bookings@fixright.example",
        "01632 960006",
        "General",
    ),
];

// contractor index, name, email, mobile
const TECHNICIANS: [(usize, &str, &str, &str); 5] = [
    (
        0,
        "Tom Baker",
        "tom.baker@brightspark.example",
        "07700 900101",
    ),
    (
        0,
        "Jess Lee",
        "jess.lee@brightspark.example",
        "07700 900102",
    ),
    (
        0,
        "Omar Haddad",
        "omar.haddad@brightspark.example",
        "07700 900103",
    ),
    (
        1,
        "Nina Kowalski",
        "nina.kowalski@northgate-gas.example",
        "07700 900201",
    ),
    (
        1,
        "Dev Anand",
        "dev.anand@northgate-gas.example",
        "07700 900202",
    ),
];

// contractor index, name, email
const OFFICE_USERS: [(usize, &str, &str); 3] = [
    (0, "Rachel Green", "office@brightspark.example"),
    (1, "Mark Evans", "desk@northgate-gas.example"),
    (5, "Lena Ortiz", "office@fixright.example"),
];

// line 1, town, postcode, access details
const PROPERTIES: [(&str, &str, &str, &str); 8] = [
    (
        "Flat 2, 14 Quayside",
        "Bristol",
        "BS1 4RN",
        "Key safe by the door, code 4471",
    ),
    (
        "27 Harbour Row",
        "Bristol",
        "BS1 5TT",
        "Tenant at home after 10:00; call ahead",
    ),
    (
        "Flat 9, Wapping Wharf",
        "Bristol",
        "BS1 6WP",
        "Concierge holds keys",
    ),
    (
        "3 Redcliffe Parade",
        "Bristol",
        "BS1 6SP",
        "Side gate, dog in garden",
    ),
    (
        "118 Gloucester Road",
        "Bristol",
        "BS7 8NN",
        "Shop below; use rear entrance",
    ),
    (
        "5 Clifton Vale",
        "Bristol",
        "BS8 4PH",
        "Vacant; keys at the office",
    ),
    (
        "Flat 1, 40 Whiteladies Road",
        "Bristol",
        "BS8 2LG",
        "Buzz flat 1",
    ),
    (
        "12 Cotham Brow",
        "Bristol",
        "BS6 6AR",
        "Tenant works nights; mornings only",
    ),
];

// contractor index, property index, title, status, priority, due in days, scheduled in days
type DemoTask = (
    usize,
    usize,
    &'static str,
    TaskStatus,
    &'static str,
    i64,
    Option<i64>,
);
const TASKS: [DemoTask; 14] = [
    (
        0,
        0,
        "Electrical installation condition report",
        TaskStatus::Assigned,
        "normal",
        14,
        None,
    ),
    (
        0,
        1,
        "Replace faulty consumer unit",
        TaskStatus::Assigned,
        "high",
        3,
        None,
    ),
    (
        0,
        2,
        "Test smoke and heat alarms",
        TaskStatus::Accepted,
        "normal",
        10,
        Some(5),
    ),
    (
        0,
        3,
        "Rewire kitchen sockets",
        TaskStatus::InProgress,
        "normal",
        7,
        Some(0),
    ),
    (
        0,
        4,
        "Emergency lighting test",
        TaskStatus::Revisit,
        "high",
        2,
        Some(1),
    ),
    (
        0,
        5,
        "Install outdoor security light",
        TaskStatus::PerformedNeedDocs,
        "low",
        -2,
        Some(-3),
    ),
    (
        0,
        6,
        "PAT testing of landlord appliances",
        TaskStatus::Performed,
        "normal",
        -5,
        Some(-6),
    ),
    (
        0,
        7,
        "Fix tripping RCD",
        TaskStatus::Completed,
        "urgent",
        -20,
        Some(-21),
    ),
    (
        0,
        1,
        "Quote: EV charger installation",
        TaskStatus::Rejected,
        "low",
        30,
        None,
    ),
    (
        1,
        0,
        "Annual gas safety check",
        TaskStatus::Assigned,
        "normal",
        21,
        None,
    ),
    (
        1,
        3,
        "Boiler service",
        TaskStatus::Accepted,
        "normal",
        12,
        Some(8),
    ),
    (
        2,
        2,
        "Leaking kitchen tap",
        TaskStatus::InProgress,
        "high",
        1,
        Some(0),
    ),
    (
        3,
        4,
        "Clear gutters and check roof tiles",
        TaskStatus::Assigned,
        "normal",
        28,
        None,
    ),
    (
        5,
        6,
        "Rehang bedroom door",
        TaskStatus::Draft,
        "low",
        35,
        None,
    ),
];

/// How a demo certificate stands today, so the demo shows every compliance status.
#[derive(Clone, Copy)]
enum DemoCertificate {
    /// Validated, ending this many days from today (`None`: no end date).
    Valid(Option<i64>),
    /// Validated and expired this many days ago, with a renewal waiting for validation.
    ExpiredWithRenewal(i64),
    /// Uploaded by the contractor, not yet validated.
    Uploaded(i64),
    /// Required, nothing uploaded.
    Missing,
}

// contractor, certificate type (index into BUILT_IN_CERTIFICATE_TYPES), state
const DEMO_CERTIFICATES: [(usize, usize, DemoCertificate); 12] = [
    (0, 1, DemoCertificate::Valid(Some(240))),
    (0, 2, DemoCertificate::Valid(Some(300))),
    (0, 3, DemoCertificate::Valid(Some(180))),
    (1, 0, DemoCertificate::Valid(Some(12))),
    (1, 2, DemoCertificate::Valid(Some(200))),
    (2, 2, DemoCertificate::ExpiredWithRenewal(20)),
    (2, 6, DemoCertificate::Missing),
    (3, 8, DemoCertificate::Uploaded(365)),
    (3, 2, DemoCertificate::Valid(Some(100))),
    (4, 4, DemoCertificate::Valid(None)),
    (4, 7, DemoCertificate::Valid(Some(400))),
    (4, 5, DemoCertificate::Missing),
];

/// The password of the demo's agents and office users. Exists only in demo data.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub agency: String,
    pub agents: Vec<(String, String)>,
    pub office_users: Vec<(String, String)>,
    pub technicians: Vec<(String, String)>,
    pub contractors: usize,
    pub properties: usize,
    pub tasks: usize,
}

/// Loads the demo data unless the database already has an agency. Returns what it loaded.
pub async fn seed_if_empty(db: &Db, today: NaiveDate) -> Result<Option<DemoSummary>, ServiceError> {
    let agencies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agencies")
        .fetch_one(db.pool())
        .await?;
    if agencies > 0 {
        return Ok(None);
    }
    let mut tx = db.begin_write().await?;
    let summary = seed(&mut tx, today).await?;
    tx.commit().await?;
    Ok(Some(summary))
}

async fn insert_id<'q>(
    tx: &mut crate::db::WriteTx,
    query: sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments<'q>>,
) -> Result<i64, ServiceError> {
    Ok(query.fetch_one(&mut **tx).await?)
}

async fn seed(tx: &mut crate::db::WriteTx, today: NaiveDate) -> Result<DemoSummary, ServiceError> {
    let now = now_ms();
    let day = |offset: i64| -> String {
        let date = if offset >= 0 {
            today.checked_add_days(Days::new(offset as u64))
        } else {
            today.checked_sub_days(Days::new(offset.unsigned_abs()))
        };
        to_storage(date.expect("demo dates stay within the calendar"))
    };

    let agency_name = AGENCY_NAME;
    let agency_id = insert_id(
        tx,
        sqlx::query_scalar("INSERT INTO agencies (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(agency_name)
            .bind(now),
    )
    .await?;

    // name, manage users, manage certification, instruct work, override compliance
    let mut role_ids = Vec::new();
    for (name, users, certification, instruct, overrides) in [
        ("Admin", true, true, true, true),
        ("Agent", false, true, true, false),
        ("Read-only", false, false, false, false),
    ] {
        let id = insert_id(
            tx,
            sqlx::query_scalar(
                "INSERT INTO roles (agency_id, name, can_manage_users, can_manage_certification, \
                 can_instruct_work, can_override_compliance) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(agency_id)
            .bind(name)
            .bind(flag(users))
            .bind(flag(certification))
            .bind(flag(instruct))
            .bind(flag(overrides)),
        )
        .await?;
        role_ids.push((name, id));
    }

    let mut agents = Vec::new();
    for (name, email, role) in AGENTS {
        let role_id = role_ids.iter().find(|(n, _)| *n == role).map(|(_, id)| *id);
        sqlx::query(
            "INSERT INTO users (agency_id, kind, role_id, email, name, created_at) \
             VALUES ($1, 'agent', $2, $3, $4, $5)",
        )
        .bind(agency_id)
        .bind(role_id)
        .bind(email)
        .bind(name)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        agents.push((format!("{name} ({role})"), email.to_string()));
    }

    for (name, technicians) in BUILT_IN_CERTIFICATE_TYPES {
        sqlx::query(
            "INSERT INTO certificate_types (agency_id, name, built_in, applies_to_technicians, created_at) \
             VALUES ($1, $2, 1, $3, $4)",
        )
        .bind(agency_id)
        .bind(name)
        .bind(flag(technicians))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }

    let mut contractor_ids = Vec::new();
    for (company, reference, email, phone, trade) in CONTRACTORS {
        let id = insert_id(
            tx,
            sqlx::query_scalar(
                "INSERT INTO contractors (agency_id, company_name, external_ref, email, phone, trade, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(agency_id)
            .bind(company)
            .bind(reference)
            .bind(email)
            .bind(phone)
            .bind(trade)
            .bind(now),
        )
        .await?;
        contractor_ids.push(id);
    }

    let mut office_users = Vec::new();
    for (contractor, name, email) in OFFICE_USERS {
        sqlx::query(
            "INSERT INTO users (agency_id, kind, contractor_id, email, name, created_at) \
             VALUES ($1, 'contractor', $2, $3, $4, $5)",
        )
        .bind(agency_id)
        .bind(contractor_ids[contractor])
        .bind(email)
        .bind(name)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        office_users.push((
            format!("{name}, {}", CONTRACTORS[contractor].0),
            email.to_string(),
        ));
    }

    let mut technicians = Vec::new();
    let mut technician_ids = Vec::new();
    for (contractor, name, email, mobile) in TECHNICIANS {
        let id = insert_id(
            tx,
            sqlx::query_scalar(
                "INSERT INTO users (agency_id, kind, contractor_id, email, name, mobile, created_at) \
                 VALUES ($1, 'technician', $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(agency_id)
            .bind(contractor_ids[contractor])
            .bind(email)
            .bind(name)
            .bind(mobile)
            .bind(now),
        )
        .await?;
        technician_ids.push((contractor, id));
        technicians.push((
            format!("{name}, {}", CONTRACTORS[contractor].0),
            email.to_string(),
        ));
    }

    let mut property_ids = Vec::new();
    for (i, (line1, town, postcode, access)) in PROPERTIES.into_iter().enumerate() {
        // Every other property has a tenant to call (Ofcom's drama numbers).
        let contact = (i % 2 == 1).then(|| format!("07700 900{:03}", 100 + i));
        let id = insert_id(
            tx,
            sqlx::query_scalar(
                "INSERT INTO properties (agency_id, address_line1, town, postcode, access_details, \
                 contact_phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(agency_id)
            .bind(line1)
            .bind(town)
            .bind(postcode)
            .bind(access)
            .bind(contact)
            .bind(now),
        )
        .await?;
        property_ids.push(id);
    }

    for (n, (contractor, property, title, status, priority, due, scheduled)) in
        TASKS.into_iter().enumerate()
    {
        let contractor_id = (status != TaskStatus::Draft).then_some(contractor_ids[contractor]);
        let task_id = insert_id(
            tx,
            sqlx::query_scalar(
                "INSERT INTO tasks (agency_id, reference, property_id, contractor_id, title, status, priority, \
                 due_date, scheduled_date, purchase_order, created_at, updated_at, instructed_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, \
                 (SELECT id FROM users WHERE email = $12 AND agency_id = $1)) RETURNING id",
            )
            .bind(agency_id)
            .bind(format!("T-{:05}", 1001 + n))
            .bind(property_ids[property])
            .bind(contractor_id)
            .bind(title)
            .bind(status.as_str())
            .bind(priority)
            .bind(day(due))
            .bind(scheduled.map(day))
            .bind(format!("PO-{:06}", 42_000 + n))
            .bind(now)
            // Messages from the contractor's office go to whoever instructed the task.
            .bind(AGENTS[1].1),
        )
        .await?;
        // Work past acceptance is carried out by the contractor's first technician.
        let worked_on = !matches!(
            status,
            TaskStatus::Draft | TaskStatus::Assigned | TaskStatus::Rejected
        );
        // Every task carries two service tasks; those performed have their results.
        let performed = matches!(
            status,
            TaskStatus::PerformedNeedDocs | TaskStatus::Performed | TaskStatus::Completed
        );
        for (position, (name, kind, outcome, reading)) in [
            ("Test smoke alarms", "pass_fail", "pass", None),
            ("Check boiler pressure", "reading", "pass", Some("1.4 bar")),
        ]
        .into_iter()
        .enumerate()
        {
            sqlx::query(
                "INSERT INTO service_tasks (agency_id, task_id, position, name, result_kind, \
                 outcome, reading, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(agency_id)
            .bind(task_id)
            .bind(position as i64)
            .bind(name)
            .bind(kind)
            .bind(performed.then_some(outcome))
            .bind(reading.filter(|_| performed))
            .bind(performed.then_some(now))
            .execute(&mut **tx)
            .await?;
        }
        // Brightspark's open electrical work asks for an electrical accreditation, which one
        // of its technicians holds, one has let expire and one never had.
        if contractor == 0 && matches!(status, TaskStatus::Assigned | TaskStatus::Accepted) {
            sqlx::query(
                "INSERT INTO task_required_types (task_id, certificate_type_id) \
                 SELECT $1, id FROM certificate_types WHERE agency_id = $2 AND name = $3",
            )
            .bind(task_id)
            .bind(agency_id)
            .bind(BUILT_IN_CERTIFICATE_TYPES[1].0)
            .execute(&mut **tx)
            .await?;
        }
        if let Some((_, technician_id)) = technician_ids.iter().find(|(c, _)| *c == contractor) {
            if worked_on {
                sqlx::query(
                    "INSERT INTO task_technicians (task_id, technician_id) VALUES ($1, $2)",
                )
                .bind(task_id)
                .bind(*technician_id)
                .execute(&mut **tx)
                .await?;
            }
        }
    }

    let type_ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM certificate_types WHERE agency_id = $1 ORDER BY id")
            .bind(agency_id)
            .fetch_all(&mut **tx)
            .await?;
    // Technicians' accreditations (typed from paper copies): Tom Baker's electrical one is in
    // date, Jess Lee's ended ten days ago, Omar Haddad has none.
    for (technician, end) in [(0, 300), (1, -10)] {
        let (contractor, technician_id) = technician_ids[technician];
        sqlx::query(
            "INSERT INTO technician_certificates (agency_id, contractor_id, technician_id, \
             certificate_type_id, start_date, end_date, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(agency_id)
        .bind(contractor_ids[contractor])
        .bind(technician_id)
        .bind(type_ids[1])
        .bind(day(end - 365))
        .bind(day(end))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    for (n, (contractor, type_index, state)) in DEMO_CERTIFICATES.into_iter().enumerate() {
        let (contractor_id, type_id) = (contractor_ids[contractor], type_ids[type_index]);
        sqlx::query(
            "INSERT INTO certificate_requirements (agency_id, contractor_id, certificate_type_id, requested_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(agency_id)
        .bind(contractor_id)
        .bind(type_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        // (ends in days from today, validated, uploaded order)
        let documents: Vec<(Option<i64>, bool, i64)> = match state {
            DemoCertificate::Valid(end) => vec![(end, true, 0)],
            DemoCertificate::ExpiredWithRenewal(ago) => {
                vec![(Some(-ago), true, 0), (Some(365 - ago), false, 1)]
            }
            DemoCertificate::Uploaded(end) => vec![(Some(end), false, 0)],
            DemoCertificate::Missing => vec![],
        };
        for (end, validated, order) in documents {
            sqlx::query(
                "INSERT INTO certificate_documents (agency_id, contractor_id, certificate_type_id, start_date, \
                 end_date, description, reminder, uploaded_at, validated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'Month1', $7, $8)",
            )
            .bind(agency_id)
            .bind(contractor_id)
            .bind(type_id)
            .bind(end.map(|e| day(e - 365)))
            .bind(end.map(day))
            .bind(format!("Certificate {}", 7100 + n))
            .bind(now - 1_000 + order)
            .bind(validated.then_some(now))
            .execute(&mut **tx)
            .await?;
        }
    }

    // Demo mode only: one known password for every agent and office user, so the demo can be
    // tried at once. Technicians have none; they use the emailed link.
    let hash = super::auth::hash_password(DEMO_PASSWORD.to_string()).await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1 WHERE agency_id = $2 AND kind <> 'technician'",
    )
    .bind(&hash)
    .bind(agency_id)
    .execute(&mut **tx)
    .await?;

    Ok(DemoSummary {
        agency: agency_name.to_string(),
        agents,
        office_users,
        technicians,
        contractors: CONTRACTORS.len(),
        properties: PROPERTIES.len(),
        tasks: TASKS.len(),
    })
}

#[derive(sqlx::FromRow)]
struct UnfiledDocument {
    id: i64,
    agency_id: i64,
    description: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    type_name: String,
    company_name: String,
}

/// Gives the demo's uploaded certificates a file, so "Tick Valid" shows a document to check, as a
/// real upload would. Each document is filled once (a later start fills any a crash left), and a
/// file whose row was filled meanwhile by another instance is removed again.
pub async fn attach_files(cx: &Context) -> Result<usize, ServiceError> {
    let unfiled: Vec<UnfiledDocument> = sqlx::query_as(
        "SELECT d.id, d.agency_id, d.description, d.start_date, d.end_date, t.name AS type_name, \
         c.company_name FROM certificate_documents d \
         JOIN certificate_types t ON t.id = d.certificate_type_id \
         JOIN contractors c ON c.id = d.contractor_id \
         JOIN agencies a ON a.id = d.agency_id \
         WHERE a.name = $1 AND d.file_key IS NULL AND d.uploaded_by IS NULL ORDER BY d.id",
    )
    .bind(AGENCY_NAME)
    .fetch_all(cx.db.pool())
    .await?;
    let mut filled = 0;
    for document in unfiled {
        let bytes = demo_certificate(&document)?;
        let mut staged = crate::files::Staged::new(&cx.files);
        let key = staged
            .put("certificates", document.agency_id, "pdf", &bytes)
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let written = sqlx::query(
            "UPDATE certificate_documents SET file_key = $1, file_name = $2, \
             content_type = 'application/pdf', size_bytes = $3 WHERE id = $4 AND file_key IS NULL",
        )
        .bind(&key)
        .bind(format!(
            "{}.pdf",
            document.type_name.to_lowercase().replace([' ', '\''], "-")
        ))
        .bind(bytes.len() as i64)
        .bind(document.id)
        .execute(cx.db.pool())
        .await;
        let written = staged.settle(written).await?;
        if written.rows_affected() == 0 {
            cx.files.delete_unused(&key).await;
        } else {
            filled += 1;
        }
    }
    Ok(filled)
}

/// A one-page certificate that says what it is and that it is demo data.
fn demo_certificate(document: &UnfiledDocument) -> Result<Vec<u8>, ServiceError> {
    use crate::files::pdf::{Frame, PdfWriter};
    let day = |d: &Option<String>| {
        d.as_deref()
            .and_then(crate::domain::dates::from_storage)
            .map(|d| crate::domain::dates::DateFormat::default().format(d))
            .unwrap_or_else(|| "—".into())
    };
    let mut pdf = PdfWriter::new();
    pdf.heading(&document.type_name);
    pdf.details(&[
        ("Holder", document.company_name.clone()),
        (
            "Reference",
            document.description.clone().unwrap_or_default(),
        ),
        ("Valid from", day(&document.start_date)),
        ("Valid until", day(&document.end_date)),
    ]);
    pdf.gap(12.0);
    pdf.text(
        "Demo data: made by Certidesk so the validation of an upload can be tried.",
        10.0,
        false,
    );
    pdf.finish(&Frame {
        title: format!("{} — {}", document.type_name, document.company_name),
        author: document.company_name.clone(),
        header: (document.company_name.clone(), "Certificate".into()),
        footer: "Demo certificate".into(),
        created: chrono::Utc::now(),
    })
    .map_err(|e| ServiceError::Internal(e.to_string()))
}
