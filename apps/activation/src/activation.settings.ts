/** DI tokens of what the activation app is configured with. */
export const CATALOG = Symbol('CATALOG');
export const ACTIVATION_SETTINGS = Symbol('ACTIVATION_SETTINGS');

export interface ActivationSettings {
  /** A task due more than this long after the trigger is announced this long before it is due. */
  announceLeadMs: number;
}
