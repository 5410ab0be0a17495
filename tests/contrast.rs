//! The default themes meet WCAG 2.2 AA contrast: 4.5:1 for text, 3:1 for the parts of controls
//! and focus rings. Read from the stylesheet itself, so that a colour change cannot slip by.

const CSS: &str = include_str!("../style/sayso.css");

/// The `--name: var(--sayso-name, #rrggbb)` defaults of the first `.sayso {` block after `from`.
fn palette(from: &str) -> Vec<(String, [f64; 3])> {
    let start = CSS.find(from).expect("the theme block") + from.len();
    let block = &CSS[start..];
    let block = &block[block.find(".sayso {").expect(".sayso block")..];
    let block = &block[..block.find('}').unwrap()];
    block
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.trim().strip_prefix("--")?.split_once(':')?;
            let hex = rest.split('#').nth(1)?.get(..6)?;
            let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok().map(f64::from);
            Some((name.to_owned(), [channel(0)?, channel(2)?, channel(4)?]))
        })
        .collect()
}

fn luminance([r, g, b]: [f64; 3]) -> f64 {
    let linear = |c: f64| {
        let c = c / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn check(theme: &str, from: &str) {
    let colours = palette(from);
    let get = |name: &str| {
        colours
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{theme}: no --{name}"))
            .1
    };
    let pairs = [
        ("text", "surface", 4.5),
        ("muted", "surface", 4.5),
        ("accent", "surface", 4.5),
        ("accent-text", "accent", 4.5),
        ("danger", "surface", 4.5),
        ("border", "surface", 3.0),
        ("focus", "surface", 3.0),
        ("star", "surface", 3.0),
    ];
    for (fg, bg, minimum) in pairs {
        let ratio = contrast(get(fg), get(bg));
        println!("{theme}: --{fg} on --{bg}: {ratio:.2}:1 (at least {minimum}:1)");
        assert!(
            ratio >= minimum,
            "{theme}: --{fg} on --{bg} is {ratio:.2}:1, below {minimum}:1"
        );
    }
}

/// The schema's copies of the defaults, from which a site owner's accent is kept readable.
#[test]
fn the_schema_knows_the_stylesheet_defaults() {
    use sayso_schema::colour::{DARK_ACCENT, DARK_ACCENT_TEXT, DARK_SURFACE, LIGHT_ACCENT, WHITE};
    let rgb = |c: sayso_schema::colour::Rgb| c.0.map(f64::from);
    let light = palette("/* Sayso widget styles");
    let dark = palette("@media (prefers-color-scheme: dark)");
    let get = |p: &[(String, [f64; 3])], name: &str| p.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(get(&light, "accent"), rgb(LIGHT_ACCENT));
    assert_eq!(get(&light, "accent-text"), rgb(WHITE));
    assert_eq!(get(&light, "surface"), rgb(WHITE));
    assert_eq!(get(&dark, "accent"), rgb(DARK_ACCENT));
    assert_eq!(get(&dark, "accent-text"), rgb(DARK_ACCENT_TEXT));
    assert_eq!(get(&dark, "surface"), rgb(DARK_SURFACE));
}

#[test]
fn contrast_arithmetic_matches_known_values() {
    assert!((contrast([0.0; 3], [255.0; 3]) - 21.0).abs() < 0.01);
    assert!((contrast([118.0, 118.0, 118.0], [255.0; 3]) - 4.54).abs() < 0.01);
}

#[test]
fn light_theme_meets_aa() {
    check("light", "/* Sayso widget styles");
}

#[test]
fn dark_theme_meets_aa() {
    check("dark", "@media (prefers-color-scheme: dark)");
}
