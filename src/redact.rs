//! Removing e-mail addresses and phone numbers from free text before it leaves the browser
//! (`privacy.redact`, on by default): patients write them into comment boxes, and a comment
//! box is not where a clinic should receive them. Contact questions, which ask for them with
//! consent, are left alone.

use sayso_schema::{Answer, Choice};

/// What replaces a removed e-mail address.
pub const EMAIL: &str = "[e-mail removed]";
/// What replaces a removed phone number.
pub const PHONE: &str = "[phone removed]";

/// `text` with every e-mail address and phone number replaced.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = phone_at(rest) {
            out.push_str(PHONE);
            rest = &rest[len..];
        } else if c.is_whitespace() {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        } else {
            // A word: up to the next whitespace.
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push_str(&redact_word(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out
}

/// A word with an e-mail address in it (punctuation around it kept).
fn redact_word(word: &str) -> String {
    let core = word.trim_matches(|c: char| "()<>[]{}\"',;:!?.".contains(c));
    if core.contains('@') && sayso_schema::is_email(core) {
        word.replacen(core, EMAIL, 1)
    } else {
        word.to_owned()
    }
}

/// The length in bytes of a phone number starting `text` (called at the start of a word): an
/// optional `+`, then digits with spaces, dots, dashes or brackets, holding 9 to 15 digits (7
/// to 15 after a `+`). Dates, amounts and short codes stay.
fn phone_at(text: &str) -> Option<usize> {
    let plus = text.starts_with('+');
    let body = &text[usize::from(plus)..];
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '(') {
        return None;
    }
    let (mut digits, mut end) = (0, 0);
    for (i, c) in body.char_indices() {
        match c {
            '0'..='9' => {
                digits += 1;
                end = i + 1;
            }
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => break,
        }
    }
    let enough = if plus { 7..=15 } else { 9..=15 };
    enough.contains(&digits).then_some(end + usize::from(plus))
}

/// `answer` with its free text redacted (text, definition, "other" texts).
pub fn redact_answer(answer: &Answer) -> Answer {
    let choice = |c: &Choice| match c {
        Choice::Other(t) => Choice::Other(redact(t)),
        c => c.clone(),
    };
    match answer {
        Answer::Text(t) => Answer::Text(redact(t)),
        Answer::Definition(d) => {
            let mut d = d.clone();
            d.text = redact(&d.text);
            d.attribution = d.attribution.as_deref().map(redact);
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
                "Call me on [phone removed] please",
            ),
            (
                "mail ana.lopez@example.org, thanks",
                "mail [e-mail removed], thanks",
            ),
            ("(ana@example.org)", "([e-mail removed])"),
            ("06 12 34 56 78 after 6pm", "[phone removed] after 6pm"),
            ("my number is 0612345678.", "my number is [phone removed]."),
            (
                "I waited 45 minutes on 2024-11-24 at 10:30",
                "I waited 45 minutes on 2024-11-24 at 10:30",
            ),
            ("The bill was 1 250.00 euros", "The bill was 1 250.00 euros"),
            ("Dose: 10 units, twice a day", "Dose: 10 units, twice a day"),
            ("an @ sign alone", "an @ sign alone"),
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
            redact_answer(&text),
            Answer::Text("reach me at [e-mail removed]".into())
        );
        let other = Answer::Choices(vec![
            Choice::Option("a".into()),
            Choice::Other("call 020 7946 0958".into()),
        ]);
        assert_eq!(
            redact_answer(&other),
            Answer::Choices(vec![
                Choice::Option("a".into()),
                Choice::Other("call [phone removed]".into())
            ])
        );
        let contact = Answer::Contact(sayso_schema::ContactAnswer::Email("ana@example.org".into()));
        assert_eq!(redact_answer(&contact), contact);
    }
}
