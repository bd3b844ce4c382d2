//! Screenshots of tty1: QEMU's screendump (PPM) in, PNG out for keeping, and a comparison by
//! character cells (8×16 pixels, kmscon's unifont cell) that tolerates what moves on the home
//! screen — the clock and the countdowns — but not a different screen.

use std::io::{Read, Write};

/// The share of character cells allowed to differ from the reference.
pub const MAX_DIFFERENT_CELLS: f64 = 0.02;

const CELL_W: usize = 8;
const CELL_H: usize = 16;

pub struct Image {
    pub width: usize,
    pub height: usize,
    /// RGB, row by row.
    pub rgb: Vec<u8>,
}

impl Image {
    /// A binary PPM (P6, maxval 255), as QEMU's screendump writes it.
    pub fn from_ppm(b: &[u8]) -> Image {
        let mut fields = Vec::new();
        let mut i = 0;
        while fields.len() < 4 {
            while b[i].is_ascii_whitespace() {
                i += 1;
            }
            if b[i] == b'#' {
                while b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            let start = i;
            while !b[i].is_ascii_whitespace() {
                i += 1;
            }
            fields.push(String::from_utf8_lossy(&b[start..i]).into_owned());
        }
        assert_eq!(fields[0], "P6", "not a binary PPM");
        assert_eq!(fields[3], "255", "PPM maxval");
        let (width, height): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
        let rgb = b[i + 1..i + 1 + width * height * 3].to_vec();
        Image { width, height, rgb }
    }

    /// A PNG: 8-bit RGB, no interlace, every row with filter 0.
    pub fn to_png(&self) -> Vec<u8> {
        let mut raw = Vec::with_capacity((self.width * 3 + 1) * self.height);
        for row in self.rgb.chunks(self.width * 3) {
            raw.push(0);
            raw.extend_from_slice(row);
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&raw).unwrap();
        let idat = z.finish().unwrap();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&(self.width as u32).to_be_bytes());
        ihdr.extend_from_slice(&(self.height as u32).to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [(b"IHDR", ihdr.as_slice()), (b"IDAT", idat.as_slice()), (b"IEND", &[][..])] {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut chunk = kind.to_vec();
            chunk.extend_from_slice(data);
            png.extend_from_slice(&chunk);
            png.extend_from_slice(&crc32(&chunk).to_be_bytes());
        }
        png
    }

    /// Reads back a PNG as `to_png` writes it (8-bit RGB, filter 0).
    pub fn from_png(b: &[u8]) -> Image {
        assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
        let (mut width, mut height, mut idat) = (0, 0, Vec::new());
        let mut i = 8;
        while i + 8 <= b.len() {
            let len = u32::from_be_bytes(b[i..i + 4].try_into().unwrap()) as usize;
            let kind = &b[i + 4..i + 8];
            let data = &b[i + 8..i + 8 + len];
            match kind {
                b"IHDR" => {
                    width = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                    height = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                    assert_eq!(&data[8..13], &[8, 2, 0, 0, 0], "only 8-bit RGB PNGs as this test writes them");
                }
                b"IDAT" => idat.extend_from_slice(data),
                _ => {}
            }
            i += 12 + len;
        }
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(idat.as_slice()).read_to_end(&mut raw).unwrap();
        let mut rgb = Vec::with_capacity(width * height * 3);
        for row in raw.chunks(width * 3 + 1) {
            assert_eq!(row[0], 0, "only filter 0 rows as this test writes them");
            rgb.extend_from_slice(&row[1..]);
        }
        Image { width, height, rgb }
    }

    /// The share of character cells in which more than a few pixels differ clearly.
    pub fn different_cells(&self, other: &Image) -> f64 {
        if self.width != other.width || self.height != other.height {
            return 1.0;
        }
        let (cols, rows) = (self.width / CELL_W, self.height / CELL_H);
        let mut different = 0;
        for cy in 0..rows {
            for cx in 0..cols {
                let mut pixels = 0;
                for y in cy * CELL_H..(cy + 1) * CELL_H {
                    for x in cx * CELL_W..(cx + 1) * CELL_W {
                        let p = (y * self.width + x) * 3;
                        if (0..3).any(|c| self.rgb[p + c].abs_diff(other.rgb[p + c]) > 48) {
                            pixels += 1;
                        }
                    }
                }
                if pixels > 4 {
                    different += 1;
                }
            }
        }
        different as f64 / (cols * rows).max(1) as f64
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn png_round_trip_and_cell_difference() {
    let mut a = Image { width: 16, height: 32, rgb: vec![0; 16 * 32 * 3] };
    let b = Image::from_png(&a.to_png());
    assert_eq!((b.width, b.height), (16, 32));
    assert_eq!(b.rgb, a.rgb);
    assert_eq!(a.different_cells(&b), 0.0);
    // One glyph's worth of white pixels in the first of four cells.
    for y in 0..16 {
        for x in 0..8 {
            let p = (y * 16 + x) * 3;
            a.rgb[p..p + 3].copy_from_slice(&[255, 255, 255]);
        }
    }
    assert_eq!(a.different_cells(&b), 0.25);
    assert_eq!(crc32(b"IEND"), 0xAE42_6082);
}
