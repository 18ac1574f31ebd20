/** Fields nop asks `nvidia-smi --query-gpu` for, in this order. */
export const GPU_QUERY_FIELDS = ['index', 'name', 'memory.total', 'driver_version', 'pci.bus_id', 'compute_cap'] as const;

/** The same without compute_cap, for drivers (before ~510) that reject it. */
export const GPU_QUERY_FIELDS_LEGACY = GPU_QUERY_FIELDS.filter((f) => f !== 'compute_cap');

export interface GpuDevice {
  index: number;
  name: string;
  memory_mib: number;
  driver_version: string;
  pci_bus_id: string;
  /** null when the driver is too old to report it */
  compute_cap: string | null;
}

/** nvidia-smi's answer to a field an old driver does not know. */
export const isUnknownFieldError = (output: string): boolean => /is not a valid field to query/.test(output);

/**
 * Parse `--format=csv,noheader,nounits` output for the given fields (one line per GPU, `, ` between fields).
 * A header line, if present, is skipped. Throws on a line with the wrong number of fields.
 */
export const parseQueryCsv = (stdout: string, fields: readonly string[]): Record<string, string>[] =>
  stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith(`${fields[0]},`) && l !== fields[0])
    .map((line) => {
      const cells = line.split(', ').map((c) => c.trim());
      if (cells.length !== fields.length) {
        throw new Error(`nvidia-smi query: expected ${fields.length} fields, got ${cells.length} in '${line}'`);
      }
      return Object.fromEntries(fields.map((f, i) => [f, cells[i]]));
    });

const notReported = (v: string | undefined): boolean => v === undefined || v === '' || v === '[N/A]' || v === 'N/A';

/** GPU devices from the query nop makes (with or without compute_cap). */
export const parseGpuDevices = (stdout: string, fields: readonly string[] = GPU_QUERY_FIELDS): GpuDevice[] =>
  parseQueryCsv(stdout, fields).map((row) => ({
    index: Number(row.index),
    name: row.name,
    memory_mib: Number(row['memory.total']),
    driver_version: row.driver_version,
    pci_bus_id: row['pci.bus_id'],
    compute_cap: notReported(row.compute_cap) ? null : row.compute_cap,
  }));
