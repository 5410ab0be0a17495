// Every question kind answered with the keyboard alone; steps, branching, piping and
// thank-you variants; partial responses completed in place; languages, right to left included.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, axe, outboxIds, outcome, page, stage, until, watchedPage, widgetReady } from "./harness.mjs";

const FIXTURES = {
  "every-kind": join(ROOT, "schema/tests/fixtures/every-kind.json"),
  "clinic-visit": join(ROOT, "schema/tests/fixtures/branching.json"),
  "clinic-arabic": join(ROOT, "tests/e2e/fixtures/arabic.json"),
  // Four answers of up to 10,000 characters: each valid, together over the 64 KiB a response may be.
  "long-answers": {
    id: "long-answers", version: 1, title: "Tell us more",
    questions: ["First", "Second", "Third", "Fourth"].map((title, i) => ({ id: `t${i + 1}`, kind: "text", title, max_length: 10000 })),
  },
};
// A language the widget does not speak, in a survey whose default it does.
FIXTURES["italian"] = {
  id: "italian", version: 1, title: { de: "Ihr Besuch", it: "La sua visita" },
  locales: { default: "de", available: ["it"] },
  questions: [{ id: "nps", kind: "nps", title: { de: "Empfehlen?", it: "Ci consiglierebbe?" }, required: true }],
  strings: { submit: { de: "Absenden", it: "Invia" }, out_of: { it: "{n} su {max}" } },
};
// French by default, with German and Portuguese: the widget's own words in each, unreworded.
const EUROPEAN_TEXTS = {
  title: { fr: "Votre visite", de: "Ihr Besuch", pt: "Sua visita" },
  nps: { fr: "Nous recommanderiez-vous ?", de: "Würden Sie uns empfehlen?", pt: "Você nos recomendaria?" },
  csat: { fr: "Satisfait de l’accueil ?", de: "Zufrieden mit dem Empfang?", pt: "Satisfeito com o atendimento?" },
  comment: { fr: "Autre chose ?", de: "Sonst noch etwas?", pt: "Algo mais?" },
};
FIXTURES["european"] = {
  id: "european", version: 1, title: EUROPEAN_TEXTS.title,
  locales: { default: "fr", available: ["de", "pt"] },
  questions: [
    { id: "nps", kind: "nps", title: EUROPEAN_TEXTS.nps, required: true },
    { id: "csat", kind: "csat", style: "emoji", title: EUROPEAN_TEXTS.csat },
    { id: "comment", kind: "text", title: EUROPEAN_TEXTS.comment, max_length: 2000 },
  ],
};
// A regional locale whose numbers Intl writes in Arabic-Indic digits.
FIXTURES["arabic-egypt"] = {
  id: "arabic-egypt", version: 1, title: "زيارتك", locales: { default: "ar-EG" },
  questions: [
    { id: "nps", kind: "nps", title: "ما مدى احتمال أن توصي بنا؟", required: true },
    { id: "why", kind: "text", title: "لماذا {nps}؟" },
  ],
};
FIXTURES["long-answers-steps"] = { ...FIXTURES["long-answers"], id: "long-answers-steps", display: { layout: "steps" } };
const pages = {};
let staged, c, host, b;

before(async () => {
  staged = await stage(pages, FIXTURES);
  ({ c, host, b } = staged);
  for (const id of Object.keys(FIXTURES)) {
    pages[`/${id}`] = page({ loader: `${c.base}/sayso.js`, attrs: { endpoint: c.endpoint, survey: id, target: "#feedback" } });
    pages[`/${id}/es`] = page({ loader: `${c.base}/sayso.js`, attrs: { endpoint: c.endpoint, survey: id, target: "#feedback", locale: "es" } });
  }
  for (const locale of ["fr", "de", "pt"]) {
    pages[`/european/${locale}`] = page({ loader: `${c.base}/sayso.js`, attrs: { endpoint: c.endpoint, survey: "european", target: "#feedback", locale } });
  }
  pages["/italian/it"] = page({ loader: `${c.base}/sayso.js`, attrs: { endpoint: c.endpoint, survey: "italian", target: "#feedback", locale: "it" } });
  // The page's own language picks the survey's.
  pages["/clinic-arabic/page-lang"] = page({ loader: `${c.base}/sayso.js`, attrs: { endpoint: c.endpoint, survey: "clinic-arabic", target: "#feedback" } }).replace('<html lang="en">', '<html lang="ar" dir="rtl">');
});
after(() => staged?.close());

