//! The active cloud account as a [`Medium`](tessera_media::Medium): the transport behind
//! [`tessera_media::cloud_key::CloudKey`], over [`Cloud`]. The account password plays the PIN;
//! wrong passwords are counted by the service, which locks password login after five for a
//! while and says how many tries are left; the account keeps what it last said, so the medium
//! shows the tries and the lock before the next try.

use tessera_crypto::sm2::CiphertextFormat;
use tessera_media::cloud_key::{CloudKey, CloudKeyTransport, LockState};
use tessera_media::{MediumError, Pin};
use tessera_proto::ProblemCode;
use tessera_proto::cloud::Password;
use zeroize::Zeroizing;

use super::{Cloud, CloudError, local::LocalAccount};

/// Wrong passwords the service allows before it locks an account (DESIGN.md, "Service").
pub const MAX_RETRIES: u8 = 5;

/// The active account of a [`Cloud`], speaking to its service.
#[derive(Debug, Clone)]
pub struct CloudTransport {
    cloud: Cloud,
    account: LocalAccount,
}

/// The active account's key as a medium; [`CloudError::NoCertificate`] before it is downloaded.
pub fn open(cloud: &Cloud) -> Result<CloudKey<CloudTransport>, CloudError> {
    let account = cloud.active()?;
    if account.certificate_pem.is_none() {
        return Err(CloudError::NoCertificate);
    }
    CloudKey::new(CloudTransport {
        cloud: cloud.clone(),
        account,
    })
    .map_err(|e| CloudError::Protocol(e.to_string()))
}

fn password(pin: &Pin) -> Result<Password, MediumError> {
    std::str::from_utf8(pin.expose())
        .map(Password::new)
        .map_err(|_| MediumError::PinIncorrect {
            retries_left: MAX_RETRIES,
        })
}

fn medium_error(e: CloudError) -> MediumError {
    match e {
        CloudError::Service {
            code: ProblemCode::PasswordIncorrect,
            tries_left,
            ..
        } => MediumError::PinIncorrect {
            // Without a count, one try is assumed left: never more than there is.
            retries_left: tries_left.and_then(|t| u8::try_from(t).ok()).unwrap_or(1),
        },
        CloudError::Service {
            code: ProblemCode::AccountLocked,
            retry_after,
            ..
        } => MediumError::TemporarilyLocked {
            retry_after_secs: retry_after,
        },
        // A share an earlier version wrapped under the password does not open under this one
        // (the service took it: it was recovered by SMS before the share was rewrapped).
        CloudError::PasswordIncorrect => MediumError::PinIncorrect {
            retries_left: MAX_RETRIES,
        },
        CloudError::Crypto(e) => MediumError::Crypto(e),
        other => MediumError::Remote {
            reason: other.to_string(),
        },
    }
}

impl CloudTransport {
    /// The service the account is at.
    pub fn server(&self) -> &str {
        &self.account.server
    }

    /// `e` as a medium error; a wrong password with the tries left this install counted
    /// ([`super::local::PasswordState`]) when the service gave no count.
    fn refused(&self, e: CloudError) -> MediumError {
        let counted = matches!(
            e,
            CloudError::Service {
                code: ProblemCode::PasswordIncorrect,
                tries_left: None,
                ..
            }
        );
        let stored = self
            .cloud
            .active()
            .ok()
            .and_then(|a| a.password_state)
            .filter(|s| counted && s.tries_left > 0);
        match stored {
            Some(state) => MediumError::PinIncorrect {
                retries_left: state.tries_left,
            },
            None => medium_error(e),
        }
    }
}

impl CloudKeyTransport for CloudTransport {
    fn certificate(&self) -> tessera_media::Result<Vec<u8>> {
        let pem = self
            .account
            .certificate_pem
            .as_deref()
            .ok_or_else(|| medium_error(CloudError::NoCertificate))?;
        let (_, der) =
            pem_rfc7468::decode_vec(pem.as_bytes()).map_err(|e| MediumError::Remote {
                reason: format!("stored certificate: {e}"),
            })?;
        Ok(der)
    }

    fn label(&self) -> String {
        format!(
            "{} {} ({})",
            self.account.org, self.account.user_id, self.account.name
        )
    }

    fn account_id(&self) -> String {
        self.account.id.clone()
    }

    fn max_retries(&self) -> u8 {
        MAX_RETRIES
    }

    fn lock_state(&self) -> LockState {
        let now = crate::clock::now().unix_timestamp();
        match self.account.password_state {
            Some(state) if state.locked(now) => LockState {
                retries_left: 0,
                locked: true,
            },
            // A lock that has run out leaves all tries (the service resets them).
            Some(state) if state.tries_left > 0 => LockState {
                retries_left: state.tries_left,
                locked: false,
            },
            _ => LockState {
                retries_left: MAX_RETRIES,
                locked: false,
            },
        }
    }

    fn unlock(&mut self, pin: &Pin) -> tessera_media::Result<()> {
        self.cloud
            .check_password(&password(pin)?)
            .map_err(|e| self.refused(e))
    }

    fn sign_digest(&mut self, pin: &Pin, e: &[u8; 32]) -> tessera_media::Result<Vec<u8>> {
        self.cloud
            .sign_digest(e, &password(pin)?)
            .map(|sig| sig.to_der())
            .map_err(|e| self.refused(e))
    }

    fn decrypt(
        &mut self,
        pin: &Pin,
        ciphertext: &[u8],
        format: CiphertextFormat,
    ) -> tessera_media::Result<Zeroizing<Vec<u8>>> {
        self.cloud
            .decrypt_as(ciphertext, format, &password(pin)?)
            .map_err(|e| self.refused(e))
    }

    fn change_password(&mut self, old: &Pin, new: &Pin) -> tessera_media::Result<()> {
        let old = password(old)?;
        // At the service first, so a wrong old password counts against the lockout.
        self.cloud
            .check_password(&old)
            .map_err(|e| self.refused(e))?;
        self.cloud
            .change_password(&old, &password(new)?)
            .map_err(|e| self.refused(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_come_from_the_problem() {
        let refused = |code, tries_left, retry_after| {
            medium_error(CloudError::Service {
                status: 403,
                code,
                detail: "the service's words".into(),
                tries_left,
                retry_after,
            })
        };
        assert!(matches!(
            refused(ProblemCode::PasswordIncorrect, Some(2), None),
            MediumError::PinIncorrect { retries_left: 2 }
        ));
        assert!(matches!(
            refused(ProblemCode::PasswordIncorrect, None, None),
            MediumError::PinIncorrect { retries_left: 1 }
        ));
        assert!(matches!(
            refused(ProblemCode::AccountLocked, None, Some(900)),
            MediumError::TemporarilyLocked {
                retry_after_secs: Some(900)
            }
        ));
    }
}
