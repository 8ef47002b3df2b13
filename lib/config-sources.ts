// Reading the two places settings come from, the environment and the JSON config
// file, each validated once against its schema (lib/config-schema.ts).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, describeIssues } from "./config-error";
import { envSchema, fileSchema, type EnvConfig, type FileConfig } from "./config-schema";

export const DEFAULT_CONFIG_FILE = "hearth.config.json";

/** Empty variables count as unset, so `PORT= npm start` behaves like plain `npm start`. */
export function readEnv(env: Record<string, string | undefined>): EnvConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsedEnv = envSchema.safeParse(present);
  if (!parsedEnv.success) {
    throw new ConfigError(`Invalid configuration:\n  ${describeIssues(parsedEnv.error, "the environment", present)}`);
  }
  return parsedEnv.data;
}

/** The file HEARTH_CONFIG names (it must exist), else hearth.config.json in `cwd` if there is one. */
export function findConfigFile(named: string | undefined, cwd: string): string | null {
  if (named) {
    const configFile = path.resolve(cwd, named);
    if (!existsSync(configFile)) {
      throw new ConfigError(`HEARTH_CONFIG names ${configFile}, which does not exist`);
    }
    return configFile;
  }
  const beside = path.join(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(beside) ? beside : null;
}

/** The file parsed as JSON and checked against fileSchema; unreadable or invalid is a ConfigError. */
export function readConfigFile(file: string): FileConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${file}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n  ${describeIssues(parsed.error, file, json)}`);
  }
  return parsed.data;
}