const keys = async (tab, ...sequence) => {
  for (const k of sequence) await tab.keyboard.press(k);
};
const repeat = (key, n) => Array(n).fill(key);

/** Record how many questions the widget had built when it said it was shown. */
const countQuestionsWhenShown = (tab) => tab.addInitScript(() => document.addEventListener("sayso:shown", (e) => {
  window.questionsWhenShown = e.target.shadowRoot.querySelectorAll(".sayso-question").length;
}));

test("keyboard only: every question kind answered and sent, and the stored values are exactly those", async () => {
  const { tab, log } = await watchedPage(b);
  await countQuestionsWhenShown(tab);
  await tab.goto(host.url("/every-kind"));
  await widgetReady(tab);
  // On one page, the survey shows once every question is there, so that nothing moves.
  const questions = await tab.locator("sayso-survey .sayso-question").count();
  assert.ok(questions > 1);
  assert.equal(await tab.evaluate(() => window.questionsWhenShown), questions);
  await tab.focus("#host-button");
  await keys(tab, "Tab");
  // Focus is visible where it lands: a 3px ring on the point's button.
  const ring = await tab.evaluate(() => {
    const input = document.querySelector("sayso-survey").shadowRoot.activeElement;
    const style = getComputedStyle(input.parentElement);
    return [input.getAttribute("aria-label"), style.outlineStyle, style.outlineWidth];
  });
  assert.deepEqual(ring, ["0 out of 10", "solid", "3px"]);
  await keys(tab, ...repeat("ArrowRight", 9)); // nps: 9
  await keys(tab, "Tab", ...repeat("ArrowRight", 3)); // csat faces: 4
  await keys(tab, "Tab", "ArrowRight"); // ces: 2
  await keys(tab, "Tab", ...repeat("ArrowRight", 2)); // rating: 3
  await keys(tab, "Tab", ...repeat("ArrowDown", 2)); // single choice: Other
  await keys(tab, "Tab");
  await tab.keyboard.type("By letter");
  // Multi: billing with Space, devices with Enter (which chooses, and does not send).
  await keys(tab, "Tab", "Space", "Tab", "Tab", "Enter", "Tab", "Tab");
  await keys(tab, "Tab");
  await tab.keyboard.type("Quick and kind."); // text
  await keys(tab, "Tab");
  await tab.keyboard.type("Deciding together with my nurse."); // definition
  await keys(tab, "Tab");
  await tab.keyboard.type("Ana, patient");
  await keys(tab, "Tab", "Space"); // publish
  await keys(tab, "Tab", ...repeat("ArrowRight", 4)); // likert row 1: 5
  await keys(tab, "Tab", ...repeat("ArrowRight", 3)); // likert row 2: 4
  await keys(tab, "Tab", "Space"); // consent
  await keys(tab, "Tab", "Tab", "Space"); // past the privacy link to the channel: e-mail
  await keys(tab, "Tab");
  await tab.keyboard.type("ana@example.org");
  await keys(tab, "Tab");
  const focused = () => tab.evaluate(() => {
    const e = document.querySelector("sayso-survey").shadowRoot.activeElement;
    return e && (e.getAttribute("aria-label") || e.textContent.trim());
  });
  assert.equal(await focused(), "Send");
  // Then the close button, and focus is never trapped: the next Tab leaves the widget.
  await keys(tab, "Tab");
  assert.equal(await focused(), "Close");
  await keys(tab, "Tab");
  assert.equal(await tab.evaluate(() => document.activeElement === document.querySelector("sayso-survey")), false);
  await keys(tab, "Shift+Tab", "Shift+Tab");
  assert.equal(await focused(), "Send");
  await keys(tab, "Enter");
  assert.equal(await outcome(tab), "Thank you!");

  const [row, ...more] = await c.stored("every-kind");
  assert.equal(more.length, 0);
  assert.deepEqual(row.answers, {
    nps: 9,
    csat: 4,
    ces: 2,
    rating: 3,
    channel: { other: "By letter" },
    topics: ["billing", "devices"],
    comment: "Quick and kind.",
    engagement: { text: "Deciding together with my nurse.", attribution: "Ana, patient", publish: true },
    agreement: { clear: 5, kind: 4 },
    may_contact: true,
    contact: { email: "ana@example.org" },
  });
  assert.deepEqual(log.pageErrors, []);
});

