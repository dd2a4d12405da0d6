//! The audit log as people read it: each recorded action's name in the product's words.

/// What an audit entry's action means, as a history or a key's activity shows it. An action
/// without a label of its own is shown as recorded, with spaces ("webhook test" for
/// `webhook_test`), so a new action is readable before it is named here.
pub fn action_label(action: &str) -> String {
    let label = match action {
        "certificate_requested" => "Requested",
        "certificate_uploaded" => "Uploaded",
        "certificate_uploaded_valid" => "Uploaded as valid",
        "certificate_validated" => "Ticked Valid",
        "certificate_validation_undone" => "Undid Valid",
        "certificate_imported" | "certification_imported" => "Imported",
        "certificate_chased" => "Chasing",
        "compliance_overridden" => "Overrode the compliance block",
        "task_instructed" => "Instructed works",
        "task_status_changed" => "Task status changed",
        "task_archived" => "Task archived",
        "quote_requested" => "Asked for a quote",
        "quote_accepted" => "Quote accepted",
        "work_kinds_set" => "Kinds of work",
        "work_kind_imported" => "Kind of work imported",
        "webhook_registered" => "Webhook registered",
        "webhook_deleted" => "Webhook deleted",
        "webhook_enabled" => "Webhook enabled again",
        "api_key_created" => "API key made",
        "api_key_revoked" => "API key revoked",
        other => {
            let mut words = other.replace('_', " ");
            if let Some(first) = words.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            return words;
        }
    };
    label.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_actions_read_in_the_products_words() {
        assert_eq!(action_label("certificate_validated"), "Ticked Valid");
        assert_eq!(action_label("certification_imported"), "Imported");
        assert_eq!(action_label("task_instructed"), "Instructed works");
    }

    #[test]
    fn an_unnamed_action_is_still_readable() {
        assert_eq!(action_label("calendar_link_made"), "Calendar link made");
        assert_eq!(action_label(""), "");
    }
}
