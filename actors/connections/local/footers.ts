// Footers of commit messages that the local connection reads: Change-Id (Gerrit's change identity
// across patchsets) and Depends-On (cross-change dependencies).

const CHANGE_ID = /^I[0-9a-f]{40}$/;

/** Returns the subject line of a commit message. */
export function subjectOf(message: string): string {
  return message.split("\n", 1)[0]?.trim() ?? "";
}

/** Returns the value of the last `Change-Id:` footer in the last paragraph, or null. */
export function changeIdOf(message: string): string | null {
  const paragraphs = message.trim().split(/\n\s*\n/);
  const footer = paragraphs[paragraphs.length - 1] ?? "";
  let found: string | null = null;
  for (const line of footer.split("\n")) {
    const match = /^Change-Id:\s*(\S+)\s*$/i.exec(line.trim());
    if (match?.[1] !== undefined && CHANGE_ID.test(match[1])) found = match[1];
  }
  return found;
}

/** True for a Gerrit Change-Id: `I` and 40 hexadecimal digits. */
export function isChangeId(value: string): boolean {
  return CHANGE_ID.test(value);
}

/** Returns every `Depends-On:` value of a message, in order, each once. */
export function dependsOnOf(message: string): string[] {
  const values: string[] = [];
  for (const line of message.split("\n")) {
    const match = /^Depends-On:\s*(.+?)\s*$/i.exec(line.trim());
    if (match?.[1] !== undefined && !values.includes(match[1])) values.push(match[1]);
  }
  return values;
}
