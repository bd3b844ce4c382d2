//! One QEMU machine under software emulation (TCG): its serial console on a socket, read into a
//! buffer by a thread (and into `target/boot-test/serial-NAME.log`) and written to by the test;
//! its monitor on another socket, for screendumps and quit.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::screen;

/// OVMF built with Secure Boot and SMM, and variables with Microsoft's keys enrolled.
pub const OVMF_CODE: &str = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd";
const OVMF_VARS: &str = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd";

pub enum Firmware {
    /// SeaBIOS on the i440fx machine.
    Bios,
    /// OVMF on q35, Secure Boot enforced.
    UefiSecureBoot,
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// The ISO as a CD, booted first.
pub fn cdrom(iso: &Path) -> Vec<String> {
    let mut v = strings(&["-drive"]);
    v.push(format!("file={},format=raw,media=cdrom,readonly=on,if=none,id=boot", iso.display()));
    v.extend(strings(&["-device", "ide-cd,drive=boot,bootindex=0"]));
    v
}

/// A stick image as a USB mass-storage device on an xHCI controller, booted first.
pub fn usb(stick: &Path) -> Vec<String> {
    let mut v = strings(&["-device", "qemu-xhci,id=xhci", "-drive"]);
    v.push(format!("file={},format=raw,if=none,id=stick", stick.display()));
    v.extend(strings(&["-device", "usb-storage,bus=xhci.0,drive=stick,removable=on,bootindex=0"]));
    v
}

/// The evidence disk on an AHCI (SATA) controller.
pub fn sata(disk: &Path) -> Vec<String> {
    let mut v = strings(&["-device", "ahci,id=ahci", "-drive"]);
    v.push(format!("file={},format=raw,if=none,id=evidence", disk.display()));
    v.extend(strings(&["-device", "ide-hd,drive=evidence,bus=ahci.0"]));
    v
}

/// The evidence disk as an NVMe drive.
pub fn nvme(disk: &Path) -> Vec<String> {
    let mut v = strings(&["-drive"]);
    v.push(format!("file={},format=raw,if=none,id=evidence", disk.display()));
    v.extend(strings(&["-device", "nvme,drive=evidence,serial=EVIDENCE01"]));
    v
}

pub struct Vm {
    name: String,
    child: Child,
    serial: UnixStream,
    seen: Arc<Mutex<Vec<u8>>>,
    monitor: PathBuf,
    started: Instant,
}

impl Vm {
    pub fn start(name: &str, firmware: Firmware, boot: &[String], evidence: &[String], tmp: &Path) -> Vm {
        let serial_sock = tmp.join(format!("{name}.serial"));
        let monitor = tmp.join(format!("{name}.monitor"));
        let mut cmd = Command::new("qemu-system-x86_64");
        cmd.args(["-accel", "tcg", "-m", "2048", "-smp", "2", "-nographic", "-vga", "std", "-no-reboot"]);
        cmd.arg("-chardev").arg(format!("socket,id=ser,path={},server=on,wait=off", serial_sock.display()));
        cmd.args(["-serial", "chardev:ser"]);
        // A network card the stick must leave down (user networking, restricted to the guest).
        cmd.args(["-netdev", "user,id=net0,restrict=on", "-device", "virtio-net-pci,netdev=net0,romfile="]);
        cmd.arg("-monitor").arg(format!("unix:{},server=on,wait=off", monitor.display()));
        match firmware {
            Firmware::Bios => {
                cmd.args(["-machine", "pc"]);
            }
            Firmware::UefiSecureBoot => {
                let vars = tmp.join(format!("{name}.vars.fd"));
                fs::copy(OVMF_VARS, &vars).unwrap();
                cmd.args(["-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on"]);
                cmd.args(["-global", "ICH9-LPC.disable_s3=1", "-drive"]);
                cmd.arg(format!("if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}"));
                cmd.arg("-drive").arg(format!("if=pflash,format=raw,unit=1,file={}", vars.display()));
            }
        }
        cmd.args(boot).args(evidence);
        let log = crate::out_dir().join(format!("qemu-{name}.log"));
        let child = cmd
            .stdin(Stdio::null())
            .stdout(fs::File::create(&log).unwrap())
            .stderr(fs::File::create(log.with_extension("err")).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("qemu-system-x86_64: {e}"));
        let started = Instant::now();
        let serial = connect(&serial_sock);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut reader = serial.try_clone().unwrap();
        let sink = Arc::clone(&seen);
        let mut file = fs::File::create(crate::out_dir().join(format!("serial-{name}.log"))).unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let _ = file.write_all(&buf[..n]);
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        eprintln!("[{name}] started: {cmd:?}");
        Vm { name: name.into(), child, serial, seen, monitor, started }
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn serial_text(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    fn tail(&self) -> String {
        let t = self.serial_text();
        let start = t.char_indices().rev().nth(3000).map(|(i, _)| i).unwrap_or(0);
        t[start..].to_string()
    }

    fn check_alive(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("[{}] QEMU exited ({status}); serial:\n{}", self.name, self.tail());
        }
    }

    /// Waits until `text` has appeared on the serial console (a guard against a hung machine,
    /// not a performance limit).
    pub fn wait_for(&mut self, text: &str, guard: Duration) {
        while !self.serial_text().contains(text) {
            self.check_alive();
            assert!(
                self.elapsed() < guard,
                "[{}] no '{text}' on the serial console; it shows:\n{}",
                self.name,
                self.tail()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        eprintln!("[{}] '{text}' after {} s", self.name, self.elapsed().as_secs());
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.serial.write_all(bytes).unwrap();
    }

    /// The self-check's lines, once its result is out.
    pub fn selftest(&mut self, guard: Duration) -> Vec<String> {
        self.wait_for("SHODO-SELFTEST RESULT", guard);
        std::thread::sleep(Duration::from_millis(500));
        let lines: Vec<String> = self
            .serial_text()
            .lines()
            .filter_map(|l| l.find("SHODO-SELFTEST ").map(|i| l[i..].trim_end().to_string()))
            .collect();
        for l in &lines {
            eprintln!("[{}] {l}", self.name);
        }
        lines
    }

    fn monitor(&self, command: &str) {
        let mut m = connect(&self.monitor);
        m.write_all(format!("{command}\n").as_bytes()).unwrap();
        // Wait for the monitor's next prompt, which follows the command's completion.
        m.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while let Ok(n) = m.read(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&got).matches("(qemu)").count() >= 2 {
                break;
            }
        }
    }

    /// tty1 as it is now.
    pub fn screendump(&mut self) -> screen::Image {
        self.check_alive();
        let ppm = crate::out_dir().join(format!("{}.ppm", self.name));
        let _ = fs::remove_file(&ppm);
        self.monitor(&format!("screendump {}", ppm.display()));
        screen::Image::from_ppm(&fs::read(&ppm).unwrap())
    }

    /// Takes screenshots of tty1 until one matches `reference` (at most
    /// `screen::MAX_DIFFERENT_CELLS` of its character cells differ), saving the last to `shot`.
    /// Returns the last difference (`None` without a reference) and when the match was seen.
    /// Without a reference, the screen is taken a minute after the case was set up.
    pub fn screen_until(&mut self, reference: &Path, shot: &Path, guard: Duration) -> (Option<f64>, Duration) {
        let want = fs::read(reference).ok().map(|b| screen::Image::from_png(&b));
        let Some(want) = want else {
            self.wait_for("shodo-case: case:", guard);
            std::thread::sleep(Duration::from_secs(60));
            fs::write(shot, self.screendump().to_png()).unwrap();
            return (None, self.elapsed());
        };
        loop {
            let img = self.screendump();
            let diff = img.different_cells(&want);
            if diff <= screen::MAX_DIFFERENT_CELLS || self.elapsed() >= guard {
                fs::write(shot, img.to_png()).unwrap();
                eprintln!(
                    "[{}] tty1 differs in {:.1}% of cells after {} s",
                    self.name,
                    diff * 100.0,
                    self.elapsed().as_secs()
                );
                return (Some(diff), self.elapsed());
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    }

    pub fn quit(&mut self) {
        self.monitor("quit");
        for _ in 0..100 {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn connect(path: &Path) -> UnixStream {
    for _ in 0..200 {
        if let Ok(s) = UnixStream::connect(path) {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("cannot connect to {}", path.display());
}
