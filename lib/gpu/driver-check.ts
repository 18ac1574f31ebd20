import { architectureOf, computeCapFromName, driverSupports } from './architecture.js';
import { majorVersion } from './compare-versions.js';
import type { GpuFacts } from './facts.js';

export type DriverProblemCode =
  | 'driver-missing'
  | 'driver-not-loaded'
  | 'secure-boot-blocks-module'
  | 'kernel-user-mismatch'
  | 'fabric-manager-missing'
  | 'fabric-manager-mismatch'
  | 'driver-not-held'
  | 'driver-too-old';

export interface DriverProblem {
  code: DriverProblemCode;
  message: string;
  /** what to do about it, concretely */
  fix: string;
}

const driverVersionOf = (facts: GpuFacts): string | null => facts.driver.user_space ?? facts.driver.packages[0]?.version ?? facts.driver.kernel;

const loadProblems = (facts: GpuFacts): DriverProblem[] => {
  const { state, message } = facts.nvidia_smi;
  const installed = facts.driver.packages.length > 0;
  if (state === 'missing' || ((state === 'no-driver' || state === 'failed') && !installed)) {
    return [
      {
        code: 'driver-missing',
        message: `no NVIDIA driver is installed${message ? `: ${message}` : ''}`,
        fix: "install the server driver (apt-get install nvidia-driver-570-server with the running kernel's linux-headers) and reboot",
      },
    ];
  }
  if (state !== 'no-driver') return [];
  if (facts.secure_boot === true) {
    return [
      {
        code: 'secure-boot-blocks-module',
        message: 'the NVIDIA driver is installed but its kernel module is not loaded and Secure Boot is enabled',
        fix: 'enroll the DKMS signing key (mokutil --import /var/lib/shim-signed/mok/MOK.der, confirm at the next boot) or disable Secure Boot in the firmware, then reboot',
      },
    ];
  }
  return [
    {
      code: 'driver-not-loaded',
      message: `the NVIDIA driver is installed but not loaded: ${message}`,
      fix: 'reboot to load the kernel module of the installed driver',
    },
  ];
};

const mismatchProblems = (facts: GpuFacts): DriverProblem[] => {
  const { kernel, user_space: user } = facts.driver;
  const mismatch = facts.nvidia_smi.state === 'version-mismatch' || (kernel !== null && user !== null && kernel !== user);
  if (!mismatch) return [];
  const names = facts.driver.packages.map((p) => p.name).join(' ') || 'the nvidia-driver-* packages';
  return [
    {
      code: 'kernel-user-mismatch',
      message: `kernel module ${kernel ?? 'unknown'} and user-space driver ${user ?? 'unknown'} differ (CUDA fails until they agree)`,
      fix: `reboot to load the kernel module matching the user-space driver, then apt-mark hold ${names} so unattended upgrades cannot split them again`,
    },
  ];
};

const fabricManagerProblems = (facts: GpuFacts): DriverProblem[] => {
  if (!facts.topology?.nvswitch) return [];
  const driver = driverVersionOf(facts);
  const major = driver ? majorVersion(driver) : undefined;
  const pkg = major === undefined ? 'nvidia-fabricmanager-<driver major>' : `nvidia-fabricmanager-${major}`;
  const fm = facts.fabric_manager;
  if (!fm) {
    return [
      {
        code: 'fabric-manager-missing',
        message: 'NVSwitch topology but no NVIDIA Fabric Manager installed (CUDA cannot use the GPUs)',
        fix: `apt-get install ${pkg}${driver ? `=${driver}-*` : ''}, systemctl enable --now nvidia-fabricmanager, apt-mark hold ${pkg}`,
      },
    ];
  }
  if (major === undefined || majorVersion(fm.version) === major) return [];
  return [
    {
      code: 'fabric-manager-mismatch',
      message: `Fabric Manager ${fm.version} (${fm.name}) does not match driver ${driver}`,
      fix: `apt-get remove ${fm.name}; apt-get install ${pkg}=${driver}-*; apt-mark hold ${pkg}; systemctl restart nvidia-fabricmanager`,
    },
  ];
};

const holdProblems = (facts: GpuFacts): DriverProblem[] => {
  const pkgs = [...facts.driver.packages, ...(facts.fabric_manager ? [facts.fabric_manager] : [])];
  const loose = pkgs.map((p) => p.name).filter((n) => !facts.held.includes(n));
  if (loose.length === 0) return [];
  return [
    {
      code: 'driver-not-held',
      message: `driver packages not on hold: ${loose.join(', ')} (an unattended upgrade would split kernel and user space)`,
      fix: `apt-mark hold ${loose.join(' ')}`,
    },
  ];
};

const ageProblems = (facts: GpuFacts): DriverProblem[] => {
  const driver = facts.driver.user_space;
  if (!driver || facts.nvidia_smi.state !== 'ok') return [];
  const tooOld = facts.gpus.filter((g) => {
    const cap = g.compute_cap ?? computeCapFromName(g.name);
    const arch = cap ? architectureOf(cap) : undefined;
    return arch !== undefined && !driverSupports(arch, driver);
  });
  if (tooOld.length === 0) return [];
  const arch = architectureOf(tooOld[0].compute_cap ?? computeCapFromName(tooOld[0].name)!)!;
  return [
    {
      code: 'driver-too-old',
      message: `driver ${driver} is older than ${arch.minDriver}, the first branch supporting ${arch.family} (${tooOld[0].name})`,
      fix: `install a driver branch ${majorVersion(arch.minDriver)} or newer and reboot`,
    },
  ];
};

/**
 * Does the driver stack agree with itself? Kernel module == user space exactly; Fabric Manager major == driver
 * major, needed only when the topology shows NVSwitch; driver packages held against unattended upgrades.
 */
export const checkDriverConsistency = (facts: GpuFacts): DriverProblem[] => [
  ...loadProblems(facts),
  ...mismatchProblems(facts),
  ...fabricManagerProblems(facts),
  ...holdProblems(facts),
  ...ageProblems(facts),
];
