// The migrations are embedded by `sqlx::migrate!`, which cannot tell cargo about the files it
// reads: without this, adding or editing a migration alone would leave the old set in the build.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