test("\"Other\" picked and left empty: send puts the focus in its text field and says why", async () => {
  const stored = (await c.stored("every-kind")).length;
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/every-kind"));
  await widgetReady(tab);
  await tab.locator("sayso-survey #sayso-nps-q input[aria-label='9 out of 10']").click();
  await tab.locator("sayso-survey #sayso-channel-q input[type=radio]").last().click();
  await tab.locator("sayso-survey button[type=submit]").click();
  const live = tab.locator("sayso-survey [aria-live]");
  await until(async () => (await live.innerText()) === "Please describe your other answer.", 10_000, "the announcement");
  const focused = await tab.evaluate(() => document.querySelector("sayso-survey").shadowRoot.activeElement?.id);
  assert.equal(focused, "sayso-channel-other");
  assert.equal((await c.stored("every-kind")).length, stored, "nothing sent");
  assert.deepEqual(await outboxIds(tab), []);
  assert.deepEqual(log.pageErrors, []);
});

test("steps: a detractor's path, with progress, back, piping, consent-gated contact and its thank-you", async () => {
  const { tab, log } = await watchedPage(b);
  await countQuestionsWhenShown(tab);
  await tab.goto(host.url("/clinic-visit"));
  await widgetReady(tab);
  // In steps, it shows with its first question; the others are built in the tasks after.
  assert.equal(await tab.evaluate(() => window.questionsWhenShown), 1);
  const progress = () => tab.locator("sayso-survey .sayso-progress span").innerText();
  const onScreen = () => tab.locator("sayso-survey fieldset.sayso-question:not([hidden]) legend > span").first().innerText();
  const next = () => tab.locator("sayso-survey button", { hasText: "Next" }).click();
  assert.equal(await progress(), "Question 1 of 4");
  // Next without an answer: the issue is shown and the step stays.
  await next();
  await tab.locator("sayso-survey #sayso-nps-issue").waitFor({ state: "visible" });
  await tab.locator("sayso-survey input[aria-label='4 out of 10']").click();
  await next();
  assert.equal(await onScreen(), "You gave us 4. What is the main reason?");
  // The step change is announced, and the focus moved to the new question.
  await tab.locator("sayso-survey [aria-live]", { hasText: /^Question 2 of \d+$/ }).waitFor();
  await tab.waitForFunction(() => document.querySelector("sayso-survey").shadowRoot.activeElement?.tagName === "TEXTAREA", null, { timeout: 5_000 });
  // The field is named by the title as shown, with the answer piped in (not "{nps}").
  await tab.getByRole("textbox", { name: "You gave us 4. What is the main reason?", exact: true }).waitFor();
  await tab.locator("sayso-survey textarea").fill("The wait.");
  await next();
  await tab.locator("sayso-survey label", { hasText: "A check-up" }).click();
  await next();
  assert.match(await progress(), /^Question 4 of \d+$/);
  await tab.locator("sayso-survey label", { hasText: "Waiting time" }).click();
  await next();
  assert.equal(await onScreen(), "May we contact you?");
  // Back and forth keeps the answers.
  await tab.locator("sayso-survey button", { hasText: "Back" }).click();
  assert.equal(await tab.locator("sayso-survey input[type=checkbox]:checked").count(), 1);
  await next();
  await tab.locator("sayso-survey label", { hasText: "Yes, you may contact me" }).click();
  await next();
  await tab.locator("sayso-survey label.sayso-option", { hasText: "Phone number" }).click();
  assert.deepEqual(await axe(tab, "steps, contact step"), []);
  // A number that is not one: the field itself is marked invalid and described by the issue.
  const phone = tab.locator("sayso-survey input[type=tel]");
  await phone.fill("call me");
  await next();
  await tab.locator("sayso-survey #sayso-contact-issue").waitFor({ state: "visible" });
  // The focus is in the phone field, not lost to the hidden e-mail one before it.
  assert.equal(await tab.evaluate(() => document.querySelector("sayso-survey").shadowRoot.activeElement?.type), "tel");
  assert.equal(await phone.getAttribute("aria-invalid"), "true");
  assert.match(await phone.getAttribute("aria-describedby"), /\bsayso-contact-issue\b/);
  assert.deepEqual(await axe(tab, "steps, contact step with an issue"), []);
  await phone.fill("+44 20 7946 0958");
  await next();
  assert.equal(await phone.getAttribute("aria-invalid"), null);
  assert.equal(await progress(), "Question 7 of 7");
  await tab.locator("sayso-survey input[aria-label='3 out of 7']").click();
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you!");
  assert.equal(
    await tab.locator("sayso-survey .sayso-outcome p").innerText(),
    "We are sorry your visit fell short. We will be in touch within two working days.",
  );
  const [row] = await c.stored("clinic-visit");
  assert.deepEqual(row.answers, {
    nps: 4,
    reason: "The wait.",
    visit: "checkup",
    improve: ["waiting"],
    may_contact: true,
    contact: { phone: "+44 20 7946 0958" },
    ease: 3,
  });
  assert.deepEqual(log.pageErrors, []);
});

