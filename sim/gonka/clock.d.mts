export interface ClockSettings {
  mode?: 'observed' | 'wall';
  /** observed: simulated seconds each observation adds */
  stepSeconds?: number;
  /** wall: simulated seconds per wall second */
  scale?: number;
}

export function clockDir(stateDir: string): string;
export function clockNow(stateDir: string): number;
export function clockOrigin(stateDir: string): number;
export function observe(stateDir: string): void;
export function advance(stateDir: string, seconds: number): void;
export function setClock(stateDir: string, settings: ClockSettings): void;
