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
        if previous.is_none_or(|p| p.is_whitespace() || ",;".contains(p)) {
            // A word (up to whitespace, `,` or `;`) that is an e-mail address, brackets,
            // quotes and punctuation around it kept.
            let word = &rest[..rest.find(is_word_end).unwrap_or(rest.len())];
            let core = word.trim_matches(|c: char| "()<>[]{}\"'!?.:".contains(c));
            if core.contains('@') && sayso_schema::is_email(core) {
                out.push_str(&word.replacen(core, EMAIL, 1));
                rest = &rest[word.len()..];
                continue;
            }
        }
        // A phone number starts where no letter or digit precedes it (`tel:+33…`, `"06…"`),
        // and not within a date or number (`24.11.2024` read from `11`).
        let inside = previous.is_some_and(char::is_alphanumeric)
            || (previous.is_some_and(|p| ".-/".contains(p))
                && before.is_some_and(|b| b.is_ascii_digit()));
        match (!inside).then(|| phone_at(rest)).flatten() {
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

fn is_word_end(c: char) -> bool {
    c.is_whitespace() || ",;".contains(c)
}

/// The length in bytes of a phone number starting `text`: an optional `+`, then groups of
/// digits separated by spaces, dots, dashes, slashes or brackets, holding 9 to 15 digits (7 to
/// 15 after a `+`); the longest such run, so `0612345678/0687654321` is two numbers. Left
/// alone: dates (`2024-11-24`, `24.11.2024`), the hour of a time (`0612345678 10:30` keeps
/// `10:30`), amounts (`1 250 000.00`), and runs of more than 15 digits (references).
fn phone_at(text: &str) -> Option<usize> {
    let plus = usize::from(text.starts_with('+'));
    let body = &text.as_bytes()[plus..];
    if !body
        .first()
        .is_some_and(|&b| b.is_ascii_digit() || b == b'(')
        || is_date(body)
    {
        return None;
    }
    let enough = if plus == 1 { 7..=15 } else { 9..=15 };
    let (mut digits, mut found) = (0, None);
    // Where the last two groups of digits started, and the separator before the last.
    let (mut group, mut before_group, mut separator) = (0, 0, b' ');
    for (i, &b) in body.iter().enumerate() {
        if !b.is_ascii_digit() {
            if !b" .-()/".contains(&b) {
                break;
            }
            continue;
        }
        if i > 0 && !body[i - 1].is_ascii_digit() {
            (before_group, group, separator) = (group, i, body[i - 1]);
        }
        digits += 1;
        let next = body.get(i + 1).copied();
        if next.is_some_and(|b| b.is_ascii_digit()) {
            continue;
        }
        let hour = next == Some(b':') && body.get(i + 2).is_some_and(u8::is_ascii_digit);
        let cents = separator == b'.' && i + 1 - group == 2 && group - before_group == 4;
        if digits > 15 || hour || cents {
            break;
        }
        if enough.contains(&digits) {
            found = Some(plus + i + 1);
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
            ("Paid 1 250 000.00 euros", "Paid 1 250 000.00 euros"),
            // Digits inside a word or a long reference are not a phone number.
            ("ref AB123456789", "ref AB123456789"),
            ("1234567890123456789", "1234567890123456789"),
            ("", ""),
        ];
        for (text, expected) in cases {
            assert_eq!(redact(text), expected, "{text:?}");
        }
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
