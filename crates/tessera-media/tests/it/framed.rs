//! Bad input on both ends of a framed medium: whatever arrives at [`MediumServer::handle`] or
//! comes back to [`FramedMedium`] is answered with a typed refusal, never a panic, and neither
//! side allocates beyond [`MAX_FRAME`]. The conformance suite over frames is in `conformance.rs`.

use proptest::prelude::*;
use tessera_media::file_device::{CreateOptions, FileDevice, FileDeviceStore, KdfParams};
use tessera_media::framed::{FrameTransport, FramedMedium, LinkError, MAX_FRAME, MediumServer};
use tessera_media::{Medium, MediumError, Pin, SoPin};
use zeroize::Zeroizing;

fn device(dir: &tempfile::TempDir) -> FileDevice {
    let store = FileDeviceStore::open(dir.path()).unwrap();
    let options = CreateOptions::new("framed").kdf(KdfParams::insecure_minimum_for_tests());
    let created = store
        .create(&options, &Pin::new("123456"), &SoPin::new("12345678"))
        .unwrap();
    FileDevice::open(created.path()).unwrap()
}

/// Sends `frame` instead of whatever the client meant to send, and hands back the server's
/// answer: a client call then reports how the server refused it.
struct Substitute {
    server: MediumServer<FileDevice>,
    frame: Vec<u8>,
}

impl FrameTransport for Substitute {
    fn exchange(&mut self, _request: &[u8]) -> Result<Zeroizing<Vec<u8>>, LinkError> {
        Ok(self.server.handle(&self.frame))
    }
}

/// Answers every request with `answer`, as a broken or hostile far side would.
struct Answers(Vec<u8>);

impl FrameTransport for Answers {
    fn exchange(&mut self, _request: &[u8]) -> Result<Zeroizing<Vec<u8>>, LinkError> {
        Ok(Zeroizing::new(self.0.clone()))
    }
}

/// The refusal the server gave for `frame`, as the client sees it.
fn refusal(frame: Vec<u8>) -> MediumError {
    let dir = tempfile::tempdir().unwrap();
    let medium = FramedMedium::new(Substitute {
        server: MediumServer::new(device(&dir)),
        frame,
    });
    medium.info().expect_err("the server answered a bad frame")
}

fn cbor(value: &ciborium::value::Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

fn request(v: u64, op: &str) -> Vec<u8> {
    use ciborium::value::Value;
    cbor(&Value::Map(vec![
        (Value::Text("v".into()), Value::Integer(v.into())),
        (
            Value::Text("op".into()),
            Value::Map(vec![(Value::Text("op".into()), Value::Text(op.into()))]),
        ),
    ]))
}

fn is_framing_refusal(e: &MediumError) -> bool {
    matches!(e, MediumError::Remote { reason } if reason.starts_with("framed medium:"))
}

#[test]
fn a_well_formed_request_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let medium = FramedMedium::new(Substitute {
        server: MediumServer::new(device(&dir)),
        frame: request(1, "info"),
    });
    assert_eq!(medium.info().unwrap().label, "framed");
}

#[test]
fn another_protocol_version_is_refused() {
    let e = refusal(request(2, "info"));
    assert!(is_framing_refusal(&e), "{e:?}");
    assert!(e.to_string().contains("version 2"), "{e}");
}

#[test]
fn an_unknown_operation_is_refused() {
    let e = refusal(request(1, "format_everything"));
    assert!(is_framing_refusal(&e), "{e:?}");
}

#[test]
fn a_frame_over_the_limit_is_refused_unread() {
    let e = refusal(vec![0; MAX_FRAME + 1]);
    assert!(is_framing_refusal(&e), "{e:?}");
    assert!(e.to_string().contains("exceeds"), "{e}");
}

/// 100 000 nested one-element arrays: a recursive decoder without a limit would overflow the
/// stack.
#[test]
fn deep_nesting_is_refused() {
    let mut frame = vec![0x81; 100_000];
    frame.push(0x00);
    let e = refusal(frame);
    assert!(is_framing_refusal(&e), "{e:?}");
}

/// A byte string that claims 2^60 bytes in a 9-byte frame.
#[test]
fn a_length_beyond_the_frame_is_refused() {
    let e = refusal(vec![0x5b, 0x10, 0, 0, 0, 0, 0, 0, 0]);
    assert!(is_framing_refusal(&e), "{e:?}");
}

#[test]
fn a_pin_that_is_not_utf8_is_refused() {
    use ciborium::value::Value;
    let frame = cbor(&Value::Map(vec![
        (Value::Text("v".into()), Value::Integer(1.into())),
        (
            Value::Text("op".into()),
            Value::Map(vec![
                (Value::Text("op".into()), Value::Text("login".into())),
                (Value::Text("pin".into()), Value::Bytes(vec![0xff, 0xfe])),
            ]),
        ),
    ]));
    let e = refusal(frame);
    assert!(is_framing_refusal(&e), "{e:?}");
}

#[test]
fn a_dead_link_is_a_remote_error() {
    struct Dead;
    impl FrameTransport for Dead {
        fn exchange(&mut self, _: &[u8]) -> Result<Zeroizing<Vec<u8>>, LinkError> {
            Err(LinkError {
                reason: "the phone went away".into(),
            })
        }
    }
    let mut medium = FramedMedium::new(Dead);
    let e = medium.login(&Pin::new("123456")).unwrap_err();
    assert!(
        matches!(&e, MediumError::Remote { reason } if reason.contains("the phone went away")),
        "{e:?}"
    );
}

/// A reply of the wrong kind (a signature where a login answer belongs) is refused, not
/// misread.
#[test]
fn a_reply_of_the_wrong_kind_is_refused() {
    use ciborium::value::Value;
    let answer = cbor(&Value::Map(vec![
        (Value::Text("v".into()), Value::Integer(1.into())),
        (
            Value::Text("result".into()),
            Value::Map(vec![(
                Value::Text("Ok".into()),
                Value::Map(vec![
                    (Value::Text("reply".into()), Value::Text("signature".into())),
                    (Value::Text("signature".into()), Value::Bytes(vec![1, 2, 3])),
                ]),
            )]),
        ),
    ]));
    let mut medium = FramedMedium::new(Answers(answer));
    let e = medium.login(&Pin::new("123456")).unwrap_err();
    assert!(is_framing_refusal(&e), "{e:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random bytes to the server: always a response frame with a refusal.
    #[test]
    fn random_requests_are_refused(frame in proptest::collection::vec(any::<u8>(), 0..512)) {
        let e = refusal(frame);
        prop_assert!(is_framing_refusal(&e), "{e:?}");
    }

    /// Random bytes back to the client: always a typed error, on every kind of call.
    #[test]
    fn random_answers_are_refused(answer in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut medium = FramedMedium::new(Answers(answer));
        prop_assert!(medium.info().is_err());
        prop_assert!(medium.certificates().is_err());
        prop_assert!(medium.login(&Pin::new("123456")).is_err());
        prop_assert!(medium.read_data_object("x").is_err());
    }
}
