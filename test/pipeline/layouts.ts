// Small tenant configurations shared by the pipeline tests, written as Zuul YAML.
import type { Layout } from "../../messages/layout.js";
import { loadTestLayout } from "./harness.js";

export const GATE_PIPELINE = (extra = ""): string => `
- pipeline:
    name: gate
    manager: dependent
    trigger:
      review:
        - event: comment-added
          approval:
            - Approved: 1
    success:
      review:
        Verified: 2
        submit: true
    failure:
      review:
        Verified: -2
${extra}`;

export const CHECK_PIPELINE = `
- pipeline:
    name: check
    manager: independent
    trigger:
      review:
        - event: patchset-created
        - event: comment-added
          comment: (?i)^\\s*recheck\\s*$
    start:
      review:
        Verified: 0
    success:
      review:
        Verified: 1
    failure:
      review:
        Verified: -1
`;

export const JOBS = `
- job:
    name: test
- job:
    name: lint
`;

/** Loads one gate pipeline and one project that runs `jobs` in it. */
export async function gateLayout(
  options: {
    pipelineExtra?: string;
    jobs?: string;
    projectJobs?: string;
    projects?: Record<string, string>;
  } = {},
): Promise<Layout> {
  const projectJobs = options.projectJobs ?? "            - test\n";
  const projects = options.projects ?? {
    "org/project1": `- project:\n    gate:\n      jobs:\n${projectJobs}`,
  };
  const files: Record<string, Record<string, string>> = {};
  for (const [name, text] of Object.entries(projects)) files[name] = { ".zuul.yaml": text };
  return loadTestLayout(
    { "zuul.yaml": GATE_PIPELINE(options.pipelineExtra ?? "") + (options.jobs ?? JOBS) },
    files,
  );
}
