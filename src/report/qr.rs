//! QR codes for printed sheets: the module matrix from the `qrcode` crate, drawn as one SVG
//! path (no image library, no external resource), so a phone can read a manifest root off paper.

use qrcode::{Color, EcLevel, QrCode};

/// Quiet zone around the code, in modules (the standard asks for four).
const QUIET: usize = 4;

/// The code as an inline SVG (medium error correction); a text too long for any QR code
/// gives an SVG that says so instead.
pub fn svg(text: &str) -> String {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) {
        Ok(code) => draw(code.width(), &code.to_colors().iter().map(|c| *c == Color::Dark).collect::<Vec<_>>()),
        Err(e) => format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 20\"><text y=\"12\" font-size=\"6\">QR: {e}</text></svg>"
        ),
    }
}

/// One `M x y h1 v1 h-1 z` square per dark module, on a white background.
fn draw(width: usize, dark: &[bool]) -> String {
    let size = width + 2 * QUIET;
    let mut path = String::with_capacity(dark.len() * 6);
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        let (x, y) = (i % width + QUIET, i / width + QUIET);
        path.push_str(&format!("M{x} {y}h1v1h-1z"));
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
<rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    /// Reads the SVG back into modules the way a scanner sees them and decodes it with an
    /// independent QR decoder.
    fn decode(svg: &str) -> String {
        let size: usize = svg.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        let scale = 4;
        let mut pixels = vec![255u8; size * size * scale * scale];
        let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
        for square in d.split('M').filter(|s| !s.is_empty()) {
            let xy: Vec<usize> = square.split('h').next().unwrap().split(' ').map(|n| n.parse().unwrap()).collect();
            for dy in 0..scale {
                for dx in 0..scale {
                    pixels[(xy[1] * scale + dy) * size * scale + xy[0] * scale + dx] = 0;
                }
            }
        }
        let side = size * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| pixels[y * side + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn the_drawn_code_decodes_to_the_text() {
        let text = "shodo manifest-root 20261122-182902-66a49342/PC-GAIRAI-01 2bb15eb270812d2cc642a7c16ab43708619a7d57641c46a583c3c63a76eba804";
        assert_eq!(decode(&super::svg(text)), text);
    }
}
