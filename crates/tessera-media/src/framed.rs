//! A medium reached over frames: the mobile e-key (the phone is the PC's key, over a local or
//! relayed channel) and the software key behind a Bluetooth link speak this, and each side is
//! one of two small pieces here.
//!
//! - [`FramedMedium`] is a [`Medium`] whose every call is one request frame sent through a
//!   [`FrameTransport`] and one response frame back.
//! - [`MediumServer`] holds a real medium and answers request frames; it never panics on what
//!   arrives, refuses frames over [`MAX_FRAME`] or of another protocol version, and answers a
//!   refusal of the medium with the same typed error the caller would have had in process (a
//!   wrong PIN still says how many tries are left).
//!
//! Frames are CBOR (RFC 8949) maps with a version field (`framed/wire.rs`). A frame can carry a
//! PIN or a private key, so both sides keep frames in zeroizing buffers, and the transport must
//! be a confidential, authenticated channel (the pairing of the e-key or the BLE link's own
//! encryption): the protocol adds no encryption of its own. The SHA-256 reference of every
//! certificate is recomputed on the receiving side and never taken from the wire.

mod wire;

use std::sync::Mutex;

use tessera_x509::certificate::parse_certificates;
use zeroize::Zeroizing;

use crate::{
    CertEntry, CertRef, CsrRequest, EncAlg, GeneratedKey, KeyEntry, KeyRef, KeySpec, Medium,
    MediumError, MediumInfo, Pin, Result, SignAlg, SoPin,
};
pub use wire::MAX_FRAME;
use wire::{
    Der, Op, Reply, Request, Response, SecretBytes, VERSION, WireCert, WireError, WireKey,
    malformed,
};

/// One request frame out, one response frame back: a Bluetooth characteristic pair, a socket, a
/// relay, or (in tests) a [`MediumServer`] in the same process.
pub trait FrameTransport {
    /// Sends `request` and returns the response frame. A failure of the link itself (not of the
    /// medium, which answers in the frame) is an error.
    fn exchange(&mut self, request: &[u8]) -> std::result::Result<Zeroizing<Vec<u8>>, LinkError>;
}

/// The link to a framed medium failed: the medium's answer did not arrive.
#[derive(Debug, thiserror::Error)]
#[error("link to the medium: {reason}")]
pub struct LinkError {
    /// What the transport saw (timeout, disconnected, …).
    pub reason: String,
}

/// A [`Medium`] on the far side of a [`FrameTransport`].
#[derive(Debug)]
pub struct FramedMedium<T> {
    transport: Mutex<T>,
}

impl<T: FrameTransport> FramedMedium<T> {
    /// A medium that sends every call through `transport`.
    pub fn new(transport: T) -> Self {
        Self {
            transport: Mutex::new(transport),
        }
    }

    /// The transport back.
    pub fn into_inner(self) -> T {
        self.transport
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn call(&self, op: Op) -> Result<Reply> {
        let frame = wire::encode(&Request { v: VERSION, op });
        let answer = {
            let mut transport = self
                .transport
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            transport
                .exchange(&frame)
                .map_err(|e| MediumError::Remote {
                    reason: e.to_string(),
                })?
        };
        let response: Response = wire::decode(&answer).map_err(MediumError::from)?;
        if response.v != VERSION {
            return Err(malformed(format!(
                "the medium speaks protocol version {}, this side {VERSION}",
                response.v
            )));
        }
        response.result.map_err(MediumError::from)
    }
}

fn unexpected(reply: &Reply) -> MediumError {
    malformed(format!("unexpected reply {reply:?}"))
}

fn cert_entry(c: WireCert) -> Result<CertEntry> {
    let certificate = parse_certificates(&c.der)?
        .into_iter()
        .next()
        .ok_or_else(|| malformed("an empty certificate"))?;
    Ok(CertEntry {
        reference: CertRef::of_der(&c.der),
        certificate,
        key: c.key.map(KeyRef::new),
    })
}

fn cert_entries(list: Vec<WireCert>) -> Result<Vec<CertEntry>> {
    list.into_iter().map(cert_entry).collect()
}

impl<T: FrameTransport> Medium for FramedMedium<T> {
    fn info(&self) -> Result<MediumInfo> {
        match self.call(Op::Info)? {
            Reply::Info(info) => Ok(info.into()),
            other => Err(unexpected(&other)),
        }
    }