test("steps: a promoter skips to the end and is offered the review link", async () => {
  const before = (await c.stored("clinic-visit")).length;
  const { tab } = await watchedPage(b);
  await tab.goto(host.url("/clinic-visit"));
  await widgetReady(tab);
  await tab.locator("sayso-survey input[aria-label='10 out of 10']").click();
  await tab.locator("sayso-survey button", { hasText: "Next" }).click();
  assert.equal(await tab.locator("sayso-survey .sayso-progress span").innerText(), "Question 2 of 2");
  await tab.locator("sayso-survey textarea").fill("Kind staff.");
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you, we are glad!");
  const link = tab.locator("sayso-survey .sayso-outcome a");
  assert.equal(await link.innerText(), "Leave a review");
  assert.equal(await link.getAttribute("href"), "https://reviews.example/clinic");
  const rows = await c.stored("clinic-visit");
  assert.equal(rows.length, before + 1);
  assert.deepEqual(rows.at(-1).answers, { nps: 10, reason: "Kind staff." });
});

test("partial: leaving after one answer sends a partial response; finishing completes it in place", async () => {
  const before = (await c.stored("every-kind")).length;
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/every-kind"));
  await widgetReady(tab);
  await tab.locator("sayso-survey input[aria-label='6 out of 10']").click();
  // The page is hidden (a phone switching apps); the partial response goes out by beacon.
  await tab.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true })));
  const partial = await until(async () => (await c.stored("every-kind")).at(before), 10_000, "the partial response");
  assert.equal(partial.partial, true);
  assert.deepEqual(partial.answers, { nps: 6 });
  // Back on the page, the visitor finishes: the same response, now complete.
  await tab.locator("sayso-survey input[aria-label='Dissatisfied']").click();
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you!");
  const rows = await c.stored("every-kind");
  assert.equal(rows.length, before + 1);
  assert.equal(rows.at(-1).id, partial.id);
  assert.equal(rows.at(-1).partial, false);
  assert.deepEqual(rows.at(-1).answers, { nps: 6, csat: 2 });
  assert.deepEqual(log.pageErrors, []);
});

