// Named test steps for the identity end-to-end tests: each runs, prints "ok"/"FAIL" with the
// first lines of the error, and the run ends with the count (exit code 1 on any failure).
let failures = 0;

export async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${(e.stack ?? String(e)).split("\n").slice(0, 6).join("\n     ")}`);
  }
}

export function finish() {
  console.log(failures ? `${failures} failed` : "all passed");
  process.exit(failures ? 1 : 0);
}
