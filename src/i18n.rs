//! The widget's built-in strings in its six languages: en, es, fr, de, pt and ar (right to
//! left). A survey definition localises its own texts; these are the buttons, messages and
//! accessible names around them. Numbers are grouped by [`number`], which writes what `Intl`
//! would. A definition's `strings` reword them or add languages ([`for_survey`]).

use sayso_schema::{LocalizedText, SurveyDefinition};

/// Every built-in string of one language. `{name}` marks a value filled in by [`fill`].
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
    /// Button to the next step.
    pub next: &'static str,
    /// Button to the previous step.
    pub back: &'static str,
    /// Where the visitor is: "Question {n} of {total}".
    pub progress: &'static str,
    /// Default thank-you heading.
    pub thank_you: &'static str,
    /// Shown when the response could not be sent (it is kept and re-sent later).
    pub send_failed: &'static str,
    /// Shown when the endpoint refused the response for good (nothing can be retried).
    pub send_refused: &'static str,
    /// Retry button.
    pub retry: &'static str,
    /// A required question without an answer.
    pub required: &'static str,
    /// Marks a required question for screen readers.
    pub required_mark: &'static str,
    /// The "Other" choice.
    pub other: &'static str,
    /// Label of the text field of the "Other" choice.
    pub other_detail: &'static str,
    /// "Other" chosen but left empty.
    pub other_empty: &'static str,
    /// Label of the definition's text area: "Your definition of “{term}”".
    pub your_definition: &'static str,
    /// Label of the optional attribution field.
    pub attribution: &'static str,
    /// Consent to publish a definition.
    pub publish: &'static str,
    /// "Characters left: {n}" (worded so that no plural is needed).
    pub chars_left: &'static str,
    /// "{n} out of {max}": the accessible name of a scale point.
    pub out_of: &'static str,
    /// Under the lowest point of an NPS scale, when the question has no labels of its own.
    pub nps_low: &'static str,
    /// Under the highest point of an NPS scale.
    pub nps_high: &'static str,
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
    /// "Please select at least {n}."
    pub select_at_least: &'static str,
    /// "Please select at most {n}."
    pub select_at_most: &'static str,
    /// Not an e-mail address.
    pub invalid_email: &'static str,
    /// Not a phone number.
    pub invalid_phone: &'static str,
    /// "Please shorten this one. Characters to remove, at least: {n}." (the answers are too long
    /// to send together; no plural to get wrong for 1).
    pub too_long: &'static str,
    /// The launcher button.
    pub launcher: &'static str,
    /// The close button's accessible name.
    pub close: &'static str,
    /// Under free-text fields when e-mail addresses and phone numbers are removed.
    pub redaction_note: &'static str,
}

/// English.
pub const EN: Strings = Strings {
    locale: "en",
    rtl: false,
    submit: "Send",
    sending: "Sending…",
    next: "Next",
    back: "Back",
    progress: "Question {n} of {total}",
    thank_you: "Thank you!",
    send_failed: "We could not send your answers. They are saved on this device and will be sent when the connection is back.",
    send_refused: "The survey's server refused your answers, so they could not be saved. Please let the organisation running this survey know.",
    retry: "Try again",
    required: "Please answer this question.",
    required_mark: "required",
    other: "Other",
    other_detail: "Please specify",
    other_empty: "Please describe your other answer.",
    your_definition: "Your definition of “{term}”",
    attribution: "Your name or role (optional)",
    publish: "You may publish my definition",
    chars_left: "Characters left: {n}",
    out_of: "{n} out of {max}",
    nps_low: "Not at all likely",
    nps_high: "Extremely likely",
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
    too_long: "Your answers are too long to send together. Please shorten this one. Characters to remove, at least: {n}.",
    launcher: "Feedback",
    close: "Close",
    redaction_note: "E-mail addresses and phone numbers you type here are removed before sending.",
};

