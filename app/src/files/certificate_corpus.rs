//! Certificates as contractors send them, written as PDFs with text layers: the corpus reading
//! is measured on (the corpus test prints found / missed / wrong per field; the benchmark times
//! reading one). Each is a different layout or wording of a certificate UK agencies ask for:
//! gas safety records, EICRs, liability insurance, PAT, DBS, training. The expected values are
//! the truth a person would type, so a field the reading leaves out counts as missed.

use super::pdf::{Column, Frame, PdfWriter};
use crate::domain::certificate_reading::Reading;
use chrono::{NaiveDate, TimeZone, Utc};

pub struct Specimen {
    pub name: &'static str,
    /// The certificate type it is uploaded against.
    pub certificate_type: &'static str,
    pub pdf: Vec<u8>,
    pub expected: Reading,
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn finish(w: PdfWriter, title: &str, issuer: &str) -> Vec<u8> {
    w.finish(&Frame {
        title: title.into(),
        author: issuer.into(),
        header: (issuer.into(), title.into()),
        // Every page carries a print date: a date that is never the certificate's.
        footer: "Printed 02/12/2026 16:04".into(),
        created: Utc.with_ymd_and_hms(2026, 12, 2, 16, 4, 0).unwrap(),
    })
    .expect("a corpus certificate")
}

fn expected(
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    issuer: Option<&str>,
    reference: Option<&str>,
    cover: Option<i64>,
) -> Reading {
    Reading {
        start_date: start,
        end_date: end,
        issuer: issuer.map(str::to_string),
        reference: reference.map(str::to_string),
        cover,
    }
}

/// A landlord gas safety record with labels beside values: what the Playwright journey's
/// contractor uploads too, so it is public.
pub fn gas_safety_record() -> Vec<u8> {
    let mut w = PdfWriter::new();
    w.heading("Landlord Gas Safety Record (CP12)");
    w.text("Registered with: Gas Safe Register", 10.0, false);
    w.details(&[
        ("Engineer", "Dylan Hughes".into()),
        ("Gas Safe reg no", "547812".into()),
        ("Property", "12 Łódź Road, Cardiff CF10 1AA".into()),
    ]);
    w.gap(8.0);
    w.text("Date of check: 14/03/2026", 10.0, false);
    w.text("Next safety check due by: 13/03/2027", 10.0, false);
    w.gap(8.0);
    w.table(
        &[
            Column {
                heading: "Appliance",
                share: 2.0,
            },
            Column {
                heading: "Location",
                share: 1.5,
            },
            Column {
                heading: "Safe to use",
                share: 1.0,
            },
        ],
        &[
            vec![
                "Worcester Greenstar 30i combi".into(),
                "Kitchen".into(),
                "Yes".into(),
            ],
            vec!["Gas hob".into(), "Kitchen".into(), "Yes".into()],
        ],
    );
    finish(w, "Gas safety record", "Hughes Heating Ltd")
}

/// Every certificate of the corpus.
pub fn corpus() -> Vec<Specimen> {
    let mut out = vec![Specimen {
        name: "gas safety record, labels beside values",
        certificate_type: "Gas safety certificate",
        pdf: gas_safety_record(),
        expected: expected(
            date(2026, 3, 14),
            date(2027, 3, 13),
            Some("Gas Safe Register"),
            Some("547812"),
            None,
        ),
    }];

    // A gas safety record as a table: labels in a heading row, values under them.
    let mut w = PdfWriter::new();
    w.heading("Gas Safety Certificate");
    w.text(
        "Landlord / homeowner gas safety record. Gas Safe Register licence holder.",
        10.0,
        false,
    );
    w.table(
        &[
            Column {
                heading: "Date of check",
                share: 1.0,
            },
            Column {
                heading: "Next check due",
                share: 1.0,
            },
            Column {
                heading: "Engineer",
                share: 1.5,
            },
        ],
        &[vec![
            "1 Feb 26".into(),
            "31 Jan 27".into(),
            "Rhys Evans".into(),
        ]],
    );
    w.text("Gas Safe registration number: 210987", 10.0, false);
    out.push(Specimen {
        name: "gas safety record, table",
        certificate_type: "Gas safety certificate",
        pdf: finish(w, "Gas safety certificate", "Evans Gas Services"),
        expected: expected(
            date(2026, 2, 1),
            date(2027, 1, 31),
            Some("Gas Safe Register"),
            Some("210987"),
            None,
        ),
    });

    // An EICR: long label for the next inspection, ordinal dates.
    let mut w = PdfWriter::new();
    w.heading("Electrical Installation Condition Report");
    w.text(
        "Contractor: Bright Sparks Electrical Ltd, registered with NICEIC.",
        10.0,
        false,
    );
    w.text("Date of inspection: 2nd February 2026", 10.0, false);
    w.text(
        "Recommended date for next inspection: 2nd February 2031",
        10.0,
        false,
    );
    w.text(
        "Overall assessment of the installation: SATISFACTORY",
        10.0,
        true,
    );
    w.text("Report reference: EICR-2026-0417", 10.0, false);
    out.push(Specimen {
        name: "EICR, ordinal dates",
        certificate_type: "Electrical installation (EICR)",
        pdf: finish(w, "EICR", "Bright Sparks Electrical Ltd"),
        expected: expected(
            date(2026, 2, 2),
            date(2031, 2, 2),
            Some("NICEIC"),
            Some("EICR-2026-0417"),
            None,
        ),
    });

    // A liability schedule listing several covers: the type picks its own.
    let schedule = |w: &mut PdfWriter| {
        w.heading("Certificate of Insurance");
        w.text("Insurer: Hiscox Insurance Company Limited", 10.0, false);
        w.text("Policy number: PL-20391-77", 10.0, false);
        w.text("Period of insurance: 01/04/2026 to 31/03/2027", 10.0, false);
        w.table(
            &[
                Column {
                    heading: "Section",
                    share: 1.5,
                },
                Column {
                    heading: "Limit of indemnity",
                    share: 1.5,
                },
            ],
            &[
                vec![
                    "Public liability".into(),
                    "£5,000,000 any one occurrence".into(),
                ],
                vec![
                    "Employers' liability".into(),
                    "£10,000,000 any one occurrence".into(),
                ],
                vec!["Excess".into(), "£250 each and every claim".into()],
            ],
        );
    };
    let mut w = PdfWriter::new();
    schedule(&mut w);
    let pdf = finish(w, "Certificate of insurance", "Hiscox");
    out.push(Specimen {
        name: "liability schedule, public liability",
        certificate_type: "Public liability insurance",
        pdf: pdf.clone(),
        expected: expected(
            date(2026, 4, 1),
            date(2027, 3, 31),
            Some("Hiscox Insurance Company Limited"),
            Some("PL-20391-77"),
            Some(5_000_000),
        ),
    });
    out.push(Specimen {
        name: "liability schedule, employers' liability",
        certificate_type: "Employers' liability insurance",
        pdf,
        expected: expected(
            date(2026, 4, 1),
            date(2027, 3, 31),
            Some("Hiscox Insurance Company Limited"),
            Some("PL-20391-77"),
            Some(10_000_000),
        ),
    });

    // The statutory employers' liability certificate wording.
    let mut w = PdfWriter::new();
    w.heading("Certificate of Employers' Liability Insurance");
    w.text("(Where required by regulation 5 of the Employers' Liability (Compulsory Insurance) Regulations 1998)", 9.0, false);
    w.text("Policy No. EL/88812/26", 10.0, false);
    w.text("Name of policy holder: Hughes Heating Ltd", 10.0, false);
    w.text(
        "Date of commencement of insurance policy: 1 April 2026",
        10.0,
        false,
    );
    w.text(
        "Date of expiry of insurance policy: 31 March 2027",
        10.0,
        false,
    );
    w.text("We hereby certify that subject to paragraph 2 the policy covers the holder against liability. The minimum amount of cover required by law is £5 million.", 10.0, false);
    w.text("Limit of indemnity: £10m any one occurrence", 10.0, false);
    w.text(
        "Signed on behalf of Zurich Insurance plc (Authorised Insurer)",
        10.0,
        false,
    );
    out.push(Specimen {
        name: "employers' liability, statutory wording",
        certificate_type: "Employers' liability insurance",
        pdf: finish(w, "EL certificate", "Zurich Insurance plc"),
        expected: expected(
            date(2026, 4, 1),
            date(2027, 3, 31),
            Some("Zurich Insurance plc"),
            Some("EL/88812/26"),
            Some(10_000_000),
        ),
    });

    // Prose, wrapped as a letter is: "12 months from", GBP before the amount.
    let mut w = PdfWriter::new();
    w.heading("Confirmation of cover");
    w.text("This is to certify that Bright Sparks Electrical Ltd holds public liability insurance underwritten by Aviva Insurance Limited under policy number AV-PL-339201. The policy is valid for the period of 12 months from 1st March 2026, subject to its terms.", 10.0, false);
    w.text("The limit of indemnity is GBP 2,000,000 any one occurrence. The premium of £412.50 includes insurance premium tax.", 10.0, false);
    out.push(Specimen {
        name: "public liability, a letter",
        certificate_type: "Public liability insurance",
        pdf: finish(w, "Confirmation of cover", "Aviva"),
        expected: expected(
            date(2026, 3, 1),
            date(2027, 2, 28),
            Some("Aviva Insurance Limited"),
            Some("AV-PL-339201"),
            Some(2_000_000),
        ),
    });

    // Public and products liability, "valid from … until …", "£5m".
    let mut w = PdfWriter::new();
    w.heading("Public & Products Liability");
    w.details(&[
        ("Insured", "Cardiff Roofing Co".into()),
        ("Insurer", "AXA Insurance UK plc".into()),
        ("Policy ref", "AXA-77120".into()),
    ]);
    w.text("Cover valid from 1 Mar 26 until 28 Feb 27", 10.0, false);
    w.text(
        "Public & products liability limit of indemnity: £5m",
        10.0,
        false,
    );
    out.push(Specimen {
        name: "public and products liability, short forms",
        certificate_type: "Public liability insurance",
        pdf: finish(w, "Liability certificate", "AXA"),
        expected: expected(
            date(2026, 3, 1),
            date(2027, 2, 28),
            Some("AXA Insurance UK plc"),
            Some("AXA-77120"),
            Some(5_000_000),
        ),
    });

    // PAT: test and retest dates, a certificate number.
    let mut w = PdfWriter::new();
    w.heading("Portable Appliance Testing Certificate");
    w.text("Certificate no: PAT-2026-0142", 10.0, false);
    w.text("Test date: 05/05/2026", 10.0, false);
    w.text("Retest date: 05/05/2027", 10.0, false);
    w.table(
        &[
            Column {
                heading: "Appliance",
                share: 2.0,
            },
            Column {
                heading: "Result",
                share: 1.0,
            },
        ],
        &[
            vec!["Kettle".into(), "Pass".into()],
            vec!["Extension lead".into(), "Pass".into()],
        ],
    );
    out.push(Specimen {
        name: "PAT certificate",
        certificate_type: "PAT testing",
        pdf: finish(w, "PAT certificate", "Safe Test Ltd"),
        expected: expected(
            date(2026, 5, 5),
            date(2027, 5, 5),
            None,
            Some("PAT-2026-0142"),
            None,
        ),
    });

    // DBS: a date of birth beside the date of issue; no expiry.
    let mut w = PdfWriter::new();
    w.heading("Basic Disclosure Certificate");
    w.text("Disclosure and Barring Service", 10.0, true);
    w.text("Certificate number: 001234567890", 10.0, false);
    w.text("Surname: Wiśniewski   Forename(s): Łukasz", 10.0, false);
    w.text("Date of birth: 03/07/1985", 10.0, false);
    w.text("Date of issue: 12 January 2026", 10.0, false);
    w.text("Police records of convictions: NONE RECORDED", 10.0, false);
    out.push(Specimen {
        name: "DBS basic certificate",
        certificate_type: "DBS check",
        pdf: finish(w, "DBS certificate", "Disclosure and Barring Service"),
        expected: expected(
            date(2026, 1, 12),
            None,
            Some("Disclosure and Barring Service"),
            Some("001234567890"),
            None,
        ),
    });

    // Training: "valid for 3 years" after a completion date.
    let mut w = PdfWriter::new();
    w.heading("Certificate of Achievement");
    w.text("Asbestos Awareness (Category A)", 12.0, true);
    w.text("Awarded to Dylan Hughes", 10.0, false);
    w.text("Date of completion: 5th May 2025", 10.0, false);
    w.text("This certificate is valid for 3 years.", 10.0, false);
    w.text("Certificate number: UKATA-558812", 10.0, false);
    out.push(Specimen {
        name: "asbestos awareness training",
        certificate_type: "Asbestos awareness training",
        pdf: finish(w, "Training certificate", "Safety Training Wales"),
        expected: expected(
            date(2025, 5, 5),
            date(2028, 5, 4),
            None,
            Some("UKATA-558812"),
            None,
        ),
    });

    // Training with an awarding body and dd-Mon-yyyy dates.
    let mut w = PdfWriter::new();
    w.heading("Emergency First Aid at Work");
    w.details(&[
        ("Learner", "Zoë Ó Súilleabháin".into()),
        ("Awarding body", "Qualsafe Awards".into()),
    ]);
    w.text("Date of award: 10-Jun-2025", 10.0, false);
    w.text("Expiry date: 09-Jun-2028", 10.0, false);
    out.push(Specimen {
        name: "first aid training, dd-Mon-yyyy",
        certificate_type: "First aid training",
        pdf: finish(w, "First aid certificate", "Qualsafe Awards"),
        expected: expected(
            date(2025, 6, 10),
            date(2028, 6, 9),
            Some("Qualsafe Awards"),
            None,
            None,
        ),
    });

    // A boiler service record with two dates on one line and a 2-page layout.
    let mut w = PdfWriter::new();
    w.heading("Boiler Service Record");
    w.text("Gas Safe Reg No. 223344", 10.0, false);
    w.text(
        "Service date: 20/11/2025    Next service due: 19/11/2026",
        10.0,
        false,
    );
    for section in 1..=14 {
        w.heading(&format!("Check {section}"));
        w.text("Flue, seals, burner and controls inspected; combustion analysed and within the manufacturer's limits.", 10.0, false);
    }
    out.push(Specimen {
        name: "boiler service record, two pages",
        certificate_type: "Boiler service",
        pdf: finish(w, "Boiler service record", "Hughes Heating Ltd"),
        expected: expected(
            date(2025, 11, 20),
            date(2026, 11, 19),
            Some("Gas Safe Register"),
            Some("223344"),
            None,
        ),
    });
    out
}

/// A scanned certificate: one picture, no text layer.
pub fn scanned_certificate() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(400, 560, |x, y| {
        if (x / 20 + y / 20) % 2 == 0 {
            image::Rgb([235, 235, 230])
        } else {
            image::Rgb([40, 40, 40])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 70)
        .encode_image(&picture)
        .expect("a JPEG");
    let mut w = PdfWriter::new();
    w.image(jpeg, 400, 560, 400.0);
    w.finish(&Frame {
        title: String::new(),
        author: String::new(),
        header: (String::new(), String::new()),
        footer: String::new(),
        created: Utc.with_ymd_and_hms(2026, 12, 2, 16, 4, 0).unwrap(),
    })
    .expect("a scan")
}

/// A PDF bomb: one content stream of a few megabytes that inflates past what the reader may
/// hold (pages of zero bytes, compressed about a thousand to one).
pub fn bomb(inflated_bytes: usize) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let chunk = vec![b' '; 1 << 20];
    let mut left = inflated_bytes;
    while left > 0 {
        let n = left.min(chunk.len());
        encoder.write_all(&chunk[..n]).expect("compress");
        left -= n;
    }
    let stream = encoder.finish().expect("compress");
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |pdf: &mut Vec<u8>, body: &[u8]| {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    };
    object(&mut pdf, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut pdf, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut pdf,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    );
    let mut content = format!(
        "<< /Length {} /Filter /FlateDecode >>\nstream\n",
        stream.len()
    )
    .into_bytes();
    content.extend_from_slice(&stream);
    content.extend_from_slice(b"\nendstream");
    object(&mut pdf, &content);
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for offset in &offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
