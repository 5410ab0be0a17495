// What the side-by-side bench (bench.mjs) and the trace (trace.mjs) share, so that both measure
// the same "ready" in the same browser.
import { chromium } from "playwright-core";

/**
 * Run in the page: when the first question can be clicked, `performance.now()`, else false.
 * Sayso: the first answer option inside the widget's shadow root, visible and enabled.
 */
export const READY = {
  sayso: () => {
    const host = document.querySelector("sayso-survey");
    const input = host && host.shadowRoot && host.shadowRoot.querySelector("input");
    const box = input && input.parentElement.getBoundingClientRect();
    return box && box.width > 0 && box.height > 0 && !input.disabled ? performance.now() : false;
  },
  surveyjs: () => {
    const item = document.querySelector("#survey .sd-rating__item, #survey input[type=radio]");
    const box = item && item.getBoundingClientRect();
    return box && box.width > 0 && box.height > 0 ? performance.now() : false;
  },
};

/** Headless Chromium (`CHROMIUM`, else Debian's) with the flags this kind of machine needs. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}
