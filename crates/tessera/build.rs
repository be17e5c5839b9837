//! Generates the third-party list shown in Settings: every crate from the registry that the
//! client links, with its version and licence, read from the workspace's `Cargo.lock` and each
//! crate's `Cargo.toml` in cargo's registry source folder (offline: the sources are there
//! after any build). Dev-dependencies of the workspace's own crates are left out.
#![allow(
    clippy::print_stdout,
    reason = "cargo reads build-script directives from standard output"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Error = Box<dyn std::error::Error>;

struct Package {
    name: String,
    version: String,
    from_registry: bool,
    dependencies: Vec<String>,
}

fn read_toml(path: &Path) -> Result<toml::Table, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(toml::from_str(&text)?)
}

fn str_of<'a>(t: &'a toml::Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(toml::Value::as_str)
}

fn names_in(t: &toml::Table, section: &str) -> BTreeSet<String> {
    t.get(section)
        .and_then(toml::Value::as_table)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default()
}

/// Registry source folders: `$CARGO_HOME/registry/src/*`.
fn registry_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry").join("src")) else {
        return Vec::new();
    };
    std::fs::read_dir(src)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// The licence of a crate from its sources, `None` when cargo did not fetch them: cargo fetches
/// what the build target needs, so a crate missing here (a Windows-only one on Linux, say) is
/// not in this binary.
fn licence(dirs: &[PathBuf], name: &str, version: &str) -> Option<String> {
    for dir in dirs {
        let manifest = dir.join(format!("{name}-{version}")).join("Cargo.toml");
        if let Ok(t) = read_toml(&manifest) {
            let package = t.get("package").and_then(toml::Value::as_table);
            if let Some(p) = package {
                if let Some(l) = str_of(p, "license") {
                    return Some(l.to_owned());
                }
                return Some(
                    str_of(p, "license-file")
                        .map_or_else(|| "not stated".to_owned(), |f| format!("see {f}")),
                );
            }
        }
    }
    None
}

/// Evaluates a `cfg(...)` expression (or a plain target triple) of a `[target.'…'.dependencies]`
/// table for the target being built, from the `CARGO_CFG_*` variables cargo gives build scripts.
/// Unknown predicates (features, custom cfgs) count as false.
fn cfg_holds(spec: &str) -> bool {
    let spec = spec.trim();
    match spec.strip_prefix("cfg(").and_then(|s| s.strip_suffix(')')) {
        Some(inner) => predicate(inner.trim()),
        None => std::env::var("TARGET").is_ok_and(|t| t == spec),
    }
}

