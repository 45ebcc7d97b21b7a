/** Committing to a working copy of the test git remote and pushing, as a user of the landscape does. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The environment for git commands that commit: an author and a committer. */
export const gitEnv = {
  env: {
    ...process.env,
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@localhost",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@localhost",
  },
};

/** Commits every change of the working copy `work` and pushes it to `url`'s main. */
export async function commitAndPush(work: string, url: string, message: string): Promise<void> {
  await run("git", ["-C", work, "commit", "-qam", message], gitEnv);
  await run("git", ["-C", work, "push", "-q", url, "main"], gitEnv);
}