    fn certificates(&self) -> Result<Vec<CertEntry>> {
        match self.call(Op::Certificates)? {
            Reply::Certificates { certificates } => cert_entries(certificates),
            other => Err(unexpected(&other)),
        }
    }

    fn keys(&self) -> Result<Vec<KeyEntry>> {
        match self.call(Op::Keys)? {
            Reply::Keys { keys } => keys.into_iter().map(KeyEntry::try_from).collect(),
            other => Err(unexpected(&other)),
        }
    }

    fn login(&mut self, pin: &Pin) -> Result<()> {
        done(self.call(Op::Login {
            pin: SecretBytes(pin.expose().to_vec()),
        })?)
    }

    fn logout(&mut self) {
        // A logout that does not reach the medium leaves it to end the session when the link
        // drops; there is nobody to tell here.
        let _ = self.call(Op::Logout);
    }

    fn change_pin(&mut self, old: &Pin, new: &Pin) -> Result<()> {
        done(self.call(Op::ChangePin {
            old: SecretBytes(old.expose().to_vec()),
            new: SecretBytes(new.expose().to_vec()),
        })?)
    }

    fn unlock(&mut self, so_pin: &SoPin, new_pin: &Pin) -> Result<()> {
        done(self.call(Op::Unlock {
            so_pin: SecretBytes(so_pin.expose().to_vec()),
            new_pin: SecretBytes(new_pin.expose().to_vec()),
        })?)
    }

    fn generate_key(&mut self, spec: KeySpec, request: &CsrRequest) -> Result<GeneratedKey> {
        match self.call(Op::GenerateKey {
            spec: spec.name().to_owned(),
            subject: request.subject.clone(),
            exportable: request.exportable,
        })? {
            Reply::Generated { key, csr } => Ok(GeneratedKey {
                key: key.try_into()?,
                csr,
            }),
            other => Err(unexpected(&other)),
        }
    }

    fn import_certificate(&mut self, der: &[u8]) -> Result<CertEntry> {
        match self.call(Op::ImportCertificate { der: der.to_vec() })? {
            Reply::Certificate(c) => cert_entry(c),
            other => Err(unexpected(&other)),
        }
    }

    fn import_key(
        &mut self,
        pkcs8: &[u8],
        certificates: &[Vec<u8>],
        exportable: bool,
    ) -> Result<(KeyEntry, Vec<CertEntry>)> {
        match self.call(Op::ImportKey {
            pkcs8: SecretBytes(pkcs8.to_vec()),
            certificates: certificates.iter().cloned().map(Der).collect(),
            exportable,
        })? {
            Reply::Imported { key, certificates } => {
                Ok((key.try_into()?, cert_entries(certificates)?))
            }
            other => Err(unexpected(&other)),
        }
    }

    fn export_key(&mut self, key: &KeyRef) -> Result<Zeroizing<Vec<u8>>> {
        secret(self.call(Op::ExportKey {
            key: key.id().to_vec(),
        })?)
    }

    fn delete_certificate(&mut self, cert: &CertRef) -> Result<()> {
        done(self.call(Op::DeleteCertificate {
            thumbprint: cert.thumbprint().to_owned(),
        })?)
    }

    fn delete_key(&mut self, key: &KeyRef) -> Result<()> {
        done(self.call(Op::DeleteKey {
            key: key.id().to_vec(),
        })?)
    }

