//! The shape of the code: imports run one way. A module never imports one that imports
//! it back, among the crate's modules and among the parts of each module folder.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::*;

/// The modules each source file names: `crate::x`, `crate::x::y`, `use crate::{x, …}`,
/// and `super::y` inside a module folder. Tests at the end of a file do not count.
fn references(module: &[String], source: &str) -> BTreeSet<Vec<String>> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    let mut out = BTreeSet::new();
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            for part in list.split('}').next().unwrap_or("").split(',') {
                let mut names = part.trim().split("::").map(word);
                if let Some(first) = names.next().filter(|n| !n.is_empty()) {
                    out.insert(vec![first, names.next().unwrap_or_default()]);
                }
            }
            continue;
        }
        let first = word(rest);
        let second = rest[first.len()..]
            .strip_prefix("::")
            .map(word)
            .unwrap_or_default();
        if !first.is_empty() {
            out.insert(vec![first, second]);
        }
    }
    if module.len() >= 2 {
        for (i, _) in code.match_indices("super::") {
            let name = word(&code[i + "super::".len()..]);
            if !name.is_empty() && name != "super" {
                out.insert(vec![module[0].clone(), name]);
            }
        }
    }
    out
}

/// Edges between the crate's top-level modules, and between the parts of each module
/// folder (`snippets::crates` → `snippets::rustc`).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = repo().join("tools/src");
    let mut modules: BTreeMap<Vec<String>, String> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if matches!(
            parts.first().map(String::as_str),
            Some("lib" | "main" | "bin")
        ) {
            continue;
        }
        modules.insert(parts, read(path));
    }
    let names: BTreeSet<String> = modules.keys().map(|m| m.join("::")).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, source) in &modules {
        let me = module.join("::");
        for reference in references(module, source) {
            let (top, part) = (&reference[0], &reference[1]);
            if !names.contains(top) {
                continue;
            }
            if *top != module[0] {
                edges
                    .entry(module[0].clone())
                    .or_default()
                    .insert(top.clone());
            } else {
                let target = format!("{top}::{part}");
                if names.contains(&target) && target != me {
                    edges.entry(me.clone()).or_default().insert(target);
                }
            }
        }
    }
    edges
}

/// Every cycle of the graph, each once, starting from its smallest node.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    for start in edges.keys() {
        let mut stack = vec![vec![start.clone()]];
        while let Some(path) = stack.pop() {
            let last = path.last().unwrap();
            for next in edges.get(last).into_iter().flatten() {
                if next == start {
                    if path.iter().all(|n| n >= start) {
                        found.insert(path.clone());
                    }
                } else if !path.contains(next) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push(longer);
                }
            }
        }
    }
    found
}

#[test]
fn imports_run_one_way() {
    let edges = graph();
    assert!(
        edges.get("cli").is_some_and(|e| e.contains("gate")),
        "the graph is read: {edges:?}"
    );
    assert!(
        edges
            .get("snippets::crates")
            .is_some_and(|e| e.contains("snippets::rustc")),
        "parts of module folders are read: {edges:?}"
    );
    let found = cycles(&edges);
    assert!(
        found.is_empty(),
        "modules that import each other: {found:?}"
    );
    // Nothing depends on the command line, and settings depend on no stage.
    assert!(!edges.values().any(|e| e.contains("cli")));
    let config: Vec<&String> = edges.get("config").into_iter().flatten().collect();
    assert!(
        config.iter().all(|m| *m == "diagnostics"),
        "config imports {config:?}"
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    edges.entry("c".into()).or_default().insert("a".into());
    edges.entry("c".into()).or_default().insert("d".into());
    let found = cycles(&edges);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        references(
            &["snippets".into(), "rust".into()],
            "use crate::{config::X, diagnostics};\nuse super::crates::Crates;\ncrate::xref::load();"
        ),
        BTreeSet::from([
            vec!["config".to_string(), String::new()],
            vec!["diagnostics".to_string(), String::new()],
            vec!["snippets".to_string(), "crates".to_string()],
            vec!["xref".to_string(), "load".to_string()],
        ])
    );
}

/// The binary is linked at a fixed address on Linux with glibc (`tools/build.rs`): a
/// position-independent one spends about 2 ms of every run relocating its constant data.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_binary_is_linked_at_a_fixed_address() {
    if option_env!("HANDBOOK_LINK_PIE").is_some() {
        return; // built position-independent on purpose
    }
    let binary = std::fs::read(env!("CARGO_BIN_EXE_handbook")).expect("the binary");
    // `e_type` of the ELF header: 2 is an executable at a fixed address, 3 a shared
    // object (what a position-independent executable is).
    let kind = u16::from_le_bytes([binary[16], binary[17]]);
    assert_eq!(&binary[..4], b"\x7fELF");
    assert_eq!(
        kind, 2,
        "ELF type {kind}: the binary is position-independent"
    );
}
