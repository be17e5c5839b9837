//! The third-party list: every crate from the registry linked into the client, with version and
//! licence, generated at build time from the workspace's `Cargo.lock` (see `build.rs`).
//!
//! None of them collects personal data: they are libraries that run inside the client and send
//! nothing anywhere by themselves; the client's own network use is the service it is configured
//! with.

/// One third-party crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThirdParty {
    /// The crate's name on crates.io.
    pub name: &'static str,
    /// The version linked.
    pub version: &'static str,
    /// SPDX licence expression from the crate's `Cargo.toml`.
    pub licence: &'static str,
    /// Whether the crate collects personal information (none does).
    pub collects_personal_data: bool,
}

include!(concat!(env!("OUT_DIR"), "/third_party.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_names_what_the_client_links_and_not_test_tools() {
        let has = |n: &str| THIRD_PARTY.iter().any(|t| t.name == n);
        assert!(has("axum") && has("sm2") && has("age") && has("serde"));
        assert!(!has("fantoccini") && !has("criterion") && !has("tessera-media"));
        assert!(
            THIRD_PARTY
                .iter()
                .all(|t| !t.licence.is_empty() && t.licence != "unknown"),
            "{:?}",
            THIRD_PARTY
                .iter()
                .filter(|t| t.licence == "unknown")
                .collect::<Vec<_>>()
        );
    }
}
