import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The integration files that ran longest in a full run (per-file durations, longest first; refresh from a full
 * run's report when they change). Without results of an earlier run (a fresh clone, CI) vitest starts files by
 * size, and a long file started late keeps one worker busy after the others ran out of files: started first,
 * the short files fill the workers' ends instead (on the durations of a full run, 4 workers: the last file ends
 * about 9 % sooner).
 */
const LONGEST = [
  'test/day2/update/update.test.ts',
  'test/e2e/move-stack.test.ts',
  'test/day2/procedures-f/procedures.test.ts',
  'test/e2e/participation.test.ts',
  'test/day2/procedures/procedures.test.ts',
  'test/e2e/single-server.test.ts',
  'test/e2e/demo-keep.test.ts',
  'test/conformance/conformance.test.ts',
  'test/e2e/fleet.test.ts',
  'test/day2/procedures-e/procedures.test.ts',
  'test/e2e/failures.test.ts',
];

/** vitest's order (results of an earlier run first: failed, then longest), else the longest files above first. */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const path = (spec: TestSpecification) => relative(this.ctx.config.root, spec.moduleId);
    if (files.some((spec) => this.ctx.cache.getFileTestResults(`${spec.project.name}:${path(spec)}`))) return sorted;
    const rank = (spec: TestSpecification) => {
      const i = LONGEST.indexOf(path(spec));
      return i === -1 ? LONGEST.length : i;
    };
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