/// Splits `a, b(c, d), e` at top-level commas.
fn top_level(list: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(list[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

fn predicate(p: &str) -> bool {
    let call = |name: &str| {
        p.strip_prefix(name)
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
    };
    if let Some(args) = call("all") {
        return top_level(args).into_iter().all(predicate);
    }
    if let Some(args) = call("any") {
        return top_level(args).into_iter().any(predicate);
    }
    if let Some(arg) = call("not") {
        return !predicate(arg.trim());
    }
    let var = |key: &str| std::env::var(format!("CARGO_CFG_{}", key.trim().to_ascii_uppercase()));
    match p.split_once('=') {
        Some((key, value)) => {
            let value = value.trim().trim_matches('"');
            var(key).is_ok_and(|v| v.split(',').any(|x| x == value))
        }
        None => var(p).is_ok(),
    }
}

/// Whether a registry crate (its manifest `t`) uses the package `dep` when built for this
/// target: as a normal or build dependency, directly or under a target table whose cfg holds;
/// not when it is only a dev-dependency or only for other targets.
fn uses(t: &toml::Table, dep: &str) -> bool {
    let names = |section: Option<&toml::Value>| -> bool {
        section.and_then(toml::Value::as_table).is_some_and(|deps| {
            deps.iter().any(|(name, spec)| {
                let package = spec
                    .as_table()
                    .and_then(|s| str_of(s, "package"))
                    .unwrap_or(name);
                package == dep
            })
        })
    };
    let plain = ["dependencies", "build-dependencies"]
        .iter()
        .any(|s| names(t.get(*s)));
    let targeted = t
        .get("target")
        .and_then(toml::Value::as_table)
        .is_some_and(|targets| {
            targets.iter().any(|(spec, table)| {
                cfg_holds(spec)
                    && ["dependencies", "build-dependencies"]
                        .iter()
                        .any(|s| names(table.get(*s)))
            })
        });
    plain || targeted
}

fn manifest(dirs: &[PathBuf], name: &str, version: &str) -> Option<toml::Table> {
    dirs.iter()
        .find_map(|dir| read_toml(&dir.join(format!("{name}-{version}")).join("Cargo.toml")).ok())
}

fn main() -> Result<(), Error> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir.join("../..");
    let lock_path = root.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock_path.display());

    // Dev-dependencies of each workspace crate, which never reach the binary.
    let mut dev_only: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(root.join("crates"))? {
        let manifest = entry?.path().join("Cargo.toml");
        let Ok(t) = read_toml(&manifest) else {
            continue;
        };
        println!("cargo:rerun-if-changed={}", manifest.display());
        let Some(name) = t
            .get("package")
            .and_then(toml::Value::as_table)
            .and_then(|p| str_of(p, "name"))
        else {
            continue;
        };
        let normal: BTreeSet<String> = names_in(&t, "dependencies")
            .union(&names_in(&t, "build-dependencies"))
            .cloned()
            .collect();
        let dev = names_in(&t, "dev-dependencies")
            .difference(&normal)
            .cloned()
            .collect();
        dev_only.insert(name.to_owned(), dev);
    }

    let lock = read_toml(&lock_path)?;
    let packages: Vec<Package> = lock
        .get("package")
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(toml::Value::as_table)
                .map(|p| Package {
                    name: str_of(p, "name").unwrap_or_default().to_owned(),
                    version: str_of(p, "version").unwrap_or_default().to_owned(),
                    from_registry: p.contains_key("source"),
                    dependencies: p
                        .get("dependencies")
                        .and_then(toml::Value::as_array)
                        .map(|d| {
                            d.iter()
                                .filter_map(toml::Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();

    // A dependency is written `name`, `name version` or `name version (source)`.
    let find = |spec: &str| -> Option<usize> {
        let mut parts = spec.split(' ');
        let name = parts.next()?;
        let version = parts.next();
        packages
            .iter()
            .position(|p| p.name == name && version.is_none_or(|v| p.version == v))
    };

    let dirs = registry_dirs();
    let mut seen = BTreeSet::new();
    let mut todo: Vec<usize> = packages
        .iter()
        .position(|p| p.name == "tessera" && !p.from_registry)
        .into_iter()
        .collect();
    while let Some(i) = todo.pop() {
        if !seen.insert(i) {
            continue;
        }
        let p = &packages[i];
        let skip = dev_only.get(&p.name).filter(|_| !p.from_registry);
        let own = if p.from_registry {
            manifest(&dirs, &p.name, &p.version)
        } else {
            None
        };
        for spec in &p.dependencies {
            let dep_name = spec.split(' ').next().unwrap_or_default();
            if skip.is_some_and(|s| s.contains(dep_name)) {
                continue;
            }
            if own.as_ref().is_some_and(|t| !uses(t, dep_name)) {
                continue;
            }
            if let Some(j) = find(spec) {
                todo.push(j);
            }
        }
    }

    let mut rows: Vec<(String, String, String)> = seen
        .into_iter()
        .map(|i| &packages[i])
        .filter(|p| p.from_registry)
        .filter_map(|p| {
            licence(&dirs, &p.name, &p.version).map(|l| (p.name.clone(), p.version.clone(), l))
        })
        .collect();
    rows.sort();

    let mut out = String::from(
        "/// Every third-party crate linked into the client, sorted by name.\n\
         pub const THIRD_PARTY: &[ThirdParty] = &[\n",
    );
    for (name, version, licence) in rows {
        out.push_str(&format!(
            "    ThirdParty {{ name: {name:?}, version: {version:?}, licence: {licence:?}, collects_personal_data: false }},\n"
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR")?).join("third_party.rs");
    std::fs::write(dest, out)?;
    Ok(())
}
