//! Writing HTML safely: every value from a survey or a response goes through [`escape`].

use std::fmt::Write;

/// `text` with the five characters that are special in HTML text and attribute values
/// replaced by character references.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML document being written. Only [`Html::raw`] writes markup unescaped, and it takes
/// `&'static str`, so that markup can only come from this program's own text.
#[derive(Debug, Default)]
pub struct Html(String);

impl Html {
    /// Markup written by this program.
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// Text (or an attribute value), escaped.
    pub fn text(&mut self, text: impl std::fmt::Display) -> &mut Self {
        let mut s = String::new();
        let _ = write!(s, "{text}");
        self.0.push_str(&escape(&s));
        self
    }

    /// The finished document.
    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("Olá, café"), "Olá, café");
        let mut h = Html::default();
        h.raw("<p title=\"")
            .text("a\"b")
            .raw("\">")
            .text(1 < 2)
            .raw("</p>");
        assert_eq!(h.finish(), "<p title=\"a&quot;b\">true</p>");
    }
}