/// Spanish.
pub const ES: Strings = Strings {
    locale: "es",
    rtl: false,
    submit: "Enviar",
    sending: "Enviando…",
    next: "Siguiente",
    back: "Atrás",
    progress: "Pregunta {n} de {total}",
    thank_you: "¡Gracias!",
    send_failed: "No hemos podido enviar sus respuestas. Se han guardado en este dispositivo y se enviarán cuando vuelva la conexión.",
    send_refused: "El servidor de la encuesta ha rechazado sus respuestas y no se han podido guardar. Por favor, avise a la organización que realiza esta encuesta.",
    retry: "Reintentar",
    required: "Por favor, responda a esta pregunta.",
    required_mark: "obligatoria",
    other: "Otro",
    other_detail: "Especifique",
    other_empty: "Por favor, describa su otra respuesta.",
    your_definition: "Su definición de «{term}»",
    attribution: "Su nombre o función (opcional)",
    publish: "Pueden publicar mi definición",
    chars_left: "Caracteres restantes: {n}",
    out_of: "{n} de {max}",
    nps_low: "Nada probable",
    nps_high: "Extremadamente probable",
    faces: [
        "Muy insatisfecho",
        "Insatisfecho",
        "Neutral",
        "Satisfecho",
        "Muy satisfecho",
    ],
    privacy_note: "Sus respuestas se envían solo a la organización que realiza esta encuesta.",
    agree5: [
        "Totalmente en desacuerdo",
        "En desacuerdo",
        "Ni de acuerdo ni en desacuerdo",
        "De acuerdo",
        "Totalmente de acuerdo",
    ],
    agree7: [
        "Totalmente en desacuerdo",
        "En desacuerdo",
        "Algo en desacuerdo",
        "Ni de acuerdo ni en desacuerdo",
        "Algo de acuerdo",
        "De acuerdo",
        "Totalmente de acuerdo",
    ],
    email: "Correo electrónico",
    phone: "Número de teléfono",
    select_at_least: "Seleccione al menos {n}.",
    select_at_most: "Seleccione como máximo {n}.",
    invalid_email: "Introduzca un correo electrónico, por ejemplo nombre@ejemplo.org.",
    invalid_phone: "Introduzca un número de teléfono, con el prefijo del país si está en el extranjero.",
    too_long: "Sus respuestas son demasiado largas para enviarlas juntas. Acorte esta. Caracteres que quitar, al menos: {n}.",
    launcher: "Opinión",
    close: "Cerrar",
    redaction_note: "Los correos electrónicos y números de teléfono que escriba aquí se eliminan antes del envío.",
};

/// French.
pub const FR: Strings = Strings {
    locale: "fr",
    rtl: false,
    submit: "Envoyer",
    sending: "Envoi…",
    next: "Suivant",
    back: "Retour",
    progress: "Question {n} sur {total}",
    thank_you: "Merci !",
    send_failed: "Nous n’avons pas pu envoyer vos réponses. Elles sont enregistrées sur cet appareil et seront envoyées au retour de la connexion.",
    send_refused: "Le serveur de l’enquête a refusé vos réponses ; elles n’ont pas pu être enregistrées. Merci de le signaler à l’organisation qui mène cette enquête.",
    retry: "Réessayer",
    required: "Veuillez répondre à cette question.",
    required_mark: "obligatoire",
    other: "Autre",
    other_detail: "Précisez",
    other_empty: "Veuillez décrire votre autre réponse.",
    your_definition: "Votre définition de « {term} »",
    attribution: "Votre nom ou votre fonction (facultatif)",
    publish: "Vous pouvez publier ma définition",
    chars_left: "Caractères restants : {n}",
    out_of: "{n} sur {max}",
    nps_low: "Pas du tout probable",
    nps_high: "Extrêmement probable",
    faces: [
        "Très insatisfait",
        "Insatisfait",
        "Neutre",
        "Satisfait",
        "Très satisfait",
    ],
    privacy_note: "Vos réponses sont envoyées uniquement à l’organisation qui mène cette enquête.",
    agree5: [
        "Pas du tout d’accord",
        "Pas d’accord",
        "Ni d’accord ni pas d’accord",
        "D’accord",
        "Tout à fait d’accord",
    ],
    agree7: [
        "Pas du tout d’accord",
        "Pas d’accord",
        "Plutôt pas d’accord",
        "Ni d’accord ni pas d’accord",
        "Plutôt d’accord",
        "D’accord",
        "Tout à fait d’accord",
    ],
    email: "Adresse e-mail",
    phone: "Numéro de téléphone",
    select_at_least: "Veuillez en choisir au moins {n}.",
    select_at_most: "Veuillez en choisir au plus {n}.",
    invalid_email: "Veuillez saisir une adresse e-mail, par exemple nom@exemple.org.",
    invalid_phone: "Veuillez saisir un numéro de téléphone, avec l’indicatif du pays si vous êtes à l’étranger.",
    too_long: "Vos réponses sont trop longues pour être envoyées ensemble. Veuillez raccourcir celle-ci. Caractères à retirer, au moins : {n}.",
    launcher: "Votre avis",
    close: "Fermer",
    redaction_note: "Les adresses e-mail et numéros de téléphone saisis ici sont retirés avant l’envoi.",
};

