// Once per Playwright run: bundle the hub every TestHub starts (dist/hub.mjs), and the
// `npm run hearth` command TestHub.cli runs (dist/cli.mjs).
import { buildHub, bundle } from "../scripts/build-hub";
import { CLI_BUNDLE } from "./hub";

export default async function globalSetup() {
  await Promise.all([buildHub(), bundle("broker/cli.ts", CLI_BUNDLE)]);
}