test("partial: closing the tab after answering leaves a partial response", async () => {
  const before = (await c.stored("clinic-visit")).length;
  const { tab } = await watchedPage(b);
  await tab.goto(host.url("/clinic-visit"));
  await widgetReady(tab);
  await tab.locator("sayso-survey input[aria-label='7 out of 10']").click();
  await tab.close({ runBeforeUnload: true });
  const row = await until(async () => (await c.stored("clinic-visit")).at(before), 10_000, "the partial response");
  assert.equal(row.partial, true);
  assert.deepEqual(row.answers, { nps: 7 });
});

test("answers too long to send together: the longest is to be shortened; a partial response leaves it out", async () => {
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/long-answers"));
  const field = (name) => tab.getByRole("textbox", { name, exact: true });
  await field("First").waitFor({ timeout: 20_000 }); // text areas only, no <input>
  const lengths = { First: 9000, Second: 10000, Third: 8000, Fourth: 9500 };
  for (const [name, n] of Object.entries(lengths)) await field(name).fill("é".repeat(n)); // 2 bytes each
  await tab.locator("sayso-survey button[type=submit]").click();
  // Beside the longest answer, announced, and that answer has the focus and is marked invalid.
  const issue = tab.locator("sayso-survey #sayso-t2-issue");
  const asks = /^Your answers are too long to send together\. Please shorten this one\. Characters to remove, at least: ([\d,]+)\.$/;
  const said = await until(async () => (await issue.innerText()).match(asks), 5_000, "the issue");
  await until(async () => (await tab.locator("sayso-survey [aria-live]").innerText()) === said[0], 5_000, "the announcement");
  const cut = Number(said[1].replace(/,/g, ""));
  assert.ok(cut > 0 && cut < 10000, `cut ${cut}`);
  assert.equal(await field("Second").getAttribute("aria-invalid"), "true");
  assert.equal(await field("Second").evaluate((e) => e.getRootNode().activeElement === e), true);
  assert.deepEqual(await outboxIds(tab), [], "nothing queued that the collector would refuse");
  // Leaving now: the partial response leaves out the longest answer, and is stored.
  await tab.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true })));
  const partial = await until(async () => (await c.stored("long-answers"))[0], 10_000, "the partial response");
  assert.equal(partial.partial, true);
  assert.deepEqual(Object.keys(partial.answers).sort(), ["t1", "t3", "t4"]);
  assert.equal(partial.answers.t1, "é".repeat(9000));
  // Shortened by what it asked for, the whole response is sent and completes the partial one.
  await field("Second").fill("é".repeat(10000 - cut));
  assert.equal(await field("Second").getAttribute("aria-invalid"), null);
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you!");
  const rows = await c.stored("long-answers");
  assert.equal(rows.length, 1);
  assert.equal(rows[0].id, partial.id);
  assert.equal(rows[0].partial, false);
  assert.deepEqual(Object.values(rows[0].answers).map((a) => a.length), [9000, 10000 - cut, 8000, 9500]);
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.pageErrors, []);
});

test("answers too long to send together, in steps: sending goes back to the longest answer's step", async () => {
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/long-answers-steps"));
  const field = (name) => tab.getByRole("textbox", { name, exact: true });
  for (const [name, n, button] of [["First", 9000, "Next"], ["Second", 10000, "Next"], ["Third", 8000, "Next"], ["Fourth", 9500, "Send"]]) {
    await field(name).fill("é".repeat(n));
    await tab.locator("sayso-survey").getByRole("button", { name: button, exact: true }).click();
  }
  await until(() => field("Second").evaluate((e) => e.getRootNode().activeElement === e), 5_000, "focus on the second step's answer");
  assert.equal(await field("Fourth").isVisible(), false);
  assert.match(await tab.locator("sayso-survey #sayso-t2-issue").innerText(), /Please shorten this one\. Characters to remove, at least: [\d,]+\./);
  assert.equal(await tab.locator("sayso-survey .sayso-progress").innerText(), "Question 2 of 4");
  // Nothing stored, and nothing queued to be (the outbox holds a response before it is sent).
  assert.deepEqual(await c.stored("long-answers-steps"), []);
  assert.deepEqual(await outboxIds(tab), []);
  assert.deepEqual(log.pageErrors, []);
});

