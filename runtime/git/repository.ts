// One repository with its long-lived helper processes, started on first use.
import { CommitWriter } from "./commit-writer.js";
import { MergeTreeBatch } from "./merge-tree.js";
import { ObjectReader } from "./objects.js";
import { RefTransactions } from "./refs.js";

/** A repository and its long-lived git processes: objects, commits, refs and merges. */
export class GitRepository {
  readonly objects: ObjectReader;
  readonly commits: CommitWriter;
  readonly refs: RefTransactions;
  readonly merges: MergeTreeBatch;

  constructor(readonly gitDir: string) {
    this.objects = new ObjectReader(gitDir);
    this.commits = new CommitWriter(gitDir);
    this.refs = new RefTransactions(gitDir);
    this.merges = new MergeTreeBatch(gitDir);
  }

  /** Stops every helper process; the next call on this object starts them again. */
  close(): void {
    this.objects.close();
    this.commits.close();
    this.refs.close();
    this.merges.close();
  }
}
