//! Removing e-mail addresses and phone numbers from free text before it leaves the browser
//! (`privacy.redact`, on by default): patients write them into comment boxes, and a comment
//! box is not where a clinic should receive them. Contact questions, which ask for them with
//! consent, are left alone.

use sayso_schema::{Answer, Choice, MAX_ATTRIBUTION_LENGTH, MAX_OTHER_LENGTH};

/// What replaces a removed e-mail address.
pub const EMAIL: &str = "[email]";
/// What replaces a removed phone number (never longer than the shortest one it replaces).
pub const PHONE: &str = "[phone]";

/// `text` with every e-mail address and phone number replaced.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        // The last two characters written (a placeholder counts as its text).
        let mut written = out.chars().rev();
        let (previous, before) = (written.next(), written.next());
        let mut skip = c.len_utf8();
        // An e-mail address starts where its local part does: `ana@x.org` in `(ana@x.org)`,
        // `?email=ana@x.org&ref=1`, `<ana@x.org>`, each of `ana@x.org&bob@y.org`.
        if !previous.is_some_and(is_local)
            && let Some(len) = email_at(rest)
        {
            out.push_str(EMAIL);
            rest = &rest[len..];
            continue;
        }
        // A phone number starts where no letter or digit precedes it (`tel:+33…`, `"06…"`),
        // and not within a date or number (`24.11.2024` read from `11`).
        let inside = previous.is_some_and(char::is_alphanumeric)
            || (previous.is_some_and(|p| ".-/".contains(p))
                && before.is_some_and(|b| b.is_ascii_digit()));
        match (!inside).then(|| phone_at(rest, true)).flatten() {
            Some(len) => {
                out.push_str(PHONE);
                skip = len;
            }
            None => out.push(c),
        }
        rest = &rest[skip..];
    }
    out
}

/// Whether `c` may be part of an address's local part (letters and digits, ASCII or not, and
/// the punctuation mail systems allow there, but not the `*`, `:` and brackets that wrap an
/// address in text).
fn is_local(c: char) -> bool {
    c.is_alphanumeric() || "._%+-'!#$&=^`{}~".contains(c)
}

/// The length in bytes of an e-mail address starting `text`: a local part, `@`, and a domain
/// of letters, digits, `-` and `.` (a `.` or `-` ending it is the sentence's, not the
/// domain's), as `is_email` accepts them.
fn email_at(text: &str) -> Option<usize> {
    let at = text.find(|c: char| !is_local(c))?;
    if at == 0 || !text[at..].starts_with('@') {
        return None;
    }
    let domain = &text[at + 1..];
    let end = domain
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '.'))
        .unwrap_or(domain.len());
    let len = at + 1 + domain[..end].trim_end_matches(['.', '-']).len();
    sayso_schema::is_email(&text[..len]).then_some(len)
}

