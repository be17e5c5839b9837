//! Chain building and validation against a trust store (RFC 5280 §6).
//!
//! Path building and the core of path validation are rustls-webpki's: signatures (with the
//! algorithms of [`algorithms`], SM2-with-SM3 among them), validity periods (§6.1.3 (a)(2)),
//! basicConstraints and pathLenConstraint (§4.2.1.9), name constraints on dNSName and
//! iPAddress (§4.2.1.10), extended key usage (§4.2.1.12), unknown critical extensions (§4.2)
//! and CRLs (§6.3). webpki offers each complete candidate path to a hook, where Tessera applies
//! the RFC 5280 rules webpki leaves out: the trust anchor's validity, basicConstraints, keyUsage
//! and critical extensions; keyCertSign on every CA (§4.2.1.3); authority and subject key
//! identifiers (§4.2.1.1-2); serial numbers (§4.1.2.2); non-empty names (§4.1.2.4, §4.1.2.6);
//! duplicate extensions and `SIZE (1..MAX)` lists (§4.2); the syntax of name constraints and
//! dNSNames (§4.2.1.6, §4.2.1.10); criticality of policyConstraints (§4.2.1.11); the end
//! entity's key and key usage; the caller's limit on intermediates; cRLSign of a CRL's issuer
//! (§4.2.1.3) and the CRL profile (§5.2). A path that fails them is dropped and path building
//! goes on with the next candidate.
//!
//! Known limits, inherited from webpki: a directoryName or rfc822Name name constraint fails
//! every path below it (webpki cannot evaluate them and refuses rather than ignores); self-issued
//! intermediates count toward pathLenConstraint and are subject to name constraints (RFC 5280
//! §4.2.1.9 and §6.1.3 (b) exempt them); a CA certificate cannot be the end entity.
//!
//! ```no_run
//! use tessera_x509::chain::{TrustStore, ValidationOptions, validate};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = TrustStore::system()?;
//! # let (leaf, intermediates): (Vec<u8>, Vec<Vec<u8>>) = (vec![], vec![]);
//! let chain = validate(&leaf, &intermediates, &store, &ValidationOptions::signing())?;
//! println!("root: {} bytes, from {:?}", chain.root().len(), chain.root_source);
//! # Ok(()) }
//! ```

pub mod algorithms;
mod crl;
mod error;
mod names;
mod parsed;
mod policy;
mod profile;
mod store;

use std::{cell::RefCell, time::Duration};

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use time::OffsetDateTime;
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, RevocationCheckDepth,
    RevocationOptionsBuilder, UnknownStatusPolicy,
};

pub use error::ChainError;
pub use policy::{KeyUsageBit, SubjectName, ValidationOptions};
pub use store::{RootSource, TrustStore, TrustStoreError, TrustedRoot};

/// A chain that validated: the certificates from the end entity up to the trusted root.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidatedChain {
    /// DER certificates, end entity first, trusted root last (RFC 5280 §6.1: the path
    /// x_n … x_1 read from the end, plus the trust anchor).
    pub certificates: Vec<Vec<u8>>,
    /// Where the root came from.
    pub root_source: RootSource,
    /// The time the chain was validated for.
    pub validated_at: OffsetDateTime,
}

impl ValidatedChain {
    /// The end-entity certificate.
    pub fn leaf(&self) -> &[u8] {
        self.certificates.first().map_or(&[], Vec::as_slice)
    }

    /// The trusted root.
    pub fn root(&self) -> &[u8] {
        self.certificates.last().map_or(&[], Vec::as_slice)
    }

    /// The certificates between the end entity and the root, end entity's issuer first.
    pub fn intermediates(&self) -> &[Vec<u8>] {
        match self.certificates.len() {
            0..=2 => &[],
            n => &self.certificates[1..n - 1],
        }
    }
}