test("languages: Spanish strings and texts, numbers and a missing translation falling back", async () => {
  const { tab } = await watchedPage(b);
  await tab.goto(host.url("/clinic-visit/es"));
  await widgetReady(tab);
  assert.equal(await tab.locator("sayso-survey .sayso-progress span").innerText(), "Pregunta 1 de 4");
  assert.equal(await tab.locator("sayso-survey button", { hasText: "Siguiente" }).count(), 1);
  assert.equal(await tab.locator("sayso-survey #sayso-title").innerText(), "¿Qué tal fue su visita?");
  assert.equal(await tab.locator("sayso-survey input[aria-label='8 de 10']").count(), 1);
  // The demo survey has no Spanish: its texts stay in its default language, the buttons too.
  const { tab: other } = await watchedPage(b);
  await other.goto(host.url("/every-kind/es"));
  await widgetReady(other);
  assert.equal(await other.locator("sayso-survey #sayso-title").innerText(), "Todos los tipos de pregunta");
  assert.equal(await other.locator("sayso-survey #sayso-nps-q legend > span").first().innerText(), "Recommend us?");
  assert.equal(await other.locator("sayso-survey button[type=submit]").innerText(), "Enviar");
});

test("languages: French, German and Portuguese: the widget's words, the survey's texts and Intl's numbers, in the browser", async () => {
  // What a visitor reads and hears in each, from the widget's built-in strings.
  const expected = {
    fr: { submit: "Envoyer", point: "8 sur 10", low: "Pas du tout probable", face: "Très satisfait", required: "Veuillez répondre à cette question.", left: "Caractères restants : {n}", thanks: "Merci !" },
    de: { submit: "Senden", point: "8 von 10", low: "Überhaupt nicht wahrscheinlich", face: "Sehr zufrieden", required: "Bitte beantworten Sie diese Frage.", left: "Noch {n} Zeichen", thanks: "Vielen Dank!" },
    pt: { submit: "Enviar", point: "8 de 10", low: "Nada provável", face: "Muito satisfeito", required: "Por favor, responda a esta pergunta.", left: "Caracteres restantes: {n}", thanks: "Obrigado!" },
  };
  for (const [locale, words] of Object.entries(expected)) {
    const { tab, context, log } = await watchedPage(b);
    await tab.goto(host.url(`/european/${locale}`));
    await widgetReady(tab);
    const widget = tab.locator("sayso-survey");
    assert.equal(await widget.getAttribute("lang"), locale);
    assert.equal(await widget.locator("#sayso-title").innerText(), EUROPEAN_TEXTS.title[locale]);
    assert.equal(await widget.locator("#sayso-nps-q legend > span").first().innerText(), EUROPEAN_TEXTS.nps[locale]);
    assert.equal(await widget.getByText(words.low, { exact: true }).count(), 1, `${locale}: the NPS scale's low end`);
    assert.equal(await widget.getByRole("radio", { name: words.face, exact: true }).count(), 1, `${locale}: the best CSAT face`);
    const thousands = await tab.evaluate((l) => new Intl.NumberFormat(l).format(2000), locale);
    assert.equal(await widget.locator("#sayso-comment-text-left").innerText(), words.left.replace("{n}", thousands));
    await widget.getByRole("button", { name: words.submit, exact: true }).click();
    await widget.locator("#sayso-nps-issue").waitFor();
    assert.equal(await widget.locator("#sayso-nps-issue").innerText(), words.required);
    assert.equal(await widget.locator("[aria-live]").innerText(), words.required, `${locale}: announced too`);
    await widget.getByRole("radio", { name: words.point, exact: true }).click();
    await widget.getByRole("button", { name: words.submit, exact: true }).click();
    assert.equal(await outcome(tab), words.thanks);
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  }
  const rows = await c.stored("european");
  assert.deepEqual(rows.map((r) => [r.context.locale, r.answers]), [["fr", { nps: 8 }], ["de", { nps: 8 }], ["pt", { nps: 8 }]]);
});