    fn sign(&mut self, key: &KeyRef, alg: &SignAlg, data: &[u8]) -> Result<Vec<u8>> {
        match self.call(Op::Sign {
            key: key.id().to_vec(),
            alg: alg.into(),
            data: data.to_vec(),
        })? {
            Reply::Signature { signature } => Ok(signature),
            other => Err(unexpected(&other)),
        }
    }

    fn decrypt(&mut self, key: &KeyRef, alg: &EncAlg, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let format = wire::enc_format_name(alg).ok_or_else(|| MediumError::Unsupported {
            what: "this ciphertext layout over a framed link".into(),
        })?;
        secret(self.call(Op::Decrypt {
            key: key.id().to_vec(),
            format: format.to_owned(),
            data: data.to_vec(),
        })?)
    }

    fn data_objects(&self) -> Result<Vec<String>> {
        match self.call(Op::DataObjects)? {
            Reply::Names { names } => Ok(names),
            other => Err(unexpected(&other)),
        }
    }

    fn read_data_object(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match self.call(Op::ReadDataObject {
            name: name.to_owned(),
        })? {
            Reply::Object { value } => Ok(value),
            other => Err(unexpected(&other)),
        }
    }

    fn write_data_object(&mut self, name: &str, value: &[u8], private: bool) -> Result<()> {
        done(self.call(Op::WriteDataObject {
            name: name.to_owned(),
            value: SecretBytes(value.to_vec()),
            private,
        })?)
    }

    fn delete_data_object(&mut self, name: &str) -> Result<bool> {
        match self.call(Op::DeleteDataObject {
            name: name.to_owned(),
        })? {
            Reply::Deleted { existed } => Ok(existed),
            other => Err(unexpected(&other)),
        }
    }
}

fn done(reply: Reply) -> Result<()> {
    match reply {
        Reply::Done => Ok(()),
        other => Err(unexpected(&other)),
    }
}

fn secret(reply: Reply) -> Result<Zeroizing<Vec<u8>>> {
    match reply {
        Reply::Secret { mut bytes } => Ok(Zeroizing::new(std::mem::take(&mut bytes.0))),
        other => Err(unexpected(&other)),
    }
}

/// The serving side: a real medium answering request frames.
#[derive(Debug)]
pub struct MediumServer<M> {
    medium: M,
}

impl<M: Medium> MediumServer<M> {
    /// Serves `medium`.
    pub fn new(medium: M) -> Self {
        Self { medium }
    }

    /// The medium back (when the link closes).
    pub fn into_inner(self) -> M {
        self.medium
    }

    /// Answers one request frame. Whatever arrives — garbage, a frame of another version, one
    /// over [`MAX_FRAME`] — gets a response frame with a typed refusal, never a panic.
    pub fn handle(&mut self, frame: &[u8]) -> Zeroizing<Vec<u8>> {
        let result = match wire::decode::<Request>(frame) {
            Ok(request) if request.v == VERSION => self.dispatch(request.op),
            Ok(request) => Err(WireError::Malformed {
                reason: format!(
                    "protocol version {} is not served (this medium speaks {VERSION})",
                    request.v
                ),
            }),
            Err(e) => Err(e),
        };
        wire::encode(&Response { v: VERSION, result })
    }

