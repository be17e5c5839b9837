//! HTTPS: rustls server configs from PEM files, or (`--tls auto`) from the service's own CA.
//!
//! `--tls auto` keeps a self-signed CA (ECDSA P-256, 10 years) in `DIR/tls/`, and at every start
//! issues a fresh server certificate (1 year) for `localhost`, the loopback addresses, the listen
//! address and the public URL's host. Clients pin the CA by its SHA-256 fingerprint, which the
//! binary prints.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

use crate::files::{FileError, create_dir, read_secret, write_secret};

/// Setting up TLS failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file.
    #[error(transparent)]
    File(#[from] FileError),
    /// Making a certificate.
    #[error("certificate generation: {0}")]
    Generate(#[from] rcgen::Error),
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

/// The CA's name and constraints (validity is set when it is made).
fn ca_params() -> Result<CertificateParams, TlsError> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "Tessera service TLS CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(params)
}

/// The CA in `DIR/tls/`, created on first use: (issuer, CA certificate DER).
fn load_or_create_ca(dir: &Path) -> Result<(Issuer<'static, KeyPair>, Vec<u8>), TlsError> {
    let key_path = dir.join("ca-key.pem");
    let cert_path = dir.join("ca-cert.pem");
    if let (Some(key_pem), Some(cert_pem)) = (read_secret(&key_path)?, read_secret(&cert_path)?) {
        let key_pem = String::from_utf8_lossy(&key_pem);
        let cert_pem = String::from_utf8_lossy(&cert_pem);
        let key = KeyPair::from_pem(&key_pem)?;
        let der =
            CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| TlsError::Pem {
                path: cert_path.display().to_string(),
                message: e.to_string(),
            })?;
        // same subject and key as the stored certificate: what issuing needs
        return Ok((Issuer::new(ca_params()?, key), der.to_vec()));
    }
    let key = KeyPair::generate()?;
    let mut params = ca_params()?;
    params.not_before = start_of_validity();
    params.not_after = params.not_before + time::Duration::days(10 * 365);
    let cert = params.self_signed(&key)?;
    write_secret(&key_path, key.serialize_pem().as_bytes())?;
    write_secret(&cert_path, cert.pem().as_bytes())?;
    let der = cert.der().to_vec();
    Ok((Issuer::new(params, key), der))
}

/// Now, less an hour for clocks that lag.
fn start_of_validity() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() - time::Duration::hours(1)
}

/// `--tls auto`: the CA in `DIR/tls/` and a fresh server certificate for `listen` and `host`.
pub fn auto(dir: &Path, listen: SocketAddr, host: Option<&str>) -> Result<TlsSetup, TlsError> {
    let tls_dir = dir.join("tls");
    create_dir(&tls_dir)?;
    let (issuer, ca_der) = load_or_create_ca(&tls_dir)?;
    let mut names = vec![SanType::DnsName("localhost".try_into()?)];
    let mut ips: Vec<IpAddr> = vec![[127, 0, 0, 1].into(), std::net::Ipv6Addr::LOCALHOST.into()];
    if !listen.ip().is_unspecified() && !ips.contains(&listen.ip()) {
        ips.push(listen.ip());
    }
    if let Some(host) = host {
        match host.parse::<IpAddr>() {
            Ok(ip) if !ips.contains(&ip) => ips.push(ip),
            Ok(_) => {}
            Err(_) if host != "localhost" => names.push(SanType::DnsName(host.try_into()?)),
            Err(_) => {}
        }
    }
    names.extend(ips.into_iter().map(SanType::IpAddress));
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.subject_alt_names = names;
    params
        .distinguished_name
        .push(DnType::CommonName, "Tessera service");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = start_of_validity();
    params.not_after = params.not_before + time::Duration::days(365);
    let cert = params.signed_by(&key, &issuer)?;
    let chain = vec![cert.der().clone(), CertificateDer::from(ca_der.clone())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok(TlsSetup {
        config: server_config(chain, key)?,
        fingerprint: fingerprint(&ca_der),
        ca_cert: Some(tls_dir.join("ca-cert.pem")),
    })
}
