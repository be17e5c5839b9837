//! Kills a process writing to a file device with SIGKILL at random moments, 200 times, and checks
//! after each kill that the device opens with the old or the new content and the right PIN.
//!
//! The writer is this test binary re-executed with `TESSERA_CRASH_WRITER` naming the device file.

use std::{
    io::{BufRead as _, BufReader, Write as _},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use tessera_media::{
    Medium, MediumError, Pin, SoPin,
    file_device::{CreateOptions, FileDevice, FileDeviceStore, KdfParams},
};

const ENV: &str = "TESSERA_CRASH_WRITER";
const PINS: [&str; 2] = ["111111", "222222"];
const KILLS: usize = 200;
const READY: &str = "CRASH-WRITER-READY";

/// Logs in with whichever of the two PINs is current; returns its index.
fn login_either(m: &mut FileDevice) -> usize {
    for (i, p) in PINS.iter().enumerate() {
        match m.login(&Pin::new(*p)) {
            Ok(()) => return i,
            Err(MediumError::PinIncorrect { .. }) => {}
            Err(e) => panic!("login: {e}"),
        }
    }
    panic!("neither PIN opens the device");
}

fn counter(m: &FileDevice) -> u64 {
    let v = m.read_data_object("counter").unwrap().expect("counter");
    std::str::from_utf8(&v).unwrap().parse().unwrap()
}

/// The child: counts up forever, changing the PIN every third step.
#[test]
fn crash_writer_child() {
    let Some(path) = std::env::var_os(ENV) else {
        return;
    };
    let mut m = FileDevice::open(path).unwrap();
    let mut current = login_either(&mut m);
    let mut n = counter(&m);
    println!("{READY}");
    std::io::stdout().flush().unwrap();
    // An orphaned writer (its parent died) stops by itself.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        n += 1;
        m.write_data_object("counter", n.to_string().as_bytes(), false)
            .unwrap();
        if n.is_multiple_of(3) {
            let next = 1 - current;
            m.change_pin(&Pin::new(PINS[current]), &Pin::new(PINS[next]))
                .unwrap();
            current = next;
        }
    }
}

#[test]
fn sigkill_at_random_moments_leaves_old_or_new_state() {
    if std::env::var_os(ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = FileDeviceStore::open(dir.path()).unwrap();
    let options = CreateOptions::new("crash").kdf(KdfParams::insecure_minimum_for_tests());
    let mut m = store
        .create(&options, &Pin::new(PINS[0]), &SoPin::new("99999999"))
        .unwrap();
    m.login(&Pin::new(PINS[0])).unwrap();
    m.write_data_object("counter", b"0", false).unwrap();
    let path = m.path().to_owned();
    drop(m);

    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let mut last = 0;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash::crash_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines.next().expect("child exited before writing").unwrap();
            if line.contains(READY) {
                break;
            }
        }
        let delay: [u8; 2] = tessera_crypto::rng::bytes().unwrap();
        let micros = u64::from(u16::from_le_bytes(delay)) % 20_000;
        std::thread::sleep(Duration::from_micros(micros));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        let mut m = FileDevice::open(&path)
            .unwrap_or_else(|e| panic!("round {round}: device does not open: {e}"));
        let n = counter(&m);
        assert!(
            n >= last,
            "round {round}: counter went back from {last} to {n}"
        );
        last = n;
        login_either(&mut m);
        assert_eq!(
            m.info().unwrap().pin_retries_left,
            m.info().unwrap().pin_max_retries
        );
        let devices = store.list().unwrap();
        assert_eq!(devices.len(), 1, "round {round}: {devices:?}");
        assert!(devices[0].info.is_ok());
    }
    println!(
        "{KILLS} kills in {:?}, counter reached {last}",
        started.elapsed()
    );
    assert!(last > 0, "the writer never wrote");
}
