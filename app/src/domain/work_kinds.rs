//! Kinds of work (the agency's requirement profiles): "Gas work" needs gas safety and public
//! liability, "Electrical" the electrical installation certificate. Names are unique in an agency
//! whatever their case, so a spreadsheet cell naming kinds finds exactly one each.

/// What a kind of work's name must be: 2 to 60 characters, spaces collapsed.
pub fn kind_name(text: &str) -> Result<String, &'static str> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match name.chars().count() {
        0..=1 => Err("Give the kind of work a name, e.g. Gas work."),
        61.. => Err("Keep the name under 60 characters."),
        _ => Ok(name),
    }
}

/// The kinds of work a spreadsheet cell names, separated by semicolons or commas, in order,
/// each once (compared without case); empty names are skipped.
pub fn kinds_in_cell(cell: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for part in cell.split([';', ',']) {
        let name = part.split_whitespace().collect::<Vec<_>>().join(" ");
        if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(kind_name("  Gas   work ").unwrap(), "Gas work");
        assert!(kind_name(" x ").is_err());
        assert!(kind_name(&"a".repeat(61)).is_err());
        assert_eq!(kind_name(&"a".repeat(60)).unwrap().len(), 60);
    }

    #[test]
    fn a_cell_names_each_kind_once() {
        assert_eq!(
            kinds_in_cell("Gas work; Electrical,gas WORK ;; "),
            ["Gas work", "Electrical"]
        );
        assert!(kinds_in_cell("  ").is_empty());
    }
}
