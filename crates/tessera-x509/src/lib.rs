//! Certificates as a holder sees them: parsing DER, PEM, bundles and PKCS#7, the details model
//! (every field a labelled value), thumbprints, and chain validation against a trust store.
//!
//! Profiles: RFC 5280 (X.509 v3), GM/T 0015 (SM2 certificates), RFC 2315 §9.1 (PKCS#7
//! certs-only), RFC 7468 (PEM). What builds certificates, CRLs and requests signs through one
//! seam, [`Signer`].
#![forbid(unsafe_code)]

pub mod certificate;
pub mod chain;
pub mod issue;
pub mod key_usage;
pub mod signer;

pub use certificate::{Certificate, CertificateDetails, Field, ParseError, parse_certificates};
pub use chain::{ChainError, TrustStore, ValidatedChain, ValidationOptions, validate};
pub use signer::Signer;
