//! PKCS#12 (RFC 7292) and PEM (RFC 7468) import and export.
//!
//! Reads modern files (PBES2 with AES, HMAC-SHA-256 MAC) and legacy ones (`-legacy`: RC2-40 and
//! 3DES, HMAC-SHA-1) as `openssl pkcs12 -export` writes them; writes the modern form. SM2 keys
//! travel as PKCS#8 with id-ecPublicKey and the SM2 curve, as OpenSSL 3 writes them.

use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy, PrivateKeyChain};
use secrecy::{ExposeSecret as _, SecretString};
use zeroize::Zeroizing;

use crate::{CertEntry, CertRef, FormatError, KeyEntry, Medium, MediumError, Result};

/// A private key and the certificates that came with it, leaf first.
#[non_exhaustive]
pub struct KeyBundle {
    /// DER PKCS#8 (RFC 5958).
    pub pkcs8: Zeroizing<Vec<u8>>,
    /// DER certificates.
    pub certificates: Vec<Vec<u8>>,
}

impl std::fmt::Debug for KeyBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyBundle")
            .field("certificates", &self.certificates.len())
            .finish_non_exhaustive()
    }
}

fn invalid(reason: impl ToString) -> FormatError {
    FormatError::Invalid {
        what: "PKCS#12",
        reason: reason.to_string(),
    }
}

/// Reads every key in a PKCS#12 file with its certificates; certificates not bound to a key
/// (CA certificates) are added to every bundle after its own.
pub fn read_pkcs12(bytes: &[u8], password: &SecretString) -> Result<Vec<KeyBundle>> {
    let store = KeyStore::from_pkcs12(bytes, password.expose_secret(), Pkcs12ImportPolicy::Relaxed)
        .map_err(|e| match e {
            p12_keystore::error::Error::MacError(_) => FormatError::Pkcs12Password,
            other => invalid(other),
        })?;
    let mut loose = Vec::new();
    let mut bundles = Vec::new();
    for (_, entry) in store.entries() {
        match entry {
            KeyStoreEntry::PrivateKeyChain(chain) => bundles.push(KeyBundle {
                pkcs8: Zeroizing::new(chain.key().as_der().to_vec()),
                certificates: chain.certs().iter().map(|c| c.as_der().to_vec()).collect(),
            }),
            KeyStoreEntry::Certificate(c) => loose.push(c.as_der().to_vec()),
            _ => {}
        }
    }
    for b in &mut bundles {
        for c in &loose {
            if !b.certificates.contains(c) {
                b.certificates.push(c.clone());
            }
        }
    }
    if bundles.is_empty() {
        return Err(invalid("no private key in the file").into());
    }
    Ok(bundles)
}

/// Imports every key of a PKCS#12 file, with its certificates, onto `medium` (logged in).
pub fn import_pkcs12<M: Medium + ?Sized>(
    medium: &mut M,
    bytes: &[u8],
    password: &SecretString,
    exportable: bool,
) -> Result<Vec<(KeyEntry, Vec<CertEntry>)>> {
    read_pkcs12(bytes, password)?
        .iter()
        .map(|b| medium.import_key(&b.pkcs8, &b.certificates, exportable))
        .collect()
}

/// Imports a PEM file: a private key (any form [`crate::pkcs8_from_key_file`] reads) with its
/// certificates, or certificates alone for keys already on the medium.
pub fn import_pem<M: Medium + ?Sized>(
    medium: &mut M,
    bytes: &[u8],
    exportable: bool,
) -> Result<(Option<KeyEntry>, Vec<CertEntry>)> {
    let certs: Vec<Vec<u8>> = match tessera_x509::parse_certificates(bytes) {
        Ok(certs) => certs.iter().map(|c| c.der().to_vec()).collect(),
        Err(tessera_x509::ParseError::NoCertificate) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    match crate::pkcs8_from_key_file(bytes) {
        Ok(pkcs8) => {
            let (key, entries) = medium.import_key(&pkcs8, &certs, exportable)?;
            Ok((Some(key), entries))
        }
        Err(_) if !certs.is_empty() => {
            let entries = certs
                .iter()
                .map(|c| medium.import_certificate(c))
                .collect::<Result<Vec<_>>>()?;
            Ok((None, entries))
        }
        Err(e) => Err(e),
    }
}

/// A PKCS#12 file (PBES2/AES-256-CBC, HMAC-SHA-256 MAC) with the certificate and, when
/// `with_key`, its private key, which must have been created or imported as exportable.
pub fn export_pkcs12<M: Medium + ?Sized>(
    medium: &mut M,
    cert: &CertRef,
    password: &SecretString,
    with_key: bool,
) -> Result<Vec<u8>> {
    let entry = medium
        .certificates()?
        .into_iter()
        .find(|c| c.reference == *cert)
        .ok_or(MediumError::NoSuchCertificate)?;
    let p12_cert = p12_keystore::Certificate::from_der(entry.certificate.der()).map_err(invalid)?;
    let mut store = KeyStore::new();
    let alias = cert.thumbprint().to_owned();
    if with_key {
        let key = entry
            .key
            .as_ref()
            .ok_or_else(|| MediumError::NoMatchingKey {
                thumbprint: cert.thumbprint().to_owned(),
            })?;
        let pkcs8 = medium.export_key(key)?;
        let p12_key = p12_keystore::PrivateKey::from_der(&pkcs8).map_err(invalid)?;
        let chain = PrivateKeyChain::new(key.id(), p12_key, [p12_cert]);
        store.add_entry(&alias, KeyStoreEntry::PrivateKeyChain(chain));
    } else {
        store.add_entry(&alias, KeyStoreEntry::Certificate(p12_cert));
    }
    Ok(store
        .writer(password.expose_secret())
        .write()
        .map_err(invalid)?)
}