/// German.
pub const DE: Strings = Strings {
    locale: "de",
    rtl: false,
    submit: "Senden",
    sending: "Wird gesendet…",
    next: "Weiter",
    back: "Zurück",
    progress: "Frage {n} von {total}",
    thank_you: "Vielen Dank!",
    send_failed: "Ihre Antworten konnten nicht gesendet werden. Sie sind auf diesem Gerät gespeichert und werden gesendet, sobald die Verbindung wieder besteht.",
    send_refused: "Der Server der Umfrage hat Ihre Antworten abgelehnt; sie konnten nicht gespeichert werden. Bitte informieren Sie die Organisation, die diese Umfrage durchführt.",
    retry: "Erneut versuchen",
    required: "Bitte beantworten Sie diese Frage.",
    required_mark: "Pflichtfeld",
    other: "Sonstiges",
    other_detail: "Bitte angeben",
    other_empty: "Bitte beschreiben Sie Ihre andere Antwort.",
    your_definition: "Ihre Definition von „{term}“",
    attribution: "Ihr Name oder Ihre Funktion (optional)",
    publish: "Meine Definition darf veröffentlicht werden",
    chars_left: "Noch {n} Zeichen",
    out_of: "{n} von {max}",
    nps_low: "Überhaupt nicht wahrscheinlich",
    nps_high: "Äußerst wahrscheinlich",
    faces: [
        "Sehr unzufrieden",
        "Unzufrieden",
        "Neutral",
        "Zufrieden",
        "Sehr zufrieden",
    ],
    privacy_note: "Ihre Antworten gehen nur an die Organisation, die diese Umfrage durchführt.",
    agree5: [
        "Stimme überhaupt nicht zu",
        "Stimme nicht zu",
        "Weder noch",
        "Stimme zu",
        "Stimme voll und ganz zu",
    ],
    agree7: [
        "Stimme überhaupt nicht zu",
        "Stimme nicht zu",
        "Stimme eher nicht zu",
        "Weder noch",
        "Stimme eher zu",
        "Stimme zu",
        "Stimme voll und ganz zu",
    ],
    email: "E-Mail-Adresse",
    phone: "Telefonnummer",
    select_at_least: "Bitte wählen Sie mindestens {n} aus.",
    select_at_most: "Bitte wählen Sie höchstens {n} aus.",
    invalid_email: "Bitte geben Sie eine E-Mail-Adresse ein, zum Beispiel name@beispiel.de.",
    invalid_phone: "Bitte geben Sie eine Telefonnummer ein, im Ausland mit Ländervorwahl.",
    too_long: "Ihre Antworten sind zu lang, um sie zusammen zu senden. Bitte kürzen Sie diese um mindestens {n} Zeichen.",
    launcher: "Feedback geben",
    close: "Schließen",
    redaction_note: "Hier eingegebene E-Mail-Adressen und Telefonnummern werden vor dem Senden entfernt.",
};

