//! The surveys this collector serves: loaded from the surveys directory at startup, with every
//! earlier version recorded in the database, so that a response keeps being judged against the
//! version its visitor actually saw.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sayso_schema::{Problems, SurveyDefinition, SurveyRef};

use crate::cors;

/// One definition file read from the surveys directory.
#[derive(Debug, Clone)]
pub struct SurveyFile {
    /// The file, as found under the directory given on the command line.
    pub path: PathBuf,
    /// Its parsed and validated definition.
    pub definition: SurveyDefinition,
}

/// Read and validate every `*.json` file of `dir` (sorted by name).
///
/// Any problem anywhere fails the whole load, with one line per problem in the form
/// `surveys/x.json: $.questions[2].id: <reason>`, so that a site owner fixes them all at once
/// and a collector never runs with half of its surveys.
pub fn load_dir(dir: &Path) -> Result<Vec<SurveyFile>, Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![format!(
            "{}: cannot read the surveys directory: {e}",
            dir.display()
        )]
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| vec![format!("{}: {e}", dir.display())])?;
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "json") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();

    let mut lines = Vec::new();
    let mut files: Vec<SurveyFile> = Vec::new();
    for path in paths {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                lines.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        match SurveyDefinition::from_json(&text) {
            Err(problems) => {
                lines.extend(problems.iter().map(|p| format!("{}: {p}", path.display())));
            }
            Ok(definition) => {
                if let Some(first) = files.iter().find(|f| f.definition.id == definition.id) {
                    lines.push(format!(
                        "{}: $.id: survey \"{}\" is already defined in {}",
                        path.display(),
                        definition.id,
                        first.path.display()
                    ));
                } else {
                    files.push(SurveyFile { path, definition });
                }
            }
        }
    }
    if lines.is_empty() {
        Ok(files)
    } else {
        Err(lines)
    }
}

/// One survey: its current definition and every version known to this collector.
#[derive(Debug)]
pub struct Survey {
    /// The definition in the surveys directory now; the one served to widgets.
    pub current: Arc<SurveyDefinition>,
    /// The current definition as canonical JSON text, as served.
    pub json: String,
    /// Entity tag of [`Survey::json`], for conditional requests.
    pub etag: String,
    /// Every known version (including the current one), by version number.
    pub versions: BTreeMap<u32, Arc<SurveyDefinition>>,
    /// Origins allowed to load this survey and answer it: the current definition's
    /// `allowed_origins` and the collector-wide ones, normalised.
    origins: Vec<String>,
}

impl Survey {
    /// Whether a page of `origin` may load this survey and send responses to it.
    pub fn allows(&self, origin: &str) -> bool {
        cors::listed(&self.origins, origin)
    }

    /// The definition of `version`, if known.
    pub fn version(&self, version: u32) -> Option<&SurveyDefinition> {
        self.versions.get(&version).map(|d| &**d)
    }
}

/// Every version of a survey, by version number.
pub type Versions = BTreeMap<u32, Arc<SurveyDefinition>>;

/// Every survey, by id.
#[derive(Debug, Default)]
pub struct SurveyCatalog {
    surveys: BTreeMap<String, Survey>,
    /// Surveys whose file is gone but whose versions are recorded: neither served nor answered,
    /// but their stored responses can still be read (dashboard, exports).
    retired: BTreeMap<String, Versions>,
    /// Collector-wide origins (`--allow-origin`), normalised.
    extra_origins: Vec<String>,
}

impl SurveyCatalog {
    /// A catalog of the `current` definitions (unique ids) with `earlier` versions of them;
    /// versions of surveys no longer current are kept apart (such a survey is retired: it is
    /// neither served nor answered, only read back).
    pub fn new(
        current: Vec<SurveyDefinition>,
        earlier: Vec<SurveyDefinition>,
        extra_origins: &[String],
    ) -> Self {
        let extra_origins: Vec<String> = extra_origins
            .iter()
            .map(|o| cors::normalize_origin(o))
            .collect();
        let mut surveys = BTreeMap::new();
        for definition in current {
            let json = definition.to_json().to_string();
            let etag = format!(
                "\"{}-{}-{:016x}\"",
                definition.id,
                definition.version,
                fnv1a(&json)
            );
            let origins = definition
                .allowed_origins
                .iter()
                .map(|o| cors::normalize_origin(o))
                .chain(extra_origins.iter().cloned())
                .collect();
            let current = Arc::new(definition);
            let versions = BTreeMap::from([(current.version, current.clone())]);
            let survey = Survey {
                current,
                json,
                etag,
                versions,
                origins,
            };
            surveys.insert(survey.current.id.clone(), survey);
        }
        let mut retired: BTreeMap<String, Versions> = BTreeMap::new();
        for definition in earlier {
            let versions = match surveys.get_mut(&definition.id) {
                Some(survey) => &mut survey.versions,
                None => retired.entry(definition.id.clone()).or_default(),
            };
            versions
                .entry(definition.version)
                .or_insert_with(|| Arc::new(definition));
        }
        Self {
            surveys,
            retired,
            extra_origins,
        }
    }

    /// Retired surveys (see [`SurveyCatalog::new`]): id and recorded versions, by id.
    pub fn retired(&self) -> impl Iterator<Item = (&str, &Versions)> {
        self.retired.iter().map(|(id, v)| (id.as_str(), v))
    }

