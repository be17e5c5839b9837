//! The conformance suite every medium passes, generic over [`Medium`], run here against the file
//! device in both modes, the file device reached over frames, and a SoftHSM2 token through
//! PKCS#11. Outside oracle: the `openssl` command line (3.0). The suite itself lives in
//! `tessera-testkit` (`conformance.rs`), shared with the client's cloud-key run; what a backend cannot do is declared in its `Profile` with the reason,
//! and printed as `SKIP` when the suite runs.

use crate::softhsm;
use crate::suite;

use suite::{Profile, SO_PIN, conformance, generate_one};
use tessera_media::{
    AlgorithmMode, KeySpec, Pin, SoPin,
    file_device::{CreateOptions, FileDevice, FileDeviceStore, KdfParams},
    framed::{FrameTransport, FramedMedium, LinkError, MediumServer},
};
use zeroize::Zeroizing;

const FILE_DEVICE: Profile = Profile {
    pin: "123456",
    new_pin: "654321",
    no_exact_lockout: None,
    no_so_unlock: None,
    no_sm2: None,
    private_hidden_before_login: false,
    fixed_key: None,
    no_data_objects: None,
};

const SOFTHSM2: Profile = Profile {
    pin: softhsm::USER_PIN,
    no_exact_lockout: Some(
        "SoftHSM2 keeps no retry counter and never locks the user PIN; PKCS#11 reports only the \
         COUNT_LOW/FINAL_TRY/LOCKED flags",
    ),
    no_sm2: Some("SoftHSM2 offers no SM2 mechanism (operations return Unsupported)"),
    private_hidden_before_login: true,
    ..FILE_DEVICE
};

fn pin() -> Pin {
    Pin::new(FILE_DEVICE.pin)
}

fn file_device(mode: AlgorithmMode, kdf: KdfParams) -> impl FnMut() -> FileDevice {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    move || {
        n += 1;
        let store = FileDeviceStore::open(dir.path()).unwrap();
        let options = CreateOptions::new(format!("device {n}"))
            .mode(mode)
            .kdf(kdf);
        let created = store.create(&options, &pin(), &SoPin::new(SO_PIN)).unwrap();
        // Every check works on a device opened afresh from its file.
        FileDevice::open(created.path()).unwrap()
    }
}

#[test]
fn file_device_standard_mode() {
    conformance(
        FILE_DEVICE,
        file_device(AlgorithmMode::Standard, KdfParams::default()),
    );
}

#[test]
fn file_device_national_mode() {
    conformance(
        FILE_DEVICE,
        file_device(AlgorithmMode::National, KdfParams::default()),
    );
}

/// The link of a framed medium in one process: each request frame goes straight to the server.
struct Loopback(MediumServer<FileDevice>);

impl FrameTransport for Loopback {
    fn exchange(&mut self, request: &[u8]) -> Result<Zeroizing<Vec<u8>>, LinkError> {
        Ok(self.0.handle(request))
    }
}

/// The file device behind [`MediumServer`], reached through [`FramedMedium`]: every call crosses
/// as CBOR frames, and the suite sees the same answers and the same typed refusals.
#[test]
fn framed_file_device() {
    let mut open = file_device(AlgorithmMode::National, KdfParams::default());
    conformance(FILE_DEVICE, move || {
        FramedMedium::new(Loopback(MediumServer::new(open())))
    });
}

#[test]
fn file_device_rsa3072() {
    let mut fresh = file_device(
        AlgorithmMode::Standard,
        KdfParams::insecure_minimum_for_tests(),
    );
    let mut m = fresh();
    generate_one(&mut m, FILE_DEVICE, KeySpec::Rsa3072);
}

/// The suite on SoftHSM2 tokens made with `softhsm2-util --init-token --free`, each test in its
/// own process and token folder (see `conformance/softhsm.rs`).
#[test]
fn softhsm2() {
    let Some(hsm) = softhsm::isolated("conformance::softhsm2") else {
        return;
    };
    // SoftHSM2 sees the tokens present at `C_Initialize`: make them all first.
    for n in 1..=16 {
        hsm.init_token(&format!("conformance {n}"));
    }
    let mut n = 0;
    conformance(SOFTHSM2, move || {
        n += 1;
        hsm.open(&format!("conformance {n}"))
    });
}

#[test]
fn softhsm2_rsa3072() {
    let Some(hsm) = softhsm::isolated("conformance::softhsm2_rsa3072") else {
        return;
    };
    hsm.init_token("rsa3072");
    generate_one(&mut hsm.open("rsa3072"), SOFTHSM2, KeySpec::Rsa3072);
}