/// Portuguese.
pub const PT: Strings = Strings {
    locale: "pt",
    rtl: false,
    submit: "Enviar",
    sending: "Enviando…",
    next: "Próxima",
    back: "Voltar",
    progress: "Pergunta {n} de {total}",
    thank_you: "Obrigado!",
    send_failed: "Não foi possível enviar suas respostas. Elas estão guardadas neste dispositivo e serão enviadas quando a conexão voltar.",
    send_refused: "O servidor do questionário recusou suas respostas e não foi possível guardá-las. Por favor, avise a organização responsável por este questionário.",
    retry: "Tentar de novo",
    required: "Por favor, responda a esta pergunta.",
    required_mark: "obrigatória",
    other: "Outro",
    other_detail: "Especifique",
    other_empty: "Por favor, descreva sua outra resposta.",
    your_definition: "Sua definição de “{term}”",
    attribution: "Seu nome ou função (opcional)",
    publish: "Vocês podem publicar minha definição",
    chars_left: "Caracteres restantes: {n}",
    out_of: "{n} de {max}",
    nps_low: "Nada provável",
    nps_high: "Extremamente provável",
    faces: [
        "Muito insatisfeito",
        "Insatisfeito",
        "Neutro",
        "Satisfeito",
        "Muito satisfeito",
    ],
    privacy_note: "Suas respostas são enviadas apenas à organização que realiza esta pesquisa.",
    agree5: [
        "Discordo totalmente",
        "Discordo",
        "Não concordo nem discordo",
        "Concordo",
        "Concordo totalmente",
    ],
    agree7: [
        "Discordo totalmente",
        "Discordo",
        "Discordo em parte",
        "Não concordo nem discordo",
        "Concordo em parte",
        "Concordo",
        "Concordo totalmente",
    ],
    email: "Endereço de e-mail",
    phone: "Número de telefone",
    select_at_least: "Selecione pelo menos {n}.",
    select_at_most: "Selecione no máximo {n}.",
    invalid_email: "Digite um endereço de e-mail, por exemplo nome@exemplo.org.",
    invalid_phone: "Digite um número de telefone, com o código do país se estiver no exterior.",
    too_long: "Suas respostas são longas demais para serem enviadas juntas. Encurte esta. Caracteres a remover, pelo menos: {n}.",
    launcher: "Sua opinião",
    close: "Fechar",
    redaction_note: "Endereços de e-mail e números de telefone digitados aqui são removidos antes do envio.",
};

/// Arabic (right to left).
pub const AR: Strings = Strings {
    locale: "ar",
    rtl: true,
    submit: "إرسال",
    sending: "جارٍ الإرسال…",
    next: "التالي",
    back: "السابق",
    progress: "السؤال {n} من {total}",
    thank_you: "شكرًا لك!",
    send_failed: "تعذّر إرسال إجاباتك. لقد حُفظت على هذا الجهاز وسيتم إرسالها عند عودة الاتصال.",
    send_refused: "رفض خادم الاستبيان إجاباتك ولم يكن من الممكن حفظها. يُرجى إبلاغ الجهة التي تُجري هذا الاستبيان.",
    retry: "أعد المحاولة",
    required: "يرجى الإجابة عن هذا السؤال.",
    required_mark: "مطلوب",
    other: "غير ذلك",
    other_detail: "يرجى التحديد",
    other_empty: "يرجى وصف إجابتك الأخرى.",
    your_definition: "تعريفك لـ «{term}»",
    attribution: "اسمك أو صفتك (اختياري)",
    publish: "يمكنكم نشر تعريفي",
    chars_left: "الأحرف المتبقية: {n}",
    out_of: "{n} من {max}",
    nps_low: "غير محتمل على الإطلاق",
    nps_high: "محتمل للغاية",
    faces: ["غير راضٍ إطلاقًا", "غير راضٍ", "محايد", "راضٍ", "راضٍ جدًا"],
    privacy_note: "تُرسل إجاباتك فقط إلى الجهة التي تجري هذا الاستطلاع.",
    agree5: ["لا أوافق بشدة", "لا أوافق", "محايد", "أوافق", "أوافق بشدة"],
    agree7: [
        "لا أوافق بشدة",
        "لا أوافق",
        "لا أوافق إلى حد ما",
        "محايد",
        "أوافق إلى حد ما",
        "أوافق",
        "أوافق بشدة",
    ],
    email: "البريد الإلكتروني",
    phone: "رقم الهاتف",
    select_at_least: "يرجى اختيار {n} على الأقل.",
    select_at_most: "يرجى اختيار {n} على الأكثر.",
    invalid_email: "يرجى إدخال بريد إلكتروني مثل name@example.org.",
    invalid_phone: "يرجى إدخال رقم هاتف، مع رمز الدولة إذا كنت في الخارج.",
    too_long: "إجاباتك أطول من أن تُرسل معًا. يرجى تقصير هذه الإجابة. عدد الأحرف التي يجب حذفها على الأقل: {n}.",
    launcher: "رأيك",
    close: "إغلاق",
    redaction_note: "تُحذف عناوين البريد الإلكتروني وأرقام الهواتف التي تكتبها هنا قبل الإرسال.",
};