test("languages: a definition's own words for a language the widget lacks, else its default language's; the scale's ends are read with it", async () => {
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/italian/it"));
  await widgetReady(tab);
  const seen = await tab.evaluate(() => {
    const root = document.querySelector("sayso-survey").shadowRoot;
    const group = root.querySelector("#sayso-nps-q");
    const described = group.getAttribute("aria-describedby").split(" ").map((id) => root.getElementById(id).textContent);
    return {
      send: root.querySelector("button[type=submit]").textContent.trim(),
      point: root.querySelector("input").getAttribute("aria-label"),
      described,
    };
  });
  assert.deepEqual(seen, {
    send: "Invia",
    point: "0 su 10",
    described: ["Überhaupt nicht wahrscheinlich", "Äußerst wahrscheinlich"],
  });
  assert.deepEqual(await axe(tab, "italian"), []);
  assert.deepEqual(log.pageErrors, []);
});

test("languages: a regional locale writes every number alike, piped answers included", async () => {
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/arabic-egypt"));
  await widgetReady(tab);
  const [eight, ten] = await tab.evaluate(() => [8, 10].map((n) => new Intl.NumberFormat("ar-EG").format(n)));
  await tab.locator(`sayso-survey input[aria-label='${eight} من ${ten}']`).click();
  const title = await tab.locator("sayso-survey #sayso-why-q legend > span").first().innerText();
  assert.equal(title.trim(), `لماذا ${eight}؟`);
  assert.deepEqual(log.pageErrors, []);
});

test("languages: Arabic from the page's lang, right to left, numbers as Intl writes them (screenshot kept)", async () => {
  const { tab, log } = await watchedPage(b, { viewport: { width: 480, height: 900 } });
  await tab.goto(host.url("/clinic-arabic/page-lang"));
  await widgetReady(tab);
  // "n من max", with the digits Arabic uses in this browser's Intl data.
  const name = (n) => tab.evaluate((n) => `${new Intl.NumberFormat("ar").format(n)} من ${new Intl.NumberFormat("ar").format(10)}`, n);
  const [zero, one, ten] = [await name(0), await name(1), await name(10)];
  const look = await tab.evaluate(([zero, ten]) => {
    const hostElement = document.querySelector("sayso-survey");
    const root = hostElement.shadowRoot;
    const x = (label) => root.querySelector(`input[aria-label='${label}']`).parentElement.getBoundingClientRect().x;
    return {
      dir: hostElement.getAttribute("dir"),
      lang: hostElement.getAttribute("lang"),
      direction: getComputedStyle(root.querySelector(".sayso-card")).direction,
      zeroRightOfTen: x(zero) > x(ten),
      send: root.querySelector("button[type=submit]").textContent.trim(),
      title: root.querySelector("#sayso-title").textContent,
    };
  }, [zero, ten]);
  assert.deepEqual(look, { dir: "rtl", lang: "ar", direction: "rtl", zeroRightOfTen: true, send: "إرسال", title: "زيارتك" });
  assert.deepEqual(await axe(tab, "right to left (ar)"), []);
  mkdirSync(join(ROOT, "target/e2e"), { recursive: true });
  await tab.locator("sayso-survey").screenshot({ path: join(ROOT, "target/e2e/arabic.png") });
  // Arrow keys follow the reading direction: in right-to-left, the left arrow moves forward.
  await tab.locator(`sayso-survey input[aria-label='${zero}']`).focus();
  await tab.keyboard.press("ArrowLeft");
  assert.equal(await tab.evaluate(() => document.querySelector("sayso-survey").shadowRoot.activeElement.getAttribute("aria-label")), one);
  assert.deepEqual(log.pageErrors, []);
});
