// Approval filters, shared by trigger `approval`/`require-approval`/`reject-approval` and by
// pipeline `require`/`reject`: `{Verified: [1, 2], username: zuul, newer-than: 48h}`.
import { isMap, isScalar, isSeq, type Node } from "yaml";

import type { ApprovalFilter } from "../../messages/layout.js";
import { describe, listItems, type FileReader } from "./fields.js";
import { patternError } from "./regex.js";

const FILTER_KEYS = [
  "username",
  "email",
  "email-filter",
  "username-filter",
  "newer-than",
  "older-than",
];

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/** Parses a Zuul age such as `48h`, `2d` or `30m` into seconds, or null when it is invalid. */
export function parseAge(text: string): number | null {
  const match = /^\s*(\d+)\s*([smhdw]?)\s*$/.exec(text);
  if (match === null) return null;
  return Number(match[1]) * (UNIT_SECONDS[match[2] === "" ? "s" : (match[2] ?? "s")] ?? 1);
}

/**
 * Reads a list of approval filters. A label given a list of values (`Verified: [-1, -2]`) keeps
 * the list in `anyOf` and, in `labels`, the threshold that accepts the same Gerrit votes: the
 * smallest positive value or the largest negative one.
 */
export function readApprovalFilters(
  reader: FileReader,
  node: Node | null | undefined,
  object: string,
  attribute: string,
): ApprovalFilter[] {
  const filters: ApprovalFilter[] = [];
  listItems(node).forEach((item, index) => {
    const path = `${attribute}[${index}]`;
    if (!isMap(item)) {
      reader.error(
        item,
        object,
        path,
        `expected a mapping of label names to values, got ${describe(item)}`,
        `${attribute}:\n  - Code-Review: 2`,
      );
      return;
    }
    const labels: Record<string, number> = {};
    const anyOf: Record<string, number[]> = {};
    let username: string | null = null;
    let email: string | null = null;
    let newerThan: number | null = null;
    let olderThan: number | null = null;
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const value = pair.value as Node | null;
      if (FILTER_KEYS.includes(key)) {
        const text = isScalar(value) ? String(value.value) : null;
        if (text === null) {
          reader.error(
            value,
            object,
            `${path}.${key}`,
            `expected a string, got ${describe(value)}`,
          );
          continue;
        }
        if (key === "newer-than" || key === "older-than") {
          const seconds = parseAge(text);
          if (seconds === null) {
            reader.error(
              value,
              object,
              `${path}.${key}`,
              `invalid age "${text}"; expected a number with a unit s, m, h, d or w, such as 48h`,
            );
          } else if (key === "newer-than") {
            newerThan = seconds;
          } else {
            olderThan = seconds;
          }
          continue;
        }
        const problem = patternError(text);
        if (problem !== null) {
          reader.error(
            value,
            object,
            `${path}.${key}`,
            `invalid regular expression "${text}": ${problem}`,
          );
          continue;
        }
        if (key.startsWith("username")) username = text;
        else email = text;
        continue;
      }
      const values = isSeq(value) ? (value.items as (Node | null)[]) : [value];
      const numbers: number[] = [];
      for (const entry of values) {
        const raw = isScalar(entry) ? entry.value : undefined;
        const number = typeof raw === "string" && /^[-+]?\d+$/.test(raw) ? Number(raw) : raw;
        if (typeof number === "number" && Number.isInteger(number)) {
          numbers.push(number);
        } else if (typeof raw === "boolean") {
          numbers.push(raw ? 1 : 0);
        } else {
          reader.error(
            entry,
            object,
            `${path}.${key}`,
            `expected a vote value such as 1 or -2, or a list of them, got ${describe(entry)}`,
          );
        }
      }
      if (numbers.length === 0) continue;
      const positive = numbers.filter((number) => number > 0);
      labels[key] =
        positive.length === numbers.length ? Math.min(...numbers) : Math.max(...numbers);
      if (isSeq(value)) anyOf[key] = numbers;
    }
    const filter: ApprovalFilter = { labels, username, email, newerThan, olderThan };
    filters.push(Object.keys(anyOf).length > 0 ? { ...filter, anyOf } : filter);
  });
  return filters;
}
