import { defineRole } from '../../lib/roles/role.js';
import { configureDockerRuntime, installContainerToolkit } from './container-toolkit.js';
import { checkCudaInDocker } from './cuda-check.js';
import { checkDriverVersions } from './driver-versions.js';
import { ensureFabricManager } from './fabric-manager.js';
import { checkGpuPresent } from './gpu-present.js';
import { holdDriver } from './hold-driver.js';
import { installDriver } from './install-driver.js';
import { rebootIfNeeded } from './reboot.js';
import { checkSecureBoot } from './secure-boot.js';
import { NvidiaVarsSchema } from './vars.js';

/**
 * The NVIDIA stack a GPU host needs for Gonka's ML node: the server driver with headers, Fabric Manager on
 * NVSwitch boards, the Container Toolkit wired into Docker, versions that agree and stay agreed (held), and
 * a CUDA container that proves it. Runs after the docker role.
 */
export default defineRole({
  name: 'nvidia',
  vars: NvidiaVarsSchema,
  tasks: [
    { name: 'NVIDIA GPU present', run: checkGpuPresent, check_mode: false },
    { name: 'Secure Boot lets the driver load', run: checkSecureBoot, check_mode: false },
    { name: 'Kernel headers and NVIDIA driver', run: installDriver },
    { name: 'NVIDIA Container Toolkit', run: installContainerToolkit },
    { name: 'Docker uses the nvidia runtime', run: configureDockerRuntime },
    { name: 'Driver packages held against unattended upgrades', run: holdDriver },
    { name: 'Reboot to load the driver', run: rebootIfNeeded },
    { name: 'Fabric Manager on NVSwitch systems', run: ensureFabricManager },
    { name: 'Fabric Manager held with the driver', run: holdDriver },
    { name: 'Driver versions agree (kernel, user space, Fabric Manager)', run: checkDriverVersions },
    { name: 'CUDA runs in Docker', run: checkCudaInDocker },
  ],
});