/// Every language the widget speaks.
pub const ALL: [&Strings; 6] = [&EN, &ES, &FR, &DE, &PT, &AR];

/// The strings for `locale` (a language tag such as `pt-BR`), English when there is no
/// translation of its language.
pub fn strings(locale: &str) -> &'static Strings {
    built_in(locale).unwrap_or(&EN)
}

/// The built-in strings of `language` (`pt-BR` -> `pt`), if the widget speaks it.
fn built_in(locale: &str) -> Option<&'static Strings> {
    let language = locale.split('-').next().unwrap_or(locale);
    ALL.into_iter()
        .find(|s| s.locale.eq_ignore_ascii_case(language))
}

/// Whether `locale` is written right to left: by its script subtag if it has one (`pa-Arab`,
/// `sd-Deva`), else by its language.
pub fn is_rtl(locale: &str) -> bool {
    let mut parts = locale.split('-');
    let language = parts.next().unwrap_or(locale).to_ascii_lowercase();
    if let Some(script) = parts.next().filter(|s| s.len() == 4) {
        let script = script.to_ascii_lowercase();
        return ["arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"].contains(&script.as_str());
    }
    [
        "ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug", "syr",
    ]
    .contains(&language.as_str())
}

/// The strings `definition` shows in `locale` (one of its locales), each from the first of:
/// the definition's `strings` in that locale, the widget's own in that language, the
/// definition's `strings` in its default locale, the widget's own in that language, English.
/// `locale` is the whole tag, so numbers follow its region. Made once per page and kept for
/// its life.
pub fn for_survey(definition: &SurveyDefinition, locale: &str) -> &'static Strings {
    let own = built_in(locale);
    let fallback = built_in(&definition.locales.default).unwrap_or(&EN);
    macro_rules! pick {
        ($($field:ident),*) => {
            Strings {
                locale: Box::leak(locale.into()),
                rtl: is_rtl(locale),
                faces: own.unwrap_or(fallback).faces,
                agree5: own.unwrap_or(fallback).agree5,
                agree7: own.unwrap_or(fallback).agree7,
                $($field: pick(definition, locale, stringify!($field), own.map(|s| s.$field), fallback.$field),)*
            }
        };
    }
    Box::leak(Box::new(pick!(
        submit,
        sending,
        next,
        back,
        progress,
        thank_you,
        send_failed,
        send_refused,
        retry,
        required,
        required_mark,
        other,
        other_detail,
        other_empty,
        your_definition,
        attribution,
        publish,
        chars_left,
        out_of,
        nps_low,
        nps_high,
        privacy_note,
        email,
        phone,
        select_at_least,
        select_at_most,
        invalid_email,
        invalid_phone,
        too_long,
        launcher,
        close,
        redaction_note
    )))
}

