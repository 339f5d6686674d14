// Waiting in end-to-end tests: sleep, and poll a condition until it holds or time runs out.
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The first truthy value of fn() (awaited), polled every 50 ms; throws after `ms` naming `what`.
export async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