    fn dispatch(&mut self, op: Op) -> std::result::Result<Reply, WireError> {
        let m = &mut self.medium;
        let refused = |e: MediumError| WireError::from(&e);
        let certs = |list: Vec<CertEntry>| {
            list.into_iter()
                .map(|c| WireCert {
                    der: c.certificate.der().to_vec(),
                    key: c.key.map(|k| k.id().to_vec()),
                })
                .collect::<Vec<_>>()
        };
        Ok(match op {
            Op::Info => Reply::Info(m.info().map_err(refused)?.into()),
            Op::Certificates => Reply::Certificates {
                certificates: certs(m.certificates().map_err(refused)?),
            },
            Op::Keys => Reply::Keys {
                keys: m
                    .keys()
                    .map_err(refused)?
                    .into_iter()
                    .map(WireKey::from)
                    .collect(),
            },
            Op::Login { pin } => {
                m.login(&pin_of(&pin)?).map_err(refused)?;
                Reply::Done
            }
            Op::Logout => {
                m.logout();
                Reply::Done
            }
            Op::ChangePin { old, new } => {
                m.change_pin(&pin_of(&old)?, &pin_of(&new)?)
                    .map_err(refused)?;
                Reply::Done
            }
            Op::Unlock { so_pin, new_pin } => {
                let so = SoPin::new(text_of(&so_pin)?);
                m.unlock(&so, &pin_of(&new_pin)?).map_err(refused)?;
                Reply::Done
            }
            Op::GenerateKey {
                spec,
                subject,
                exportable,
            } => {
                let generated = m
                    .generate_key(
                        wire::key_spec(&spec)?,
                        &wire::csr_request(subject, exportable),
                    )
                    .map_err(refused)?;
                Reply::Generated {
                    key: generated.key.into(),
                    csr: generated.csr,
                }
            }
            Op::ImportCertificate { der } => {
                let entry = m.import_certificate(&der).map_err(refused)?;
                Reply::Certificate(WireCert {
                    der: entry.certificate.der().to_vec(),
                    key: entry.key.map(|k| k.id().to_vec()),
                })
            }
            Op::ImportKey {
                pkcs8,
                certificates,
                exportable,
            } => {
                let certificates: Vec<Vec<u8>> = certificates.into_iter().map(|d| d.0).collect();
                let (key, stored) = m
                    .import_key(&pkcs8.0, &certificates, exportable)
                    .map_err(refused)?;
                Reply::Imported {
                    key: key.into(),
                    certificates: certs(stored),
                }
            }
            Op::ExportKey { key } => {
                let mut pkcs8 = m.export_key(&KeyRef::new(key)).map_err(refused)?;
                Reply::Secret {
                    bytes: SecretBytes(std::mem::take(&mut *pkcs8)),
                }
            }
            Op::DeleteCertificate { thumbprint } => {
                m.delete_certificate(&CertRef::from_thumbprint(&thumbprint))
                    .map_err(refused)?;
                Reply::Done
            }
            Op::DeleteKey { key } => {
                m.delete_key(&KeyRef::new(key)).map_err(refused)?;
                Reply::Done
            }
            Op::Sign { key, alg, data } => Reply::Signature {
                signature: m
                    .sign(&KeyRef::new(key), &alg.try_into()?, &data)
                    .map_err(refused)?,
            },
            Op::Decrypt { key, format, data } => {
                let mut plain = m
                    .decrypt(&KeyRef::new(key), &wire::enc_alg(&format)?, &data)
                    .map_err(refused)?;
                Reply::Secret {
                    bytes: SecretBytes(std::mem::take(&mut *plain)),
                }
            }
            Op::DataObjects => Reply::Names {
                names: m.data_objects().map_err(refused)?,
            },
            Op::ReadDataObject { name } => Reply::Object {
                value: m.read_data_object(&name).map_err(refused)?,
            },
            Op::WriteDataObject {
                name,
                value,
                private,
            } => {
                m.write_data_object(&name, &value.0, private)
                    .map_err(refused)?;
                Reply::Done
            }
            Op::DeleteDataObject { name } => Reply::Deleted {
                existed: m.delete_data_object(&name).map_err(refused)?,
            },
        })
    }
}

/// A PIN from the wire: UTF-8, as every medium takes it.
fn pin_of(bytes: &SecretBytes) -> std::result::Result<Pin, WireError> {
    text_of(bytes).map(Pin::new)
}

fn text_of(bytes: &SecretBytes) -> std::result::Result<String, WireError> {
    String::from_utf8(bytes.0.clone()).map_err(|_| WireError::Malformed {
        reason: "a PIN that is not UTF-8".into(),
    })
}
