//! The site owner's configuration, as the loader hands it over: the script tag's `data-*`
//! attributes merged over `window.saysoConfig`, keys in camelCase.

use sayso_schema::presentation::{corners, modes, named, triggers};
use sayso_schema::{Corner, Json, JsonObject, Mode, SurveyDefinition, TriggerKind};

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
    /// The page's overrides of the definition's display and trigger.
    pub overrides: Overrides,
}

/// Every option, as `tag.dataset` and `window.saysoConfig` name it.
const OPTIONS: [&str; 13] = [
    "endpoint",
    "survey",
    "surveyInline",
    "locale",
    "target",
    "mode",
    "position",
    "trigger",
    "delay",
    "scroll",
    "event",
    "selector",
    "launcherLabel",
];

/// "data-triger is not an option; did you mean data-trigger?" for each key of the loader's JSON
/// within two edits of an option, whether or not the configuration is valid (a misspelt
/// `data-survey` is what makes it invalid). Keys further from every option are left alone: a
/// tag may carry other tools' attributes (`data-cfasync`).
pub fn misspelt(config_json: &str) -> Vec<String> {
    let Ok(Json::Object(map)) = Json::parse(config_json) else {
        return Vec::new();
    };
    let attribute = |key: &str| {
        let mut out = String::from("data-");
        for c in key.chars() {
            if c.is_ascii_uppercase() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    };
    map.iter()
        .filter(|(key, _)| !OPTIONS.contains(key))
        .filter_map(|(key, _)| {
            let near = OPTIONS.iter().find(|o| edits(key, o) <= 2)?;
            Some(format!(
                "{} is not an option; did you mean {}?",
                attribute(key),
                attribute(near)
            ))
        })
        .collect()
}

/// The Levenshtein distance between `a` and `b`, ASCII case ignored.
fn edits(a: &str, b: &str) -> usize {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// What the tag's `data-*` attributes change in the definition's `display` and `trigger`:
/// `data-mode`, `data-position`, `data-trigger`, `data-delay`, `data-scroll`, `data-event`,
/// `data-selector`, `data-launcher-label`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `data-mode`.
    pub mode: Option<Mode>,
    /// `data-position`.
    pub position: Option<Corner>,
    /// `data-trigger`.
    pub trigger: Option<TriggerKind>,
    /// `data-delay` (seconds).
    pub delay: Option<u32>,
    /// `data-scroll` (percent).
    pub scroll: Option<u8>,
    /// `data-event`.
    pub event: Option<String>,
    /// `data-selector`.
    pub selector: Option<String>,
    /// `data-launcher-label`.
    pub launcher_label: Option<String>,
}

impl Overrides {
    /// Apply these overrides to `definition`, then check the result as the collector would: an
    /// override that breaks the definition (an event trigger without an event) is an error.
    pub fn apply(&self, definition: &mut SurveyDefinition) -> Result<(), String> {
        let (display, trigger) = (&mut definition.display, &mut definition.trigger);
        if let Some(m) = self.mode {
            display.mode = m;
        }
        if let Some(p) = self.position {
            display.position = p;
        }
        if let Some(l) = &self.launcher_label {
            display.launcher_label = Some(l.as_str().into());
        }
        if let Some(t) = self.trigger {
            trigger.on = t;
        }
        if let Some(d) = self.delay {
            trigger.delay_seconds = d;
        }
        if let Some(s) = self.scroll {
            trigger.scroll_percent = s;
        }
        if let Some(e) = &self.event {
            trigger.event = Some(e.clone());
        }
        if let Some(s) = &self.selector {
            trigger.selector = Some(s.clone());
        }
        definition
            .validate()
            .map_err(|p| format!("the tag's data-* attributes make the survey invalid: {p}"))
    }
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
                // Attributes are always texts: this came from window.saysoConfig.
                Some(other) => Err(ConfigError(format!(
                    "window.saysoConfig.{key} must be a text, not {other} ({attribute} on the tag)"
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
        if endpoint.contains(['?', '#']) {
            return Err(ConfigError(format!(
                "data-endpoint \"{endpoint}\" has a query string or fragment; the widget adds /surveys/<id> and /responses to it"
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
        let keyword =
            |key: &str, attribute: &str, names: &str| -> Result<Option<String>, ConfigError> {
                let value = text(key, attribute)?;
                Ok(value).and_then(|v| match v {
                    Some(v) if !names.split(", ").any(|n| n == v) => Err(ConfigError(format!(
                        "{attribute} \"{v}\" is not one of: {names}"
                    ))),
                    v => Ok(v),
                })
            };
        let number = |key: &str, attribute: &str, max: u32| -> Result<Option<u32>, ConfigError> {
            let value = match map.get(key) {
                Some(Json::Number(n)) => Some(n.as_str().to_owned()),
                _ => text(key, attribute)?,
            };
            match value {
                None => Ok(None),
                Some(v) => match v.parse::<u32>() {
                    Ok(n) if n <= max => Ok(Some(n)),
                    _ => Err(ConfigError(format!(
                        "{attribute} \"{v}\" is not a whole number from 0 to {max}"
                    ))),
                },
            }
        };
        fn names<T>(table: &[(&'static str, T)]) -> String {
            table.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        }
        let overrides = Overrides {
            mode: keyword("mode", "data-mode", &names(modes()))?.and_then(|v| named(modes(), &v)),
            position: keyword("position", "data-position", &names(corners()))?
                .and_then(|v| named(corners(), &v)),
            trigger: keyword("trigger", "data-trigger", &names(triggers()))?
                .and_then(|v| named(triggers(), &v)),
            delay: number("delay", "data-delay", 3600)?,
            scroll: number("scroll", "data-scroll", 100)?.map(|n| n as u8),
            event: text("event", "data-event")?,
            selector: text("selector", "data-selector")?,
            launcher_label: text("launcherLabel", "data-launcher-label")?,
        };
        Ok(Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            survey,
            locale,
            target: text("target", "data-target")?,
            overrides,
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
    fn a_misspelt_option_is_named_with_the_one_meant() {
        let json = r##"{"endpoint":"/v1","triger":"delay","launcherLable":"Hi","cfasync":"false","surveyinline":"#s"}"##;
        assert!(parse(json).is_err(), "no data-survey");
        assert_eq!(
            misspelt(json),
            [
                "data-triger is not an option; did you mean data-trigger?",
                "data-launcher-lable is not an option; did you mean data-launcher-label?",
                "data-surveyinline is not an option; did you mean data-survey-inline?",
            ]
        );
    }

    #[test]
    fn numbers_may_be_numbers_in_window_sayso_config() {
        let c =
            parse(r#"{"endpoint":"/v1","survey":"x","trigger":"delay","delay":5,"scroll":"40"}"#)
                .unwrap();
        assert_eq!((c.overrides.delay, c.overrides.scroll), (Some(5), Some(40)));
    }

    #[test]
    fn data_attributes_override_display_and_trigger() {
        let c = parse(r#"{"endpoint":"/v1","survey":"x","mode":"modal","trigger":"exit_intent","position":"top_left"}"#).unwrap();
        let mut d = SurveyDefinition::from_json(include_str!("../surveys/patient-experience.json"))
            .unwrap();
        c.overrides.apply(&mut d).unwrap();
        assert_eq!(
            (d.display.mode, d.display.position, d.trigger.on),
            (Mode::Modal, Corner::TopLeft, TriggerKind::ExitIntent)
        );
        // An override that leaves the survey incomplete is refused like a bad definition.
        let c = parse(r#"{"endpoint":"/v1","survey":"x","trigger":"event"}"#).unwrap();
        let err = c.overrides.apply(&mut d).unwrap_err();
        assert!(err.contains("$.trigger.event"), "{err}");
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
            (r#"{"endpoint":"/v1?key=1","survey":"x"}"#, "data-endpoint"),
            (r#"{"endpoint":"/v1"}"#, "data-survey"),
            (r#"{"endpoint":"/v1","survey":"Bad Id!"}"#, "data-survey"),
            (
                r#"{"endpoint":"/v1","survey":"x","locale":"english"}"#,
                "data-locale",
            ),
            (r#"{"endpoint":42,"survey":"x"}"#, "saysoConfig.endpoint"),
            (
                r#"{"endpoint":"/v1","survey":"x","delay":-5}"#,
                "data-delay",
            ),
            (
                r#"{"endpoint":"/v1","survey":"x","mode":"popup"}"#,
                "data-mode",
            ),
            (
                r#"{"endpoint":"/v1","survey":"x","position":"middle"}"#,
                "data-position",
            ),
            (
                r#"{"endpoint":"/v1","survey":"x","trigger":"hover"}"#,
                "data-trigger",
            ),
            (
                r#"{"endpoint":"/v1","survey":"x","delay":"soon"}"#,
                "data-delay",
            ),
            (
                r#"{"endpoint":"/v1","survey":"x","scroll":"150"}"#,
                "data-scroll",
            ),
            (r#"[1,2]"#, "saysoConfig"),
            (r#"{"#, "JSON"),
        ];
        for (json, named) in cases {
            let err = parse(json).unwrap_err();
            assert!(err.contains(named), "{json}: {err}");
        }
    }
}
