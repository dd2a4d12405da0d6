//! Reading what a person chose or typed in a form field: one reader per kind of field, one
//! message per problem, whichever edge (a server function or a multipart route) received it.
//! Empty means "not given" for the optional readers.

use chrono::NaiveDate;

/// A field that cannot be read: its name, and what to tell the person beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: &'static str,
}

pub const NOT_A_DATE: &str = "Choose a real date from the calendar.";
pub const NOT_IN_THE_LIST: &str = "Choose one from the list.";
pub const NOT_YES_OR_NO: &str = "Send true or false (a ticked box sends \"on\").";

fn error(field: &str, message: &'static str) -> FieldError {
    FieldError {
        field: field.into(),
        message,
    }
}

/// A date field (`YYYY-MM-DD`, as a date input sends it); empty is none.
pub fn optional_date(field: &str, text: &str) -> Result<Option<NaiveDate>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        // Exactly ten characters: the parser alone would also take "2027-2-8".
        text if text.len() == 10 => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| error(field, NOT_A_DATE)),
        _ => Err(error(field, NOT_A_DATE)),
    }
}

/// A checkbox, or a yes/no sent by another system: absent or empty is no; anything but the
/// usual spellings is refused rather than read as no.
pub fn flag(field: &str, text: &str) -> Result<bool, FieldError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "off" | "no" | "0" => Ok(false),
        "true" | "on" | "yes" | "1" => Ok(true),
        _ => Err(error(field, NOT_YES_OR_NO)),
    }
}

/// A choice from a list (a select or a radio button): the chosen row's id.
pub fn id(field: &str, text: &str) -> Result<i64, FieldError> {
    optional_id(field, text)?.ok_or_else(|| error(field, NOT_IN_THE_LIST))
}

/// As [`id`], where choosing nothing is allowed.
pub fn optional_id(field: &str, text: &str) -> Result<Option<i64>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        text => text
            .parse()
            .map(Some)
            .map_err(|_| error(field, NOT_IN_THE_LIST)),
    }
}

/// Ids gathered into one comma-separated value (ticked checkboxes, a multiple select); empty
/// is none.
pub fn id_list(field: &str, text: &str) -> Result<Vec<i64>, FieldError> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().map_err(|_| error(field, NOT_IN_THE_LIST)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_a_date_input_sends_them() {
        assert_eq!(
            optional_date("end_date", " 2027-02-28 "),
            Ok(NaiveDate::from_ymd_opt(2027, 2, 28))
        );
        assert_eq!(optional_date("end_date", "  "), Ok(None));
        for wrong in [
            "2027-02-30",
            "28/02/2027",
            "tomorrow",
            "2027-2-8",
            "+2027-02-28",
        ] {
            assert_eq!(
                optional_date("end_date", wrong),
                Err(error("end_date", NOT_A_DATE)),
                "{wrong}"
            );
        }
    }

    #[test]
    fn flags_take_the_usual_spellings_and_refuse_the_rest() {
        for yes in ["on", "true", "TRUE", "yes", "1"] {
            assert_eq!(flag("validated", yes), Ok(true), "{yes}");
        }
        for no in ["", "false", "off", "no", "0"] {
            assert_eq!(flag("validated", no), Ok(false), "{no}");
        }
        assert_eq!(
            flag("validated", "maybe"),
            Err(error("validated", NOT_YES_OR_NO))
        );
    }

    #[test]
    fn a_choice_is_required_unless_optional() {
        assert_eq!(id("certificate_type_id", "12"), Ok(12));
        assert_eq!(
            id("certificate_type_id", ""),
            Err(error("certificate_type_id", NOT_IN_THE_LIST))
        );
        assert_eq!(
            id("certificate_type_id", "gas"),
            Err(error("certificate_type_id", NOT_IN_THE_LIST))
        );
        assert_eq!(optional_id("service_task_id", ""), Ok(None));
        assert_eq!(optional_id("service_task_id", "7"), Ok(Some(7)));
        assert!(optional_id("service_task_id", "7a").is_err());
    }

    #[test]
    fn id_lists_skip_blanks_and_refuse_anything_else() {
        assert_eq!(id_list("technician_ids", "3, 5,,8"), Ok(vec![3, 5, 8]));
        assert_eq!(id_list("technician_ids", ""), Ok(vec![]));
        assert_eq!(
            id_list("technician_ids", "3,x"),
            Err(error("technician_ids", NOT_IN_THE_LIST))
        );
    }
}
