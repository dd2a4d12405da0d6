//! Properties on both databases: agents who instruct works add and correct them, everyone else
//! reads or is refused, and another agency's property does not exist for them.

use app::db::now_ms;
use app::db_test;
use app::domain::properties::PropertyDetails;
use app::services::properties::{list, save};
use app::services::ServiceError;
use app::testing::{actor, seed_demo, OtherAgency};

const AGENT: &str = "priya.shah@harbour-lettings.example";
const READ_ONLY: &str = "sam.reid@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";

fn flat() -> PropertyDetails {
    PropertyDetails {
        address_line1: " Flat 2, 9 Quay Street ".into(),
        address_line2: String::new(),
        town: "Bristol".into(),
        postcode: "bs14db".into(),
        access_details: "Concierge holds the keys".into(),
        contact_phone: "0117 496 0000".into(),
    }
}

db_test!(an_agent_adds_and_corrects_a_property, |cx| {
    seed_demo(&cx).await;
    let agent = actor(&cx, AGENT).await;
    let before = list(&cx, &agent).await.unwrap().len();
    let id = save(&cx, &agent, None, &flat(), now_ms()).await.unwrap();
    let rows = list(&cx, &agent).await.unwrap();
    assert_eq!(rows.len(), before + 1);
    let added = rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!(added.details.address_line1, "Flat 2, 9 Quay Street");
    assert_eq!(added.details.postcode, "BS1 4DB");
    assert_eq!(added.open_tasks, 0);

    let mut corrected = flat();
    corrected.access_details = String::new();
    corrected.town = "Bath".into();
    assert_eq!(
        save(&cx, &agent, Some(id), &corrected, now_ms())
            .await
            .unwrap(),
        id
    );
    let row = list(&cx, &agent)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!(row.details.town, "Bath");
    assert_eq!(row.details.access_details, "", "cleared, not kept");
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('property_added', 'property_corrected')",
    )
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    assert_eq!(audited, 2);
});

db_test!(bad_details_name_the_field_and_save_nothing, |cx| {
    seed_demo(&cx).await;
    let agent = actor(&cx, AGENT).await;
    let before = list(&cx, &agent).await.unwrap().len();
    let mut bad = flat();
    bad.postcode = "  ".into();
    match save(&cx, &agent, None, &bad, now_ms()).await {
        Err(ServiceError::Invalid { field, .. }) => assert_eq!(field, "postcode"),
        other => panic!("{other:?}"),
    }
    bad = flat();
    bad.town = String::new();
    match save(&cx, &agent, None, &bad, now_ms()).await {
        Err(ServiceError::Invalid { field, .. }) => assert_eq!(field, "town"),
        other => panic!("{other:?}"),
    }
    assert_eq!(list(&cx, &agent).await.unwrap().len(), before);
});

db_test!(only_agents_who_instruct_change_properties, |cx| {
    seed_demo(&cx).await;
    let read_only = actor(&cx, READ_ONLY).await;
    assert!(
        !list(&cx, &read_only).await.unwrap().is_empty(),
        "every agent reads them"
    );
    assert!(matches!(
        save(&cx, &read_only, None, &flat(), now_ms()).await,
        Err(ServiceError::MissingPermission(_))
    ));
    let office = actor(&cx, OFFICE).await;
    assert!(list(&cx, &office).await.is_err());
    assert!(save(&cx, &office, None, &flat(), now_ms()).await.is_err());
});

db_test!(another_agency_s_property_is_not_found, |cx| {
    seed_demo(&cx).await;
    let other = OtherAgency::create(&cx).await;
    let agent = actor(&cx, AGENT).await;
    assert!(matches!(
        save(&cx, &agent, Some(other.property_id), &flat(), now_ms()).await,
        Err(ServiceError::NotFound("property"))
    ));
    let (line1,): (String,) = sqlx::query_as("SELECT address_line1 FROM properties WHERE id = $1")
        .bind(other.property_id)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    assert_eq!(line1, "1 Elsewhere", "untouched");
    assert!(list(&cx, &agent)
        .await
        .unwrap()
        .iter()
        .all(|r| r.id != other.property_id));
});
