//! Links the binaries as fixed-address executables on Linux with glibc.
//!
//! A position-independent executable carries a relocation for every pointer in its
//! constant data (vtables, string tables, panic locations: about 94,000 in this one),
//! which the loader writes before `main`, copying each page it touches: about 500 page
//! faults and 2 ms of every run, more than a link check of a small book takes. Linked
//! at a fixed address there is nothing to write, and the pages are read only when used.
//! The price is that the program's own code and data load at the same address each run
//! (libraries, stack and heap are still randomised); set `HANDBOOK_LINK_PIE=1` when
//! building to keep a position-independent executable.

fn main() {
    println!("cargo::rerun-if-env-changed=HANDBOOK_LINK_PIE");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if linux_gnu && std::env::var_os("HANDBOOK_LINK_PIE").is_none() {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
