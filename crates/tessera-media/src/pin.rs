//! PINs as secret types: never displayed, zeroized on drop.

use secrecy::{ExposeSecret as _, SecretString};

/// The user PIN (PKCS#11 v2.40 `CKU_USER`). No `Display`; `Debug` prints `Pin(***)`. `Clone`
/// so the PIN cache can hand out copies; each copy is zeroized when dropped.
#[derive(Clone)]
pub struct Pin(SecretString);

/// The security officer PIN / PUK (PKCS#11 v2.40 `CKU_SO`), which unlocks a locked medium and sets
/// a new user PIN. No `Display`; `Debug` prints `SoPin(***)`.
pub struct SoPin(SecretString);

macro_rules! secret_pin {
    ($t:ident) => {
        impl $t {
            /// Wraps a PIN typed by the user.
            pub fn new(pin: impl Into<String>) -> Self {
                Self(SecretString::from(pin.into()))
            }

            /// The PIN's bytes (UTF-8), for a KDF or a token call. Keep the borrow short.
            pub fn expose(&self) -> &[u8] {
                self.0.expose_secret().as_bytes()
            }

            /// Length in characters.
            pub fn char_len(&self) -> usize {
                self.0.expose_secret().chars().count()
            }
        }

        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "(***)"))
            }
        }

        impl From<String> for $t {
            fn from(s: String) -> Self {
                Self::new(s)
            }
        }

        impl From<&str> for $t {
            fn from(s: &str) -> Self {
                Self::new(s)
            }
        }
    };
}

secret_pin!(Pin);
secret_pin!(SoPin);
