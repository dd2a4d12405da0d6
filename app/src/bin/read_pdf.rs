//! Reads a certificate PDF from stdin and writes its text: the child process of
//! `files::certificate_text`, as tests run it.

fn main() {
    app::files::certificate_text::child_main(
        app::domain::files::MAX_CERTIFICATE_BYTES,
        app::files::certificate_text::CPU_SECONDS,
    )
}
