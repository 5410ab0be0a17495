//! The site owner's configuration, as the loader hands it over: the script tag's `data-*`
//! attributes merged over `window.saysoConfig`, keys in camelCase.

use sayso_schema::{Json, JsonObject};

/// Where the survey definition comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveySource {
    /// Fetched from `{endpoint}/surveys/{id}`.
    Remote(String),
    /// Read from the JSON text of the element this selector finds (`data-survey-inline`).
    Inline(String),
}

/// A checked configuration. URLs are resolved against the page later, in the browser layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    /// Base URL responses go to (`{endpoint}/responses`), without a trailing slash.
    pub endpoint: String,
    /// The survey to show.
    pub survey: SurveySource,
    /// The visitor's language if the site owner forces one (`data-locale`).
    pub locale: Option<String>,
    /// CSS selector of the element to render the survey into; the end of `<body>` otherwise.
    pub target: Option<String>,
}

/// What is wrong with a configuration, worded for the site owner's console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl WidgetConfig {
    /// Read the loader's JSON. Every error names the attribute to fix.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let value = Json::parse(text)
            .map_err(|e| ConfigError(format!("the configuration is not valid JSON ({e})")))?;
        let Json::Object(map) = value else {
            return Err(ConfigError("window.saysoConfig must be an object".into()));
        };
        Self::from_map(&map)
    }

    fn from_map(map: &JsonObject) -> Result<Self, ConfigError> {
        let text = |key: &str, attribute: &str| -> Result<Option<String>, ConfigError> {
            match map.get(key) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Json::String(s)) => Ok(Some(s.trim().to_owned())),
                Some(other) => Err(ConfigError(format!(
                    "{attribute} must be a text, not {other}"
                ))),
            }
        };
        let endpoint = text("endpoint", "data-endpoint")?.ok_or_else(|| {
            ConfigError("no endpoint: add data-endpoint=\"https://your-collector.example/v1\" to the script tag".into())
        })?;
        if endpoint.contains(char::is_whitespace)
            || endpoint.starts_with("javascript:")
            || endpoint.starts_with("data:")
        {
            return Err(ConfigError(format!(
                "data-endpoint \"{endpoint}\" is not an http(s) URL"
            )));
        }
        let survey = match (
            text("survey", "data-survey")?,
            text("surveyInline", "data-survey-inline")?,
        ) {
            (_, Some(selector)) => SurveySource::Inline(selector),
            (Some(id), None) if sayso_schema::is_slug(&id) => SurveySource::Remote(id),
            (Some(id), None) => {
                return Err(ConfigError(format!(
                    "data-survey \"{id}\" is not a survey id (lowercase letters, digits, '-' and '_')"
                )));
            }
            (None, None) => {
                return Err(ConfigError(
                    "no survey: add data-survey=\"<survey id>\" or data-survey-inline=\"#element-id\" to the script tag"
                        .into(),
                ));
            }
        };
        let locale = text("locale", "data-locale")?;
        if let Some(l) = locale
            .as_deref()
            .filter(|l| !sayso_schema::is_locale_tag(l))
        {
            return Err(ConfigError(format!(
                "data-locale \"{l}\" is not a language tag such as \"en\" or \"pt-BR\""
            )));
        }
        Ok(Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            survey,
            locale,
            target: text("target", "data-target")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<WidgetConfig, String> {
        WidgetConfig::from_json(json).map_err(|e| e.0)
    }

    #[test]
    fn reads_the_script_tag_attributes() {
        let c = parse(r##"{"endpoint":"https://fb.example/v1/","survey":"patient-experience","target":"#feedback","locale":"es"}"##)
            .unwrap();
        assert_eq!(c.endpoint, "https://fb.example/v1");
        assert_eq!(c.survey, SurveySource::Remote("patient-experience".into()));
        assert_eq!(c.target.as_deref(), Some("#feedback"));
        assert_eq!(c.locale.as_deref(), Some("es"));
    }

    #[test]
    fn an_inline_definition_wins_over_an_id() {
        let c =
            parse(r##"{"endpoint":"/v1","survey":"x","surveyInline":"#sayso-survey"}"##).unwrap();
        assert_eq!(c.survey, SurveySource::Inline("#sayso-survey".into()));
    }

    #[test]
    fn each_mistake_names_the_attribute_to_fix() {
        let cases = [
            (r#"{"survey":"x"}"#, "data-endpoint"),
            (r#"{"endpoint":"  ","survey":"x"}"#, "data-endpoint"),
            (
                r#"{"endpoint":"javascript:alert(1)","survey":"x"}"#,
                "data-endpoint",
            ),
            (r#"{"endpoint":"/v1"}"#, "data-survey"),
            (r#"{"endpoint":"/v1","survey":"Bad Id!"}"#, "data-survey"),
            (
                r#"{"endpoint":"/v1","survey":"x","locale":"english"}"#,
                "data-locale",
            ),
            (r#"{"endpoint":42,"survey":"x"}"#, "data-endpoint"),
            (r#"[1,2]"#, "saysoConfig"),
            (r#"{"#, "JSON"),
        ];
        for (json, named) in cases {
            let err = parse(json).unwrap_err();
            assert!(err.contains(named), "{json}: {err}");
        }
    }
}
