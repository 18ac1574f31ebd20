import { compareVersions } from './compare-versions.js';

export interface GpuArchitecture {
  /** `sm_90` */
  sm: string;
  family: string;
  /** Blackwell parts need the ML node image's `-blackwell` tag */
  blackwell: boolean;
  /** oldest driver branch that supports the architecture */
  minDriver: string;
}

const BY_COMPUTE_CAP: Record<string, GpuArchitecture> = {
  '7.0': { sm: 'sm_70', family: 'Volta', blackwell: false, minDriver: '384.0' },
  '7.5': { sm: 'sm_75', family: 'Turing', blackwell: false, minDriver: '410.0' },
  '8.0': { sm: 'sm_80', family: 'Ampere', blackwell: false, minDriver: '450.0' },
  '8.6': { sm: 'sm_86', family: 'Ampere', blackwell: false, minDriver: '455.0' },
  '8.9': { sm: 'sm_89', family: 'Ada', blackwell: false, minDriver: '525.0' },
  '9.0': { sm: 'sm_90', family: 'Hopper', blackwell: false, minDriver: '525.0' },
  '10.0': { sm: 'sm_100', family: 'Blackwell', blackwell: true, minDriver: '570.0' },
  '10.3': { sm: 'sm_103', family: 'Blackwell Ultra', blackwell: true, minDriver: '580.0' },
  '12.0': { sm: 'sm_120', family: 'Blackwell (consumer/workstation)', blackwell: true, minDriver: '570.0' },
};

/** Architecture of a `compute_cap` value as nvidia-smi prints it (`9.0`). */
export const architectureOf = (computeCap: string): GpuArchitecture | undefined => BY_COMPUTE_CAP[computeCap.trim()];

// Drivers before ~510 cannot report compute_cap; the marketing name is then the only clue. Order matters:
// more specific names first (B300 before B200 would not matter, but "RTX PRO 6000 Blackwell" before "RTX 6000").
const BY_NAME: [RegExp, string][] = [
  [/\b(B300|GB300)\b/, '10.3'],
  [/\b(B200|GB200|B100)\b/, '10.0'],
  [/RTX 50\d0|RTX PRO \d+ Blackwell/, '12.0'],
  [/\b(H100|H200|H800|H20|GH200)\b/, '9.0'],
  [/\b(L40S?|L4|L20)\b|RTX 40\d0|RTX 6000 Ada|RTX \d+ Ada/, '8.9'],
  [/\b(A100|A800|A30)\b/, '8.0'],
  [/\b(A10G?|A40|A16|A2)\b|RTX 30\d0|RTX A\d+/, '8.6'],
  [/\bT4\b|RTX 20\d0|Quadro RTX/, '7.5'],
  [/\bV100\b|TITAN V/, '7.0'],
];

/** compute_cap guessed from the GPU's name, for drivers too old to report it. */
export const computeCapFromName = (name: string): string | undefined => BY_NAME.find(([re]) => re.test(name))?.[1];

/** Is the driver at least the architecture's minimum branch? */
export const driverSupports = (arch: GpuArchitecture, driverVersion: string): boolean => compareVersions(driverVersion, arch.minDriver) >= 0;
