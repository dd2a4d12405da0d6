use super::*;

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

#[test]
fn uk_date_forms_are_read() {
    for (text, expected) in [
        ("1st March 2026", d(2026, 3, 1)),
        ("01/03/2026", d(2026, 3, 1)),
        ("01-Mar-2026", d(2026, 3, 1)),
        ("1 Mar 26", d(2026, 3, 1)),
        ("1.3.2026", d(2026, 3, 1)),
        ("2026-03-01", d(2026, 3, 1)),
        ("22nd of September, 2027", d(2027, 9, 22)),
        ("March 1st, 2026", d(2026, 3, 1)),
        ("31 Sept 2026", None),
        ("30/02/2026", None),
        ("March 2026", None),
    ] {
        let found = find_dates(&text.to_ascii_lowercase());
        assert_eq!(found.first().map(|f| f.date), expected, "{text}");
    }
}

#[test]
fn gas_safety_record_with_labels_beside_values() {
    let text = "LANDLORD GAS SAFETY RECORD\n\
        Gas Safe Register\n\
        Engineer: Dylan Hughes   Gas Safe registration number: 547812\n\
        Date of check: 14/03/2026\n\
        Next safety check due by: 13/03/2027\n\
        Printed 15/03/2026 09:12";
    let r = read_certificate(text, "Gas safety certificate");
    assert_eq!(r.start_date, d(2026, 3, 14));
    assert_eq!(r.end_date, d(2027, 3, 13));
    assert_eq!(r.reference.as_deref(), Some("547812"));
    assert_eq!(r.issuer.as_deref(), Some("Gas Safe Register"));
    assert_eq!(r.cover, None);
}

#[test]
fn insurance_period_and_the_cover_of_the_certificates_own_kind() {
    let text = "CERTIFICATE OF INSURANCE\n\
        Insurer: Hiscox Insurance Company Limited\n\
        Policy number: PL-20391-77\n\
        Period of insurance: 1st April 2026 to 31st March 2027\n\
        Section        Limit of indemnity\n\
        Public liability   £5,000,000 any one occurrence\n\
        Employers' liability   £10,000,000\n\
        Excess: £250 each and every claim";
    let public = read_certificate(text, "Public liability insurance");
    assert_eq!(public.start_date, d(2026, 4, 1));
    assert_eq!(public.end_date, d(2027, 3, 31));
    assert_eq!(public.cover, Some(5_000_000));
    assert_eq!(
        public.issuer.as_deref(),
        Some("Hiscox Insurance Company Limited")
    );
    assert_eq!(public.reference.as_deref(), Some("PL-20391-77"));
    let employers = read_certificate(text, "Employer's liability insurance");
    assert_eq!(employers.cover, Some(10_000_000));
    // A type that is neither cannot tell which amount is its own.
    assert_eq!(read_certificate(text, "Gas safety").cover, None);
}

#[test]
fn amounts_in_their_usual_forms() {
    for (line, expected) in [
        ("Limit of indemnity £5,000,000", Some(5_000_000)),
        ("Limit of indemnity £5m", Some(5_000_000)),
        ("Indemnity limit: 5 million", Some(5_000_000)),
        ("Limit of indemnity GBP 2,000,000", Some(2_000_000)),
        ("Limit of liability: 10,000,000 GBP", Some(10_000_000)),
        ("Cover £2.5 million", Some(2_500_000)),
        ("Indemnity £5,000,000.00", Some(5_000_000)),
        ("Policy 5000000", None),
    ] {
        assert_eq!(
            read_certificate(line, "Public liability").cover,
            expected,
            "{line}"
        );
    }
}

#[test]
fn premium_and_excess_are_not_cover() {
    let text = "Public Liability Insurance\nLimit of indemnity: £2,000,000\nPremium: £412.50 including IPT\nExcess £500";
    assert_eq!(
        read_certificate(text, "Public liability").cover,
        Some(2_000_000)
    );
}

#[test]
fn a_date_of_birth_or_a_print_date_is_never_proposed() {
    let text = "Disclosure and Barring Service\nBasic certificate\n\
        Certificate number: 001234567890\n\
        Date of birth: 03/07/1985\n\
        Date of issue: 12 January 2026\n\
        Printed on 14/01/2026";
    let r = read_certificate(text, "DBS check");
    assert_eq!(r.start_date, d(2026, 1, 12));
    assert_eq!(r.end_date, None);
    assert_eq!(r.reference.as_deref(), Some("001234567890"));
    assert_eq!(r.issuer.as_deref(), Some("Disclosure and Barring Service"));
}

