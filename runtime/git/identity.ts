// Author and committer identities, passed to git explicitly so that no commit depends on the
// user's git configuration or on the wall clock.

/** Who made a commit and when. */
export interface GitIdentity {
  readonly name: string;
  readonly email: string;
  /** Milliseconds since the epoch; git stores whole seconds, in UTC. */
  readonly time: number;
}

/** Formats an identity line as it appears in a commit object: `NAME <EMAIL> SECONDS +0000`. */
export function formatIdentity(identity: GitIdentity): string {
  checkIdentity(identity);
  return `${identity.name} <${identity.email}> ${Math.floor(identity.time / 1000)} +0000`;
}

/** Parses an identity line of a commit object back into a GitIdentity (the time zone is dropped). */
export function parseIdentity(line: string): GitIdentity {
  const match = /^(.*) <([^>]*)> (-?\d+) [+-]\d{4}$/.exec(line);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) {
    throw new Error(`invalid identity line in commit: "${line}"`);
  }
  return { name: match[1], email: match[2], time: Number(match[3]) * 1000 };
}

/** Environment variables that set the author and committer of `commit-tree` and friends. */
export function identityEnvironment(
  author: GitIdentity,
  committer: GitIdentity = author,
): Record<string, string> {
  checkIdentity(author);
  checkIdentity(committer);
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: `@${Math.floor(author.time / 1000)} +0000`,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: `@${Math.floor(committer.time / 1000)} +0000`,
  };
}

function checkIdentity(identity: GitIdentity): void {
  if (/[<>\n]/.test(identity.name) || identity.name.trim() === "") {
    throw new RangeError(
      `git identity name "${identity.name}" is invalid: use a non-empty name without <, > or newlines`,
    );
  }
  if (/[<>\n\s]/.test(identity.email)) {
    throw new RangeError(
      `git identity email "${identity.email}" is invalid: use an address without <, >, or spaces`,
    );
  }
  if (!Number.isFinite(identity.time) || identity.time < 0) {
    throw new RangeError(
      `git identity time ${identity.time} is invalid: use milliseconds since the epoch`,
    );
  }
}
