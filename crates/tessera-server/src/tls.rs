//! HTTPS: rustls server configs from PEM files, or (`--tls auto`) from the service's own CA.
//!
//! `--tls auto` keeps a self-signed CA (ECDSA P-256, 10 years) in `DIR/tls/`, and at every start
//! issues a fresh server certificate (1 year) for `localhost`, the loopback addresses, the listen
//! address and the public URL's host. Clients pin the CA by its SHA-256 fingerprint, which the
//! binary prints.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::str::FromStr as _;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use tessera_x509::Certificate;
use tessera_x509::issue::{
    self, CaAlgorithm, CaCertAndKey, CaKey, IssueError, IssueRequest, Name, Profile,
};
use zeroize::Zeroizing;

use crate::files::{FileError, create_dir, read_secret, write_secret};

/// Setting up TLS failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file.
    #[error(transparent)]
    File(#[from] FileError),
    /// Making a certificate (the engine is `tessera_x509::issue`).
    #[error("certificate generation: {0}")]
    Generate(#[from] IssueError),
    /// A stored CA certificate or key that does not read back.
    #[error("{path}: {message}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// rustls refused the certificate or key.
    #[error("TLS config: {0}")]
    Rustls(#[from] rustls::Error),
    /// A PEM file holds no usable certificate or key.
    #[error("{path}: {message}")]
    Pem {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// A ready server config, and what to tell the operator about it.
#[derive(Debug)]
pub struct TlsSetup {
    /// For the listener.
    pub config: Arc<ServerConfig>,
    /// SHA-256 of the CA certificate (auto) or of the leaf (files), colon-separated hex.
    pub fingerprint: String,
    /// The CA certificate file clients can trust (auto only).
    pub ca_cert: Option<std::path::PathBuf>,
}

/// `AB:CD:…` SHA-256 fingerprint of a DER certificate.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}

/// A server config from PEM files: a certificate chain and its private key.
pub fn from_files(cert: &Path, key: &Path) -> Result<TlsSetup, TlsError> {
    let pem_err = |path: &Path, message: String| TlsError::Pem {
        path: path.display().to_string(),
        message,
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| pem_err(cert, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_err(cert, e.to_string()))?;
    let leaf = chain
        .first()
        .ok_or_else(|| pem_err(cert, "no certificate".into()))?;
    let fingerprint = fingerprint(leaf);
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_err(key, e.to_string()))?;
    Ok(TlsSetup {
        config: server_config(chain, key)?,
        fingerprint,
        ca_cert: None,
    })
}

/// Subject of the CA in `DIR/tls/`.
const CA_SUBJECT: &str = "CN=Tessera service TLS CA";
/// Subject of the server certificate; the names that matter are in subjectAltName.
const SERVER_SUBJECT: &str = "CN=Tessera service";

fn subject(text: &str) -> Result<Name, TlsError> {
    Name::from_str(text).map_err(|_| {
        TlsError::Generate(IssueError::InvalidName {
            what: "subject",
            value: text.to_owned(),
        })
    })
}

/// The CA in `DIR/tls/`, created on first use: ECDSA P-256 (rustls has no SM2), the key as
/// PKCS#8 PEM and the certificate as PEM, both written 0600.
fn load_or_create_ca(dir: &Path) -> Result<CaCertAndKey, TlsError> {
    let key_path = dir.join("ca-key.pem");
    let cert_path = dir.join("ca-cert.pem");
    let corrupt = |path: &Path, message: String| TlsError::Corrupt {
        path: path.display().to_string(),
        message,
    };
    if let (Some(key_pem), Some(cert_pem)) = (read_secret(&key_path)?, read_secret(&cert_path)?) {
        let key_pem = Zeroizing::new(key_pem);
        let key_der = PrivatePkcs8KeyDer::from_pem_slice(&key_pem)
            .map_err(|e| corrupt(&key_path, e.to_string()))?;
        let key = CaKey::from_pkcs8_der(key_der.secret_pkcs8_der())
            .map_err(|e| corrupt(&key_path, e.to_string()))?;
        let cert_der = CertificateDer::from_pem_slice(&cert_pem)
            .map_err(|e| corrupt(&cert_path, e.to_string()))?;
        let cert =
            Certificate::from_der(&cert_der).map_err(|e| corrupt(&cert_path, e.to_string()))?;
        return CaCertAndKey::new(cert, key).map_err(|e| corrupt(&cert_path, e.to_string()));
    }
    let not_before = start_of_validity();
    let ca = CaCertAndKey::self_signed(
        CaKey::generate(CaAlgorithm::P256)?,
        subject(CA_SUBJECT)?,
        not_before,
        not_before + time::Duration::days(10 * 365),
        Some(0),
    )?;
    write_secret(&key_path, private_key_pem(ca.key())?.as_bytes())?;
    write_secret(&cert_path, ca.certificate().to_pem().as_bytes())?;
    Ok(ca)
}

/// PKCS#8 PEM (RFC 7468 §10), zeroized on drop.
fn private_key_pem(key: &CaKey) -> Result<Zeroizing<String>, TlsError> {
    let der = key.to_pkcs8_der()?;
    pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, &der)
        .map(Zeroizing::new)
        .map_err(|e| {
            TlsError::Generate(IssueError::Encoding {
                what: "private key PEM",
                reason: e.to_string(),
            })
        })
}

/// Now, less an hour for clocks that lag.
fn start_of_validity() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() - time::Duration::hours(1)
}

/// `--tls auto`: the CA in `DIR/tls/` and a fresh server certificate for `listen` and `host`,
/// issued with the TlsServer profile (serverAuth, subjectAltName).
pub fn auto(dir: &Path, listen: SocketAddr, host: Option<&str>) -> Result<TlsSetup, TlsError> {
    let tls_dir = dir.join("tls");
    create_dir(&tls_dir)?;
    let ca = load_or_create_ca(&tls_dir)?;
    let mut dns_names = vec!["localhost".to_owned()];
    let mut ip_addresses: Vec<IpAddr> =
        vec![[127, 0, 0, 1].into(), std::net::Ipv6Addr::LOCALHOST.into()];
    if !listen.ip().is_unspecified() && !ip_addresses.contains(&listen.ip()) {
        ip_addresses.push(listen.ip());
    }
    if let Some(host) = host {
        match host.parse::<IpAddr>() {
            Ok(ip) if !ip_addresses.contains(&ip) => ip_addresses.push(ip),
            Ok(_) => {}
            Err(_) if host != "localhost" => dns_names.push(host.to_owned()),
            Err(_) => {}
        }
    }
    let key = CaKey::generate(CaAlgorithm::P256)?;
    let not_before = start_of_validity();
    let cert = issue::issue(
        &ca,
        IssueRequest::new(
            subject(SERVER_SUBJECT)?,
            key.spki_der()?,
            Profile::TlsServer {
                dns_names,
                ip_addresses,
            },
            not_before,
            not_before + time::Duration::days(365),
        ),
    )?;
    let ca_der = ca.certificate().der().to_vec();
    let chain = vec![
        CertificateDer::from(cert.der().to_vec()),
        CertificateDer::from(ca_der.clone()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.to_pkcs8_der()?.to_vec()));
    Ok(TlsSetup {
        config: server_config(chain, key)?,
        fingerprint: fingerprint(&ca_der),
        ca_cert: Some(tls_dir.join("ca-cert.pem")),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn auto_reuses_the_stored_ca() {
        let dir = tempfile::tempdir().unwrap();
        let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let first = auto(dir.path(), listen, Some("tessera.example")).unwrap();
        let second = auto(dir.path(), listen, None).unwrap();
        assert_eq!(first.fingerprint, second.fingerprint);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("tls/ca-key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }
}
