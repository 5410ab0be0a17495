//! The widget's built-in strings. A survey definition localises its own texts; these are the
//! buttons, messages and accessible names around them.

/// Every built-in string of one language.
#[derive(Debug)]
pub struct Strings {
    /// Language tag.
    pub locale: &'static str,
    /// Whether the language is written right to left.
    pub rtl: bool,
    /// Submit button.
    pub submit: &'static str,
    /// Submit button while sending.
    pub sending: &'static str,
    /// Default thank-you heading.
    pub thank_you: &'static str,
    /// Shown when the response could not be sent (it is kept and re-sent later).
    pub send_failed: &'static str,
    /// Retry button.
    pub retry: &'static str,
    /// A required question without an answer.
    pub required: &'static str,
    /// Marks a required question.
    pub required_mark: &'static str,
    /// The "Other" choice.
    pub other: &'static str,
    /// Label of the text field of the "Other" choice.
    pub other_detail: &'static str,
    /// "Other" chosen but left empty.
    pub other_empty: &'static str,
    /// Label of the definition's text area: `{term}` is replaced.
    pub your_definition: &'static str,
    /// Label of the optional attribution field.
    pub attribution: &'static str,
    /// Consent to publish a definition.
    pub publish: &'static str,
    /// "{n} characters left".
    pub chars_left: &'static str,
    /// "{n} out of {max}": the accessible name of a scale point.
    pub out_of: &'static str,
    /// Names of the five CSAT faces, worst first.
    pub faces: [&'static str; 5],
    /// Under the submit button: where the answers go.
    pub privacy_note: &'static str,
    /// A five-point agreement scale, lowest first.
    pub agree5: [&'static str; 5],
    /// A seven-point agreement scale, lowest first.
    pub agree7: [&'static str; 7],
    /// The e-mail channel and field label.
    pub email: &'static str,
    /// The phone channel and field label.
    pub phone: &'static str,
    /// "Select at least {n}".
    pub select_at_least: &'static str,
    /// "Select at most {n}".
    pub select_at_most: &'static str,
    /// Not an e-mail address.
    pub invalid_email: &'static str,
    /// Not a phone number.
    pub invalid_phone: &'static str,
}

/// English.
pub const EN: Strings = Strings {
    locale: "en",
    rtl: false,
    submit: "Send",
    sending: "Sending…",
    thank_you: "Thank you!",
    send_failed: "We could not send your answers. They are saved on this device and will be sent when the connection is back.",
    retry: "Try again",
    required: "Please answer this question.",
    required_mark: "required",
    other: "Other",
    other_detail: "Please specify",
    other_empty: "Please describe your other answer.",
    your_definition: "Your definition of “{term}”",
    attribution: "Your name or role (optional)",
    publish: "You may publish my definition",
    chars_left: "{n} characters left",
    out_of: "{n} out of {max}",
    faces: [
        "Very dissatisfied",
        "Dissatisfied",
        "Neutral",
        "Satisfied",
        "Very satisfied",
    ],
    privacy_note: "Your answers are sent only to the organisation running this survey.",
    agree5: [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ],
    agree7: [
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ],
    email: "E-mail address",
    phone: "Phone number",
    select_at_least: "Please select at least {n}.",
    select_at_most: "Please select at most {n}.",
    invalid_email: "Please enter an e-mail address such as name@example.org.",
    invalid_phone: "Please enter a phone number, with the country code if you are abroad.",
};

/// The strings for `locale` (a language tag), English when there is no translation.
pub fn strings(locale: &str) -> &'static Strings {
    let _language = locale.split('-').next().unwrap_or(locale);
    &EN
}

/// `template` with `{name}` replaced by `value` for each pair.
pub fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in pairs {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(fill(EN.out_of, &[("n", "8"), ("max", "10")]), "8 out of 10");
        assert_eq!(fill(EN.chars_left, &[("n", "12")]), "12 characters left");
    }
}
