//! The trust store: system roots plus roots the user added.
//!
//! A root is a trust anchor in the sense of RFC 5280 §6.1.1 (d): its subject name, public key
//! and (for webpki) name constraints are trusted as given; its own signature is never checked.

use std::path::{Path, PathBuf};

use rustls_pki_types::{CertificateDer, TrustAnchor};

use crate::certificate::{ParseError, parse_certificates};

/// Where a trusted root came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RootSource {
    /// The operating system's bundle (Mozilla's list on Debian).
    System,
    /// Added by the user or the application.
    User,
}

/// One trusted root certificate.
#[derive(Debug, Clone)]
pub struct TrustedRoot {
    der: Vec<u8>,
    source: RootSource,
}

/// The trust anchor (subject, key, name constraints) of a root certificate.
fn anchor_of(der: &[u8]) -> Result<TrustAnchor<'static>, TrustStoreError> {
    let cert = CertificateDer::from(der);
    let anchor =
        webpki::anchor_from_trusted_cert(&cert).map_err(|_| TrustStoreError::Malformed {
            reason: "not an X.509 certificate usable as a trust anchor",
        })?;
    Ok(anchor.to_owned())
}

impl TrustedRoot {
    /// The certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Where it came from.
    pub fn source(&self) -> RootSource {
        self.source
    }
}

/// Why roots could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustStoreError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a certificate (or a PEM bundle of them).
    #[error("not a usable certificate: {reason}")]
    Malformed {
        /// What was wrong.
        reason: &'static str,
    },
    /// The bytes hold no certificate the parser accepts.
    #[error(transparent)]
    Certificate(#[from] ParseError),
    /// None of the system locations held any certificate.
    #[error("no system root certificates found in {tried:?}")]
    NoSystemRoots {
        /// The locations tried, in order.
        tried: Vec<PathBuf>,
    },
}

/// Trusted roots for chain validation: the system's, then the user's.
///
/// Duplicates (byte-identical certificates) are kept once, with the source of the first.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    roots: Vec<TrustedRoot>,
    /// `anchors[i]` is the trust anchor of `roots[i]`, in the form webpki takes.
    anchors: Vec<TrustAnchor<'static>>,
}

impl TrustStore {
    /// Debian's bundle of the Mozilla roots, one PEM file (package `ca-certificates`).
    pub const SYSTEM_BUNDLE: &'static str = "/etc/ssl/certs/ca-certificates.crt";
    /// The same roots as separate PEM files, one per root.
    pub const SYSTEM_DIR: &'static str = "/usr/share/ca-certificates/mozilla";

    /// An empty store: nothing is trusted until roots are added.
    pub fn new() -> Self {
        Self::default()
    }

    /// The system roots from [`Self::SYSTEM_BUNDLE`], or [`Self::SYSTEM_DIR`] if the bundle is
    /// missing or empty.
    pub fn system() -> Result<Self, TrustStoreError> {
        Self::system_from(&[Path::new(Self::SYSTEM_BUNDLE), Path::new(Self::SYSTEM_DIR)])
    }

    /// The system roots from the first of `locations` (bundle files or folders of PEM/DER
    /// files) that yields any certificate.
    pub fn system_from(locations: &[&Path]) -> Result<Self, TrustStoreError> {
        let mut store = Self::new();
        for location in locations {
            if location.exists() && store.add_system_roots_from(location)? > 0 {
                return Ok(store);
            }
        }
        Err(TrustStoreError::NoSystemRoots {
            tried: locations.iter().map(|p| p.to_path_buf()).collect(),
        })
    }

    /// Adds the roots in `path` as system roots: a bundle file, or a folder whose `.crt`,
    /// `.pem` and `.cer` files each hold certificates. Certificates that cannot serve as trust
    /// anchors are skipped (a system bundle is not ours to reject). Returns how many were added.
    pub fn add_system_roots_from(&mut self, path: &Path) -> Result<usize, TrustStoreError> {
        let io = |source| TrustStoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        if path.is_dir() {
            for entry in std::fs::read_dir(path).map_err(io)? {
                let file = entry.map_err(io)?.path();
                let ext = file
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or_default();
                if matches!(ext, "crt" | "pem" | "cer") {
                    files.push(file);
                }
            }
            files.sort();
        } else {
            files.push(path.to_path_buf());
        }
        let mut added = 0;
        for file in files {
            let bytes = std::fs::read(&file).map_err(|source| TrustStoreError::Io {
                path: file.clone(),
                source,
            })?;
            for der in certificate_ders(&bytes).unwrap_or_default() {
                if let Ok(anchor) = anchor_of(&der) {
                    added += usize::from(self.push(der, anchor, RootSource::System));
                }
            }
        }
        Ok(added)
    }

    /// Adds user roots from DER, or from PEM text with one or more `CERTIFICATE` blocks.
    /// All must be usable or none is added. Returns how many were new.
    pub fn add_user_roots(&mut self, bytes: &[u8]) -> Result<usize, TrustStoreError> {
        let ders = certificate_ders(bytes)?;
        let anchors = ders
            .iter()
            .map(|der| anchor_of(der))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ders
            .into_iter()
            .zip(anchors)
            .map(|(der, anchor)| usize::from(self.push(der, anchor, RootSource::User)))
            .sum())
    }

    /// Adds one user root given as DER. Returns whether it was new.
    pub fn add_user_root_der(&mut self, der: &[u8]) -> Result<bool, TrustStoreError> {
        let anchor = anchor_of(der)?;
        Ok(self.push(der.to_vec(), anchor, RootSource::User))
    }

    /// Every root, system roots first in load order.
    pub fn roots(&self) -> &[TrustedRoot] {
        &self.roots
    }

    /// How many roots are trusted.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether nothing is trusted.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// Whether a byte-identical certificate is already trusted.
    pub fn contains(&self, der: &[u8]) -> bool {
        self.roots.iter().any(|r| r.der == der)
    }

    pub(crate) fn anchors(&self) -> &[TrustAnchor<'static>] {
        &self.anchors
    }

    fn push(&mut self, der: Vec<u8>, anchor: TrustAnchor<'static>, source: RootSource) -> bool {
        if self.contains(&der) {
            return false;
        }
        self.roots.push(TrustedRoot { der, source });
        self.anchors.push(anchor);
        true
    }
}

/// The DER of every certificate in `bytes` (DER, PEM bundle or PKCS#7), as the certificate
/// parser reads them.
fn certificate_ders(bytes: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    Ok(parse_certificates(bytes)?
        .iter()
        .map(|c| c.der().to_vec())
        .collect())
}