/// The length in bytes of a phone number starting `text`: an optional `+`, then groups of
/// digits separated by spaces (no-break ones too), dots, dashes, slashes or brackets, holding 9
/// to 15 digits (7 to 15 after a `+`); the longest such run, so `0612345678/0687654321` is two
/// numbers. Two numbers in a row (`06 12 34 56 78 06 87 65 43 21`) are split where the rest is
/// a number too (`split`), rather than leave part of the second one. Left alone: dates
/// (`2024-11-24`, `(24.11.2024`), the hour of a time (`0612345678 10:30` keeps `10:30`),
/// amounts (`1 250 000.00`), a score or count before a number (`rated 10 0612345678`), years
/// (`2022 2023 2024`), decimals and times in a list (`1.5 2 2.5`, `10.30 - 11.45`: no `.`
/// with other separators, unless after a `+`), readings written with slashes in a list
/// (`130/85 140/90`: no `/` between some groups and not others, unless after a `+`), and runs
/// of more than 15 digits (references).
/// It looks at most 3 separators ahead, so a scan is short whatever the text.
fn phone_at(text: &str, split: bool) -> Option<usize> {
    let plus = usize::from(text.starts_with('+'));
    let body = &text.as_bytes()[plus..];
    let opening = body.iter().take_while(|&&b| b == b'(').count();
    if !body
        .first()
        .is_some_and(|&b| b.is_ascii_digit() || b == b'(')
        || is_date(&body[opening..])
    {
        return None;
    }
    let enough = if plus == 1 { 7..=15 } else { 9..=15 };
    let (mut digits, mut found, mut run, mut i) = (0, None, 0, 0);
    // Where the last two groups of digits started, and the separator before the last.
    let (mut group, mut before_group, mut separator) = (0, 0, b' ');
    // The ends (in `body`) where the digits so far make a number, for `split`.
    let (mut ends, mut ended) = ([0; 9], 0);
    // Separators seen: a dot, and any other (brackets aside); gaps between groups with a slash
    // in them, and gaps with other separators but no slash (brackets alone are neither).
    let (mut dot, mut other) = (false, false);
    let (mut slashed, mut plain) = (false, false);
    let (mut gap_slash, mut gap_other) = (false, false);
    let digits_at = |at: usize| body[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    let year = |at: usize| digits_at(at) == 4 && matches!(&body[at..at + 2], b"19" | b"20");
    while i < body.len() {
        if !body[i].is_ascii_digit() {
            let width = match &body[i..] {
                [b' ' | b'.' | b'-' | b'(' | b')' | b'/', ..] => 1,
                [0xC2, 0xA0, ..] => 2,       // no-break space
                [0xE2, 0x80, 0xAF, ..] => 3, // narrow no-break space
                _ => break,
            };
            run += 1;
            if run > 3 {
                break;
            }
            dot |= body[i] == b'.';
            other |= !b".()".contains(&body[i]);
            gap_slash |= body[i] == b'/';
            gap_other |= !b"/()".contains(&body[i]);
            i += width;
            continue;
        }
        if run > 0 {
            if plus == 0
                && dot
                && other
                && body[i - 1] == b'.'
                && digits_at(i) == 2
                && i - group == 4
            {
                // Cents after thousands: an amount.
                return None;
            }
            slashed |= gap_slash;
            plain |= gap_other && !gap_slash;
            (gap_slash, gap_other) = (false, false);
            if is_date(&body[i..]) || (plus == 0 && (dot && other || slashed && plain)) {
                break;
            }
            if plus == 0 && group == 0 && (digits <= 2 && digits_at(i) >= 9 || year(0) && year(i)) {
                return None;
            }
            (before_group, group, separator) = (group, i, body[i - 1]);
        }
        run = 0;
        digits += 1;
        let next = body.get(i + 1).copied();
        i += 1;
        if next.is_some_and(|b| b.is_ascii_digit()) {
            continue;
        }
        if separator == b'.' && i - group == 2 && group - before_group == 4 {
            // Cents after thousands: an amount.
            return None;
        }
        let hour = next == Some(b':') && body.get(i + 1).is_some_and(u8::is_ascii_digit);
        if digits > 15 && split {
            // The first number ends where the rest of the run is a number of its own.
            let second = |&&end: &&usize| {
                let rest = text[plus + end..]
                    .trim_start_matches([' ', '.', '-', '/', '\u{a0}', '\u{202f}']);
                phone_at(rest, false).is_some()
            };
            if let Some(end) = ends[..ended].iter().find(second) {
                return Some(plus + end);
            }
        }
        if digits > 15 || hour {
            break;
        }
        if enough.contains(&digits) {
            found = Some(plus + i);
            ends[ended] = i;
            ended += 1;
        }
    }
    found
}

/// Whether `text` starts with a date: `2024-11-24`, `24.11.2024`, `24/11/2024`.
fn is_date(text: &[u8]) -> bool {
    let group = |t: &[u8]| t.iter().take_while(|b| b.is_ascii_digit()).count();
    let a = group(text);
    let Some(&sep) = text.get(a).filter(|s| b"-./".contains(s)) else {
        return false;
    };
    let b = group(&text[a + 1..]);
    let c = text
        .get(a + 1 + b)
        .filter(|&&s| s == sep)
        .map_or(0, |_| group(&text[a + 2 + b..]));
    matches!((a, b, c), (4, 1..=2, 1..=2) | (1..=2, 1..=2, 4))
}

/// `text` redacted, and no longer than `max` characters: a placeholder may be longer than the
/// shortest e-mail address it replaces, and the collector holds the text to its limit.
fn redact_within(text: &str, max: usize) -> String {
    let mut out = redact(text);
    if let Some((cut, _)) = out.char_indices().nth(max) {
        out.truncate(cut);
    }
    out
}

/// `answer` with its free text redacted (text, definition, "other" texts), each within its
/// limit (`max_length` for the question's own text).
pub fn redact_answer(answer: &Answer, max_length: usize) -> Answer {
    let choice = |c: &Choice| match c {
        Choice::Other(t) => Choice::Other(redact_within(t, MAX_OTHER_LENGTH)),
        c => c.clone(),
    };
    match answer {
        Answer::Text(t) => Answer::Text(redact_within(t, max_length)),
        Answer::Definition(d) => {
            let mut d = d.clone();
            d.text = redact_within(&d.text, max_length);
            d.attribution =
                (d.attribution.as_deref()).map(|a| redact_within(a, MAX_ATTRIBUTION_LENGTH));
            Answer::Definition(d)
        }
        Answer::Choice(c) => Answer::Choice(choice(c)),
        Answer::Choices(cs) => Answer::Choices(cs.iter().map(choice).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_phones_go_everything_else_stays() {
        let cases = [
            (
                "Call me on +44 20 7946 0958 please",
                "Call me on [phone] please",
            ),
            ("mail ana.lopez@example.org, thanks", "mail [email], thanks"),
            ("(ana@example.org)", "([email])"),
            ("06 12 34 56 78 after 6pm", "[phone] after 6pm"),
            ("my number is 0612345678.", "my number is [phone]."),
            (
                "I waited 45 minutes on 2024-11-24 at 10:30",
                "I waited 45 minutes on 2024-11-24 at 10:30",
            ),
            ("The bill was 1 250.00 euros", "The bill was 1 250.00 euros"),
            ("Dose: 10 units, twice a day", "Dose: 10 units, twice a day"),
            ("an @ sign alone", "an @ sign alone"),
            // Formats that were missed.
            ("030/12345678", "[phone]"),
            ("0612345678/0687654321", "[phone]/[phone]"),
            ("\"0612345678\"", "\"[phone]\""),
            ("tel:+33612345678", "tel:[phone]"),
            ("phone:0612345678", "phone:[phone]"),
            ("ana@x.org,bob@y.org", "[email],[email]"),
            ("06.12.34.56.78", "[phone]"),
            ("612 345 678", "[phone]"),
            ("0612345678 10:30", "[phone] 10:30"),
            // Dates, times and amounts that were taken for phone numbers.
            (
                "Appointment 2024-11-24 10:30",
                "Appointment 2024-11-24 10:30",
            ),
            ("On 24.11.2024 14.30", "On 24.11.2024 14.30"),
            ("24/11/2024 10:30", "24/11/2024 10:30"),
            ("Visit (24.11.2024 14 h)", "Visit (24.11.2024 14 h)"),
            ("(2024-11-24 10 am)", "(2024-11-24 10 am)"),
            ("12 2024-11-24", "12 2024-11-24"),
            ("Total 1 234 567 890.00 €", "Total 1 234 567 890.00 €"),
            ("06\u{a0}12\u{a0}34\u{a0}56\u{a0}78", "[phone]"),
            (
                "06\u{202f}12\u{202f}34\u{202f}56\u{202f}78 ok",
                "[phone] ok",
            ),
            ("ana@example.org/bob@example.org", "[email]/[email]"),
            ("**ana@example.org**", "**[email]**"),
            (
                "mailto:ana@example.org?subject=hi",
                "mailto:[email]?subject=hi",
            ),
            // Addresses inside URLs, next to punctuation, with a plus.
            ("/unsub?email=ana@x.org&ref=1", "/unsub?[email]&ref=1"),
            ("ana@x.org's reply", "[email]'s reply"),
            ("<ana@x.org>text", "<[email]>text"),
            ("ana@x.org&bob@y.org", "[email][email]"),
            ("ana+care@hôpital.fr.", "[email]."),
            ("write to ana@x.org-", "write to [email]-"),
            // Two numbers in a row: neither leaves a part behind.
            ("555 010 9999 555 010 8888", "[phone] [phone]"),
            ("06 12 34 56 78 06 87 65 43 21", "[phone] [phone]"),
            // A score, years, decimals and times are not phone numbers.
            ("I rated 10 0612345678", "I rated 10 [phone]"),
            ("2022 2023 2024", "2022 2023 2024"),
            ("from 10.30 - 11.45 - 12.15", "from 10.30 - 11.45 - 12.15"),
            ("1.5 2 2.5 3 3.5 4", "1.5 2 2.5 3 3.5 4"),
            ("0612345678. 12 more", "[phone]. 12 more"),
            // Blood pressure readings are not phone numbers; a slash in a number is still one.
            ("BP readings: 130/85 140/90", "BP readings: 130/85 140/90"),
            ("120/80, 118/79 and 125/82", "120/80, 118/79 and 125/82"),
            ("030 / 12345678", "[phone]"),
            ("(030)/12345678", "[phone]"),
            ("+49 30/1234567", "[phone]"),
            ("+33 6.12.34.56.78", "[phone]"),
            ("Paid 1 250 000.00 euros", "Paid 1 250 000.00 euros"),
            // Digits inside a word or a long reference are not a phone number.
            ("ref AB123456789", "ref AB123456789"),
            ("1234567890123456789", "1234567890123456789"),
            ("", ""),
        ];
        for (text, expected) in cases {
            assert_eq!(redact(text), expected, "{text:?}");
        }
        // Brackets and spaces alone are no number, however many.
        let brackets = "( ".repeat(5_000);
        assert_eq!(redact(&brackets), brackets);
    }

    #[test]
    fn only_free_text_answers_change() {
        let text = Answer::Text("reach me at ana@example.org".into());
        assert_eq!(
            redact_answer(&text, 1000),
            Answer::Text("reach me at [email]".into())
        );
        let other = Answer::Choices(vec![
            Choice::Option("a".into()),
            Choice::Other("call 020 7946 0958".into()),
        ]);
        assert_eq!(
            redact_answer(&other, 1000),
            Answer::Choices(vec![
                Choice::Option("a".into()),
                Choice::Other("call [phone]".into())
            ])
        );
        // A placeholder longer than the address it replaces stays within the question's limit.
        assert_eq!(
            redact_answer(&Answer::Text("write a@b.co".into()), 12),
            Answer::Text("write [email".into())
        );
        let contact = Answer::Contact(sayso_schema::ContactAnswer::Email("ana@example.org".into()));
        assert_eq!(redact_answer(&contact, 1000), contact);
    }
}
