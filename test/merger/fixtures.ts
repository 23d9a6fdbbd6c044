// Builders of merge requests for the merger tests.
import type { MergeChange, MergeMode } from "../../messages/build.js";
import type { MergeRequest } from "../../messages/effects.js";
import type { MergeFailedBody, MergeSucceededBody } from "../../messages/result.js";

export function makeChange(
  number: number,
  project: string,
  commit: string,
  options: { branch?: string; mergeMode?: MergeMode; patchset?: number } = {},
): MergeChange {
  const patchset = options.patchset ?? 1;
  return {
    connection: "review",
    project,
    branch: options.branch ?? "master",
    id: `${String(number)},${String(patchset)}`,
    number,
    patchset,
    ref: `refs/changes/${String(number % 100).padStart(2, "0")}/${String(number)}/${String(patchset)}`,
    commit,
    mergeMode: options.mergeMode ?? "merge",
    message: `Merge change ${String(number)},${String(patchset)}`,
  };
}

export function makeRequest(
  buildset: string,
  changes: readonly MergeChange[],
  baseBuildset: string | null = null,
  extra: Partial<MergeRequest> = {},
): MergeRequest {
  return {
    type: "merge-request",
    tenant: "example",
    pipeline: "gate",
    item: `item-${buildset}`,
    buildset,
    changes,
    baseBuildset,
    projects: [],
    refItem: null,
    ...extra,
  };
}

export function succeeded(body: MergeSucceededBody | MergeFailedBody): MergeSucceededBody {
  if (!body.ok) throw new Error(`expected a built state, got a failure: ${body.message}`);
  return body;
}

export function failed(body: MergeSucceededBody | MergeFailedBody): MergeFailedBody {
  if (body.ok) throw new Error("expected a merge failure, got a built state");
  return body;
}