/// Validates `leaf` (DER) against `store`, building a path through any of `intermediates`
/// (DER, in any order, extras allowed) as RFC 5280 §6.1 describes, under `options`.
///
/// Returns the first path that passes every check. If none does: the reason the first
/// complete path (one reaching a trusted root with every signature good) was dropped, if there
/// was one; otherwise webpki's most specific reason (an expired certificate before a bad
/// signature before an unknown issuer).
pub fn validate<C: AsRef<[u8]>>(
    leaf: &[u8],
    intermediates: &[C],
    store: &TrustStore,
    options: &ValidationOptions,
) -> Result<ValidatedChain, ChainError> {
    let validated_at = options.time();
    // No certificate is valid before 1970 (X.509 times as webpki reads them start there).
    let secs = u64::try_from(validated_at.unix_timestamp()).unwrap_or(0);
    let time = UnixTime::since_unix_epoch(Duration::from_secs(secs));

    let leaf_der = CertificateDer::from(leaf);
    let ee = EndEntityCert::try_from(&leaf_der)?;
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.as_ref()))
        .collect();

    let crls = options
        .crls
        .iter()
        .map(|der| webpki::BorrowedCertRevocationList::from_der(der).map(CertRevocationList::from))
        .collect::<Result<Vec<_>, _>>()?;
    let crl_issuers = options
        .crls
        .iter()
        .map(|der| crl::check(der))
        .collect::<Result<Vec<_>, _>>()?;
    let crl_refs: Vec<&CertRevocationList<'_>> = crls.iter().collect();
    let revocation = match RevocationOptionsBuilder::new(&crl_refs) {
        Ok(builder) => Some(
            builder
                .with_depth(RevocationCheckDepth::Chain)
                .with_status_policy(UnknownStatusPolicy::Allow)
                .with_expiration_policy(ExpirationPolicy::Enforce)
                .build(),
        ),
        Err(_) => None, // no CRLs given
    };

    let cx = profile::Context {
        options,
        time: secs,
        crl_issuers: &crl_issuers,
    };
    let anchors = store.anchors();
    let rejected: RefCell<Option<ChainError>> = RefCell::new(None);
    let root_index = |path: &webpki::VerifiedPath<'_>| {
        anchors.iter().position(|a| std::ptr::eq(a, path.anchor()))
    };
    let check = |path: &webpki::VerifiedPath<'_>| -> Result<(), webpki::Error> {
        let Some(root) = root_index(path).and_then(|i| store.roots().get(i)) else {
            return Err(webpki::Error::UnknownIssuer);
        };
        let ders: Vec<CertificateDer<'_>> =
            path.intermediate_certificates().map(|c| c.der()).collect();
        let mut certs: Vec<&[u8]> = vec![leaf];
        certs.extend(ders.iter().map(|d| d.as_ref()));
        certs.push(root.der());
        profile::check_path(&certs, root.source(), &cx).map_err(|err| {
            rejected.borrow_mut().get_or_insert(err);
            webpki::Error::UnknownIssuer
        })
    };
    let eku = policy::EkuPolicy {
        required: &options.extended_key_usage,
    };
    let path = match ee.verify_for_usage(
        algorithms::supported(),
        anchors,
        &intermediates,
        time,
        eku,
        revocation,
        Some(&check),
    ) {
        Ok(path) => path,
        Err(err) => {
            return Err(match (rejected.take(), err) {
                (Some(ours), _) => ours,
                #[allow(
                    deprecated,
                    reason = "our EKU hook can only return the context-free variant"
                )]
                (None, webpki::Error::RequiredEkuNotFound) => ChainError::RequiredEkuNotFound {
                    required: options.extended_key_usage.clone(),
                },
                (None, err) => err.into(),
            });
        }
    };

    let mut certificates = vec![leaf.to_vec()];
    certificates.extend(path.intermediate_certificates().map(|c| c.der().to_vec()));
    let root = root_index(&path)
        .and_then(|i| store.roots().get(i))
        .ok_or(ChainError::UnknownIssuer)?;
    certificates.push(root.der().to_vec());

    match &options.subject_name {
        None => {}
        Some(SubjectName::Dns(name)) => {
            let server_name =
                ServerName::try_from(name.as_str()).map_err(|_| ChainError::NameMismatch {
                    expected: name.clone(),
                })?;
            ee.verify_is_valid_for_subject_name(&server_name)
                .map_err(|_| ChainError::NameMismatch {
                    expected: name.clone(),
                })?;
        }
        Some(SubjectName::Ip(ip)) => {
            ee.verify_is_valid_for_subject_name(&ServerName::from(*ip))
                .map_err(|_| ChainError::NameMismatch {
                    expected: ip.to_string(),
                })?;
        }
        Some(SubjectName::Email(mailbox)) => names::check_email(leaf, mailbox)?,
    }

    Ok(ValidatedChain {
        certificates,
        root_source: root.source(),
        validated_at,
    })
}