#[test]
fn an_unlabelled_date_is_not_proposed() {
    let r = read_certificate("Thank you for your business\n14/03/2026\nSigned", "Gas");
    assert_eq!(r, Reading::default());
}

#[test]
fn two_different_expiry_dates_propose_neither() {
    let text = "Expiry date: 01/03/2027\nSome other line\nExpiry date: 01/06/2027";
    assert_eq!(read_certificate(text, "PAT").end_date, None);
    let same = "Expiry date: 01/03/2027\nExpiry date: 1st March 2027";
    assert_eq!(read_certificate(same, "PAT").end_date, d(2027, 3, 1));
}

#[test]
fn a_table_heading_row_labels_the_row_under_it() {
    let text = "Date of inspection   Next inspection due   Engineer\n\
        02/02/2026   02/02/2031   Rhys Evans";
    let r = read_certificate(text, "EICR");
    assert_eq!(r.start_date, d(2026, 2, 2));
    assert_eq!(r.end_date, d(2031, 2, 2));
}

#[test]
fn a_label_over_its_value_on_the_next_line() {
    let text = "Expiry date\n30/09/2027";
    assert_eq!(read_certificate(text, "x").end_date, d(2027, 9, 30));
}

#[test]
fn twelve_months_from_a_date() {
    let text = "This policy is valid for the period of 12 months from 1st March 2026.";
    let r = read_certificate(text, "Public liability");
    assert_eq!(r.start_date, d(2026, 3, 1));
    assert_eq!(r.end_date, d(2027, 2, 28));
}

#[test]
fn valid_for_years_after_a_stated_start() {
    let text = "Asbestos Awareness\nDate of completion: 5th May 2025\nThis certificate is valid for 3 years.";
    let r = read_certificate(text, "Asbestos awareness training");
    assert_eq!(r.start_date, d(2025, 5, 5));
    assert_eq!(r.end_date, d(2028, 5, 4));
}

#[test]
fn an_end_before_the_start_proposes_neither() {
    let text = "Start date: 01/03/2027\nExpiry date: 01/03/2026";
    let r = read_certificate(text, "x");
    assert_eq!((r.start_date, r.end_date), (None, None));
}

#[test]
fn the_insured_is_not_the_insurer() {
    let text = "Name of insured: Bright Sparks Ltd\nUnderwritten by: Aviva Insurance Limited";
    assert_eq!(
        read_certificate(text, "x").issuer.as_deref(),
        Some("Aviva Insurance Limited")
    );
}

#[test]
fn typed_amounts() {
    assert_eq!(parse_pounds("5000000"), Some(5_000_000));
    assert_eq!(parse_pounds("£5,000,000"), Some(5_000_000));
    assert_eq!(parse_pounds("£5m"), Some(5_000_000));
    assert_eq!(parse_pounds("2.5 million"), Some(2_500_000));
    assert_eq!(parse_pounds("five"), None);
    assert_eq!(parse_pounds("5,00"), None);
    assert_eq!(pounds(5_000_000), "£5,000,000");
    assert_eq!(pounds(250), "£250");
}

#[test]
fn agreement_of_typed_and_read() {
    assert_eq!(agreement(Some(&1), Some(&1)), Agreement::Matches);
    assert_eq!(agreement(Some(&1), Some(&2)), Agreement::Differs);
    assert_eq!(agreement(None, Some(&2)), Agreement::Differs);
    assert_eq!(agreement(Some(&1), None::<&i32>), Agreement::Unknown);
}

#[test]
fn the_check_the_agent_sees() {
    let read = Reading {
        start_date: d(2026, 3, 14),
        end_date: d(2027, 3, 13),
        ..Default::default()
    };
    assert_eq!(
        DocumentCheck::of(
            ReadOutcome::Read,
            (d(2026, 3, 14), d(2027, 3, 13), None),
            &read
        ),
        DocumentCheck::Matches
    );
    let DocumentCheck::Differs(differences) = DocumentCheck::of(
        ReadOutcome::Read,
        (d(2026, 3, 14), d(2028, 3, 13), None),
        &read,
    ) else {
        panic!("a typed expiry a year late must differ");
    };
    assert_eq!(differences.len(), 1);
    assert_eq!(differences[0].field, "expiry date");
    assert_eq!(
        differences[0].document,
        Value::Date(d(2027, 3, 13).unwrap())
    );
    assert_eq!(
        DocumentCheck::of(ReadOutcome::Read, (None, None, None), &Reading::default()),
        DocumentCheck::NothingStated
    );
    assert_eq!(
        DocumentCheck::of(ReadOutcome::NoText, (None, None, None), &read),
        DocumentCheck::NotRead(ReadOutcome::NoText)
    );
}