/// One string of [`for_survey`]: the definition's `name` in `locale`, else `own` (the
/// widget's in that language), else the definition's in its default locale, else `fallback`.
#[inline(never)]
fn pick(
    definition: &SurveyDefinition,
    locale: &str,
    name: &str,
    own: Option<&'static str>,
    fallback: &'static str,
) -> &'static str {
    let variant = |tag: &str| -> Option<&'static str> {
        let text = &definition.strings.iter().find(|(n, _)| n == name)?.1;
        let language = tag.split('-').next().unwrap_or(tag);
        let found = match text {
            LocalizedText::Plain(s) => s,
            // The exact tag first (`pt-BR`), then its language (`pt`).
            LocalizedText::Translated(map) => {
                let get = |t: &str| map.iter().find(|(k, _)| k == t);
                &get(tag).or_else(|| get(language))?.1
            }
        };
        Some(Box::leak(found.as_str().into()))
    };
    variant(locale)
        .or(own)
        .or_else(|| variant(&definition.locales.default))
        .unwrap_or(fallback)
}

/// `template` with `{name}` replaced by `value` for each pair.
pub fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in pairs {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Language tags with a region whose numbers are written as their language's are; any other
/// tag with a region (`ar-SA` with Arabic-Indic digits, `de-CH`, `pt-PT`...) is left to `Intl`.
pub const SAME_AS_LANGUAGE: [&str; 11] = [
    "en-us", "en-gb", "en-au", "en-ca", "en-ie", "es-es", "fr-fr", "fr-be", "de-de", "pt-br",
    "ar-ae",
];

/// `n` as the browser's `Intl.NumberFormat` writes it for `locale`. For the six languages (and
/// [`SAME_AS_LANGUAGE`]) it is written here rather than by `Intl`: the first
/// `Intl.NumberFormat` of a page loads locale data, measured at 70 ms of main thread on a phone
/// class CPU, a long task for a few digits. The browser test `numbers_match_intl` holds this to
/// `Intl` for every one of them.
pub fn number(locale: &str, n: u32) -> String {
    let regional =
        locale.contains('-') && !SAME_AS_LANGUAGE.contains(&locale.to_ascii_lowercase().as_str());
    if (regional || built_in(locale).is_none())
        && let Some(text) = intl_number(locale, n)
    {
        return text;
    }
    let digits = n.to_string();
    // (group separator, fewest digits of the leading group before grouping starts)
    let (separator, min_grouping) = match strings(locale).locale {
        "es" => (".", 2),
        "fr" => ("\u{202f}", 1),
        "de" | "pt" => (".", 1),
        _ => (",", 1),
    };
    if digits.len() < 3 + min_grouping {
        return digits;
    }
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(d);
    }
    out
}

/// `n.toLocaleString(locale)`; `None` where that throws (a tag `Intl` does not take).
#[cfg(target_arch = "wasm32")]
fn intl_number(locale: &str, n: u32) -> Option<String> {
    use wasm_bindgen::JsCast;
    // A Number object, which `Number::new` makes (and `Number::from`, a primitive, is not):
    // `Reflect.get` takes no primitive.
    #[allow(deprecated)]
    let n = js_sys::Number::new(&n.into());
    let format = js_sys::Reflect::get(&n, &"toLocaleString".into()).ok()?;
    format
        .dyn_into::<js_sys::Function>()
        .ok()?
        .call1(&n, &locale.into())
        .ok()?
        .as_string()
}

