/** Where the installed project lives (this file is src/cli/ or dist/cli/ below the root). */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
