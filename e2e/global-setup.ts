// Once per Playwright run: bundle the hub every TestHub starts (dist/hub.mjs).
import { buildHub } from "../scripts/build-hub";

export default async function globalSetup() {
  await buildHub();
}
