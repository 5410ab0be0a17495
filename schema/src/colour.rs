//! Colours of a theme kept readable: WCAG 2.2 contrast (relative luminance, 4.5:1 for text)
//! computed the same in the widget and in tests, without `powf` (which would add a
//! floating-point power function to the widget).

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub [u8; 3]);

pub const WHITE: Rgb = Rgb([255, 255, 255]);
pub const BLACK: Rgb = Rgb([0, 0, 0]);
// The widget's defaults (style/sayso.css; tests/contrast.rs checks they agree). In the light
// scheme the surface and the text on the accent are white.
/// `--accent` in the light scheme.
pub const LIGHT_ACCENT: Rgb = Rgb([0x0b, 0x5c, 0xad]);
/// `--surface` in the dark scheme.
pub const DARK_SURFACE: Rgb = Rgb([0x1b, 0x1f, 0x24]);
/// `--accent` in the dark scheme.
pub const DARK_ACCENT: Rgb = Rgb([0x8c, 0xc4, 0xff]);
/// `--accent-text` in the dark scheme.
pub const DARK_ACCENT_TEXT: Rgb = Rgb([0x0b, 0x1a, 0x2a]);

/// The WCAG minimum for text, which the accent is too (links, the secondary button).
pub const TEXT_CONTRAST: f64 = 4.5;

/// An sRGB channel (0 to 255) as linear light (0 to 1).
fn linear(channel: u8) -> f64 {
    let s = f64::from(channel) / 255.0;
    if s <= 0.04045 {
        return s / 12.92;
    }
    // x^2.4 = x² · x^0.4, and 0.4 = 0.0110011001100110…₂: x^0.4 is the product of the roots
    // x^(1/2^k) for the bits k that are 1 (the bits after the 16th would change it by less
    // than 0.002%).
    let x = (s + 0.055) / 1.055;
    let (mut root, mut power) = (x, x * x);
    for k in 1..=16 {
        root = root.sqrt();
        if 0b0110_0110_0110_0110 >> (16 - k) & 1 == 1 {
            power *= root;
        }
    }
    power
}

