//! What makes a property's details usable on a task, in emails and on a report: an address a
//! technician can find, and access details short enough to read on a phone.

use serde::{Deserialize, Serialize};

/// A property as an agent types it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyDetails {
    pub address_line1: String,
    #[serde(default)]
    pub address_line2: String,
    pub town: String,
    pub postcode: String,
    #[serde(default)]
    pub access_details: String,
    /// Whom a technician calls there (a tenant, a key holder); empty for none.
    #[serde(default)]
    pub contact_phone: String,
}

/// Why a property's details cannot be saved, and which field to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PropertyProblem {
    #[error("Give the first line of the address.")]
    MissingLine1,
    #[error("Give the town.")]
    MissingTown,
    #[error("Give the postcode.")]
    MissingPostcode,
    #[error("A postcode has letters, digits and a space only (e.g. SW1A 1AA).")]
    BadPostcode,
    #[error("Keep this under {0} characters.")]
    TooLong(usize),
    #[error("{0}")]
    BadPhone(&'static str),
}

/// The details trimmed, the postcode in capitals with one space before a UK inward code, each
/// field within its length; or the first problem with the field it is about.
pub fn check_property(
    details: &PropertyDetails,
) -> Result<PropertyDetails, (&'static str, PropertyProblem)> {
    let field = |name: &'static str, text: &str, max: usize| {
        let text = text.trim();
        if text.chars().count() > max {
            Err((name, PropertyProblem::TooLong(max)))
        } else {
            Ok(text.to_string())
        }
    };
    let line1 = field("address_line1", &details.address_line1, 120)?;
    if line1.is_empty() {
        return Err(("address_line1", PropertyProblem::MissingLine1));
    }
    let line2 = field("address_line2", &details.address_line2, 120)?;
    let town = field("town", &details.town, 80)?;
    if town.is_empty() {
        return Err(("town", PropertyProblem::MissingTown));
    }
    let postcode = normalise_postcode(&details.postcode).map_err(|p| ("postcode", p))?;
    let access = field("access_details", &details.access_details, 1000)?;
    let contact_phone = super::identity::normalize_mobile(&details.contact_phone)
        .map_err(|m| ("contact_phone", PropertyProblem::BadPhone(m)))?
        .unwrap_or_default();
    Ok(PropertyDetails {
        address_line1: line1,
        address_line2: line2,
        town,
        postcode,
        access_details: access,
        contact_phone,
    })
}

/// "sw1a1aa" becomes "SW1A 1AA"; other countries' codes are kept as typed, in capitals.
fn normalise_postcode(text: &str) -> Result<String, PropertyProblem> {
    let upper = text.trim().to_uppercase();
    if upper.is_empty() {
        return Err(PropertyProblem::MissingPostcode);
    }
    if upper.chars().count() > 10
        || !upper
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(PropertyProblem::BadPostcode);
    }
    let compact: String = upper.chars().filter(|c| *c != ' ').collect();
    let bytes = compact.as_bytes();
    let uk_inward = (5..=7).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[bytes.len() - 3].is_ascii_digit()
        && bytes[bytes.len() - 2].is_ascii_alphabetic()
        && bytes[bytes.len() - 1].is_ascii_alphabetic();
    if uk_inward {
        let (outward, inward) = compact.split_at(compact.len() - 3);
        return Ok(format!("{outward} {inward}"));
    }
    Ok(upper.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(line1: &str, town: &str, postcode: &str) -> PropertyDetails {
        PropertyDetails {
            address_line1: line1.into(),
            town: town.into(),
            postcode: postcode.into(),
            ..PropertyDetails::default()
        }
    }

    #[test]
    fn a_contact_number_is_optional_but_must_be_a_number() {
        let mut flat = details("1 High St", "Leeds", "LS1 1AA");
        assert_eq!(check_property(&flat).unwrap().contact_phone, "");
        flat.contact_phone = "call Sam".into();
        assert!(matches!(
            check_property(&flat),
            Err(("contact_phone", PropertyProblem::BadPhone(_)))
        ));
    }

    #[test]
    fn details_are_trimmed_and_uk_postcodes_spaced() {
        let clean = check_property(&PropertyDetails {
            address_line1: "  12 Acacia Avenue ".into(),
            address_line2: " ".into(),
            town: " Leeds".into(),
            postcode: "ls61aa".into(),
            access_details: " Key with neighbour at 14 ".into(),
            contact_phone: " 07700 900123 ".into(),
        })
        .unwrap();
        assert_eq!(clean.contact_phone, "07700 900123");
        assert_eq!(clean.address_line1, "12 Acacia Avenue");
        assert_eq!(clean.address_line2, "");
        assert_eq!(clean.town, "Leeds");
        assert_eq!(clean.postcode, "LS6 1AA");
        assert_eq!(clean.access_details, "Key with neighbour at 14");
        for (typed, kept) in [
            ("SW1A1AA", "SW1A 1AA"),
            ("sw1a  1aa", "SW1A 1AA"),
            ("M1 1AE", "M1 1AE"),
            ("d02 x285", "D02 X285"),
            ("75001", "75001"),
            ("1012-AB", "1012-AB"),
        ] {
            assert_eq!(
                check_property(&details("1 Road", "Town", typed))
                    .unwrap()
                    .postcode,
                kept,
                "{typed}"
            );
        }
    }

    #[test]
    fn each_missing_field_is_named() {
        assert_eq!(
            check_property(&details(" ", "Leeds", "LS6 1AA")),
            Err(("address_line1", PropertyProblem::MissingLine1))
        );
        assert_eq!(
            check_property(&details("1 Road", "", "LS6 1AA")),
            Err(("town", PropertyProblem::MissingTown))
        );
        assert_eq!(
            check_property(&details("1 Road", "Leeds", "  ")),
            Err(("postcode", PropertyProblem::MissingPostcode))
        );
    }

    #[test]
    fn bad_postcodes_and_long_fields_are_refused() {
        assert_eq!(
            check_property(&details("1 Road", "Leeds", "LS6 <1AA>")),
            Err(("postcode", PropertyProblem::BadPostcode))
        );
        assert_eq!(
            check_property(&details("1 Road", "Leeds", "ABCDEFGHIJK")),
            Err(("postcode", PropertyProblem::BadPostcode))
        );
        let mut long = details("1 Road", "Leeds", "LS6 1AA");
        long.access_details = "x".repeat(1001);
        assert_eq!(
            check_property(&long),
            Err(("access_details", PropertyProblem::TooLong(1000)))
        );
        long.access_details = "é".repeat(1000);
        assert!(check_property(&long).is_ok(), "characters, not bytes");
        assert_eq!(
            check_property(&details(&"x".repeat(121), "Leeds", "LS6 1AA")),
            Err(("address_line1", PropertyProblem::TooLong(120)))
        );
    }
}
