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

/**
 * Wait until `READY[kind]` holds in the page (checked once a frame) and return its time. Polled
 * with a few lines of page script through the DevTools protocol session `cdp`, not with the
 * driver's `waitForFunction`: that injects the driver's own helper script into the page, a task
 * of about 100 ms on the main thread at 4x while the page loads (measured), which would be
 * counted against the page measured, as blocking time and as time to ready.
 */
export async function waitReady(cdp, kind, timeoutMs = 60_000) {
  const expression = `new Promise((resolve) => {
    const ready = ${READY[kind]};
    const check = () => {
      const at = ready();
      at ? resolve(at) : requestAnimationFrame(check);
    };
    check();
  })`;
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const evaluated = cdp.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    return (await Promise.race([evaluated, late])).result.value;
  } finally {
    clearTimeout(timer);
  }
}

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
