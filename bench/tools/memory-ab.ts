// Developer tool: the memory section's steps (idle, 1,000 devices, a burst, after it)
// against hub variants, one after another: node flags (MEM_AB_ARGS) or environment
// (MEM_AB_ENV), each variant "name|--flag --flag|K=V K=V" separated by ";".
//   flock /work/locks/heavy.lock node --import tsx bench/tools/memory-ab.ts quick|full
import { profile } from "../memory";
import { startHub } from "../lib/servers";
import type { Mode } from "../lib/section";

const mode = (process.argv[2] ?? "quick") as Mode;
const variants = (process.env.MEM_AB ?? "default||").split(";").map((v) => {
  const [name, args = "", env = ""] = v.split("|");
  return { name, nodeArgs: args.split(/\s+/).filter(Boolean), env: Object.fromEntries(env.split(/\s+/).filter(Boolean).map((kv) => kv.split("=", 2) as [string, string])) };
});
const ctx = { mode, cores: 2, log: (m: string) => console.log(m) };
for (const v of variants) {
  const hub = await startHub({ nodeArgs: v.nodeArgs, env: v.env });
  try {
    console.log(`— ${v.name}`);
    await profile(hub, ctx);
  } finally {
    await hub.stop();
  }
}
process.exit(0);