/// Off the browser (unit tests) there is no `Intl`: the language's way.
#[cfg(not(target_arch = "wasm32"))]
fn intl_number(_: &str, _: u32) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(fill(EN.out_of, &[("n", "8"), ("max", "10")]), "8 out of 10");
        assert_eq!(fill(EN.chars_left, &[("n", "1")]), "Characters left: 1");
    }

    #[test]
    fn numbers_group_as_each_language_does() {
        assert_eq!(number("en", 7), "7");
        assert_eq!(number("en", 1000), "1,000");
        assert_eq!(number("es", 1000), "1000");
        assert_eq!(number("es", 12345), "12.345");
        assert_eq!(number("fr", 1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(number("de-AT", 10000), "10.000");
    }

    fn survey(extra: &str) -> SurveyDefinition {
        SurveyDefinition::from_json(&format!(
            r#"{{"id":"s","version":1,"title":"t","questions":[{{"id":"n","kind":"nps","title":"?"}}]{extra}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn a_definition_rewords_and_translates_the_built_in_strings() {
        // A language the widget does not speak: the definition's own words, else the survey's
        // default language (German here), never English or a name.
        let d = survey(
            r#","locales":{"default":"de","available":["it","es"]},
               "strings":{"submit":{"de":"Absenden","it":"Invia"},"privacy_note":{"de":"Nur für uns."}}"#,
        );
        let it = for_survey(&d, "it");
        assert_eq!((it.submit, it.next, it.locale), ("Invia", DE.next, "it"));
        // A language it speaks: its own words unless the definition has some in that language.
        let es = for_survey(&d, "es");
        assert_eq!((es.submit, es.privacy_note), (ES.submit, ES.privacy_note));
        assert_eq!(for_survey(&d, "de").privacy_note, "Nur für uns.");
        // One text for every language rewords it everywhere.
        let plain = survey(r#","strings":{"launcher":"Tell us"}"#);
        assert_eq!(for_survey(&plain, "en").launcher, "Tell us");
        // Direction follows the language, whatever the strings fall back to.
        let he = survey(r#","locales":{"default":"he"}"#);
        assert!(for_survey(&he, "he").rtl && !for_survey(&d, "it").rtl);
        assert!(is_rtl("pa-Arab") && !is_rtl("sd-Deva") && is_rtl("ar-EG"));
        // A regional text wins over its language's.
        let pt = survey(
            r#","locales":{"default":"pt-BR","available":["pt"]},"strings":{"submit":{"pt":"Enviar","pt-BR":"Mandar"}}"#,
        );
        assert_eq!(for_survey(&pt, "pt-BR").submit, "Mandar");
    }

    #[test]
    fn languages_are_chosen_by_their_tag() {
        assert_eq!(strings("pt-BR").locale, "pt");
        assert_eq!(strings("AR").locale, "ar");
        assert!(strings("ar").rtl);
        assert_eq!(
            strings("nl").locale,
            "en",
            "an unknown language falls back to English"
        );
    }

    /// Every translation keeps the placeholders its English original has, and nothing is left
    /// untranslated by accident (the same text as English) except where it is a real word in
    /// both ("Neutral").
    #[test]
    fn every_translation_is_complete() {
        let placeholders = |s: &str| -> Vec<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}'))
                .map(|(name, _)| name.to_owned())
                .collect()
        };
        for t in ALL {
            let pairs = [
                (EN.submit, t.submit),
                (EN.next, t.next),
                (EN.back, t.back),
                (EN.progress, t.progress),
                (EN.thank_you, t.thank_you),
                (EN.send_failed, t.send_failed),
                (EN.send_refused, t.send_refused),
                (EN.required, t.required),
                (EN.other_detail, t.other_detail),
                (EN.your_definition, t.your_definition),
                (EN.chars_left, t.chars_left),
                (EN.out_of, t.out_of),
                (EN.nps_low, t.nps_low),
                (EN.nps_high, t.nps_high),
                (EN.select_at_least, t.select_at_least),
                (EN.select_at_most, t.select_at_most),
                (EN.invalid_email, t.invalid_email),
                (EN.invalid_phone, t.invalid_phone),
                (EN.too_long, t.too_long),
                (EN.privacy_note, t.privacy_note),
                (EN.launcher, t.launcher),
                (EN.close, t.close),
                (EN.redaction_note, t.redaction_note),
            ];
            for (en, tr) in pairs {
                assert!(!tr.trim().is_empty(), "{}: empty", t.locale);
                let (mut a, mut b) = (placeholders(en), placeholders(tr));
                a.sort();
                b.sort();
                assert_eq!(
                    a, b,
                    "{}: {tr:?} must keep the placeholders of {en:?}",
                    t.locale
                );
                if t.locale != "en" {
                    assert_ne!(en, tr, "{}: {en:?} is not translated", t.locale);
                }
            }
            assert_eq!(t.faces.len(), 5);
            assert!(t.agree7.iter().chain(&t.agree5).all(|s| !s.is_empty()));
        }
    }
}