impl Rgb {
    /// `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`; a translucent colour is taken as it looks
    /// over `under`.
    pub fn parse(hex: &str, under: Rgb) -> Option<Rgb> {
        let h = hex.strip_prefix('#')?.as_bytes();
        let digit = |i: usize| char::from(h[i]).to_digit(16);
        // Digits per channel: `#rgb` has one, `#rrggbb` two.
        let width = match h.len() {
            3 | 4 => 1,
            6 | 8 => 2,
            _ => return None,
        };
        let mut c = [255u32; 4];
        for (i, channel) in c.iter_mut().take(h.len() / width).enumerate() {
            *channel = if width == 1 {
                digit(i)? * 17
            } else {
                digit(2 * i)? * 16 + digit(2 * i + 1)?
            };
        }
        let colour = Rgb([c[0] as u8, c[1] as u8, c[2] as u8]);
        Some(under.mix(colour, c[3], 255))
    }

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        let digit = |d: u8| char::from(b"0123456789abcdef"[usize::from(d & 15)]);
        let mut s = String::from("#");
        for c in self.0 {
            s.push(digit(c >> 4));
            s.push(digit(c));
        }
        s
    }

    /// This colour moved `part` of `whole` of the way to `other`, in sRGB as CSS `color-mix`.
    pub fn mix(self, other: Rgb, part: u32, whole: u32) -> Rgb {
        let channel = |i: usize| {
            let (a, b) = (u32::from(self.0[i]), u32::from(other.0[i]));
            ((a * (whole - part) + b * part + whole / 2) / whole) as u8
        };
        Rgb([channel(0), channel(1), channel(2)])
    }

    /// Relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let [r, g, b] = self.0.map(linear);
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    /// The contrast ratio of two colours, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// The nearest shade of this colour, towards `away` in twentieths, that reaches `minimum`
    /// against `surface` (`away` itself at worst: black or white, which always do).
    pub fn readable_on(self, surface: Rgb, away: Rgb, minimum: f64) -> Rgb {
        (0..=20)
            .map(|step| self.mix(away, step, 20))
            .find(|c| c.contrast(surface) >= minimum)
            .unwrap_or(away)
    }

    /// The first of `candidates` readable as text on this colour, else black or white.
    pub fn text_on(self, candidates: &[Rgb]) -> Rgb {
        let fallback = if self.contrast(BLACK) >= self.contrast(WHITE) {
            BLACK
        } else {
            WHITE
        };
        candidates
            .iter()
            .copied()
            .find(|c| c.contrast(self) >= TEXT_CONTRAST)
            .unwrap_or(fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_light_is_the_wcag_formula() {
        for c in 0..=255u8 {
            let s = f64::from(c) / 255.0;
            let exact = if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            };
            let ours = linear(c);
            assert!(
                (ours - exact).abs() <= exact * 4e-5,
                "channel {c}: {ours} {exact}"
            );
        }
    }

    #[test]
    fn contrast_matches_known_values() {
        assert!((BLACK.contrast(WHITE) - 21.0).abs() < 0.01);
        assert!((Rgb([118, 118, 118]).contrast(WHITE) - 4.54).abs() < 0.01);
        assert!((Rgb([0x0b, 0x5c, 0xad]).contrast(WHITE) - 6.67).abs() < 0.01);
    }

    #[test]
    fn parses_every_hex_form_and_composites_alpha() {
        assert_eq!(Rgb::parse("#0b5cad", WHITE), Some(Rgb([0x0b, 0x5c, 0xad])));
        assert_eq!(Rgb::parse("#ABC", WHITE), Some(Rgb([0xaa, 0xbb, 0xcc])));
        assert_eq!(Rgb::parse("#00000080", WHITE), Some(Rgb([127, 127, 127])));
        assert_eq!(Rgb::parse("#0008", BLACK), Some(BLACK));
        assert_eq!(Rgb::parse("#0b5cad", WHITE).unwrap().hex(), "#0b5cad");
        for bad in ["0b5cad", "#0b5ca", "#0b5cag", "#", "#ééé"] {
            assert_eq!(Rgb::parse(bad, WHITE), None, "{bad}");
        }
    }

    #[test]
    fn a_readable_colour_is_kept_and_an_unreadable_one_moves_just_enough() {
        let blue = Rgb([0x0b, 0x5c, 0xad]);
        assert_eq!(blue.readable_on(WHITE, BLACK, TEXT_CONTRAST), blue);
        let dark = blue.readable_on(DARK_SURFACE, WHITE, TEXT_CONTRAST);
        assert!(dark.contrast(DARK_SURFACE) >= TEXT_CONTRAST);
        // One step less would not do.
        let before = (0..=20)
            .map(|s| blue.mix(WHITE, s, 20))
            .position(|c| c == dark)
            .unwrap();
        assert!(
            blue.mix(WHITE, before as u32 - 1, 20)
                .contrast(DARK_SURFACE)
                < TEXT_CONTRAST
        );
        let yellow = Rgb([0xff, 0xd4, 0x00]);
        assert!(
            yellow
                .readable_on(WHITE, BLACK, TEXT_CONTRAST)
                .contrast(WHITE)
                >= TEXT_CONTRAST
        );
    }

    #[test]
    fn text_on_a_colour_is_the_first_readable_candidate() {
        let blue = Rgb([0x0b, 0x5c, 0xad]);
        assert_eq!(blue.text_on(&[WHITE]), WHITE);
        // Grey text on blue is unreadable: the next candidate.
        assert_eq!(blue.text_on(&[Rgb([0x88, 0x88, 0x88]), WHITE]), WHITE);
        assert_eq!(Rgb([0xff, 0xd4, 0x00]).text_on(&[WHITE]), BLACK);
        for grey in 0..=255u8 {
            let c = Rgb([grey; 3]);
            assert!(c.text_on(&[]).contrast(c) >= TEXT_CONTRAST, "{grey}");
        }
    }
}