    /// Every known version of survey `id`, current or retired.
    pub fn versions(&self, id: &str) -> Option<&Versions> {
        self.get(id)
            .map(|s| &s.versions)
            .or_else(|| self.retired.get(id))
    }

    /// The survey with this id.
    pub fn get(&self, id: &str) -> Option<&Survey> {
        self.surveys.get(id)
    }

    /// Every survey, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Survey> {
        self.surveys.values()
    }

    /// The definition a response answers, or the problem with its `survey` reference (located
    /// at `$.survey.id` or `$.survey.version`).
    pub fn definition_for(&self, survey: &SurveyRef) -> Result<&SurveyDefinition, Problems> {
        let Some(s) = self.get(&survey.id) else {
            return Err(Problems::single(
                "$.survey.id",
                format!("no survey \"{}\" on this collector", survey.id),
            ));
        };
        s.version(survey.version).ok_or_else(|| {
            Problems::single(
                "$.survey.version",
                format!(
                    "survey \"{}\" has no version {} (current: {})",
                    survey.id, survey.version, s.current.version
                ),
            )
        })
    }

    /// Whether any survey, or the collector-wide list, allows `origin`: the test for requests
    /// that do not name a survey (the preflight of `POST /v1/responses`).
    pub fn any_allows(&self, origin: &str) -> bool {
        cors::listed(&self.extra_origins, origin) || self.iter().any(|s| s.allows(origin))
    }
}

/// The catalog in force: replaced whole when the surveys directory is read again (on `SIGHUP`,
/// see [`crate::AppState::reload_surveys`]). A request takes one snapshot and keeps it to the
/// end, so it never sees half of an old catalog and half of a new one.
#[derive(Debug)]
pub struct LiveCatalog {
    current: std::sync::RwLock<Arc<SurveyCatalog>>,
    /// One reload at a time: two at once could record versions in one order and install the
    /// catalogs in the other.
    pub(crate) reloading: tokio::sync::Mutex<()>,
}

impl LiveCatalog {
    /// A live catalog starting with `catalog`.
    pub fn new(catalog: SurveyCatalog) -> Self {
        Self {
            current: std::sync::RwLock::new(Arc::new(catalog)),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The catalog in force now.
    pub fn get(&self) -> Arc<SurveyCatalog> {
        // A poisoned lock still holds a whole catalog: it is only ever replaced, never edited.
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Put `catalog` in force for every request that starts from now on.
    pub(crate) fn replace(&self, catalog: SurveyCatalog) {
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(catalog);
    }
}

/// FNV-1a: a stable, dependency-free fingerprint for entity tags (not for security).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(id: &str, version: u32, origins: &[&str]) -> SurveyDefinition {
        let origins: Vec<String> = origins.iter().map(|o| format!("\"{o}\"")).collect();
        SurveyDefinition::from_json(&format!(
            r#"{{"id": "{id}", "version": {version}, "title": "T",
                "questions": [{{"id": "nps", "kind": "nps", "title": "Q"}}],
                "allowed_origins": [{}]}}"#,
            origins.join(",")
        ))
        .unwrap()
    }

    #[test]
    fn versions_and_origins() {
        let catalog = SurveyCatalog::new(
            vec![
                definition("a", 2, &["https://clinic.example"]),
                definition("b", 1, &[]),
            ],
            vec![definition("a", 1, &[]), definition("retired", 4, &["*"])],
            &["https://all.example".to_owned()],
        );
        let a = catalog.get("a").unwrap();
        assert_eq!(a.versions.keys().copied().collect::<Vec<_>>(), [1, 2]);
        assert!(catalog.get("retired").is_none());
        assert_eq!(
            catalog.retired().map(|(id, _)| id).collect::<Vec<_>>(),
            ["retired"]
        );
        assert_eq!(
            catalog
                .versions("retired")
                .unwrap()
                .keys()
                .copied()
                .collect::<Vec<_>>(),
            [4]
        );
        assert_eq!(catalog.versions("a").unwrap().len(), 2);
        assert!(catalog.versions("zzz").is_none());
        assert!(a.allows("https://clinic.example"));
        assert!(a.allows("https://all.example"));
        assert!(!catalog.get("b").unwrap().allows("https://clinic.example"));
        assert!(catalog.any_allows("https://clinic.example"));
        assert!(!catalog.any_allows("https://evil.example"));

        let at = |id: &str, version| {
            let r = SurveyRef {
                id: id.into(),
                version,
            };
            catalog
                .definition_for(&r)
                .map(|d| d.version)
                .map_err(|p| p.0[0].path.clone())
        };
        assert_eq!(at("a", 1), Ok(1));
        assert_eq!(at("a", 3), Err("$.survey.version".into()));
        assert_eq!(at("zzz", 1), Err("$.survey.id".into()));
        // A retired survey is not answered.
        assert_eq!(at("retired", 4), Err("$.survey.id".into()));
    }

    #[test]
    fn etags_change_with_the_text() {
        let one = SurveyCatalog::new(vec![definition("a", 1, &[])], vec![], &[]);
        let two = SurveyCatalog::new(vec![definition("a", 1, &["*"])], vec![], &[]);
        assert_ne!(one.get("a").unwrap().etag, two.get("a").unwrap().etag);
    }
}
