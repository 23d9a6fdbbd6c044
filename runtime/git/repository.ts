// One repository with its long-lived helper processes, started on first use.
import { CommitWriter } from "./commit-writer.js";
import { ObjectReader } from "./objects.js";
import { RefTransactions } from "./refs.js";

/** A repository and the long-lived git processes that read objects, write commits and move refs. */
export class GitRepository {
  readonly objects: ObjectReader;
  readonly commits: CommitWriter;
  readonly refs: RefTransactions;

  constructor(readonly gitDir: string) {
    this.objects = new ObjectReader(gitDir);
    this.commits = new CommitWriter(gitDir);
    this.refs = new RefTransactions(gitDir);
  }

  /** Stops every helper process; the next call on this object starts them again. */
  close(): void {
    this.objects.close();
    this.commits.close();
    this.refs.close();
  }
}
